package io.netstack4j.attacks;

import static io.netstack4j.attacks.TcpAttackNet.ATTACKER;
import static io.netstack4j.attacks.TcpAttackNet.CLIENT;
import static io.netstack4j.attacks.TcpAttackNet.NONE;
import static io.netstack4j.attacks.TcpAttackNet.PORT;
import static io.netstack4j.attacks.TcpAttackNet.SPOOFED_NET;
import static io.netstack4j.attacks.TcpAttackNet.VICTIM;
import static io.netstack4j.attacks.TcpAttackNet.bytes;
import static io.netstack4j.attacks.TcpAttackNet.synOptions;
import static io.netstack4j.attacks.TcpAttackNet.tcp;
import static io.netstack4j.wire.TcpHeader.ACK_FLAG;
import static io.netstack4j.wire.TcpHeader.PSH;
import static io.netstack4j.wire.TcpHeader.RST;
import static io.netstack4j.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.attacks.TcpAttackNet.Seg;
import io.netstack4j.core.DropReason;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpExtMib;
import io.netstack4j.tcp.TcpMib;
import io.netstack4j.tcp.TcpSock;
import io.netstack4j.tcp.TcpState;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The historical attacks on connection setup and on established connections, in-JVM: LAND,
 * SYN flood, blind RST/SYN/data injection (RFC 5961) with the challenge-ACK limits, and
 * TIME_WAIT assassination (RFC 1337). Each sends the attack at the victim's device and then
 * shows the victim still serving ({@link TcpAttackNet#assertServing}), its tables bounded and
 * the counter Linux moves for it moved.
 */
class TcpAttacksTest {

    private final TcpAttackNet net = new TcpAttackNet(61);

    // ---- LAND ----

    @Test
    void landSynFromTheVictimToItselfIsDroppedAsAMartianSource() {
        byte[] land = tcp(VICTIM, VICTIM, PORT, PORT, SYN, 12345, 0, 65535, synOptions(1460, 7), NONE);
        long martians = net.drops(DropReason.IP_INVALID_SOURCE);
        for (int i = 0; i < 100; i++) {
            net.inject(land);
        }
        net.run(100);
        assertEquals(martians + 100, net.drops(DropReason.IP_INVALID_SOURCE), "fib_validate_source: our own address as source");
        assertEquals(List.of(), net.take(), "no SYN-ACK to ourselves");
        assertEquals(0, net.requestSocks());
        net.assertServing("LAND");
    }

    @Test
    void landSynThatPassesIpWithAcceptLocalIsStillRefusedByTcp() {
        net.victim.sysctls().set("net.ipv4.conf.v0.accept_local", "1");
        long invalidSyn = net.drops(DropReason.TCP_INVALID_SYN);
        for (int i = 0; i < 100; i++) {
            net.inject(tcp(VICTIM, VICTIM, PORT, PORT, SYN, 777 + i, 0, 65535, synOptions(1460, 7), NONE));
        }
        net.run(100);
        assertEquals(invalidSyn + 100, net.drops(DropReason.TCP_INVALID_SYN), "same address and port at both ends");
        assertEquals(List.of(), net.take());
        assertEquals(0, net.requestSocks());
        net.assertServing("LAND with accept_local");
    }

    // ---- SYN flood ----

    /** A second listener on the victim, on {@code port} with a small backlog. */
    private TcpSock listener(int port, int backlog) {
        TcpSock l = net.victim.tcp().open(null);
        TcpCalls.bind(l, 0, port);
        TcpCalls.listen(l, backlog);
        return l;
    }

    @Test
    void synFloodFromSpoofedSourcesIsAnsweredWithCookiesAndAClientIsStillServed() {
        TcpSock small = listener(8080, 16);
        Random rnd = new Random(5);
        int flood = 3000;
        for (int i = 0; i < flood; i++) {
            int src = SPOOFED_NET | rnd.nextInt(1 << 17);
            net.inject(tcp(src, VICTIM, 1024 + rnd.nextInt(60000), 8080, SYN, rnd.nextInt(), 0, 65535, synOptions(1460, 7), NONE));
            if (i % 100 == 0) {
                assertTrue(net.requestSocks() <= 16, "SYN queue bounded by the backlog: " + net.requestSocks());
            }
        }
        List<Seg> answers = net.take();
        long synAcks = answers.stream().filter(s -> s.flags() == (SYN | ACK_FLAG)).count();
        assertTrue(synAcks >= flood && synAcks <= flood + 2 * 16, "every SYN answered once, queued ones retransmitted: " + synAcks);
        assertEquals(16, net.requestSocks(), "the queue holds the backlog and no more");
        assertTrue(net.ext(TcpExtMib.TCPReqQFullDoCookies) >= flood - 16);
        assertTrue(net.ext(TcpExtMib.SyncookiesSent) >= flood - 16);

        // While the queue is full, the real client's handshake is completed from its cookie.
        TcpSock c = net.client.tcp().open(null);
        TcpCalls.connect(c, VICTIM, 8080);
        assertTrue(net.runUntil(() -> c.state() == TcpState.ESTABLISHED, 5000));
        assertTrue(net.runUntil(() -> small.acceptable(), 1000));
        TcpSock s = TcpCalls.accept(small);
        assertEquals(CLIENT, s.remoteAddress());
        assertEquals(1, net.ext(TcpExtMib.SyncookiesRecv));
        net.transfer(c, s, bytes(30_000, 1), 10_000);
        net.transfer(s, c, bytes(30_000, 2), 10_000);
        assertTrue(net.victim.tcp().sockets().size() < 40, "sockets held after the flood: " + net.victim.tcp().sockets().size());
        net.assertServing("SYN flood");
        net.run(70_000);
        assertEquals(0, net.requestSocks(), "requests for spoofed sources die after tcp_synack_retries");
    }

    /**
     * {@code tcp_synq_no_recent_overflow}: an ACK to a listener is checked for a cookie only
     * within two minutes of the last cookie the listener sent, so outside a SYN flood blind
     * guesses are not even tried (SyncookiesFailed stays put); the ACK gets the listener's
     * ordinary answer, a reset.
     */
    @Test
    void cookieAcksAreCheckedOnlyWithinTwoMinutesOfTheLastCookieSent() {
        TcpSock small = listener(8081, 4);
        Random rnd = new Random(7);
        Runnable forge = () -> {
            for (int i = 0; i < 100; i++) {
                net.inject(tcp(SPOOFED_NET | rnd.nextInt(1 << 17), VICTIM, 3000 + i, 8081, ACK_FLAG, rnd.nextInt(), rnd.nextInt(), 65535,
                        NONE, NONE));
            }
        };
        net.take();
        forge.run();
        assertEquals(0, net.ext(TcpExtMib.SyncookiesFailed), "no cookie was ever sent: nothing to check");
        assertEquals(100, net.take().stream().filter(seg -> seg.has(RST)).count(), "each ACK reset");

        for (int i = 0; i < 50; i++) {
            net.inject(tcp(SPOOFED_NET | rnd.nextInt(1 << 17), VICTIM, 2000 + i, 8081, SYN, rnd.nextInt(), 0, 65535, synOptions(1460, 7), NONE));
        }
        assertTrue(net.ext(TcpExtMib.SyncookiesSent) > 0, "the SYN queue overflowed into cookies");
        forge.run();
        assertEquals(100, net.ext(TcpExtMib.SyncookiesFailed), "during the flood every ACK is checked, and fails");

        net.run(121_000);
        forge.run();
        assertEquals(100, net.ext(TcpExtMib.SyncookiesFailed), "two minutes after the last cookie, none is checked");
        assertEquals(0, net.ext(TcpExtMib.SyncookiesRecv));
        assertTrue(!small.acceptable(), "no connection was made from a forged ACK");
        net.assertServing("cookie ACKs outside a flood");
    }

    @Test
    void forgedCookieAcksCreateNothing() {
        TcpSock small = listener(8080, 4);
        Random rnd = new Random(6);
        for (int i = 0; i < 50; i++) {
            net.inject(tcp(SPOOFED_NET | rnd.nextInt(1 << 17), VICTIM, 2000 + i, 8080, SYN, rnd.nextInt(), 0, 65535, synOptions(1460, 7), NONE));
        }
        assertTrue(net.ext(TcpExtMib.SyncookiesSent) > 0, "in cookie mode");
        int forged = 2000;
        for (int i = 0; i < forged; i++) {
            net.inject(tcp(SPOOFED_NET | rnd.nextInt(1 << 17), VICTIM, 3000 + i % 60000, 8080, ACK_FLAG, rnd.nextInt(), rnd.nextInt(), 65535,
                    NONE, NONE));
        }
        assertEquals(forged, net.ext(TcpExtMib.SyncookiesFailed), "a blind guess of the cookie fails");
        assertEquals(0, net.ext(TcpExtMib.SyncookiesRecv));
        assertTrue(!small.acceptable(), "no connection was made from a forged ACK");
        assertTrue(net.victim.tcp().sockets().size() < 20, "sockets: " + net.victim.tcp().sockets().size());
        net.assertServing("forged cookie ACKs");
    }

    @Test
    void withoutCookiesAFullSynQueueDropsSynsAndStaysBounded() {
        net.victim.sysctls().set("net.ipv4.tcp_syncookies", "0");
        TcpSock small = listener(8080, 8);
        Random rnd = new Random(7);
        for (int i = 0; i < 1000; i++) {
            net.inject(tcp(SPOOFED_NET | rnd.nextInt(1 << 17), VICTIM, 1024 + i, 8080, SYN, rnd.nextInt(), 0, 65535, synOptions(1460, 7), NONE));
        }
        assertEquals(8, net.requestSocks());
        assertEquals(992, net.ext(TcpExtMib.TCPReqQFullDrop));
        assertEquals(992, net.drops(DropReason.TCP_REQQFULLDROP));
        assertEquals(0, net.ext(TcpExtMib.SyncookiesSent));
        net.assertServing("SYN flood without cookies (port 80 has its own queue)");
    }

    @Test
    void aConnectionFloodFillsTheAcceptQueueOnlyUpToTheBacklog() {
        int backlog = net.service.backlog();
        int flood = backlog + 50;
        for (int i = 0; i < flood; i++) {
            int sport = 20_000 + i;
            net.take();
            net.inject(tcp(ATTACKER, VICTIM, sport, PORT, SYN, 1000 * i, 0, 65535, synOptions(1460, 7), NONE));
            List<Seg> synAck = net.takeTo(ATTACKER, sport);
            if (synAck.isEmpty()) {
                continue;
            }
            net.inject(tcp(ATTACKER, VICTIM, sport, PORT, ACK_FLAG, 1000 * i + 1, synAck.getFirst().seq() + 1, 65535, NONE, NONE));
        }
        assertTrue(net.service.recvQueueBytes() <= backlog + 1, "accept queue " + net.service.recvQueueBytes() + " for backlog " + backlog);
        assertTrue(net.ext(TcpExtMib.ListenOverflows) > 0);
        assertTrue(net.ext(TcpExtMib.ListenDrops) >= net.ext(TcpExtMib.ListenOverflows));
        // The application catches up; the client is then served.
        int accepted = 0;
        while (TcpCalls.accept(net.service) != null) {
            accepted++;
        }
        assertTrue(accepted <= backlog + 1, "accepted " + accepted);
        net.assertServing("connection flood");
    }

    // ---- blind injection (RFC 5961) ----

    /** The victim's view of an established connection, read off its last segment to the client. */
    private record Window(int rcvNxt, int sndNxt) {
    }

    private Window quiet(TcpSock[] c) {
        net.transfer(c[0], c[1], bytes(5000, 3), 5000);
        net.transfer(c[1], c[0], bytes(5000, 4), 5000);
        net.run(1000);
        List<Seg> toClient = net.takeTo(CLIENT, c[0].localPort());
        Seg last = toClient.getLast();
        return new Window(last.ack(), last.seq() + last.payload());
    }

    private void assertChallengeAck(Window w, TcpSock[] c) {
        List<Seg> out = net.takeTo(CLIENT, c[0].localPort());
        assertEquals(1, out.size(), "one challenge ACK: " + out);
        assertEquals(ACK_FLAG, out.getFirst().flags());
        assertEquals(w.rcvNxt(), out.getFirst().ack(), "it tells the real peer where we are");
    }

    private byte[] fromClient(TcpSock[] c, int flags, int seq, int ack, byte[] payload) {
        return tcp(CLIENT, VICTIM, c[0].localPort(), PORT, flags, seq, ack, 65535, NONE, payload);
    }

    @Test
    void blindResetOnlyResetsWithTheExactSequenceNumber() {
        TcpSock[] c = net.connect();
        Window w = quiet(c);
        long challenges = net.ext(TcpExtMib.TCPChallengeACK);
        long invalid = net.drops(DropReason.TCP_INVALID_SEQUENCE);

        net.inject(fromClient(c, RST, w.rcvNxt() + 0x4000_0000, 0, NONE));
        assertEquals(invalid + 1, net.drops(DropReason.TCP_INVALID_SEQUENCE), "outside the window: dropped");
        assertEquals(List.of(), net.takeTo(CLIENT, c[0].localPort()), "a reset is never answered");

        net.inject(fromClient(c, RST, w.rcvNxt() + 1000, 0, NONE));
        assertEquals(TcpState.ESTABLISHED, c[1].state(), "RFC 5961 3.2: in the window but not exact");
        assertEquals(challenges + 1, net.ext(TcpExtMib.TCPChallengeACK));
        assertChallengeAck(w, c);

        net.run(600);
        net.transfer(c[0], c[1], bytes(10_000, 5), 5000);
        net.transfer(c[1], c[0], bytes(10_000, 6), 5000);
        Window now = quiet(c);
        net.inject(fromClient(c, RST, now.rcvNxt(), 0, NONE));
        assertEquals(TcpState.CLOSE, c[1].state(), "only RCV.NXT itself resets");
        assertEquals(1, net.victim.tcp().mib().get(TcpMib.EstabResets));
        net.assertServing("blind RST");
    }

    @Test
    void blindSynDrawsAChallengeAckWhereverItsSequenceNumberFalls() {
        TcpSock[] c = net.connect();
        Window w = quiet(c);
        long inErrs = net.victim.tcp().mib().get(TcpMib.InErrs);
        net.inject(fromClient(c, SYN, w.rcvNxt() + 100, 0, NONE));
        assertEquals(TcpState.ESTABLISHED, c[1].state());
        assertChallengeAck(w, c);
        assertEquals(inErrs + 1, net.victim.tcp().mib().get(TcpMib.InErrs), "syn_inerr");
        net.run(600);
        net.inject(fromClient(c, SYN, w.rcvNxt() - 0x2000_0000, 0, NONE));
        assertEquals(TcpState.ESTABLISHED, c[1].state());
        assertChallengeAck(w, c);
        assertEquals(2, net.ext(TcpExtMib.TCPSYNChallenge));
        assertEquals(2, net.drops(DropReason.TCP_INVALID_SYN));
        net.run(600);
        net.transfer(c[0], c[1], bytes(10_000, 7), 5000);
        net.assertServing("blind SYN");
    }

    @Test
    void blindDataWithAnAckOutsideTheAcceptableRangeIsNotDelivered() {
        TcpSock[] c = net.connect();
        Window w = quiet(c);
        byte[] evil = "INJECTED".getBytes();
        net.inject(fromClient(c, ACK_FLAG | PSH, w.rcvNxt(), w.sndNxt() + 0x10_0000, evil));
        assertEquals(1, net.drops(DropReason.TCP_ACK_UNSENT_DATA), "ACK of data never sent");
        net.run(600);
        net.inject(fromClient(c, ACK_FLAG | PSH, w.rcvNxt(), w.sndNxt() - 0x4000_0000, evil));
        assertEquals(1, net.drops(DropReason.TCP_TOO_OLD_ACK), "RFC 5961 5.2: ACK older than SND.UNA - MAX.SND.WND");
        assertEquals(0, c[1].readableBytes(), "nothing injected reaches the application");
        assertEquals(2, net.ext(TcpExtMib.TCPChallengeACK));
        net.run(100);
        byte[] real = bytes(10_000, 8);
        net.transfer(c[0], c[1], real, 5000);
        net.assertServing("blind data injection");
    }

    @Test
    void challengeAcksAreRateLimitedPerSocket() {
        TcpSock[] c = net.connect();
        Window w = quiet(c);
        for (int i = 0; i < 50; i++) {
            net.inject(fromClient(c, RST, w.rcvNxt() + 10 + i, 0, NONE));
        }
        assertEquals(1, net.takeTo(CLIENT, c[0].localPort()).size(), "tcp_invalid_ratelimit: one per 500 ms");
        assertEquals(1, net.ext(TcpExtMib.TCPChallengeACK));
        assertEquals(49, net.ext(TcpExtMib.TCPACKSkippedChallenge));

        net.victim.sysctls().set("net.ipv4.tcp_invalid_ratelimit", "0");
        net.victim.sysctls().set("net.ipv4.tcp_challenge_ack_limit", "5");
        net.run(1000);
        for (int i = 0; i < 50; i++) {
            net.inject(fromClient(c, RST, w.rcvNxt() + 10 + i, 0, NONE));
        }
        assertEquals(5, net.takeTo(CLIENT, c[0].localPort()).size(), "tcp_challenge_ack_limit per second");
        assertEquals(TcpState.ESTABLISHED, c[1].state());
        net.transfer(c[0], c[1], bytes(5000, 9), 5000);
        net.assertServing("challenge ACK flood");
    }

    @Test
    void exhaustingTheChallengeAckBudgetOfOneConnectionTellsNothingAboutAnother() {
        // CVE-2016-5696 used a global challenge-ACK counter as a side channel: the attacker
        // spent it on its own connection and counted the answers it still got. Here the
        // budget is per socket, so the victim connection's challenge ACK is still sent.
        net.victim.sysctls().set("net.ipv4.tcp_invalid_ratelimit", "0");
        net.victim.sysctls().set("net.ipv4.tcp_challenge_ack_limit", "3");
        TcpSock[] c = net.connect();
        Window w = quiet(c);
        TcpAttackNet.Peer own = net.new Peer(40_000, 1, synOptions(1460, 7), 65535);
        for (int i = 0; i < 10; i++) {
            own.sendRaw(RST, own.sndNxt + 100 + i, 0, 0, NONE, NONE);
        }
        assertEquals(3, own.received().size(), "the attacker's own budget is spent");
        net.inject(fromClient(c, RST, w.rcvNxt() + 500, 0, NONE));
        assertChallengeAck(w, c);
        assertEquals(ATTACKER, own.sock.remoteAddress());
    }

    // ---- TIME_WAIT assassination (RFC 1337) ----

    /** Closes a connection victim-first so the victim holds it in TIME_WAIT; returns the RST that would hit RCV.NXT. */
    private byte[] timeWaitAndItsReset() {
        TcpSock[] c = net.connect();
        net.transfer(c[0], c[1], bytes(3000, 10), 5000);
        TcpCalls.close(c[1]);
        net.run(200);
        TcpCalls.close(c[0]);
        net.run(500);
        assertEquals(1, net.victim.tcp().timeWaitCount(), "the victim closed first");
        List<Seg> toClient = net.takeTo(CLIENT, c[0].localPort());
        Seg lastAck = toClient.getLast();
        return fromClient(c, RST, lastAck.ack(), 0, NONE);
    }

    @Test
    void resetInTimeWaitKillsItWithLinuxDefaultRfc1337Off() {
        assertEquals("0", net.victim.sysctls().get("net.ipv4.tcp_rfc1337"));
        byte[] rst = timeWaitAndItsReset();
        net.inject(rst);
        assertEquals(0, net.victim.tcp().timeWaitCount(), "TIME_WAIT assassinated, as Linux does by default");
        assertEquals(1, net.ext(TcpExtMib.TWKilled));
        net.assertServing("TIME_WAIT assassination");
    }

    @Test
    void resetInTimeWaitIsIgnoredWithRfc1337() {
        net.victim.sysctls().set("net.ipv4.tcp_rfc1337", "1");
        byte[] rst = timeWaitAndItsReset();
        long resets = net.drops(DropReason.TCP_RESET);
        for (int i = 0; i < 10; i++) {
            net.inject(rst);
        }
        assertEquals(1, net.victim.tcp().timeWaitCount(), "RFC 1337 fix: TIME_WAIT ignores resets");
        assertEquals(0, net.ext(TcpExtMib.TWKilled));
        assertEquals(resets + 10, net.drops(DropReason.TCP_RESET));
        assertEquals(List.of(), net.take(), "and does not answer them");
        net.run(61_000);
        assertEquals(0, net.victim.tcp().timeWaitCount(), "it still ends after 60 s");
        net.assertServing("RST in TIME_WAIT with tcp_rfc1337");
    }
}
