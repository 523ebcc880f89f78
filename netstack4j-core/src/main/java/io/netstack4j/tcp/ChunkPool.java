package io.netstack4j.tcp;

import java.util.ArrayDeque;

/**
 * Free send-queue chunks for one namespace's sockets, so steady sending allocates nothing. The
 * pool keeps at most {@link #MAX_FREE} chunks; beyond that freed chunks go to the garbage
 * collector. Loop thread only.
 */
final class ChunkPool {

    static final int CHUNK = 16384;
    static final int MAX_FREE = 1024;

    private final ArrayDeque<byte[]> free = new ArrayDeque<>();

    byte[] take() {
        byte[] c = free.pollLast();
        return c != null ? c : new byte[CHUNK];
    }

    void give(byte[] chunk) {
        if (free.size() < MAX_FREE) {
            free.addLast(chunk);
        }
    }
}
