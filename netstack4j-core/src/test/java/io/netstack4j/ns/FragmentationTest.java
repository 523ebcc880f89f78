package io.netstack4j.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.icmp.IcmpMib;
import io.netstack4j.ipv4.IpExtMib;
import io.netstack4j.ipv4.IpMib;
import io.netstack4j.ipv4.Rtable;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.Ipv4Header;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * IPv4 fragmentation on output and at routers, reassembly with Linux's rules for duplicates,
 * overlaps, timeouts and memory, and path MTU learning from frag-needed messages.
 *
 * <pre>
 *   h1 10.1.0.2 --- 10.1.0.1 r1 10.2.0.1 --- 10.2.0.2 r2 10.3.0.1 --- 10.3.0.2 h3
 * </pre>
 */
class FragmentationTest {

    private static final int H1 = Ipv4Address.parse("10.1.0.2").bits();
    private static final int R1 = Ipv4Address.parse("10.1.0.1").bits();

    private Net net;
    private Namespace r1;
    private NetDevice veth1;

    @BeforeEach
    void twoRouters() {
        net = Net.twoRouters();
        r1 = net.ns("r1");
        veth1 = r1.requireDevice("veth1");
    }

    private long mib(String ns, IpMib m) {
        return net.ns(ns).ipv4().mib().get(m);
    }

    @Test
    void eightThousandByteEchoCrossesTwoRouters() {
        Net.PingLog log = net.ping("h1", "10.3.0.2", 3, 8000, 0, false);
        assertEquals(List.of(1, 2, 3), log.replies);
        // 8008 bytes of ICMP in 1480-byte pieces: six fragments per datagram, each way.
        assertEquals(3, mib("h1", IpMib.FragOKs));
        assertEquals(18, mib("h1", IpMib.FragCreates));
        assertEquals(18, mib("h3", IpMib.ReasmReqds));
        assertEquals(3, mib("h3", IpMib.ReasmOKs));
        assertEquals(3, mib("h1", IpMib.ReasmOKs), "the replies were fragmented too");
        assertEquals(0, mib("r1", IpMib.ReasmReqds), "routers forward fragments without reassembling");
        assertEquals(36, mib("r1", IpMib.ForwDatagrams));
        net.runMillis(1000);
        assertEquals(0, net.stack.loop().pool().live(), "every fragment and reassembled buffer went back to the pool");
    }

    @Test
    void routerRefragmentsForASmallerSecondHop() {
        net.ns("r1").requireDevice("veth2").setMtu(576);
        net.ns("r2").requireDevice("veth3").setMtu(576);
        Net.PingLog log = net.ping("h1", "10.3.0.2", 2, 8000, 0, false);
        assertEquals(List.of(1, 2), log.replies);
        assertEquals(12, mib("r1", IpMib.FragOKs), "each of the 6 fragments per request was split again");
        assertTrue(mib("r1", IpMib.FragCreates) > 12 * 2);
        assertEquals(2, mib("h3", IpMib.ReasmOKs));
        assertEquals(0, mib("r1", IpMib.FragFails));
    }

    @Test
    void fragmentsShareTheIdAndCarryOffsetsAndMoreFragments() {
        List<int[]> seen = new ArrayList<>();
        Namespace h1 = net.ns("h1");
        h1.devices().addTap((dev, outgoing, frame, offset, length) -> {
            byte[] b = frame.array();
            int ip = offset + EthernetHeader.HEADER_LEN;
            if (outgoing && EthernetHeader.etherType(b, offset) == EtherType.IPV4) {
                assertTrue(Ipv4Header.verifyChecksum(b, ip));
                seen.add(new int[] {Ipv4Header.ident(b, ip), Ipv4Header.fragmentOffset(b, ip),
                    Ipv4Header.moreFragments(b, ip) ? 1 : 0, Ipv4Header.totalLength(b, ip),
                    Ipv4Header.dontFragment(b, ip) ? 1 : 0});
            }
        });
        net.ping("h1", "10.1.0.1", 1, 3000, 0, false);
        assertEquals(3, seen.size(), "3008 bytes of ICMP: 1480 + 1480 + 48");
        int id = seen.get(0)[0];
        int[][] expected = {{id, 0, 1, 1500, 0}, {id, 1480, 1, 1500, 0}, {id, 2960, 0, 68, 0}};
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(expected[i][0], expected[i][1], expected[i][2], expected[i][3], expected[i][4]),
                    List.of(seen.get(i)[0], seen.get(i)[1], seen.get(i)[2], seen.get(i)[3], seen.get(i)[4]));
        }
    }

    @Test
    void onlyCopiedOptionsFollowTheFirstFragment() {
        net.ns("r1").requireDevice("veth2").setMtu(600);
        List<byte[]> headers = new ArrayList<>();
        r1.devices().addTap((dev, outgoing, frame, offset, length) -> {
            if (outgoing && dev.name().equals("veth2") && EthernetHeader.etherType(frame.array(), offset) == EtherType.IPV4) {
                int ip = offset + EthernetHeader.HEADER_LEN;
                headers.add(java.util.Arrays.copyOfRange(frame.array(), ip, ip + Ipv4Header.headerLength(frame.array(), ip)));
            }
        });
        // A 1000-byte datagram to h3 with two options: stream ID (type 136, copied) and a
        // no-operation-padded record route (type 7, not copied).
        byte[] options = {(byte) 136, 4, 0x12, 0x34, 7, 7, 4, 0, 0, 0, 0, 1};
        injectWithOptions(Ipv4Address.parse("10.3.0.2").bits(), options, 1000);
        assertEquals(2, headers.size());
        byte[] first = headers.get(0);
        byte[] second = headers.get(1);
        assertEquals(32, first.length);
        assertEquals(32, second.length, "the header length stays the same");
        assertEquals(136, first[20] & 0xff);
        assertEquals(136, second[20] & 0xff, "stream ID is copied into every fragment");
        assertEquals(7, first[24] & 0xff, "record route stays in the first fragment");
        for (int i = 24; i < 31; i++) {
            assertEquals(1, second[i] & 0xff, "record route became NOPs in later fragments");
        }
    }

    @Test
    void outOfOrderAndDuplicateFragmentsReassemble() {
        byte[] icmp = echo(3000);
        fragment(77, icmp, 2960, 3008, false);
        fragment(77, icmp, 1480, 2960, true);
        fragment(77, icmp, 1480, 2960, true);
        fragment(77, icmp, 0, 1480, true);
        assertEquals(1, r1.icmp().mib().get(IcmpMib.InEchos));
        assertEquals(1, r1.icmp().mib().get(IcmpMib.OutEchoReps));
        assertEquals(4, mib("r1", IpMib.ReasmReqds));
        assertEquals(1, mib("r1", IpMib.ReasmOKs));
        assertEquals(1, r1.drops().get(DropReason.DUP_FRAG));
        assertEquals(0, mib("r1", IpMib.ReasmFails));
        assertEquals(0, r1.ipv4().defrag().queueCount());
        assertEquals(0, r1.ipv4().defrag().memory());
    }

    @Test
    void aFragmentWithinContiguousDataIsADuplicate() {
        byte[] icmp = echo(3000);
        fragment(78, icmp, 0, 1480, true);
        fragment(78, icmp, 1480, 2960, true);
        fragment(78, icmp, 1000, 2000, true);
        fragment(78, icmp, 2960, 3008, false);
        assertEquals(1, mib("r1", IpMib.ReasmOKs));
        assertEquals(1, r1.drops().get(DropReason.DUP_FRAG));
    }

    @Test
    void overlapDiscardsTheWholeDatagram() {
        byte[] icmp = echo(3000);
        fragment(79, icmp, 0, 1480, true);
        fragment(79, icmp, 1400, 2960, true); // teardrop-style: reaches back into the first
        fragment(79, icmp, 2960, 3008, false);
        assertEquals(0, r1.icmp().mib().get(IcmpMib.InEchos));
        assertEquals(1, mib("r1", IpMib.ReasmFails));
        assertEquals(1, r1.ipv4().extMib().get(IpExtMib.ReasmOverlaps));
        assertEquals(1, r1.drops().get(DropReason.FRAG_OVERLAP));
        assertEquals(1, r1.ipv4().defrag().queueCount(), "the last fragment started a new queue");
        net.runMillis(31_000);
        assertEquals(0, r1.ipv4().defrag().queueCount());
        assertEquals(0, r1.ipv4().defrag().memory());
    }

    @Test
    void timeoutSendsTimeExceededOnlyWhenTheFirstFragmentArrived() {
        byte[] icmp = echo(3000);
        fragment(80, icmp, 0, 1480, true);
        fragment(81, icmp, 1480, 2960, true);
        net.runMillis(29_000);
        assertEquals(0, mib("r1", IpMib.ReasmTimeout));
        net.runMillis(2_000);
        assertEquals(2, mib("r1", IpMib.ReasmTimeout));
        assertEquals(2, mib("r1", IpMib.ReasmFails));
        assertEquals(1, r1.icmp().mib().get(IcmpMib.OutTimeExcds), "only for the queue that had its first fragment");
        assertEquals(1, net.ns("h1").icmp().mib().get(IcmpMib.InTimeExcds));
        assertEquals(0, r1.ipv4().defrag().memory());
        assertEquals(0, net.stack.loop().pool().live());
    }

    @Test
    void ipfragTimeSysctlSetsTheTimeout() {
        r1.sysctls().set("net.ipv4.ipfrag_time", "5");
        fragment(82, echo(3000), 0, 1480, true);
        net.runMillis(5_100);
        assertEquals(1, mib("r1", IpMib.ReasmTimeout));
    }

    @Test
    void pingOfDeathIsDropped() {
        byte[] icmp = echo(3000);
        fragment(83, icmp, 0, 1480, true);
        // A last fragment at offset 65528 carrying 100 bytes would make a 65648-byte datagram.
        fragmentAt(83, new byte[100], 65528, false);
        assertEquals(1, mib("r1", IpMib.ReasmFails));
        assertEquals(1, r1.drops().get(DropReason.FRAG_TOO_BIG));
        assertEquals(0, r1.ipv4().defrag().queueCount());
        assertEquals(0, r1.icmp().mib().get(IcmpMib.InEchos));
    }

    @Test
    void zeroLengthAndContradictoryFragmentsAreDropped() {
        byte[] icmp = echo(3000);
        fragmentAt(84, new byte[0], 1480, true);
        assertEquals(1, r1.drops().get(DropReason.IP_FRAGMENT));
        fragment(85, icmp, 2960, 3008, false);
        fragment(85, icmp, 1480, 2960, false); // a second "last" fragment with a different end
        assertEquals(2, r1.drops().get(DropReason.IP_FRAGMENT));
        assertEquals(2, mib("r1", IpMib.ReasmFails));
        assertEquals(0, r1.ipv4().defrag().queueCount());
    }

    @Test
    void aFloodOfDistinctIdsStaysWithinTheMemoryBound() {
        long high = Long.parseLong(r1.sysctls().get("net.ipv4.ipfrag_high_thresh"));
        byte[] piece = new byte[1000];
        long peak = 0;
        for (int id = 0; id < 100_000; id++) {
            fragmentAtNoRun(id & 0xffff, id >>> 16, piece, 0, true);
            if ((id & 255) == 255) {
                net.stack.loop().drain();
                peak = Math.max(peak, r1.ipv4().defrag().memory());
            }
        }
        net.stack.loop().drain();
        assertTrue(peak <= high, "fragment memory " + peak + " stayed under ipfrag_high_thresh " + high);
        assertTrue(r1.ipv4().defrag().queueCount() < 2_000, "queues: " + r1.ipv4().defrag().queueCount());
        assertEquals(100_000, mib("r1", IpMib.ReasmReqds));
        assertEquals(100_000 - r1.ipv4().defrag().queueCount(), mib("r1", IpMib.ReasmFails), "every evicted queue counted");
        assertTrue(r1.drops().get(DropReason.FRAG_MEMORY) > 90_000);
        assertTrue(net.stack.loop().pool().live() < 2_000, "buffers held: " + net.stack.loop().pool().live());
        // The host still answers.
        assertEquals(List.of(1), net.ping("h1", "10.1.0.1", 1, 56, 0, false).replies);
    }

    @Test
    void fragNeededLowersThePathMtuUntilItExpires() {
        net.ns("r1").requireDevice("veth2").setMtu(1400);
        net.ns("r2").requireDevice("veth3").setMtu(1400);
        Namespace h1 = net.ns("h1");
        int h3 = Ipv4Address.parse("10.3.0.2").bits();
        Net.PingLog log = net.ping("h1", "10.3.0.2", 1, 1472, 0, true);
        assertEquals(List.of("10.1.0.1 type=3 code=4 info=1400 seq=1"), log.errors);
        Rtable rt = h1.ipv4().route().routeOutput(h3, 0, 0, 0, 0);
        assertEquals(1400, rt.mtu());
        assertEquals(1400, rt.pmtu());
        assertEquals(1500, h1.ipv4().route().routeOutput(Ipv4Address.parse("10.2.0.2").bits(), 0, 0, 0, 0).mtu(),
                "only that destination");

        // Now h1 fragments to 1400 itself and r1 has nothing to split.
        assertEquals(List.of(1), net.ping("h1", "10.3.0.2", 1, 3000, 0, false).replies);
        assertEquals(0, mib("r1", IpMib.FragCreates));

        net.runMillis(601_000);
        Rtable later = h1.ipv4().route().routeOutput(h3, 0, 0, 0, 0);
        assertEquals(1500, later.mtu(), "mtu_expires (600 s) has passed");
        assertEquals(0, later.pmtu());
    }

    @Test
    void implausiblySmallMtuIsRaisedToMinPmtu() {
        Namespace h1 = net.ns("h1");
        int h3 = Ipv4Address.parse("10.3.0.2").bits();
        h1.ipv4().route().updatePmtu(h3, 0, 68);
        assertEquals(552, h1.ipv4().route().routeOutput(h3, 0, 0, 0, 0).mtu());
        h1.ipv4().route().updatePmtu(h3, 0, 9000);
        assertEquals(552, h1.ipv4().route().routeOutput(h3, 0, 0, 0, 0).mtu(), "a larger value is not learned");
        assertFalse(h1.ipv4().route().pmtuExceptionCount() == 0);
    }

    // Fragment builders: an ICMP echo from h1 to r1, sliced by hand and received on r1's veth1.

    private static byte[] echo(int dataLen) {
        byte[] icmp = new byte[IcmpHeader.HEADER_LEN + dataLen];
        IcmpHeader.setType(icmp, 0, IcmpHeader.ECHO);
        IcmpHeader.setIdent(icmp, 0, 9);
        IcmpHeader.setSequence(icmp, 0, 1);
        for (int i = IcmpHeader.HEADER_LEN; i < icmp.length; i++) {
            icmp[i] = (byte) i;
        }
        IcmpHeader.fillChecksum(icmp, 0, icmp.length);
        return icmp;
    }

    private void fragment(int id, byte[] payload, int start, int end, boolean more) {
        fragmentAt(id, java.util.Arrays.copyOfRange(payload, start, end), start, more);
    }

    private void fragmentAt(int id, byte[] data, int offset, boolean more) {
        fragmentAtNoRun(id, 0, data, offset, more);
        net.runMillis(1);
    }

    private void fragmentAtNoRun(int id, int srcVariant, byte[] data, int offset, boolean more) {
        PacketBuffer skb = r1.loop().pool().alloc(EthernetHeader.HEADER_LEN + 20 + data.length);
        int off = skb.put(EthernetHeader.HEADER_LEN + 20 + data.length);
        byte[] b = skb.array();
        EthernetHeader.setDst(b, off, veth1.mac());
        EthernetHeader.setSrc(b, off, 0x02_00_00_00_00_01L);
        EthernetHeader.setEtherType(b, off, EtherType.IPV4);
        int ip = off + EthernetHeader.HEADER_LEN;
        Ipv4Header.setVersionIhl(b, ip, 20);
        Ipv4Header.setTos(b, ip, 0);
        Ipv4Header.setTotalLength(b, ip, 20 + data.length);
        Ipv4Header.setIdent(b, ip, id);
        Ipv4Header.setFlagsFragment(b, ip, false, more, offset);
        Ipv4Header.setTtl(b, ip, 64);
        Ipv4Header.setProtocol(b, ip, IpProtocol.ICMP);
        Ipv4Header.setSrc(b, ip, H1 + (srcVariant << 8));
        Ipv4Header.setDst(b, ip, R1);
        Ipv4Header.fillChecksum(b, ip);
        System.arraycopy(data, 0, b, ip + 20, data.length);
        veth1.netifRx(skb);
    }

    private void injectWithOptions(int dst, byte[] options, int payloadLen) {
        int hlen = 20 + options.length;
        PacketBuffer skb = r1.loop().pool().alloc(EthernetHeader.HEADER_LEN + hlen + payloadLen);
        int off = skb.put(EthernetHeader.HEADER_LEN + hlen + payloadLen);
        byte[] b = skb.array();
        java.util.Arrays.fill(b, off, skb.tail(), (byte) 0);
        EthernetHeader.setDst(b, off, veth1.mac());
        EthernetHeader.setSrc(b, off, 0x02_00_00_00_00_01L);
        EthernetHeader.setEtherType(b, off, EtherType.IPV4);
        int ip = off + EthernetHeader.HEADER_LEN;
        Ipv4Header.setVersionIhl(b, ip, hlen);
        Ipv4Header.setTotalLength(b, ip, hlen + payloadLen);
        Ipv4Header.setIdent(b, ip, 4321);
        Ipv4Header.setTtl(b, ip, 64);
        Ipv4Header.setProtocol(b, ip, 253);
        Ipv4Header.setSrc(b, ip, H1);
        Ipv4Header.setDst(b, ip, dst);
        System.arraycopy(options, 0, b, ip + 20, options.length);
        Ipv4Header.fillChecksum(b, ip);
        veth1.netifRx(skb);
        net.runMillis(10);
    }
}
