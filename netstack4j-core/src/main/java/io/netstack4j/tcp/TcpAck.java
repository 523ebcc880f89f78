package io.netstack4j.tcp;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.SockMem;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;

/**
 * ACK processing ({@code tcp_ack} in {@code tcp_input.c}): the acceptability checks of RFC 9293
 * 3.10.7.4 and RFC 5961 5.2, the send-window update, SACK tagging, removing what was ACKed
 * ({@code tcp_clean_rtx_queue}), RTT estimation (RFC 6298, Karn; RFC 7323 timestamps) and
 * send-buffer autotuning, handing loss recovery and congestion control to {@link TcpRecovery}.
 * Loop thread only.
 */
final class TcpAck {

    private final Tcp tcp;
    private final TcpInput input;
    private final TcpRecovery recovery;

    TcpAck(Tcp tcp, TcpInput input, TcpRecovery recovery) {
        this.tcp = tcp;
        this.input = input;
        this.recovery = recovery;
    }

    /**
     * {@code tcp_ack}: RFC 9293 3.10.7.4 fifth. An ACK of unsent data is answered and dropped; an
     * ACK older than the window allows draws a challenge ACK (RFC 5961 5.2). Otherwise updates
     * the send window, the SACK scoreboard, removes what was ACKed, samples RTT and runs loss
     * recovery and congestion control. Returns false when the segment was consumed.
     */
    boolean ack(TcpSock sk, PacketBuffer skb, TcpOptions opt, int flags, int ack) {
        if (TcpHeader.after(ack, sk.sndNxt)) {
            input.challengeAck(sk);
            input.drop(skb, DropReason.TCP_ACK_UNSENT_DATA);
            return false;
        }
        if (TcpHeader.before(ack, sk.sndUna - sk.maxWindow)) {
            input.challengeAck(sk);
            input.drop(skb, DropReason.TCP_TOO_OLD_ACK);
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
        // tcp_may_update_window (RFC 9293 3.10.7.4: SND.WL1/SND.WL2 rule); from the same
        // sequence number only a larger window or a zero one (a receiver that shrank to zero).
        if (TcpHeader.after(ack, priorUna) || TcpHeader.after(skb.seq, sk.sndWl1)
                || skb.seq == sk.sndWl1 && (nwin > sk.sndWnd || nwin == 0)) {
            boolean wasZero = sk.sndWnd == 0;
            sk.sndWnd = nwin;
            sk.sndWl1 = skb.seq;
            sk.maxWindow = Math.max(sk.maxWindow, nwin);
            if (wasZero && nwin > 0) {
                sk.probesOut = 0;
                sk.probesTstampUs = 0;
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
            sk.memoryWait = false;
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
     * {@code tcp_wmem[2]}; not while the namespace is short of TCP memory.
     */
    private void sndbufExpand(TcpSock sk) {
        // tcp_should_expand_sndbuf: not while TCP memory is short in the namespace.
        if (sk.userSndbuf || sk.caState != TcpCongestionOps.CaState.OPEN || tcp.memory().shortOfMemory()) {
            return;
        }
        long need = 2L * Math.max(sk.cw.sndCwnd, sk.reordering + 1) * (sk.mssCache + SockMem.SKB_OVERHEAD);
        if (need > sk.sndbuf) {
            sk.sndbuf = (int) Math.min(need, tcp.wmem[2]);
        }
    }

    /**
     * {@code tcp_clean_rtx_queue}: drops the records ACKed up to {@code ack}, trimming a partly
     * ACKed head. The RTT sample comes from the newest segment never retransmitted (Karn) and
     * not SACKed before (it arrived when it was SACKed), or else from the echoed timestamp (RFC
     * 7323 4.1), as {@code tcp_clean_rtx_queue} and {@code tcp_ack_update_rtt} take it. Returns (rttUs << 32) | packets ACKed, rttUs -1
     * when there is no sample.
     */
    private long cleanRtxQueue(TcpSock sk, int ack, TcpOptions opt) {
        long now = sk.nowUs();
        int acked = 0;
        long seqRtt = -1;
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
            // Karn; and a segment SACKed earlier arrived then, not now: its age is no round trip.
            if ((s.sacked & (TxSeg.EVER_RETRANS | TxSeg.SACKED)) == 0) {
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
        if (seqRtt < 0 && acked > 0 && sk.tsOk && opt.sawTstamp && opt.tsEcr != 0) {
            seqRtt = (long) (sk.tsNow() - opt.tsEcr) * 1000;
            if (seqRtt < 0) {
                seqRtt = -1;
            }
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

}
