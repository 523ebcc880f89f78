package io.netstack4j.wire;

/**
 * The Ethernet II header (IEEE 802.3 / RFC 894), a view over bytes:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  destination address (6 bytes)                |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                    source address (6 bytes)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           ethertype           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Callers check that {@link #HEADER_LEN} bytes are present first; then no accessor can fail.
 */
public final class EthernetHeader {

    public static final int DST = 0;
    public static final int SRC = 6;
    public static final int TYPE = 12;
    public static final int HEADER_LEN = 14;
    /** The shortest frame on the wire, without the FCS: shorter ones are padded. */
    public static final int MIN_FRAME_LEN = 60;

    private EthernetHeader() {
    }

    public static long dst(byte[] b, int off) {
        return MacAddress.readBits(b, off + DST);
    }

    public static long src(byte[] b, int off) {
        return MacAddress.readBits(b, off + SRC);
    }

    public static int etherType(byte[] b, int off) {
        return Bytes.u16(b, off + TYPE);
    }

    public static void setDst(byte[] b, int off, long mac) {
        MacAddress.write(mac, b, off + DST);
    }

    public static void setSrc(byte[] b, int off, long mac) {
        MacAddress.write(mac, b, off + SRC);
    }

    public static void setEtherType(byte[] b, int off, int type) {
        Bytes.setU16(b, off + TYPE, type);
    }

    /** The parsed header. */
    public record EthernetRepr(MacAddress dst, MacAddress src, int etherType) {

        /** Null when fewer than 14 bytes are available. */
        public static EthernetRepr parse(byte[] b, int off, int len) {
            if (len < HEADER_LEN) {
                return null;
            }
            return new EthernetRepr(MacAddress.read(b, off + DST), MacAddress.read(b, off + SRC), EthernetHeader.etherType(b, off));
        }

        public void emit(byte[] b, int off) {
            setDst(b, off, dst.bits());
            setSrc(b, off, src.bits());
            setEtherType(b, off, etherType);
        }
    }
}
