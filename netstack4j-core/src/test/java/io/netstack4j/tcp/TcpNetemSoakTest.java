package io.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.sched.Netem;
import io.netstack4j.sched.NetemSpec;
import io.netstack4j.wire.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The netem soak: for each seed, 10 MB each way at once between two namespaces over a veth whose
 * ends both run netem with a mix chosen by the seed — loss up to 10%, duplication, reordering,
 * corruption and delay. Every byte must arrive (SHA-256 compared) and both connections must
 * close cleanly, through FIN and TIME_WAIT, with no error, no reset of a connection and no
 * abort. (A stray duplicate that reaches a socket already gone may still draw a reset, as it
 * would from Linux.) The test thread owns a
 * simulated loop and plays both applications with non-blocking calls between 1 ms steps of
 * virtual time, so each seed replays exactly.
 */
class TcpNetemSoakTest {

    static final int SIZE = 10 << 20;

    /** The impairment for a seed, as {@code tc netem} arguments. */
    static String spec(int seed) {
        Random r = new Random(seed);
        int[] losses = {0, 1, 2, 5, 10};
        StringBuilder s = new StringBuilder("delay " + (1 + r.nextInt(20)) + "ms");
        int loss = losses[seed % losses.length];
        if (loss > 0) {
            s.append(" loss ").append(loss).append('%');
        }
        if (r.nextBoolean()) {
            s.append(" duplicate ").append(1 + r.nextInt(3)).append('%');
        }
        if (r.nextBoolean()) {
            s.append(" reorder ").append(5 + r.nextInt(20)).append('%');
        }
        if (r.nextBoolean()) {
            s.append(" corrupt 0.").append(1 + r.nextInt(9)).append('%');
        }
        return s.append(" limit 10000").toString();
    }

    /** One side's application: what it sends, what it has received. */
    private static final class App {
        final TcpSock sk;
        final byte[] out;
        int sent;
        boolean finSent;
        boolean eof;
        final ByteArrayOutputStream in = new ByteArrayOutputStream(SIZE);

        App(TcpSock sk, byte[] out) {
            this.sk = sk;
            this.out = out;
        }

        void step(byte[] buf) {
            if (sent < out.length) {
                sent += TcpCalls.send(sk, out, sent, out.length - sent);
            } else if (!finSent) {
                TcpCalls.shutdown(sk, false, true);
                finSent = true;
            }
            int n;
            while (!eof && (n = TcpCalls.recv(sk, buf, 0, buf.length)) != 0) {
                if (n < 0) {
                    eof = true;
                } else {
                    in.write(buf, 0, n);
                }
            }
        }
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void tenMegabytesEachWayArriveIntactAndCloseCleanly(int seed) throws Exception {
        NetStack st = NetStack.simulated(seed);
        Namespace a = st.addNamespace("a");
        Namespace b = st.addNamespace("b");
        Veth[] v = a.addVeth("veth0", b, "veth1");
        a.inet().addAddress(v[0], Ipv4Address.parse("10.0.0.1"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        b.inet().addAddress(v[1], Ipv4Address.parse("10.0.0.2"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        v[0].setUp(true);
        v[1].setUp(true);
        String spec = spec(seed);
        v[0].setQdisc(new Netem(NetemSpec.parse(List.of(spec.split(" ")))));
        v[1].setQdisc(new Netem(NetemSpec.parse(List.of(spec.split(" ")))));

        TcpSock l = b.tcp().open(null);
        TcpCalls.bind(l, 0, 5000);
        TcpCalls.listen(l, 16);
        TcpSock c = a.tcp().open(null);
        TcpCalls.connect(c, Ipv4Address.parse("10.0.0.2").bits(), 5000);
        TcpSock s = null;
        for (int i = 0; i < 60_000 && (s == null || c.state() == TcpState.SYN_SENT); i++) {
            st.loop().runFor(1_000_000L);
            if (s == null) {
                s = TcpCalls.accept(l);
            }
        }
        assertEquals(TcpState.ESTABLISHED, c.state(), "handshake with " + spec);
        byte[] up = new byte[SIZE];
        byte[] down = new byte[SIZE];
        new Random(seed).nextBytes(up);
        new Random(-seed).nextBytes(down);
        App client = new App(c, up);
        App server = new App(s, down);
        byte[] buf = new byte[65536];
        long steps = 0;
        while (!(client.eof && server.eof) && steps < 3_600_000) {
            client.step(buf);
            server.step(buf);
            st.loop().runFor(1_000_000L);
            steps++;
            assertNull(c.pendingError(), "client error with " + spec);
            assertNull(s.pendingError(), "server error with " + spec);
        }
        assertEquals(SIZE, server.in.size(), "bytes a->b with " + spec);
        assertEquals(SIZE, client.in.size(), "bytes b->a with " + spec);
        assertArrayEquals(sha256(up), sha256(server.in.toByteArray()), "a->b with " + spec);
        assertArrayEquals(sha256(down), sha256(client.in.toByteArray()), "b->a with " + spec);
        TcpCalls.close(c);
        TcpCalls.close(s);
        TcpCalls.close(l);
        st.loop().runFor(200_000_000_000L);
        assertEquals(0, a.tcp().mib().get(TcpMib.EstabResets) + b.tcp().mib().get(TcpMib.EstabResets), "resets with " + spec);
        for (TcpExtMib abort : List.of(TcpExtMib.TCPAbortOnData, TcpExtMib.TCPAbortOnClose, TcpExtMib.TCPAbortOnTimeout,
                TcpExtMib.TCPAbortOnLinger, TcpExtMib.TCPAbortOnMemory)) {
            assertEquals(0, a.tcp().extMib().get(abort) + b.tcp().extMib().get(abort), abort + " with " + spec);
        }
        assertEquals(0, a.tcp().sockets().size() + b.tcp().sockets().size(), "everything closed, TIME_WAIT expired, with " + spec);
        assertTrue(a.tcp().mib().get(TcpMib.OutSegs) > SIZE / 1448);
    }
}
