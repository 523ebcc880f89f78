package io.netstack4j.wire;

import static io.netstack4j.wire.Captures.IP;
import static io.netstack4j.wire.Captures.IP_A;
import static io.netstack4j.wire.Captures.IP_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.wire.UdpHeader.UdpRepr;
import org.junit.jupiter.api.Test;

class UdpHeaderTest {

    /** Where UDP starts in the captured frame (no IP options). */
    private static final int UDP = IP + 20;

    @Test
    void viewsReadEveryFieldOfTheCapturedDatagram() {
        byte[] b = Captures.UDP_HELLO;
        assertEquals(44630, UdpHeader.srcPort(b, UDP));
        assertEquals(9999, UdpHeader.dstPort(b, UDP));
        assertEquals(14, UdpHeader.length(b, UDP));
        assertEquals(0x15b2, UdpHeader.checksum(b, UDP));
        assertEquals(new UdpRepr(44630, 9999, 14, 0x15b2), UdpRepr.parse(b, UDP, 14));
        assertNull(UdpRepr.parse(b, UDP, 7));
    }

    @Test
    void theCapturedPartialChecksumIsThePseudoHeaderSumAndFillingCompletesIt() {
        // The capture holds CHECKSUM_PARTIAL: the folded pseudo-header sum, not a valid checksum.
        byte[] b = Captures.UDP_HELLO.clone();
        assertEquals(0x15b2, Checksum.fold(Checksum.pseudoHeaderSum(IP_B.bits(), IP_A.bits(), IpProtocol.UDP, 14)));
        assertFalse(UdpHeader.verifyChecksum(b, UDP, 14, IP_B.bits(), IP_A.bits()));
        UdpHeader.fillChecksum(b, UDP, 14, IP_B.bits(), IP_A.bits());
        assertTrue(UdpHeader.verifyChecksum(b, UDP, 14, IP_B.bits(), IP_A.bits()));
        assertFalse(UdpHeader.verifyChecksum(b, UDP, 14, IP_A.bits(), IP_B.bits() + 1), "the pseudo-header is covered");
        // Completing the partial sum the way a device does gives the same value.
        Bytes.setU16(b, UDP + UdpHeader.CHECKSUM, 0x15b2);
        int byDevice = Checksum.finish(Checksum.sum(b, UDP, 14, 0));
        UdpHeader.fillChecksum(b, UDP, 14, IP_B.bits(), IP_A.bits());
        assertEquals(byDevice, UdpHeader.checksum(b, UDP));
    }

    @Test
    void zeroMeansNoChecksumAndAComputedZeroIsSentAsAllOnes() {
        byte[] b = Captures.UDP_HELLO.clone();
        UdpHeader.setChecksum(b, UDP, 0);
        assertTrue(UdpHeader.verifyChecksum(b, UDP, 14, 1, 2), "RFC 768: zero means the sender computed none");

        // Choose data so that the checksum computes to zero: the sum must fold to 0xffff.
        byte[] d = new byte[10];
        new UdpRepr(1, 2, 10, 0).emit(d, 0);
        long partial = Checksum.sum(d, 0, 10, Checksum.pseudoHeaderSum(0, 0, IpProtocol.UDP, 10));
        int fill = ~Checksum.fold(partial) & 0xffff;
        Bytes.setU16(d, 8, fill);
        UdpHeader.fillChecksum(d, 0, 10, 0, 0);
        assertEquals(0xffff, UdpHeader.checksum(d, 0));
        assertTrue(UdpHeader.verifyChecksum(d, 0, 10, 0, 0), "0xffff is -0 and verifies");
    }

    @Test
    void emitWritesWhatParseReads() {
        byte[] b = new byte[8];
        new UdpRepr(53, 40000, 8, 0).emit(b, 0);
        assertArrayEquals(new byte[] {0, 53, (byte) 0x9c, 0x40, 0, 8, 0, 0}, b);
        assertEquals(new UdpRepr(53, 40000, 8, 0), UdpRepr.parse(b, 0, 8));
    }
}
