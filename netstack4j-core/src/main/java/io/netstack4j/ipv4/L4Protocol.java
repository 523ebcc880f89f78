package io.netstack4j.ipv4;

import io.netstack4j.core.PacketBuffer;

/**
 * A transport protocol registered with IPv4 by protocol number ({@code struct net_protocol} in
 * {@code inet_protos}).
 */
public interface L4Protocol {

    /**
     * Receives a datagram for this host ({@code handler}). On entry {@code skb.data()} and
     * {@code skb.transportHeader()} are at the transport header, {@code skb.networkHeader()} at
     * the IPv4 header and {@code skb.dst} is the input route. Takes ownership of {@code skb}.
     */
    void rcv(PacketBuffer skb);

    /**
     * An ICMP error arrived about a datagram this protocol sent ({@code err_handler}).
     * {@code quotedIp} is the index in {@code icmp.array()} of the quoted IPv4 header, and
     * {@code quotedLen} how many quoted bytes follow it. Does not take ownership.
     */
    void err(PacketBuffer icmp, int quotedIp, int quotedLen, int type, int code, int info);

    /**
     * True when this protocol records a frag-needed message's path MTU itself, in {@link #err},
     * after checking that the quoted datagram belongs to one of its connections (TCP: the
     * quoted sequence number lies in SND.UNA..SND.NXT, RFC 5927 7.2). Otherwise ICMP records it
     * before calling {@link #err}, as {@code ipv4_sk_update_pmtu} does for UDP and raw sockets.
     */
    default boolean validatesPmtu() {
        return false;
    }
}
