package io.netstack4j.core;

/** Something the loop polls for received packets with a budget, as a kernel {@code napi_struct}. */
public interface Napi {

    /** Processes at most {@code budget} packets; returns how many were processed. */
    int poll(int budget);

    /** True while packets are waiting, so the loop polls again. */
    boolean hasWork();
}
