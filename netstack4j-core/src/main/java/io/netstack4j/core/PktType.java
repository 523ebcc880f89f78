package io.netstack4j.core;

/** Who a received frame was addressed to, as {@code skb->pkt_type} ({@code PACKET_*}). */
public enum PktType {
    /** To us. */
    HOST,
    /** To the link-layer broadcast address. */
    BROADCAST,
    /** To a link-layer multicast address. */
    MULTICAST,
    /** To another host: seen only because the device is promiscuous. */
    OTHERHOST,
    /** Our own transmitted packet looped back (capture taps). */
    OUTGOING,
    /** Looped back by the loopback device. */
    LOOPBACK
}
