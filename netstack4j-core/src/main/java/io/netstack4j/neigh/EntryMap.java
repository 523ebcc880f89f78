package io.netstack4j.neigh;

import java.util.ArrayList;
import java.util.List;

/**
 * The neighbour hash table: (ifindex, address) packed in a long, open addressing with linear
 * probing and backward-shift deletion, so lookups on the output path neither box nor allocate.
 * Grows at half full; the table's own gc_thresh3 bounds how far.
 */
final class EntryMap {

    private long[] keys = new long[64];
    private ArpEntry[] values = new ArpEntry[64];
    private int size;

    static long key(int ip, int ifindex) {
        return (long) ifindex << 32 | (ip & 0xffffffffL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & (keys.length - 1);
    }

    ArpEntry get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return null;
    }

    void put(long key, ArpEntry e) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = slot(key);
        while (values[i] != null) {
            if (keys[i] == key) {
                values[i] = e;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = e;
        size++;
    }

    void remove(long key) {
        int mask = keys.length - 1;
        int i = slot(key);
        while (values[i] != null && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (values[i] == null) {
            return;
        }
        values[i] = null;
        size--;
        // Backward shift: move later members of the probe run into the hole.
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            boolean movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                values[j] = null;
                hole = j;
            }
        }
    }

    int size() {
        return size;
    }

    List<ArpEntry> values() {
        List<ArpEntry> out = new ArrayList<>(size);
        for (ArpEntry e : values) {
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    private void grow() {
        long[] oldKeys = keys;
        ArpEntry[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new ArpEntry[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }
}
