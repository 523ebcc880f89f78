package io.netstack4j.neigh;

import io.netstack4j.core.NetDevice;

/**
 * What ARP needs to know from the routing layer above it ({@code inet_addr_type_dev_table}),
 * supplied by the namespace so this layer does not depend on the FIB.
 */
public interface AddressTypes {

    /** True when {@code addr} is one of this host's local addresses as seen from {@code dev}. */
    boolean isLocal(int addr, NetDevice dev);

    /** True when {@code addr} is a broadcast address (limited or a subnet's) on {@code dev}. */
    boolean isBroadcast(int addr, NetDevice dev);
}
