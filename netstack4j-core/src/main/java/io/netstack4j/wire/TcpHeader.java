package io.netstack4j.wire;

/**
 * The TCP header (RFC 9293 section 3.1), a view over bytes:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |  SRC_PORT=0, DST_PORT=2
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |  SEQ=4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |  ACK=8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |  DOFF=12, FLAGS=13
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |  WINDOW=14
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |  CHECKSUM=16, URG_PTR=18
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (data offset - 5 words)            |
 * </pre>
 *
 * Sequence numbers are 32-bit values compared modulo 2^32 ({@link #before}, {@link #after}).
 * Callers check that {@link #MIN_LEN} bytes are present and that the data offset lies within
 * the segment ({@link #checkLength}) first; then no accessor can fail.
 */
public final class TcpHeader {

    public static final int SRC_PORT = 0;
    public static final int DST_PORT = 2;
    public static final int SEQ = 4;
    public static final int ACK = 8;
    public static final int DOFF = 12;
    public static final int FLAGS = 13;
    public static final int WINDOW = 14;
    public static final int CHECKSUM = 16;
    public static final int URG_PTR = 18;
    public static final int MIN_LEN = 20;
    public static final int MAX_LEN = 60;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK_FLAG = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    private TcpHeader() {
    }

    public static int srcPort(byte[] b, int off) {
        return Bytes.u16(b, off + SRC_PORT);
    }

    public static int dstPort(byte[] b, int off) {
        return Bytes.u16(b, off + DST_PORT);
    }

    public static int seq(byte[] b, int off) {
        return Bytes.u32(b, off + SEQ);
    }

    public static int ack(byte[] b, int off) {
        return Bytes.u32(b, off + ACK);
    }

    /** The header length in bytes (data offset times 4). */
    public static int headerLength(byte[] b, int off) {
        return (Bytes.u8(b, off + DOFF) >>> 4) * 4;
    }

    public static int flags(byte[] b, int off) {
        return Bytes.u8(b, off + FLAGS);
    }

    public static int window(byte[] b, int off) {
        return Bytes.u16(b, off + WINDOW);
    }

    public static int checksum(byte[] b, int off) {
        return Bytes.u16(b, off + CHECKSUM);
    }

    public static int urgentPointer(byte[] b, int off) {
        return Bytes.u16(b, off + URG_PTR);
    }

    /**
     * True when a segment of {@code len} bytes holds a whole header: at least 20 bytes and a
     * data offset of at least 5 words that does not run past the segment.
     */
    public static boolean checkLength(byte[] b, int off, int len) {
        if (len < MIN_LEN) {
            return false;
        }
        int hl = headerLength(b, off);
        return hl >= MIN_LEN && hl <= len;
    }

    public static void setSrcPort(byte[] b, int off, int v) {
        Bytes.setU16(b, off + SRC_PORT, v);
    }

    public static void setDstPort(byte[] b, int off, int v) {
        Bytes.setU16(b, off + DST_PORT, v);
    }

    public static void setSeq(byte[] b, int off, int v) {
        Bytes.setU32(b, off + SEQ, v);
    }

    public static void setAck(byte[] b, int off, int v) {
        Bytes.setU32(b, off + ACK, v);
    }

    /** Sets the data offset from a header length in bytes (a multiple of 4, 20..60). */
    public static void setHeaderLength(byte[] b, int off, int len) {
        Bytes.setU8(b, off + DOFF, (len / 4) << 4);
    }

    public static void setFlags(byte[] b, int off, int flags) {
        Bytes.setU8(b, off + FLAGS, flags);
    }

    public static void setWindow(byte[] b, int off, int v) {
        Bytes.setU16(b, off + WINDOW, v);
    }

    public static void setUrgentPointer(byte[] b, int off, int v) {
        Bytes.setU16(b, off + URG_PTR, v);
    }

    /** Computes and stores the checksum over the pseudo-header and {@code len} bytes of header and data. */
    public static void fillChecksum(byte[] b, int off, int len, int srcBits, int dstBits) {
        Bytes.setU16(b, off + CHECKSUM, 0);
        Bytes.setU16(b, off + CHECKSUM, Checksum.finish(Checksum.sum(b, off, len, Checksum.pseudoHeaderSum(srcBits, dstBits, IpProtocol.TCP, len))));
    }

    /** True when the pseudo-header, header and data sum to all ones. */
    public static boolean verifyChecksum(byte[] b, int off, int len, int srcBits, int dstBits) {
        return Checksum.fold(Checksum.sum(b, off, len, Checksum.pseudoHeaderSum(srcBits, dstBits, IpProtocol.TCP, len))) == 0xffff;
    }

    /** {@code before(a, b)}: a comes before b in sequence space (modulo 2^32). */
    public static boolean before(int a, int b) {
        return a - b < 0;
    }

    /** {@code after(a, b)}. */
    public static boolean after(int a, int b) {
        return b - a < 0;
    }

    /** {@code between(x, lo, hi)}: lo <= x <= hi in sequence space. */
    public static boolean between(int x, int lo, int hi) {
        return Integer.compareUnsigned(hi - lo, x - lo) >= 0;
    }

    /** The flags as tcpdump prints them, e.g. "S.", "P.", "F.", "R". */
    public static String flagString(int flags) {
        StringBuilder s = new StringBuilder();
        if ((flags & FIN) != 0) {
            s.append('F');
        }
        if ((flags & SYN) != 0) {
            s.append('S');
        }
        if ((flags & RST) != 0) {
            s.append('R');
        }
        if ((flags & PSH) != 0) {
            s.append('P');
        }
        if ((flags & URG) != 0) {
            s.append('U');
        }
        if ((flags & ECE) != 0) {
            s.append('E');
        }
        if ((flags & CWR) != 0) {
            s.append('W');
        }
        if ((flags & ACK_FLAG) != 0) {
            s.append('.');
        }
        return s.isEmpty() ? "none" : s.toString();
    }
}
