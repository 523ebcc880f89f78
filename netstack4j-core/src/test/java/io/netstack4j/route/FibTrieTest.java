package io.netstack4j.route;

import static io.netstack4j.route.FibFixture.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FibTrieTest {

    @Test
    void longestPrefixWinsFromDefaultToHost() {
        FibTrie<String> t = new FibTrie<>();
        t.put(0, 0, "default");
        t.put(ip("10.0.0.0"), 8, "/8");
        t.put(ip("10.1.2.0"), 24, "/24");
        t.put(ip("10.1.2.3"), 32, "/32");

        assertEquals("/32", t.lookup(ip("10.1.2.3")));
        assertEquals("/24", t.lookup(ip("10.1.2.4")));
        assertEquals("/8", t.lookup(ip("10.1.3.4")));
        assertEquals("default", t.lookup(ip("11.1.2.3")));
        assertEquals(4, t.size());
    }

    @Test
    void siblingsUnderABranchPointDoNotShadowEachOther() {
        FibTrie<String> t = new FibTrie<>();
        t.put(ip("192.168.0.0"), 24, "left");
        t.put(ip("192.168.1.0"), 24, "right");

        assertEquals("left", t.lookup(ip("192.168.0.77")));
        assertEquals("right", t.lookup(ip("192.168.1.77")));
        assertNull(t.lookup(ip("192.168.2.1")));
        assertNull(t.lookup(ip("10.0.0.1")));
        // Two prefixes and the branch point at 192.168.0.0/23 between them.
        assertEquals(3, t.nodeCount());
    }

    @Test
    void matchListsEveryContainingPrefixShortestFirst() {
        FibTrie<String> t = new FibTrie<>();
        t.put(ip("10.1.2.0"), 24, "c");
        t.put(0, 0, "a");
        t.put(ip("10.0.0.0"), 8, "b");
        t.put(ip("10.1.3.0"), 24, "x");

        int[] path = new int[FibTrie.MAX_DEPTH];
        int n = t.match(ip("10.1.2.9"), path);

        assertEquals(3, n);
        assertEquals("a", t.valueAt(path[0]));
        assertEquals("b", t.valueAt(path[1]));
        assertEquals("c", t.valueAt(path[2]));
        assertEquals(24, t.lengthAt(path[2]));
        assertEquals(ip("10.1.2.0"), t.keyAt(path[2]));
    }

    @Test
    void removingEveryPrefixLeavesNoNodes() {
        FibTrie<Integer> t = new FibTrie<>();
        int[][] prefixes = {{ip("10.0.0.0"), 8}, {ip("10.1.0.0"), 16}, {ip("10.1.2.0"), 24}, {ip("10.1.3.0"), 24},
                {ip("10.128.0.0"), 9}, {0, 0}, {ip("10.1.2.3"), 32}};
        for (int i = 0; i < prefixes.length; i++) {
            t.put(prefixes[i][0], prefixes[i][1], i);
        }
        for (int i = 0; i < prefixes.length; i++) {
            assertEquals(i, t.put(prefixes[i][0], prefixes[i][1], null));
            assertNull(t.get(prefixes[i][0], prefixes[i][1]));
            for (int j = i + 1; j < prefixes.length; j++) {
                assertEquals(j, t.get(prefixes[j][0], prefixes[j][1]), "prefix " + j + " lost after removing " + i);
            }
        }
        assertEquals(0, t.size());
        assertEquals(0, t.nodeCount());
        assertNull(t.lookup(ip("10.1.2.3")));
    }

    @Test
    void hostBitsBeyondThePrefixAreRefused() {
        FibTrie<String> t = new FibTrie<>();
        assertThrows(IllegalArgumentException.class, () -> t.put(ip("10.0.0.1"), 8, "x"));
        assertThrows(IllegalArgumentException.class, () -> t.put(0, 33, "x"));
    }

    /**
     * 20,000 random prefixes (a quarter of them removed again) against a linear scan, over
     * 200,000 lookups: half random addresses, half addresses inside a stored prefix.
     */
    @Test
    void randomPrefixesAgreeWithALinearScan() {
        SplittableRandom rnd = new SplittableRandom(0x5eed_f1bL);
        FibTrie<Integer> trie = new FibTrie<>();
        Map<Long, Integer> live = new HashMap<>();
        List<long[]> inserted = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            // Lengths weighted like a real table: mostly /16../24, some short, some hosts.
            int r = rnd.nextInt(100);
            int len = r < 5 ? rnd.nextInt(9) : r < 85 ? 16 + rnd.nextInt(9) : r < 95 ? 9 + rnd.nextInt(7) : 25 + rnd.nextInt(8);
            int key = rnd.nextInt() & FibTrie.mask(len);
            trie.put(key, len, i);
            live.put(pack(key, len), i);
            inserted.add(new long[] {key, len});
        }
        for (int i = 0; i < 5_000; i++) {
            long[] p = inserted.get(rnd.nextInt(inserted.size()));
            Integer expected = live.remove(pack((int) p[0], (int) p[1]));
            assertEquals(expected, trie.put((int) p[0], (int) p[1], null));
        }
        assertEquals(live.size(), trie.size());
        assertTrue(trie.nodeCount() <= 2 * trie.size(), "branch points bounded by prefixes");

        int n = live.size();
        int[] keys = new int[n];
        int[] masks = new int[n];
        int[] lens = new int[n];
        int[] values = new int[n];
        int k = 0;
        for (Map.Entry<Long, Integer> e : live.entrySet()) {
            keys[k] = (int) (e.getKey() >>> 8);
            lens[k] = (int) (e.getKey() & 0xff);
            masks[k] = FibTrie.mask(lens[k]);
            values[k] = e.getValue();
            k++;
        }
        for (int q = 0; q < 200_000; q++) {
            int dst = (q & 1) == 0 ? rnd.nextInt() : keys[rnd.nextInt(n)] | (rnd.nextInt() & ~masks[rnd.nextInt(n)]);
            int bestLen = -1;
            int best = -1;
            for (int i = 0; i < n; i++) {
                if ((dst & masks[i]) == keys[i] && lens[i] > bestLen) {
                    bestLen = lens[i];
                    best = values[i];
                }
            }
            Integer got = trie.lookup(dst);
            assertEquals(best, got == null ? -1 : got, "lookup of " + Flow4.addr(dst));
        }
    }

    private static long pack(int key, int len) {
        return (Integer.toUnsignedLong(key) << 8) | len;
    }
}
