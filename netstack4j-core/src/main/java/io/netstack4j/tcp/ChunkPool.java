package io.netstack4j.tcp;

/**
 * Free send-queue storage for one namespace's sockets, so steady sending allocates nothing: the
 * 16 KiB chunks that hold the bytes (at most {@link #MAX_FREE} kept; beyond that freed chunks go
 * to the garbage collector) and the rings that index a queue's chunks, kept by length. Loop
 * thread only.
 */
final class ChunkPool {

    static final int CHUNK = 16384;
    static final int MAX_FREE = 1024;
    /** Length of a queue's ring when it is first made. */
    static final int INITIAL_RING = 4;

    private final FreeList<byte[]> free = new FreeList<>(() -> new byte[CHUNK], MAX_FREE);
    /** Rings of 4 << k chunks for k below 12 (up to 128 MiB of queue), fewer kept the longer they are. */
    private final ArrayPool<byte[]> rings = new ArrayPool<>(byte[][]::new, INITIAL_RING, 12, 256);

    byte[] take() {
        return free.take();
    }

    void give(byte[] chunk) {
        free.give(chunk);
    }

    /** An all-null ring of {@code length} slots. */
    byte[][] takeRing(int length) {
        return rings.take(length);
    }

    /** Takes back a ring whose slots are all null. */
    void giveRing(byte[][] ring) {
        rings.give(ring);
    }
}
