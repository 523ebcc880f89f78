package io.netstack4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The whole receive path: frames received by h on c's link, h being a router with a listener,
 * an established connection with data in flight, a bound UDP socket and a half reassembled
 * datagram ({@link FuzzNet}). Two minutes of virtual time then pass, so the timers the input
 * armed (retransmission, delayed ACK, reassembly timeout, ARP) run too. After it: no drop
 * without a reason, h still answers b's ping and accepts b's connection, and teardown returns
 * every packet buffer.
 */
class ReceivePathFuzzTest {

    /** The most frames one {@link #frames} input is cut into. */
    static final int MAX_FRAMES = 16;

    /** One frame. */
    @FuzzTest(maxDuration = "10m")
    void frame(byte[] data) {
        try (FuzzNet net = new FuzzNet()) {
            net.inject(data);
            net.run(100);
            net.run(120_000);
            net.finish(true);
        }
    }

    /**
     * A conversation: the input is a sequence of records {@code [delay ms: u8][length: u16][frame]}
     * (a short last record takes what is left), each frame received after the delay, so
     * reassembly and the TCP state machine see several packets of one exchange.
     */
    @FuzzTest(maxDuration = "10m")
    void frames(byte[] data) {
        try (FuzzNet net = new FuzzNet()) {
            int i = 0;
            for (int n = 0; n < MAX_FRAMES && i + 3 <= data.length; n++) {
                int delay = data[i] & 0xff;
                int len = Math.min((data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff), data.length - i - 3);
                net.run(delay);
                net.inject(java.util.Arrays.copyOfRange(data, i + 3, i + 3 + len));
                i += 3 + len;
            }
            net.run(100);
            net.run(120_000);
            net.finish(true);
        }
    }
}
