package io.netstack4j.route;

import io.netstack4j.core.DstEntry;
/**
 * What a route does once selected ({@code struct fib_info} with its single {@code fib_nh}):
 * protocol, scope, metric, preferred source, metrics and the next hop. Routes that say the same
 * thing share one instance, as {@code fib_find_info} arranges in Linux, so a full BGP table costs
 * one of these per distinct next hop rather than per prefix.
 *
 * <p>Everything but the state flags is fixed at creation. {@link #equals} and {@link #hashCode}
 * compare the configuration only (the {@code fib_find_info} criteria), never the state.
 */
public final class FibInfo {

    /** {@code RTNH_F_DEAD}: the next hop's device went down; the route is about to be flushed. */
    public static final int RTNH_F_DEAD = 1;
    /** {@code RTNH_F_ONLINK}: the gateway was declared on-link. */
    public static final int RTNH_F_ONLINK = 4;
    /** {@code RTNH_F_LINKDOWN}: the next hop's device has no carrier. */
    public static final int RTNH_F_LINKDOWN = 16;

    private static final int STATE_FLAGS = RTNH_F_DEAD | RTNH_F_LINKDOWN;

    final int table;
    final RouteType type;
    final int protocol;
    final int scope;
    final int priority;
    final int prefsrc;
    final int mtu;
    final boolean mtuLocked;
    final int advmss;
    final int gateway;
    final int oif;
    final int nhScope;
    /** The next hop's device, null for routes without one (unreachable, blackhole ...). */
    final FibDev dev;
    /** {@code fib_flags}: DEAD/LINKDOWN once every next hop is. */
    int flags;
    /** {@code fib_nh_flags}: ONLINK from the configuration, DEAD/LINKDOWN as state. */
    int nhFlags;
    /** Aliases referring to this info ({@code fib_treeref}). */
    int refs;
    /**
     * The input route last built through this next hop for forwarding ({@code nhc_rth_input}):
     * shared by every destination the route covers, so forwarding allocates nothing per
     * packet. Owned by the IPv4 layer, which checks that it is still current before use.
     */
    public DstEntry inputRoute;

    FibInfo(int table, RouteType type, int protocol, int scope, int priority, int prefsrc, int mtu, boolean mtuLocked, int advmss,
            int gateway, int oif, int nhScope, FibDev dev, int nhFlags) {
        this.table = table;
        this.type = type;
        this.protocol = protocol;
        this.scope = scope;
        this.priority = priority;
        this.prefsrc = prefsrc;
        this.mtu = mtu;
        this.mtuLocked = mtuLocked;
        this.advmss = advmss;
        this.gateway = gateway;
        this.oif = oif;
        this.nhScope = nhScope;
        this.dev = dev;
        this.nhFlags = nhFlags;
        this.flags = nhFlags & RTNH_F_LINKDOWN;
    }

    /** The table the route was added to ({@code fib_tb_id}). */
    public int table() {
        return table;
    }

    public RouteType type() {
        return type;
    }

    /** {@code RTPROT_*}. */
    public int protocol() {
        return protocol;
    }

    /** {@code RT_SCOPE_*}. */
    public int scope() {
        return scope;
    }

    /** The metric, unsigned 32 bits. */
    public int priority() {
        return priority;
    }

    /** Preferred source bits, 0 when none. */
    public int prefsrc() {
        return prefsrc;
    }

    /** MTU metric, 0 when unset. */
    public int mtu() {
        return mtu;
    }

    public boolean mtuLocked() {
        return mtuLocked;
    }

    /** Advertised-MSS metric, 0 when unset. */
    public int advmss() {
        return advmss;
    }

    /** Gateway bits, 0 when directly connected or when there is no next hop. */
    public int gateway() {
        return gateway;
    }

    /** Next-hop device ifindex, 0 when there is no next hop. */
    public int oif() {
        return oif;
    }

    /** Scope of the next hop ({@code fib_nh_scope}). */
    public int nhScope() {
        return nhScope;
    }

    /** The next-hop flags as a dump reports them ({@code RTNH_F_*}). */
    public int nexthopFlags() {
        int f = nhFlags;
        if ((f & RTNH_F_LINKDOWN) != 0 && dev != null && dev.ignoreRoutesWithLinkdown) {
            // fib_nexthop_info: a linkdown next hop that lookups ignore is reported dead as well.
            f |= RTNH_F_DEAD;
        }
        return f;
    }

    public boolean isOnlink() {
        return (nhFlags & RTNH_F_ONLINK) != 0;
    }

    public boolean isLinkdown() {
        return (nhFlags & RTNH_F_LINKDOWN) != 0;
    }

    public boolean isDead() {
        return (flags & RTNH_F_DEAD) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FibInfo fi && table == fi.table && type == fi.type && protocol == fi.protocol && scope == fi.scope
                && priority == fi.priority && prefsrc == fi.prefsrc && mtu == fi.mtu && mtuLocked == fi.mtuLocked
                && advmss == fi.advmss && gateway == fi.gateway && oif == fi.oif && nhScope == fi.nhScope
                && ((nhFlags ^ fi.nhFlags) & ~STATE_FLAGS) == 0;
    }

    @Override
    public int hashCode() {
        int h = table * 31 + type.ordinal();
        h = h * 31 + protocol;
        h = h * 31 + scope;
        h = h * 31 + priority;
        h = h * 31 + prefsrc;
        h = h * 31 + mtu;
        h = h * 31 + advmss;
        h = h * 31 + gateway;
        h = h * 31 + oif;
        return h * 31 + nhScope;
    }

    @Override
    public String toString() {
        return "FibInfo[" + type.keyword() + " gw " + Flow4.addr(gateway) + " oif " + oif + " table " + Integer.toUnsignedString(table)
                + " proto " + protocol + " scope " + scope + " metric " + Integer.toUnsignedString(priority) + " flags " + flags + "/"
                + nhFlags + "]";
    }
}
