package io.netstack4j.route;

import static io.netstack4j.route.FibFixture.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.NetException;
import io.netstack4j.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The DIR-24-8 index of {@link FibTrie} against a naive longest-prefix match, through random
 * inserts and removes of prefixes of every length, and a {@link Fib} answering the same with and
 * without it.
 */
class Dir24x8Test {

    /** A prefix as the naive reference keeps it: "key/len". */
    private static String name(int key, int len) {
        return Flow4.addr(key) + "/" + len;
    }

    /** The longest of {@code prefixes} containing {@code addr}, by trying them all. */
    private static String naive(Map<String, int[]> prefixes, int addr) {
        String best = null;
        int bestLen = -1;
        for (Map.Entry<String, int[]> e : prefixes.entrySet()) {
            int key = e.getValue()[0];
            int len = e.getValue()[1];
            if (len > bestLen && ((addr ^ key) & FibTrie.mask(len)) == 0) {
                best = e.getKey();
                bestLen = len;
            }
        }
        return best;
    }

    /** Random prefixes crowded into a few /16s so that they nest, plus any length anywhere. */
    private static int[] randomPrefix(SplittableRandom rnd) {
        int len = rnd.nextInt(10) < 6 ? 20 + rnd.nextInt(13) : rnd.nextInt(33);
        int base = switch (rnd.nextInt(4)) {
            case 0 -> ip("10.1.0.0");
            case 1 -> ip("10.2.0.0");
            case 2 -> ip("192.168.0.0");
            default -> rnd.nextInt();
        };
        int key = (base | rnd.nextInt(1 << 16)) & FibTrie.mask(len);
        return new int[] {key, len};
    }

    /** An address inside or at the edge of a known prefix, or anywhere. */
    private static int probe(SplittableRandom rnd, List<int[]> known) {
        if (known.isEmpty() || rnd.nextInt(8) == 0) {
            return rnd.nextInt();
        }
        int[] p = known.get(rnd.nextInt(known.size()));
        int host = ~FibTrie.mask(p[1]);
        return switch (rnd.nextInt(4)) {
            case 0 -> p[0];
            case 1 -> p[0] | host;
            case 2 -> (p[0] | host) + 1;
            default -> p[0] | (rnd.nextInt() & host);
        };
    }

    private static void check(FibTrie<String> trie, Map<String, int[]> ref, List<int[]> known, SplittableRandom rnd, int probes) {
        assertTrue(trie.indexed());
        for (int i = 0; i < probes; i++) {
            int addr = probe(rnd, known);
            String want = naive(ref, addr);
            assertEquals(want, trie.lookup(addr), () -> "lookup " + Flow4.addr(addr));
            int walked = trie.walkLongest(addr);
            assertEquals(walked, trie.longest(addr), () -> "index and walk disagree at " + Flow4.addr(addr));
        }
    }

    private static void randomInsertsAndRemoves(long seed, int maxGroups) {
        SplittableRandom rnd = new SplittableRandom(seed);
        FibTrie<String> trie = new FibTrie<>();
        trie.indexAbove(0, maxGroups);
        Map<String, int[]> ref = new LinkedHashMap<>();
        List<int[]> known = new ArrayList<>();
        for (int step = 0; step < 3000; step++) {
            boolean insert = ref.isEmpty() || rnd.nextInt(100) < (step < 1500 ? 70 : 35);
            if (insert) {
                int[] p = step == 10 ? new int[] {0, 0} : randomPrefix(rnd);
                String n = name(p[0], p[1]);
                assertEquals(ref.containsKey(n) ? n : null, trie.put(p[0], p[1], n));
                ref.put(n, p);
                known.add(p);
            } else {
                List<String> names = new ArrayList<>(ref.keySet());
                String n = names.get(rnd.nextInt(names.size()));
                int[] p = ref.remove(n);
                assertEquals(n, trie.put(p[0], p[1], null));
            }
            assertEquals(ref.size(), trie.size());
            check(trie, ref, known, rnd, 20);
        }
        for (String n : List.copyOf(ref.keySet())) {
            int[] p = ref.remove(n);
            trie.put(p[0], p[1], null);
            if (ref.size() % 50 == 0) {
                check(trie, ref, known, rnd, 200);
            }
        }
        assertEquals(0, trie.indexGroups(), "every group is freed once its /24 has no long prefix left");
        assertNull(trie.lookup(0));
    }

    @Test
    void indexAgreesWithNaiveMatchThroughInsertsAndRemoves() {
        randomInsertsAndRemoves(1, 1 << 16);
        randomInsertsAndRemoves(2, 1 << 16);
    }

    @Test
    void groupLimitLeavesTheExtraSlashTwentyFoursToTheWalk() {
        randomInsertsAndRemoves(3, 4);
    }

    @Test
    void longPrefixesCreateAGroupAndFreeItWhenTheLastOneGoes() {
        FibTrie<String> trie = new FibTrie<>();
        trie.indexAbove(0);
        trie.put(0, 0, "default");
        trie.put(ip("10.0.0.0"), 8, "/8");
        trie.put(ip("10.1.2.128"), 25, "/25");
        trie.put(ip("10.1.2.200"), 32, "/32");
        assertEquals(1, trie.indexGroups());
        trie.put(ip("10.1.3.0"), 30, "/30");
        assertEquals(2, trie.indexGroups());

        assertEquals("/8", trie.lookup(ip("10.1.2.127")));
        assertEquals("/25", trie.lookup(ip("10.1.2.199")));
        assertEquals("/32", trie.lookup(ip("10.1.2.200")));
        assertEquals("/30", trie.lookup(ip("10.1.3.3")));
        assertEquals("/8", trie.lookup(ip("10.1.3.4")));

        trie.put(ip("10.1.2.0"), 24, "/24");
        assertEquals("/24", trie.lookup(ip("10.1.2.127")));
        assertEquals("/32", trie.lookup(ip("10.1.2.200")));

        trie.put(ip("10.1.2.128"), 25, null);
        assertEquals("/24", trie.lookup(ip("10.1.2.199")));
        assertEquals(2, trie.indexGroups());
        trie.put(ip("10.1.2.200"), 32, null);
        assertEquals(1, trie.indexGroups());
        trie.put(ip("10.1.3.0"), 30, null);
        assertEquals(0, trie.indexGroups());
        assertEquals("/24", trie.lookup(ip("10.1.2.200")));
        assertEquals("/8", trie.lookup(ip("10.1.3.3")));

        trie.put(ip("10.0.0.0"), 8, null);
        assertEquals("default", trie.lookup(ip("10.1.3.3")));
        trie.put(0, 0, null);
        assertNull(trie.lookup(ip("10.1.3.3")));
        assertEquals("/24", trie.lookup(ip("10.1.2.3")));
    }

    @Test
    void theIndexIsBuiltAboveTheThresholdAndDroppedWellBelowIt() {
        FibTrie<String> trie = new FibTrie<>();
        trie.indexAbove(100);
        for (int i = 0; i < 100; i++) {
            trie.put(ip("10.0.0.0") | i << 8, 24, "net" + i);
        }
        assertFalse(trie.indexed());
        assertEquals(0, trie.indexBytes());
        trie.put(ip("10.0.0.0"), 8, "/8");
        assertTrue(trie.indexed());
        assertEquals("net99", trie.lookup(ip("10.0.99.1")));
        assertEquals("/8", trie.lookup(ip("10.0.100.1")));
        for (int i = 0; i < 76; i++) {
            trie.put(ip("10.0.0.0") | i << 8, 24, null);
        }
        assertEquals(25, trie.size());
        assertTrue(trie.indexed(), "hysteresis: not below a quarter of the threshold yet");
        assertEquals("/8", trie.lookup(ip("10.0.5.1")));
        trie.put(ip("10.0.76.0"), 24, null);
        assertFalse(trie.indexed());
        assertEquals("net77", trie.lookup(ip("10.0.77.1")));
        assertEquals("/8", trie.lookup(ip("10.0.76.1")));
    }

    @Test
    void aFibAnswersTheSameWithAndWithoutTheIndex() {
        FibFixture f = new FibFixture().device(2, "v0").up(2).address("10.1.0.2/24", 2).device(3, "v1").up(3)
                .address("10.2.0.2/24", 3);
        FibTrie<FibAlias> trie = f.fib.table(FibTable.MAIN).trie();
        trie.indexAbove(0);
        SplittableRandom rnd = new SplittableRandom(7);
        List<int[]> added = new ArrayList<>();
        RouteType[] rejecting = {RouteType.UNREACHABLE, RouteType.BLACKHOLE, RouteType.PROHIBIT};
        for (int i = 0; i < 1500; i++) {
            int[] p = randomPrefix(rnd);
            RouteSpec.Builder b = RouteSpec.to(new Ipv4Address(p[0]), p[1]);
            switch (rnd.nextInt(6)) {
                case 0 -> b.type(rejecting[rnd.nextInt(rejecting.length)]);
                case 1 -> b.dev(rnd.nextBoolean() ? 2 : 3);
                case 2 -> b.via("10.1.0.1").tos(4 << rnd.nextInt(3));
                default -> b.via(rnd.nextBoolean() ? "10.1.0.1" : "10.2.0.1").metric(rnd.nextInt(3));
            }
            try {
                f.fib.addRoute(b.build(), Fib.Op.APPEND);
                added.add(p);
            } catch (NetException e) {
                // Refused as Linux would (a duplicate, say); the comparison covers what went in.
            }
        }
        assertTrue(added.size() > 1000);
        compareWithAndWithoutIndex(f.fib, trie, added, rnd);
        f.fib.carrierChanged(3, false);
        f.fib.setIgnoreRoutesWithLinkdown(3, true);
        for (int i = 0; i < 600; i++) {
            int[] p = added.get(rnd.nextInt(added.size()));
            try {
                f.fib.deleteRoute(RouteSpec.to(new Ipv4Address(p[0]), p[1]).build());
            } catch (NetException e) {
                // Already gone.
            }
        }
        compareWithAndWithoutIndex(f.fib, trie, added, rnd);
    }

    private static void compareWithAndWithoutIndex(Fib fib, FibTrie<FibAlias> trie, List<int[]> known, SplittableRandom rnd) {
        assertTrue(trie.indexed());
        FibResult with = new FibResult();
        FibResult without = new FibResult();
        int[] scopes = {RouteScope.UNIVERSE, RouteScope.LINK, RouteScope.HOST};
        List<Flow4> flows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            Flow4 fl = new Flow4().dst(probe(rnd, known)).tos(rnd.nextInt(4) == 0 ? 4 << rnd.nextInt(3) : 0);
            if (rnd.nextInt(8) == 0) {
                fl.scope(scopes[rnd.nextInt(scopes.length)]);
            }
            if (rnd.nextInt(8) == 0) {
                fl.oif(2 + rnd.nextInt(2));
            }
            flows.add(fl);
        }
        boolean[] ok = new boolean[flows.size()];
        String[] answers = new String[flows.size()];
        FibAlias[] aliases = new FibAlias[flows.size()];
        for (int i = 0; i < flows.size(); i++) {
            ok[i] = fib.lookup(flows.get(i), with);
            answers[i] = with.toString();
            aliases[i] = with.alias();
        }
        trie.indexAbove(Integer.MAX_VALUE);
        assertFalse(trie.indexed());
        int hits = 0;
        for (int i = 0; i < flows.size(); i++) {
            Flow4 shown = flows.get(i);
            boolean okWithout = fib.lookup(shown, without);
            assertEquals(okWithout, ok[i], () -> "success differs for " + shown);
            assertEquals(without.toString(), answers[i], () -> "answer differs for " + shown);
            assertTrue(without.alias() == aliases[i], () -> "route differs for " + shown);
            hits += okWithout ? 1 : 0;
        }
        assertTrue(hits > 1000, "the comparison covers successful lookups: " + hits);
        trie.indexAbove(0);
    }
}
