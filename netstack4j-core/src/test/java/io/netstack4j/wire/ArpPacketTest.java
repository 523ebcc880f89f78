package io.netstack4j.wire;

import static io.netstack4j.wire.Captures.IP_A;
import static io.netstack4j.wire.Captures.IP_B;
import static io.netstack4j.wire.Captures.MAC_A;
import static io.netstack4j.wire.Captures.MAC_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.wire.ArpPacket.ArpRepr;
import org.junit.jupiter.api.Test;

class ArpPacketTest {

    private static final int ARP = EthernetHeader.HEADER_LEN;

    private static byte[] body(byte[] frame) {
        return Captures.slice(frame, ARP, ARP + ArpPacket.LEN);
    }

    @Test
    void viewsReadEveryFieldOfTheCapturedRequest() {
        byte[] b = Captures.ARP_REQUEST;
        assertTrue(ArpPacket.isEthernetIpv4(b, ARP, b.length - ARP));
        assertEquals(ArpPacket.HTYPE_ETHERNET, ArpPacket.hardwareType(b, ARP));
        assertEquals(EtherType.IPV4, ArpPacket.protocolType(b, ARP));
        assertEquals(6, ArpPacket.hardwareLength(b, ARP));
        assertEquals(4, ArpPacket.protocolLength(b, ARP));
        assertEquals(ArpPacket.OP_REQUEST, ArpPacket.operation(b, ARP));
        assertEquals(MAC_B.bits(), ArpPacket.senderHw(b, ARP));
        assertEquals(IP_B.bits(), ArpPacket.senderIp(b, ARP));
        assertEquals(0, ArpPacket.targetHw(b, ARP), "Linux sends requests with a zero target hardware address");
        assertEquals(IP_A.bits(), ArpPacket.targetIp(b, ARP));
    }

    @Test
    void parseReadsTheCapturedReply() {
        ArpRepr r = ArpRepr.parse(Captures.ARP_REPLY, ARP, Captures.ARP_REPLY.length - ARP);
        assertEquals(new ArpRepr(ArpPacket.OP_REPLY, MAC_A, IP_A, MAC_B, IP_B), r);
    }

    @Test
    void emitReproducesBothCapturedPackets() {
        byte[] out = new byte[ArpPacket.LEN];
        new ArpRepr(ArpPacket.OP_REQUEST, MAC_B, IP_B, MacAddress.ZERO, IP_A).emit(out, 0);
        assertArrayEquals(body(Captures.ARP_REQUEST), out);
        java.util.Arrays.fill(out, (byte) 0x5a);
        new ArpRepr(ArpPacket.OP_REPLY, MAC_A, IP_A, MAC_B, IP_B).emit(out, 0);
        assertArrayEquals(body(Captures.ARP_REPLY), out, "all 28 bytes written");
    }

    @Test
    void settersBuildTheReplyFieldByField() {
        byte[] out = new byte[2 + ArpPacket.LEN];
        ArpPacket.setHardwareType(out, 2, ArpPacket.HTYPE_ETHERNET);
        ArpPacket.setProtocolType(out, 2, EtherType.IPV4);
        ArpPacket.setHardwareLength(out, 2, 6);
        ArpPacket.setProtocolLength(out, 2, 4);
        ArpPacket.setOperation(out, 2, ArpPacket.OP_REPLY);
        ArpPacket.setSenderHw(out, 2, MAC_A.bits());
        ArpPacket.setSenderIp(out, 2, IP_A.bits());
        ArpPacket.setTargetHw(out, 2, MAC_B.bits());
        ArpPacket.setTargetIp(out, 2, IP_B.bits());
        assertArrayEquals(body(Captures.ARP_REPLY), Captures.slice(out, 2, out.length));
    }

    @Test
    void shortOrForeignPacketsAreNotParsed() {
        byte[] b = Captures.ARP_REPLY;
        assertNull(ArpRepr.parse(b, ARP, 27), "one byte short");
        assertFalse(ArpPacket.isEthernetIpv4(b, ARP, 27));
        int[][] foreign = {{ArpPacket.HTYPE + 1, 6}, {ArpPacket.PTYPE, 0x86}, {ArpPacket.HLEN, 8}, {ArpPacket.PLEN, 16}};
        for (int[] f : foreign) {
            byte[] c = b.clone();
            c[ARP + f[0]] = (byte) f[1];
            assertFalse(ArpPacket.isEthernetIpv4(c, ARP, c.length - ARP), "byte " + f[0]);
            assertNull(ArpRepr.parse(c, ARP, c.length - ARP), "byte " + f[0]);
        }
    }

    @Test
    void unknownOperationsAreKept() {
        byte[] b = Captures.ARP_REQUEST.clone();
        ArpPacket.setOperation(b, ARP, 3); // RARP request (RFC 903)
        ArpRepr r = ArpRepr.parse(b, ARP, b.length - ARP);
        assertEquals(3, r.operation());
        byte[] out = new byte[ArpPacket.LEN];
        r.emit(out, 0);
        assertArrayEquals(body(b), out);
    }
}
