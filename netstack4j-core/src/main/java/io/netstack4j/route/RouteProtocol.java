package io.netstack4j.route;

/**
 * Who installed a route ({@code RTPROT_*}): kept with the route, shown as {@code proto X} and
 * usable as a delete selector. Any value 0..255 is legal; the names are those of iproute2's
 * {@code /etc/iproute2/rt_protos}.
 */
public final class RouteProtocol {

    public static final int UNSPEC = 0;
    /** Installed by an ICMP redirect (not used by IPv4 routes today). */
    public static final int REDIRECT = 1;
    /** Installed by the kernel itself: the routes that follow interface addresses. */
    public static final int KERNEL = 2;
    /** Installed during boot; the default of {@code ip route add}, and never printed. */
    public static final int BOOT = 3;
    /** Installed by the administrator on purpose ({@code proto static}). */
    public static final int STATIC = 4;

    private static final String[] NAMES = new String[256];

    static {
        NAMES[UNSPEC] = "unspec";
        NAMES[REDIRECT] = "redirect";
        NAMES[KERNEL] = "kernel";
        NAMES[BOOT] = "boot";
        NAMES[STATIC] = "static";
        NAMES[8] = "gated";
        NAMES[9] = "ra";
        NAMES[10] = "mrt";
        NAMES[11] = "zebra";
        NAMES[12] = "bird";
        NAMES[13] = "dnrouted";
        NAMES[14] = "xorp";
        NAMES[15] = "ntk";
        NAMES[16] = "dhcp";
        NAMES[18] = "keepalived";
        NAMES[42] = "babel";
        NAMES[99] = "openr";
        NAMES[186] = "bgp";
        NAMES[187] = "isis";
        NAMES[188] = "ospf";
        NAMES[189] = "rip";
        NAMES[192] = "eigrp";
    }

    private RouteProtocol() {
    }

    /** The name iproute2 prints, or the number when it has none. */
    public static String name(int protocol) {
        String name = protocol >= 0 && protocol < 256 ? NAMES[protocol] : null;
        return name != null ? name : Integer.toString(protocol);
    }

    /** Parses a protocol name or number as {@code ip route ... proto X} does. */
    public static int parse(String text) {
        for (int i = 0; i < NAMES.length; i++) {
            if (text.equals(NAMES[i])) {
                return i;
            }
        }
        return RouteScope.parseNumber(text, "protocol");
    }
}
