package io.netstack4j.attacks;

import static io.netstack4j.attacks.AttackNet.CLIENT;
import static io.netstack4j.attacks.AttackNet.VICTIM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.DropReason;
import io.netstack4j.icmp.IcmpMib;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ipv4.IpMib;
import io.netstack4j.ipv4.Rtable;
import io.netstack4j.udp.UdpMib;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.Ipv4Header;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks through IP options and ICMP: malformed and source-route options, forged redirects,
 * broadcast echo (smurf), the RFC 1122 rules on which datagrams never earn an ICMP error, and
 * IP ID prediction. Each test sends the attack at the victim, checks the counter that records
 * it, and then that the victim still answers a ping and a new TCP connection.
 */
class IpIcmpAttacksTest {

    private static final byte[] NO_OPTIONS = new byte[0];
    private static final int REMOTE = AttackNet.ip("192.0.2.10");
    private static final int OTHER_REMOTE = AttackNet.ip("192.0.2.11");
    /** A second address of the client, the better gateway a redirect points at. */
    private static final int CLIENT2 = AttackNet.ip("10.1.0.3");

    private AttackNet net;

    @BeforeEach
    void setUp() {
        net = new AttackNet();
    }

    private long ip(IpMib m) {
        return net.victim.ipv4().mib().get(m);
    }

    private long icmp(IcmpMib m) {
        return net.victim.icmp().mib().get(m);
    }

    private long drops(DropReason r) {
        return net.victim.drops().get(r);
    }

    /** An echo request from the client to the victim carrying {@code options} (a multiple of 4 bytes). */
    private static byte[] echoWithOptions(byte[] options) {
        return AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.ICMP, 0x0707, false, 0, options, AttackNet.echoRequest(9, 1, 16));
    }

    /** The pointers of the parameter problems the victim sent, in order. */
    private List<Integer> parameterProblemPointers() {
        List<Integer> out = new ArrayList<>();
        for (byte[] d : net.sentIp(IpProtocol.ICMP)) {
            int icmp = Ipv4Header.headerLength(d, 0);
            if (IcmpHeader.type(d, icmp) == IcmpHeader.PARAMETER_PROBLEM) {
                out.add(IcmpHeader.pointer(d, icmp));
            }
        }
        return out;
    }

    /**
     * IP options that lie about their length or pointer: length 0 or 1, a length running past
     * the header, a type byte with no room for its length, a record-route pointer below 4, a
     * full timestamp option whose overflow count cannot count further. Each is a header error
     * (InHdrErrors) answered by a parameter problem pointing at the bad byte; nothing reaches
     * ICMP. A flood of them earns rate-limited answers only.
     */
    @Test
    void malformedOptionsAreHeaderErrorsWithAParameterProblem() {
        byte[][] options = {
            {7, 0, 4, 0},
            {7, 1, 4, 0},
            {7, 40, 4, 0},
            {1, 1, 1, 7},
            {7, 7, 2, 0, 0, 0, 0, 0},
            {68, 8, 9, (byte) 0xf0, 0, 0, 0, 0},
        };
        List<Integer> expected = List.of(20, 20, 20, 23, 22, 23);
        for (byte[] o : options) {
            net.injectAndRun(echoWithOptions(o), 1100);
        }
        assertEquals(options.length, ip(IpMib.InHdrErrors));
        assertEquals(options.length, drops(DropReason.IP_INHDR));
        assertEquals(0, icmp(IcmpMib.InEchos), "no malformed datagram reached ICMP");
        assertEquals(expected, parameterProblemPointers());
        assertEquals(options.length, icmp(IcmpMib.OutParmProbs));

        // A flood of 500 within a second earns a burst of answers, then one a second (icmp_ratelimit).
        net.run(10_000);
        for (int i = 0; i < 500; i++) {
            net.inject(echoWithOptions(options[i % options.length]));
        }
        net.run(500);
        long answered = icmp(IcmpMib.OutParmProbs) - options.length;
        assertTrue(answered >= 1 && answered <= 7, "rate-limited answers: " + answered);
        assertEquals(500 - answered, icmp(IcmpMib.OutRateLimitHost) + icmp(IcmpMib.OutRateLimitGlobal),
                "the rest hit the per-host or the global limit (icmp_msgs_per_sec)");
        assertEquals(options.length + 500, ip(IpMib.InHdrErrors));
        net.assertServes();
    }

    /**
     * Loose and strict source routes (RFC 791 options 131 and 137) let a sender choose the path
     * back to itself, the classic way around address-based trust. With accept_source_route=0,
     * Linux's default for hosts and routers, they are dropped and counted.
     */
    @Test
    void sourceRoutedDatagramsAreDroppedByDefault() {
        int hop = AttackNet.ip("10.1.0.9");
        for (int type : new int[] {131, 137}) {
            byte[] route = {(byte) type, 7, 4, (byte) (hop >>> 24), (byte) (hop >>> 16), (byte) (hop >>> 8), (byte) hop, 0};
            net.injectAndRun(echoWithOptions(route), 10);
        }
        assertEquals(2, drops(DropReason.IP_INSRCROUTE));
        assertEquals(2, ip(IpMib.InDiscards));
        assertEquals(0, icmp(IcmpMib.InEchos));
        assertEquals(0, icmp(IcmpMib.OutEchoReps));

        net.victim.sysctls().set("net.ipv4.ip_forward", "1");
        byte[] lsrr = {(byte) 131, 7, 4, (byte) (hop >>> 24), (byte) (hop >>> 16), (byte) (hop >>> 8), (byte) hop, 0};
        net.injectAndRun(echoWithOptions(lsrr), 10);
        assertEquals(3, drops(DropReason.IP_INSRCROUTE), "a router refuses them too");
        net.victim.sysctls().set("net.ipv4.ip_forward", "0");
        net.assertServes();
    }

    // ---- redirects -----------------------------------------------------------------------------

    /**
     * An ICMP redirect from {@code from} telling the victim to reach {@code dst} through
     * {@code gw}; it quotes the header of a UDP datagram the victim sent to {@code dst}.
     */
    private static byte[] redirect(int from, int dst, int gw) {
        byte[] quoted = AttackNet.ipv4(VICTIM, dst, IpProtocol.UDP, 0x2222, false, 0, NO_OPTIONS, new byte[8]);
        return AttackNet.ipv4(from, VICTIM, IpProtocol.ICMP, 0x3333, false, 0, NO_OPTIONS,
                AttackNet.icmp(IcmpHeader.REDIRECT, 1, gw, quoted));
    }

    private int gatewayTo(int dst) {
        return net.victim.ipv4().route().routeOutput(dst, 0, 0, 0, 0).gateway();
    }

    private void giveClientSecondAddress() {
        net.client.inet().addAddress(net.clientDev, new Ipv4Address(CLIENT2), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        net.run(10);
    }

    /**
     * RFC 1122 3.2.2.2 with Linux's rules: a host accepts a redirect only from the current
     * gateway for the destination, and uses the new gateway once its link-layer address is
     * known (the first redirect starts ARP, the next one takes effect). The change is for that
     * destination only, and lapses after route.gc_timeout.
     */
    @Test
    void redirectFromTheCurrentGatewayIsAccepted() {
        giveClientSecondAddress();
        assertEquals(CLIENT, gatewayTo(REMOTE));

        net.injectAndRun(redirect(CLIENT, REMOTE, CLIENT2), 100);
        assertEquals(1, icmp(IcmpMib.InRedirects));
        assertEquals(CLIENT, gatewayTo(REMOTE), "not yet: 10.1.0.3 was being resolved");
        assertEquals(1, drops(DropReason.ICMP_REDIRECT_IGNORED));

        net.injectAndRun(redirect(CLIENT, REMOTE, CLIENT2), 10);
        Rtable rt = net.victim.ipv4().route().routeOutput(REMOTE, 0, 0, 0, 0);
        assertEquals(CLIENT2, rt.gateway());
        assertTrue((rt.flags() & Rtable.RTCF_REDIRECTED) != 0);
        assertEquals(CLIENT, gatewayTo(OTHER_REMOTE), "other destinations keep the default route");
        assertEquals(1, drops(DropReason.ICMP_REDIRECT_IGNORED));

        net.run(301_000);
        assertEquals(CLIENT, gatewayTo(REMOTE), "the redirect lapsed after gc_timeout (300 s)");
        net.assertServes();
    }

    /**
     * The attack: a host on the link that is not the gateway (or forges another address) tries
     * to pull the victim's traffic to itself, to a broadcast or multicast address, to one of the
     * victim's own addresses, or to a destination the victim never sent to.
     */
    @Test
    void redirectsNotFromTheGatewayOrToBadGatewaysAreIgnored() {
        giveClientSecondAddress();
        int mallory = AttackNet.ip("10.1.0.77");
        net.injectAndRun(redirect(mallory, REMOTE, mallory), 100);
        net.injectAndRun(redirect(mallory, REMOTE, mallory), 100);
        net.injectAndRun(redirect(CLIENT, REMOTE, AttackNet.ip("10.1.0.255")), 100);
        net.injectAndRun(redirect(CLIENT, REMOTE, AttackNet.ip("224.0.0.1")), 100);
        net.injectAndRun(redirect(CLIENT, REMOTE, VICTIM), 100);
        net.injectAndRun(redirect(CLIENT, REMOTE, 0), 100);
        // A redirect quoting a datagram from someone else: not ours to act on.
        byte[] quotedForeign = AttackNet.ipv4(AttackNet.ip("10.1.0.50"), REMOTE, IpProtocol.UDP, 1, false, 0, NO_OPTIONS, new byte[8]);
        net.injectAndRun(AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.ICMP, 5, false, 0, NO_OPTIONS,
                AttackNet.icmp(IcmpHeader.REDIRECT, 1, CLIENT2, quotedForeign)), 100);
        assertEquals(7, icmp(IcmpMib.InRedirects));
        assertEquals(7, drops(DropReason.ICMP_REDIRECT_IGNORED));
        assertEquals(CLIENT, gatewayTo(REMOTE));
        assertEquals(0, net.victim.ipv4().route().pmtuExceptionCount(), "no next-hop exception was made");
        net.assertServes();
    }

    /**
     * A flood of valid redirects from the gateway, one per destination: each becomes a
     * next-hop exception, and the table of them is fixed in size (2048 buckets of 5, the oldest
     * in a full bucket replaced, as fnhe_oldest), so memory stays bounded.
     */
    @Test
    void redirectFloodKeepsTheExceptionTableBounded() {
        giveClientSecondAddress();
        net.victim.arp().add(CLIENT2, net.victimDev, net.clientDev.mac(), io.netstack4j.neigh.Nud.PERMANENT, true);
        for (int i = 0; i < 30_000; i++) {
            net.inject(redirect(CLIENT, AttackNet.ip("198.18.0.0") + i, CLIENT2));
            if (i % 100 == 99) {
                net.run(1);
            }
        }
        net.run(10);
        assertEquals(30_000, icmp(IcmpMib.InRedirects));
        int held = net.victim.ipv4().route().pmtuExceptionCount();
        assertTrue(held <= 2048 * 5, "exceptions held: " + held);
        assertTrue(held > 2048, "most redirects were taken: " + held);
        assertEquals(CLIENT2, gatewayTo(AttackNet.ip("198.18.0.0") + 29_999), "the newest is there");
        net.assertServes();
    }

    /**
     * accept_redirects as Linux reads it: a host takes redirects if either {@code all} or the
     * device says so, so both must be 0 to ignore them all; ip_forward=1 sets
     * {@code all.accept_redirects} to 0, and a forwarding device needs both, so a router
     * ignores them.
     */
    @Test
    void acceptRedirectsOffOrForwardingIgnoresRedirects() {
        giveClientSecondAddress();
        int third = AttackNet.ip("192.0.2.12");
        net.victim.arp().add(CLIENT2, net.victimDev, net.clientDev.mac(), io.netstack4j.neigh.Nud.REACHABLE, true);
        net.victim.sysctls().set("net.ipv4.conf.all.accept_redirects", "0");
        net.injectAndRun(redirect(CLIENT, REMOTE, CLIENT2), 10);
        assertEquals(CLIENT2, gatewayTo(REMOTE), "the device's own accept_redirects=1 still counts on a host (IN_DEV_ORCONF)");

        net.victim.sysctls().set("net.ipv4.conf.veth1.accept_redirects", "0");
        net.injectAndRun(redirect(CLIENT, OTHER_REMOTE, CLIENT2), 10);
        assertEquals(CLIENT, gatewayTo(OTHER_REMOTE), "both off: ignored");
        assertEquals(1, drops(DropReason.ICMP_REDIRECT_IGNORED));

        net.victim.sysctls().set("net.ipv4.conf.all.accept_redirects", "1");
        net.victim.sysctls().set("net.ipv4.conf.veth1.accept_redirects", "1");
        net.victim.sysctls().set("net.ipv4.ip_forward", "1");
        assertEquals("0", net.victim.sysctls().get("net.ipv4.conf.all.accept_redirects"), "ip_forward=1 turns all.accept_redirects off");
        net.injectAndRun(redirect(CLIENT, third, CLIENT2), 10);
        assertEquals(CLIENT, gatewayTo(third), "a router ignores redirects");
        assertEquals(2, drops(DropReason.ICMP_REDIRECT_IGNORED));
        net.victim.sysctls().set("net.ipv4.ip_forward", "0");
        assertEquals("1", net.victim.sysctls().get("net.ipv4.conf.all.accept_redirects"));
        net.assertServes();
    }

    // ---- broadcast echo ------------------------------------------------------------------------

    /**
     * Smurf: echo requests to a broadcast address, forged to come from the target, turn every
     * host on the link into an amplifier aimed at the target. With icmp_echo_ignore_broadcasts=1 (Linux's default) the
     * victim answers none of them, to the directed or the limited broadcast.
     */
    @Test
    void broadcastEchoIsIgnored() {
        int target = AttackNet.ip("198.51.100.7");
        for (int dst : new int[] {AttackNet.ip("10.1.0.255"), 0xffffffff}) {
            for (int i = 0; i < 50; i++) {
                byte[] d = AttackNet.ipv4(target, dst, IpProtocol.ICMP, i, false, 0, NO_OPTIONS, AttackNet.echoRequest(1, i, 32));
                net.injectFrame(AttackNet.ethernet(0xffff_ffff_ffffL, AttackNet.ATTACKER_MAC, io.netstack4j.wire.EtherType.IPV4, d));
            }
        }
        net.run(100);
        assertEquals(100, icmp(IcmpMib.InEchos));
        assertEquals(0, icmp(IcmpMib.OutEchoReps));
        assertEquals(100, drops(DropReason.ICMP_INVALID));
        assertEquals(0, net.sentIcmp(IcmpHeader.ECHO_REPLY));

        // Any other ICMP to a broadcast address is dropped too: here a redirect from the gateway.
        giveClientSecondAddress();
        byte[] bredirect = redirect(CLIENT, REMOTE, CLIENT2);
        Ipv4Header.setDst(bredirect, 0, AttackNet.ip("10.1.0.255"));
        net.injectFrame(AttackNet.ethernet(0xffff_ffff_ffffL, AttackNet.ATTACKER_MAC, io.netstack4j.wire.EtherType.IPV4,
                AttackNet.refill(bredirect)));
        net.run(10);
        assertEquals(101, drops(DropReason.ICMP_INVALID));
        assertEquals(0, drops(DropReason.ICMP_REDIRECT_IGNORED), "never reached the redirect code");

        net.victim.sysctls().set("net.ipv4.icmp_echo_ignore_broadcasts", "0");
        byte[] d = AttackNet.ipv4(CLIENT, AttackNet.ip("10.1.0.255"), IpProtocol.ICMP, 1, false, 0, NO_OPTIONS, AttackNet.echoRequest(1, 1, 32));
        net.injectFrame(AttackNet.ethernet(0xffff_ffff_ffffL, AttackNet.ATTACKER_MAC, io.netstack4j.wire.EtherType.IPV4, d));
        net.run(100);
        assertEquals(1, icmp(IcmpMib.OutEchoReps), "the control: with the sysctl off it is answered");
        net.victim.sysctls().set("net.ipv4.icmp_echo_ignore_broadcasts", "1");
        net.assertServes();
    }

    // ---- no ICMP error about ... -----------------------------------------------------------------

    /** UDP from the client to a closed port: earns a port unreachable unless a rule forbids it. */
    private static byte[] udpToClosedPort(int dst) {
        return AttackNet.ipv4(CLIENT, dst, IpProtocol.UDP, 0x4545, false, 0, NO_OPTIONS,
                AttackNet.udp(CLIENT, dst, 5555, 9, new byte[10]));
    }

    private int errorsSent() {
        return net.sentIcmp(IcmpHeader.DEST_UNREACH) + net.sentIcmp(IcmpHeader.PARAMETER_PROBLEM)
                + net.sentIcmp(IcmpHeader.TIME_EXCEEDED);
    }

    /**
     * RFC 1122 3.2.2: an ICMP error is never sent about an ICMP error, a datagram sent to a
     * broadcast or multicast address (IP or link layer), or a fragment other than the first, so
     * none of them can be used to make the victim reflect or amplify errors. Each case is paired
     * with the same datagram that does earn an error, so the rule, not a lost packet, explains
     * the silence.
     */
    @Test
    void noIcmpErrorsAboutErrorsBroadcastsMulticastsOrLaterFragments() {
        net.injectAndRun(udpToClosedPort(VICTIM), 200);
        assertEquals(1, net.sentIcmp(IcmpHeader.DEST_UNREACH), "the control: port unreachable");
        net.run(2_000);

        // An IP-level broadcast and a link-level broadcast or multicast to a closed port.
        byte[] bcast = udpToClosedPort(AttackNet.ip("10.1.0.255"));
        net.injectFrame(AttackNet.ethernet(0xffff_ffff_ffffL, AttackNet.ATTACKER_MAC, io.netstack4j.wire.EtherType.IPV4, bcast));
        net.injectFrame(AttackNet.ethernet(0xffff_ffff_ffffL, AttackNet.ATTACKER_MAC, io.netstack4j.wire.EtherType.IPV4,
                udpToClosedPort(VICTIM)));
        net.injectFrame(AttackNet.ethernet(0x01_00_5e_00_00_01L, AttackNet.ATTACKER_MAC, io.netstack4j.wire.EtherType.IPV4,
                udpToClosedPort(VICTIM)));
        net.run(200);
        assertEquals(3, net.victim.udp().mib().get(UdpMib.NoPorts), "the control and the two link-layer ones found no socket");
        assertEquals(1, net.victim.udp().mib().get(UdpMib.IgnoredMulti), "the IP broadcast found no socket either");

        // Malformed options in an ICMP error, and in a non-first fragment: header errors, silently.
        byte[] badOptions = {7, 0, 4, 0};
        byte[] quoted = AttackNet.ipv4(VICTIM, REMOTE, IpProtocol.UDP, 1, false, 0, NO_OPTIONS, new byte[8]);
        net.inject(AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.ICMP, 0x4646, false, 0, badOptions,
                AttackNet.icmp(IcmpHeader.DEST_UNREACH, IcmpHeader.PORT_UNREACH, 0, quoted)));
        net.inject(AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.UDP, 0x4747, false, 1480, badOptions, new byte[40]));
        net.run(200);
        assertEquals(2, ip(IpMib.InHdrErrors));
        assertEquals(1, errorsSent(), "only the control earned an error");

        // Sources that are not a single host: the subnet's broadcast address. No error goes back to them.
        byte[] fromBroadcast = AttackNet.ipv4(AttackNet.ip("10.1.0.255"), VICTIM, IpProtocol.UDP, 0x4949, false, 0, NO_OPTIONS,
                AttackNet.udp(AttackNet.ip("10.1.0.255"), VICTIM, 5555, 9, new byte[10]));
        net.injectAndRun(fromBroadcast, 200);
        assertEquals(1, errorsSent(), "RFC 1122 3.2.2: nothing to a source that is a broadcast address");
        assertEquals(4, net.victim.udp().mib().get(UdpMib.NoPorts));

        // The controls for the last two: the same bad options in an echo request, and in a first fragment.
        net.run(2_000);
        net.injectAndRun(echoWithOptions(badOptions), 200);
        net.run(2_000);
        net.injectAndRun(AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.UDP, 0x4848, true, 0, badOptions, new byte[40]), 200);
        assertEquals(3, errorsSent());
        net.assertServes();
    }

    // ---- IP IDs --------------------------------------------------------------------------------

    /** The IDs of the echo requests the victim sent to {@code dst}, in order. */
    private List<Integer> idsTo(int dst) {
        List<Integer> ids = new ArrayList<>();
        for (byte[] d : net.sentIp(IpProtocol.ICMP)) {
            if (Ipv4Header.dst(d, 0) == dst && IcmpHeader.type(d, Ipv4Header.headerLength(d, 0)) == IcmpHeader.ECHO) {
                ids.add(Ipv4Header.ident(d, 0));
            }
        }
        return ids;
    }

    /**
     * IP IDs are not one global counter (an idle-scan and off-path inference channel): each
     * destination draws from its own hashed counter, counters start at random values, and a
     * counter that sat idle jumps by a random amount. Two destinations interleaved therefore
     * do not see one sequence, and a fresh stack does not start at 0.
     */
    @Test
    void ipIdsAreNotOneGlobalCounter() {
        giveClientSecondAddress();
        for (int i = 0; i < 20; i++) {
            net.victim.icmp().sendEcho(CLIENT, 0, 77, i, new byte[8], 8, 0, 0, false, 0);
            net.victim.icmp().sendEcho(CLIENT2, 0, 77, i, new byte[8], 8, 0, 0, false, 0);
        }
        net.run(100);
        List<Integer> a = idsTo(CLIENT);
        List<Integer> b = idsTo(CLIENT2);
        assertEquals(20, a.size());
        assertEquals(20, b.size());
        for (int i = 1; i < 20; i++) {
            assertEquals((a.get(i - 1) + 1) & 0xffff, (int) a.get(i), "one destination's IDs count up within a burst");
            assertEquals((b.get(i - 1) + 1) & 0xffff, (int) b.get(i));
        }
        int interleaved = 0;
        for (int i = 0; i < 20; i++) {
            if (b.get(i) == ((a.get(i) + 1) & 0xffff)) {
                interleaved++;
            }
        }
        assertEquals(0, interleaved, "the second destination's IDs do not follow the first's: " + a + " " + b);

        // After ten idle seconds the counter toward CLIENT has jumped by a random amount.
        net.run(10_000);
        net.victim.icmp().sendEcho(CLIENT, 0, 77, 99, new byte[8], 8, 0, 0, false, 0);
        net.run(100);
        List<Integer> later = idsTo(CLIENT);
        assertNotEquals((a.get(19) + 1) & 0xffff, (int) later.get(20), "an idle counter does not simply continue");

        // Two stacks with different seeds start their counters toward the same address differently.
        AttackNet other = new AttackNet(777);
        other.victim.icmp().sendEcho(CLIENT, 0, 77, 0, new byte[8], 8, 0, 0, false, 0);
        other.run(100);
        int first = -1;
        for (byte[] d : other.sentIp(IpProtocol.ICMP)) {
            if (Ipv4Header.dst(d, 0) == CLIENT) {
                first = Ipv4Header.ident(d, 0);
            }
        }
        assertNotEquals(a.get(0), (Integer) first);
        assertTrue(Arrays.asList(a.get(0), first).stream().anyMatch(x -> x != 0), "counters do not all start at 0");
        net.assertServes();
    }
}
