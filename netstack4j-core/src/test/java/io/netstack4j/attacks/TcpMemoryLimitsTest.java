package io.netstack4j.attacks;

import static io.netstack4j.attacks.TcpAttackNet.NONE;
import static io.netstack4j.attacks.TcpAttackNet.bytes;
import static io.netstack4j.attacks.TcpAttackNet.synOptions;
import static io.netstack4j.wire.TcpHeader.ACK_FLAG;
import static io.netstack4j.wire.TcpHeader.FIN;
import static io.netstack4j.wire.TcpHeader.PSH;
import static io.netstack4j.wire.TcpHeader.RST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.attacks.TcpAttackNet.Peer;
import io.netstack4j.attacks.TcpAttackNet.Seg;
import io.netstack4j.core.DropReason;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpExtMib;
import io.netstack4j.tcp.TcpSockstat;
import io.netstack4j.tcp.TcpState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The namespace-wide limits on what many connections add up to: {@code tcp_mem} (buffer memory
 * of all TCP sockets, with pressure and a hard limit) and {@code tcp_max_orphans}. Each socket
 * alone stays within its own buffers (TcpResourceAttacksTest); here many attacker connections
 * each fill theirs, and the sum is what is bounded.
 */
class TcpMemoryLimitsTest {

    private static final int PAGE = 4096;
    /** The true size of one received full-sized segment: a pooled 2 KiB buffer and the sk_buff overhead. */
    private static final int SEGMENT_TRUESIZE = 2048 + 256;
    private static final int CHUNK = 16384;

    private final TcpAttackNet net = new TcpAttackNet(71);

    private List<Peer> peers(int n, int window) {
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            peers.add(net.new Peer(50_000 + i, 3_000_000 * (i + 1), synOptions(1460, 7), window));
        }
        return peers;
    }

    @Test
    void connectionsWhoseApplicationNeverReadsAddUpToNoMoreThanTcpMem() {
        net.victim.sysctls().set("net.ipv4.tcp_mem", "16 24 32");
        List<Peer> peers = peers(16, 65535);
        long hardLimit = 32L * PAGE;
        long peak = 0;
        for (int round = 0; round < 60; round++) {
            for (Peer p : peers) {
                p.send(ACK_FLAG | PSH, 65535, bytes(1400, round));
            }
            TcpSockstat st = net.victim.tcp().sockstat();
            peak = Math.max(peak, st.memBytes());
            // Past the hard limit only a socket with an empty receive queue takes a segment.
            assertTrue(st.memBytes() <= hardLimit + peers.size() * SEGMENT_TRUESIZE, st + " " + st.memBytes());
        }
        assertTrue(peak > 24L * PAGE, "the attackers did push memory past the pressure mark: " + peak);
        assertTrue(net.victim.tcp().sockstat().pressure());
        assertTrue(net.ext(TcpExtMib.TCPMemoryPressures) >= 1);
        assertTrue(net.drops(DropReason.PROTO_MEM) > 0, "segments refused for the namespace's memory");
        assertTrue(net.ext(TcpExtMib.TCPRcvQDrop) > 0);
        // Each socket alone was far inside its own 128 KiB buffer: the namespace limit is what held.
        for (Peer p : peers) {
            assertTrue(TcpCalls.memInfo(p.sock).rmemAlloc() < TcpCalls.memInfo(p.sock).rcvbuf() / 4, TcpCalls.memInfo(p.sock).toString());
        }

        for (Peer p : peers) {
            TcpCalls.close(p.sock);
        }
        TcpSockstat after = net.victim.tcp().sockstat();
        assertEquals(0, after.memBytes(), "closing with unread data resets and frees everything: " + after);
        assertFalse(after.pressure(), "pressure ends below the low mark");
        net.assertServing("16 connections filling tcp_mem");
    }

    @Test
    void pastTheHardLimitAWriterWaitsForItsOwnAcksInsteadOfQueueingMore() {
        net.victim.sysctls().set("net.ipv4.tcp_mem", "1 2 3");
        List<Peer> peers = peers(4, 0);
        for (Peer p : peers) {
            TcpCalls.setSndbuf(p.sock, 1 << 20);
            int taken = 0;
            for (int i = 0; i < 10; i++) {
                taken += TcpCalls.send(p.sock, bytes(65536, i), 0, 65536);
                net.run(1);
            }
            assertEquals(CHUNK, taken, "a socket holding no send memory gets one chunk, and no more past the hard limit");
            assertFalse(p.sock.writable(), "the writer waits; poll does not report it writable");
        }
        assertTrue(net.victim.tcp().sockstat().memBytes() <= 4L * CHUNK);

        // One peer opens its window and acknowledges what arrives: its writer goes on.
        Peer open = peers.getFirst();
        int base = open.rcvNxt;
        open.send(ACK_FLAG, 65535, NONE);
        int acked = 0;
        for (int i = 0; i < 200 && acked < CHUNK; i++) {
            net.run(10);
            for (Seg s : open.received()) {
                acked = Math.max(acked, s.seq() + s.payload() - base);
            }
            open.rcvNxt = base + acked;
            open.send(ACK_FLAG, 65535, NONE);
        }
        assertEquals(CHUNK, acked, "the queued chunk was delivered");
        assertTrue(open.sock.writable(), "the ACK that freed its chunk made it writable again");
        assertEquals(1000, TcpCalls.send(open.sock, bytes(1000, 99), 0, 1000), "and it can send again");
        net.assertServing("senders held at tcp_mem's hard limit");
    }

    @Test
    void beyondTcpMaxOrphansAClosedConnectionIsResetInsteadOfFinishingItsClose() {
        net.victim.sysctls().set("net.ipv4.tcp_max_orphans", "3");
        List<Peer> peers = peers(6, 65535);
        for (Peer p : peers) {
            p.received();
            TcpCalls.close(p.sock);
            net.run(1);
        }
        for (int i = 0; i < peers.size(); i++) {
            List<Seg> got = peers.get(i).received();
            boolean reset = got.stream().anyMatch(s -> s.has(RST));
            assertEquals(i >= 3, reset, "peer " + i + " got " + got);
            assertTrue(got.stream().anyMatch(s -> s.has(FIN)), "every close sent its FIN first: " + got);
        }
        assertEquals(3, net.ext(TcpExtMib.TCPAbortOnMemory));
        assertEquals(3, net.victim.tcp().sockstat().orphans());

        // The three orphans finish: their peers acknowledge the FIN and close too.
        for (Peer p : peers.subList(0, 3)) {
            p.rcvNxt++;
            p.send(FIN | ACK_FLAG, 65535, NONE);
        }
        net.run(10);
        TcpSockstat st = net.victim.tcp().sockstat();
        assertEquals(0, st.orphans(), "in TIME_WAIT they are mini-sockets, no longer orphans: " + st);
        assertEquals(3, st.timeWait());
        assertEquals(TcpState.CLOSE, peers.get(5).sock.state());
        net.assertServing("orphans past tcp_max_orphans");
    }
}
