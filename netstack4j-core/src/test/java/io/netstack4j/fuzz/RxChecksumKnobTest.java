package io.netstack4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.DropReason;
import io.netstack4j.icmp.IcmpMib;
import io.netstack4j.ipv4.IpExtMib;
import io.netstack4j.ipv4.IpMib;
import io.netstack4j.ns.NetStack;
import io.netstack4j.tcp.TcpMib;
import io.netstack4j.udp.UdpMib;
import io.netstack4j.wire.Bytes;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;
import io.netstack4j.wire.UdpHeader;
import org.junit.jupiter.api.Test;

/**
 * {@code Ipv4.setVerifyRxChecksums}: on by default, a packet whose IPv4, ICMP, UDP or TCP
 * checksum is wrong is dropped with its reason and counter; with verification off (fuzz
 * mode) the same packet is processed as if the checksum were right.
 */
class RxChecksumKnobTest {

    private static final int BAD = 0x1234;

    @Test
    void onByDefault() {
        try (NetStack s = NetStack.simulated(1)) {
            assertTrue(s.addNamespace("x").ipv4().verifyRxChecksums());
            assertTrue(s.init().ipv4().verifyRxChecksums());
        }
    }

    /** An echo request c to h with correct checksums; {@code ipCsum}/{@code icmpCsum} override them when not -1. */
    private static byte[] echo(int ipCsum, int icmpCsum) {
        byte[] icmp = new byte[16];
        IcmpHeader.setType(icmp, 0, IcmpHeader.ECHO);
        IcmpHeader.setIdent(icmp, 0, 9);
        IcmpHeader.setSequence(icmp, 0, 1);
        IcmpHeader.fillChecksum(icmp, 0, icmp.length);
        if (icmpCsum >= 0) {
            IcmpHeader.setChecksum(icmp, 0, icmpCsum);
        }
        byte[] f = FuzzNet.ipFrame(IpProtocol.ICMP, FuzzNet.H, icmp);
        if (ipCsum >= 0) {
            Ipv4Header.setChecksum(f, EthernetHeader.HEADER_LEN, ipCsum);
        }
        return f;
    }

    @Test
    void badIpHeaderChecksum() {
        for (boolean verify : new boolean[] {true, false}) {
            try (FuzzNet net = new FuzzNet()) {
                net.h.ipv4().setVerifyRxChecksums(verify);
                long csumErrors = net.h.ipv4().extMib().get(IpExtMib.InCsumErrors);
                long hdrErrors = net.h.ipv4().mib().get(IpMib.InHdrErrors);
                long replies = net.h.icmp().mib().get(IcmpMib.OutEchoReps);
                net.inject(echo(BAD, -1));
                net.run(10);
                assertEquals(verify ? 1 : 0, net.h.ipv4().extMib().get(IpExtMib.InCsumErrors) - csumErrors);
                assertEquals(verify ? 1 : 0, net.h.ipv4().mib().get(IpMib.InHdrErrors) - hdrErrors);
                assertEquals(verify ? 1 : 0, net.h.drops().get(DropReason.IP_CSUM));
                assertEquals(verify ? 0 : 1, net.h.icmp().mib().get(IcmpMib.OutEchoReps) - replies);
            }
        }
    }

    @Test
    void badIcmpChecksum() {
        for (boolean verify : new boolean[] {true, false}) {
            try (FuzzNet net = new FuzzNet()) {
                net.h.ipv4().setVerifyRxChecksums(verify);
                long csumErrors = net.h.icmp().mib().get(IcmpMib.InCsumErrors);
                long replies = net.h.icmp().mib().get(IcmpMib.OutEchoReps);
                net.inject(echo(-1, BAD));
                net.run(10);
                assertEquals(verify ? 1 : 0, net.h.icmp().mib().get(IcmpMib.InCsumErrors) - csumErrors);
                assertEquals(verify ? 1 : 0, net.h.drops().get(DropReason.ICMP_CSUM));
                assertEquals(verify ? 0 : 1, net.h.icmp().mib().get(IcmpMib.OutEchoReps) - replies);
            }
        }
    }

    @Test
    void badUdpChecksum() {
        for (boolean verify : new boolean[] {true, false}) {
            try (FuzzNet net = new FuzzNet()) {
                net.h.ipv4().setVerifyRxChecksums(verify);
                byte[] udp = new byte[8 + 5];
                UdpHeader.setSrcPort(udp, 0, 1111);
                UdpHeader.setDstPort(udp, 0, FuzzNet.UDP_PORT);
                UdpHeader.setLength(udp, 0, udp.length);
                UdpHeader.setChecksum(udp, 0, BAD);
                long csumErrors = net.h.udp().mib().get(UdpMib.InCsumErrors);
                net.inject(FuzzNet.ipFrame(IpProtocol.UDP, FuzzNet.H, udp));
                net.run(10);
                assertEquals(verify ? 1 : 0, net.h.udp().mib().get(UdpMib.InCsumErrors) - csumErrors);
                assertEquals(verify ? 1 : 0, net.h.drops().get(DropReason.UDP_CSUM));
                assertEquals(!verify, net.udp.readable(), "datagram queued on the socket bound to 9999");
            }
        }
    }

    @Test
    void badTcpChecksum() {
        for (boolean verify : new boolean[] {true, false}) {
            try (FuzzNet net = new FuzzNet()) {
                net.h.ipv4().setVerifyRxChecksums(verify);
                byte[] syn = new byte[24];
                TcpHeader.setSrcPort(syn, 0, 45000);
                TcpHeader.setDstPort(syn, 0, FuzzNet.TCP_PORT);
                TcpHeader.setSeq(syn, 0, 777);
                TcpHeader.setHeaderLength(syn, 0, 24);
                TcpHeader.setFlags(syn, 0, TcpHeader.SYN);
                TcpHeader.setWindow(syn, 0, 64240);
                TcpOptions.writeSyn(syn, 20, 1460, false, false, 0, 0, -1);
                Bytes.setU16(syn, TcpHeader.CHECKSUM, BAD);
                long csumErrors = net.h.tcp().mib().get(TcpMib.InCsumErrors);
                long outSegs = net.h.tcp().mib().get(TcpMib.OutSegs);
                net.inject(FuzzNet.ipFrame(IpProtocol.TCP, FuzzNet.H, syn));
                net.run(1);
                assertEquals(verify ? 1 : 0, net.h.tcp().mib().get(TcpMib.InCsumErrors) - csumErrors);
                assertEquals(verify ? 1 : 0, net.h.drops().get(DropReason.TCP_CSUM));
                assertEquals(verify ? 0 : 1, net.h.tcp().mib().get(TcpMib.OutSegs) - outSegs, "SYN-ACK sent");
            }
        }
    }
}
