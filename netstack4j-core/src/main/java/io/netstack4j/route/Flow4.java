package io.netstack4j.route;

/**
 * The key of an IPv4 route lookup ({@code struct flowi4}), mutable and meant to be reused: a
 * caller keeps one per lookup site, {@link #reset()}s it and fills the fields, so looking up a
 * route allocates nothing.
 *
 * <p>Addresses are the 32 address bits in an {@code int}, network order (as
 * {@link io.netstack4j.wire.Ipv4Address#bits()}).
 */
public final class Flow4 {

    /** Destination address ({@code daddr}). */
    public int dst;
    /** Source address ({@code saddr}); only policy rules look at it. */
    public int src;
    /**
     * The TOS byte of the packet ({@code flowi4_tos}). Routes and rules compare it under the
     * legacy TOS mask 0x1c, as Linux does ({@code fib_dscp_masked_match}).
     */
    public int tos;
    /** Required output device ifindex, 0 = any ({@code flowi4_oif}). */
    public int oif;
    /**
     * Input device ifindex ({@code flowi4_iif}); for locally generated traffic Linux puts the
     * loopback ifindex here ({@link Fib#LOOPBACK_IFINDEX}) so {@code iif lo} rules match it.
     */
    public int iif;
    /** Firewall mark ({@code flowi4_mark}), matched by {@code fwmark} rules. */
    public int mark;
    /**
     * The widest route scope acceptable ({@code flowi4_scope}): routes with a smaller (wider)
     * scope than this are skipped. {@link RouteScope#UNIVERSE} accepts every route.
     */
    public int scope;

    /** Zeroes every field: any destination, any device, scope universe. */
    public Flow4 reset() {
        dst = 0;
        src = 0;
        tos = 0;
        oif = 0;
        iif = 0;
        mark = 0;
        scope = RouteScope.UNIVERSE;
        return this;
    }

    public Flow4 dst(int dst) {
        this.dst = dst;
        return this;
    }

    public Flow4 src(int src) {
        this.src = src;
        return this;
    }

    public Flow4 tos(int tos) {
        this.tos = tos;
        return this;
    }

    public Flow4 oif(int oif) {
        this.oif = oif;
        return this;
    }

    public Flow4 iif(int iif) {
        this.iif = iif;
        return this;
    }

    public Flow4 mark(int mark) {
        this.mark = mark;
        return this;
    }

    public Flow4 scope(int scope) {
        this.scope = scope;
        return this;
    }

    @Override
    public String toString() {
        return "Flow4[dst=" + addr(dst) + " src=" + addr(src) + " tos=" + tos + " oif=" + oif + " iif=" + iif + " mark=" + mark
                + " scope=" + scope + "]";
    }

    static String addr(int bits) {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xff) + "." + (bits >>> 8 & 0xff) + "." + (bits & 0xff);
    }
}
