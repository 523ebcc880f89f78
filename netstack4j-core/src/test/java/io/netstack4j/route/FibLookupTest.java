package io.netstack4j.route;

import static io.netstack4j.route.FibFixture.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.Errno;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code fib_lookup}: longest prefix, the per-route filters and backtracking, route types. */
class FibLookupTest {

    private final FibFixture f = new FibFixture().device(2, "v0").up(2).address("10.1.0.2/24", 2).device(3, "v1").up(3)
            .address("10.2.0.2/24", 3);
    private final Flow4 flow = new Flow4();
    private final FibResult res = new FibResult();

    private void add(RouteSpec.Builder b) {
        f.fib.addRoute(b.build(), Fib.Op.ADD);
    }

    private boolean lookup(String dst) {
        flow.reset().dst(ip(dst));
        return f.fib.lookup(flow, res);
    }

    private String answer(String dst) {
        assertTrue(lookup(dst), () -> dst + ": " + res);
        return Flow4.addr(res.prefix()) + "/" + res.prefixLen() + " gw " + Flow4.addr(res.gateway()) + " oif " + res.oif();
    }

    @Test
    void defaultThenEightThenTwentyFourThenHost() {
        add(RouteSpec.to("default").via("10.1.0.1"));
        add(RouteSpec.to("10.0.0.0/8").via("10.2.0.1"));
        add(RouteSpec.to("10.9.1.0/24").via("10.1.0.9"));
        add(RouteSpec.to("10.9.1.7").via("10.2.0.7"));

        assertEquals("0.0.0.0/0 gw 10.1.0.1 oif 2", answer("8.8.8.8"));
        assertEquals("10.0.0.0/8 gw 10.2.0.1 oif 3", answer("10.200.0.1"));
        assertEquals("10.9.1.0/24 gw 10.1.0.9 oif 2", answer("10.9.1.8"));
        assertEquals("10.9.1.7/32 gw 10.2.0.7 oif 3", answer("10.9.1.7"));
        assertEquals("10.1.0.0/24 gw 0.0.0.0 oif 2", answer("10.1.0.77"));
        assertEquals(RouteType.UNICAST, res.type());
        assertEquals(RouteScope.LINK, res.scope());
        assertEquals(ip("10.1.0.2"), res.prefsrc());
    }

    @Test
    void nothingMatchingIsNetworkUnreachable() {
        assertFalse(lookup("8.8.8.8"));
        assertEquals(Errno.ENETUNREACH, res.error());
        assertEquals(RouteType.UNSPEC, res.type());
    }

    @Test
    void ownAddressesAndBroadcastsComeFromTableLocal() {
        assertTrue(lookup("10.1.0.2"));
        assertEquals(RouteType.LOCAL, res.type());
        assertEquals(RouteScope.HOST, res.scope());
        assertTrue(lookup("10.1.0.255"));
        assertEquals(RouteType.BROADCAST, res.type());
        assertTrue(lookup("127.3.4.5"));
        assertEquals(RouteType.LOCAL, res.type());
        assertEquals(1, res.oif());
    }

    @Test
    void aRouteOfTooWideAScopeIsSkippedForTheNextShorterPrefix() {
        add(RouteSpec.to("10.7.0.0/16").dev(2));
        add(RouteSpec.to("10.7.1.0/24").via("10.2.0.1"));

        assertEquals("10.7.1.0/24 gw 10.2.0.1 oif 3", answer("10.7.1.1"));
        flow.reset().dst(ip("10.7.1.1")).scope(RouteScope.LINK);
        assertTrue(f.fib.lookup(flow, res));
        assertEquals(16, res.prefixLen());
        assertEquals(2, res.oif());
    }

    @Test
    void aRequestedOutputDeviceSkipsRoutesThroughOthers() {
        add(RouteSpec.to("10.7.0.0/16").dev(2));
        add(RouteSpec.to("10.7.1.0/24").dev(3));

        flow.reset().dst(ip("10.7.1.1")).oif(2);
        assertTrue(f.fib.lookup(flow, res));
        assertEquals(16, res.prefixLen());
        flow.oif(9);
        assertFalse(f.fib.lookup(flow, res));
        assertEquals(Errno.ENETUNREACH, res.error());
    }

    @Test
    void tosRoutesServeOnlyTheirTosUnderTheLegacyMask() {
        add(RouteSpec.to("10.7.0.0/16").dev(2));
        add(RouteSpec.to("10.7.0.0/16").dev(3).tos(0x10));

        flow.reset().dst(ip("10.7.0.1"));
        assertTrue(f.fib.lookup(flow, res));
        assertEquals(2, res.oif());
        flow.tos(0x10);
        assertTrue(f.fib.lookup(flow, res));
        assertEquals(3, res.oif());
        assertEquals(0x10, res.tos());
        // ECN bits and the high DSCP bits are not part of the comparison.
        flow.tos(0x10 | 0x03 | 0xe0);
        assertTrue(f.fib.lookup(flow, res));
        assertEquals(3, res.oif());
        flow.tos(0x08);
        assertTrue(f.fib.lookup(flow, res));
        assertEquals(2, res.oif());
    }

    @Test
    void linkdownRoutesStayInUseUnlessTheDeviceIgnoresThem() {
        add(RouteSpec.to("10.7.0.0/16").via("10.1.0.1"));
        add(RouteSpec.to("10.7.1.0/24").via("10.2.0.1"));
        f.fib.carrierChanged(3, false);

        // Linux default (ignore_routes_with_linkdown=0): the linkdown route is still chosen.
        assertEquals("10.7.1.0/24 gw 10.2.0.1 oif 3", answer("10.7.1.1"));
        f.fib.setIgnoreRoutesWithLinkdown(3, true);
        assertEquals("10.7.0.0/16 gw 10.1.0.1 oif 2", answer("10.7.1.1"));
        assertEquals(List.of("10.7.1.0/24 via 10.2.0.1 dev v1 dead linkdown "),
                f.main().stream().filter(l -> l.startsWith("10.7.1.")).toList());

        f.fib.carrierChanged(3, true);
        assertEquals("10.7.1.0/24 gw 10.2.0.1 oif 3", answer("10.7.1.1"));
    }

    @Test
    void routesThroughADownDeviceAreGoneAndLookupsFallBack() {
        add(RouteSpec.to("default").via("10.1.0.1"));
        add(RouteSpec.to("10.7.0.0/16").via("10.2.0.1"));
        f.fib.deviceDown(3);

        assertEquals("0.0.0.0/0 gw 10.1.0.1 oif 2", answer("10.7.0.1"));
        // The device's own address stays local (host scope survives NETDEV_DOWN).
        assertTrue(lookup("10.2.0.2"));
        assertEquals(RouteType.LOCAL, res.type());
    }

    @Test
    void errorRoutesEndTheLookupWithTheirError() {
        add(RouteSpec.to("default").via("10.1.0.1"));
        add(RouteSpec.to("10.9.0.0/16").type(RouteType.UNREACHABLE));
        add(RouteSpec.to("10.10.0.0/16").type(RouteType.PROHIBIT));
        add(RouteSpec.to("10.11.0.0/16").type(RouteType.BLACKHOLE));
        add(RouteSpec.to("10.12.0.0/16").type(RouteType.THROW));
        add(RouteSpec.to("10.9.1.0/24").via("10.2.0.1"));

        assertFalse(lookup("10.9.0.1"));
        assertEquals(Errno.EHOSTUNREACH, res.error());
        assertEquals(RouteType.UNREACHABLE, res.type());
        assertEquals(16, res.prefixLen());
        assertFalse(lookup("10.10.0.1"));
        assertEquals(Errno.EACCES, res.error());
        assertFalse(lookup("10.11.0.1"));
        assertEquals(Errno.EINVAL, res.error());
        // A throw route without rules to continue with: nothing matched.
        assertFalse(lookup("10.12.0.1"));
        assertEquals(Errno.ENETUNREACH, res.error());
        // The more specific unicast route still wins over the unreachable /16.
        assertEquals("10.9.1.0/24 gw 10.2.0.1 oif 3", answer("10.9.1.1"));
        // An error route is not backtracked past: the default route does not apply.
        assertFalse(lookup("10.9.200.1"));
    }

    @Test
    void errorRoutesOfWiderScopeThanAskedForAreSkipped() {
        add(RouteSpec.to("10.9.0.0/16").type(RouteType.UNREACHABLE));
        add(RouteSpec.to("10.0.0.0/8").dev(2));

        flow.reset().dst(ip("10.9.0.1")).scope(RouteScope.LINK);
        assertTrue(f.fib.lookup(flow, res));
        assertEquals(8, res.prefixLen());
    }

    /**
     * Before any rule change Linux looks up local and main as one trie: {@code ip route add
     * 127.0.0.5/32 dev lo} then makes {@code ip route get 127.0.0.5} say unicast (checked on
     * Linux 6.18). After the first rule change table local is consulted first.
     */
    @Test
    void untilTheFirstRuleChangeLocalAndMainAreOneTrie() {
        assertTrue(lookup("127.0.0.5"));
        assertEquals(RouteType.LOCAL, res.type());
        assertEquals(FibTable.MAIN, res.table());
        add(RouteSpec.to("127.0.0.5/32").dev(1));
        assertTrue(lookup("127.0.0.5"));
        assertEquals(RouteType.UNICAST, res.type());

        f.fib.addRule(RuleSpec.builder().priority(100).lookup(100).build());
        assertTrue(lookup("127.0.0.5"));
        assertEquals(RouteType.LOCAL, res.type());
        assertEquals(FibTable.LOCAL, res.table());
    }

    @Test
    void theDefaultTableIsConsultedAfterMain() {
        add(RouteSpec.to("10.60.0.0/16").via("10.1.0.1").table(FibTable.DEFAULT));
        assertEquals("10.60.0.0/16 gw 10.1.0.1 oif 2", answer("10.60.0.1"));
        assertEquals(FibTable.DEFAULT, res.table());
    }

    @Test
    void addressTypesFollowTheLocalTable() {
        assertEquals(RouteType.LOCAL, f.fib.addressType(ip("10.1.0.2")));
        assertEquals(RouteType.BROADCAST, f.fib.addressType(ip("10.1.0.255")));
        assertEquals(RouteType.BROADCAST, f.fib.addressType(ip("255.255.255.255")));
        assertEquals(RouteType.BROADCAST, f.fib.addressType(ip("0.1.2.3")));
        assertEquals(RouteType.MULTICAST, f.fib.addressType(ip("224.0.0.1")));
        assertEquals(RouteType.UNICAST, f.fib.addressType(ip("10.1.0.1")));
        assertEquals(RouteType.LOCAL, f.fib.addressType(ip("127.1.1.1")));
        assertEquals(RouteType.LOCAL, f.fib.addressTypeOnDevice(2, ip("10.1.0.2")));
        assertEquals(RouteType.UNICAST, f.fib.addressTypeOnDevice(3, ip("10.1.0.2")));
    }

    @Test
    void lookupsAllocateNothing() {
        add(RouteSpec.to("default").via("10.1.0.1"));
        add(RouteSpec.to("10.7.0.0/16").via("10.2.0.1"));
        f.fib.addRule(RuleSpec.builder().fwmark(7).lookup(FibTable.MAIN).build());
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int[] dsts = {ip("10.7.3.4"), ip("8.8.8.8"), ip("10.1.0.2"), ip("10.2.0.255"), ip("127.0.0.1")};
        for (int i = 0; i < 20_000; i++) {
            flow.reset().dst(dsts[i % dsts.length]).mark(i & 7);
            f.fib.lookup(flow, res);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        int hits = 0;
        for (int i = 0; i < 100_000; i++) {
            flow.reset().dst(dsts[i % dsts.length]).mark(i & 7);
            if (f.fib.lookup(flow, res)) {
                hits++;
            }
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertEquals(100_000, hits);
        assertTrue(allocated < 4096, "100k lookups allocated " + allocated + " bytes");
    }
}
