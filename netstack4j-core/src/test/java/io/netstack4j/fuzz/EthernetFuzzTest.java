package io.netstack4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.EthernetHeader.EthernetRepr;
import java.util.Arrays;

/**
 * Ethernet II: the header view and its repr on any bytes, then the frame received by the
 * fixture's h ({@code eth_type_trans}, packet-type dispatch and whatever lies above).
 */
class EthernetFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void frame(byte[] data) {
        EthernetRepr r = EthernetRepr.parse(data, 0, data.length);
        if (data.length < EthernetHeader.HEADER_LEN) {
            assertNull(r);
        } else {
            assertEquals(EthernetHeader.dst(data, 0), r.dst().bits());
            assertEquals(EthernetHeader.src(data, 0), r.src().bits());
            assertEquals(EthernetHeader.etherType(data, 0), r.etherType());
            byte[] out = new byte[EthernetHeader.HEADER_LEN];
            r.emit(out, 0);
            assertArrayEquals(Arrays.copyOf(data, EthernetHeader.HEADER_LEN), out, "parse then emit gives the header back");
        }
        try (FuzzNet net = new FuzzNet()) {
            net.inject(data);
            net.run(20);
            net.finish(false);
        }
    }
}
