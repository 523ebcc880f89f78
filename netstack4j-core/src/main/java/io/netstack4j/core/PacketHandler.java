package io.netstack4j.core;

/**
 * A protocol's receive function registered for an ethertype ({@code struct packet_type}'s
 * {@code func}, registered with {@code dev_add_pack}). On entry {@code skb.data()} points at the
 * network header and {@code skb.pktType} is set. Takes ownership of {@code skb}.
 */
@FunctionalInterface
public interface PacketHandler {
    void receive(PacketBuffer skb, NetDevice dev);

    /**
     * Called for each frame of a poll batch before any of them is received, so the handler can
     * touch the memory it will need (a route lookup's table entries) while the CPU still has
     * independent loads to overlap; must not change any state that can be observed.
     */
    default void prefetch(PacketBuffer skb) {
    }
}
