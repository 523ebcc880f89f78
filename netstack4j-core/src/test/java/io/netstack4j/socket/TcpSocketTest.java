package io.netstack4j.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.tcp.TcpState;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** TCP sockets end to end between two namespaces over veth, on virtual time. */
class TcpSocketTest {

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Sends {@code data} from a to b and returns what b read until end of stream. */
    static byte[] transfer(TcpPair p, byte[] data) throws Exception {
        try (TcpListener l = TcpListener.listen(p.b, TcpPair.B, 5000, 16)) {
            CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
                try (TcpSocket s = l.accept()) {
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    byte[] buf = new byte[65536];
                    int n;
                    while ((n = s.read(buf, 0, buf.length)) > 0) {
                        out.write(buf, 0, n);
                    }
                    return out.toByteArray();
                }
            }, r -> Thread.ofVirtual().start(r));
            try (TcpSocket c = TcpSocket.connect(p.a, TcpPair.B, 5000)) {
                c.write(data, 0, data.length);
                c.shutdownOutput();
                byte[] result = got.get(60, TimeUnit.SECONDS);
                assertEquals(-1, c.read(new byte[1]));
                return result;
            }
        }
    }

    @Test
    void aMegabyteArrivesIntact() throws Exception {
        try (TcpPair p = new TcpPair(1)) {
            byte[] data = random(1 << 20, 1);
            byte[] got = transfer(p, data);
            assertEquals(data.length, got.length);
            assertArrayEquals(TcpPair.sha256(data, 0, data.length), TcpPair.sha256(got, 0, got.length));
        }
    }

    @Test
    void connectToAClosedPortIsRefused() {
        try (TcpPair p = new TcpPair(2)) {
            NetException e = assertThrows(NetException.class, () -> TcpSocket.connect(p.a, TcpPair.B, 5999));
            assertEquals(Errno.ECONNREFUSED, e.errno());
        }
    }

    @Test
    void lossyLinkStillDeliversEveryByte() throws Exception {
        try (TcpPair p = new TcpPair(3)) {
            p.netem("delay 5ms loss 3% duplicate 1% reorder 5%");
            byte[] data = random(2 << 20, 3);
            byte[] got = transfer(p, data);
            assertArrayEquals(TcpPair.sha256(data, 0, data.length), TcpPair.sha256(got, 0, got.length));
        }
    }

    @Test
    void aRestartedServerWithReuseAddrBindsWhileItsOldConnectionLives() {
        try (TcpPair p = new TcpPair(6)) {
            TcpSocket child;
            TcpSocket c;
            try (TcpListener l = TcpListener.listen(p.b, TcpPair.B, 5201, 16, true)) {
                c = TcpSocket.connect(p.a, TcpPair.B, 5201);
                child = l.accept();
            }
            // The accepted socket still holds port 5201 (ESTABLISHED). Without SO_REUSEADDR a new
            // listener conflicts with it; with SO_REUSEADDR on both (the child inherits it from its
            // listener, as sk_clone_lock copies sk_reuse) the bind succeeds, as on Linux.
            NetException e = assertThrows(NetException.class, () -> TcpListener.listen(p.b, TcpPair.B, 5201, 16, false));
            assertEquals(Errno.EADDRINUSE, e.errno());
            try (TcpListener again = TcpListener.listen(p.b, TcpPair.B, 5201, 16, true)) {
                assertEquals(TcpState.ESTABLISHED, child.state());
            }
            c.close();
            child.close();
        }
    }

    @Test
    void nonBlockingConnectReadAndWriteReportReadiness() throws Exception {
        try (TcpPair p = new TcpPair(4); TcpListener l = TcpListener.listen(p.b, TcpPair.B, 5000, 16)) {
            TcpSocket c = TcpSocket.open(p.a);
            c.configureBlocking(false);
            NetException e = assertThrows(NetException.class, () -> c.connect(TcpPair.B, 5000));
            assertEquals(Errno.EINPROGRESS, e.errno());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((c.readyOps() & TcpSocket.POLLOUT) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(TcpState.ESTABLISHED, c.state());
            NetException again = assertThrows(NetException.class, () -> c.read(new byte[10], 0, 10));
            assertEquals(Errno.EAGAIN, again.errno(), "nothing to read yet");
            assertEquals(0, c.readyOps() & TcpSocket.POLLIN);
            try (TcpSocket s = l.accept()) {
                s.getOutputStream().write("ping".getBytes());
                while ((c.readyOps() & TcpSocket.POLLIN) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                byte[] buf = new byte[16];
                assertEquals(4, c.read(buf, 0, buf.length));
                assertEquals("ping", new String(buf, 0, 4));
                s.close();
                while ((c.readyOps() & TcpSocket.POLLIN) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertEquals(-1, c.read(buf, 0, buf.length), "end of stream after the peer's FIN");
            }
            c.close();
        }
    }

    @Test
    void userTimeoutAbortsAConnectionWhoseDataIsNeverAcknowledged() throws Exception {
        try (TcpPair p = new TcpPair(5); TcpListener l = TcpListener.listen(p.b, TcpPair.B, 5000, 16)) {
            TcpSocket c = TcpSocket.connect(p.a, TcpPair.B, 5000);
            l.accept();
            c.setUserTimeout(3000);
            p.netem("loss 100%");
            c.write(new byte[1000]);
            NetException e = assertThrows(NetException.class, () -> c.read(new byte[10], 0, 10));
            assertEquals(Errno.ETIMEDOUT, e.errno());
            c.close();
        }
    }
}
