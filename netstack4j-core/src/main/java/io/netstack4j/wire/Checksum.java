package io.netstack4j.wire;

/**
 * The Internet checksum (RFC 1071): the ones'-complement of the ones'-complement sum of 16-bit
 * words. Summed eight bytes at a time into a 64-bit accumulator whose carries are folded at the
 * end, which gives the same result as the 16-bit definition (RFC 1071 section 2(B)). Each
 * step adds under 2^34, so a 64-bit accumulator cannot overflow for any array Java can hold
 * below 2^33 bytes.
 */
public final class Checksum {

    private Checksum() {
    }

    /**
     * Adds {@code len} bytes at {@code off} to a running sum. The data is taken as 16-bit
     * big-endian words, an odd last byte padded with zero; {@code off} may be odd only when it
     * starts the data (sums of pieces must start pieces at even offsets relative to the whole).
     */
    public static long sum(byte[] b, int off, int len, long initial) {
        long acc = initial & 0xffff_ffffL;
        int i = off;
        int end = off + len;
        while (end - i >= 8) {
            long w = (long) Bytes.U64.get(b, i);
            acc += (w >>> 32) + (w & 0xffff_ffffL);
            i += 8;
        }
        while (end - i >= 2) {
            acc += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
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

    public static int compute(byte[] b, int off, int len) {
        return finish(sum(b, off, len, 0));
    }

    /** True when the data, checksum field included, sums to all ones. */
    public static boolean verify(byte[] b, int off, int len) {
        return fold(sum(b, off, len, 0)) == 0xffff;
    }

    /**
     * Patches a checksum after one 16-bit field changed from {@code oldField} to {@code newField},
     * RFC 1624 equation 3: HC' = ~(~HC + ~m + m').
     */
    public static int update16(int oldChecksum, int oldField, int newField) {
        long s = (~oldChecksum & 0xffff) + (~oldField & 0xffff) + (newField & 0xffff);
        return ~fold(s) & 0xffff;
    }

    /** The sum of the TCP/UDP pseudo-header (RFC 793 / RFC 768) for IPv4. */
    public static long pseudoHeaderSum(int srcBits, int dstBits, int protocol, int length) {
        return (srcBits >>> 16) + (srcBits & 0xffff) + (dstBits >>> 16) + (dstBits & 0xffff) + protocol + length;
    }
}
