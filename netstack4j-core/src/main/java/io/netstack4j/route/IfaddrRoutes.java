package io.netstack4j.route;

import io.netstack4j.core.NetException;

/**
 * The routes that follow interface addresses: {@code fib_add_ifaddr}, {@code fib_del_ifaddr} and
 * {@code fib_magic} of {@code net/ipv4/fib_frontend.c} (kernels 5.x and later, which no longer add
 * a broadcast route for the network address).
 *
 * <p>For address {@code A/L} on device {@code D} with primary address {@code P} of the same
 * subnet (A itself unless A is secondary), all {@code proto kernel}:
 * <pre>
 *   table local  local A dev D scope host src P                     always
 *   table local  broadcast BRD dev D scope link src P               explicit brd, device up
 *   table main   NET/L dev D scope link src P                       primary, device up
 *   table local  local NET/L dev D scope host src P                 (instead, on loopback)
 *   table local  broadcast NET|~MASK dev D scope link src P         primary, device up, L &lt;= 30
 * </pre>
 */
final class IfaddrRoutes {

    private static final int LOCAL_OK = 1;
    private static final int BRD_OK = 2;
    private static final int BRD0_OK = 4;
    private static final int BRD1_OK = 8;

    private final Fib fib;

    IfaddrRoutes(Fib fib) {
        this.fib = fib;
    }

    /** Records the address (primary unless another address of the device has its subnet) and adds its routes. */
    void add(FibDev d, int local, int prefixLen, int broadcast) {
        FibDev.IfAddr a = d.find(local, prefixLen);
        if (a == null) {
            a = new FibDev.IfAddr(local, prefixLen, broadcast);
            FibDev.IfAddr prim = primaryOf(d, a);
            if (prim != null) {
                a.secondary = true;
                a.prefsrc = prim.local;
                d.addresses.add(a);
            } else {
                int at = 0;
                while (at < d.addresses.size() && !d.addresses.get(at).secondary) {
                    at++;
                }
                d.addresses.add(at, a);
            }
        }
        addRoutes(d, a);
    }

    private static FibDev.IfAddr primaryOf(FibDev d, FibDev.IfAddr a) {
        for (FibDev.IfAddr o : d.addresses) {
            if (!o.secondary && o != a && o.mask == a.mask && a.matches(o.local)) {
                return o;
            }
        }
        return null;
    }

    /** {@code fib_add_ifaddr}. */
    void addRoutes(FibDev d, FibDev.IfAddr a) {
        int prefix = a.local & a.mask;
        if (a.secondary) {
            FibDev.IfAddr prim = primaryOf(d, a);
            if (prim == null) {
                return;
            }
            a.prefsrc = prim.local;
        }
        int src = a.prefsrc;
        magic(true, RouteType.LOCAL, a.local, 32, d, src);
        if (!d.up) {
            return;
        }
        if (a.broadcast != 0 && a.broadcast != -1) {
            magic(true, RouteType.BROADCAST, a.broadcast, 32, d, src);
        }
        if (!zeronet(prefix) && !a.secondary && (prefix != a.local || a.prefixLen < 32)) {
            magic(true, d.loopback ? RouteType.LOCAL : RouteType.UNICAST, prefix, a.prefixLen, d, src);
            if (a.prefixLen < 31) {
                magic(true, RouteType.BROADCAST, prefix | ~a.mask, 32, d, src);
            }
        }
    }

    /**
     * {@code fib_del_ifaddr}: forgets the address and deletes each of its routes that no remaining
     * address with the same preferred source still accounts for.
     */
    void delete(FibDev d, int local, int prefixLen) {
        FibDev.IfAddr ifa = d.find(local, prefixLen);
        if (ifa == null) {
            ifa = new FibDev.IfAddr(local, prefixLen, 0);
            FibDev.IfAddr prim = primaryOf(d, ifa);
            if (prim != null) {
                ifa.secondary = true;
                ifa.prefsrc = prim.local;
            }
        } else {
            d.addresses.remove(ifa);
        }
        int brd = ifa.local | ~ifa.mask;
        int any = ifa.local & ifa.mask;
        FibDev.IfAddr prim = ifa;
        boolean subnet = false;
        if (ifa.secondary) {
            prim = primaryOf(d, ifa);
            if (prim == null) {
                // The primary went first: delete with the source the routes were installed with.
                prim = new FibDev.IfAddr(ifa.prefsrc, ifa.prefixLen, 0);
            }
        } else if (!zeronet(any) && (any != ifa.local || ifa.prefixLen < 32)) {
            magic(false, d.loopback ? RouteType.LOCAL : RouteType.UNICAST, any, ifa.prefixLen, d, prim.local);
            subnet = true;
        }
        int ok = 0;
        boolean samePrefsrc = false;
        FibDev.IfAddr prim1 = null;
        for (FibDev.IfAddr ifa1 : d.addresses) {
            if (ifa1.secondary) {
                if (ifa1.mask == prim.mask && prim.matches(ifa1.local)) {
                    prim1 = prim;
                } else {
                    if (!samePrefsrc) {
                        continue;
                    }
                    if (prim1 == null || ifa1.mask != prim1.mask || !prim1.matches(ifa1.local)) {
                        prim1 = d.byPrefix(ifa1.local, ifa1.mask);
                    }
                    if (prim1 == null || prim1.local != prim.local) {
                        continue;
                    }
                }
            } else {
                if (prim.local != ifa1.local) {
                    continue;
                }
                prim1 = ifa1;
                if (prim != prim1) {
                    samePrefsrc = true;
                }
            }
            if (ifa.local == ifa1.local) {
                ok |= LOCAL_OK;
            }
            if (ifa.broadcast == ifa1.broadcast) {
                ok |= BRD_OK;
            }
            if (brd == ifa1.broadcast) {
                ok |= BRD1_OK;
            }
            if (any == ifa1.broadcast) {
                ok |= BRD0_OK;
            }
            if (prim1 == ifa1 && ifa1.prefixLen < 31) {
                int brd1 = ifa1.local | ~ifa1.mask;
                int any1 = ifa1.local & ifa1.mask;
                if (!zeronet(any1)) {
                    if (ifa.broadcast == brd1 || ifa.broadcast == any1) {
                        ok |= BRD_OK;
                    }
                    if (brd == brd1 || brd == any1) {
                        ok |= BRD1_OK;
                    }
                    if (any == brd1 || any == any1) {
                        ok |= BRD0_OK;
                    }
                }
            }
        }
        if ((ok & BRD_OK) == 0) {
            magic(false, RouteType.BROADCAST, ifa.broadcast, 32, d, prim.local);
        }
        if (subnet && ifa.prefixLen < 31) {
            if ((ok & BRD1_OK) == 0) {
                magic(false, RouteType.BROADCAST, brd, 32, d, prim.local);
            }
            if ((ok & BRD0_OK) == 0) {
                magic(false, RouteType.BROADCAST, any, 32, d, prim.local);
            }
        }
        if ((ok & LOCAL_OK) == 0) {
            magic(false, RouteType.LOCAL, ifa.local, 32, d, prim.local);
            // The address may still be local through another device; only when it is not are
            // routes still preferring it as source stray.
            if (fib.addressTypeOnDevice(d.ifindex, ifa.local) != RouteType.LOCAL && fib.semantics().syncDownAddr(ifa.local) > 0) {
                fib.flush();
            }
        }
    }

    /**
     * {@code fib_magic}: a kernel route for an address, inserted with CREATE|APPEND or deleted,
     * errors ignored as the kernel ignores them (an existing route stays, a missing one is fine).
     */
    private void magic(boolean add, RouteType type, int dst, int plen, FibDev d, int prefsrc) {
        int tableId = type == RouteType.UNICAST ? FibTable.MAIN : FibTable.LOCAL;
        int scope = type != RouteType.LOCAL ? RouteScope.LINK : RouteScope.HOST;
        try {
            if (add) {
                FibTable tb = fib.getOrCreateTable(tableId);
                FibInfo fi = fib.semantics().createInfo(tableId, type, dst, scope, RouteProtocol.KERNEL, 0, prefsrc, 0, d.ifindex, false, 0,
                        false, 0);
                fib.insert(tb, dst, plen, 0, type, fi, FibTable.NLM_F_CREATE | FibTable.NLM_F_APPEND);
            } else {
                FibTable tb = fib.table(tableId);
                if (tb != null) {
                    FibAlias removed = tb.delete(dst, plen, 0, type, scope, prefsrc, RouteProtocol.KERNEL, 0, d.ifindex, 0, 0, false, 0);
                    fib.semantics().release(removed.info);
                }
            }
        } catch (NetException ignored) {
            // fib_magic does not report failures: EEXIST on re-add and ESRCH on delete are expected.
        }
    }

    private static boolean zeronet(int addr) {
        return (addr & 0xff000000) == 0;
    }
}
