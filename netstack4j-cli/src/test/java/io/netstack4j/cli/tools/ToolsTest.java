package io.netstack4j.cli.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.cli.shell.Shell;
import io.netstack4j.core.NetLoop;
import io.netstack4j.ns.NetStack;
import io.netstack4j.time.VirtualClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commands as a user types them, on a stack whose loop free-runs a virtual clock: exact
 * iproute2 / iputils / procps output (times aside), errors and exit statuses.
 */
class ToolsTest {

    private NetStack stack;
    private Shell shell;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;

    @BeforeEach
    void setUp() {
        NetLoop loop = new NetLoop(new VirtualClock(), 99);
        stack = new NetStack(loop);
        loop.start();
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        shell = new Shell(Path.of("."), new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Tools.registerAll(shell, stack);
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
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, line + " failed: " + e);
        return lines(out);
    }

    private int fail(String line) throws InterruptedException {
        out.reset();
        err.reset();
        return shell.execute(line);
    }

    private static List<String> lines(ByteArrayOutputStream b) {
        String s = b.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n", -1)).subList(0, s.split("\n", -1).length - 1);
    }

    private String errText() {
        return err.toString(StandardCharsets.UTF_8).strip();
    }

    /** h1 — r1 — h2, as the example. */
    private void topology() throws InterruptedException {
        for (String cmd : List.of(
                "ip netns add h1", "ip netns add r1", "ip netns add h2",
                "ip link add veth0 netns h1 type veth peer name veth1 netns r1",
                "ip link add veth2 netns r1 type veth peer name veth3 netns h2",
                "ip -n h1 addr add 10.1.0.2/24 dev veth0", "ip -n r1 addr add 10.1.0.1/24 dev veth1",
                "ip -n r1 addr add 10.2.0.1/24 dev veth2", "ip -n h2 addr add 10.2.0.2/24 dev veth3",
                "ip -n h1 link set veth0 up", "ip -n r1 link set veth1 up", "ip -n r1 link set veth2 up",
                "ip -n h2 link set veth3 up", "ip -n h1 route add default via 10.1.0.1",
                "ip -n h2 route add default via 10.2.0.1", "ip netns exec r1 sysctl -w net.ipv4.ip_forward=1")) {
            run(cmd);
        }
    }

    @Test
    void loopbackLooksAsOnLinux() throws InterruptedException {
        assertEquals(List.of(
                "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000",
                "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00"), run("ip link show"));
        assertEquals(List.of(
                "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000",
                "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
                "    inet 127.0.0.1/8 scope host lo",
                "       valid_lft forever preferred_lft forever"), run("ip addr show"));
        assertEquals(List.of(
                "local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 ",
                "local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 ",
                "broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1 "), run("ip route show table local"));
        assertEquals(List.of("0:\tfrom all lookup local", "32766:\tfrom all lookup main", "32767:\tfrom all lookup default"),
                run("ip rule show"));
    }

    @Test
    void vethPairsAcrossNamespaces() throws InterruptedException {
        topology();
        List<String> link = run("ip -n h1 link show veth0");
        assertTrue(link.get(0).matches("2: veth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT"
                + " group default qlen 1000"), link.get(0));
        assertTrue(link.get(1).matches("    link/ether ([0-9a-f]{2}:){5}[0-9a-f]{2} brd ff:ff:ff:ff:ff:ff link-netns r1"), link.get(1));
        assertEquals(List.of("default via 10.1.0.1 dev veth0 ", "10.1.0.0/24 dev veth0 proto kernel scope link src 10.1.0.2 "),
                run("ip -n h1 route show"));
        run("ip -n h1 link set veth0 down");
        assertTrue(run("ip -n h1 link show veth0").get(0).contains("<BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN"));
        assertTrue(run("ip -n r1 link show veth1").get(0).contains("<NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500"));
        assertEquals(List.of(), run("ip -n h1 route show"), "routes through a down device go, as in Linux");
    }

    @Test
    void errorsAreIproute2s() throws InterruptedException {
        topology();
        assertEquals(2, fail("ip -n h1 addr add 10.1.0.2/24 dev veth0"));
        assertEquals("RTNETLINK answers: File exists", errText());
        assertEquals(1, fail("ip -n h1 link set veth9 up"));
        assertEquals("Cannot find device \"veth9\"", errText());
        assertEquals(2, fail("ip -n h1 route add default via 10.1.0.1"));
        assertEquals("RTNETLINK answers: File exists", errText());
        assertEquals(2, fail("ip -n h1 route del 10.77.0.0/16"));
        assertEquals("RTNETLINK answers: No such process", errText());
        assertEquals(1, fail("ip -n h1 route add 10.x.0.0/16 via 10.1.0.1"));
        assertEquals("Error: any valid prefix is expected rather than \"10.x.0.0/16\".", errText());
        assertEquals(1, fail("ip -n nope link show"));
        assertEquals("Cannot open network namespace \"nope\": No such file or directory", errText());
    }

    @Test
    void pingAcrossTheRouter() throws InterruptedException {
        topology();
        List<String> lines = run("ip netns exec h1 ping -c 3 10.2.0.2");
        assertEquals("PING 10.2.0.2 (10.2.0.2) 56(84) bytes of data.", lines.get(0));
        for (int i = 1; i <= 3; i++) {
            assertTrue(lines.get(i).matches("64 bytes from 10\\.2\\.0\\.2: icmp_seq=" + i + " ttl=63 time=\\d+\\.\\d+ ms"), lines.get(i));
        }
        assertEquals("", lines.get(4));
        assertEquals("--- 10.2.0.2 ping statistics ---", lines.get(5));
        assertEquals("3 packets transmitted, 3 received, 0% packet loss, time 2000ms", lines.get(6));
        assertTrue(lines.get(7).matches("rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms"), lines.get(7));
        assertEquals(8, lines.size());
    }

    @Test
    void ttlExpiryAndUnreachableAreReportedAsIputilsDoes() throws InterruptedException {
        topology();
        assertEquals(1, fail("ip netns exec h1 ping -c 1 -t 1 10.2.0.2"));
        List<String> lines = lines(out);
        assertEquals("From 10.1.0.1 icmp_seq=1 Time to live exceeded", lines.get(1));
        assertEquals("1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms", lines.get(4));
        run("ip -n h1 route add 10.9.0.0/16 via 10.1.0.1");
        assertEquals(1, fail("ip netns exec h1 ping -c 1 10.9.0.1"));
        assertEquals("From 10.1.0.1 icmp_seq=1 Destination Net Unreachable", lines(out).get(1));
        assertEquals(2, fail("ip netns exec h2 ping -c 1 -I nosuch 10.2.0.1"));
        assertEquals("ping: SO_BINDTODEVICE nosuch: No such device", errText());
    }

    @Test
    void bigPingsFragmentAndDontFragmentLearnsThePathMtu() throws InterruptedException {
        topology();
        run("ip -n h1 link set veth0 mtu 9000");
        run("ip -n r1 link set veth1 mtu 9000");
        // This loop free-runs a virtual clock, jumping from timer to timer while the test thread
        // works; a long lifetime keeps the learned MTU from lapsing between two commands.
        run("ip netns exec h1 sysctl -w net.ipv4.route.mtu_expires=2000000000");
        List<String> lines = run("ip netns exec h1 ping -c 2 -s 8000 10.2.0.2");
        assertEquals("PING 10.2.0.2 (10.2.0.2) 8000(8028) bytes of data.", lines.get(0));
        assertTrue(lines.get(1).matches("8008 bytes from 10\\.2\\.0\\.2: icmp_seq=1 ttl=63 time=[0-9.]+ ms"), lines.get(1));
        assertEquals("2 packets transmitted, 2 received, 0% packet loss, time 1000ms", lines.get(5));

        assertEquals(1, fail("ip netns exec h1 ping -c 1 -M do -s 2000 10.2.0.2"));
        lines = lines(out);
        assertEquals("PING 10.2.0.2 (10.2.0.2) 2000(2028) bytes of data.", lines.get(0));
        assertEquals("From 10.1.0.1 icmp_seq=1 Frag needed and DF set (mtu = 1500)", lines.get(1));
        List<String> get = run("ip -n h1 route get 10.2.0.2");
        assertEquals("10.2.0.2 via 10.1.0.1 dev veth0 src 10.1.0.2 uid 0 ", get.get(0));
        assertTrue(get.get(1).matches("    cache expires \\d+sec mtu 1500 "), get.get(1));

        // Now the host knows: the next attempt fails locally, as iputils reports it.
        assertEquals(1, fail("ip netns exec h1 ping -c 1 -M do -s 2000 10.2.0.2"));
        assertEquals("ping: local error: message too long, mtu=1500", errText());
    }

    @Test
    void noRouteMeansConnectFails() throws InterruptedException {
        run("ip netns add lonely");
        assertEquals(2, fail("ip netns exec lonely ping -c 1 10.5.5.5"));
        assertEquals("ping: connect: Network is unreachable", errText());
    }

    @Test
    void netemLossShowsInPingStatistics() throws InterruptedException {
        topology();
        run("tc -n r1 qdisc add dev veth2 root netem loss 100%");
        assertEquals(List.of("qdisc netem 8001: dev veth2 root refcnt 2 limit 1000 loss 100%"), run("tc -n r1 qdisc show dev veth2"));
        assertEquals(1, fail("ip netns exec h1 ping -c 4 -i 0.2 -W 1 10.2.0.2"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("4 packets transmitted, 0 received, 100% packet loss"),
                out.toString(StandardCharsets.UTF_8));
        run("tc -n r1 qdisc change dev veth2 root netem delay 5ms");
        assertEquals(List.of("qdisc netem 8001: dev veth2 root refcnt 2 limit 1000 delay 5ms"), run("tc -n r1 qdisc show dev veth2"));
        run("tc -n r1 qdisc del dev veth2 root");
        assertEquals(List.of("qdisc noqueue 0: dev veth2 root refcnt 2 "), run("tc -n r1 qdisc show dev veth2"));
    }

    @Test
    void dontFragmentLargerThanTheMtuIsALocalError() throws InterruptedException {
        topology();
        assertEquals(1, fail("ip netns exec h1 ping -c 1 -M do -s 2000 10.2.0.2"));
        assertEquals("ping: local error: message too long, mtu=1500", errText());
        run("ip -n r1 link set veth2 mtu 1400");
        assertEquals(1, fail("ip netns exec h1 ping -c 1 -M do -s 1400 10.2.0.2"));
        assertEquals("From 10.1.0.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)", lines(out).get(1));
    }

    @Test
    void routeGetNeighAndCounters() throws InterruptedException {
        topology();
        assertEquals(List.of("10.2.0.2 via 10.1.0.1 dev veth0 src 10.1.0.2 uid 0 ", "    cache "), run("ip -n h1 route get 10.2.0.2"));
        assertEquals(List.of("10.2.0.2 dev veth2 src 10.2.0.1 uid 0 ", "    cache "), run("ip -n r1 route get 10.2.0.2"));
        assertEquals(List.of("10.2.0.2 from 10.1.0.2 dev veth2 ", "    cache iif veth1 "),
                run("ip -n r1 route get 10.2.0.2 from 10.1.0.2 iif veth1"));
        assertEquals(List.of("local 10.1.0.2 dev lo src 10.1.0.2 uid 0 ", "    cache <local> "), run("ip -n h1 route get 10.1.0.2"));
        run("ip netns exec h1 ping -c 1 10.2.0.2");
        // The loop free-runs virtual time, so the reachable time may already have run out.
        List<String> neigh = run("ip -n h1 neigh show");
        assertEquals(1, neigh.size());
        assertTrue(neigh.get(0).matches("10\\.1\\.0\\.1 dev veth0 lladdr ([0-9a-f]{2}:){5}[0-9a-f]{2} (REACHABLE|STALE)"), neigh.get(0));
        List<String> nstat = run("ip netns exec h2 nstat");
        assertEquals("#kernel", nstat.get(0));
        assertTrue(nstat.contains("IcmpInEchos                     1                  0.0"), nstat.toString());
        assertTrue(run("ip netns exec h2 nstat").stream().noneMatch(l -> l.startsWith("IcmpInEchos")), "deltas since the last run");
        assertTrue(run("ip netns exec h2 nstat -a").contains("IcmpInEchos                     1                  0.0"));
        List<String> bundled = run("ip netns exec h2 nstat -az");
        assertTrue(bundled.contains("IcmpInEchos                     1                  0.0") && bundled.stream().anyMatch(l -> l.startsWith("TcpExtTCPChallengeACK ")),
                "-az is -a -z: absolute values, zero counters too: " + bundled);
        assertTrue(run("ip netns exec r1 netstat -s").contains("    2 forwarded"));
        List<String> stats = run("ip -n h2 -s link show veth3");
        assertEquals("    RX:  bytes packets errors dropped  missed   mcast           ", stats.get(2));
        assertTrue(stats.get(3).trim().split(" +").length == 6, stats.get(3));
        assertTrue(Long.parseLong(stats.get(3).trim().split(" +")[1]) >= 2, "the echo request and an ARP frame arrived");
        assertEquals(List.of("net.ipv4.ip_forward = 1"), run("ip netns exec r1 sysctl net.ipv4.ip_forward"));
        assertEquals(255, fail("sysctl net.ipv4.nope"));
        assertEquals("sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory", errText());
    }

    @Test
    void neighAdministration() throws InterruptedException {
        topology();
        run("ip -n h1 neigh add 10.1.0.9 lladdr 02:00:00:00:00:09 dev veth0");
        assertEquals(List.of("10.1.0.9 dev veth0 lladdr 02:00:00:00:00:09 PERMANENT"), run("ip -n h1 neigh show"));
        assertEquals(List.of("10.1.0.9 lladdr 02:00:00:00:00:09 PERMANENT"), run("ip -n h1 neigh show dev veth0"));
        assertEquals(2, fail("ip -n h1 neigh add 10.1.0.9 lladdr 02:00:00:00:00:09 dev veth0"));
        run("ip -n h1 neigh del 10.1.0.9 dev veth0");
        assertEquals(List.of(), run("ip -n h1 neigh show"));
    }

    @Test
    void policyRoutingWithRulesAndTables() throws InterruptedException {
        topology();
        run("ip -n h1 route add unreachable 10.50.0.0/16 table 100");
        run("ip -n h1 rule add to 10.50.0.0/16 lookup 100 pref 1000");
        assertEquals("1000:\tfrom all to 10.50.0.0/16 lookup 100", run("ip -n h1 rule show").get(1));
        assertEquals(2, fail("ip -n h1 route get 10.50.1.1"));
        assertEquals("RTNETLINK answers: No route to host", errText());
    }
}
