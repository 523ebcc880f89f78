package io.netstack4j.inet;

import io.netstack4j.core.NetDevice;
import io.netstack4j.wire.Ipv4Address;

/**
 * An IPv4 address assigned to a device ({@code struct in_ifaddr}).
 *
 * @param local the address itself
 * @param prefixLength 0..32
 * @param broadcast the broadcast address set with {@code brd}, or {@link Ipv4Address#ANY} for none
 * @param scope {@code RT_SCOPE_*}: 0 global, 253 link, 254 host
 * @param label the label ({@code eth0:1}), by default the device name
 * @param secondary true when another address of the same subnet was there first
 */
public record IfAddr(NetDevice dev, Ipv4Address local, int prefixLength, Ipv4Address broadcast, int scope, String label,
        boolean secondary) {

    public static final int SCOPE_GLOBAL = 0;
    public static final int SCOPE_LINK = 253;
    public static final int SCOPE_HOST = 254;

    public int mask() {
        return Ipv4Address.maskOf(prefixLength);
    }

    /** True when {@code addrBits} is inside this address's subnet. */
    public boolean sameSubnet(int addrBits) {
        int m = mask();
        return (addrBits & m) == (local.bits() & m);
    }

    IfAddr withSecondary(boolean s) {
        return new IfAddr(dev, local, prefixLength, broadcast, scope, label, s);
    }
}
