package io.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.wire.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** TCP over the loopback device, whose MTU (65536) is one more than the largest datagram. */
class TcpLoopbackTest {

    @Test
    void aLargeWriteOverLoopbackArrivesInSegmentsThatFitADatagram() {
        NetStack stack = NetStack.simulated(21);
        Namespace h = stack.addNamespace("h");
        TcpSock l = h.tcp().open(null);
        TcpCalls.bind(l, 0, 7000);
        TcpCalls.listen(l, 4);
        TcpSock c = h.tcp().open(null);
        TcpCalls.setSndbuf(c, 1 << 20);
        TcpCalls.connect(c, Ipv4Address.LOOPBACK.bits(), 7000);
        TcpSock[] s = new TcpSock[1];
        stack.loop().runUntil(() -> (s[0] = s[0] != null ? s[0] : TcpCalls.accept(l)) != null && c.state() == TcpState.ESTABLISHED,
                stack.loop().now() + 10_000_000_000L);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(65495, c.advmss, "ipv4_default_advmss: 65535 - 40 on lo, as Linux advertises");
        assertEquals(65495 - 12, c.mssCache, "the peer's MSS less the timestamp option");

        byte[] data = new byte[300_000];
        new Random(4).nextBytes(data);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        int[] sent = {0};
        stack.loop().runUntil(() -> {
            if (sent[0] < data.length) {
                sent[0] += TcpCalls.send(c, data, sent[0], data.length - sent[0]);
            }
            int k;
            while ((k = TcpCalls.recv(s[0], buf, 0, buf.length)) > 0) {
                got.write(buf, 0, k);
            }
            return got.size() >= data.length;
        }, stack.loop().now() + 60_000_000_000L);
        assertArrayEquals(data, got.toByteArray());
        stack.close();
    }
}
