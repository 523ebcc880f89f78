package io.netstack4j.ipv4;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.inet.DevConf;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.inet.InDevice;
import io.netstack4j.route.Fib;
import io.netstack4j.route.FibAlias;
import io.netstack4j.route.FibInfo;
import io.netstack4j.route.FibResult;
import io.netstack4j.route.FibTable;
import io.netstack4j.route.Flow4;
import io.netstack4j.route.RouteScope;
import io.netstack4j.route.RouteType;

/**
 * Routing decisions for IPv4 ({@code net/ipv4/route.c}): {@link #routeInput} for received
 * packets ({@code ip_route_input_slow}) and {@link #routeOutput} for locally generated ones
 * ({@code ip_route_output_key}), both consulting the FIB through the policy rules and caching
 * the resulting {@link Rtable}s in a bounded direct-mapped dst cache. Any change to routes,
 * addresses or devices bumps the generation ({@code rt_cache_flush}), which retires every cached
 * route at once.
 */
public final class IpRoute {

    /** Slots in the dst cache; a power of two. A miss overwrites the slot, so memory is fixed. */
    public static final int CACHE_SLOTS = 4096;

    private final Ipv4 ipv4;
    private final Fib fib;
    private final Flow4 flow = new Flow4();
    private final FibResult res = new FibResult();
    private final RtCacheStats stats = new RtCacheStats();
    private int genid;
    private final NhExceptions exceptions;
    int mtuExpiresSeconds = 600;
    int minPmtu = 552;
    /** {@code net.ipv4.route.gc_timeout}: how long a redirected gateway is kept, in seconds. */
    int gcTimeoutSeconds = 300;
    private NeighValid neighValid = (ip, dev) -> false;

    private final int[] inDst = new int[CACHE_SLOTS];
    private final int[] inSrc = new int[CACHE_SLOTS];
    private final int[] inKey = new int[CACHE_SLOTS];
    private final int[] inMark = new int[CACHE_SLOTS];
    private final Rtable[] inRt = new Rtable[CACHE_SLOTS];
    /** The unreachable/discard input route last made: packets without a route to many destinations share it. */
    private Rtable lastNoRoute;

    private final int[] outDst = new int[CACHE_SLOTS];
    private final int[] outSrc = new int[CACHE_SLOTS];
    private final int[] outKey = new int[CACHE_SLOTS];
    private final int[] outMark = new int[CACHE_SLOTS];
    private final Rtable[] outRt = new Rtable[CACHE_SLOTS];

    IpRoute(Ipv4 ipv4, Fib fib) {
        this.ipv4 = ipv4;
        this.fib = fib;
        this.exceptions = new NhExceptions(ipv4.loop().random().nextInt());
    }

    /** Wires the neighbour table, which a redirect's new gateway must be resolved in before it is used. */
    public void setNeighValid(NeighValid n) {
        this.neighValid = n;
    }

    public RtCacheStats stats() {
        return stats;
    }

    /**
     * The routing generation: changes whenever the FIB (routes, rules, addresses, devices) or
     * this cache's own generation does. Both only grow, so their sum does too.
     */
    public int genid() {
        return genid + fib.genid();
    }

    /** Touches what a route lookup toward {@code daddr} will read (see {@link io.netstack4j.core.PacketHandler#prefetch}). */
    void prefetch(int daddr) {
        fib.prefetch(daddr);
    }

    /** Retires every cached route ({@code rt_cache_flush}); called on any routing-relevant change. */
    public void flushCache() {
        genid++;
    }

    private static int slot(int daddr, int saddr, int key) {
        int h = daddr * 0x9E3779B1 ^ Integer.rotateLeft(saddr * 0x85EBCA6B, 13) ^ key * 0xC2B2AE35;
        return (h ^ h >>> 16) & (CACHE_SLOTS - 1);
    }

    /**
     * The route for a received packet ({@code ip_route_input_noref}). Returns null when the
     * packet is to be dropped as martian (already counted); the caller then frees it.
     */
    Rtable routeInput(PacketBuffer skb, int daddr, int saddr, int tos, NetDevice dev) {
        int key = dev.ifindex() << 8 | tos;
        int s = slot(daddr, saddr, key);
        Rtable cached = inRt[s];
        if (cached != null && inDst[s] == daddr && inSrc[s] == saddr && inKey[s] == key && inMark[s] == skb.mark
                && cached.genid == genid()) {
            stats.inHit++;
            return cached;
        }
        Rtable rt = routeInputSlow(daddr, saddr, tos, dev, skb.mark);
        if (rt != null) {
            inDst[s] = daddr;
            inSrc[s] = saddr;
            inKey[s] = key;
            inMark[s] = skb.mark;
            inRt[s] = rt;
        }
        return rt;
    }

    private Rtable routeInputSlow(int daddr, int saddr, int tos, NetDevice dev, int mark) {
        stats.inSlowTot++;
        InDevice in = InDevice.of(dev);
        if (in == null) {
            return null;
        }
        DevConf conf = in.conf();
        boolean localnet = conf.routeLocalnet != 0;
        // RFC 1812 5.3.7 / RFC 1122 3.2.1.3: a source that is multicast, broadcast or "this network" is martian.
        if (isMulticast(saddr) || saddr == 0xffffffff) {
            return martianSource();
        }
        if (daddr == 0xffffffff || (daddr == 0 && saddr == 0)) {
            return broadcastInput(dev);
        }
        if ((saddr & 0xff000000) == 0) {
            return martianSource();
        }
        if ((daddr & 0xff000000) == 0) {
            return martianDestination();
        }
        if (isMulticast(daddr)) {
            // Multicast reception needs group membership (IGMP), which this stack does not join yet.
            return martianDestination();
        }
        if (!localnet && (daddr & 0xff000000) == 0x7f000000 && !dev.isLoopback()) {
            return martianDestination();
        }
        if (!localnet && (saddr & 0xff000000) == 0x7f000000 && !dev.isLoopback()) {
            return martianSource();
        }
        boolean forwarding = conf.forwarding != 0;
        if (!lookup(daddr, saddr, tos, 0, dev.ifindex(), mark, RouteScope.UNIVERSE)) {
            Errno err = forwarding ? res.error() : Errno.EHOSTUNREACH;
            return noRoute(dev, err);
        }
        RouteType type = res.type();
        if (type == RouteType.BROADCAST) {
            return broadcastInput(dev);
        }
        if (type == RouteType.LOCAL) {
            if (!validateSource(dev, conf, saddr, daddr)) {
                return martianSource();
            }
            NetDevice lo = ipv4.devices().loopback();
            return new Rtable(ipv4, lo != null ? lo : dev, Rtable.Action.LOCAL_DELIVER, Rtable.Action.DISCARD, RouteType.LOCAL,
                    Rtable.RTCF_LOCAL, 0, daddr, 0, null, res.table());
        }
        if (!forwarding) {
            return noRoute(dev, Errno.EHOSTUNREACH);
        }
        if (type != RouteType.UNICAST) {
            return martianDestination();
        }
        if (!validateSource(dev, conf, saddr, daddr)) {
            return martianSource();
        }
        NetDevice out = ipv4.devices().byIndex(res.oif());
        if (out == null) {
            return noRoute(dev, Errno.ENETUNREACH);
        }
        int flags = 0;
        InDevice outIn = InDevice.of(out);
        if (out == dev && outIn != null && outIn.conf().sendRedirects != 0 && ipv4.inet().all().sendRedirects != 0
                && onLink(outIn, saddr)) {
            // __mkroute_input: the sender could have reached the next hop itself.
            flags |= Rtable.RTCF_DOREDIRECT;
        }
        // __mkroute_input: without a redirect to send or a learned path MTU, the route is the
        // next hop's cached one, whatever the destination.
        FibInfo fi = res.info();
        boolean cacheable = flags == 0 && fi != null && exceptions.find(daddr, ipv4.loop().now()) < 0;
        if (cacheable && fi.inputRoute instanceof Rtable cached && cached.genid == genid() && cached.dev() == out
                && cached.table == res.table()) {
            return cached;
        }
        Rtable rt = new Rtable(ipv4, out, Rtable.Action.FORWARD, Rtable.Action.OUTPUT, RouteType.UNICAST, flags, res.gateway(), 0,
                res.mtu(), null, res.table());
        if (cacheable) {
            fi.inputRoute = rt;
            return rt;
        }
        return withExceptions(rt, daddr);
    }

    /**
     * The decision {@link #routeInput} would make for a packet from {@code saddr} to
     * {@code daddr} arriving on {@code dev}, without a packet and without caching
     * ({@code ip route get ... iif DEV}). Throws EINVAL for a martian, as the kernel answers.
     */
    public Rtable lookupInput(int daddr, int saddr, int tos, NetDevice dev, int mark) {
        Rtable rt = routeInputSlow(daddr, saddr, tos, dev, mark);
        if (rt == null) {
            throw new NetException(Errno.EINVAL);
        }
        return rt;
    }

    /**
     * Applies the next-hop exception toward {@code daddr}, if any ({@code find_exception},
     * {@code rt_bind_exception}): a learned path MTU, and a redirected gateway when the route
     * goes through a gateway on the device the redirect came in on. Returns {@code rt} or a
     * copy of it through the new gateway.
     */
    private Rtable withExceptions(Rtable rt, int daddr) {
        int i = exceptions.find(daddr, ipv4.loop().now());
        if (i < 0) {
            return rt;
        }
        int gw = exceptions.gateway(i);
        if (gw != 0 && rt.gateway != 0 && gw != rt.gateway && rt.dev().ifindex() == exceptions.gatewayIfindex(i)) {
            rt = rt.redirectedTo(gw, exceptions.expires(i));
        }
        if (exceptions.pmtu(i) != 0) {
            rt.pmtu = exceptions.pmtu(i);
            rt.pmtuExpires = exceptions.expires(i);
        }
        return rt;
    }

    /**
     * A frag-needed message said the path toward {@code daddr} carries at most {@code mtu}
     * bytes ({@code ipv4_update_pmtu}, {@code __ip_rt_update_pmtu}; RFC 1191 section 3). Only a
     * decrease is learned; an MTU below {@code min_pmtu} is raised to it (RFC 1191 lets a host
     * ignore implausible values; Linux floors them). The entry lapses after
     * {@code mtu_expires} seconds, and the route cache is flushed so every route to the
     * destination sees it now.
     */
    public void updatePmtu(int daddr, int saddr, int mtu) {
        Rtable rt;
        try {
            rt = routeOutput(daddr, saddr, 0, 0, 0);
        } catch (NetException e) {
            return; // the quoted source is not ours: nothing we send takes that path
        }
        if (rt.outputAction != Rtable.Action.OUTPUT || (rt.flags & (Rtable.RTCF_LOCAL | Rtable.RTCF_BROADCAST)) != 0) {
            return;
        }
        int old = rt.mtu();
        if (mtu < minPmtu) {
            mtu = Math.min(old, minPmtu);
        }
        if (mtu > old || mtu == old && rt.pmtu() == 0) {
            return;
        }
        long now = ipv4.loop().now();
        exceptions.putPmtu(daddr, mtu, now, now + mtuExpiresSeconds * 1_000_000_000L);
        flushCache();
    }

    /** Destinations with a next-hop exception (a learned path MTU or a redirected gateway). */
    public int pmtuExceptionCount() {
        return exceptions.size();
    }

    /**
     * An ICMP redirect arrived on {@code dev} from {@code from}: datagrams from {@code saddr} to
     * {@code daddr} (the quoted header) should go to {@code newGw} ({@code ipv4_redirect},
     * {@code __ip_do_redirect}; RFC 1122 3.2.2.2). Linux's checks, in its order:
     * <ul>
     *   <li>the code is one of net, host, net-and-TOS, host-and-TOS;
     *   <li>our route for the quoted flow goes through a gateway, and that gateway is the
     *       sender: RFC 1122 3.2.2.2 "the source of a redirect must be the current first-hop
     *       gateway for the specified destination" (here also: on the device it arrived on);
     *   <li>the device accepts redirects ({@link io.netstack4j.inet.Inet#acceptsRedirects}: not
     *       on a router unless enabled), and the new gateway is not the old one, multicast,
     *       broadcast or 0.0.0.0;
     *   <li>with {@code shared_media} (the default) the new gateway is a unicast address, not
     *       one of ours; without it, it shares a subnet with the old one and, with
     *       {@code secure_redirects}, is the gateway of a default route;
     *   <li>the new gateway's link-layer address is known; if not, resolution starts and the
     *       redirect is not used (a later one will be).
     * </ul>
     * An accepted redirect becomes a next-hop exception for {@code daddr} that lasts
     * {@code route.gc_timeout} seconds. Returns whether it was accepted.
     */
    public boolean redirect(NetDevice dev, int from, int code, int daddr, int saddr, int tos, int newGw) {
        if ((code & 7) > 3) {
            return false;
        }
        Rtable rt;
        try {
            rt = routeOutput(daddr, saddr, tos & 0x1e, 0, 0);
        } catch (NetException e) {
            return false; // not a datagram of ours
        }
        if (rt.outputAction != Rtable.Action.OUTPUT || rt.gateway == 0 || rt.gateway != from || rt.dev() != dev) {
            return false;
        }
        InDevice in = InDevice.of(dev);
        if (in == null || newGw == from || !ipv4.inet().acceptsRedirects(in) || isMulticast(newGw) || newGw == 0xffffffff
                || (newGw & 0xff000000) == 0) {
            return false;
        }
        DevConf all = ipv4.inet().all();
        if (in.conf().sharedMedia == 0 && all.sharedMedia == 0) {
            if (!sameSubnet(in, newGw, from)) {
                return false;
            }
            if ((in.conf().secureRedirects != 0 || all.secureRedirects != 0) && !defaultGateway(newGw, dev)) {
                return false;
            }
        } else if (fib.addressType(newGw) != RouteType.UNICAST) {
            return false;
        }
        if (!neighValid.validOrResolve(newGw, rt.dev())) {
            return false;
        }
        long now = ipv4.loop().now();
        exceptions.putGateway(daddr, newGw, dev.ifindex(), now, now + gcTimeoutSeconds * 1_000_000_000L);
        flushCache();
        return true;
    }

    /** {@code inet_addr_onlink}: one of the device's subnets holds both addresses. */
    private static boolean sameSubnet(InDevice in, int a, int b) {
        for (IfAddr ifa : in.addresses()) {
            if (ifa.sameSubnet(a) && ifa.sameSubnet(b)) {
                return true;
            }
        }
        return false;
    }

    /** {@code ip_fib_check_default}: {@code gw} on {@code dev} is the gateway of a default route in the main table. */
    private boolean defaultGateway(int gw, NetDevice dev) {
        FibTable main = fib.table(FibTable.MAIN);
        if (main == null) {
            return false;
        }
        for (FibAlias fa : main.routesAt(0, 0)) {
            FibInfo fi = fa.info();
            if (fi != null && fi.gateway() == gw && fi.oif() == dev.ifindex()) {
                return true;
            }
        }
        return false;
    }

    private static boolean onLink(InDevice in, int addr) {
        for (IfAddr a : in.addresses()) {
            if (a.sameSubnet(addr)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code fib_validate_source}: with rp_filter off, a source that is one of our own addresses
     * is refused (unless accept_local); with rp_filter 1 (strict, RFC 3704) the reverse route must
     * leave by the receiving device, with 2 (loose) it must merely exist.
     */
    private boolean validateSource(NetDevice dev, DevConf conf, int saddr, int daddr) {
        int rpf = Math.max(conf.rpFilter, ipv4.inet().all().rpFilter);
        if (rpf == 0) {
            return conf.acceptLocal != 0 || ipv4.inet().deviceWithAddress(saddr) == null;
        }
        if (!lookup(saddr, daddr, 0, 0, 0, 0, RouteScope.UNIVERSE)) {
            return false;
        }
        if (res.type() == RouteType.LOCAL) {
            return conf.acceptLocal != 0;
        }
        if (res.type() != RouteType.UNICAST) {
            return false;
        }
        return rpf == 2 || res.oif() == dev.ifindex();
    }

    private Rtable broadcastInput(NetDevice dev) {
        stats.inBrd++;
        NetDevice lo = ipv4.devices().loopback();
        return new Rtable(ipv4, lo != null ? lo : dev, Rtable.Action.LOCAL_DELIVER, Rtable.Action.DISCARD, RouteType.BROADCAST,
                Rtable.RTCF_BROADCAST | Rtable.RTCF_LOCAL, 0, 0, 0, null, 0);
    }

    private Rtable noRoute(NetDevice dev, Errno err) {
        stats.inNoRoute++;
        Rtable last = lastNoRoute;
        if (last != null && last.dev() == dev && last.error == err && last.genid == genid()) {
            return last;
        }
        Rtable.Action action = err == Errno.EINVAL ? Rtable.Action.DISCARD : Rtable.Action.ERROR;
        // Linux clears RTCF_LOCAL on unreachable input routes, so ICMP errors about them come
        // from an address of ours chosen by routing, not from the unreachable destination.
        lastNoRoute = new Rtable(ipv4, dev, action, Rtable.Action.DISCARD, RouteType.UNREACHABLE, 0, 0, 0, 0, err, 0);
        return lastNoRoute;
    }

    private Rtable martianSource() {
        stats.inMartianSrc++;
        ipv4.drops().count(DropReason.IP_INVALID_SOURCE);
        return null;
    }

    private Rtable martianDestination() {
        stats.inMartianDst++;
        ipv4.mib().inc(IpMib.InAddrErrors);
        ipv4.drops().count(DropReason.IP_INADDRERRORS);
        return null;
    }

    /**
     * The route for a locally generated packet ({@code ip_route_output_key_hash}).
     *
     * @param daddr destination; 0 means this host
     * @param saddr requested source, or 0 to let routing choose
     * @param oif requested output device ifindex, or 0
     * @throws NetException ENETUNREACH, EHOSTUNREACH, EACCES, EINVAL, ENODEV as Linux returns them
     */
    public Rtable routeOutput(int daddr, int saddr, int tos, int oif, int mark) {
        int key = oif << 8 | tos;
        int s = slot(daddr, saddr, key);
        Rtable cached = outRt[s];
        if (cached != null && outDst[s] == daddr && outSrc[s] == saddr && outKey[s] == key && outMark[s] == mark
                && cached.genid == genid() && !cached.redirectLapsed()) {
            stats.outHit++;
            return cached;
        }
        Rtable rt = routeOutputSlow(daddr, saddr, tos, oif, mark);
        if (rt.outputAction == Rtable.Action.OUTPUT && (rt.flags & (Rtable.RTCF_LOCAL | Rtable.RTCF_BROADCAST)) == 0) {
            rt = withExceptions(rt, daddr);
        }
        outDst[s] = daddr;
        outSrc[s] = saddr;
        outKey[s] = key;
        outMark[s] = mark;
        outRt[s] = rt;
        return rt;
    }

    /**
     * {@link #routeOutput} for a socket's own packet: a missing route also counts in
     * IpOutNoRoutes, as {@code ip_queue_xmit}, {@code tcp_v4_connect}, {@code udp_sendmsg} and
     * {@code ping_v4_sendmsg} count an ENETUNREACH.
     */
    public Rtable routeOutputForSocket(int daddr, int saddr, int tos, int oif, int mark) {
        try {
            return routeOutput(daddr, saddr, tos, oif, mark);
        } catch (NetException e) {
            if (e.errno() == Errno.ENETUNREACH) {
                ipv4.mib().inc(IpMib.OutNoRoutes);
            }
            throw e;
        }
    }

    private Rtable routeOutputSlow(int daddr, int saddr, int tos, int oif, int mark) {
        stats.outSlowTot++;
        if (saddr != 0) {
            if (isMulticast(saddr) || saddr == 0xffffffff || (saddr & 0xff000000) == 0) {
                throw new NetException(Errno.EINVAL, "source address is not a unicast address");
            }
            if (ipv4.inet().deviceWithAddress(saddr) == null) {
                throw new NetException(Errno.EINVAL, "source address is not local");
            }
        }
        NetDevice out = null;
        if (oif != 0) {
            out = ipv4.devices().byIndex(oif);
            if (out == null) {
                throw new NetException(Errno.ENODEV);
            }
            if (!out.isUp() || InDevice.of(out) == null) {
                throw new NetException(Errno.ENETUNREACH);
            }
            if (daddr == 0xffffffff || (daddr & 0xffffff00) == 0xe0000000) {
                if (saddr == 0) {
                    saddr = ipv4.inet().selectSourceAddress(out, 0, IfAddr.SCOPE_LINK);
                }
                return outputRoute(out, RouteType.BROADCAST, Rtable.RTCF_BROADCAST, 0, saddr, 0, 0);
            }
        }
        if (daddr == 0) {
            daddr = saddr != 0 ? saddr : 0x7f000001;
            NetDevice lo = ipv4.devices().loopback();
            return outputRoute(lo, RouteType.LOCAL, Rtable.RTCF_LOCAL, 0, saddr != 0 ? saddr : daddr, 0, 255);
        }
        // Output lookups carry iif = lo, as Linux's, so "iif lo" rules match local traffic.
        if (!lookup(daddr, saddr, tos, oif, Fib.LOOPBACK_IFINDEX, mark, RouteScope.UNIVERSE)) {
            if (out != null && res.error() == Errno.ENETUNREACH) {
                // No route but an output device was named: assume the destination is on that link.
                if (saddr == 0) {
                    saddr = ipv4.inet().selectSourceAddress(out, 0, IfAddr.SCOPE_LINK);
                }
                return outputRoute(out, RouteType.UNICAST, 0, 0, saddr, 0, 0);
            }
            throw new NetException(res.error());
        }
        RouteType type = res.type();
        if (type == RouteType.LOCAL) {
            if (saddr == 0) {
                saddr = res.prefsrc() != 0 ? res.prefsrc() : daddr;
            }
            NetDevice lo = ipv4.devices().loopback();
            return outputRoute(lo, RouteType.LOCAL, Rtable.RTCF_LOCAL, 0, saddr, 0, res.table());
        }
        NetDevice dev = ipv4.devices().byIndex(res.oif());
        if (dev == null) {
            throw new NetException(Errno.ENETUNREACH);
        }
        if (saddr == 0) {
            saddr = res.prefsrc() != 0 ? res.prefsrc()
                    : ipv4.inet().selectSourceAddress(dev, res.gateway() != 0 ? res.gateway() : daddr, res.scope());
        }
        int flags = type == RouteType.BROADCAST ? Rtable.RTCF_BROADCAST : 0;
        return outputRoute(dev, type, flags, res.gateway(), saddr, res.mtu(), res.table());
    }

    /**
     * An output route. A local one also serves as the input route when the packet comes back
     * through the loopback device (Linux keeps the dst across {@code loopback_xmit}).
     */
    private Rtable outputRoute(NetDevice dev, RouteType type, int flags, int gateway, int saddr, int mtu, int table) {
        Rtable.Action input = (flags & Rtable.RTCF_LOCAL) != 0 ? Rtable.Action.LOCAL_DELIVER : Rtable.Action.DISCARD;
        return new Rtable(ipv4, dev, input, Rtable.Action.OUTPUT, type, flags, gateway, saddr, mtu, null, table);
    }

    /** Fills {@link #res} from the FIB through the policy rules; false with {@code res.error()} set on failure. */
    private boolean lookup(int daddr, int saddr, int tos, int oif, int iif, int mark, int scope) {
        flow.reset();
        flow.dst = daddr;
        flow.src = saddr;
        flow.tos = tos;
        flow.oif = oif;
        flow.iif = iif;
        flow.mark = mark;
        flow.scope = scope;
        return fib.lookup(flow, res);
    }

    private static boolean isMulticast(int a) {
        return (a & 0xf0000000) == 0xe0000000;
    }
}
