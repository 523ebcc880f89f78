package io.netstack4j.attacks;

import static io.netstack4j.attacks.AttackNet.CLIENT;
import static io.netstack4j.attacks.AttackNet.VICTIM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netstack4j.core.DropReason;
import io.netstack4j.icmp.IcmpMib;
import io.netstack4j.ipv4.IpExtMib;
import io.netstack4j.ipv4.IpMib;
import io.netstack4j.tcp.TcpMib;
import io.netstack4j.udp.UdpMib;
import io.netstack4j.udp.UdpSock;
import io.netstack4j.wire.ArpPacket;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.UdpHeader;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Inconsistent lengths across layers, the family of bugs Ripple20 (2020) found in embedded
 * stacks: each layer's length field is checked against what the layer below really delivered,
 * never trusted. Every case is dropped and counted where Linux counts it, or trimmed to the
 * inner length where that is what RFC 791 and RFC 768 say, and no buffer stays behind.
 */
class LengthAttacksTest {

    private static final byte[] NO_OPTIONS = new byte[0];

    private AttackNet net;
    private long buffersBefore;

    @BeforeEach
    void setUp() {
        net = new AttackNet();
        buffersBefore = net.liveBuffers();
    }

    private long ip(IpMib m) {
        return net.victim.ipv4().mib().get(m);
    }

    private long drops(DropReason r) {
        return net.victim.drops().get(r);
    }

    private static byte[] echo() {
        return AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.ICMP, 0x0101, false, 0, NO_OPTIONS, AttackNet.echoRequest(3, 1, 32));
    }

    /** The IP header's total length claims more than the frame holds: truncated, not read past the end. */
    @Test
    void ipTotalLengthBeyondTheFrameIsATruncatedPacket() {
        byte[] d = echo();
        Ipv4Header.setTotalLength(d, 0, 1500);
        net.injectAndRun(AttackNet.refill(d), 10);
        Ipv4Header.setTotalLength(d, 0, 65535);
        net.injectAndRun(AttackNet.refill(d), 10);
        assertEquals(2, net.victim.ipv4().extMib().get(IpExtMib.InTruncatedPkts));
        assertEquals(2, ip(IpMib.InDiscards));
        assertEquals(2, drops(DropReason.PKT_TOO_SMALL));
        assertEquals(0, net.victim.icmp().mib().get(IcmpMib.InMsgs));
        net.assertNoBuffersHeldBeyond(buffersBefore);
        net.assertServes();
    }

    /**
     * The frame carries more than the total length (padding, or bytes an attacker hopes are
     * read as data): the datagram is the total length, and the echo reply returns exactly the
     * request's 32 bytes of data, not the 100 bytes that trail it.
     */
    @Test
    void bytesPastTheTotalLengthAreTrimmedNotDelivered() {
        byte[] d = echo();
        byte[] padded = Arrays.copyOf(d, d.length + 100);
        Arrays.fill(padded, d.length, padded.length, (byte) 0x5a);
        net.injectAndRun(padded, 100);
        assertEquals(1, net.victim.icmp().mib().get(IcmpMib.OutEchoReps));
        byte[] reply = net.sentIp(IpProtocol.ICMP).get(0);
        assertEquals(d.length, Ipv4Header.totalLength(reply, 0));
        assertArrayEquals(Arrays.copyOfRange(d, 28, d.length), Arrays.copyOfRange(reply, 28, reply.length));
        net.assertServes();
    }

    /**
     * The header lengths lie: total length shorter than the 20-byte header, an IHL of 60 bytes
     * in a 48-byte datagram, an IHL below 5, a frame cut inside the header, an Ethernet frame
     * shorter than its own header. All are header errors (InHdrErrors) or link errors.
     */
    @Test
    void headerLengthsThatContradictTheDatagramAreHeaderErrors() {
        byte[] d = echo();
        Ipv4Header.setTotalLength(d, 0, 12);
        net.inject(AttackNet.refill(d));

        d = echo();
        Ipv4Header.setVersionIhl(d, 0, 60);
        net.inject(Arrays.copyOf(AttackNet.refill(d), 48));

        d = echo();
        d[0] = 0x44;
        net.inject(AttackNet.refill(d));

        d = echo();
        Ipv4Header.setVersionIhl(d, 0, 24);
        Ipv4Header.setTotalLength(d, 0, 22);
        net.inject(AttackNet.refill(d));

        net.inject(Arrays.copyOf(echo(), 16));
        net.run(10);
        assertEquals(5, ip(IpMib.InHdrErrors));
        assertEquals(3, drops(DropReason.IP_INHDR), "total < header, IHL < 5, total < IHL");
        assertEquals(2, drops(DropReason.PKT_TOO_SMALL), "IHL past the frame, frame shorter than 20 bytes");
        assertEquals(0, net.victim.icmp().mib().get(IcmpMib.InMsgs));

        net.injectFrame(new byte[10]);
        net.run(10);
        assertEquals(1, net.victimDev.stats().rxErrors, "a frame shorter than an Ethernet header");
        assertEquals(3, drops(DropReason.PKT_TOO_SMALL));

        net.injectFrame(Arrays.copyOf(AttackNet.arp(0xffff_ffff_ffffL, AttackNet.ATTACKER_MAC, ArpPacket.OP_REQUEST,
                AttackNet.ATTACKER_MAC, CLIENT, 0, VICTIM), 14 + 20));
        net.run(10);
        assertEquals(1, drops(DropReason.ARP_INVALID), "an ARP packet cut short");
        net.assertNoBuffersHeldBeyond(buffersBefore);
        net.assertServes();
    }

    /** A UDP datagram to {@code port} whose header says {@code udpLength}, inside an IP payload of 8 + {@code data.length}. */
    private static byte[] udpClaiming(int port, int udpLength, byte[] data) {
        byte[] u = AttackNet.udp(CLIENT, VICTIM, 5000, port, data);
        UdpHeader.setLength(u, 0, udpLength);
        UdpHeader.setChecksum(u, 0, 0);
        return AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.UDP, u);
    }

    /**
     * UDP lengths: longer than the IP payload, shorter than the UDP header (0 and 7) are
     * errors (UDP InErrors); shorter than the IP payload is legal, and the socket gets only
     * the UDP length's bytes (RFC 768; Linux trims).
     */
    @Test
    void udpLengthIsCheckedAgainstTheIpPayload() {
        UdpSock sk = net.victim.udp().open(null);
        sk.bind(0, 7000);
        byte[] data = new byte[20];
        Arrays.fill(data, (byte) 0x33);
        net.inject(udpClaiming(7000, 8 + 200, data));
        net.inject(udpClaiming(7000, 0, data));
        net.inject(udpClaiming(7000, 7, data));
        net.run(10);
        assertEquals(3, net.victim.udp().mib().get(UdpMib.InErrors));
        assertEquals(3, drops(DropReason.PKT_TOO_SMALL));
        assertEquals(-1, sk.receive(new byte[100], 0, 100), "nothing was delivered");

        net.injectAndRun(udpClaiming(7000, 8 + 10, data), 10);
        byte[] got = new byte[100];
        assertEquals(10, sk.receive(got, 0, 100), "the datagram is the UDP length, not the IP payload");
        assertEquals(1, net.victim.udp().mib().get(UdpMib.InDatagrams));
        sk.close();
        net.assertServes();
    }

    /** TCP data offsets below 5 or past the segment are header errors (TCP InErrs), never parsed. */
    @Test
    void tcpDataOffsetPastTheSegmentIsAHeaderError() {
        for (int doff : new int[] {60, 24, 16, 0}) {
            byte[] t = AttackNet.tcp(CLIENT, VICTIM, 40000, AttackNet.PORT, TcpHeader.SYN, 1, 0, new byte[0]);
            t[TcpHeader.DOFF] = (byte) ((doff / 4) << 4);
            TcpHeader.fillChecksum(t, 0, t.length, CLIENT, VICTIM);
            net.inject(AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.TCP, t));
        }
        // A segment shorter than a TCP header.
        net.inject(AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.TCP, new byte[12]));
        net.run(10);
        assertEquals(5, net.victim.tcp().mib().get(TcpMib.InErrs));
        assertEquals(5, drops(DropReason.TCP_HDR));
        assertEquals(0, net.victim.tcp().mib().get(TcpMib.InSegs));
        assertEquals(0, net.sentIp(IpProtocol.TCP).size(), "no SYN-ACK, no RST");
        net.assertNoBuffersHeldBeyond(buffersBefore);
        net.assertServes();
    }

    /**
     * ICMP errors whose quoted header is cut short (RFC 1122 3.2.2 wants the IP header and 8
     * bytes): no quote at all, a quoted IHL past the quote, a quote with fewer than 8 transport
     * bytes, and an ICMP message shorter than its own header. All count ICMP InErrors; a
     * truncated frag-needed teaches no path MTU.
     */
    @Test
    void icmpErrorsQuotingTruncatedHeadersAreInErrors() {
        byte[] quoted = AttackNet.ipv4(VICTIM, AttackNet.ip("192.0.2.10"), IpProtocol.UDP, 1, false, 0, NO_OPTIONS,
                AttackNet.udp(VICTIM, AttackNet.ip("192.0.2.10"), 7000, 53, new byte[16]));
        byte[] longIhl = quoted.clone();
        Ipv4Header.setVersionIhl(longIhl, 0, 60);
        byte[][] quotes = {
            new byte[0],
            Arrays.copyOf(quoted, 12),
            Arrays.copyOf(longIhl, 40),
            Arrays.copyOf(quoted, 24),
        };
        for (byte[] q : quotes) {
            net.inject(AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.ICMP, 0x0202, false, 0, NO_OPTIONS,
                    AttackNet.icmp(IcmpHeader.DEST_UNREACH, IcmpHeader.FRAG_NEEDED, 576, q)));
        }
        net.inject(AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.ICMP, 0x0203, false, 0, NO_OPTIONS, new byte[] {3, 4, 0, 0}));
        net.run(10);
        assertEquals(5, net.victim.icmp().mib().get(IcmpMib.InErrors));
        assertEquals(4, drops(DropReason.ICMP_INVALID));
        assertEquals(1, drops(DropReason.PKT_TOO_SMALL), "the 4-byte ICMP message");
        assertEquals(0, net.victim.ipv4().route().pmtuExceptionCount(), "no path MTU learned from a truncated quote");

        // The control: a whole quote is taken, and the MTU toward 192.0.2.10 drops to 576.
        net.injectAndRun(AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.ICMP, 0x0204, false, 0, NO_OPTIONS,
                AttackNet.icmp(IcmpHeader.DEST_UNREACH, IcmpHeader.FRAG_NEEDED, 576, quoted)), 10);
        assertEquals(576, net.victim.ipv4().route().routeOutput(AttackNet.ip("192.0.2.10"), 0, 0, 0, 0).mtu());
        net.assertNoBuffersHeldBeyond(buffersBefore);
        net.assertServes();
    }

    /** Ethertype IPv4 with no IP header at all, and an ARP frame whose lengths fields lie. */
    @Test
    void framesWithLyingLinkLayerContentsAreDropped() {
        net.injectFrame(AttackNet.ethernet(net.victimDev.mac(), AttackNet.ATTACKER_MAC, EtherType.IPV4, new byte[0]));
        byte[] arp = AttackNet.arp(0xffff_ffff_ffffL, AttackNet.ATTACKER_MAC, ArpPacket.OP_REQUEST, AttackNet.ATTACKER_MAC,
                CLIENT, 0, VICTIM);
        arp[14 + ArpPacket.HLEN] = 16;
        net.injectFrame(arp);
        net.run(10);
        assertEquals(1, ip(IpMib.InHdrErrors));
        assertEquals(1, drops(DropReason.ARP_INVALID));
        net.assertNoBuffersHeldBeyond(buffersBefore);
        net.assertServes();
    }
}
