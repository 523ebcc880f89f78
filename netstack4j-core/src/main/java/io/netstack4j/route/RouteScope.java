package io.netstack4j.route;

/**
 * Route scopes ({@code RT_SCOPE_*}, {@code include/uapi/linux/rtnetlink.h}): how far away the
 * destination of a route is. A larger number is a narrower scope; a lookup asking for scope S
 * only accepts routes whose scope is S or narrower ({@code fib_table_lookup}).
 *
 * <p>Plain {@code int} constants rather than an enum because any value 0..255 is legal and the
 * lookup compares them numerically on the hot path.
 */
public final class RouteScope {

    /** {@code RT_SCOPE_UNIVERSE}, printed "global": reached through a gateway. */
    public static final int UNIVERSE = 0;
    /** {@code RT_SCOPE_SITE}: interior routes (unused by IPv4 in practice). */
    public static final int SITE = 200;
    /** {@code RT_SCOPE_LINK}: on the attached link. */
    public static final int LINK = 253;
    /** {@code RT_SCOPE_HOST}: this host's own addresses. */
    public static final int HOST = 254;
    /** {@code RT_SCOPE_NOWHERE}: no destination; also the "any scope" wildcard of a delete. */
    public static final int NOWHERE = 255;

    private RouteScope() {
    }

    /** The name iproute2 prints ({@code /etc/iproute2/rt_scopes}), or the number. */
    public static String name(int scope) {
        return switch (scope) {
            case UNIVERSE -> "global";
            case SITE -> "site";
            case LINK -> "link";
            case HOST -> "host";
            case NOWHERE -> "nowhere";
            default -> Integer.toString(scope);
        };
    }

    /** Parses a scope name or number as {@code ip route ... scope X} does. */
    public static int parse(String text) {
        return switch (text) {
            case "global", "universe" -> UNIVERSE;
            case "site" -> SITE;
            case "link" -> LINK;
            case "host" -> HOST;
            case "nowhere" -> NOWHERE;
            default -> parseNumber(text, "scope");
        };
    }

    static int parseNumber(String text, String what) {
        int value;
        try {
            value = text.startsWith("0x") ? Integer.parseInt(text.substring(2), 16) : Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid " + what + " \"" + text + "\"");
        }
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException("invalid " + what + " \"" + text + "\"");
        }
        return value;
    }
}
