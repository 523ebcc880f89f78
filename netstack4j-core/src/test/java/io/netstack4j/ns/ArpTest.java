package io.netstack4j.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.drivers.Veth;
import io.netstack4j.icmp.IcmpMib;
import io.netstack4j.neigh.ArpCache;
import io.netstack4j.neigh.ArpEntry;
import io.netstack4j.neigh.Nud;
import io.netstack4j.wire.ArpPacket;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ARP and the neighbour state machine between two namespaces, on a simulated clock: every NUD
 * transition, the resolution queue, failures, limits and the frames on the wire.
 */
class ArpTest {

    private static final long MS = 1_000_000L;
    private static final long SEC = 1_000_000_000L;

    private Net net;
    private Namespace a;
    private Namespace b;
    private Veth[] link;
    /** ARP frames seen leaving a's device: "op sender->target dstmac". */
    private final List<String> wire = new ArrayList<>();

    @BeforeEach
    void setUp() {
        net = new Net();
        link = net.link("a", "veth0", "10.0.0.1/24", "b", "veth1", "10.0.0.2/24");
        a = net.ns("a");
        b = net.ns("b");
        a.devices().addTap((dev, outgoing, f, off, len) -> {
            byte[] x = f.array();
            if (outgoing && EthernetHeader.etherType(x, off) == EtherType.ARP) {
                int p = off + EthernetHeader.HEADER_LEN;
                wire.add((ArpPacket.operation(x, p) == 1 ? "request " : "reply ") + new Ipv4Address(ArpPacket.senderIp(x, p)) + "->"
                        + new Ipv4Address(ArpPacket.targetIp(x, p)) + (EthernetHeader.dst(x, off) == 0xffff_ffff_ffffL ? " bcast" : " ucast")
                        + " len=" + len);
            }
        });
        net.runMillis(10);
        wire.clear();
    }

    private ArpEntry entry(Namespace ns, String ip) {
        NetDevice dev = ns == a ? link[0] : link[1];
        return ns.arp().lookup(Ipv4Address.parse(ip).bits(), dev);
    }

    private Net.PingLog pingOnce(String dst) {
        return net.ping("a", dst, 1, 8, 0, false);
    }

    @Test
    void addressesAreAnnouncedWithGratuitousArp() {
        Net.address(a, link[0], "10.0.0.9/24");
        net.runMillis(1);
        assertEquals(List.of("request 10.0.0.9->10.0.0.9 bcast len=42"), wire);
        assertNull(entry(b, "10.0.0.9"), "arp_accept=0: an unsolicited announcement creates no entry");
    }

    @Test
    void resolutionReleasesTheQueueAndTheResponderLearnsTheRequester() {
        Net.PingLog log = pingOnce("10.0.0.2");
        assertEquals(List.of(1), log.replies);
        assertEquals("request 10.0.0.1->10.0.0.2 bcast len=42", wire.get(0));
        assertEquals(Nud.REACHABLE, entry(a, "10.0.0.2").state());
        assertEquals(link[1].macAddress(), entry(a, "10.0.0.2").lladdr());
        // b learned a from the request (STALE) and used it at once for the reply (DELAY).
        assertEquals(Nud.DELAY, entry(b, "10.0.0.1").state());
        assertEquals(link[0].macAddress(), entry(b, "10.0.0.1").lladdr());
    }

    @Test
    void incompleteFailsAfterThreeBroadcastProbesOneSecondApart() {
        Net.PingLog log = net.ping("a", "10.0.0.77", 1, 8, 0, false);
        assertEquals(List.of(), log.replies);
        net.runMillis(3000);
        List<String> probes = wire.stream().filter(w -> w.contains("->10.0.0.77")).toList();
        assertEquals(3, probes.size(), wire.toString());
        assertTrue(probes.stream().allMatch(p -> p.contains("bcast")));
        assertEquals(Nud.FAILED, entry(a, "10.0.0.77").state());
        assertEquals(1, a.drops().get(DropReason.NEIGH_FAILED));
        assertEquals(1, a.arp().stats().resFailed);
        assertEquals(1, a.icmp().mib().get(IcmpMib.OutDestUnreachs), "the sender was told host unreachable");
    }

    @Test
    void probesAreSpacedByRetransTime() {
        List<Long> times = new ArrayList<>();
        a.devices().addTap((dev, out, f, off, len) -> {
            if (out && EthernetHeader.etherType(f.array(), off) == EtherType.ARP) {
                times.add(a.loop().now());
            }
        });
        net.ping("a", "10.0.0.77", 1, 8, 0, false);
        net.runMillis(5000);
        assertEquals(3, times.size());
        assertEquals(1000 * MS, times.get(1) - times.get(0));
        assertEquals(1000 * MS, times.get(2) - times.get(1));
    }

    @Test
    void reachableBecomesStaleThenDelayThenReachableOnConfirmation() {
        pingOnce("10.0.0.2");
        ArpEntry e = entry(a, "10.0.0.2");
        assertEquals(Nud.REACHABLE, e.state());
        long reachable = a.arp().reachableTimeNanos();
        assertTrue(reachable >= 15 * SEC && reachable <= 45 * SEC, "randomized 0.5..1.5 x 30 s: " + reachable);
        net.runMillis(reachable / MS + 10_000);
        assertEquals(Nud.STALE, e.state());

        wire.clear();
        a.icmp().sendEcho(Ipv4Address.parse("10.0.0.2").bits(), 0, 1, 1, new byte[8], 8, 0, 0, false, 0);
        net.runMillis(0);
        assertEquals(Nud.DELAY, e.state(), "a stale entry is used as is and verified shortly");
        assertEquals(List.of(), wire, "no probe while in DELAY");
        a.arp().confirm(Ipv4Address.parse("10.0.0.2").bits(), link[0]);
        net.runMillis(5001);
        assertEquals(Nud.REACHABLE, e.state());
    }

    @Test
    void delayWithoutConfirmationProbesUnicastThenFailsWhenThePeerVanishes() {
        pingOnce("10.0.0.2");
        ArpEntry e = entry(a, "10.0.0.2");
        net.runMillis(a.arp().reachableTimeNanos() / MS + 10_000);
        assertEquals(Nud.STALE, e.state());
        link[1].setUp(false);
        wire.clear();
        a.icmp().sendEcho(Ipv4Address.parse("10.0.0.2").bits(), 0, 1, 1, new byte[8], 8, 0, 0, false, 0);
        net.runMillis(5000);
        assertEquals(Nud.PROBE, e.state());
        net.runMillis(5000);
        assertEquals(Nud.FAILED, e.state());
        List<String> probes = wire.stream().filter(w -> w.contains("->10.0.0.2")).toList();
        assertEquals(3, probes.size(), wire.toString());
        assertTrue(probes.stream().allMatch(p -> p.contains("ucast")), "PROBE asks the known address: " + probes);
    }

    @Test
    void theResolutionQueueIsBoundedByBytes() {
        a.sysctls().set("net.ipv4.neigh.default.unres_qlen_bytes", "5000");
        for (int i = 0; i < 20; i++) {
            a.icmp().sendEcho(Ipv4Address.parse("10.0.0.77").bits(), 0, 1, i, new byte[1000], 1000, 0, 0, false, 0);
        }
        ArpEntry e = entry(a, "10.0.0.77");
        assertTrue(e.queued() <= 4, "queued " + e.queued());
        assertEquals(20 - e.queued(), a.drops().get(DropReason.NEIGH_QUEUEFULL));
        assertEquals(20 - e.queued(), a.arp().stats().unresolvedDiscards);
        net.runMillis(5000);
        assertEquals(0, net.stack.loop().pool().live(), "failed resolution freed the queue");
    }

    @Test
    void aFloodOfRequestsFromRandomSourcesCannotGrowTheTablePastGcThresh3() {
        Random r = new Random(3);
        for (int i = 0; i < 3000; i++) {
            int src = Ipv4Address.parse("10.0.0.0").bits() | (r.nextInt(0xfffe) + 3);
            injectArp(b, link[1], ArpPacket.OP_REQUEST, 0x02_00_00_00_00_00L | i + 1, src, Ipv4Address.parse("10.0.0.2").bits(),
                    link[1].mac());
            if (i % 100 == 0) {
                net.runMillis(100);
            }
        }
        net.runMillis(100);
        assertTrue(b.arp().size() <= 1024, "table holds " + b.arp().size());
        assertTrue(b.arp().stats().forcedGcRuns > 0);
    }

    @Test
    void permanentEntriesAreNotOverwrittenByReplies() {
        int ip = Ipv4Address.parse("10.0.0.2").bits();
        a.arp().add(ip, link[0], 0x02_aa_aa_aa_aa_aaL, Nud.PERMANENT, false);
        injectArp(a, link[0], ArpPacket.OP_REPLY, 0x02_bb_bb_bb_bb_bbL, ip, Ipv4Address.parse("10.0.0.1").bits(), link[0].mac());
        net.runMillis(10);
        assertEquals("10.0.0.2 dev veth0 lladdr 02:aa:aa:aa:aa:aa PERMANENT", entry(a, "10.0.0.2").format(true));
        assertThrows(NetException.class, () -> a.arp().add(ip, link[0], 1, Nud.PERMANENT, false));
        assertEquals(0, a.arp().flush(null), "flush keeps permanent entries");
    }

    @Test
    void unsolicitedRepliesDoNotCreateEntries() {
        injectArp(a, link[0], ArpPacket.OP_REPLY, 0x02_cc_cc_cc_cc_ccL, Ipv4Address.parse("10.0.0.50").bits(),
                Ipv4Address.parse("10.0.0.1").bits(), link[0].mac());
        net.runMillis(10);
        assertNull(entry(a, "10.0.0.50"));
    }

    @Test
    void malformedArpIsDroppedAndCounted() {
        NetDevice dev = link[0];
        injectRaw(a, dev, 20, (x, p) -> { });
        injectRaw(a, dev, 28, (x, p) -> x[p + ArpPacket.PLEN] = 16);
        injectRaw(a, dev, 28, (x, p) -> ArpPacket.setSenderHw(x, p, 0x01_00_5e_00_00_01L));
        injectRaw(a, dev, 28, (x, p) -> x[p + ArpPacket.HTYPE + 1] = 6);
        net.runMillis(10);
        assertEquals(4, a.drops().get(DropReason.ARP_INVALID));
    }

    @Test
    void ipNeighTextAndAdministration() {
        pingOnce("10.0.0.2");
        ArpEntry e = entry(a, "10.0.0.2");
        assertEquals("10.0.0.2 dev veth0 lladdr " + link[1].macAddress() + " REACHABLE", e.format(true));
        assertEquals("10.0.0.2 lladdr " + link[1].macAddress() + " REACHABLE", e.format(false));
        net.ping("a", "10.0.0.77", 1, 8, 0, false);
        net.runMillis(4000);
        assertEquals("10.0.0.77 dev veth0 FAILED", entry(a, "10.0.0.77").format(true));
        assertEquals(2, a.arp().flush(link[0]));
        assertEquals(0, a.arp().size());
        link[0].setUp(false);
        assertNotNull(a.arp());
    }

    private interface Edit {
        void apply(byte[] x, int arp);
    }

    private void injectRaw(Namespace ns, NetDevice dev, int arpLen, Edit edit) {
        PacketBuffer skb = ns.loop().pool().alloc(64);
        int off = skb.put(EthernetHeader.HEADER_LEN + arpLen);
        byte[] x = skb.array();
        EthernetHeader.setDst(x, off, 0xffff_ffff_ffffL);
        EthernetHeader.setSrc(x, off, 0x02_00_00_00_00_99L);
        EthernetHeader.setEtherType(x, off, EtherType.ARP);
        int p = off + EthernetHeader.HEADER_LEN;
        if (arpLen >= ArpPacket.LEN) {
            ArpPacket.setEthernetIpv4(x, p, ArpPacket.OP_REQUEST);
            ArpPacket.setSenderHw(x, p, 0x02_00_00_00_00_99L);
            ArpPacket.setSenderIp(x, p, Ipv4Address.parse("10.0.0.99").bits());
            ArpPacket.setTargetIp(x, p, Ipv4Address.parse("10.0.0.1").bits());
        }
        edit.apply(x, p);
        dev.netifRx(skb);
    }

    private void injectArp(Namespace ns, NetDevice dev, int op, long sha, int sip, int tip, long dstMac) {
        PacketBuffer skb = ns.loop().pool().alloc(64);
        int off = skb.put(EthernetHeader.HEADER_LEN + ArpPacket.LEN);
        byte[] x = skb.array();
        EthernetHeader.setDst(x, off, op == ArpPacket.OP_REQUEST ? 0xffff_ffff_ffffL : dstMac);
        EthernetHeader.setSrc(x, off, sha);
        EthernetHeader.setEtherType(x, off, EtherType.ARP);
        int p = off + EthernetHeader.HEADER_LEN;
        ArpPacket.setEthernetIpv4(x, p, op);
        ArpPacket.setSenderHw(x, p, sha);
        ArpPacket.setSenderIp(x, p, sip);
        ArpPacket.setTargetHw(x, p, op == ArpPacket.OP_REPLY ? dstMac : 0);
        ArpPacket.setTargetIp(x, p, tip);
        dev.netifRx(skb);
    }
}
