package io.netstack4j.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replays a session run on Linux 6.18 with iproute2 6.1 in a fresh network namespace
 * ({@code ip netns add}; {@code lo} up; veth {@code v0} (here ifindex 2) up with 10.1.0.2/24) and
 * compares with what {@code ip route show table all} printed there, trailing spaces included.
 */
class RouteShowTest {

    private final FibFixture f = new FibFixture().device(2, "v0").up(2).address("10.1.0.2/24", 2);

    private void ok(RouteSpec.Builder b) {
        f.fib.addRoute(b.build(), Fib.Op.ADD);
    }

    @Test
    void aFreshNamespaceWithOneAddress() {
        assertEquals(List.of(
                "10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 ",
                "local 10.1.0.2 dev v0 table local proto kernel scope host src 10.1.0.2 ",
                "broadcast 10.1.0.255 dev v0 table local proto kernel scope link src 10.1.0.2 ",
                "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 ",
                "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 ",
                "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 "), f.all());
        assertEquals(List.of(
                "local 10.1.0.2 dev v0 proto kernel scope host src 10.1.0.2 ",
                "broadcast 10.1.0.255 dev v0 proto kernel scope link src 10.1.0.2 ",
                "local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 ",
                "local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 ",
                "broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1 "), f.table(FibTable.LOCAL));
        assertEquals(List.of("10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 "), f.main());
        assertEquals(List.of("0:\tfrom all lookup local", "32766:\tfrom all lookup main", "32767:\tfrom all lookup default"),
                f.rules());
    }

    @Test
    void everyKindOfRouteThenCarrierLossThenDeviceDownThenUp() {
        ok(RouteSpec.to("default").via("10.1.0.1"));
        ok(RouteSpec.to("10.2.0.0/16").via("10.1.0.1").metric(100).mtu(1400));
        ok(RouteSpec.to("10.3.0.0/16").via("10.1.0.1").mtuLock(1400).advmss(1360));
        ok(RouteSpec.to("10.9.0.0/16").type(RouteType.UNREACHABLE));
        ok(RouteSpec.to("10.10.0.0/16").type(RouteType.BLACKHOLE));
        ok(RouteSpec.to("10.11.0.0/16").type(RouteType.PROHIBIT));
        ok(RouteSpec.to("10.12.0.0/16").type(RouteType.THROW));
        ok(RouteSpec.to("10.13.0.0/16").dev(2));
        ok(RouteSpec.to("10.14.0.0/16").dev(2).src("10.1.0.2"));
        NetException badGw = assertThrows(NetException.class, () -> ok(RouteSpec.to("10.15.0.0/16").via("10.99.0.1")));
        assertEquals("Nexthop has invalid gateway", badGw.getMessage());
        ok(RouteSpec.to("10.15.0.0/16").via("10.99.0.1").dev(2).onlink());
        ok(RouteSpec.to("10.16.0.0/16").via("10.1.0.1").tos(0x10));
        ok(RouteSpec.to("10.17.0.1").via("10.1.0.1").table(100));
        ok(RouteSpec.to("10.18.0.0/24").dev(2).scope(RouteScope.UNIVERSE));
        ok(RouteSpec.to("10.19.0.0/24").dev(2).protocol(RouteProtocol.STATIC));
        ok(RouteSpec.to("10.20.0.0/24").dev(2).protocol(99));
        ok(RouteSpec.to("10.21.0.0/24").type(RouteType.LOCAL).dev(2));
        ok(RouteSpec.to("10.22.0.255").type(RouteType.BROADCAST).dev(2));
        NetException exists = assertThrows(NetException.class, () -> ok(RouteSpec.to("10.1.0.0/24").dev(2)));
        assertEquals(Errno.EEXIST, exists.errno());
        assertEquals("File exists", exists.getMessage());
        ok(RouteSpec.to("10.1.0.0/24").dev(2).metric(5));
        f.fib.addRoute(RouteSpec.to("10.1.0.0/24").dev(2).metric(5).src("10.1.0.2").build(), Fib.Op.APPEND);
        ok(RouteSpec.to("10.23.0.0/16").type(RouteType.UNREACHABLE).metric(7));
        ok(RouteSpec.to("10.24.0.0/16").via("10.1.0.1").table(1000));
        NetException nat = assertThrows(NetException.class, () -> ok(RouteSpec.to("10.25.0.0/16").type(RouteType.NAT).via("10.1.0.1")));
        assertEquals("Invalid scope", nat.getMessage());
        ok(RouteSpec.to("10.26.0.0/16").type(RouteType.ANYCAST).dev(2));
        ok(RouteSpec.to("224.1.0.0/16").type(RouteType.MULTICAST).dev(2));
        ok(RouteSpec.to("10.27.0.0/16").via("10.1.0.1").table(FibTable.DEFAULT));

        List<String> mainRoutes = List.of(
                "default via 10.1.0.1 dev v0 ",
                "10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 ",
                "10.1.0.0/24 dev v0 scope link metric 5 ",
                "10.1.0.0/24 dev v0 scope link src 10.1.0.2 metric 5 ",
                "10.2.0.0/16 via 10.1.0.1 dev v0 metric 100 mtu 1400 ",
                "10.3.0.0/16 via 10.1.0.1 dev v0 mtu lock 1400 advmss 1360 ",
                "unreachable 10.9.0.0/16 ",
                "blackhole 10.10.0.0/16 ",
                "prohibit 10.11.0.0/16 ",
                "throw 10.12.0.0/16 ",
                "10.13.0.0/16 dev v0 scope link ",
                "10.14.0.0/16 dev v0 scope link src 10.1.0.2 ",
                "10.15.0.0/16 via 10.99.0.1 dev v0 onlink ",
                "10.16.0.0/16 tos 0x10 via 10.1.0.1 dev v0 ",
                "10.18.0.0/24 dev v0 ",
                "10.19.0.0/24 dev v0 proto static scope link ",
                "10.20.0.0/24 dev v0 proto openr scope link ",
                "unreachable 10.23.0.0/16 metric 7 ",
                "multicast 224.1.0.0/16 dev v0 scope link ");
        assertEquals(mainRoutes, f.main());
        assertEquals(List.of(
                "10.17.0.1 via 10.1.0.1 dev v0 table 100 ",
                "10.24.0.0/16 via 10.1.0.1 dev v0 table 1000 ",
                "10.27.0.0/16 via 10.1.0.1 dev v0 table default ",
                "default via 10.1.0.1 dev v0 ",
                "10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 ",
                "10.1.0.0/24 dev v0 scope link metric 5 ",
                "10.1.0.0/24 dev v0 scope link src 10.1.0.2 metric 5 ",
                "10.2.0.0/16 via 10.1.0.1 dev v0 metric 100 mtu 1400 ",
                "10.3.0.0/16 via 10.1.0.1 dev v0 mtu lock 1400 advmss 1360 ",
                "unreachable 10.9.0.0/16 ",
                "blackhole 10.10.0.0/16 ",
                "prohibit 10.11.0.0/16 ",
                "throw 10.12.0.0/16 ",
                "10.13.0.0/16 dev v0 scope link ",
                "10.14.0.0/16 dev v0 scope link src 10.1.0.2 ",
                "10.15.0.0/16 via 10.99.0.1 dev v0 onlink ",
                "10.16.0.0/16 tos 0x10 via 10.1.0.1 dev v0 ",
                "10.18.0.0/24 dev v0 ",
                "10.19.0.0/24 dev v0 proto static scope link ",
                "10.20.0.0/24 dev v0 proto openr scope link ",
                "unreachable 10.23.0.0/16 metric 7 ",
                "multicast 224.1.0.0/16 dev v0 scope link ",
                "local 10.1.0.2 dev v0 table local proto kernel scope host src 10.1.0.2 ",
                "broadcast 10.1.0.255 dev v0 table local proto kernel scope link src 10.1.0.2 ",
                "local 10.21.0.0/24 dev v0 table local scope host ",
                "broadcast 10.22.0.255 dev v0 table local scope link ",
                "anycast 10.26.0.0/16 dev v0 table local scope link ",
                "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 ",
                "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 ",
                "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 "), f.all());

        // ip link set v1 down: v0 loses carrier.
        f.fib.carrierChanged(2, false);
        assertEquals(List.of(
                "10.17.0.1 via 10.1.0.1 dev v0 table 100 linkdown ",
                "10.24.0.0/16 via 10.1.0.1 dev v0 table 1000 linkdown ",
                "10.27.0.0/16 via 10.1.0.1 dev v0 table default linkdown ",
                "default via 10.1.0.1 dev v0 linkdown ",
                "10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 linkdown ",
                "10.1.0.0/24 dev v0 scope link metric 5 linkdown ",
                "10.1.0.0/24 dev v0 scope link src 10.1.0.2 metric 5 linkdown ",
                "10.2.0.0/16 via 10.1.0.1 dev v0 metric 100 linkdown mtu 1400 ",
                "10.3.0.0/16 via 10.1.0.1 dev v0 linkdown mtu lock 1400 advmss 1360 ",
                "unreachable 10.9.0.0/16 ",
                "blackhole 10.10.0.0/16 ",
                "prohibit 10.11.0.0/16 ",
                "throw 10.12.0.0/16 ",
                "10.13.0.0/16 dev v0 scope link linkdown ",
                "10.14.0.0/16 dev v0 scope link src 10.1.0.2 linkdown ",
                "10.15.0.0/16 via 10.99.0.1 dev v0 onlink linkdown ",
                "10.16.0.0/16 tos 0x10 via 10.1.0.1 dev v0 linkdown ",
                "10.18.0.0/24 dev v0 linkdown ",
                "10.19.0.0/24 dev v0 proto static scope link linkdown ",
                "10.20.0.0/24 dev v0 proto openr scope link linkdown ",
                "unreachable 10.23.0.0/16 metric 7 ",
                "multicast 224.1.0.0/16 dev v0 scope link linkdown ",
                "local 10.1.0.2 dev v0 table local proto kernel scope host src 10.1.0.2 ",
                "broadcast 10.1.0.255 dev v0 table local proto kernel scope link src 10.1.0.2 linkdown ",
                "local 10.21.0.0/24 dev v0 table local scope host ",
                "broadcast 10.22.0.255 dev v0 table local scope link linkdown ",
                "anycast 10.26.0.0/16 dev v0 table local scope link linkdown ",
                "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 ",
                "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 ",
                "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 "), f.all());

        // ip link set v1 up; ip link set v0 down
        f.fib.carrierChanged(2, true);
        assertEquals(mainRoutes, f.main());
        f.fib.deviceDown(2);
        assertEquals(List.of(
                "unreachable 10.9.0.0/16 ",
                "blackhole 10.10.0.0/16 ",
                "prohibit 10.11.0.0/16 ",
                "throw 10.12.0.0/16 ",
                "unreachable 10.23.0.0/16 metric 7 ",
                "local 10.1.0.2 dev v0 table local proto kernel scope host src 10.1.0.2 ",
                "local 10.21.0.0/24 dev v0 table local scope host ",
                "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 ",
                "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 ",
                "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 "), f.all());

        // ip link set v0 up
        f.fib.deviceUp(2);
        assertEquals(List.of(
                "10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 ",
                "unreachable 10.9.0.0/16 ",
                "blackhole 10.10.0.0/16 ",
                "prohibit 10.11.0.0/16 ",
                "throw 10.12.0.0/16 ",
                "unreachable 10.23.0.0/16 metric 7 ",
                "local 10.1.0.2 dev v0 table local proto kernel scope host src 10.1.0.2 ",
                "broadcast 10.1.0.255 dev v0 table local proto kernel scope link src 10.1.0.2 ",
                "local 10.21.0.0/24 dev v0 table local scope host ",
                "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 ",
                "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 ",
                "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 "), f.all());
    }

    @Test
    void filteringByDeviceLeavesTheDeviceOut() {
        f.device(3, "d0").up(3);
        ok(RouteSpec.to("10.40.0.0/16").dev(3));
        ok(RouteSpec.to("10.62.0.0/16").via("10.40.0.1"));
        f.fib.carrierChanged(3, false);

        assertEquals(List.of("10.40.0.0/16 scope link linkdown ", "10.62.0.0/16 via 10.40.0.1 linkdown "),
                RouteText.showRoutes(f.fib, FibTable.MAIN, 3, f.nameOf));
    }

    @Test
    void dsfieldNamesComeFromRtDsfield() {
        ok(RouteSpec.to("10.70.0.0/16").dev(2).tos(0x20));
        ok(RouteSpec.to("10.71.0.0/16").dev(2).tos(0x1c));
        ok(RouteSpec.to("10.73.0.0/16").dev(2).tos(0xb8));

        assertEquals(List.of(
                "10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 ",
                "10.70.0.0/16 tos CS1 dev v0 scope link ",
                "10.71.0.0/16 tos 0x1c dev v0 scope link ",
                "10.73.0.0/16 tos EF dev v0 scope link "), f.main());
    }
}
