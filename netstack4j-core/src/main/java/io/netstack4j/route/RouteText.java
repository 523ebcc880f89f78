package io.netstack4j.route;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Routes and rules as iproute2 prints them ({@code ip route show}, {@code ip rule show};
 * {@code print_route} of {@code ip/iproute.c} and {@code print_rule} of {@code ip/iprule.c},
 * iproute2 6.1), byte for byte.
 *
 * <p>A route line is a sequence of "{@code keyword value }" fields, each followed by one space,
 * so it ends with a space exactly as iproute2's does; a rule line has no trailing space. Lines
 * are returned without the newline. Device names come from the caller's ifindex-to-name
 * function; an index it has no name for prints as {@code ifN}.
 */
public final class RouteText {

    private static final String[] DSFIELD_NAMES = new String[256];

    static {
        // /etc/iproute2/rt_dsfield
        DSFIELD_NAMES[0x00] = "default";
        DSFIELD_NAMES[0x28] = "AF11";
        DSFIELD_NAMES[0x30] = "AF12";
        DSFIELD_NAMES[0x38] = "AF13";
        DSFIELD_NAMES[0x48] = "AF21";
        DSFIELD_NAMES[0x50] = "AF22";
        DSFIELD_NAMES[0x58] = "AF23";
        DSFIELD_NAMES[0x68] = "AF31";
        DSFIELD_NAMES[0x70] = "AF32";
        DSFIELD_NAMES[0x78] = "AF33";
        DSFIELD_NAMES[0x88] = "AF41";
        DSFIELD_NAMES[0x90] = "AF42";
        DSFIELD_NAMES[0x98] = "AF43";
        DSFIELD_NAMES[0x20] = "CS1";
        DSFIELD_NAMES[0x40] = "CS2";
        DSFIELD_NAMES[0x60] = "CS3";
        DSFIELD_NAMES[0x80] = "CS4";
        DSFIELD_NAMES[0xA0] = "CS5";
        DSFIELD_NAMES[0xC0] = "CS6";
        DSFIELD_NAMES[0xE0] = "CS7";
        DSFIELD_NAMES[0xB8] = "EF";
    }

    private RouteText() {
    }

    /**
     * {@code ip route show [table T] [dev D]}: the routes of table {@code table} (0 for
     * {@code table all}, {@link FibTable#MAIN} for a plain {@code ip route show}), only those
     * through {@code oif} when it is not 0. The {@code table} field appears only with
     * {@code table all}, and then not for main; the {@code dev} field is left out when filtering
     * by device, as iproute2 does.
     */
    public static List<String> showRoutes(Fib fib, int table, int oif, IntFunction<String> names) {
        List<String> out = new ArrayList<>();
        for (FibAlias fa : fib.routes(table)) {
            if (oif != 0 && fa.info.oif != oif) {
                continue;
            }
            out.add(formatRoute(fa, names, table == FibTable.UNSPEC, oif == 0));
        }
        return out;
    }

    /** {@link #showRoutes(Fib, int, int, IntFunction)} without a device filter. */
    public static List<String> showRoutes(Fib fib, int table, IntFunction<String> names) {
        return showRoutes(fib, table, 0, names);
    }

    /** One route as {@code ip route show table all} prints it. */
    public static String formatRoute(FibAlias fa, IntFunction<String> names) {
        return formatRoute(fa, names, true, true);
    }

    /**
     * One route line.
     *
     * @param showTable print {@code table T} for tables other than main (iproute2 does when no
     *     single table was asked for)
     * @param showDev print {@code dev D} (iproute2 omits it when listing one device's routes)
     */
    public static String formatRoute(FibAlias fa, IntFunction<String> names, boolean showTable, boolean showDev) {
        FibInfo fi = fa.info;
        StringBuilder sb = new StringBuilder(96);
        if (fa.info.type != RouteType.UNICAST) {
            sb.append(fa.info.type.keyword()).append(' ');
        }
        if (fa.prefixLen == 0) {
            sb.append("default ");
        } else {
            appendAddr(sb, fa.key);
            if (fa.prefixLen != 32) {
                sb.append('/').append(fa.prefixLen);
            }
            sb.append(' ');
        }
        if (fa.tos != 0) {
            sb.append("tos ").append(dsfieldName(fa.tos)).append(' ');
        }
        if (fi.gateway != 0) {
            appendAddr(sb.append("via "), fi.gateway).append(' ');
        }
        if (showDev && fi.dev != null) {
            sb.append("dev ").append(deviceName(names, fi.oif)).append(' ');
        }
        if (showTable && fi.table != FibTable.MAIN) {
            sb.append("table ").append(FibTable.name(fi.table)).append(' ');
        }
        if (fi.protocol != RouteProtocol.BOOT) {
            sb.append("proto ").append(RouteProtocol.name(fi.protocol)).append(' ');
        }
        if (fi.scope != RouteScope.UNIVERSE) {
            sb.append("scope ").append(RouteScope.name(fi.scope)).append(' ');
        }
        if (fi.prefsrc != 0) {
            appendAddr(sb.append("src "), fi.prefsrc).append(' ');
        }
        if (fi.priority != 0) {
            sb.append("metric ").append(Integer.toUnsignedString(fi.priority)).append(' ');
        }
        int flags = fi.nexthopFlags();
        if ((flags & FibInfo.RTNH_F_DEAD) != 0) {
            sb.append("dead ");
        }
        if ((flags & FibInfo.RTNH_F_ONLINK) != 0) {
            sb.append("onlink ");
        }
        if ((flags & FibInfo.RTNH_F_LINKDOWN) != 0) {
            sb.append("linkdown ");
        }
        if (fi.mtu != 0) {
            sb.append("mtu ").append(fi.mtuLocked ? "lock " : "").append(Integer.toUnsignedString(fi.mtu)).append(' ');
        }
        if (fi.advmss != 0) {
            sb.append("advmss ").append(Integer.toUnsignedString(fi.advmss)).append(' ');
        }
        return sb.toString();
    }

    /** {@code ip rule show}: every rule in order. */
    public static List<String> showRules(Fib fib, IntFunction<String> names) {
        List<String> out = new ArrayList<>();
        for (FibRule r : fib.rules()) {
            out.add(formatRule(r, names));
        }
        return out;
    }

    /** One rule line, e.g. {@code "32766:\tfrom all lookup main"}. */
    public static String formatRule(FibRule r, IntFunction<String> names) {
        StringBuilder sb = new StringBuilder(64);
        sb.append(Integer.toUnsignedString(r.priority)).append(":\t");
        if (r.invert) {
            sb.append("not ");
        }
        if (r.srcLen > 0) {
            appendAddr(sb.append("from "), r.src);
            if (r.srcLen != 32) {
                sb.append('/').append(r.srcLen);
            }
            sb.append(' ');
        } else {
            sb.append("from all ");
        }
        if (r.dstLen > 0) {
            appendAddr(sb.append("to "), r.dst);
            if (r.dstLen != 32) {
                sb.append('/').append(r.dstLen);
            }
            sb.append(' ');
        }
        if (r.tos != 0) {
            sb.append("tos ").append(dsfieldName(r.tos)).append(' ');
        }
        if (r.mark != 0 || r.markMask != 0) {
            sb.append("fwmark ").append(hex(r.mark));
            if (r.markMask != -1) {
                sb.append('/').append(hex(r.markMask));
            }
            sb.append(' ');
        }
        if (r.iifName != null || r.iifIndex > 0) {
            sb.append("iif ").append(r.iifName != null ? r.iifName : deviceName(names, r.iifIndex)).append(' ');
            if (r.iifIndex == -1) {
                sb.append("[detached] ");
            }
        }
        if (r.oifName != null || r.oifIndex > 0) {
            sb.append("oif ").append(r.oifName != null ? r.oifName : deviceName(names, r.oifIndex)).append(' ');
            if (r.oifIndex == -1) {
                sb.append("[detached] ");
            }
        }
        if (r.table != 0) {
            sb.append("lookup ").append(FibTable.name(r.table)).append(' ');
            if (r.suppressPrefixLen != -1) {
                sb.append("suppress_prefixlength ").append(r.suppressPrefixLen).append(' ');
            }
        }
        switch (r.action) {
            case TO_TBL -> {
            }
            case GOTO -> {
                sb.append("goto ").append(Integer.toUnsignedString(r.target));
                if (r.ctarget == null) {
                    sb.append(" [unresolved]");
                }
            }
            case NOP, BLACKHOLE, UNREACHABLE, PROHIBIT -> sb.append(r.action.keyword());
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        sb.setLength(end);
        return sb.toString();
    }

    /** {@code rtnl_dsfield_n2a}: the name from {@code rt_dsfield}, else {@code 0x%02x}. */
    public static String dsfieldName(int tos) {
        String name = tos >= 0 && tos < 256 ? DSFIELD_NAMES[tos] : null;
        if (name != null) {
            return name;
        }
        String hex = Integer.toHexString(tos);
        return hex.length() < 2 ? "0x0" + hex : "0x" + hex;
    }

    /** C's {@code %#x}: {@code 0} for zero, {@code 0x...} otherwise. */
    private static String hex(int value) {
        return value == 0 ? "0" : "0x" + Integer.toHexString(value);
    }

    private static String deviceName(IntFunction<String> names, int ifindex) {
        String name = names == null ? null : names.apply(ifindex);
        return name != null ? name : "if" + ifindex;
    }

    private static StringBuilder appendAddr(StringBuilder sb, int bits) {
        return sb.append(bits >>> 24).append('.').append(bits >>> 16 & 0xff).append('.').append(bits >>> 8 & 0xff).append('.')
                .append(bits & 0xff);
    }
}
