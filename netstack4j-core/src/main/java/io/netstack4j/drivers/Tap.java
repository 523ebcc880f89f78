package io.netstack4j.drivers;

import io.netstack4j.core.ChecksumState;
import io.netstack4j.core.DropReason;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetLoop;
import io.netstack4j.core.PacketBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A device whose other end is a TAP interface of the Linux kernel ({@code drivers/net/tun.c}
 * seen from user space): every frame this device transmits appears as received on the kernel's
 * interface, and every frame the kernel sends there is received here.
 *
 * <p>The driver is built like a NIC's. A reader thread plays the hardware: it waits in
 * {@code poll(2)} on the TAP and reads frames ({@code tun_do_read}) straight into a preallocated
 * receive ring in native memory, as a NIC DMAs into its RX descriptors. When the
 * ring goes from empty to non-empty it raises one "interrupt": a single task on the
 * {@link NetLoop} that schedules this device's NAPI poll. The poll, on the loop thread, copies
 * each frame into a pooled buffer and hands it to the stack ({@link #netifRx}). So frames cross
 * threads only through the ring, and the loop is woken once per burst, not per frame. When the
 * ring is full the reader stops reading, so frames wait in the kernel's TAP queue (and the
 * kernel drops and counts them if that fills) instead of being read only to be thrown away; the
 * reader thread never touches the stack's state.
 *
 * <p>Transmit ({@code tun_get_user} on the kernel side) writes the frame from the loop thread
 * straight out of the pooled {@code byte[]} with one {@code write(2)}, no copy; a full kernel
 * queue ({@code EAGAIN}) drops and counts the frame as a TX drop.
 *
 * <p>The kernel interface is created non-persistent: it disappears when this device is deleted
 * (or the JVM exits). It may be moved into another kernel network namespace and keeps working.
 * MTU is limited to {@link #MAX_MTU}.
 *
 * <p>Offloads: the TAP is opened with {@code IFF_VNET_HDR} and {@code TUN_F_CSUM | TUN_F_TSO4},
 * so every read and write carries a {@link VirtioNetHdr}, and the kernel sends IPv4 TCP as GSO
 * frames of up to 64 KiB with the checksum left partial instead of segmenting them to the MTU:
 * one read and one trip through the stack per 64 KiB rather than per 1500 bytes, as a virtio
 * guest with GRO. They go up whole, a packet longer than the MTU, as GRO packets do in Linux.
 * Transmit sends an empty header: no segmentation or checksum offload is asked of the kernel.
 */
public final class Tap extends NetDevice {

    /** Receive ring records; a power of two. */
    static final int RING_SLOTS = 1024;
    /** The largest MTU the device accepts. */
    public static final int MAX_MTU = 9000;
    /**
     * The most one read returns: the {@code virtio_net_hdr} and a 64 KiB GSO frame (IP total
     * length at most 65535, behind an Ethernet header and a VLAN tag).
     */
    static final int MAX_RECORD = VirtioNetHdr.LEN + 65535 + 18;
    /** Records start on 64-byte boundaries; the most room one takes. */
    static final int RECORD_ALIGN = 64;
    static final int MAX_SPAN = (MAX_RECORD + RECORD_ALIGN - 1) & -RECORD_ALIGN;
    /**
     * The receive ring's bytes. Records are variable-size and contiguous, so the ring holds
     * {@link #RING_SLOTS} ordinary frames or about 60 64 KiB GSO frames in 4 MiB, where fixed
     * 64 KiB slots would need 64 MiB for the same count.
     */
    static final int RING_BYTES = 4 << 20;

    private final String kernelName;
    private final int fd;
    private final int wakeFd;
    private final Arena ringArena = Arena.ofShared();
    private final MemorySegment ring;
    /** Where each record starts in {@link #ring} and how long it is (header included). */
    private final int[] offsets = new int[RING_SLOTS];
    private final int[] lengths = new int[RING_SLOTS];
    // A single-producer, single-consumer ring: each index has one writer, and the volatile
    // write that publishes it orders the record's bytes, offset and length before it.
    /** Next record the loop consumes; written by the loop only. */
    private volatile long head;
    /** Next record the reader fills; written by the reader only. */
    private volatile long tail;
    /** Where the reader writes the next record; the reader's own. */
    private int writePos;
    private final AtomicBoolean interruptPending = new AtomicBoolean();
    private final Runnable interrupt = this::interrupt;
    /** The loop's copy of a received record's header, parsed from the heap. */
    private final byte[] rxHdr = new byte[VirtioNetHdr.LEN];
    /** The loop's save of the bytes a transmitted frame's header overwrites. */
    private final byte[] txSaved = new byte[VirtioNetHdr.LEN];
    /** Scratch for the header of a frame with no headroom, which goes out through {@link #txBounce}. */
    private final byte[] txHdr = new byte[2 * VirtioNetHdr.LEN];
    /** For a frame with no headroom for the header: header and frame copied here. */
    private MemorySegment txBounce;
    private final Arena txArena = Arena.ofAuto();
    private MemorySegment txErrno;
    private final Thread reader;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Tap(String name, String kernelName, long mac, int fd, int wakeFd) {
        super(name, mac, IFF_BROADCAST | IFF_MULTICAST);
        this.kernelName = kernelName;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.ring = ringArena.allocate(RING_BYTES, RECORD_ALIGN);
        this.reader = Thread.ofPlatform().name("tap-" + kernelName).daemon(true).unstarted(this::readLoop);
    }

    /**
     * Opens (creating if absent) the kernel TAP interface {@code kernelName} and returns a device
     * {@code name} attached to it, not yet registered in a namespace.
     *
     * @throws io.netstack4j.core.NetException with the kernel's errno when /dev/net/tun cannot
     *     be opened (ENOENT), the process lacks CAP_NET_ADMIN (EPERM), or the name is taken by
     *     another kind of interface or another process (EBUSY, EINVAL)
     */
    public static Tap open(String name, String kernelName, long mac) {
        checkName(name);
        checkName(kernelName);
        int fd = LinuxTun.openTap(kernelName, VirtioNetHdr.LEN, LinuxTun.TUN_F_CSUM | LinuxTun.TUN_F_TSO4);
        int wake;
        try {
            wake = LinuxTun.eventfd();
        } catch (RuntimeException e) {
            LinuxTun.close(fd);
            throw e;
        }
        Tap tap = new Tap(name, kernelName, mac, fd, wake);
        tap.reader.start();
        return tap;
    }

    /**
     * Null when this process can create TAP interfaces; otherwise one line saying why not (no
     * /dev/net/tun, no CAP_NET_ADMIN). Probes by creating and closing a throwaway interface.
     */
    public static String unavailableReason() {
        String probe = "n4jprobe" + Long.toHexString(System.nanoTime() & 0xfffffL);
        try {
            LinuxTun.close(LinuxTun.openTap(probe));
            return null;
        } catch (RuntimeException | LinkageError e) {
            return "TAP unavailable: " + e.getMessage();
        }
    }

    /** The kernel interface this device is bound to. */
    public String kernelName() {
        return kernelName;
    }

    @Override
    public String kind() {
        return "tap";
    }

    @Override
    public int maxMtu() {
        return MAX_MTU;
    }

    // Transmit: the loop thread writes straight from the pooled array.

    @Override
    protected void startXmit(PacketBuffer skb) {
        if (closed.get()) {
            dropTx(skb, DropReason.DEV_READY);
            return;
        }
        if (txErrno == null) {
            txErrno = LinuxTun.errnoBuffer(txArena);
        }
        long n = writeWithHeader(skb);
        if (n == -LinuxTun.EAGAIN) {
            dropTx(skb, DropReason.FULL_RING);
            return;
        }
        if (n < 0) {
            stats().txErrors++;
            dropTx(skb, DropReason.DEV_READY);
            return;
        }
        skb.free();
    }

    /**
     * Writes the {@code virtio_net_hdr} and the frame with one {@code write(2)}. Our stack fills
     * in every checksum of what it makes and sends nothing larger than the MTU, so the header
     * asks for nothing; only a packet forwarded as it came from an offloading device (partial
     * checksum, GSO) asks the kernel to finish it ({@link VirtioNetHdr#writeTx}). The header goes
     * in the frame's headroom, whose bytes are saved and put back (another clone of a shared
     * buffer may have its own header there); a frame without that headroom is copied after the
     * header into a native buffer instead.
     */
    private long writeWithHeader(PacketBuffer skb) {
        byte[] b = skb.array();
        int len = skb.len();
        int start = skb.data() - VirtioNetHdr.LEN;
        if (start >= 0) {
            System.arraycopy(b, start, txSaved, 0, VirtioNetHdr.LEN);
            VirtioNetHdr.writeTx(b, skb.data(), len, skb.checksum, skb.csumStart, skb.csumOffset, skb.gsoSize, mtu());
            MemorySegment frame = MemorySegment.ofArray(b).asSlice(start, VirtioNetHdr.LEN + len);
            long n = LinuxTun.write(txErrno, fd, frame, VirtioNetHdr.LEN + len);
            System.arraycopy(txSaved, 0, b, start, VirtioNetHdr.LEN);
            return n;
        }
        if (len > MAX_RECORD - VirtioNetHdr.LEN) {
            return -LinuxTun.EINVAL;
        }
        if (txBounce == null) {
            txBounce = txArena.allocate(MAX_RECORD, RECORD_ALIGN);
        }
        // Rare: build the header in a scratch array whose frame starts at LEN.
        VirtioNetHdr.writeTx(txHdr, VirtioNetHdr.LEN, len, skb.checksum, skb.csumStart - skb.data() + VirtioNetHdr.LEN,
                skb.csumOffset, 0, mtu());
        MemorySegment.copy(txHdr, 0, txBounce, ValueLayout.JAVA_BYTE, 0, VirtioNetHdr.LEN);
        MemorySegment.copy(b, skb.data(), txBounce, ValueLayout.JAVA_BYTE, VirtioNetHdr.LEN, len);
        return LinuxTun.write(txErrno, fd, txBounce, VirtioNetHdr.LEN + len);
    }

    /** As Linux's {@code tun} with vnet headers: partial checksums and TCPv4 GSO go to the kernel to finish. */
    @Override
    protected boolean offloadsTx() {
        return true;
    }

    // Receive: the reader thread fills the ring; the loop drains it in poll().

    private void readLoop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LinuxTun.errnoBuffer(arena);
            MemorySegment pollfds = arena.allocate(16, 8);
            pollfds.set(ValueLayout.JAVA_INT, 0, fd);
            pollfds.set(ValueLayout.JAVA_SHORT, 4, LinuxTun.POLLIN);
            pollfds.set(ValueLayout.JAVA_INT, 8, wakeFd);
            pollfds.set(ValueLayout.JAVA_SHORT, 12, LinuxTun.POLLIN);
            while (!closed.get()) {
                pollfds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                pollfds.set(ValueLayout.JAVA_SHORT, 14, (short) 0);
                int n = LinuxTun.poll(state, pollfds, 2, -1);
                if (n == -LinuxTun.EINTR) {
                    continue;
                }
                if (n < 0 || pollfds.get(ValueLayout.JAVA_SHORT, 14) != 0) {
                    return;
                }
                if (pollfds.get(ValueLayout.JAVA_SHORT, 6) != 0) {
                    drainKernel(state);
                }
            }
        }
    }

    /** Reads every frame the kernel has queued into the ring; raises the interrupt once. */
    private void drainKernel(MemorySegment state) {
        boolean published = false;
        while (true) {
            long t = tail;
            int pos = roomAt(t);
            if (pos < 0) {
                // Ring full: leave the frames in the kernel's queue (its txqueuelen), as a NIC
                // whose ring is full backs up into the wire, rather than reading and dropping
                // them; the loop is told, and the reader waits a little for space.
                if (published) {
                    raiseInterrupt();
                }
                published = false;
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                if (closed.get()) {
                    return;
                }
                continue;
            }
            long n = LinuxTun.readAt(state, fd, ring.address() + pos, MAX_RECORD);
            if (n < 0) {
                break; // EAGAIN: nothing more queued (or the descriptor is going away)
            }
            int slot = (int) (t & (RING_SLOTS - 1));
            offsets[slot] = pos;
            lengths[slot] = (int) n;
            writePos = pos + (((int) n + RECORD_ALIGN - 1) & -RECORD_ALIGN);
            tail = t + 1;
            published = true;
        }
        if (published) {
            raiseInterrupt();
        }
    }

    /**
     * Where the next record of up to {@link #MAX_RECORD} bytes can go, or -1 when the ring has
     * no room: a free record slot and {@link #MAX_SPAN} contiguous free bytes. The bytes in use
     * run from the oldest unconsumed record to {@link #writePos}, possibly wrapping; a record
     * never wraps, so when the end of the ring is too short the next one starts at 0. The gap
     * left before the oldest record is kept non-empty, so a full ring never looks empty.
     */
    private int roomAt(long t) {
        long h = head;
        if (t - h >= RING_SLOTS) {
            return -1;
        }
        if (t == h) {
            return 0; // empty: the loop has copied out every record
        }
        int oldest = offsets[(int) (h & (RING_SLOTS - 1))];
        int pos = writePos;
        if (pos >= oldest) {
            if (pos + MAX_SPAN <= RING_BYTES) {
                return pos;
            }
            return MAX_SPAN < oldest ? 0 : -1;
        }
        return pos + MAX_SPAN < oldest ? pos : -1;
    }

    /** Tells the loop, once per burst, that the ring has frames (the "interrupt"). */
    private void raiseInterrupt() {
        if (interruptPending.compareAndSet(false, true)) {
            NetLoop loop = loop();
            if (loop != null) {
                loop.execute(interrupt);
            } else {
                interruptPending.set(false);
            }
        }
    }

    /** On the loop: the "interrupt handler" schedules the NAPI poll. */
    private void interrupt() {
        interruptPending.set(false);
        if (devices() != null) {
            loop().napiSchedule(this);
        }
    }

    /**
     * Moves up to {@code budget} frames from the ring into pooled buffers and the backlog, then
     * processes the backlog ({@code tun}'s NAPI poll followed by {@code process_backlog}).
     */
    @Override
    public int poll(int budget) {
        long h = head;
        long t = tail;
        int moved = 0;
        while (h < t && moved < budget && devices() != null) {
            int slot = (int) (h & (RING_SLOTS - 1));
            receive(offsets[slot], lengths[slot]);
            h++;
            head = h;
            moved++;
        }
        return moved + super.poll(budget);
    }

    /**
     * Copies one record into a pooled buffer and hands it to the stack with the checksum state
     * its {@code virtio_net_hdr} gives ({@code tun_get_user} → {@code virtio_net_hdr_to_skb} on
     * the kernel's side of a virtio NIC): a GSO TCPv4 frame goes up whole, one large packet as
     * GRO would have made it, with {@code gsoSize} set to the sender's MSS. A bad header drops
     * the frame, counted as an rx_error with {@link DropReason#DEV_HDR}.
     */
    private void receive(int at, int n) {
        int flen = n - VirtioNetHdr.LEN;
        if (flen <= 0) {
            rxHeaderError();
            return;
        }
        MemorySegment.copy(ring, ValueLayout.JAVA_BYTE, at, rxHdr, 0, VirtioNetHdr.LEN);
        PacketBuffer skb = pool().alloc(flen);
        int off = skb.put(flen);
        MemorySegment.copy(ring, ValueLayout.JAVA_BYTE, at + VirtioNetHdr.LEN, skb.array(), off, flen);
        switch (VirtioNetHdr.check(rxHdr, 0, skb.array(), off, flen)) {
            case NONE -> { }
            case VALID -> skb.checksum = ChecksumState.UNNECESSARY;
            case PARTIAL -> {
                skb.checksum = ChecksumState.PARTIAL;
                skb.csumStart = off + VirtioNetHdr.csumStart(rxHdr, 0);
                skb.csumOffset = VirtioNetHdr.csumOffset(rxHdr, 0);
                if (VirtioNetHdr.gsoType(rxHdr, 0) != VirtioNetHdr.GSO_NONE) {
                    skb.gsoSize = VirtioNetHdr.gsoSize(rxHdr, 0);
                }
            }
            case INVALID -> {
                skb.free();
                rxHeaderError();
                return;
            }
        }
        netifRx(skb);
    }

    private void rxHeaderError() {
        stats().rxErrors++;
        if (devices() != null) {
            devices().drops().count(DropReason.DEV_HDR);
        }
    }

    @Override
    public boolean hasWork() {
        return super.hasWork() || head != tail;
    }

    // Lifetime.

    @Override
    protected void uninit() {
        close();
    }

    /**
     * Stops the reader and closes the TAP, which removes the kernel interface. Safe to call
     * more than once; a closed device drops what it is asked to send.
     */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            LinuxTun.write(LinuxTun.errnoBuffer(arena), wakeFd, one, 8);
        }
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LinuxTun.close(fd);
        LinuxTun.close(wakeFd);
        if (!reader.isAlive()) {
            ringArena.close();
        }
        setCarrier(false);
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public String toString() {
        return name() + "(tap " + kernelName + ")";
    }
}
