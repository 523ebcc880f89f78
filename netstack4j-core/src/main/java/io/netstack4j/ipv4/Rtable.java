package io.netstack4j.ipv4;

import io.netstack4j.core.DstEntry;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.route.RouteType;

/**
 * An IPv4 routing decision ({@code struct rtable}): what {@link #input} and {@link #output} do
 * with a packet, the next hop, the preferred source and the path MTU. Made by {@link IpRoute}
 * and cached until the routing state changes (its generation goes stale).
 */
public final class Rtable extends DstEntry {

    /** What the route does with a packet, in place of the kernel's function pointers. */
    public enum Action {
        /** {@code ip_local_deliver}. */
        LOCAL_DELIVER,
        /** {@code ip_forward}. */
        FORWARD,
        /** {@code ip_output}: a route for locally generated packets. */
        OUTPUT,
        /** {@code ip_error}: answer with an ICMP error (unreachable, prohibited) and drop. */
        ERROR,
        /** {@code dst_discard}: drop silently (blackhole). */
        DISCARD
    }

    /** RTCF_* flags as the kernel keeps them. */
    public static final int RTCF_LOCAL = 0x80000000;
    public static final int RTCF_BROADCAST = 0x10000000;
    public static final int RTCF_MULTICAST = 0x20000000;
    public static final int RTCF_DOREDIRECT = 0x01000000;
    /** The gateway came from an accepted ICMP redirect. */
    public static final int RTCF_REDIRECTED = 0x00040000;

    final Ipv4 ipv4;
    final Action inputAction;
    final Action outputAction;
    final RouteType type;
    final int flags;
    /** Next-hop gateway bits, 0 when the destination is on-link. */
    final int gateway;
    /** Preferred source address bits ({@code rt_spec_dst} / {@code fl4->saddr}). */
    final int prefsrc;
    /** MTU from the route's metrics, 0 to use the device's. */
    final int mtuMetric;
    final Errno error;
    final int genid;
    final int table;
    /** A learned path MTU toward this destination ({@link NhExceptions}), 0 when none. */
    int pmtu;
    /** When {@link #pmtu} lapses, in loop-clock nanoseconds. */
    long pmtuExpires;
    /** When a redirected {@link #gateway} lapses, in loop-clock nanoseconds; meaningful with RTCF_REDIRECTED. */
    long redirectExpires;

    Rtable(Ipv4 ipv4, NetDevice dev, Action inputAction, Action outputAction, RouteType type, int flags, int gateway, int prefsrc,
            int mtuMetric, Errno error, int table) {
        super(dev);
        this.ipv4 = ipv4;
        this.inputAction = inputAction;
        this.outputAction = outputAction;
        this.type = type;
        this.flags = flags;
        this.gateway = gateway;
        this.prefsrc = prefsrc;
        this.mtuMetric = mtuMetric;
        this.error = error;
        this.genid = ipv4.route().genid();
        this.table = table;
    }

    @Override
    public void input(PacketBuffer skb) {
        switch (inputAction) {
            case LOCAL_DELIVER -> ipv4.input().localDeliver(skb);
            case FORWARD -> ipv4.forward().forward(skb);
            case ERROR -> ipv4.input().ipError(skb);
            case DISCARD, OUTPUT -> ipv4.input().discard(skb);
        }
    }

    @Override
    public void output(PacketBuffer skb) {
        switch (outputAction) {
            case OUTPUT -> ipv4.output().output(skb);
            case LOCAL_DELIVER, FORWARD, ERROR, DISCARD -> ipv4.output().discard(skb);
        }
    }

    @Override
    public int mtu() {
        int devMtu = dev == null ? 0 : dev.mtu();
        int mtu = mtuMetric != 0 && mtuMetric < devMtu ? mtuMetric : devMtu;
        int learned = pmtu();
        return learned != 0 && learned < mtu ? learned : mtu;
    }

    /** The learned path MTU ({@code rt_pmtu}), or 0 when none applies or it has lapsed. */
    public int pmtu() {
        return pmtu != 0 && pmtuExpires - ipv4.loop().now() > 0 ? pmtu : 0;
    }

    /** Nanoseconds until the learned path MTU lapses; meaningful while {@link #pmtu()} is non-zero. */
    public long pmtuExpiresIn() {
        return pmtuExpires - ipv4.loop().now();
    }

    @Override
    public boolean obsolete() {
        return genid != ipv4.route().genid() || pmtu != 0 && pmtuExpires - ipv4.loop().now() <= 0 || redirectLapsed();
    }

    /** True when the gateway came from a redirect whose exception has expired. */
    boolean redirectLapsed() {
        return (flags & RTCF_REDIRECTED) != 0 && redirectExpires - ipv4.loop().now() <= 0;
    }

    /** The same route through {@code gw}, learned from a redirect that holds until {@code expires}. */
    Rtable redirectedTo(int gw, long expires) {
        Rtable rt = new Rtable(ipv4, dev, inputAction, outputAction, type, flags | RTCF_REDIRECTED, gw, prefsrc, mtuMetric, error, table);
        rt.redirectExpires = expires;
        return rt;
    }

    public RouteType type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public boolean isLocal() {
        return (flags & RTCF_LOCAL) != 0;
    }

    public boolean isBroadcast() {
        return (flags & RTCF_BROADCAST) != 0;
    }

    public int gateway() {
        return gateway;
    }

    /** The next hop for address {@code daddr} ({@code rt_nexthop}). */
    public int nextHop(int daddr) {
        return gateway != 0 ? gateway : daddr;
    }

    public int prefsrc() {
        return prefsrc;
    }

    public Errno error() {
        return error;
    }

    public int table() {
        return table;
    }

    public Action inputAction() {
        return inputAction;
    }
}
