package io.netstack4j.tcp;

/**
 * CUBIC with HyStart, as Linux's {@code net/ipv4/tcp_cubic.c} (RFC 9438).
 *
 * <p>After a loss at W_max the window is cut to beta * W_max and then follows (RFC 9438 4.2)
 *
 * <pre>
 *     W_cubic(t) = C * (t - K)^3 + W_max,     K = cbrt(W_max * (1 - beta) / C)
 *
 *            W ^                              .
 *              |                           .    convex: probing for more bandwidth
 *        W_max |- - - - - - - - .~~~~~~~.
 *              |            .      plateau around K
 *              |       .     concave: back towards the old maximum
 *   beta W_max +  .
 *              +------------------|--------------> t since the loss
 *                                 K
 * </pre>
 *
 * with C = 0.4 ({@code bic_scale} 41 / 1024 * 10) and beta = 717/1024. The arithmetic is Linux's
 * fixed point: time in 1/1024 s, K from an integer cube root, so windows match the kernel's
 * segment for segment. The window never grows slower than a Reno flow with the same average
 * throughput would (the Reno-friendly region, RFC 9438 4.3), and a loss below the previous maximum
 * lowers that maximum (fast convergence, RFC 9438 4.7).
 *
 * <p>In slow start HyStart ({@code hystart_update}) ends slow start before the bottleneck queue
 * overflows, on either signal: a train of closely spaced ACKs lasting longer than half the minimum
 * RTT (the pipe is full), or a round whose minimum RTT exceeds the smallest RTT seen by
 * clamp(minRTT/8, 4 ms, 16 ms) (a queue is building).
 *
 * <p>One instance per socket holds Linux's {@code struct bictcp}; loop thread only; no allocation.
 */
final class TcpCubic implements TcpCongestionOps {

    /** {@code BICTCP_BETA_SCALE}: beta is 717/1024, about 0.7. */
    private static final int BETA_SCALE = 1024;
    private static final int BETA = 717;
    /** {@code BICTCP_HZ}: the cubic function counts time in 2^-10 seconds. */
    private static final int BICTCP_HZ = 10;
    /** Linux's {@code HZ} for {@code tcp_jiffies32}; the epoch is timed in jiffies of 1 ms. */
    private static final int HZ = 1000;
    /** {@code bic_scale}: C = 41 * 10 / 1024 = 0.4. */
    private static final int BIC_SCALE = 41;
    /** {@code cube_rtt_scale}: 1024 * C. */
    private static final long CUBE_RTT_SCALE = BIC_SCALE * 10;
    /** {@code cube_factor}: 2^(3 * BICTCP_HZ) / C, so that cbrt(cube_factor * (W_max - cwnd)) is K in 2^-10 s. */
    private static final long CUBE_FACTOR = (1L << (10 + 3 * BICTCP_HZ)) / (BIC_SCALE * 10);
    /**
     * {@code beta_scale}: 8 / alpha_cubic, where alpha_cubic = 3 (1 - beta) / (1 + beta) (RFC 9438
     * 4.3); the Reno estimate gains one segment per (cwnd * beta_scale / 8) ACKed segments.
     */
    private static final int RENO_BETA_SCALE = 8 * (BETA_SCALE + BETA) / 3 / (BETA_SCALE - BETA);

    /** {@code hystart_low_window}: HyStart does not look at windows below 16 segments. */
    private static final int HYSTART_LOW_WINDOW = 16;
    /** {@code hystart_ack_delta_us}: ACKs at most 2 ms apart belong to one train. */
    private static final long HYSTART_ACK_DELTA_US = 2000;
    /** {@code HYSTART_MIN_SAMPLES}: RTT samples taken at the start of a round before judging it. */
    private static final int HYSTART_MIN_SAMPLES = 8;
    private static final long HYSTART_DELAY_MIN_US = 4000;
    private static final long HYSTART_DELAY_MAX_US = 16000;

    /**
     * Linux's hand-tuned table for {@code cubic_root}: entry i is about cbrt(i * 2^18) - 1 for the
     * top 6 bits i of the argument. The same table keeps K, and so every window, equal to the
     * kernel's.
     */
    private static final int[] CBRT_MSB = {
            0, 54, 54, 54, 118, 118, 118, 118, 123, 129, 134, 138, 143, 147, 151, 156,
            157, 161, 164, 168, 170, 173, 176, 179, 181, 185, 187, 190, 192, 194, 197, 199,
            200, 202, 204, 206, 209, 211, 213, 215, 217, 219, 221, 222, 224, 225, 227, 229,
            231, 232, 234, 236, 237, 239, 240, 242, 244, 245, 246, 248, 250, 251, 252, 254};

    private final boolean hystart;
    private final int initialSsthresh;

    /** {@code cnt}: ACKed segments per one-segment increase, handed to {@code tcpCongAvoidAi}. */
    private int cnt;
    /** {@code last_max_cwnd}: W_max, the window at the last loss (lowered by fast convergence). */
    private int lastMaxCwnd;
    /** {@code last_cwnd} and {@code last_time} (jiffies): when {@code cnt} was last recomputed. */
    private int lastCwnd;
    private int lastTime;
    /** {@code bic_origin_point}: the window the curve plateaus at, W_max or the window at the epoch's start. */
    private int originPoint;
    /** {@code bic_K}: the time from the epoch's start to the plateau, in 2^-10 s. */
    private long bicK;
    /** {@code delay_min}: the smallest RTT seen, in microseconds; 0 before the first sample. */
    private long delayMinUs;
    /** {@code epoch_start}: jiffies when the current growth epoch began; 0 means no epoch. */
    private int epochStart;
    /** {@code ack_cnt} and {@code tcp_cwnd}: the Reno-friendly estimate W_est and its ACK counter. */
    private int ackCnt;
    private int tcpCwnd;
    /** {@code found}: HyStart has ended slow start; cleared only by a reset. */
    private boolean found;
    /** {@code round_start} (µs), {@code end_seq}: the current round ends when snd_una passes end_seq. */
    private long roundStartUs;
    private int endSeq;
    /** {@code last_ack} (µs): the latest ACK of the current train. */
    private long lastAckUs;
    /** {@code curr_rtt} and {@code sample_cnt}: this round's lowest RTT so far, judged from the 9th sample. */
    private long currRttUs;
    private int sampleCnt;

    /**
     * Jiffies of the last ACK, where an idle period begins. Linux counts idle time from the last
     * send ({@code lsndtime}), which {@link CwndState} does not carry; TX_START comes only with
     * nothing in flight, so the last ACK emptied the pipe, and the shift is one RTT shorter than Linux's.
     */
    private int lastAckedJiffies;
    private boolean ackedAny;

    /** Linux's defaults: HyStart on, no {@code initial_ssthresh}. */
    TcpCubic() {
        this(true, 0);
    }

    /** The module parameters {@code hystart} and {@code initial_ssthresh}, per instance. */
    TcpCubic(boolean hystart, int initialSsthresh) {
        this.hystart = hystart;
        this.initialSsthresh = initialSsthresh;
    }

    @Override
    public String name() {
        return "cubic";
    }

    /** {@code cubictcp_init}. */
    @Override
    public void init(CwndState s) {
        reset();
        if (hystart) {
            hystartReset(s);
        }
        // With HyStart on, slow start ends by measurement; a fixed threshold would only get in its way.
        if (!hystart && initialSsthresh != 0) {
            s.sndSsthresh = initialSsthresh;
        }
    }

    /** {@code bictcp_reset}: forget the curve and the Reno estimate; the HyStart round stays. */
    private void reset() {
        cnt = 0;
        lastMaxCwnd = 0;
        lastCwnd = 0;
        lastTime = 0;
        originPoint = 0;
        bicK = 0;
        delayMinUs = 0;
        epochStart = 0;
        ackCnt = 0;
        tcpCwnd = 0;
        found = false;
    }

    /** {@code bictcp_hystart_reset}: a new round starts now and ends with everything sent so far. */
    private void hystartReset(CwndState s) {
        roundStartUs = s.nowUs;
        lastAckUs = s.nowUs;
        endSeq = s.sndNxt;
        currRttUs = Long.MAX_VALUE;
        sampleCnt = 0;
    }

    /** {@code cubictcp_cwnd_event}. */
    @Override
    public void cwndEvent(CwndState s, CaEvent event) {
        if (event != CaEvent.TX_START || epochStart == 0 || !ackedAny) {
            return;
        }
        // The sender was application-limited (idle). The curve's time must not run while nothing
        // is sent, or the first ACKs after the pause would find the target far ahead and the
        // window would jump; shift the epoch by the idle time, but never into the future.
        int now = jiffies(s);
        int idle = now - lastAckedJiffies;
        if (idle > 0) {
            epochStart += idle;
            if (epochStart - now > 0) {
                epochStart = now;
            }
            // Keep the epoch alive if the shift lands exactly on the "no epoch" value.
            if (epochStart == 0) {
                epochStart = 1;
            }
        }
    }

    /** {@code cubictcp_cong_avoid}. */
    @Override
    public void congAvoid(CwndState s, int acked) {
        if (!s.isCwndLimited()) {
            return;
        }
        if (s.inSlowStart()) {
            acked = TcpReno.tcpSlowStart(s, acked);
            if (acked == 0) {
                return;
            }
        }
        update(s, s.sndCwnd, acked);
        TcpReno.tcpCongAvoidAi(s, cnt, acked);
    }

    /** {@code bictcp_update}: sets {@link #cnt} so the window reaches the curve's target one RTT ahead. */
    private void update(CwndState s, int cwnd, int acked) {
        int now = jiffies(s);
        ackCnt += acked;
        // Recomputing the curve on every ACK buys nothing while the window has not moved.
        if (lastCwnd == cwnd && now - lastTime <= HZ / 32) {
            return;
        }
        // The target moves at most once per jiffy; a reduction zeroes epochStart and forces it.
        if (epochStart == 0 || now != lastTime) {
            lastCwnd = cwnd;
            lastTime = now;
            if (epochStart == 0) {
                startEpoch(now, cwnd, acked);
            }
            cnt = cubicCnt(now, cwnd);
            // Before the first loss the curve is flat at the current window; 5% per RTT still
            // explores the unknown bandwidth.
            if (lastMaxCwnd == 0 && cnt > 20) {
                cnt = 20;
            }
        }
        renoFriendly(cwnd);
        // RFC 9438 4.8 caps growth at 1.5x per RTT: at most one segment per two ACKed.
        cnt = Math.max(cnt, 2);
    }

    /** A new epoch (RFC 9438 4.2): the curve restarts from this window towards W_max. */
    private void startEpoch(int now, int cwnd, int acked) {
        // 0 means "no epoch"; a clock reading of exactly 0 starts it 1 ms late instead.
        epochStart = now == 0 ? 1 : now;
        ackCnt = acked;
        tcpCwnd = cwnd;
        if (lastMaxCwnd <= cwnd) {
            // Already at or above the old maximum: plateau here and probe convexly at once.
            bicK = 0;
            originPoint = cwnd;
        } else {
            bicK = cubicRoot(CUBE_FACTOR * (lastMaxCwnd - cwnd));
            originPoint = lastMaxCwnd;
        }
    }

    /**
     * The cubic function: segments per one-segment increase so the window reaches W_cubic(t + RTT)
     * within the coming RTT (RFC 9438 4.2 uses the target one RTT ahead; Linux takes delay_min).
     */
    private int cubicCnt(int now, int cwnd) {
        long t = (long) (now - epochStart) + usecsToJiffies(delayMinUs);
        t = (t << BICTCP_HZ) / HZ;
        long offs = t < bicK ? bicK - t : t - bicK;
        // Far from the origin any target means "as fast as allowed"; the cap keeps the cube in a long.
        offs = Math.min(offs, 1L << 18);
        long delta = (CUBE_RTT_SCALE * offs * offs * offs) >>> (10 + 3 * BICTCP_HZ);
        long target = t < bicK ? originPoint - delta : originPoint + delta;
        if (target > cwnd) {
            return (int) (cwnd / (target - cwnd));
        }
        // At or above the curve: almost no growth.
        return 100 * cwnd;
    }

    /**
     * RFC 9438 4.3: W_est grows as AIMD(alpha_cubic, beta) would on the same ACKs; when it is
     * ahead of the window, grow at least fast enough to catch up within an RTT.
     */
    private void renoFriendly(int cwnd) {
        int perSegment = Math.max((cwnd * RENO_BETA_SCALE) >>> 3, 1);
        while (ackCnt > perSegment) {
            ackCnt -= perSegment;
            tcpCwnd++;
        }
        if (tcpCwnd > cwnd) {
            int maxCnt = cwnd / (tcpCwnd - cwnd);
            if (cnt > maxCnt) {
                cnt = maxCnt;
            }
        }
    }

    /** {@code cubictcp_recalc_ssthresh} (RFC 9438 4.6 and 4.7). */
    @Override
    public int ssthresh(CwndState s) {
        int cwnd = s.sndCwnd;
        epochStart = 0;
        // Fast convergence: a loss below the previous maximum means another flow is taking
        // bandwidth; aim lower, at (1 + beta) / 2 of this window, to release some to it.
        if (cwnd < lastMaxCwnd) {
            lastMaxCwnd = (int) ((long) cwnd * (BETA_SCALE + BETA) / (2 * BETA_SCALE));
        } else {
            lastMaxCwnd = cwnd;
        }
        return Math.max((int) ((long) cwnd * BETA / BETA_SCALE), 2);
    }

    /** {@code cubictcp_state}: a timeout leaves nothing of the curve worth keeping. */
    @Override
    public void setState(CwndState s, CaState newState) {
        if (newState == CaState.LOSS) {
            reset();
            hystartReset(s);
        }
    }

    /** {@code cubictcp_acked}: delay_min tracking and HyStart. */
    @Override
    public void pktsAcked(CwndState s, int acked, long rttUs) {
        lastAckedJiffies = jiffies(s);
        ackedAny = true;
        if (rttUs < 0) {
            return;
        }
        // Samples in the first second of an epoch still carry the queue of the episode that just
        // ended (recovery retransmissions); they would inflate delay_min.
        if (epochStart != 0 && jiffies(s) - epochStart < HZ) {
            return;
        }
        long delay = Math.max(rttUs, 1);
        if (delayMinUs == 0 || delayMinUs > delay) {
            delayMinUs = delay;
        }
        if (!found && s.inSlowStart() && hystart) {
            hystartUpdate(s, delay);
        }
    }

    /** {@code hystart_update}; on a detection slow start ends at the current window. */
    private void hystartUpdate(CwndState s, long delay) {
        if (s.sndUna - endSeq > 0) {
            hystartReset(s);
        }
        if (s.sndCwnd < HYSTART_LOW_WINDOW) {
            return;
        }
        long now = s.nowUs;
        if (now - lastAckUs <= HYSTART_ACK_DELTA_US) {
            lastAckUs = now;
            // ACKs still arriving back to back half a minimum RTT after the round began: the
            // window already fills the path. Linux allows for pacing and TSO here; this stack
            // does neither, so the threshold is plain delay_min / 2.
            if (now - roundStartUs > delayMinUs >> 1) {
                exitSlowStart(s);
            }
        }
        currRttUs = Math.min(currRttUs, delay);
        if (sampleCnt < HYSTART_MIN_SAMPLES) {
            sampleCnt++;
        } else {
            long threshold = Math.clamp(delayMinUs >> 3, HYSTART_DELAY_MIN_US, HYSTART_DELAY_MAX_US);
            if (currRttUs > delayMinUs + threshold) {
                exitSlowStart(s);
            }
        }
    }

    private void exitSlowStart(CwndState s) {
        found = true;
        s.sndSsthresh = s.sndCwnd;
    }

    @Override
    public int undoCwnd(CwndState s) {
        return TcpReno.tcpRenoUndoCwnd(s);
    }

    /** {@code tcp_jiffies32}: the loop clock in wrapping 32-bit milliseconds, compared by difference. */
    private static int jiffies(CwndState s) {
        return (int) (s.nowUs / 1000);
    }

    /** {@code usecs_to_jiffies}, which rounds up. */
    private static long usecsToJiffies(long us) {
        return (us + 999) / 1000;
    }

    /**
     * {@code cubic_root}: cbrt(a), within about 0.2%, without floating point. The table gives the
     * root of the top 6 bits, shifted into place (a has 3 bits per bit of the root); one
     * Newton-Raphson step x' = (2x + a / x^2) / 3 then refines it, with x(x - 1) for x^2 and
     * 341/1024 for 1/3 as in Linux.
     */
    static long cubicRoot(long a) {
        int bits = 64 - Long.numberOfLeadingZeros(a);
        if (bits < 7) {
            return (CBRT_MSB[(int) a] + 35) >>> 6;
        }
        int b = ((bits * 84) >>> 8) - 1;
        int top = (int) (a >>> (b * 3));
        long x = ((CBRT_MSB[top] + 10L) << b) >>> 6;
        x = (2 * x + Long.divideUnsigned(a, x * (x - 1))) & 0xffff_ffffL;
        return ((x * 341) >>> 10) & 0xffff_ffffL;
    }
}
