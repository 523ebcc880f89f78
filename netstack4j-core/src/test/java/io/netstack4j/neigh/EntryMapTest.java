package io.netstack4j.neigh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EntryMapTest {

    @Test
    void behavesAsAMapUnderRandomPutsAndRemoves() {
        EntryMap m = new EntryMap();
        Map<Long, ArpEntry> ref = new HashMap<>();
        Random r = new Random(4);
        for (int step = 0; step < 200_000; step++) {
            int ip = 0x0a000000 | r.nextInt(3000);
            int ifindex = 1 + r.nextInt(3);
            long k = EntryMap.key(ip, ifindex);
            switch (r.nextInt(3)) {
                case 0 -> {
                    ArpEntry e = new ArpEntry(ip, null, x -> { });
                    m.put(k, e);
                    ref.put(k, e);
                }
                case 1 -> {
                    m.remove(k);
                    ref.remove(k);
                }
                default -> assertSame(ref.get(k), m.get(k), "step " + step);
            }
        }
        assertEquals(ref.size(), m.size());
        for (Map.Entry<Long, ArpEntry> e : ref.entrySet()) {
            assertSame(e.getValue(), m.get(e.getKey()));
        }
        assertEquals(ref.size(), m.values().size());
    }
}
