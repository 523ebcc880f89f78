package io.netstack4j.core;

import io.netstack4j.wire.Checksum;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.MacAddress;

/**
 * A network interface, as the kernel's {@code net_device}: identity (name, ifindex, MAC), state
 * (flags, carrier, MTU), counters, a transmit queue discipline and a NAPI-style receive backlog.
 *
 * <p>Drivers subclass it and implement {@link #startXmit} ({@code ndo_start_xmit}). Received
 * frames enter through {@link #netifRx}, are queued on the device's backlog (bounded by
 * {@code netdev_max_backlog}) and are handed up the stack when the {@link NetLoop} polls the
 * device with a budget ({@link #poll}). All methods run on the owning loop's thread.
 */
public abstract class NetDevice implements Napi {

    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_POINTOPOINT = 0x10;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_NOARP = 0x80;
    public static final int IFF_PROMISC = 0x100;
    public static final int IFF_MULTICAST = 0x1000;
    public static final int IFF_LOWER_UP = 0x10000;

    /** Linux's default {@code net.core.netdev_max_backlog}. */
    public static final int DEFAULT_MAX_BACKLOG = 1000;
    public static final int DEFAULT_TXQUEUELEN = 1000;
    public static final int ETH_MIN_MTU = 68;
    public static final int ETH_MAX_MTU = 65535;

    private String name;
    private int ifindex;
    private Devices devices;
    private int mtu = 1500;
    private long mac;
    private int flags;
    private boolean carrier = true;
    private int promiscuity;
    private int txqueuelen = DEFAULT_TXQUEUELEN;
    private Qdisc qdisc;
    private final DeviceStats stats = new DeviceStats();

    private PacketBuffer[] backlog = new PacketBuffer[16];
    private int backlogHead;
    private int backlogSize;
    boolean napiScheduled;

    /** IPv4 per-device state ({@code dev->ip_ptr}), owned by the inet layer. */
    public Object ipPtr;

    protected NetDevice(String name, long mac, int baseFlags) {
        checkName(name);
        this.name = name;
        this.mac = mac;
        this.flags = baseFlags & ~IFF_UP;
    }

    /** Validates an interface name as Linux's {@code dev_valid_name}. */
    public static void checkName(String name) {
        if (name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")) {
            throw new NetException(Errno.EINVAL, "\"" + name + "\" is not a valid device name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c)) {
                throw new NetException(Errno.EINVAL, "\"" + name + "\" is not a valid device name");
            }
        }
    }

    /** The driver kind as {@code ip -d link} shows it: "veth", "loopback", "tap". */
    public abstract String kind();

    /**
     * Sends one frame, its link-layer header already in place ({@code ndo_start_xmit}). Takes
     * ownership of {@code skb}.
     */
    protected abstract void startXmit(PacketBuffer skb);

    /** Called when the device is brought up ({@code ndo_open}). */
    protected void open() {
    }

    /** Called when the device is brought down ({@code ndo_stop}). */
    protected void stop() {
    }

    /** Called once when the device is removed from its namespace. */
    protected void uninit() {
    }

    void attach(Devices devices, int ifindex) {
        this.devices = devices;
        this.ifindex = ifindex;
    }

    void detach() {
        flushBacklog();
        if (qdisc != null) {
            qdisc.reset();
        }
        this.devices = null;
    }

    public String name() {
        return name;
    }

    void rename(String newName) {
        name = newName;
    }

    public int ifindex() {
        return ifindex;
    }

    /** The namespace's device table this device belongs to; null once unregistered. */
    public Devices devices() {
        return devices;
    }

    public NetLoop loop() {
        return devices.loop();
    }

    public PacketPool pool() {
        return devices.loop().pool();
    }

    public int mtu() {
        return mtu;
    }

    public int minMtu() {
        return ETH_MIN_MTU;
    }

    public int maxMtu() {
        return ETH_MAX_MTU;
    }

    public long mac() {
        return mac;
    }

    public MacAddress macAddress() {
        return new MacAddress(mac);
    }

    public long broadcastMac() {
        return MacAddress.BROADCAST.bits();
    }

    /** Bytes of link-layer header this device's frames carry ({@code hard_header_len}). */
    public int hardHeaderLen() {
        return EthernetHeader.HEADER_LEN;
    }

    public int flags() {
        int f = flags;
        if ((f & IFF_UP) != 0 && carrier) {
            f |= IFF_RUNNING | IFF_LOWER_UP;
        }
        if (promiscuity > 0) {
            f |= IFF_PROMISC;
        }
        return f;
    }

    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    /** Up with carrier: frames can move ({@code netif_running && netif_carrier_ok}). */
    public boolean isRunning() {
        return (flags & IFF_UP) != 0 && carrier;
    }

    public boolean hasCarrier() {
        return carrier;
    }

    public boolean isLoopback() {
        return (flags & IFF_LOOPBACK) != 0;
    }

    public boolean noArp() {
        return (flags & IFF_NOARP) != 0;
    }

    public int promiscuity() {
        return promiscuity;
    }

    public int txqueuelen() {
        return txqueuelen;
    }

    public DeviceStats stats() {
        return stats;
    }

    /** The root qdisc, or null for {@code noqueue}. */
    public Qdisc qdisc() {
        return qdisc;
    }

    /** The qdisc a device gets when none is configured: pfifo_fast, or noqueue (null) for virtual devices. */
    protected Qdisc defaultQdisc() {
        return new PfifoFast(txqueuelen);
    }

    /** Operational state as RFC 2863 / {@code IF_OPER_*}, the {@code state} word of {@code ip link}. */
    public String operState() {
        if (!isUp()) {
            return "DOWN";
        }
        if (!carrier) {
            return "LOWERLAYERDOWN";
        }
        return "UP";
    }

    // Configuration, as rtnetlink would do it. Each change is announced to the namespace.

    /** {@code ip link set X up|down} ({@code dev_open}/{@code dev_close}). */
    public void setUp(boolean up) {
        if (up == isUp()) {
            return;
        }
        if (up) {
            flags |= IFF_UP;
            if (qdisc == null && txqueuelen > 0) {
                qdisc = defaultQdisc();
                if (qdisc != null) {
                    qdisc.attach(this);
                }
            }
            open();
            devices.notify(NetdevEvent.UP, this);
        } else {
            devices.notify(NetdevEvent.GOING_DOWN, this);
            flags &= ~IFF_UP;
            stop();
            flushBacklog();
            if (qdisc != null) {
                qdisc.reset();
            }
            devices.notify(NetdevEvent.DOWN, this);
        }
    }

    /** Sets the carrier ({@code netif_carrier_on/off}); drivers call it. */
    protected void setCarrier(boolean on) {
        if (carrier == on) {
            return;
        }
        carrier = on;
        if (devices != null) {
            devices.notify(NetdevEvent.CHANGE, this);
        }
    }

    public void setMtu(int newMtu) {
        if (newMtu < minMtu() || newMtu > maxMtu()) {
            throw new NetException(Errno.EINVAL, "MTU " + newMtu + " outside " + minMtu() + ".." + maxMtu());
        }
        if (newMtu != mtu) {
            mtu = newMtu;
            devices.notify(NetdevEvent.CHANGEMTU, this);
        }
    }

    public void setMac(long newMac) {
        if ((newMac & (0x01L << 40)) != 0) {
            throw new NetException(Errno.EADDRNOTAVAIL, "cannot set a multicast address as a device address");
        }
        mac = newMac;
        if (devices != null) {
            devices.notify(NetdevEvent.CHANGEADDR, this);
        }
    }

    public void setTxqueuelen(int len) {
        if (len < 0) {
            throw new NetException(Errno.EINVAL, "txqueuelen " + len + " is negative");
        }
        txqueuelen = len;
    }

    /** {@code dev_set_promiscuity}: a counter, so independent users (bridge, capture) nest. */
    public void adjustPromiscuity(int delta) {
        int p = promiscuity + delta;
        if (p < 0) {
            throw new IllegalStateException("promiscuity of " + name + " would become " + p);
        }
        promiscuity = p;
    }

    public void setNoArp(boolean on) {
        flags = on ? flags | IFF_NOARP : flags & ~IFF_NOARP;
    }

    /** Replaces the root qdisc ({@code tc qdisc replace dev X root}); null restores the default. */
    public void setQdisc(Qdisc q) {
        Qdisc old = qdisc;
        qdisc = q != null ? q : isUp() && txqueuelen > 0 ? defaultQdisc() : null;
        if (qdisc != null) {
            qdisc.attach(this);
        }
        if (old != null) {
            old.reset();
        }
    }

    /** True when no qdisc was configured by the user (the default one is in place). */
    public boolean hasDefaultQdisc() {
        return qdisc == null || qdisc.isDefault();
    }

    // The transmit path.

    /**
     * Queues a frame for transmission ({@code dev_queue_xmit}): through the root qdisc when there
     * is one, straight to the driver otherwise. Takes ownership of {@code skb}.
     */
    public void queueXmit(PacketBuffer skb) {
        if (!isUp()) {
            dropTx(skb, DropReason.DEV_READY);
            return;
        }
        Qdisc q = qdisc;
        if (q == null) {
            transmitOne(skb);
            return;
        }
        // A refused frame was freed and counted by the qdisc (its drops, the drop reason);
        // as in Linux it is not a device tx_dropped.
        q.enqueue(skb);
        runQdisc();
    }

    /** Moves frames from the qdisc to the driver until it has none ready ({@code qdisc_run}). */
    public void runQdisc() {
        Qdisc q = qdisc;
        if (q == null || !isUp()) {
            return;
        }
        PacketBuffer skb;
        while ((skb = q.dequeue()) != null) {
            transmitOne(skb);
        }
    }

    private void transmitOne(PacketBuffer skb) {
        if (skb.checksum == ChecksumState.PARTIAL && !offloadsTx()) {
            checksumHelp(skb);
        }
        skb.dev = this;
        stats.txPackets++;
        stats.txBytes += skb.len();
        devices.tapOutgoing(this, skb);
        startXmit(skb);
    }

    /**
     * True when the driver takes a {@link ChecksumState#PARTIAL} packet and a GSO TCP packet
     * ({@code gsoSize} set, longer than the MTU) as they are ({@code NETIF_F_HW_CSUM |
     * NETIF_F_TSO}): veth and loopback hand them on whole, a TAP with vnet headers has the kernel
     * finish them. For other devices transmit completes the checksum in software.
     */
    protected boolean offloadsTx() {
        return false;
    }

    /**
     * {@code skb_checksum_help}, as {@code validate_xmit_skb} calls it for a device without
     * checksum offload: completes a
     * {@link ChecksumState#PARTIAL} packet's transport checksum — the one's-complement sum from
     * {@code csumStart} to the end, over the pseudo-header sum already in the field — so it
     * leaves the host whole.
     */
    public static void checksumHelp(PacketBuffer skb) {
        int start = skb.csumStart;
        int at = start + skb.csumOffset;
        if (start >= skb.data() && at + 2 <= skb.tail()) {
            skb.makeWritable();
            byte[] b = skb.array();
            int sum = Checksum.finish(Checksum.sum(b, start, skb.tail() - start, 0));
            if (sum == 0) {
                sum = 0xffff; // CSUM_MANGLED_0: a zero UDP checksum would mean "none"
            }
            b[at] = (byte) (sum >>> 8);
            b[at + 1] = (byte) sum;
        }
        skb.checksum = ChecksumState.NONE;
        skb.csumStart = -1;
        skb.csumOffset = 0;
    }

    /** Drops a frame on the transmit side and counts it. Takes ownership. */
    protected void dropTx(PacketBuffer skb, DropReason reason) {
        stats.txDropped++;
        if (devices != null) {
            devices.drops().count(reason);
        }
        skb.free();
    }

    // The receive path.

    /**
     * A driver hands a received Ethernet frame to the stack ({@code netif_rx}): it is classified
     * ({@code eth_type_trans}) and queued on the backlog until the loop polls this device.
     * Takes ownership of {@code skb}.
     */
    public void netifRx(PacketBuffer skb) {
        if (!isUp() || devices == null) {
            stats.rxDropped++;
            if (devices != null) {
                devices.drops().count(DropReason.DEV_READY);
            }
            skb.free();
            return;
        }
        skb.dev = this;
        skb.inputIfindex = ifindex;
        if (!Ethernet.typeTrans(skb, this)) {
            stats.rxErrors++;
            devices.drops().count(DropReason.PKT_TOO_SMALL);
            skb.free();
            return;
        }
        if (backlogSize >= devices.maxBacklog()) {
            stats.rxDropped++;
            devices.drops().count(DropReason.CPU_BACKLOG);
            skb.free();
            return;
        }
        stats.rxPackets++;
        stats.rxBytes += skb.len() + EthernetHeader.HEADER_LEN;
        if (skb.pktType == PktType.MULTICAST) {
            stats.rxMulticast++;
        }
        skb.timestamp = devices.loop().clock().nanos();
        if (backlogSize == backlog.length) {
            growBacklog();
        }
        backlog[(backlogHead + backlogSize) & (backlog.length - 1)] = skb;
        backlogSize++;
        devices.loop().napiSchedule(this);
    }

    /** Hands up to {@code budget} queued frames to the protocol handlers ({@code process_backlog}). */
    @Override
    public int poll(int budget) {
        // A look-ahead over the batch first: its route lookups' cache misses overlap one another
        // instead of each stalling the packet behind it (what DPDK's batched lookups do).
        int batch = Math.min(budget, backlogSize);
        if (batch > 1 && devices != null) {
            for (int i = 0; i < batch; i++) {
                devices.prefetch(backlog[(backlogHead + i) & (backlog.length - 1)]);
            }
        }
        int done = 0;
        while (done < budget && backlogSize > 0 && devices != null) {
            PacketBuffer skb = backlog[backlogHead];
            backlog[backlogHead] = null;
            backlogHead = (backlogHead + 1) & (backlog.length - 1);
            backlogSize--;
            devices.loop().refreshNow();
            devices.receive(skb);
            done++;
        }
        return done;
    }

    @Override
    public boolean hasWork() {
        return backlogSize > 0;
    }

    public int backlogLength() {
        return backlogSize;
    }

    private void growBacklog() {
        PacketBuffer[] bigger = new PacketBuffer[backlog.length * 2];
        for (int i = 0; i < backlogSize; i++) {
            bigger[i] = backlog[(backlogHead + i) & (backlog.length - 1)];
        }
        backlog = bigger;
        backlogHead = 0;
    }

    private void flushBacklog() {
        while (backlogSize > 0) {
            PacketBuffer skb = backlog[backlogHead];
            backlog[backlogHead] = null;
            backlogHead = (backlogHead + 1) & (backlog.length - 1);
            backlogSize--;
            stats.rxDropped++;
            skb.free();
        }
    }

    @Override
    public String toString() {
        return name + "(" + ifindex + ")";
    }
}
