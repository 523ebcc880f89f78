package io.netstack4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The whole receive path: any frame received by h on c's link, h being a router with a
 * listener, an established connection with data exchanged, a bound UDP socket and a half
 * reassembled datagram ({@link FuzzNet}). Two minutes of virtual time then pass, so the timers
 * the frame armed (retransmission, delayed ACK, reassembly timeout, ARP) run too. After it: no
 * drop without a reason, h still answers b's ping and accepts b's connection, and teardown
 * returns every packet buffer.
 */
class ReceivePathFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void frame(byte[] data) {
        try (FuzzNet net = new FuzzNet()) {
            net.inject(data);
            net.run(100);
            net.run(120_000);
            net.finish(true);
        }
    }
}
