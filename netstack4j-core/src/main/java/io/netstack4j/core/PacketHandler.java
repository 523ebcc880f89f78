package io.netstack4j.core;

/**
 * A protocol's receive function registered for an ethertype ({@code struct packet_type}'s
 * {@code func}, registered with {@code dev_add_pack}). On entry {@code skb.data()} points at the
 * network header and {@code skb.pktType} is set. Takes ownership of {@code skb}.
 */
@FunctionalInterface
public interface PacketHandler {
    void receive(PacketBuffer skb, NetDevice dev);
}
