package io.netstack4j.core;

/** Drops counted per {@link DropReason} for one namespace (the kernel's drop-monitor view). */
public final class DropCounters {

    private static final DropReason[] REASONS = DropReason.values();
    private final long[] counts = new long[REASONS.length];

    public void count(DropReason reason) {
        counts[reason.ordinal()]++;
    }

    /** Counts {@code n} drops at once, as a driver folding in what its hardware (or reader thread) missed. */
    public void add(DropReason reason, long n) {
        counts[reason.ordinal()] += n;
    }

    public long get(DropReason reason) {
        return counts[reason.ordinal()];
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }
}
