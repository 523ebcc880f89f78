package io.netstack4j.wire;

import static io.netstack4j.wire.Captures.IP;
import static io.netstack4j.wire.Captures.IP_A;
import static io.netstack4j.wire.Captures.IP_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.wire.IcmpHeader.IcmpRepr;
import io.netstack4j.wire.Ipv4Header.Ipv4Repr;
import org.junit.jupiter.api.Test;

class IcmpHeaderTest {

    /** Where ICMP starts in a captured frame without IP options. */
    private static final int ICMP = IP + 20;

    private static int len(byte[] frame, int icmp) {
        return frame.length - icmp;
    }

    @Test
    void viewsReadEveryFieldOfTheCapturedEcho() {
        byte[] b = Captures.ECHO_REQUEST;
        assertEquals(IcmpHeader.ECHO, IcmpHeader.type(b, ICMP));
        assertEquals(0, IcmpHeader.code(b, ICMP));
        assertEquals(0x75c7, IcmpHeader.checksum(b, ICMP));
        assertEquals(0x4eba, IcmpHeader.ident(b, ICMP));
        assertEquals(1, IcmpHeader.sequence(b, ICMP));
        assertEquals(0x4eba0001, IcmpHeader.rest(b, ICMP));
        assertTrue(IcmpHeader.verifyChecksum(b, ICMP, len(b, ICMP)));
        assertFalse(IcmpHeader.isError(IcmpHeader.type(b, ICMP)));
        assertEquals(new IcmpRepr(IcmpHeader.ECHO_REPLY, 0, 0x4eba0001), IcmpRepr.parse(Captures.ECHO_REPLY, ICMP, 24));
    }

    @Test
    void theKernelsReplyIsTheRequestWithTypeZeroAndANewChecksum() {
        byte[] b = Captures.ECHO_REQUEST.clone();
        int n = len(b, ICMP);
        IcmpHeader.setType(b, ICMP, IcmpHeader.ECHO_REPLY);
        IcmpHeader.fillChecksum(b, ICMP, n);
        assertArrayEquals(Captures.slice(Captures.ECHO_REPLY, ICMP, Captures.ECHO_REPLY.length), Captures.slice(b, ICMP, b.length));

        // The same by incremental update: the type/code word went from 0x0800 to 0x0000.
        assertEquals(0x7dc7, Checksum.update16(0x75c7, 0x0800, 0x0000));
    }

    @Test
    void echoesBehindIpOptionsVerifyToo() {
        for (byte[] frame : new byte[][] {Captures.ECHO_RR_REQUEST, Captures.ECHO_RR_REPLY, Captures.ECHO_TS_REQUEST, Captures.ECHO_TS_REPLY}) {
            int icmp = IP + Ipv4Header.headerLength(frame, IP);
            assertEquals(24, len(frame, icmp));
            assertTrue(IcmpHeader.verifyChecksum(frame, icmp, 24));
            assertEquals(1, IcmpHeader.sequence(frame, icmp));
        }
    }

    @Test
    void emitThenFillChecksumReproducesTheCapturedEcho() {
        byte[] out = Captures.ECHO_REQUEST.clone();
        java.util.Arrays.fill(out, ICMP, ICMP + 8, (byte) 0x77);
        IcmpRepr.parse(Captures.ECHO_REQUEST, ICMP, 24).emit(out, ICMP);
        assertEquals(0, IcmpHeader.checksum(out, ICMP), "emit leaves the checksum zero");
        IcmpHeader.fillChecksum(out, ICMP, 24);
        assertArrayEquals(Captures.ECHO_REQUEST, out);
    }

    @Test
    void portUnreachableQuotesTheOffendingDatagram() {
        byte[] b = Captures.PORT_UNREACH;
        int n = len(b, ICMP);
        assertEquals(42, n);
        IcmpRepr err = IcmpRepr.parse(b, ICMP, n);
        assertEquals(new IcmpRepr(IcmpHeader.DEST_UNREACH, IcmpHeader.PORT_UNREACH, 0), err);
        assertTrue(IcmpHeader.isError(err.type()));
        assertTrue(IcmpHeader.verifyChecksum(b, ICMP, n));

        int quoted = ICMP + IcmpHeader.HEADER_LEN;
        Ipv4Repr inner = Ipv4Repr.parse(b, quoted, b.length - quoted);
        assertEquals(new Ipv4Repr(IP_B, IP_A, IpProtocol.UDP, 64, 0, 0x17de, true, false, 0, 14), inner);
        assertArrayEquals(Captures.slice(Captures.UDP_HELLO, IP, Captures.UDP_HELLO.length), Captures.slice(b, quoted, b.length),
                "Linux quotes the whole short datagram");
        assertEquals(9999, Bytes.u16(b, quoted + 20 + 2), "the closed port");

        byte[] out = new byte[n];
        System.arraycopy(b, quoted, out, IcmpHeader.HEADER_LEN, n - IcmpHeader.HEADER_LEN);
        err.emit(out, 0);
        IcmpHeader.fillChecksum(out, 0, n);
        assertArrayEquals(Captures.slice(b, ICMP, b.length), out);
    }

    @Test
    void corruptionIsDetected() {
        byte[] b = Captures.PORT_UNREACH.clone();
        int n = len(b, ICMP);
        for (int i = 0; i < n; i++) {
            b[ICMP + i] ^= 0x04;
            assertFalse(IcmpHeader.verifyChecksum(b, ICMP, n), "byte " + i);
            b[ICMP + i] ^= 0x04;
        }
        assertFalse(IcmpHeader.verifyChecksum(b, ICMP, n - 1), "a truncated message");
    }

    @Test
    void parseNeedsEightBytes() {
        for (int n = 0; n < 8; n++) {
            assertNull(IcmpRepr.parse(Captures.PORT_UNREACH, ICMP, n), "len " + n);
        }
        assertEquals(IcmpHeader.DEST_UNREACH, IcmpRepr.parse(Captures.PORT_UNREACH, ICMP, 8).type());
    }

    @Test
    void secondWordAccessors() {
        byte[] b = new byte[8];
        IcmpHeader.setType(b, 0, IcmpHeader.DEST_UNREACH);
        IcmpHeader.setCode(b, 0, IcmpHeader.FRAG_NEEDED);
        IcmpHeader.setNextHopMtu(b, 0, 1400);
        assertEquals(1400, IcmpHeader.nextHopMtu(b, 0));
        assertEquals(1400, IcmpHeader.rest(b, 0), "RFC 1191: the unused half stays zero");
        IcmpHeader.setRest(b, 0, -1);
        IcmpHeader.setPointer(b, 0, 22);
        assertEquals(22, IcmpHeader.pointer(b, 0));
        assertEquals(22 << 24, IcmpHeader.rest(b, 0), "the pointer is the first byte; the rest is unused");
        IcmpHeader.setIdent(b, 0, 0xbeef);
        IcmpHeader.setSequence(b, 0, 0xffff);
        assertEquals(0xbeefffff, IcmpHeader.rest(b, 0));
        IcmpHeader.setChecksum(b, 0, 0xabcd);
        assertEquals(0xabcd, IcmpHeader.checksum(b, 0));
        assertEquals(IcmpHeader.FRAG_NEEDED, IcmpHeader.code(b, 0));
    }

    @Test
    void errorTypes() {
        for (int type = 0; type < 256; type++) {
            boolean error = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
            assertEquals(error, IcmpHeader.isError(type), "type " + type);
        }
    }
}
