package io.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link EtherType} and {@link IpProtocol} names, as tcpdump and iproute2 print them. */
class NamesTest {

    @Test
    void etherTypes() {
        assertEquals("IPv4", EtherType.name(EtherType.IPV4));
        assertEquals("ARP", EtherType.name(EtherType.ARP));
        assertEquals("IPv6", EtherType.name(EtherType.IPV6));
        assertEquals("802.1Q", EtherType.name(EtherType.VLAN));
        assertEquals("0x88cc", EtherType.name(0x88cc), "LLDP is unknown here: four hex digits");
        assertEquals("0x0042", EtherType.name(0x42));
    }

    @Test
    void ipProtocols() {
        assertEquals("icmp", IpProtocol.name(IpProtocol.ICMP));
        assertEquals("igmp", IpProtocol.name(IpProtocol.IGMP));
        assertEquals("tcp", IpProtocol.name(IpProtocol.TCP));
        assertEquals("udp", IpProtocol.name(IpProtocol.UDP));
        assertEquals("gre", IpProtocol.name(IpProtocol.GRE));
        assertEquals("ipv6-icmp", IpProtocol.name(IpProtocol.ICMPV6));
        assertEquals("sctp", IpProtocol.name(IpProtocol.SCTP));
        assertEquals("253", IpProtocol.name(253), "unknown numbers are printed, not rejected");
    }
}
