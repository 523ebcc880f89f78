package io.netstack4j.attacks;

import static io.netstack4j.attacks.TcpAttackNet.ATTACKER;
import static io.netstack4j.attacks.TcpAttackNet.CLIENT;
import static io.netstack4j.attacks.TcpAttackNet.NONE;
import static io.netstack4j.attacks.TcpAttackNet.PORT;
import static io.netstack4j.attacks.TcpAttackNet.VICTIM;
import static io.netstack4j.attacks.TcpAttackNet.bytes;
import static io.netstack4j.attacks.TcpAttackNet.icmpError;
import static io.netstack4j.attacks.TcpAttackNet.synOptions;
import static io.netstack4j.attacks.TcpAttackNet.tcp;
import static io.netstack4j.wire.TcpHeader.ACK_FLAG;
import static io.netstack4j.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.attacks.TcpAttackNet.Seg;
import io.netstack4j.icmp.IcmpMib;
import io.netstack4j.ipv4.Rtable;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpExtMib;
import io.netstack4j.tcp.TcpSock;
import io.netstack4j.tcp.TcpState;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.Ipv4Address;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ICMP attacks on TCP (RFC 5927): forged errors quoting a connection's four-tuple. The quoted
 * sequence number must lie in SND.UNA..SND.NXT, hard errors on an established connection are
 * soft, and frag-needed cannot push the path MTU below {@code min_pmtu} nor the MSS below
 * {@code tcp_min_snd_mss}. The forger claims to be a router on the victim's link.
 */
class TcpIcmpAttacksTest {

    private static final int ROUTER = Ipv4Address.parse("10.0.0.254").bits();

    private final TcpAttackNet net = new TcpAttackNet(62);

    /** An established client connection, quiet, and the victim's next sequence number on it. */
    private record Conn(TcpSock[] c, int sndNxt) {

        int clientPort() {
            return c[0].localPort();
        }
    }

    private Conn quietConnection() {
        TcpSock[] c = net.connect();
        net.transfer(c[1], c[0], bytes(8000, 1), 5000);
        net.run(1000);
        Seg last = net.takeTo(CLIENT, c[0].localPort()).getLast();
        return new Conn(c, last.seq() + last.payload());
    }

    /** An error about the victim's segment to the client with sequence number {@code seq}. */
    private byte[] errorAbout(Conn k, int type, int code, int info, int seq) {
        byte[] quoted = tcp(VICTIM, CLIENT, PORT, k.clientPort(), ACK_FLAG, seq, 1, 65535, NONE, NONE);
        return icmpError(ROUTER, type, code, info, quoted);
    }

    private Rtable routeToClient() {
        return net.victim.ipv4().route().routeOutput(CLIENT, 0, 0, 0, 0);
    }

    private int sndMss(TcpSock s) {
        return TcpCalls.info(s).sndMss();
    }

    @Test
    void errorsQuotingASequenceNumberOutsideTheWindowAreIgnored() {
        Conn k = quietConnection();
        int mss = sndMss(k.c()[1]);
        int blind = k.sndNxt() + 0x1000_0000;
        net.inject(errorAbout(k, IcmpHeader.DEST_UNREACH, IcmpHeader.PORT_UNREACH, 0, blind));
        net.inject(errorAbout(k, IcmpHeader.DEST_UNREACH, IcmpHeader.HOST_UNREACH, 0, blind));
        net.inject(errorAbout(k, IcmpHeader.DEST_UNREACH, IcmpHeader.FRAG_NEEDED, 68, blind));
        net.inject(errorAbout(k, IcmpHeader.DEST_UNREACH, IcmpHeader.FRAG_NEEDED, 600, k.sndNxt() + 1));
        assertEquals(4, net.ext(TcpExtMib.OutOfWindowIcmps));
        assertEquals(0, routeToClient().pmtu(), "RFC 5927 7.2: a forged frag-needed does not lower the path MTU");
        assertEquals(mss, sndMss(k.c()[1]));
        assertEquals(TcpState.ESTABLISHED, k.c()[1].state());
        assertNull(k.c()[1].pendingError());
        net.transfer(k.c()[1], k.c()[0], bytes(50_000, 2), 10_000);
        net.assertServing("out-of-window ICMP errors");
    }

    @Test
    void hardErrorsOnAnEstablishedConnectionDoNotResetIt() {
        Conn k = quietConnection();
        int[][] errors = {
            {IcmpHeader.DEST_UNREACH, IcmpHeader.PORT_UNREACH},
            {IcmpHeader.DEST_UNREACH, IcmpHeader.PROT_UNREACH},
            {IcmpHeader.DEST_UNREACH, IcmpHeader.HOST_UNREACH},
            {IcmpHeader.DEST_UNREACH, IcmpHeader.NET_UNREACH},
            {IcmpHeader.DEST_UNREACH, IcmpHeader.PKT_FILTERED},
            {IcmpHeader.TIME_EXCEEDED, IcmpHeader.EXC_TTL},
            {IcmpHeader.PARAMETER_PROBLEM, 0},
        };
        for (int[] e : errors) {
            net.inject(errorAbout(k, e[0], e[1], 0, k.sndNxt()));
            assertEquals(TcpState.ESTABLISHED, k.c()[1].state(), "RFC 5927 4.2 / RFC 1122 4.2.3.9: soft error " + e[0] + "/" + e[1]);
        }
        assertEquals(5, net.victim.icmp().mib().get(IcmpMib.InDestUnreachs));
        assertEquals(1, net.victim.icmp().mib().get(IcmpMib.InTimeExcds));
        assertEquals(1, net.victim.icmp().mib().get(IcmpMib.InParmProbs));
        assertEquals(0, net.ext(TcpExtMib.OutOfWindowIcmps), "these quoted a valid sequence number");
        assertNull(k.c()[1].pendingError(), "a soft error is reported only if the connection later times out");
        net.transfer(k.c()[1], k.c()[0], bytes(50_000, 3), 10_000);
        net.transfer(k.c()[0], k.c()[1], bytes(50_000, 4), 10_000);
        net.assertServing("hard ICMP errors");
    }

    @Test
    void fragNeededWithATinyMtuIsFlooredAtMinPmtu() {
        Conn k = quietConnection();
        assertEquals(1448, sndMss(k.c()[1]));
        net.inject(errorAbout(k, IcmpHeader.DEST_UNREACH, IcmpHeader.FRAG_NEEDED, 68, k.sndNxt()));
        assertEquals(552, routeToClient().mtu(), "route.min_pmtu");
        assertEquals(552 - 40 - 12, sndMss(k.c()[1]), "the MSS follows the floored MTU, not the message");
        net.take();
        net.transfer(k.c()[1], k.c()[0], bytes(50_000, 5), 20_000);
        List<Seg> data = net.takeTo(CLIENT, k.clientPort()).stream().filter(s -> s.payload() > 0).toList();
        assertTrue(data.stream().allMatch(s -> s.payload() <= 500), "segments fit 552 bytes");
        net.assertServing("frag-needed 68");
    }

    @Test
    void withMinPmtuLoweredTheMssStillStopsAtTcpMinSndMss() {
        net.victim.sysctls().set("net.ipv4.route.min_pmtu", "68");
        Conn k = quietConnection();
        net.inject(errorAbout(k, IcmpHeader.DEST_UNREACH, IcmpHeader.FRAG_NEEDED, 68, k.sndNxt()));
        assertEquals(68, routeToClient().mtu());
        assertEquals(48 - 12, sndMss(k.c()[1]), "tcp_min_snd_mss (CVE-2019-11479), less the timestamp option");
        assertEquals(TcpState.ESTABLISHED, k.c()[1].state());
        // No serving check here: with min_pmtu lowered by hand to 68, the 48-byte floor still
        // makes 100-byte datagrams with DF set, which that path refuses.
    }

    @Test
    void aForgedErrorCannotEndAPendingHandshakeWithoutItsIsn() {
        net.take();
        net.inject(tcp(ATTACKER, VICTIM, 33_333, PORT, SYN, 1000, 0, 65535, synOptions(1460, 7), NONE));
        Seg synAck = net.takeTo(ATTACKER, 33_333).getFirst();
        assertEquals(1, net.requestSocks());
        byte[] wrongIsn = tcp(VICTIM, ATTACKER, PORT, 33_333, SYN | ACK_FLAG, synAck.seq() + 7, 1001, 65535, NONE, NONE);
        net.inject(icmpError(ROUTER, IcmpHeader.DEST_UNREACH, IcmpHeader.HOST_UNREACH, 0, wrongIsn));
        assertEquals(1, net.requestSocks(), "tcp_req_err: the quoted sequence number must be the ISN");
        assertEquals(1, net.ext(TcpExtMib.OutOfWindowIcmps));
        byte[] rightIsn = tcp(VICTIM, ATTACKER, PORT, 33_333, SYN | ACK_FLAG, synAck.seq(), 1001, 65535, NONE, NONE);
        net.inject(icmpError(ROUTER, IcmpHeader.DEST_UNREACH, IcmpHeader.PORT_UNREACH, 0, rightIsn));
        assertEquals(1, net.requestSocks(), "port unreachable is not among the errors that end a request");
        net.inject(icmpError(ROUTER, IcmpHeader.DEST_UNREACH, IcmpHeader.HOST_UNREACH, 0, rightIsn));
        assertEquals(0, net.requestSocks(), "host unreachable with the right ISN ends it, as Linux");
        assertEquals(1, net.ext(TcpExtMib.ListenDrops));
        net.assertServing("ICMP against a request");
    }
}
