package io.netstack4j.wire;

/**
 * The IPv4 header (RFC 791 section 3.1), a view over bytes:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |  VER_IHL=0, TOS=1, TOTAL_LENGTH=2
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |  IDENT=4, FLAGS_FRAG=6
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |  TTL=8, PROTOCOL=9, CHECKSUM=10
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |  SRC=12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |  DST=16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |  20 up to IHL*4 (MAX_LEN=60)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Flags (bits 0-2 of the word at {@link #FLAGS_FRAG}): reserved, DF ({@link #FLAG_DF}), MF
 * ({@link #FLAG_MF}); the fragment offset counts 8-byte units and the accessors convert it to
 * bytes.
 *
 * <p>Contract, as smoltcp's: once {@link #check} has passed for a buffer, no accessor here can
 * fail on it. Accessors neither allocate nor throw, beyond an index exception when a caller
 * skipped the check.
 */
public final class Ipv4Header {

    public static final int VER_IHL = 0;
    public static final int TOS = 1;
    public static final int TOTAL_LENGTH = 2;
    public static final int IDENT = 4;
    public static final int FLAGS_FRAG = 6;
    public static final int TTL = 8;
    public static final int PROTOCOL = 9;
    public static final int CHECKSUM = 10;
    public static final int SRC = 12;
    public static final int DST = 16;
    public static final int MIN_LEN = 20;
    public static final int MAX_LEN = 60;

    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int OFFSET_MASK = 0x1fff;

    private Ipv4Header() {
    }

    /** True when {@code len} bytes hold a complete IPv4 header: version 4, IHL >= 5, header within len. */
    public static boolean check(byte[] b, int off, int len) {
        return len >= MIN_LEN && version(b, off) == 4 && ihl(b, off) >= 5 && headerLength(b, off) <= len;
    }

    public static int version(byte[] b, int off) {
        return (b[off + VER_IHL] & 0xff) >>> 4;
    }

    /** Header length in 32-bit words. */
    public static int ihl(byte[] b, int off) {
        return b[off + VER_IHL] & 0x0f;
    }

    /** Header length in bytes. */
    public static int headerLength(byte[] b, int off) {
        return (b[off + VER_IHL] & 0x0f) << 2;
    }

    public static int tos(byte[] b, int off) {
        return b[off + TOS] & 0xff;
    }

    public static int totalLength(byte[] b, int off) {
        return Bytes.u16(b, off + TOTAL_LENGTH);
    }

    public static int ident(byte[] b, int off) {
        return Bytes.u16(b, off + IDENT);
    }

    public static boolean dontFragment(byte[] b, int off) {
        return (Bytes.u16(b, off + FLAGS_FRAG) & FLAG_DF) != 0;
    }

    public static boolean moreFragments(byte[] b, int off) {
        return (Bytes.u16(b, off + FLAGS_FRAG) & FLAG_MF) != 0;
    }

    /** Fragment offset in bytes (the field counts 8-byte units). */
    public static int fragmentOffset(byte[] b, int off) {
        return (Bytes.u16(b, off + FLAGS_FRAG) & OFFSET_MASK) << 3;
    }

    /** True for any fragment: MF set or a non-zero offset ({@code ip_is_fragment}). */
    public static boolean isFragment(byte[] b, int off) {
        return (Bytes.u16(b, off + FLAGS_FRAG) & (FLAG_MF | OFFSET_MASK)) != 0;
    }

    public static int ttl(byte[] b, int off) {
        return b[off + TTL] & 0xff;
    }

    public static int protocol(byte[] b, int off) {
        return b[off + PROTOCOL] & 0xff;
    }

    public static int checksum(byte[] b, int off) {
        return Bytes.u16(b, off + CHECKSUM);
    }

    public static int src(byte[] b, int off) {
        return Bytes.u32(b, off + SRC);
    }

    public static int dst(byte[] b, int off) {
        return Bytes.u32(b, off + DST);
    }

    /** Writes version 4 and the IHL for a header of {@code headerLenBytes} (a multiple of 4). */
    public static void setVersionIhl(byte[] b, int off, int headerLenBytes) {
        b[off + VER_IHL] = (byte) (0x40 | (headerLenBytes >>> 2));
    }

    public static void setTos(byte[] b, int off, int tos) {
        b[off + TOS] = (byte) tos;
    }

    public static void setTotalLength(byte[] b, int off, int len) {
        Bytes.setU16(b, off + TOTAL_LENGTH, len);
    }

    public static void setIdent(byte[] b, int off, int id) {
        Bytes.setU16(b, off + IDENT, id);
    }

    public static void setFlagsFragment(byte[] b, int off, boolean df, boolean mf, int offsetBytes) {
        Bytes.setU16(b, off + FLAGS_FRAG, (df ? FLAG_DF : 0) | (mf ? FLAG_MF : 0) | ((offsetBytes >>> 3) & OFFSET_MASK));
    }

    public static void setTtl(byte[] b, int off, int ttl) {
        b[off + TTL] = (byte) ttl;
    }

    public static void setProtocol(byte[] b, int off, int protocol) {
        b[off + PROTOCOL] = (byte) protocol;
    }

    public static void setSrc(byte[] b, int off, int addr) {
        Bytes.setU32(b, off + SRC, addr);
    }

    public static void setDst(byte[] b, int off, int addr) {
        Bytes.setU32(b, off + DST, addr);
    }

    public static void setChecksum(byte[] b, int off, int checksum) {
        Bytes.setU16(b, off + CHECKSUM, checksum);
    }

    /** Computes and stores the header checksum over {@link #headerLength} bytes, options included. */
    public static void fillChecksum(byte[] b, int off) {
        Bytes.setU16(b, off + CHECKSUM, 0);
        Bytes.setU16(b, off + CHECKSUM, Checksum.compute(b, off, headerLength(b, off)));
    }

    /** True when the header, options included, sums to all ones (RFC 1122 3.2.1.2). */
    public static boolean verifyChecksum(byte[] b, int off) {
        return Checksum.verify(b, off, headerLength(b, off));
    }

    /**
     * Lowers the TTL by one, patches the checksum incrementally and returns the new TTL
     * ({@code ip_decrease_ttl}, RFC 1624): the TTL is the high byte of the TTL/protocol word, so
     * that word drops by 0x0100. The result is bit for bit what Linux stores. The caller has
     * already dropped a packet whose TTL is 1 or less (RFC 1812 5.3.1, {@code ip_forward}); a
     * TTL of 0 would wrap to 255.
     */
    public static int decrementTtl(byte[] b, int off) {
        int oldWord = Bytes.u16(b, off + TTL);
        b[off + TTL]--;
        int newWord = Bytes.u16(b, off + TTL);
        Bytes.setU16(b, off + CHECKSUM, Checksum.update16(checksum(b, off), oldWord, newWord));
        return ttl(b, off);
    }

    /** The parsed fixed header; options are skipped, not rejected. */
    public record Ipv4Repr(Ipv4Address src, Ipv4Address dst, int protocol, int ttl, int tos, int ident, boolean dontFragment,
            boolean moreFragments, int fragmentOffset, int payloadLength) {

        /** Null when the header is malformed or the total length does not fit in {@code len}. */
        public static Ipv4Repr parse(byte[] b, int off, int len) {
            if (!check(b, off, len)) {
                return null;
            }
            int hlen = Ipv4Header.headerLength(b, off);
            int total = totalLength(b, off);
            if (total < hlen || total > len) {
                return null;
            }
            return new Ipv4Repr(new Ipv4Address(Ipv4Header.src(b, off)), new Ipv4Address(Ipv4Header.dst(b, off)),
                    Ipv4Header.protocol(b, off), Ipv4Header.ttl(b, off), Ipv4Header.tos(b, off), Ipv4Header.ident(b, off),
                    Ipv4Header.dontFragment(b, off), Ipv4Header.moreFragments(b, off), Ipv4Header.fragmentOffset(b, off),
                    total - hlen);
        }

        /** The length {@link #emit} writes: 20, since a repr carries no options. */
        public int headerLength() {
            return MIN_LEN;
        }

        /** Writes a 20-byte header (IHL 5, no options) with its checksum. */
        public void emit(byte[] b, int off) {
            setVersionIhl(b, off, MIN_LEN);
            setTos(b, off, tos);
            setTotalLength(b, off, MIN_LEN + payloadLength);
            setIdent(b, off, ident);
            setFlagsFragment(b, off, dontFragment, moreFragments, fragmentOffset);
            setTtl(b, off, ttl);
            setProtocol(b, off, protocol);
            setSrc(b, off, src.bits());
            setDst(b, off, dst.bits());
            fillChecksum(b, off);
        }
    }
}
