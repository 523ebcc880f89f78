package io.netstack4j.cli.soak;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples the heap used after a full GC, with the packet pool's live buffers and the open
 * flows at that moment, and judges whether the heap is flat: over the samples after the
 * warm-up (the first third), the mean of the later half may exceed the mean of the earlier
 * half by at most {@link #GROWTH_BOUND_BYTES}. The data in flight (socket buffers, netem
 * queues) varies with the random impairments, so the bound is on the trend of the means, not
 * on single samples.
 */
final class HeapWatch {

    /** Allowed steady-state growth of the mean used heap after GC. */
    static final long GROWTH_BOUND_BYTES = 32L << 20;

    record Sample(double wallSeconds, double virtualSeconds, long usedBytes, long poolLive, int openFlows) {
    }

    final List<Sample> samples = new ArrayList<>();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    void sample(double wallSeconds, double virtualSeconds, long poolLive, int openFlows) {
        System.gc();
        long used = memory.getHeapMemoryUsage().getUsed();
        samples.add(new Sample(wallSeconds, virtualSeconds, used, poolLive, openFlows));
    }

    /** Mean growth between the two halves of the post-warm-up samples, or 0 with fewer than four of them. */
    long growthBytes() {
        List<Sample> steady = samples.subList(samples.size() / 3, samples.size());
        if (steady.size() < 4) {
            return 0;
        }
        int half = steady.size() / 2;
        return mean(steady.subList(steady.size() - half, steady.size())) - mean(steady.subList(0, half));
    }

    long maxUsed() {
        return samples.stream().mapToLong(Sample::usedBytes).max().orElse(0);
    }

    private static long mean(List<Sample> s) {
        return (long) s.stream().mapToLong(Sample::usedBytes).average().orElse(0);
    }
}
