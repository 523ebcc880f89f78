package io.netstack4j.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.icmp.IcmpMib;
import io.netstack4j.ipv4.IpExtMib;
import io.netstack4j.ipv4.IpMib;
import io.netstack4j.netfilter.NfHook;
import io.netstack4j.netfilter.Verdict;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.Ipv4Header;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Frames injected straight into a device's receive path: every malformed or unwanted datagram
 * is dropped with a reason and a MIB counter, and nothing throws. Also the netfilter hooks.
 */
class IpReceiveTest {

    private Net net;
    private Namespace r1;
    private NetDevice veth1;

    @BeforeEach
    void setUp() {
        net = new Net();
        net.link("h1", "veth0", "10.1.0.2/24", "r1", "veth1", "10.1.0.1/24");
        r1 = net.ns("r1");
        veth1 = r1.requireDevice("veth1");
    }

    /** Changes a frame before it is received; {@code ip} is the index of its IPv4 header. */
    private interface Edit {
        void accept(byte[] b, int ip);
    }

    /**
     * Receives on veth1 an Ethernet frame carrying an ICMP echo from 10.1.0.2 to 10.1.0.1 with
     * 16 bytes of data, after {@code edit}, and runs the loop.
     */
    private void send(Edit edit) {
        PacketBuffer skb = r1.loop().pool().alloc(200);
        int off = skb.put(EthernetHeader.HEADER_LEN + 20 + 8 + 16);
        byte[] b = skb.array();
        java.util.Arrays.fill(b, off, skb.tail(), (byte) 0);
        EthernetHeader.setDst(b, off, veth1.mac());
        EthernetHeader.setSrc(b, off, 0x02_00_00_00_00_01L);
        EthernetHeader.setEtherType(b, off, EtherType.IPV4);
        int ip = off + EthernetHeader.HEADER_LEN;
        Ipv4Header.setVersionIhl(b, ip, 20);
        Ipv4Header.setTotalLength(b, ip, 20 + 8 + 16);
        Ipv4Header.setTtl(b, ip, 64);
        Ipv4Header.setProtocol(b, ip, IpProtocol.ICMP);
        Ipv4Header.setSrc(b, ip, Ipv4Address.parse("10.1.0.2").bits());
        Ipv4Header.setDst(b, ip, Ipv4Address.parse("10.1.0.1").bits());
        Ipv4Header.fillChecksum(b, ip);
        int icmp = ip + 20;
        IcmpHeader.setType(b, icmp, IcmpHeader.ECHO);
        IcmpHeader.setIdent(b, icmp, 7);
        IcmpHeader.setSequence(b, icmp, 1);
        IcmpHeader.fillChecksum(b, icmp, 24);
        edit.accept(b, ip);
        veth1.netifRx(skb);
        net.runMillis(10);
    }

    private long ip(IpMib m) {
        return r1.ipv4().mib().get(m);
    }

    @Test
    void aWellFormedEchoIsAnswered() {
        send((b, ip) -> { });
        assertEquals(1, r1.icmp().mib().get(IcmpMib.InEchos));
        assertEquals(1, r1.icmp().mib().get(IcmpMib.OutEchoReps));
        assertEquals(1, ip(IpMib.InDelivers));
    }

    @Test
    void badChecksumIsAHeaderError() {
        send((b, ip) -> b[ip + Ipv4Header.CHECKSUM] ^= 1);
        assertEquals(1, ip(IpMib.InHdrErrors));
        assertEquals(1, r1.ipv4().extMib().get(IpExtMib.InCsumErrors));
        assertEquals(1, r1.drops().get(DropReason.IP_CSUM));
        assertEquals(0, r1.icmp().mib().get(IcmpMib.InMsgs));
    }

    @Test
    void wrongVersionAndShortIhlAreHeaderErrors() {
        send((b, ip) -> {
            b[ip] = 0x65;
            Ipv4Header.fillChecksum(b, ip);
        });
        send((b, ip) -> {
            b[ip] = 0x44;
            Ipv4Header.fillChecksum(b, ip);
        });
        assertEquals(2, ip(IpMib.InHdrErrors));
        assertEquals(2, r1.drops().get(DropReason.IP_INHDR));
    }

    @Test
    void totalLengthBeyondTheFrameIsTruncated() {
        send((b, ip) -> {
            Ipv4Header.setTotalLength(b, ip, 1000);
            Ipv4Header.fillChecksum(b, ip);
        });
        assertEquals(1, r1.ipv4().extMib().get(IpExtMib.InTruncatedPkts));
        assertEquals(1, ip(IpMib.InDiscards));
    }

    @Test
    void totalLengthShorterThanTheHeaderIsAHeaderError() {
        send((b, ip) -> {
            Ipv4Header.setTotalLength(b, ip, 12);
            Ipv4Header.fillChecksum(b, ip);
        });
        assertEquals(1, ip(IpMib.InHdrErrors));
    }

    @Test
    void martianSourcesAreDropped() {
        for (String src : List.of("224.0.0.5", "255.255.255.255", "0.1.2.3", "127.0.0.1", "10.1.0.1")) {
            send((b, ip) -> {
                Ipv4Header.setSrc(b, ip, Ipv4Address.parse(src).bits());
                Ipv4Header.fillChecksum(b, ip);
            });
        }
        assertEquals(5, r1.drops().get(DropReason.IP_INVALID_SOURCE), "multicast, broadcast, zeronet, loopback, our own");
        assertEquals(0, r1.icmp().mib().get(IcmpMib.InMsgs));
    }

    @Test
    void broadcastEchoIsIgnoredByDefault() {
        send((b, ip) -> {
            Ipv4Header.setDst(b, ip, Ipv4Address.parse("10.1.0.255").bits());
            Ipv4Header.fillChecksum(b, ip);
        });
        assertEquals(0, r1.icmp().mib().get(IcmpMib.OutEchoReps));
        assertEquals(1, r1.icmp().mib().get(IcmpMib.InEchos));
    }

    @Test
    void unknownProtocolEarnsProtocolUnreachable() {
        send((b, ip) -> {
            Ipv4Header.setProtocol(b, ip, 253);
            Ipv4Header.fillChecksum(b, ip);
        });
        assertEquals(1, ip(IpMib.InUnknownProtos));
        assertEquals(1, r1.icmp().outType(IcmpHeader.DEST_UNREACH));
    }

    @Test
    void sourceRouteOptionIsDroppedByDefault() {
        send((b, ip) -> {
            // A 24-byte header whose option is an empty loose source route (type 131, length 3,
            // pointer 4) followed by end-of-options; the first payload bytes become the option.
            Ipv4Header.setVersionIhl(b, ip, 24);
            b[ip + 20] = (byte) 131;
            b[ip + 21] = 3;
            b[ip + 22] = 4;
            b[ip + 23] = 0;
            Ipv4Header.fillChecksum(b, ip);
        });
        assertEquals(1, r1.drops().get(DropReason.IP_INSRCROUTE));
    }

    @Test
    void malformedOptionsEarnAParameterProblem() {
        send((b, ip) -> {
            Ipv4Header.setVersionIhl(b, ip, 24);
            b[ip + 20] = 7;
            b[ip + 21] = 9;
            Ipv4Header.fillChecksum(b, ip);
        });
        assertEquals(1, ip(IpMib.InHdrErrors));
        assertEquals(1, r1.icmp().outType(IcmpHeader.PARAMETER_PROBLEM));
    }

    /** Makes the injected datagram one that r1 must forward towards h2's subnet with TTL 1. */
    private void expiring(byte[] b, int ip) {
        Ipv4Header.setDst(b, ip, Ipv4Address.parse("10.2.0.2").bits());
        Ipv4Header.setTtl(b, ip, 1);
    }

    private void forwardingToH2() {
        net.link("r1", "veth2", "10.2.0.1/24", "h2", "veth3", "10.2.0.2/24");
        net.forwarding("r1");
        net.runMillis(10);
    }

    @Test
    void ttlExpiryEarnsTimeExceeded() {
        forwardingToH2();
        send((b, ip) -> {
            expiring(b, ip);
            Ipv4Header.fillChecksum(b, ip);
        });
        assertEquals(1, r1.icmp().mib().get(IcmpMib.OutTimeExcds));
    }

    @Test
    void noErrorAboutAnIcmpError() {
        forwardingToH2();
        send((b, ip) -> {
            expiring(b, ip);
            Ipv4Header.fillChecksum(b, ip);
            IcmpHeader.setType(b, ip + 20, IcmpHeader.DEST_UNREACH);
            IcmpHeader.fillChecksum(b, ip + 20, 24);
        });
        assertEquals(1, r1.drops().get(DropReason.IP_TTL_EXPIRED));
        assertEquals(0, r1.icmp().mib().get(IcmpMib.OutMsgs), "RFC 1122 3.2.2: never an error about an error");
    }

    @Test
    void noErrorAboutANonFirstFragment() {
        forwardingToH2();
        send((b, ip) -> {
            expiring(b, ip);
            Ipv4Header.setFlagsFragment(b, ip, false, false, 1480);
            Ipv4Header.fillChecksum(b, ip);
        });
        assertEquals(1, r1.drops().get(DropReason.IP_TTL_EXPIRED));
        assertEquals(0, r1.icmp().mib().get(IcmpMib.OutMsgs));
    }

    @Test
    void noErrorAboutALinkLayerBroadcast() {
        forwardingToH2();
        send((b, ip) -> {
            EthernetHeader.setDst(b, ip - EthernetHeader.HEADER_LEN, 0xffff_ffff_ffffL);
            Ipv4Header.setProtocol(b, ip, 253);
            Ipv4Header.fillChecksum(b, ip);
        });
        assertEquals(1, ip(IpMib.InUnknownProtos));
        assertEquals(0, r1.icmp().mib().get(IcmpMib.OutMsgs));
    }

    @Test
    void errorsAreRateLimitedPerDestination() {
        forwardingToH2();
        for (int i = 0; i < 50; i++) {
            send((b, ip) -> {
                expiring(b, ip);
                Ipv4Header.fillChecksum(b, ip);
            });
        }
        long sent = r1.icmp().mib().get(IcmpMib.OutTimeExcds);
        assertTrue(sent >= 6 && sent <= 8, "a burst of 6 then one per second (icmp_ratelimit): " + sent);
        assertEquals(50 - sent, r1.icmp().mib().get(IcmpMib.OutRateLimitHost));
    }

    @Test
    void framesForAnotherMacAreNotForUs() {
        send((b, ip) -> EthernetHeader.setDst(b, ip - EthernetHeader.HEADER_LEN, 0x02_11_22_33_44_55L));
        assertEquals(1, r1.drops().get(DropReason.OTHERHOST));
        assertEquals(0, ip(IpMib.InReceives));
    }

    @Test
    void netfilterHooksSeeThePathInOrderAndCanDrop() {
        List<String> seen = new ArrayList<>();
        for (NfHook h : NfHook.values()) {
            r1.netfilter().register(h, 0, (hook, skb, in, out) -> {
                seen.add(hook.name());
                return Verdict.ACCEPT;
            });
        }
        send((b, ip) -> { });
        assertEquals(List.of("PRE_ROUTING", "LOCAL_IN", "LOCAL_OUT", "POST_ROUTING"), seen);

        r1.netfilter().register(NfHook.LOCAL_IN, -10, (hook, skb, in, out) -> Verdict.DROP);
        send((b, ip) -> { });
        assertEquals(1, r1.netfilter().dropped());
        assertEquals(1, r1.drops().get(DropReason.NETFILTER_DROP));
        assertEquals(1, r1.icmp().mib().get(IcmpMib.InEchos), "the second echo never reached ICMP");
    }
}
