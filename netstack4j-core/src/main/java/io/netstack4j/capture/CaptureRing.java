package io.netstack4j.capture;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A bounded single-producer, single-consumer byte ring holding pcap records (record header and
 * frame bytes) in capture order: the {@code TPACKET} ring of an {@code AF_PACKET} socket. The
 * producer is the loop thread, which copies a frame in without allocating and learns at once
 * whether it fit; the consumer is the writer thread, which copies whole runs of records out.
 *
 * <pre>
 *   buf:  [ ... consumed ... | records not yet written | free ............ ]
 *                            ^ head % capacity         ^ tail % capacity
 *   head and tail count bytes since the start and only grow; tail - head is the fill level.
 * </pre>
 *
 * The producer writes the bytes first and then publishes them by advancing {@code tail}
 * (a volatile write); the consumer advances {@code head} only after the bytes are out, so the
 * producer never overwrites a record that has not been written.
 */
public final class CaptureRing {

    private final byte[] buf;
    private final int snaplen;
    /** Producer-owned scratch for the record header, so a record may wrap without allocation. */
    private final byte[] header = new byte[Pcap.RECORD_HEADER_LEN];
    private volatile long head;
    private volatile long tail;

    /**
     * @param capacity ring size in bytes; at least one record of {@code snaplen} bytes must fit
     * @param snaplen frames longer than this are cut to it, as {@code tpacket_rcv} cuts to the
     *                socket's snapshot length
     */
    public CaptureRing(int capacity, int snaplen) {
        if (snaplen < 1) {
            throw new IllegalArgumentException("snaplen must be positive, got " + snaplen);
        }
        if (capacity < Pcap.RECORD_HEADER_LEN + snaplen) {
            throw new IllegalArgumentException("a ring of " + capacity + " bytes cannot hold one record of snaplen " + snaplen);
        }
        this.buf = new byte[capacity];
        this.snaplen = snaplen;
    }

    public int capacity() {
        return buf.length;
    }

    public int snaplen() {
        return snaplen;
    }

    /** Bytes of records not yet drained. */
    public long used() {
        return tail - head;
    }

    /**
     * Producer: appends one record for the frame {@code src[off, off + len)}, cut to the snapshot
     * length. Never blocks, never allocates.
     *
     * @return false, leaving the ring unchanged, if the record does not fit (the frame is lost)
     */
    public boolean offer(long epochNanos, byte[] src, int off, int len) {
        int incl = Math.min(len, snaplen);
        int need = Pcap.RECORD_HEADER_LEN + incl;
        long t = tail;
        if (buf.length - (t - head) < need) {
            return false;
        }
        Pcap.putRecordHeader(header, 0, epochNanos, incl, len);
        int pos = copyIn(header, 0, Pcap.RECORD_HEADER_LEN, (int) (t % buf.length));
        copyIn(src, off, incl, pos);
        tail = t + need;
        return true;
    }

    /**
     * Consumer: writes every published record to {@code out} in order and frees their space.
     *
     * @return the number of bytes written, 0 if the ring was empty
     */
    public long drainTo(OutputStream out) throws IOException {
        long h = head;
        long t = tail;
        long n = t - h;
        if (n == 0) {
            return 0;
        }
        int start = (int) (h % buf.length);
        int first = (int) Math.min(n, buf.length - start);
        out.write(buf, start, first);
        if (first < n) {
            out.write(buf, 0, (int) (n - first));
        }
        head = t;
        return n;
    }

    /** Copies {@code len} bytes to ring position {@code pos}, wrapping; returns the next position. */
    private int copyIn(byte[] src, int off, int len, int pos) {
        int first = Math.min(len, buf.length - pos);
        System.arraycopy(src, off, buf, pos, first);
        if (first < len) {
            System.arraycopy(src, off + first, buf, 0, len - first);
            return len - first;
        }
        int next = pos + first;
        return next == buf.length ? 0 : next;
    }
}
