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
 * delayed-ACK decision. ACK processing is {@link TcpAck}, data and FIN {@link TcpData}, loss
 * recovery {@link TcpRecovery}. Loop thread only.
 */
final class TcpInput {

    private final Tcp tcp;
    private final TcpRecovery recovery;
    private final TcpAck acks;
    private final TcpData data;

    TcpInput(Tcp tcp) {
        this.tcp = tcp;
        this.recovery = new TcpRecovery(tcp);
        this.acks = new TcpAck(tcp, this, recovery);
        this.data = new TcpData(tcp, this);
    }

    TcpRecovery recovery() {
        return recovery;
    }

    TcpData data() {
        return data;
    }

    void drop(PacketBuffer skb, DropReason reason) {
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
        tcp.timers().cancelKeepalive(sk);
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
        tcp.memory().orphanGone();
        while (!sk.receiveQueue.isEmpty()) {
            PacketBuffer b = sk.receiveQueue.poll();
            sk.rmemUncharge(SockMem.truesize(b));
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
        if (!acks.ack(sk, skb, opt, flags, ack)) {
            return;
        }
        switch (sk.state) {
            case FIN_WAIT1 -> {
                if (sk.finSent && sk.sndUna == sk.writeSeq) {
                    setState(sk, TcpState.FIN_WAIT2);
                    sk.shutdown |= TcpSock.SEND_SHUTDOWN;
                    sk.wake();
                    if (sk.orphan) {
                        tcp.timers().armFinWait2(sk);
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
                data.dataQueue(sk, skb, flags, payload);
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
            data.ackSndCheck(sk);
        }
    }

    /**
     * {@code tcp_validate_incoming}: PAWS, the sequence-window test (RFC 9293 3.10.7.4 first),
     * reset validation (RFC 5961 3.2: only an exact match resets, other in-window resets draw a
     * challenge ACK) and SYN in a synchronized state (RFC 5961 4: challenge ACK). Frees and
     * returns false when the segment stops here.
     */
    private boolean validateIncoming(TcpSock sk, PacketBuffer skb, TcpOptions opt, int flags) {
        if (opt.sawTstamp && sk.tsOk && pawsReject(sk, opt, flags) && !disorderedAck(sk, skb, opt, flags)) {
            if ((flags & TcpHeader.SYN) != 0 && sk.state != TcpState.SYN_RECV) {
                synChallenge(sk, skb, false);
                return false;
            }
            if ((flags & TcpHeader.RST) == 0) {
                tcp.extMib().inc(TcpExtMib.PAWSEstab);
                sendDupAck(sk, skb, flags, TcpExtMib.TCPACKSkippedPAWS);
            }
            drop(skb, DropReason.TCP_RFC7323_PAWS);
            return false;
        }
        if (!sequenceOk(sk, skb.seq, skb.endSeq)) {
            if ((flags & (TcpHeader.RST | TcpHeader.SYN)) == TcpHeader.SYN && sk.state != TcpState.SYN_RECV) {
                // RFC 5961 4.2: a SYN is answered by a challenge ACK wherever its sequence
                // number falls (tcp_validate_incoming jumps to syn_challenge before the dup ACK).
                synChallenge(sk, skb, false);
                return false;
            }
            if ((flags & TcpHeader.RST) == 0) {
                sendDupAck(sk, skb, flags, TcpExtMib.TCPACKSkippedSeq);
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
            synChallenge(sk, skb, true);
            return false;
        }
        return true;
    }

    /**
     * {@code syn_challenge} of {@code tcp_validate_incoming} (RFC 5961 4.2): a SYN on a
     * synchronized connection never resets it; it draws a challenge ACK, so a real peer that
     * restarted sends a reset with the exact sequence number and a blind attacker learns
     * nothing. An in-window SYN is also an input error ({@code syn_inerr}).
     */
    private void synChallenge(TcpSock sk, PacketBuffer skb, boolean inWindow) {
        if (inWindow) {
            tcp.mib().inc(TcpMib.InErrs);
        }
        tcp.extMib().inc(TcpExtMib.TCPSYNChallenge);
        challengeAck(sk);
        drop(skb, DropReason.TCP_INVALID_SYN);
    }

    /**
     * {@code tcp_paws_discard}: the segment's TSval is older than ts_recent (RFC 7323 5.3),
     * unless ts_recent is more than 24 days old; resets are not subject to PAWS here.
     */
    private static boolean pawsReject(TcpSock sk, TcpOptions opt, int flags) {
        if ((flags & TcpHeader.RST) != 0) {
            return false;
        }
        if (sk.tsRecent - opt.tsVal <= PAWS_WINDOW) {
            return false;
        }
        return sk.nowUs() / 1_000_000 - sk.tsRecentStampSec <= Tcp.PAWS_24DAYS_SEC;
    }

    /** {@code TCP_PAWS_WINDOW}: a TSval one tick older than ts_recent is still accepted (reordering within a tick). */
    private static final int PAWS_WINDOW = 1;

    /**
     * {@code tcp_disordered_ack}: a reordered duplicate ACK (pure ACK at rcv_nxt acknowledging
     * snd_una, no window change) whose timestamp is within one RTO of ts_recent is not a PAWS
     * failure, only an old ACK that arrived late.
     */
    private static boolean disorderedAck(TcpSock sk, PacketBuffer skb, TcpOptions opt, int flags) {
        byte[] b = skb.array();
        int th = skb.transportHeader();
        return (flags & TcpHeader.ACK_FLAG) != 0 && skb.seq == skb.endSeq && skb.seq == sk.rcvNxt
                && TcpHeader.ack(b, th) == sk.sndUna && (TcpHeader.window(b, th) << sk.sndWscale) == sk.sndWnd
                && sk.tsRecent - opt.tsVal <= sk.rtoUs / 1000;
    }

    /** {@code tcp_sequence}: RFC 9293 3.10.7.4, the segment overlaps the receive window (zero-window rules included). */
    private static boolean sequenceOk(TcpSock sk, int seq, int endSeq) {
        int wndEnd = sk.rcvNxt + Math.max(0, sk.rcvWup + sk.rcvWnd - sk.rcvNxt);
        return !TcpHeader.before(endSeq, sk.rcvWup) && !TcpHeader.after(seq, wndEnd);
    }

    /**
     * A duplicate ACK for an unacceptable segment, rate limited by {@code tcp_invalid_ratelimit}
     * ({@code tcp_oow_rate_limited}) unless the segment carries data and no SYN: "Data packets
     * without SYNs are not likely part of an ACK loop", and the sender needs the answer.
     */
    private void sendDupAck(TcpSock sk, PacketBuffer skb, int flags, TcpExtMib skipped) {
        if (skb.seq != skb.endSeq && (flags & TcpHeader.SYN) == 0) {
            tcp.output().sendAck(sk);
            return;
        }
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
     * we are; first spaced by {@code tcp_invalid_ratelimit} like every out-of-window ACK of the
     * socket ({@code __tcp_oow_rate_limited}), then at most {@code tcp_challenge_ack_limit} per
     * second, counted per socket.
     */
    void challengeAck(TcpSock sk) {
        long now = sk.nowUs();
        if (sk.lastOowAckUs != 0 && now - sk.lastOowAckUs < tcp.invalidRatelimitMs * 1000L) {
            tcp.extMib().inc(TcpExtMib.TCPACKSkippedChallenge);
            return;
        }
        sk.lastOowAckUs = now;
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
            acks.ack(sk, skb, opt, flags, ack);
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
        sk.cw.nowUs = sk.nowUs();
        sk.cw.sndUna = sk.sndUna;
        sk.cw.sndNxt = sk.sndNxt;
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

    /**
     * {@code tcp_sync_mss}: the payload per segment for a path MTU. An MTU above 65535 (loopback
     * has 65536) counts as 65535, since a datagram cannot be longer. As Linux's
     * {@code tcp_mtu_to_mss}, the floor {@code tcp_min_snd_mss} (room for a full 40 bytes of
     * options and 8 of data, CVE-2019-11479) applies before the options every segment carries
     * are taken off, so with timestamps a tiny MSS or MTU leaves 36 bytes of data.
     */
    void syncMss(TcpSock sk, int pmtu) {
        int mss = Math.min(pmtu, 65535) - 40;
        mss = Math.min(mss, sk.mssClamp);
        mss = Math.max(mss, tcp.minSndMss);
        if (sk.tsOk) {
            mss -= 12;
        }
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
            acks.rttEstimator(sk, sk.nowUs() - sk.synackSentUs);
        }
        initTransfer(sk);
        sk.wake();
        if (sk.parent != null) {
            // The listener's sk_data_ready: a connection is ready to accept.
            sk.parent.wake();
        }
    }

    /**
     * {@code tcp_v4_mtu_reduced} + {@code tcp_simple_retransmit}: the path MTU fell (ICMP
     * frag-needed, already recorded on the route); segments now too big are marked lost and
     * sent again at the new size without a congestion response. The MTU is the route's, not
     * the message's, so an implausibly small one arrives raised to {@code min_pmtu} (552), and
     * {@link #syncMss} keeps the MSS at least {@code tcp_min_snd_mss}.
     */
    void mtuReduced(TcpSock sk) {
        if (sk.state == TcpState.LISTEN || sk.state == TcpState.CLOSE) {
            return;
        }
        int pmtu = routeMtu(sk);
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
