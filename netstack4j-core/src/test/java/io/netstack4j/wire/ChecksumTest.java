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

    // The eight-byte loop is unrolled and vectorized by the JIT, then finishes with a four-byte,
    // a two-byte and an odd-byte step; these cover every way a length and an offset can split
    // across those steps, compared with the byte-pair reference above.

    @Test
    void everyLengthUpTo600AtEveryOffsetModulo16MatchesTheReference() {
        Random r = new Random(2);
        byte[] b = new byte[700];
        for (int len = 0; len <= 600; len++) {
            r.nextBytes(b);
            for (int off = 0; off < 16; off++) {
                int initial = r.nextInt(0x10000);
                assertEquals(naiveFold(b, off, len, initial), Checksum.fold(Checksum.sum(b, off, len, initial)), "len " + len + " off " + off);
            }
        }
    }

    @Test
    void allOnesAtEveryLengthAndOffsetCarriesIntoTheSameSum() {
        byte[] b = new byte[700];
        java.util.Arrays.fill(b, (byte) 0xff);
        for (int len = 0; len <= 600; len++) {
            for (int off = 0; off < 16; off++) {
                assertEquals(naiveFold(b, off, len, 0), Checksum.fold(Checksum.sum(b, off, len, 0)), "len " + len + " off " + off);
            }
        }
        byte[] big = new byte[65535 + 3];
        java.util.Arrays.fill(big, (byte) 0xff);
        for (int off = 0; off < 4; off++) {
            assertEquals(naiveFold(big, off, 65535, 0), Checksum.fold(Checksum.sum(big, off, 65535, 0)), "65535 bytes at " + off);
            assertEquals(0xff00, Checksum.fold(Checksum.sum(big, off, 65535, 0)),
                    "32767 words of 0xffff and a last 0xff00 fold to 0xff00 (ones' complement: 0xffff is zero)");
        }
    }

    @Test
    void aSumThatWrapsToNegativeZeroFoldsToAllOnesNotZero() {
        // 0xff00 + 0x00ff = 0xffff, and 0xfffe + 0x0001 likewise: ones' complement "-0", never 0.
        byte[] b = Captures.hex("ff0000fffffe0001");
        for (int len = 2; len <= 8; len += 2) {
            assertEquals(naiveFold(b, 0, len, 0), Checksum.fold(Checksum.sum(b, 0, len, 0)), "len " + len);
        }
        assertEquals(0xffff, Checksum.fold(Checksum.sum(b, 0, 8, 0)));
        assertEquals(0, Checksum.compute(b, 0, 8));
        assertEquals(0, Checksum.fold(Checksum.sum(new byte[64], 3, 61, 0)), "only all-zero data sums to +0");
    }

    @Test
    void wideInitialSumsFoldTheSameThroughEveryStep() {
        Random r = new Random(3);
        byte[] b = new byte[300];
        r.nextBytes(b);
        for (int len = 0; len <= 260; len += 13) {
            long initial = r.nextLong();
            int initialFolded = Checksum.fold(initial);
            assertEquals(naiveFold(b, 5, len, initialFolded), Checksum.fold(Checksum.sum(b, 5, len, initial)), "len " + len);
        }
    }

    @Test
    void evenPiecesOfAJumboSegmentChainToTheWholeSum() {
        Random r = new Random(4);
        byte[] b = new byte[65535 + 7];
        r.nextBytes(b);
        int off = 7;
        int len = 65535;
        int whole = Checksum.fold(Checksum.sum(b, off, len, 0));
        assertEquals(naiveFold(b, off, len, 0), whole);
        for (int trial = 0; trial < 50; trial++) {
            long acc = 0;
            int at = off;
            int left = len;
            while (left > 0) {
                int piece = Math.min(left, 2 * (1 + r.nextInt(1000)));
                acc = Checksum.sum(b, at, piece, acc);
                at += piece;
                left -= piece;
            }
            assertEquals(whole, Checksum.fold(acc), "trial " + trial);
        }
    }
}
