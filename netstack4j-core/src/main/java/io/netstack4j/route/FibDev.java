package io.netstack4j.route;

import java.util.ArrayList;
import java.util.List;

/**
 * What the FIB knows of a device: its state as the device notifier reports it and its IPv4
 * addresses as the address notifier reports them. The FIB refers to devices by ifindex only;
 * this is its private mirror of {@code net_device} flags and the {@code in_device} address list.
 */
final class FibDev {

    final int ifindex;
    String name;
    boolean up;
    /** {@code netif_carrier_ok}; devices have carrier until told otherwise. */
    boolean carrier = true;
    boolean loopback;
    /** {@code net.ipv4.conf.DEV.ignore_routes_with_linkdown}. */
    boolean ignoreRoutesWithLinkdown;
    /** Primaries first, then secondaries, as {@code in_device.ifa_list} keeps them. */
    final List<IfAddr> addresses = new ArrayList<>();

    FibDev(int ifindex) {
        this.ifindex = ifindex;
    }

    /** An address as the FIB remembers it ({@code struct in_ifaddr}, local address only). */
    static final class IfAddr {
        final int local;
        final int prefixLen;
        final int mask;
        final int broadcast;
        boolean secondary;
        /** The primary's address this one's routes were installed with as preferred source. */
        int prefsrc;

        IfAddr(int local, int prefixLen, int broadcast) {
            this.local = local;
            this.prefixLen = prefixLen;
            this.mask = FibTrie.mask(prefixLen);
            this.broadcast = broadcast;
            this.prefsrc = local;
        }

        /** {@code inet_ifa_match}: {@code addr} is on this address's subnet. */
        boolean matches(int addr) {
            return ((addr ^ local) & mask) == 0;
        }
    }

    /** {@code inet_ifa_byprefix}: the first address on the subnet {@code prefix/mask}. */
    IfAddr byPrefix(int prefix, int mask) {
        for (IfAddr a : addresses) {
            if (a.mask == mask && a.matches(prefix)) {
                return a;
            }
        }
        return null;
    }

    IfAddr find(int local, int prefixLen) {
        for (IfAddr a : addresses) {
            if (a.local == local && a.prefixLen == prefixLen) {
                return a;
            }
        }
        return null;
    }
}
