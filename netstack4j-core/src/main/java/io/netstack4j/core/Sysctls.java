package io.netstack4j.core;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

/**
 * One namespace's sysctl tree ({@code /proc/sys/net}): each layer registers its tunables under
 * the names Linux uses ({@code net.ipv4.ip_forward}, {@code net.ipv4.conf.veth0.forwarding} ...),
 * and {@code sysctl} reads and writes them as text.
 */
public final class Sysctls {

    /** One tunable, read and written as text the way {@code /proc/sys} shows it. */
    public interface Entry {
        String get();

        /** Sets from text; throws {@link NetException} (EINVAL) for a value outside the allowed range. */
        void set(String value);
    }

    private final Map<String, Entry> entries = new TreeMap<>();

    public void register(String name, Entry entry) {
        if (entries.putIfAbsent(name, entry) != null) {
            throw new IllegalStateException("sysctl " + name + " registered twice");
        }
    }

    /** Registers an integer tunable limited to {@code [min, max]}. */
    public void registerInt(String name, int min, int max, IntSupplier getter, IntConsumer setter) {
        register(name, new Entry() {
            @Override
            public String get() {
                return Integer.toString(getter.getAsInt());
            }

            @Override
            public void set(String value) {
                int v;
                try {
                    v = Integer.parseInt(value.trim());
                } catch (NumberFormatException e) {
                    throw new NetException(Errno.EINVAL, "sysctl " + name + ": \"" + value + "\" is not a number");
                }
                if (v < min || v > max) {
                    throw new NetException(Errno.EINVAL, "sysctl " + name + ": " + v + " outside " + min + ".." + max);
                }
                setter.accept(v);
            }
        });
    }

    /** Removes every entry whose name starts with {@code prefix} (a device going away). */
    public void unregisterPrefix(String prefix) {
        entries.keySet().removeIf(k -> k.startsWith(prefix));
    }

    /** The value, or throws ENOENT as {@code sysctl: cannot stat /proc/sys/...} would. */
    public String get(String name) {
        return lookup(name).get();
    }

    public void set(String name, String value) {
        lookup(name).set(value);
    }

    public boolean exists(String name) {
        return entries.containsKey(normalize(name));
    }

    /** All names in sorted order. */
    public Iterable<String> names() {
        return entries.keySet();
    }

    private Entry lookup(String name) {
        Entry e = entries.get(normalize(name));
        if (e == null) {
            throw new NetException(Errno.ENOENT, "cannot stat /proc/sys/" + normalize(name).replace('.', '/') + ": No such file or directory");
        }
        return e;
    }

    /** sysctl accepts both {@code net.ipv4.ip_forward} and {@code net/ipv4/ip_forward}. */
    private static String normalize(String name) {
        return name.indexOf('/') >= 0 ? name.replace('/', '.') : name;
    }
}
