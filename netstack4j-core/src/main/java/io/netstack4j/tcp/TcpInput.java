package io.netstack4j.tcp;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.Errno;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.SockMem;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;

/**
 * The receive side ({@code net/ipv4/tcp_input.c}): the RFC 9293 3.10.7 segment-arrival rules
 * for every state ({@code tcp_rcv_state_process}, {@code tcp_rcv_synsent_state_process}),
 * RFC 5961 protections ({@code tcp_validate_incoming}), PAWS (RFC 7323 5), ACK processing
 * ({@code tcp_ack}, {@code tcp_clean_rtx_queue}, RTT estimation per RFC 6298), data queueing
 * with the out-of-order queue and SACK blocks ({@code tcp_data_queue}), FIN handling and the
 * delayed-ACK decision. Loss recovery lives in {@link TcpRecovery}. Loop thread only.
 */
final class TcpInput {

    private final Tcp tcp;
    private final TcpRecovery recovery;

    TcpInput(Tcp tcp) {
        this.tcp = tcp;
        this.recovery = new TcpRecovery(tcp);
    }

    TcpRecovery recovery() {
        return recovery;
    }

    private void drop(PacketBuffer skb, DropReason reason) {
        tcp.count(reason);
        skb.free();
    }

    /** {@code tcp_set_state}: keeps CurrEstab. */
    void setState(TcpSock sk, TcpState s) {
        TcpState old = sk.state;
        if ((old == TcpState.ESTABLISHED || old == TcpState.CLOSE_WAIT) && s != TcpState.ESTABLISHED && s != TcpState.CLOSE_WAIT) {
            tcp.mib().add(TcpMib.CurrEstab, -1);
        }
        if (s == TcpState.ESTABLISHED && old != TcpState.ESTABLISHED) {
            tcp.mib().inc(TcpMib.CurrEstab);
        }
        sk.state = s;
    }

    /** {@code tcp_done}: the connection is over; tables, timers and queues are released. */
    void done(TcpSock sk) {
        if (sk.state == TcpState.SYN_SENT || sk.state == TcpState.SYN_RECV) {
            tcp.mib().inc(TcpMib.AttemptFails);
        }
        setState(sk, TcpState.CLOSE);
        sk.shutdown = TcpSock.RCV_SHUTDOWN | TcpSock.SEND_SHUTDOWN;
        tcp.timers().clearXmitTimer(sk);
        tcp.ipv4().loop().cancel(sk.delackTimer);
        tcp.ipv4().loop().cancel(sk.keepaliveTimer);
        tcp.ehashRemove(sk);
        tcp.unbind(sk);
        sk.rtx.clear();
        sk.packetsOut = 0;
        sk.sackedOut = 0;
        sk.lostOut = 0;
        sk.retransOut = 0;
        sk.sendQueue.releaseAll();
        sk.ofo.purge(sk);
        if (sk.orphan) {
            destroy(sk);
        }
        sk.wake();
    }

    /** {@code inet_csk_destroy_sock}: an orphan's last resources. */
    void destroy(TcpSock sk) {
        if (sk.dead) {
            return;
        }
        sk.dead = true;
        while (!sk.receiveQueue.isEmpty()) {
            PacketBuffer b = sk.receiveQueue.poll();
            sk.rmemAlloc -= SockMem.truesize(b);
            b.free();
        }
        tcp.socketGone();
    }

    /** {@code tcp_reset}: the peer reset the connection (RFC 9293 3.10.7.4 "reset processing"). */
    void reset(TcpSock sk) {
        sk.skErr = switch (sk.state) {
            case SYN_SENT -> Errno.ECONNREFUSED;
            case CLOSE_WAIT -> Errno.EPIPE;
            case CLOSE -> null;
            default -> Errno.ECONNRESET;
        };
        if (sk.state == TcpState.ESTABLISHED || sk.state == TcpState.CLOSE_WAIT) {
            tcp.mib().inc(TcpMib.EstabResets);
        }
        done(sk);
    }

    // ---- LISTEN ----

    /** RFC 9293 3.10.7.2, LISTEN: a reset is ignored, an ACK is reset, a SYN starts a handshake. */
    void listenRcv(TcpSock l, PacketBuffer skb, TcpOptions opt) {
        int flags = TcpHeader.flags(skb.array(), skb.transportHeader());
        if ((flags & TcpHeader.RST) != 0) {
            drop(skb, DropReason.TCP_RESET);
            return;
        }
        if ((flags & TcpHeader.ACK_FLAG) != 0) {
            if (tcp.syncookies != 0 && (flags & TcpHeader.SYN) == 0 && tcp.minisocks().cookieCheck(l, skb, opt)) {
                return;
            }
            tcp.noSocket(skb);
            return;
        }
        if ((flags & TcpHeader.SYN) == 0 || (flags & TcpHeader.FIN) != 0) {
            drop(skb, DropReason.TCP_FLAGS);
            return;
        }
        tcp.minisocks().connRequest(l, skb, opt);
    }

    // ---- every other state ----

    /** {@code tcp_rcv_state_process} (and {@code tcp_rcv_established}). Takes ownership. */
    void rcvStateProcess(TcpSock sk, PacketBuffer skb, TcpOptions opt) {
        byte[] b = skb.array();
        int th = skb.transportHeader();
        int flags = TcpHeader.flags(b, th);
        sk.segsIn++;
        switch (sk.state) {
            case CLOSE -> {
                tcp.noSocket(skb);
                return;
            }
            case LISTEN -> {
                listenRcv(sk, skb, opt);
                return;
            }
            case SYN_SENT -> {
                synSentStateProcess(sk, skb, opt, flags);
                return;
            }
            default -> {
            }
        }
        if (!validateIncoming(sk, skb, opt, flags)) {
            return;
        }
        if ((flags & TcpHeader.ACK_FLAG) == 0) {
            drop(skb, DropReason.TCP_FLAGS);
            return;
        }
        int ack = TcpHeader.ack(b, th);
        if (sk.state == TcpState.SYN_RECV) {
            if (TcpHeader.before(ack, sk.sndUna) || TcpHeader.after(ack, sk.sndNxt)) {
                tcp.output().sendReset(skb);
                drop(skb, DropReason.TCP_ACK_UNSENT_DATA);
                return;
            }
            establish(sk, skb, opt);
        }
        if (!ack(sk, skb, opt, flags, ack)) {
            return;
        }
        switch (sk.state) {
            case FIN_WAIT1 -> {
                if (sk.finSent && sk.sndUna == sk.writeSeq) {
                    setState(sk, TcpState.FIN_WAIT2);
                    sk.shutdown |= TcpSock.SEND_SHUTDOWN;
                    sk.wake();
                    if (sk.orphan) {
                        tcp.timers().resetKeepalive(sk, tcp.finTimeout * 1_000_000L);
                    }
                }
            }
            case CLOSING -> {
                if (sk.sndUna == sk.writeSeq) {
                    tcp.minisocks().timeWait(sk, TcpState.TIME_WAIT, 0);
                    skb.free();
                    return;
                }
            }
            case LAST_ACK -> {
                if (sk.sndUna == sk.writeSeq) {
                    done(sk);
                    skb.free();
                    return;
                }
            }
            default -> {
            }
        }
        int payload = skb.endSeq - skb.seq - ((flags & TcpHeader.FIN) != 0 ? 1 : 0) - ((flags & TcpHeader.SYN) != 0 ? 1 : 0);
        boolean hasData = payload > 0 || (flags & TcpHeader.FIN) != 0;
        if (hasData) {
            boolean newData = payload > 0 && TcpHeader.after(skb.seq + payload, sk.rcvNxt);
            if (newData && sk.orphan && (sk.state == TcpState.FIN_WAIT1 || sk.state == TcpState.FIN_WAIT2)) {
                // tcp_rcv_state_process: new data for a socket the application closed; nobody
                // will read it, so abort (RFC 9293 3.10.7.4 seventh, Linux TCPAbortOnData).
                tcp.extMib().inc(TcpExtMib.TCPAbortOnData);
                tcp.output().sendActiveReset(sk);
                reset(sk);
                skb.free();
                return;
            }
            if (sk.state.canReceive()) {
                dataQueue(sk, skb, flags, payload);
            } else {
                if (TcpHeader.before(skb.seq, sk.rcvNxt)) {
                    // A retransmission of data or FIN we already have: ACK it again at once.
                    sk.ackPending = true;
                    sk.quickAcks = Math.max(sk.quickAcks, 1);
                }
                drop(skb, DropReason.TCP_CLOSE);
            }
        } else {
            skb.free();
        }
        if (sk.state != TcpState.CLOSE) {
            tcp.output().writeXmit(sk);
            ackSndCheck(sk);
        }
    }

    /**
     * {@code tcp_validate_incoming}: PAWS, the sequence-window test (RFC 9293 3.10.7.4 first),
     * reset validation (RFC 5961 3.2: only an exact match resets, other in-window resets draw a
     * challenge ACK) and SYN in a synchronized state (RFC 5961 4: challenge ACK). Frees and
     * returns false when the segment stops here.
     */
    private boolean validateIncoming(TcpSock sk, PacketBuffer skb, TcpOptions opt, int flags) {
        if (opt.sawTstamp && sk.tsOk && pawsReject(sk, opt, flags)) {
            if ((flags & TcpHeader.RST) == 0) {
                tcp.extMib().inc(TcpExtMib.PAWSEstab);
                sendDupAck(sk, TcpExtMib.TCPACKSkippedPAWS);
            }
            drop(skb, DropReason.TCP_RFC7323_PAWS);
            return false;
        }
        if (!sequenceOk(sk, skb.seq, skb.endSeq)) {
            if ((flags & TcpHeader.RST) == 0) {
                sendDupAck(sk, TcpExtMib.TCPACKSkippedSeq);
            } else if (sk.state == TcpState.SYN_RECV) {
                drop(skb, DropReason.TCP_INVALID_SEQUENCE);
                return false;
            }
            drop(skb, DropReason.TCP_INVALID_SEQUENCE);
            return false;
        }
        if ((flags & TcpHeader.RST) != 0) {
            if (skb.seq == sk.rcvNxt) {
                reset(sk);
                drop(skb, DropReason.TCP_RESET);
            } else {
                challengeAck(sk);
                drop(skb, DropReason.TCP_RESET);
            }
            return false;
        }
        if (opt.sawTstamp && sk.tsOk && !TcpHeader.after(skb.seq, sk.rcvWup)) {
            // tcp_replace_ts_recent: the segment is in window, keep its timestamp to echo (RFC 7323 4.3).
            if (sk.tsRecent - opt.tsVal <= 0) {
                sk.tsRecent = opt.tsVal;
                sk.tsRecentStampSec = sk.nowUs() / 1_000_000;
            }
        }
        if ((flags & TcpHeader.SYN) != 0 && sk.state != TcpState.SYN_RECV) {
            tcp.extMib().inc(TcpExtMib.TCPSYNChallenge);
            challengeAck(sk);
            drop(skb, DropReason.TCP_INVALID_SYN);
            return false;
        }
        return true;
    }

    /**
     * {@code tcp_paws_discard}: the segment's TSval is older than ts_recent (RFC 7323 5.3),
     * unless ts_recent is more than 24 days old; resets are not subject to PAWS here.
     */
    private static boolean pawsReject(TcpSock sk, TcpOptions opt, int flags) {
        if ((flags & TcpHeader.RST) != 0) {
            return false;
        }
        if (sk.tsRecent - opt.tsVal <= 0) {
            return false;
        }
        return sk.nowUs() / 1_000_000 - sk.tsRecentStampSec <= Tcp.PAWS_24DAYS_SEC;
    }

    /** {@code tcp_sequence}: RFC 9293 3.10.7.4, the segment overlaps the receive window (zero-window rules included). */
    private static boolean sequenceOk(TcpSock sk, int seq, int endSeq) {
        int wndEnd = sk.rcvNxt + Math.max(0, sk.rcvWup + sk.rcvWnd - sk.rcvNxt);
        return !TcpHeader.before(endSeq, sk.rcvWup) && !TcpHeader.after(seq, wndEnd);
    }

    /** A duplicate ACK for an unacceptable segment, rate limited by {@code tcp_invalid_ratelimit} ({@code tcp_oow_rate_limited}). */
    private void sendDupAck(TcpSock sk, TcpExtMib skipped) {
        long now = sk.nowUs();
        if (sk.lastOowAckUs != 0 && now - sk.lastOowAckUs < tcp.invalidRatelimitMs * 1000L) {
            tcp.extMib().inc(skipped);
            return;
        }
        sk.lastOowAckUs = now;
        tcp.output().sendAck(sk);
    }

    /**
     * {@code tcp_send_challenge_ack} (RFC 5961 3.2, 4.2, 5.2): an ACK telling a real peer where
     * we are; at most {@code tcp_challenge_ack_limit} per second, counted per socket.
     */
    void challengeAck(TcpSock sk) {
        long now = sk.nowUs();
        if (now - sk.challengeWindowStartUs >= 1_000_000) {
            sk.challengeWindowStartUs = now;
            sk.challengeCount = 0;
        }
        if (sk.challengeCount >= tcp.challengeAckLimit) {
            tcp.extMib().inc(TcpExtMib.TCPACKSkippedChallenge);
            return;
        }
        sk.challengeCount++;
        tcp.extMib().inc(TcpExtMib.TCPChallengeACK);
        tcp.output().sendAck(sk);
    }

    // ---- SYN-SENT ----

    /** {@code tcp_rcv_synsent_state_process}: RFC 9293 3.10.7.3. Takes ownership. */
    private void synSentStateProcess(TcpSock sk, PacketBuffer skb, TcpOptions opt, int flags) {
        byte[] b = skb.array();
        int th = skb.transportHeader();
        int ack = TcpHeader.ack(b, th);
        boolean hasAck = (flags & TcpHeader.ACK_FLAG) != 0;
        if (hasAck && (!TcpHeader.after(ack, sk.iss) || TcpHeader.after(ack, sk.sndNxt))) {
            if ((flags & TcpHeader.RST) == 0) {
                tcp.output().sendReset(skb);
            }
            drop(skb, DropReason.TCP_ACK_UNSENT_DATA);
            return;
        }
        if ((flags & TcpHeader.RST) != 0) {
            if (hasAck) {
                reset(sk);
            }
            drop(skb, DropReason.TCP_RESET);
            return;
        }
        if ((flags & TcpHeader.SYN) == 0) {
            drop(skb, DropReason.TCP_FLAGS);
            return;
        }
        sk.irs = skb.seq;
        sk.rcvNxt = skb.seq + 1;
        sk.rcvWup = sk.rcvNxt;
        sk.copiedSeq = sk.rcvNxt;
        sk.rcvqSeq = sk.copiedSeq;
        sk.sndWl1 = skb.seq;
        sk.sndWnd = TcpHeader.window(b, th);
        applySynOptions(sk, opt);
        if (hasAck) {
            ack(sk, skb, opt, flags, ack);
            setState(sk, TcpState.ESTABLISHED);
            initTransfer(sk);
            sk.lastRecvUs = sk.nowUs();
            sk.wake();
            tcp.output().sendAck(sk);
            skb.free();
            tcp.output().writeXmit(sk);
            return;
        }
        // Simultaneous open (RFC 9293 3.10.7.3 fourth, figure 8): answer with SYN,ACK.
        setState(sk, TcpState.SYN_RECV);
        if (!sk.rtx.isEmpty()) {
            tcp.output().retransmit(sk, 0);
        }
        skb.free();
    }

    /** Takes the peer's SYN options: MSS, window scale, SACK-permitted, timestamps (each only if both sides offered). */
    void applySynOptions(TcpSock sk, TcpOptions opt) {
        sk.mssClamp = opt.mss > 0 ? opt.mss : 536;
        if (sk.userMss > 0) {
            sk.mssClamp = Math.min(sk.mssClamp, sk.userMss);
        }
        sk.wscaleOk = sk.wscaleOk && opt.wscale >= 0;
        if (sk.wscaleOk) {
            sk.sndWscale = opt.wscale;
        } else {
            sk.sndWscale = 0;
            sk.rcvWscale = 0;
        }
        sk.sackOk = sk.sackOk && opt.sackOk;
        sk.tsOk = sk.tsOk && opt.sawTstamp;
        if (sk.tsOk) {
            sk.tsRecent = opt.tsVal;
            sk.tsRecentStampSec = sk.nowUs() / 1_000_000;
        }
        sk.maxWindow = Math.max(sk.maxWindow, sk.sndWnd);
    }

    /** {@code tcp_init_transfer}: MSS for the path, the congestion window and the first RTO. */
    void initTransfer(TcpSock sk) {
        syncMss(sk, routeMtu(sk));
        sk.rcvMss = Math.min(sk.advmss, sk.mssCache);
        sk.cw.mss = sk.mssCache;
        sk.cw.setCwnd(CwndState.INIT_CWND);
        sk.cc.init(sk.cw);
        sk.quickAcks = 16;
        sk.rcvqSpace = Math.min(sk.rcvWnd, 10 * sk.advmss);
        sk.rcvqTimeUs = sk.nowUs();
        if (sk.keepaliveOn) {
            tcp.timers().resetKeepalive(sk, sk.keepIdleSec * 1_000_000L);
        }
        sk.lastAckRecvUs = sk.nowUs();
    }

    int routeMtu(TcpSock sk) {
        try {
            return tcp.route(sk.daddr, sk.saddr).mtu();
        } catch (io.netstack4j.core.NetException e) {
            return 576;
        }
    }

    /** {@code tcp_sync_mss}: the payload per segment for a path MTU. */
    void syncMss(TcpSock sk, int pmtu) {
        int mss = pmtu - 40;
        mss = Math.min(mss, sk.mssClamp);
        if (sk.tsOk) {
            mss -= 12;
        }
        mss = Math.max(mss, Math.max(tcp.minSndMss, 8));
        sk.mssCache = mss;
        sk.cw.mss = mss;
    }

    /** SYN_RECV becomes ESTABLISHED (a child socket's handshake or a simultaneous open completes). */
    private void establish(TcpSock sk, PacketBuffer skb, TcpOptions opt) {
        byte[] b = skb.array();
        int th = skb.transportHeader();
        setState(sk, TcpState.ESTABLISHED);
        sk.sndWnd = TcpHeader.window(b, th) << sk.sndWscale;
        sk.sndWl1 = skb.seq;
        sk.maxWindow = Math.max(sk.maxWindow, sk.sndWnd);
        if (sk.synackSentUs != 0) {
            // tcp_synack_rtt_meas: the handshake gives the first RTT sample (Karn: only if not retransmitted).
            rttEstimator(sk, sk.nowUs() - sk.synackSentUs);
        }
        initTransfer(sk);
        sk.wake();
        if (sk.parent != null) {
            // The listener's sk_data_ready: a connection is ready to accept.
            sk.parent.wake();
        }
    }

    // ---- ACK processing ----

    /**
     * {@code tcp_ack}: RFC 9293 3.10.7.4 fifth. An ACK of unsent data is answered and dropped; an
     * ACK older than the window allows draws a challenge ACK (RFC 5961 5.2). Otherwise updates
     * the send window, the SACK scoreboard, removes what was ACKed, samples RTT and runs loss
     * recovery and congestion control. Returns false when the segment was consumed.
     */
    boolean ack(TcpSock sk, PacketBuffer skb, TcpOptions opt, int flags, int ack) {
        if (TcpHeader.after(ack, sk.sndNxt)) {
            challengeAck(sk);
            drop(skb, DropReason.TCP_ACK_UNSENT_DATA);
            return false;
        }
        if (TcpHeader.before(ack, sk.sndUna - sk.maxWindow)) {
            challengeAck(sk);
            drop(skb, DropReason.TCP_TOO_OLD_ACK);
            return false;
        }
        long now = sk.nowUs();
        sk.lastAckRecvUs = now;
        // tcp_ack: an acceptable ACK shows the peer is alive, whatever its window (RFC 9293 3.8.6.1).
        sk.probesOut = 0;
        int priorUna = sk.sndUna;
        int priorInFlight = sk.packetsInFlight();
        byte[] b = skb.array();
        int th = skb.transportHeader();
        int nwin = TcpHeader.window(b, th);
        if ((flags & TcpHeader.SYN) == 0) {
            nwin <<= sk.sndWscale;
        }
        // tcp_ack_update_window (RFC 9293 3.10.7.4: SND.WL1/SND.WL2 rule).
        if (TcpHeader.after(ack, priorUna) || TcpHeader.after(skb.seq, sk.sndWl1) || skb.seq == sk.sndWl1 && nwin > sk.sndWnd) {
            boolean wasZero = sk.sndWnd == 0;
            sk.sndWnd = nwin;
            sk.sndWl1 = skb.seq;
            sk.maxWindow = Math.max(sk.maxWindow, nwin);
            if (wasZero && nwin > 0) {
                sk.probesOut = 0;
                sk.backoff = 0;
            }
        }
        int newlySacked = 0;
        boolean dsack = false;
        if (opt.numSacks > 0 && sk.sackOk) {
            int r = recovery.sacktag(sk, opt, ack);
            newlySacked = r & 0xffff;
            dsack = (r & TcpRecovery.FLAG_DSACK) != 0;
        }
        if (sk.tsOk && opt.sawTstamp && opt.tsEcr != 0) {
            rcvRttMeasureTs(sk, opt);
        }
        int ackedPkts = 0;
        long rttUs = -1;
        if (TcpHeader.after(ack, priorUna)) {
            long r = cleanRtxQueue(sk, ack, opt);
            ackedPkts = (int) (r & 0xffffffffL);
            rttUs = r >> 32;
            int dataAcked = ack - priorUna;
            sk.bytesAcked += dataAcked;
            sk.sndUna = ack;
            sk.sendQueue.releaseTo(ack);
            sk.backoff = 0;
            sk.retransmits = 0;
            sk.probesOut = 0;
            if (sk.retransOut == 0) {
                sk.retransStampUs = 0;
            }
            if (sk.tlpPending && !TcpHeader.before(ack, sk.tlpHighSeq)) {
                sk.tlpPending = false;
            }
            sndbufExpand(sk);
            sk.wake();
        } else if (sk.sndUna == ack && skb.seq == skb.endSeq && nwin == sk.sndWnd && sk.packetsOut > 0
                && (flags & (TcpHeader.SYN | TcpHeader.FIN)) == 0) {
            sk.dupAcks++;
        }
        if (rttUs >= 0) {
            rttEstimator(sk, rttUs);
        }
        sk.delivered += ackedPkts + newlySacked;
        recovery.onAck(sk, priorUna, ack, ackedPkts, newlySacked, priorInFlight, dsack, opt, rttUs);
        if (sk.packetsOut == 0) {
            if (sk.pending != TcpSock.TIMER_PROBE0) {
                tcp.timers().clearXmitTimer(sk);
            }
            sk.dupAcks = 0;
        } else if (ackedPkts > 0) {
            tcp.timers().resetRetransmitTimer(sk);
            tcp.timers().armAfterSend(sk);
        }
        return true;
    }

    /**
     * {@code tcp_new_space} + {@code tcp_sndbuf_expand} (send-buffer autotuning, {@code tcp_wmem}):
     * unless the application fixed SO_SNDBUF, the buffer grows to hold two congestion windows
     * (counting per-segment overhead), so the sender is never limited by its own buffer, up to
     * {@code tcp_wmem[2]}.
     */
    private void sndbufExpand(TcpSock sk) {
        if (sk.userSndbuf || sk.caState != TcpCongestionOps.CaState.OPEN) {
            return;
        }
        long need = 2L * Math.max(sk.cw.sndCwnd, sk.reordering + 1) * (sk.mssCache + SockMem.SKB_OVERHEAD);
        if (need > sk.sndbuf) {
            sk.sndbuf = (int) Math.min(need, tcp.wmem[2]);
        }
    }

    /**
     * {@code tcp_clean_rtx_queue}: drops the records ACKed up to {@code ack}, trimming a partly
     * ACKed head. The RTT sample comes from the newest segment never retransmitted (Karn), or
     * from the echoed timestamp (RFC 7323 4.1). Returns (rttUs << 32) | packets ACKed, rttUs -1
     * when there is no sample.
     */
    private long cleanRtxQueue(TcpSock sk, int ack, TcpOptions opt) {
        long now = sk.nowUs();
        int acked = 0;
        long seqRtt = -1;
        boolean everRetrans = false;
        while (!sk.rtx.isEmpty()) {
            TxSeg s = sk.rtx.first();
            if (TcpHeader.after(s.endSeq, ack)) {
                if (TcpHeader.after(ack, s.seq)) {
                    // tcp_trim_head: part of the segment arrived.
                    s.seq = ack;
                    s.tcpFlags &= ~TcpHeader.SYN;
                }
                break;
            }
            if ((s.sacked & TxSeg.EVER_RETRANS) != 0) {
                everRetrans = true;
            } else {
                seqRtt = now - s.xmitUs;
            }
            if ((s.sacked & TxSeg.SACKED) != 0) {
                sk.sackedOut--;
            } else {
                if ((s.sacked & TxSeg.EVER_RETRANS) == 0 && sk.highSacked != 0 && TcpHeader.before(s.endSeq, sk.highSacked)) {
                    // tcp_check_sack_reordering: an original transmission arrived after later data was SACKed.
                    if (!sk.reordSeen) {
                        tcp.extMib().inc(TcpExtMib.TCPSACKReorder);
                    }
                    sk.reordSeen = true;
                    sk.reordSeenCount++;
                }
                recovery.rackAdvance(sk, s);
                recovery.rateDelivered(sk, s);
            }
            if ((s.sacked & TxSeg.LOST) != 0) {
                sk.lostOut--;
            }
            if ((s.sacked & TxSeg.RETRANS) != 0) {
                sk.retransOut--;
            }
            sk.packetsOut--;
            acked++;
            sk.rtx.removeFirst();
        }
        if (seqRtt < 0 && everRetrans && sk.tsOk && opt.sawTstamp && opt.tsEcr != 0) {
            seqRtt = (long) (sk.tsNow() - opt.tsEcr) * 1000;
            if (seqRtt < 0) {
                seqRtt = -1;
            }
        }
        if (acked > 0 && sk.retransStampUs != 0 && !everRetrans) {
            sk.retransStampUs = 0;
        }
        return (seqRtt << 32) | (acked & 0xffffffffL);
    }

    /**
     * {@code tcp_rtt_estimator} and {@code tcp_set_rto} (RFC 6298 2): SRTT and RTTVAR with gains
     * 1/8 and 1/4, RTO = SRTT + max(4 RTTVAR, rto_min) and at most 120 s.
     */
    void rttEstimator(TcpSock sk, long mUs) {
        if (mUs <= 0) {
            mUs = 1;
        }
        long now = sk.nowUs();
        if (sk.minRttUs == 0 || mUs <= sk.minRttUs || now - sk.minRttStampUs > 300_000_000L) {
            sk.minRttUs = mUs;
            sk.minRttStampUs = now;
        }
        if (sk.srttUs8 == 0) {
            sk.srttUs8 = mUs << 3;
            sk.mdevUs = mUs / 2;
            sk.rttvarUs = sk.mdevUs;
        } else {
            long srtt = sk.srttUs8;
            long err = mUs - (srtt >> 3);
            srtt += err;
            sk.srttUs8 = srtt;
            long abs = Math.abs(err);
            sk.mdevUs += (abs - sk.mdevUs) >> 2;
            sk.rttvarUs = sk.mdevUs;
        }
        long rto = (sk.srttUs8 >> 3) + Math.max(4 * (sk.rttvarUs), Tcp.RTO_MIN_US);
        sk.rtoUs = Math.min(rto, Tcp.RTO_MAX_US);
        sk.cw.srttUs = sk.srttUs8 >> 3;
        sk.cw.minRttUs = sk.minRttUs;
    }

    /** {@code tcp_rcv_rtt_measure_ts}: the receiver's RTT estimate for autotuning, from echoed timestamps. */
    private static void rcvRttMeasureTs(TcpSock sk, TcpOptions opt) {
        int delta = sk.tsNow() - opt.tsEcr;
        if (delta >= 0 && delta < 60_000) {
            int us = Math.max(1, delta) * 1000;
            sk.rcvRttEstUs = sk.rcvRttEstUs == 0 ? us : Math.min(sk.rcvRttEstUs, us) * 7 / 8 + us / 8;
        }
    }

    // ---- data ----

    /**
     * {@code tcp_data_queue}: in-order data goes to the receive queue (pulling any out-of-order
     * segments it makes contiguous); duplicates are D-SACKed (RFC 2883) and ACKed at once; data
     * after a gap goes to the out-of-order queue and is ACKed at once with SACK blocks
     * (RFC 5681 4.2). Memory beyond the receive buffer is refused. Takes ownership.
     */
    private void dataQueue(TcpSock sk, PacketBuffer skb, int flags, int payload) {
        int th = skb.transportHeader();
        int hl = TcpHeader.headerLength(skb.array(), th);
        skb.pull(hl);
        skb.trim(payload);
        skb.dst = null;
        boolean fin = (flags & TcpHeader.FIN) != 0;
        int seq = skb.seq;
        int end = seq + payload;
        sk.lastRecvUs = sk.nowUs();
        if (payload > 0) {
            sk.dataSegsIn++;
            sk.rcvMss = Math.max(Math.min(payload, sk.advmss), Math.min(sk.rcvMss, payload == sk.rcvMss ? payload : sk.rcvMss));
        }
        if (seq == sk.rcvNxt) {
            if (payload > 0 && Math.max(0, sk.rcvWup + sk.rcvWnd - sk.rcvNxt) == 0) {
                tcp.output().sendAck(sk);
                drop(skb, DropReason.TCP_ZEROWINDOW);
                return;
            }
            if (payload > 0 && !rmemSchedule(sk, skb)) {
                tcp.extMib().inc(TcpExtMib.TCPRcvQDrop);
                sk.ackPending = true;
                drop(skb, DropReason.SOCKET_RCVBUFF);
                return;
            }
            sk.rcvNxt = end;
            sk.bytesReceived += payload;
            if (payload > 0) {
                queueRcv(sk, skb);
            } else {
                skb.free();
            }
            if (fin) {
                sk.rcvNxt++;
                fin(sk);
            }
            if (!sk.ofo.isEmpty()) {
                sk.ofo.drainInOrder(sk, this);
                sk.ackPending = true;
                sk.quickAcks = Math.max(sk.quickAcks, 1);
            }
            sk.ofo.updateSackBlocks(sk);
            eventDataRecv(sk, payload);
            sk.wake();
            return;
        }
        if (!TcpHeader.after(end, sk.rcvNxt) && !(fin && end == sk.rcvNxt && !sk.finReceived())) {
            // A retransmission of what we have: D-SACK it and ACK now (tcp_dsack_set).
            tcp.extMib().inc(TcpExtMib.DelayedACKLost);
            dsackSet(sk, seq, end);
            enterQuickack(sk);
            tcp.output().sendAck(sk);
            drop(skb, DropReason.TCP_OLD_DATA);
            return;
        }
        if (TcpHeader.before(seq, sk.rcvNxt)) {
            // Partly new: D-SACK the old part and keep the rest.
            dsackSet(sk, seq, sk.rcvNxt);
            int old = sk.rcvNxt - seq;
            skb.pull(old);
            skb.seq = sk.rcvNxt;
            if (!rmemSchedule(sk, skb)) {
                drop(skb, DropReason.SOCKET_RCVBUFF);
                return;
            }
            sk.rcvNxt = end;
            sk.bytesReceived += end - skb.seq;
            queueRcv(sk, skb);
            if (fin) {
                sk.rcvNxt++;
                fin(sk);
            }
            if (!sk.ofo.isEmpty()) {
                sk.ofo.drainInOrder(sk, this);
            }
            sk.ofo.updateSackBlocks(sk);
            eventDataRecv(sk, payload);
            sk.wake();
            return;
        }
        if (TcpHeader.after(seq, sk.rcvNxt + Math.max(0, sk.rcvWup + sk.rcvWnd - sk.rcvNxt))) {
            tcp.output().sendAck(sk);
            drop(skb, DropReason.TCP_OVERWINDOW);
            return;
        }
        // tcp_data_queue_ofo.
        sk.rcvOooPack++;
        skb.endSeq = end;
        if (!rmemSchedule(sk, skb)) {
            tcp.extMib().inc(TcpExtMib.TCPOFODrop);
            drop(skb, DropReason.TCP_OFO_DROP);
            tcp.output().sendAck(sk);
            return;
        }
        tcp.extMib().inc(TcpExtMib.TCPOFOQueue);
        sk.ofo.insert(sk, skb, fin, this);
        enterQuickack(sk);
        tcp.output().sendAck(sk);
    }

    /** Queues in-order payload for the reader. */
    void queueRcv(TcpSock sk, PacketBuffer skb) {
        sk.receiveQueue.addLast(skb);
    }

    /** D-SACK block to report with the next ACK ({@code tcp_dsack_set}). */
    void dsackSet(TcpSock sk, int start, int end) {
        if (!sk.sackOk || tcp.dsack == 0) {
            return;
        }
        tcp.extMib().inc(TcpHeader.before(start, sk.rcvNxt) ? TcpExtMib.TCPDSACKOldSent : TcpExtMib.TCPDSACKOfoSent);
        sk.dsackPending = true;
        sk.dsackStart = start;
        sk.dsackEnd = end;
    }

    /**
     * {@code tcp_try_rmem_schedule}: charges the buffer to the receive memory; when that would
     * pass the receive buffer, prunes the out-of-order queue first ({@code tcp_prune_ofo_queue})
     * and refuses if still over.
     */
    boolean rmemSchedule(TcpSock sk, PacketBuffer skb) {
        int size = SockMem.truesize(skb);
        if (sk.rmemAlloc + size > sk.rcvbuf) {
            tcp.extMib().inc(TcpExtMib.PruneCalled);
            sk.ofo.prune(sk, size, tcp);
            if (sk.rmemAlloc + size > sk.rcvbuf) {
                return false;
            }
        }
        sk.rmemAlloc += size;
        return true;
    }

    private void enterQuickack(TcpSock sk) {
        sk.quickAcks = Math.max(sk.quickAcks, 2);
        sk.pingpong = false;
        sk.atoUs = Tcp.ATO_MIN_US;
    }

    /** {@code tcp_event_data_recv}: the delayed-ACK clock (ato) follows the gaps between arrivals. */
    private void eventDataRecv(TcpSock sk, int payload) {
        long now = sk.nowUs();
        if (sk.lrcvtimeUs == 0) {
            sk.atoUs = Tcp.ATO_MIN_US;
        } else {
            long m = now - sk.lrcvtimeUs;
            if (m <= Tcp.ATO_MIN_US / 2) {
                sk.atoUs = (sk.atoUs >> 1) + Tcp.ATO_MIN_US / 2;
            } else if (m < sk.atoUs) {
                sk.atoUs = Math.min((sk.atoUs >> 1) + m, sk.rtoUs);
            }
        }
        sk.lrcvtimeUs = now;
        if (payload > 0) {
            sk.segsSinceAck++;
            sk.ackPending = true;
        }
    }

    /**
     * {@code __tcp_ack_snd_check}: ACK now when more than one full segment is unacknowledged
     * (RFC 5681 4.2 "at least every second full-sized segment"), in quick-ack mode, or when
     * out-of-order data is held; otherwise delay it.
     */
    void ackSndCheck(TcpSock sk) {
        if (!sk.ackPending) {
            return;
        }
        boolean now = sk.rcvNxt - sk.rcvWup > sk.rcvMss && Math.max(0, sk.rcvWup + sk.rcvWnd - sk.rcvNxt) <= sk.rcvWnd
                || sk.quickAcks > 0 && !sk.pingpong || !sk.ofo.isEmpty() || sk.segsSinceAck >= 2;
        if (now) {
            tcp.output().sendAck(sk);
        } else {
            tcp.output().sendDelayedAck(sk);
        }
    }

    /**
     * {@code tcp_fin}: RFC 9293 3.10.7.4 eighth. ESTABLISHED goes to CLOSE_WAIT, FIN_WAIT1 to
     * CLOSING, FIN_WAIT2 to TIME_WAIT; the reader sees end of stream.
     */
    void fin(TcpSock sk) {
        sk.shutdown |= TcpSock.RCV_SHUTDOWN;
        sk.recvShutdownSeen = true;
        sk.ackPending = true;
        switch (sk.state) {
            case ESTABLISHED -> {
                setState(sk, TcpState.CLOSE_WAIT);
                sk.pingpong = true;
            }
            case FIN_WAIT1 -> {
                setState(sk, TcpState.CLOSING);
                tcp.output().sendAck(sk);
            }
            case FIN_WAIT2 -> {
                tcp.output().sendAck(sk);
                tcp.minisocks().timeWait(sk, TcpState.TIME_WAIT, 0);
            }
            default -> {
            }
        }
        sk.ofo.purge(sk);
        sk.wake();
    }

    /**
     * {@code tcp_v4_mtu_reduced} + {@code tcp_simple_retransmit}: the path MTU fell (ICMP
     * frag-needed, already recorded on the route); segments now too big are marked lost and
     * sent again at the new size without a congestion response.
     */
    void mtuReduced(TcpSock sk, int mtu) {
        if (sk.state == TcpState.LISTEN || sk.state == TcpState.CLOSE) {
            return;
        }
        int pmtu = routeMtu(sk);
        if (mtu > 0) {
            pmtu = Math.min(pmtu, mtu);
        }
        int old = sk.mssCache;
        syncMss(sk, pmtu);
        if (sk.mssCache >= old) {
            return;
        }
        for (int i = 0; i < sk.rtx.size(); i++) {
            TxSeg s = sk.rtx.get(i);
            if (s.dataLen() > sk.mssCache && (s.sacked & TxSeg.SACKED) == 0) {
                if ((s.sacked & TxSeg.LOST) == 0) {
                    s.sacked |= TxSeg.LOST;
                    sk.lostOut++;
                }
                if ((s.sacked & TxSeg.RETRANS) != 0) {
                    s.sacked &= ~TxSeg.RETRANS;
                    sk.retransOut--;
                }
            }
        }
        tcp.output().xmitRetransmitQueue(sk);
    }
}
