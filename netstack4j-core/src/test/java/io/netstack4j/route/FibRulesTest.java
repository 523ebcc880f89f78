package io.netstack4j.route;

import static io.netstack4j.route.FibFixture.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Policy routing: rule order, selectors, actions, and {@code ip rule show} as Linux prints it. */
class FibRulesTest {

    private final FibFixture f = new FibFixture().device(2, "v0").up(2).address("10.1.0.2/24", 2).device(3, "v1").up(3)
            .address("10.2.0.2/24", 3);
    private final Flow4 flow = new Flow4();
    private final FibResult res = new FibResult();

    private FibRule rule(RuleSpec.Builder b) {
        return f.fib.addRule(b.build());
    }

    private void route(RouteSpec.Builder b) {
        f.fib.addRoute(b.build(), Fib.Op.ADD);
    }

    /** main: default via v0; table 100: default via v1. */
    private void twoUplinks() {
        route(RouteSpec.to("default").via("10.1.0.1"));
        route(RouteSpec.to("default").via("10.2.0.1").table(100));
    }

    private int oifFor(Flow4 fl) {
        assertTrue(f.fib.lookup(fl, res), () -> fl + " -> " + res);
        return res.oif();
    }

    @Test
    void sourceSelectorPicksTheTable() {
        twoUplinks();
        rule(RuleSpec.builder().from("10.2.0.0/24").lookup(100));

        assertEquals(2, oifFor(flow.reset().dst(ip("8.8.8.8")).src(ip("10.1.0.2"))));
        assertEquals(3, oifFor(flow.reset().dst(ip("8.8.8.8")).src(ip("10.2.0.2"))));
        assertEquals(100, res.table());
        assertEquals(32765, res.rule().priority());
    }

    @Test
    void destinationMarkInputDeviceAndTosSelectors() {
        twoUplinks();
        rule(RuleSpec.builder().to("9.9.0.0/16").lookup(100));
        rule(RuleSpec.builder().fwmark(0x10, 0xf0).lookup(100));
        rule(RuleSpec.builder().iif("v0", 2).lookup(100));
        rule(RuleSpec.builder().tos(0x08).lookup(100));

        assertEquals(2, oifFor(flow.reset().dst(ip("8.8.8.8"))));
        assertEquals(3, oifFor(flow.reset().dst(ip("9.9.1.1"))));
        assertEquals(3, oifFor(flow.reset().dst(ip("8.8.8.8")).mark(0x1f)));
        assertEquals(2, oifFor(flow.reset().dst(ip("8.8.8.8")).mark(0x20)));
        assertEquals(3, oifFor(flow.reset().dst(ip("8.8.8.8")).iif(2)));
        assertEquals(2, oifFor(flow.reset().dst(ip("8.8.8.8")).iif(3)));
        assertEquals(3, oifFor(flow.reset().dst(ip("8.8.8.8")).tos(0x08)));
    }

    @Test
    void rulesAreTriedByPriorityAndNotInvertsTheMatch() {
        twoUplinks();
        route(RouteSpec.to("default").via("10.1.0.9").table(200));
        rule(RuleSpec.builder().priority(200).lookup(200));
        rule(RuleSpec.builder().priority(100).not().from("10.1.0.0/24").lookup(100));

        assertEquals(3, oifFor(flow.reset().dst(ip("8.8.8.8")).src(ip("10.2.0.2"))));
        assertEquals(100, res.rule().priority());
        assertEquals(2, oifFor(flow.reset().dst(ip("8.8.8.8")).src(ip("10.1.0.2"))));
        assertEquals(ip("10.1.0.9"), res.gateway());
        assertEquals(200, res.rule().priority());
    }

    @Test
    void refusingRulesReportTheirErrors() {
        twoUplinks();
        rule(RuleSpec.builder().to("10.50.0.0/16").action(RuleAction.UNREACHABLE));
        rule(RuleSpec.builder().to("10.51.0.0/16").action(RuleAction.PROHIBIT));
        rule(RuleSpec.builder().to("10.52.0.0/16").action(RuleAction.BLACKHOLE));

        assertFalse(f.fib.lookup(flow.reset().dst(ip("10.50.0.1")), res));
        assertEquals(Errno.ENETUNREACH, res.error());
        assertEquals(RouteType.UNREACHABLE, res.type());
        assertFalse(f.fib.lookup(flow.reset().dst(ip("10.51.0.1")), res));
        assertEquals(Errno.EACCES, res.error());
        assertFalse(f.fib.lookup(flow.reset().dst(ip("10.52.0.1")), res));
        assertEquals(Errno.EINVAL, res.error());
        assertEquals(2, oifFor(flow.reset().dst(ip("10.53.0.1"))));
    }

    @Test
    void throwRoutesAndMissesFallThroughToTheNextRule() {
        twoUplinks();
        route(RouteSpec.to("10.60.0.0/16").type(RouteType.THROW).table(100));
        route(RouteSpec.to("10.61.0.0/16").type(RouteType.UNREACHABLE).table(100));
        rule(RuleSpec.builder().priority(10).lookup(555));
        rule(RuleSpec.builder().priority(20).lookup(100));

        assertEquals(3, oifFor(flow.reset().dst(ip("8.8.8.8"))));
        assertEquals(2, oifFor(flow.reset().dst(ip("10.60.1.1"))));
        assertEquals(FibTable.MAIN, res.table());
        assertFalse(f.fib.lookup(flow.reset().dst(ip("10.61.1.1")), res));
        assertEquals(Errno.EHOSTUNREACH, res.error());

        // The table of rule 10 appears later: from then on it answers.
        route(RouteSpec.to("10.60.0.0/16").dev(3).table(555));
        assertEquals(3, oifFor(flow.reset().dst(ip("10.60.1.1"))));
        assertEquals(555, res.table());
    }

    @Test
    void noRuleAnsweringIsNetworkUnreachable() {
        twoUplinks();
        f.fib.deleteRule(RuleSpec.builder().priority(32766).build());
        assertFalse(f.fib.lookup(flow.reset().dst(ip("8.8.8.8")), res));
        assertEquals(Errno.ENETUNREACH, res.error());
    }

    /** The WireGuard pattern: ignore main's default route, keep its more specific ones. */
    @Test
    void suppressPrefixLengthSkipsShortAnswers() {
        twoUplinks();
        rule(RuleSpec.builder().priority(10).lookup(FibTable.MAIN).suppressPrefixLength(0));
        rule(RuleSpec.builder().priority(20).lookup(100));

        assertEquals(3, oifFor(flow.reset().dst(ip("8.8.8.8"))));
        assertEquals(2, oifFor(flow.reset().dst(ip("10.1.0.9"))));
        assertEquals(10, res.rule().priority());
    }

    @Test
    void gotoJumpsAndFollowsItsTarget() {
        twoUplinks();
        FibRule g = rule(RuleSpec.builder().priority(5).fwmark(1).gotoRule(40));
        rule(RuleSpec.builder().priority(10).lookup(100));
        assertTrue(g.isUnresolved());
        assertEquals(3, oifFor(flow.reset().dst(ip("8.8.8.8")).mark(1)));

        rule(RuleSpec.builder().priority(40).lookup(FibTable.MAIN));
        assertFalse(g.isUnresolved());
        assertEquals(2, oifFor(flow.reset().dst(ip("8.8.8.8")).mark(1)));
        assertEquals(3, oifFor(flow.reset().dst(ip("8.8.8.8"))));

        f.fib.deleteRule(RuleSpec.builder().priority(40).build());
        assertTrue(g.isUnresolved());
        NetException e = assertThrows(NetException.class, () -> rule(RuleSpec.builder().priority(50).gotoRule(50)));
        assertEquals("Backward goto not supported", e.getMessage());
    }

    @Test
    void defaultPrioritiesFollowTheSecondRule() {
        assertEquals(32765, rule(RuleSpec.builder().from("10.1.0.0/24").lookup(100)).priority());
        assertEquals(32764, rule(RuleSpec.builder().to("10.9.0.0/16").lookup(1000)).priority());
        rule(RuleSpec.builder().priority(0).lookup(200));
        assertEquals(0, rule(RuleSpec.builder().to("10.9.0.0/16").lookup(1000)).priority());
    }

    @Test
    void duplicatesAreRefusedAndDeletesMatchGivenFields() {
        rule(RuleSpec.builder().priority(32766).lookup(100));
        NetException e = assertThrows(NetException.class, () -> rule(RuleSpec.builder().priority(32766).lookup(100)));
        assertEquals(Errno.EEXIST, e.errno());
        // The default rule has protocol kernel, so a user's identical-looking rule is not a duplicate.
        rule(RuleSpec.builder().priority(32766).lookup(FibTable.MAIN));

        rule(RuleSpec.builder().priority(498).fwmark(0x10, 0xff).lookup(100));
        rule(RuleSpec.builder().priority(499).fwmark(0x10).lookup(100));
        // "fwmark 0x10" means mask 0xffffffff: it deletes rule 499, not 498.
        f.fib.deleteRule(RuleSpec.builder().fwmark(0x10).lookup(100).build());
        assertEquals(List.of(498), f.fib.rules().stream().filter(r -> r.mark() != 0).map(FibRule::priority).toList());

        e = assertThrows(NetException.class, () -> f.fib.deleteRule(RuleSpec.builder().priority(12345).build()));
        assertEquals(Errno.ENOENT, e.errno());
    }

    @Test
    void invalidTosIsRefusedWithTheKernelMessages() {
        NetException e = assertThrows(NetException.class, () -> rule(RuleSpec.builder().tos(0x20).lookup(9)));
        assertEquals("Invalid tos", e.getMessage());
        e = assertThrows(NetException.class, () -> rule(RuleSpec.builder().tos(0x03).lookup(9)));
        assertEquals("Invalid dsfield (tos): ECN bits must be 0", e.getMessage());
    }

    @Test
    void ruleDevicesDetachWhenTheDeviceGoesAndAttachWhenItReturns() {
        twoUplinks();
        rule(RuleSpec.builder().priority(7).iif("v9", 0).lookup(100));
        assertEquals("7:\tfrom all iif v9 [detached] lookup 100", f.rules().get(1));
        assertEquals(2, oifFor(flow.reset().dst(ip("8.8.8.8")).iif(9)));

        f.fib.deviceRegistered(9, "v9");
        assertEquals("7:\tfrom all iif v9 lookup 100", f.rules().get(1));
        assertEquals(3, oifFor(flow.reset().dst(ip("8.8.8.8")).iif(9)));

        f.fib.flushDevice(9);
        assertEquals("7:\tfrom all iif v9 [detached] lookup 100", f.rules().get(1));
    }

    /** The rules added in the Linux session, and what {@code ip rule show} printed there. */
    @Test
    void ruleTextMatchesLinux() {
        rule(RuleSpec.builder().from("10.1.0.0/24").lookup(100));
        rule(RuleSpec.builder().to("10.9.0.0/16").lookup(1000));
        rule(RuleSpec.builder().from("10.1.0.5").to("10.7.0.1").lookup(100).priority(500));
        rule(RuleSpec.builder().fwmark(0x10).lookup(100));
        rule(RuleSpec.builder().fwmark(0x10, 0xff).lookup(100));
        rule(RuleSpec.builder().iif("v0", 2).lookup(100));
        rule(RuleSpec.builder().oif("v0", 2).lookup(FibTable.MAIN));
        rule(RuleSpec.builder().tos(0x10).lookup(100));
        rule(RuleSpec.builder().not().from("10.1.0.0/24").action(RuleAction.UNREACHABLE));
        rule(RuleSpec.builder().action(RuleAction.PROHIBIT).to("10.8.0.0/16"));
        rule(RuleSpec.builder().action(RuleAction.BLACKHOLE).iif("lo", 1));
        rule(RuleSpec.builder().lookup(100).suppressPrefixLength(0));
        rule(RuleSpec.builder().lookup(100).priority(32766));
        assertThrows(NetException.class, () -> rule(RuleSpec.builder().lookup(100).priority(32766)));
        rule(RuleSpec.builder().from("0.0.0.0/0").lookup(200).priority(0));
        rule(RuleSpec.builder().to("10.9.0.0/16").lookup(1000));

        assertEquals(List.of(
                "0:\tfrom all lookup local",
                "0:\tfrom all lookup 200",
                "0:\tfrom all to 10.9.0.0/16 lookup 1000",
                "491:\tfrom all lookup 100 suppress_prefixlength 0",
                "492:\tfrom all iif lo blackhole",
                "493:\tfrom all to 10.8.0.0/16 prohibit",
                "494:\tnot from 10.1.0.0/24 unreachable",
                "495:\tfrom all tos 0x10 lookup 100",
                "496:\tfrom all oif v0 lookup main",
                "497:\tfrom all iif v0 lookup 100",
                "498:\tfrom all fwmark 0x10/0xff lookup 100",
                "499:\tfrom all fwmark 0x10 lookup 100",
                "500:\tfrom 10.1.0.5 to 10.7.0.1 lookup 100",
                "32764:\tfrom all to 10.9.0.0/16 lookup 1000",
                "32765:\tfrom 10.1.0.0/24 lookup 100",
                "32766:\tfrom all lookup main",
                "32766:\tfrom all lookup 100",
                "32767:\tfrom all lookup default"), f.rules());

        f.fib.deleteRule(RuleSpec.builder().lookup(100).priority(32766).build());
        f.fib.deleteRule(RuleSpec.builder().fwmark(0x10).lookup(100).build());
        rule(RuleSpec.builder().from("10.1.0.0/24").fwmark(0, 0x3));
        rule(RuleSpec.builder().gotoRule(32766).priority(1));
        rule(RuleSpec.builder().action(RuleAction.NOP));
        rule(RuleSpec.builder().from("10.1.0.5/32").lookup(FibTable.DEFAULT));
        rule(RuleSpec.builder().gotoRule(40000).priority(2));
        rule(RuleSpec.builder().from("10.1.0.0/24").to("10.2.0.0/16").iif("v0", 2).oif("v0", 2).fwmark(7).tos(0x08).lookup(7)
                .suppressPrefixLength(8).priority(5));
        rule(RuleSpec.builder().not().to("10.1.0.1").priority(6));

        assertEquals(List.of(
                "0:\tfrom all lookup local",
                "0:\tfrom all lookup 200",
                "0:\tfrom all to 10.9.0.0/16 lookup 1000",
                "0:\tfrom 10.1.0.0/24 fwmark 0/0x3 lookup main",
                "0:\tfrom all nop",
                "0:\tfrom 10.1.0.5 lookup default",
                "1:\tfrom all goto 32766",
                "2:\tfrom all goto 40000 [unresolved]",
                "5:\tfrom 10.1.0.0/24 to 10.2.0.0/16 tos 0x08 fwmark 0x7 iif v0 oif v0 lookup 7 suppress_prefixlength 8",
                "6:\tnot from all to 10.1.0.1 lookup main"), f.rules().subList(0, 10));
    }
}
