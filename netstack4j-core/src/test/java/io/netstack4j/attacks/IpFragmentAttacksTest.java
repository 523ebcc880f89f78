package io.netstack4j.attacks;

import static io.netstack4j.attacks.AttackNet.CLIENT;
import static io.netstack4j.attacks.AttackNet.VICTIM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.DropReason;
import io.netstack4j.icmp.IcmpMib;
import io.netstack4j.ipv4.IpDefrag;
import io.netstack4j.ipv4.IpExtMib;
import io.netstack4j.ipv4.IpMib;
import io.netstack4j.netfilter.NfHook;
import io.netstack4j.netfilter.Verdict;
import io.netstack4j.tcp.TcpMib;
import io.netstack4j.udp.UdpMib;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.TcpHeader;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The historical attacks on IPv4 reassembly, each sent at the victim as raw fragments; after
 * each the victim still answers a ping and a new TCP connection, holds no fragment memory it
 * should not, and counts what it threw away (ReasmFails, ReasmOverlaps, the drop reason).
 */
class IpFragmentAttacksTest {

    private static final byte[] NO_OPTIONS = new byte[0];
    /** ATTACKER is a host behind the victim's default route, so answers to it go to the client's link. */
    private static final int ATTACKER = AttackNet.ip("192.0.2.66");

    private AttackNet net;
    private long buffersBefore;

    @BeforeEach
    void setUp() {
        net = new AttackNet();
        buffersBefore = net.liveBuffers();
    }

    private long ip(IpMib m) {
        return net.victim.ipv4().mib().get(m);
    }

    private long drops(DropReason r) {
        return net.victim.drops().get(r);
    }

    private IpDefrag defrag() {
        return net.victim.ipv4().defrag();
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    /** A fragment of a UDP datagram (protocol 17) from ATTACKER with ID {@code id}. */
    private static byte[] udpFragment(int id, boolean mf, int offset, byte[] data) {
        return AttackNet.ipv4(ATTACKER, VICTIM, IpProtocol.UDP, id, mf, offset, NO_OPTIONS, data);
    }

    private void assertNothingQueued() {
        assertEquals(0, defrag().queueCount(), "reassembly queues");
        assertEquals(0, defrag().memory(), "reassembly memory");
    }

    /**
     * Teardrop (1997): the second fragment lies inside the first and ends before it, so a stack
     * that trusted "end - offset" copied a negative length. Here the last fragment contradicts
     * the datagram's known end: the whole datagram is given up.
     */
    @Test
    void teardropFragmentInsideTheFirstDiscardsTheDatagram() {
        net.inject(udpFragment(0x7a7a, true, 0, bytes(36, 1)));
        net.injectAndRun(udpFragment(0x7a7a, false, 24, bytes(4, 9)), 10);

        assertEquals(1, ip(IpMib.ReasmFails));
        assertEquals(1, drops(DropReason.IP_FRAGMENT));
        assertEquals(0, ip(IpMib.ReasmOKs));
        assertEquals(0, net.victim.udp().mib().get(UdpMib.NoPorts), "nothing reached UDP");
        assertNothingQueued();
        net.assertNoBuffersHeldBeyond(buffersBefore);
        net.assertServes();
    }

    /**
     * Bonk/boink and "negative length": a fragment that carries no data (total length equal to
     * its header), and a later fragment that starts inside the first and runs past it.
     */
    @Test
    void zeroLengthAndStraddlingFragmentsDiscardTheDatagram() {
        net.inject(udpFragment(0xb0b0, true, 0, bytes(32, 1)));
        net.injectAndRun(udpFragment(0xb0b0, true, 32, new byte[0]), 10);
        assertEquals(1, drops(DropReason.IP_FRAGMENT), "zero-length fragment");

        net.inject(udpFragment(0xb0b1, true, 0, bytes(32, 1)));
        net.injectAndRun(udpFragment(0xb0b1, false, 24, bytes(40, 3)), 10);
        assertEquals(1, drops(DropReason.FRAG_OVERLAP), "straddling fragment");
        assertEquals(1, net.victim.ipv4().extMib().get(IpExtMib.ReasmOverlaps));
        assertEquals(2, ip(IpMib.ReasmFails));
        assertNothingQueued();
        net.assertNoBuffersHeldBeyond(buffersBefore);
        net.assertServes();
    }

    /**
     * Ping of death (1996): an echo request in 1480-byte fragments whose last one, at the
     * largest offset a fragment can carry, ends past byte 65535. That fragment discards the
     * datagram; nothing oversized reaches ICMP and nothing stays queued.
     */
    @Test
    void pingOfDeathNeverReassemblesPast65535() {
        byte[] echo = AttackNet.echoRequest(0x0bad, 1, 45 * 1480 - 8);
        int id = 0xdead;
        int fragments = 0;
        for (int off = 0; off < echo.length; off += 1480) {
            boolean mf = off + 1480 < echo.length;
            net.inject(AttackNet.ipv4(ATTACKER, VICTIM, IpProtocol.ICMP, id, mf, off, NO_OPTIONS,
                    Arrays.copyOfRange(echo, off, off + 1480)));
            fragments++;
            net.run(1);
        }
        assertEquals(45, fragments);
        assertEquals(fragments, ip(IpMib.ReasmReqds));
        assertEquals(1, drops(DropReason.FRAG_TOO_BIG), "the fragment at offset 65120 would end at byte 66620");
        assertEquals(1, ip(IpMib.ReasmFails));
        assertEquals(0, ip(IpMib.ReasmOKs));
        assertEquals(0, net.victim.icmp().mib().get(IcmpMib.InEchos), "no oversized echo reached ICMP");
        assertNothingQueued();
        net.assertNoBuffersHeldBeyond(buffersBefore);
        net.assertServes();
    }

    /** A TCP segment to port 80 carrying {@code flags}, split after {@code split} bytes of its header. */
    private void sendSplitSegment(int id, int flags, int split) {
        byte[] seg = AttackNet.tcp(ATTACKER, VICTIM, 40000, AttackNet.PORT, flags, 1000, 0, new byte[0]);
        net.inject(AttackNet.ipv4(ATTACKER, VICTIM, IpProtocol.TCP, id, true, 0, NO_OPTIONS, Arrays.copyOfRange(seg, 0, split)));
        net.injectAndRun(AttackNet.ipv4(ATTACKER, VICTIM, IpProtocol.TCP, id, false, split, NO_OPTIONS,
                Arrays.copyOfRange(seg, split, seg.length)), 10);
    }

    /** A netfilter rule on LOCAL_IN that drops SYNs to port 80, counting what it saw. */
    private int[] synFilter() {
        int[] seen = new int[2];
        net.victim.netfilter().register(NfHook.LOCAL_IN, 0, (hook, skb, in, out) -> {
            byte[] b = skb.array();
            int nh = skb.networkHeader();
            if (Ipv4Header.protocol(b, nh) != IpProtocol.TCP) {
                return Verdict.ACCEPT;
            }
            seen[0]++;
            assertTrue(!Ipv4Header.isFragment(b, nh), "LOCAL_IN sees whole datagrams only");
            int th = nh + Ipv4Header.headerLength(b, nh);
            if (TcpHeader.dstPort(b, th) == AttackNet.PORT && (TcpHeader.flags(b, th) & TcpHeader.SYN) != 0
                    && Ipv4Header.src(b, nh) == ATTACKER) {
                seen[1]++;
                return Verdict.DROP;
            }
            return Verdict.ACCEPT;
        });
        return seen;
    }

    /**
     * RFC 1858 section 3.1, the tiny-fragment attack: the first fragment holds only the ports and
     * sequence number, so a filter that looks at fragments cannot see the SYN flag. Reassembly
     * happens before LOCAL_IN, so the rule sees the whole header and drops the SYN.
     */
    @Test
    void tinyFragmentsCannotHideTheSynFromAFilter() {
        int[] seen = synFilter();
        sendSplitSegment(0x1858, TcpHeader.SYN, 8);

        assertEquals(1, ip(IpMib.ReasmOKs));
        assertEquals(1, seen[1], "the rule saw the reassembled SYN");
        assertEquals(1, drops(DropReason.NETFILTER_DROP));
        assertEquals(0, net.victim.tcp().mib().get(TcpMib.InSegs), "the SYN never reached TCP");
        assertEquals(0, net.sentIp(IpProtocol.TCP).size(), "no SYN-ACK");
        assertNothingQueued();
        net.assertServes();
    }

    /**
     * RFC 1858 section 3.2, the overlapping-fragment attack: a harmless first fragment (an ACK)
     * passes, and a later fragment at offset 8 rewrites the flags to SYN. A rewrite that lies
     * wholly inside the first fragment is a duplicate and is ignored (the first data stays); one
     * that also runs past it overlaps and discards the whole datagram (Linux since 4.19).
     */
    @Test
    void overlappingFragmentsCannotRewriteTheTcpFlags() {
        synFilter();
        // An ACK and a SYN, each with 4 bytes of data: 24 bytes of TCP.
        byte[] ack = AttackNet.tcp(ATTACKER, VICTIM, 40001, AttackNet.PORT, TcpHeader.ACK_FLAG, 1000, 1, new byte[4]);
        byte[] syn = AttackNet.tcp(ATTACKER, VICTIM, 40001, AttackNet.PORT, TcpHeader.SYN, 1000, 1, new byte[4]);
        byte[] synTail = Arrays.copyOfRange(syn, 8, 24);

        // Wholly inside: [0,16) then the rewrite [8,16) is a duplicate, then the end [16,24).
        net.inject(AttackNet.ipv4(ATTACKER, VICTIM, IpProtocol.TCP, 0x3201, true, 0, NO_OPTIONS, Arrays.copyOfRange(ack, 0, 16)));
        net.inject(AttackNet.ipv4(ATTACKER, VICTIM, IpProtocol.TCP, 0x3201, true, 8, NO_OPTIONS, Arrays.copyOfRange(synTail, 0, 8)));
        net.injectAndRun(AttackNet.ipv4(ATTACKER, VICTIM, IpProtocol.TCP, 0x3201, false, 16, NO_OPTIONS,
                Arrays.copyOfRange(ack, 16, 24)), 10);
        assertEquals(1, drops(DropReason.DUP_FRAG));
        assertEquals(1, ip(IpMib.ReasmOKs), "the datagram completed with the first data");

        // Running past the first fragment: [0,16) then the rewrite [8,24) overlaps and is fatal.
        net.inject(AttackNet.ipv4(ATTACKER, VICTIM, IpProtocol.TCP, 0x3202, true, 0, NO_OPTIONS, Arrays.copyOfRange(ack, 0, 16)));
        net.injectAndRun(AttackNet.ipv4(ATTACKER, VICTIM, IpProtocol.TCP, 0x3202, false, 8, NO_OPTIONS, synTail), 10);
        assertEquals(1, drops(DropReason.FRAG_OVERLAP));
        assertEquals(1, net.victim.ipv4().extMib().get(IpExtMib.ReasmOverlaps));
        assertEquals(1, ip(IpMib.ReasmFails));

        for (byte[] d : net.sentIp(IpProtocol.TCP)) {
            int th = Ipv4Header.headerLength(d, 0);
            assertTrue((TcpHeader.flags(d, th) & TcpHeader.SYN) == 0, "no SYN-ACK: the victim never saw a SYN");
        }
        assertNothingQueued();
        net.assertServes();
    }

    /**
     * FragmentSmack (CVE-2018-5391): a flood of fragments that never complete, each opening a
     * queue, then many tiny out-of-order fragments of one datagram. Fragment memory never passes
     * ipfrag_high_thresh (4 MiB): past it the oldest queues are evicted down to ipfrag_low_thresh
     * (3 MiB) and counted; a legitimate fragmented ping still gets through during the flood; and
     * after ipfrag_time (30 s) nothing is left.
     */
    @Test
    void fragmentFloodStaysUnderHighThreshAndEvicts() {
        Random rnd = new Random(5391);
        long highest = 0;
        long start = System.nanoTime();
        int flood = 20_000;
        for (int i = 0; i < flood; i++) {
            int src = AttackNet.ip("198.51.100.0") + rnd.nextInt(256);
            net.inject(AttackNet.ipv4(src, VICTIM, IpProtocol.UDP, rnd.nextInt(0x10000), true, 8 * (1 + rnd.nextInt(1000)),
                    NO_OPTIONS, bytes(8, i)));
            if (i % 64 == 63) {
                net.run(1);
                highest = Math.max(highest, defrag().memory());
            }
        }
        net.run(1);
        highest = Math.max(highest, defrag().memory());
        long floodNanos = System.nanoTime() - start;
        assertTrue(highest <= 4 * 1024 * 1024, "fragment memory peaked at " + highest);
        assertTrue(drops(DropReason.FRAG_MEMORY) > 0, "queues were evicted");
        assertEquals(drops(DropReason.FRAG_MEMORY), ip(IpMib.ReasmFails));
        assertTrue(defrag().memory() > 2 * 1024 * 1024, "the flood fills reassembly memory: " + defrag().memory());

        // One datagram shredded into 8-byte fragments sent in random order: the insert work stays bounded.
        int[] order = new int[4000];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        long shredStart = System.nanoTime();
        for (int k : order) {
            net.inject(udpFragment(0x5353, true, 8 * k, bytes(8, k)));
            if (k % 64 == 0) {
                net.run(1);
                highest = Math.max(highest, defrag().memory());
            }
        }
        net.run(1);
        long shredNanos = System.nanoTime() - shredStart;
        assertTrue(highest <= 4 * 1024 * 1024, "fragment memory peaked at " + highest);
        System.out.printf("FragmentSmack: %d flood fragments in %.0f ms, 4000 shredded in %.0f ms, peak %d bytes, %d queues evicted%n",
                flood, floodNanos / 1e6, shredNanos / 1e6, highest, drops(DropReason.FRAG_MEMORY));

        // A fragmented ping from the client gets through while the flood's queues are still there.
        Net3000 big = new Net3000();
        assertTrue(big.ping(), "a 3000-byte ping (three fragments each way) is answered during the flood");

        net.run(31_000);
        assertNothingQueued();
        assertTrue(ip(IpMib.ReasmTimeout) > 0);
        net.assertServes();
    }

    /** A ping with 3000 bytes of data: fragmented by the client, reassembled by the victim. */
    private final class Net3000 {
        boolean ping() {
            long oks = ip(IpMib.ReasmOKs);
            int[] replies = new int[1];
            net.client.icmp().openEcho(0x3000, new io.netstack4j.icmp.EchoListener() {
                @Override
                public void echoReply(int from, int sequence, int ttl, int icmpLength, byte[] data, int offset, int dataLength) {
                    if (dataLength == 3000) {
                        replies[0]++;
                    }
                }

                @Override
                public void error(int from, int type, int code, int info, int sequence) {
                }
            });
            net.client.icmp().sendEcho(VICTIM, 0, 0x3000, 1, new byte[3000], 3000, 0, 0, false, 0);
            net.runUntil(() -> replies[0] > 0, 1000);
            net.client.icmp().closeEcho(0x3000);
            return replies[0] == 1 && ip(IpMib.ReasmOKs) == oks + 1;
        }
    }

    /**
     * ipfrag_max_dist (64): a queue that waited while more than 64 other fragments came from the
     * same source is stale, its ID has likely wrapped, and mixing old and new fragments would
     * corrupt data; the queue starts again from the fragment that found it (FRAG_TOO_FAR). With
     * max_dist 0 the check is off and the same sequence reassembles.
     */
    @Test
    void fragmentsTooFarApartFromOneSourceRestartTheQueue() {
        for (int maxDist : new int[] {64, 0}) {
            net.victim.sysctls().set("net.ipv4.ipfrag_max_dist", Integer.toString(maxDist));
            int id = 0x6400 + maxDist;
            net.inject(udpFragment(id, true, 0, AttackNet.udp(ATTACKER, VICTIM, 5000, 9, bytes(24, 0))));
            for (int i = 0; i < 65; i++) {
                net.inject(udpFragment(0x7000 + i + maxDist * 100, true, 8, bytes(8, i)));
            }
            net.run(1);
            long oks = ip(IpMib.ReasmOKs);
            net.injectAndRun(udpFragment(id, false, 32, bytes(8, 99)), 10);
            if (maxDist == 64) {
                assertEquals(1, drops(DropReason.FRAG_TOO_FAR), "the first fragment was dropped with its stale queue");
                assertEquals(1, ip(IpMib.ReasmFails));
                assertEquals(oks, ip(IpMib.ReasmOKs));
            } else {
                assertEquals(oks + 1, ip(IpMib.ReasmOKs), "with the check off the datagram completes");
                assertEquals(1, drops(DropReason.FRAG_TOO_FAR));
            }
        }
        assertTrue(defrag().peerCount() >= 1);
        net.run(31_000);
        assertNothingQueued();
        net.assertServes();
    }

    /** A fragment queue that never completes lapses after ipfrag_time and tells the sender when its first fragment came. */
    @Test
    void incompleteDatagramTimesOutWithTimeExceeded() {
        net.victim.sysctls().set("net.ipv4.ipfrag_time", "5");
        byte[] echo = AttackNet.echoRequest(1, 1, 100);
        net.injectAndRun(AttackNet.ipv4(CLIENT, VICTIM, IpProtocol.ICMP, 0x4444, true, 0, NO_OPTIONS, Arrays.copyOf(echo, 64)), 4_000);
        assertEquals(1, defrag().queueCount());
        net.run(1_100);
        assertNothingQueued();
        assertEquals(1, ip(IpMib.ReasmTimeout));
        assertEquals(1, drops(DropReason.FRAG_REASM_TIMEOUT));
        assertEquals(1, net.sentIcmp(IcmpHeader.TIME_EXCEEDED), "RFC 792: time exceeded, code 1, about the first fragment");
        net.assertServes();
    }
}
