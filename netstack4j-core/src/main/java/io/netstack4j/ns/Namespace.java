package io.netstack4j.ns;

import io.netstack4j.core.Devices;
import io.netstack4j.core.DropCounters;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.core.NetLoop;
import io.netstack4j.core.NetdevEvent;
import io.netstack4j.core.SockMem;
import io.netstack4j.core.Sysctls;
import io.netstack4j.drivers.Loopback;
import io.netstack4j.drivers.Tap;
import io.netstack4j.drivers.Veth;
import io.netstack4j.icmp.Icmp;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.inet.InDevice;
import io.netstack4j.inet.Inet;
import io.netstack4j.ipv4.Ipv4;
import io.netstack4j.neigh.AddressTypes;
import io.netstack4j.neigh.ArpCache;
import io.netstack4j.netfilter.Netfilter;
import io.netstack4j.route.Fib;
import io.netstack4j.route.RouteSpec;
import io.netstack4j.route.RouteType;
import io.netstack4j.tcp.Tcp;
import io.netstack4j.udp.Udp;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.MacAddress;

/**
 * A network namespace ({@code struct net}): its own devices, addresses, routing tables and
 * rules, neighbour table, netfilter hooks, sysctls and counters. Built explicitly, owning all of
 * its state, so any number coexist in one JVM. Runs on its stack's loop thread.
 *
 * <p>The constructor wires the layers the way the kernel's notifier chains do: address changes
 * reach the FIB (local, broadcast and prefix routes) and ARP (gratuitous announcements); device
 * changes reach the FIB (routes through a down device go) and flush the route cache.
 */
public final class Namespace {

    private final NetStack stack;
    private final String name;
    private final NetLoop loop;
    private final DropCounters drops = new DropCounters();
    private final Sysctls sysctls = new Sysctls();
    private final Devices devices;
    private final Inet inet;
    private final Fib fib;
    private final ArpCache arp;
    private final Netfilter netfilter;
    private final Ipv4 ipv4;
    private final Icmp icmp;
    private final SockMem sockMem;
    private final Udp udp;
    private final Tcp tcp;
    private final Loopback lo;

    Namespace(NetStack stack, String name) {
        this.stack = stack;
        this.name = name;
        this.loop = stack.loop();
        this.devices = new Devices(loop, drops);
        sysctls.registerInt("net.core.netdev_max_backlog", 1, 1 << 20, devices::maxBacklog, devices::setMaxBacklog);
        this.inet = new Inet(devices, sysctls);
        this.fib = new Fib();
        this.netfilter = new Netfilter(drops);
        this.arp = new ArpCache(loop, devices, inet, new AddressTypes() {
            @Override
            public boolean isLocal(int addr, NetDevice dev) {
                return fib.addressType(addr) == RouteType.LOCAL;
            }

            @Override
            public boolean isBroadcast(int addr, NetDevice dev) {
                return addr == 0xffffffff || fib.addressTypeOnDevice(dev.ifindex(), addr) == RouteType.BROADCAST;
            }
        }, sysctls);
        this.ipv4 = new Ipv4(loop, devices, inet, fib, netfilter, drops, sysctls, arp::output);
        this.icmp = new Icmp(ipv4, sysctls);
        this.sockMem = new SockMem(sysctls);
        this.udp = new Udp(ipv4, icmp, sockMem, sysctls);
        this.tcp = new Tcp(ipv4, icmp, sockMem, sysctls);
        inet.onConfChange(ipv4.route()::flushCache);
        ipv4.route().setNeighValid(arp::validOrResolve);
        // arp_error_report: packets that waited for a neighbour that never answered earn host unreachable.
        arp.setErrorReport(skb -> icmp.send(skb, IcmpHeader.DEST_UNREACH, IcmpHeader.HOST_UNREACH, 0));
        inet.addListener(new Inet.AddressListener() {
            @Override
            public void addressAdded(IfAddr a) {
                NetDevice d = a.dev();
                fib.addInterfaceAddress(a.local(), a.prefixLength(), d.ifindex(), d.isUp(), d.isLoopback());
                ipv4.route().flushCache();
                if (d.isUp()) {
                    arp.announce(d, a);
                }
            }

            @Override
            public void addressRemoved(IfAddr a) {
                NetDevice d = a.dev();
                fib.deleteInterfaceAddress(a.local(), a.prefixLength(), d.ifindex(), d.isLoopback());
                ipv4.route().flushCache();
            }
        });
        devices.addListener(this::onNetdevEvent);
        this.lo = new Loopback();
        devices.register(lo);
        lo.initMtu();
        lo.setUp(true);
        inet.addAddress(lo, Ipv4Address.LOOPBACK, 8, Ipv4Address.ANY, IfAddr.SCOPE_HOST, "lo");
    }

    private void onNetdevEvent(NetdevEvent event, NetDevice dev) {
        switch (event) {
            case UP -> {
                fib.deviceUp(dev.ifindex());
                InDevice in = InDevice.of(dev);
                if (in != null) {
                    for (IfAddr a : in.addresses()) {
                        fib.addInterfaceAddress(a.local(), a.prefixLength(), dev.ifindex(), true, dev.isLoopback());
                    }
                    for (IfAddr a : in.addresses()) {
                        arp.announce(dev, a);
                    }
                }
            }
            case DOWN -> fib.deviceDown(dev.ifindex());
            case REGISTER, CHANGENAME -> fib.deviceRegistered(dev.ifindex(), dev.name());
            case CHANGE -> fib.carrierChanged(dev.ifindex(), dev.hasCarrier());
            case UNREGISTER -> fib.flushDevice(dev.ifindex());
            default -> {
            }
        }
        ipv4.route().flushCache();
    }

    public NetStack stack() {
        return stack;
    }

    /** The name given to {@code netns add}; empty for the initial namespace. */
    public String name() {
        return name;
    }

    public NetLoop loop() {
        return loop;
    }

    public DropCounters drops() {
        return drops;
    }

    public Sysctls sysctls() {
        return sysctls;
    }

    public Devices devices() {
        return devices;
    }

    public Inet inet() {
        return inet;
    }

    public Fib fib() {
        return fib;
    }

    /** The ARP neighbour table ({@code ip neigh}). */
    public ArpCache arp() {
        return arp;
    }

    public Netfilter netfilter() {
        return netfilter;
    }

    public Ipv4 ipv4() {
        return ipv4;
    }

    public Icmp icmp() {
        return icmp;
    }

    /** UDP: its sockets and MIB. */
    public Udp udp() {
        return udp;
    }

    /** TCP ({@code net/ipv4/tcp*.c}) for this namespace. */
    public Tcp tcp() {
        return tcp;
    }

    /** Socket buffer limits ({@code net.core.rmem_*}, {@code net.core.wmem_*}). */
    public SockMem sockMem() {
        return sockMem;
    }

    public Loopback loopback() {
        return lo;
    }

    /**
     * {@code ip route add|replace|append|prepend|change}: a validated change to the FIB; the
     * route cache follows the FIB's generation, so cached decisions retire at once.
     */
    public void addRoute(RouteSpec spec, Fib.Op op) {
        fib.addRoute(spec, op);
    }

    /** {@code ip route del}: throws ESRCH ("No such process") when nothing matches. */
    public void deleteRoute(RouteSpec spec) {
        fib.deleteRoute(spec);
    }

    /** The device called {@code devName}, or ENODEV with iproute2's message. */
    public NetDevice requireDevice(String devName) {
        NetDevice d = devices.byName(devName);
        if (d == null) {
            throw new NetException(Errno.ENODEV, "Cannot find device \"" + devName + "\"");
        }
        return d;
    }

    /**
     * {@code ip link add NAME [netns A] type veth peer name PEER [netns B]}: one end here, the
     * other in {@code peerNs} (which may be this namespace). MACs are random locally administered
     * addresses from the loop's seeded generator, as {@code eth_random_addr}.
     */
    public Veth[] addVeth(String devName, Namespace peerNs, String peerName) {
        if (devices.byName(devName) != null || (peerNs == this && devName.equals(peerName))) {
            throw new NetException(Errno.EEXIST);
        }
        if (peerNs.devices.byName(peerName) != null) {
            throw new NetException(Errno.EEXIST);
        }
        Veth[] pair = Veth.createPair(devName, MacAddress.random(loop.random()).bits(), peerName,
                MacAddress.random(loop.random()).bits());
        devices.register(pair[0]);
        try {
            peerNs.devices.register(pair[1]);
        } catch (RuntimeException e) {
            devices.unregister(pair[0]);
            throw e;
        }
        return pair;
    }

    /**
     * {@code ip link add NAME type tap ifname KERNEL}: a device here bound to the kernel TAP
     * interface {@code kernelName} in the kernel network namespace this process runs in
     * (created there if absent, removed when the device is deleted).
     */
    public Tap addTap(String devName, String kernelName) {
        if (devices.byName(devName) != null) {
            throw new NetException(Errno.EEXIST);
        }
        Tap tap = Tap.open(devName, kernelName, MacAddress.random(loop.random()).bits());
        try {
            devices.register(tap);
        } catch (RuntimeException e) {
            tap.close();
            throw e;
        }
        return tap;
    }

    /** {@code ip link del NAME}: a veth takes its peer with it, wherever that lives. */
    public void deleteLink(String devName) {
        NetDevice d = requireDevice(devName);
        if (d == lo) {
            throw new NetException(Errno.EOPNOTSUPP, "cannot delete the loopback device");
        }
        devices.unregister(d);
        if (d instanceof Veth v && v.peer().devices() != null) {
            v.peer().devices().unregister(v.peer());
        }
    }

    /** Moves a device into another namespace ({@code ip link set DEV netns NS}), as Linux: down, addresses gone. */
    public void moveLink(String devName, Namespace target) {
        NetDevice d = requireDevice(devName);
        if (d == lo) {
            throw new NetException(Errno.EINVAL, "the loopback device cannot change namespace");
        }
        if (target.devices.byName(devName) != null) {
            throw new NetException(Errno.EEXIST);
        }
        devices.release(d);
        target.devices.register(d);
    }

    void destroy() {
        for (NetDevice d : java.util.List.copyOf(devices.all())) {
            if (d == lo) {
                continue;
            }
            if (d.devices() == devices) {
                devices.unregister(d);
                if (d instanceof Veth v && v.peer().devices() != null) {
                    v.peer().devices().unregister(v.peer());
                }
            }
        }
        arp.close();
        ipv4.defrag().flush();
    }

    @Override
    public String toString() {
        return name.isEmpty() ? "(init)" : name;
    }
}
