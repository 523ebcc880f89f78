package io.netstack4j.wire;

/** IP protocol numbers (IANA, Linux {@code IPPROTO_*}). Unknown numbers are kept, never rejected. */
public final class IpProtocol {

    public static final int ICMP = 1;
    public static final int IGMP = 2;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int GRE = 47;
    public static final int ICMPV6 = 58;
    public static final int SCTP = 132;

    private IpProtocol() {
    }

    /** The lower-case name iproute2 and tshark use, or the number. */
    public static String name(int protocol) {
        return switch (protocol) {
            case ICMP -> "icmp";
            case IGMP -> "igmp";
            case TCP -> "tcp";
            case UDP -> "udp";
            case GRE -> "gre";
            case ICMPV6 -> "ipv6-icmp";
            case SCTP -> "sctp";
            default -> Integer.toString(protocol);
        };
    }
}
