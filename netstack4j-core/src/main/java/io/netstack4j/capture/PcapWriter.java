package io.netstack4j.capture;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread that drains a {@link CaptureRing} into a pcap file: the part {@code tcpdump -w}
 * plays when it reads the {@code TPACKET} ring and calls {@code pcap_dump}. It writes the file
 * header, then whatever the ring holds, flushing to the file whenever the ring runs empty, and
 * finishes once {@link #finish()} was called and the ring is empty; the file is then complete
 * and closed.
 *
 * <p>The producer calls {@link #wake()} after each record; it unparks the writer only when the
 * writer has gone to sleep on an empty ring, so a busy capture costs one volatile read per frame.
 */
public final class PcapWriter {

    /** How long the writer sleeps on an empty ring before looking again, a guard against a lost wake-up. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final CaptureRing ring;
    private final OutputStream out;
    private final Path file;
    private final Thread thread;
    private volatile boolean sleeping;
    private volatile boolean finishing;
    private volatile boolean done;
    private volatile IOException failure;
    private volatile long bytesWritten;

    private PcapWriter(CaptureRing ring, OutputStream out, Path file) {
        this.ring = ring;
        this.out = out;
        this.file = file;
        this.thread = Thread.ofPlatform().name("pcap-writer " + file.getFileName()).daemon(true).unstarted(this::run);
    }

    /**
     * Creates or truncates {@code file} (as {@code tcpdump -w} does) and starts draining
     * {@code ring} into it.
     *
     * @throws IOException if the file cannot be opened; nothing is started then
     */
    public static PcapWriter start(CaptureRing ring, Path file) throws IOException {
        return start(ring, new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), file);
    }

    /** Drains {@code ring} into {@code out}, which the writer closes at the end; {@code file} names it. */
    static PcapWriter start(CaptureRing ring, OutputStream out, Path file) {
        PcapWriter w = new PcapWriter(ring, out, file);
        w.thread.start();
        return w;
    }

    public Path file() {
        return file;
    }

    /** Producer side: a record was published; wakes the writer if it sleeps. Never blocks. */
    public void wake() {
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * No more records will be offered: the writer drains what the ring holds, closes the file
     * and ends. Call it after the last {@link CaptureRing#offer}, on the producer's thread or
     * after synchronising with it. Idempotent.
     */
    public void finish() {
        finishing = true;
        LockSupport.unpark(thread);
    }

    public boolean isDone() {
        return done;
    }

    /** Bytes written to the file so far, the file header included. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** The error that stopped the writer, or null. */
    public IOException failure() {
        return failure;
    }

    /**
     * Waits until the file is complete and closed.
     *
     * @throws IOException if writing failed (the file holds what was written before)
     */
    public void await() throws InterruptedException, IOException {
        thread.join();
        if (failure != null) {
            throw failure;
        }
    }

    private void run() {
        try (OutputStream o = out) {
            o.write(Pcap.fileHeader(ring.snaplen()));
            long written = Pcap.FILE_HEADER_LEN;
            while (true) {
                long n = ring.drainTo(o);
                if (n > 0) {
                    written += n;
                    bytesWritten = written;
                    continue;
                }
                if (finishing) {
                    // The producer published its last record before setting finishing.
                    n = ring.drainTo(o);
                    written += n;
                    break;
                }
                o.flush();
                bytesWritten = written;
                sleeping = true;
                if (ring.used() == 0 && !finishing) {
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                }
                sleeping = false;
            }
            o.flush();
            bytesWritten = written;
        } catch (IOException e) {
            failure = e;
        } finally {
            done = true;
        }
    }
}
