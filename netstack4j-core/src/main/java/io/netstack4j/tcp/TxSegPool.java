package io.netstack4j.tcp;

/**
 * Free retransmission-queue storage for one namespace's sockets: {@link TxSeg} records and the
 * queues' index arrays. A queue takes them while segments are in flight and gives them back when
 * it empties, so steady traffic allocates nothing and an idle socket holds neither, as Linux
 * frees an skb once it is ACKed. At most {@link #MAX_FREE_SEGS} records and
 * {@link #MAX_FREE_ARRAYS} arrays of the initial length are kept; the rest go to the garbage
 * collector. Loop thread only.
 */
final class TxSegPool {

    /** Length of a queue's index array when it is first made. */
    static final int INITIAL_LENGTH = 16;
    static final int MAX_FREE_SEGS = 8192;
    static final int MAX_FREE_ARRAYS = 1024;
    /** Index arrays are kept by length, 16 << k for k below this. */
    static final int LENGTH_CLASSES = 13;

    private final FreeList<TxSeg> segs = new FreeList<>(TxSeg::new, MAX_FREE_SEGS);
    private final ArrayPool<TxSeg> arrays = new ArrayPool<>(TxSeg[]::new, INITIAL_LENGTH, LENGTH_CLASSES, MAX_FREE_ARRAYS);

    TxSeg takeSeg() {
        return segs.take();
    }

    void giveSeg(TxSeg s) {
        segs.give(s);
    }

    /** An index array of {@link #INITIAL_LENGTH}, all null. */
    TxSeg[] takeArray() {
        return arrays.take(INITIAL_LENGTH);
    }

    /** An all-null index array of {@code length}, a power of two from {@link #INITIAL_LENGTH}. */
    TxSeg[] takeArray(int length) {
        return arrays.take(length);
    }

    /** Takes back an index array whose slots are all null. */
    void giveArray(TxSeg[] a) {
        arrays.give(a);
    }
}
