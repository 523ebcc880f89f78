package io.netstack4j.ipv4;

import io.netstack4j.core.NetDevice;

/**
 * What the redirect code asks the neighbour layer ({@code __ipv4_neigh_lookup} then
 * {@code neigh_event_send} with no packet): is this next hop resolved?
 */
@FunctionalInterface
public interface NeighValid {

    /** True when {@code ip} on {@code dev} has a valid link-layer address; otherwise starts resolving it and returns false. */
    boolean validOrResolve(int ip, NetDevice dev);
}
