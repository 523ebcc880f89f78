package io.netstack4j.tcp;

/**
 * CUBIC ({@code tcp_cubic.c}, RFC 9438): after a loss the window follows
 * W(t) = C (t - K)^3 + W_max with C = 0.4 and beta = 0.7, concave up to the previous maximum and
 * convex beyond it, never slower than Reno would be (the TCP-friendly region, RFC 9438 4.3);
 * fast convergence (4.7) lowers W_max when losses come below it. HyStart (delay increase
 * detection, as Linux's {@code hystart_update}) leaves slow start before the queue overflows.
 */
final class TcpCubic implements TcpCongestionOps {

    private static final double C = 0.4;
    private static final double BETA = 717.0 / 1024;
    private static final int HYSTART_LOW_WINDOW = 16;
    private static final int HYSTART_MIN_SAMPLES = 8;
    private static final long HYSTART_DELAY_MIN_US = 4000;
    private static final long HYSTART_DELAY_MAX_US = 16000;

    private double wMax;
    private double k;
    private long epochStartUs;
    private double originPoint;
    private double wEst;
    private long delayMinUs;
    private boolean found;
    private int endSeq;
    private long roundStartUs;
    private long currRttUs;
    private int sampleCnt;
    private int cnt;

    @Override
    public String name() {
        return "cubic";
    }

    @Override
    public void init(CwndState s) {
        reset();
        hystartReset(s);
    }

    private void reset() {
        wMax = 0;
        k = 0;
        epochStartUs = 0;
        originPoint = 0;
        wEst = 0;
        delayMinUs = 0;
        found = false;
        cnt = 0;
    }

    private void hystartReset(CwndState s) {
        roundStartUs = s.nowUs;
        endSeq = s.sndNxt;
        currRttUs = Long.MAX_VALUE;
        sampleCnt = 0;
    }

    @Override
    public int ssthresh(CwndState s) {
        epochStartUs = 0;
        // Fast convergence (RFC 9438 4.7): a loss below the last maximum releases bandwidth.
        if (s.sndCwnd < wMax) {
            wMax = s.sndCwnd * (1 + BETA) / 2;
        } else {
            wMax = s.sndCwnd;
        }
        return Math.max((int) (s.sndCwnd * BETA), 2);
    }

    @Override
    public void congAvoid(CwndState s, int acked) {
        if (!s.cwndLimited) {
            return;
        }
        if (s.inSlowStart()) {
            acked = TcpReno.slowStart(s, acked);
            if (acked == 0) {
                return;
            }
        }
        update(s, acked);
        TcpReno.congAvoidAi(s, cnt, acked);
    }

    /** {@code bictcp_update}: how many ACKed segments make the window grow by one ({@code cnt}). */
    private void update(CwndState s, int acked) {
        long now = s.nowUs;
        int cwnd = s.sndCwnd;
        if (epochStartUs == 0) {
            epochStartUs = now;
            if (cwnd < wMax) {
                k = Math.cbrt((wMax - cwnd) / C);
                originPoint = wMax;
            } else {
                k = 0;
                originPoint = cwnd;
            }
            wEst = cwnd;
        }
        double t = (now - epochStartUs + delayMinUs) / 1e6;
        double target = originPoint + C * Math.pow(t - k, 3);
        if (target > cwnd) {
            cnt = (int) Math.max(1, cwnd / (target - cwnd));
        } else {
            cnt = 100 * cwnd;
        }
        if (wMax == 0 && cnt > 20) {
            cnt = 20;
        }
        // TCP-friendly region (RFC 9438 4.3): W_est grows as Reno with the same average rate.
        double alpha = 3 * (1 - BETA) / (1 + BETA);
        wEst += alpha * acked / cwnd;
        if (wEst > cwnd) {
            int maxCnt = (int) Math.max(1, cwnd / (wEst - cwnd));
            cnt = Math.min(cnt, maxCnt);
        }
        cnt = Math.max(cnt, 2);
    }

    @Override
    public void setState(CwndState s, CaState newState) {
        if (newState == CaState.LOSS) {
            reset();
            hystartReset(s);
        }
    }

    @Override
    public void cwndEvent(CwndState s, CaEvent event) {
        if (event == CaEvent.TX_START && epochStartUs != 0) {
            // Idle time must not count as growth time (Linux cubictcp_cwnd_event).
            long idle = s.nowUs - epochStartUs;
            if (idle > 0 && s.srttUs > 0 && idle > s.srttUs) {
                epochStartUs += idle - s.srttUs;
            }
        }
    }

    @Override
    public void pktsAcked(CwndState s, int acked, long rttUs) {
        if (rttUs <= 0) {
            return;
        }
        if (delayMinUs == 0 || rttUs < delayMinUs) {
            delayMinUs = rttUs;
        }
        if (!found && s.inSlowStart() && s.sndCwnd >= HYSTART_LOW_WINDOW) {
            hystartUpdate(s, rttUs);
        }
    }

    /** {@code hystart_update}, delay detection: the round's minimum RTT rose by more than clamp(minRTT/8, 4, 16 ms). */
    private void hystartUpdate(CwndState s, long rttUs) {
        if (s.sndUna - endSeq > 0) {
            hystartReset(s);
        }
        if (sampleCnt < HYSTART_MIN_SAMPLES) {
            currRttUs = Math.min(currRttUs, rttUs);
            sampleCnt++;
            return;
        }
        long thresh = Math.max(HYSTART_DELAY_MIN_US, Math.min(delayMinUs >> 3, HYSTART_DELAY_MAX_US));
        if (currRttUs != Long.MAX_VALUE && currRttUs > delayMinUs + thresh) {
            found = true;
            s.sndSsthresh = s.sndCwnd;
        }
    }

    @Override
    public int undoCwnd(CwndState s) {
        return Math.max(s.sndCwnd, s.priorCwnd);
    }
}
