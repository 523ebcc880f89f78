package io.netstack4j.ipv4;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.PktType;
import io.netstack4j.inet.InDevice;
import io.netstack4j.netfilter.Continuation;
import io.netstack4j.netfilter.NfHook;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.Ipv4Options;

/**
 * The IPv4 receive path ({@code net/ipv4/ip_input.c}): header checks, PRE_ROUTING, the routing
 * decision, and local delivery through LOCAL_IN to the transport protocol. Every rejected packet
 * is dropped with a {@link DropReason} and counted in the IP MIB, never thrown.
 */
public final class IpInput {

    private final Ipv4 ipv4;
    private final Ipv4Options options = new Ipv4Options();
    private final Continuation rcvFinish = this::rcvFinish;
    private final Continuation localDeliverFinish = this::localDeliverFinish;

    IpInput(Ipv4 ipv4) {
        this.ipv4 = ipv4;
    }

    /**
     * Entry point for every frame of ethertype IPv4 ({@code ip_rcv}, {@code ip_rcv_core}).
     * RFC 1122 3.2.1.1-3.2.1.3 and RFC 791: a datagram whose version is not 4, whose header
     * length or total length is inconsistent, or whose checksum fails is silently discarded.
     * Takes ownership.
     */
    public void rcv(PacketBuffer skb, NetDevice dev) {
        if (skb.pktType == PktType.OTHERHOST) {
            ipv4.drops().count(DropReason.OTHERHOST);
            skb.free();
            return;
        }
        ipv4.mib().inc(IpMib.InReceives);
        ipv4.extMib().add(IpExtMib.InOctets, skb.len());
        byte[] b = skb.array();
        int off = skb.data();
        int len = skb.len();
        if (len < Ipv4Header.MIN_LEN) {
            dropHdr(skb, DropReason.PKT_TOO_SMALL);
            return;
        }
        int ihl = Ipv4Header.ihl(b, off);
        if (Ipv4Header.version(b, off) != 4 || ihl < 5) {
            dropHdr(skb, DropReason.IP_INHDR);
            return;
        }
        int hlen = ihl * 4;
        if (len < hlen) {
            dropHdr(skb, DropReason.PKT_TOO_SMALL);
            return;
        }
        if (ipv4.verifyRxChecksums() && !Ipv4Header.verifyChecksum(b, off)) {
            ipv4.extMib().inc(IpExtMib.InCsumErrors);
            dropHdr(skb, DropReason.IP_CSUM);
            return;
        }
        int total = Ipv4Header.totalLength(b, off);
        if (total > len) {
            ipv4.extMib().inc(IpExtMib.InTruncatedPkts);
            ipv4.mib().inc(IpMib.InDiscards);
            ipv4.drops().count(DropReason.PKT_TOO_SMALL);
            skb.free();
            return;
        }
        if (total < hlen) {
            dropHdr(skb, DropReason.IP_INHDR);
            return;
        }
        switch (skb.pktType) {
            case BROADCAST -> ipv4.extMib().inc(IpExtMib.InBcastPkts);
            case MULTICAST -> ipv4.extMib().inc(IpExtMib.InMcastPkts);
            default -> {
            }
        }
        // Ethernet pads short frames to 60 bytes: the IP total length, not the frame, is the datagram.
        skb.trim(total);
        skb.resetNetworkHeader();
        skb.setTransportHeader(off + hlen);
        ipv4.netfilter().hook(NfHook.PRE_ROUTING, skb, dev, null, rcvFinish);
    }

    private void dropHdr(PacketBuffer skb, DropReason reason) {
        ipv4.mib().inc(IpMib.InHdrErrors);
        ipv4.drops().count(reason);
        skb.free();
    }

    /**
     * After PRE_ROUTING ({@code ip_rcv_finish}): options are checked ({@code ip_rcv_options}),
     * the input route is found and the packet continues through {@code dst_input}.
     */
    void rcvFinish(PacketBuffer skb) {
        byte[] b = skb.array();
        int nh = skb.networkHeader();
        NetDevice dev = skb.dev;
        if (skb.dst == null || skb.dst.obsolete()) {
            Rtable rt = ipv4.route().routeInput(skb, Ipv4Header.dst(b, nh), Ipv4Header.src(b, nh), Ipv4Header.tos(b, nh), dev);
            if (rt == null) {
                skb.free();
                return;
            }
            skb.dst = rt;
        }
        if (Ipv4Header.ihl(b, nh) > 5 && !rcvOptions(skb, dev)) {
            return;
        }
        Rtable rt = (Rtable) skb.dst;
        if (rt.isBroadcast()) {
            ipv4.extMib().add(IpExtMib.InBcastOctets, skb.len());
        }
        rt.input(skb);
    }

    /**
     * {@code ip_rcv_options}: malformed options earn an ICMP parameter problem pointing at the
     * bad byte (RFC 1122 3.2.2.5); source-routed packets are dropped unless
     * {@code accept_source_route} allows them (RFC 1122 3.3.5 lets a host refuse them; Linux does
     * by default). Returns false when the packet was consumed.
     */
    private boolean rcvOptions(PacketBuffer skb, NetDevice dev) {
        int bad = options.compile(skb.array(), skb.networkHeader());
        if (bad >= 0) {
            ipv4.icmp().send(skb, IcmpHeader.PARAMETER_PROBLEM, 0, bad);
            dropHdr(skb, DropReason.IP_INHDR);
            return false;
        }
        if (options.srr != 0) {
            InDevice in = InDevice.of(dev);
            boolean allowed = in != null && in.conf().acceptSourceRoute != 0 && ipv4.inet().all().acceptSourceRoute != 0;
            if (!allowed) {
                ipv4.drops().count(DropReason.IP_INSRCROUTE);
                ipv4.mib().inc(IpMib.InDiscards);
                skb.free();
                return false;
            }
        }
        return true;
    }

    /**
     * {@code ip_local_deliver}: the packet is for this host. A fragment waits in the reassembly
     * queues ({@link IpDefrag}) until its datagram is whole; only whole datagrams pass LOCAL_IN.
     */
    void localDeliver(PacketBuffer skb) {
        if (Ipv4Header.isFragment(skb.array(), skb.networkHeader())) {
            skb = ipv4.defrag().defrag(skb);
            if (skb == null) {
                return;
            }
        }
        ipv4.netfilter().hook(NfHook.LOCAL_IN, skb, skb.dev, null, localDeliverFinish);
    }

    /**
     * After LOCAL_IN ({@code ip_local_deliver_finish}, {@code ip_protocol_deliver_rcu}): strips
     * the IP header and hands the packet to its transport protocol, or answers protocol
     * unreachable (RFC 1122 3.2.2.1) when there is none.
     */
    private void localDeliverFinish(PacketBuffer skb) {
        byte[] b = skb.array();
        int nh = skb.networkHeader();
        int protocol = Ipv4Header.protocol(b, nh);
        skb.pull(skb.transportHeader() - skb.data());
        L4Protocol handler = ipv4.protocolHandler(protocol);
        if (handler == null) {
            Rtable rt = (Rtable) skb.dst;
            if (!rt.isBroadcast()) {
                ipv4.icmp().send(skb, IcmpHeader.DEST_UNREACH, IcmpHeader.PROT_UNREACH, 0);
            }
            ipv4.mib().inc(IpMib.InUnknownProtos);
            ipv4.drops().count(DropReason.IP_NOPROTO);
            skb.free();
            return;
        }
        ipv4.mib().inc(IpMib.InDelivers);
        handler.rcv(skb);
    }

    /**
     * {@code ip_error}: the input route is an error. A host (forwarding off) counts and drops;
     * a router answers net or host unreachable, or administratively prohibited, rate-limited
     * by the ICMP layer.
     */
    void ipError(PacketBuffer skb) {
        Rtable rt = (Rtable) skb.dst;
        InDevice in = skb.dev == null ? null : InDevice.of(skb.dev);
        boolean forwarding = in != null && in.conf().forwarding != 0;
        DropReason reason = DropReason.IP_INNOROUTES;
        if (!forwarding) {
            switch (rt.error()) {
                case EHOSTUNREACH -> {
                    ipv4.mib().inc(IpMib.InAddrErrors);
                    reason = DropReason.IP_INADDRERRORS;
                }
                case ENETUNREACH -> ipv4.extMib().inc(IpExtMib.InNoRoutes);
                default -> {
                }
            }
        } else {
            int code = -1;
            switch (rt.error()) {
                case EHOSTUNREACH -> {
                    code = IcmpHeader.HOST_UNREACH;
                    ipv4.mib().inc(IpMib.InAddrErrors);
                }
                case ENETUNREACH -> {
                    code = IcmpHeader.NET_UNREACH;
                    ipv4.extMib().inc(IpExtMib.InNoRoutes);
                }
                case EACCES -> {
                    code = IcmpHeader.PKT_FILTERED;
                    reason = DropReason.IP_ROUTE_REJECT;
                }
                default -> reason = DropReason.IP_ROUTE_REJECT;
            }
            if (code >= 0) {
                ipv4.icmp().send(skb, IcmpHeader.DEST_UNREACH, code, 0);
            }
        }
        ipv4.drops().count(reason);
        skb.free();
    }

    /** {@code dst_discard}: a blackhole route, or an input route used for output. */
    void discard(PacketBuffer skb) {
        ipv4.drops().count(DropReason.IP_ROUTE_REJECT);
        skb.free();
    }
}
