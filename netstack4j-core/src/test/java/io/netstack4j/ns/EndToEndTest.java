package io.netstack4j.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.drivers.Veth;
import io.netstack4j.icmp.IcmpMib;
import io.netstack4j.ipv4.IpMib;
import io.netstack4j.sched.Netem;
import io.netstack4j.sched.NetemSpec;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whole namespaces joined by veth pairs on a simulated clock: ping across one and two routers,
 * TTL expiry, unreachable destinations, netem loss, and DF with a small MTU.
 *
 * <pre>
 *   h1 10.1.0.2 --- 10.1.0.1 r1 10.2.0.1 --- 10.2.0.2 r2 10.3.0.1 --- 10.3.0.2 h3
 *                              r1 10.2.0.1 is also where h2 10.2.0.3 would sit (not used)
 * </pre>
 */
class EndToEndTest {

    private Net net;

    @BeforeEach
    void twoRouters() {
        net = Net.twoRouters();
    }

    @Test
    void pingAcrossOneRouter() {
        Net.PingLog log = net.ping("h1", "10.2.0.2", 3, 56, 0, false);
        assertEquals(List.of(1, 2, 3), log.replies);
        assertEquals(List.of(63, 63, 63), log.replyTtls, "one router decremented the reply's TTL");
        assertEquals(6, net.ns("r1").ipv4().mib().get(IpMib.ForwDatagrams), "r1 forwarded 3 requests and 3 replies");
        assertEquals(3, net.ns("r2").icmp().mib().get(IcmpMib.InEchos));
        assertEquals(3, net.ns("r2").icmp().mib().get(IcmpMib.OutEchoReps));
    }

    @Test
    void pingAcrossTwoRouters() {
        Net.PingLog log = net.ping("h1", "10.3.0.2", 3, 56, 0, false);
        assertEquals(List.of(1, 2, 3), log.replies);
        assertEquals(List.of(62, 62, 62), log.replyTtls);
        assertEquals(6, net.ns("r1").ipv4().mib().get(IpMib.ForwDatagrams), "requests and replies");
        assertEquals(6, net.ns("r2").ipv4().mib().get(IpMib.ForwDatagrams));
        assertEquals(List.of(), log.errors);
    }

    @Test
    void ttlExpiresAtTheSecondRouter() {
        Net.PingLog log = net.ping("h1", "10.3.0.2", 1, 56, 2, false);
        assertEquals(List.of(), log.replies);
        assertEquals(List.of("10.2.0.2 type=11 code=0 info=0 seq=1"), log.errors);
        assertEquals(1, net.ns("r2").icmp().mib().get(IcmpMib.OutTimeExcds));
        assertEquals(1, net.ns("r2").ipv4().mib().get(IpMib.InHdrErrors));
        assertEquals(1, net.ns("r2").drops().get(DropReason.IP_TTL_EXPIRED));
    }

    @Test
    void routerWithoutARouteSaysNetUnreachable() {
        net.route("h1", "10.9.0.0/16", "10.1.0.1");
        Net.PingLog log = net.ping("h1", "10.9.0.1", 1, 56, 0, false);
        assertEquals(List.of("10.1.0.1 type=3 code=0 info=0 seq=1"), log.errors);
        assertEquals(1, net.ns("r1").icmp().mib().get(IcmpMib.OutDestUnreachs));
    }

    @Test
    void aRouterSendingBackOutTheSameLinkRedirects() {
        net.route("h1", "10.8.0.0/16", "10.1.0.1");
        net.route("r1", "10.8.0.0/16", "10.1.0.5");
        Net.PingLog log = net.ping("h1", "10.8.0.1", 1, 56, 0, false);
        int gw = io.netstack4j.wire.Ipv4Address.parse("10.1.0.5").bits();
        assertTrue(log.errors.contains("10.1.0.1 type=5 code=1 info=" + gw + " seq=1"), log.errors.toString());
        assertEquals(1, net.ns("r1").icmp().mib().get(IcmpMib.OutRedirects));
    }

    @Test
    void hostWithoutARouteRefusesToSend() {
        net.link("r2", "veth6", "10.4.0.1/24", "h4", "veth7", "10.4.0.2/24");
        NetException e = assertThrows(NetException.class, () -> net.ping("h4", "10.1.0.2", 1, 56, 0, false));
        assertEquals(Errno.ENETUNREACH, e.errno(), "h4 has no default route");
        assertEquals(1, net.ns("h4").ipv4().mib().get(IpMib.OutNoRoutes));
    }

    @Test
    void forwardingOffMeansNoForwarding() {
        assertEquals(List.of(1), net.ping("h1", "10.2.0.2", 1, 56, 0, false).replies, "forwarding, with the route cached");
        net.ns("r1").sysctls().set("net.ipv4.ip_forward", "0");
        Net.PingLog log = net.ping("h1", "10.2.0.2", 1, 56, 0, false);
        assertEquals(List.of(), log.replies);
        assertEquals(List.of(), log.errors, "a host does not answer for routes it will not forward");
        assertEquals(1, net.ns("r1").ipv4().mib().get(IpMib.InAddrErrors), "the cached forwarding decision was flushed");
    }

    @Test
    void netemLossShowsInPingStatistics() {
        Veth r1side = (Veth) net.ns("r1").requireDevice("veth2");
        r1side.setQdisc(new Netem(NetemSpec.parse(List.of("loss", "100%"))));
        Net.PingLog log = net.ping("h1", "10.2.0.2", 5, 56, 0, false);
        assertEquals(List.of(), log.replies);
        assertEquals(0, net.ns("r2").icmp().mib().get(IcmpMib.InMsgs), "nothing got through r1's veth2");
        assertTrue(net.ns("r1").drops().get(DropReason.TC_DROP) >= 5, "the requests (and r1's ARP requests) were lost");

        r1side.setQdisc(new Netem(NetemSpec.parse(List.of("loss", "30%"))));
        Net.PingLog some = net.ping("h1", "10.2.0.2", 200, 56, 0, false);
        int lost = 200 - some.replies.size();
        assertTrue(lost > 30 && lost < 90, "30% loss of 200 requests lost " + lost);
    }

    @Test
    void dontFragmentWithASmallerNextHopMtuGivesFragNeeded() {
        net.ns("r1").requireDevice("veth2").setMtu(1400);
        net.ns("r2").requireDevice("veth3").setMtu(1400);
        Net.PingLog log = net.ping("h1", "10.3.0.2", 1, 1400, 0, true);
        assertEquals(List.of("10.1.0.1 type=3 code=4 info=1400 seq=1"), log.errors);
        assertEquals(1, net.ns("r1").ipv4().mib().get(IpMib.FragFails));

        Net.PingLog fits = net.ping("h1", "10.3.0.2", 1, 1400 - 28, 0, true);
        assertEquals(List.of(1), fits.replies);
    }

    @Test
    void dontFragmentLargerThanTheFirstHopFailsLocally() {
        NetException e = assertThrows(NetException.class, () -> net.ping("h1", "10.2.0.2", 1, 2000, 0, true));
        assertEquals(Errno.EMSGSIZE, e.errno());
        assertEquals("message too long, mtu=1500", e.getMessage());
    }

    @Test
    void pingOwnAddressAndLoopbackGoesThroughLo() {
        assertEquals(List.of(1), net.ping("h1", "10.1.0.2", 1, 56, 0, false).replies);
        assertEquals(List.of(1), net.ping("h1", "127.0.0.1", 1, 56, 0, false).replies);
        assertTrue(net.ns("h1").loopback().stats().rxPackets >= 4);
    }

    @Test
    void noPacketsLeakFromThePool() {
        net.ping("h1", "10.3.0.2", 3, 1000, 0, false);
        net.ping("h1", "10.3.0.2", 1, 56, 1, false);
        net.runMillis(5000);
        assertEquals(0, net.stack.loop().pool().live());
    }
}
