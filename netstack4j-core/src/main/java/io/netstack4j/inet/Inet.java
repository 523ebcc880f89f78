package io.netstack4j.inet;

import io.netstack4j.core.Devices;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.core.NetdevEvent;
import io.netstack4j.core.Sysctls;
import io.netstack4j.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;

/**
 * One namespace's IPv4 addressing ({@code net/ipv4/devinet.c}): per-device address lists and
 * settings, the {@code net.ipv4.conf.*} sysctls, source-address selection, and notifications to
 * the layers that follow addresses (the FIB adds local and prefix routes, ARP announces).
 */
public final class Inet {

    /** Addresses a device may hold, a bound so a script cannot exhaust memory. */
    public static final int MAX_ADDRESSES_PER_DEVICE = 4096;

    /** Told when an address appears or disappears ({@code inetaddr_chain}). */
    private int[] localAddrs = new int[0];
    private NetDevice[] localDevs = new NetDevice[0];
    private boolean localIndexStale;

    public interface AddressListener {
        void addressAdded(IfAddr a);

        void addressRemoved(IfAddr a);
    }

    private final Devices devices;
    private final Sysctls sysctls;
    private final DevConf all = new DevConf();
    private final DevConf defaults = new DevConf();
    private final List<AddressListener> listeners = new ArrayList<>();
    private Runnable confChanged = () -> { };

    public Inet(Devices devices, Sysctls sysctls) {
        this.devices = devices;
        this.sysctls = sysctls;
        registerConf("all", all);
        registerConf("default", defaults);
        sysctls.registerInt("net.ipv4.ip_forward", 0, 1, () -> all.forwarding, v -> {
            setForwardingEverywhere(v);
            confChanged.run();
        });
        devices.addListener(this::onNetdevEvent);
    }

    public void addListener(AddressListener l) {
        listeners.add(l);
    }

    /**
     * Runs {@code r} after any {@code net.ipv4.conf.*} or {@code ip_forward} change: routing
     * decisions depend on them, so the route cache must be flushed (as devinet's sysctl
     * handlers call {@code rt_cache_flush}).
     */
    public void onConfChange(Runnable r) {
        confChanged = r;
    }

    public DevConf all() {
        return all;
    }

    public DevConf defaults() {
        return defaults;
    }

    /**
     * {@code net.ipv4.ip_forward} ({@code inet_forward_change}): writes {@code all} and every
     * device, as Linux does, and sets {@code all.accept_redirects} to the opposite: a router
     * takes no redirects unless told to.
     */
    public void setForwardingEverywhere(int on) {
        all.forwarding = on;
        all.acceptRedirects = on != 0 ? 0 : 1;
        defaults.forwarding = on;
        for (NetDevice d : devices.all()) {
            InDevice in = InDevice.of(d);
            if (in != null) {
                in.conf().forwarding = on;
            }
        }
    }

    /**
     * {@code IN_DEV_RX_REDIRECTS}: whether {@code in} takes ICMP redirects. A forwarding device
     * needs accept_redirects in both {@code all} and its own settings; a host in either.
     */
    public boolean acceptsRedirects(InDevice in) {
        if (in.conf().forwarding != 0) {
            return all.acceptRedirects != 0 && in.conf().acceptRedirects != 0;
        }
        return all.acceptRedirects != 0 || in.conf().acceptRedirects != 0;
    }

    public boolean forwardingEnabled() {
        return all.forwarding != 0;
    }

    private void onNetdevEvent(NetdevEvent event, NetDevice dev) {
        switch (event) {
            case REGISTER -> {
                InDevice in = new InDevice(dev, defaults.copy());
                dev.ipPtr = in;
                in.sysctlName = dev.name();
                registerConf(dev.name(), in.conf());
            }
            case UNREGISTER -> {
                InDevice in = InDevice.of(dev);
                if (in != null) {
                    while (!in.addresses.isEmpty()) {
                        removeAddress(in, in.addresses.get(in.addresses.size() - 1));
                    }
                    sysctls.unregisterPrefix("net.ipv4.conf." + in.sysctlName + ".");
                }
                dev.ipPtr = null;
            }
            case CHANGENAME -> {
                InDevice in = InDevice.of(dev);
                if (in != null) {
                    sysctls.unregisterPrefix("net.ipv4.conf." + in.sysctlName + ".");
                    in.sysctlName = dev.name();
                    registerConf(dev.name(), in.conf());
                }
            }
            default -> {
            }
        }
    }

    private void registerConf(String dev, DevConf c) {
        String p = "net.ipv4.conf." + dev + ".";
        confInt(p + "forwarding", c, x -> x.forwarding, v -> c.forwarding = v, 0, 1);
        confInt(p + "rp_filter", c, x -> x.rpFilter, v -> c.rpFilter = v, 0, 2);
        confInt(p + "send_redirects", c, x -> x.sendRedirects, v -> c.sendRedirects = v, 0, 1);
        confInt(p + "accept_source_route", c, x -> x.acceptSourceRoute, v -> c.acceptSourceRoute = v, 0, 1);
        confInt(p + "accept_redirects", c, x -> x.acceptRedirects, v -> c.acceptRedirects = v, 0, 1);
        confInt(p + "secure_redirects", c, x -> x.secureRedirects, v -> c.secureRedirects = v, 0, 1);
        confInt(p + "shared_media", c, x -> x.sharedMedia, v -> c.sharedMedia = v, 0, 1);
        confInt(p + "arp_ignore", c, x -> x.arpIgnore, v -> c.arpIgnore = v, 0, 2);
        confInt(p + "arp_accept", c, x -> x.arpAccept, v -> c.arpAccept = v, 0, 1);
        confInt(p + "arp_notify", c, x -> x.arpNotify, v -> c.arpNotify = v, 0, 1);
        confInt(p + "accept_local", c, x -> x.acceptLocal, v -> c.acceptLocal = v, 0, 1);
        confInt(p + "route_localnet", c, x -> x.routeLocalnet, v -> c.routeLocalnet = v, 0, 1);
    }

    private void confInt(String name, DevConf c, ToIntFunction<DevConf> get, IntConsumer set, int min, int max) {
        IntSupplier g = () -> get.applyAsInt(c);
        sysctls.registerInt(name, min, max, g, v -> {
            set.accept(v);
            confChanged.run();
        });
    }

    /**
     * {@code ip addr add LOCAL/LEN [brd B] [scope S] [label L] dev D} ({@code inet_rtm_newaddr}).
     * A second address in a subnet that already has one becomes secondary. Throws EEXIST
     * ("File exists") when the device already has this address with this prefix length.
     */
    public IfAddr addAddress(NetDevice dev, Ipv4Address local, int prefixLength, Ipv4Address broadcast, int scope, String label) {
        InDevice in = InDevice.of(dev);
        if (in == null) {
            throw new NetException(Errno.ENODEV, "device \"" + dev.name() + "\" has no IPv4 state");
        }
        if (prefixLength < 0 || prefixLength > 32) {
            throw new NetException(Errno.EINVAL, "prefix length " + prefixLength + " outside 0..32");
        }
        if (local.isMulticast() || local.isLimitedBroadcast()) {
            throw new NetException(Errno.EINVAL, local + " cannot be an interface address");
        }
        boolean secondary = false;
        for (IfAddr a : in.addresses) {
            if (a.local().equals(local) && a.prefixLength() == prefixLength) {
                throw new NetException(Errno.EEXIST);
            }
            if (!a.secondary() && a.prefixLength() == prefixLength && a.sameSubnet(local.bits())) {
                secondary = true;
            }
        }
        if (in.addresses.size() >= MAX_ADDRESSES_PER_DEVICE) {
            throw new NetException(Errno.ENOSPC, "device \"" + dev.name() + "\" already has " + MAX_ADDRESSES_PER_DEVICE + " addresses");
        }
        IfAddr a = new IfAddr(dev, local, prefixLength, broadcast == null ? Ipv4Address.ANY : broadcast, scope,
                label == null ? dev.name() : label, secondary);
        if (secondary) {
            in.addresses.add(a);
        } else {
            int at = 0;
            while (at < in.addresses.size() && !in.addresses.get(at).secondary()) {
                at++;
            }
            in.addresses.add(at, a);
        }
        localIndexStale = true;
        for (AddressListener l : listeners) {
            l.addressAdded(a);
        }
        return a;
    }

    /**
     * {@code ip addr del LOCAL[/LEN] dev D} ({@code inet_rtm_deladdr}); {@code prefixLength} -1
     * matches any. Deleting a primary also deletes its secondaries (promote_secondaries=0).
     * Throws EADDRNOTAVAIL ("Cannot assign requested address") when there is no such address.
     */
    public void deleteAddress(NetDevice dev, Ipv4Address local, int prefixLength) {
        InDevice in = InDevice.of(dev);
        IfAddr found = null;
        if (in != null) {
            for (IfAddr a : in.addresses) {
                if (a.local().equals(local) && (prefixLength < 0 || a.prefixLength() == prefixLength)) {
                    found = a;
                    break;
                }
            }
        }
        if (found == null) {
            throw new NetException(Errno.EADDRNOTAVAIL);
        }
        if (!found.secondary()) {
            for (IfAddr s : List.copyOf(in.addresses)) {
                if (s.secondary() && s.prefixLength() == found.prefixLength() && found.sameSubnet(s.local().bits())) {
                    removeAddress(in, s);
                }
            }
        }
        removeAddress(in, found);
    }

    /** Removes every address of {@code dev} ({@code ip addr flush dev D}). */
    public void flushAddresses(NetDevice dev) {
        InDevice in = InDevice.of(dev);
        while (in != null && !in.addresses.isEmpty()) {
            removeAddress(in, in.addresses.get(in.addresses.size() - 1));
        }
    }

    private void removeAddress(InDevice in, IfAddr a) {
        in.addresses.remove(a);
        localIndexStale = true;
        for (AddressListener l : listeners) {
            l.addressRemoved(a);
        }
    }

    /**
     * Picks a source address for sending on {@code dev} towards {@code dst} within {@code scope}
     * ({@code inet_select_addr}): a primary address of {@code dev} in the destination's subnet,
     * else the first primary of {@code dev} with a wide enough scope, else any address of
     * another device with scope narrower than link. Returns 0 when there is none.
     */
    public int selectSourceAddress(NetDevice dev, int dst, int scope) {
        int first = 0;
        InDevice in = dev == null ? null : InDevice.of(dev);
        if (in != null) {
            for (IfAddr a : in.addresses) {
                if (a.secondary() || a.scope() > scope) {
                    continue;
                }
                if (dst == 0 || a.sameSubnet(dst)) {
                    return a.local().bits();
                }
                if (first == 0) {
                    first = a.local().bits();
                }
            }
        }
        if (first != 0) {
            return first;
        }
        for (NetDevice d : devices.all()) {
            InDevice other = InDevice.of(d);
            if (other == null || other == in) {
                continue;
            }
            for (IfAddr a : other.addresses) {
                if (!a.secondary() && a.scope() < IfAddr.SCOPE_LINK && a.scope() <= scope) {
                    return a.local().bits();
                }
            }
        }
        return 0;
    }

    /** The device that holds {@code local} as one of its addresses, or null. */
    public NetDevice deviceWithAddress(int local) {
        if (localIndexStale) {
            rebuildLocalIndex();
        }
        int i = Arrays.binarySearch(localAddrs, local);
        return i >= 0 ? localDevs[i] : null;
    }

    /**
     * The sorted index of local addresses behind {@link #deviceWithAddress} (Linux hashes them
     * in {@code inet_addr_lst}): rebuilt after an address change, so the per-packet source check
     * is a binary search that allocates nothing. The first device in ifindex order wins a tie.
     */
    private void rebuildLocalIndex() {
        List<IfAddr> all = new ArrayList<>();
        for (NetDevice d : devices.all()) {
            InDevice in = InDevice.of(d);
            if (in != null) {
                all.addAll(in.addresses);
            }
        }
        int[] addrs = new int[all.size()];
        NetDevice[] devs = new NetDevice[all.size()];
        int n = 0;
        for (IfAddr a : all) {
            int at = Arrays.binarySearch(addrs, 0, n, a.local().bits());
            if (at >= 0) {
                continue;
            }
            at = -at - 1;
            System.arraycopy(addrs, at, addrs, at + 1, n - at);
            System.arraycopy(devs, at, devs, at + 1, n - at);
            addrs[at] = a.local().bits();
            devs[at] = a.dev();
            n++;
        }
        localAddrs = Arrays.copyOf(addrs, n);
        localDevs = Arrays.copyOf(devs, n);
        localIndexStale = false;
    }
}
