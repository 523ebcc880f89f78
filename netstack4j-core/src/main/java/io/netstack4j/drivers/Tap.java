package io.netstack4j.drivers;

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
 * {@code poll(2)} on the TAP and reads frames ({@code tun_do_read}) straight into the slots of a
 * preallocated receive ring in native memory, as a NIC DMAs into its RX descriptors. When the
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
 * MTU is limited to {@link #MAX_MTU}, the receive slots' size.
 */
public final class Tap extends NetDevice {

    /** Receive ring slots; a power of two. */
    static final int RING_SLOTS = 1024;
    /** The largest MTU: receive slots hold an Ethernet frame of this MTU plus header and VLAN tag. */
    public static final int MAX_MTU = 9000;
    static final int SLOT_SIZE = MAX_MTU + 18;

    private final String kernelName;
    private final int fd;
    private final int wakeFd;
    private final Arena ringArena = Arena.ofShared();
    private final MemorySegment slots;
    /** One view per slot, made once so the reader allocates nothing per frame. */
    private final MemorySegment[] slotViews = new MemorySegment[RING_SLOTS];
    private final int[] lengths = new int[RING_SLOTS];
    // A single-producer, single-consumer ring: each index has one writer, and the volatile
    // write that publishes it orders the slot contents before it.
    /** Next slot the loop consumes; written by the loop only. */
    private volatile long head;
    /** Next slot the reader fills; written by the reader only. */
    private volatile long tail;
    /** Frames the reader dropped because the ring was full (reader writes, loop reads). */
    private final AtomicBoolean interruptPending = new AtomicBoolean();
    private final Runnable interrupt = this::interrupt;
    private final Arena txArena = Arena.ofAuto();
    private MemorySegment txErrno;
    private final Thread reader;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Tap(String name, String kernelName, long mac, int fd, int wakeFd) {
        super(name, mac, IFF_BROADCAST | IFF_MULTICAST);
        this.kernelName = kernelName;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.slots = ringArena.allocate((long) SLOT_SIZE * RING_SLOTS, 64);
        for (int i = 0; i < RING_SLOTS; i++) {
            slotViews[i] = slots.asSlice((long) i * SLOT_SIZE, SLOT_SIZE);
        }
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
        int fd = LinuxTun.openTap(kernelName);
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
        MemorySegment frame = MemorySegment.ofArray(skb.array()).asSlice(skb.data(), skb.len());
        long n = LinuxTun.write(txErrno, fd, frame, skb.len());
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
            if (t - head >= RING_SLOTS) {
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
            MemorySegment into = slotViews[(int) (t & (RING_SLOTS - 1))];
            long n = LinuxTun.read(state, fd, into, SLOT_SIZE);
            if (n < 0) {
                break; // EAGAIN: nothing more queued (or the descriptor is going away)
            }
            lengths[(int) (t & (RING_SLOTS - 1))] = (int) n;
            tail = t + 1;
            published = true;
        }
        if (published) {
            raiseInterrupt();
        }
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
            int len = lengths[slot];
            PacketBuffer skb = pool().alloc(len);
            int off = skb.put(len);
            MemorySegment.copy(slots, ValueLayout.JAVA_BYTE, (long) slot * SLOT_SIZE, skb.array(), off, len);
            h++;
            head = h;
            netifRx(skb);
            moved++;
        }
        return moved + super.poll(budget);
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
