package io.netstack4j.wire;

/**
 * The Internet checksum (RFC 1071): the ones'-complement of the ones'-complement sum of 16-bit
 * words. Summed eight bytes at a time into a 64-bit accumulator whose carries are folded at the
 * end, which gives the same result as the 16-bit definition (RFC 1071 section 2(C), parallel
 * summation: carries out of any word size fold back into the same 16-bit sum). Each
 * eight-byte step adds two 32-bit halves, under 2^33; an array holds under 2^31 bytes, so the
 * accumulator stays below 2^62 and cannot overflow.
 */
public final class Checksum {

    private Checksum() {
    }

    /**
     * Adds {@code len} bytes at {@code off} to a running sum ({@code csum_partial}). The data is
     * taken as 16-bit big-endian words, an odd last byte padded with zero. To sum a message in
     * pieces, pass each piece's result as the next one's {@code initial}; every piece but the
     * last must have an even length, since an odd one would shift the bytes that follow. Any
     * 64-bit value is a valid {@code initial}: it is taken as unsigned and folded first, which
     * keeps its ones'-complement value because 2^32 is 1 modulo 0xffff.
     */
    public static long sum(byte[] b, int off, int len, long initial) {
        long acc = (initial & 0xffff_ffffL) + (initial >>> 32);
        int end = off + len;
        int i = off;
        // A counted loop (an int index compared with a fixed bound, a constant stride): C2
        // unrolls it and vectorizes the reduction. The form "while (end - i >= 8)" is not
        // recognised as one and runs about 20 times slower over a 1500-byte packet
        // (ChecksumJmh, docs/BENCHMARKS.md).
        for (int last = end - 8; i <= last; i += 8) {
            long w = (long) Bytes.U64.get(b, i);
            acc += (w >>> 32) + (w & 0xffff_ffffL);
        }
        if (end - i >= 4) {
            acc += Bytes.u32(b, i) & 0xffff_ffffL;
            i += 4;
        }
        if (end - i >= 2) {
            acc += Bytes.u16(b, i);
            i += 2;
        }
        if (i < end) {
            acc += (b[i] & 0xff) << 8;
        }
        return acc;
    }

    /** Folds a sum to 16 bits with end-around carry (not complemented). */
    public static int fold(long sum) {
        long s = (sum & 0xffff_ffffL) + (sum >>> 32);
        s = (s & 0xffff_ffffL) + (s >>> 32);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }

    /** The value to store in a checksum field for data that summed to {@code sum}. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xffff;
    }

    /** The checksum of {@code len} bytes: the value to store in the (zeroed) checksum field. */
    public static int compute(byte[] b, int off, int len) {
        return finish(sum(b, off, len, 0));
    }

    /** True when the data, checksum field included, sums to all ones. */
    public static boolean verify(byte[] b, int off, int len) {
        return fold(sum(b, off, len, 0)) == 0xffff;
    }

    /**
     * Patches a checksum after one 16-bit field changed from {@code oldField} to {@code newField},
     * RFC 1624 equation 3: HC' = ~(~HC + ~m + m'). Never returns 0xffff (the "-0" RFC 1624
     * section 3 warns about), so the result equals a full recomputation over any data that is
     * not all zeros.
     */
    public static int update16(int oldChecksum, int oldField, int newField) {
        long s = (~oldChecksum & 0xffff) + (~oldField & 0xffff) + (newField & 0xffff);
        return ~fold(s) & 0xffff;
    }

    /**
     * The sum of the IPv4 pseudo-header (RFC 768, RFC 9293 section 3.1): source, destination,
     * zero and protocol, and the TCP/UDP length. Pass it as {@code initial} to {@link #sum} over
     * the transport header and data.
     */
    public static long pseudoHeaderSum(int srcBits, int dstBits, int protocol, int length) {
        return (srcBits >>> 16) + (srcBits & 0xffff) + (dstBits >>> 16) + (dstBits & 0xffff) + protocol + length;
    }
}
