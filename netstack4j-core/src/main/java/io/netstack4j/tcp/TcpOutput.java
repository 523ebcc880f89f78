package io.netstack4j.tcp;

import io.netstack4j.core.NetException;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.ipv4.Rtable;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;

/**
 * The send side ({@code net/ipv4/tcp_output.c}): cutting segments from the send queue under the
 * congestion, receive and Nagle limits ({@code tcp_write_xmit}), building headers and options
 * ({@code tcp_transmit_skb}), the receive window we advertise ({@code tcp_select_window}), ACKs,
 * SYNs, resets, retransmissions, window probes and loss probes. Loop thread only.
 */
final class TcpOutput {

    private final Tcp tcp;
    private final int[] sackStartScratch = new int[4];
    private final int[] sackEndScratch = new int[4];

    TcpOutput(Tcp tcp) {
        this.tcp = tcp;
    }

    // ---- segment building ----

    /**
     * {@code tcp_transmit_skb}: builds and sends one segment of {@code sk}: {@code dataLen} bytes
     * from the send queue starting at {@code seq}, with {@code flags}. Adds the timestamp and,
     * on an ACK, our SACK blocks; a SYN gets the full SYN option block.
     */
    void transmit(TcpSock sk, int seq, int dataLen, int flags) {
        Rtable rt = routeFor(sk);
        if (rt == null) {
            return;
        }
        boolean syn = (flags & TcpHeader.SYN) != 0;
        int optLen = 0;
        int nsacks = 0;
        boolean dsack = false;
        if (syn) {
            optLen = 20;
        } else {
            if (sk.tsOk) {
                optLen += 12;
            }
            if ((flags & TcpHeader.ACK_FLAG) != 0 && sk.sackOk) {
                dsack = sk.dsackPending;
                nsacks = Math.min(sk.numSacks + (dsack ? 1 : 0), sk.tsOk ? 3 : 4);
                // The blocks must not push the datagram past the path MTU (tcp_current_mss
                // leaves room for them; a segment cut earlier may have less).
                int room = rt.mtu() - Ipv4Header.MIN_LEN - TcpHeader.MIN_LEN - optLen - dataLen - 4;
                nsacks = Math.max(0, Math.min(nsacks, room / 8));
                if (nsacks == 0) {
                    dsack = false;
                } else {
                    optLen += 4 + 8 * nsacks;
                }
            }
        }
        int hl = TcpHeader.MIN_LEN + optLen;
        PacketBuffer skb = tcp.ipv4().output().allocDatagram(hl + dataLen);
        int th = skb.put(hl + dataLen);
        byte[] b = skb.array();
        TcpHeader.setSrcPort(b, th, sk.sport);
        TcpHeader.setDstPort(b, th, sk.dport);
        TcpHeader.setSeq(b, th, seq);
        TcpHeader.setAck(b, th, (flags & TcpHeader.ACK_FLAG) != 0 ? sk.rcvNxt : 0);
        b[th + TcpHeader.DOFF] = 0;
        TcpHeader.setHeaderLength(b, th, hl);
        TcpHeader.setFlags(b, th, flags);
        TcpHeader.setUrgentPointer(b, th, 0);
        int o = th + TcpHeader.MIN_LEN;
        if (syn) {
            int written = TcpOptions.writeSyn(b, o, sk.advmss, sk.sackOk, sk.tsOk, sk.tsNow(), sk.tsRecent,
                    sk.wscaleOk ? sk.rcvWscale : -1);
            java.util.Arrays.fill(b, o + written, o + optLen, (byte) TcpOptions.NOP);
            TcpHeader.setHeaderLength(b, th, TcpHeader.MIN_LEN + ((written + 3) & ~3));
            if (written < optLen) {
                skb.trim(TcpHeader.MIN_LEN + ((written + 3) & ~3) + dataLen);
                hl = TcpHeader.MIN_LEN + ((written + 3) & ~3);
            }
            TcpHeader.setWindow(b, th, Math.min(sk.rcvWnd, 65535));
        } else {
            if (sk.tsOk) {
                o += TcpOptions.writeTimestamp(b, o, sk.tsNow(), sk.tsRecent);
            }
            if (nsacks > 0) {
                writeSacks(sk, b, o, nsacks, dsack);
            }
            TcpHeader.setWindow(b, th, selectWindow(sk));
        }
        if (dataLen > 0) {
            sk.sendQueue.copy(seq + (syn ? 1 : 0), b, th + hl, dataLen);
        }
        TcpHeader.fillChecksum(b, th, hl + dataLen, sk.saddr, sk.daddr);
        if ((flags & TcpHeader.ACK_FLAG) != 0) {
            ackSent(sk);
        }
        sk.segsOut++;
        if (dataLen > 0) {
            sk.dataSegsOut++;
            sk.lastSendUs = sk.nowUs();
        }
        tcp.mib().inc(TcpMib.OutSegs);
        if ((flags & TcpHeader.RST) != 0) {
            tcp.mib().inc(TcpMib.OutRsts);
        }
        sk.lsndtimeUs = sk.nowUs();
        tcp.ipv4().output().send(skb, rt, sk.saddr, sk.daddr, IpProtocol.TCP, tcp.ipv4().defaultTtl(), 0, true);
    }

    /** Our SACK blocks, a D-SACK block first when one is pending (RFC 2883). */
    private void writeSacks(TcpSock sk, byte[] b, int o, int n, boolean dsack) {
        int[] start = sackStartScratch;
        int[] end = sackEndScratch;
        int k = 0;
        if (dsack) {
            start[k] = sk.dsackStart;
            end[k] = sk.dsackEnd;
            k++;
            sk.dsackPending = false;
        }
        for (int i = 0; k < n; i++, k++) {
            start[k] = sk.sackStart[i];
            end[k] = sk.sackEnd[i];
        }
        TcpOptions.writeSack(b, o, start, end, n);
    }

    /** The socket's route, looked up again when the cached one went stale ({@code __sk_dst_check}). */
    private Rtable routeFor(TcpSock sk) {
        try {
            return tcp.route(sk.daddr, sk.saddr);
        } catch (NetException e) {
            sk.skErrSoft = e.errno();
            return null;
        }
    }

    /** {@code tcp_event_ack_sent}: an ACK went out, so nothing is pending any more. */
    private void ackSent(TcpSock sk) {
        if (sk.quickAcks > 0) {
            sk.quickAcks--;
        }
        sk.ackPending = false;
        sk.segsSinceAck = 0;
        if (sk.delackTimer.pending()) {
            tcp.ipv4().loop().cancel(sk.delackTimer);
        }
    }

    /** {@code tcp_win_from_space}: the share of buffer memory offered as window (tcp_adv_win_scale 1). */
    static int winFromSpace(int space) {
        return Math.max(0, space / 2);
    }

    /** {@code tcp_space}. */
    static int space(TcpSock sk) {
        return winFromSpace(sk.rcvbuf - sk.rmemAlloc);
    }

    static int fullSpace(TcpSock sk) {
        int full = winFromSpace(sk.rcvbuf);
        return sk.windowClamp > 0 ? Math.min(full, sk.windowClamp) : full;
    }

    /**
     * {@code tcp_select_window} and {@code __tcp_select_window}: the window to advertise, never
     * shrinking what was offered (RFC 9293 3.8.6.2.2), with receiver-side silly window avoidance:
     * less than one MSS free advertises zero, and without scaling the window moves in whole MSS.
     * Returns the field value (scaled down).
     */
    int selectWindow(TcpSock sk) {
        int full = Math.min(fullSpace(sk), 65535 << sk.rcvWscale);
        int free = Math.min(space(sk), full);
        int mss = Math.min(sk.rcvMss, Math.max(1, full));
        int window;
        if (free < full / 2) {
            sk.quickAcks = 0;
        }
        if (free < mss) {
            window = 0;
        } else if (sk.rcvWscale > 0) {
            window = free;
            int unit = 1 << sk.rcvWscale;
            window = (window + unit - 1) & -unit;
        } else {
            window = sk.rcvWnd;
            if (window <= free - mss || window > free) {
                window = free / mss * mss;
            } else if (mss == full && free > window + (full >> 1)) {
                window = free;
            }
        }
        int cur = Math.max(0, sk.rcvWup + sk.rcvWnd - sk.rcvNxt);
        if (window < cur) {
            int unit = 1 << sk.rcvWscale;
            window = (cur + unit - 1) & -unit;
        }
        window = Math.min(window, 65535 << sk.rcvWscale);
        int oldWnd = sk.rcvWnd;
        sk.rcvWnd = window;
        sk.rcvWup = sk.rcvNxt;
        if (window == 0) {
            tcp.extMib().inc(oldWnd != 0 ? TcpExtMib.TCPToZeroWindowAdv : TcpExtMib.TCPWantZeroWindowAdv);
        } else if (oldWnd == 0) {
            tcp.extMib().inc(TcpExtMib.TCPFromZeroWindowAdv);
        }
        return window >>> sk.rcvWscale;
    }

    // ---- sending data ----

    /**
     * The largest payload of one segment now ({@code tcp_current_mss}): the MSS less the SACK
     * blocks that ride on every segment while out-of-order data is held.
     */
    static int currentMss(TcpSock sk) {
        int blocks = sk.sackOk ? Math.min(sk.numSacks + (sk.dsackPending ? 1 : 0), sk.tsOk ? 3 : 4) : 0;
        return Math.max(1, sk.mssCache - (blocks > 0 ? 4 + 8 * blocks : 0));
    }

    /**
     * {@code tcp_cwnd_validate}'s bookkeeping: whether the window was used in full in the current
     * flight, or else the most segments outstanding in it, renewed once snd_una passes the end
     * of the flight ({@code cwnd_usage_seq}). Congestion control grows the window only when this
     * says it was needed ({@link CwndState#isCwndLimited}).
     */
    private static void cwndValidate(TcpSock sk, boolean limited) {
        CwndState cw = sk.cw;
        if (!TcpHeader.before(sk.sndUna, cw.cwndUsageSeq) || limited || !cw.cwndLimited && sk.packetsOut > cw.maxPacketsOut) {
            cw.cwndLimited = limited;
            cw.maxPacketsOut = sk.packetsOut;
            cw.cwndUsageSeq = sk.sndNxt;
        }
    }

    /**
     * {@code tcp_write_xmit}: sends new data while the congestion window, the peer's window and
     * Nagle allow (RFC 9293 3.8.6.2.1 sender SWS avoidance, RFC 896), then the FIN once all
     * data is out. Arms the retransmission or loss-probe timer.
     */
    boolean writeXmit(TcpSock sk) {
        if (!sk.state.synchronizedState() && sk.state != TcpState.ESTABLISHED) {
            return false;
        }
        boolean sent = false;
        boolean limited = false;
        int mss = currentMss(sk);
        while (true) {
            int pending = sk.sendQueue.tailSeq() - sk.sndNxt;
            if (pending < 0) {
                pending = 0;
            }
            boolean finNow = sk.finQueued && !sk.finSent && pending == 0;
            if (pending == 0 && !finNow) {
                break;
            }
            if (sk.packetsInFlight() >= sk.cw.sndCwnd) {
                limited = true;
                break;
            }
            int wndEnd = sk.sndUna + sk.sndWnd;
            int room = wndEnd - sk.sndNxt;
            int len = Math.min(pending, mss);
            if (len > 0 && room < len) {
                // tcp_snd_wnd_test: wait for the window unless what fits is worth sending.
                if (room <= 0 || room < mss && room < sk.maxWindow / 2 && room < pending) {
                    break;
                }
                len = room;
            }
            if (len > 0 && len < mss && len == pending && !sk.finQueued && !nagleOk(sk)) {
                break;
            }
            int flags = TcpHeader.ACK_FLAG;
            boolean withFin = sk.finQueued && !sk.finSent && len == pending;
            if (withFin) {
                flags |= TcpHeader.FIN;
            }
            if (len > 0 && sk.sndNxt + len - sk.pushedSeq >= 0) {
                flags |= TcpHeader.PSH;
            } else if (len > 0 && len == pending) {
                flags |= TcpHeader.PSH;
            }
            sendNew(sk, len, flags);
            sent = true;
            if (withFin) {
                break;
            }
        }
        limited |= sk.packetsInFlight() >= sk.cw.sndCwnd;
        if (sent || limited) {
            cwndValidate(sk, limited);
        }
        if (sent) {
            tcp.timers().armAfterSend(sk);
        } else if (sk.packetsOut == 0 && sk.sendQueue.tailSeq() - sk.sndNxt > 0 && sk.sndUna + sk.sndWnd - sk.sndNxt < mss) {
            // tcp_check_probe_timer: data waits on a window too small to use and nothing is in
            // flight to bring an ACK; the persist timer will probe (RFC 9293 3.8.6.1).
            tcp.timers().armProbe0(sk);
        }
        return sent;
    }

    /**
     * {@code tcp_nagle_test}: the last, sub-MSS piece of the queue goes out only with
     * TCP_NODELAY (and not corked), or when nothing is in flight (RFC 896). A piece cut short
     * by the peer's window is not held back here.
     */
    private static boolean nagleOk(TcpSock sk) {
        if (sk.cork) {
            return false;
        }
        if (sk.nodelay) {
            return true;
        }
        return sk.packetsOut == 0;
    }

    /** Records and sends a new segment of {@code len} bytes at snd_nxt. */
    void sendNew(TcpSock sk, int len, int flags) {
        TxSeg s = sk.rtx.newSeg();
        s.seq = sk.sndNxt;
        int fin = (flags & TcpHeader.FIN) != 0 ? 1 : 0;
        s.endSeq = sk.sndNxt + len + fin;
        s.tcpFlags = flags & (TcpHeader.FIN | TcpHeader.SYN);
        long now = sk.nowUs();
        if (sk.packetsOut == 0) {
            if (sk.cc != null) {
                sk.cw.nowUs = now;
                sk.cc.cwndEvent(sk.cw, TcpCongestionOps.CaEvent.TX_START);
            }
            sk.firstTxUs = now;
            sk.deliveredUs = now;
        }
        s.xmitUs = now;
        s.deliveredAtSend = sk.delivered;
        s.deliveredUsAtSend = sk.deliveredUs;
        s.firstTxUsAtSend = sk.firstTxUs;
        sk.rtx.addLast(s);
        sk.packetsOut++;
        sk.sndNxt = s.endSeq;
        if (fin == 1) {
            sk.finSent = true;
        }
        sk.bytesSent += len;
        if (len > 0) {
            tcp.extMib().inc(TcpExtMib.TCPOrigDataSent);
        }
        transmit(sk, s.seq, len, flags);
    }

    /**
     * {@code tcp_fragment} with {@code tcp_adjust_pcount}: splits record {@code i} at
     * {@code at}; the new record carries the old one's marks, so every counter that counts
     * records by their marks (packets, SACKed, lost, retransmitted out) counts it too. False when
     * the queue is full.
     */
    static boolean fragment(TcpSock sk, int i, int at) {
        if (!sk.rtx.split(i, at)) {
            return false;
        }
        int marks = sk.rtx.get(i + 1).sacked;
        sk.packetsOut++;
        if ((marks & TxSeg.SACKED) != 0) {
            sk.sackedOut++;
        }
        if ((marks & TxSeg.LOST) != 0) {
            sk.lostOut++;
        }
        if ((marks & TxSeg.RETRANS) != 0) {
            sk.retransOut++;
        }
        return true;
    }

    /**
     * {@code __tcp_retransmit_skb}: sends record {@code i} again, first cut to the current MSS
     * when it grew too big for the path (after a PMTU drop).
     */
    void retransmit(TcpSock sk, int i) {
        TxSeg s = sk.rtx.get(i);
        int mss = currentMss(sk);
        if ((s.tcpFlags & TcpHeader.SYN) == 0 && s.dataLen() > mss) {
            fragment(sk, i, s.seq + mss);
            s = sk.rtx.get(i);
        }
        if (s.seq - sk.sndUna < 0) {
            return;
        }
        int flags = TcpHeader.ACK_FLAG | s.tcpFlags;
        if ((s.tcpFlags & TcpHeader.SYN) != 0) {
            flags = sk.state == TcpState.SYN_SENT ? TcpHeader.SYN : TcpHeader.SYN | TcpHeader.ACK_FLAG;
        } else if (s.dataLen() > 0) {
            flags |= TcpHeader.PSH;
        }
        if ((s.sacked & TxSeg.RETRANS) == 0) {
            sk.retransOut++;
        }
        s.sacked |= TxSeg.RETRANS | TxSeg.EVER_RETRANS;
        s.xmitUs = sk.nowUs();
        if (sk.retransStampUs == 0) {
            sk.retransStampUs = s.xmitUs;
        }
        if (sk.undoRetrans >= 0) {
            sk.undoRetrans++;
        }
        sk.totalRetrans++;
        sk.bytesRetrans += s.dataLen();
        tcp.mib().inc(TcpMib.RetransSegs);
        if ((s.tcpFlags & TcpHeader.SYN) != 0) {
            tcp.extMib().inc(TcpExtMib.TCPSynRetrans);
        }
        transmit(sk, s.seq, s.dataLen(), flags);
    }

    /**
     * {@code tcp_xmit_retransmit_queue}: retransmits segments marked lost, in order, while the
     * congestion window (as PRR sets it) has room.
     */
    void xmitRetransmitQueue(TcpSock sk) {
        if (sk.lostOut == 0) {
            return;
        }
        for (int i = 0; i < sk.rtx.size(); i++) {
            if (sk.packetsInFlight() >= sk.cw.sndCwnd) {
                break;
            }
            TxSeg s = sk.rtx.get(i);
            if ((s.sacked & (TxSeg.LOST | TxSeg.SACKED | TxSeg.RETRANS)) != TxSeg.LOST) {
                continue;
            }
            retransmit(sk, i);
            if (sk.caState == TcpCongestionOps.CaState.RECOVERY) {
                sk.prrOut++;
                tcp.extMib().inc(TcpExtMib.TCPFastRetrans);
            } else if (sk.caState == TcpCongestionOps.CaState.LOSS) {
                tcp.extMib().inc(TcpExtMib.TCPSlowStartRetrans);
            }
            if (i == 0) {
                tcp.timers().resetRetransmitTimer(sk);
            }
        }
    }

    /** {@code tcp_send_ack}: a bare ACK now. */
    void sendAck(TcpSock sk) {
        if (sk.state == TcpState.CLOSE || sk.state == TcpState.LISTEN) {
            return;
        }
        transmit(sk, sk.sndNxt, 0, TcpHeader.ACK_FLAG);
    }

    /**
     * {@code tcp_send_delayed_ack}: arms the delayed-ACK timer (ato, at most 200 ms); an ACK
     * already due goes at once.
     */
    void sendDelayedAck(TcpSock sk) {
        sk.ackPending = true;
        if (!sk.delackTimer.pending()) {
            tcp.ipv4().loop().schedule(sk.delackTimer, Math.min(sk.atoUs, Tcp.DELACK_MAX_US) * 1000);
        }
    }

    /** {@code tcp_send_active_reset}: RST|ACK at snd_nxt, as Linux sends on abort. */
    void sendActiveReset(TcpSock sk) {
        transmit(sk, sk.sndNxt, 0, TcpHeader.RST | TcpHeader.ACK_FLAG);
    }

    /**
     * {@code tcp_write_wakeup} for the persist and keepalive timers: a segment of new data if
     * the window allows, else a probe with an old sequence number ({@code tcp_xmit_probe_skb},
     * seq snd_una - 1) that forces the peer to answer with its window.
     */
    void writeWakeup(TcpSock sk) {
        int pending = sk.sendQueue.tailSeq() - sk.sndNxt;
        int room = sk.sndUna + sk.sndWnd - sk.sndNxt;
        if (pending > 0 && room > 0) {
            int len = Math.min(Math.min(pending, room), currentMss(sk));
            boolean firstInFlight = sk.packetsOut == 0 || sk.pending == TcpSock.TIMER_LOSS_PROBE;
            sendNew(sk, len, TcpHeader.ACK_FLAG | TcpHeader.PSH);
            if (firstInFlight) {
                // tcp_event_new_data_sent: data in flight needs the RTO, or its loss is never noticed.
                tcp.timers().resetRetransmitTimer(sk);
            }
            return;
        }
        transmit(sk, sk.sndUna - 1, 0, TcpHeader.ACK_FLAG);
    }

    /**
     * {@code tcp_send_loss_probe} (RFC 8985 7.3): new data if there is some and the window
     * allows, else the last segment again.
     */
    void sendLossProbe(TcpSock sk) {
        int before = sk.packetsOut;
        int pending = sk.sendQueue.tailSeq() - sk.sndNxt;
        if (pending > 0 && sk.sndUna + sk.sndWnd - sk.sndNxt >= Math.min(pending, currentMss(sk))) {
            int saved = sk.cw.sndCwnd;
            sk.cw.sndCwnd = sk.packetsInFlight() + 1;
            writeXmit(sk);
            sk.cw.sndCwnd = saved;
        }
        if (sk.packetsOut == before && !sk.rtx.isEmpty()) {
            // Linux sends the probe with __tcp_retransmit_skb, which leaves retrans_stamp alone:
            // the time a connection may spend retransmitting starts at the first RTO.
            long stamp = sk.retransStampUs;
            retransmit(sk, sk.rtx.size() - 1);
            sk.retransStampUs = stamp;
        }
        sk.tlpPending = true;
        sk.tlpHighSeq = sk.sndNxt;
        tcp.extMib().inc(TcpExtMib.TCPLossProbes);
    }

    // ---- segments without a full socket ----

    /**
     * {@code tcp_v4_send_reset} (RFC 9293 3.10.7.1): to a segment with ACK, RST with seq = its
     * ack; otherwise RST|ACK acknowledging everything it occupied. Never in answer to a reset.
     * {@code skb} is the received segment (headers intact); not consumed.
     */
    void sendReset(PacketBuffer skb) {
        byte[] b = skb.array();
        int th = skb.transportHeader();
        int flags = TcpHeader.flags(b, th);
        if ((flags & TcpHeader.RST) != 0) {
            return;
        }
        if (skb.dst instanceof Rtable rt && !rt.isLocal()) {
            return;
        }
        if ((flags & TcpHeader.ACK_FLAG) != 0) {
            sendBare(skb, TcpHeader.ack(b, th), 0, TcpHeader.RST, 0, 0, -1);
        } else {
            sendBare(skb, 0, skb.endSeq, TcpHeader.RST | TcpHeader.ACK_FLAG, 0, 0, -1);
        }
        tcp.mib().inc(TcpMib.OutRsts);
    }

    /**
     * {@code tcp_v4_send_ack}: an ACK (or RST) in answer to {@code skb} from a mini-socket:
     * ports and addresses swapped, the given seq/ack/window and an optional timestamp.
     */
    void sendBare(PacketBuffer in, int seq, int ack, int flags, int window, int tsVal, int tsEcr) {
        byte[] ib = in.array();
        int ith = in.transportHeader();
        int inh = in.networkHeader();
        int saddr = Ipv4Header.dst(ib, inh);
        int daddr = Ipv4Header.src(ib, inh);
        Rtable rt;
        try {
            rt = tcp.route(daddr, saddr);
        } catch (NetException e) {
            return;
        }
        boolean ts = tsEcr != -1;
        int hl = TcpHeader.MIN_LEN + (ts ? 12 : 0);
        PacketBuffer skb = tcp.ipv4().output().allocDatagram(hl);
        int th = skb.put(hl);
        byte[] b = skb.array();
        TcpHeader.setSrcPort(b, th, TcpHeader.dstPort(ib, ith));
        TcpHeader.setDstPort(b, th, TcpHeader.srcPort(ib, ith));
        TcpHeader.setSeq(b, th, seq);
        TcpHeader.setAck(b, th, ack);
        b[th + TcpHeader.DOFF] = 0;
        TcpHeader.setHeaderLength(b, th, hl);
        TcpHeader.setFlags(b, th, flags);
        TcpHeader.setWindow(b, th, window);
        TcpHeader.setUrgentPointer(b, th, 0);
        if (ts) {
            TcpOptions.writeTimestamp(b, th + TcpHeader.MIN_LEN, tsVal, tsEcr);
        }
        TcpHeader.fillChecksum(b, th, hl, saddr, daddr);
        tcp.mib().inc(TcpMib.OutSegs);
        tcp.ipv4().output().send(skb, rt, saddr, daddr, IpProtocol.TCP, tcp.ipv4().defaultTtl(), 0, true);
    }

    /**
     * {@code tcp_make_synack} + {@code ip_build_and_send_pkt}: the SYN-ACK of a request
     * mini-socket (or of a SYN cookie), with the options the client offered.
     */
    void sendSynAck(TcpRequestSock req, int window) {
        Rtable rt;
        try {
            rt = tcp.route(req.daddr, req.saddr);
        } catch (NetException e) {
            return;
        }
        PacketBuffer skb = tcp.ipv4().output().allocDatagram(40);
        int th = skb.put(40);
        byte[] b = skb.array();
        TcpHeader.setSrcPort(b, th, req.sport);
        TcpHeader.setDstPort(b, th, req.dport);
        TcpHeader.setSeq(b, th, req.snt_isn);
        TcpHeader.setAck(b, th, req.rcv_isn + 1);
        b[th + TcpHeader.DOFF] = 0;
        TcpHeader.setFlags(b, th, TcpHeader.SYN | TcpHeader.ACK_FLAG);
        TcpHeader.setWindow(b, th, Math.min(window, 65535));
        TcpHeader.setUrgentPointer(b, th, 0);
        int written = TcpOptions.writeSyn(b, th + 20, req.mss, req.sackOk, req.tsOk, req.tsVal(tcp), req.tsRecent,
                req.wscaleOk ? req.rcvWscale : -1);
        int hl = TcpHeader.MIN_LEN + written;
        skb.trim(hl);
        TcpHeader.setHeaderLength(b, th, hl);
        TcpHeader.fillChecksum(b, th, hl, req.saddr, req.daddr);
        tcp.mib().inc(TcpMib.OutSegs);
        tcp.ipv4().output().send(skb, rt, req.saddr, req.daddr, IpProtocol.TCP, tcp.ipv4().defaultTtl(), 0, true);
    }
}
