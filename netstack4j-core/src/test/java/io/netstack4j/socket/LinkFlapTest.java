package io.netstack4j.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.core.NetLoop;
import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ipv4.IpMib;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.ns.Routes;
import io.netstack4j.sched.Netem;
import io.netstack4j.sched.NetemSpec;
import io.netstack4j.tcp.TcpExtMib;
import io.netstack4j.tcp.TcpState;
import io.netstack4j.time.Timer;
import io.netstack4j.time.VirtualClock;
import io.netstack4j.wire.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code ip link set X down} and {@code up} in the middle of a TCP transfer between netstack4j
 * namespaces, on virtual time. As in Linux: taking a device down removes every route through it
 * except the local ones of its addresses; bringing it up restores the routes of its addresses
 * (the connected subnet) but not static routes, which stay gone until re-added. A connection
 * whose path returns before it times out recovers with its next retransmission and delivers
 * every byte; one whose path stays gone is aborted with ETIMEDOUT after {@code tcp_retries2}
 * (about 924.6 s with a 200 ms RTO) or after {@code TCP_USER_TIMEOUT}.
 */
class LinkFlapTest {

    private static final Ipv4Address B = TcpPair.B;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** What a receiver read, and a hook run once (on the reader's thread) when it passes a byte count. */
    private static final class Receiver {
        final CompletableFuture<byte[]> done;

        Receiver(TcpListener l, long hookAt, Runnable hook) {
            done = CompletableFuture.supplyAsync(() -> {
                try (TcpSocket s = l.accept()) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    byte[] buf = new byte[65536];
                    boolean hooked = false;
                    int n;
                    while ((n = s.read(buf, 0, buf.length)) > 0) {
                        out.write(buf, 0, n);
                        if (!hooked && out.size() >= hookAt) {
                            hooked = true;
                            hook.run();
                        }
                    }
                    return out.toByteArray();
                }
            }, r -> Thread.ofVirtual().start(r));
        }
    }

    /** Runs {@code task} on the loop {@code delayMs} of loop time from now; call on the loop thread. */
    private static void later(NetLoop loop, long delayMs, Runnable task) {
        loop.schedule(new Timer(task), TimeUnit.MILLISECONDS.toNanos(delayMs));
    }

    /**
     * Runs {@code flap} on the loop at the first millisecond (of loop time) at which {@code
     * sender} has data in flight. The reader only decides when: at the moment it passes its mark
     * the sender may be waiting on a full receive window with nothing unacknowledged, and a flap
     * then loses no data and causes no RTO (the window update lost in the flap is recovered by
     * the persist timer instead). A millisecond of netem delay each way keeps data in flight
     * long enough to be seen.
     */
    private static void whenInFlight(NetLoop loop, Namespace sender, Runnable flap) {
        Runnable[] poll = new Runnable[1];
        poll[0] = () -> {
            boolean inFlight = sender.tcp().sockets().stream()
                    .anyMatch(i -> i.state() == TcpState.ESTABLISHED && i.info() != null && i.info().unacked() > 0);
            if (inFlight) {
                flap.run();
            } else {
                later(loop, 1, poll[0]);
            }
        };
        loop.run(poll[0]);
    }

    private static void delay1ms(Veth... devs) {
        for (Veth d : devs) {
            d.setQdisc(new Netem(NetemSpec.parse(List.of("delay", "1ms"))));
        }
    }

    /** {@code ip route get DST} from {@code ns}: the output device's name, or the routing error. */
    private static String routeGet(Namespace ns, Ipv4Address dst) {
        try {
            return ns.ipv4().route().routeOutput(dst.bits(), 0, 0, 0, 0).dev().name();
        } catch (NetException e) {
            return e.errno().name();
        }
    }

    /**
     * Sends 4 MiB from a to b over the veth pair; after 1 MiB has arrived, {@code flapped} (a's
     * veth0 or b's veth1) goes down for {@code downMs} of virtual time. Returns what the test
     * observed so it can assert on it.
     */
    private static void flapMidTransfer(int flappedEnd, long seed) throws Exception {
        try (TcpPair p = new TcpPair(seed); TcpListener l = TcpListener.listen(p.b, B, 5000, 16)) {
            NetLoop loop = p.stack.loop();
            // A receive buffer far below the 4 MiB: when the reader passes 1 MiB most of the data
            // is still to be sent, so the flap always finds a flight to lose (with autotuning up to
            // 6 MiB the whole file could already sit in b's queue, and nothing would time out).
            loop.call(() -> {
                p.b.sysctls().set("net.ipv4.tcp_rmem", "4096 131072 262144");
                delay1ms(p.link);
                return null;
            });
            Veth dev = p.link[flappedEnd];
            Namespace owner = flappedEnd == 0 ? p.a : p.b;
            Ipv4Address peer = flappedEnd == 0 ? B : TcpPair.A;
            List<String> seen = new ArrayList<>();
            long[] downAt = new long[1];
            long[] upAt = new long[1];
            byte[] data = random(4 << 20, seed);
            Receiver rx = new Receiver(l, 1 << 20, () -> whenInFlight(loop, p.a, () -> {
                downAt[0] = loop.now();
                dev.setUp(false);
                seen.add("down:" + routeGet(owner, peer));
                later(loop, 3000, () -> {
                    seen.add("still down:" + routeGet(owner, peer));
                    upAt[0] = loop.now();
                    dev.setUp(true);
                    seen.add("up:" + routeGet(owner, peer));
                });
            }));
            try (TcpSocket c = TcpSocket.connect(p.a, B, 5000)) {
                c.write(data, 0, data.length);
                c.shutdownOutput();
                byte[] got = rx.done.get(60, TimeUnit.SECONDS);
                assertEquals(data.length, got.length, "bytes delivered");
                assertArrayEquals(TcpPair.sha256(data, 0, data.length), TcpPair.sha256(got, 0, got.length));
                assertEquals(-1, c.read(new byte[1]));
            }
            assertEquals(List.of("down:ENETUNREACH", "still down:ENETUNREACH", "up:" + dev.name()), seen,
                    "the connected route goes with the device and comes back with it");
            long timeouts = loop.call(() -> p.a.tcp().extMib().get(TcpExtMib.TCPTimeouts));
            long noRoutes = loop.call(() -> p.a.ipv4().mib().get(IpMib.OutNoRoutes));
            assertTrue(timeouts >= 3, "RTOs while the path was gone: " + timeouts);
            if (flappedEnd == 0) {
                assertTrue(noRoutes >= 3, "the sender's retransmissions found no route (ip_queue_xmit): " + noRoutes);
            } else {
                assertEquals(0, noRoutes, "the sender kept its route; its segments were lost on the far side");
            }
            assertTrue(upAt[0] - downAt[0] >= TimeUnit.SECONDS.toNanos(3));
            System.out.printf("link flap of %s: TCPTimeouts=%d OutNoRoutes=%d%n", dev.name(), timeouts, noRoutes);
        }
    }

    @Test
    void senderSideDownAndUpMidTransferRecoversAndDeliversEveryByte() throws Exception {
        flapMidTransfer(0, 21);
    }

    @Test
    void receiverSideDownAndUpMidTransferRecoversAndDeliversEveryByte() throws Exception {
        flapMidTransfer(1, 22);
    }

    /**
     * {@code h1 10.1.0.2 --- 10.1.0.1 r 10.2.0.1 --- 10.2.0.2 h2}, with h1's {@code default via
     * 10.1.0.1} added by hand. After a flap of h1's device the connected route is back but the
     * default route is not, so the transfer stays stalled (no route to 10.2.0.2) until the route
     * is added again; then it completes intact.
     */
    @Test
    void staticRouteIsGoneAfterTheFlapUntilReAddedThenTheTransferCompletes() throws Exception {
        NetLoop loop = new NetLoop(new VirtualClock(), 23);
        try (NetStack stack = new NetStack(loop)) {
            Namespace h1 = stack.addNamespace("h1");
            Namespace r = stack.addNamespace("r");
            Namespace h2 = stack.addNamespace("h2");
            Veth[] left = link(h1, "veth0", "10.1.0.2", r, "veth1", "10.1.0.1");
            link(r, "veth2", "10.2.0.1", h2, "veth3", "10.2.0.2");
            Routes.add(h1, "default", "10.1.0.1");
            Routes.add(h2, "default", "10.2.0.1");
            r.sysctls().set("net.ipv4.ip_forward", "1");
            h2.sysctls().set("net.ipv4.tcp_rmem", "4096 131072 262144");
            delay1ms(left);
            loop.start();
            Ipv4Address dst = Ipv4Address.parse("10.2.0.2");
            List<String> seen = new ArrayList<>();
            long[] stalledAt = new long[2];
            byte[] data = random(4 << 20, 23);
            try (TcpListener l = TcpListener.listen(h2, dst, 5000, 16)) {
                Receiver rx = new Receiver(l, 1 << 20, () -> whenInFlight(loop, h1, () -> {
                    left[0].setUp(false);
                    seen.add("down:" + routeGet(h1, dst) + "," + routeGet(h1, Ipv4Address.parse("10.1.0.1")));
                    later(loop, 2000, () -> {
                        left[0].setUp(true);
                        seen.add("up:" + routeGet(h1, dst) + "," + routeGet(h1, Ipv4Address.parse("10.1.0.1")));
                        stalledAt[0] = receivedBy(h2);
                    });
                    later(loop, 60_000, () -> {
                        stalledAt[1] = receivedBy(h2);
                        seen.add("re-added:" + readd(h1));
                    });
                }));
                try (TcpSocket c = TcpSocket.connect(h1, dst, 5000)) {
                    c.write(data, 0, data.length);
                    c.shutdownOutput();
                    byte[] got = rx.done.get(60, TimeUnit.SECONDS);
                    assertArrayEquals(TcpPair.sha256(data, 0, data.length), TcpPair.sha256(got, 0, got.length));
                }
            }
            assertEquals(List.of("down:ENETUNREACH,ENETUNREACH", "up:ENETUNREACH,veth0", "re-added:veth0"), seen,
                    "down removes both routes; up brings back only the connected one");
            assertEquals(stalledAt[0], stalledAt[1], "no byte moves while the static route is missing");
            long timeouts = loop.call(() -> h1.tcp().extMib().get(TcpExtMib.TCPTimeouts));
            assertTrue(timeouts >= 5, "RTOs while the static route was missing: " + timeouts);
        }
    }

    private static String readd(Namespace h1) {
        Routes.add(h1, "default", "10.1.0.1");
        return routeGet(h1, Ipv4Address.parse("10.2.0.2"));
    }

    /** Bytes h2's established connection has received (tcpi_bytes_received). */
    private static long receivedBy(Namespace ns) {
        return ns.tcp().sockets().stream().filter(i -> i.state() != TcpState.LISTEN && i.info() != null)
                .mapToLong(i -> i.info().bytesReceived()).sum();
    }

    private static Veth[] link(Namespace a, String devA, String addrA, Namespace b, String devB, String addrB) {
        Veth[] pair = a.addVeth(devA, b, devB);
        address(a, pair[0], addrA);
        address(b, pair[1], addrB);
        pair[0].setUp(true);
        pair[1].setUp(true);
        return pair;
    }

    private static void address(Namespace ns, NetDevice dev, String addr) {
        ns.inet().addAddress(dev, Ipv4Address.parse(addr), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
    }

    /**
     * The peer's device goes down and stays down: a keeps its route (its veth only loses
     * carrier) and its data is never acknowledged. The connection is aborted when
     * {@code tcp_retries2} = 15 retransmissions have run their course: Linux's
     * {@code tcp_model_timeout} for a 200 ms RTO is 1023 x 0.2 s + 6 x 120 s = 924.6 s; it is
     * still open at 900 s and gone by 1045 s (one more 120 s backoff). The error is not
     * ETIMEDOUT but EHOSTUNREACH, as in Linux: once the neighbour entry of the silent peer fails,
     * the queued packet's link failure ({@code ipv4_link_failure}) sends us a host unreachable,
     * which {@code tcp_v4_err} keeps as the soft error that {@code tcp_write_err} reports.
     */
    @Test
    void peerDeviceThatStaysDownTimesOutAfterTcpRetries2WithEhostunreach() throws Exception {
        TcpState[] at = stayDown(24, 1, 0, 900_000, 1_045_000, Errno.EHOSTUNREACH);
        assertEquals(TcpState.ESTABLISHED, at[0], "still trying at 900 s");
        assertEquals(TcpState.CLOSE, at[1], "aborted by 1045 s");
    }

    /**
     * Our own device goes down and stays down: the route is gone, so every retransmission fails
     * to find one, and Linux's {@code inet_sk_rebuild_header} keeps ENETUNREACH as the socket's
     * soft error; the abort after {@code tcp_retries2} reports that instead of ETIMEDOUT
     * ({@code tcp_write_err}: {@code sk_err_soft ? : ETIMEDOUT}).
     */
    @Test
    void ownDeviceThatStaysDownTimesOutWithTheSoftErrorAfterTcpRetries2() throws Exception {
        TcpState[] at = stayDown(26, 0, 0, 900_000, 1_045_000, Errno.ENETUNREACH);
        assertEquals(TcpState.ESTABLISHED, at[0], "still trying at 900 s");
        assertEquals(TcpState.CLOSE, at[1], "aborted by 1045 s");
    }

    /**
     * tcp_retries2 is a time (924.6 s from the first retransmission, {@code tcp_model_timeout}
     * with a 200 ms base), not a count: over a 300 ms RTT the RTO starts near 0.5 s, so fifteen
     * doublings would take about 1090 s; Linux gives up at the first RTO past 924.6 s, which
     * is less than one capped RTO (120 s) later. Polled every 100 ms of virtual time.
     */
    @Test
    void retries2IsATimeFromTheFirstRetransmissionNotACount() throws Exception {
        try (TcpPair p = new TcpPair(27); TcpListener l = TcpListener.listen(p.b, B, 5000, 16)) {
            p.netem("delay 150ms");
            NetLoop loop = p.stack.loop();
            TcpSocket c = TcpSocket.connect(p.a, B, 5000);
            TcpSocket s = l.accept();
            byte[] first = random(10_000, 27);
            c.write(first);
            byte[] got = new byte[first.length];
            int n = 0;
            while (n < got.length) {
                n += s.read(got, n, got.length - n);
            }
            long[] t = new long[4];
            loop.run(() -> {
                c.write(random(5000, 28));
                p.link[1].setUp(false);
                t[0] = loop.now();
                t[3] = c.info().rtoUs();
                Runnable[] poll = new Runnable[1];
                poll[0] = () -> {
                    if (t[1] == 0 && loop.call(() -> p.a.tcp().extMib().get(TcpExtMib.TCPTimeouts)) > 0) {
                        t[1] = loop.now();
                    }
                    if (c.state() == TcpState.CLOSE) {
                        t[2] = loop.now();
                        return;
                    }
                    later(loop, 100, poll[0]);
                };
                later(loop, 100, poll[0]);
            });
            NetException e = assertThrows(NetException.class, () -> c.read(new byte[10], 0, 10));
            assertEquals(Errno.EHOSTUNREACH, e.errno());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (loop.call(() -> t[2]) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            double firstRetx = (t[1] - t[0]) / 1e9;
            double retrying = (t[2] - t[1]) / 1e9;
            System.out.printf("tcp_retries2 over 300 ms RTT: RTO %.3f s, first RTO %.1f s after down, aborted %.1f s later%n", t[3] / 1e6,
                    firstRetx, retrying);
            assertTrue(t[3] > 400_000, "the RTO should start well above 200 ms: " + t[3] + " us");
            assertTrue(retrying >= 924.6 - 0.2 && retrying < 924.6 + 120.2, "retried for " + retrying + " s");
            c.close();
            s.close();
        }
    }

    /**
     * With {@code TCP_USER_TIMEOUT} = 5 s the abort comes 5 s after the first unacknowledged
     * retransmission, not at the next backed-off RTO after it: Linux clamps the RTO to the time
     * the user timeout has left ({@code tcp_clamp_rto_to_user_timeout}).
     */
    @Test
    void peerDeviceThatStaysDownTimesOutAfterTheUserTimeout() throws Exception {
        TcpState[] at = stayDown(25, 1, 5000, 4_500, 5_500, Errno.ETIMEDOUT);
        assertEquals(TcpState.ESTABLISHED, at[0], "still trying at 4.5 s");
        assertEquals(TcpState.CLOSE, at[1], "aborted by 5.5 s");
    }

    /**
     * Connects a to b, sends data that b acknowledges, then sends more and at once takes a's
     * veth0 (downEnd 0) or b's veth1 (1) down for good, with that data in flight. Returns the
     * client's state {@code aliveMs} and {@code deadMs} after the device went down; the
     * client's next read fails with {@code expected}.
     */
    private static TcpState[] stayDown(long seed, int downEnd, int userTimeoutMs, long aliveMs, long deadMs, Errno expected)
            throws Exception {
        try (TcpPair p = new TcpPair(seed); TcpListener l = TcpListener.listen(p.b, B, 5000, 16)) {
            NetLoop loop = p.stack.loop();
            TcpSocket c = TcpSocket.connect(p.a, B, 5000);
            TcpSocket s = l.accept();
            if (userTimeoutMs > 0) {
                c.setUserTimeout(userTimeoutMs);
            }
            byte[] first = random(10_000, seed);
            c.write(first);
            byte[] got = new byte[first.length];
            int n = 0;
            while (n < got.length) {
                n += s.read(got, n, got.length - n);
            }
            TcpState[] at = new TcpState[2];
            byte[] more = random(5000, seed + 1);
            // In one loop task, so that virtual time cannot run ahead between the two: the data
            // leaves, and the device goes down before any acknowledgement can come back.
            loop.run(() -> {
                c.write(more);
                p.link[downEnd].setUp(false);
                later(loop, aliveMs, () -> at[0] = c.state());
                later(loop, deadMs, () -> at[1] = c.state());
            });
            NetException e = assertThrows(NetException.class, () -> c.read(new byte[10], 0, 10));
            assertEquals(expected, e.errno());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (at[1] == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertNotNull(at[1], "the loop never reached the later check");
            long aborts = loop.call(() -> p.a.tcp().extMib().get(TcpExtMib.TCPAbortOnTimeout));
            assertEquals(1, aborts, "TCPAbortOnTimeout");
            c.close();
            s.close();
            return at;
        }
    }
}
