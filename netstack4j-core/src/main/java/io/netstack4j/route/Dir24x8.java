package io.netstack4j.route;

import java.util.Arrays;

/**
 * A DIR-24-8 index over a {@link FibTrie} (the layout of DPDK's {@code rte_lpm}): one lookup is
 * one read of a 2<sup>24</sup>-entry table indexed by the top 24 bits of the key, and a second
 * read in a 256-entry group when that /24 holds prefixes longer than /24.
 *
 * <h2>Entries</h2>
 * Every entry of {@code tbl24} and of the groups in {@code tbl8} answers for the addresses it
 * covers:
 * <pre>
 *   0             no prefix covers them
 *   n + 1 (> 0)   trie node n holds the longest prefix covering them
 *   GROUP | g     (tbl24 only) group g answers, indexed by the low 8 bits of the key
 *   WALK (-1)     (tbl24 only) no group was available: the trie walk answers this /24
 * </pre>
 * The index stores node indexes, not values, and reads prefix lengths from the trie; this works
 * because the trie never moves the node of a prefix while the prefix is in it.
 *
 * <h2>Maintenance</h2>
 * The trie calls {@link #insert} after adding a prefix and {@link #remove} after removing one, so
 * the index always agrees with the trie. An insert overwrites the entries of its range whose
 * prefix is not longer than the new one; a prefix longer than /24 first gets its /24 a group,
 * filled with what the /24 entry said. A remove gives the entries that named the removed node
 * the next shorter prefix covering it, and a group whose 256 entries became equal (which happens
 * exactly when its /24 lost its last prefix longer than /24) is folded back into its
 * {@code tbl24} entry and its slot goes on a free list.
 *
 * <h2>The group limit</h2>
 * As {@code rte_lpm}'s {@code number_tbl8s}, the number of groups is bounded
 * ({@link #DEFAULT_MAX_GROUPS}, 64 MB of groups at most). Where {@code rte_lpm_add} would fail
 * with {@code -ENOSPC}, this index instead marks the /24 {@code WALK} and the trie walk answers
 * it, so no prefix is ever refused and answers stay exact; only those /24s lose the speed-up. A
 * {@code WALK} mark stays until the index is rebuilt.
 *
 * <p>Memory: 64 MB for {@code tbl24} plus 1 KB per group. Not thread-safe.
 */
final class Dir24x8 {

    /** Default bound on groups: 65,536 groups of 1 KB. */
    static final int DEFAULT_MAX_GROUPS = 1 << 16;
    /** The most groups one int array of 256-entry groups can hold. */
    static final int MAX_GROUPS = (1 << 23) - 1;

    static final int WALK = -1;
    private static final int GROUP = 0x8000_0000;
    private static final int GROUP_MASK = 0x7fff_ffff;
    private static final int NO_GROUP = -1;

    private final FibTrie<?> trie;
    private final int[] tbl24 = new int[1 << 24];
    private int[] tbl8 = new int[64 << 8];
    private final int maxGroups;
    private int groupsAllocated;
    private int groupsInUse;
    private int freeGroups = NO_GROUP;
    private int walkSlots;

    Dir24x8(FibTrie<?> trie, int maxGroups) {
        if (maxGroups < 0 || maxGroups > MAX_GROUPS) {
            throw new IllegalArgumentException("maxGroups " + maxGroups + " outside 0.." + MAX_GROUPS);
        }
        this.trie = trie;
        this.maxGroups = maxGroups;
    }

    /**
     * The entry answering {@code key}: the longest matching node plus one, 0 when none matches,
     * or {@link #WALK} when the trie has to be walked.
     */
    int entry(int key) {
        int e = tbl24[key >>> 8];
        if (e < WALK) {
            e = tbl8[(e & GROUP_MASK) << 8 | key & 0xff];
        }
        return e;
    }

    /** Groups in use. */
    int groups() {
        return groupsInUse;
    }

    /** /24s left to the trie walk because the group limit was reached. */
    int walkSlots() {
        return walkSlots;
    }

    /** Bytes held by the two tables. */
    long bytes() {
        return 4L * tbl24.length + 4L * tbl8.length;
    }

    /** Records that trie node {@code node} now holds prefix {@code key/len}. */
    void insert(int key, int len, int node) {
        int v = node + 1;
        if (len <= 24) {
            int from = key >>> 8;
            int to = from + (1 << (24 - len));
            // Runs of equal entries are common under a short prefix; decide once per run.
            int lastSeen = 0;
            boolean lastWins = true;
            for (int i = from; i < to; i++) {
                int e = tbl24[i];
                if (e == WALK) {
                    continue;
                }
                if (e < 0) {
                    fill(e & GROUP_MASK, 0, 256, v, len);
                    continue;
                }
                if (e != lastSeen) {
                    lastSeen = e;
                    lastWins = e == 0 || trie.lengthAt(e - 1) <= len;
                }
                if (lastWins) {
                    tbl24[i] = v;
                }
            }
            return;
        }
        int i = key >>> 8;
        int e = tbl24[i];
        if (e == WALK) {
            return;
        }
        int g;
        if (e >= 0) {
            g = allocGroup(e);
            if (g == NO_GROUP) {
                tbl24[i] = WALK;
                walkSlots++;
                return;
            }
            tbl24[i] = GROUP | g;
        } else {
            g = e & GROUP_MASK;
        }
        int lo = key & 0xff;
        fill(g, lo, lo + (1 << (32 - len)), v, len);
    }

    /**
     * Records that prefix {@code key/len}, held by trie node {@code node}, left the trie, and
     * that {@code cover} (-1 for none) is the node of the longest prefix shorter than it that
     * contains it.
     */
    void remove(int key, int len, int node, int cover) {
        int old = node + 1;
        int v = cover + 1;
        if (len <= 24) {
            int from = key >>> 8;
            int to = from + (1 << (24 - len));
            for (int i = from; i < to; i++) {
                int e = tbl24[i];
                if (e == old) {
                    tbl24[i] = v;
                } else if (e < WALK) {
                    replace(e & GROUP_MASK, 0, 256, old, v);
                }
            }
            return;
        }
        int i = key >>> 8;
        int e = tbl24[i];
        if (e >= WALK) {
            return;
        }
        int g = e & GROUP_MASK;
        int lo = key & 0xff;
        replace(g, lo, lo + (1 << (32 - len)), old, v);
        int base = g << 8;
        int first = tbl8[base];
        for (int j = base + 1; j < base + 256; j++) {
            if (tbl8[j] != first) {
                return;
            }
        }
        tbl24[i] = first;
        freeGroup(g);
    }

    private void fill(int g, int from, int to, int v, int len) {
        int base = g << 8;
        int lastSeen = 0;
        boolean lastWins = true;
        for (int j = base + from; j < base + to; j++) {
            int e = tbl8[j];
            if (e != lastSeen) {
                lastSeen = e;
                lastWins = e == 0 || trie.lengthAt(e - 1) <= len;
            }
            if (lastWins) {
                tbl8[j] = v;
            }
        }
    }

    private void replace(int g, int from, int to, int old, int v) {
        int base = g << 8;
        for (int j = base + from; j < base + to; j++) {
            if (tbl8[j] == old) {
                tbl8[j] = v;
            }
        }
    }

    /** A group with all 256 entries set to {@code fill}, or {@link #NO_GROUP} at the limit. */
    private int allocGroup(int fill) {
        int g;
        if (freeGroups != NO_GROUP) {
            g = freeGroups;
            freeGroups = tbl8[g << 8];
        } else {
            if (groupsAllocated == maxGroups) {
                return NO_GROUP;
            }
            if ((groupsAllocated + 1) << 8 > tbl8.length) {
                int groups = Math.min(maxGroups, Math.max(groupsAllocated + 1, groupsAllocated + (groupsAllocated >> 1)));
                tbl8 = Arrays.copyOf(tbl8, groups << 8);
            }
            g = groupsAllocated++;
        }
        Arrays.fill(tbl8, g << 8, (g + 1) << 8, fill);
        groupsInUse++;
        return g;
    }

    /** Puts group {@code g} on the free list, linked through its first entry. */
    private void freeGroup(int g) {
        tbl8[g << 8] = freeGroups;
        freeGroups = g;
        groupsInUse--;
    }
}
