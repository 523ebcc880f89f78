package io.netstack4j.inet;

import io.netstack4j.core.NetDevice;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A device's IPv4 state ({@code struct in_device}): its addresses and settings. */
public final class InDevice {

    private final NetDevice dev;
    final List<IfAddr> addresses = new ArrayList<>();
    private final DevConf conf;
    /** The device name the sysctls were registered under, to remove them after a rename. */
    String sysctlName;

    InDevice(NetDevice dev, DevConf conf) {
        this.dev = dev;
        this.conf = conf;
    }

    /** The IPv4 state of {@code dev}, or null when it has none. */
    public static InDevice of(NetDevice dev) {
        return dev.ipPtr instanceof InDevice in ? in : null;
    }

    public NetDevice dev() {
        return dev;
    }

    public DevConf conf() {
        return conf;
    }

    /** Addresses in the order Linux lists them: primaries first, each followed by its secondaries. */
    public List<IfAddr> addresses() {
        return Collections.unmodifiableList(addresses);
    }

    /** The first primary address, or null ({@code in_dev->ifa_list}). */
    public IfAddr primary() {
        for (IfAddr a : addresses) {
            if (!a.secondary()) {
                return a;
            }
        }
        return null;
    }

    public boolean hasAddress(int bits) {
        for (IfAddr a : addresses) {
            if (a.local().bits() == bits) {
                return true;
            }
        }
        return false;
    }
}
