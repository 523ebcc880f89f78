package io.netstack4j.wire;

/**
 * An ARP packet for IPv4 over Ethernet (RFC 826), a view over bytes:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Hardware Type         |         Protocol Type         |  HTYPE=0, PTYPE=2
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      HLEN     |      PLEN     |           Operation           |  HLEN=4, PLEN=5, OPER=6
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Sender Hardware Address (SHA) bytes 0-3            |  SHA=8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         SHA bytes 4-5         |         SPA bytes 0-1         |  SPA=14
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         SPA bytes 2-3         |         THA bytes 0-1         |  THA=18
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Target Hardware Address (THA) bytes 2-5            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Target Protocol Address (TPA)                 |  TPA=24
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Callers check {@link #isEthernetIpv4} first; then no accessor can fail.
 */
public final class ArpPacket {

    public static final int HTYPE = 0;
    public static final int PTYPE = 2;
    public static final int HLEN = 4;
    public static final int PLEN = 5;
    public static final int OPER = 6;
    public static final int SHA = 8;
    public static final int SPA = 14;
    public static final int THA = 18;
    public static final int TPA = 24;
    public static final int LEN = 28;

    public static final int HTYPE_ETHERNET = 1;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    private ArpPacket() {
    }

    /** True for a complete Ethernet/IPv4 ARP packet: the only kind this stack speaks. */
    public static boolean isEthernetIpv4(byte[] b, int off, int len) {
        return len >= LEN && Bytes.u16(b, off + HTYPE) == HTYPE_ETHERNET && Bytes.u16(b, off + PTYPE) == EtherType.IPV4
                && (b[off + HLEN] & 0xff) == 6 && (b[off + PLEN] & 0xff) == 4;
    }

    public static int hardwareType(byte[] b, int off) {
        return Bytes.u16(b, off + HTYPE);
    }

    public static int protocolType(byte[] b, int off) {
        return Bytes.u16(b, off + PTYPE);
    }

    /** Hardware address length in bytes (6 for Ethernet). */
    public static int hardwareLength(byte[] b, int off) {
        return b[off + HLEN] & 0xff;
    }

    /** Protocol address length in bytes (4 for IPv4). */
    public static int protocolLength(byte[] b, int off) {
        return b[off + PLEN] & 0xff;
    }

    public static int operation(byte[] b, int off) {
        return Bytes.u16(b, off + OPER);
    }

    public static long senderHw(byte[] b, int off) {
        return MacAddress.readBits(b, off + SHA);
    }

    public static int senderIp(byte[] b, int off) {
        return Bytes.u32(b, off + SPA);
    }

    public static long targetHw(byte[] b, int off) {
        return MacAddress.readBits(b, off + THA);
    }

    public static int targetIp(byte[] b, int off) {
        return Bytes.u32(b, off + TPA);
    }

    /** Writes the fixed Ethernet/IPv4 preamble (types and lengths) and the operation. */
    public static void setEthernetIpv4(byte[] b, int off, int operation) {
        Bytes.setU16(b, off + HTYPE, HTYPE_ETHERNET);
        Bytes.setU16(b, off + PTYPE, EtherType.IPV4);
        b[off + HLEN] = 6;
        b[off + PLEN] = 4;
        Bytes.setU16(b, off + OPER, operation);
    }

    public static void setHardwareType(byte[] b, int off, int htype) {
        Bytes.setU16(b, off + HTYPE, htype);
    }

    public static void setProtocolType(byte[] b, int off, int ptype) {
        Bytes.setU16(b, off + PTYPE, ptype);
    }

    public static void setHardwareLength(byte[] b, int off, int hlen) {
        b[off + HLEN] = (byte) hlen;
    }

    public static void setProtocolLength(byte[] b, int off, int plen) {
        b[off + PLEN] = (byte) plen;
    }

    public static void setOperation(byte[] b, int off, int operation) {
        Bytes.setU16(b, off + OPER, operation);
    }

    public static void setSenderHw(byte[] b, int off, long mac) {
        MacAddress.write(mac, b, off + SHA);
    }

    public static void setSenderIp(byte[] b, int off, int ip) {
        Bytes.setU32(b, off + SPA, ip);
    }

    public static void setTargetHw(byte[] b, int off, long mac) {
        MacAddress.write(mac, b, off + THA);
    }

    public static void setTargetIp(byte[] b, int off, int ip) {
        Bytes.setU32(b, off + TPA, ip);
    }

    /**
     * The parsed packet. Unknown operations are kept (RFC 826 answers only requests; RARP and
     * InARP opcodes pass through for the layer above to count).
     */
    public record ArpRepr(int operation, MacAddress senderHw, Ipv4Address senderIp, MacAddress targetHw, Ipv4Address targetIp) {

        /** Null unless the bytes are a complete Ethernet/IPv4 ARP packet. */
        public static ArpRepr parse(byte[] b, int off, int len) {
            if (!isEthernetIpv4(b, off, len)) {
                return null;
            }
            return new ArpRepr(ArpPacket.operation(b, off), new MacAddress(ArpPacket.senderHw(b, off)), new Ipv4Address(ArpPacket.senderIp(b, off)),
                    new MacAddress(ArpPacket.targetHw(b, off)), new Ipv4Address(ArpPacket.targetIp(b, off)));
        }

        /** Writes all 28 bytes. */
        public void emit(byte[] b, int off) {
            setEthernetIpv4(b, off, operation);
            setSenderHw(b, off, senderHw.bits());
            setSenderIp(b, off, senderIp.bits());
            setTargetHw(b, off, targetHw.bits());
            setTargetIp(b, off, targetIp.bits());
        }
    }
}
