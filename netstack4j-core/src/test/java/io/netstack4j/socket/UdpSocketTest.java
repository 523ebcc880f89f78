package io.netstack4j.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.core.NetLoop;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.time.VirtualClock;
import io.netstack4j.wire.Ipv4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * UdpSocket from application threads, platform and virtual, while the loop runs on its own
 * thread against a free-running virtual clock: blocking receives are woken by the loop, a
 * receive timeout is a loop timer (virtual seconds pass in no real time), close wakes
 * blocked callers. No assertion depends on wall-clock time; the {@code get} bounds only keep a
 * broken build from hanging.
 */
class UdpSocketTest {

    private NetStack stack;
    private Namespace ns;

    @BeforeEach
    void start() {
        NetLoop loop = new NetLoop(new VirtualClock(), 5);
        stack = new NetStack(loop);
        loop.start();
        ns = stack.init();
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aVirtualThreadBlocksUntilADatagramArrives() throws Exception {
        UdpSocket server = UdpSocket.open(ns);
        server.bind(new InetSocketAddress("127.0.0.1", 7000));
        CompletableFuture<String> got = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[32];
            try {
                UdpSocket.Received r = server.receiveFrom(buf, 0, buf.length);
                got.complete(new String(buf, 0, r.length(), StandardCharsets.US_ASCII) + " from " + r.address());
            } catch (RuntimeException e) {
                got.completeExceptionally(e);
            }
        });
        waitForWaiter(server);
        UdpSocket client = UdpSocket.open(ns);
        client.connect(Ipv4Address.LOOPBACK, 7000);
        client.send(bytes("wake up"));
        assertEquals("wake up from 127.0.0.1", await(got));
    }

    @Test
    void aPlatformThreadReceivesIntoAByteBuffer() throws Exception {
        UdpSocket server = UdpSocket.open(ns);
        server.bind(Ipv4Address.LOOPBACK, 7001);
        CompletableFuture<InetSocketAddress> from = new CompletableFuture<>();
        ByteBuffer dst = ByteBuffer.allocate(16);
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                from.complete(server.receive(dst));
            } catch (RuntimeException e) {
                from.completeExceptionally(e);
            }
        });
        waitForWaiter(server);
        UdpSocket client = UdpSocket.open(ns);
        client.bind(Ipv4Address.LOOPBACK, 7002);
        client.sendTo(bytes("abc"), 0, 3, new InetSocketAddress("127.0.0.1", 7001));
        assertEquals(new InetSocketAddress("127.0.0.1", 7002), await(from));
        t.join();
        assertEquals(3, dst.position());
    }

    @Test
    void aReceiveTimeoutIsALoopTimerAndFailsWithEagain() throws Exception {
        UdpSocket s = UdpSocket.open(ns);
        s.bind(Ipv4Address.LOOPBACK, 0);
        s.setSoTimeout(5000);
        long before = stack.loop().now();
        CompletableFuture<Errno> err = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                s.receive(new byte[1], 0, 1);
                err.complete(null);
            } catch (NetException e) {
                err.complete(e.errno());
            }
        });
        assertEquals(Errno.EAGAIN, await(err));
        assertTrue(stack.loop().now() - before >= 5_000_000_000L, "five virtual seconds passed");
    }

    @Test
    void nonBlockingReceiveOnAnEmptyQueueFailsAtOnce() {
        UdpSocket s = UdpSocket.open(ns);
        s.bind(Ipv4Address.LOOPBACK, 0);
        s.configureBlocking(false);
        assertEquals(Errno.EAGAIN, assertThrows(NetException.class, () -> s.receive(new byte[1], 0, 1)).errno());
    }

    @Test
    void closeWakesABlockedReceiverWithEbadf() throws Exception {
        UdpSocket s = UdpSocket.open(ns);
        s.bind(Ipv4Address.LOOPBACK, 7003);
        CompletableFuture<Errno> err = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                s.receive(new byte[1], 0, 1);
                err.complete(null);
            } catch (NetException e) {
                err.complete(e.errno());
            }
        });
        waitForWaiter(s);
        s.close();
        assertEquals(Errno.EBADF, await(err));
        UdpSocket again = UdpSocket.open(ns);
        again.bind(Ipv4Address.LOOPBACK, 7003);
    }

    @Test
    void anInterruptedReceiverStopsWithEintr() throws Exception {
        UdpSocket s = UdpSocket.open(ns);
        s.bind(Ipv4Address.LOOPBACK, 0);
        AtomicReference<Boolean> flag = new AtomicReference<>();
        CompletableFuture<Errno> err = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                s.receive(new byte[1], 0, 1);
                err.complete(null);
            } catch (NetException e) {
                flag.set(Thread.currentThread().isInterrupted());
                err.complete(e.errno());
            }
        });
        waitForWaiter(s);
        t.interrupt();
        assertEquals(Errno.EINTR, await(err));
        t.join();
        assertEquals(Boolean.TRUE, flag.get(), "the interrupt flag is kept");
    }

    @Test
    void manyVirtualThreadsEachGetOneDatagram() throws Exception {
        UdpSocket server = UdpSocket.open(ns);
        server.bind(Ipv4Address.LOOPBACK, 7004);
        int n = 50;
        CompletableFuture<?>[] done = new CompletableFuture<?>[n];
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int i = 0; i < n; i++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            done[i] = f;
            Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[8];
                int len = server.receive(buf, 0, 8);
                seen.add(new String(buf, 0, len, StandardCharsets.US_ASCII));
                f.complete(null);
            });
        }
        UdpSocket client = UdpSocket.open(ns);
        for (int i = 0; i < n; i++) {
            client.sendTo(bytes("m" + i), 0, ("m" + i).length(), Ipv4Address.LOOPBACK, 7004);
        }
        CompletableFuture.allOf(done).get(30, TimeUnit.SECONDS);
        assertEquals(n, seen.size());
    }

    /** Until the caller is parked on the socket (polls the loop; no timing assumption). */
    private void waitForWaiter(UdpSocket s) throws InterruptedException, ExecutionException {
        while (!stack.loop().call(() -> s.waiterCount() > 0)) {
            Thread.sleep(1);
        }
    }
}
