package io.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * CUBIC ({@code tcp_cubic.c}, RFC 9438) driven by a simulated ACK clock: each round trip the whole
 * flight is ACKed one segment at a time with the clock advancing, and each ACK makes the calls
 * {@code tcp_ack} makes ({@code pkts_acked}, then {@code cong_avoid}). Sequence numbers count
 * segments.
 */
class TcpCubicTest {

    private static final long T0_US = 10_000_000;
    private static final long RTT_100MS = 100_000;
    private static final double C = 0.4;
    private static final double BETA = 717.0 / 1024;

    /** One sender: its algorithm instance and window state. */
    private static final class Flow {
        final TcpCubic cubic;
        final CwndState s = new CwndState();

        Flow() {
            this(new TcpCubic());
        }

        Flow(TcpCubic cubic) {
            this.cubic = cubic;
        }

        /** The connection is established with {@code cwnd} segments just sent, at {@code T0_US}. */
        Flow slowStartAt(int cwnd) {
            s.nowUs = T0_US;
            s.sndUna = 1000;
            s.sndNxt = 1000;
            s.sndCwnd = cwnd;
            s.cwndLimited = true;
            cubic.init(s);
            s.sndNxt = s.sndUna + cwnd;
            return this;
        }

        /**
         * A loss at {@code wMax} in congestion avoidance on a path of {@code rttUs}; the window
         * is then what recovery leaves it at, ssthresh. Returns the time of the loss.
         */
        long lossAt(int wMax, long rttUs) {
            slowStartAt(wMax);
            s.sndSsthresh = wMax;
            cubic.pktsAcked(s, 1, rttUs);
            return reduce();
        }

        /** {@code tcp_enter_recovery} ... {@code tcp_end_cwnd_reduction}: the window drops to ssthresh. */
        long reduce() {
            int ssthresh = cubic.ssthresh(s);
            s.sndSsthresh = ssthresh;
            s.sndCwnd = ssthresh;
            s.sndNxt = s.sndUna + ssthresh;
            return s.nowUs;
        }

        /** One round trip: the flight is ACKed evenly spread over {@code rttUs}, the last ACK at its end. */
        void oneRtt(long rttUs) {
            long start = s.nowUs;
            int flight = s.sndNxt - s.sndUna;
            for (int i = 1; i <= flight; i++) {
                ack(rttUs, start + rttUs * i / flight);
            }
        }

        /** ACKs every segment in flight, {@code spacingUs} apart, each with an RTT sample of {@code rttUs}. */
        void ackRound(long rttUs, long spacingUs) {
            int flight = s.sndNxt - s.sndUna;
            for (int i = 0; i < flight; i++) {
                ack(rttUs, s.nowUs + spacingUs);
            }
        }

        /** The ACK of the oldest segment in flight arrives at {@code atUs}. */
        private void ack(long rttUs, long atUs) {
            s.nowUs = atUs;
            s.sndUna++;
            cubic.pktsAcked(s, 1, rttUs);
            cubic.congAvoid(s, 1);
            // The sender fills the window again.
            s.sndNxt = s.sndUna + s.sndCwnd;
        }

        /** Runs round trips until {@code seconds} after {@code since}; returns the window then. */
        int windowAt(long since, double seconds, long rttUs) {
            while (s.nowUs - since < seconds * 1e6) {
                oneRtt(rttUs);
            }
            return s.sndCwnd;
        }
    }

    /** RFC 9438 (1) and (2): W_cubic(t) = C (t - K)^3 + W_max, K = cbrt(W_max (1 - beta) / C). */
    private static double wCubic(double t, double wMax) {
        double k = Math.cbrt(wMax * (1 - BETA) / C);
        return C * Math.pow(t - k, 3) + wMax;
    }

    @Test
    void ssthreshIsBetaTimesTheWindowWithAFloorOfTwo() {
        Flow f = new Flow();
        f.s.sndCwnd = 100;
        assertEquals(70, f.cubic.ssthresh(f.s), "717/1024 of 100, rounded down as Linux does");
        f.s.sndCwnd = 1000;
        assertEquals(700, f.cubic.ssthresh(f.s));
        f.s.sndCwnd = 2;
        assertEquals(2, f.cubic.ssthresh(f.s));
    }

    @Test
    void afterALossTheWindowFollowsTheCubicCurve() {
        Flow f = new Flow();
        long loss = f.lossAt(100, RTT_100MS);
        assertEquals(70, f.s.sndCwnd);
        assertEquals(4.2, Math.cbrt(100 * (1 - BETA) / C), 0.05, "K");
        int[] perSecond = new int[10];
        perSecond[0] = f.s.sndCwnd;
        while (f.s.nowUs - loss < 9_000_000) {
            f.oneRtt(RTT_100MS);
            long sinceUs = f.s.nowUs - loss;
            double t = sinceUs / 1e6;
            assertEquals(wCubic(t, 100), f.s.sndCwnd, 2.0, "RFC 9438 W_cubic at t=" + t);
            if (sinceUs % 1_000_000 == 0) {
                perSecond[(int) (sinceUs / 1_000_000)] = f.s.sndCwnd;
            }
        }
        // Concave towards W_max: each second adds less than the one before.
        for (int i = 1; i < 4; i++) {
            assertTrue(perSecond[i] - perSecond[i - 1] > perSecond[i + 1] - perSecond[i], "concave in second " + i);
        }
        // The plateau: W_max is held around K, not passed.
        assertEquals(100, perSecond[4]);
        assertEquals(100, perSecond[5]);
        // Convex beyond K: each second adds more than the one before.
        for (int i = 6; i < 9; i++) {
            assertTrue(perSecond[i + 1] - perSecond[i] > perSecond[i] - perSecond[i - 1], "convex in second " + i);
        }
        assertTrue(perSecond[9] > 140, "probing well past the old maximum: " + perSecond[9]);
    }

    @Test
    void fastConvergenceAimsBelowALowerMaximum() {
        // Windows large enough that the cubic curve, not the Reno-friendly estimate, sets the pace.
        Flow f = new Flow();
        f.lossAt(1000, RTT_100MS);
        // A second loss at 800, below the last maximum of 1000: another flow took bandwidth.
        f.s.sndCwnd = 800;
        long loss = f.reduce();
        assertEquals(560, f.s.sndCwnd);
        // W_max became 800 (1 + beta) / 2 = 680, so the plateau is at 680, reached at K = cbrt(120 / C).
        double k = Math.cbrt((680 - 560) / C);
        int atK = f.windowAt(loss, k, RTT_100MS);
        assertEquals(680, atK, 3, "plateau at the lowered maximum");
        assertEquals(atK, f.windowAt(loss, k + 0.5, RTT_100MS), 3, "still on the plateau");

        // The same loss at 800 for a flow with no higher maximum behind it heads for 800.
        Flow first = new Flow();
        long firstLoss = first.lossAt(800, RTT_100MS);
        assertEquals(560, first.s.sndCwnd);
        int firstAtK = first.windowAt(firstLoss, k, RTT_100MS);
        assertTrue(firstAtK >= 790, "W_max kept at 800: " + firstAtK);
    }

    @Test
    void renoFriendlyRegionOnAShortPath() {
        // 1 ms RTT: the cubic curve would take K = 4.2 s to regain 30 segments, while a Reno flow
        // with the same average throughput (RFC 9438 4.3) gains alpha_cubic per RTT, 2000 times in 2 s.
        long rtt = 1_000;
        Flow f = new Flow();
        long loss = f.lossAt(100, rtt);
        int cwnd = f.windowAt(loss, 2.0, rtt);
        double alpha = 3 * (1 - BETA) / (1 + BETA);
        double wEst = 70 + alpha * (2.0e6 / rtt);
        assertTrue(cwnd >= 0.95 * wEst, "at least the Reno-friendly estimate " + wEst + ": " + cwnd);
        assertTrue(cwnd <= 1.05 * wEst, "no faster than it either: " + cwnd);
        assertTrue(cwnd > 10 * wCubic(2.0, 100), "far above the cubic curve");
    }

    @Test
    void windowDoesNotJumpAfterIdle() {
        Flow paused = new Flow();
        Flow control = new Flow();
        long loss = paused.lossAt(100, RTT_100MS);
        control.lossAt(100, RTT_100MS);
        int before = paused.windowAt(loss, 1.0, RTT_100MS);
        assertEquals(before, control.windowAt(loss, 1.0, RTT_100MS));

        // 10 s with nothing to send, then the application writes again.
        paused.s.nowUs += 10_000_000;
        paused.cubic.cwndEvent(paused.s, TcpCongestionOps.CaEvent.TX_START);
        paused.oneRtt(RTT_100MS);
        assertTrue(paused.s.sndCwnd - before <= 3, "resumes on the curve where it paused: " + before + " -> " + paused.s.sndCwnd);
        assertTrue(paused.windowAt(loss, 14.0, RTT_100MS) <= 100, "3 s more of curve is still below K");

        // The same pause without the event counts idle time as growth time: 1.5x in one RTT.
        control.s.nowUs += 10_000_000;
        control.oneRtt(RTT_100MS);
        assertTrue(control.s.sndCwnd - before > 30, "without the epoch shift the window jumps: " + control.s.sndCwnd);
    }

    @Test
    void timeoutForgetsTheOldMaximum() {
        Flow timedOut = new Flow();
        Flow control = new Flow();
        long loss = timedOut.lossAt(100, RTT_100MS);
        control.lossAt(100, RTT_100MS);
        timedOut.windowAt(loss, 1.0, RTT_100MS);
        control.windowAt(loss, 1.0, RTT_100MS);

        timedOut.cubic.setState(timedOut.s, TcpCongestionOps.CaState.LOSS);
        for (Flow f : new Flow[] {timedOut, control}) {
            f.s.sndSsthresh = 20;
            f.s.sndCwnd = 20;
            f.s.sndNxt = f.s.sndUna + 20;
        }
        long start = timedOut.s.nowUs;
        // With W_max forgotten the new epoch is the gentle 5%-per-RTT probe of a fresh flow ...
        int after = timedOut.windowAt(start, 0.5, RTT_100MS);
        assertTrue(after <= 26, "no race back to the old maximum: " + after);
        // ... where a remembered W_max of 100 pulls the window up fast.
        assertTrue(control.windowAt(start, 0.5, RTT_100MS) > 30);
    }

    @Test
    void undoReturnsToThePriorWindow() {
        Flow f = new Flow();
        f.s.sndCwnd = 70;
        f.s.priorCwnd = 100;
        assertEquals(100, f.cubic.undoCwnd(f.s));
    }

    @Test
    void notCwndLimitedDoesNotGrow() {
        Flow f = new Flow();
        long loss = f.lossAt(100, RTT_100MS);
        f.s.cwndLimited = false;
        assertEquals(70, f.windowAt(loss, 3.0, RTT_100MS));
    }

    @Test
    void hystartKeepsSlowStartWhileRttIsSteady() {
        Flow f = new Flow().slowStartAt(16);
        // ACKs 3 ms apart, wider than hystart_ack_delta_us, so only the delay signal is in play.
        for (int round = 0; round < 4; round++) {
            f.ackRound(50_000, 3_000);
        }
        assertEquals(256, f.s.sndCwnd, "doubled every round");
        assertTrue(f.s.inSlowStart());
    }

    @Test
    void hystartIgnoresARiseWithinTheThreshold() {
        Flow f = new Flow().slowStartAt(16);
        f.ackRound(50_000, 3_000);
        // clamp(50 ms / 8, 4 ms, 16 ms) = 6.25 ms; 5 ms more is within it.
        f.ackRound(55_000, 3_000);
        f.ackRound(55_000, 3_000);
        assertEquals(128, f.s.sndCwnd);
        assertTrue(f.s.inSlowStart());
    }

    @Test
    void hystartLeavesSlowStartWhenTheRoundsRttRises() {
        Flow f = new Flow().slowStartAt(16);
        f.ackRound(50_000, 3_000);
        assertEquals(32, f.s.sndCwnd);
        // The next round's RTT is 8 ms above the minimum: a queue is building. HyStart judges the
        // round on its 9th ACK, after 8 samples, when the window is 32 + 8.
        f.ackRound(58_000, 3_000);
        assertEquals(40, f.s.sndSsthresh);
        assertFalse(f.s.inSlowStart());
        assertTrue(f.s.sndCwnd < 48, "congestion avoidance for the rest of the round: " + f.s.sndCwnd);
    }

    @Test
    void hystartWaitsForTheLowWindow() {
        Flow f = new Flow().slowStartAt(4);
        f.ackRound(10_000, 3_000);
        // A train of ACKs 1 ms apart lasting 7 ms, past delay_min / 2 = 5 ms, but while the window
        // is 8..15, below hystart_low_window: too small a window to judge the path by.
        f.ackRound(10_000, 1_000);
        assertEquals(16, f.s.sndCwnd);
        assertTrue(f.s.inSlowStart());
        // The same train once the window is 16: slow start ends on the ACK 6 ms into the round.
        f.ackRound(10_000, 1_000);
        assertEquals(16 + 6, f.s.sndSsthresh);
    }

    @Test
    void hystartAckTrainLeavesSlowStartWhenTheTrainOutlastsHalfTheMinRtt() {
        Flow f = new Flow().slowStartAt(16);
        f.ackRound(40_000, 3_000);
        assertEquals(32, f.s.sndCwnd);
        // ACKs 1 ms apart with a steady RTT: the train passes delay_min / 2 = 20 ms on its 22nd ACK.
        f.ackRound(40_000, 1_000);
        assertEquals(32 + 21, f.s.sndSsthresh);
        assertFalse(f.s.inSlowStart());
    }

    @Test
    void initialSsthreshAppliesOnlyWithoutHystart() {
        CwndState a = new CwndState();
        new TcpCubic(false, 50).init(a);
        assertEquals(50, a.sndSsthresh);
        CwndState b = new CwndState();
        new TcpCubic(true, 50).init(b);
        assertEquals(CwndState.INFINITE_SSTHRESH, b.sndSsthresh, "HyStart decides instead");
    }

    @Test
    void cubicRootMatchesTheRealRootWithinAFractionOfAPercent() {
        assertEquals(0, TcpCubic.cubicRoot(0));
        assertEquals(2, TcpCubic.cubicRoot(8));
        for (long a = 64; a > 0 && a < (1L << 62); a = a * 3 + 7) {
            double exact = Math.cbrt((double) a);
            assertEquals(exact, TcpCubic.cubicRoot(a), exact * 0.01 + 1, "cbrt(" + a + ")");
        }
        // K for W_max 100 and a window of 70, in 2^-10 s: 4.216 s.
        assertEquals(4316, TcpCubic.cubicRoot((1L << 40) / 410 * 30));
    }
}
