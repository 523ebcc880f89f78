package io.netstack4j.ipv4;

import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;

/**
 * Hands a finished IPv4 packet to the neighbour layer for link-layer resolution and
 * transmission ({@code neigh_output} from {@code ip_finish_output2}). Takes ownership.
 */
@FunctionalInterface
public interface NeighOutput {
    void output(PacketBuffer skb, NetDevice dev, int nextHop);
}
