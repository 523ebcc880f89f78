package io.netstack4j.ipv4;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.netfilter.Continuation;
import io.netstack4j.netfilter.NfHook;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.TcpHeader;

/**
 * The IPv4 output path ({@code net/ipv4/ip_output.c}): building the header of a locally
 * generated datagram ({@code ip_build_and_send_pkt}), LOCAL_OUT, {@code ip_output},
 * POST_ROUTING, the MTU check, and the hand-off to neighbour resolution
 * ({@code ip_finish_output2}).
 */
public final class IpOutput {

    /** Buckets of IP ID counters ({@code ip_idents}), each shared by the flows hashing to it. */
    private static final int IDENT_BUCKETS = 2048;

    private final Ipv4 ipv4;
    private final int identKey;
    private final short[] idents = new short[IDENT_BUCKETS];
    /** When each counter was last used, in jiffies (milliseconds), for the idle-time jump. */
    private final int[] identStamps = new int[IDENT_BUCKETS];
    private final Continuation output = this::outputAfterLocalOut;
    private final Continuation finishOutput = this::finishOutput;
    private final Continuation finishOutput2 = this::finishOutput2;

    IpOutput(Ipv4 ipv4, int identKey) {
        this.ipv4 = ipv4;
        this.identKey = identKey;
        // ip_idents start random (get_random_bytes at boot), so the first ID toward a
        // destination says nothing about how many datagrams went elsewhere.
        for (int i = 0; i < IDENT_BUCKETS; i++) {
            idents[i] = (short) ipv4.loop().random().nextInt();
        }
    }

    /**
     * A fresh buffer for a datagram whose transport part is {@code payloadLen} bytes, with
     * headroom for the IP and link-layer headers. The caller owns it.
     */
    public PacketBuffer allocDatagram(int payloadLen) {
        return ipv4.loop().pool().alloc(payloadLen);
    }

    /**
     * Sends a transport payload as one IPv4 datagram ({@code ip_build_and_send_pkt}): pushes the
     * header in front of {@code skb.data()}, sets the ID, and enters LOCAL_OUT. Takes ownership.
     *
     * @param rt a route from {@link IpRoute#routeOutput}
     * @param saddr source address bits; 0 means the route's preferred source
     * @param df set the don't-fragment flag
     */
    public void send(PacketBuffer skb, Rtable rt, int saddr, int daddr, int protocol, int ttl, int tos, boolean df) {
        int payload = skb.len();
        if (payload + Ipv4Header.MIN_LEN > 0xffff) {
            skb.free();
            throw new NetException(Errno.EMSGSIZE, "datagram of " + (payload + Ipv4Header.MIN_LEN) + " bytes exceeds 65535");
        }
        if (saddr == 0) {
            saddr = rt.prefsrc();
        }
        skb.setTransportHeader(skb.data());
        int off = skb.push(Ipv4Header.MIN_LEN);
        skb.resetNetworkHeader();
        byte[] b = skb.array();
        Ipv4Header.setVersionIhl(b, off, Ipv4Header.MIN_LEN);
        Ipv4Header.setTos(b, off, tos);
        Ipv4Header.setTotalLength(b, off, skb.len());
        Ipv4Header.setIdent(b, off, selectIdent(saddr, daddr, protocol));
        Ipv4Header.setFlagsFragment(b, off, df, false, 0);
        Ipv4Header.setTtl(b, off, ttl);
        Ipv4Header.setProtocol(b, off, protocol);
        Ipv4Header.setSrc(b, off, saddr);
        Ipv4Header.setDst(b, off, daddr);
        Ipv4Header.fillChecksum(b, off);
        skb.protocol = EtherType.IPV4;
        skb.priority = IpForward.tosToPriority(tos);
        skb.dst = rt;
        localOut(skb);
    }

    /**
     * {@code ip_select_ident} / {@code ip_idents_reserve}: IDs come from one of 2048 counters
     * chosen by a keyed hash of (source, destination, protocol), so they are unique per flow
     * within the counter's cycle yet not predictable across flows (RFC 6864 section 4.1; the
     * hash key is random per namespace). The counters start random, and a counter idle for
     * {@code d} jiffies first jumps by a random amount below {@code d}: an off-path observer
     * cannot count another flow's datagrams from the IDs it sees (the fix for CVE-2019-10638 and
     * the "IP ID side channel" papers).
     */
    private int selectIdent(int saddr, int daddr, int protocol) {
        int h = (daddr ^ identKey) * 0x9E3779B1;
        h ^= Integer.rotateLeft(saddr * 0x85EBCA6B, 15) ^ protocol * 0xC2B2AE35;
        h ^= h >>> 15;
        int i = h & (IDENT_BUCKETS - 1);
        int now = (int) (ipv4.loop().now() / 1_000_000L);
        int delta = 0;
        int old = identStamps[i];
        if (old != now) {
            identStamps[i] = now;
            int idle = now - old;
            if (idle > 0) {
                delta = ipv4.loop().random().nextInt(idle);
            }
        }
        int id = (idents[i] + delta) & 0xffff;
        idents[i] = (short) (id + 1);
        return id;
    }

    /** {@code __ip_local_out} + LOCAL_OUT. Takes ownership. */
    public void localOut(PacketBuffer skb) {
        ipv4.mib().inc(IpMib.OutRequests);
        ipv4.netfilter().hook(NfHook.LOCAL_OUT, skb, null, skb.dst.dev(), output);
    }

    private void outputAfterLocalOut(PacketBuffer skb) {
        skb.dst.output(skb);
    }

    /** {@code ip_output}: counts the datagram and enters POST_ROUTING. Takes ownership. */
    void output(PacketBuffer skb) {
        ipv4.mib().inc(IpMib.OutTransmits);
        ipv4.extMib().add(IpExtMib.OutOctets, skb.len());
        skb.protocol = EtherType.IPV4;
        ipv4.netfilter().hook(NfHook.POST_ROUTING, skb, null, skb.dst.dev(), finishOutput);
    }

    /**
     * {@code ip_finish_output} and {@code ip_fragment}: a datagram larger than the path MTU is
     * fragmented, unless DF is set; then the source learns the MTU instead (frag-needed, RFC
     * 1191) and the datagram is dropped.
     */
    private void finishOutput(PacketBuffer skb) {
        int mtu = skb.dst.mtu();
        if (skb.len() <= mtu || gsoSegmentsFit(skb, mtu)) {
            finishOutput2(skb);
            return;
        }
        if (Ipv4Header.dontFragment(skb.array(), skb.networkHeader())) {
            ipv4.mib().inc(IpMib.FragFails);
            ipv4.icmp().send(skb, IcmpHeader.DEST_UNREACH, IcmpHeader.FRAG_NEEDED, mtu);
            ipv4.drops().count(DropReason.PKT_TOO_BIG);
            skb.free();
            return;
        }
        ipv4.fragmenter().fragment(skb, mtu, finishOutput2);
    }

    /**
     * {@code skb_gso_validate_network_len}: true for a GSO TCP packet (one received whole from
     * an offloading device, {@code gsoSize} set) whose segments, each the IP and TCP headers and
     * at most {@code gsoSize} bytes of payload, fit {@code mtu}. Such a packet goes on as it is,
     * longer than the MTU, as GRO packets do in Linux; the devices here pass it whole (veth,
     * loopback) or have the kernel segment it (TAP).
     */
    static boolean gsoSegmentsFit(PacketBuffer skb, int mtu) {
        if (skb.gsoSize <= 0) {
            return false;
        }
        byte[] b = skb.array();
        int nh = skb.networkHeader();
        int ihl = Ipv4Header.headerLength(b, nh);
        int th = nh + ihl;
        if (Ipv4Header.protocol(b, nh) != IpProtocol.TCP || th + TcpHeader.MIN_LEN > skb.tail()) {
            return false;
        }
        return ihl + TcpHeader.headerLength(b, th) + skb.gsoSize <= mtu;
    }

    /** {@code ip_finish_output2}: resolve the next hop's link-layer address and transmit. */
    private void finishOutput2(PacketBuffer skb) {
        Rtable rt = (Rtable) skb.dst;
        int daddr = Ipv4Header.dst(skb.array(), skb.networkHeader());
        if (rt.isBroadcast()) {
            ipv4.extMib().inc(IpExtMib.OutBcastPkts);
            ipv4.extMib().add(IpExtMib.OutBcastOctets, skb.len());
        }
        ipv4.neigh().output(skb, rt.dev(), rt.isBroadcast() ? 0xffffffff : rt.nextHop(daddr));
    }

    /** {@code dst_discard_out}. */
    void discard(PacketBuffer skb) {
        ipv4.mib().inc(IpMib.OutDiscards);
        ipv4.drops().count(DropReason.IP_OUTNOROUTES);
        skb.free();
    }
}
