package io.netstack4j.tcp;

/**
 * The bytes a socket has been given to send and the peer has not yet ACKed: Linux's write queue
 * and retransmission queue hold them in skbs; here they are kept as plain bytes in fixed-size
 * chunks, and segments are cut from them at transmit time, so a retransmission can use a
 * different size (a lowered MSS after PMTU discovery) without re-fragmenting anything. Byte
 * {@code i} of the queue has sequence number {@code headSeq + i}. Chunks, and the ring that indexes
 * them, come from and go back to the namespace's {@link ChunkPool}, so steady traffic allocates
 * nothing and an idle socket holds neither. Loop thread only.
 */
final class SendQueue {

    private final ChunkPool pool;
    /** The namespace's TCP memory, charged a whole chunk at a time. */
    private final TcpMemory memory;
    /** The chunks in use as a ring, null while none is held (an idle socket holds no index either). */
    private byte[][] chunks;
    private int first;
    private int count;
    /** Offset of the first live byte within the first chunk. */
    private int headOff;
    private int size;
    private int headSeq;

    SendQueue(ChunkPool pool, TcpMemory memory) {
        this.pool = pool;
        this.memory = memory;
    }

    /** The queue starts at {@code seq} (the first data byte, ISS + 1). */
    void reset(int seq) {
        releaseAll();
        headSeq = seq;
    }

    int headSeq() {
        return headSeq;
    }

    /** Bytes held. */
    int size() {
        return size;
    }

    /** The sequence number after the last byte held ({@code write_seq} when no FIN is queued). */
    int tailSeq() {
        return headSeq + size;
    }

    /** Appends {@code len} bytes. */
    void append(byte[] src, int off, int len) {
        while (len > 0) {
            int end = headOff + size;
            int inLast = end % ChunkPool.CHUNK;
            if (inLast == 0 && end / ChunkPool.CHUNK == count) {
                addChunk();
            }
            int idx = (first + end / ChunkPool.CHUNK) % chunks.length;
            int n = Math.min(len, ChunkPool.CHUNK - inLast);
            System.arraycopy(src, off, chunks[idx], inLast, n);
            off += n;
            len -= n;
            size += n;
        }
    }

    private void addChunk() {
        if (chunks == null) {
            chunks = pool.takeRing(ChunkPool.INITIAL_RING);
            first = 0;
        } else if (count == chunks.length) {
            byte[][] bigger = pool.takeRing(chunks.length * 2);
            for (int i = 0; i < count; i++) {
                int j = (first + i) % chunks.length;
                bigger[i] = chunks[j];
                chunks[j] = null;
            }
            pool.giveRing(chunks);
            chunks = bigger;
            first = 0;
        }
        chunks[(first + count) % chunks.length] = pool.take();
        count++;
        memory.charge(ChunkPool.CHUNK);
    }

    /** Copies {@code len} bytes starting at sequence number {@code seq} into {@code dst}. */
    void copy(int seq, byte[] dst, int dstOff, int len) {
        int pos = headOff + (seq - headSeq);
        if (seq - headSeq < 0 || seq - headSeq + len > size) {
            throw new IllegalStateException("copy of " + len + " bytes at seq " + Integer.toUnsignedString(seq) + " outside queue ["
                    + Integer.toUnsignedString(headSeq) + ", +" + size + ")");
        }
        while (len > 0) {
            int idx = (first + pos / ChunkPool.CHUNK) % chunks.length;
            int in = pos % ChunkPool.CHUNK;
            int n = Math.min(len, ChunkPool.CHUNK - in);
            System.arraycopy(chunks[idx], in, dst, dstOff, n);
            pos += n;
            dstOff += n;
            len -= n;
        }
    }

    /** Drops the bytes before {@code seq} (they were ACKed), returning whole chunks to the pool. */
    void releaseTo(int seq) {
        int n = seq - headSeq;
        if (n <= 0) {
            return;
        }
        n = Math.min(n, size);
        headSeq += n;
        size -= n;
        headOff += n;
        while (count > 0 && (headOff >= ChunkPool.CHUNK || size == 0 && headOff > 0)) {
            pool.give(chunks[first]);
            memory.uncharge(ChunkPool.CHUNK);
            chunks[first] = null;
            first = (first + 1) % chunks.length;
            count--;
            headOff = size == 0 ? 0 : headOff - ChunkPool.CHUNK;
        }
        if (size == 0) {
            headOff = 0;
        }
        if (count == 0) {
            dropRing();
        }
    }

    /** Gives the (empty) ring back to the pool, so an idle socket holds no index. */
    private void dropRing() {
        if (chunks != null) {
            pool.giveRing(chunks);
            chunks = null;
        }
    }

    /** Returns every chunk to the pool (the socket is done). */
    void releaseAll() {
        while (count > 0) {
            pool.give(chunks[first]);
            memory.uncharge(ChunkPool.CHUNK);
            chunks[first] = null;
            first = (first + 1) % chunks.length;
            count--;
        }
        headSeq += size;
        size = 0;
        headOff = 0;
        dropRing();
    }

    /** Bytes that fit in the chunks already held, after the last byte. */
    int tailRoom() {
        return count * ChunkPool.CHUNK - headOff - size;
    }

    /** True while the chunk index exists (only while chunks are held). */
    boolean holdsIndex() {
        return chunks != null;
    }

    /** Memory held, for {@code sk_wmem_queued}. */
    int chunkBytes() {
        return count * ChunkPool.CHUNK;
    }
}
