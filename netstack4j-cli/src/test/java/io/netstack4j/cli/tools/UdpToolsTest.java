package io.netstack4j.cli.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.cli.shell.Shell;
import io.netstack4j.core.NetLoop;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.socket.TcpListener;
import io.netstack4j.socket.TcpSocket;
import io.netstack4j.socket.UdpSocket;
import io.netstack4j.time.VirtualClock;
import io.netstack4j.udp.UdpSock;
import io.netstack4j.wire.Ipv4Address;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nc -u} and {@code ss -u} as a user types them, on a stack whose loop free-runs a
 * virtual clock. Where a test waits for another thread it polls for the outcome; no assertion
 * depends on wall-clock time.
 *
 * <pre>
 *   a 10.0.0.1/24 veth0 ---- veth1 10.0.0.2/24 b
 * </pre>
 */
class UdpToolsTest {

    @TempDir
    Path dir;

    private NetStack stack;
    private Shell shell;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;

    @BeforeEach
    void setUp() throws InterruptedException {
        NetLoop loop = new NetLoop(new VirtualClock(), 11);
        stack = new NetStack(loop);
        loop.start();
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        shell = new Shell(dir, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Tools.registerAll(shell, stack);
        for (String cmd : List.of("ip netns add a", "ip netns add b", "ip link add veth0 netns a type veth peer name veth1 netns b",
                "ip -n a addr add 10.0.0.1/24 dev veth0", "ip -n b addr add 10.0.0.2/24 dev veth1", "ip -n a link set veth0 up",
                "ip -n b link set veth1 up")) {
            run(cmd);
        }
    }

    @AfterEach
    void tearDown() {
        shell.close();
        stack.close();
    }

    private List<String> run(String line) throws InterruptedException {
        out.reset();
        err.reset();
        int status = shell.execute(line);
        assertEquals(0, status, line + " failed: " + err.toString(StandardCharsets.UTF_8));
        return lines();
    }

    private List<String> lines() {
        String s = out.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n", -1)).subList(0, s.split("\n", -1).length - 1);
    }

    private Namespace ns(String name) {
        return stack.loop().call(() -> stack.requireNamespace(name));
    }

    /** Polls until {@code cond} holds; the bound only keeps a broken build from hanging. */
    /** Background TCP {@code nc}s stopped by the shell at its end go quietly, as the real nc does on a signal. */
    @Test
    void tcpNcStoppedWhenTheShellClosesPrintsNothing() throws InterruptedException {
        run("ip netns exec b nc -l 7000 > /dev/null &");
        until(() -> stack.loop().call(() -> stack.namespace("b").tcp().sockets().stream()
                .anyMatch(i -> i.state() == io.netstack4j.tcp.TcpState.LISTEN)));
        run("ip netns exec a nc 10.0.0.2 7000 < /dev/null &");
        until(() -> stack.loop().call(() -> stack.namespace("a").tcp().sockets().stream()
                .anyMatch(i -> i.state() == io.netstack4j.tcp.TcpState.ESTABLISHED)));
        err.reset();
        shell.close();
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.isEmpty(), "stopping the jobs printed: " + said);
    }

    private static void until(BooleanSupplier cond) throws InterruptedException {
        for (int i = 0; i < 30_000 && !cond.getAsBoolean(); i++) {
            Thread.sleep(1);
        }
        assertTrue(cond.getAsBoolean(), "condition never held");
    }

    private int udpSockets(String ns) {
        Namespace n = ns(ns);
        return stack.loop().call(() -> n.udp().sockets().size());
    }

    @Test
    void aBackgroundListenerWritesEachDatagramToAFile() throws Exception {
        Files.writeString(dir.resolve("lines.txt"), "one\ntwo\nthree\n");
        run("ip netns exec b nc -u -l 5000 > got.txt &");
        until(() -> udpSockets("b") == 1);
        assertEquals(List.of("Recv-Q Send-Q Local Address:Port Peer Address:PortProcess"), run("ip netns exec b ss -un"));
        assertEquals(List.of(
                "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess",
                "UNCONN 0      0            0.0.0.0:5000      0.0.0.0:*          "), run("ip netns exec b ss -uan"));

        run("ip netns exec a nc -u -q 0 -p 4000 10.0.0.2 5000 < lines.txt");
        Path got = dir.resolve("got.txt");
        until(() -> read(got).equals("one\ntwo\nthree\n"));
        assertEquals(List.of(
                "State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess",
                "ESTAB 0      0           10.0.0.2:5000     10.0.0.1:4000       "), run("ip netns exec b ss -uan"),
                "openbsd nc connects to its first peer");
        assertTrue(run("ip netns exec b nstat").contains("UdpInDatagrams                  3                  0.0"));
        assertTrue(run("ip netns exec a netstat -s").contains("    3 packets sent"));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void theClientPrintsWhatComesBack() throws Exception {
        Namespace b = ns("b");
        // An echo server living on the loop: it answers in the same loop round the request arrives.
        UdpSock[] server = new UdpSock[1];
        stack.loop().run(() -> {
            byte[] buf = new byte[100];
            server[0] = b.udp().open(() -> {
                UdpSock sk = server[0];
                int n;
                while (!sk.isClosed() && (n = sk.receive(buf, 0, buf.length)) >= 0) {
                    byte[] reply = ("echo " + new String(buf, 0, n, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
                    sk.send(reply, 0, reply.length, sk.lastAddress(), sk.lastPort());
                }
            });
            server[0].bind(0, 7);
        });
        Files.writeString(dir.resolve("ping.txt"), "ping\npong\n");
        assertEquals(List.of("echo ping", "echo pong"), run("ip netns exec a nc -u -q 1 10.0.0.2 7 < ping.txt"));
        stack.loop().run(server[0]::close);
    }

    @Test
    void aRefusedPortEndsTheClient() throws Exception {
        Files.writeString(dir.resolve("x.txt"), "x\n");
        out.reset();
        assertEquals(1, shell.execute("ip netns exec a nc -u -q 1 10.0.0.2 9 < x.txt"));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertEquals(1, stack.loop().call(() -> ns("b").udp().mib().get(io.netstack4j.udp.UdpMib.NoPorts)).longValue());
    }

    @Test
    void usageErrors() throws InterruptedException {
        assertEquals(1, shell.execute("nc -u"));
        assertEquals("nc: missing hostname and port", err.toString(StandardCharsets.UTF_8).strip());
        err.reset();
        assertEquals(1, shell.execute("ip netns exec a nc -u 10.9.9.9 53"));
        assertEquals("nc: connect to 10.9.9.9 port 53 (udp) failed: Network is unreachable", err.toString(StandardCharsets.UTF_8).strip());
        err.reset();
        run("ip netns exec b nc -u -l 6000 &");
        until(() -> udpSockets("b") == 1);
        err.reset();
        assertEquals(1, shell.execute("ip netns exec b nc -u -l 6000"));
        assertEquals("nc: Address already in use", err.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void ssLooksAsIproute2s() throws InterruptedException {
        Namespace init = stack.init();
        UdpSocket wildcard = UdpSocket.open(init);
        wildcard.bind(Ipv4Address.ANY, 6353);
        UdpSocket lo = UdpSocket.open(init);
        lo.bind(Ipv4Address.LOOPBACK, 40000);
        UdpSocket connected = UdpSocket.open(init);
        connected.bind(Ipv4Address.LOOPBACK, 40604);
        connected.connect(Ipv4Address.LOOPBACK, 6353);
        connected.send("x".getBytes(StandardCharsets.US_ASCII));
        until(() -> stack.loop().call(() -> wildcard.sock().readable()));
        // The same sockets on Linux print the same, with Linux's own Recv-Q (truesize) figure.
        assertEquals(List.of(
                "State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess",
                "UNCONN 2304   0            0.0.0.0:6353       0.0.0.0:*          ",
                "UNCONN 0      0          127.0.0.1:40000      0.0.0.0:*          ",
                "ESTAB  0      0          127.0.0.1:40604    127.0.0.1:6353       "), run("ss -uan"));
        assertEquals(List.of(
                "Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess",
                "0      0          127.0.0.1:40604    127.0.0.1:6353       "), run("ss -un"));
        assertEquals(List.of(
                "Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess",
                "2304   0            0.0.0.0:6353       0.0.0.0:*          ",
                "0      0          127.0.0.1:40000      0.0.0.0:*          "), run("ss -uln"));
        UdpSocket dns = UdpSocket.open(init);
        dns.bind(Ipv4Address.LOOPBACK, 53);
        assertTrue(run("ss -ua").get(1).contains("127.0.0.1:domain"), "service names without -n");
        assertTrue(run("ss -uan").get(1).contains("127.0.0.1:53"));
    }

    /**
     * {@code ss -s} as iproute2 prints it from sockstat: a UDP socket, a TCP listener and one
     * connection (both ends established, the accepted one still in the accept queue); then, with
     * both ends closed and gone, the listener alone.
     */
    @Test
    void ssSummaryCountsSocketsAsIproute2Does() throws InterruptedException {
        Namespace init = stack.init();
        UdpSocket udp = UdpSocket.open(init);
        udp.bind(Ipv4Address.LOOPBACK, 6000);
        TcpListener listener = TcpListener.listen(init, Ipv4Address.LOOPBACK, 7000, 4);
        TcpSocket client = TcpSocket.connect(init, Ipv4Address.LOOPBACK, 7000);
        assertEquals(List.of(
                "Total: 4",
                "TCP:   3 (estab 2, closed 0, orphaned 0, timewait 0)",
                "",
                "Transport Total     IP        IPv6",
                "RAW\t  0         0         0        ",
                "UDP\t  1         1         0        ",
                "TCP\t  3         3         0        ",
                "INET\t  4         4         0        ",
                "FRAG\t  0         0         0        ",
                ""), run("ss -s"));
        TcpSocket server = listener.accept();
        client.close();
        server.close();
        // The loop's clock free-runs, so TIME_WAIT's 60 s pass at once: the listener is left.
        until(() -> run0("ss -s").get(1).equals("TCP:   1 (estab 0, closed 0, orphaned 0, timewait 0)"));
        assertEquals("TCP\t  1         1         0        ", run("ss -s").get(6));
        assertTrue(run("ss -s -t").size() > 10, "with a protocol too, the summary is followed by the list");
    }

    private List<String> run0(String line) {
        try {
            return run(line);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
