package io.netstack4j.bench.micro;

import io.netstack4j.time.Timer;
import io.netstack4j.time.TimerQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The loop's {@link TimerQueue} (a binary heap, {@code mod_timer}/{@code del_timer} in
 * O(log n)) with 10k and 1M other timers pending, spread over the next 10 minutes the way many
 * connections' keepalive, delayed-ACK and retransmit timers are.
 *
 * <ul>
 *   <li>{@code rearmOnAck}: the TCP pattern, {@code inet_csk_reset_xmit_timer} on every ACK:
 *       the pending retransmit timer of a random connection is moved to now + that
 *       connection's RTO (connections' RTOs differ, so the timer lands anywhere in the heap).
 *   <li>{@code scheduleCancel}: a timer armed and disarmed before it fires (a delayed ACK
 *       cancelled by an outgoing segment, {@code inet_csk_clear_xmit_timer}).
 *   <li>{@code scheduleExpire}: a timer armed for now and run by {@code runDue}, the pending set
 *       staying behind it.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@State(Scope.Thread)
public class TimerWheelJmh {

    private static final long MS = 1_000_000L;
    private static final long RTO = 200 * MS;
    /** Pending timers expire within this span; the clock never reaches them during a run. */
    private static final long SPREAD = 600_000 * MS;
    /** How far the clock moves per operation, as ACKs arriving 10 us apart. */
    private static final long STEP = 10_000L;

    @Param({"10000", "1000000"})
    public int pending;

    private TimerQueue queue;
    private Timer[] timers;
    private Timer spare;
    private long rng = 0x9e37_79b9_7f4a_7c15L;
    private long now;
    private long fired;

    @Setup(Level.Trial)
    public void setUp() {
        queue = new TimerQueue();
        timers = new Timer[pending];
        SplittableRandom r = new SplittableRandom(3);
        Runnable onFire = () -> fired++;
        for (int i = 0; i < pending; i++) {
            timers[i] = new Timer(onFire);
            queue.mod(timers[i], SPREAD + r.nextLong(SPREAD));
        }
        spare = new Timer(onFire);
        now = 0;
    }

    @Benchmark
    public long rearmOnAck() {
        long x = rng;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        rng = x;
        Timer t = timers[(int) ((x >>> 1) % timers.length)];
        now += STEP;
        // Beyond SPREAD, so no pending timer comes due while the benchmark runs.
        queue.mod(t, now + SPREAD + (x >>> 1) % SPREAD);
        return queue.nextExpiry();
    }

    @Benchmark
    public boolean scheduleCancel() {
        now += STEP;
        queue.mod(spare, now + RTO);
        return queue.del(spare);
    }

    @Benchmark
    public int scheduleExpire() {
        now += STEP;
        queue.mod(spare, now);
        return queue.runDue(now);
    }
}
