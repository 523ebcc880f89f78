package io.netstack4j.tcp;

import java.util.function.IntFunction;

/**
 * Spare index arrays of one element type, kept by length: lengths are powers of two from a
 * smallest one, each length class a {@link FreeList}, longer arrays fewer. A queue that grows
 * while a bulk sender fills it takes its bigger arrays from here and gives them back when it
 * drains. Arrays of other lengths are made on demand and never kept. Loop thread only.
 */
final class ArrayPool<E> {

    private final IntFunction<E[]> make;
    private final int minLength;
    private final FreeList<E[]>[] classes;

    /**
     * @param make makes an array of a given length
     * @param minLength the smallest length kept, a power of two
     * @param lengthClasses how many lengths are kept: minLength, 2 * minLength, ...
     * @param maxFree spares kept of the smallest length; each longer class keeps half as many, at least 4
     */
    @SuppressWarnings("unchecked")
    ArrayPool(IntFunction<E[]> make, int minLength, int lengthClasses, int maxFree) {
        if (Integer.bitCount(minLength) != 1) {
            throw new IllegalArgumentException("minLength " + minLength + " is not a power of two");
        }
        this.make = make;
        this.minLength = minLength;
        this.classes = new FreeList[lengthClasses];
        for (int k = 0; k < lengthClasses; k++) {
            int length = minLength << k;
            classes[k] = new FreeList<>(() -> make.apply(length), Math.max(4, maxFree >> k));
        }
    }

    /** An all-null array of {@code length}. */
    E[] take(int length) {
        int k = lengthClass(length);
        return k < 0 ? make.apply(length) : classes[k].take();
    }

    /** Takes back an array whose slots are all null. */
    void give(E[] a) {
        int k = lengthClass(a.length);
        if (k >= 0) {
            classes[k].give(a);
        }
    }

    private int lengthClass(int length) {
        if (length < minLength || Integer.bitCount(length) != 1) {
            return -1;
        }
        int k = Integer.numberOfTrailingZeros(length / minLength);
        return k < classes.length ? k : -1;
    }
}
