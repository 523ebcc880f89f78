package io.netstack4j.tcp;

import static io.netstack4j.tcp.SegmentHarness.HOST;
import static io.netstack4j.tcp.SegmentHarness.PEER;
import static io.netstack4j.wire.TcpHeader.ACK_FLAG;
import static io.netstack4j.wire.TcpHeader.FIN;
import static io.netstack4j.wire.TcpHeader.PSH;
import static io.netstack4j.wire.TcpHeader.RST;
import static io.netstack4j.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.tcp.SegmentHarness.Seg;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One socket driven segment by segment: the test plays the peer, injects segments and checks
 * the exact segments the socket answers with (flags, sequence and acknowledgment numbers,
 * window, options), state by state, including the RFC 5961 cases. Virtual time.
 */
class TcpStateMachineTest {

    private static final int PEER_ISN = 1_000_000;
    private static final int PEER_TS = 5000;
    private static final int PORT = 80;
    private static final int PEER_PORT = 40000;

    private final SegmentHarness h = new SegmentHarness();
    private TcpSock sk;
    private int iss;

    /** Opens a connection actively and completes the handshake with the test as the peer. */
    private Seg established() {
        sk = h.h.tcp().open(null);
        TcpCalls.bind(sk, HOST, PEER_PORT);
        TcpCalls.connect(sk, PEER, PORT);
        Seg syn = h.one();
        iss = syn.seq();
        h.inject(PORT, PEER_PORT, SYN | ACK_FLAG, PEER_ISN, iss + 1, 65535, SegmentHarness.synOptions(PEER_TS, syn.opt().tsVal), 0);
        assertEquals(TcpState.ESTABLISHED, sk.state());
        return h.one();
    }

    private int tsNow() {
        return sk.tsNow();
    }

    /** Injects {@code len} bytes of data at peer sequence offset {@code off} (0 = first byte after the SYN). */
    private void data(int off, int len) {
        h.inject(PORT, PEER_PORT, ACK_FLAG | PSH, PEER_ISN + 1 + off, iss + 1, 1024, SegmentHarness.ts(PEER_TS + 1, tsNow()), len);
    }

    @Test
    void theSynCarriesLinuxsOptionsInLinuxsOrder() {
        sk = h.h.tcp().open(null);
        TcpCalls.connect(sk, PEER, PORT);
        Seg syn = h.one();
        assertEquals(SYN, syn.flags());
        assertEquals(0, syn.ack());
        assertEquals(64240, syn.window(), "44 full segments of 1460 within 65535, as Linux offers");
        byte[] o = syn.options();
        assertEquals(20, o.length);
        assertArrayEquals(new byte[] {2, 4, 0x05, (byte) 0xb4, 4, 2, 8, 10}, Arrays.copyOfRange(o, 0, 8), "mss 1460, sackOK, TS");
        assertArrayEquals(new byte[] {1, 3, 3, 7}, Arrays.copyOfRange(o, 16, 20), "nop, wscale 7");
        assertEquals(0, syn.opt().tsEcr);
        assertEquals(TcpState.SYN_SENT, sk.state());
    }

    @Test
    void theHandshakeEndsWithAnAckAndUsesThePeersOptions() {
        Seg ack = established();
        assertEquals(ACK_FLAG, ack.flags());
        assertEquals(iss + 1, ack.seq());
        assertEquals(PEER_ISN + 1, ack.ack());
        assertTrue(ack.window() << 7 >= 64240, "the window is now scaled by 2^7: " + ack.window());
        assertEquals(PEER_TS, ack.opt().tsEcr, "our ACK echoes the peer's TSval");
        assertEquals(12, ack.options().length, "NOP NOP TS after the SYN");
        assertEquals(1448, sk.mssCache, "1460 less the 12 timestamp bytes");
        assertEquals(7, sk.sndWscale);
    }

    @Test
    void aResetToTheSynRefusesTheConnection() {
        sk = h.h.tcp().open(null);
        TcpCalls.connect(sk, PEER, PORT);
        Seg syn = h.one();
        h.inject(PORT, syn.srcPort(), RST | ACK_FLAG, 0, syn.seq() + 1, 0, new byte[0], 0);
        assertEquals(TcpState.CLOSE, sk.state());
        assertEquals(Errno.ECONNREFUSED, sk.takeError());
        assertEquals(List.of(), h.take(), "no answer to a reset");
    }

    @Test
    void theSynIsRetransmittedWithExponentialBackoff() {
        sk = h.h.tcp().open(null);
        TcpCalls.connect(sk, PEER, PORT);
        Seg syn = h.one();
        h.run(999);
        assertEquals(List.of(), h.take());
        h.run(2);
        Seg again = h.one();
        assertEquals(SYN, again.flags());
        assertEquals(syn.seq(), again.seq());
        h.run(1990);
        assertEquals(List.of(), h.take(), "the second retransmission waits 2 s");
        h.run(20);
        assertEquals(SYN, h.one().flags());
    }

    @Test
    void passiveOpenAnswersSynAckAndAcceptsAfterTheAck() {
        TcpSock l = h.h.tcp().open(null);
        TcpCalls.bind(l, 0, PORT);
        TcpCalls.listen(l, 8);
        h.inject(PEER_PORT, PORT, SYN, PEER_ISN, 0, 65535, SegmentHarness.synOptions(PEER_TS, 0), 0);
        Seg synAck = h.one();
        assertEquals(SYN | ACK_FLAG, synAck.flags());
        assertEquals(PEER_ISN + 1, synAck.ack());
        assertEquals(1460, synAck.opt().mss);
        assertTrue(synAck.opt().sackOk);
        assertEquals(PEER_TS, synAck.opt().tsEcr);
        assertEquals(7, synAck.opt().wscale);
        assertNull(TcpCalls.accept(l), "nothing to accept before the final ACK");
        h.inject(PEER_PORT, PORT, ACK_FLAG, PEER_ISN + 1, synAck.seq() + 1, 1024, SegmentHarness.ts(PEER_TS + 1, synAck.opt().tsVal), 0);
        TcpSock c = TcpCalls.accept(l);
        assertNotNull(c);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(List.of(), h.take(), "the final ACK needs no answer");
    }

    @Test
    void aLostSynAckIsSentAgain() {
        TcpSock l = h.h.tcp().open(null);
        TcpCalls.bind(l, 0, PORT);
        TcpCalls.listen(l, 8);
        h.inject(PEER_PORT, PORT, SYN, PEER_ISN, 0, 65535, SegmentHarness.synOptions(PEER_TS, 0), 0);
        Seg first = h.one();
        h.run(1005);
        Seg again = h.one();
        assertEquals(SYN | ACK_FLAG, again.flags());
        assertEquals(first.seq(), again.seq());
    }

    @Test
    void inOrderDataIsAckedAndDelivered() {
        established();
        data(0, 100);
        h.run(50);
        Seg ack = h.one();
        assertEquals(ACK_FLAG, ack.flags());
        assertEquals(PEER_ISN + 1 + 100, ack.ack());
        byte[] buf = new byte[200];
        assertEquals(100, TcpCalls.recv(sk, buf, 0, buf.length));
        assertEquals('a', buf[0]);
    }

    @Test
    void aGapIsAnsweredAtOnceWithADuplicateAckAndASackBlock() {
        established();
        data(0, 100);
        h.run(50);
        h.take();
        data(200, 100);
        Seg dup = h.one();
        assertEquals(PEER_ISN + 101, dup.ack(), "still acknowledging up to the gap");
        assertEquals(1, dup.opt().numSacks);
        assertEquals(PEER_ISN + 201, dup.opt().sackStart[0]);
        assertEquals(PEER_ISN + 301, dup.opt().sackEnd[0]);
        data(100, 100);
        Seg filled = h.one();
        assertEquals(PEER_ISN + 301, filled.ack(), "filling the gap acknowledges both");
        assertEquals(0, filled.opt().numSacks);
    }

    @Test
    void aDuplicateIsAnsweredWithADsackBlock() {
        established();
        data(0, 100);
        h.run(50);
        h.take();
        data(0, 100);
        Seg ack = h.one();
        assertEquals(PEER_ISN + 101, ack.ack());
        assertEquals(1, ack.opt().numSacks, "RFC 2883: the first block reports the duplicate");
        assertEquals(PEER_ISN + 1, ack.opt().sackStart[0]);
        assertEquals(PEER_ISN + 101, ack.opt().sackEnd[0]);
    }

    @Test
    void aResetAtExactlyRcvNxtResetsTheConnection() {
        established();
        h.inject(PORT, PEER_PORT, RST, PEER_ISN + 1, 0, 0, new byte[0], 0);
        assertEquals(TcpState.CLOSE, sk.state());
        assertEquals(List.of(), h.take());
        NetException e = assertThrows(NetException.class, () -> TcpCalls.recv(sk, new byte[1], 0, 1));
        assertEquals(Errno.ECONNRESET, e.errno());
    }

    @Test
    void aResetInsideTheWindowButNotAtRcvNxtDrawsAChallengeAck() {
        established();
        h.inject(PORT, PEER_PORT, RST, PEER_ISN + 1 + 500, 0, 0, new byte[0], 0);
        assertEquals(TcpState.ESTABLISHED, sk.state(), "RFC 5961 3.2: no reset");
        Seg challenge = h.one();
        assertEquals(ACK_FLAG, challenge.flags());
        assertEquals(PEER_ISN + 1, challenge.ack());
        assertEquals(iss + 1, challenge.seq());
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.TCPChallengeACK));
    }

    @Test
    void aResetOutsideTheWindowIsIgnored() {
        established();
        h.inject(PORT, PEER_PORT, RST, PEER_ISN + 10_000_000, 0, 0, new byte[0], 0);
        assertEquals(TcpState.ESTABLISHED, sk.state());
        assertEquals(List.of(), h.take());
    }

    @Test
    void aSynOnAnEstablishedConnectionDrawsAChallengeAck() {
        established();
        h.inject(PORT, PEER_PORT, SYN, PEER_ISN + 77, 0, 65535, SegmentHarness.synOptions(PEER_TS + 1, 0), 0);
        assertEquals(TcpState.ESTABLISHED, sk.state(), "RFC 5961 4: no reset, no new connection");
        Seg challenge = h.one();
        assertEquals(ACK_FLAG, challenge.flags());
        assertEquals(PEER_ISN + 1, challenge.ack());
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.TCPSYNChallenge));
    }

    @Test
    void anAckOfDataNeverSentIsAnsweredAndItsDataRefused() {
        established();
        h.inject(PORT, PEER_PORT, ACK_FLAG | PSH, PEER_ISN + 1, iss + 1 + 5000, 1024, SegmentHarness.ts(PEER_TS + 1, tsNow()), 50);
        Seg ack = h.one();
        assertEquals(ACK_FLAG, ack.flags());
        assertEquals(PEER_ISN + 1, ack.ack(), "the data was not taken (RFC 5961 5.2)");
        assertEquals(0, sk.readableBytes());
    }

    @Test
    void challengeAcksAreRateLimitedPerSocket() {
        h.h.sysctls().set("net.ipv4.tcp_challenge_ack_limit", "2");
        established();
        for (int i = 0; i < 5; i++) {
            h.inject(PORT, PEER_PORT, RST, PEER_ISN + 100 + i, 0, 0, new byte[0], 0);
        }
        assertEquals(2, h.take().size());
        assertEquals(3, h.h.tcp().extMib().get(TcpExtMib.TCPACKSkippedChallenge));
        h.run(1000);
        h.inject(PORT, PEER_PORT, RST, PEER_ISN + 200, 0, 0, new byte[0], 0);
        assertEquals(1, h.take().size(), "a new second, a new budget");
    }

    @Test
    void pawsDropsASegmentWithAnOlderTimestamp() {
        established();
        h.inject(PORT, PEER_PORT, ACK_FLAG | PSH, PEER_ISN + 1, iss + 1, 1024, SegmentHarness.ts(PEER_TS - 100, tsNow()), 10);
        Seg ack = h.one();
        assertEquals(PEER_ISN + 1, ack.ack(), "RFC 7323 5.3: not accepted, answered with an ACK");
        assertEquals(0, sk.readableBytes());
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.PAWSEstab));
    }

    @Test
    void passiveCloseGoesThroughCloseWaitAndLastAck() {
        established();
        h.inject(PORT, PEER_PORT, FIN | ACK_FLAG, PEER_ISN + 1, iss + 1, 1024, SegmentHarness.ts(PEER_TS + 1, tsNow()), 0);
        assertEquals(TcpState.CLOSE_WAIT, sk.state());
        h.run(200);
        Seg ack = h.one();
        assertEquals(PEER_ISN + 2, ack.ack(), "the FIN takes one sequence number");
        assertEquals(-1, TcpCalls.recv(sk, new byte[1], 0, 1));
        TcpCalls.close(sk);
        Seg fin = h.one();
        assertEquals(FIN | ACK_FLAG, fin.flags());
        assertEquals(iss + 1, fin.seq());
        assertEquals(TcpState.LAST_ACK, sk.state());
        h.inject(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 2, iss + 2, 1024, SegmentHarness.ts(PEER_TS + 2, tsNow()), 0);
        assertEquals(TcpState.CLOSE, sk.state());
    }

    @Test
    void activeCloseRetransmitsTheFinAndHoldsTimeWait() {
        established();
        TcpCalls.shutdown(sk, false, true);
        Seg fin = h.one();
        assertEquals(FIN | ACK_FLAG, fin.flags());
        assertEquals(TcpState.FIN_WAIT1, sk.state());
        h.run(1500);
        List<Seg> again = h.take();
        assertTrue(again.size() >= 2, "an unacknowledged FIN is probed (TLP) and retransmitted (RTO, backing off): " + again);
        for (Seg s : again) {
            assertEquals(FIN | ACK_FLAG, s.flags());
            assertEquals(fin.seq(), s.seq());
        }
        h.inject(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 1, iss + 2, 1024, SegmentHarness.ts(PEER_TS + 1, tsNow()), 0);
        assertEquals(TcpState.FIN_WAIT2, sk.state());
        h.inject(PORT, PEER_PORT, FIN | ACK_FLAG, PEER_ISN + 1, iss + 2, 1024, SegmentHarness.ts(PEER_TS + 2, tsNow()), 0);
        Seg last = h.one();
        assertEquals(ACK_FLAG, last.flags());
        assertEquals(PEER_ISN + 2, last.ack());
        assertEquals(TcpState.TIME_WAIT, h.h.tcp().sockets().getFirst().state());
        h.inject(PORT, PEER_PORT, FIN | ACK_FLAG, PEER_ISN + 1, iss + 2, 1024, SegmentHarness.ts(PEER_TS + 3, tsNow()), 0);
        assertEquals(PEER_ISN + 2, h.one().ack(), "TIME_WAIT acknowledges a retransmitted FIN again");
        h.run(61_000);
        assertEquals(0, h.h.tcp().sockets().size());
    }

    @Test
    void malformedOptionsNeverThrowAndTheSegmentIsStillHandled() {
        established();
        for (byte[] bad : List.of(new byte[] {8, 0, 0, 0}, new byte[] {8, 1, 0, 0}, new byte[] {5, 40, 0, 0}, new byte[] {3})) {
            int before = sk.rcvNxt;
            h.inject(PORT, PEER_PORT, ACK_FLAG | PSH, before, iss + 1, 1024, bad, 10);
            h.run(50);
            assertEquals(before + 10, sk.rcvNxt, "data after options " + Arrays.toString(bad));
            h.take();
        }
    }

    @Test
    void aNewSynWithAHigherSequenceNumberReusesATimeWaitPair() {
        TcpSock l = h.h.tcp().open(null);
        TcpCalls.bind(l, 0, PORT);
        TcpCalls.listen(l, 8);
        h.inject(PEER_PORT, PORT, SYN, PEER_ISN, 0, 65535, SegmentHarness.synOptions(PEER_TS, 0), 0);
        Seg synAck = h.one();
        h.inject(PEER_PORT, PORT, ACK_FLAG, PEER_ISN + 1, synAck.seq() + 1, 1024, SegmentHarness.ts(PEER_TS + 1, synAck.opt().tsVal), 0);
        TcpSock c = TcpCalls.accept(l);
        TcpCalls.close(c);
        Seg fin = h.one();
        h.inject(PEER_PORT, PORT, FIN | ACK_FLAG, PEER_ISN + 1, fin.seq() + 1, 1024, SegmentHarness.ts(PEER_TS + 2, fin.opt().tsVal), 0);
        h.take();
        assertEquals(TcpState.TIME_WAIT, h.h.tcp().sockets().stream().filter(i -> i.localPort() == PORT && i.remotePort() == PEER_PORT)
                .findFirst().orElseThrow().state());
        h.inject(PEER_PORT, PORT, SYN, PEER_ISN + 100_000, 0, 65535, SegmentHarness.synOptions(PEER_TS + 3, 0), 0);
        Seg again = h.one();
        assertEquals(SYN | ACK_FLAG, again.flags(), "the pair is reused for the new connection");
        assertEquals(fin.seq() + 1 + 65535 + 2, again.seq(), "the new ISN lies above the old connection's sequence space");
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.TWRecycled));
    }

    @Test
    void theCongestionControlComesFromTheSysctlOrTheSocketOption() {
        h.h.sysctls().set("net.ipv4.tcp_congestion_control", "reno");
        TcpSock a = h.h.tcp().open(null);
        assertEquals("reno", TcpCalls.congestion(a));
        TcpCalls.setCongestion(a, "cubic");
        assertEquals("cubic", TcpCalls.congestion(a));
        NetException e = assertThrows(NetException.class, () -> TcpCalls.setCongestion(a, "vegas"));
        assertEquals(Errno.ENOENT, e.errno());
        assertThrows(NetException.class, () -> h.h.sysctls().set("net.ipv4.tcp_congestion_control", "bogus"));
        assertEquals("reno cubic", h.h.sysctls().get("net.ipv4.tcp_available_congestion_control"));
    }
}
