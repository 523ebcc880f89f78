package io.netstack4j.tcp;

import static io.netstack4j.tcp.SegmentHarness.HOST;
import static io.netstack4j.tcp.SegmentHarness.PEER;
import static io.netstack4j.wire.TcpHeader.ACK_FLAG;
import static io.netstack4j.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netstack4j.tcp.SegmentHarness.Seg;
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

    @Test
    void theWindowGrowsAgainInSlowStartAfterAnRtoOfAnApplicationLimitedFlight() {
        SegmentHarness h = new SegmentHarness();
        TcpSock sk = h.h.tcp().open(null);
        TcpCalls.bind(sk, HOST, PEER_PORT);
        TcpCalls.connect(sk, PEER, PORT);
        Seg syn = h.one();
        int iss = syn.seq();
        h.inject(PORT, PEER_PORT, SYN | ACK_FLAG, PEER_ISN, iss + 1, 65535, SegmentHarness.synOptions(PEER_TS, syn.opt().tsVal), 0);
        h.take();
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
}
