package io.netstack4j.tcp;

import static io.netstack4j.tcp.SegmentHarness.HOST;
import static io.netstack4j.tcp.SegmentHarness.PEER;
import static io.netstack4j.wire.TcpHeader.ACK_FLAG;
import static io.netstack4j.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.tcp.SegmentHarness.Seg;
import io.netstack4j.wire.TcpOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After a retransmission timeout the window restarts at one segment and must grow again in slow
 * start as the retransmissions are ACKed, even when the application had sent less than a full
 * window before the loss (the sender was not cwnd-limited then). Linux's
 * {@code tcp_is_cwnd_limited} allows growth in slow start while the window is below twice the
 * segments outstanding. Found by the soak: an orphan with its last data lost crawled at one
 * retransmission per round trip, backing off to RTOs of a minute, until it timed out.
 */
class TcpLossCwndTest {

    private static final int PEER_ISN = 2_000_000;
    private static final int PEER_TS = 7000;
    private static final int PORT = 80;
    private static final int PEER_PORT = 40001;

    /** The application writes {@code n} full segments; they all leave at once (initial window ten). */
    private static List<Seg> sendSegments(SegmentHarness h, TcpSock sk, int n) {
        byte[] data = new byte[n * sk.mssCache];
        assertEquals(data.length, TcpCalls.send(sk, data, 0, data.length));
        List<Seg> flight = h.take();
        assertEquals(n, flight.size());
        return flight;
    }

    /** The peer's options for a duplicate ACK: its timestamp echoing {@code echoed}, one SACK block [from, to). */
    private static byte[] sackOptions(Seg echoed, int from, int to) {
        byte[] o = new byte[24];
        TcpOptions.writeTimestamp(o, 0, PEER_TS + 1, echoed.opt().tsVal);
        TcpOptions.writeSack(o, 12, new int[] {from}, new int[] {to}, 1);
        return o;
    }

    /** Connects from the host to the peer, whose SYN-ACK comes {@code rttMs} after the SYN. */
    private static TcpSock connect(SegmentHarness h, long rttMs) {
        TcpSock sk = h.h.tcp().open(null);
        TcpCalls.bind(sk, HOST, PEER_PORT);
        TcpCalls.connect(sk, PEER, PORT);
        Seg syn = h.one();
        if (rttMs > 0) {
            h.run(rttMs);
        }
        h.inject(PORT, PEER_PORT, SYN | ACK_FLAG, PEER_ISN, syn.seq() + 1, 65535, SegmentHarness.synOptions(PEER_TS, syn.opt().tsVal), 0);
        h.take();
        return sk;
    }

    @Test
    void theWindowGrowsAgainInSlowStartAfterAnRtoOfAnApplicationLimitedFlight() {
        SegmentHarness h = new SegmentHarness();
        TcpSock sk = connect(h, 0);
        int iss = sk.iss;
        int mss = sk.mssCache;
        byte[] data = new byte[6 * mss];
        assertEquals(data.length, TcpCalls.send(sk, data, 0, data.length));
        assertEquals(6, h.take().size(), "six segments, well inside the initial window of ten");
        h.run(1_500);
        List<Seg> sent = h.take();
        Seg rto = sent.getLast();
        assertEquals(iss + 1, rto.seq(), "a tail loss probe, then the timeout retransmits the head: " + sent);
        assertEquals(1, sk.cw.sndCwnd);
        h.inject(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 1, iss + 1 + mss, 65535, SegmentHarness.ts(PEER_TS + 1, rto.opt().tsVal), 0);
        assertEquals(2, sk.cw.sndCwnd, "slow start: one more segment per segment ACKed");
        List<Seg> next = h.take();
        assertEquals(2, next.size(), "two retransmissions go out on the first ACK, not one: " + next);
        assertEquals(iss + 1 + mss, next.get(0).seq());
        assertEquals(iss + 1 + 2 * mss, next.get(1).seq());
    }

    /**
     * The ACK that ends a SACK recovery covers segments SACKed long before: their age is no
     * round trip, so the sample comes from the timestamp the retransmission carried, as
     * {@code tcp_clean_rtx_queue} skips SACKed segments. Found by the soak: counting them made
     * RTTs of seconds out of a 100 ms path, the RTO grew to 13 s, and an orphan whose last
     * segments were lost reached its 60 s user timeout.
     */
    @Test
    void segmentsSackedEarlierGiveNoRttSampleWhenTheCumulativeAckCoversThem() {
        SegmentHarness h = new SegmentHarness();
        TcpSock sk = connect(h, 50);
        int iss = sk.iss;
        int mss = sk.mssCache;
        List<Seg> flight = sendSegments(h, sk, 6);
        // The first segment is lost; the other five arrive and are SACKed 50 ms later.
        h.run(50);
        h.inject(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 1, iss + 1, 65535, sackOptions(flight.getLast(), iss + 1 + mss, iss + 1 + 6 * mss), 0);
        Seg retrans = null;
        for (int ms = 0; retrans == null && ms < 2_000; ms++) {
            retrans = h.take().stream().filter(s -> s.seq() == iss + 1).findFirst().orElse(null);
            if (retrans == null) {
                h.run(1);
            }
        }
        assertNotNull(retrans, "the lost segment is retransmitted");
        long srttBefore = TcpCalls.info(sk).rttUs();
        // The retransmission's ACK comes 20 ms after it, echoing its timestamp.
        h.run(20);
        h.inject(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 1, iss + 1 + 6 * mss, 65535, SegmentHarness.ts(PEER_TS + 2, retrans.opt().tsVal), 0);
        long sample = 8 * TcpCalls.info(sk).rttUs() - 7 * srttBefore;
        assertEquals(20_000, sample, 2_000, "the sample is the retransmission's round trip, not the SACKed segments' age");
    }

    /**
     * Splitting a SACKed record ({@code tcp_fragment} when a retransmission or a probe cuts a
     * record to the MSS) counts the new piece as SACKed too. Before, only lost and retransmitted
     * pieces were counted: when both pieces were ACKed sacked_out went below zero, in-flight
     * stayed above the window with nothing outstanding, and the connection never sent again
     * (soak seed 20261123: three hung connections in 1500 virtual seconds).
     */
    @Test
    void splittingASackedRecordKeepsTheCountersTrue() {
        SegmentHarness h = new SegmentHarness();
        TcpSock sk = connect(h, 0);
        int iss = sk.iss;
        int mss = sk.mssCache;
        List<Seg> flight = sendSegments(h, sk, 3);
        h.inject(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 1, iss + 1, 65535, sackOptions(flight.getLast(), iss + 1 + mss, iss + 1 + 3 * mss), 0);
        assertEquals(2, sk.sackedOut);
        assertTrue(TcpOutput.fragment(sk, 2, iss + 1 + 2 * mss + mss / 2), "the last, SACKed record split in two");
        assertEquals(4, sk.packetsOut);
        assertEquals(3, sk.sackedOut, "both pieces of a SACKed record are SACKed");
        h.inject(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 1, iss + 1 + 3 * mss, 65535, SegmentHarness.ts(PEER_TS + 2, flight.getLast().opt().tsVal), 0);
        assertEquals(0, sk.packetsOut);
        assertEquals(0, sk.sackedOut);
        assertEquals(0, sk.lostOut);
        assertEquals(0, sk.retransOut);
        assertEquals(0, sk.packetsInFlight(), "nothing outstanding, nothing counted in flight");
    }
}
