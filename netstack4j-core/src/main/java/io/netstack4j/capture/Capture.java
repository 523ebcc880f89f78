package io.netstack4j.capture;

import io.netstack4j.core.ChecksumState;
import io.netstack4j.core.Devices;
import io.netstack4j.core.Errno;
import io.netstack4j.core.FrameTap;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.core.NetLoop;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.wire.Checksum;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A running capture of one device into a pcap file: {@code tcpdump -i DEV -w FILE [-c N]}.
 *
 * <p>Every frame the device sends (as handed to the driver, after the qdisc:
 * {@code dev_queue_xmit_nit}) and receives (with its Ethernet header, before the protocol
 * handlers: the {@code ptype_all} taps of {@code __netif_receive_skb_core}) is copied on the
 * loop thread into a preallocated {@link CaptureRing}, as {@code packet_rcv}/{@code tpacket_rcv}
 * copy into an {@code AF_PACKET} socket's ring, and written to the file by a
 * {@link PcapWriter} thread. The loop never blocks on the disk. A frame that finds the ring
 * full is lost and counted in {@link #dropped()} ({@code tp_drops}, which tcpdump prints as
 * "packets dropped by kernel").
 *
 * <p><b>Time stamps</b> come from the loop's clock. On a real-time loop the clock is mapped to
 * the wall clock once, when the capture starts, so the file shows real dates and intervals
 * exactly as the loop measured them. On a virtual clock a frame at virtual time {@code t}
 * is stamped {@link #VIRTUAL_EPOCH_NANOS} + {@code t}: runs with the same seed give identical
 * files.
 *
 * <p><b>Threads.</b> {@link #start} and {@link #stop} synchronise with the loop through
 * {@link NetLoop#call}: call them from the loop's owner in a simulation, or from any thread
 * while a real-time loop runs. The counters may be read from any thread.
 */
public final class Capture implements AutoCloseable {

    /** libpcap's default capture buffer on Linux, 2 MiB. */
    public static final int DEFAULT_RING_BYTES = 2 << 20;
    /** The time a virtual-clock capture starts from: 2000-01-01T00:00:00Z, in nanoseconds since 1970. */
    public static final long VIRTUAL_EPOCH_NANOS = 946_684_800L * 1_000_000_000L;

    private final NetDevice dev;
    private final Devices devices;
    private final NetLoop loop;
    private final CaptureRing ring;
    private final PcapWriter writer;
    private final int count;
    private final long epochOffset;
    private final FrameTap tap = this::frame;
    /** Loop-thread state; read elsewhere only for reporting. */
    private volatile boolean active;
    private volatile long received;
    private volatile long captured;
    private volatile long dropped;

    private Capture(NetDevice dev, CaptureRing ring, PcapWriter writer, int count) {
        this.dev = dev;
        this.devices = dev.devices();
        this.loop = dev.loop();
        this.ring = ring;
        this.writer = writer;
        this.count = count;
        this.epochOffset = loop.isVirtualTime() ? VIRTUAL_EPOCH_NANOS : wallClockNanos() - loop.now();
    }

    /** Starts capturing {@code dev} into {@code file} with a {@link #DEFAULT_RING_BYTES} ring. */
    public static Capture start(NetDevice dev, Path file, int count) throws IOException {
        return start(dev, file, count, DEFAULT_RING_BYTES);
    }

    /**
     * Starts capturing every frame {@code dev} sends and receives into {@code file}, which is
     * created or truncated. Like tcpdump, the device is put in promiscuous mode while the
     * capture runs.
     *
     * @param count stop after this many frames were captured; 0 for no limit
     * @param ringBytes size of the ring between the loop and the writer ({@code tcpdump -B})
     * @throws IOException if the file cannot be created
     * @throws NetException {@code ENODEV} if {@code dev} is not registered in a namespace
     */
    public static Capture start(NetDevice dev, Path file, int count, int ringBytes) throws IOException {
        if (count < 0) {
            throw new IllegalArgumentException("count must be 0 (no limit) or positive, got " + count);
        }
        requireRegistered(dev);
        CaptureRing ring = new CaptureRing(ringBytes, Pcap.SNAPLEN);
        return start(dev, ring, PcapWriter.start(ring, file), count);
    }

    /** Starts a capture with a given ring and its writer (tests hold the writer back with a slow stream). */
    static Capture start(NetDevice dev, CaptureRing ring, PcapWriter writer, int count) {
        try {
            requireRegistered(dev);
            Capture c = new Capture(dev, ring, writer, count);
            c.loop.run(c::attach);
            return c;
        } catch (RuntimeException e) {
            writer.finish();
            throw e;
        }
    }

    public NetDevice device() {
        return dev;
    }

    public Path file() {
        return writer.file();
    }

    /** Frames captured: copied into the ring, and written to the file once the capture is done. */
    public long packets() {
        return captured;
    }

    /** Frames the capture saw, captured or dropped ({@code tp_packets}: "received by filter"). */
    public long received() {
        return received;
    }

    /** Frames lost because the ring was full ({@code tp_drops}: "dropped by kernel"). */
    public long dropped() {
        return dropped;
    }

    /** True once the capture has stopped (count reached, stopped, or the file failed) and the file is closed. */
    public boolean isDone() {
        return writer.isDone();
    }

    /**
     * Waits until the capture ends by itself (the count was reached) or through {@link #stop}
     * from another thread, and the file is complete.
     *
     * @throws IOException if writing the file failed
     */
    public void awaitDone() throws InterruptedException, IOException {
        writer.await();
    }

    /**
     * Stops capturing and waits until everything captured so far is in the file and the file is
     * closed. Idempotent.
     *
     * @throws IOException if writing the file failed
     */
    public void stop() throws IOException {
        loop.run(this::detach);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    writer.await();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    private void attach() {
        active = true;
        devices.addTap(tap);
        dev.adjustPromiscuity(1);
    }

    /** Loop thread: no more frames; the writer finishes with what the ring holds. */
    private void detach() {
        if (!active) {
            return;
        }
        active = false;
        devices.removeTap(tap);
        dev.adjustPromiscuity(-1);
        writer.finish();
    }

    /**
     * Copies the frame into the ring. A packet with a partial checksum (received from an
     * offloading TAP, or about to be finished by one) is recorded with its checksum completed,
     * as it is or would be on the wire, so a capture reads clean; Linux's captures show such
     * packets unfinished (tcpdump's "incorrect cksum"). The packet's own bytes are put back.
     */
    private boolean offer(PacketBuffer skb, int offset, int length) {
        byte[] b = skb.array();
        int start = skb.csumStart;
        int at = start + skb.csumOffset;
        if (skb.checksum != ChecksumState.PARTIAL || start < offset || at + 2 > offset + length || at + 2 > skb.tail()) {
            return ring.offer(epochOffset + loop.now(), b, offset, length);
        }
        byte hi = b[at];
        byte lo = b[at + 1];
        int sum = Checksum.finish(Checksum.sum(b, start, skb.tail() - start, 0));
        if (sum == 0) {
            sum = 0xffff;
        }
        b[at] = (byte) (sum >>> 8);
        b[at + 1] = (byte) sum;
        boolean ok = ring.offer(epochOffset + loop.now(), b, offset, length);
        b[at] = hi;
        b[at + 1] = lo;
        return ok;
    }

    /** The tap, on the loop thread ({@code packet_rcv}). */
    private void frame(NetDevice d, boolean outgoing, PacketBuffer skb, int offset, int length) {
        if (d != dev || !active) {
            return;
        }
        if (writer.isDone()) {
            // The file failed; like a socket whose reader died, stop taking frames.
            detach();
            return;
        }
        received++;
        if (!offer(skb, offset, length)) {
            dropped++;
            return;
        }
        captured++;
        writer.wake();
        if (count > 0 && captured == count) {
            detach();
        }
    }

    private static void requireRegistered(NetDevice dev) {
        if (dev.devices() == null) {
            throw new NetException(Errno.ENODEV, dev.name() + ": No such device exists");
        }
    }

    private static long wallClockNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
