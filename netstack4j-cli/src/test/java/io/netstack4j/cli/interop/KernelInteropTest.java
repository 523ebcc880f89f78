package io.netstack4j.cli.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.cli.shell.Shell;
import io.netstack4j.capture.Capture;
import io.netstack4j.capture.Tshark;
import io.netstack4j.cli.tools.Tools;
import io.netstack4j.drivers.KernelNetns;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.ns.NetStack;
import io.netstack4j.socket.UdpSocket;
import io.netstack4j.wire.Ipv4Address;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * netstack4j and the Linux kernel as peers over TAP. Each test makes its own kernel network
 * namespaces, moves the kernel end of each TAP into one, and uses addresses that exist only
 * there (10.77.0.0/24, 10.78.0.0/24). The netstack4j side is driven with the same shell
 * commands a user types; the kernel side with iputils, iproute2 and traceroute.
 */
class KernelInteropTest {

    @TempDir
    Path tmp;

    private NetStack stack;
    private Shell shell;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;
    private final List<KernelNetns> kernel = new ArrayList<>();

    @BeforeEach
    void setUp() {
        String why = KernelNetns.unavailable();
        Assumptions.assumeTrue(why == null, why);
        stack = NetStack.realTime(7);
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        shell = new Shell(tmp, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Tools.registerAll(shell, stack);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (shell != null) {
            shell.close();
        }
        if (stack != null) {
            stack.close();
        }
        for (KernelNetns ns : kernel) {
            ns.close();
        }
    }

    /** Runs one netstack4j shell line and returns its stdout lines; fails on a non-zero status. */
    private List<String> sh(String line) throws InterruptedException {
        out.reset();
        err.reset();
        int status = shell.execute(line);
        assertEquals(0, status, line + " failed: " + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
        String s = out.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    /**
     * A netstack4j device {@code dev} on a TAP whose kernel end sits in a new kernel namespace:
     * netstack4j has {@code ours}/24, the kernel {@code theirs}/24. Returns the kernel namespace.
     */
    private KernelNetns tap(String dev, String ours, String theirs) throws Exception {
        String ifname = KernelNetns.freshIfname("n4j");
        sh("ip link add " + dev + " type tap ifname " + ifname);
        sh("ip addr add " + ours + "/24 dev " + dev);
        sh("ip link set " + dev + " up");
        KernelNetns ns = KernelNetns.create("n4jtest");
        kernel.add(ns);
        ns.adopt(ifname);
        ns.exec("ip", "addr", "add", theirs + "/24", "dev", ifname);
        ns.exec("ip", "link", "set", ifname, "up");
        return ns;
    }

    private static String kernelMac(KernelNetns ns) throws IOException {
        String links = ns.exec("ip", "-o", "link", "show").out();
        Matcher m = Pattern.compile("n4j[0-9a-f]+:.*link/ether ([0-9a-f:]{17})").matcher(links);
        assertTrue(m.find(), links);
        return m.group(1);
    }

    @Test
    void kernelPingsNetstack4jAndBack() throws Exception {
        KernelNetns k = tap("eth0", "10.77.0.2", "10.77.0.1");
        Path pcap = tmp.resolve("tap.pcap");
        Capture capture = Capture.start(stack.init().requireDevice("eth0"), pcap, 0);

        KernelNetns.Result small = k.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.77.0.2");
        assertTrue(small.out().contains("3 packets transmitted, 3 received, 0% packet loss"), small.toString());
        KernelNetns.Result big = k.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "8000", "10.77.0.2");
        assertTrue(big.out().contains("8008 bytes from 10.77.0.2: icmp_seq=1 ttl=64"), big.toString());
        assertTrue(big.out().contains("2 packets transmitted, 2 received"), big.toString());

        List<String> ours = sh("ping -c 3 -i 0.2 10.77.0.1");
        assertTrue(ours.stream().anyMatch(l -> l.startsWith("3 packets transmitted, 3 received, 0% packet loss")), ours.toString());
        List<String> oursBig = sh("ping -c 2 -i 0.2 -s 8000 10.77.0.1");
        assertTrue(oursBig.stream().anyMatch(l -> l.startsWith("8008 bytes from 10.77.0.1: icmp_seq=1 ttl=64")), oursBig.toString());

        // Each side's neighbour table learned the other's MAC through ARP.
        String ourMac = sh("ip link show eth0").get(1).strip().split(" ")[1];
        String theirNeigh = k.exec("ip", "neigh", "show", "10.77.0.2").out();
        assertTrue(theirNeigh.contains("lladdr " + ourMac), theirNeigh + " should hold " + ourMac);
        String ourNeigh = String.join("\n", sh("ip neigh show 10.77.0.1"));
        assertTrue(ourNeigh.contains("lladdr " + kernelMac(k)), ourNeigh);

        // The whole exchange, as tshark sees it: nothing malformed, every checksum right, and
        // fragments from both sides (8008-byte echoes are six fragments each).
        capture.stop();
        Tshark.Report report = Tshark.check(pcap);
        assertEquals(List.of(), report.problems());
        assertTrue(report.frames() >= 2 * (3 + 3 + 6 * 2 + 6 * 2), "frames: " + report.frames());
        assertEquals(0, capture.dropped());
        for (String src : List.of("10.77.0.1", "10.77.0.2")) {
            List<List<String>> fragments = Tshark.fields(pcap, "ip.flags.mf == 1 && ip.src == " + src, "ip.id");
            assertEquals(4 * 5, fragments.size(), "fragments with MF from " + src);
        }
    }

    @Test
    void netstack4jRoutesBetweenTwoKernelNamespaces() throws Exception {
        KernelNetns a = tap("eth0", "10.77.0.2", "10.77.0.1");
        KernelNetns b = tap("eth1", "10.78.0.2", "10.78.0.1");
        sh("sysctl -w net.ipv4.ip_forward=1");
        a.exec("ip", "route", "add", "default", "via", "10.77.0.2");
        b.exec("ip", "route", "add", "default", "via", "10.78.0.2");

        KernelNetns.Result ping = a.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.78.0.1");
        assertTrue(ping.out().contains("ttl=63"), "one hop through netstack4j: " + ping);
        assertTrue(ping.out().contains("3 received"), ping.toString());
        KernelNetns.Result big = a.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "8000", "10.78.0.1");
        assertTrue(big.out().contains("2 received"), big.toString());

        KernelNetns.Result ttl = a.execAllowFailure("ping", "-c", "1", "-W", "2", "-t", "1", "10.78.0.1");
        assertTrue(ttl.out().contains("From 10.77.0.2 icmp_seq=1 Time to live exceeded"), ttl.toString());

        KernelNetns.Result trace = a.exec("traceroute", "-n", "-q", "1", "-w", "2", "10.78.0.1");
        List<String> hops = trace.out().lines().skip(1).map(String::strip).toList();
        assertEquals(2, hops.size(), trace.toString());
        assertTrue(hops.get(0).startsWith("1  10.77.0.2 "), "netstack4j is the first hop: " + trace);
        assertTrue(hops.get(1).startsWith("2  10.78.0.1 "), trace.toString());
    }

    /** Datagram sizes for the UDP tests: small, one full frame, fragmented, nearly the largest. */
    private static final int[] SIZES = {100, 1472, 8000, 60000};

    private static byte[] payload(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    void udpBothWaysWithTheKernelsSocat() throws Exception {
        KernelNetns k = tap("eth0", "10.77.0.2", "10.77.0.1");
        Path pcap = tmp.resolve("udp.pcap");
        Capture capture = Capture.start(stack.init().requireDevice("eth0"), pcap, 0);

        // Kernel -> netstack4j: socat sends each payload as one datagram.
        try (UdpSocket server = UdpSocket.open(stack.init())) {
            server.bind(Ipv4Address.ANY, 5000);
            server.setSoTimeout(10_000);
            byte[] buf = new byte[65536];
            for (int size : SIZES) {
                Path file = tmp.resolve("send-" + size + ".bin");
                Files.write(file, payload(size));
                k.exec("socat", "-u", "-b", "65536", "OPEN:" + file, "UDP-SENDTO:10.77.0.2:5000,sourceport=4000");
                UdpSocket.Received got = server.receiveFrom(buf, 0, buf.length);
                assertEquals(size, got.length());
                assertArrayEquals(payload(size), Arrays.copyOf(buf, size), size + "-byte datagram arrived intact");
                assertEquals("10.77.0.1", got.address().toString());
                assertEquals(4000, got.port());
            }
        }

        // netstack4j -> kernel: socat writes whatever arrives to a file.
        Path received = tmp.resolve("kernel-got.bin");
        k.spawn(received, "socat", "-u", "-b", "65536", "UDP-RECV:5001", "STDOUT");
        awaitKernelListening(k, 5001);
        int total = 0;
        try (UdpSocket client = UdpSocket.open(stack.init())) {
            client.connect(Ipv4Address.parse("10.77.0.1"), 5001);
            for (int size : SIZES) {
                assertEquals(size, client.send(payload(size)));
                total += size;
            }
        }
        awaitFileSize(received, total);
        byte[] all = Files.readAllBytes(received);
        int at = 0;
        for (int size : SIZES) {
            assertArrayEquals(payload(size), Arrays.copyOfRange(all, at, at + size), size + "-byte datagram reached the kernel intact");
            at += size;
        }

        // A closed kernel port answers port unreachable; a connected socket hears ECONNREFUSED.
        try (UdpSocket lonely = UdpSocket.open(stack.init())) {
            lonely.connect(Ipv4Address.parse("10.77.0.1"), 5999);
            lonely.setSoTimeout(5_000);
            lonely.send(new byte[] {1, 2, 3});
            NetException e = assertThrows(NetException.class, () -> lonely.receive(new byte[16], 0, 16));
            assertEquals(Errno.ECONNREFUSED, e.errno());
        }

        capture.stop();
        Tshark.Report report = Tshark.check(pcap);
        assertEquals(List.of(), report.problems());
        assertEquals(2 * SIZES.length, Tshark.fields(pcap, "udp && !icmp && (udp.port == 5000 || udp.port == 5001)", "udp.length").size(),
                "each datagram is one UDP header (the rest are fragments)");
    }

    @Test
    void aScenarioKeepsAUdpServerRunningInTheBackground() throws Exception {
        KernelNetns k = tap("eth0", "10.77.0.2", "10.77.0.1");
        // As a scenario file would: the server runs in the background, its output in a file.
        sh("nc -u -l 5002 > got.txt &");
        sh("sleep 0.3");
        for (String line : List.of("first datagram", "second datagram")) {
            Path file = tmp.resolve("line.txt");
            Files.writeString(file, line + "\n");
            k.exec("socat", "-u", "OPEN:" + file, "UDP-SENDTO:10.77.0.2:5002,sourceport=4002");
        }
        Path got = tmp.resolve("got.txt");
        awaitFileSize(got, "first datagram\nsecond datagram\n".length());
        assertEquals("first datagram\nsecond datagram\n", Files.readString(got));
        List<String> ss = sh("ss -uan");
        assertTrue(ss.stream().anyMatch(l -> l.matches("ESTAB\\s+0\\s+0\\s+10\\.77\\.0\\.2:5002\\s+10\\.77\\.0\\.1:4002\\s*")),
                "nc connected to its first sender, as openbsd nc does: " + ss);
    }

    private static void awaitKernelListening(KernelNetns k, int port) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (k.exec("ss", "-Huln", "sport = :" + port).out().contains(":" + port)) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("the kernel never listened on UDP port " + port);
    }

    private static void awaitFileSize(Path file, long size) throws Exception {
        for (int i = 0; i < 400 && (!Files.exists(file) || Files.size(file) < size); i++) {
            Thread.sleep(25);
        }
        assertEquals(size, Files.exists(file) ? Files.size(file) : -1, "bytes the kernel received");
    }
}
