package io.netstack4j.neigh;

import io.netstack4j.core.Devices;
import io.netstack4j.core.DropReason;
import io.netstack4j.core.Errno;
import io.netstack4j.core.Ethernet;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.core.NetLoop;
import io.netstack4j.core.NetdevEvent;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.PktType;
import io.netstack4j.core.Sysctls;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.inet.InDevice;
import io.netstack4j.inet.Inet;
import io.netstack4j.time.Timer;
import io.netstack4j.wire.ArpPacket;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.Ipv4Header;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The ARP neighbour table of one namespace ({@code arp_tbl}: {@code net/core/neighbour.c} and
 * {@code net/ipv4/arp.c}): entries keyed by (address, device) moving through the NUD states,
 * the bounded queue of packets waiting for resolution, probes, garbage collection within
 * gc_thresh1/2/3, and the ARP protocol itself (RFC 826).
 *
 * <p>State machine, as {@code neigh_timer_handler}: NONE → INCOMPLETE on first use (broadcast
 * requests every retrans_time, {@code mcast_solicit} of them) → REACHABLE on a reply, or FAILED
 * (queued packets dropped, senders told host unreachable). REACHABLE → STALE after the
 * randomized reachable time without confirmation; STALE → DELAY on use; DELAY → REACHABLE if
 * confirmed within delay_first_probe_time, else PROBE ({@code ucast_solicit} unicast requests) →
 * REACHABLE or FAILED. PERMANENT and NOARP entries never change by protocol.
 */
public final class ArpCache {

    private static final long MS = 1_000_000L;
    private static final long SEC = 1_000_000_000L;
    /** Per-packet overhead counted against unres_qlen_bytes, like the kernel's skb truesize. */
    private static final int SKB_OVERHEAD = 256;

    private final NetLoop loop;
    private final Devices devices;
    private final Inet inet;
    private final AddressTypes types;
    private final EntryMap entries = new EntryMap();
    private final NeighStats stats = new NeighStats();
    private final Timer gcTimer = new Timer(this::periodicWork);
    private Consumer<PacketBuffer> errorReport = skb -> { };

    int baseReachableMs = 30_000;
    int retransMs = 1000;
    int delayFirstProbeS = 5;
    int gcStaleS = 60;
    int ucastSolicit = 3;
    int mcastSolicit = 3;
    int appSolicit;
    int unresQlenBytes = 212_992;
    int locktimeMs = 1000;
    int gcThresh1 = 128;
    int gcThresh2 = 512;
    int gcThresh3 = 1024;
    int gcIntervalS = 30;

    private long reachableTime;
    private long reachableChosen;
    private long lastFlush;

    public ArpCache(NetLoop loop, Devices devices, Inet inet, AddressTypes types, Sysctls sysctls) {
        this.loop = loop;
        this.devices = devices;
        this.inet = inet;
        this.types = types;
        registerSysctls(sysctls);
        devices.addPack(EtherType.ARP, this::rcv);
        devices.addListener(this::onNetdevEvent);
        chooseReachableTime();
        loop.schedule(gcTimer, gcIntervalS * SEC);
    }

    private void registerSysctls(Sysctls s) {
        String p = "net.ipv4.neigh.default.";
        s.registerInt(p + "base_reachable_time_ms", 1, Integer.MAX_VALUE, () -> baseReachableMs, v -> {
            baseReachableMs = v;
            chooseReachableTime();
        });
        s.registerInt(p + "retrans_time_ms", 1, Integer.MAX_VALUE, () -> retransMs, v -> retransMs = v);
        s.registerInt(p + "delay_first_probe_time", 0, Integer.MAX_VALUE, () -> delayFirstProbeS, v -> delayFirstProbeS = v);
        s.registerInt(p + "gc_stale_time", 0, Integer.MAX_VALUE, () -> gcStaleS, v -> gcStaleS = v);
        s.registerInt(p + "ucast_solicit", 0, 255, () -> ucastSolicit, v -> ucastSolicit = v);
        s.registerInt(p + "mcast_solicit", 0, 255, () -> mcastSolicit, v -> mcastSolicit = v);
        s.registerInt(p + "app_solicit", 0, 255, () -> appSolicit, v -> appSolicit = v);
        s.registerInt(p + "unres_qlen_bytes", 0, Integer.MAX_VALUE, () -> unresQlenBytes, v -> unresQlenBytes = v);
        s.registerInt(p + "locktime", 0, Integer.MAX_VALUE, () -> locktimeMs / 10, v -> locktimeMs = v * 10);
        s.registerInt(p + "gc_thresh1", 0, Integer.MAX_VALUE, () -> gcThresh1, v -> gcThresh1 = v);
        s.registerInt(p + "gc_thresh2", 0, Integer.MAX_VALUE, () -> gcThresh2, v -> gcThresh2 = v);
        s.registerInt(p + "gc_thresh3", 0, Integer.MAX_VALUE, () -> gcThresh3, v -> gcThresh3 = v);
        s.registerInt(p + "gc_interval", 1, Integer.MAX_VALUE, () -> gcIntervalS, v -> gcIntervalS = v);
    }

    /** Sets what happens to packets whose resolution failed (IPv4 sends host unreachable). */
    public void setErrorReport(Consumer<PacketBuffer> report) {
        this.errorReport = report;
    }

    public NeighStats stats() {
        return stats;
    }

    public int size() {
        return entries.size();
    }

    /** The reachable time now in force: base_reachable_time randomized to 0.5x..1.5x ({@code neigh_rand_reach_time}). */
    public long reachableTimeNanos() {
        return reachableTime;
    }

    private void chooseReachableTime() {
        long base = baseReachableMs * MS;
        reachableTime = base / 2 + (long) (loop.random().nextDouble() * base);
        reachableChosen = loop.now();
    }

    private static long key(int ip, int ifindex) {
        return EntryMap.key(ip, ifindex);
    }

    /** The entry for {@code ip} on {@code dev}, or null ({@code neigh_lookup}). */
    public ArpEntry lookup(int ip, NetDevice dev) {
        stats.lookups++;
        ArpEntry e = entries.get(key(ip, dev.ifindex()));
        if (e != null) {
            stats.hits++;
        }
        return e;
    }

    /** All entries, sorted by device then address (what {@code ip neigh show} lists). */
    public List<ArpEntry> list() {
        List<ArpEntry> out = entries.values();
        out.sort(Comparator.comparingInt((ArpEntry e) -> e.dev.ifindex()).thenComparingInt(e -> e.ip));
        return out;
    }

    /**
     * Creates an entry ({@code neigh_create}), collecting garbage first when the table is over
     * gc_thresh2 (and the last flush is over 5 s old) or at gc_thresh3. Returns null, counting
     * table_fulls, when the table is full of entries that cannot be collected.
     */
    private ArpEntry create(int ip, NetDevice dev) {
        long now = loop.now();
        int n = entries.size();
        if (n >= gcThresh3 || (n >= gcThresh2 && now - lastFlush > 5 * SEC)) {
            forcedGc();
            if (entries.size() >= gcThresh3) {
                stats.tableFulls++;
                return null;
            }
        }
        ArpEntry entry = new ArpEntry(ip, dev, this::timerHandler);
        entries.put(key(ip, dev.ifindex()), entry);
        stats.allocs++;
        entry.updated = now;
        entry.used = now;
        if (types.isBroadcast(ip, dev) || (ip & 0xf0000000) == 0xe0000000 || dev.noArp() || dev.isLoopback()) {
            // arp_constructor: no resolution for these; the address follows from the destination.
            entry.state = Nud.NOARP;
            entry.lladdr = staticLladdr(ip, dev);
        }
        return entry;
    }

    private long staticLladdr(int ip, NetDevice dev) {
        if (dev.isLoopback()) {
            return 0;
        }
        if ((ip & 0xf0000000) == 0xe0000000) {
            // RFC 1112 6.4: 01:00:5e followed by the low 23 bits of the group.
            return 0x01_00_5e_00_00_00L | (ip & 0x7fffff);
        }
        return dev.broadcastMac();
    }

    private void destroy(ArpEntry e) {
        loop.cancel(e.timer);
        dropQueue(e, DropReason.NEIGH_DEAD, false);
        entries.remove(key(e.ip, e.dev.ifindex()));
        stats.destroys++;
    }

    /** {@code neigh_forced_gc}: removes entries that are failed, or unused since the last flush, never fixed ones. */
    private void forcedGc() {
        stats.forcedGcRuns++;
        long now = loop.now();
        for (ArpEntry e : entries.values()) {
            if (e.state.fixed() && e.state != Nud.NOARP) {
                continue;
            }
            if (e.state == Nud.FAILED || e.state == Nud.NOARP || e.state == Nud.NONE || e.updated - lastFlush < 0
                    || (e.state == Nud.STALE && now - e.used > gcStaleS * SEC)) {
                if (e.state != Nud.INCOMPLETE) {
                    destroy(e);
                }
            }
        }
        lastFlush = now;
    }

    /** {@code neigh_periodic_work}: above gc_thresh1, failed and long-unused entries go. */
    private void periodicWork() {
        stats.periodicGcRuns++;
        long now = loop.now();
        if (now - reachableChosen > 300 * SEC) {
            chooseReachableTime();
        }
        if (entries.size() > gcThresh1) {
            for (ArpEntry e : entries.values()) {
                if (e.state == Nud.PERMANENT || e.timer.pending()) {
                    continue;
                }
                if (e.state == Nud.FAILED || now - e.used > gcStaleS * SEC) {
                    destroy(e);
                }
            }
        }
        loop.schedule(gcTimer, gcIntervalS * SEC / 2 + (long) (loop.random().nextDouble() * gcIntervalS * SEC));
    }

    // ---- output -------------------------------------------------------------------------------

    /**
     * Sends an IPv4 packet to {@code nextHop} on {@code dev}, resolving the link-layer address
     * first if needed ({@code neigh_output} / {@code neigh_resolve_output}). {@code skb.data()}
     * is at the IPv4 header. Takes ownership.
     */
    public void output(PacketBuffer skb, NetDevice dev, int nextHop) {
        if (dev.isLoopback() || dev.noArp()) {
            transmit(skb, dev, dev.isLoopback() ? 0 : dev.broadcastMac());
            return;
        }
        if (nextHop == 0xffffffff) {
            transmit(skb, dev, dev.broadcastMac());
            return;
        }
        ArpEntry e = entries.get(key(nextHop, dev.ifindex()));
        if (e == null) {
            e = create(nextHop, dev);
            if (e == null) {
                devices.drops().count(DropReason.NEIGH_FAILED);
                dev.stats().txDropped++;
                skb.free();
                return;
            }
        }
        long now = loop.now();
        e.used = now;
        switch (e.state) {
            case REACHABLE, PERMANENT, NOARP, DELAY, PROBE -> transmit(skb, dev, e.lladdr);
            case STALE -> {
                // neigh_event_send: a stale entry is used as is and verified shortly.
                e.state = Nud.DELAY;
                e.updated = now;
                loop.schedule(e.timer, delayFirstProbeS * SEC);
                transmit(skb, dev, e.lladdr);
            }
            case INCOMPLETE -> enqueue(e, skb);
            case NONE, FAILED -> {
                enqueue(e, skb);
                startResolution(e, now);
            }
        }
    }

    /** {@code __neigh_event_send} for an entry in NONE or FAILED: INCOMPLETE, and the first broadcast request. */
    private void startResolution(ArpEntry e, long now) {
        e.state = Nud.INCOMPLETE;
        e.updated = now;
        e.probes = ucastSolicit;
        solicit(e);
        loop.schedule(e.timer, Math.max(retransMs * MS, MS));
    }

    /**
     * Whether {@code ip} on {@code dev} has a usable link-layer address ({@code NUD_VALID});
     * if not, the entry is created if need be and resolution starts, with no packet waiting
     * ({@code neigh_event_send(n, NULL)}). Used before a redirect's new gateway is trusted.
     */
    public boolean validOrResolve(int ip, NetDevice dev) {
        ArpEntry e = entries.get(key(ip, dev.ifindex()));
        if (e == null) {
            e = create(ip, dev);
            if (e == null) {
                return false;
            }
        }
        if (e.state.valid()) {
            return true;
        }
        if (e.state == Nud.NONE || e.state == Nud.FAILED) {
            startResolution(e, loop.now());
        }
        return false;
    }

    private void transmit(PacketBuffer skb, NetDevice dev, long dstMac) {
        skb.protocol = EtherType.IPV4;
        Ethernet.pushHeader(skb, dev, dstMac);
        dev.queueXmit(skb);
    }

    /** Queues behind resolution, dropping the oldest while over unres_qlen_bytes ({@code __neigh_event_send}). */
    private void enqueue(ArpEntry e, PacketBuffer skb) {
        int size = skb.len() + SKB_OVERHEAD;
        while (!e.queue.isEmpty() && e.queueBytes + size > unresQlenBytes) {
            PacketBuffer old = e.queue.pollFirst();
            e.queueBytes -= old.len() + SKB_OVERHEAD;
            stats.unresolvedDiscards++;
            devices.drops().count(DropReason.NEIGH_QUEUEFULL);
            old.free();
        }
        if (size > unresQlenBytes) {
            stats.unresolvedDiscards++;
            devices.drops().count(DropReason.NEIGH_QUEUEFULL);
            skb.free();
            return;
        }
        e.queue.addLast(skb);
        e.queueBytes += size;
    }

    /** Sends every queued packet now that the address is known, in order. */
    private void releaseQueue(ArpEntry e) {
        PacketBuffer skb;
        while ((skb = e.queue.pollFirst()) != null) {
            transmit(skb, e.dev, e.lladdr);
        }
        e.queueBytes = 0;
    }

    private void dropQueue(ArpEntry e, DropReason reason, boolean report) {
        PacketBuffer skb;
        while ((skb = e.queue.pollFirst()) != null) {
            devices.drops().count(reason);
            if (report) {
                errorReport.accept(skb);
            }
            skb.free();
        }
        e.queueBytes = 0;
    }

    /** {@code neigh_timer_handler}. */
    private void timerHandler(ArpEntry e) {
        long now = loop.now();
        switch (e.state) {
            case REACHABLE -> {
                if (now - (e.confirmed + reachableTime) < 0) {
                    loop.scheduleAt(e.timer, e.confirmed + reachableTime);
                } else if (now - (e.used + delayFirstProbeS * SEC) < 0) {
                    e.state = Nud.DELAY;
                    e.updated = now;
                    loop.scheduleAt(e.timer, e.used + delayFirstProbeS * SEC);
                } else {
                    e.state = Nud.STALE;
                    e.updated = now;
                }
            }
            case DELAY -> {
                if (now - (e.confirmed + delayFirstProbeS * SEC) < 0) {
                    e.state = Nud.REACHABLE;
                    e.updated = now;
                    loop.scheduleAt(e.timer, e.confirmed + reachableTime);
                } else {
                    e.state = Nud.PROBE;
                    e.updated = now;
                    e.probes = 0;
                    probe(e);
                }
            }
            case INCOMPLETE, PROBE -> {
                int max = ucastSolicit + appSolicit + (e.state == Nud.INCOMPLETE ? mcastSolicit : 0);
                if (e.probes >= max) {
                    e.state = Nud.FAILED;
                    e.updated = now;
                    stats.resFailed++;
                    dropQueue(e, DropReason.NEIGH_FAILED, true);
                } else {
                    probe(e);
                }
            }
            default -> {
            }
        }
    }

    private void probe(ArpEntry e) {
        solicit(e);
        loop.schedule(e.timer, Math.max(retransMs * MS, MS));
    }

    /**
     * {@code arp_solicit}: the first {@code ucast_solicit} probes of an entry go unicast to its
     * known address, the rest broadcast. The source address is the queued packet's if it is
     * ours, else one chosen for the target's link.
     */
    private void solicit(ArpEntry e) {
        int n = e.probes++;
        long dstMac = n < ucastSolicit && e.lladdr != 0 && e.state == Nud.PROBE ? e.lladdr : e.dev.broadcastMac();
        int sip = 0;
        PacketBuffer queued = e.queue.peekLast();
        if (queued != null) {
            int src = Ipv4Header.src(queued.array(), queued.networkHeader() >= 0 ? queued.networkHeader() : queued.data());
            if (types.isLocal(src, e.dev)) {
                sip = src;
            }
        }
        if (sip == 0) {
            sip = inet.selectSourceAddress(e.dev, e.ip, IfAddr.SCOPE_LINK);
        }
        send(ArpPacket.OP_REQUEST, e.dev, e.ip, sip, dstMac, dstMac == e.dev.broadcastMac() ? 0 : dstMac);
    }

    /**
     * Sends an ARP packet ({@code arp_send}, {@code arp_create}): 28 bytes after the Ethernet
     * header and no padding, as Linux hands it to the driver; hardware NICs pad to the 60-byte
     * minimum themselves, veth and TAP do not, so neither does this stack.
     */
    private void send(int op, NetDevice dev, int targetIp, int senderIp, long dstMac, long targetHw) {
        PacketBuffer skb = loop.pool().alloc(ArpPacket.LEN);
        int off = skb.put(ArpPacket.LEN);
        byte[] b = skb.array();
        ArpPacket.setEthernetIpv4(b, off, op);
        ArpPacket.setSenderHw(b, off, dev.mac());
        ArpPacket.setSenderIp(b, off, senderIp);
        ArpPacket.setTargetHw(b, off, targetHw);
        ArpPacket.setTargetIp(b, off, targetIp);
        skb.resetNetworkHeader();
        skb.protocol = EtherType.ARP;
        Ethernet.pushHeader(skb, dev, dstMac);
        dev.queueXmit(skb);
    }

    /**
     * Announces {@code addr} on {@code dev} with a gratuitous ARP request (sender and target both
     * the address; RFC 5227 section 3), if the device's {@code arp_notify} allows.
     */
    public void announce(NetDevice dev, IfAddr addr) {
        InDevice in = InDevice.of(dev);
        if (in == null || in.conf().arpNotify == 0 || dev.noArp() || dev.isLoopback() || !dev.isUp()) {
            return;
        }
        int ip = addr.local().bits();
        send(ArpPacket.OP_REQUEST, dev, ip, ip, dev.broadcastMac(), 0);
    }

    // ---- input --------------------------------------------------------------------------------

    /**
     * {@code arp_rcv} + {@code arp_process}. Malformed or unacceptable packets are dropped and
     * counted, never thrown. Takes ownership.
     */
    private void rcv(PacketBuffer skb, NetDevice dev) {
        byte[] b = skb.array();
        int off = skb.data();
        if (dev.noArp() || skb.pktType == PktType.OTHERHOST || !ArpPacket.isEthernetIpv4(b, off, skb.len())) {
            invalid(skb);
            return;
        }
        int op = ArpPacket.operation(b, off);
        long sha = ArpPacket.senderHw(b, off);
        int sip = ArpPacket.senderIp(b, off);
        int tip = ArpPacket.targetIp(b, off);
        if ((op != ArpPacket.OP_REQUEST && op != ArpPacket.OP_REPLY) || (sha & (0x01L << 40)) != 0 || sha == 0
                || (tip & 0xf0000000) == 0xe0000000 || (sip & 0xf0000000) == 0xe0000000 || sip == 0xffffffff) {
            invalid(skb);
            return;
        }
        InDevice in = InDevice.of(dev);
        if (in == null) {
            invalid(skb);
            return;
        }
        boolean localnet = in.conf().routeLocalnet != 0 || inet.all().routeLocalnet != 0;
        if (!localnet && isLoopback(tip)) {
            // arp_process: "bad requests for 127.x.x.x" - loopback addresses are not on any link.
            invalid(skb);
            return;
        }
        boolean gratuitous = sip == tip;
        if (op == ArpPacket.OP_REQUEST && types.isLocal(tip, dev) && !gratuitous && (sip == 0 || validSender(in, dev, sip, localnet))) {
            if (skb.pktType == PktType.HOST) {
                stats.rcvProbesUcast++;
            } else {
                stats.rcvProbesMcast++;
            }
            if (sip == 0) {
                // Duplicate address detection (RFC 5227): answer to the prober's hardware address.
                send(ArpPacket.OP_REPLY, dev, 0, tip, sha, sha);
                skb.free();
                return;
            }
            if (replyAllowed(in, dev, sip, tip)) {
                eventNs(sip, dev, sha);
                send(ArpPacket.OP_REPLY, dev, sip, tip, sha, sha);
            }
            skb.free();
            return;
        }
        ArpEntry e = entries.get(key(sip, dev.ifindex()));
        if (e == null && gratuitous && in.conf().arpAccept != 0 && sip != 0) {
            e = create(sip, dev);
        }
        if (e != null && !e.state.fixed()) {
            long now = loop.now();
            boolean override = now - (e.updated + locktimeMs * MS) > 0 || gratuitous;
            Nud next = op == ArpPacket.OP_REPLY && skb.pktType == PktType.HOST ? Nud.REACHABLE : Nud.STALE;
            update(e, sha, next, override);
        }
        skb.free();
    }

    private static boolean isLoopback(int addr) {
        return (addr & 0xff000000) == 0x7f000000;
    }

    /**
     * Whether a request's sender address passes the input route Linux makes for it
     * ({@code ip_route_input_noref(skb, tip, sip, ...)} in {@code arp_process}): not loopback
     * (without route_localnet), not 0.0.0.0/8, not a broadcast address, and not one of our own
     * addresses (without accept_local). A request that fails is neither answered nor learned
     * from; it may still refresh an entry that exists, as Linux's does.
     */
    private boolean validSender(InDevice in, NetDevice dev, int sip, boolean localnet) {
        if ((!localnet && isLoopback(sip)) || (sip & 0xff000000) == 0 || types.isBroadcast(sip, dev)) {
            return false;
        }
        return in.conf().acceptLocal != 0 || !types.isLocal(sip, dev);
    }

    /** {@code arp_ignore}: 0 answers for any local address; 1 only for addresses on the receiving device; 2 also same subnet. */
    private boolean replyAllowed(InDevice in, NetDevice dev, int sip, int tip) {
        int mode = Math.max(in.conf().arpIgnore, inet.all().arpIgnore);
        return switch (mode) {
            case 0 -> true;
            case 1 -> in.hasAddress(tip);
            case 2 -> {
                for (IfAddr a : in.addresses()) {
                    if (a.local().bits() == tip && a.sameSubnet(sip)) {
                        yield true;
                    }
                }
                yield false;
            }
            default -> false;
        };
    }

    /** {@code neigh_event_ns}: a request from {@code sip} tells us its address; create or refresh as STALE. */
    private void eventNs(int sip, NetDevice dev, long sha) {
        ArpEntry e = entries.get(key(sip, dev.ifindex()));
        if (e == null) {
            e = create(sip, dev);
            if (e == null) {
                return;
            }
        }
        if (!e.state.fixed()) {
            update(e, sha, Nud.STALE, true);
        }
    }

    /**
     * {@code neigh_update} from the protocol. A different address is taken only with
     * {@code override}; a connected entry that is not overridden keeps its address.
     */
    private void update(ArpEntry e, long lladdr, Nud next, boolean override) {
        long now = loop.now();
        boolean changed = e.state.valid() && e.lladdr != lladdr;
        if (changed && !override) {
            return;
        }
        if (!changed && next == Nud.STALE && e.state.connected()) {
            // The same address heard again in a request is no news: keep the better state.
            return;
        }
        boolean wasResolved = e.state.valid();
        e.lladdr = lladdr;
        e.state = next;
        e.updated = now;
        if (next == Nud.REACHABLE) {
            e.confirmed = now;
            loop.schedule(e.timer, reachableTime);
        } else {
            loop.cancel(e.timer);
        }
        if (!wasResolved || !e.queue.isEmpty()) {
            releaseQueue(e);
        }
    }

    /** An upper layer saw two-way traffic ({@code neigh_confirm}): the entry is reachable now. */
    public void confirm(int ip, NetDevice dev) {
        ArpEntry e = entries.get(key(ip, dev.ifindex()));
        if (e != null && e.state.valid()) {
            e.confirmed = loop.now();
        }
    }

    private void invalid(PacketBuffer skb) {
        devices.drops().count(DropReason.ARP_INVALID);
        skb.free();
    }

    // ---- administration (ip neigh) --------------------------------------------------------------

    /**
     * {@code ip neigh add|replace ADDR lladdr MAC dev DEV nud STATE}. Add refuses an existing
     * entry with EEXIST; replace overwrites it.
     */
    public void add(int ip, NetDevice dev, long lladdr, Nud state, boolean replace) {
        if (state != Nud.PERMANENT && state != Nud.NOARP && state != Nud.REACHABLE && state != Nud.STALE) {
            throw new NetException(Errno.EINVAL, "nud state " + state + " cannot be set");
        }
        ArpEntry e = entries.get(key(ip, dev.ifindex()));
        if (e != null && !replace) {
            throw new NetException(Errno.EEXIST);
        }
        if (e == null) {
            e = create(ip, dev);
            if (e == null) {
                throw new NetException(Errno.ENOBUFS, "neighbour table overflow");
            }
        }
        long now = loop.now();
        e.lladdr = lladdr;
        e.state = state;
        e.updated = now;
        e.confirmed = now;
        loop.cancel(e.timer);
        if (state == Nud.REACHABLE) {
            loop.schedule(e.timer, reachableTime);
        }
        releaseQueue(e);
    }

    /** {@code ip neigh del ADDR dev DEV}: ENOENT when absent. */
    public void delete(int ip, NetDevice dev) {
        ArpEntry e = entries.get(key(ip, dev.ifindex()));
        if (e == null) {
            throw new NetException(Errno.ENOENT);
        }
        destroy(e);
    }

    /** {@code ip neigh flush [dev DEV]}: every entry except PERMANENT and NOARP; returns how many went. */
    public int flush(NetDevice dev) {
        int n = 0;
        for (ArpEntry e : entries.values()) {
            if ((dev == null || e.dev == dev) && !e.state.fixed()) {
                destroy(e);
                n++;
            }
        }
        return n;
    }

    /** {@code neigh_ifdown}: a device going down or away loses all its entries. */
    private void onNetdevEvent(NetdevEvent event, NetDevice dev) {
        if (event == NetdevEvent.DOWN || event == NetdevEvent.UNREGISTER || event == NetdevEvent.CHANGEADDR) {
            for (ArpEntry e : entries.values()) {
                if (e.dev == dev && (event != NetdevEvent.CHANGEADDR || !e.state.fixed())) {
                    destroy(e);
                }
            }
        }
    }

    /** Stops the GC timer and drops every entry (namespace teardown). */
    public void close() {
        loop.cancel(gcTimer);
        for (ArpEntry e : entries.values()) {
            destroy(e);
        }
    }
}
