package io.netstack4j.tcp;

/**
 * The part of a TCP socket that congestion control reads and writes ({@code snd_cwnd},
 * {@code snd_ssthresh}, {@code snd_cwnd_cnt} and the figures the algorithms look at), so an
 * algorithm depends on this small record of numbers and not on the whole socket. Owned by one
 * socket; loop thread only. Windows are in segments, as in Linux.
 */
public final class CwndState {

    /** {@code TCP_INFINITE_SSTHRESH}. */
    public static final int INFINITE_SSTHRESH = 0x7fffffff;
    /** RFC 6928: the initial window, 10 segments ({@code TCP_INIT_CWND}). */
    public static final int INIT_CWND = 10;

    /** {@code snd_cwnd}, in segments; never below 1. */
    public int sndCwnd = INIT_CWND;
    /** {@code snd_ssthresh}, in segments. */
    public int sndSsthresh = INFINITE_SSTHRESH;
    /** {@code snd_cwnd_cnt}: ACKed segments counted towards the next increase in congestion avoidance. */
    public int sndCwndCnt;
    /** {@code snd_cwnd_clamp}: the largest window allowed. */
    public int sndCwndClamp = 0x7fffffff;
    /** {@code is_cwnd_limited}: the sender used the whole window in the current flight (kept by {@code tcp_cwnd_validate}). */
    public boolean cwndLimited;
    /** {@code max_packets_out}: the most segments outstanding in the current flight, while not cwnd-limited. */
    public int maxPacketsOut;
    /** {@code cwnd_usage_seq}: the flight the two fields above describe ends when snd_una reaches it. */
    public int cwndUsageSeq;
    /** Segments sent and not yet ACKed or marked lost ({@code tcp_packets_in_flight}). */
    public int packetsInFlight;
    /** The sender MSS in bytes ({@code mss_cache}). */
    public int mss = 536;
    /** Smoothed RTT in microseconds ({@code srtt_us >> 3}); 0 before the first sample. */
    public long srttUs;
    /** The lowest RTT seen recently, in microseconds ({@code tcp_min_rtt}); 0 before the first sample. */
    public long minRttUs;
    /** The loop's clock in microseconds when the current event began ({@code tcp_mstamp}). */
    public long nowUs;
    /** {@code snd_una} and {@code snd_nxt}: HyStart's round tracking needs them. */
    public int sndUna;
    public int sndNxt;
    /** {@code prior_cwnd}: the window before the last reduction, for undo. */
    public int priorCwnd;
    /** {@code prior_ssthresh}: the slow-start threshold before the last reduction, for undo. */
    public int priorSsthresh;

    /** {@code tcp_in_slow_start}. */
    public boolean inSlowStart() {
        return sndCwnd < sndSsthresh;
    }

    /**
     * {@code tcp_is_cwnd_limited}: may the window grow? Yes if the sender filled it; in slow
     * start also while it is below twice what was outstanding, so a sender in loss recovery,
     * whose retransmissions are sent one flight at a time with many segments still out,
     * opens its window again as the ACKs come in.
     */
    public boolean isCwndLimited() {
        if (cwndLimited) {
            return true;
        }
        return inSlowStart() && sndCwnd < 2 * maxPacketsOut;
    }

    /** {@code tcp_snd_cwnd_set}: keeps the window at least 1 and at most the clamp. */
    public void setCwnd(int cwnd) {
        sndCwnd = Math.max(1, Math.min(cwnd, sndCwndClamp));
    }
}
