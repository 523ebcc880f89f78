package io.netstack4j.tcp;

/**
 * Free retransmission-queue storage for one namespace's sockets: {@link TxSeg} records and the
 * queues' index arrays of the initial length. A queue takes them while segments are in flight
 * and gives them back when it empties, so steady traffic allocates nothing and an idle socket
 * holds neither, as Linux frees an skb once it is ACKed. At most {@link #MAX_FREE_SEGS} records
 * and {@link #MAX_FREE_ARRAYS} arrays are kept; the rest go to the garbage collector. Loop
 * thread only.
 */
final class TxSegPool {

    /** Length of a queue's index array when it is first made. */
    static final int INITIAL_LENGTH = 16;
    static final int MAX_FREE_SEGS = 8192;
    static final int MAX_FREE_ARRAYS = 1024;

    /** Index arrays are kept by length, 16 << k for k below this. */
    static final int LENGTH_CLASSES = 13;

    private final TxSeg[] segs = new TxSeg[MAX_FREE_SEGS];
    private int segCount;
    /** Free index arrays per length class; fewer are kept the longer they are. */
    private final TxSeg[][][] arrays = new TxSeg[LENGTH_CLASSES][][];
    private final int[] arrayCount = new int[LENGTH_CLASSES];

    TxSegPool() {
        for (int k = 0; k < LENGTH_CLASSES; k++) {
            arrays[k] = new TxSeg[Math.max(4, MAX_FREE_ARRAYS >> k)][];
        }
    }

    TxSeg takeSeg() {
        if (segCount == 0) {
            return new TxSeg();
        }
        TxSeg s = segs[--segCount];
        segs[segCount] = null;
        return s;
    }

    void giveSeg(TxSeg s) {
        if (segCount < MAX_FREE_SEGS) {
            segs[segCount++] = s;
        }
    }

    /** An index array of {@link #INITIAL_LENGTH}, all null. */
    TxSeg[] takeArray() {
        return takeArray(INITIAL_LENGTH);
    }

    /**
     * An all-null index array of {@code length} (a power of two from {@link #INITIAL_LENGTH}):
     * a queue that grows while a bulk sender fills it takes its bigger arrays from here, and
     * gives them back when it drains, so a busy socket does not allocate either.
     */
    TxSeg[] takeArray(int length) {
        int k = lengthClass(length);
        if (k < 0 || arrayCount[k] == 0) {
            return new TxSeg[length];
        }
        TxSeg[] a = arrays[k][--arrayCount[k]];
        arrays[k][arrayCount[k]] = null;
        return a;
    }

    /** Takes back an index array whose slots are all null; beyond the class's limit it is left to the collector. */
    void giveArray(TxSeg[] a) {
        int k = lengthClass(a.length);
        if (k >= 0 && arrayCount[k] < arrays[k].length) {
            arrays[k][arrayCount[k]++] = a;
        }
    }

    private static int lengthClass(int length) {
        if (length < INITIAL_LENGTH || Integer.bitCount(length) != 1) {
            return -1;
        }
        int k = Integer.numberOfTrailingZeros(length / INITIAL_LENGTH);
        return k < LENGTH_CLASSES ? k : -1;
    }
}
