package io.netstack4j.wire;

import static io.netstack4j.wire.Captures.IP;
import static io.netstack4j.wire.Captures.IP_A;
import static io.netstack4j.wire.Captures.IP_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.wire.Ipv4Header.Ipv4Repr;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ipv4HeaderTest {

    private static int len(byte[] frame) {
        return frame.length - IP;
    }

    private static Ipv4Repr parse(byte[] frame) {
        return Ipv4Repr.parse(frame, IP, len(frame));
    }

    @Test
    void viewsReadEveryFieldOfTheCapturedEchoRequest() {
        byte[] b = Captures.ECHO_REQUEST;
        assertTrue(Ipv4Header.check(b, IP, len(b)));
        assertEquals(4, Ipv4Header.version(b, IP));
        assertEquals(5, Ipv4Header.ihl(b, IP));
        assertEquals(20, Ipv4Header.headerLength(b, IP));
        assertEquals(0, Ipv4Header.tos(b, IP));
        assertEquals(44, Ipv4Header.totalLength(b, IP));
        assertEquals(0x0cd8, Ipv4Header.ident(b, IP));
        assertTrue(Ipv4Header.dontFragment(b, IP), "sockets set DF by default: path MTU discovery (ip_no_pmtu_disc = 0)");
        assertFalse(Ipv4Header.moreFragments(b, IP));
        assertEquals(0, Ipv4Header.fragmentOffset(b, IP));
        assertFalse(Ipv4Header.isFragment(b, IP));
        assertEquals(64, Ipv4Header.ttl(b, IP));
        assertEquals(IpProtocol.ICMP, Ipv4Header.protocol(b, IP));
        assertEquals(0x1867, Ipv4Header.checksum(b, IP));
        assertTrue(Ipv4Header.verifyChecksum(b, IP));
        assertEquals(IP_B.bits(), Ipv4Header.src(b, IP));
        assertEquals(IP_A.bits(), Ipv4Header.dst(b, IP));
    }

    @Test
    void parseReadsEveryCapturedDatagram() {
        assertEquals(new Ipv4Repr(IP_B, IP_A, IpProtocol.ICMP, 64, 0, 0x0cd8, true, false, 0, 24), parse(Captures.ECHO_REQUEST));
        assertEquals(new Ipv4Repr(IP_A, IP_B, IpProtocol.ICMP, 64, 0, 0x38a8, false, false, 0, 24), parse(Captures.ECHO_REPLY));
        assertEquals(new Ipv4Repr(IP_B, IP_A, IpProtocol.UDP, 64, 0, 0x17de, true, false, 0, 14), parse(Captures.UDP_HELLO));
        assertEquals(new Ipv4Repr(IP_A, IP_B, IpProtocol.ICMP, 64, 0xc0, 0x38ac, false, false, 0, 42), parse(Captures.PORT_UNREACH),
                "ICMP errors go out with precedence internetwork control");
        Ipv4Repr rr = parse(Captures.ECHO_RR_REQUEST);
        assertEquals(60, Ipv4Header.headerLength(Captures.ECHO_RR_REQUEST, IP));
        assertEquals(24, rr.payloadLength(), "options are skipped, not counted as payload");
        assertEquals(0x0cd9, rr.ident());
    }

    @Test
    void emitReproducesTheKernelsHeaders() {
        for (byte[] frame : new byte[][] {Captures.ECHO_REQUEST, Captures.ECHO_REPLY, Captures.UDP_HELLO, Captures.PORT_UNREACH}) {
            Ipv4Repr r = parse(frame);
            byte[] out = new byte[1 + r.headerLength()];
            r.emit(out, 1);
            assertArrayEquals(Captures.slice(frame, IP, IP + 20), Captures.slice(out, 1, out.length), r.toString());
        }
        assertEquals(20, parse(Captures.ECHO_RR_REQUEST).headerLength(), "a repr emits no options");
    }

    @Test
    void settersBuildTheCapturedHeaderFieldByField() {
        byte[] out = new byte[20];
        Ipv4Header.setVersionIhl(out, 0, 20);
        Ipv4Header.setTos(out, 0, 0xc0);
        Ipv4Header.setTotalLength(out, 0, 62);
        Ipv4Header.setIdent(out, 0, 0x38ac);
        Ipv4Header.setFlagsFragment(out, 0, false, false, 0);
        Ipv4Header.setTtl(out, 0, 64);
        Ipv4Header.setProtocol(out, 0, IpProtocol.ICMP);
        Ipv4Header.setSrc(out, 0, IP_A.bits());
        Ipv4Header.setDst(out, 0, IP_B.bits());
        Ipv4Header.fillChecksum(out, 0);
        assertArrayEquals(Captures.slice(Captures.PORT_UNREACH, IP, IP + 20), out);
        Ipv4Header.setChecksum(out, 0, 0x1234);
        assertEquals(0x1234, Ipv4Header.checksum(out, 0));
    }

    @Test
    void fillChecksumCoversTheOptions() {
        byte[] b = Captures.ECHO_RR_REPLY.clone();
        Ipv4Header.setChecksum(b, IP, 0);
        Ipv4Header.fillChecksum(b, IP);
        assertEquals(0xaf26, Ipv4Header.checksum(b, IP), "what the kernel stored");
        b[IP + 59] = 1;
        assertFalse(Ipv4Header.verifyChecksum(b, IP), "a changed option byte breaks the checksum");
    }

    @Test
    void fragmentFieldsCountBytes() {
        byte[] b = Captures.ECHO_REQUEST.clone();
        Ipv4Header.setFlagsFragment(b, IP, false, true, 1480);
        assertEquals(0x2000 | 185, Bytes.u16(b, IP + Ipv4Header.FLAGS_FRAG), "1480 bytes is 185 units of 8");
        assertTrue(Ipv4Header.moreFragments(b, IP));
        assertFalse(Ipv4Header.dontFragment(b, IP));
        assertEquals(1480, Ipv4Header.fragmentOffset(b, IP));
        assertTrue(Ipv4Header.isFragment(b, IP));
        Ipv4Header.setFlagsFragment(b, IP, false, false, 65528);
        assertEquals(65528, Ipv4Header.fragmentOffset(b, IP), "the largest offset");
        assertTrue(Ipv4Header.isFragment(b, IP), "a last fragment: MF clear, offset set");
        Ipv4Header.setFlagsFragment(b, IP, true, false, 0);
        assertFalse(Ipv4Header.isFragment(b, IP), "DF alone is not a fragment");
        Ipv4Header.setFlagsFragment(b, IP, false, true, 0);
        assertTrue(Ipv4Header.isFragment(b, IP), "a first fragment: MF set, offset 0");
    }

    @Test
    void checkAndParseRefuseTruncatedOrMalformedHeaders() {
        byte[] b = Captures.ECHO_REQUEST;
        for (int n = 0; n < 20; n++) {
            assertFalse(Ipv4Header.check(b, IP, n), "len " + n);
            assertNull(Ipv4Repr.parse(b, IP, n), "len " + n);
        }
        assertTrue(Ipv4Header.check(b, IP, 20), "the header alone passes check");
        assertNull(Ipv4Repr.parse(b, IP, len(b) - 1), "total length 44 beyond 43 bytes");
        assertEquals(24, Ipv4Repr.parse(b, IP, len(b)).payloadLength());

        byte[] rr = Captures.ECHO_RR_REQUEST;
        assertFalse(Ipv4Header.check(rr, IP, 59), "IHL 15 needs 60 bytes");
        assertTrue(Ipv4Header.check(rr, IP, 60));

        byte[] c = b.clone();
        c[IP] = 0x44;
        assertFalse(Ipv4Header.check(c, IP, len(c)), "IHL 4");
        c[IP] = 0x65;
        assertFalse(Ipv4Header.check(c, IP, len(c)), "version 6");
        assertNull(Ipv4Repr.parse(c, IP, len(c)));
        c = b.clone();
        Ipv4Header.setTotalLength(c, IP, 19);
        assertNull(Ipv4Repr.parse(c, IP, len(c)), "total length shorter than the header");
        c = b.clone();
        Ipv4Header.setTotalLength(c, IP, 40);
        assertEquals(20, Ipv4Repr.parse(c, IP, len(c)).payloadLength(), "bytes past the total length are link padding");
    }

    @Test
    void aCorruptedByteFailsTheChecksum() {
        for (int i = 0; i < 20; i++) {
            byte[] b = Captures.ECHO_REPLY.clone();
            b[IP + i] ^= 0x21;
            assertFalse(Ipv4Header.verifyChecksum(b, IP), "byte " + i);
        }
    }

    @Test
    void decrementTtlPatchesTheCapturedChecksum() {
        byte[] b = Captures.ECHO_RR_REQUEST.clone();
        assertEquals(63, Ipv4Header.decrementTtl(b, IP));
        assertEquals(63, Ipv4Header.ttl(b, IP));
        assertTrue(Ipv4Header.verifyChecksum(b, IP));
        assertEquals(0xdc64, Ipv4Header.checksum(b, IP), "0xdb64 + 0x0100");
    }

    @Test
    void decrementTtlKeepsRandomHeadersValid() {
        Random r = new Random(5);
        byte[] b = new byte[60];
        for (int i = 0; i < 100_000; i++) {
            r.nextBytes(b);
            int hlen = 20 + 4 * r.nextInt(11);
            Ipv4Header.setVersionIhl(b, 0, hlen);
            int ttl = 2 + r.nextInt(254);
            Ipv4Header.setTtl(b, 0, ttl);
            Ipv4Header.fillChecksum(b, 0);
            assertEquals(ttl - 1, Ipv4Header.decrementTtl(b, 0));
            assertTrue(Ipv4Header.verifyChecksum(b, 0), "iteration " + i);
            int expected = Ipv4Header.checksum(b, 0);
            Ipv4Header.fillChecksum(b, 0);
            assertEquals(Ipv4Header.checksum(b, 0), expected, "the same bits as a full recomputation");
        }
    }

    @Test
    void decrementTtlStoresWhatLinuxStoresForEveryChecksum() {
        // ip_decrease_ttl: check += htons(0x0100); check += (check >= 0xffff); stored as 16 bits.
        byte[] b = Captures.ECHO_REQUEST.clone();
        for (int check = 0; check <= 0xffff; check++) {
            Ipv4Header.setTtl(b, IP, 64);
            Ipv4Header.setChecksum(b, IP, check);
            Ipv4Header.decrementTtl(b, IP);
            int linux = check + 0x0100;
            linux = (linux + (linux >= 0xffff ? 1 : 0)) & 0xffff;
            assertEquals(linux, Ipv4Header.checksum(b, IP), "checksum " + Integer.toHexString(check));
        }
    }
}
