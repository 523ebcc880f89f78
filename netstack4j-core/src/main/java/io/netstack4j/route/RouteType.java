package io.netstack4j.route;

import io.netstack4j.core.Errno;

/**
 * Route types ({@code RTN_*}) with what a lookup that lands on one reports and the narrowest
 * scope a route of the type may have: the kernel's {@code fib_props[]} table
 * ({@code net/ipv4/fib_semantics.c}).
 *
 * <p>A type with an {@linkplain #error() error} ends the lookup with that error instead of a
 * next hop. {@link #THROW} reports {@link Errno#EAGAIN}, which the policy rules read as "this
 * table has no answer, try the next rule".
 */
public enum RouteType {
    UNSPEC(0, "unspec", null, RouteScope.NOWHERE),
    /** A gateway or directly connected destination. */
    UNICAST(1, "unicast", null, RouteScope.UNIVERSE),
    /** Accept locally (this host's addresses). */
    LOCAL(2, "local", null, RouteScope.HOST),
    /** Accept locally as broadcast; sent as link-layer broadcast. */
    BROADCAST(3, "broadcast", null, RouteScope.LINK),
    /** Accept locally as anycast, never used as a source address. */
    ANYCAST(4, "anycast", null, RouteScope.LINK),
    MULTICAST(5, "multicast", null, RouteScope.UNIVERSE),
    /** Drop silently. */
    BLACKHOLE(6, "blackhole", Errno.EINVAL, RouteScope.UNIVERSE),
    /** Drop with ICMP host unreachable. */
    UNREACHABLE(7, "unreachable", Errno.EHOSTUNREACH, RouteScope.UNIVERSE),
    /** Drop with ICMP communication administratively prohibited. */
    PROHIBIT(8, "prohibit", Errno.EACCES, RouteScope.UNIVERSE),
    /** Continue with the next policy rule. */
    THROW(9, "throw", Errno.EAGAIN, RouteScope.UNIVERSE),
    /** Stateless NAT, removed from Linux long ago: every such route is refused ("Invalid scope"). */
    NAT(10, "nat", Errno.EINVAL, RouteScope.NOWHERE);

    private static final RouteType[] BY_NUMBER = values();

    private final int number;
    private final String keyword;
    private final Errno error;
    private final int minScope;

    RouteType(int number, String keyword, Errno error, int minScope) {
        this.number = number;
        this.keyword = keyword;
        this.error = error;
        this.minScope = minScope;
    }

    /** The {@code RTN_*} number. */
    public int number() {
        return number;
    }

    /** The iproute2 keyword ({@code rtnl_rtntype_n2a}). */
    public String keyword() {
        return keyword;
    }

    /** What a lookup that selects a route of this type fails with, or null for a usable route. */
    public Errno error() {
        return error;
    }

    /** True when a lookup that selects this type fails ({@code fib_props[type].error < 0}). */
    public boolean rejects() {
        return error != null;
    }

    /** The widest scope a route of this type may be given ({@code fib_props[type].scope}). */
    public int minScope() {
        return minScope;
    }

    public static RouteType ofNumber(int number) {
        if (number < 0 || number >= BY_NUMBER.length) {
            throw new IllegalArgumentException("no route type " + number);
        }
        return BY_NUMBER[number];
    }

    /** Parses an iproute2 type keyword; throws {@link IllegalArgumentException} otherwise. */
    public static RouteType parse(String keyword) {
        for (RouteType t : BY_NUMBER) {
            if (t.keyword.equals(keyword)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown route type \"" + keyword + "\"");
    }
}
