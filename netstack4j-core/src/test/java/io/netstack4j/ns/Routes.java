package io.netstack4j.ns;

import io.netstack4j.route.Fib;
import io.netstack4j.route.RouteSpec;

/** {@code ip route add DST via GW} for tests. */
public final class Routes {

    private Routes() {
    }

    public static void add(Namespace ns, String dst, String via) {
        ns.addRoute(RouteSpec.to(dst).via(via).build(), Fib.Op.ADD);
    }
}
