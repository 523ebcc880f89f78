package io.netstack4j.bench.micro;

import io.netstack4j.bench.FibLookupBench;
import io.netstack4j.route.Fib;
import io.netstack4j.route.FibResult;
import io.netstack4j.route.FibTable;
import io.netstack4j.route.FibTrie;
import io.netstack4j.route.Flow4;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link Fib#lookup} and {@link FibTrie#longest} on the full BGP table (see {@link FibLookupBench}
 * for where it is read from) with uniformly random destinations, with the DIR-24-8 index
 * ({@code indexed=true}) and with the plain trie walk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class FibLookupJmh {

    private static final int BATCH = 1024;

    @Param({"true", "false"})
    public boolean indexed;

    private Fib fib;
    private FibTrie<?> trie;
    private int[] dsts;
    private int next;
    private final Flow4 flow = new Flow4();
    private final FibResult res = new FibResult();

    @Setup
    public void load() {
        fib = FibLookupBench.load(FibLookupBench.locatePrefixes()).fib();
        trie = fib.table(FibTable.MAIN).trie();
        trie.indexAbove(indexed ? FibTrie.DEFAULT_INDEX_THRESHOLD : Integer.MAX_VALUE);
        dsts = FibLookupBench.randomDestinations(1 << 24, 42);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void fibLookup(Blackhole bh) {
        int[] d = dsts;
        int i = next;
        for (int k = 0; k < BATCH; k++) {
            flow.dst = d[i + k];
            bh.consume(fib.lookup(flow, res));
            bh.consume(res.gateway());
        }
        next = (i + BATCH) & (d.length - 1);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void longestMatch(Blackhole bh) {
        int[] d = dsts;
        int i = next;
        for (int k = 0; k < BATCH; k++) {
            bh.consume(trie.longest(d[i + k]));
        }
        next = (i + BATCH) & (d.length - 1);
    }
}
