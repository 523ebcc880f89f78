package io.netstack4j.ipv4;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.PktType;
import io.netstack4j.netfilter.Continuation;
import io.netstack4j.netfilter.NfHook;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.Ipv4Header;

/**
 * Forwarding ({@code net/ipv4/ip_forward.c}), for a namespace acting as a router
 * ({@code ip_forward=1}): RFC 1812 5.2.1 and 5.3.1 — the TTL is checked and decremented with an
 * incremental checksum update, too-big datagrams with DF earn frag-needed (RFC 1191), and the
 * packet passes the FORWARD hook on its way to {@code ip_output}.
 */
public final class IpForward {

    private final Ipv4 ipv4;
    private final Continuation forwardFinish = this::forwardFinish;

    IpForward(Ipv4 ipv4) {
        this.ipv4 = ipv4;
    }

    /** {@code ip_forward}. Takes ownership. */
    void forward(PacketBuffer skb) {
        if (skb.pktType != PktType.HOST) {
            drop(skb, DropReason.OTHERHOST);
            return;
        }
        Rtable rt = (Rtable) skb.dst;
        byte[] b = skb.array();
        int nh = skb.networkHeader();
        // RFC 1812 5.3.1: a router MUST NOT forward a datagram whose TTL would reach zero; it
        // sends time exceeded instead.
        if (Ipv4Header.ttl(b, nh) <= 1) {
            ipv4.icmp().send(skb, IcmpHeader.TIME_EXCEEDED, IcmpHeader.EXC_TTL, 0);
            ipv4.mib().inc(IpMib.InHdrErrors);
            drop(skb, DropReason.IP_TTL_EXPIRED);
            return;
        }
        int mtu = rt.mtu();
        // ip_exceeds_mtu: a GSO packet counts by the size of its segments.
        if (skb.len() > mtu && !IpOutput.gsoSegmentsFit(skb, mtu) && Ipv4Header.dontFragment(b, nh)) {
            // RFC 1191 section 4: report the MTU of the next-hop network.
            ipv4.mib().inc(IpMib.FragFails);
            ipv4.icmp().send(skb, IcmpHeader.DEST_UNREACH, IcmpHeader.FRAG_NEEDED, mtu);
            drop(skb, DropReason.PKT_TOO_BIG);
            return;
        }
        skb.makeWritable();
        b = skb.array();
        Ipv4Header.decrementTtl(b, nh);
        if ((rt.flags() & Rtable.RTCF_DOREDIRECT) != 0) {
            // RFC 1812 5.2.7.2: the sender could reach the next hop directly; tell it (rate-limited).
            ipv4.icmp().send(skb, IcmpHeader.REDIRECT, 1, rt.nextHop(Ipv4Header.dst(b, nh)));
        }
        skb.priority = tosToPriority(Ipv4Header.tos(b, nh));
        ipv4.netfilter().hook(NfHook.FORWARD, skb, skb.dev, rt.dev(), forwardFinish);
    }

    /** After FORWARD ({@code ip_forward_finish}). */
    private void forwardFinish(PacketBuffer skb) {
        ipv4.mib().inc(IpMib.ForwDatagrams);
        skb.dst.output(skb);
    }

    private void drop(PacketBuffer skb, DropReason reason) {
        ipv4.drops().count(reason);
        skb.free();
    }

    /** {@code rt_tos2priority}: the TOS bits choose a pfifo_fast band as Linux's {@code ip_tos2prio}. */
    static int tosToPriority(int tos) {
        return TOS2PRIO[(tos >> 1) & 15];
    }

    private static final int[] TOS2PRIO = {0, 1, 0, 0, 2, 2, 2, 2, 6, 6, 6, 6, 4, 4, 4, 4};
}
