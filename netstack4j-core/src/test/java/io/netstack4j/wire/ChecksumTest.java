package io.netstack4j.wire;

import static io.netstack4j.wire.Captures.IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    /** RFC 1071 section 1, 16 bits at a time with end-around carry after every addition. */
    private static int naiveFold(byte[] b, int off, int len, int initial) {
        int s = initial;
        for (int i = 0; i < len; i += 2) {
            s += (b[off + i] & 0xff) << 8 | (i + 1 < len ? b[off + i + 1] & 0xff : 0);
            s = (s & 0xffff) + (s >>> 16);
        }
        return s;
    }

    @Test
    void sumMatchesAByteAtATimeReferenceForEveryLengthUpTo100() {
        Random r = new Random(1);
        byte[] b = new byte[200];
        for (int len = 0; len <= 100; len++) {
            for (int trial = 0; trial < 200; trial++) {
                r.nextBytes(b);
                int off = r.nextInt(64);
                int initial = r.nextInt(0x10000);
                assertEquals(naiveFold(b, off, len, initial), Checksum.fold(Checksum.sum(b, off, len, initial)),
                        "len " + len + " off " + off + " initial " + initial);
            }
        }
    }

    @Test
    void rfc1071NumericalExample() {
        // RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (carries included).
        byte[] b = Captures.hex("0001f203f4f5f6f7");
        assertEquals(0xddf2, Checksum.fold(Checksum.sum(b, 0, 8, 0)));
        assertEquals(0x220d, Checksum.compute(b, 0, 8));
    }

    @Test
    void foldHandlesEveryCarry() {
        assertEquals(0, Checksum.fold(0));
        assertEquals(0xffff, Checksum.fold(0xffff));
        assertEquals(1, Checksum.fold(0x10000));
        assertEquals(0xffff, Checksum.fold(0xfffe_0001L), "0xfffe + 0x0001");
        assertEquals(0xffff, Checksum.fold(-1L), "all ones stays all ones");
        assertEquals(0xffff, Checksum.finish(0));
        assertEquals(0, Checksum.finish(0xffff));
    }

    @Test
    void piecesChainThroughTheInitialSumEvenPastFourGigabytesOfCarries() {
        // 1 MiB of 0xff: each piece's raw sum is far above 2^32, so chaining must keep the carries.
        byte[] b = new byte[1 << 20];
        java.util.Arrays.fill(b, (byte) 0xff);
        b[12345] = 0x12;
        long whole = Checksum.sum(b, 0, b.length, 0);
        long chained = Checksum.sum(b, 1 << 19, 1 << 19, Checksum.sum(b, 0, 1 << 19, 0));
        assertTrue(Checksum.sum(b, 0, 1 << 19, 0) > 0xffff_ffffL, "the first piece's sum needs more than 32 bits");
        assertEquals(Checksum.fold(whole), Checksum.fold(chained));
        assertEquals(naiveFold(b, 0, b.length, 0), Checksum.fold(chained));
    }

    @Test
    void computeAndVerifyOnACapturedHeader() {
        byte[] b = Captures.ECHO_REQUEST.clone();
        assertTrue(Checksum.verify(b, IP, 20));
        assertEquals(0x1867, Bytes.u16(b, IP + 10), "stored by the kernel");
        Bytes.setU16(b, IP + 10, 0);
        assertEquals(0x1867, Checksum.compute(b, IP, 20), "recomputed over the zeroed field");
        assertFalse(Checksum.verify(b, IP, 20));
    }

    @Test
    void everySingleBitFlipIsDetected() {
        byte[] b = Captures.ECHO_RR_REQUEST.clone();
        for (int bit = 0; bit < 60 * 8; bit++) {
            b[IP + bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            assertFalse(Checksum.verify(b, IP, 60), "bit " + bit);
            b[IP + bit / 8] ^= (byte) (0x80 >>> (bit % 8));
        }
        assertTrue(Checksum.verify(b, IP, 60));
    }

    @Test
    void update16AgreesWithRecomputation() {
        Random r = new Random(2);
        byte[] b = new byte[40];
        for (int i = 0; i < 100_000; i++) {
            r.nextBytes(b);
            b[0] |= 1; // never all zeros: their checksum, 0xffff, is the one value an update never yields
            int field = 2 * r.nextInt(19);
            Bytes.setU16(b, 38, 0);
            Bytes.setU16(b, 38, Checksum.compute(b, 0, 40));
            int oldValue = Bytes.u16(b, field);
            int newValue = r.nextInt(0x10000);
            int patched = Checksum.update16(Bytes.u16(b, 38), oldValue, newValue);
            Bytes.setU16(b, field, newValue);
            Bytes.setU16(b, 38, 0);
            assertEquals(Checksum.compute(b, 0, 40), patched, "iteration " + i);
        }
    }

    @Test
    void pseudoHeaderSumIsWhatVethLeftInTheCapturedUdpChecksum() {
        // veth offloads transmit checksums: the kernel seeds the UDP checksum field with the
        // folded pseudo-header sum (CHECKSUM_PARTIAL, udp4_hwcsum) and leaves the rest to the
        // device, so that is what the capture holds.
        byte[] b = Captures.UDP_HELLO.clone();
        int udp = IP + 20;
        int udpLen = b.length - udp;
        long pseudo = Checksum.pseudoHeaderSum(Captures.IP_B.bits(), Captures.IP_A.bits(), IpProtocol.UDP, udpLen);
        assertEquals(0x15b2, Checksum.fold(pseudo));
        assertEquals(Checksum.fold(pseudo), Bytes.u16(b, udp + 6));

        // Completing it as a device would (sum from the UDP header on, seeded field included)
        // gives the checksum RFC 768 defines over pseudo-header, header and data.
        int completed = Checksum.compute(b, udp, udpLen);
        Bytes.setU16(b, udp + 6, 0);
        assertEquals(Checksum.finish(Checksum.sum(b, udp, udpLen, pseudo)), completed);
        Bytes.setU16(b, udp + 6, completed);
        assertEquals(0xffff, Checksum.fold(Checksum.sum(b, udp, udpLen, pseudo)), "the completed datagram verifies");

        // RFC 768: src, dst, zero, protocol, UDP length.
        byte[] pseudoBytes = new byte[12];
        Bytes.setU32(pseudoBytes, 0, Captures.IP_B.bits());
        Bytes.setU32(pseudoBytes, 4, Captures.IP_A.bits());
        pseudoBytes[9] = (byte) IpProtocol.UDP;
        Bytes.setU16(pseudoBytes, 10, udpLen);
        assertEquals(naiveFold(pseudoBytes, 0, 12, 0), Checksum.fold(pseudo));
    }
}
