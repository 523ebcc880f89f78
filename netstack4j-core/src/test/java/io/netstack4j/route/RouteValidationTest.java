package io.netstack4j.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code fib_create_info}/{@code fib_check_nh}: each refusal checked against what
 * {@code ip route add} answered on Linux 6.18 ({@code Error: MESSAGE.} when the kernel set a
 * message, {@code RTNETLINK answers: ERRNO-TEXT} otherwise).
 */
class RouteValidationTest {

    private final FibFixture f = new FibFixture().device(2, "v0").up(2).address("10.1.0.2/24", 2).device(3, "d0")
            .address("10.4.0.1/30", 2);

    private NetException refused(RouteSpec.Builder b) {
        return assertThrows(NetException.class, () -> f.fib.addRoute(b.build(), Fib.Op.ADD));
    }

    private void refused(RouteSpec.Builder b, Errno errno, String message) {
        NetException e = refused(b);
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(message, e.getMessage());
    }

    @Test
    void aGatewayMustBeDirectlyReachable() {
        refused(RouteSpec.to("10.42.0.0/16").via("10.2.0.1"), Errno.ENETUNREACH, "Nexthop has invalid gateway");
        // Through the wrong device, or only through a gateway route (scope universe), it is not.
        refused(RouteSpec.to("10.42.0.0/16").via("10.1.0.1").dev(1), Errno.ENETUNREACH, "Nexthop has invalid gateway");
        f.fib.addRoute(RouteSpec.to("10.30.0.0/16").via("10.1.0.1").build(), Fib.Op.ADD);
        refused(RouteSpec.to("10.42.0.0/16").via("10.30.0.1"), Errno.ENETUNREACH, "Nexthop has invalid gateway");
        // A route of link scope needs a gateway of host scope.
        refused(RouteSpec.to("10.47.0.0/16").via("10.1.0.1").scope(RouteScope.LINK), Errno.ENETUNREACH,
                "Nexthop has invalid gateway");
        // A broadcast address is no gateway.
        refused(RouteSpec.to("10.50.0.0/16").via("10.4.0.3"), Errno.EINVAL, "Nexthop has invalid gateway");
    }

    @Test
    void acceptedGatewaysTakeTheirDeviceFromTheRouteToThem() {
        f.fib.addRoute(RouteSpec.to("10.42.0.0/16").via("10.1.0.1").build(), Fib.Op.ADD);
        f.fib.addRoute(RouteSpec.to("10.46.0.0/16").via("10.4.0.1").build(), Fib.Op.ADD);
        f.fib.addRoute(RouteSpec.to("10.15.0.0/16").via("10.99.0.1").dev(2).onlink().build(), Fib.Op.ADD);
        assertEquals(List.of(
                "10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 ",
                "10.4.0.0/30 dev v0 proto kernel scope link src 10.4.0.1 ",
                "10.15.0.0/16 via 10.99.0.1 dev v0 onlink ",
                "10.42.0.0/16 via 10.1.0.1 dev v0 ",
                "10.46.0.0/16 via 10.4.0.1 dev v0 "), f.main());
        FibInfo fi = f.fib.table(FibTable.MAIN).routesAt(FibFixture.ip("10.42.0.0"), 16).getFirst().info();
        assertEquals(RouteScope.LINK, fi.nhScope());
    }

    @Test
    void gatewaysInTheRoutesOwnTableCount() {
        f.fib.addRoute(RouteSpec.to("10.70.0.0/24").dev(2).table(100).build(), Fib.Op.ADD);
        f.fib.addRoute(RouteSpec.to("default").via("10.70.0.1").table(100).build(), Fib.Op.ADD);
        refused(RouteSpec.to("default").via("10.70.0.1"), Errno.ENETUNREACH, "Nexthop has invalid gateway");
    }

    @Test
    void onlinkGatewaysHaveTheirOwnChecks() {
        refused(RouteSpec.to("10.48.0.0/16").via("10.1.0.1").dev(2).onlink().scope(RouteScope.LINK), Errno.EINVAL,
                "Nexthop has invalid scope");
        refused(RouteSpec.to("10.48.0.0/16").via("10.1.0.2").dev(2).onlink(), Errno.EINVAL, "Nexthop has invalid gateway");
        refused(RouteSpec.to("10.48.0.0/16").via("10.1.0.1").dev(3).onlink(), Errno.ENETDOWN, "Nexthop device is not up");
        refused(RouteSpec.to("10.48.0.0/16").via("10.1.0.1").dev(42).onlink(), Errno.ENODEV, "Nexthop device required for onlink");
    }

    @Test
    void deviceRoutesNeedAnExistingUpDevice() {
        refused(RouteSpec.to("10.60.0.0/16"), Errno.ENODEV, "No such device");
        refused(RouteSpec.to("10.40.0.0/16").dev(3), Errno.ENETDOWN, "Device for nexthop is not up");
        refused(RouteSpec.to("10.61.0.0/16").via("10.1.0.1").dev(3), Errno.ENETUNREACH, "Nexthop has invalid gateway");
        f.up(3);
        f.fib.addRoute(RouteSpec.to("10.40.0.0/16").dev(3).build(), Fib.Op.ADD);
    }

    @Test
    void typeScopeAndSourceChecks() {
        refused(RouteSpec.to("10.44.0.0/16").type(RouteType.UNREACHABLE).dev(2), Errno.EINVAL,
                "Gateway, device and multipath can not be specified for this route type");
        refused(RouteSpec.to("10.45.0.0/16").type(RouteType.LOCAL).dev(2).scope(RouteScope.LINK), Errno.EINVAL, "Invalid scope");
        refused(RouteSpec.to("10.25.0.0/16").type(RouteType.NAT).via("10.1.0.1"), Errno.EINVAL, "Invalid scope");
        refused(RouteSpec.to("10.46.0.0/16").dev(2).src("10.99.0.1"), Errno.EINVAL, "Invalid prefsrc address");
        refused(RouteSpec.to("10.43.0.5/16").dev(2), Errno.EINVAL, "Invalid prefix for given prefix length");
        refused(RouteSpec.to("10.53.0.0/16").dev(2).tos(0x11), Errno.EINVAL, "Invalid dsfield (tos): ECN bits must be 0");
        refused(RouteSpec.to("10.54.0.0/16").dev(2).scope(RouteScope.HOST).via("10.1.0.1"), Errno.EINVAL,
                "Route with host scope can not have a gateway");
        refused(RouteSpec.to("10.55.0.0/16").dev(2).onlink(), Errno.EINVAL,
                "Invalid flags for nexthop - PERVASIVE and ONLINK can not be set");
        // A host-scope route only needs the device to exist, up or not.
        f.fib.addRoute(RouteSpec.to("10.44.0.0/16").dev(2).src("10.4.0.1").protocol(RouteProtocol.KERNEL).scope(RouteScope.HOST)
                .build(), Fib.Op.ADD);
        f.fib.addRoute(RouteSpec.to("10.45.0.0/16").type(RouteType.LOCAL).dev(3).build(), Fib.Op.ADD);
        assertEquals(List.of("10.44.0.0/16 dev v0 proto kernel scope host src 10.4.0.1 "),
                f.main().stream().filter(l -> l.startsWith("10.44.")).toList());
    }

    @Test
    void aRefusedRouteStillCreatesItsTable() {
        refused(RouteSpec.to("10.1.0.0/16").via("10.9.9.9").table(77));
        assertEquals(77, f.fib.table(77).id());
    }
}
