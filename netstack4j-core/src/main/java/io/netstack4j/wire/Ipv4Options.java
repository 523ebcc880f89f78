package io.netstack4j.wire;

/**
 * What the options of one IPv4 header hold, as Linux's {@code struct ip_options}: filled by
 * {@link #compile} and reused packet after packet (no allocation). Offsets are from the start
 * of the IP header; 0 means absent (no option can start before byte 20).
 *
 * <p>Each option is a type byte, then for all but EOL and NOP a length byte counting the type
 * and length bytes themselves, then data (RFC 791 section 3.1). The route and timestamp
 * options carry a one-based pointer, relative to the option, at their third byte:
 *
 * <pre>
 * +--------+--------+--------+---------//--------+
 * |  type  | length |pointer |    route data     |   RR (7), LSRR (131), SSRR (137)
 * +--------+--------+--------+---------//--------+
 * +--------+--------+--------+--------+---------//--------+
 * |  type  | length |pointer |oflw|flg|  timestamps ...    |   TS (68)
 * +--------+--------+--------+--------+---------//--------+
 * </pre>
 */
public final class Ipv4Options {

    public static final int OPT_END = 0;
    public static final int OPT_NOOP = 1;
    public static final int OPT_RR = 7;
    public static final int OPT_TIMESTAMP = 68;
    public static final int OPT_SEC = 130;
    public static final int OPT_LSRR = 131;
    public static final int OPT_CIPSO = 134;
    public static final int OPT_SID = 136;
    public static final int OPT_SSRR = 137;
    public static final int OPT_RA = 148;

    /** Timestamp flags (the low nibble of the TS option's fourth byte), RFC 791. */
    public static final int TS_TSONLY = 0;
    public static final int TS_TSANDADDR = 1;
    public static final int TS_PRESPEC = 3;

    /** The smallest CIPSO option Linux's {@code cipso_v4_validate} accepts. */
    private static final int CIPSO_MIN_LEN = 8;

    /** Bytes of options: header length - 20. */
    public int optLen;
    /** Offset of the loose or strict source route option. */
    public int srr;
    /** True when {@link #srr} is a strict source route (SSRR). */
    public boolean isStrictRoute;
    /** Offset of the record route option. */
    public int rr;
    /** Offset of the timestamp option. */
    public int ts;
    /** Offset of a router alert option (RFC 2113) with value 0, "router shall examine packet". */
    public int routerAlert;
    /** Offset of the CIPSO option (its DOI is not validated here). */
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
     * Parses the options area of the header at {@code ipHeaderOff} (bytes 20 up to the header
     * length), as Linux's {@code __ip_options_compile} does for a received packet but without
     * changing any byte. The caller has run {@link Ipv4Header#check} on the header.
     *
     * <p>Returns -1 when the options are well-formed, else the offset from the header start of
     * the offending byte: the pointer an ICMP parameter problem carries (RFC 1122 3.2.2.5). As
     * in Linux, a missing or bad length points at the option's type byte, a short length at the
     * length byte, a bad pointer at the pointer byte, a duplicate option at its type byte and a
     * timestamp overflow counter that cannot count further at the overflow/flags byte.
     *
     * <p>Every step advances at least one byte and every read stays inside the options area
     * already measured, so no input loops or throws.
     */
    public int compile(byte[] b, int ipHeaderOff) {
        clear();
        int hlen = Ipv4Header.headerLength(b, ipHeaderOff);
        optLen = Math.max(0, hlen - Ipv4Header.MIN_LEN);
        int i = Ipv4Header.MIN_LEN;
        while (i < hlen) {
            int type = b[ipHeaderOff + i] & 0xff;
            if (type == OPT_END) {
                return -1;
            }
            if (type == OPT_NOOP) {
                i++;
                continue;
            }
            if (hlen - i < 2) {
                return i;
            }
            int len = b[ipHeaderOff + i + 1] & 0xff;
            if (len < 2 || len > hlen - i) {
                return i;
            }
            int bad = switch (type) {
                case OPT_LSRR, OPT_SSRR -> sourceRoute(b, ipHeaderOff, i, len, type == OPT_SSRR);
                case OPT_RR -> recordRoute(b, ipHeaderOff, i, len);
                case OPT_TIMESTAMP -> timestamp(b, ipHeaderOff, i, len);
                case OPT_RA -> routerAlert(b, ipHeaderOff, i, len);
                case OPT_CIPSO -> cipso(i, len);
                // Unknown options, and SEC/SID, are skipped by their length (RFC 1122 3.2.1.8:
                // "MUST ignore options it does not implement").
                default -> -1;
            };
            if (bad >= 0) {
                return bad;
            }
            i += len;
        }
        return -1;
    }

    private int sourceRoute(byte[] b, int ip, int i, int len, boolean strict) {
        if (len < 3) {
            return i + 1;
        }
        int ptr = b[ip + i + 2] & 0xff;
        if (ptr < 4) {
            return i + 2;
        }
        // RFC 1812 5.2.4.1: a source route option appears at most once.
        if (srr != 0) {
            return i;
        }
        srr = i;
        isStrictRoute = strict;
        return -1;
    }

    private int recordRoute(byte[] b, int ip, int i, int len) {
        if (rr != 0) {
            return i;
        }
        if (len < 3) {
            return i + 1;
        }
        int ptr = b[ip + i + 2] & 0xff;
        if (ptr < 4) {
            return i + 2;
        }
        // A pointer inside the option must leave room for a whole address; past it, the
        // option is full and is passed on unchanged (RFC 791).
        if (ptr <= len && ptr + 3 > len) {
            return i + 2;
        }
        rr = i;
        return -1;
    }

    private int timestamp(byte[] b, int ip, int i, int len) {
        if (ts != 0) {
            return i;
        }
        if (len < 4) {
            return i + 1;
        }
        int ptr = b[ip + i + 2] & 0xff;
        if (ptr < 5) {
            return i + 2;
        }
        int flags = b[ip + i + 3] & 0x0f;
        if (ptr <= len) {
            int slot = flags == TS_TSANDADDR || flags == TS_PRESPEC ? 8 : 4;
            if (ptr + slot - 1 > len) {
                return i + 2;
            }
        } else if (flags != TS_PRESPEC && (b[ip + i + 3] & 0xf0) == 0xf0) {
            // The option is full and the overflow count would wrap (RFC 791: "If the
            // overflow count itself overflows, the original datagram is considered to be in
            // error").
            return i + 3;
        }
        ts = i;
        return -1;
    }

    private int routerAlert(byte[] b, int ip, int i, int len) {
        if (len < 4) {
            return i + 1;
        }
        if (b[ip + i + 2] == 0 && b[ip + i + 3] == 0) {
            routerAlert = i;
        }
        return -1;
    }

    private int cipso(int i, int len) {
        if (cipso != 0) {
            return i;
        }
        if (len < CIPSO_MIN_LEN) {
            return i + 1;
        }
        cipso = i;
        return -1;
    }
}
