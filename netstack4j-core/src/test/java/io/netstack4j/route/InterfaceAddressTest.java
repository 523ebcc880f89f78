package io.netstack4j.route;

import static io.netstack4j.route.FibFixture.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.wire.Ipv4Address;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The routes that follow addresses ({@code fib_add_ifaddr}/{@code fib_del_ifaddr}), compared
 * with {@code ip route show table all} on Linux 6.18 after the same {@code ip addr} commands.
 */
class InterfaceAddressTest {

    private final FibFixture f = new FibFixture().device(2, "v0");

    private void addr(String cidr) {
        f.address(cidr, 2);
    }

    private void del(String cidr) {
        int slash = cidr.indexOf('/');
        f.fib.deleteInterfaceAddress(Ipv4Address.parse(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)), 2,
                false);
    }

    private static final List<String> LOOPBACK = List.of(
            "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 ",
            "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 ",
            "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 ");

    @Test
    void anAddressOnADownDeviceGetsOnlyItsLocalRoute() {
        f.fib.addInterfaceAddress(Ipv4Address.parse("10.1.0.2"), 24, 2, false, false);
        assertEquals(List.of("local 10.1.0.2 dev v0 table local proto kernel scope host src 10.1.0.2 ", LOOPBACK.get(0),
                LOOPBACK.get(1), LOOPBACK.get(2)), f.all());

        f.fib.deviceUp(2);
        assertEquals(List.of(
                "10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 ",
                "local 10.1.0.2 dev v0 table local proto kernel scope host src 10.1.0.2 ",
                "broadcast 10.1.0.255 dev v0 table local proto kernel scope link src 10.1.0.2 ",
                LOOPBACK.get(0), LOOPBACK.get(1), LOOPBACK.get(2)), f.all());
    }

    /**
     * {@code ip addr add} of 10.1.0.2/24, 10.1.0.3/24 (secondary), 10.2.0.1/31, 10.3.0.1/32,
     * 10.4.0.1/30, {@code 10.5.0.1/24 brd +} on v0 and 192.168.7.1/16 on lo; then
     * {@code ip addr del 10.1.0.2/24}, which takes the secondary with it.
     */
    @Test
    void secondariesPointToPointsHostsExplicitBroadcastsAndLoopbackPrefixes() {
        f.up(2);
        addr("10.1.0.2/24");
        addr("10.1.0.3/24");
        addr("10.2.0.1/31");
        addr("10.3.0.1/32");
        addr("10.4.0.1/30");
        f.fib.addInterfaceAddress(Ipv4Address.parse("10.5.0.1"), 24, Ipv4Address.parse("10.5.0.255"), 2, true, false);
        f.address("192.168.7.1/16", 1);

        List<String> tail = List.of(
                "local 192.168.0.0/16 dev lo table local proto kernel scope host src 192.168.7.1 ",
                "local 192.168.7.1 dev lo table local proto kernel scope host src 192.168.7.1 ",
                "broadcast 192.168.255.255 dev lo table local proto kernel scope link src 192.168.7.1 ");
        assertEquals(concat(List.of(
                "10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 ",
                "10.2.0.0/31 dev v0 proto kernel scope link src 10.2.0.1 ",
                "10.4.0.0/30 dev v0 proto kernel scope link src 10.4.0.1 ",
                "10.5.0.0/24 dev v0 proto kernel scope link src 10.5.0.1 ",
                "local 10.1.0.2 dev v0 table local proto kernel scope host src 10.1.0.2 ",
                "local 10.1.0.3 dev v0 table local proto kernel scope host src 10.1.0.2 ",
                "broadcast 10.1.0.255 dev v0 table local proto kernel scope link src 10.1.0.2 ",
                "local 10.2.0.1 dev v0 table local proto kernel scope host src 10.2.0.1 ",
                "local 10.3.0.1 dev v0 table local proto kernel scope host src 10.3.0.1 ",
                "local 10.4.0.1 dev v0 table local proto kernel scope host src 10.4.0.1 ",
                "broadcast 10.4.0.3 dev v0 table local proto kernel scope link src 10.4.0.1 ",
                "local 10.5.0.1 dev v0 table local proto kernel scope host src 10.5.0.1 ",
                "broadcast 10.5.0.255 dev v0 table local proto kernel scope link src 10.5.0.1 "), LOOPBACK, tail), f.all());

        // promote_secondaries=0: the inet layer removes the secondary along with its primary.
        del("10.1.0.3/24");
        del("10.1.0.2/24");
        assertEquals(concat(List.of(
                "10.2.0.0/31 dev v0 proto kernel scope link src 10.2.0.1 ",
                "10.4.0.0/30 dev v0 proto kernel scope link src 10.4.0.1 ",
                "10.5.0.0/24 dev v0 proto kernel scope link src 10.5.0.1 ",
                "local 10.2.0.1 dev v0 table local proto kernel scope host src 10.2.0.1 ",
                "local 10.3.0.1 dev v0 table local proto kernel scope host src 10.3.0.1 ",
                "local 10.4.0.1 dev v0 table local proto kernel scope host src 10.4.0.1 ",
                "broadcast 10.4.0.3 dev v0 table local proto kernel scope link src 10.4.0.1 ",
                "local 10.5.0.1 dev v0 table local proto kernel scope host src 10.5.0.1 ",
                "broadcast 10.5.0.255 dev v0 table local proto kernel scope link src 10.5.0.1 "), LOOPBACK, tail), f.all());
    }

    @Test
    void removingThePrimaryFirstStillRemovesTheSecondarysRoutes() {
        f.up(2);
        addr("10.1.0.2/24");
        addr("10.1.0.3/24");
        del("10.1.0.2/24");
        del("10.1.0.3/24");
        assertEquals(LOOPBACK, f.all());
    }

    @Test
    void deletingASecondaryKeepsThePrimarysRoutes() {
        f.up(2);
        addr("10.1.0.2/24");
        addr("10.1.0.3/24");
        del("10.1.0.3/24");
        assertEquals(concat(List.of(
                "10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 ",
                "local 10.1.0.2 dev v0 table local proto kernel scope host src 10.1.0.2 ",
                "broadcast 10.1.0.255 dev v0 table local proto kernel scope link src 10.1.0.2 "), LOOPBACK), f.all());
    }

    @Test
    void theSameAddressOnTwoSubnetsKeepsItsLocalRouteUntilTheLastGoes() {
        f.up(2);
        addr("10.1.0.2/24");
        addr("10.1.0.2/16");
        del("10.1.0.2/24");
        assertEquals(concat(List.of(
                "10.1.0.0/16 dev v0 proto kernel scope link src 10.1.0.2 ",
                "local 10.1.0.2 dev v0 table local proto kernel scope host src 10.1.0.2 ",
                "broadcast 10.1.255.255 dev v0 table local proto kernel scope link src 10.1.0.2 "), LOOPBACK), f.all());
    }

    @Test
    void routesPreferringADeletedAddressAreFlushed() {
        f.up(2);
        addr("10.1.0.2/24");
        addr("10.1.9.9/24");
        f.fib.addRoute(RouteSpec.to("10.7.0.0/16").via("10.1.0.1").src("10.1.9.9").build(), Fib.Op.ADD);
        f.fib.addRoute(RouteSpec.to("10.8.0.0/16").via("10.1.0.1").build(), Fib.Op.ADD);
        del("10.1.9.9/24");
        assertEquals(List.of("10.1.0.0/24 dev v0 proto kernel scope link src 10.1.0.2 ", "10.8.0.0/16 via 10.1.0.1 dev v0 "), f.main());
    }

    @Test
    void theLastAddressGoingTakesEveryRouteThroughTheDevice() {
        f.up(2);
        addr("10.1.0.2/24");
        f.fib.addRoute(RouteSpec.to("10.8.0.0/16").via("10.1.0.1").build(), Fib.Op.ADD);
        f.fib.addRoute(RouteSpec.to("10.21.0.0/24").type(RouteType.LOCAL).dev(2).build(), Fib.Op.ADD);
        del("10.1.0.2/24");
        assertEquals(LOOPBACK, f.all());
    }

    @Test
    void reAnnouncingAnAddressIsHarmless() {
        f.up(2);
        addr("10.1.0.2/24");
        List<String> before = f.all();
        addr("10.1.0.2/24");
        f.fib.deviceUp(2);
        assertEquals(before, f.all());
    }

    @Test
    void unregisteringTheDeviceFlushesEverythingThroughIt() {
        f.up(2);
        addr("10.1.0.2/24");
        f.fib.addRoute(RouteSpec.to("default").via("10.1.0.1").build(), Fib.Op.ADD);
        f.fib.flushDevice(2);
        assertEquals(LOOPBACK, f.all());
        Flow4 flow = new Flow4().reset().dst(ip("10.1.0.2"));
        FibResult res = new FibResult();
        assertTrue(!f.fib.lookup(flow, res));
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return java.util.Arrays.stream(parts).flatMap(List::stream).toList();
    }
}
