package io.netstack4j.cli.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.cli.shell.Shell;
import io.netstack4j.ns.NetStack;
import io.netstack4j.tcp.TcpState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ip link set veth0 down} / {@code up} typed in the shell while nc moves a file between two
 * netstack4j namespaces in real time: what {@code ip route} and {@code ip link} show at each step
 * is what Linux shows, and the file arrives intact.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LinkFlapShellTest {

    @TempDir
    Path tmp;

    private NetStack stack;
    private Shell shell;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;

    @BeforeEach
    void setUp() {
        stack = NetStack.realTime(41);
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        shell = new Shell(tmp, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Tools.registerAll(shell, stack);
    }

    @AfterEach
    void tearDown() {
        shell.close();
        stack.close();
    }

    private String sh(String line) throws InterruptedException {
        out.reset();
        err.reset();
        int status = shell.execute(line);
        assertEquals(0, status, line + " failed: " + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static byte[] sha256(Path p) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
    }

    @Test
    void connectedRouteReturnsStaticRouteDoesNotAndTheTransferCompletes() throws Exception {
        for (String cmd : List.of("ip netns add a", "ip netns add b",
                "ip link add veth0 netns a type veth peer name veth1 netns b",
                "ip -n a addr add 10.0.0.1/24 dev veth0", "ip -n b addr add 10.0.0.2/24 dev veth1",
                "ip -n a link set veth0 up", "ip -n b link set veth1 up",
                "ip -n a route add 10.9.0.0/24 via 10.0.0.2",
                "tc -n a qdisc add dev veth0 root netem rate 50mbit")) {
            sh(cmd);
        }
        byte[] data = new byte[8 << 20];
        new Random(41).nextBytes(data);
        Files.write(tmp.resolve("data.bin"), data);
        Path got = tmp.resolve("got.bin");
        sh("ip netns exec b nc -l 5000 > got.bin &");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!stack.loop().call(() -> stack.namespace("b").tcp().sockets().stream()
                .anyMatch(i -> i.state() == TcpState.LISTEN && i.localPort() == 5000))) {
            assertTrue(System.nanoTime() < deadline, "nc -l does not listen");
            Thread.sleep(10);
        }
        sh("ip netns exec a nc -N 10.0.0.2 5000 < data.bin &");
        while (!Files.exists(got) || Files.size(got) < data.length / 8) {
            assertTrue(System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(20), "the transfer does not start");
            Thread.sleep(2);
        }

        sh("ip -n a link set veth0 down");
        long atDown = Files.size(got);
        assertTrue(atDown < data.length, "the transfer finished before the flap");
        String routes = sh("ip -n a route show");
        assertEquals("", routes, "down: every route through veth0 goes, the static one too");
        assertTrue(sh("ip -n a link show veth0").contains("state DOWN"));
        assertTrue(sh("ip -n b link show veth1").contains("NO-CARRIER"), "the peer loses carrier");
        assertTrue(sh("ip -n b link show veth1").contains("state LOWERLAYERDOWN"));
        Thread.sleep(1500);

        sh("ip -n a link set veth0 up");
        routes = sh("ip -n a route show");
        assertEquals("10.0.0.0/24 dev veth0 proto kernel scope link src 10.0.0.1 \n", routes,
                "up: the address's connected route is back, the static route is not");
        sh("wait");
        assertEquals(data.length, Files.size(got));
        assertArrayEquals(sha256(tmp.resolve("data.bin")), sha256(got));
        String nstat = sh("ip netns exec a nstat -az");
        long timeouts = nstat.lines().filter(l -> l.startsWith("TcpExtTCPTimeouts ")).mapToLong(l -> Long.parseLong(l.split("\\s+")[1]))
                .findFirst().orElse(-1);
        assertTrue(timeouts > 0, "the RTO fired while the device was down:\n" + nstat);
        System.out.printf("shell link flap: down at %d of %d bytes; a: %s%n", atDown, data.length,
                nstat.lines().filter(l -> l.startsWith("TcpExtTCPTimeouts") || l.startsWith("TcpRetransSegs")).toList());
    }
}
