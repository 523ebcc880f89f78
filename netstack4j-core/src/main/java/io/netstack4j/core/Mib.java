package io.netstack4j.core;

/**
 * One SNMP MIB's counters for one namespace (Linux's per-net {@code ipstats}, {@code icmp_statistics}
 * ...). The counters are the constants of an enum named as the MIB objects are (for example
 * {@code InReceives}), and {@link #prefix()} is the group name that {@code nstat} prepends
 * ({@code Ip}, {@code Icmp}). Single-threaded: written by the loop thread; readers on other
 * threads see eventually consistent values.
 *
 * @param <E> the enum of counters
 */
public final class Mib<E extends Enum<E>> {

    private final String prefix;
    private final E[] keys;
    private final long[] values;

    public Mib(String prefix, Class<E> keys) {
        this.prefix = prefix;
        this.keys = keys.getEnumConstants();
        this.values = new long[this.keys.length];
    }

    public void inc(E key) {
        values[key.ordinal()]++;
    }

    public void add(E key, long delta) {
        values[key.ordinal()] += delta;
    }

    public void set(E key, long value) {
        values[key.ordinal()] = value;
    }

    public long get(E key) {
        return values[key.ordinal()];
    }

    public String prefix() {
        return prefix;
    }

    public E[] keys() {
        return keys.clone();
    }
}
