package io.netstack4j.core;

/**
 * Why a packet was dropped, as the kernel's {@code enum skb_drop_reason}. Every drop in the stack
 * names one, is counted per namespace in {@link DropCounters}, and bumps a MIB counter where the
 * kernel has one.
 */
public enum DropReason {
    NOT_SPECIFIED,
    /** Too short for the header it claims to carry. */
    PKT_TOO_SMALL,
    /** Link-layer frame not for this host (promiscuous receive). */
    OTHERHOST,
    /** No handler registered for the ethertype. */
    UNHANDLED_PROTO,
    /** The device backlog (netdev_max_backlog) was full. */
    CPU_BACKLOG,
    /** The device is down or being removed. */
    DEV_READY,
    /** A device ring was full: a TAP's receive ring, or the kernel refusing a write ({@code SKB_DROP_REASON_FULL_RING}). */
    FULL_RING,
    /**
     * A device's per-packet metadata was invalid: a TAP's {@code virtio_net_hdr} that is malformed
     * or asks for an offload the device did not enable ({@code SKB_DROP_REASON_DEV_HDR}).
     */
    DEV_HDR,
    /** The transmit queue (qdisc) was full. */
    QDISC_DROP,
    /** Dropped by a traffic-control action (netem loss). */
    TC_DROP,
    /** A malformed or unsupported ARP packet. */
    ARP_INVALID,
    /** Neighbour resolution failed. */
    NEIGH_FAILED,
    /** The queue of packets awaiting resolution was full. */
    NEIGH_QUEUEFULL,
    /** The neighbour entry was removed while packets waited on it. */
    NEIGH_DEAD,
    /** Bad IPv4 header: version, IHL, lengths or options. */
    IP_INHDR,
    /** Bad IPv4 header checksum. */
    IP_CSUM,
    /** Source or destination address not acceptable (martian). */
    IP_INADDRERRORS,
    /** A martian source address. */
    IP_INVALID_SOURCE,
    /** Reverse-path filter rejected the source. */
    IP_RPFILTER,
    /** No route to forward or deliver the packet. */
    IP_INNOROUTES,
    /** No route for a locally generated packet. */
    IP_OUTNOROUTES,
    /** Source-routed packet refused (accept_source_route=0). */
    IP_INSRCROUTE,
    /** No transport protocol handler for the IP protocol number. */
    IP_NOPROTO,
    /** Forwarding is disabled on this namespace or device. */
    IP_FORWARDING_DISABLED,
    /** TTL reached zero while forwarding. */
    IP_TTL_EXPIRED,
    /** Packet larger than the path MTU with DF set (or fragmentation not possible). */
    PKT_TOO_BIG,
    /** A fragment that cannot be reassembled: zero length, or inconsistent with the datagram's end. */
    IP_FRAGMENT,
    /** A fragment overlapping data already queued, which discards the whole datagram (RFC 5722 as Linux applies it to IPv4). */
    FRAG_OVERLAP,
    /** A fragment whose data lies entirely within data already queued ({@code SKB_DROP_REASON_DUP_FRAG}). */
    DUP_FRAG,
    /** Reassembly would exceed 65535 bytes (ping of death). */
    FRAG_TOO_BIG,
    /** A reassembly queue timed out ({@code SKB_DROP_REASON_FRAG_REASM_TIMEOUT}). */
    FRAG_REASM_TIMEOUT,
    /**
     * A queued fragment discarded because more than {@code ipfrag_max_dist} fragments from its
     * source arrived since its queue last grew ({@code SKB_DROP_REASON_FRAG_TOO_FAR}).
     */
    FRAG_TOO_FAR,
    /** A reassembly queue evicted because fragment memory passed {@code ipfrag_high_thresh}. */
    FRAG_MEMORY,
    /** A route of type blackhole, unreachable or prohibit. */
    IP_ROUTE_REJECT,
    /** Dropped by a netfilter hook. */
    NETFILTER_DROP,
    /** Bad ICMP checksum. */
    ICMP_CSUM,
    /** ICMP message malformed or of a kind we ignore. */
    ICMP_INVALID,
    /**
     * An ICMP redirect that failed {@code __ip_do_redirect}'s checks (not from the current
     * gateway, redirects not accepted, a bad new gateway). The kernel has no drop reason for it,
     * only a martian log line; the message itself is consumed either way.
     */
    ICMP_REDIRECT_IGNORED,
    /** No socket wanted the packet. */
    NO_SOCKET,
    /** A socket receive queue was full. */
    SOCKET_RCVBUFF,
    /** The protocol's namespace-wide memory was past its hard limit ({@code tcp_mem}). */
    PROTO_MEM,
    /** Bad UDP checksum. */
    UDP_CSUM,
    /** Bad TCP checksum. */
    TCP_CSUM,
    /** TCP header shorter than 20 bytes or with a data offset past the segment. */
    TCP_HDR,
    /** A TCP segment with flags no state accepts (no ACK, SYN with RST, ...). */
    TCP_FLAGS,
    /** A TCP segment entirely outside the receive window. */
    TCP_INVALID_SEQUENCE,
    /** Data beyond the right edge of the receive window. */
    TCP_OVERWINDOW,
    /** Data already received (a retransmission the receiver had). */
    TCP_OLD_DATA,
    /** Data arriving while the receive window is closed. */
    TCP_ZEROWINDOW,
    /** A segment rejected by PAWS (RFC 7323 5): its timestamp is older than one already seen. */
    TCP_RFC7323_PAWS,
    /** An ACK for data never sent. */
    TCP_ACK_UNSENT_DATA,
    /** An ACK older than the send window allows. */
    TCP_TOO_OLD_ACK,
    /** A segment that reset the connection. */
    TCP_RESET,
    /** A SYN where none is allowed (RFC 5961 4). */
    TCP_INVALID_SYN,
    /** A segment for a socket that is closing and takes no more data. */
    TCP_CLOSE,
    /** Out-of-order data dropped to keep within the receive buffer ({@code tcp_prune_ofo_queue}). */
    TCP_OFO_DROP,
    /** A SYN dropped because the listener's accept queue was full. */
    TCP_LISTEN_OVERFLOW,
    /** A SYN dropped because the SYN queue was full and SYN cookies are off. */
    TCP_REQQFULLDROP,
    /** An ACK carrying a SYN cookie that does not check out. */
    TCP_SYNCOOKIE_FAILED
}
