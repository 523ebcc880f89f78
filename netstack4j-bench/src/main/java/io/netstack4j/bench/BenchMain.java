package io.netstack4j.bench;

import io.netstack4j.cli.apps.Iperf3;
import io.netstack4j.core.NetDevice;
import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.wire.Ipv4Address;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * {@code ./netstack4j bench [--quick] [--json FILE] [--only METRIC,...]}: the end-to-end set,
 * each figure next to its reference measured in the same invocation, printed as one table
 * (metric, netstack4j, reference, ratio, goal) and optionally written as JSON.
 */
public final class BenchMain {

    private final boolean quick;
    private final List<String> only;
    private final List<Row> rows = new ArrayList<>();
    private final PrintStream log = System.err;

    private BenchMain(boolean quick, List<String> only) {
        this.quick = quick;
        this.only = only;
    }

    public static void main(String[] args) throws IOException {
        boolean quick = false;
        Path json = null;
        List<String> only = List.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--json" -> {
                    if (++i == args.length) {
                        usage("--json needs a file name");
                    }
                    json = Path.of(args[i]);
                }
                case "--only" -> {
                    if (++i == args.length) {
                        usage("--only needs a list of metrics");
                    }
                    only = List.of(args[i].split(","));
                }
                case "-h", "--help" -> usage(null);
                default -> usage("unknown argument: " + args[i]);
            }
        }
        BenchMain b = new BenchMain(quick, only);
        long t0 = System.nanoTime();
        b.runAll();
        System.out.print(Row.table(b.rows));
        System.out.printf(Locale.ROOT, "%d metrics in %.0f s (%s run) on %s%n", b.rows.size(), (System.nanoTime() - t0) / 1e9,
                quick ? "quick" : "full", Machine.describe());
        if (json != null) {
            Files.writeString(json, Row.json(b.rows));
            System.out.println("wrote " + json);
        }
        System.exit(0);
    }

    private static void usage(String error) {
        PrintStream o = error == null ? System.out : System.err;
        if (error != null) {
            o.println("bench: " + error);
        }
        o.println("usage: netstack4j bench [--quick] [--json FILE] [--only METRIC[,METRIC...]]");
        System.exit(error == null ? 0 : 2);
    }

    private boolean wanted(String metric) {
        return only.isEmpty() || only.stream().anyMatch(o -> metric.startsWith(o) || o.startsWith(metric));
    }

    private double secs(double full, double quickSecs) {
        return quick ? quickSecs : full;
    }

    private void runAll() {
        String noKernel = Kernel.unavailable();
        double kernelVeth = Double.NaN;
        if (wanted("tcp_bulk_veth") || wanted("tcp_bulk_tap")) {
            if (noKernel == null) {
                Kernel k = new Kernel();
                try {
                    log.println("bench: kernel iperf3 over veth between two kernel namespaces ...");
                    kernelVeth = k.vethIperf3(secs(10, 3));
                } finally {
                    k.cleanup();
                }
            }
        }
        if (wanted("tcp_bulk_veth") || wanted("alloc_per_packet_tcp")) {
            double kv = kernelVeth;
            guarded("tcp_bulk_veth", () -> tcpBulkVeth(kv, noKernel));
        }
        if (wanted("tcp_bulk_lo")) {
            guarded("tcp_bulk_lo", this::tcpBulkLo);
        }
        if (wanted("tcp_bulk_tap")) {
            double kv = kernelVeth;
            guarded("tcp_bulk_tap", () -> tcpBulkTap(kv, noKernel));
        }
        if (wanted("tcp_rr_latency")) {
            guarded("tcp_rr_latency", this::tcpRr);
        }
        if (wanted("tcp_connect_rate")) {
            guarded("tcp_connect_rate", this::tcpConnectRate);
        }
        if (wanted("udp_pps")) {
            guarded("udp_pps", this::udpPps);
        }
        if (wanted("forward_pps") || wanted("alloc_per_packet_forward")) {
            guarded("forward_pps", this::forwardPps);
        }
        if (wanted("fib_")) {
            guarded("fib_lookup", this::fibLookup);
        }
        if (wanted("idle_conn_memory")) {
            guarded("idle_conn_memory", this::idleConnMemory);
        }
    }

    /** Runs one benchmark; a failure becomes a row saying so instead of ending the whole run. */
    private void guarded(String metric, Runnable bench) {
        try {
            bench.run();
        } catch (RuntimeException e) {
            log.println("bench: " + metric + " failed: " + e);
            e.printStackTrace(log);
            rows.add(Row.skipped(metric, "", "-", "failed: " + e.getMessage()));
        }
    }

    /** Two namespaces a (10.0.0.1) and b (10.0.0.2) over a veth pair, MTU 1500, on a real-time loop. */
    private record VethPair(NetStack stack, Namespace a, Namespace b, Veth[] link) implements AutoCloseable {
        static VethPair create() {
            NetStack stack = NetStack.realTime(1);
            Namespace a = stack.addNamespace("a");
            Namespace b = stack.addNamespace("b");
            Veth[] link = stack.loop().call(() -> {
                Veth[] l = a.addVeth("veth0", b, "veth1");
                a.inet().addAddress(l[0], Ipv4Address.parse("10.0.0.1"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
                b.inet().addAddress(l[1], Ipv4Address.parse("10.0.0.2"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
                l[0].setUp(true);
                l[1].setUp(true);
                return l;
            });
            return new VethPair(stack, a, b, link);
        }

        @Override
        public void close() {
            stack.close();
        }
    }

    private void tcpBulkVeth(double kernelVeth, String noKernel) {
        log.println("bench: netstack4j TCP over veth between two namespaces ...");
        try (VethPair p = VethPair.create()) {
            Transport t = Transport.stack("netstack4j veth", p.b(), p.a(), Ipv4Address.parse("10.0.0.2"));
            double[] alloc = new double[1];
            LongSupplier packets = () -> p.stack().loop().call(() -> p.link()[0].stats().txPackets + p.link()[1].stats().txPackets);
            StreamBench.Bulk r = StreamBench.bulk(t, 5001, secs(10, 3), window -> alloc[0] = Alloc.perPacket(packets, window));
            log.println("bench: sender RetransSegs " + p.stack().loop().call(() -> p.a().tcp().mib().get(io.netstack4j.tcp.TcpMib.RetransSegs))
                    + ", receiver TCPOFOQueue " + p.stack().loop().call(() -> p.b().tcp().extMib().get(io.netstack4j.tcp.TcpExtMib.TCPOFOQueue)));
            String note = noKernel == null ? "kernel: iperf3 between two kernel netns over veth" : "kernel reference skipped: " + noKernel;
            rows.add(Row.higher("tcp_bulk_veth", r.gbps(), "Gbit/s", kernelVeth, 1.0, note));
            rows.add(Row.absolute("alloc_per_packet_tcp", alloc[0], "B/packet", "== 0", alloc[0] == 0,
                    "all threads (loop, sender, receiver) during steady bulk over veth; packets = data segments + ACKs"));
        }
    }

    private void tcpBulkLo() {
        log.println("bench: the same Java bulk code over netstack4j loopback and JDK sockets ...");
        double kernel = StreamBench.bulk(Transport.jdk(), 5002, secs(10, 3), null).gbps();
        double ours;
        try (NetStack stack = NetStack.realTime(2)) {
            Namespace ns = stack.init();
            ours = StreamBench.bulk(Transport.stack("netstack4j lo", ns, ns, Ipv4Address.LOOPBACK), 5002, secs(10, 3), null).gbps();
        }
        rows.add(Row.higher("tcp_bulk_lo", ours, "Gbit/s", kernel, 1.0, "kernel: JDK sockets over 127.0.0.1"));
    }

    private void tcpBulkTap(double kernelVeth, String noKernel) {
        if (noKernel != null) {
            rows.add(Row.skipped("tcp_bulk_tap", "Gbit/s", "ratio >= 0.5", noKernel));
            return;
        }
        log.println("bench: kernel iperf3 -c to netstack4j iperf3 -s over TAP ...");
        Kernel k = new Kernel();
        String ifname = "n4jbtap" + ProcessHandle.current().pid() % 10000;
        try (NetStack stack = NetStack.realTime(3)) {
            Namespace ns = stack.init();
            String kns = k.netns("n4jb-tap");
            stack.loop().run(() -> {
                NetDevice tap = ns.addTap("eth0", ifname);
                ns.inet().addAddress(tap, Ipv4Address.parse("10.202.0.2"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
                tap.setUp(true);
            });
            Kernel.must("ip", "link", "set", ifname, "netns", kns);
            Kernel.must("ip", "-n", kns, "addr", "add", "10.202.0.1/24", "dev", ifname);
            Kernel.must("ip", "-n", kns, "link", "set", ifname, "up");
            java.io.ByteArrayOutputStream report = new java.io.ByteArrayOutputStream();
            PrintStream reportStream = new PrintStream(report, true, java.nio.charset.StandardCharsets.UTF_8);
            Thread server = Thread.ofPlatform().name("bench-iperf3-s").daemon(true)
                    .start(() -> Iperf3.server(ns, 5201, true, reportStream));
            awaitListen(report);
            double gbps = Kernel.iperf3Client(kns, "10.202.0.2", 5201, secs(10, 3));
            StreamBench.join(server);
            rows.add(Row.higher("tcp_bulk_tap", gbps, "Gbit/s", kernelVeth, 0.5,
                    "kernel iperf3 -c to netstack4j iperf3 -s over TAP; reference: kernel to kernel over veth"));
        } finally {
            k.cleanup();
        }
    }

    /** Waits until a server thread's report shows it listening (it prints that after listen()). */
    private static void awaitListen(java.io.ByteArrayOutputStream report) {
        for (int i = 0; i < 500; i++) {
            if (report.toString(java.nio.charset.StandardCharsets.UTF_8).contains("Server listening")) {
                return;
            }
            StreamBench.sleepNanos(10_000_000);
        }
        throw new IllegalStateException("netstack4j iperf3 -s did not start listening");
    }

    private void tcpRr() {
        log.println("bench: 1-byte request/response ...");
        int warm = quick ? 20_000 : 50_000;
        int rounds = quick ? 50_000 : 200_000;
        StreamBench.Latency kernel = StreamBench.requestResponse(Transport.jdk(), 5003, warm, rounds);
        StreamBench.Latency ours;
        try (NetStack stack = NetStack.realTime(4)) {
            Namespace ns = stack.init();
            ours = StreamBench.requestResponse(Transport.stack("netstack4j lo", ns, ns, Ipv4Address.LOOPBACK), 5003, warm, rounds);
        }
        rows.add(Row.lower("tcp_rr_latency_p50", ours.p50(), "us", kernel.p50(), 1.0, "round trip; kernel: JDK sockets over 127.0.0.1"));
        rows.add(Row.lower("tcp_rr_latency_p99", ours.p99(), "us", kernel.p99(), 1.0, "round trip; kernel: JDK sockets over 127.0.0.1"));
        String why = Kernel.unavailable();
        if (why == null && Kernel.run("sockperf", "--version").exit() != 0) {
            why = "sockperf is not installed";
        }
        if (why != null) {
            rows.add(Row.skipped("tcp_rr_latency_veth_p50", "us", "ratio <= 1.0", why));
            return;
        }
        StreamBench.Latency veth;
        try (VethPair p = VethPair.create()) {
            veth = StreamBench.requestResponse(Transport.stack("netstack4j veth", p.b(), p.a(), Ipv4Address.parse("10.0.0.2")), 5006, warm,
                    rounds);
        }
        double[] sockperf = new Kernel().vethSockperf(secs(5, 2));
        String note = "round trip over veth between two namespaces; kernel: sockperf ping-pong --tcp (14-byte messages, its half round trip doubled)";
        rows.add(Row.lower("tcp_rr_latency_veth_p50", veth.p50(), "us", sockperf[0], 1.0, note));
        rows.add(Row.lower("tcp_rr_latency_veth_p99", veth.p99(), "us", sockperf[1], 1.0, note));
    }

    private void tcpConnectRate() {
        log.println("bench: connect + accept + close ...");
        double kernel = StreamBench.connectRate(Transport.jdk(), 5004, secs(5, 2));
        double ours;
        try (NetStack stack = NetStack.realTime(5)) {
            Namespace ns = stack.init();
            ours = StreamBench.connectRate(Transport.stack("netstack4j lo", ns, ns, Ipv4Address.LOOPBACK), 5004, secs(5, 2));
        }
        rows.add(Row.higher("tcp_connect_rate", ours, "conn/s", kernel, 1.0, "kernel: JDK sockets over 127.0.0.1"));
    }

    private void udpPps() {
        log.println("bench: 64-byte UDP datagrams ...");
        double kernel = UdpBench.kernel(5005, 1, secs(5, 2));
        double ours;
        try (NetStack stack = NetStack.realTime(6)) {
            ours = UdpBench.stack(stack.init(), 5005, 1, secs(5, 2));
        }
        rows.add(Row.higher("udp_pps", ours, "pkt/s", kernel, 1.0, "received; kernel: JDK DatagramChannel over 127.0.0.1"));
    }

    private void forwardPps() {
        log.println("bench: forwarding through a router holding the full table ...");
        ForwardBench.Result r = ForwardBench.run(FibLookupBench.readPrefixes(FibLookupBench.locatePrefixes()), secs(3, 1), secs(5, 2));
        rows.add(Row.absolute("forward_pps", r.pps(), "pkt/s", ">= 2e6", r.pps() >= 2e6,
                String.format(Locale.ROOT, "generator, router (%d routes, loaded in %.1f s) and sink on one thread", r.routes(),
                        r.loadSeconds())));
        rows.add(Row.absolute("alloc_per_packet_forward", r.allocBytesPerPacket(), "B/packet", "== 0", r.allocBytesPerPacket() == 0,
                "the one thread running generator, router and sink"));
    }

    private void fibLookup() {
        log.println("bench: FIB lookups on the full table ...");
        FibLookupBench.Result r = FibLookupBench.run(quick);
        rows.add(Row.absoluteWithReference("fib_lookup", r.lookupsPerSec(), "lookup/s", r.referenceLookupsPerSec(), ">= 1e8",
                r.lookupsPerSec() >= 1e8, "Fib.lookup, random destinations, one thread; reference: the same table without DIR-24-8"));
        rows.add(Row.absolute("fib_load_time", r.loadSeconds(), "s", "<= 2", r.loadSeconds() <= 2,
                "gunzip, parse and ip-route-add 901,899 prefixes"));
        rows.add(Row.absolute("fib_memory", r.tableBytes() / 1048576.0, "MiB", "<= 128", r.tableBytes() <= 128L << 20,
                "heap retained by the loaded FIB"));
    }

    private void idleConnMemory() {
        int n = quick ? 20_000 : 100_000;
        log.println("bench: heap per idle established connection, " + n + " connections ...");
        IdleConnMemoryBench.Result r = IdleConnMemoryBench.run(n);
        rows.add(Row.absoluteWithReference("idle_conn_memory", r.bytesPerConnection(), "B/conn", r.referenceBytesPerConnection(),
                "<= 4096", r.bytesPerConnection() <= 4096,
                r.connections() + " connections, both ends; reference: JDK loopback sockets' Java heap only (kernel memory not seen)"));
    }

    /** Allocation per packet, over every Java thread, during a steady window. */
    static final class Alloc {
        private Alloc() {
        }

        static double perPacket(LongSupplier packets, long windowNanos) {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long[] ids = mx.getAllThreadIds();
            long p0 = packets.getAsLong();
            long[] a0 = mx.getThreadAllocatedBytes(ids);
            StreamBench.sleepNanos(windowNanos);
            long[] a1 = mx.getThreadAllocatedBytes(ids);
            long p1 = packets.getAsLong();
            if (p1 == p0) {
                return Double.NaN;
            }
            long sum = 0;
            StringBuilder perThread = new StringBuilder();
            java.lang.management.ThreadInfo[] info = mx.getThreadInfo(ids);
            for (int i = 0; i < ids.length; i++) {
                if (a0[i] >= 0 && a1[i] >= 0 && a1[i] > a0[i]) {
                    long d = a1[i] - a0[i];
                    sum += d;
                    if (info[i] != null && info[i].getThreadName().startsWith("bench-") || info[i] != null
                            && info[i].getThreadName().equals("netloop")) {
                        perThread.append(String.format(Locale.ROOT, " %s %.2f", info[i].getThreadName(), (double) d / (p1 - p0)));
                    }
                }
            }
            System.err.println("bench: allocation per packet by thread:" + perThread);
            return (double) sum / (p1 - p0);
        }
    }
}
