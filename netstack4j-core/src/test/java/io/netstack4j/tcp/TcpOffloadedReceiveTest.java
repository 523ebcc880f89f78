package io.netstack4j.tcp;

import static io.netstack4j.tcp.SegmentHarness.HOST;
import static io.netstack4j.tcp.SegmentHarness.PEER;
import static io.netstack4j.wire.TcpHeader.ACK_FLAG;
import static io.netstack4j.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.DropReason;
import io.netstack4j.tcp.SegmentHarness.Seg;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A segment as an offloading TAP hands it up (GRO-style): one packet of many MSS longer than
 * the device's 1500-byte MTU, its checksum field holding only the pseudo-header sum. It must be
 * taken whole, its checksum not verified, and ACKed as the data of many segments would be.
 */
class TcpOffloadedReceiveTest {

    private static final int PEER_ISN = 1_000_000;
    private static final int PEER_TS = 5000;
    private static final int PORT = 80;
    private static final int PEER_PORT = 40000;
    private static final int MSS = 1448;

    private final SegmentHarness h = new SegmentHarness();
    private TcpSock sk;

    private void establish() {
        sk = h.h.tcp().open(null);
        TcpCalls.bind(sk, HOST, PEER_PORT);
        TcpCalls.connect(sk, PEER, PORT);
        Seg syn = h.one();
        h.inject(PORT, PEER_PORT, SYN | ACK_FLAG, PEER_ISN, syn.seq() + 1, 65535, SegmentHarness.synOptions(PEER_TS, syn.opt().tsVal), 0);
        assertEquals(TcpState.ESTABLISHED, sk.state());
        h.take();
    }

    /** The most payload that fits both the window we offered and one 64 KiB IP packet. */
    private int bigPayload() {
        int p = Math.min(sk.rcvWnd, 65535 - 20 - 20 - 12);
        p -= p % MSS;
        assertTrue(p > 4 * MSS, "the offered window " + sk.rcvWnd + " takes several segments");
        return p;
    }

    @Test
    void aGsoSegmentLongerThanTheMtuIsDeliveredWholeAndAcked() {
        establish();
        int payload = bigPayload();
        h.injectOffloaded(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 1, sk.sndNxt, 65535, SegmentHarness.ts(PEER_TS + 1, sk.tsNow()),
                payload, MSS, true);
        assertEquals(0, h.h.tcp().mib().get(TcpMib.InCsumErrors));
        byte[] got = new byte[payload + 10];
        assertEquals(payload, TcpCalls.recv(sk, got, 0, got.length));
        for (int i = 0; i < payload; i++) {
            assertEquals((byte) ('a' + i % 26), got[i], "byte " + i);
        }
        h.run(1);
        List<Seg> acks = h.take();
        assertTrue(!acks.isEmpty(), "the data was ACKed");
        assertEquals(PEER_ISN + 1 + payload, acks.getFirst().ack(),
                "ACKed at once, as for more than one full-sized segment (RFC 5681 4.2), not after the delayed-ACK timer");
    }

    @Test
    void theSameBytesWithoutTheOffloadMarkFailTheChecksum() {
        establish();
        int payload = bigPayload();
        h.injectOffloaded(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 1, sk.sndNxt, 65535, SegmentHarness.ts(PEER_TS + 1, sk.tsNow()),
                payload, MSS, false);
        assertEquals(1, h.h.tcp().mib().get(TcpMib.InCsumErrors));
        assertEquals(1, h.h.drops().get(DropReason.TCP_CSUM));
        assertEquals(PEER_ISN + 1, sk.rcvNxt);
    }
}
