package io.netstack4j.sched;

import io.netstack4j.core.ChecksumState;
import io.netstack4j.core.DropReason;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetLoop;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.Qdisc;
import io.netstack4j.time.Timer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The network emulator qdisc ({@code net/sched/sch_netem.c}): delay with jitter, random loss,
 * duplication, reordering, corruption and a rate limit, as {@code tc qdisc ... netem}
 * configures them. Packets wait in a queue ordered by their time to send (the kernel's tfifo);
 * {@link #dequeue} releases the head once its time has come, and otherwise arms a watchdog
 * timer that runs the device's queue again then.
 *
 * <p>Every random choice comes from the loop's seeded generator, through Linux's correlated
 * generator ({@code get_crandom}), so a run with the same seed repeats exactly.
 */
public final class Netem extends Qdisc {

    private static final double TWO_32 = 4294967296.0;

    private NetemSpec spec;
    private final Timer watchdog = new Timer(this::watchdogFired);

    /** Reordered packets, sent before anything in the timed queue. */
    private final ArrayDeque<PacketBuffer> front = new ArrayDeque<>();
    /** The timed queue: a binary heap on (time to send, arrival order). */
    private PacketBuffer[] heap = new PacketBuffer[64];
    private long[] sendAt = new long[64];
    private long[] order = new long[64];
    private int heapSize;
    private long arrivals;
    /** The latest time to send in the timed queue: the rate limiter's reference point. */
    private long tailTime;

    private long counter;
    private long lastDelay;
    private long lastLoss;
    private long lastDup;
    private long lastReorder;
    private long lastCorrupt;
    private boolean duplicating;

    public Netem(NetemSpec spec) {
        this.spec = spec;
    }

    public NetemSpec spec() {
        return spec;
    }

    /** {@code tc qdisc change}: new parameters, queued packets kept. */
    public void change(NetemSpec newSpec) {
        this.spec = newSpec;
    }

    @Override
    public String kind() {
        return "netem";
    }

    @Override
    public String parameters() {
        return spec.toString();
    }

    private NetLoop loop() {
        return dev.loop();
    }

    /**
     * {@code get_crandom}: a uniform 32-bit value, correlated with the previous one by
     * {@code corr} percent. Returned in [0, 2^32) as a long.
     */
    private long crandom(double corrPercent, int which) {
        RandomGenerator rng = loop().random();
        long value = rng.nextInt() & 0xffffffffL;
        if (corrPercent <= 0) {
            return value;
        }
        long rho = (long) (corrPercent / 100.0 * TWO_32) + 1;
        long last = switch (which) {
            case 0 -> lastDelay;
            case 1 -> lastLoss;
            case 2 -> lastDup;
            case 3 -> lastReorder;
            default -> lastCorrupt;
        };
        long answer = (long) ((value * (TWO_32 - rho) + last * (double) rho) / TWO_32);
        switch (which) {
            case 0 -> lastDelay = answer;
            case 1 -> lastLoss = answer;
            case 2 -> lastDup = answer;
            case 3 -> lastReorder = answer;
            default -> lastCorrupt = answer;
        }
        return answer;
    }

    private boolean chance(double percent, double corr, int which) {
        return percent > 0 && crandom(corr, which) < (long) (percent / 100.0 * TWO_32);
    }

    /** {@code tabledist}: the delay for one packet. */
    private long delay() {
        NetemSpec s = spec;
        if (s.jitterNs() == 0) {
            return s.delayNs();
        }
        if (s.distribution() == NetemSpec.Distribution.NORMAL) {
            long d = s.delayNs() + Math.round(loop().random().nextGaussian() * s.jitterNs());
            return Math.max(0, d);
        }
        long r = crandom(s.delayCorr(), 0);
        long span = 2 * s.jitterNs();
        return Math.max(0, s.delayNs() - s.jitterNs() + r % span);
    }

    /** {@code netem_enqueue}. Takes ownership. */
    @Override
    public boolean enqueue(PacketBuffer skb) {
        NetemSpec s = spec;
        int count = 1;
        if (!duplicating && chance(s.duplicate(), s.duplicateCorr(), 2)) {
            count++;
        }
        if (chance(s.loss(), s.lossCorr(), 1)) {
            count--;
        }
        if (count == 0) {
            return drop(skb, DropReason.TC_DROP);
        }
        if (s.corrupt() > 0 && chance(s.corrupt(), s.corruptCorr(), 4) && skb.len() > 0) {
            // As Linux: one random bit of one random byte flips, after a partial checksum is
            // finished, or the receiver would take the damage as verified.
            if (skb.checksum == ChecksumState.PARTIAL) {
                NetDevice.checksumHelp(skb);
            }
            skb.makeWritable();
            int at = skb.data() + loop().random().nextInt(skb.len());
            skb.array()[at] ^= (byte) (1 << loop().random().nextInt(8));
        }
        if (qlen >= s.limit()) {
            return drop(skb, DropReason.QDISC_DROP);
        }
        if (count > 1) {
            // The duplicate goes through the qdisc again, without being duplicated again.
            PacketBuffer copy = skb.cloneBuffer();
            duplicating = true;
            try {
                enqueue(copy);
            } finally {
                duplicating = false;
            }
        }
        long now = loop().now();
        qlen++;
        backlogBytes += skb.len();
        if (s.gap() == 0 || counter < s.gap() - 1 || !chance(s.reorder(), s.reorderCorr(), 3)) {
            long d = delay();
            long base = now;
            if (s.rateBps() > 0) {
                if (heapSize > 0) {
                    // The previous packet's send time is the reference: this one follows it.
                    d = Math.max(0, d - (tailTime - now));
                    base = tailTime;
                }
                d += (long) skb.len() * 8L * 1_000_000_000L / s.rateBps();
            }
            counter++;
            push(skb, base + d);
        } else {
            // Reorder: this one jumps the queue and goes now.
            counter = 0;
            requeues++;
            front.addLast(skb);
        }
        return true;
    }

    /** {@code netem_dequeue}: the next packet whose time has come, or null with the watchdog armed. */
    @Override
    public PacketBuffer dequeue() {
        PacketBuffer skb = front.pollFirst();
        if (skb == null) {
            if (heapSize == 0) {
                return null;
            }
            long now = loop().now();
            if (sendAt[0] - now > 0) {
                if (!watchdog.pending() || watchdog.expires() != sendAt[0]) {
                    overlimits++;
                    loop().scheduleAt(watchdog, sendAt[0]);
                }
                return null;
            }
            skb = pop();
        }
        qlen--;
        backlogBytes -= skb.len();
        countSent(skb);
        return skb;
    }

    private void watchdogFired() {
        if (dev != null && dev.devices() != null) {
            dev.runQdisc();
        }
    }

    @Override
    public void reset() {
        PacketBuffer skb;
        while ((skb = front.pollFirst()) != null) {
            skb.free();
        }
        while (heapSize > 0) {
            pop().free();
        }
        qlen = 0;
        backlogBytes = 0;
        if (dev != null && dev.devices() != null) {
            loop().cancel(watchdog);
        }
    }

    private void push(PacketBuffer skb, long time) {
        if (heapSize == heap.length) {
            heap = Arrays.copyOf(heap, heapSize * 2);
            sendAt = Arrays.copyOf(sendAt, heapSize * 2);
            order = Arrays.copyOf(order, heapSize * 2);
        }
        if (heapSize == 0 || time - tailTime > 0) {
            tailTime = time;
        }
        int i = heapSize++;
        long seq = arrivals++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(time, seq, sendAt[parent], order[parent])) {
                break;
            }
            heap[i] = heap[parent];
            sendAt[i] = sendAt[parent];
            order[i] = order[parent];
            i = parent;
        }
        heap[i] = skb;
        sendAt[i] = time;
        order[i] = seq;
    }

    private PacketBuffer pop() {
        PacketBuffer top = heap[0];
        int last = --heapSize;
        PacketBuffer moved = heap[last];
        long t = sendAt[last];
        long o = order[last];
        heap[last] = null;
        int i = 0;
        int half = heapSize >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            if (c + 1 < heapSize && before(sendAt[c + 1], order[c + 1], sendAt[c], order[c])) {
                c++;
            }
            if (!before(sendAt[c], order[c], t, o)) {
                break;
            }
            heap[i] = heap[c];
            sendAt[i] = sendAt[c];
            order[i] = order[c];
            i = c;
        }
        if (heapSize > 0) {
            heap[i] = moved;
            sendAt[i] = t;
            order[i] = o;
        }
        return top;
    }

    private static boolean before(long t1, long o1, long t2, long o2) {
        long d = t1 - t2;
        return d < 0 || (d == 0 && o1 < o2);
    }
}
