package io.netstack4j.tcp;

import io.netstack4j.core.Errno;

/**
 * The per-socket timers ({@code net/ipv4/tcp_timer.c}): retransmission with exponential backoff
 * (RFC 6298), which also serves as the persist timer (zero-window probes), the tail loss probe
 * (RFC 8985 7) and RACK's reordering timer, as Linux multiplexes them on
 * {@code icsk_retransmit_timer}; the delayed ACK; and the keepalive timer, which also bounds
 * FIN_WAIT2 for an orphaned socket. Loop thread only.
 */
final class TcpTimers {

    private final Tcp tcp;

    TcpTimers(Tcp tcp) {
        this.tcp = tcp;
    }

    private void arm(TcpSock sk, int what, long delayUs) {
        sk.pending = what;
        tcp.ipv4().loop().schedule(sk.retransmitTimer, Math.max(1, delayUs) * 1000);
    }

    void clearXmitTimer(TcpSock sk) {
        sk.pending = TcpSock.TIMER_NONE;
        tcp.ipv4().loop().cancel(sk.retransmitTimer);
    }

    /** The current RTO with backoff, capped at 120 s ({@code inet_csk_rto_backoff}). */
    static long backedOffRto(TcpSock sk) {
        long rto = sk.rtoUs << Math.min(sk.backoff, 20);
        return Math.min(rto, Tcp.RTO_MAX_US);
    }

    /** {@code tcp_rearm_rto}: restarts the RTO from now, or stops it when nothing is outstanding. */
    void resetRetransmitTimer(TcpSock sk) {
        if (sk.packetsOut == 0) {
            clearXmitTimer(sk);
            return;
        }
        arm(sk, TcpSock.TIMER_RETRANS, backedOffRto(sk));
    }

    /**
     * After sending new data: a tail loss probe when RACK-TLP applies (SACK on, state Open, no
     * probe outstanding; RFC 8985 7.2: PTO = 2 SRTT, plus a delayed-ACK allowance when only one
     * segment is in flight, never after the RTO would fire), otherwise the RTO if not running.
     */
    void armAfterSend(TcpSock sk) {
        if (sk.pending == TcpSock.TIMER_RETRANS && sk.retransmitTimer.pending() && !tlpEligible(sk)) {
            return;
        }
        if (tlpEligible(sk)) {
            long srtt = sk.srttUs();
            long pto = srtt > 0 ? 2 * srtt : 1_000_000;
            if (sk.packetsOut == 1) {
                pto += Tcp.DELACK_MAX_US;
            }
            pto = Math.max(pto, 10_000);
            pto = Math.min(pto, backedOffRto(sk));
            arm(sk, TcpSock.TIMER_LOSS_PROBE, pto);
            return;
        }
        if (sk.pending != TcpSock.TIMER_RETRANS || !sk.retransmitTimer.pending()) {
            arm(sk, TcpSock.TIMER_RETRANS, backedOffRto(sk));
        }
    }

    private boolean tlpEligible(TcpSock sk) {
        return tcp.recovery != 0 && sk.sackOk && sk.caState == TcpCongestionOps.CaState.OPEN && !sk.tlpPending
                && sk.state == TcpState.ESTABLISHED && sk.packetsOut > 0 && sk.srttUs8 > 0;
    }

    /** {@code tcp_check_probe_timer}: arm the persist timer when data waits on a zero window. */
    void armProbe0(TcpSock sk) {
        if (sk.pending == TcpSock.TIMER_PROBE0 && sk.retransmitTimer.pending()) {
            return;
        }
        arm(sk, TcpSock.TIMER_PROBE0, backedOffRto(sk));
    }

    void armReoTimer(TcpSock sk, long delayUs) {
        arm(sk, TcpSock.TIMER_REO, delayUs);
    }

    /** {@code tcp_write_timer_handler}. */
    void retransmitTimerFired(TcpSock sk) {
        int what = sk.pending;
        sk.pending = TcpSock.TIMER_NONE;
        if (sk.state == TcpState.CLOSE || sk.state == TcpState.LISTEN) {
            return;
        }
        switch (what) {
            case TcpSock.TIMER_RETRANS -> retransmitTimer(sk);
            case TcpSock.TIMER_PROBE0 -> probeTimer(sk);
            case TcpSock.TIMER_LOSS_PROBE -> {
                tcp.output().sendLossProbe(sk);
                arm(sk, TcpSock.TIMER_RETRANS, backedOffRto(sk));
            }
            case TcpSock.TIMER_REO -> tcp.input().recovery().reoTimeout(sk);
            default -> {
            }
        }
    }

    /**
     * {@code tcp_retransmit_timer}: gives up after {@code tcp_syn_retries} (handshake) or
     * {@code tcp_retries2} attempts or the user timeout, with ETIMEDOUT (or the soft error an
     * ICMP message left); otherwise enters Loss, retransmits the head and backs off.
     */
    private void retransmitTimer(TcpSock sk) {
        if (sk.packetsOut == 0) {
            return;
        }
        if (writeTimeout(sk)) {
            return;
        }
        tcp.extMib().inc(TcpExtMib.TCPTimeouts);
        if (sk.state == TcpState.SYN_SENT || sk.state == TcpState.SYN_RECV) {
            tcp.output().retransmit(sk, 0);
        } else {
            tcp.input().recovery().enterLoss(sk);
            tcp.output().retransmit(sk, 0);
            sk.lostOut = Math.max(0, sk.lostOut);
        }
        sk.backoff++;
        sk.retransmits++;
        arm(sk, TcpSock.TIMER_RETRANS, clampRtoToUserTimeout(sk, backedOffRto(sk)));
    }

    /**
     * {@code tcp_clamp_rto_to_user_timeout}: with TCP_USER_TIMEOUT set, the next retransmission
     * timer fires no later than the moment the user timeout runs out, so the abort comes when
     * the application asked for it and not up to one backed-off RTO (up to 120 s) after.
     */
    private static long clampRtoToUserTimeout(TcpSock sk, long rtoUs) {
        boolean handshake = sk.state == TcpState.SYN_SENT || sk.state == TcpState.SYN_RECV;
        if (sk.userTimeoutMs <= 0 || handshake || sk.retransStampUs == 0) {
            return rtoUs;
        }
        long remainingUs = sk.userTimeoutMs * 1000L - (sk.nowUs() - sk.retransStampUs);
        return remainingUs <= 0 ? 1 : Math.min(rtoUs, remainingUs);
    }

    /** {@code tcp_write_timeout}: true when the connection was aborted. */
    private boolean writeTimeout(TcpSock sk) {
        long now = sk.nowUs();
        boolean handshake = sk.state == TcpState.SYN_SENT || sk.state == TcpState.SYN_RECV;
        int limit;
        if (handshake) {
            limit = sk.synRetries > 0 ? sk.synRetries : tcp.synRetries;
        } else if (sk.orphan) {
            limit = tcp.orphanRetries > 0 ? tcp.orphanRetries : 8;
            boolean alive = sk.rtoUs < Tcp.RTO_MAX_US;
            if (outOfResources(sk, alive || !retransmitsTimedOut(sk, limit, now))) {
                return true;
            }
        } else {
            limit = tcp.retries2;
        }
        boolean expired = handshake ? sk.retransmits >= limit : retransmitsTimedOut(sk, limit, now);
        if (!expired) {
            return false;
        }
        abort(sk, sk.skErrSoft != null ? sk.skErrSoft : Errno.ETIMEDOUT);
        tcp.extMib().inc(TcpExtMib.TCPAbortOnTimeout);
        return true;
    }

    /**
     * {@code retransmits_timed_out}: a synchronized connection gives up by time, not by count.
     * The time is TCP_USER_TIMEOUT when set, otherwise what {@code boundary} retransmissions
     * would take from a 200 ms RTO ({@link #modelTimeoutUs}), measured from the first
     * retransmission; so a connection whose RTO started higher retransmits fewer times
     * ({@code tcp_retries2} in ip-sysctl: "TCP will effectively time out at the first RTO which
     * exceeds the hypothetical timeout").
     */
    private static boolean retransmitsTimedOut(TcpSock sk, int boundary, long nowUs) {
        if (sk.retransmits == 0 || sk.retransStampUs == 0) {
            return false;
        }
        long timeoutUs = sk.userTimeoutMs > 0 ? sk.userTimeoutMs * 1000L : modelTimeoutUs(boundary, Tcp.RTO_MIN_US);
        return nowUs - sk.retransStampUs >= timeoutUs;
    }

    /**
     * {@code tcp_model_timeout}: the time {@code boundary} retransmissions take when the RTO
     * starts at {@code rtoBaseUs} and doubles up to TCP_RTO_MAX (120 s): for tcp_retries2 = 15,
     * (2^10 - 1) x 0.2 s + 6 x 120 s = 924.6 s.
     */
    static long modelTimeoutUs(int boundary, long rtoBaseUs) {
        int linear = 63 - Long.numberOfLeadingZeros(Tcp.RTO_MAX_US / rtoBaseUs);
        if (boundary <= linear) {
            return ((2L << boundary) - 1) * rtoBaseUs;
        }
        return ((2L << linear) - 1) * rtoBaseUs + (long) (boundary - linear) * Tcp.RTO_MAX_US;
    }

    /** {@code tcp_write_err}: reports {@code err} and closes the connection. */
    /**
     * {@code tcp_out_of_resources}: an orphan's timer asks {@link TcpMemory#checkOom}, counting
     * orphans double when it has sent nothing for 2 * TCP_RTO_MAX or is not to be reset, and
     * double again after an ICMP error; if memory or orphans are short it is dropped, with a reset
     * when it sent recently or the peer's window is shut with nothing in flight.
     */
    private boolean outOfResources(TcpSock sk, boolean doReset) {
        long now = sk.nowUs();
        int shift = 0;
        if (now - sk.lsndtimeUs > 2 * Tcp.RTO_MAX_US || !doReset) {
            shift++;
        }
        if (sk.skErrSoft != null) {
            shift++;
        }
        if (!tcp.memory().checkOom(sk, shift)) {
            return false;
        }
        if (doReset || now - sk.lsndtimeUs <= Tcp.TIMEWAIT_LEN_US || sk.sndWnd == 0 && sk.packetsOut == 0) {
            tcp.output().sendActiveReset(sk);
        }
        tcp.extMib().inc(TcpExtMib.TCPAbortOnMemory);
        tcp.input().done(sk);
        return true;
    }

    void abort(TcpSock sk, Errno err) {
        sk.skErr = err;
        if (sk.state == TcpState.SYN_SENT) {
            tcp.mib().inc(TcpMib.AttemptFails);
        }
        tcp.input().done(sk);
    }

    /**
     * {@code tcp_probe_timer}: the persist timer. Probes go on as long as the peer answers them
     * (RFC 9293 3.8.6.1 "MUST NOT close a connection because of a zero window"); unanswered
     * probes count against tcp_retries2; with TCP_USER_TIMEOUT the connection ends that long
     * after the first probe of a window that never opened, answered or not.
     */
    private void probeTimer(TcpSock sk) {
        if (sk.packetsOut > 0 || sk.sendQueue.tailSeq() == sk.sndNxt) {
            sk.probesOut = 0;
            sk.probesTstampUs = 0;
            return;
        }
        if (sk.orphan && outOfResources(sk, true)) {
            return;
        }
        long now = sk.nowUs();
        boolean userTimeout = false;
        if (sk.probesTstampUs == 0) {
            sk.probesTstampUs = now;
        } else {
            // Since Linux 5.11 the user timeout counts from the first probe, not from the last
            // ACK: a peer that answers every probe with a zero window cannot hold us forever.
            userTimeout = sk.userTimeoutMs > 0 && now - sk.probesTstampUs >= sk.userTimeoutMs * 1000L;
        }
        int limit = sk.orphan ? (tcp.orphanRetries > 0 ? tcp.orphanRetries : 8) : tcp.retries2;
        if (userTimeout || sk.probesOut >= limit) {
            abort(sk, sk.skErrSoft != null ? sk.skErrSoft : Errno.ETIMEDOUT);
            tcp.extMib().inc(TcpExtMib.TCPAbortOnTimeout);
            return;
        }
        tcp.output().writeWakeup(sk);
        tcp.extMib().inc(TcpExtMib.TCPWinProbe);
        if (sk.packetsOut > 0) {
            // tcp_send_probe0: the probe carried new data, so the window is open and the RTO
            // (armed when it left, restarted here without the persist backoff) takes over.
            sk.probesOut = 0;
            sk.probesTstampUs = 0;
            sk.backoff = 0;
            resetRetransmitTimer(sk);
            return;
        }
        sk.probesOut++;
        sk.backoff++;
        arm(sk, TcpSock.TIMER_PROBE0, backedOffRto(sk));
    }

    /** {@code tcp_delack_timer_handler}: sends the pending ACK and leaves interactive mode. */
    void delackTimerFired(TcpSock sk) {
        if (!sk.ackPending || sk.state == TcpState.CLOSE || sk.state == TcpState.LISTEN) {
            return;
        }
        if (sk.pingpong) {
            sk.atoUs = Math.min(sk.atoUs << 1, sk.rtoUs);
        } else {
            sk.pingpong = false;
            sk.atoUs = Tcp.ATO_MIN_US;
        }
        tcp.extMib().inc(TcpExtMib.DelayedACKs);
        tcp.output().sendAck(sk);
    }

    /**
     * An orphan reached FIN_WAIT2: it may wait {@code tcp_fin_timeout} for the peer's FIN in
     * all. As {@code tcp_rcv_state_process} does, the full socket stays for what exceeds
     * TCP_TIMEWAIT_LEN and a FIN_WAIT2 mini-socket holds the rest (at most 60 s).
     */
    void armFinWait2(TcpSock sk) {
        resetKeepalive(sk, Math.max(0, tcp.finTimeout * 1_000_000L - Tcp.TIMEWAIT_LEN_US));
    }

    /** (Re)arms the keepalive timer for {@code sk} ({@code inet_csk_reset_keepalive_timer}). */
    void resetKeepalive(TcpSock sk, long delayUs) {
        if (sk.keepaliveTimer == null) {
            sk.keepaliveTimer = new TcpSockTimer(sk, TcpSockTimer.KEEPALIVE);
        }
        tcp.ipv4().loop().schedule(sk.keepaliveTimer, Math.max(1, delayUs) * 1000);
    }

    /** {@code inet_csk_delete_keepalive_timer}. */
    void cancelKeepalive(TcpSock sk) {
        if (sk.keepaliveTimer != null) {
            tcp.ipv4().loop().cancel(sk.keepaliveTimer);
        }
    }

    /**
     * {@code tcp_keepalive_timer}: for an orphan in FIN_WAIT2, the move to a FIN_WAIT2
     * mini-socket for the rest of {@code tcp_fin_timeout};
     * otherwise, with SO_KEEPALIVE on a synchronized connection, a probe after
     * TCP_KEEPIDLE of silence, then every TCP_KEEPINTVL, and a reset and ETIMEDOUT after
     * TCP_KEEPCNT unanswered ones. As in Linux this goes on after the application's own FIN
     * (FIN_WAIT1/2, CLOSING, LAST_ACK) — only CLOSE and SYN_SENT stop it — so a half-closed
     * connection whose peer vanished (its host gave up during a link outage and kept no state)
     * learns it from the peer's reset instead of waiting for data forever.
     */
    void keepaliveTimerFired(TcpSock sk) {
        if (sk.state == TcpState.FIN_WAIT2 && sk.orphan) {
            tcp.minisocks().timeWait(sk, TcpState.FIN_WAIT2, Math.min(tcp.finTimeout * 1_000_000L, Tcp.TIMEWAIT_LEN_US));
            return;
        }
        if (!sk.keepaliveOn || sk.state == TcpState.CLOSE || sk.state == TcpState.SYN_SENT || sk.state == TcpState.LISTEN) {
            return;
        }
        long now = sk.nowUs();
        long idle = now - Math.max(sk.lastRecvUs, sk.lastAckRecvUs);
        long keepIdle = sk.keepIdleSec * 1_000_000L;
        // tcp_write_queue_empty is write_seq == snd_nxt: a FIN sent counts as sent (the send
        // queue's tail is the data's end, one short of snd_nxt once the FIN is out).
        if (sk.packetsOut > 0 || sk.writeSeq != sk.sndNxt) {
            resetKeepalive(sk, keepIdle);
            return;
        }
        if (idle >= keepIdle) {
            // With TCP_USER_TIMEOUT set it alone decides, not TCP_KEEPCNT (as tcp_keepalive_timer).
            boolean dead = sk.userTimeoutMs > 0 ? idle >= sk.userTimeoutMs * 1000L && sk.probesOut > 0 : sk.probesOut >= sk.keepCnt;
            if (dead) {
                // tcp_keepalive_timer: tcp_send_active_reset, then tcp_write_err; a peer that is
                // only unreachable one way learns the connection is gone.
                tcp.output().sendActiveReset(sk);
                abort(sk, Errno.ETIMEDOUT);
                tcp.extMib().inc(TcpExtMib.TCPAbortOnTimeout);
                return;
            }
            tcp.output().writeWakeup(sk);
            tcp.extMib().inc(TcpExtMib.TCPKeepAlive);
            sk.probesOut++;
            resetKeepalive(sk, sk.keepIntvlSec * 1_000_000L);
        } else {
            resetKeepalive(sk, keepIdle - idle);
        }
    }
}
