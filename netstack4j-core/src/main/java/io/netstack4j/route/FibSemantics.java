package io.netstack4j.route;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import java.util.HashMap;
import java.util.Map;

/**
 * What a route means and when it stops working ({@code net/ipv4/fib_semantics.c}): validation
 * of new routes and their next hops ({@code fib_create_info}, {@code fib_check_nh}), the shared
 * {@link FibInfo}s ({@code fib_find_info}, {@code fib_release_info}), and the marking of next hops
 * when devices or addresses go ({@code fib_sync_down_dev}, {@code fib_sync_up},
 * {@code fib_sync_down_addr}).
 */
final class FibSemantics {

    private final Fib fib;
    private final Map<FibInfo, FibInfo> infos = new HashMap<>();
    private final Flow4 probe = new Flow4();
    private final FibResult probeResult = new FibResult();

    FibSemantics(Fib fib) {
        this.fib = fib;
    }

    /** Number of distinct infos in use. */
    int infoCount() {
        return infos.size();
    }

    /**
     * {@code fib_create_info} with {@code fib_check_nh}: validates the route and returns the
     * (shared) info describing it, with one reference taken for the caller.
     */
    FibInfo createInfo(int tableId, RouteType type, int dst, int scope, int protocol, int priority, int prefsrc, int gateway,
            int oif, boolean onlink, int mtu, boolean mtuLock, int advmss) {
        if (type.minScope() > scope) {
            throw new NetException(Errno.EINVAL, "Invalid scope");
        }
        FibDev dev = null;
        int nhScope = 0;
        int nhOif = oif;
        int nhFlags = onlink ? FibInfo.RTNH_F_ONLINK : 0;
        if (type.rejects()) {
            if (gateway != 0 || oif != 0) {
                throw new NetException(Errno.EINVAL, "Gateway, device and multipath can not be specified for this route type");
            }
        } else {
            switch (type) {
                case UNICAST, LOCAL, BROADCAST, ANYCAST, MULTICAST -> {
                }
                default -> throw new NetException(Errno.EINVAL, "Invalid route type");
            }
            if (scope > RouteScope.HOST) {
                throw new NetException(Errno.EINVAL, "Invalid scope");
            }
            if (scope == RouteScope.HOST) {
                // A local address: the device only has to exist.
                if (gateway != 0) {
                    throw new NetException(Errno.EINVAL, "Route with host scope can not have a gateway");
                }
                nhScope = RouteScope.NOWHERE;
                dev = fib.dev(oif);
                if (dev == null) {
                    throw new NetException(Errno.ENODEV);
                }
            } else if (gateway != 0) {
                dev = checkGateway(tableId, scope, gateway, oif, onlink);
                nhScope = onlink ? RouteScope.LINK : probeResult.scope();
                nhOif = dev.ifindex;
            } else {
                if (onlink) {
                    throw new NetException(Errno.EINVAL, "Invalid flags for nexthop - PERVASIVE and ONLINK can not be set");
                }
                dev = fib.dev(oif);
                if (dev == null) {
                    throw new NetException(Errno.ENODEV);
                }
                if (!dev.up) {
                    throw new NetException(Errno.ENETDOWN, "Device for nexthop is not up");
                }
                nhScope = RouteScope.HOST;
            }
            if (scope != RouteScope.HOST && !dev.carrier) {
                nhFlags |= FibInfo.RTNH_F_LINKDOWN;
            }
        }
        if (prefsrc != 0 && !validPrefsrc(type, dst, prefsrc, tableId)) {
            throw new NetException(Errno.EINVAL, "Invalid prefsrc address");
        }
        FibInfo fi = new FibInfo(tableId, type, protocol, scope, priority, prefsrc, mtu, mtuLock, advmss, gateway, nhOif, nhScope, dev,
                nhFlags);
        FibInfo shared = infos.get(fi);
        if (shared != null) {
            shared.refs++;
            return shared;
        }
        fi.refs = 1;
        infos.put(fi, fi);
        return fi;
    }

    /**
     * {@code fib_check_nh_v4_gw}: an on-link gateway must be a unicast address for the named
     * device; any other gateway must be reachable by a route of narrower scope than the new one
     * (at least link scope), looked up in the route's own table first and then through the rules.
     * Leaves the gateway's route in {@code probeResult}.
     */
    private FibDev checkGateway(int tableId, int scope, int gateway, int oif, boolean onlink) {
        if (onlink) {
            if (scope >= RouteScope.LINK) {
                throw new NetException(Errno.EINVAL, "Nexthop has invalid scope");
            }
            FibDev dev = fib.dev(oif);
            if (dev == null) {
                throw new NetException(Errno.ENODEV, "Nexthop device required for onlink");
            }
            if (!dev.up) {
                throw new NetException(Errno.ENETDOWN, "Nexthop device is not up");
            }
            if (fib.addressType(FibTable.LOCAL, dev, gateway) != RouteType.UNICAST) {
                throw new NetException(Errno.EINVAL, "Nexthop has invalid gateway");
            }
            return dev;
        }
        probe.reset().dst(gateway).oif(oif).iif(Fib.LOOPBACK_IFINDEX).scope(Math.max(scope + 1, RouteScope.LINK));
        boolean found = false;
        if (tableId != FibTable.UNSPEC && tableId != FibTable.MAIN) {
            FibTable t = fib.table(tableId);
            found = t != null && fib.tableLookup(t, probe, probeResult, FibTable.IGNORE_LINKSTATE) == FibTable.HIT;
        }
        if (!found && !fib.lookup(probe, probeResult, FibTable.IGNORE_LINKSTATE)) {
            throw new NetException(probeResult.error(), "Nexthop has invalid gateway");
        }
        if (probeResult.type() != RouteType.UNICAST && probeResult.type() != RouteType.LOCAL) {
            throw new NetException(Errno.EINVAL, "Nexthop has invalid gateway");
        }
        FibDev dev = fib.dev(probeResult.oif());
        if (dev == null) {
            throw new NetException(Errno.EINVAL, "No egress device for nexthop gateway");
        }
        if (!dev.up) {
            throw new NetException(Errno.ENETDOWN);
        }
        return dev;
    }

    /** {@code fib_valid_prefsrc}: the preferred source must be a local address. */
    private boolean validPrefsrc(RouteType type, int dst, int prefsrc, int tableId) {
        if (type == RouteType.LOCAL && dst != 0 && prefsrc == dst) {
            return true;
        }
        int tb = tableId == FibTable.MAIN ? FibTable.LOCAL : tableId;
        RouteType rc = fib.addressType(tb, null, prefsrc);
        if (rc != RouteType.LOCAL && tb != FibTable.LOCAL) {
            rc = fib.addressType(FibTable.LOCAL, null, prefsrc);
        }
        return rc == RouteType.LOCAL;
    }

    /** {@code fib_release_info}: drops one route's reference. */
    void release(FibInfo fi) {
        if (--fi.refs == 0) {
            infos.remove(fi);
        }
    }

    /**
     * {@code fib_sync_down_dev}: marks the next hops through {@code d} dead (down, unregister) or
     * linkdown (carrier loss). Host-scope next hops survive unless {@code force}.
     */
    int syncDownDev(FibDev d, int event, boolean force) {
        int spared = force ? -1 : RouteScope.NOWHERE;
        int count = 0;
        for (FibInfo fi : infos.values()) {
            if (fi.dev != d) {
                continue;
            }
            boolean dead = (fi.nhFlags & FibInfo.RTNH_F_DEAD) != 0;
            if (!dead && fi.nhScope != spared) {
                fi.nhFlags |= event == Fib.NETDEV_CHANGE ? FibInfo.RTNH_F_LINKDOWN : FibInfo.RTNH_F_DEAD | FibInfo.RTNH_F_LINKDOWN;
                dead = true;
            }
            if (dead) {
                fi.flags |= event == Fib.NETDEV_CHANGE ? FibInfo.RTNH_F_LINKDOWN : FibInfo.RTNH_F_DEAD | FibInfo.RTNH_F_LINKDOWN;
                count++;
            }
        }
        return count;
    }

    /** {@code fib_sync_up}: clears {@code mask} from the next hops through an up device. */
    void syncUp(FibDev d, int mask) {
        if (!d.up) {
            return;
        }
        if ((mask & FibInfo.RTNH_F_DEAD) != 0 && d.carrier) {
            mask |= FibInfo.RTNH_F_LINKDOWN;
        }
        for (FibInfo fi : infos.values()) {
            if (fi.dev == d) {
                fi.nhFlags &= ~mask;
                fi.flags &= ~mask;
            }
        }
    }

    /** {@code fib_sync_down_addr}: main-table routes preferring a vanished source address die. */
    int syncDownAddr(int local) {
        int count = 0;
        for (FibInfo fi : infos.values()) {
            if (fi.table == FibTable.MAIN && fi.prefsrc == local) {
                fi.flags |= FibInfo.RTNH_F_DEAD;
                count++;
            }
        }
        return count;
    }
}
