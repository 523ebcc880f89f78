package io.netstack4j.cli.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.capture.Capture;
import io.netstack4j.capture.Tshark;
import io.netstack4j.cli.shell.Shell;
import io.netstack4j.cli.tools.Tools;
import io.netstack4j.drivers.KernelNetns;
import io.netstack4j.ns.NetStack;
import io.netstack4j.tcp.TcpExtMib;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TCP between netstack4j and the Linux kernel over TAP, in a kernel namespace the test creates.
 *
 * <pre>
 *   kernel netns  10.77.0.1 [tap] === 10.77.0.2 netstack4j "init" (router) 10.88.0.1 --veth-- 10.88.0.2 netstack4j "h"
 * </pre>
 *
 * The kernel drops 2% of the frames each way ({@code iptables -m statistic}); netstack4j's netem on
 * both ends of the router's veth adds delay, reordering and duplication. The kernel's socat and
 * netstack4j's nc move files both ways; SHA-256 must match.
 */
class TcpInteropTest {

    static final int BULK = Integer.getInteger("interop.tcpBytes", 50 << 20);

    @TempDir
    Path tmp;

    private NetStack stack;
    private Shell shell;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;
    private KernelNetns k;
    private String ifname;

    @BeforeEach
    void setUp() throws Exception {
        String why = KernelNetns.unavailable();
        Assumptions.assumeTrue(why == null, why);
        stack = NetStack.realTime(11);
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        shell = new Shell(tmp, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Tools.registerAll(shell, stack);
        ifname = KernelNetns.freshIfname("n4t");
        sh("ip link add eth0 type tap ifname " + ifname);
        sh("ip addr add 10.77.0.2/24 dev eth0");
        sh("ip link set eth0 up");
        sh("sysctl -w net.ipv4.ip_forward=1");
        sh("ip netns add h");
        sh("ip link add veth0 type veth peer name veth1 netns h");
        sh("ip addr add 10.88.0.1/24 dev veth0");
        sh("ip link set veth0 up");
        sh("ip -n h addr add 10.88.0.2/24 dev veth1");
        sh("ip -n h link set veth1 up");
        sh("ip -n h route add default via 10.88.0.1");
        k = KernelNetns.create("n4jtcp");
        k.adopt(ifname);
        k.exec("ip", "addr", "add", "10.77.0.1/24", "dev", ifname);
        k.exec("ip", "link", "set", ifname, "up");
        k.exec("ip", "route", "add", "10.88.0.0/24", "via", "10.77.0.2");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (shell != null) {
            shell.close();
        }
        if (stack != null) {
            stack.close();
        }
        if (k != null) {
            k.close();
        }
    }

    private List<String> sh(String line) throws InterruptedException {
        out.reset();
        err.reset();
        int status = shell.execute(line);
        assertEquals(0, status, line + " failed: " + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
        String s = out.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    /** Waits (up to 10 s) until a background server in namespace h listens on {@code port}. */
    private void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            boolean up = stack.loop().call(() -> stack.namespace("h").tcp().sockets().stream()
                    .anyMatch(i -> i.state() == io.netstack4j.tcp.TcpState.LISTEN && i.localPort() == port));
            if (up) {
                return;
            }
            Thread.sleep(20);
        }
        StringBuilder logs = new StringBuilder();
        try (var files = Files.list(tmp)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".txt") || f.toString().endsWith(".log")).toList()) {
                logs.append("\n--- ").append(f.getFileName()).append(":\n").append(Files.readString(f));
            }
        }
        throw new AssertionError("nothing listens on port " + port + " in h; the servers' output:" + logs);
    }

    /** Waits (up to 10 s) until a kernel server in the test's kernel namespace listens on {@code port}. */
    private void awaitKernelListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (k.exec("ss", "-Htln", "sport", "= :" + port).out().contains(":" + port)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the kernel side does not listen on port " + port);
    }

    private void impair() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/iptables")) || Files.isExecutable(Path.of("/sbin/iptables")),
                "iptables is not installed");
        for (String chain : List.of("INPUT", "OUTPUT")) {
            k.exec("iptables", "-A", chain, chain.equals("INPUT") ? "-i" : "-o", ifname, "-m", "statistic", "--mode", "random",
                    "--probability", "0.02", "-j", "DROP");
        }
        sh("tc qdisc add dev veth0 root netem delay 1ms reorder 5% duplicate 1%");
        sh("tc -n h qdisc add dev veth1 root netem delay 1ms reorder 5% duplicate 1%");
    }

    private static byte[] sha256(Path p) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        }
        return d.digest();
    }

    private Path randomFile(String name, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        Path p = tmp.resolve(name);
        Files.write(p, data);
        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        return p;
    }

    private static void awaitSize(Path p, long size, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline && (!Files.exists(p) || Files.size(p) < size)) {
            Thread.sleep(50);
        }
    }

    /** Kernel socat sends a file to netstack4j's nc; netstack4j's nc sends one to the kernel's socat. */
    private void bulkBothWays(int size) throws Exception {
        Path up = randomFile("up.bin", size, 1);
        sh("ip netns exec h nc -l 5000 > got-up.bin &");
        awaitListening(5000);
        long t0 = System.nanoTime();
        k.exec("socat", "-u", "OPEN:" + up, "TCP:10.88.0.2:5000");
        Path gotUp = tmp.resolve("got-up.bin");
        awaitSize(gotUp, size, 120);
        sh("wait");
        double upSecs = (System.nanoTime() - t0) / 1e9;
        assertEquals(size, Files.size(gotUp), "bytes netstack4j received from the kernel");
        assertArrayEquals(sha256(up), sha256(gotUp));

        Path down = randomFile("down.bin", size, 2);
        Path gotDown = tmp.resolve("got-down.bin");
        Process server = k.spawn(gotDown, "socat", "-u", "TCP-LISTEN:5001,reuseaddr", "STDOUT");
        awaitKernelListening(5001);
        long t1 = System.nanoTime();
        sh("ip netns exec h nc -N 10.77.0.1 5001 < down.bin");
        assertTrue(server.waitFor(120, TimeUnit.SECONDS), "kernel socat did not finish");
        double downSecs = (System.nanoTime() - t1) / 1e9;
        assertEquals(size, Files.size(gotDown), "bytes the kernel received from netstack4j");
        assertArrayEquals(sha256(down), sha256(gotDown));
        System.out.printf("tcp interop %d bytes: kernel->netstack4j %.1f Mbit/s, netstack4j->kernel %.1f Mbit/s%n", size,
                size * 8 / upSecs / 1e6, size * 8 / downSecs / 1e6);
    }

    @Test
    void fiftyMegabytesEachWayThroughLossReorderAndDuplication() throws Exception {
        impair();
        bulkBothWays(BULK);
        long recoveries = stack.loop().call(() -> stack.namespace("h").tcp().extMib().get(TcpExtMib.TCPSackRecovery)
                + stack.namespace("h").tcp().extMib().get(TcpExtMib.TCPLossProbes)
                + stack.namespace("h").tcp().extMib().get(TcpExtMib.TCPTimeouts));
        assertTrue(recoveries > 0, "2% loss should have made netstack4j recover at least once");
        System.out.println("netstack4j h counters: " + stack.loop().call(() -> {
            StringBuilder b = new StringBuilder();
            var m = stack.namespace("h").tcp().extMib();
            for (TcpExtMib key : m.keys()) {
                if (m.get(key) != 0) {
                    b.append(key).append('=').append(m.get(key)).append(' ');
                }
            }
            var t = stack.namespace("h").tcp().mib();
            for (var key : t.keys()) {
                b.append(key).append('=').append(t.get(key)).append(' ');
            }
            return b.toString();
        }));
    }

    @Test
    void aCleanTransferCapturesCleanForTshark() throws Exception {
        Path pcap = tmp.resolve("tcp.pcap");
        // The ring holds the whole transfer: with app threads sending at full speed, the writer
        // thread may fall behind a 2 MiB ring, and a capture drop (counted) is not what this checks.
        Capture capture = Capture.start(stack.init().requireDevice("eth0"), pcap, 0, 64 << 20);
        bulkBothWays(4 << 20);
        capture.close();
        assertEquals(0, capture.dropped(), "frames the capture ring dropped");
        Tshark.Report report = Tshark.check(pcap, "-d", "tcp.port==5000,data", "-d", "tcp.port==5001,data");
        System.out.println("drops on the netstack4j side: " + stack.loop().call(() -> "FULL_RING=" + stack.init().drops().get(io.netstack4j.core.DropReason.FULL_RING) + " QDISC_DROP=" + stack.init().drops().get(io.netstack4j.core.DropReason.QDISC_DROP)));
        List<String> ours = report.problems().stream()
                .filter(p -> p.contains("ACKed segment that wasn't captured") || p.contains("Previous segment(s) not captured")
                        || p.contains("Malformed") || p.contains("Checksum"))
                .filter(p -> !kernelMangledZeroChecksum(pcap, p))
                .toList();
        System.out.println("tshark notes: " + report.problems());
        assertEquals(List.of(), ours, "tshark's complaints (incl. TCP analysis warnings)");
        assertTrue(report.frames() > 1000, "frames captured: " + report.frames());
    }

    /**
     * The kernel's software checksum ({@code skb_checksum_help}) writes a TCP checksum that
     * folds to zero as 0xffff ({@code CSUM_MANGLED_0}), the other ones'-complement zero, which
     * tshark flags. That is allowed (RFC 1624) and is the kernel's frame, not ours.
     */
    private static boolean kernelMangledZeroChecksum(Path pcap, String problem) {
        if (!problem.contains("TCP Checksum 0xffff instead of 0x0000")) {
            return false;
        }
        String frame = problem.substring("frame ".length(), problem.indexOf(':'));
        List<List<String>> src = Tshark.fields(pcap, "frame.number==" + frame, "ip.src");
        return src.size() == 1 && src.get(0).get(0).equals("10.77.0.1");
    }

    @Test
    void connectingToAClosedKernelPortIsRefusedAndSsShowsConnections() throws Exception {
        out.reset();
        err.reset();
        int status = shell.execute("ip netns exec h nc 10.77.0.1 5999");
        assertEquals(1, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Connection refused"), err.toString(StandardCharsets.UTF_8));
        sh("ip netns exec h nc -l 5003 > /dev/null &");
        awaitListening(5003);
        Process p = k.spawn(tmp.resolve("k.out"), "sh", "-c", "sleep 2 | socat -u STDIN TCP:10.88.0.2:5003");
        String all = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!all.contains("ESTAB") && System.nanoTime() < deadline) {
            Thread.sleep(20);
            all = String.join("\n", sh("ip netns exec h ss -tani"));
        }
        assertTrue(all.contains("ESTAB") && all.contains("10.88.0.2:5003") && all.contains("10.77.0.1:"), all);
        assertTrue(all.contains("cubic wscale:") && all.contains("rto:") && all.contains("mss:1448"), all);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        sh("wait");
    }

    private static double jsonNumber(String json, String path) {
        Object v = io.netstack4j.cli.apps.Json.parse(json);
        for (String k : path.split("\\.")) {
            v = v instanceof java.util.Map<?, ?> m ? m.get(k) : null;
        }
        assertTrue(v instanceof Number, "iperf3 -J has no " + path + ": " + json);
        return ((Number) v).doubleValue();
    }

    @Test
    void kernelIperf3MeasuresNetstack4jAndBack() throws Exception {
        sh("ip netns exec h iperf3 -s -1 -p 5201 > iperf-server.txt &");
        awaitListening(5201);
        KernelNetns.Result up = k.exec("iperf3", "-c", "10.88.0.2", "-p", "5201", "-t", "3", "-J");
        double upBps = jsonNumber(up.out(), "end.sum_received.bits_per_second");
        assertTrue(upBps > 0, up.out());
        sh("wait");
        sh("ip netns exec h iperf3 -s -1 -p 5201 > iperf-server2.txt &");
        awaitListening(5201);
        KernelNetns.Result down = k.exec("iperf3", "-c", "10.88.0.2", "-p", "5201", "-t", "3", "-R", "-J");
        double downBps = jsonNumber(down.out(), "end.sum_received.bits_per_second");
        assertTrue(downBps > 0, down.out());
        sh("wait");

        Process server = k.spawn(tmp.resolve("kernel-iperf.txt"), "iperf3", "-s", "-1", "-p", "5202");
        awaitKernelListening(5202);
        List<String> client = sh("ip netns exec h iperf3 -c 10.77.0.1 -p 5202 -t 3 -P 2");
        String text = String.join("\n", client);
        assertTrue(text.contains("receiver") && text.contains("iperf Done."), text);
        assertTrue(server.waitFor(30, TimeUnit.SECONDS), "kernel iperf3 -s -1 did not finish");
        String kernelReport = Files.readString(tmp.resolve("kernel-iperf.txt"));
        assertTrue(kernelReport.contains("receiver"), kernelReport);
        System.out.printf("iperf3: kernel client -> netstack4j server %.1f Mbit/s, -R %.1f Mbit/s%n%s%n", upBps / 1e6, downBps / 1e6,
                client.get(client.size() - 3));
    }

    @Test
    void curlAndHttpServeFilesBothWays() throws Exception {
        Files.createDirectories(tmp.resolve("www"));
        Path served = randomFile("www/f.bin", 3 << 20, 5);
        sh("ip netns exec h httpd www 8080 > httpd.log &");
        awaitListening(8080);
        Path fetched = tmp.resolve("kernel-got.bin");
        k.exec("curl", "-s", "-f", "-o", fetched.toString(), "http://10.88.0.2:8080/f.bin");
        assertArrayEquals(sha256(served), sha256(fetched));
        KernelNetns.Result missing = k.execAllowFailure("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://10.88.0.2:8080/nope");
        assertEquals("404", missing.out().trim());

        Files.createDirectories(tmp.resolve("kweb"));
        Path kfile = randomFile("kweb/k.bin", 2 << 20, 6);
        Process py = k.spawn(tmp.resolve("py.log"), "sh", "-c", "cd " + tmp.resolve("kweb") + " && exec python3 -m http.server 8000 --bind 10.77.0.1");
        try {
            awaitKernelListening(8000);
            sh("ip netns exec h curl -s -f -o n4j-got.bin http://10.77.0.1:8000/k.bin");
            assertArrayEquals(sha256(kfile), sha256(tmp.resolve("n4j-got.bin")));
        } finally {
            py.destroy();
        }
    }
}
