package io.netstack4j.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Netlink flag semantics of route insert and the field matching of route delete. */
class FibTableOpsTest {

    private final FibFixture f = new FibFixture().device(2, "v0").up(2).address("10.1.0.2/24", 2).device(3, "v1").up(3)
            .address("10.2.0.2/24", 3);

    private void op(Fib.Op op, RouteSpec.Builder b) {
        f.fib.addRoute(b.build(), op);
    }

    private List<String> defaults() {
        return f.main().stream().filter(l -> l.startsWith("default")).toList();
    }

    /** The sequence run on Linux; the order of the default routes is what it printed. */
    @Test
    void aliasesKeepLinuxOrderTosDescendingThenMetricThenFlags() {
        op(Fib.Op.ADD, RouteSpec.to("default").dev(2).metric(3));
        op(Fib.Op.ADD, RouteSpec.to("default").dev(2).tos(0x10).metric(9));
        op(Fib.Op.ADD, RouteSpec.to("default").dev(2).tos(0x08));
        op(Fib.Op.PREPEND, RouteSpec.to("default").dev(2).metric(3).protocol(RouteProtocol.STATIC));
        op(Fib.Op.APPEND, RouteSpec.to("default").dev(2).metric(3).protocol(RouteProtocol.BOOT).scope(RouteScope.HOST));
        op(Fib.Op.REPLACE, RouteSpec.to("default").dev(2).metric(3).protocol(5));

        assertEquals(List.of(
                "default tos 0x10 dev v0 scope link metric 9 ",
                "default tos 0x08 dev v0 scope link ",
                "default dev v0 proto 5 scope link metric 3 ",
                "default dev v0 scope link metric 3 ",
                "default dev v0 scope host metric 3 "), defaults());
    }

    @Test
    void addOfAnExistingTosAndMetricIsEexistEvenThroughAnotherDevice() {
        op(Fib.Op.ADD, RouteSpec.to("10.5.0.0/16").dev(2).metric(5));
        NetException e = assertThrows(NetException.class, () -> op(Fib.Op.ADD, RouteSpec.to("10.5.0.0/16").dev(3).metric(5)));
        assertEquals(Errno.EEXIST, e.errno());
        op(Fib.Op.ADD, RouteSpec.to("10.5.0.0/16").dev(3).metric(6));
        op(Fib.Op.ADD, RouteSpec.to("10.5.0.0/16").dev(3).metric(5).tos(0x04));
        assertEquals(3, f.fib.table(FibTable.MAIN).routesAt(FibFixture.ip("10.5.0.0"), 16).size());
    }

    @Test
    void appendGoesAfterTheGroupAndRefusesAnIdenticalRoute() {
        op(Fib.Op.ADD, RouteSpec.to("10.5.0.0/16").dev(2));
        op(Fib.Op.APPEND, RouteSpec.to("10.5.0.0/16").dev(3));
        op(Fib.Op.APPEND, RouteSpec.to("10.5.0.0/16").via("10.1.0.1"));
        NetException e = assertThrows(NetException.class, () -> op(Fib.Op.APPEND, RouteSpec.to("10.5.0.0/16").dev(3)));
        assertEquals(Errno.EEXIST, e.errno());

        assertEquals(List.of("10.5.0.0/16 dev v0 scope link ", "10.5.0.0/16 dev v1 scope link ", "10.5.0.0/16 via 10.1.0.1 dev v0 "),
                f.main().stream().filter(l -> l.startsWith("10.5.")).toList());
    }

    @Test
    void replaceSwapsTheFirstOfTheGroupOrAddsWhenThereIsNone() {
        op(Fib.Op.REPLACE, RouteSpec.to("10.5.0.0/16").dev(2));
        op(Fib.Op.APPEND, RouteSpec.to("10.5.0.0/16").dev(3));
        op(Fib.Op.REPLACE, RouteSpec.to("10.5.0.0/16").via("10.2.0.1"));
        // Replacing the first route by itself changes nothing; replacing with a copy of a later one is EEXIST.
        op(Fib.Op.REPLACE, RouteSpec.to("10.5.0.0/16").via("10.2.0.1"));
        NetException e = assertThrows(NetException.class, () -> op(Fib.Op.REPLACE, RouteSpec.to("10.5.0.0/16").dev(3)));
        assertEquals(Errno.EEXIST, e.errno());

        assertEquals(List.of("10.5.0.0/16 via 10.2.0.1 dev v1 ", "10.5.0.0/16 dev v1 scope link "),
                f.main().stream().filter(l -> l.startsWith("10.5.")).toList());
    }

    @Test
    void changeNeedsAnExistingRoute() {
        NetException e = assertThrows(NetException.class, () -> op(Fib.Op.CHANGE, RouteSpec.to("10.52.0.0/16").dev(2)));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("No such file or directory", e.getMessage());
        op(Fib.Op.ADD, RouteSpec.to("10.52.0.0/16").dev(2));
        op(Fib.Op.CHANGE, RouteSpec.to("10.52.0.0/16").dev(3).mtu(1300));
        assertEquals(List.of("10.52.0.0/16 dev v1 scope link mtu 1300 "),
                f.main().stream().filter(l -> l.startsWith("10.52.")).toList());
    }

    /** Also from the Linux session: deletes match only what is given, first match wins. */
    @Test
    void deleteMatchesOnlyTheGivenFields() {
        op(Fib.Op.ADD, RouteSpec.to("10.1.0.0/24").dev(2).metric(3));
        NetException e = assertThrows(NetException.class,
                () -> f.fib.deleteRoute(RouteSpec.to("10.1.0.0/24").protocol(RouteProtocol.STATIC).build()));
        assertEquals(Errno.ESRCH, e.errno());
        assertEquals("No such process", e.getMessage());

        f.fib.deleteRoute(RouteSpec.to("10.1.0.0/24").metric(3).build());
        assertEquals(List.of("10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 "),
                f.main().stream().filter(l -> l.startsWith("10.1.")).toList());
        assertThrows(NetException.class, () -> f.fib.deleteRoute(RouteSpec.to("10.1.0.0/24").metric(3).scope(RouteScope.HOST).build()));

        f.fib.deleteRoute(RouteSpec.to("10.1.0.0/24").build());
        assertEquals(List.of(), f.main().stream().filter(l -> l.startsWith("10.1.")).toList());
        e = assertThrows(NetException.class, () -> f.fib.deleteRoute(RouteSpec.to("10.1.0.0/24").build()));
        assertEquals(Errno.ESRCH, e.errno());
    }

    @Test
    void deleteSelectsByGatewayDeviceTypeAndTos() {
        op(Fib.Op.ADD, RouteSpec.to("10.5.0.0/16").via("10.1.0.1"));
        op(Fib.Op.APPEND, RouteSpec.to("10.5.0.0/16").via("10.2.0.1"));
        op(Fib.Op.ADD, RouteSpec.to("10.5.0.0/16").dev(2).tos(0x10));

        assertThrows(NetException.class, () -> f.fib.deleteRoute(RouteSpec.to("10.5.0.0/16").via("10.9.9.9").build()));
        assertThrows(NetException.class, () -> f.fib.deleteRoute(RouteSpec.to("10.5.0.0/16").type(RouteType.UNREACHABLE).build()));
        f.fib.deleteRoute(RouteSpec.to("10.5.0.0/16").dev(3).build());
        f.fib.deleteRoute(RouteSpec.to("10.5.0.0/16").tos(0x10).build());

        assertEquals(List.of("10.5.0.0/16 via 10.1.0.1 dev v0 "), f.main().stream().filter(l -> l.startsWith("10.5.")).toList());
    }

    @Test
    void deleteFromAMissingTableSaysSo() {
        NetException e = assertThrows(NetException.class, () -> f.fib.deleteRoute(RouteSpec.to("10.43.0.0/16").table(4242).build()));
        assertEquals(Errno.ESRCH, e.errno());
        assertEquals("FIB table does not exist", e.getMessage());
    }

    @Test
    void localAndBroadcastRoutesGoToTableLocalUnlessATableIsGiven() {
        op(Fib.Op.ADD, RouteSpec.to("10.21.0.0/24").type(RouteType.LOCAL).dev(2));
        op(Fib.Op.ADD, RouteSpec.to("10.21.1.0/24").type(RouteType.LOCAL).dev(2).table(FibTable.MAIN));

        assertEquals(List.of("local 10.21.1.0/24 dev v0 scope host "), f.main().stream().filter(l -> l.contains("10.21.")).toList());
        f.fib.deleteRoute(RouteSpec.to("10.21.0.0/24").type(RouteType.LOCAL).build());
        assertEquals(List.of(), f.table(FibTable.LOCAL).stream().filter(l -> l.contains("10.21.")).toList());
    }

    @Test
    void routesSharingAConfigurationShareTheirInfo() {
        op(Fib.Op.ADD, RouteSpec.to("10.5.0.0/16").via("10.1.0.1"));
        op(Fib.Op.ADD, RouteSpec.to("10.6.0.0/16").via("10.1.0.1"));
        FibTable main = f.fib.table(FibTable.MAIN);
        FibInfo a = main.routesAt(FibFixture.ip("10.5.0.0"), 16).getFirst().info();
        FibInfo b = main.routesAt(FibFixture.ip("10.6.0.0"), 16).getFirst().info();
        assertEquals(a, b);
        assertEquals(true, a == b);
    }
}
