package io.netstack4j.wire;

/**
 * The ICMP header (RFC 792), a view over bytes:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Type     |      Code     |            Checksum           |  TYPE=0, CODE=1, CHECKSUM=2
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Identifier          |        Sequence Number        |  echo, timestamp: ID=4, SEQUENCE=6
 * |    Pointer    |                     unused                    |  parameter problem: POINTER=4
 * |             unused            |          Next-Hop MTU         |  frag needed (RFC 1191): NEXT_HOP_MTU=6
 * |                    Gateway Internet Address                   |  redirect
 * |                             unused                            |  other errors: UNUSED=4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Data: echo data, or the offending IP header + 64 bits ...
 * </pre>
 *
 * The second word is one of the alternatives above, chosen by the type; {@link #rest} reads it
 * whole. Callers check that {@link #HEADER_LEN} bytes are present first; then no accessor can
 * fail.
 */
public final class IcmpHeader {

    public static final int TYPE = 0;
    public static final int CODE = 1;
    public static final int CHECKSUM = 2;
    public static final int ID = 4;
    public static final int SEQUENCE = 6;
    public static final int UNUSED = 4;
    public static final int POINTER = 4;
    public static final int NEXT_HOP_MTU = 6;
    public static final int HEADER_LEN = 8;

    public static final int ECHO_REPLY = 0;
    public static final int DEST_UNREACH = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int REDIRECT = 5;
    public static final int ECHO = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;
    public static final int TIMESTAMP = 13;
    public static final int TIMESTAMP_REPLY = 14;

    public static final int NET_UNREACH = 0;
    public static final int HOST_UNREACH = 1;
    public static final int PROT_UNREACH = 2;
    public static final int PORT_UNREACH = 3;
    public static final int FRAG_NEEDED = 4;
    public static final int SR_FAILED = 5;
    public static final int NET_UNKNOWN = 6;
    public static final int HOST_UNKNOWN = 7;
    public static final int NET_ANO = 9;
    public static final int HOST_ANO = 10;
    public static final int PKT_FILTERED = 13;

    public static final int EXC_TTL = 0;
    public static final int EXC_FRAGTIME = 1;

    private IcmpHeader() {
    }

    /** True for the error messages (RFC 1122 3.2.2: never answered with another error). */
    public static boolean isError(int type) {
        return type == DEST_UNREACH || type == SOURCE_QUENCH || type == REDIRECT || type == TIME_EXCEEDED
                || type == PARAMETER_PROBLEM;
    }

    public static int type(byte[] b, int off) {
        return b[off + TYPE] & 0xff;
    }

    public static int code(byte[] b, int off) {
        return b[off + CODE] & 0xff;
    }

    public static int checksum(byte[] b, int off) {
        return Bytes.u16(b, off + CHECKSUM);
    }

    public static int ident(byte[] b, int off) {
        return Bytes.u16(b, off + ID);
    }

    public static int sequence(byte[] b, int off) {
        return Bytes.u16(b, off + SEQUENCE);
    }

    /** RFC 1191: the next-hop MTU of a frag-needed message. */
    public static int nextHopMtu(byte[] b, int off) {
        return Bytes.u16(b, off + NEXT_HOP_MTU);
    }

    /** The second 32-bit word ("rest of header") as bits. */
    public static int rest(byte[] b, int off) {
        return Bytes.u32(b, off + UNUSED);
    }

    /** RFC 792: the octet of the original datagram a parameter problem points at. */
    public static int pointer(byte[] b, int off) {
        return b[off + POINTER] & 0xff;
    }

    public static void setType(byte[] b, int off, int type) {
        b[off + TYPE] = (byte) type;
    }

    public static void setCode(byte[] b, int off, int code) {
        b[off + CODE] = (byte) code;
    }

    public static void setChecksum(byte[] b, int off, int checksum) {
        Bytes.setU16(b, off + CHECKSUM, checksum);
    }

    public static void setIdent(byte[] b, int off, int id) {
        Bytes.setU16(b, off + ID, id);
    }

    public static void setSequence(byte[] b, int off, int seq) {
        Bytes.setU16(b, off + SEQUENCE, seq);
    }

    public static void setNextHopMtu(byte[] b, int off, int mtu) {
        Bytes.setU16(b, off + NEXT_HOP_MTU, mtu);
    }

    /** Writes a parameter problem's pointer and zeroes the three unused bytes after it. */
    public static void setPointer(byte[] b, int off, int pointer) {
        Bytes.setU32(b, off + POINTER, (pointer & 0xff) << 24);
    }

    public static void setRest(byte[] b, int off, int rest) {
        Bytes.setU32(b, off + UNUSED, rest);
    }

    /** Computes and stores the checksum over the whole message of {@code len} bytes. */
    public static void fillChecksum(byte[] b, int off, int len) {
        Bytes.setU16(b, off + CHECKSUM, 0);
        Bytes.setU16(b, off + CHECKSUM, Checksum.compute(b, off, len));
    }

    public static boolean verifyChecksum(byte[] b, int off, int len) {
        return Checksum.verify(b, off, len);
    }

    /**
     * The parsed header: type, code and the second 32-bit word ("rest of header": identifier
     * and sequence, pointer, gateway or next-hop MTU, by type).
     */
    public record IcmpRepr(int type, int code, int rest) {

        /** Null when fewer than 8 bytes are available. */
        public static IcmpRepr parse(byte[] b, int off, int len) {
            return len < HEADER_LEN ? null : new IcmpRepr(IcmpHeader.type(b, off), IcmpHeader.code(b, off), IcmpHeader.rest(b, off));
        }

        /**
         * Writes the 8 header bytes with a zero checksum. It does not fill the checksum, which
         * covers the data after the header too: write the data, then call
         * {@link IcmpHeader#fillChecksum} over the whole message.
         */
        public void emit(byte[] b, int off) {
            setType(b, off, type);
            setCode(b, off, code);
            Bytes.setU16(b, off + CHECKSUM, 0);
            setRest(b, off, rest);
        }
    }
}
