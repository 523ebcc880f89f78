package io.netstack4j.wire;

/**
 * What the options of one IPv4 header hold, as Linux's {@code struct ip_options}: filled by
 * {@link #compile} and reused packet after packet (no allocation). Offsets are from the start
 * of the IP header; 0 means absent.
 */
public final class Ipv4Options {

    public static final int OPT_END = 0;
    public static final int OPT_NOOP = 1;
    public static final int OPT_SEC = 130;
    public static final int OPT_LSRR = 131;
    public static final int OPT_TIMESTAMP = 68;
    public static final int OPT_CIPSO = 134;
    public static final int OPT_RR = 7;
    public static final int OPT_SID = 136;
    public static final int OPT_SSRR = 137;
    public static final int OPT_RA = 148;

    /** Bytes of options (header length - 20). */
    public int optLen;
    /** Loose or strict source route option. */
    public int srr;
    public boolean isStrictRoute;
    /** Record route option. */
    public int rr;
    /** Timestamp option. */
    public int ts;
    /** Router alert (RFC 2113). */
    public int routerAlert;
    public int cipso;

    public void clear() {
        optLen = 0;
        srr = 0;
        isStrictRoute = false;
        rr = 0;
        ts = 0;
        routerAlert = 0;
        cipso = 0;
    }

    /**
     * Parses the options of the header at {@code ipHeaderOff} ({@code __ip_options_compile}).
     * The caller has checked the header with {@link Ipv4Header#check}. Returns -1 when the
     * options are well-formed, else the offset from the header start of the offending byte: the
     * pointer an ICMP parameter problem carries (RFC 1122 3.2.2.5). Bounded by the options
     * length: every step advances at least one byte, so no input loops or throws.
     */
    public int compile(byte[] b, int ipHeaderOff) {
        clear();
        int hlen = Ipv4Header.headerLength(b, ipHeaderOff);
        optLen = hlen - Ipv4Header.MIN_LEN;
        int i = Ipv4Header.MIN_LEN;
        while (i < hlen) {
            int type = b[ipHeaderOff + i] & 0xff;
            if (type == OPT_END) {
                break;
            }
            if (type == OPT_NOOP) {
                i++;
                continue;
            }
            if (i + 1 >= hlen) {
                return i;
            }
            int len = b[ipHeaderOff + i + 1] & 0xff;
            if (len < 2 || i + len > hlen) {
                return i + 1;
            }
            switch (type) {
                case OPT_SSRR, OPT_LSRR -> {
                    if (len < 3) {
                        return i + 1;
                    }
                    int ptr = b[ipHeaderOff + i + 2] & 0xff;
                    if (ptr < 4 || ((ptr - 4) & 3) != 0) {
                        return i + 2;
                    }
                    if (srr != 0) {
                        return i;
                    }
                    srr = i;
                    isStrictRoute = type == OPT_SSRR;
                }
                case OPT_RR -> {
                    if (len < 3) {
                        return i + 1;
                    }
                    int ptr = b[ipHeaderOff + i + 2] & 0xff;
                    if (ptr < 4 || ((ptr - 4) & 3) != 0) {
                        return i + 2;
                    }
                    if (rr != 0) {
                        return i;
                    }
                    rr = i;
                }
                case OPT_TIMESTAMP -> {
                    if (len < 4) {
                        return i + 1;
                    }
                    int ptr = b[ipHeaderOff + i + 2] & 0xff;
                    if (ptr < 5) {
                        return i + 2;
                    }
                    if (ts != 0) {
                        return i;
                    }
                    ts = i;
                }
                case OPT_RA -> {
                    if (len < 4) {
                        return i + 1;
                    }
                    routerAlert = i;
                }
                case OPT_CIPSO -> cipso = i;
                default -> {
                    // Unknown options are skipped by their length (RFC 1122 3.2.1.8).
                }
            }
            i += len;
        }
        return -1;
    }
}
