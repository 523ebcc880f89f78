package io.netstack4j.cli.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.wire.TcpHeader;
import org.junit.jupiter.api.Test;

/**
 * The soak's wire witness: which timeouts the loss on the wire explains. Times in seconds,
 * turned into virtual nanoseconds; the client sends data from sequence 1000, the server's
 * stream starts at 5000 and is finished (its FIN at 5000 is acked).
 */
class FlowWireTest {

    private static final int ACK = TcpHeader.ACK_FLAG;
    private static final long S = 1_000_000_000L;

    private final FlowWire w = new FlowWire();

    /** The client sent 1000 bytes at 1000 and they were acked at t = 1 s; the server sent its FIN and it was acked. */
    private void established() {
        w.sent(w.s, 0, ACK | TcpHeader.FIN, 5000, 0);
        w.sent(w.c, 0, ACK, 1000, 1000);
        w.arrived(w.s, w.c, S / 2, ACK, 1000, 5001, 1000);
        w.sent(w.s, S / 2, ACK, 5001, 0);
        w.arrived(w.c, w.s, S, ACK, 5001, 2000, 0);
    }

    @Test
    void retransmissionsThatNeverGotAnAckExplainATimeout() {
        established();
        w.sent(w.c, 2 * S, ACK, 2000, 1000);
        for (long t : new long[] {5, 11, 23, 47}) {
            w.sent(w.c, t * S, ACK, 2000, 1000);
        }
        assertNull(FlowWire.lossExplains(w.c, 62 * S, 0));
    }

    @Test
    void anAckForNewDataThatArrivedMeansTheStackGaveUpWrongly() {
        established();
        for (long t : new long[] {2, 5, 11, 23, 47}) {
            w.sent(w.c, t * S, ACK, 2000, 1000);
        }
        w.arrived(w.c, w.s, 24 * S, ACK, 5001, 3000, 0);
        String why = FlowWire.lossExplains(w.c, 62 * S, 0);
        assertTrue(why != null && why.contains("ACK for new data"), why);
    }

    @Test
    void thePeersKeepaliveProbesLieBelowTheWindowAndDoNotCount() {
        established();
        for (long t : new long[] {2, 5, 11, 23, 47}) {
            w.sent(w.c, t * S, ACK, 2000, 1000);
        }
        // The server's probe: seq one below its snd_nxt, acking the data the client never saw acked.
        w.sent(w.s, 30 * S, ACK, 5000, 0);
        w.arrived(w.c, w.s, 30 * S, ACK, 5000, 3000, 0);
        assertNull(FlowWire.lossExplains(w.c, 62 * S, 0));
    }

    @Test
    void aSenderThatBarelyRetransmittedIsNotExcused() {
        established();
        w.sent(w.c, 2 * S, ACK, 2000, 1000);
        String why = FlowWire.lossExplains(w.c, 62 * S, 0);
        assertTrue(why != null && why.startsWith("it transmitted only 1 times"), why);
    }

    /**
     * RTO 3 s (one 1 s round trip), user timeout from 2 s: the timer fires at 2, 8, 20 and 44 s.
     * With the client's own device down from 1.5 to 4 s, the firing at 2 s found no route and is
     * not expected on the wire. The wire shows only the one at 44 s: enough if the device was
     * down from 1.5 to 24 s, too few otherwise.
     */
    @Test
    void firingsWhileTheSidesOwnDeviceWasDownAreNotExpectedOnTheWire() {
        established();
        String none = FlowWire.lossExplains(w.c, 62 * S, 0, java.util.List.of(new long[] {3 * S / 2, 4 * S}));
        assertTrue(none != null && none.startsWith("it transmitted only 0 times")
                && none.endsWith("(3.000 s) fires 4 times (1 of them while its own device was down)"), none);
        w.sent(w.c, 44 * S, ACK, 2000, 1000);
        String why = FlowWire.lossExplains(w.c, 62 * S, 0);
        assertTrue(why != null && why.startsWith("it transmitted only 1 times") && why.endsWith("(3.000 s) fires 4 times"), why);
        assertNull(FlowWire.lossExplains(w.c, 62 * S, 0, java.util.List.of(new long[] {3 * S / 2, 24 * S})));
    }

    /**
     * tcp_syn_retries = 4: the first SYN at 0 (inside connect, unseen), retransmissions at 1, 3,
     * 7 and 15 s, and the client gives up at 31 s.
     */
    @Test
    void aHandshakeWhoseSynsAllWentUnansweredIsLossAndOneAnsweredIsNot() {
        for (long t : new long[] {1, 3, 7, 15}) {
            w.sent(w.c, t * S, TcpHeader.SYN, 1000, 0);
        }
        assertNull(FlowWire.handshakeLossExplains(w.c, 31 * S, 4, java.util.List.of()));
        w.arrived(w.c, w.s, 8 * S, TcpHeader.SYN | ACK, 7000, 1001, 0);
        assertEquals("a SYN-ACK reached it 23.000 s before it gave up", FlowWire.handshakeLossExplains(w.c, 31 * S, 4, java.util.List.of()));
    }

    @Test
    void aHandshakeThatBarelyRetransmittedIsNotLoss() {
        w.sent(w.c, 1 * S, TcpHeader.SYN, 1000, 0);
        w.sent(w.c, 15 * S, TcpHeader.SYN, 1000, 0);
        assertEquals("it retransmitted its SYN only 2 times, where tcp_syn_retries = 4 asks for 4",
                FlowWire.handshakeLossExplains(w.c, 31 * S, 4, java.util.List.of()));
        assertNull(FlowWire.handshakeLossExplains(w.c, 31 * S, 4, java.util.List.of(new long[] {0, 8 * S})),
                "its own device was down for the retransmissions at 1, 3 and 7 s");
    }

    @Test
    void anOrphanThatGaveUpIsJudgedAtItsFirstReset() {
        established();
        for (long t : new long[] {2, 5, 11, 23, 47}) {
            w.sent(w.c, t * S, ACK | TcpHeader.FIN, 2000, 1000);
        }
        w.sent(w.c, 70 * S, TcpHeader.RST, 3001, 0);
        w.sent(w.c, 71 * S, TcpHeader.RST, 3001, 0);
        assertEquals(70 * S, w.c.firstRstNs);
        assertNull(FlowWire.lossExplains(w.c, w.c.firstRstNs, 0));
    }

    @Test
    void anAckArrivingAfterTheSideGaveUpDoesNotHideOneBefore() {
        established();
        w.sent(w.c, 2 * S, ACK, 2000, 1000);
        w.arrived(w.c, w.s, 20 * S, ACK, 5001, 3000, 0);
        for (long t : new long[] {21, 25, 33, 49}) {
            w.sent(w.c, t * S, ACK, 3000, 1000);
        }
        w.arrived(w.c, w.s, 63 * S, ACK, 5001, 4000, 0);
        assertEquals("an ACK for new data reached it 42.000 s before it gave up", FlowWire.lossExplains(w.c, 62 * S, 0));
    }

    @Test
    void anAckThatLeavesARetransmissionOutstandingDoesNotRestartTheUserTimeout() {
        // 1000 and 2000 go out at 0; 2000 is lost and retransmitted from 3 s on; the ACK at 10 s
        // covers 1000 only, so 2000's retransmission is still outstanding and the user timeout
        // (from retrans_stamp) keeps running: giving up at 60 s is what TCP does.
        w.sent(w.c, 0, ACK, 1000, 1000);
        w.sent(w.c, 0, ACK, 2000, 1000);
        for (long t : new long[] {3, 9, 21, 45}) {
            w.sent(w.c, t * S, ACK, 2000, 1000);
        }
        w.arrived(w.c, w.s, 10 * S, ACK, 5001, 2000, 0);
        assertNull(FlowWire.lossExplains(w.c, 60 * S, 0));
    }

    @Test
    void aSenderWhoseRtoFarExceedsItsPathsRoundTripsIsNotExcused() {
        // A 100 ms path: data at 1000 sent at 0, acked at 0.1 s; then data at 2000 is never acked.
        w.sent(w.c, 0, ACK, 1000, 1000);
        w.arrived(w.c, w.s, S / 10, ACK, 5001, 2000, 0);
        assertEquals(S / 10, w.c.srttNs);
        for (long t : new long[] {1, 14, 40}) {
            w.sent(w.c, t * S, ACK, 2000, 1000);
        }
        String why = FlowWire.lossExplains(w.c, 61 * S, 0);
        assertTrue(why != null && why.contains("transmitted only 3 times") && why.contains("(0.300 s) fires 7 times"), why);
    }

    @Test
    void retransmittedDataGivesNoRoundTrip() {
        w.sent(w.c, 0, ACK, 1000, 1000);
        w.sent(w.c, 3 * S, ACK, 1000, 1000);
        w.arrived(w.c, w.s, 3 * S + S / 10, ACK, 5001, 2000, 0);
        assertEquals(-1, w.c.srttNs, "Karn: the ACK may be for either transmission");
        w.sent(w.c, 4 * S, ACK, 2000, 1000);
        w.arrived(w.c, w.s, 4 * S + S / 5, ACK, 5001, 3000, 0);
        assertEquals(S / 5, w.c.srttNs);
    }
}
