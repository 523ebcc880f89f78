package io.netstack4j.tcp;

import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.SockMem;
import io.netstack4j.wire.TcpHeader;
import java.util.ArrayList;

/**
 * The out-of-order queue ({@code out_of_order_queue}): segments received beyond a gap, sorted by
 * sequence number with overlaps trimmed away on insertion, charged to the receive buffer and
 * pruned from the highest sequence down when memory runs short ({@code tcp_prune_ofo_queue}).
 * Each buffer's {@code seq}/{@code endSeq} cover its payload; a FIN is remembered separately.
 * The SACK blocks we send are derived from it. The list and the socket's SACK block arrays are
 * taken from the namespace's {@link OfoStorage} while segments are held (most connections never
 * see a gap) and given back when the queue empties, so an idle socket holds neither and a
 * recurring gap allocates nothing. Loop thread only.
 */
final class OfoQueue {

    /** At most this many segments are held whatever the buffer size, bounding the work per insertion (SegmentSmack). */
    static final int MAX_SEGMENTS = 4096;

    /** Spare segment lists and SACK block arrays of the namespace. */
    private final OfoStorage storage;
    /** Null while no segment is held. */
    private ArrayList<PacketBuffer> segs;
    private int finSeq;
    private boolean finHeld;
    /** The range of the most recently received out-of-order segment, reported first (RFC 2018 4). */
    private int lastStart;
    private int lastEnd;

    OfoQueue(OfoStorage storage) {
        this.storage = storage;
    }

    boolean isEmpty() {
        return segs == null && !finHeld;
    }

    int size() {
        return segs == null ? 0 : segs.size();
    }

    /** True while the segment list exists (only while segments are held). */
    boolean holdsList() {
        return segs != null;
    }

    /** Gives the list back once it is empty, so an idle socket does not keep it. */
    private void releaseIfEmpty() {
        if (segs != null && segs.isEmpty()) {
            storage.lists.give(segs);
            segs = null;
        }
    }

    /** Gives the socket's SACK block arrays back; it has no blocks to report. */
    private void dropSackBlocks(TcpSock sk) {
        sk.numSacks = 0;
        if (sk.sackStart != null) {
            storage.blocks.give(sk.sackStart);
            storage.blocks.give(sk.sackEnd);
            sk.sackStart = null;
            sk.sackEnd = null;
        }
    }

    /** Inserts {@code skb} (already charged), dropping bytes other segments hold; D-SACKs a full duplicate. */
    void insert(TcpSock sk, PacketBuffer skb, boolean fin, TcpData input) {
        int seq = skb.seq;
        int end = skb.endSeq;
        if (fin) {
            finHeld = true;
            finSeq = end;
        }
        lastStart = seq;
        lastEnd = end;
        if (seq == end) {
            uncharge(sk, skb);
            skb.free();
            return;
        }
        if (segs == null) {
            segs = storage.lists.take();
        }
        int i = 0;
        while (i < segs.size() && TcpHeader.before(segs.get(i).seq, seq)) {
            i++;
        }
        if (i < segs.size() && segs.get(i).seq == seq && !TcpHeader.before(segs.get(i).endSeq, end)) {
            // "All the bits are present. Drop." (tcp_data_queue_ofo)
            input.dsackSet(sk, seq, end);
            sk.tcp.extMib().inc(TcpExtMib.TCPOFOMerge);
            uncharge(sk, skb);
            skb.free();
            return;
        }
        if (i > 0) {
            PacketBuffer prev = segs.get(i - 1);
            if (!TcpHeader.before(prev.endSeq, end)) {
                input.dsackSet(sk, seq, end);
                sk.tcp.extMib().inc(TcpExtMib.TCPOFOMerge);
                uncharge(sk, skb);
                skb.free();
                releaseIfEmpty();
                return;
            }
            if (TcpHeader.after(prev.endSeq, seq)) {
                int cut = prev.endSeq - seq;
                skb.pull(cut);
                skb.seq = prev.endSeq;
                seq = skb.seq;
            }
        }
        while (i < segs.size()) {
            PacketBuffer next = segs.get(i);
            if (!TcpHeader.before(next.seq, end)) {
                break;
            }
            if (TcpHeader.after(next.endSeq, end)) {
                skb.trim(next.seq - seq);
                skb.endSeq = next.seq;
                end = next.seq;
                break;
            }
            // The new segment covers it: it goes (merge_right, TCPOFOMerge).
            input.dsackSet(sk, next.seq, next.endSeq);
            sk.tcp.extMib().inc(TcpExtMib.TCPOFOMerge);
            segs.remove(i);
            uncharge(sk, next);
            next.free();
        }
        if (seq == end) {
            uncharge(sk, skb);
            skb.free();
            releaseIfEmpty();
            return;
        }
        // tcp_ooo_try_coalesce: a segment that continues the one before it goes behind it.
        if (i > 0 && input.tryCoalesce(sk, segs.get(i - 1), skb)) {
            updateSackBlocks(sk);
            return;
        }
        if (segs.size() >= MAX_SEGMENTS) {
            sk.tcp.extMib().inc(TcpExtMib.TCPOFODrop);
            uncharge(sk, skb);
            skb.free();
            return;
        }
        segs.add(i, skb);
        updateSackBlocks(sk);
    }

    private static void uncharge(TcpSock sk, PacketBuffer skb) {
        sk.rmemUncharge(SockMem.truesize(skb));
    }

    /** {@code tcp_ofo_queue}: moves segments that became in-order to the receive queue. */
    void drainInOrder(TcpSock sk, TcpData input) {
        while (segs != null && !segs.isEmpty()) {
            PacketBuffer s = segs.get(0);
            if (TcpHeader.after(s.seq, sk.rcvNxt)) {
                break;
            }
            segs.remove(0);
            if (!TcpHeader.after(s.endSeq, sk.rcvNxt)) {
                uncharge(sk, s);
                s.free();
                continue;
            }
            int old = sk.rcvNxt - s.seq;
            if (old > 0) {
                s.pull(old);
                s.seq = sk.rcvNxt;
            }
            sk.bytesReceived += s.endSeq - sk.rcvNxt;
            sk.rcvNxt = s.endSeq;
            input.queueRcv(sk, s);
        }
        releaseIfEmpty();
        if (finHeld && sk.rcvNxt == finSeq && segs == null) {
            finHeld = false;
            sk.rcvNxt = finSeq + 1;
            input.fin(sk);
        }
    }

    /**
     * {@code tcp_sack_new_ofo_skb}/{@code tcp_sack_remove}: up to four SACK blocks, the one
     * holding the latest arrival first, then the others from the highest sequence down.
     */
    void updateSackBlocks(TcpSock sk) {
        int firstIdx = -1;
        int runStart = 0;
        int runEnd = 0;
        boolean inRun = false;
        int runs = 0;
        if (segs == null) {
            dropSackBlocks(sk);
            return;
        }
        if (sk.sackStart == null) {
            sk.sackStart = storage.blocks.take();
            sk.sackEnd = storage.blocks.take();
        }
        int[] starts = sk.sackStart;
        int[] ends = sk.sackEnd;
        for (int i = 0; i < segs.size(); i++) {
            PacketBuffer s = segs.get(i);
            if (inRun && s.seq == runEnd) {
                runEnd = s.endSeq;
                continue;
            }
            if (inRun) {
                runs = addRun(sk, runs, runStart, runEnd);
            }
            runStart = s.seq;
            runEnd = s.endSeq;
            inRun = true;
        }
        if (inRun) {
            runs = addRun(sk, runs, runStart, runEnd);
        }
        sk.numSacks = Math.min(runs, 4);
        for (int i = 0; i < sk.numSacks; i++) {
            if (!TcpHeader.before(lastStart, starts[i]) && !TcpHeader.after(lastEnd, ends[i])) {
                firstIdx = i;
                break;
            }
        }
        if (firstIdx > 0) {
            int s = starts[firstIdx];
            int e = ends[firstIdx];
            System.arraycopy(starts, 0, starts, 1, firstIdx);
            System.arraycopy(ends, 0, ends, 1, firstIdx);
            starts[0] = s;
            ends[0] = e;
        }
        if (!sk.sackOk) {
            sk.numSacks = 0;
        }
    }

    /** Keeps the four highest runs, highest first (runs arrive in ascending order). */
    private static int addRun(TcpSock sk, int runs, int start, int end) {
        int keep = Math.min(runs, 3);
        System.arraycopy(sk.sackStart, 0, sk.sackStart, 1, keep);
        System.arraycopy(sk.sackEnd, 0, sk.sackEnd, 1, keep);
        sk.sackStart[0] = start;
        sk.sackEnd[0] = end;
        return runs + 1;
    }

    /**
     * {@code tcp_prune_ofo_queue}: frees out-of-order segments from the highest sequence down,
     * an eighth of the receive buffer at a time, until {@code need} more bytes fit (RFC 2018 8:
     * SACKed data may be dropped by the receiver; the sender keeps it until cumulatively
     * ACKed). It stops at a segment below {@code inSeq}, the sequence number of the data
     * asking for room: data that would land last is not worth more than what is held nearer
     * the gap, so a flood of segments beyond the queue (SegmentSmack) is refused instead of
     * churning it.
     */
    void prune(TcpSock sk, int need, Tcp tcp, int inSeq) {
        boolean pruned = false;
        int goal = sk.rcvbuf >> 3;
        while (segs != null && !segs.isEmpty()) {
            PacketBuffer s = segs.get(segs.size() - 1);
            if (TcpHeader.after(inSeq, s.seq)) {
                break;
            }
            segs.remove(segs.size() - 1);
            goal -= SockMem.truesize(s);
            uncharge(sk, s);
            s.free();
            pruned = true;
            if (goal <= 0) {
                if (sk.rmemAlloc + need <= sk.rcvbuf) {
                    break;
                }
                goal = sk.rcvbuf >> 3;
            }
        }
        if (pruned) {
            releaseIfEmpty();
            tcp.extMib().inc(TcpExtMib.OfoPruned);
            finHeld = false;
            updateSackBlocks(sk);
        }
    }

    /** Frees everything (the connection closed or the FIN made the rest unreachable). */
    void purge(TcpSock sk) {
        if (segs != null) {
            for (PacketBuffer s : segs) {
                uncharge(sk, s);
                s.free();
            }
            segs.clear();
            releaseIfEmpty();
        }
        finHeld = false;
        dropSackBlocks(sk);
    }
}
