package io.netstack4j.tcp;

/**
 * Reno/NewReno ({@code tcp_reno_ops} in {@code net/ipv4/tcp_cong.c}, RFC 5681): slow start below
 * ssthresh, one segment per window of ACKed segments above it, half the window on loss. Reno keeps
 * no private state; its building blocks are public because other algorithms grow the window with
 * them, as Linux exports {@code tcp_slow_start}, {@code tcp_cong_avoid_ai} and
 * {@code tcp_reno_undo_cwnd}.
 */
public final class TcpReno implements TcpCongestionOps {

    /** Instances come from {@link TcpCongestion#create}. */
    TcpReno() {
    }

    @Override
    public String name() {
        return "reno";
    }

    /** Reno has no {@code init}: the socket's initial window and ssthresh stand. */
    @Override
    public void init(CwndState s) {
    }

    /** {@code tcp_reno_ssthresh}: RFC 5681 (4) halves the window, but never below 2 segments. */
    @Override
    public int ssthresh(CwndState s) {
        return Math.max(s.sndCwnd >>> 1, 2);
    }

    /** {@code tcp_reno_cong_avoid}. */
    @Override
    public void congAvoid(CwndState s, int acked) {
        // An application-limited sender has not proved that the larger window is usable.
        if (!s.isCwndLimited()) {
            return;
        }
        if (s.inSlowStart()) {
            acked = tcpSlowStart(s, acked);
            if (acked == 0) {
                return;
            }
        }
        tcpCongAvoidAi(s, s.sndCwnd, acked);
    }

    @Override
    public void setState(CwndState s, CaState newState) {
    }

    @Override
    public void cwndEvent(CwndState s, CaEvent event) {
    }

    @Override
    public void pktsAcked(CwndState s, int acked, long rttUs) {
    }

    @Override
    public int undoCwnd(CwndState s) {
        return tcpRenoUndoCwnd(s);
    }

    /**
     * {@code tcp_slow_start} (RFC 5681 3.1, with RFC 3465 byte counting in segments): the window
     * grows by one segment per segment ACKed, but not past ssthresh. Returns the ACKed segments
     * left over once ssthresh is reached, which the caller spends in congestion avoidance, so a
     * stretch ACK that crosses ssthresh is not lost.
     */
    public static int tcpSlowStart(CwndState s, int acked) {
        int cwnd = (int) Math.min((long) s.sndCwnd + acked, s.sndSsthresh);
        // The leftover is counted against ssthresh, not the clamp: segments above the clamp are
        // simply not usable, as in Linux.
        acked -= cwnd - s.sndCwnd;
        s.setCwnd(cwnd);
        return acked;
    }

    /**
     * {@code tcp_cong_avoid_ai}: additive increase of one segment per {@code w} segments ACKed,
     * counted in {@code sndCwndCnt}. Guarantees the window never passes the clamp.
     */
    public static void tcpCongAvoidAi(CwndState s, int w, int acked) {
        // Credits counted while w was larger (the algorithm just lowered w) would otherwise buy
        // several segments at once; spend them as a single segment instead.
        if (s.sndCwndCnt >= w) {
            s.sndCwndCnt = 0;
            s.setCwnd(s.sndCwnd + 1);
        }
        s.sndCwndCnt += acked;
        if (s.sndCwndCnt >= w) {
            // A stretch ACK may cover several windows' worth of w: grow by all of them, keep the rest.
            int delta = s.sndCwndCnt / w;
            s.sndCwndCnt -= delta * w;
            s.setCwnd(s.sndCwnd + delta);
        }
    }

    /**
     * {@code tcp_reno_undo_cwnd}: after a spurious reduction, return to the window held before it
     * (RFC 3522/RFC 5682 undo), or keep the current one if it has already grown past that.
     */
    public static int tcpRenoUndoCwnd(CwndState s) {
        return Math.max(s.sndCwnd, s.priorCwnd);
    }
}
