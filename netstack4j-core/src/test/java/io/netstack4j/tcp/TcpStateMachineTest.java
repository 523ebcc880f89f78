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

    /** A pure ACK from the peer at its next sequence number, acknowledging {@code ack}, advertising {@code window}. */
    private void peerAck(int ack, int window) {
        h.inject(PORT, PEER_PORT, ACK_FLAG, sk.rcvNxt, ack, window, SegmentHarness.ts(PEER_TS + 1, tsNow()), 0);
    }

    /** The connection between PEER_PORT and PORT as {@code ss} lists it, or null when it is gone. */
    private TcpState pairState() {
        return h.h.tcp().sockets().stream().filter(i -> i.remotePort() == PEER_PORT || i.localPort() == PEER_PORT)
                .map(TcpSockInfo::state).findFirst().orElse(null);
    }

    private static void assertGap(long expectMs, Seg a, Seg b) {
        assertEquals(expectMs, b.atMs() - a.atMs(), 1, "gap between " + a + " and " + b);
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
    void theSynIsRetransmittedAfter1s2s4sAndTheConnectTimesOutAfterTcpSynRetries() {
        h.h.sysctls().set("net.ipv4.tcp_syn_retries", "3");
        sk = h.h.tcp().open(null);
        TcpCalls.connect(sk, PEER, PORT);
        h.run(14_990);
        List<Seg> syns = h.take();
        assertEquals(4, syns.size(), "the SYN and 3 retransmissions: " + syns);
        for (int i = 1; i < syns.size(); i++) {
            Seg s = syns.get(i);
            assertEquals(SYN, s.flags());
            assertEquals(syns.getFirst().seq(), s.seq());
            assertEquals(1460, s.opt().mss);
            assertGap(1000L << (i - 1), syns.get(i - 1), s);
        }
        assertEquals(TcpState.SYN_SENT, sk.state(), "the last retransmission still has its 8 s");
        h.run(20);
        assertEquals(TcpState.CLOSE, sk.state());
        assertEquals(Errno.ETIMEDOUT, sk.takeError());
        assertEquals(List.of(), h.take(), "giving up sends nothing");
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
    void aSynAckWhoseAckIsLostIsSentAgainWithBackoff() {
        TcpSock l = h.h.tcp().open(null);
        TcpCalls.bind(l, 0, PORT);
        TcpCalls.listen(l, 8);
        h.inject(PEER_PORT, PORT, SYN, PEER_ISN, 0, 65535, SegmentHarness.synOptions(PEER_TS, 0), 0);
        Seg first = h.one();
        h.run(3010);
        List<Seg> again = h.take();
        assertEquals(2, again.size(), "after 1 s and 2 more: " + again);
        for (Seg s : again) {
            assertEquals(SYN | ACK_FLAG, s.flags());
            assertEquals(first.seq(), s.seq());
            assertEquals(PEER_ISN + 1, s.ack());
        }
        assertGap(1000, first, again.get(0));
        assertGap(2000, again.get(0), again.get(1));
        h.inject(PEER_PORT, PORT, SYN, PEER_ISN, 0, 65535, SegmentHarness.synOptions(PEER_TS + 1, 0), 0);
        assertEquals(first.seq(), h.one().seq(), "a retransmitted SYN gets the same SYN-ACK");
        h.inject(PEER_PORT, PORT, ACK_FLAG, PEER_ISN + 1, first.seq() + 1, 1024, SegmentHarness.ts(PEER_TS + 2, first.opt().tsVal), 0);
        TcpSock c = TcpCalls.accept(l);
        assertNotNull(c, "the late ACK completes the handshake");
        assertEquals(TcpState.ESTABLISHED, c.state());
        h.run(10_000);
        assertEquals(List.of(), h.take(), "no more SYN-ACKs");
    }

    @Test
    void simultaneousOpenAnswersASynWithASynAckAndEstablishes() {
        sk = h.h.tcp().open(null);
        TcpCalls.bind(sk, HOST, PEER_PORT);
        TcpCalls.connect(sk, PEER, PORT);
        iss = h.one().seq();
        h.inject(PORT, PEER_PORT, SYN, PEER_ISN, 0, 65535, SegmentHarness.synOptions(PEER_TS, 0), 0);
        Seg synAck = h.one();
        assertEquals(SYN | ACK_FLAG, synAck.flags(), "RFC 9293 3.10.7.3: our SYN again, now acknowledging theirs");
        assertEquals(iss, synAck.seq());
        assertEquals(PEER_ISN + 1, synAck.ack());
        assertEquals(20, synAck.options().length, "the full SYN option block");
        assertEquals(PEER_TS, synAck.opt().tsEcr);
        assertEquals(TcpState.SYN_RECV, sk.state());
        h.inject(PORT, PEER_PORT, SYN | ACK_FLAG, PEER_ISN, iss + 1, 65535, SegmentHarness.synOptions(PEER_TS + 1, synAck.opt().tsVal), 0);
        assertEquals(TcpState.ESTABLISHED, sk.state());
        for (Seg s : h.take()) {
            assertEquals(ACK_FLAG, s.flags(), "at most an ACK: " + s);
            assertEquals(PEER_ISN + 1, s.ack());
        }
        assertEquals(5, TcpCalls.send(sk, "hello".getBytes(), 0, 5));
        Seg d = h.one();
        assertEquals(iss + 1, d.seq());
        assertEquals(5, d.payload());
        h.run(5000);
        assertTrue(h.take().stream().noneMatch(s -> (s.flags() & SYN) != 0), "the SYN is not retransmitted once acknowledged");
    }

    @Test
    void quickAcksAtTheStartThenALoneSegmentWaitsForTheDelayedAckAndTwoFullSegmentsAreAckedAtOnce() {
        established();
        int off = 0;
        int quick = 0;
        while (quick < 20) {
            data(off, 100);
            off += 100;
            List<Seg> s = h.take();
            if (s.isEmpty()) {
                break;
            }
            quick++;
            assertEquals(PEER_ISN + 1 + off, s.getFirst().ack());
        }
        assertEquals(16, quick, "tcp_incr_quickack: TCP_MAX_QUICKACKS immediate ACKs for the first data");
        h.run(37);
        assertEquals(List.of(), h.take(), "delayed");
        h.run(3);
        Seg delayed = h.one();
        assertEquals(PEER_ISN + 1 + off, delayed.ack(), "ACKed by the delayed-ACK timer, 40 ms (TCP_ATO_MIN) after the segment");
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.DelayedACKs));
        data(off, 1448);
        assertEquals(List.of(), h.take(), "one full segment waits");
        data(off + 1448, 1448);
        Seg both = h.one();
        assertEquals(PEER_ISN + 1 + off + 2 * 1448, both.ack(), "RFC 5681 4.2: every second full-sized segment is ACKed at once");
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.DelayedACKs));
        byte[] buf = new byte[8192];
        assertEquals(off + 2 * 1448, TcpCalls.recv(sk, buf, 0, buf.length), "every byte delivered in order");
        assertEquals('a', buf[0]);
        assertArrayEquals(new byte[] {'t', 'u', 'v', 'a', 'b'}, Arrays.copyOfRange(buf, 97, 102), "the second segment follows the first");
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
    void aSynOutsideTheWindowDrawsAChallengeAckToo() {
        established();
        h.inject(PORT, PEER_PORT, SYN, PEER_ISN + 10_000_000, 0, 65535, SegmentHarness.synOptions(PEER_TS + 1, 0), 0);
        assertEquals(TcpState.ESTABLISHED, sk.state(), "RFC 5961 4.2: irrespective of the sequence number");
        Seg challenge = h.one();
        assertEquals(ACK_FLAG, challenge.flags());
        assertEquals(PEER_ISN + 1, challenge.ack());
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.TCPSYNChallenge));
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.TCPChallengeACK));
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
        h.h.sysctls().set("net.ipv4.tcp_invalid_ratelimit", "0");
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
    void aZeroWindowIsProbedWithBackoffAndSendingResumesWhenItOpens() {
        established();
        peerAck(iss + 1, 0);
        long sentAt = h.nowMs();
        assertEquals(1000, TcpCalls.send(sk, new byte[1000], 0, 1000));
        assertEquals(List.of(), h.take(), "nothing fits in a zero window");
        h.run(1500);
        List<Seg> probes = h.take();
        assertEquals(3, probes.size(), "probes after one RTO, then 2 and 4: " + probes);
        for (Seg p : probes) {
            assertEquals(ACK_FLAG, p.flags());
            assertEquals(iss, p.seq(), "tcp_xmit_probe_skb: an old sequence number (snd_una - 1), no data");
            assertEquals(0, p.payload());
        }
        assertEquals(200, probes.get(0).atMs() - sentAt, 1, "the persist timer starts at the RTO (200 ms here)");
        assertGap(400, probes.get(0), probes.get(1));
        assertGap(800, probes.get(1), probes.get(2));
        peerAck(iss + 1, 0);
        assertEquals(List.of(), h.take());
        assertEquals(TcpState.ESTABLISHED, sk.state());
        peerAck(iss + 1, 100);
        Seg d = h.one();
        assertEquals(iss + 1, d.seq(), "the window opened: the data goes at once");
        assertEquals(1000, d.payload());
        assertTrue(h.h.tcp().extMib().get(TcpExtMib.TCPWinProbe) >= 3);
    }

    /**
     * The persist timer finds a window too small to use but not zero (SWS avoidance held the data
     * back) and sends what fits as new data ({@code tcp_write_wakeup}). If that segment is lost
     * the retransmission timer must bring it back ({@code tcp_event_new_data_sent} arms the RTO
     * when nothing was in flight). Without it the connection stalled for good: data in flight and
     * no timer (LinkFlapTest hung in CI when a flap ate such a segment).
     */
    @Test
    void dataSentByThePersistTimerIsRetransmittedWhenLost() {
        established();
        peerAck(iss + 1, 3);
        assertEquals(5000, TcpCalls.send(sk, new byte[5000], 0, 5000));
        assertEquals(List.of(), h.take(), "384 bytes of window: too small to be worth a segment yet");
        h.run(250);
        Seg probe = h.one();
        assertEquals(iss + 1, probe.seq());
        assertEquals(384, probe.payload(), "the persist timer sends what fits");
        h.run(3000);
        List<Seg> again = h.take();
        assertTrue(!again.isEmpty(), "the lost probe data is retransmitted");
        assertEquals(iss + 1, again.get(0).seq());
        assertEquals(384, again.get(0).payload());
        assertTrue(h.h.tcp().extMib().get(TcpExtMib.TCPTimeouts) >= 1);
    }

    /**
     * {@code tcp_try_rmem_schedule}: a segment inside the window is refused only once the
     * receive memory is already past rcvbuf, so the buffer may be overshot by one segment (and an
     * empty receive queue always takes one). Counting the new segment against rcvbuf instead
     * refused data inside a window the receiver had offered, for as long as its reader lagged.
     */
    @Test
    void inWindowDataIsRefusedOnlyOnceReceiveMemoryIsPastRcvbuf() {
        established();
        TcpCalls.setRcvbuf(sk, 1);
        assertEquals(2304, TcpCalls.rcvbuf(sk), "the minimum: one 2 KiB buffer and its sk_buff");
        data(0, 1000);
        data(1000, 1000);
        assertEquals(2000, sk.readableBytes(), "the second segment overshoots rcvbuf, as in Linux");
        data(2000, 1000);
        assertEquals(2000, sk.readableBytes(), "past rcvbuf: refused");
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.TCPRcvQDrop));
        byte[] buf = new byte[4000];
        assertEquals(2000, TcpCalls.recv(sk, buf, 0, buf.length));
        data(2000, 1000);
        assertEquals(1000, sk.readableBytes(), "read, the retransmission is taken");
    }

    @Test
    void aWindowShrunkToZeroWithoutNewDataStillStopsTheSender() {
        established();
        peerAck(iss + 1, 100);
        peerAck(iss + 1, 0);
        assertEquals(1000, TcpCalls.send(sk, new byte[1000], 0, 1000));
        assertEquals(List.of(), h.take(), "tcp_may_update_window takes a zero window from the same sequence number");
        h.run(250);
        assertEquals(iss, h.one().seq(), "a window probe");
    }

    @Test
    void keepaliveProbesAnIdleConnectionAndAfterKeepCntUnansweredProbesResets() {
        established();
        TcpCalls.setKeepaliveParams(sk, 10, 2, 3);
        TcpCalls.setKeepAlive(sk, true);
        h.run(9_990);
        assertEquals(List.of(), h.take());
        h.run(20);
        Seg probe = h.one();
        assertEquals(ACK_FLAG, probe.flags());
        assertEquals(iss, probe.seq(), "snd_una - 1: the peer must answer with an ACK");
        assertEquals(PEER_ISN + 1, probe.ack());
        assertEquals(0, probe.payload());
        peerAck(iss + 1, 1024);
        h.run(9_980);
        assertEquals(List.of(), h.take(), "an answered probe restarts the idle time");
        h.run(40);
        List<Seg> unanswered = h.take();
        assertEquals(1, unanswered.size());
        h.run(6_010);
        unanswered.addAll(h.take());
        assertEquals(4, unanswered.size(), "3 probes 2 s apart, then the reset: " + unanswered);
        for (int i = 1; i < 4; i++) {
            assertGap(2000, unanswered.get(i - 1), unanswered.get(i));
        }
        Seg rst = unanswered.get(3);
        assertEquals(RST | ACK_FLAG, rst.flags(), "tcp_keepalive_timer: tcp_send_active_reset before giving up");
        assertEquals(iss + 1, rst.seq());
        assertEquals(TcpState.CLOSE, sk.state());
        assertEquals(Errno.ETIMEDOUT, sk.takeError());
    }

    @Test
    void closeWithSoLingerZeroSendsAResetInsteadOfAFin() {
        established();
        TcpCalls.send(sk, new byte[100], 0, 100);
        assertEquals(100, h.one().payload());
        TcpCalls.setLinger(sk, true, 0);
        TcpCalls.close(sk);
        Seg rst = h.one();
        assertEquals(RST | ACK_FLAG, rst.flags());
        assertEquals(iss + 101, rst.seq(), "at snd_nxt");
        assertEquals(PEER_ISN + 1, rst.ack());
        assertEquals(null, pairState(), "no TIME_WAIT after an abort");
        peerAck(iss + 101, 1024);
        Seg answer = h.one();
        assertEquals(RST, answer.flags(), "the port is closed now");
        assertEquals(iss + 101, answer.seq());
    }

    @Test
    void closeWithUnreadDataSendsAReset() {
        established();
        data(0, 100);
        h.run(50);
        h.take();
        TcpCalls.close(sk);
        Seg rst = h.one();
        assertEquals(RST | ACK_FLAG, rst.flags(), "RFC 2525 2.17: unread data is lost, so say so");
        assertEquals(iss + 1, rst.seq());
        assertEquals(PEER_ISN + 101, rst.ack());
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.TCPAbortOnClose));
        assertEquals(null, pairState());
    }

    @Test
    void outOfWindowAcksAreRateLimitedButDataIsAlwaysAnswered() {
        established();
        for (int i = 0; i < 2; i++) {
            h.inject(PORT, PEER_PORT, ACK_FLAG | PSH, PEER_ISN + 1, iss + 1, 1024, SegmentHarness.ts(PEER_TS - 100, tsNow()), 10);
            assertEquals(PEER_ISN + 1, h.one().ack(), "tcp_oow_rate_limited spares segments with data");
            h.inject(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 1 + 10_000_000, iss + 1, 1024, SegmentHarness.ts(PEER_TS + 1, tsNow()), 0);
            assertEquals(i == 0 ? 1 : 0, h.take().size(), "a bare ACK out of the window: one answer per 500 ms");
            h.run(100);
        }
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.TCPACKSkippedSeq));
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
    void halfCloseRetransmitsTheFinWithBackoffThenHoldsTimeWaitFor60s() {
        established();
        TcpCalls.shutdown(sk, false, true);
        Seg fin = h.one();
        assertEquals(FIN | ACK_FLAG, fin.flags());
        assertEquals(iss + 1, fin.seq());
        assertEquals(TcpState.FIN_WAIT1, sk.state());
        h.run(3100);
        List<Seg> again = h.take();
        assertTrue(again.size() >= 4, "an unacknowledged FIN is sent again: " + again);
        for (Seg s : again) {
            assertEquals(FIN | ACK_FLAG, s.flags());
            assertEquals(fin.seq(), s.seq());
        }
        assertTrue(again.getFirst().atMs() - fin.atMs() <= 201, "the first retransmission within one RTO: " + again);
        for (int i = 2; i < again.size(); i++) {
            assertGap(2 * (again.get(i - 1).atMs() - again.get(i - 2).atMs()), again.get(i - 1), again.get(i));
        }
        h.inject(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 1, iss + 2, 1024, SegmentHarness.ts(PEER_TS + 1, tsNow()), 0);
        assertEquals(TcpState.FIN_WAIT2, sk.state());
        assertEquals(List.of(), h.take());
        h.run(5000);
        assertEquals(List.of(), h.take(), "the FIN is acknowledged: no more retransmissions");
        assertEquals(0, TcpCalls.recv(sk, new byte[1], 0, 1), "half-closed: reading still waits for the peer");
        h.inject(PORT, PEER_PORT, FIN | ACK_FLAG, PEER_ISN + 1, iss + 2, 1024, SegmentHarness.ts(PEER_TS + 2, tsNow()), 0);
        Seg last = h.one();
        assertEquals(ACK_FLAG, last.flags());
        assertEquals(iss + 2, last.seq());
        assertEquals(PEER_ISN + 2, last.ack());
        assertEquals(TcpState.TIME_WAIT, pairState());
        h.run(30_000);
        h.inject(PORT, PEER_PORT, FIN | ACK_FLAG, PEER_ISN + 1, iss + 2, 1024, SegmentHarness.ts(PEER_TS + 3, tsNow()), 0);
        assertEquals(PEER_ISN + 2, h.one().ack(), "TIME_WAIT acknowledges a retransmitted FIN again and restarts its 60 s");
        h.run(59_980);
        assertEquals(TcpState.TIME_WAIT, pairState());
        h.run(30);
        assertEquals(null, pairState(), "gone after 60 s (TCP_TIMEWAIT_LEN)");
        assertEquals(List.of(), h.take(), "TIME_WAIT ends silently");
        h.inject(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 2, iss + 2, 1024, new byte[0], 0);
        assertEquals(RST, h.one().flags(), "then the pair is unknown");
    }

    @Test
    void anOrphanInFinWait2WaitsTcpFinTimeoutInAllForThePeersFin() {
        established();
        TcpCalls.close(sk);
        assertEquals(FIN | ACK_FLAG, h.one().flags());
        peerAck(iss + 2, 1024);
        assertEquals(TcpState.FIN_WAIT2, pairState());
        h.run(59_950);
        assertEquals(TcpState.FIN_WAIT2, pairState());
        h.run(100);
        assertEquals(null, pairState(), "tcp_fin_timeout (60 s) from the ACK of our FIN, not twice that");
        assertEquals(List.of(), h.take(), "it ends silently");
    }

    @Test
    void newDataForAnOrphanInFinWait2IsReset() {
        established();
        TcpCalls.close(sk);
        h.take();
        peerAck(iss + 2, 1024);
        h.inject(PORT, PEER_PORT, ACK_FLAG | PSH, PEER_ISN + 1, iss + 2, 1024, SegmentHarness.ts(PEER_TS + 2, 0), 10);
        Seg rst = h.one();
        assertEquals(RST, rst.flags(), "RFC 9293 3.10.7.4: nobody will read it");
        assertEquals(iss + 2, rst.seq());
        assertEquals(null, pairState());
    }

    @Test
    void aShortFinTimeoutStillLetsTheFinThroughAndThenTimeWaitLasts60s() {
        h.h.sysctls().set("net.ipv4.tcp_fin_timeout", "5");
        established();
        TcpCalls.close(sk);
        h.take();
        peerAck(iss + 2, 1024);
        h.run(4_000);
        assertEquals(TcpState.FIN_WAIT2, pairState());
        h.inject(PORT, PEER_PORT, FIN | ACK_FLAG, PEER_ISN + 1, iss + 2, 1024, SegmentHarness.ts(PEER_TS + 2, 0), 0);
        Seg ack = h.one();
        assertEquals(ACK_FLAG, ack.flags());
        assertEquals(PEER_ISN + 2, ack.ack());
        assertEquals(TcpState.TIME_WAIT, pairState());
        h.run(59_900);
        assertEquals(TcpState.TIME_WAIT, pairState(), "TIME_WAIT is 60 s whatever tcp_fin_timeout says");
        h.run(200);
        assertEquals(null, pairState());
    }

    @Test
    void aBareAckInsideTimeWaitIsAbsorbed() {
        established();
        TcpCalls.shutdown(sk, false, true);
        h.take();
        h.inject(PORT, PEER_PORT, FIN | ACK_FLAG, PEER_ISN + 1, iss + 2, 1024, SegmentHarness.ts(PEER_TS + 1, tsNow()), 0);
        assertEquals(PEER_ISN + 2, h.one().ack());
        assertEquals(TcpState.TIME_WAIT, pairState());
        h.inject(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 2, iss + 2, 1024, SegmentHarness.ts(PEER_TS + 2, 0), 0);
        assertEquals(List.of(), h.take(), "tcp_timewait_state_process: an in-window bare ACK needs no answer");
        assertEquals(TcpState.TIME_WAIT, pairState());
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
    void challengeAcksAreSpacedByTheInvalidRateLimit() {
        established();
        h.inject(PORT, PEER_PORT, RST, PEER_ISN + 100, 0, 0, new byte[0], 0);
        assertEquals(ACK_FLAG, h.one().flags());
        h.run(200);
        h.inject(PORT, PEER_PORT, SYN, PEER_ISN + 100, 0, 0, SegmentHarness.synOptions(PEER_TS + 1, 0), 0);
        assertEquals(List.of(), h.take(), "tcp_send_challenge_ack: at most one per tcp_invalid_ratelimit (500 ms) per socket");
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.TCPACKSkippedChallenge));
        h.run(400);
        h.inject(PORT, PEER_PORT, RST, PEER_ISN + 100, 0, 0, new byte[0], 0);
        assertEquals(ACK_FLAG, h.one().flags());
        assertEquals(TcpState.ESTABLISHED, sk.state());
    }

    @Test
    void malformedSynOptionsKeepWhatWasParsedBeforeTheFault() {
        TcpSock l = h.h.tcp().open(null);
        TcpCalls.bind(l, 0, PORT);
        TcpCalls.listen(l, 8);
        List<byte[]> bad = List.of(new byte[] {2, 0, 5, (byte) 0xb4}, new byte[] {4, 2, 2, 1}, new byte[] {4, 2, 3, 9, 7, 0, 0, 0},
                new byte[] {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 3, 40});
        List<byte[]> answers = List.of(new byte[] {2, 4, 5, (byte) 0xb4}, new byte[] {2, 4, 5, (byte) 0xb4, 1, 1, 4, 2},
                new byte[] {2, 4, 5, (byte) 0xb4, 1, 1, 4, 2});
        for (int i = 0; i < bad.size(); i++) {
            h.inject(PEER_PORT + i, PORT, SYN, PEER_ISN, 0, 65535, bad.get(i), 0);
            Seg synAck = h.one();
            assertEquals(SYN | ACK_FLAG, synAck.flags(), "option bytes " + Arrays.toString(bad.get(i)));
            if (i < answers.size()) {
                assertArrayEquals(answers.get(i), synAck.options(), "only the options before the bad one count");
            } else {
                assertEquals(16, synAck.options().length, "MSS and timestamps, no window scale");
                assertEquals(1, synAck.opt().tsEcr);
            }
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
