package io.netstack4j.core;

import java.util.ArrayDeque;

/**
 * Recycles {@link PacketBuffer}s and their byte arrays so the steady-state data path allocates
 * nothing, in the role of the kernel's skbuff slab caches. Arrays of the standard size (enough
 * for a 1500-byte MTU frame plus {@link #HEADROOM}) and of the large size (a 64 KiB offloaded
 * packet, which also serves requests above half of it) are pooled; other sizes are allocated on
 * demand and dropped on free. Both free lists are bounded, so a burst cannot pin memory forever.
 * Owned by one loop thread; not thread-safe.
 */
public final class PacketPool {

    /** Room reserved in front of every new packet for headers pushed on output (as LL_MAX_HEADER + MAX_HEADER). */
    public static final int HEADROOM = 128;
    /** Capacity of a standard array: headroom plus a maximal 1500-MTU Ethernet frame, rounded up. */
    public static final int STANDARD_CAPACITY = 2048;
    /** The most free buffers of each kind kept for reuse. */
    public static final int MAX_FREE = 8192;
    /**
     * Capacity of a large array: headroom plus the largest frame a device hands up in one piece,
     * a 64 KiB GRO/GSO packet (IP total length at most 65535) behind an Ethernet header and a
     * VLAN tag (128 + 65535 + 18), rounded up to 256. Pooled too, so receiving offloaded TCP
     * allocates nothing per packet.
     */
    public static final int LARGE_CAPACITY = 65792;
    /** The most free large arrays kept for reuse (about 8.4 MiB). */
    public static final int MAX_FREE_LARGE = 128;

    private final ArrayDeque<PacketBuffer> freeHeaders = new ArrayDeque<>();
    private final ArrayDeque<PacketBuffer.Data> freeData = new ArrayDeque<>();
    private final ArrayDeque<PacketBuffer.Data> freeLarge = new ArrayDeque<>();
    private long allocated;
    private long live;

    /**
     * A new empty buffer with {@link #HEADROOM} reserved in front and room for {@code size}
     * bytes after it. The caller owns it.
     */
    public PacketBuffer alloc(int size) {
        return allocWithHeadroom(HEADROOM, size);
    }

    /** A new empty buffer with {@code headroom} bytes in front and room for {@code size} bytes. */
    public PacketBuffer allocWithHeadroom(int headroom, int size) {
        if (size < 0 || headroom < 0) {
            throw new IllegalArgumentException("negative size " + size + " or headroom " + headroom);
        }
        PacketBuffer b = header();
        b.attach(data(headroom + size), headroom);
        return b;
    }

    PacketBuffer allocCapacity(int capacity) {
        PacketBuffer b = header();
        b.attach(data(capacity), 0);
        return b;
    }

    PacketBuffer header() {
        PacketBuffer b = freeHeaders.pollFirst();
        if (b == null) {
            b = new PacketBuffer(this);
        }
        b.resetMetadata();
        live++;
        return b;
    }

    PacketBuffer.Data data(int capacity) {
        PacketBuffer.Data d = null;
        if (capacity <= STANDARD_CAPACITY) {
            d = freeData.pollFirst();
            if (d == null) {
                d = new PacketBuffer.Data(STANDARD_CAPACITY);
                allocated++;
            }
        } else if (capacity > LARGE_CAPACITY / 2 && capacity <= LARGE_CAPACITY) {
            // Only sizes near the large one: a jumbo frame in a 64 KiB array would be charged
            // (truesize) several times its size against a socket's receive buffer.
            d = freeLarge.pollFirst();
            if (d == null) {
                d = new PacketBuffer.Data(LARGE_CAPACITY);
                allocated++;
            }
        } else {
            d = new PacketBuffer.Data(capacity);
            allocated++;
        }
        d.users = 1;
        return d;
    }

    void release(PacketBuffer b) {
        PacketBuffer.Data d = b.shared;
        if (d == null) {
            throw new IllegalStateException("PacketBuffer freed twice");
        }
        if (--d.users == 0) {
            if (d.bytes.length == STANDARD_CAPACITY && freeData.size() < MAX_FREE) {
                freeData.addFirst(d);
            } else if (d.bytes.length == LARGE_CAPACITY && freeLarge.size() < MAX_FREE_LARGE) {
                freeLarge.addFirst(d);
            }
        }
        b.clearData();
        b.resetMetadata();
        live--;
        if (freeHeaders.size() < MAX_FREE) {
            freeHeaders.addFirst(b);
        }
    }

    /** Buffers handed out and not yet freed; a leak check for tests. */
    public long live() {
        return live;
    }

    /** Byte arrays ever allocated by this pool. */
    public long arraysAllocated() {
        return allocated;
    }
}
