package io.netstack4j.attacks;

import static io.netstack4j.attacks.TcpAttackNet.NONE;
import static io.netstack4j.attacks.TcpAttackNet.bytes;
import static io.netstack4j.attacks.TcpAttackNet.synOptions;
import static io.netstack4j.wire.TcpHeader.ACK_FLAG;
import static io.netstack4j.wire.TcpHeader.PSH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.attacks.TcpAttackNet.Peer;
import io.netstack4j.attacks.TcpAttackNet.Seg;
import io.netstack4j.core.DropReason;
import io.netstack4j.core.Errno;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpExtMib;
import io.netstack4j.tcp.TcpMemInfo;
import io.netstack4j.tcp.TcpSock;
import io.netstack4j.tcp.TcpState;
import io.netstack4j.wire.TcpOptions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attacks on a connection's memory and CPU, each from a peer that completed a real handshake:
 * SACK panic and slowness (CVE-2019-11477/8/9), SegmentSmack (CVE-2018-5390), a zero window
 * held forever (sockstress) and a slow reader. The victim's queues stay within its buffers,
 * the work per segment stays bounded, and other connections are served meanwhile.
 */
class TcpResourceAttacksTest {

    /** {@code 2 * SKB_TRUESIZE(64 KiB)}, the slack tcp_fragment allows above SO_SNDBUF. */
    private static final int FRAG_ALLOWANCE = 2 * (65536 + 256);

    /**
     * A tiny segment's true size (a pooled 2 KiB buffer and the sk_buff overhead): receive
     * memory is refused once it is past rcvbuf, so it may pass it by one segment, as in Linux
     * ({@code tcp_try_rmem_schedule} tests {@code sk_rmem_alloc > sk_rcvbuf}).
     */
    private static final int ONE_SEGMENT = 2048 + 256;

    private final TcpAttackNet net = new TcpAttackNet(63);

    // ---- SACK panic / slowness ----

    @Test
    void aPeerAdvertisingATinyMssGetsTcpMinSndMss() {
        for (int mss : new int[] {1, 8, 47}) {
            Peer p = net.new Peer(41_000 + mss, 5000, synOptions(mss, 7), 65535);
            assertEquals(48 - 12, TcpCalls.info(p.sock).sndMss(), "tcp_min_snd_mss for MSS " + mss + ", less the timestamp");
            TcpCalls.send(p.sock, bytes(2000, mss), 0, 2000);
            net.run(5);
            List<Seg> data = p.received().stream().filter(s -> s.payload() > 0).toList();
            assertTrue(!data.isEmpty() && data.stream().allMatch(s -> s.payload() == 36), "segments of 36 bytes: " + data);
            TcpCalls.abort(p.sock);
        }
        net.assertServing("tiny MSS peers");
    }

    /** An ACK of {@code ack} with the timestamp and SACK blocks [start[j], end[j]). */
    private static byte[] sackOptions(Peer p, int[] start, int[] end) {
        byte[] o = new byte[40];
        TcpOptions.writeTimestamp(o, 0, ++p.tsVal, 0);
        int len = 12 + TcpOptions.writeSack(o, 12, start, end, start.length);
        return Arrays.copyOf(o, len);
    }

    @Test
    void tinySackBlocksDoNotSplitTheRetransmitQueue() {
        Peer p = net.new Peer(42_000, 7000, synOptions(1460, 7), 65535);
        TcpCalls.send(p.sock, bytes(100_000, 1), 0, 100_000);
        net.run(5);
        List<Seg> data = p.received().stream().filter(s -> s.payload() > 0).toList();
        int una = p.rcvNxt;
        int inFlight = data.stream().mapToInt(Seg::payload).sum();
        int records = TcpCalls.memInfo(p.sock).rtxRecords();
        assertEquals(data.size(), records, "one record per segment sent");
        java.util.Set<Integer> segmentsSent = new java.util.HashSet<>();
        data.forEach(s -> segmentsSent.add(s.seq()));
        // SACK every other byte of what is in flight, three blocks per ACK (with the timestamp).
        int blocks = 0;
        long t0 = System.nanoTime();
        for (int k = 0; 2 * k + 6 < inFlight; k += 3) {
            int[] start = {una + 2 * k + 1, una + 2 * k + 3, una + 2 * k + 5};
            int[] end = {start[0] + 1, start[1] + 1, start[2] + 1};
            p.sendRaw(ACK_FLAG, p.sndNxt, una, 65535, sackOptions(p, start, end), NONE);
            blocks += 3;
            p.received().stream().filter(s -> s.payload() > 0).forEach(s -> segmentsSent.add(s.seq()));
            TcpMemInfo m = TcpCalls.memInfo(p.sock);
            assertTrue(m.rtxRecords() <= segmentsSent.size(), "records " + m.rtxRecords() + " after " + blocks + " one-byte blocks");
            assertTrue(m.wmemQueued() / 2 <= m.sndbuf() + FRAG_ALLOWANCE, "sk_wmem_queued bounded: " + m);
        }
        long perAck = (System.nanoTime() - t0) / (blocks / 3);
        assertEquals(0, TcpCalls.info(p.sock).sacked(), "no part of a segment is SACKed on its own");
        System.out.printf("SACK every other byte: %d blocks in %d ACKs, %d records before and %d after, %.1f us per ACK, %s%n", blocks,
                blocks / 3, records, TcpCalls.memInfo(p.sock).rtxRecords(), perAck / 1000.0, TcpCalls.memInfo(p.sock));

        // Blocks that cover whole segments are still taken.
        int[] start = {data.get(2).seq()};
        int[] end = {data.get(5).seq()};
        p.sendRaw(ACK_FLAG, p.sndNxt, una, 65535, sackOptions(p, start, end), NONE);
        assertTrue(TcpCalls.info(p.sock).sacked() >= 3, "an honest SACK block still counts");

        // The peer now ACKs everything it was sent; the queue drains and the connection goes on.
        p.rcvNxt = una + inFlight;
        p.send(ACK_FLAG, 65535, NONE);
        net.run(50);
        assertEquals(TcpState.ESTABLISHED, p.sock.state());
        assertTrue(TcpCalls.memInfo(p.sock).rtxRecords() < records);
        net.assertServing("SACK fragmentation");
    }

    // ---- SegmentSmack ----

    @Test
    void floodsOfTinyOutOfOrderSegmentsStayWithinTheReceiveBuffer() {
        Peer p = net.new Peer(43_000, 9000, synOptions(1460, 7), 65535);
        int base = p.sndNxt;
        int n = 20_000;
        byte[] data = bytes(2 * n + 2, 3);
        // Descending: every segment lands nearer the gap than all held, so the highest are
        // pruned for it; the queue never holds more than the receive buffer.
        long t0 = System.nanoTime();
        long firstHalf = 0;
        for (int k = n - 1; k >= 0; k--) {
            int off = 2 + 2 * k;
            p.sendRaw(ACK_FLAG, base + off, p.rcvNxt, 65535, p.options(), new byte[] {data[off]});
            if (k == n / 2) {
                firstHalf = System.nanoTime() - t0;
            }
            if (k % 1000 == 0) {
                TcpMemInfo m = TcpCalls.memInfo(p.sock);
                assertTrue(m.rmemAlloc() <= m.rcvbuf() + ONE_SEGMENT, "receive memory within rcvbuf (plus the one segment Linux lets past it): " + m);
            }
        }
        long secondHalf = System.nanoTime() - t0 - firstHalf;
        TcpMemInfo m = TcpCalls.memInfo(p.sock);
        assertTrue(m.ofoSegments() > 0 && m.ofoSegments() <= m.rcvbuf() / 2304, "out-of-order segments held: " + m);
        assertTrue(net.ext(TcpExtMib.OfoPruned) > n / 20, "tcp_prune_ofo_queue ran: " + net.ext(TcpExtMib.OfoPruned));
        assertTrue(secondHalf < 4 * firstHalf + 2_000_000_000L, "work per segment does not grow: " + firstHalf + " vs " + secondHalf + " ns");
        System.out.printf("SegmentSmack: %d one-byte segments, %.1f us each (first half %.1f, second %.1f), %s, OfoPruned %d%n", n,
                (firstHalf + secondHalf) / 1000.0 / n, firstHalf / 1000.0 / (n / 2), secondHalf / 1000.0 / (n / 2), m,
                net.ext(TcpExtMib.OfoPruned));

        // Ascending: what is held is merged away as duplicate; what lies beyond is refused.
        long ofoDrop = net.ext(TcpExtMib.TCPOFODrop);
        for (int k = 0; k < n; k++) {
            int off = 2 + 2 * k;
            p.sendRaw(ACK_FLAG, base + off, p.rcvNxt, 65535, p.options(), new byte[] {data[off]});
        }
        m = TcpCalls.memInfo(p.sock);
        assertTrue(m.rmemAlloc() <= m.rcvbuf() + ONE_SEGMENT, m.toString());
        assertTrue(net.ext(TcpExtMib.TCPOFOMerge) > 0, "held bytes arriving again");
        assertTrue(net.ext(TcpExtMib.TCPOFODrop) - ofoDrop > n / 2, "beyond the buffer, new segments are refused");

        // The real stream then arrives in order and is delivered intact.
        byte[] stream = Arrays.copyOf(data, 30_000);
        for (int off = 0; off < stream.length; off += 1000) {
            p.sendRaw(ACK_FLAG, base + off, p.rcvNxt, 65535, p.options(), Arrays.copyOfRange(stream, off, off + 1000));
            if (off % 10_000 == 0) {
                net.run(10);
            }
        }
        byte[] got = new byte[stream.length];
        int[] read = {0};
        net.runUntil(() -> (read[0] += Math.max(0, TcpCalls.recv(p.sock, got, read[0], got.length - read[0]))) == got.length, 2000);
        assertArrayEquals(stream, got);
        assertEquals(TcpState.ESTABLISHED, p.sock.state());
        net.assertServing("SegmentSmack");
    }

    /**
     * Ten-byte segments, in order, to an application that never reads, sent without regard to
     * the window. Each is copied behind the last queued one ({@code tcp_try_coalesce}), so the
     * receive buffer holds data rather than per-segment overhead; the window closes as it
     * fills, what comes after is dropped and not acknowledged, and memory stays within rcvbuf.
     */
    @Test
    void tinyInOrderSegmentsToAnApplicationThatDoesNotReadStopAtTheReceiveBuffer() {
        Peer p = net.new Peer(48_000, 19_000, synOptions(1460, 7), 65535);
        int base = p.sndNxt;
        byte[] stream = bytes(200_000, 6);
        tenByteSegments(p, base, stream, 0, () -> {
            TcpMemInfo m = TcpCalls.memInfo(p.sock);
            assertTrue(m.rmemAlloc() <= m.rcvbuf() + ONE_SEGMENT, m.toString());
        });
        int held = p.sock.readableBytes();
        TcpMemInfo m = TcpCalls.memInfo(p.sock);
        System.out.println("tiny in-order segments: " + held + " bytes held in " + m.rmemAlloc() + " bytes of buffers, TCPRcvCoalesce "
                + net.ext(TcpExtMib.TCPRcvCoalesce));
        assertTrue(held > 32_768 && held < stream.length, "the buffer holds data, up to the window: " + held);
        assertTrue(m.rmemAlloc() < held + held / 4 + 2 * ONE_SEGMENT, "data, not per-segment overhead: " + m + " for " + held + " bytes");
        assertTrue(net.ext(TcpExtMib.TCPRcvCoalesce) > held / 10 - 300, "nearly every segment was coalesced");
        List<Seg> acks = p.received();
        assertEquals(base + held, acks.getLast().ack(), "only what was kept is acknowledged");

        // The application reads; the peer sends the rest again from the ACK and all of it arrives.
        byte[] got = new byte[stream.length];
        int total = TcpCalls.recv(p.sock, got, 0, got.length);
        assertEquals(held, total);
        for (int off = held; off < stream.length; off += 500) {
            int len = Math.min(500, stream.length - off);
            p.sendRaw(ACK_FLAG | PSH, base + off, p.rcvNxt, 65535, p.options(),
                    Arrays.copyOfRange(stream, off, off + len));
            total += Math.max(0, TcpCalls.recv(p.sock, got, total, got.length - total));
        }
        assertArrayEquals(stream, got);
        net.assertServing("tiny in-order segments");
    }

    /**
     * Sends {@code stream} from offset {@code from} on as ten-byte segments, each at its own
     * sequence number whatever the window, running {@code after} after each.
     */
    private static void tenByteSegments(Peer p, int base, byte[] stream, int from, Runnable after) {
        for (int off = from; off < stream.length; off += 10) {
            p.sendRaw(ACK_FLAG | PSH, base + off, p.rcvNxt, 65535, p.options(),
                    Arrays.copyOfRange(stream, off, Math.min(stream.length, off + 10)));
            after.run();
        }
    }

    /**
     * Ten-byte segments in sequence beyond a one-byte gap: each continues the one before and is
     * copied behind it ({@code tcp_ooo_try_coalesce}), so the out-of-order queue holds one
     * buffer instead of a hundred; when the gap is filled all of it is delivered intact.
     */
    @Test
    void tinySegmentsBeyondAGapAreCoalescedIntoOneBuffer() {
        Peer p = net.new Peer(49_000, 21_000, synOptions(1460, 7), 65535);
        int base = p.sndNxt;
        byte[] stream = bytes(1001, 8);
        tenByteSegments(p, base, stream, 1, () -> { });
        TcpMemInfo m = TcpCalls.memInfo(p.sock);
        assertEquals(1, m.ofoSegments(), "one buffer holds the run: " + m);
        assertEquals(ONE_SEGMENT, m.rmemAlloc(), "charged for one buffer, not a hundred");
        assertEquals(99, net.ext(TcpExtMib.TCPRcvCoalesce));
        List<Seg> acks = p.received();
        assertEquals(1, acks.getLast().opt().numSacks, "one SACK block covers the run");
        assertEquals(base + 1, acks.getLast().opt().sackStart[0]);
        assertEquals(base + 1001, acks.getLast().opt().sackEnd[0]);

        p.sendRaw(ACK_FLAG | PSH, base, p.rcvNxt, 65535, p.options(), Arrays.copyOfRange(stream, 0, 1));
        byte[] got = new byte[stream.length];
        assertEquals(stream.length, TcpCalls.recv(p.sock, got, 0, got.length), "the gap filled, everything is readable");
        assertArrayEquals(stream, got);
        net.assertServing("a run of tiny out-of-order segments");
    }

    // ---- zero window (sockstress) and slow read ----

    /** The victim writes as much as it can to a peer that keeps its window shut; returns the bytes taken. */
    private int fill(Peer p) {
        int total = 0;
        for (int i = 0; i < 100; i++) {
            int n = TcpCalls.send(p.sock, bytes(65536, i), 0, 65536);
            if (n == 0) {
                break;
            }
            total += n;
            net.run(1);
        }
        return total;
    }

    /** Runs {@code millis}, answering every probe the victim sends with a zero-window ACK if {@code answer}. */
    private int persist(Peer p, long millis, boolean answer) {
        int probes = 0;
        for (long t = 0; t < millis && p.sock.state() != TcpState.CLOSE; t += 100) {
            net.run(100);
            int got = p.received().size();
            probes += got;
            if (answer && got > 0) {
                p.send(ACK_FLAG, 0, NONE);
            }
        }
        return probes;
    }

    @Test
    void aZeroWindowPeerThatAnswersProbesIsProbedForeverWithinTheSendBuffer() {
        TcpSock[] before = net.connect();
        Peer p = net.new Peer(44_000, 11_000, synOptions(1460, 7), 0);
        int taken = fill(p);
        TcpMemInfo m = TcpCalls.memInfo(p.sock);
        assertTrue(taken <= m.sndbuf(), "send() takes at most SO_SNDBUF: " + taken + ", " + m);
        assertTrue(m.wmemQueued() <= m.sndbuf() + 16384, m.toString());
        int probes = persist(p, 30 * 60_000, true);
        assertEquals(TcpState.ESTABLISHED, p.sock.state(), "RFC 9293 3.8.6.1: never closed for a zero window while the peer answers");
        assertTrue(probes >= 15 && net.ext(TcpExtMib.TCPWinProbe) >= 15, "persist probes went on: " + probes);
        assertEquals(m.wmemQueued(), TcpCalls.memInfo(p.sock).wmemQueued(), "nothing more was queued");
        net.transfer(before[1], before[0], bytes(100_000, 7), 10_000);
        net.transfer(before[0], before[1], bytes(100_000, 8), 10_000);
        net.assertServing("30 minutes of zero window");
    }

    @Test
    void tcpUserTimeoutEndsAZeroWindowHeldOpenByAnsweredProbes() {
        Peer p = net.new Peer(45_000, 13_000, synOptions(1460, 7), 0);
        TcpCalls.setUserTimeout(p.sock, 60_000);
        fill(p);
        persist(p, 10 * 60_000, true);
        assertEquals(TcpState.CLOSE, p.sock.state(), "TCP_USER_TIMEOUT counts from the first probe");
        assertEquals(Errno.ETIMEDOUT, p.sock.pendingError());
        assertEquals(1, net.ext(TcpExtMib.TCPAbortOnTimeout));
        assertEquals(0, TcpCalls.memInfo(p.sock).wmemQueued(), "the send queue was released");
        net.assertServing("zero window with TCP_USER_TIMEOUT");
    }

    @Test
    void aZeroWindowPeerThatStopsAnsweringIsDroppedAfterTcpRetries2Probes() {
        Peer p = net.new Peer(46_000, 15_000, synOptions(1460, 7), 0);
        fill(p);
        int probes = persist(p, 60 * 60_000, false);
        assertEquals(TcpState.CLOSE, p.sock.state());
        assertEquals(Errno.ETIMEDOUT, p.sock.pendingError());
        assertEquals(15, probes, "tcp_retries2 probes, then the connection is given up");
        assertEquals(1, net.ext(TcpExtMib.TCPAbortOnTimeout));
        net.assertServing("unanswered zero window");
    }

    @Test
    void aSlowReaderHoldsNoMoreThanTheSendBuffer() {
        Peer p = net.new Peer(47_000, 17_000, synOptions(1460, 0), 2000);
        byte[] data = bytes(1 << 20, 4);
        int base = p.rcvNxt;
        int queued = 0;
        int read = 0;
        int seen = 0;
        for (int sec = 0; sec < 120; sec++) {
            queued += TcpCalls.send(p.sock, data, queued, data.length - queued);
            TcpMemInfo m = TcpCalls.memInfo(p.sock);
            assertTrue(p.sock.sendQueueBytes() <= m.sndbuf(), "Send-Q within SO_SNDBUF: " + m);
            assertTrue(m.wmemQueued() <= m.sndbuf() + 16384 + m.rtxRecords() * 256, m.toString());
            net.run(1000);
            // The reader takes 1000 bytes a second, acknowledging only what it read.
            for (Seg s : p.received()) {
                seen = Math.max(seen, s.seq() + s.payload() - base);
            }
            read = Math.min(read + 1000, seen);
            p.rcvNxt = base + read;
            p.send(ACK_FLAG, 2000, NONE);
        }
        assertEquals(TcpState.ESTABLISHED, p.sock.state());
        assertTrue(queued < data.length, "the writer was held back: " + queued);
        assertTrue(read >= 60_000, "the slow reader got its data: " + read);
        assertEquals(0, net.drops(DropReason.SOCKET_RCVBUFF));
        net.assertServing("slow reader");
    }
}
