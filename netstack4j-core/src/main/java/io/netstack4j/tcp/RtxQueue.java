package io.netstack4j.tcp;

/**
 * The retransmission queue ({@code tcp_rtx_queue}): the segments sent and not yet cumulatively
 * ACKed, in sequence order, as an array so a SACK block finds its segments by binary search
 * (bounded work per ACK however long the queue). Records and the array come from the namespace's
 * {@link TxSegPool} and go back to it, the array when the queue empties, so an idle socket holds
 * none. Loop thread only.
 */
final class RtxQueue {

    /**
     * The most records a socket may hold ({@code TCPWqueueTooBig}'s limit): a peer that SACKs
     * in tiny pieces to split segments endlessly (SACK panic, CVE-2019-11478) is refused more.
     */
    static final int MAX_RECORDS = 65536;

    private final TxSegPool pool;
    /** Null while the queue is empty. */
    private TxSeg[] segs;
    private int start;
    private int count;

    RtxQueue(TxSegPool pool) {
        this.pool = pool;
    }

    int size() {
        return count;
    }

    /** Slots of the index array held (0 once the queue has emptied and given it back). */
    int capacity() {
        return segs == null ? 0 : segs.length;
    }

    boolean isEmpty() {
        return count == 0;
    }

    TxSeg get(int i) {
        return segs[start + i];
    }

    TxSeg first() {
        return count == 0 ? null : segs[start];
    }

    TxSeg last() {
        return count == 0 ? null : segs[start + count - 1];
    }

    TxSeg newSeg() {
        TxSeg s = pool.takeSeg();
        s.sacked = 0;
        s.tcpFlags = 0;
        return s;
    }

    void addLast(TxSeg s) {
        if (segs == null) {
            segs = pool.takeArray();
        } else if (start + count == segs.length) {
            grow();
        }
        segs[start + count++] = s;
    }

    private void grow() {
        if (count < segs.length / 2) {
            System.arraycopy(segs, start, segs, 0, count);
            java.util.Arrays.fill(segs, count, segs.length, null);
        } else {
            TxSeg[] bigger = pool.takeArray(segs.length * 2);
            System.arraycopy(segs, start, bigger, 0, count);
            java.util.Arrays.fill(segs, start, start + count, null);
            pool.giveArray(segs);
            segs = bigger;
        }
        start = 0;
    }

    /** Removes and recycles the first record. */
    void removeFirst() {
        TxSeg s = segs[start];
        segs[start] = null;
        start++;
        count--;
        if (count == 0) {
            start = 0;
            pool.giveArray(segs);
            segs = null;
        }
        pool.giveSeg(s);
    }

    /** Removes every record. */
    void clear() {
        while (count > 0) {
            removeFirst();
        }
    }

    /**
     * Splits record {@code i} at sequence {@code at} ({@code tcp_fragment}): the record keeps
     * [seq, at) and a new record after it takes [at, endSeq) with the same state. False when
     * the queue is at {@link #MAX_RECORDS}.
     */
    boolean split(int i, int at) {
        if (count >= MAX_RECORDS) {
            return false;
        }
        TxSeg s = get(i);
        TxSeg t = newSeg();
        t.seq = at;
        t.endSeq = s.endSeq;
        t.tcpFlags = s.tcpFlags & io.netstack4j.wire.TcpHeader.FIN;
        s.tcpFlags &= ~io.netstack4j.wire.TcpHeader.FIN;
        t.sacked = s.sacked;
        t.xmitUs = s.xmitUs;
        t.deliveredAtSend = s.deliveredAtSend;
        t.deliveredUsAtSend = s.deliveredUsAtSend;
        t.firstTxUsAtSend = s.firstTxUsAtSend;
        t.appLimitedAtSend = s.appLimitedAtSend;
        s.endSeq = at;
        if (start + count == segs.length) {
            grow();
        }
        int pos = start + i + 1;
        System.arraycopy(segs, pos, segs, pos + 1, count - i - 1);
        segs[pos] = t;
        count++;
        return true;
    }

    /** The index of the first record whose end is after {@code seq}, or {@link #size()} if none. */
    int indexAfter(int seq) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (get(mid).endSeq - seq > 0) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
