package io.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every header view and record against frames captured from the Linux kernel (6.18) on this
 * machine: two private network namespaces joined by a veth pair (10.200.0.1 and 10.200.0.2),
 * frames read with an AF_PACKET socket on one end while the other end sent an ICMP echo, an
 * echo with the record-route option, and a UDP datagram to a closed port.
 */
class WireCaptureTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static final byte[] ARP_REQUEST = hex("ffffffffffff820b1115f85308060001080006040001820b1115f8530ac800020000000000000ac80001");
    static final byte[] ARP_REPLY = hex("820b1115f8532683cedeebdc080600010800060400022683cedeebdc0ac80001820b1115f8530ac80002");
    static final byte[] ECHO_REQUEST = hex("2683cedeebdc820b1115f85308004500002c36bc40004001ee820ac800020ac800010800ad8a12340001"
            + "000102030405060708090a0b0c0d0e0f");
    static final byte[] ECHO_REPLY = hex("820b1115f8532683cedeebdc08004500002c8bcb00004001d9730ac800010ac800020000b58a12340001"
            + "000102030405060708090a0b0c0d0e0f");
    /** The echo with a record-route option (IHL 8: 11 bytes of RR, one EOL). */
    static final byte[] ECHO_RR = hex("2683cedeebdc820b1115f85308004800003836bd4000400112600ac800020ac80001070b080ac8000200000000"
            + "000800ad8912340002000102030405060708090a0b0c0d0e0f");
    /** The kernel's reply, its RR option filled in with both addresses. */
    static final byte[] ECHO_RR_REPLY = hex("820b1115f8532683cedeebdc0800480000388bcc0000400130460ac800010ac80002070b0c0ac800020ac80001"
            + "000000b58912340002000102030405060708090a0b0c0d0e0f");
    /** ICMP port unreachable quoting a UDP datagram ("hello" to port 9999). */
    static final byte[] PORT_UNREACH = hex("fecafe28103e7642ecc972ce080045c0003d9ea000004001c5cd0ac800010ac800020303f9f100000000"
            + "450000210afa400040111a400ac800020ac80001826b270f000d15b168656c6c6f");

    private static final int ETH = EthernetHeader.HEADER_LEN;

    @Test
    void ethernetParseAndEmit() {
        EthernetHeader.EthernetRepr r = EthernetHeader.EthernetRepr.parse(ARP_REQUEST, 0, ARP_REQUEST.length);
        assertEquals(MacAddress.BROADCAST, r.dst());
        assertEquals(MacAddress.parse("82:0b:11:15:f8:53"), r.src());
        assertEquals(EtherType.ARP, r.etherType());
        byte[] out = new byte[ETH];
        r.emit(out, 0);
        assertArrayEquals(java.util.Arrays.copyOf(ARP_REQUEST, ETH), out);
        assertNull(EthernetHeader.EthernetRepr.parse(ARP_REQUEST, 0, 13));
        assertEquals("IPv4", EtherType.name(EthernetHeader.etherType(ECHO_REQUEST, 0)));
    }

    @Test
    void arpParseAndEmit() {
        ArpPacket.ArpRepr req = ArpPacket.ArpRepr.parse(ARP_REQUEST, ETH, ARP_REQUEST.length - ETH);
        assertEquals(ArpPacket.OP_REQUEST, req.operation());
        assertEquals(Ipv4Address.parse("10.200.0.2"), req.senderIp());
        assertEquals(Ipv4Address.parse("10.200.0.1"), req.targetIp());
        assertEquals(MacAddress.ZERO, req.targetHw());
        ArpPacket.ArpRepr rep = ArpPacket.ArpRepr.parse(ARP_REPLY, ETH, ARP_REPLY.length - ETH);
        assertEquals(ArpPacket.OP_REPLY, rep.operation());
        assertEquals(MacAddress.parse("26:83:ce:de:eb:dc"), rep.senderHw());
        byte[] out = new byte[ArpPacket.LEN];
        rep.emit(out, 0);
        assertArrayEquals(java.util.Arrays.copyOfRange(ARP_REPLY, ETH, ETH + ArpPacket.LEN), out);
        assertNull(ArpPacket.ArpRepr.parse(ARP_REPLY, ETH, 27), "short");
        byte[] ipv6 = ARP_REPLY.clone();
        ipv6[ETH + ArpPacket.PLEN] = 16;
        assertNull(ArpPacket.ArpRepr.parse(ipv6, ETH, ipv6.length - ETH), "not IPv4 over Ethernet");
    }

    @Test
    void ipv4ParseEmitAndChecksum() {
        Ipv4Header.Ipv4Repr r = Ipv4Header.Ipv4Repr.parse(ECHO_REQUEST, ETH, ECHO_REQUEST.length - ETH);
        assertEquals(Ipv4Address.parse("10.200.0.2"), r.src());
        assertEquals(Ipv4Address.parse("10.200.0.1"), r.dst());
        assertEquals(IpProtocol.ICMP, r.protocol());
        assertEquals(64, r.ttl());
        assertEquals(0x36bc, r.ident());
        assertTrue(r.dontFragment());
        assertEquals(24, r.payloadLength());
        assertTrue(Ipv4Header.verifyChecksum(ECHO_REQUEST, ETH));
        byte[] out = new byte[20];
        r.emit(out, 0);
        assertArrayEquals(java.util.Arrays.copyOfRange(ECHO_REQUEST, ETH, ETH + 20), out, "emit reproduces the kernel's header");

        Ipv4Header.Ipv4Repr reply = Ipv4Header.Ipv4Repr.parse(ECHO_REPLY, ETH, ECHO_REPLY.length - ETH);
        assertFalse(reply.dontFragment(), "Linux sends echo replies without DF");
        assertEquals(0xc0, Ipv4Header.tos(PORT_UNREACH, ETH), "ICMP errors carry precedence internetwork control");
    }

    @Test
    void ipv4BadLengthsAndChecksums() {
        int len = ECHO_REQUEST.length - ETH;
        assertNull(Ipv4Header.Ipv4Repr.parse(ECHO_REQUEST, ETH, 19));
        assertNull(Ipv4Header.Ipv4Repr.parse(ECHO_REQUEST, ETH, len - 1), "total length beyond the buffer");
        byte[] b = ECHO_REQUEST.clone();
        b[ETH] = 0x44;
        assertFalse(Ipv4Header.check(b, ETH, len), "IHL 4");
        b[ETH] = 0x65;
        assertFalse(Ipv4Header.check(b, ETH, len), "version 6");
        b = ECHO_REQUEST.clone();
        b[ETH + Ipv4Header.TTL] ^= 0x10;
        assertFalse(Ipv4Header.verifyChecksum(b, ETH));
    }

    @Test
    void decrementTtlKeepsTheChecksumValid() {
        Random r = new Random(5);
        byte[] b = new byte[20];
        for (int i = 0; i < 100_000; i++) {
            r.nextBytes(b);
            Ipv4Header.setVersionIhl(b, 0, 20);
            b[Ipv4Header.TTL] = (byte) (r.nextInt(254) + 2);
            Ipv4Header.fillChecksum(b, 0);
            int ttl = Ipv4Header.ttl(b, 0);
            Ipv4Header.decrementTtl(b, 0);
            assertEquals(ttl - 1, Ipv4Header.ttl(b, 0));
            assertTrue(Ipv4Header.verifyChecksum(b, 0), "after decrement at iteration " + i);
        }
    }

    @Test
    void recordRouteOptionsParse() {
        Ipv4Options o = new Ipv4Options();
        assertEquals(32, Ipv4Header.headerLength(ECHO_RR, ETH));
        assertEquals(-1, o.compile(ECHO_RR, ETH));
        assertEquals(20, o.rr);
        assertEquals(0, o.srr);
        assertEquals(-1, o.compile(ECHO_RR_REPLY, ETH));
        assertEquals(20, o.rr);
        assertEquals(12, ECHO_RR_REPLY[ETH + 22], "the kernel advanced the RR pointer past both addresses");
    }

    @Test
    void malformedOptionsPointAtTheBadByte() {
        assertEquals(21, compile(7, 0), "length 0");
        assertEquals(21, compile(7, 1), "length 1");
        assertEquals(21, compile(7, 40), "length past the options area");
        assertEquals(22, compile(7, 3, 3), "record-route pointer below 4");
        assertEquals(22, compile(68, 4, 4, 0), "timestamp pointer below 5");
        assertEquals(27, compile(131, 7, 4, 0, 0, 0, 0, 131, 3, 4), "a second source route, at 20 + 7");
        assertEquals(-1, compile(1, 1, 1, 0), "NOPs then end");
        assertEquals(-1, compile(200, 4, 0, 0), "unknown options are skipped");
        assertEquals(23, compile(1, 1, 1, 7), "an option type in the last byte has no length");
    }

    /** An IPv4 header whose options area holds {@code opt} padded with EOL to a multiple of 4. */
    private static int compile(int... opt) {
        int optLen = (opt.length + 3) & ~3;
        byte[] b = new byte[20 + optLen];
        Ipv4Header.setVersionIhl(b, 0, 20 + optLen);
        for (int i = 0; i < opt.length; i++) {
            b[20 + i] = (byte) opt[i];
        }
        return new Ipv4Options().compile(b, 0);
    }

    @Test
    void randomOptionsNeverThrowOrLoop() {
        Random r = new Random(9);
        Ipv4Options o = new Ipv4Options();
        byte[] b = new byte[60];
        for (int i = 0; i < 100_000; i++) {
            r.nextBytes(b);
            Ipv4Header.setVersionIhl(b, 0, 20 + 4 * r.nextInt(11));
            int bad = o.compile(b, 0);
            assertTrue(bad == -1 || (bad >= 20 && bad < Ipv4Header.headerLength(b, 0)), "offset " + bad);
        }
    }

    @Test
    void icmpEchoAndErrors() {
        int icmp = ETH + 20;
        int len = ECHO_REQUEST.length - icmp;
        assertEquals(IcmpHeader.ECHO, IcmpHeader.type(ECHO_REQUEST, icmp));
        assertEquals(0x1234, IcmpHeader.ident(ECHO_REQUEST, icmp));
        assertEquals(1, IcmpHeader.sequence(ECHO_REQUEST, icmp));
        assertTrue(IcmpHeader.verifyChecksum(ECHO_REQUEST, icmp, len));
        assertTrue(IcmpHeader.verifyChecksum(ECHO_REPLY, icmp, len));
        byte[] b = ECHO_REQUEST.clone();
        IcmpHeader.setType(b, icmp, IcmpHeader.ECHO_REPLY);
        IcmpHeader.fillChecksum(b, icmp, len);
        assertArrayEquals(java.util.Arrays.copyOfRange(ECHO_REPLY, icmp, ECHO_REPLY.length),
                java.util.Arrays.copyOfRange(b, icmp, b.length), "a reply is the request with type 0 and a new checksum");
        b[icmp + 10] ^= 1;
        assertFalse(IcmpHeader.verifyChecksum(b, icmp, len));

        IcmpHeader.IcmpRepr err = IcmpHeader.IcmpRepr.parse(PORT_UNREACH, icmp, PORT_UNREACH.length - icmp);
        assertEquals(IcmpHeader.DEST_UNREACH, err.type());
        assertEquals(IcmpHeader.PORT_UNREACH, err.code());
        assertTrue(IcmpHeader.isError(err.type()));
        int quoted = icmp + IcmpHeader.HEADER_LEN;
        assertEquals(IpProtocol.UDP, Ipv4Header.protocol(PORT_UNREACH, quoted));
        assertEquals(Ipv4Address.parse("10.200.0.2").bits(), Ipv4Header.src(PORT_UNREACH, quoted));
        assertNull(IcmpHeader.IcmpRepr.parse(PORT_UNREACH, icmp, 7));
    }

    @Test
    void checksumMatchesANaiveSumAtEveryLengthAndOffset() {
        Random r = new Random(1);
        byte[] b = new byte[200];
        for (int trial = 0; trial < 2000; trial++) {
            r.nextBytes(b);
            int off = r.nextInt(50);
            int len = r.nextInt(101);
            long naive = 0;
            for (int i = 0; i < len; i += 2) {
                naive += (b[off + i] & 0xff) << 8 | (i + 1 < len ? b[off + i + 1] & 0xff : 0);
            }
            while ((naive >>> 16) != 0) {
                naive = (naive & 0xffff) + (naive >>> 16);
            }
            assertEquals((int) naive, Checksum.fold(Checksum.sum(b, off, len, 0)), "len " + len + " off " + off);
        }
    }

    @Test
    void incrementalUpdateAgreesWithRecomputation() {
        Random r = new Random(2);
        byte[] b = new byte[20];
        for (int i = 0; i < 10_000; i++) {
            r.nextBytes(b);
            Ipv4Header.setVersionIhl(b, 0, 20);
            Ipv4Header.fillChecksum(b, 0);
            int old = Bytes.u16(b, 4);
            int now = r.nextInt(65536);
            int patched = Checksum.update16(Ipv4Header.checksum(b, 0), old, now);
            Bytes.setU16(b, 4, now);
            Ipv4Header.fillChecksum(b, 0);
            int full = Ipv4Header.checksum(b, 0);
            assertTrue(patched == full || (patched ^ full) == 0xffff, "0 and 0xffff are the same checksum");
        }
    }

    @Test
    void addressesParseAndPrint() {
        assertEquals("10.1.0.2", Ipv4Address.parse("10.1.0.2").toString());
        assertEquals(0x0a010002, Ipv4Address.parse("10.1.0.2").bits());
        for (String bad : new String[] {"1.2.3", "256.1.1.1", "1..2.3", "", "1.2.3.4.5", "a.b.c.d", "1.2.3.4 "}) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(bad), bad);
        }
        assertEquals("02:aa:bb:cc:dd:01", MacAddress.parse("02:aa:bb:cc:dd:01").toString());
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isMulticast());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:aa:bb:cc:dd"));
        assertEquals(0xffffff00, Ipv4Address.maskOf(24));
        assertEquals(0, Ipv4Address.maskOf(0));
    }
}
