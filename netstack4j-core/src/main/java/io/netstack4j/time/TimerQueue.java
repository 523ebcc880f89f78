package io.netstack4j.time;

import java.util.Arrays;

/**
 * Pending timers ordered by expiry: a binary min-heap with an index kept in each {@link Timer},
 * so {@code mod} and {@code del} are O(log n) and allocate nothing once the heap has grown.
 * Timers with equal expiry run in the order they were armed, which keeps simulations repeatable.
 * Not thread-safe: owned by one loop thread.
 */
public final class TimerQueue {

    private Timer[] heap = new Timer[64];
    private int size;
    private long nextSequence;

    /** Arms {@code t} to fire at {@code expires}, re-arming it if already pending ({@code mod_timer}). */
    public void mod(Timer t, long expires) {
        t.expires = expires;
        t.sequence = nextSequence++;
        if (t.heapIndex >= 0) {
            int i = t.heapIndex;
            siftUp(i);
            siftDown(t.heapIndex);
            return;
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = t;
        t.heapIndex = size;
        size++;
        siftUp(size - 1);
    }

    /** Disarms {@code t}; returns whether it was pending ({@code del_timer}). */
    public boolean del(Timer t) {
        int i = t.heapIndex;
        if (i < 0) {
            return false;
        }
        size--;
        Timer last = heap[size];
        heap[size] = null;
        t.heapIndex = -1;
        if (i != size) {
            heap[i] = last;
            last.heapIndex = i;
            siftUp(i);
            siftDown(last.heapIndex);
        }
        return true;
    }

    public int size() {
        return size;
    }

    /** Expiry of the earliest pending timer, or {@link Long#MAX_VALUE} when none is pending. */
    public long nextExpiry() {
        return size == 0 ? Long.MAX_VALUE : heap[0].expires;
    }

    /**
     * Runs every timer due at {@code now}, earliest first. A callback may arm timers; one armed
     * for a time at or before {@code now} runs in this call too. Returns how many ran.
     */
    public int runDue(long now) {
        int ran = 0;
        while (size > 0 && heap[0].expires - now <= 0) {
            Timer t = heap[0];
            del(t);
            t.fire();
            ran++;
        }
        return ran;
    }

    private boolean less(Timer a, Timer b) {
        long d = a.expires - b.expires;
        return d < 0 || (d == 0 && a.sequence < b.sequence);
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (!less(t, p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && less(heap[right], heap[child])) {
                child = right;
            }
            if (!less(heap[child], t)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
