package io.netstack4j.route;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The IPv4 forwarding information base of one namespace: its tables, its policy rules, and the
 * routes that follow interface addresses and device state ({@code net/ipv4/fib_frontend.c},
 * {@code fib_semantics.c}, {@code fib_trie.c}, {@code fib_rules.c}).
 *
 * <p>Lookups ({@link #lookup}) allocate nothing. Everything else is control path: route and rule
 * changes validate as Linux does and throw {@link NetException} with the kernel's errno and, where
 * the kernel sets one, its extended-ack message as the exception message (iproute2 prints it as
 * {@code Error: MESSAGE.}; without one it prints {@code RTNETLINK answers: } and the errno text).
 *
 * <p>Devices are known by ifindex only, through the notifier-style calls {@link #deviceUp},
 * {@link #deviceDown}, {@link #carrierChanged}, {@link #flushDevice} and the address calls.
 *
 * <p>As long as no policy rule was ever added or deleted, Linux keeps tables local and main in
 * one trie and looks them up together, skipping the rules ({@code fib_lookup} without custom
 * rules): the longest prefix of either table wins, local first at equal length, and the default
 * table is consulted when that fails. This FIB does the same, with the same visible consequence:
 * a main-table route more specific than a local one wins until the first rule change.
 *
 * <p>Single-threaded: all calls come from the namespace's loop thread.
 */
public final class Fib {

    /** How {@link #addRoute} treats an existing route of the same prefix, TOS and metric. */
    public enum Op {
        /** {@code ip route add} (NLM_F_CREATE|NLM_F_EXCL): refuse with EEXIST. */
        ADD(FibTable.NLM_F_CREATE | FibTable.NLM_F_EXCL),
        /** {@code ip route replace} (NLM_F_CREATE|NLM_F_REPLACE): replace it, or add. */
        REPLACE(FibTable.NLM_F_CREATE | FibTable.NLM_F_REPLACE),
        /** {@code ip route append} (NLM_F_CREATE|NLM_F_APPEND): add after it. */
        APPEND(FibTable.NLM_F_CREATE | FibTable.NLM_F_APPEND),
        /** {@code ip route prepend} (NLM_F_CREATE): add before it. */
        PREPEND(FibTable.NLM_F_CREATE),
        /** {@code ip route change} (NLM_F_REPLACE): replace it; ENOENT when there is none. */
        CHANGE(FibTable.NLM_F_REPLACE);

        final int nlflags;

        Op(int nlflags) {
            this.nlflags = nlflags;
        }
    }

    /** The loopback device's ifindex; Linux's {@code LOOPBACK_IFINDEX}, the iif of locally generated flows. */
    public static final int LOOPBACK_IFINDEX = 1;

    private final Map<Integer, FibTable> tables = new HashMap<>();
    private final FibTable local;
    private final FibTable main;
    private FibTable defaultTable;
    private final FibRules rules;
    private boolean customRules;
    private final FibSemantics semantics = new FibSemantics(this);
    private final Map<Integer, FibDev> devs = new HashMap<>();
    private final IfaddrRoutes ifaddrs = new IfaddrRoutes(this);
    private final Flow4 probe = new Flow4();
    private final FibResult probeResult = new FibResult();
    private long tableSeq;
    private int genid;

    public Fib() {
        this.local = createTable(FibTable.LOCAL);
        this.main = createTable(FibTable.MAIN);
        this.rules = new FibRules(tables::get);
    }

    /** Table {@code id}, or null when it was never used. */
    public FibTable table(int id) {
        return tables.get(id);
    }

    /** {@code fib_new_table}: table {@code id}, created on first use (id 0 means main). */
    public FibTable getOrCreateTable(int id) {
        if (id == FibTable.UNSPEC) {
            id = FibTable.MAIN;
        }
        FibTable t = tables.get(id);
        return t != null ? t : createTable(id);
    }

    private FibTable createTable(int id) {
        FibTable t = new FibTable(id, tableSeq++);
        tables.put(id, t);
        if (id == FibTable.DEFAULT) {
            defaultTable = t;
        }
        if (rules != null) {
            rules.tableCreated(t);
        }
        return t;
    }

    /**
     * Every table in the order a dump visits them: by the low 8 bits of the id (the kernel's
     * table hash), the most recently created first within a bucket.
     */
    public List<FibTable> tables() {
        List<FibTable> out = new ArrayList<>(tables.values());
        out.sort(Comparator.comparingInt((FibTable t) -> t.id() & 0xff).thenComparing(t -> -t.createdSeq()));
        return out;
    }

    /**
     * The routes of table {@code tableId} in dump order, or of every table when it is
     * {@link FibTable#UNSPEC} ({@code ip route show table all}).
     */
    public List<FibAlias> routes(int tableId) {
        if (tableId != FibTable.UNSPEC) {
            FibTable t = tables.get(tableId);
            return t == null ? List.of() : t.routes();
        }
        List<FibAlias> out = new ArrayList<>();
        for (FibTable t : tables()) {
            out.addAll(t.routes());
        }
        return out;
    }

    /** The policy rules in the order they are consulted. */
    public List<FibRule> rules() {
        return rules.list();
    }

    /** {@code ip rule add}; see {@link FibRules#add}. */
    public FibRule addRule(RuleSpec spec) {
        FibRule r = rules.add(spec);
        customRules = true;
        genid++;
        return r;
    }

    /** {@code ip rule del}; see {@link FibRules#delete}. */
    public FibRule deleteRule(RuleSpec spec) {
        FibRule r = rules.delete(spec);
        customRules = true;
        genid++;
        return r;
    }

    /** True once a rule was added or deleted ({@code fib_has_custom_rules}): lookups then walk the rules. */
    public boolean hasCustomRules() {
        return customRules;
    }

    /** Bumped by every change to routes, rules, addresses or devices; a route cache compares it. */
    public int genid() {
        return genid;
    }

    /**
     * {@code fib_lookup}: the route for {@code flow} through the policy rules. Allocates nothing.
     *
     * @return true with {@code out} describing the route; false with {@code out.error()} set:
     *     {@link Errno#ENETUNREACH} when nothing matched, or the error of the refusing route or
     *     rule ({@code unreachable} route: EHOSTUNREACH, {@code prohibit}: EACCES,
     *     {@code blackhole}: EINVAL; {@code unreachable} rule: ENETUNREACH)
     */
    public boolean lookup(Flow4 flow, FibResult out) {
        return lookup(flow, out, 0);
    }

    boolean lookup(Flow4 flow, FibResult out, int flags) {
        if (!customRules) {
            // No reset first: a hit or a refusal overwrites every field, and a miss ends in fail().
            int st = mergedLookup(flow, out, flags);
            // As in Linux, any failure of local/main (an unreachable route included) defers to the
            // default table once that table exists, and its answer stands.
            if (st != FibTable.HIT && defaultTable != null) {
                out.reset();
                st = defaultTable.lookup(flow, out, flags, FibTable.DEFAULT);
            }
            if (st == FibTable.HIT) {
                return true;
            }
            if (st == FibTable.MISS || out.error() == Errno.EAGAIN) {
                out.fail(RouteType.UNSPEC, Errno.ENETUNREACH);
            }
            return false;
        }
        out.reset();
        Errno err = rules.lookup(flow, out, flags);
        if (err == null) {
            return true;
        }
        if (err == Errno.ESRCH || err == Errno.EAGAIN) {
            out.fail(RouteType.UNSPEC, Errno.ENETUNREACH);
        }
        return false;
    }

    /**
     * Tables local and main looked up as the one trie Linux keeps them in before the first rule
     * change: the longer prefix wins, local first at equal length; answers say table main.
     */
    private int mergedLookup(Flow4 flow, FibResult out, int flags) {
        FibAlias fa = local.decide(flow, flags);
        // Nothing in main can be longer than a /32 of local (a local address, usually).
        if (fa == null || fa.prefixLen < 32) {
            FibAlias inMain = main.decide(flow, flags);
            if (inMain != null && (fa == null || inMain.prefixLen > fa.prefixLen)) {
                fa = inMain;
            }
        }
        if (fa == null) {
            return FibTable.MISS;
        }
        if (fa.info.type.rejects()) {
            out.reject(fa, FibTable.MAIN);
            return FibTable.REJECT;
        }
        out.set(fa, FibTable.MAIN);
        return FibTable.HIT;
    }

    /**
     * Touches the index entry and route a lookup of {@code dst} in table main will read, so a
     * batch's cache misses overlap; changes nothing. Only large (indexed) tables are worth it.
     */
    public void prefetch(int dst) {
        if (!customRules) {
            main.prefetch(dst);
        }
    }

    /** {@code fib_table_lookup} on one table, which for local/main before any rule change is the merged trie. */
    int tableLookup(FibTable t, Flow4 flow, FibResult out, int flags) {
        out.reset();
        if (!customRules && (t == local || t == main)) {
            return mergedLookup(flow, out, flags);
        }
        return t.lookup(flow, out, flags, t.id());
    }

    /**
     * {@code inet_addr_type}: what {@code addr} is to this host, from the local table:
     * {@link RouteType#LOCAL}, {@link RouteType#BROADCAST}, {@link RouteType#MULTICAST} or
     * {@link RouteType#UNICAST} (anything else).
     */
    public RouteType addressType(int addr) {
        return addressType(FibTable.LOCAL, null, addr);
    }

    /**
     * {@code inet_addr_type_dev_table}: as {@link #addressType}, but a local-table route counts
     * only when its device is {@code ifindex}.
     */
    public RouteType addressTypeOnDevice(int ifindex, int addr) {
        FibDev dev = devs.get(ifindex);
        return addressType(FibTable.LOCAL, dev != null ? dev : new FibDev(ifindex), addr);
    }

    /** {@code __inet_dev_addr_type}. */
    RouteType addressType(int tableId, FibDev dev, int addr) {
        if ((addr & 0xff000000) == 0 || addr == -1) {
            return RouteType.BROADCAST;
        }
        if ((addr & 0xf0000000) == 0xe0000000) {
            return RouteType.MULTICAST;
        }
        FibTable t = tables.get(tableId);
        if (t == null) {
            return RouteType.BROADCAST;
        }
        probe.reset().dst(addr);
        if (tableLookup(t, probe, probeResult, 0) == FibTable.HIT && (dev == null || probeResult.oif() == dev.ifindex)) {
            return probeResult.type();
        }
        return RouteType.UNICAST;
    }

    /**
     * {@code inet_rtm_newroute}: adds a route, filling unset fields as iproute2 does (see
     * {@link RouteSpec}) and validating as {@code fib_create_info} does. The table is created on
     * first use, even when the route is then refused.
     *
     * @throws NetException for example EEXIST (add of an existing route), "Nexthop has invalid
     *     gateway" (gateway not directly reachable; the errno is the failed lookup's, usually
     *     ENETUNREACH, or EINVAL when the gateway is a broadcast address), ENODEV (no such device),
     *     ENETDOWN "Device for nexthop is not up", EINVAL "Invalid prefix for given prefix length"
     */
    public void addRoute(RouteSpec spec, Op op) {
        RouteType type = spec.type() == RouteType.UNSPEC ? RouteType.UNICAST : spec.type();
        int tableId = spec.table() != FibTable.UNSPEC ? spec.table() : defaultTableFor(type);
        int scope = spec.scope() >= 0 ? spec.scope() : defaultAddScope(type, spec.gateway() != null);
        int protocol = spec.protocol() >= 0 ? spec.protocol() : RouteProtocol.BOOT;
        int key = spec.dst().bits();
        checkKey(key, spec.prefixLen(), spec.tos());
        FibTable tb = getOrCreateTable(tableId);
        FibInfo fi = semantics.createInfo(tableId, type, key, scope, protocol, spec.priority(), bits(spec.prefsrc()),
                bits(spec.gateway()), spec.oif(), spec.onlink(), spec.mtu(), spec.mtuLock(), spec.advmss());
        insert(tb, key, spec.prefixLen(), spec.tos(), type, fi, op.nlflags);
    }

    /**
     * {@code inet_rtm_delroute}: removes the first route matching every field the spec gives
     * (see {@link RouteSpec} for what "not given" means on delete).
     *
     * @throws NetException ESRCH when no route matches or the table does not exist
     */
    public void deleteRoute(RouteSpec spec) {
        RouteType type = spec.type();
        int tableId = spec.table() != FibTable.UNSPEC ? spec.table() : defaultTableFor(type);
        int scope = spec.scope() >= 0 ? spec.scope() : defaultDeleteScope(type);
        int protocol = spec.protocol() >= 0 ? spec.protocol() : RouteProtocol.UNSPEC;
        int key = spec.dst().bits();
        checkKey(key, spec.prefixLen(), spec.tos());
        FibTable tb = tables.get(tableId);
        if (tb == null) {
            throw new NetException(Errno.ESRCH, "FIB table does not exist");
        }
        FibAlias removed = tb.delete(key, spec.prefixLen(), spec.tos(), type, scope, bits(spec.prefsrc()), protocol,
                spec.priority(), spec.oif(), bits(spec.gateway()), spec.mtu(), spec.mtuLock(), spec.advmss());
        semantics.release(removed.info);
        genid++;
    }

    void insert(FibTable tb, int key, int plen, int tos, RouteType type, FibInfo fi, int nlflags) {
        FibInfo drop;
        try {
            drop = tb.insert(key, plen, tos, type, fi, nlflags);
        } catch (NetException e) {
            semantics.release(fi);
            throw e;
        }
        if (drop != null) {
            semantics.release(drop);
        }
        genid++;
    }

    private static int bits(Ipv4Address a) {
        return a == null ? 0 : a.bits();
    }

    /** iproute2: local, broadcast, anycast and nat routes go to table local unless a table is given. */
    private static int defaultTableFor(RouteType type) {
        return switch (type) {
            case LOCAL, BROADCAST, ANYCAST, NAT -> FibTable.LOCAL;
            default -> FibTable.MAIN;
        };
    }

    /** iproute2 {@code iproute_modify} for RTM_NEWROUTE without {@code scope}. */
    private static int defaultAddScope(RouteType type, boolean hasGateway) {
        return switch (type) {
            case LOCAL, NAT -> RouteScope.HOST;
            case BROADCAST, MULTICAST, ANYCAST -> RouteScope.LINK;
            case UNICAST, UNSPEC -> hasGateway ? RouteScope.UNIVERSE : RouteScope.LINK;
            default -> RouteScope.UNIVERSE;
        };
    }

    /** iproute2 for RTM_DELROUTE without {@code scope}: NOWHERE, i.e. any scope. */
    private static int defaultDeleteScope(RouteType type) {
        return switch (type) {
            case LOCAL, NAT -> RouteScope.HOST;
            case BROADCAST, MULTICAST, ANYCAST -> RouteScope.LINK;
            default -> RouteScope.NOWHERE;
        };
    }

    /** {@code fib_valid_key_len} and the TOS check of {@code rtm_to_fib_config}. */
    private static void checkKey(int key, int plen, int tos) {
        if ((key & ~FibTrie.mask(plen)) != 0) {
            throw new NetException(Errno.EINVAL, "Invalid prefix for given prefix length");
        }
        if ((tos & 0x03) != 0) {
            throw new NetException(Errno.EINVAL, "Invalid dsfield (tos): ECN bits must be 0");
        }
    }

    FibSemantics semantics() {
        return semantics;
    }

    FibDev dev(int ifindex) {
        return devs.get(ifindex);
    }

    FibDev devOrCreate(int ifindex) {
        return devs.computeIfAbsent(ifindex, FibDev::new);
    }

    /**
     * A device appeared ({@code NETDEV_REGISTER}): rules naming it attach to it. Devices the FIB
     * was never told about count as nonexistent (ENODEV) when a route names them.
     */
    public void deviceRegistered(int ifindex, String name) {
        FibDev d = devOrCreate(ifindex);
        d.name = name;
        rules.deviceRegistered(ifindex, name);
        genid++;
    }

    /**
     * {@code fib_add_ifaddr}: the routes of a new address (also called again when its device
     * comes up; existing routes are left alone). Always {@code local ADDR} in table local; on an
     * up device also the subnet's prefix route in table main (a {@code local} route in table
     * local on a loopback device) and, for prefixes up to /30, the subnet broadcast.
     */
    public void addInterfaceAddress(Ipv4Address local, int prefixLen, int ifindex, boolean deviceIsUp, boolean loopback) {
        addInterfaceAddress(local, prefixLen, null, ifindex, deviceIsUp, loopback);
    }

    /** As {@link #addInterfaceAddress(Ipv4Address, int, int, boolean, boolean)} with an explicit broadcast address ({@code brd}). */
    public void addInterfaceAddress(Ipv4Address local, int prefixLen, Ipv4Address broadcast, int ifindex, boolean deviceIsUp,
            boolean loopback) {
        FibDev d = devOrCreate(ifindex);
        d.up = deviceIsUp;
        d.loopback = loopback;
        ifaddrs.add(d, local.bits(), prefixLen, bits(broadcast));
        genid++;
    }

    /**
     * {@code fib_del_ifaddr}: removes the routes of a deleted address that no remaining address
     * of the device still needs, then the routes that used it as preferred source; when it was the
     * device's last address, every route through the device ({@code fib_disable_ip}).
     */
    public void deleteInterfaceAddress(Ipv4Address local, int prefixLen, int ifindex, boolean loopback) {
        FibDev d = devs.get(ifindex);
        if (d == null) {
            return;
        }
        d.loopback = loopback;
        ifaddrs.delete(d, local.bits(), prefixLen);
        if (d.addresses.isEmpty()) {
            disableIp(d, NETDEV_DOWN, true);
        }
        genid++;
    }

    /**
     * {@code NETDEV_UP}: re-adds the routes of the device's addresses and revives its next hops.
     */
    public void deviceUp(int ifindex) {
        FibDev d = devOrCreate(ifindex);
        d.up = true;
        for (FibDev.IfAddr a : List.copyOf(d.addresses)) {
            ifaddrs.addRoutes(d, a);
        }
        semantics.syncUp(d, FibInfo.RTNH_F_DEAD);
        genid++;
    }

    /**
     * {@code NETDEV_DOWN}: every route through the device goes, except the host-scope ones
     * ({@code local} routes of its addresses), exactly what {@code ip route} shows after
     * {@code ip link set X down}.
     */
    public void deviceDown(int ifindex) {
        FibDev d = devOrCreate(ifindex);
        d.up = false;
        disableIp(d, NETDEV_DOWN, false);
        genid++;
    }

    /**
     * {@code NETDEV_CHANGE} on an up device: losing carrier marks the next hops through it
     * {@code linkdown} (the routes stay and are still used unless the device has
     * {@code ignore_routes_with_linkdown}); regaining it clears the mark.
     */
    public void carrierChanged(int ifindex, boolean carrier) {
        FibDev d = devOrCreate(ifindex);
        d.carrier = carrier;
        if (d.up) {
            if (carrier) {
                semantics.syncUp(d, FibInfo.RTNH_F_LINKDOWN);
            } else {
                semantics.syncDownDev(d, NETDEV_CHANGE, false);
            }
        }
        genid++;
    }

    /** {@code net.ipv4.conf.DEV.ignore_routes_with_linkdown}: lookups skip next hops without carrier. */
    public void setIgnoreRoutesWithLinkdown(int ifindex, boolean ignore) {
        devOrCreate(ifindex).ignoreRoutesWithLinkdown = ignore;
        genid++;
    }

    /**
     * {@code NETDEV_UNREGISTER}: the device is gone; every route through it goes, its addresses
     * are forgotten and rules naming it detach.
     */
    public void flushDevice(int ifindex) {
        FibDev d = devs.get(ifindex);
        if (d == null) {
            return;
        }
        disableIp(d, NETDEV_UNREGISTER, true);
        d.addresses.clear();
        rules.deviceUnregistered(ifindex);
        devs.remove(ifindex);
        genid++;
    }

    static final int NETDEV_DOWN = 1;
    static final int NETDEV_CHANGE = 2;
    static final int NETDEV_UNREGISTER = 3;

    /** {@code fib_disable_ip}. */
    private void disableIp(FibDev d, int event, boolean force) {
        if (semantics.syncDownDev(d, event, force) > 0) {
            flush();
        }
    }

    /** {@code fib_flush}: removes dead routes from every table. */
    void flush() {
        for (FibTable t : tables.values()) {
            t.flush(fa -> semantics.release(fa.info));
        }
    }

    @Override
    public String toString() {
        return "Fib[" + tables.size() + " tables, " + rules.size() + " rules, " + semantics.infoCount() + " infos]";
    }
}
