package io.netstack4j.tcp;

import io.netstack4j.core.PacketBuffer;
import java.util.ArrayList;

/**
 * Spare out-of-order storage for one namespace's sockets: segment lists for {@link OfoQueue} and
 * the four-entry arrays of a socket's SACK blocks. A socket takes them when a gap opens and gives
 * them back when it closes, so loss episodes allocate nothing once the spares exist. A list keeps
 * the capacity it grew to; at most {@link #MAX_LISTS} are kept. Loop thread only.
 */
final class OfoStorage {

    static final int MAX_LISTS = 256;

    final FreeList<ArrayList<PacketBuffer>> lists = new FreeList<>(() -> new ArrayList<>(4), MAX_LISTS);
    final FreeList<int[]> blocks = new FreeList<>(() -> new int[4], 2 * MAX_LISTS);
}
