package io.netstack4j.tcp;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.time.Timer;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;

/**
 * Passive open and the end of a connection ({@code tcp_minisocks.c}, {@code tcp_conn_request}):
 * SYNs on a listener become request mini-sockets (or SYN cookies when the SYN queue is full),
 * the final ACK turns one into a full socket on the accept queue, and an active close leaves a
 * TIME_WAIT mini-socket behind. Loop thread only.
 */
final class TcpMinisocks {

    private final Tcp tcp;

    TcpMinisocks(Tcp tcp) {
        this.tcp = tcp;
    }

    private void drop(PacketBuffer skb, DropReason reason) {
        tcp.count(reason);
        skb.free();
    }

    /** {@code tcp_select_initial_window}: the window scale our receive buffer can need. */
    int initialWscale() {
        int space = Math.max(tcp.rmem[2], tcp.rmemMax());
        int ws = 0;
        while (space > 65535 && ws < TcpOptions.MAX_WSCALE) {
            space >>= 1;
            ws++;
        }
        return ws;
    }

    /** The window offered in a SYN or SYN-ACK: the buffer's window, at most 65535, in whole MSS. */
    static int initialWindow(int rcvbuf, int mss) {
        int w = Math.min(TcpOutput.winFromSpace(rcvbuf), 65535);
        return mss > 0 && w > mss ? w / mss * mss : w;
    }

    private int advmss(TcpSock l, int daddr) {
        int mtu;
        try {
            mtu = tcp.route(daddr, l.saddr).mtu();
        } catch (io.netstack4j.core.NetException e) {
            mtu = 576;
        }
        int mss = advmssForMtu(mtu);
        return l.userMss > 0 ? Math.min(mss, l.userMss) : mss;
    }

    /**
     * The MSS to advertise for a route's MTU ({@code ipv4_default_advmss}): the MTU less the IP
     * and TCP headers, but never more than fits in the largest datagram (65535 bytes), so that
     * loopback's MTU of 65536 gives 65495 as on Linux, and a full segment never makes a
     * datagram IpOutput must refuse.
     */
    static int advmssForMtu(int mtu) {
        return Math.min(mtu, 65535) - 40;
    }

    /**
     * {@code tcp_conn_request}: a SYN for a listener. A full accept queue drops it
     * (ListenOverflows); a full SYN queue answers with a SYN cookie when {@code tcp_syncookies}
     * allows (else drops it); otherwise a request mini-socket is queued and SYN-ACKed.
     */
    void connRequest(TcpSock l, PacketBuffer skb, TcpOptions opt) {
        connRequest(l, skb, opt, 0);
    }

    void connRequest(TcpSock l, PacketBuffer skb, TcpOptions opt, int isnOverride) {
        byte[] b = skb.array();
        int th = skb.transportHeader();
        int nh = skb.networkHeader();
        int saddr = io.netstack4j.wire.Ipv4Header.dst(b, nh);
        int daddr = io.netstack4j.wire.Ipv4Header.src(b, nh);
        if (saddr == daddr && TcpHeader.srcPort(b, th) == TcpHeader.dstPort(b, th) || (daddr & 0xf0000000) == 0xe0000000
                || daddr == 0xffffffff || daddr == 0) {
            // A SYN from ourselves to ourselves on the same port (LAND) or from a non-unicast source.
            drop(skb, DropReason.TCP_INVALID_SYN);
            return;
        }
        boolean wantCookie = tcp.syncookies == 2;
        if (l.synQueueLen >= l.backlog && !wantCookie) {
            if (tcp.syncookies == 0) {
                tcp.extMib().inc(TcpExtMib.TCPReqQFullDrop);
                tcp.extMib().inc(TcpExtMib.ListenDrops);
                drop(skb, DropReason.TCP_REQQFULLDROP);
                return;
            }
            tcp.extMib().inc(TcpExtMib.TCPReqQFullDoCookies);
            wantCookie = true;
        }
        if (l.acceptQueue.size() > l.backlog) {
            tcp.extMib().inc(TcpExtMib.ListenOverflows);
            tcp.extMib().inc(TcpExtMib.ListenDrops);
            drop(skb, DropReason.TCP_LISTEN_OVERFLOW);
            return;
        }
        TcpRequestSock req = new TcpRequestSock(l);
        req.saddr = saddr;
        req.daddr = daddr;
        req.sport = TcpHeader.dstPort(b, th);
        req.dport = TcpHeader.srcPort(b, th);
        req.rcv_isn = skb.seq;
        int ourMss = advmss(l, daddr);
        req.mss = ourMss;
        req.peerMss = opt.mss > 0 ? opt.mss : 536;
        req.sackOk = opt.sackOk && tcp.sack != 0;
        req.tsOk = opt.sawTstamp && tcp.timestamps != 0;
        req.wscaleOk = opt.wscale >= 0 && tcp.windowScaling != 0;
        req.sndWscale = req.wscaleOk ? opt.wscale : 0;
        req.rcvWscale = req.wscaleOk ? initialWscale() : 0;
        req.tsRecent = opt.tsVal;
        req.tsOffset = tcp.secureTsOffset(saddr, daddr);
        req.window = initialWindow(l.rcvbuf, ourMss);
        req.createdUs = tcp.nowUs();
        if (wantCookie) {
            synqOverflow(l);
            int idx = SynCookies.mssIndex(opt.mss > 0 ? opt.mss : 536);
            req.snt_isn = tcp.cookies().initSequence(saddr, daddr, req.sport, req.dport, req.rcv_isn, idx, minutes());
            if (req.tsOk) {
                int now = req.tsVal(tcp);
                req.tsOffset += SynCookies.encodeTsOptions(now, req.wscaleOk ? req.sndWscale : -1, req.sackOk) - now;
            }
            tcp.extMib().inc(TcpExtMib.SyncookiesSent);
            tcp.output().sendSynAck(req, req.window);
            skb.free();
            return;
        }
        req.snt_isn = isnOverride != 0 ? isnOverride : tcp.secureSeq(saddr, req.sport, daddr, req.dport);
        if (!tcp.ehashInsert(req)) {
            drop(skb, DropReason.TCP_INVALID_SYN);
            return;
        }
        l.synQueueLen++;
        l.requests.add(req);
        req.timer = new Timer(() -> synackTimer(req));
        tcp.ipv4().loop().schedule(req.timer, Tcp.TIMEOUT_INIT_US * 1000);
        tcp.output().sendSynAck(req, req.window);
        skb.free();
    }

    /** {@code TCP_SYNCOOKIE_VALID}: how long after the last cookie sent ACKs are checked for one (2 minutes). */
    static final long SYNCOOKIE_VALID_NS = 120_000_000_000L;
    private static final long SECOND_NS = 1_000_000_000L;

    /** {@code tcp_synq_overflow}: the listener is answering with cookies now (noted at most once a second). */
    private void synqOverflow(TcpSock l) {
        long now = tcp.ipv4().loop().now();
        if (l.synqOverflowNs == Long.MIN_VALUE || now - l.synqOverflowNs < 0 || now - l.synqOverflowNs > SECOND_NS) {
            l.synqOverflowNs = now;
        }
    }

    /**
     * {@code tcp_synq_no_recent_overflow}: no cookie went out in the last two minutes (a second
     * of slack before the stamp), so an ACK to the listener cannot be completing one.
     */
    private boolean noRecentOverflow(TcpSock l) {
        if (l.synqOverflowNs == Long.MIN_VALUE) {
            return true;
        }
        long since = tcp.ipv4().loop().now() - l.synqOverflowNs;
        return since < -SECOND_NS || since > SYNCOOKIE_VALID_NS;
    }

    private long minutes() {
        return tcp.ipv4().loop().now() / 60_000_000_000L;
    }

    /** {@code reqsk_timer_handler}: resend the SYN-ACK with backoff, up to {@code tcp_synack_retries}. */
    private void synackTimer(TcpRequestSock req) {
        if (!req.hashed) {
            return;
        }
        if (req.numRetrans >= tcp.synackRetries) {
            dropRequest(req);
            return;
        }
        req.numRetrans++;
        tcp.mib().inc(TcpMib.RetransSegs);
        tcp.extMib().inc(TcpExtMib.TCPSynRetrans);
        tcp.output().sendSynAck(req, req.window);
        tcp.ipv4().loop().schedule(req.timer, Math.min(Tcp.TIMEOUT_INIT_US << req.numRetrans, Tcp.RTO_MAX_US) * 1000);
    }

    /** {@code inet_csk_reqsk_queue_drop}. */
    void dropRequest(TcpRequestSock req) {
        tcp.ehashRemove(req);
        if (req.timer != null) {
            tcp.ipv4().loop().cancel(req.timer);
        }
        if (req.listener.requests.remove(req)) {
            req.listener.synQueueLen--;
        }
    }

    /**
     * {@code tcp_check_req}: a segment for a request mini-socket. A retransmitted SYN gets the
     * SYN-ACK again; a reset in the window drops the request (EmbryonicRsts); the ACK of our
     * SYN-ACK creates the child socket and puts it on the accept queue, unless that queue is
     * full (ListenOverflows: the ACK is dropped and the client will retransmit).
     */
    void checkReq(TcpRequestSock req, PacketBuffer skb, TcpOptions opt) {
        byte[] b = skb.array();
        int th = skb.transportHeader();
        int flags = TcpHeader.flags(b, th);
        if ((flags & TcpHeader.SYN) != 0 && (flags & TcpHeader.ACK_FLAG) == 0 && skb.seq == req.rcv_isn) {
            tcp.output().sendSynAck(req, req.window);
            skb.free();
            return;
        }
        boolean inWindow = !TcpHeader.before(skb.endSeq, req.rcv_isn + 1) && !TcpHeader.after(skb.seq, req.rcv_isn + 1 + req.window);
        if ((flags & TcpHeader.RST) != 0) {
            if (inWindow) {
                tcp.extMib().inc(TcpExtMib.EmbryonicRsts);
                dropRequest(req);
            }
            drop(skb, DropReason.TCP_RESET);
            return;
        }
        if ((flags & TcpHeader.ACK_FLAG) == 0) {
            drop(skb, DropReason.TCP_FLAGS);
            return;
        }
        if (TcpHeader.ack(b, th) != req.snt_isn + 1) {
            tcp.output().sendReset(skb);
            drop(skb, DropReason.TCP_ACK_UNSENT_DATA);
            return;
        }
        if (!inWindow || (flags & TcpHeader.SYN) != 0) {
            tcp.extMib().inc(TcpExtMib.TCPACKSkippedSynRecv);
            drop(skb, DropReason.TCP_INVALID_SEQUENCE);
            return;
        }
        TcpSock l = req.listener;
        if (l.acceptQueue.size() >= l.backlog + 1) {
            tcp.extMib().inc(TcpExtMib.ListenOverflows);
            tcp.extMib().inc(TcpExtMib.ListenDrops);
            drop(skb, DropReason.TCP_LISTEN_OVERFLOW);
            return;
        }
        dropRequest(req);
        TcpSock child = createChild(l, req);
        tcp.input().rcvStateProcess(child, skb, opt);
    }

    /**
     * {@code cookie_v4_check}: an ACK to a listener with no request mini-socket may carry a SYN
     * cookie, if the listener sent cookies in the last two minutes
     * ({@code tcp_synq_no_recent_overflow}; otherwise it is not even checked, so blind guesses
     * get nowhere outside a SYN flood). If it checks out the connection is created from it
     * (SyncookiesRecv) and true is returned (the segment consumed); else false and the caller
     * resets.
     */
    boolean cookieCheck(TcpSock l, PacketBuffer skb, TcpOptions opt) {
        byte[] b = skb.array();
        int th = skb.transportHeader();
        int flags = TcpHeader.flags(b, th);
        if ((flags & TcpHeader.RST) != 0 || noRecentOverflow(l)) {
            return false;
        }
        int nh = skb.networkHeader();
        int saddr = io.netstack4j.wire.Ipv4Header.dst(b, nh);
        int daddr = io.netstack4j.wire.Ipv4Header.src(b, nh);
        int sport = TcpHeader.dstPort(b, th);
        int dport = TcpHeader.srcPort(b, th);
        int cookie = TcpHeader.ack(b, th) - 1;
        int clientIsn = skb.seq - 1;
        int idx = tcp.cookies().check(saddr, daddr, sport, dport, clientIsn, cookie, minutes());
        if (idx < 0) {
            tcp.extMib().inc(TcpExtMib.SyncookiesFailed);
            return false;
        }
        if (l.acceptQueue.size() >= l.backlog + 1) {
            tcp.extMib().inc(TcpExtMib.ListenOverflows);
            tcp.extMib().inc(TcpExtMib.ListenDrops);
            drop(skb, DropReason.TCP_LISTEN_OVERFLOW);
            return true;
        }
        tcp.extMib().inc(TcpExtMib.SyncookiesRecv);
        TcpRequestSock req = new TcpRequestSock(l);
        req.saddr = saddr;
        req.daddr = daddr;
        req.sport = sport;
        req.dport = dport;
        req.rcv_isn = clientIsn;
        req.snt_isn = cookie;
        req.peerMss = SynCookies.MSS_TABLE[idx];
        req.mss = advmss(l, daddr);
        req.window = initialWindow(l.rcvbuf, req.mss);
        req.tsOffset = tcp.secureTsOffset(saddr, daddr);
        if (opt.sawTstamp && tcp.timestamps != 0 && opt.tsEcr != 0) {
            int bits = opt.tsEcr & 0x3f;
            req.tsOk = true;
            req.tsRecent = opt.tsVal;
            req.sackOk = (bits & 0x10) != 0 && tcp.sack != 0;
            int ws = bits & 0xf;
            req.wscaleOk = ws != 0xf && tcp.windowScaling != 0;
            req.sndWscale = req.wscaleOk ? ws : 0;
            req.rcvWscale = req.wscaleOk ? initialWscale() : 0;
        }
        TcpSock child = createChild(l, req);
        tcp.input().rcvStateProcess(child, skb, opt);
        return true;
    }

    /** {@code tcp_create_openreq_child} + {@code inet_csk_complete_hashdance}: the full socket, in SYN_RECV. */
    private TcpSock createChild(TcpSock l, TcpRequestSock req) {
        TcpSock c = tcp.open(null);
        c.saddr = req.saddr;
        c.sport = req.sport;
        c.daddr = req.daddr;
        c.dport = req.dport;
        c.parent = l;
        c.iss = req.snt_isn;
        c.sndUna = req.snt_isn + 1;
        c.sndNxt = c.sndUna;
        c.writeSeq = c.sndUna;
        c.pushedSeq = c.sndUna;
        c.sendQueue.reset(c.sndUna);
        c.irs = req.rcv_isn;
        c.rcvNxt = req.rcv_isn + 1;
        c.rcvWup = c.rcvNxt;
        c.copiedSeq = c.rcvNxt;
        c.rcvqSeq = c.rcvNxt;
        c.rcvWnd = req.window;
        c.sackOk = req.sackOk;
        c.tsOk = req.tsOk;
        c.wscaleOk = req.wscaleOk;
        c.sndWscale = req.sndWscale;
        c.rcvWscale = req.rcvWscale;
        c.tsRecent = req.tsRecent;
        c.tsRecentStampSec = tcp.nowUs() / 1_000_000;
        c.tsOffset = req.tsOffset;
        c.advmss = req.mss;
        c.mssClamp = l.userMss > 0 ? Math.min(req.peerMss, l.userMss) : req.peerMss;
        c.userMss = l.userMss;
        c.nodelay = l.nodelay;
        c.keepaliveOn = l.keepaliveOn;
        c.keepIdleSec = l.keepIdleSec;
        c.keepIntvlSec = l.keepIntvlSec;
        c.keepCnt = l.keepCnt;
        c.userTimeoutMs = l.userTimeoutMs;
        c.lingerOn = l.lingerOn;
        c.lingerSec = l.lingerSec;
        c.reuseAddr = l.reuseAddr; // sk_clone_lock copies sk_reuse: a restarted server can bind again
        c.rcvbuf = l.rcvbuf;
        c.sndbuf = l.sndbuf;
        c.userRcvbuf = l.userRcvbuf;
        c.userSndbuf = l.userSndbuf;
        c.cc = TcpCongestion.create(l.cc.name());
        c.state = TcpState.SYN_RECV;
        c.synackSentUs = req.numRetrans == 0 ? req.createdUs : 0;
        c.retransStampUs = 0;
        c.srttUs8 = 0;
        tcp.inheritPort(c);
        tcp.ehashInsert(c);
        tcp.mib().inc(TcpMib.PassiveOpens);
        l.acceptQueue.addLast(c);
        return c;
    }

    // ---- TIME_WAIT ----

    /**
     * {@code tcp_time_wait}: replaces {@code sk} by a TIME_WAIT mini-socket that lives 60 s
     * (or, for an orphaned FIN_WAIT2, the rest of {@code tcp_fin_timeout}); beyond
     * {@code tcp_max_tw_buckets} the connection just closes (TCPTimeWaitOverflow).
     */
    void timeWait(TcpSock sk, TcpState substate, long timeoUs) {
        if (tcp.twCount >= tcp.maxTwBuckets) {
            tcp.extMib().inc(TcpExtMib.TCPTimeWaitOverflow);
            tcp.input().done(sk);
            return;
        }
        TcpTimewaitSock tw = new TcpTimewaitSock();
        tw.saddr = sk.saddr;
        tw.sport = sk.sport;
        tw.daddr = sk.daddr;
        tw.dport = sk.dport;
        tw.substate = substate;
        tw.sndNxt = sk.sndNxt;
        tw.rcvNxt = sk.rcvNxt;
        tw.rcvWnd = Math.max(0, sk.rcvWup + sk.rcvWnd - sk.rcvNxt);
        tw.rcvWscale = sk.rcvWscale;
        tw.tsOk = sk.tsOk;
        tw.tsRecent = sk.tsRecent;
        tw.tsRecentStampSec = sk.tsRecentStampSec;
        tw.tsOffset = sk.tsOffset;
        tw.timer = new Timer(() -> killTimewait(tw));
        tcp.ehashRemove(sk);
        tcp.input().done(sk);
        tcp.ehashInsert(tw);
        tcp.twCount++;
        tcp.extMib().inc(TcpExtMib.TW);
        long life = substate == TcpState.FIN_WAIT2 ? timeoUs : Tcp.TIMEWAIT_LEN_US;
        tw.expiresUs = tcp.nowUs() + life;
        tcp.ipv4().loop().schedule(tw.timer, life * 1000);
    }

    void killTimewait(TcpTimewaitSock tw) {
        if (!tw.hashed) {
            return;
        }
        tcp.ehashRemove(tw);
        tcp.ipv4().loop().cancel(tw.timer);
        tcp.twCount--;
    }

    /**
     * {@code tcp_timewait_state_process} (RFC 9293 3.10.7.4 for TIME-WAIT, RFC 1337): a
     * retransmitted FIN is ACKed again and restarts the 60 s; a reset ends TIME_WAIT unless
     * {@code tcp_rfc1337}; a new SYN with a higher sequence number (or newer timestamp) may
     * reuse the pair, starting above the old sequence space; a bare ACK in window restarts the
     * 60 s silently; anything else gets an ACK.
     */
    void timewaitStateProcess(TcpTimewaitSock tw, PacketBuffer skb, TcpOptions opt) {
        byte[] b = skb.array();
        int th = skb.transportHeader();
        int flags = TcpHeader.flags(b, th);
        boolean paws = tw.tsOk && opt.sawTstamp && tw.tsRecent - opt.tsVal > 0 && (flags & TcpHeader.RST) == 0;
        if (tw.substate == TcpState.FIN_WAIT2) {
            // The orphan's checks of tcp_rcv_state_process, repeated: out of the window an ACK;
            // a duplicate or bare ACK nothing; the FIN alone moves to TIME_WAIT; new data or a
            // SYN after our close reaches no reader, so the peer is reset (TCP_TW_RST).
            boolean inWindow = skb.seq == tw.rcvNxt
                    || TcpHeader.after(skb.endSeq, tw.rcvNxt) && TcpHeader.before(skb.seq, tw.rcvNxt + tw.rcvWnd);
            if (paws || !inWindow) {
                if ((flags & TcpHeader.RST) == 0) {
                    sendTwAck(tw, skb);
                }
                drop(skb, paws ? DropReason.TCP_RFC7323_PAWS : DropReason.TCP_INVALID_SEQUENCE);
                return;
            }
            if ((flags & TcpHeader.RST) != 0) {
                killTimewait(tw);
                drop(skb, DropReason.TCP_RESET);
                return;
            }
            if ((flags & TcpHeader.SYN) == 0
                    && ((flags & TcpHeader.ACK_FLAG) == 0 || !TcpHeader.after(skb.endSeq, tw.rcvNxt) || skb.endSeq == skb.seq)) {
                skb.free();
                return;
            }
            if ((flags & (TcpHeader.SYN | TcpHeader.FIN)) != TcpHeader.FIN || skb.endSeq != tw.rcvNxt + 1) {
                tcp.output().sendReset(skb);
                killTimewait(tw);
                drop(skb, DropReason.TCP_CLOSE);
                return;
            }
            tw.rcvNxt = skb.endSeq;
            tw.substate = TcpState.TIME_WAIT;
            if (opt.sawTstamp) {
                tw.tsRecent = opt.tsVal;
                tw.tsRecentStampSec = tcp.nowUs() / 1_000_000;
            }
            restartTimewait(tw);
            sendTwAck(tw, skb);
            skb.free();
            return;
        }
        if ((flags & TcpHeader.SYN) != 0 && (flags & (TcpHeader.RST | TcpHeader.ACK_FLAG)) == 0
                && (TcpHeader.after(skb.seq, tw.rcvNxt) || tw.tsOk && opt.sawTstamp && opt.tsVal - tw.tsRecent > 0)) {
            TcpSock l = tcp.lookupListener(tw.saddr, tw.sport);
            if (l != null) {
                int isn = tw.sndNxt + 65535 + 2;
                killTimewait(tw);
                tcp.extMib().inc(TcpExtMib.TWRecycled);
                connRequest(l, skb, opt, isn == 0 ? 1 : isn);
                return;
            }
        }
        if (paws) {
            tcp.extMib().inc(TcpExtMib.PAWSEstab);
            sendTwAck(tw, skb);
            drop(skb, DropReason.TCP_RFC7323_PAWS);
            return;
        }
        if (skb.seq == tw.rcvNxt && skb.seq == skb.endSeq && (flags & TcpHeader.RST) == 0) {
            // "In window segment, it may be only reset or bare ack": a bare ACK restarts the
            // 60 s and is not answered (answering would let two stacks ACK each other forever).
            restartTimewait(tw);
            if (opt.sawTstamp) {
                tw.tsRecent = opt.tsVal;
                tw.tsRecentStampSec = tcp.nowUs() / 1_000_000;
            }
            skb.free();
            return;
        }
        if ((flags & TcpHeader.RST) != 0) {
            if (tcp.rfc1337 == 0 && skb.seq == tw.rcvNxt) {
                tcp.extMib().inc(TcpExtMib.TWKilled);
                killTimewait(tw);
            }
            drop(skb, DropReason.TCP_RESET);
            return;
        }
        if ((flags & TcpHeader.FIN) != 0 && skb.endSeq == tw.rcvNxt) {
            restartTimewait(tw);
        }
        tcp.extMib().inc(TcpExtMib.TCPACKSkippedTimeWait);
        sendTwAck(tw, skb);
        skb.free();
    }

    private void restartTimewait(TcpTimewaitSock tw) {
        tw.expiresUs = tcp.nowUs() + Tcp.TIMEWAIT_LEN_US;
        tcp.ipv4().loop().schedule(tw.timer, Tcp.TIMEWAIT_LEN_US * 1000);
    }

    /** {@code tcp_v4_timewait_ack}. */
    private void sendTwAck(TcpTimewaitSock tw, PacketBuffer skb) {
        int ts = tw.tsOk ? (int) (tcp.nowUs() / 1000) + tw.tsOffset : 0;
        tcp.output().sendBare(skb, tw.sndNxt, tw.rcvNxt, TcpHeader.ACK_FLAG, Math.min(tw.rcvWnd >> tw.rcvWscale, 65535), ts,
                tw.tsOk ? tw.tsRecent : -1);
    }
}
