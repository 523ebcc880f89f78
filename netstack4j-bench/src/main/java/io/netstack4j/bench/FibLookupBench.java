package io.netstack4j.bench;

import io.netstack4j.core.NetException;
import io.netstack4j.route.Fib;
import io.netstack4j.route.FibResult;
import io.netstack4j.route.FibTable;
import io.netstack4j.route.FibTrie;
import io.netstack4j.route.Flow4;
import io.netstack4j.route.RouteSpec;
import io.netstack4j.wire.Ipv4Address;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * {@code fib_lookup} on a full Internet table: loads the IPv4 prefixes of a BGP dump into a
 * {@link Fib} the way {@code ip route add PREFIX via GW} would, one route each, and measures
 * {@link Fib#lookup} with uniformly random destinations on one thread, with the DIR-24-8 index
 * and, in the same run, with the plain trie walk as the reference.
 *
 * <p>The dump is one prefix a line ({@code 1.0.4.0/22}; IPv6 lines are skipped). Its path is the
 * system property {@code netstack4j.bgp}, else {@code ../shared/data/bgp-prefixes.txt.gz}, else
 * {@code /work/shared/data/bgp-prefixes.txt.gz}.
 */
public final class FibLookupBench {

    /**
     * @param lookupsPerSec {@link Fib#lookup} per second with the index
     * @param referenceLookupsPerSec the same lookups with the index turned off (trie walk)
     * @param loadSeconds reading, parsing and adding every route through {@link Fib#addRoute}
     * @param tableBytes heap retained by the loaded FIB (index, trie, routes)
     */
    public record Result(double lookupsPerSec, double referenceLookupsPerSec, double loadSeconds, long tableBytes) {
    }

    /** The table as loaded, with the figures of the load. */
    public record Loaded(Fib fib, int routes, int refused, double parseSeconds, double loadSeconds) {
    }

    /** Gateways on the benchmark's one device; routes alternate between them. */
    private static final String[] GATEWAYS = {"198.18.0.1", "198.18.0.254"};
    private static final int DEVICE = 2;

    private FibLookupBench() {
    }

    public static void main(String[] args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        Result r = run(quick, true);
        System.out.printf("fib_lookup with DIR-24-8: %.1f M lookups/s%n", r.lookupsPerSec() / 1e6);
        System.out.printf("fib_lookup, trie walk only: %.2f M lookups/s%n", r.referenceLookupsPerSec() / 1e6);
        System.out.printf("load: %.2f s, table: %.1f MiB%n", r.loadSeconds(), r.tableBytes() / 1048576.0);
    }

    public static Result run(boolean quick) {
        return run(quick, false);
    }

    private static Result run(boolean quick, boolean verbose) {
        Path file = locatePrefixes();
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = usedHeap(mem);
        long t0 = System.nanoTime();
        Loaded loaded = load(file);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        long tableBytes = usedHeap(mem) - before;
        Fib fib = loaded.fib();
        FibTrie<?> trie = fib.table(FibTable.MAIN).trie();
        if (verbose) {
            System.out.printf("%s: %d routes (%d refused), parse %.2f s, load %.2f s; trie %d nodes in %d slots, index %.1f MiB,"
                    + " %d groups%n", file, loaded.routes(), loaded.refused(), loaded.parseSeconds(), loadSeconds, trie.nodeCount(),
                    trie.capacity(), trie.indexBytes() / 1048576.0, trie.indexGroups());
        }

        int[] dsts = randomDestinations(quick ? 1 << 22 : 1 << 24, 42);
        long measureNanos = quick ? 200_000_000L : 1_000_000_000L;
        Flow4 flow = new Flow4();
        FibResult res = new FibResult();

        long[] sink = new long[1];
        measure(fib, flow, res, dsts, measureNanos / 2, sink);
        double indexed = measure(fib, flow, res, dsts, measureNanos, sink);
        if (verbose) {
            measureRaw(trie, dsts, measureNanos / 2, sink);
            System.out.printf("FibTrie.longest with DIR-24-8: %.1f M lookups/s%n", measureRaw(trie, dsts, measureNanos, sink) / 1e6);
        }

        trie.indexAbove(Integer.MAX_VALUE);
        measure(fib, flow, res, dsts, measureNanos / 4, sink);
        double walked = measure(fib, flow, res, dsts, measureNanos, sink);
        trie.indexAbove(FibTrie.DEFAULT_INDEX_THRESHOLD);
        if (sink[0] == 42) {
            System.out.println("(sink)");
        }
        return new Result(indexed, walked, loadSeconds, tableBytes);
    }

    /** Adds a route via one of two gateways for every IPv4 prefix of the dump. */
    public static Loaded load(Path file) {
        long t0 = System.nanoTime();
        int[][] prefixes = readPrefixes(file);
        double parseSeconds = (System.nanoTime() - t0) / 1e9;
        Fib fib = new Fib();
        fib.deviceRegistered(Fib.LOOPBACK_IFINDEX, "lo");
        fib.deviceUp(Fib.LOOPBACK_IFINDEX);
        fib.addInterfaceAddress(Ipv4Address.LOOPBACK, 8, Fib.LOOPBACK_IFINDEX, true, true);
        fib.deviceRegistered(DEVICE, "eth0");
        fib.deviceUp(DEVICE);
        fib.addInterfaceAddress(Ipv4Address.parse("198.18.0.2"), 24, DEVICE, true, false);
        Ipv4Address[] gateways = {Ipv4Address.parse(GATEWAYS[0]), Ipv4Address.parse(GATEWAYS[1])};
        int[] keys = prefixes[0];
        int[] lens = prefixes[1];
        int refused = 0;
        for (int i = 0; i < keys.length; i++) {
            try {
                fib.addRoute(RouteSpec.to(new Ipv4Address(keys[i]), lens[i]).via(gateways[i & 1]).build(), Fib.Op.ADD);
            } catch (NetException e) {
                // A dump may repeat a prefix or hold the device's own subnet: ip route add refuses those too.
                refused++;
            }
        }
        return new Loaded(fib, keys.length - refused, refused, parseSeconds, (System.nanoTime() - t0) / 1e9);
    }

    /** The dump's IPv4 prefixes as {keys, lengths}; lines that are not an IPv4 prefix are skipped. */
    static int[][] readPrefixes(Path file) {
        int[] keys = new int[1 << 20];
        int[] lens = new int[1 << 20];
        int n = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.US_ASCII), 1 << 16)) {
            String line;
            while ((line = in.readLine()) != null) {
                long p = parsePrefix(line);
                if (p < 0) {
                    continue;
                }
                if (n == keys.length) {
                    keys = Arrays.copyOf(keys, n * 2);
                    lens = Arrays.copyOf(lens, n * 2);
                }
                keys[n] = (int) p;
                lens[n] = (int) (p >>> 32);
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new int[][] {Arrays.copyOf(keys, n), Arrays.copyOf(lens, n)};
    }

    /** {@code a.b.c.d/len} as {@code len << 32 | key}, or -1 when the line is anything else. */
    static long parsePrefix(String line) {
        int key = 0;
        int octets = 0;
        int value = -1;
        int i = 0;
        int end = line.length();
        while (end > 0 && Character.isWhitespace(line.charAt(end - 1))) {
            end--;
        }
        for (; i < end; i++) {
            char c = line.charAt(i);
            if (c >= '0' && c <= '9') {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    return -1;
                }
            } else if ((c == '.' || c == '/') && value >= 0 && octets < 4) {
                key = key << 8 | value;
                octets++;
                value = -1;
                if (c == '/') {
                    break;
                }
            } else {
                return -1;
            }
        }
        if (octets != 4 || i >= end) {
            return -1;
        }
        int len = 0;
        int digits = end - i - 1;
        for (i++; i < end; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9' || (len = len * 10 + (c - '0')) > 32) {
                return -1;
            }
        }
        if (digits == 0 || digits > 2 || (key & ~FibTrie.mask(len)) != 0) {
            return -1;
        }
        return (long) len << 32 | Integer.toUnsignedLong(key);
    }

    /** The BGP dump to load: {@code -Dnetstack4j.bgp}, or the shared data directory. */
    public static Path locatePrefixes() {
        String prop = System.getProperty("netstack4j.bgp");
        if (prop != null) {
            return Path.of(prop);
        }
        for (Path p : new Path[] {Path.of("../shared/data/bgp-prefixes.txt.gz"), Path.of("/work/shared/data/bgp-prefixes.txt.gz")}) {
            if (Files.isReadable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("no BGP dump: set -Dnetstack4j.bgp=FILE");
    }

    /** Uniformly random addresses, the same for a given seed. */
    public static int[] randomDestinations(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = rnd.nextInt();
        }
        return out;
    }

    /** Lookups per second of {@link Fib#lookup} over {@code dsts}, repeated for about {@code nanos}. */
    private static double measure(Fib fib, Flow4 flow, FibResult res, int[] dsts, long nanos, long[] sink) {
        long sum = 0;
        long count = 0;
        long start = System.nanoTime();
        long elapsed;
        int i = 0;
        do {
            int stop = Math.min(dsts.length, i + (1 << 16));
            for (; i < stop; i++) {
                flow.dst = dsts[i];
                if (fib.lookup(flow, res)) {
                    sum += res.gateway();
                } else {
                    sum++;
                }
            }
            count += 1 << 16;
            if (i == dsts.length) {
                i = 0;
            }
            elapsed = System.nanoTime() - start;
        } while (elapsed < nanos);
        sink[0] += sum;
        return count * 1e9 / elapsed;
    }

    /** Lookups per second of {@link FibTrie#longest} alone. */
    private static double measureRaw(FibTrie<?> trie, int[] dsts, long nanos, long[] sink) {
        long sum = 0;
        long count = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            for (int d : dsts) {
                sum += trie.longest(d);
            }
            count += dsts.length;
            elapsed = System.nanoTime() - start;
        } while (elapsed < nanos);
        sink[0] += sum;
        return count * 1e9 / elapsed;
    }

    private static long usedHeap(MemoryMXBean mem) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
