package io.netstack4j.tcp;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.SockMem;
import io.netstack4j.ipv4.Rtable;
import io.netstack4j.wire.TcpHeader;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * The calls an application makes on a TCP socket ({@code net/ipv4/tcp.c}, {@code af_inet.c},
 * {@code inet_connection_sock.c}): bind, connect, listen, accept, send, receive, shutdown,
 * close and the socket options. Loop thread only. A call that cannot complete now returns its
 * "would block" value, documented per method, and the socket layer waits for a wake-up.
 */
public final class TcpCalls {

    private TcpCalls() {
    }

    /** {@code inet_bind}. */
    public static void bind(TcpSock sk, int addr, int port) {
        if (sk.state != TcpState.CLOSE || sk.bound) {
            throw new NetException(Errno.EINVAL, "socket is already bound");
        }
        if (port < 0 || port > 65535) {
            throw new NetException(Errno.EINVAL, "port " + port);
        }
        sk.tcp.bind(sk, addr, port, port != 0);
        if (port == 0) {
            sk.bindPortLocked = true;
        }
    }

    /**
     * {@code tcp_v4_connect}: routes, picks the source address and port, chooses the ISN
     * (RFC 6528) and sends the SYN with Linux's options. Completion is reported through the
     * state (ESTABLISHED) or the pending error (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH ...).
     */
    public static void connect(TcpSock sk, int daddr, int dport) {
        switch (sk.state) {
            case CLOSE -> {
            }
            case SYN_SENT -> throw new NetException(Errno.EALREADY);
            case LISTEN -> throw new NetException(Errno.EINVAL, "socket is listening");
            default -> throw new NetException(Errno.EISCONN);
        }
        if (dport <= 0 || dport > 65535) {
            throw new NetException(Errno.EINVAL, "destination port " + dport);
        }
        if (daddr == 0 || daddr == 0xffffffff || (daddr & 0xf0000000) == 0xe0000000) {
            throw new NetException(Errno.ENETUNREACH, "cannot connect to a broadcast or multicast address");
        }
        Tcp tcp = sk.tcp;
        Rtable rt = tcp.route(daddr, sk.saddr);
        if (rt.isBroadcast()) {
            throw new NetException(Errno.ENETUNREACH);
        }
        if (sk.saddr == 0) {
            sk.saddr = rt.prefsrc();
        }
        sk.daddr = daddr;
        sk.dport = dport;
        sk.skErr = null;
        tcp.hashConnect(sk);
        sk.iss = tcp.secureSeq(sk.saddr, sk.sport, daddr, dport);
        sk.tsOffset = tcp.secureTsOffset(sk.saddr, daddr);
        sk.tsOk = tcp.timestamps != 0;
        sk.sackOk = tcp.sack != 0;
        sk.wscaleOk = tcp.windowScaling != 0;
        sk.rcvWscale = sk.wscaleOk ? tcp.minisocks().initialWscale() : 0;
        sk.advmss = TcpMinisocks.advmssForMtu(rt.mtu());
        if (sk.userMss > 0) {
            sk.advmss = Math.min(sk.advmss, sk.userMss);
        }
        sk.rcvWnd = TcpMinisocks.initialWindow(sk.rcvbuf, sk.advmss);
        sk.rcvMss = Math.min(sk.advmss, 536);
        sk.sndUna = sk.iss;
        sk.sndNxt = sk.iss;
        sk.writeSeq = sk.iss + 1;
        sk.pushedSeq = sk.writeSeq;
        sk.sendQueue.reset(sk.iss + 1);
        sk.state = TcpState.SYN_SENT;
        tcp.mib().inc(TcpMib.ActiveOpens);
        TxSeg s = sk.rtx.newSeg();
        s.seq = sk.iss;
        s.endSeq = sk.iss + 1;
        s.tcpFlags = TcpHeader.SYN;
        s.xmitUs = sk.nowUs();
        sk.rtx.addLast(s);
        sk.packetsOut = 1;
        sk.sndNxt = sk.iss + 1;
        sk.retransStampUs = s.xmitUs;
        tcp.output().transmit(sk, sk.iss, 0, TcpHeader.SYN);
        tcp.timers().resetRetransmitTimer(sk);
    }

    /** {@code inet_listen}: backlog capped by {@code net.core.somaxconn}. */
    public static void listen(TcpSock sk, int backlog) {
        if (sk.state != TcpState.CLOSE && sk.state != TcpState.LISTEN) {
            throw new NetException(Errno.EINVAL, "socket is not in a state to listen");
        }
        sk.backlog = Math.max(0, Math.min(backlog, sk.tcp.somaxconn));
        if (sk.state == TcpState.LISTEN) {
            return;
        }
        if (!sk.bound) {
            sk.tcp.bind(sk, 0, 0, true);
        } else if (sk.tcp.lookupListener(sk.saddr, sk.sport) instanceof TcpSock l && l.saddr == sk.saddr) {
            throw new NetException(Errno.EADDRINUSE);
        }
        sk.state = TcpState.LISTEN;
        sk.acceptQueue = new ArrayDeque<>();
        sk.requests = new ArrayList<>();
        sk.tcp.listenHash(sk);
    }

    /** {@code inet_csk_accept}: the next established child, or null when none is waiting. */
    public static TcpSock accept(TcpSock sk) {
        if (sk.orphan) {
            throw new NetException(Errno.EBADF, "socket is closed");
        }
        if (sk.state != TcpState.LISTEN) {
            throw new NetException(Errno.EINVAL, "socket is not listening");
        }
        TcpSock c = sk.acceptQueue.peekFirst();
        if (c == null) {
            return null;
        }
        sk.acceptQueue.pollFirst();
        c.parent = null;
        return c;
    }

    /**
     * {@code tcp_sendmsg}: copies as much as the send buffer takes and pushes it out. Returns
     * the bytes taken; 0 means the buffer is full (would block). EPIPE after shutdown or close,
     * ENOTCONN before the connection is up.
     */
    public static int send(TcpSock sk, byte[] data, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, data.length);
        if (sk.orphan) {
            throw new NetException(Errno.EBADF, "socket is closed");
        }
        sk.throwPendingError();
        if ((sk.shutdown & TcpSock.SEND_SHUTDOWN) != 0 || sk.finQueued) {
            throw new NetException(Errno.EPIPE);
        }
        switch (sk.state) {
            case ESTABLISHED, CLOSE_WAIT -> {
            }
            case SYN_SENT, SYN_RECV -> {
                return 0;
            }
            default -> throw new NetException(Errno.ENOTCONN);
        }
        int room = sk.sendSpace();
        if (room <= 0) {
            return 0;
        }
        int n = Math.min(room, len);
        // New chunks are new memory (sk_wmem_schedule). A socket holding none always gets its
        // first, so every connection can send; past that it asks the namespace, and while the
        // namespace is past tcp_mem it waits for its own ACKs to free what it holds.
        int free = sk.sendQueue.tailRoom() + (sk.sendQueue.chunkBytes() == 0 ? ChunkPool.CHUNK : 0);
        if (n > free) {
            int more = (n - free + ChunkPool.CHUNK - 1) / ChunkPool.CHUNK * ChunkPool.CHUNK;
            if (!sk.tcp.memory().admitSend(sk, more)) {
                moderateSndbuf(sk);
                if (free == 0) {
                    sk.memoryWait = true;
                    return 0;
                }
                n = free;
            }
        }
        if (sk.tcp.slowStartAfterIdle != 0 && sk.packetsOut == 0 && sk.sendQueue.size() == 0 && sk.lsndtimeUs != 0
                && sk.nowUs() - sk.lsndtimeUs > sk.rtoUs) {
            restartCwndAfterIdle(sk);
        }
        sk.sendQueue.append(data, off, n);
        sk.writeSeq += n;
        sk.tcp.output().writeXmit(sk);
        return n;
    }

    /** {@code sk_stream_moderate_sndbuf}: unless SO_SNDBUF was set, the buffer shrinks to half of what is queued. */
    private static void moderateSndbuf(TcpSock sk) {
        if (!sk.userSndbuf) {
            sk.sndbuf = Math.max(Math.min(sk.sndbuf, sk.wmemQueued() / 2), TcpMemory.SOCK_MIN_SNDBUF);
        }
    }

    /** {@code tcp_cwnd_restart} (RFC 2861 / RFC 5681 4.1): halve the window per RTO of idle, down to the initial window. */
    private static void restartCwndAfterIdle(TcpSock sk) {
        long idle = sk.nowUs() - sk.lsndtimeUs;
        int restart = Math.min(CwndState.INIT_CWND, sk.cw.sndCwnd);
        sk.cw.nowUs = sk.nowUs();
        sk.cc.cwndEvent(sk.cw, TcpCongestionOps.CaEvent.CWND_RESTART);
        sk.cw.sndSsthresh = Math.max(sk.cw.sndSsthresh == CwndState.INFINITE_SSTHRESH ? 0 : sk.cw.sndSsthresh,
                (sk.cw.sndCwnd >> 1) + (sk.cw.sndCwnd >> 2));
        if (sk.cw.sndSsthresh == 0) {
            sk.cw.sndSsthresh = CwndState.INFINITE_SSTHRESH;
        }
        int cwnd = sk.cw.sndCwnd;
        for (long t = idle - sk.rtoUs; t > 0 && cwnd > restart; t -= sk.rtoUs) {
            cwnd >>= 1;
        }
        sk.cw.setCwnd(Math.max(cwnd, restart));
    }

    /**
     * {@code tcp_recvmsg}: copies in-order data. Returns the bytes copied, -1 at end of stream,
     * 0 when nothing is there yet (would block). ECONNRESET and friends come as the pending error.
     */
    public static int recv(TcpSock sk, byte[] dst, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        if (sk.orphan) {
            throw new NetException(Errno.EBADF, "socket is closed");
        }
        if (sk.state == TcpState.LISTEN) {
            throw new NetException(Errno.ENOTCONN);
        }
        int copied = 0;
        while (copied < len && !sk.receiveQueue.isEmpty()) {
            PacketBuffer skb = sk.receiveQueue.peekFirst();
            int n = Math.min(len - copied, skb.len());
            System.arraycopy(skb.array(), skb.data(), dst, off + copied, n);
            skb.pull(n);
            copied += n;
            sk.copiedSeq += n;
            if (skb.len() == 0) {
                sk.receiveQueue.pollFirst();
                sk.rmemUncharge(SockMem.truesize(skb));
                skb.free();
            }
        }
        if (copied > 0) {
            rcvSpaceAdjust(sk);
            cleanupRbuf(sk, copied);
            return copied;
        }
        if (len == 0) {
            return 0;
        }
        if (sk.skErr != null) {
            sk.throwPendingError();
        }
        if ((sk.shutdown & TcpSock.RCV_SHUTDOWN) != 0 || sk.state == TcpState.CLOSE) {
            return -1;
        }
        if (sk.state == TcpState.SYN_SENT || sk.state == TcpState.SYN_RECV || sk.state.synchronizedState()) {
            return 0;
        }
        throw new NetException(Errno.ENOTCONN);
    }

    /**
     * {@code tcp_cleanup_rbuf}: after the reader freed space, advertise a larger window at once if
     * it at least doubles what the peer may send (avoids stalls on a window the peer thinks small).
     */
    private static void cleanupRbuf(TcpSock sk, int copied) {
        if (!sk.state.canReceive() && sk.state != TcpState.CLOSE_WAIT) {
            return;
        }
        int now = Math.max(0, sk.rcvWup + sk.rcvWnd - sk.rcvNxt);
        int free = TcpOutput.space(sk);
        if (sk.ackPending && sk.rcvNxt - sk.rcvWup > sk.rcvMss) {
            sk.tcp.output().sendAck(sk);
            return;
        }
        if (free >= 2 * now + sk.rcvMss && free - now >= Math.max(sk.rcvMss, 1 << sk.rcvWscale) && (sk.shutdown & TcpSock.RCV_SHUTDOWN) == 0) {
            sk.tcp.output().sendAck(sk);
        }
    }

    /**
     * {@code tcp_rcv_space_adjust} (dynamic right-sizing): once per receiver RTT, if the reader
     * drained more than last time, grow the receive buffer to twice that (the window must cover
     * two RTTs of data for the sender to keep growing), up to {@code tcp_rmem[2]}.
     */
    private static void rcvSpaceAdjust(TcpSock sk) {
        if (sk.userRcvbuf || sk.tcp.moderateRcvbuf == 0) {
            return;
        }
        long now = sk.nowUs();
        long rtt = sk.rcvRttEstUs > 0 ? sk.rcvRttEstUs : (sk.srttUs8 >> 3);
        if (rtt <= 0 || now - sk.rcvqTimeUs < rtt) {
            return;
        }
        int copied = sk.copiedSeq - sk.rcvqSeq;
        if (copied > sk.rcvqSpace) {
            long rcvwin = 2L * copied + 16L * sk.advmss;
            long grow = rcvwin * (copied - sk.rcvqSpace) / Math.max(1, sk.rcvqSpace);
            rcvwin += grow << 1;
            long rcvbuf = Math.min(rcvwin * 2, sk.tcp.rmem[2]);
            if (rcvbuf > sk.rcvbuf) {
                sk.rcvbuf = (int) rcvbuf;
            }
            sk.rcvqSpace = copied;
        }
        sk.rcvqSeq = sk.copiedSeq;
        sk.rcvqTimeUs = now;
    }

    /** {@code tcp_shutdown}: SHUT_WR sends FIN after the queued data (half-close); SHUT_RD stops reading. */
    public static void shutdown(TcpSock sk, boolean read, boolean write) {
        if (sk.state == TcpState.LISTEN || sk.state == TcpState.CLOSE) {
            if (sk.state == TcpState.LISTEN && read) {
                return;
            }
            throw new NetException(Errno.ENOTCONN);
        }
        if (read) {
            sk.shutdown |= TcpSock.RCV_SHUTDOWN;
        }
        if (write && !sk.finQueued) {
            if (sk.state == TcpState.SYN_SENT) {
                sk.tcp.input().done(sk);
                return;
            }
            closeState(sk);
            sendFin(sk);
        }
        sk.wake();
    }

    /** {@code tcp_close_state}: the state after our FIN is queued. */
    private static void closeState(TcpSock sk) {
        TcpState next = switch (sk.state) {
            case ESTABLISHED, SYN_RECV -> TcpState.FIN_WAIT1;
            case CLOSE_WAIT -> TcpState.LAST_ACK;
            default -> sk.state;
        };
        sk.tcp.input().setState(sk, next);
    }

    private static void sendFin(TcpSock sk) {
        sk.finQueued = true;
        sk.writeSeq++;
        sk.shutdown |= TcpSock.SEND_SHUTDOWN;
        if (sk.state == TcpState.SYN_RECV) {
            return;
        }
        sk.tcp.output().writeXmit(sk);
    }

    /**
     * {@code tcp_close}: the application lets go. Unread data, or SO_LINGER with a zero timeout,
     * aborts with a reset (RFC 9293 3.10.4, RFC 2525 2.17); otherwise the FIN goes out after the
     * queued data and the orphan finishes the close on its own (FIN_WAIT2 bounded by
     * {@code tcp_fin_timeout}). A listener resets its unaccepted children.
     */
    public static void close(TcpSock sk) {
        Tcp tcp = sk.tcp;
        if (!sk.orphan) {
            sk.orphan = true;
            tcp.memory().orphanAdded();
        }
        sk.listener = null;
        if (sk.state == TcpState.LISTEN) {
            tcp.listenUnhash(sk);
            for (TcpRequestSock r : new ArrayList<>(sk.requests)) {
                tcp.minisocks().dropRequest(r);
            }
            while (!sk.acceptQueue.isEmpty()) {
                TcpSock c = sk.acceptQueue.pollFirst();
                c.parent = null;
                tcp.output().sendActiveReset(c);
                tcp.input().setState(c, TcpState.CLOSE);
                c.orphan = true;
                tcp.memory().orphanAdded();
                tcp.input().done(c);
            }
            tcp.input().setState(sk, TcpState.CLOSE);
            tcp.input().done(sk);
            return;
        }
        int unread = sk.rcvNxt - sk.copiedSeq - (sk.recvShutdownSeen ? 1 : 0);
        if (sk.state == TcpState.CLOSE) {
            tcp.input().done(sk);
            return;
        }
        if (sk.state == TcpState.SYN_SENT) {
            tcp.input().done(sk);
            return;
        }
        if (unread > 0) {
            tcp.extMib().inc(TcpExtMib.TCPAbortOnClose);
            tcp.output().sendActiveReset(sk);
            tcp.input().setState(sk, TcpState.CLOSE);
            tcp.input().done(sk);
            return;
        }
        if (sk.lingerOn && sk.lingerSec == 0) {
            tcp.extMib().inc(TcpExtMib.TCPAbortOnLinger);
            abort(sk);
            return;
        }
        if (!sk.finQueued) {
            closeState(sk);
            sendFin(sk);
        }
        if (sk.state == TcpState.FIN_WAIT2) {
            tcp.timers().armFinWait2(sk);
            if (tcp.finTimeout * 1_000_000L <= Tcp.TIMEWAIT_LEN_US) {
                // It becomes a FIN_WAIT2 mini-socket at once, as tcp_close hands it to tcp_time_wait.
                return;
            }
        }
        if (sk.state != TcpState.CLOSE && tcp.memory().checkOom(sk, 0)) {
            // tcp_close: too many orphans, or out of memory: reset instead of finishing the close.
            tcp.extMib().inc(TcpExtMib.TCPAbortOnMemory);
            abort(sk);
        }
    }

    /** Abortive close ({@code tcp_disconnect} with RST): the peer gets a reset, queued data is discarded. */
    public static void abort(TcpSock sk) {
        if (sk.state.synchronizedState() || sk.state == TcpState.SYN_RECV) {
            sk.tcp.output().sendActiveReset(sk);
        }
        sk.tcp.input().setState(sk, TcpState.CLOSE);
        sk.tcp.input().done(sk);
    }

    // ---- options ----

    /** TCP_NODELAY; turning it on pushes out what Nagle held back. */
    public static void setNoDelay(TcpSock sk, boolean on) {
        sk.nodelay = on;
        if (on) {
            sk.tcp.output().writeXmit(sk);
        }
    }

    /** TCP_CORK; removing the cork sends what it held. */
    public static void setCork(TcpSock sk, boolean on) {
        sk.cork = on;
        if (!on) {
            sk.tcp.output().writeXmit(sk);
        }
    }

    /** SO_KEEPALIVE ({@code tcp_set_keepalive}): arms the timer in any synchronized state, as Linux does outside CLOSE and LISTEN. */
    public static void setKeepAlive(TcpSock sk, boolean on) {
        sk.keepaliveOn = on;
        if (on && sk.state.synchronizedState()) {
            sk.tcp.timers().resetKeepalive(sk, sk.keepIdleSec * 1_000_000L);
        } else if (!on) {
            sk.tcp.timers().cancelKeepalive(sk);
        }
    }

    /** TCP_KEEPIDLE, TCP_KEEPINTVL (1..32767 s) and TCP_KEEPCNT (1..127), as Linux bounds them. */
    public static void setKeepaliveParams(TcpSock sk, int idleSec, int intvlSec, int cnt) {
        if (idleSec < 1 || idleSec > 32767 || intvlSec < 1 || intvlSec > 32767 || cnt < 1 || cnt > 127) {
            throw new NetException(Errno.EINVAL, "keepalive idle " + idleSec + " intvl " + intvlSec + " cnt " + cnt);
        }
        sk.keepIdleSec = idleSec;
        sk.keepIntvlSec = intvlSec;
        sk.keepCnt = cnt;
        if (sk.keepaliveOn) {
            setKeepAlive(sk, true);
        }
    }

    public static void setUserTimeout(TcpSock sk, int ms) {
        if (ms < 0) {
            throw new NetException(Errno.EINVAL, "TCP_USER_TIMEOUT " + ms);
        }
        sk.userTimeoutMs = ms;
    }

    public static void setLinger(TcpSock sk, boolean on, int seconds) {
        sk.lingerOn = on;
        sk.lingerSec = Math.max(0, seconds);
    }

    public static void setReuseAddr(TcpSock sk, boolean on) {
        sk.reuseAddr = on;
    }

    /** SO_RCVBUF/SO_SNDBUF: doubled and clamped as Linux does; turns autotuning off for that buffer. */
    public static void setRcvbuf(TcpSock sk, int bytes) {
        sk.rcvbuf = sk.tcp.sockMem().clampRcvbuf(bytes);
        sk.userRcvbuf = true;
    }

    public static void setSndbuf(TcpSock sk, int bytes) {
        sk.sndbuf = sk.tcp.sockMem().clampSndbuf(bytes);
        sk.userSndbuf = true;
        sk.wake();
    }

    /** TCP_MAXSEG: before connect, caps the MSS we advertise and use (88..32767 bytes as Linux). */
    public static void setMaxSeg(TcpSock sk, int mss) {
        if (mss != 0 && (mss < 88 || mss > 32767)) {
            throw new NetException(Errno.EINVAL, "TCP_MAXSEG " + mss);
        }
        sk.userMss = mss;
    }

    /** TCP_SYNCNT: SYN retries for this socket (1..127). */
    public static void setSynCount(TcpSock sk, int n) {
        if (n < 1 || n > 127) {
            throw new NetException(Errno.EINVAL, "TCP_SYNCNT " + n);
        }
        sk.synRetries = n;
    }

    /** TCP_CONGESTION: switches this socket's algorithm ({@code tcp_set_congestion_control}). */
    public static void setCongestion(TcpSock sk, String name) {
        TcpCongestionOps ops = TcpCongestion.create(name);
        sk.cc = ops;
        if (sk.state == TcpState.ESTABLISHED) {
            sk.cw.nowUs = sk.nowUs();
            sk.cw.sndUna = sk.sndUna;
            sk.cw.sndNxt = sk.sndNxt;
            ops.init(sk.cw);
        }
    }

    public static int lingerSeconds(TcpSock sk) {
        return sk.lingerOn ? sk.lingerSec : 0;
    }

    /** True once the application closed the socket ({@link #close}). */
    public static boolean isClosed(TcpSock sk) {
        return sk.orphan;
    }

    public static String congestion(TcpSock sk) {
        return sk.cc.name();
    }

    public static boolean noDelay(TcpSock sk) {
        return sk.nodelay;
    }

    public static int rcvbuf(TcpSock sk) {
        return sk.rcvbuf;
    }

    public static int sndbuf(TcpSock sk) {
        return sk.sndbuf;
    }

    /** {@code ss -tm}: the socket's memory and queue lengths. */
    public static TcpMemInfo memInfo(TcpSock sk) {
        return TcpMemInfo.of(sk);
    }

    /** {@code tcp_get_info}. */
    public static TcpInfo info(TcpSock sk) {
        long now = sk.nowUs();
        int pmtu;
        try {
            pmtu = sk.daddr == 0 ? 0 : sk.tcp.route(sk.daddr, sk.saddr).mtu();
        } catch (NetException e) {
            pmtu = 0;
        }
        return new TcpInfo(sk.state, sk.caState.name(), sk.retransmits, sk.probesOut, sk.backoff, sk.tsOk, sk.sackOk, sk.wscaleOk,
                sk.sndWscale, sk.rcvWscale, TcpTimers.backedOffRto(sk), sk.atoUs, sk.mssCache, sk.rcvMss, sk.packetsOut, sk.sackedOut,
                sk.lostOut, sk.retransOut, sk.lastSendUs == 0 ? 0 : (now - sk.lastSendUs) / 1000,
                sk.lastRecvUs == 0 ? 0 : (now - sk.lastRecvUs) / 1000, sk.lastAckRecvUs == 0 ? 0 : (now - sk.lastAckRecvUs) / 1000,
                pmtu, sk.srttUs8 >> 3, sk.rttvarUs, sk.cw.sndSsthresh, sk.cw.sndCwnd, sk.advmss, sk.reordering, sk.rcvRttEstUs,
                sk.rcvqSpace, sk.totalRetrans, sk.bytesSent, sk.bytesRetrans, sk.bytesAcked, sk.bytesReceived, sk.segsOut, sk.segsIn,
                sk.dataSegsOut, sk.dataSegsIn, sk.deliveryRateBps, sk.delivered, sk.dsackDups, sk.reordSeenCount, sk.sndWnd, sk.rcvWnd,
                sk.minRttUs, sk.rcvbuf, sk.sndbuf, sk.cc.name());
    }
}
