package io.netstack4j.route;

import io.netstack4j.wire.Ipv4Address;

/**
 * What {@code ip route add|del|replace|append|prepend|change} carries to the FIB: the fields of an
 * {@code RTM_NEWROUTE}/{@code RTM_DELROUTE} request ({@code struct fib_config}).
 *
 * <p>Fields left unset keep a "not given" value, and {@link Fib} fills them in exactly as iproute2
 * and the kernel do, which differs between add and delete:
 * <ul>
 *   <li>{@code table} 0: table {@code local} for {@code local}, {@code broadcast}, {@code anycast}
 *       and {@code nat} routes, {@code main} otherwise;</li>
 *   <li>{@code type} {@link RouteType#UNSPEC}: {@code unicast} on add, any type on delete;</li>
 *   <li>{@code scope} -1: on add {@code host} for local/nat, {@code link} for
 *       broadcast/multicast/anycast and for unicast without a gateway, {@code global} otherwise;
 *       on delete any scope except for local/nat (host) and broadcast/multicast/anycast (link);</li>
 *   <li>{@code protocol} -1: {@code boot} on add, any protocol on delete;</li>
 *   <li>{@code priority} 0: metric 0 on add, any metric on delete;</li>
 *   <li>{@code prefsrc}, {@code gateway} null, {@code oif} 0, {@code mtu}, {@code advmss} 0:
 *       none on add, any on delete.</li>
 * </ul>
 *
 * @param table table id, unsigned 32 bits; 0 = not given
 * @param type route type; {@link RouteType#UNSPEC} = not given
 * @param dst destination prefix; must have no bits set beyond {@code prefixLen}
 * @param prefixLen 0..32
 * @param tos the TOS/DSCP byte the route is restricted to, 0 = any
 * @param priority the metric ({@code fib_priority}), unsigned 32 bits
 * @param protocol {@code RTPROT_*} 0..255, or -1 = not given
 * @param scope {@code RT_SCOPE_*} 0..255, or -1 = not given
 * @param prefsrc preferred source address ({@code src}), or null
 * @param gateway next-hop gateway ({@code via}), or null
 * @param oif output device ifindex ({@code dev}), 0 = none
 * @param onlink the gateway is on the link even though no route says so
 * @param mtu {@code RTAX_MTU}, 0 = unset
 * @param mtuLock the MTU is locked ({@code mtu lock N}): path MTU discovery may not lower it
 * @param advmss {@code RTAX_ADVMSS}, 0 = unset
 */
public record RouteSpec(int table, RouteType type, Ipv4Address dst, int prefixLen, int tos, int priority, int protocol,
        int scope, Ipv4Address prefsrc, Ipv4Address gateway, int oif, boolean onlink, int mtu, boolean mtuLock, int advmss) {

    public RouteSpec {
        if (type == null || dst == null) {
            throw new IllegalArgumentException("type and dst are required");
        }
        if (prefixLen < 0 || prefixLen > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLen + " outside 0..32");
        }
        if (tos < 0 || tos > 255 || protocol < -1 || protocol > 255 || scope < -1 || scope > 255 || oif < 0) {
            throw new IllegalArgumentException("tos/protocol/scope/oif out of range in " + dst + "/" + prefixLen);
        }
    }

    /** A builder for the route to {@code prefix}: dotted quad with optional "/len", or "default". */
    public static Builder to(String prefix) {
        return new Builder().to(prefix);
    }

    /** A builder for the route to {@code dst/prefixLen}. */
    public static Builder to(Ipv4Address dst, int prefixLen) {
        return new Builder().to(dst, prefixLen);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preloaded with this spec's fields. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.table = table;
        b.type = type;
        b.dst = dst;
        b.prefixLen = prefixLen;
        b.tos = tos;
        b.priority = priority;
        b.protocol = protocol;
        b.scope = scope;
        b.prefsrc = prefsrc;
        b.gateway = gateway;
        b.oif = oif;
        b.onlink = onlink;
        b.mtu = mtu;
        b.mtuLock = mtuLock;
        b.advmss = advmss;
        return b;
    }

    /** Reads the iproute2 prefix forms: {@code default}, {@code A.B.C.D}, {@code A.B.C.D/N}. */
    static void parsePrefix(String text, Builder into) {
        if (text.equals("default") || text.equals("all") || text.equals("any")) {
            into.dst = Ipv4Address.ANY;
            into.prefixLen = 0;
            return;
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            into.dst = Ipv4Address.parse(text);
            into.prefixLen = 32;
            return;
        }
        into.dst = Ipv4Address.parse(text.substring(0, slash));
        try {
            into.prefixLen = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid prefix \"" + text + "\"");
        }
    }

    /** Fluent construction; every setter names the iproute2 keyword it stands for. */
    public static final class Builder {
        private int table;
        private RouteType type = RouteType.UNSPEC;
        private Ipv4Address dst = Ipv4Address.ANY;
        private int prefixLen;
        private int tos;
        private int priority;
        private int protocol = -1;
        private int scope = -1;
        private Ipv4Address prefsrc;
        private Ipv4Address gateway;
        private int oif;
        private boolean onlink;
        private int mtu;
        private boolean mtuLock;
        private int advmss;

        private Builder() {
        }

        public Builder to(String prefix) {
            parsePrefix(prefix, this);
            return this;
        }

        public Builder to(Ipv4Address dst, int prefixLen) {
            this.dst = dst;
            this.prefixLen = prefixLen;
            return this;
        }

        /** {@code table ID}: unsigned 32 bits ({@link FibTable#LOCAL}, {@link FibTable#MAIN} ...). */
        public Builder table(int id) {
            this.table = id;
            return this;
        }

        public Builder type(RouteType type) {
            this.type = type;
            return this;
        }

        public Builder tos(int tos) {
            this.tos = tos;
            return this;
        }

        /** {@code metric N} (also {@code priority}, {@code preference}). */
        public Builder metric(int metric) {
            this.priority = metric;
            return this;
        }

        public Builder protocol(int protocol) {
            this.protocol = protocol;
            return this;
        }

        public Builder scope(int scope) {
            this.scope = scope;
            return this;
        }

        /** {@code src ADDR}. */
        public Builder src(Ipv4Address prefsrc) {
            this.prefsrc = prefsrc;
            return this;
        }

        public Builder src(String prefsrc) {
            return src(Ipv4Address.parse(prefsrc));
        }

        /** {@code via GATEWAY}. */
        public Builder via(Ipv4Address gateway) {
            this.gateway = gateway;
            return this;
        }

        public Builder via(String gateway) {
            return via(Ipv4Address.parse(gateway));
        }

        /** {@code dev IFINDEX}. */
        public Builder dev(int ifindex) {
            this.oif = ifindex;
            return this;
        }

        public Builder onlink() {
            this.onlink = true;
            return this;
        }

        /** {@code mtu N}. */
        public Builder mtu(int mtu) {
            this.mtu = mtu;
            return this;
        }

        /** {@code mtu lock N}. */
        public Builder mtuLock(int mtu) {
            this.mtu = mtu;
            this.mtuLock = true;
            return this;
        }

        public Builder advmss(int advmss) {
            this.advmss = advmss;
            return this;
        }

        public RouteSpec build() {
            return new RouteSpec(table, type, dst, prefixLen, tos, priority, protocol, scope, prefsrc, gateway, oif, onlink, mtu,
                    mtuLock, advmss);
        }
    }
}
