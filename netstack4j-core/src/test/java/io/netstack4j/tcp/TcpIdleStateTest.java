package io.netstack4j.tcp;

import static io.netstack4j.tcp.SegmentHarness.HOST;
import static io.netstack4j.tcp.SegmentHarness.PEER;
import static io.netstack4j.wire.TcpHeader.ACK_FLAG;
import static io.netstack4j.wire.TcpHeader.PSH;
import static io.netstack4j.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.tcp.SegmentHarness.Seg;
import org.junit.jupiter.api.Test;

/**
 * What an idle established connection keeps (the {@code idle_conn_memory} goal): state needed
 * only while data is in flight or out of order (send chunks and their index, retransmission
 * records, the out-of-order list, SACK blocks, the keepalive timer) is made when needed and
 * given back once the data is ACKed and read, while the connection goes on working. One socket,
 * the test as the peer, virtual time.
 */
class TcpIdleStateTest {

    private static final int PEER_ISN = 1_000_000;
    private static final int PEER_TS = 5000;
    private static final int PORT = 80;
    private static final int PEER_PORT = 40000;

    private final SegmentHarness h = new SegmentHarness();
    private TcpSock sk;
    private int iss;

    private void established() {
        sk = h.h.tcp().open(null);
        TcpCalls.bind(sk, HOST, PEER_PORT);
        TcpCalls.connect(sk, PEER, PORT);
        Seg syn = h.one();
        iss = syn.seq();
        h.inject(PORT, PEER_PORT, SYN | ACK_FLAG, PEER_ISN, iss + 1, 65535, SegmentHarness.synOptions(PEER_TS, syn.opt().tsVal), 0);
        assertEquals(TcpState.ESTABLISHED, sk.state());
        h.take();
    }

    /** Peer data at offset {@code off} after its SYN, acknowledging {@code ack}. */
    private void data(int off, int len, int ack) {
        h.inject(PORT, PEER_PORT, ACK_FLAG | PSH, PEER_ISN + 1 + off, ack, 65535, SegmentHarness.ts(PEER_TS + 1, sk.tsNow()), len);
    }

    private void assertHoldsNothingInFlight() {
        assertEquals(0, sk.sendQueue.chunkBytes(), "no send chunk");
        assertFalse(sk.sendQueue.holdsIndex(), "no send-queue chunk index");
        assertEquals(0, sk.rtx.capacity(), "no retransmission-queue array");
        assertFalse(sk.ofo.holdsList(), "no out-of-order list");
        assertNull(sk.sackStart, "no SACK blocks");
        assertNull(sk.sackEnd, "no SACK blocks");
        assertTrue(sk.receiveQueue.isEmpty(), "nothing unread");
        assertEquals(0, sk.rmemAlloc, "nothing charged to the receive buffer");
        assertNull(sk.keepaliveTimer, "no keepalive timer without SO_KEEPALIVE");
        assertNull(sk.acceptQueue, "no accept queue on a connection");
    }

    @Test
    void anExchangeThatIsAckedAndReadLeavesNothingInFlightHeld() {
        established();
        assertHoldsNothingInFlight();
        byte[] request = "GET / HTTP/1.0\r\n\r\n".getBytes();
        assertEquals(request.length, TcpCalls.send(sk, request, 0, request.length));
        assertTrue(sk.sendQueue.chunkBytes() > 0, "the request is held until ACKed");
        assertTrue(sk.rtx.capacity() > 0, "the segment is on the retransmission queue");
        Seg sent = h.one();
        assertEquals(request.length, sent.payload());
        data(0, 300, iss + 1 + request.length);
        assertEquals(0, sk.sendQueueBytes(), "the peer ACKed the request");
        byte[] buf = new byte[1000];
        assertEquals(300, TcpCalls.recv(sk, buf, 0, buf.length));
        h.run(500);
        assertHoldsNothingInFlight();

        assertEquals(5, TcpCalls.send(sk, "again".getBytes(), 0, 5), "the connection still sends");
        Seg again = h.take().stream().filter(s -> s.payload() == 5).findFirst().orElseThrow();
        assertEquals(iss + 1 + request.length, again.seq(), "right after the request");
    }

    @Test
    void aFilledGapGivesBackTheOutOfOrderListAndSackBlocks() {
        established();
        data(0, 100, iss + 1);
        data(200, 100, iss + 1);
        assertTrue(sk.ofo.holdsList(), "the segment beyond the gap is held");
        assertEquals(1, sk.numSacks);
        assertEquals(PEER_ISN + 201, sk.sackStart[0]);
        assertEquals(PEER_ISN + 301, sk.sackEnd[0]);
        data(100, 100, iss + 1);
        assertEquals(0, sk.numSacks, "the gap is filled");
        byte[] buf = new byte[1000];
        assertEquals(300, TcpCalls.recv(sk, buf, 0, buf.length), "all 300 bytes, in order");
        byte[] expect = new byte[300];
        for (int i = 0; i < expect.length; i++) {
            expect[i] = (byte) ('a' + i % 100 % 26);
        }
        assertArrayEquals(expect, java.util.Arrays.copyOf(buf, 300), "the held segment was delivered after the filler");
        h.run(500);
        assertHoldsNothingInFlight();

        data(400, 100, iss + 1);
        assertEquals(1, sk.numSacks, "a second gap gets its SACK block again");
        assertEquals(PEER_ISN + 401, sk.sackStart[0]);
    }

    /**
     * The out-of-order list and SACK arrays a closed gap gave back are the ones the next gap
     * takes, so loss episodes allocate nothing once the namespace has spares (the
     * {@code alloc_per_packet_tcp} goal) while an idle socket still holds none.
     */
    @Test
    void aSecondGapTakesTheStorageTheFirstGaveBack() {
        established();
        OfoStorage spares = h.h.tcp().ofoStorage();
        data(0, 100, iss + 1);
        data(200, 100, iss + 1);
        int[] starts = sk.sackStart;
        int[] ends = sk.sackEnd;
        assertEquals(0, spares.lists.spares());
        data(100, 100, iss + 1);
        assertNull(sk.sackStart, "the gap is filled");
        assertEquals(1, spares.lists.spares(), "the list went back to the namespace");
        assertEquals(2, spares.blocks.spares(), "both SACK arrays went back");

        data(400, 100, iss + 1);
        assertEquals(0, spares.lists.spares(), "the second gap took the spare list");
        assertTrue(sk.sackStart == ends || sk.sackStart == starts, "a SACK array given back before");
        assertTrue(sk.sackEnd == ends || sk.sackEnd == starts, "a SACK array given back before");
        assertEquals(PEER_ISN + 401, sk.sackStart[0], "filled afresh");
        assertEquals(PEER_ISN + 501, sk.sackEnd[0], "filled afresh");
        assertEquals(1, sk.numSacks);
    }

    @Test
    void theKeepaliveTimerIsMadeWhenFirstArmedAndProbes() {
        established();
        assertNull(sk.keepaliveTimer);
        TcpCalls.setKeepaliveParams(sk, 10, 2, 3);
        TcpCalls.setKeepAlive(sk, true);
        assertNotNull(sk.keepaliveTimer);
        assertTrue(sk.keepaliveTimer.pending());
        h.run(10_010);
        Seg probe = h.one();
        assertEquals(iss, probe.seq(), "the probe carries snd_una - 1");
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.TCPKeepAlive));
    }

    /**
     * A half-closed connection keeps probing: our FIN was ACKed (FIN_WAIT2) and we wait for the
     * peer's data. If the peer's host forgot the connection (it gave up during an outage and
     * sent nothing), its reset to the probe ends our wait with ECONNRESET, as in Linux, where
     * {@code tcp_keepalive_timer} stops only in CLOSE and SYN_SENT. Found by the soak: such
     * sides hung for good.
     */
    @Test
    void keepaliveGoesOnInFinWait2AndTheResetToAProbeEndsTheWait() {
        established();
        TcpCalls.setKeepaliveParams(sk, 10, 2, 3);
        TcpCalls.setKeepAlive(sk, true);
        TcpCalls.shutdown(sk, false, true);
        Seg fin = h.one();
        assertTrue(fin.is(io.netstack4j.wire.TcpHeader.FIN | ACK_FLAG), fin.toString());
        h.inject(PORT, PEER_PORT, ACK_FLAG, PEER_ISN + 1, iss + 2, 65535, SegmentHarness.ts(PEER_TS + 1, sk.tsNow()), 0);
        assertEquals(TcpState.FIN_WAIT2, sk.state());
        assertEquals(java.util.List.of(), h.take());
        h.run(10_010);
        Seg probe = h.one();
        assertEquals(iss + 1, probe.seq(), "the probe carries snd_una - 1");
        assertEquals(1, h.h.tcp().extMib().get(TcpExtMib.TCPKeepAlive));
        h.inject(PORT, PEER_PORT, io.netstack4j.wire.TcpHeader.RST, probe.ack(), 0, 0, new byte[0], 0);
        assertEquals(TcpState.CLOSE, sk.state());
        assertEquals(io.netstack4j.core.Errno.ECONNRESET, sk.pendingError());
    }

    /**
     * With TCP_USER_TIMEOUT set, unanswered keepalive probes end the connection only once the
     * silence reaches the user timeout, however many probes that takes; TCP_KEEPCNT applies
     * without it (Linux's {@code tcp_keepalive_timer}). Found by the soak: three probes lost in
     * a burst of queue drops killed a connection 19 s into a silence its 60 s user timeout
     * allowed.
     */
    @Test
    void withAUserTimeoutKeepaliveGivesUpAtTheTimeoutNotAfterKeepcntProbes() {
        established();
        TcpCalls.setUserTimeout(sk, 30_000);
        TcpCalls.setKeepaliveParams(sk, 10, 2, 3);
        TcpCalls.setKeepAlive(sk, true);
        h.run(20_000);
        assertEquals(TcpState.ESTABLISHED, sk.state(), "six unanswered probes, but only 20 s of silence");
        assertTrue(h.h.tcp().extMib().get(TcpExtMib.TCPKeepAlive) > 3);
        h.run(12_000);
        assertEquals(TcpState.CLOSE, sk.state(), "30 s of silence");
        assertEquals(io.netstack4j.core.Errno.ETIMEDOUT, sk.pendingError());
    }
}
