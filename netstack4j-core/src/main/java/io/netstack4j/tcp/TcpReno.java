package io.netstack4j.tcp;

/**
 * Reno/NewReno congestion avoidance ({@code tcp_reno_ops} in {@code tcp_cong.c}, RFC 5681):
 * slow start below ssthresh, one segment per window above it, half the window on loss. Its
 * slow-start and additive-increase steps are shared with CUBIC.
 */
final class TcpReno implements TcpCongestionOps {

    @Override
    public String name() {
        return "reno";
    }

    @Override
    public void init(CwndState s) {
    }

    @Override
    public int ssthresh(CwndState s) {
        return Math.max(s.sndCwnd >> 1, 2);
    }

    @Override
    public void congAvoid(CwndState s, int acked) {
        if (!s.cwndLimited) {
            return;
        }
        if (s.inSlowStart()) {
            acked = slowStart(s, acked);
            if (acked == 0) {
                return;
            }
        }
        congAvoidAi(s, s.sndCwnd, acked);
    }

    /** {@code tcp_slow_start} (RFC 5681 3.1): one segment per segment ACKed, up to ssthresh; returns the ACKs left over. */
    static int slowStart(CwndState s, int acked) {
        int cwnd = Math.min(s.sndCwnd + acked, s.sndSsthresh);
        acked -= cwnd - s.sndCwnd;
        s.setCwnd(cwnd);
        return acked;
    }

    /** {@code tcp_cong_avoid_ai}: one segment per {@code w} segments ACKed. */
    static void congAvoidAi(CwndState s, int w, int acked) {
        if (s.sndCwndCnt >= w) {
            s.sndCwndCnt = 0;
            s.setCwnd(s.sndCwnd + 1);
        }
        s.sndCwndCnt += acked;
        if (s.sndCwndCnt >= w) {
            int delta = s.sndCwndCnt / w;
            s.sndCwndCnt -= delta * w;
            s.setCwnd(s.sndCwnd + delta);
        }
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
        return Math.max(s.sndCwnd, s.priorCwnd);
    }
}
