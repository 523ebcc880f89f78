package io.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.wire.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** TCP behaviours a user notices, on a simulated network in virtual time. */
class TcpBehaviourTest {

    private static byte[] pump(SimNet n, TcpSock from, TcpSock to, byte[] data, long maxMillis) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        int[] sent = {0};
        n.runUntil(() -> {
            if (sent[0] < data.length) {
                sent[0] += TcpCalls.send(from, data, sent[0], data.length - sent[0]);
            }
            int k;
            while ((k = TcpCalls.recv(to, buf, 0, buf.length)) > 0) {
                got.write(buf, 0, k);
            }
            return got.size() >= data.length;
        }, maxMillis);
        return got.toByteArray();
    }

    @Test
    void fragNeededFromARouterLowersTheMssAndTheDataStillArrives() {
        SimNet n = SimNet.routed(1);
        n.rb[0].setMtu(1000);
        TcpSock l = n.listen(n.b, 80);
        TcpSock[] cs = n.connect(l, SimNet.B_ROUTED, 80);
        assertEquals(1448, cs[0].mssCache, "the client starts with its own link's MSS");
        byte[] data = new byte[300_000];
        new Random(1).nextBytes(data);
        byte[] got = pump(n, cs[0], cs[1], data, 60_000);
        assertArrayEquals(data, got);
        assertEquals(1000 - 40 - 12, cs[0].mssCache, "MSS after frag-needed (RFC 1191, tcp_v4_mtu_reduced)");
    }

    @Test
    void connectToANonAnsweringHostTimesOutAfterTheSynRetries() {
        SimNet n = SimNet.pair(2);
        n.a.sysctls().set("net.ipv4.tcp_syn_retries", "2");
        SimNet.netem(n.ab[0], "loss 100%");
        TcpSock c = n.a.tcp().open(null);
        TcpCalls.connect(c, SimNet.B, 80);
        n.run(2_900);
        assertEquals(TcpState.SYN_SENT, c.state(), "1 s + 2 s of backoff have not passed");
        n.run(4_200);
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(Errno.ETIMEDOUT, c.takeError());
        assertEquals(2, n.a.tcp().extMib().get(TcpExtMib.TCPSynRetrans));
    }

    @Test
    void closingWithUnreadDataResetsThePeer() {
        SimNet n = SimNet.pair(3);
        TcpSock l = n.listen(n.b, 80);
        TcpSock[] cs = n.connect(l, SimNet.B, 80);
        TcpCalls.send(cs[0], new byte[100], 0, 100);
        n.run(100);
        TcpCalls.close(cs[1]);
        n.run(100);
        assertEquals(1, n.b.tcp().extMib().get(TcpExtMib.TCPAbortOnClose));
        NetException e = assertThrows(NetException.class, () -> TcpCalls.recv(cs[0], new byte[10], 0, 10));
        assertEquals(Errno.ECONNRESET, e.errno());
    }

    @Test
    void halfCloseLetsThePeerKeepSending() {
        SimNet n = SimNet.pair(4);
        TcpSock l = n.listen(n.b, 80);
        TcpSock[] cs = n.connect(l, SimNet.B, 80);
        TcpCalls.shutdown(cs[0], false, true);
        n.run(100);
        assertEquals(TcpState.FIN_WAIT2, cs[0].state());
        assertEquals(TcpState.CLOSE_WAIT, cs[1].state());
        assertEquals(-1, TcpCalls.recv(cs[1], new byte[10], 0, 10), "the server sees end of stream");
        byte[] reply = "still talking".getBytes();
        byte[] got = pump(n, cs[1], cs[0], reply, 1000);
        assertArrayEquals(reply, got);
        TcpCalls.close(cs[1]);
        n.run(100);
        assertEquals(TcpState.TIME_WAIT, n.a.tcp().sockets().getFirst().state());
        n.run(61_000);
        assertEquals(0, n.a.tcp().sockets().size(), "TIME_WAIT lasts 60 s");
    }

    @Test
    void keepaliveNoticesAPeerThatVanished() {
        SimNet n = SimNet.pair(5);
        TcpSock l = n.listen(n.b, 80);
        TcpSock[] cs = n.connect(l, SimNet.B, 80);
        TcpCalls.setKeepaliveParams(cs[0], 10, 2, 3);
        TcpCalls.setKeepAlive(cs[0], true);
        n.run(15_000);
        assertEquals(TcpState.ESTABLISHED, cs[0].state(), "probes answered keep it alive");
        assertTrue(n.a.tcp().extMib().get(TcpExtMib.TCPKeepAlive) > 0);
        SimNet.netem(n.ab[0], "loss 100%");
        n.run(20_000);
        assertEquals(TcpState.CLOSE, cs[0].state());
        assertEquals(Errno.ETIMEDOUT, cs[0].takeError());
    }

    @Test
    void zeroWindowIsProbedAndTheTransferResumes() {
        SimNet n = SimNet.pair(6);
        TcpSock l = n.listen(n.b, 80);
        TcpSock[] cs = n.connect(l, SimNet.B, 80);
        TcpCalls.setSndbuf(cs[0], 1 << 20);
        byte[] data = new byte[500_000];
        new Random(6).nextBytes(data);
        int sent = TcpCalls.send(cs[0], data, 0, data.length);
        n.run(30_000);
        assertTrue(n.a.tcp().extMib().get(TcpExtMib.TCPWinProbe) > 0, "the sender probed the closed window");
        assertEquals(TcpState.ESTABLISHED, cs[0].state(), "a closed window never times a connection out");
        byte[] rest = java.util.Arrays.copyOfRange(data, sent, data.length);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        int[] more = {0};
        n.runUntil(() -> {
            if (more[0] < rest.length) {
                more[0] += TcpCalls.send(cs[0], rest, more[0], rest.length - more[0]);
            }
            int k;
            while ((k = TcpCalls.recv(cs[1], buf, 0, buf.length)) > 0) {
                got.write(buf, 0, k);
            }
            return got.size() >= data.length;
        }, 60_000);
        assertArrayEquals(data, got.toByteArray());
    }

    @Test
    void lingerZeroAbortsWithAReset() {
        SimNet n = SimNet.pair(7);
        TcpSock l = n.listen(n.b, 80);
        TcpSock[] cs = n.connect(l, SimNet.B, 80);
        TcpCalls.setLinger(cs[0], true, 0);
        TcpCalls.close(cs[0]);
        n.run(50);
        assertEquals(TcpState.CLOSE, cs[1].state());
        assertEquals(Errno.ECONNRESET, cs[1].takeError());
        assertEquals(1, n.a.tcp().extMib().get(TcpExtMib.TCPAbortOnLinger));
    }

    @Test
    void simultaneousOpenEstablishesBothEnds() {
        SimNet n = SimNet.pair(8);
        SimNet.netem(n.ab[0], "delay 10ms");
        SimNet.netem(n.ab[1], "delay 10ms");
        TcpSock x = n.a.tcp().open(null);
        TcpCalls.bind(x, SimNet.A, 4000);
        TcpSock y = n.b.tcp().open(null);
        TcpCalls.bind(y, SimNet.B, 5000);
        TcpCalls.connect(x, SimNet.B, 5000);
        TcpCalls.connect(y, SimNet.A, 4000);
        n.run(200);
        assertEquals(TcpState.ESTABLISHED, x.state());
        assertEquals(TcpState.ESTABLISHED, y.state());
        byte[] hello = "hello".getBytes();
        assertArrayEquals(hello, pump(n, x, y, hello, 1000));
    }

    @Test
    void synCookiesServeClientsWhenTheSynQueueOverflows() {
        SimNet n = SimNet.pair(9);
        TcpSock l = n.b.tcp().open(null);
        TcpCalls.bind(l, 0, 80);
        TcpCalls.listen(l, 2);
        SimNet.netem(n.ab[1], "loss 100%");
        TcpSock[] half = new TcpSock[4];
        for (int i = 0; i < half.length; i++) {
            half[i] = n.a.tcp().open(null);
            TcpCalls.connect(half[i], SimNet.B, 80);
        }
        n.run(10);
        assertTrue(n.b.tcp().extMib().get(TcpExtMib.SyncookiesSent) >= 2, "SYNs beyond the backlog got cookies");
        n.ab[1].setQdisc(null);
        TcpSock[] cs = n.connect(l, SimNet.B, 80);
        assertNotNull(cs[1]);
        byte[] msg = "served".getBytes();
        assertArrayEquals(msg, pump(n, cs[0], cs[1], msg, 5000));
        assertTrue(n.b.tcp().extMib().get(TcpExtMib.SyncookiesRecv) + n.b.tcp().mib().get(TcpMib.PassiveOpens) > 0);
    }

    @Test
    void tcpInfoReportsWhatHappened() {
        SimNet n = SimNet.pair(10);
        SimNet.netem(n.ab[0], "delay 20ms");
        TcpSock l = n.listen(n.b, 80);
        TcpSock[] cs = n.connect(l, SimNet.B, 80);
        byte[] data = new byte[1 << 20];
        pump(n, cs[0], cs[1], data, 30_000);
        n.run(1000);
        TcpInfo i = TcpCalls.info(cs[0]);
        assertEquals(TcpState.ESTABLISHED, i.state());
        assertEquals(data.length, i.bytesAcked() - 1, "bytes_acked counts the SYN as Linux does");
        assertTrue(i.rttUs() >= 20_000 && i.rttUs() < 30_000, "rtt " + i.rttUs());
        assertTrue(i.sndCwnd() > CwndState.INIT_CWND, "cwnd grew: " + i.sndCwnd());
        assertEquals("cubic", i.congestion());
        assertTrue(i.wscaleOk() && i.sackOk() && i.tsOk());
        assertEquals(Ipv4Address.parse("10.0.0.2").bits(), cs[0].remoteAddress());
    }
}
