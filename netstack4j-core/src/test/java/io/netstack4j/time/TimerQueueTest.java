package io.netstack4j.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimerQueueTest {

    @Test
    void runsInExpiryOrderAndEqualTimesInArmingOrder() {
        TimerQueue q = new TimerQueue();
        List<String> ran = new ArrayList<>();
        Timer a = new Timer(() -> ran.add("a"));
        Timer b = new Timer(() -> ran.add("b"));
        Timer c = new Timer(() -> ran.add("c"));
        q.mod(c, 30);
        q.mod(a, 10);
        q.mod(b, 10);
        assertEquals(10, q.nextExpiry());
        assertEquals(2, q.runDue(10));
        assertEquals(List.of("a", "b"), ran);
        assertEquals(1, q.runDue(100));
        assertEquals(List.of("a", "b", "c"), ran);
        assertEquals(Long.MAX_VALUE, q.nextExpiry());
    }

    @Test
    void modRearmsAndDelDisarms() {
        TimerQueue q = new TimerQueue();
        int[] count = new int[1];
        Timer t = new Timer(() -> count[0]++);
        q.mod(t, 50);
        q.mod(t, 5);
        assertEquals(1, q.size());
        assertEquals(5, t.expires());
        assertTrue(q.del(t));
        assertFalse(t.pending());
        assertFalse(q.del(t));
        assertEquals(0, q.runDue(1000));
        assertEquals(0, count[0]);
    }

    @Test
    void heapStaysOrderedUnderRandomOperations() {
        TimerQueue q = new TimerQueue();
        Random r = new Random(7);
        List<Long> fired = new ArrayList<>();
        Timer[] timers = new Timer[500];
        for (int i = 0; i < timers.length; i++) {
            Timer[] self = new Timer[1];
            timers[i] = new Timer(() -> fired.add(self[0].expires()));
            self[0] = timers[i];
        }
        for (int step = 0; step < 20_000; step++) {
            Timer t = timers[r.nextInt(timers.length)];
            if (r.nextInt(4) == 0) {
                q.del(t);
            } else {
                q.mod(t, r.nextInt(1_000_000));
            }
        }
        int pending = q.size();
        q.runDue(Long.MAX_VALUE - 1);
        assertEquals(pending, fired.size());
        for (int i = 1; i < fired.size(); i++) {
            assertTrue(fired.get(i - 1) <= fired.get(i), "fired out of order at " + i);
        }
    }

    @Test
    void aCallbackMayArmATimerDueNow() {
        TimerQueue q = new TimerQueue();
        List<String> ran = new ArrayList<>();
        Timer second = new Timer(() -> ran.add("second"));
        Timer first = new Timer(() -> {
            ran.add("first");
            q.mod(second, 10);
        });
        q.mod(first, 10);
        q.runDue(10);
        assertEquals(List.of("first", "second"), ran);
    }
}
