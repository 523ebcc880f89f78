package io.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The spare lists behind the TCP queues: what is given back is handed out again, within the limits. */
class ArrayPoolTest {

    @Test
    void aFreeListHandsBackWhatItWasGivenAndMakesNewOnesWhenEmpty() {
        FreeList<int[]> list = new FreeList<>(() -> new int[4], 2);
        int[] a = list.take();
        int[] b = list.take();
        assertNotSame(a, b);
        list.give(a);
        list.give(b);
        list.give(new int[4]);
        assertEquals(2, list.spares(), "a third spare is over the limit and left to the collector");
        assertSame(b, list.take(), "last given, first taken");
        assertSame(a, list.take());
        assertEquals(4, list.take().length, "made anew once the spares are gone");
    }

    @Test
    void arraysAreKeptByPowerOfTwoLengthAndOthersAreNot() {
        ArrayPool<byte[]> rings = new ArrayPool<>(byte[][]::new, 4, 3, 8);
        byte[][] four = rings.take(4);
        byte[][] sixteen = rings.take(16);
        assertEquals(4, four.length);
        assertEquals(16, sixteen.length);
        rings.give(four);
        rings.give(sixteen);
        assertSame(four, rings.take(4));
        assertSame(sixteen, rings.take(16));

        byte[][] big = rings.take(32);
        assertEquals(32, big.length, "past the largest class: made, never kept");
        rings.give(big);
        assertNotSame(big, rings.take(32));
        byte[][] odd = rings.take(6);
        rings.give(odd);
        assertNotSame(odd, rings.take(6), "not a power of two: never kept");
    }

    @Test
    void longerClassesKeepFewerSpares() {
        ArrayPool<byte[]> rings = new ArrayPool<>(byte[][]::new, 4, 4, 16);
        byte[][][] given = new byte[10][][];
        for (int i = 0; i < given.length; i++) {
            given[i] = new byte[16][];
        }
        for (byte[][] r : given) {
            rings.give(r);
        }
        int reused = 0;
        for (int i = 0; i < given.length; i++) {
            byte[][] r = rings.take(16);
            for (byte[][] g : given) {
                reused += r == g ? 1 : 0;
            }
        }
        assertEquals(4, reused, "length 16 is class 2: 16 >> 2 = 4 spares");
    }

    @Test
    void theSmallestLengthMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new ArrayPool<>(byte[][]::new, 6, 2, 8));
    }
}
