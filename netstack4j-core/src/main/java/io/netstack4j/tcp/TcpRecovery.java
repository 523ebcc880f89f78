package io.netstack4j.tcp;

import io.netstack4j.core.SockMem;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;

/**
 * Loss detection and recovery: the SACK scoreboard ({@code tcp_sacktag_write_queue}, RFC 2018,
 * D-SACK per RFC 2883), RACK-TLP (RFC 8985, {@code tcp_recovery.c}) as the default loss detector
 * with the duplicate-ACK threshold for peers without SACK (NewReno, RFC 6582), the congestion
 * state machine ({@code tcp_fastretrans_alert}) with Proportional Rate Reduction (RFC 6937),
 * Loss after an RTO ({@code tcp_enter_loss}) and undo of spurious reductions by D-SACK or
 * timestamps (RFC 3522 Eifel detection). Loop thread only.
 */
final class TcpRecovery {

    /** Set in {@link #sacktag}'s result when the ACK carried a D-SACK block. */
    static final int FLAG_DSACK = 1 << 16;

    private final Tcp tcp;

    TcpRecovery(Tcp tcp) {
        this.tcp = tcp;
    }

    // ---- SACK scoreboard ----

    /**
     * Marks the SACKed records. Each block is validated ({@code tcp_is_sackblock_valid}: inside
     * [snd_una, snd_nxt], or a D-SACK below snd_una) and located by binary search, splitting at
     * most the two edge records, so the work per ACK is bounded by the blocks, not the queue.
     * Returns the number of records newly SACKed, with {@link #FLAG_DSACK}.
     */
    int sacktag(TcpSock sk, TcpOptions opt, int ack) {
        int n = opt.numSacks;
        int first = 0;
        int result = 0;
        int s0 = opt.sackStart[0];
        int e0 = opt.sackEnd[0];
        boolean dsack = TcpHeader.before(s0, ack) || n > 1 && !TcpHeader.after(e0, opt.sackEnd[1]) && !TcpHeader.before(s0, opt.sackStart[1]);
        if (dsack) {
            result |= FLAG_DSACK;
            first = 1;
            sk.dsackDups++;
            // RFC 8985 6.2 step 4: a D-SACK means a retransmission was spurious; widen the
            // reordering window (at most once per round trip), up to the SRTT.
            long now = sk.nowUs();
            if (sk.reoWndMult < 8 && now - sk.reoWndStampUs > (sk.srttUs8 >> 3)) {
                sk.reoWndMult++;
                sk.reoWndStampUs = now;
                sk.reoWndPersist = 16;
            }
            sk.reordSeen = true;
            tcp.extMib().inc(TcpHeader.before(s0, ack) ? TcpExtMib.TCPDSACKRecv : TcpExtMib.TCPDSACKOfoRecv);
            if (sk.undoRetrans > 0 && !TcpHeader.before(s0, sk.undoMarker)) {
                sk.undoRetrans--;
            } else if (sk.undoRetrans < 0) {
                tcp.extMib().inc(TcpExtMib.TCPDSACKIgnoredNoUndo);
            }
        }
        int newly = 0;
        for (int k = first; k < n; k++) {
            int start = opt.sackStart[k];
            int end = opt.sackEnd[k];
            if (!TcpHeader.after(end, start) || TcpHeader.after(end, sk.sndNxt) || TcpHeader.before(start, ack)
                    || end - start > sk.maxWindow + 65536 * 2) {
                if (k > 0 || !dsack) {
                    tcp.extMib().inc(TcpExtMib.TCPSACKDiscard);
                }
                continue;
            }
            newly += tagRange(sk, start, end);
        }
        return result | Math.min(newly, 0xffff);
    }

    /**
     * Marks the records inside [start, end) SACKed. A record the block covers only in part is
     * split first, as {@code tcp_match_skb_to_sack}: only a record of more than one MSS, and
     * only at whole MSSes from its start, so a record of one segment is never cut and a peer
     * SACKing single bytes (CVE-2019-11478) gets nothing split; a part smaller than an MSS
     * stays un-SACKed until a block covers the whole record.
     */
    private int tagRange(TcpSock sk, int start, int end) {
        int i = sk.rtx.indexAfter(start);
        int newly = 0;
        int mss = Math.max(1, sk.mssCache);
        while (i < sk.rtx.size()) {
            TxSeg s = sk.rtx.get(i);
            if (!TcpHeader.before(s.seq, end)) {
                break;
            }
            if ((s.sacked & TxSeg.SACKED) != 0) {
                i++;
                continue;
            }
            if (TcpHeader.before(s.seq, start)) {
                // The block starts inside: keep the head up to the first MSS boundary at or after start.
                int cut = roundUp(start - s.seq, mss);
                if (s.dataLen() > mss && cut < s.dataLen()) {
                    split(sk, i, s.seq + cut);
                }
                i++;
                continue;
            }
            if (TcpHeader.after(s.endSeq, end)) {
                // The block ends inside: SACK the whole MSSes it covers, if any.
                int covered = (end - s.seq) / mss * mss;
                if (s.dataLen() <= mss || covered == 0 || covered >= s.dataLen() || !split(sk, i, s.seq + covered)) {
                    break;
                }
                s = sk.rtx.get(i);
            }
            markSacked(sk, s);
            newly++;
            i++;
        }
        return newly;
    }

    private static int roundUp(int len, int mss) {
        return Math.max(mss, (len + mss - 1) / mss * mss);
    }

    /**
     * {@code tcp_fragment} for a SACK block that ends inside a record. Refused (TCPWqueueTooBig)
     * once the socket's send memory passes twice its send buffer plus room for two 64 KiB
     * segments, except for the first and last record (CVE-2019-11478: a peer SACKing tiny
     * pieces must not split the queue without bound; an honest peer's blocks end where
     * segments end, so they never get here that often).
     */
    private boolean split(TcpSock sk, int i, int at) {
        long limit = (long) sk.sndbuf + FRAG_ALLOWANCE;
        if (i != 0 && i != sk.rtx.size() - 1 && sk.wmemQueued() / 2 > limit) {
            tcp.extMib().inc(TcpExtMib.TCPWqueueTooBig);
            return false;
        }
        if (!TcpOutput.fragment(sk, i, at)) {
            tcp.extMib().inc(TcpExtMib.TCPWqueueTooBig);
            return false;
        }
        return true;
    }

    /** {@code 2 * SKB_TRUESIZE(GSO_LEGACY_MAX_SIZE)}: the slack Linux grants above SO_SNDBUF before refusing a split. */
    static final int FRAG_ALLOWANCE = 2 * (65536 + SockMem.SKB_OVERHEAD);

    private void markSacked(TcpSock sk, TxSeg s) {
        if ((s.sacked & TxSeg.LOST) != 0) {
            sk.lostOut--;
        }
        if ((s.sacked & TxSeg.RETRANS) != 0) {
            sk.retransOut--;
        }
        if ((s.sacked & TxSeg.EVER_RETRANS) == 0 && TcpHeader.before(s.endSeq, sk.highSacked) && sk.highSacked != 0) {
            // tcp_check_sack_reordering: a never-retransmitted segment SACKed below one SACKed before.
            if (!sk.reordSeen) {
                tcp.extMib().inc(TcpExtMib.TCPSACKReorder);
            }
            sk.reordSeen = true;
            sk.reordSeenCount++;
        }
        if (sk.highSacked == 0 || TcpHeader.after(s.endSeq, sk.highSacked)) {
            sk.highSacked = s.endSeq;
        }
        s.sacked = (s.sacked & ~(TxSeg.LOST | TxSeg.RETRANS)) | TxSeg.SACKED;
        sk.sackedOut++;
        rackAdvance(sk, s);
        rateDelivered(sk, s);
    }

    // ---- RACK ----

    /**
     * {@code tcp_rack_advance} (RFC 8985 6.2 step 2): remembers the most recently sent segment
     * known delivered. A retransmitted segment ACKed sooner than the minimum RTT is ignored: the
     * ACK was probably for the original.
     */
    void rackAdvance(TcpSock sk, TxSeg s) {
        long now = sk.nowUs();
        long rtt = now - s.xmitUs;
        if ((s.sacked & TxSeg.EVER_RETRANS) != 0 && sk.minRttUs > 0 && rtt < sk.minRttUs) {
            return;
        }
        if (s.xmitUs > sk.rackMstampUs || s.xmitUs == sk.rackMstampUs && TcpHeader.after(s.endSeq, sk.rackEndSeq)) {
            sk.rackMstampUs = s.xmitUs;
            sk.rackEndSeq = s.endSeq;
            sk.rackRttUs = rtt;
        }
    }

    /** RFC 8985 6.2 step 4: the reordering window. */
    private long reoWnd(TcpSock sk) {
        if (!sk.reordSeen && (sk.caState == TcpCongestionOps.CaState.RECOVERY || sk.caState == TcpCongestionOps.CaState.LOSS
                || sk.sackedOut >= sk.reordering)) {
            return 0;
        }
        long w = sk.reoWndMult * sk.minRttUs / 4;
        return sk.srttUs8 > 0 ? Math.min(w, sk.srttUs8 >> 3) : w;
    }

    /**
     * {@code tcp_rack_detect_loss} (RFC 8985 6.2 step 5): a segment sent before the most recently
     * delivered one, and outstanding longer than RACK.rtt + reo_wnd, is lost. Segments not yet
     * that old arm the reordering timer. Returns the number newly marked.
     */
    private int rackDetectLoss(TcpSock sk) {
        if (sk.rackMstampUs == 0) {
            return 0;
        }
        long now = sk.nowUs();
        long reo = reoWnd(sk);
        long wait = 0;
        int marked = 0;
        for (int i = 0; i < sk.rtx.size(); i++) {
            TxSeg s = sk.rtx.get(i);
            if (!TcpHeader.before(s.seq, sk.rackEndSeq)) {
                break;
            }
            if ((s.sacked & TxSeg.SACKED) != 0 || (s.sacked & (TxSeg.LOST | TxSeg.RETRANS)) == TxSeg.LOST) {
                continue;
            }
            boolean sentBefore = s.xmitUs < sk.rackMstampUs || s.xmitUs == sk.rackMstampUs && TcpHeader.before(s.endSeq, sk.rackEndSeq);
            if (!sentBefore) {
                continue;
            }
            long remaining = sk.rackRttUs + reo - (now - s.xmitUs);
            if (remaining <= 0) {
                markLost(sk, s);
                marked++;
            } else {
                wait = Math.max(wait, remaining);
            }
        }
        if (wait > 0) {
            tcp.timers().armReoTimer(sk, wait + 1000);
        }
        return marked;
    }

    private void markLost(TcpSock sk, TxSeg s) {
        if ((s.sacked & TxSeg.RETRANS) != 0) {
            s.sacked &= ~TxSeg.RETRANS;
            sk.retransOut--;
            tcp.extMib().inc(TcpExtMib.TCPLostRetransmit);
        }
        if ((s.sacked & TxSeg.LOST) == 0) {
            s.sacked |= TxSeg.LOST;
            sk.lostOut++;
            sk.lostTotal++;
        }
    }

    /** {@code tcp_rack_reo_timeout}: the reordering window passed; mark what is now lost and recover. */
    void reoTimeout(TcpSock sk) {
        int lost = rackDetectLoss(sk);
        if (lost > 0 && sk.caState.ordinal() < TcpCongestionOps.CaState.RECOVERY.ordinal()) {
            enterRecovery(sk);
        }
        tcp.output().xmitRetransmitQueue(sk);
        if (sk.pending == TcpSock.TIMER_NONE) {
            tcp.timers().resetRetransmitTimer(sk);
        }
    }

    // ---- delivery rate (tcp_rate.c) ----

    void rateDelivered(TcpSock sk, TxSeg s) {
        long now = sk.nowUs();
        if (s.deliveredUsAtSend == 0) {
            return;
        }
        long interval = Math.max(now - s.deliveredUsAtSend, s.xmitUs - s.firstTxUsAtSend);
        long pkts = sk.delivered + 1 - s.deliveredAtSend;
        if (interval > 0 && pkts > 0) {
            sk.deliveryRateBps = pkts * sk.mssCache * 1_000_000L / interval;
        }
        sk.deliveredUs = now;
        sk.firstTxUs = s.xmitUs;
    }

    // ---- the congestion state machine ----

    /**
     * {@code tcp_fastretrans_alert} and {@code tcp_cong_control}, after an ACK was processed.
     *
     * @param dupack the ACK advanced nothing and carried nothing (a classic duplicate ACK)
     */
    void onAck(TcpSock sk, int priorUna, int ack, int acked, int newlySacked, int priorInFlight, boolean dsack, TcpOptions opt, long rttUs) {
        CwndState cw = sk.cw;
        cw.nowUs = sk.nowUs();
        cw.sndUna = sk.sndUna;
        cw.sndNxt = sk.sndNxt;
        cw.packetsInFlight = sk.packetsInFlight();
        if (acked > 0) {
            sk.cc.pktsAcked(cw, acked, rttUs);
        }
        boolean advanced = TcpHeader.after(ack, priorUna);
        boolean dupack = !advanced && newlySacked == 0 && !dsack && sk.packetsOut > 0 && sk.dupAcks > 0;
        if (!sk.sackOk) {
            renoSacks(sk, acked, dupack);
        }
        int lostBefore = sk.lostOut;
        if (sk.sackOk && sk.sackedOut > 0 && tcp.recovery != 0) {
            rackDetectLoss(sk);
        }
        if (!sk.sackOk && sk.sackedOut >= sk.reordering) {
            markHeadLost(sk);
        }
        boolean newlyLost = sk.lostOut > lostBefore;
        switch (sk.caState) {
            case RECOVERY -> {
                if (!TcpHeader.before(sk.sndUna, sk.highSeq)) {
                    if (!tryUndo(sk, opt, TcpExtMib.TCPFullUndo)) {
                        endRecovery(sk);
                    }
                } else {
                    if (!sk.sackOk && advanced) {
                        markHeadLost(sk);
                    }
                    if (dsack && sk.undoRetrans == 0 && sk.undoMarker != 0) {
                        undo(sk, TcpExtMib.TCPDSACKUndo);
                    } else if (advanced && packetDelayed(sk, opt) && markReordering(sk) && sk.retransOut == 0) {
                        // tcp_try_undo_partial: the ACK echoes a timestamp from before our first
                        // retransmission and no retransmission is out, so the original filled the
                        // hole: the "loss" was reordering.
                        undo(sk, TcpExtMib.TCPPartialUndo);
                    } else {
                        prr(sk, acked + newlySacked, newlyLost || sk.lostOut > 0);
                    }
                }
            }
            case LOSS -> {
                if (advanced && tryUndo(sk, opt, TcpExtMib.TCPLossUndo)) {
                    tcp.extMib().inc(TcpExtMib.TCPSpuriousRTOs);
                } else if (!TcpHeader.before(sk.sndUna, sk.highSeq)) {
                    setCaState(sk, TcpCongestionOps.CaState.OPEN);
                    sk.undoRetrans = -1;
                } else if (acked > 0) {
                    sk.cc.congAvoid(cw, acked);
                }
            }
            default -> {
                if (sk.lostOut > 0) {
                    enterRecovery(sk);
                    prr(sk, acked + newlySacked, true);
                } else {
                    if (sk.sackedOut > 0 || dupack) {
                        setCaState(sk, TcpCongestionOps.CaState.DISORDER);
                    } else if (sk.caState == TcpCongestionOps.CaState.DISORDER) {
                        setCaState(sk, TcpCongestionOps.CaState.OPEN);
                    }
                    if (acked > 0) {
                        sk.cc.congAvoid(cw, acked);
                    }
                }
            }
        }
        if (advanced) {
            sk.dupAcks = 0;
        }
        tcp.output().xmitRetransmitQueue(sk);
    }

    /** {@code tcp_add_reno_sack}/{@code tcp_remove_reno_sacks}: duplicate ACKs stand in for SACKs. */
    private static void renoSacks(TcpSock sk, int acked, boolean dupack) {
        if (acked > 0) {
            sk.sackedOut = Math.max(0, sk.sackedOut - acked);
        }
        if (dupack) {
            sk.sackedOut = Math.min(sk.sackedOut + 1, Math.max(0, sk.packetsOut - 1));
        }
    }

    /** NewReno (RFC 6582): the first unacknowledged segment is lost. */
    private void markHeadLost(TcpSock sk) {
        TxSeg s = sk.rtx.first();
        if (s != null && (s.sacked & (TxSeg.LOST | TxSeg.SACKED)) == 0) {
            if ((s.sacked & TxSeg.RETRANS) != 0 && sk.caState == TcpCongestionOps.CaState.OPEN) {
                return;
            }
            markLost(sk, s);
        }
    }

    private void setCaState(TcpSock sk, TcpCongestionOps.CaState st) {
        if (sk.caState != st) {
            sk.cc.setState(sk.cw, st);
            sk.caState = st;
        }
    }

    /** {@code tcp_enter_recovery} + {@code tcp_init_cwnd_reduction} (RFC 6937 initialisation). */
    void enterRecovery(TcpSock sk) {
        tcp.extMib().inc(sk.sackOk ? TcpExtMib.TCPSackRecovery : TcpExtMib.TCPRenoRecovery);
        sk.priorSsthresh = currentSsthresh(sk);
        sk.priorCwnd = sk.cw.sndCwnd;
        sk.cw.priorCwnd = sk.priorCwnd;
        sk.cw.priorSsthresh = sk.priorSsthresh;
        sk.undoMarker = sk.sndUna;
        sk.undoRetrans = 0;
        sk.highSeq = sk.sndNxt;
        sk.prrDelivered = 0;
        sk.prrOut = 0;
        sk.cw.sndSsthresh = sk.cc.ssthresh(sk.cw);
        setCaState(sk, TcpCongestionOps.CaState.RECOVERY);
    }

    private static int currentSsthresh(TcpSock sk) {
        return sk.cw.sndSsthresh == CwndState.INFINITE_SSTHRESH ? sk.cw.sndSsthresh : Math.max(sk.cw.sndSsthresh, (sk.cw.sndCwnd >> 1) + (sk.cw.sndCwnd >> 2));
    }

    /**
     * {@code tcp_cwnd_reduction} (RFC 6937 3): while the pipe is above ssthresh, send in
     * proportion to what was delivered; below it, slow-start back up (PRR-SSRB).
     */
    private void prr(TcpSock sk, int delivered, boolean lossPending) {
        if (delivered <= 0 && !lossPending) {
            return;
        }
        sk.prrDelivered += delivered;
        int pipe = sk.packetsInFlight();
        int ssthresh = sk.cw.sndSsthresh;
        int sndcnt;
        if (pipe > ssthresh) {
            long dividend = (long) ssthresh * sk.prrDelivered + sk.priorCwnd - 1;
            sndcnt = (int) (dividend / Math.max(1, sk.priorCwnd)) - sk.prrOut;
        } else {
            sndcnt = Math.min(ssthresh - pipe, Math.max(sk.prrDelivered - sk.prrOut, delivered) + 1);
        }
        sndcnt = Math.max(sndcnt, sk.prrOut == 0 && lossPending ? 1 : 0);
        sk.cw.setCwnd(pipe + sndcnt);
    }

    /** {@code tcp_end_cwnd_reduction}: leave Recovery at ssthresh. */
    private void endRecovery(TcpSock sk) {
        // RFC 8985 6.2 step 4: after 16 recoveries without a D-SACK the window shrinks back.
        if (sk.reoWndPersist > 0 && --sk.reoWndPersist == 0) {
            sk.reoWndMult = 1;
        }
        if (sk.cw.sndSsthresh < CwndState.INFINITE_SSTHRESH) {
            sk.cw.setCwnd(sk.cw.sndSsthresh);
        }
        sk.undoRetrans = -1;
        setCaState(sk, TcpCongestionOps.CaState.OPEN);
        sk.cc.cwndEvent(sk.cw, TcpCongestionOps.CaEvent.COMPLETE_CWR);
    }

    /**
     * {@code tcp_may_undo}: every retransmission of the episode was D-SACKed (undo_retrans 0), or
     * the ACK echoes a timestamp older than the first retransmission (RFC 3522: the original
     * arrived, the retransmission was spurious).
     */
    private boolean tryUndo(TcpSock sk, TcpOptions opt, TcpExtMib counter) {
        if (sk.undoRetrans < 0) {
            return false;
        }
        if (sk.undoRetrans == 0 && sk.retransOut == 0 && sk.undoMarker != 0 && sk.totalRetrans > 0 || packetDelayed(sk, opt)) {
            undo(sk, counter);
            return true;
        }
        return false;
    }

    /** Notes that the path reorders ({@code tcp_check_sack_reordering}); always true, for use in a condition. */
    private boolean markReordering(TcpSock sk) {
        if (!sk.reordSeen) {
            tcp.extMib().inc(TcpExtMib.TCPTSReorder);
        }
        sk.reordSeen = true;
        return true;
    }

    /**
     * {@code tcp_packet_delayed} (RFC 3522): the ACK echoes a TSval older than the episode's first
     * retransmission, so what it acknowledges was the original transmission.
     */
    private static boolean packetDelayed(TcpSock sk, TcpOptions opt) {
        return sk.undoRetrans >= 0 && sk.tsOk && opt.sawTstamp && opt.tsEcr != 0 && sk.retransStampUs != 0
                && opt.tsEcr - sk.tsOffset - (int) (sk.retransStampUs / 1000) < 0;
    }

    /** {@code tcp_undo_cwnd_reduction}: restores the window and threshold from before the episode. */
    private void undo(TcpSock sk, TcpExtMib counter) {
        tcp.extMib().inc(counter);
        sk.cw.setCwnd(sk.cc.undoCwnd(sk.cw));
        if (sk.priorSsthresh > sk.cw.sndSsthresh) {
            sk.cw.sndSsthresh = sk.priorSsthresh;
        }
        for (int i = 0; i < sk.rtx.size(); i++) {
            TxSeg s = sk.rtx.get(i);
            if ((s.sacked & TxSeg.LOST) != 0) {
                s.sacked &= ~TxSeg.LOST;
            }
        }
        sk.lostOut = 0;
        sk.undoRetrans = -1;
        sk.undoMarker = 0;
        setCaState(sk, TcpCongestionOps.CaState.OPEN);
    }

    /**
     * {@code tcp_enter_loss} (RFC 5681 3.1 after an RTO): ssthresh from the algorithm, cwnd 1,
     * every segment not SACKed marked lost to be sent again in order.
     */
    void enterLoss(TcpSock sk) {
        if (sk.caState.ordinal() <= TcpCongestionOps.CaState.DISORDER.ordinal() || sk.caState == TcpCongestionOps.CaState.LOSS && sk.backoff == 0) {
            sk.priorSsthresh = currentSsthresh(sk);
            sk.priorCwnd = sk.cw.sndCwnd;
            sk.cw.priorCwnd = sk.priorCwnd;
            sk.cw.priorSsthresh = sk.priorSsthresh;
            sk.cw.sndSsthresh = sk.cc.ssthresh(sk.cw);
            sk.undoMarker = sk.sndUna;
            sk.undoRetrans = 0;
        } else if (sk.caState != TcpCongestionOps.CaState.LOSS) {
            sk.undoRetrans = Math.max(sk.undoRetrans, 0);
        }
        sk.cw.nowUs = sk.nowUs();
        sk.cw.sndUna = sk.sndUna;
        sk.cw.sndNxt = sk.sndNxt;
        sk.cc.cwndEvent(sk.cw, TcpCongestionOps.CaEvent.LOSS);
        for (int i = 0; i < sk.rtx.size(); i++) {
            TxSeg s = sk.rtx.get(i);
            if ((s.sacked & TxSeg.SACKED) != 0) {
                continue;
            }
            if ((s.sacked & TxSeg.RETRANS) != 0) {
                s.sacked &= ~TxSeg.RETRANS;
                sk.retransOut--;
            }
            if ((s.sacked & TxSeg.LOST) == 0) {
                s.sacked |= TxSeg.LOST;
                sk.lostOut++;
            }
        }
        sk.cw.setCwnd(sk.packetsInFlight() + 1);
        sk.cw.sndCwndCnt = 0;
        sk.highSeq = sk.sndNxt;
        sk.tlpPending = false;
        setCaState(sk, TcpCongestionOps.CaState.LOSS);
    }
}
