package io.netstack4j.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One namespace's device layer ({@code net/core/dev.c} per {@code struct net}): the device
 * table by name and ifindex, the packet-type handlers that received frames are dispatched to
 * ({@code dev_add_pack}), the netdevice notifier chain, and frame taps for capture.
 * Single-threaded: runs on the namespace's loop.
 */
public final class Devices {

    /** Devices a namespace may hold, a bound so a script cannot exhaust memory. */
    public static final int MAX_DEVICES = 4096;

    private final NetLoop loop;
    private final DropCounters drops;
    private final Map<String, NetDevice> byName = new LinkedHashMap<>();
    private final TreeMap<Integer, NetDevice> byIndex = new TreeMap<>();
    private int nextIfindex = 1;
    private int maxBacklog = NetDevice.DEFAULT_MAX_BACKLOG;

    private int[] handlerTypes = new int[0];
    private PacketHandler[] handlers = new PacketHandler[0];
    private final List<NetdevListener> listeners = new ArrayList<>();
    private FrameTap[] taps = new FrameTap[0];

    public Devices(NetLoop loop, DropCounters drops) {
        this.loop = loop;
        this.drops = drops;
    }

    /** Receives device notifications ({@code register_netdevice_notifier}). */
    @FunctionalInterface
    public interface NetdevListener {
        void event(NetdevEvent event, NetDevice dev);
    }

    public NetLoop loop() {
        return loop;
    }

    public DropCounters drops() {
        return drops;
    }

    public int maxBacklog() {
        return maxBacklog;
    }

    public void setMaxBacklog(int n) {
        if (n < 1) {
            throw new NetException(Errno.EINVAL, "netdev_max_backlog must be positive, got " + n);
        }
        maxBacklog = n;
    }

    /** Adds a device to this namespace ({@code register_netdevice}); assigns the next ifindex. */
    public void register(NetDevice dev) {
        register(dev, 0);
    }

    /** Registers with a chosen ifindex, or the next free one when {@code ifindex} is 0. */
    public void register(NetDevice dev, int ifindex) {
        if (byName.containsKey(dev.name())) {
            throw new NetException(Errno.EEXIST, "device \"" + dev.name() + "\" already exists");
        }
        if (byName.size() >= MAX_DEVICES) {
            throw new NetException(Errno.ENOSPC, "namespace already holds " + MAX_DEVICES + " devices");
        }
        if (ifindex == 0 || byIndex.containsKey(ifindex)) {
            while (byIndex.containsKey(nextIfindex)) {
                nextIfindex++;
            }
            ifindex = nextIfindex++;
        }
        dev.attach(this, ifindex);
        byName.put(dev.name(), dev);
        byIndex.put(ifindex, dev);
        notify(NetdevEvent.REGISTER, dev);
    }

    /** Removes a device ({@code unregister_netdevice}): brought down first, then announced and detached. */
    public void unregister(NetDevice dev) {
        release(dev);
        dev.uninit();
    }

    /**
     * Removes a device that lives on in another namespace ({@code dev_change_net_namespace}):
     * as {@link #unregister} but the driver is not told to shut down.
     */
    public void release(NetDevice dev) {
        if (byName.get(dev.name()) != dev) {
            throw new NetException(Errno.ENODEV, "device \"" + dev.name() + "\" is not in this namespace");
        }
        dev.setUp(false);
        notify(NetdevEvent.UNREGISTER, dev);
        byName.remove(dev.name());
        byIndex.remove(dev.ifindex());
        dev.detach();
    }

    /** Renames a down device ({@code dev_change_name}). */
    public void rename(NetDevice dev, String newName) {
        NetDevice.checkName(newName);
        if (dev.isUp()) {
            throw new NetException(Errno.EBUSY, "device \"" + dev.name() + "\" must be down to be renamed");
        }
        if (byName.containsKey(newName)) {
            throw new NetException(Errno.EEXIST, "device \"" + newName + "\" already exists");
        }
        byName.remove(dev.name());
        dev.rename(newName);
        byName.put(newName, dev);
        notify(NetdevEvent.CHANGENAME, dev);
    }

    public NetDevice byName(String name) {
        return byName.get(name);
    }

    public NetDevice byIndex(int ifindex) {
        return byIndex.get(ifindex);
    }

    /** Devices in ifindex order. */
    public Collection<NetDevice> all() {
        return Collections.unmodifiableCollection(byIndex.values());
    }

    /** The loopback device of this namespace, if registered. */
    public NetDevice loopback() {
        for (NetDevice d : byIndex.values()) {
            if (d.isLoopback()) {
                return d;
            }
        }
        return null;
    }

    public void addListener(NetdevListener l) {
        listeners.add(l);
    }

    void notify(NetdevEvent event, NetDevice dev) {
        for (NetdevListener l : listeners) {
            l.event(event, dev);
        }
    }

    /** Registers the receive function for an ethertype ({@code dev_add_pack}); one per type. */
    public void addPack(int etherType, PacketHandler handler) {
        for (int t : handlerTypes) {
            if (t == etherType) {
                throw new IllegalStateException("a handler for ethertype 0x" + Integer.toHexString(etherType) + " is already registered");
            }
        }
        int n = handlerTypes.length;
        handlerTypes = java.util.Arrays.copyOf(handlerTypes, n + 1);
        handlers = java.util.Arrays.copyOf(handlers, n + 1);
        handlerTypes[n] = etherType;
        handlers[n] = handler;
    }

    /** Adds a frame tap that sees every frame of every device in this namespace. */
    public void addTap(FrameTap tap) {
        taps = java.util.Arrays.copyOf(taps, taps.length + 1);
        taps[taps.length - 1] = tap;
    }

    public void removeTap(FrameTap tap) {
        List<FrameTap> keep = new ArrayList<>(List.of(taps));
        keep.remove(tap);
        taps = keep.toArray(new FrameTap[0]);
    }

    void tapOutgoing(NetDevice dev, PacketBuffer skb) {
        for (FrameTap t : taps) {
            t.frame(dev, true, skb, skb.data(), skb.len());
        }
    }

    /** {@link PacketHandler#prefetch} for a frame about to be received. */
    void prefetch(PacketBuffer skb) {
        if (skb.pktType == PktType.OTHERHOST) {
            return;
        }
        int type = skb.protocol;
        int[] types = handlerTypes;
        for (int i = 0; i < types.length; i++) {
            if (types[i] == type) {
                handlers[i].prefetch(skb);
                return;
            }
        }
    }

    /**
     * Delivers a classified frame to its protocol ({@code __netif_receive_skb_core}): frame taps
     * first, then the handler for {@code skb.protocol}; frames for another host or of an unknown
     * type are dropped and counted. Takes ownership of {@code skb}.
     */
    public void receive(PacketBuffer skb) {
        NetDevice dev = skb.dev;
        if (taps.length > 0) {
            int mac = skb.macHeader();
            for (FrameTap t : taps) {
                t.frame(dev, false, skb, mac, skb.tail() - mac);
            }
        }
        if (skb.pktType == PktType.OTHERHOST) {
            drops.count(DropReason.OTHERHOST);
            skb.free();
            return;
        }
        int type = skb.protocol;
        int[] types = handlerTypes;
        for (int i = 0; i < types.length; i++) {
            if (types[i] == type) {
                handlers[i].receive(skb, dev);
                return;
            }
        }
        dev.stats().rxNoHandler++;
        drops.count(DropReason.UNHANDLED_PROTO);
        skb.free();
    }
}
