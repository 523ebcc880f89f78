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

    private final TxSeg[] segs = new TxSeg[MAX_FREE_SEGS];
    private int segCount;
    private final TxSeg[][] arrays = new TxSeg[MAX_FREE_ARRAYS][];
    private int arrayCount;

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
        if (arrayCount == 0) {
            return new TxSeg[INITIAL_LENGTH];
        }
        TxSeg[] a = arrays[--arrayCount];
        arrays[arrayCount] = null;
        return a;
    }

    /** Takes back an index array whose slots are all null; one of another length is left to the collector. */
    void giveArray(TxSeg[] a) {
        if (a.length == INITIAL_LENGTH && arrayCount < MAX_FREE_ARRAYS) {
            arrays[arrayCount++] = a;
        }
    }
}
