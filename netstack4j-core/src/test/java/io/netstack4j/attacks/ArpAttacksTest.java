package io.netstack4j.attacks;

import static io.netstack4j.attacks.AttackNet.ATTACKER_MAC;
import static io.netstack4j.attacks.AttackNet.CLIENT;
import static io.netstack4j.attacks.AttackNet.VICTIM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.DropReason;
import io.netstack4j.neigh.ArpEntry;
import io.netstack4j.neigh.Nud;
import io.netstack4j.wire.ArpPacket;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ARP cache poisoning and exhaustion against the victim: unsolicited replies, gratuitous ARP,
 * spoofed replies for a PERMANENT entry, requests from martian sources, and a flood of
 * requests from random sources. The neighbour table stays within gc_thresh3 and the victim
 * keeps answering a ping and a new TCP connection from the client.
 */
class ArpAttacksTest {

    private static final long BROADCAST = 0xffff_ffff_ffffL;

    private AttackNet net;

    @BeforeEach
    void setUp() {
        net = new AttackNet();
    }

    private ArpEntry entry(int ip) {
        return net.victim.arp().lookup(ip, net.victimDev);
    }

    private int arpRepliesSent() {
        int n = 0;
        for (byte[] f : net.sent) {
            if (EthernetHeader.etherType(f, 0) == EtherType.ARP
                    && ArpPacket.operation(f, EthernetHeader.HEADER_LEN) == ArpPacket.OP_REPLY) {
                n++;
            }
        }
        return n;
    }

    /**
     * With arp_accept=0 (Linux's default) neither an unsolicited reply nor a gratuitous ARP
     * creates an entry, so an attacker cannot plant a binding for an address the victim has not
     * asked about. With arp_accept=1 the gratuitous one does (the control).
     */
    @Test
    void unsolicitedRepliesAndGratuitousArpDoNotCreateEntries() {
        int planted = AttackNet.ip("10.1.0.50");
        long allocs = net.victim.arp().stats().allocs;
        int size = net.victim.arp().size();
        net.injectFrame(AttackNet.arp(net.victimDev.mac(), ATTACKER_MAC, ArpPacket.OP_REPLY, ATTACKER_MAC, planted,
                net.victimDev.mac(), VICTIM));
        net.injectFrame(AttackNet.arp(BROADCAST, ATTACKER_MAC, ArpPacket.OP_REQUEST, ATTACKER_MAC, planted, 0, planted));
        net.injectFrame(AttackNet.arp(BROADCAST, ATTACKER_MAC, ArpPacket.OP_REPLY, ATTACKER_MAC, planted, BROADCAST, planted));
        net.run(10);
        assertNull(entry(planted));
        assertEquals(allocs, net.victim.arp().stats().allocs, "no entry was even allocated");
        assertEquals(size, net.victim.arp().size());

        net.victim.sysctls().set("net.ipv4.conf.veth1.arp_accept", "1");
        net.injectFrame(AttackNet.arp(BROADCAST, ATTACKER_MAC, ArpPacket.OP_REQUEST, ATTACKER_MAC, planted, 0, planted));
        net.run(10);
        assertNotNull(entry(planted), "the control: arp_accept=1 takes gratuitous ARP");
        net.victim.sysctls().set("net.ipv4.conf.veth1.arp_accept", "0");
        net.assertServes();
    }

    /**
     * A PERMANENT entry (ip neigh add ... nud permanent, the classic defence against ARP
     * spoofing of the gateway) is changed by nothing an attacker sends: a unicast or broadcast
     * reply, a gratuitous ARP, or a request that claims the address. A learned entry is taken
     * over by the same reply once locktime has passed (the control: ARP itself has no defence).
     */
    @Test
    void repliesCannotOverwriteAPermanentEntry() {
        net.victim.arp().add(CLIENT, net.victimDev, net.clientDev.mac(), Nud.PERMANENT, true);
        net.run(2000);
        net.injectFrame(AttackNet.arp(net.victimDev.mac(), ATTACKER_MAC, ArpPacket.OP_REPLY, ATTACKER_MAC, CLIENT,
                net.victimDev.mac(), VICTIM));
        net.injectFrame(AttackNet.arp(BROADCAST, ATTACKER_MAC, ArpPacket.OP_REPLY, ATTACKER_MAC, CLIENT, BROADCAST, CLIENT));
        net.injectFrame(AttackNet.arp(BROADCAST, ATTACKER_MAC, ArpPacket.OP_REQUEST, ATTACKER_MAC, CLIENT, 0, CLIENT));
        net.injectFrame(AttackNet.arp(BROADCAST, ATTACKER_MAC, ArpPacket.OP_REQUEST, ATTACKER_MAC, CLIENT, 0, VICTIM));
        net.run(10);
        ArpEntry e = entry(CLIENT);
        assertEquals(Nud.PERMANENT, e.state());
        assertEquals(net.clientDev.mac(), e.lladdr().bits());
        net.assertServes();

        // The control: the same reply against a learned entry of another host wins after locktime.
        int other = AttackNet.ip("10.1.0.3");
        net.victim.arp().add(other, net.victimDev, 0x02_00_00_00_00_03L, Nud.STALE, true);
        net.run(2000);
        net.injectFrame(AttackNet.arp(net.victimDev.mac(), ATTACKER_MAC, ArpPacket.OP_REPLY, ATTACKER_MAC, other,
                net.victimDev.mac(), VICTIM));
        net.run(10);
        assertEquals(ATTACKER_MAC, entry(other).lladdr().bits());
    }

    /**
     * Requests the victim must not answer or learn from, as Linux's arp_process: a request for a
     * loopback address (127/8 is not on the wire unless route_localnet), and requests whose
     * sender address is a loopback address, one of the victim's own, or the subnet's broadcast
     * (the input route for them is martian). Only the well-formed request is answered.
     */
    @Test
    void requestsForLoopbackOrFromMartianSendersAreNotAnsweredOrLearned() {
        int loopback = AttackNet.ip("127.0.0.1");
        net.injectFrame(AttackNet.arp(BROADCAST, ATTACKER_MAC, ArpPacket.OP_REQUEST, ATTACKER_MAC, AttackNet.ip("10.1.0.60"), 0, loopback));
        net.injectFrame(AttackNet.arp(BROADCAST, ATTACKER_MAC, ArpPacket.OP_REQUEST, ATTACKER_MAC, loopback, 0, VICTIM));
        net.injectFrame(AttackNet.arp(BROADCAST, ATTACKER_MAC, ArpPacket.OP_REQUEST, ATTACKER_MAC, AttackNet.ip("10.1.0.255"), 0, VICTIM));
        net.run(10);
        assertEquals(0, arpRepliesSent());
        assertNull(entry(loopback));
        assertNull(entry(AttackNet.ip("10.1.0.60")));
        assertNull(entry(AttackNet.ip("10.1.0.255")));
        assertEquals(1, net.victim.drops().get(DropReason.ARP_INVALID), "the request for 127.0.0.1");

        net.injectFrame(AttackNet.arp(BROADCAST, ATTACKER_MAC, ArpPacket.OP_REQUEST, ATTACKER_MAC, AttackNet.ip("10.1.0.61"), 0, VICTIM));
        net.run(10);
        assertEquals(1, arpRepliesSent(), "the control: an ordinary request is answered");
        assertNotNull(entry(AttackNet.ip("10.1.0.61")), "and its sender learned");
        net.assertServes();
    }

    /**
     * Echo requests from forged on-link sources that do not exist: each reply waits for an ARP
     * answer that never comes, in an INCOMPLETE entry. The table stays within gc_thresh3, each
     * entry's queue within unres_qlen_bytes, the entries fail after three probes (resolution
     * failures counted), and the victim serves the client afterwards.
     */
    @Test
    void pingsFromForgedOnLinkSourcesCannotExhaustTheResolutionQueues() {
        // A /16 on the victim's link, so that forged sources are on-link and need ARP.
        net.victim.inet().addAddress(net.victimDev, new io.netstack4j.wire.Ipv4Address(AttackNet.ip("10.2.0.1")), 16,
                io.netstack4j.wire.Ipv4Address.ANY, io.netstack4j.inet.IfAddr.SCOPE_GLOBAL, null);
        net.run(10);
        long buffersBefore = net.liveBuffers();
        Random r = new Random(1122);
        int most = 0;
        long queuedMost = 0;
        for (int i = 0; i < 5000; i++) {
            int src = AttackNet.ip("10.2.0.0") | (r.nextInt(0xff00) + 0x100);
            net.inject(AttackNet.ipv4(src, VICTIM, io.netstack4j.wire.IpProtocol.ICMP, i, false, 0, new byte[0],
                    AttackNet.echoRequest(1, i, 512)));
            if (i % 100 == 99) {
                net.run(1);
                most = Math.max(most, net.victim.arp().size());
                long queued = 0;
                for (ArpEntry e : net.victim.arp().list()) {
                    queued += e.queued();
                }
                queuedMost = Math.max(queuedMost, queued);
            }
        }
        assertTrue(most <= 1024, "the table peaked at " + most);
        assertTrue(queuedMost <= 1024L * 212_992 / 512, "replies waiting: " + queuedMost);
        System.out.printf("Forged-source pings: table peak %d, replies waiting at most %d, live buffers %d%n", most, queuedMost,
                net.liveBuffers());
        net.run(5_000);
        assertTrue(net.victim.arp().stats().resFailed > 0, "the forged sources failed to resolve");
        assertTrue(net.victim.drops().get(DropReason.NEIGH_FAILED) > 0);
        net.assertServes();
        net.run(60_000);
        net.assertNoBuffersHeldBeyond(buffersBefore);
    }

    /**
     * A flood of requests for the victim's address from random sources, each of which the victim
     * would learn (neigh_event_ns). The table never holds more than gc_thresh3 (1024) entries;
     * forced garbage collection runs and table overflows are counted; and once the flood stops
     * the victim answers the client again.
     */
    @Test
    void requestFloodFromRandomSourcesStaysUnderGcThresh3() {
        Random r = new Random(826);
        int most = 0;
        for (int i = 0; i < 20_000; i++) {
            int src = AttackNet.ip("10.1.0.0") | (r.nextInt(0xfd) + 4);
            src = (src & 0xffff_00ff) | (r.nextInt(256) << 8);
            long mac = 0x02_00_00_00_00_00L | (i + 1);
            net.injectFrame(AttackNet.arp(BROADCAST, mac, ArpPacket.OP_REQUEST, mac, src == CLIENT ? src + 1 : src, 0, VICTIM));
            if (i % 50 == 49) {
                net.run(1);
                most = Math.max(most, net.victim.arp().size());
            }
        }
        net.run(10);
        most = Math.max(most, net.victim.arp().size());
        assertTrue(most <= 1024, "the table peaked at " + most);
        assertTrue(net.victim.arp().stats().forcedGcRuns > 0);
        System.out.printf("ARP flood: 20000 requests, table peak %d, forced GC runs %d, table fulls %d%n", most,
                net.victim.arp().stats().forcedGcRuns, net.victim.arp().stats().tableFulls);
        net.assertServes();
        assertTrue(net.victim.arp().size() <= 1024);
    }
}
