package io.netstack4j.wire;

/**
 * The UDP header (RFC 768), a view over bytes:
 *
 * <pre>
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |     Source      |   Destination   |  SRC_PORT=0, DST_PORT=2
 * |      Port       |      Port       |
 * +--------+--------+--------+--------+
 * |                 |                 |  LENGTH=4, CHECKSUM=6
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 * |          data octets ...
 * +---------------- ...
 * </pre>
 *
 * The length counts the header and the data. The checksum covers a pseudo-header (source and
 * destination address, zero, protocol 17 and the UDP length), the header and the data; a
 * transmitted 0 means "no checksum" (RFC 768, allowed for IPv4 by RFC 1122 4.1.3.4), so a
 * computed 0 is sent as 0xffff. Callers check that {@link #HEADER_LEN} bytes are present
 * first; then no accessor can fail.
 */
public final class UdpHeader {

    public static final int SRC_PORT = 0;
    public static final int DST_PORT = 2;
    public static final int LENGTH = 4;
    public static final int CHECKSUM = 6;
    public static final int HEADER_LEN = 8;
    /** The largest payload an IPv4 datagram without options can carry: 65535 - 20 - 8. */
    public static final int MAX_PAYLOAD_IPV4 = 65507;

    private UdpHeader() {
    }

    public static int srcPort(byte[] b, int off) {
        return Bytes.u16(b, off + SRC_PORT);
    }

    public static int dstPort(byte[] b, int off) {
        return Bytes.u16(b, off + DST_PORT);
    }

    /** The UDP length field: header plus data, in bytes. */
    public static int length(byte[] b, int off) {
        return Bytes.u16(b, off + LENGTH);
    }

    public static int checksum(byte[] b, int off) {
        return Bytes.u16(b, off + CHECKSUM);
    }

    public static void setSrcPort(byte[] b, int off, int port) {
        Bytes.setU16(b, off + SRC_PORT, port);
    }

    public static void setDstPort(byte[] b, int off, int port) {
        Bytes.setU16(b, off + DST_PORT, port);
    }

    public static void setLength(byte[] b, int off, int length) {
        Bytes.setU16(b, off + LENGTH, length);
    }

    public static void setChecksum(byte[] b, int off, int checksum) {
        Bytes.setU16(b, off + CHECKSUM, checksum);
    }

    /**
     * Computes and stores the checksum over the pseudo-header and the {@code len} bytes of
     * header and data at {@code off}. RFC 768: "If the computed checksum is zero, it is
     * transmitted as all ones".
     */
    public static void fillChecksum(byte[] b, int off, int len, int srcBits, int dstBits) {
        Bytes.setU16(b, off + CHECKSUM, 0);
        int c = Checksum.finish(Checksum.sum(b, off, len, Checksum.pseudoHeaderSum(srcBits, dstBits, IpProtocol.UDP, len)));
        Bytes.setU16(b, off + CHECKSUM, c == 0 ? 0xffff : c);
    }

    /**
     * True when the checksum field is 0 (none was sent) or the pseudo-header, header and data
     * sum to all ones ({@code udp_lib_checksum_complete}).
     */
    public static boolean verifyChecksum(byte[] b, int off, int len, int srcBits, int dstBits) {
        if (checksum(b, off) == 0) {
            return true;
        }
        return Checksum.fold(Checksum.sum(b, off, len, Checksum.pseudoHeaderSum(srcBits, dstBits, IpProtocol.UDP, len))) == 0xffff;
    }

    /** The parsed header. */
    public record UdpRepr(int srcPort, int dstPort, int length, int checksum) {

        /** Null when fewer than 8 bytes are available. */
        public static UdpRepr parse(byte[] b, int off, int len) {
            return len < HEADER_LEN ? null : new UdpRepr(UdpHeader.srcPort(b, off), UdpHeader.dstPort(b, off), UdpHeader.length(b, off), UdpHeader.checksum(b, off));
        }

        /**
         * Writes the 8 header bytes with a zero checksum; write the data after it, then call
         * {@link UdpHeader#fillChecksum} over header and data.
         */
        public void emit(byte[] b, int off) {
            setSrcPort(b, off, srcPort);
            setDstPort(b, off, dstPort);
            setLength(b, off, length);
            Bytes.setU16(b, off + CHECKSUM, 0);
        }
    }
}
