package io.netstack4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.netstack4j.tcp.TcpState;
import org.junit.jupiter.api.Test;

/** The fuzz fixture itself: built as its comment says, serving, and leak-free when untouched. */
class FuzzNetTest {

    @Test
    void fixtureServesAndReturnsEveryBuffer() {
        long t0 = System.nanoTime();
        int n = 20;
        for (int i = 0; i < n; i++) {
            try (FuzzNet net = new FuzzNet()) {
                assertEquals(TcpState.ESTABLISHED, net.server.state());
                assertNotEquals(0, net.serverIsn);
                net.assertStillServing();
                net.assertDropsNamed();
                net.assertNoLeak();
            }
        }
        System.out.printf("FuzzNet: %.2f ms per build+check%n", (System.nanoTime() - t0) / 1e6 / n);
    }
}
