package io.netstack4j.ipv4;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.Sysctls;
import io.netstack4j.time.Timer;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.Ipv4Header;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * IPv4 reassembly ({@code net/ipv4/ip_fragment.c} with {@code inet_fragment.c}; RFC 791
 * section 3.2, RFC 815, RFC 1858). Fragments are queued per (source, destination, ID,
 * protocol) in an {@link Ipq}; when the first and last fragments have arrived and the holes are
 * filled, the datagram is rebuilt in one buffer and local delivery goes on.
 *
 * <p>The rules are Linux's:
 * <ul>
 *   <li>a fragment whose data already lies entirely within queued contiguous data is a
 *       duplicate and is dropped alone;
 *   <li>any other overlap discards the whole datagram (RFC 5722's rule, which Linux applies to
 *       IPv4 too), which defeats teardrop and the RFC 1858 overlap attacks;
 *   <li>a zero-length fragment, a last fragment that contradicts the known end, or data past
 *       65535 bytes (ping of death) discards the datagram;
 *   <li>a queue lives {@code ipfrag_time} seconds from its creation; when it expires with the
 *       first fragment present, the sender gets ICMP time exceeded, code 1 (RFC 792, RFC 1122
 *       3.3.2);
 *   <li>all queued fragments are charged to a per-namespace memory counter (their buffers'
 *       true size); past {@code ipfrag_high_thresh} the oldest queues are evicted until it is
 *       below {@code ipfrag_low_thresh} (the classic {@code inet_frag_evictor}), so a fragment
 *       flood cannot grow memory without bound. Linux since 4.17 no longer evicts: past the
 *       high threshold it refuses every fragment until queues complete or time out. Evicting
 *       the oldest keeps new datagrams, legitimate ones among them, reassembling during a
 *       flood; memory is bounded either way;
 *   <li>each source has a fragment counter ({@code inet_peer}'s {@code rid}); when more than
 *       {@code ipfrag_max_dist} fragments from that source arrived between two fragments of
 *       one queue, the queue is stale (its ID has likely wrapped) and starts afresh with the
 *       new fragment ({@code ip_frag_too_far}, {@code ip_frag_reinit}).
 * </ul>
 * Every datagram given up counts ReasmFails (and ReasmTimeout or ReasmOverlaps for those
 * causes); each fragment taken counts ReasmReqds and each datagram rebuilt ReasmOKs.
 */
public final class IpDefrag {

    /** The largest IPv4 datagram: the total length field is 16 bits. */
    public static final int MAX_DATAGRAM = 0xffff;
    /** Bytes charged per queued buffer on top of its array, as the kernel's {@code sk_buff} overhead. */
    static final int BUFFER_OVERHEAD = 256;
    /** Bytes charged per queue ({@code struct ipq} and its hash entry). */
    static final int QUEUE_OVERHEAD = 256;
    /** Sources whose fragment counters are kept ({@code inet_peer_threshold}, 65536 + 128); the least recently used goes. */
    static final int MAX_PEERS = 65536 + 128;

    private final Ipv4 ipv4;
    private final LinkedHashMap<Key, Ipq> queues = new LinkedHashMap<>();
    private final Key probe = new Key();
    private long mem;
    private final LinkedHashMap<Integer, Peer> peers = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<Integer, Peer> eldest) {
            return size() > MAX_PEERS;
        }
    };

    int highThresh = 4 * 1024 * 1024;
    int lowThresh = 3 * 1024 * 1024;
    int timeSeconds = 30;
    int maxDist = 64;

    IpDefrag(Ipv4 ipv4, Sysctls sysctls) {
        this.ipv4 = ipv4;
        sysctls.registerInt("net.ipv4.ipfrag_high_thresh", 0, Integer.MAX_VALUE, () -> highThresh, v -> {
            highThresh = Math.max(v, lowThresh);
            evict();
        });
        sysctls.registerInt("net.ipv4.ipfrag_low_thresh", 0, Integer.MAX_VALUE, () -> lowThresh,
                v -> lowThresh = Math.min(v, highThresh));
        sysctls.registerInt("net.ipv4.ipfrag_time", 1, Integer.MAX_VALUE / 1000, () -> timeSeconds, v -> timeSeconds = v);
        sysctls.registerInt("net.ipv4.ipfrag_max_dist", 0, Integer.MAX_VALUE, () -> maxDist, v -> maxDist = v);
    }

    /** Bytes currently charged to queued fragments ({@code frag_mem_limit}). */
    public long memory() {
        return mem;
    }

    /** Datagrams being reassembled. */
    public int queueCount() {
        return queues.size();
    }

    /**
     * Takes one fragment ({@code ip_defrag}). Returns the whole datagram, network header at
     * {@code data()}, when this fragment completed it; otherwise null. Takes ownership of
     * {@code skb} either way.
     */
    PacketBuffer defrag(PacketBuffer skb) {
        ipv4.mib().inc(IpMib.ReasmReqds);
        byte[] b = skb.array();
        int nh = skb.networkHeader();
        probe.set(Ipv4Header.src(b, nh), Ipv4Header.dst(b, nh), Ipv4Header.ident(b, nh), Ipv4Header.protocol(b, nh));
        Ipq q = queues.get(probe);
        if (q == null) {
            q = new Ipq(probe.copy());
            if (maxDist > 0) {
                q.peer = peers.computeIfAbsent(probe.saddr, a -> new Peer());
            }
            queues.put(q.key, q);
            mem += QUEUE_OVERHEAD;
            ipv4.loop().schedule(q.timer, timeSeconds * 1_000_000_000L);
        }
        if (tooFar(q)) {
            reinit(q);
        }
        PacketBuffer whole = queue(q, skb);
        if (mem > highThresh) {
            evict();
        }
        return whole;
    }

    /**
     * {@code ip_frag_too_far}: counts this fragment against its source, and reports whether more
     * than {@code ipfrag_max_dist} of the source's fragments came since this queue's last one.
     */
    private boolean tooFar(Ipq q) {
        Peer peer = q.peer;
        if (peer == null || maxDist == 0) {
            return false;
        }
        int start = q.rid;
        int end = ++peer.rid;
        q.rid = end;
        boolean far = q.count > 0 && Integer.compareUnsigned(end - start, maxDist) > 0;
        if (far) {
            ipv4.mib().inc(IpMib.ReasmFails);
        }
        return far;
    }

    /** {@code ip_frag_reinit}: drops what the queue holds and starts it again, timer and all. */
    private void reinit(Ipq q) {
        ipv4.loop().cancel(q.timer);
        ipv4.loop().schedule(q.timer, timeSeconds * 1_000_000_000L);
        for (int i = 0; i < q.count; i++) {
            ipv4.drops().count(DropReason.FRAG_TOO_FAR);
            q.frags[i].free();
            q.frags[i] = null;
        }
        mem -= q.mem;
        q.mem = 0;
        q.count = 0;
        q.len = 0;
        q.meat = 0;
        q.firstIn = false;
        q.lastIn = false;
    }

    /** {@code ip_frag_queue}: places the fragment, and reassembles when nothing is missing. */
    private PacketBuffer queue(Ipq q, PacketBuffer skb) {
        byte[] b = skb.array();
        int nh = skb.networkHeader();
        int hlen = Ipv4Header.headerLength(b, nh);
        int start = Ipv4Header.fragmentOffset(b, nh);
        int end = start + skb.len() - hlen;
        boolean more = Ipv4Header.moreFragments(b, nh);
        if (end + hlen > MAX_DATAGRAM) {
            discard(q, skb, DropReason.FRAG_TOO_BIG);
            return null;
        }
        if (!more) {
            // The last fragment fixes the datagram's length; it must agree with what came before.
            if (end < q.len || (q.lastIn && end != q.len)) {
                discard(q, skb, DropReason.IP_FRAGMENT);
                return null;
            }
            q.lastIn = true;
            q.len = end;
        } else {
            // Only the last fragment may end off an 8-byte boundary; trim as Linux does.
            end &= ~7;
            if (end > q.len) {
                if (q.lastIn) {
                    discard(q, skb, DropReason.IP_FRAGMENT);
                    return null;
                }
                q.len = end;
            }
        }
        if (end <= start) {
            discard(q, skb, DropReason.IP_FRAGMENT);
            return null;
        }
        switch (q.insert(skb, start, end)) {
            case DUPLICATE -> {
                ipv4.drops().count(DropReason.DUP_FRAG);
                skb.free();
                return null;
            }
            case OVERLAP -> {
                ipv4.extMib().inc(IpExtMib.ReasmOverlaps);
                discard(q, skb, DropReason.FRAG_OVERLAP);
                return null;
            }
            case INSERTED -> {
            }
        }
        long charge = skb.capacity() + BUFFER_OVERHEAD;
        q.mem += charge;
        mem += charge;
        if (start == 0) {
            q.firstIn = true;
        }
        if (q.firstIn && q.lastIn && q.meat == q.len) {
            return reassemble(q);
        }
        return null;
    }

    /** {@code ip_frag_reasm}: copies the fragments into one buffer behind the first one's header. */
    private PacketBuffer reassemble(Ipq q) {
        PacketBuffer head = q.frags[0];
        byte[] hb = head.array();
        int hnh = head.networkHeader();
        int hlen = Ipv4Header.headerLength(hb, hnh);
        PacketBuffer whole = ipv4.loop().pool().alloc(hlen + q.len);
        int off = whole.put(hlen + q.len);
        byte[] w = whole.array();
        System.arraycopy(hb, hnh, w, off, hlen);
        for (int i = 0; i < q.count; i++) {
            PacketBuffer f = q.frags[i];
            byte[] fb = f.array();
            int fnh = f.networkHeader();
            int from = fnh + Ipv4Header.headerLength(fb, fnh);
            System.arraycopy(fb, from, w, off + hlen + q.starts[i], q.ends[i] - q.starts[i]);
        }
        Ipv4Header.setTotalLength(w, off, hlen + q.len);
        Ipv4Header.setFlagsFragment(w, off, Ipv4Header.dontFragment(hb, hnh), false, 0);
        Ipv4Header.fillChecksum(w, off);
        whole.resetNetworkHeader();
        whole.setTransportHeader(off + hlen);
        whole.copyMetadata(head);
        kill(q);
        ipv4.mib().inc(IpMib.ReasmOKs);
        return whole;
    }

    /** Gives up a datagram because of {@code skb}, which is freed with {@code reason}. */
    private void discard(Ipq q, PacketBuffer skb, DropReason reason) {
        ipv4.drops().count(reason);
        skb.free();
        kill(q);
        ipv4.mib().inc(IpMib.ReasmFails);
    }

    /** {@code inet_frag_kill}: unlinks the queue, stops its timer and frees what it holds. */
    private void kill(Ipq q) {
        queues.remove(q.key);
        release(q);
    }

    private void release(Ipq q) {
        ipv4.loop().cancel(q.timer);
        for (int i = 0; i < q.count; i++) {
            q.frags[i].free();
            q.frags[i] = null;
        }
        q.count = 0;
        mem -= q.mem + QUEUE_OVERHEAD;
        q.mem = 0;
    }

    /** {@code ip_expire}: the datagram did not complete in time. */
    private void expire(Ipq q) {
        if (queues.get(q.key) != q) {
            return;
        }
        ipv4.mib().inc(IpMib.ReasmFails);
        ipv4.mib().inc(IpMib.ReasmTimeout);
        ipv4.drops().count(DropReason.FRAG_REASM_TIMEOUT);
        if (q.firstIn && q.count > 0 && q.starts[0] == 0) {
            ipv4.icmp().send(q.frags[0], IcmpHeader.TIME_EXCEEDED, IcmpHeader.EXC_FRAGTIME, 0);
        }
        kill(q);
    }

    /** Evicts the oldest queues until memory is at or below the low threshold. */
    private void evict() {
        Iterator<Ipq> it = queues.values().iterator();
        while (mem > lowThresh && it.hasNext()) {
            Ipq q = it.next();
            it.remove();
            release(q);
            ipv4.mib().inc(IpMib.ReasmFails);
            ipv4.drops().count(DropReason.FRAG_MEMORY);
        }
    }

    /** Frees every queue without counting, as when the namespace goes away. */
    public void flush() {
        for (Ipq q : queues.values()) {
            release(q);
        }
        queues.clear();
        peers.clear();
    }

    /** The reassembly key ({@code struct frag_v4_compare_key}). */
    static final class Key {
        int saddr;
        int daddr;
        int id;
        int protocol;

        void set(int saddr, int daddr, int id, int protocol) {
            this.saddr = saddr;
            this.daddr = daddr;
            this.id = id;
            this.protocol = protocol;
        }

        Key copy() {
            Key k = new Key();
            k.set(saddr, daddr, id, protocol);
            return k;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.saddr == saddr && k.daddr == daddr && k.id == id && k.protocol == protocol;
        }

        @Override
        public int hashCode() {
            int h = saddr * 0x9E3779B1 ^ daddr * 0x85EBCA6B ^ (id << 8 | protocol) * 0xC2B2AE35;
            return h ^ h >>> 16;
        }
    }

    enum Placement { INSERTED, DUPLICATE, OVERLAP }

    /** A source's fragment counter ({@code struct inet_peer}'s {@code rid}). */
    static final class Peer {
        int rid;
    }

    /** Sources with a fragment counter. */
    public int peerCount() {
        return peers.size();
    }

    /**
     * One datagram being reassembled ({@code struct ipq}): its fragments sorted by offset,
     * non-overlapping, with the length known so far and how many bytes have arrived.
     */
    final class Ipq {
        final Key key;
        final Timer timer = new Timer(() -> expire(this));
        PacketBuffer[] frags = new PacketBuffer[4];
        int[] starts = new int[4];
        int[] ends = new int[4];
        int count;
        /** The datagram's payload length as far as known: the end of the last fragment, or the furthest end seen. */
        int len;
        /** Payload bytes queued. */
        int meat;
        boolean firstIn;
        boolean lastIn;
        long mem;
        /** The source's counter, and its value at this queue's last fragment. */
        Peer peer;
        int rid;

        Ipq(Key key) {
            this.key = key;
        }

        /**
         * Places [start, end) in offset order ({@code inet_frag_queue_insert}): a duplicate when
         * queued contiguous data already covers it, an overlap when it touches queued data
         * otherwise.
         */
        Placement insert(PacketBuffer skb, int start, int end) {
            // The first fragment ending after our start: everything before it ends at or before start.
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (ends[mid] <= start) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            int i = lo;
            if (i < count && starts[i] < end) {
                return covered(i, start, end) ? Placement.DUPLICATE : Placement.OVERLAP;
            }
            if (count == frags.length) {
                int n = count * 2;
                frags = Arrays.copyOf(frags, n);
                starts = Arrays.copyOf(starts, n);
                ends = Arrays.copyOf(ends, n);
            }
            System.arraycopy(frags, i, frags, i + 1, count - i);
            System.arraycopy(starts, i, starts, i + 1, count - i);
            System.arraycopy(ends, i, ends, i + 1, count - i);
            frags[i] = skb;
            starts[i] = start;
            ends[i] = end;
            count++;
            meat += end - start;
            return Placement.INSERTED;
        }

        /** True when fragments from {@code i} on cover [start, end) without a gap. */
        private boolean covered(int i, int start, int end) {
            if (starts[i] > start) {
                return false;
            }
            int reach = ends[i];
            for (int j = i + 1; reach < end && j < count && starts[j] == reach; j++) {
                reach = ends[j];
            }
            return reach >= end;
        }
    }
}
