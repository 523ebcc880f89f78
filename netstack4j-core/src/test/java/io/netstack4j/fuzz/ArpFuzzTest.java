package io.netstack4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netstack4j.wire.ArpPacket;
import io.netstack4j.wire.ArpPacket.ArpRepr;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.MacAddress;
import java.util.Arrays;

/**
 * ARP (RFC 826): the packet view and repr on any bytes, then the packet received by h on c's
 * link, broadcast or unicast by the input's parity ({@code arp_rcv}, {@code arp_process}).
 */
class ArpFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void packet(byte[] data) {
        ArpRepr r = ArpRepr.parse(data, 0, data.length);
        if (!ArpPacket.isEthernetIpv4(data, 0, data.length)) {
            assertNull(r);
        } else {
            assertEquals(ArpPacket.operation(data, 0), r.operation());
            assertEquals(ArpPacket.senderIp(data, 0), r.senderIp().bits());
            assertEquals(ArpPacket.targetHw(data, 0), r.targetHw().bits());
            byte[] out = new byte[ArpPacket.LEN];
            r.emit(out, 0);
            assertArrayEquals(Arrays.copyOf(data, ArpPacket.LEN), out, "parse then emit gives the packet back");
            assertEquals(r, ArpRepr.parse(out, 0, out.length));
        }
        long dst = (data.length & 1) == 0 ? MacAddress.BROADCAST.bits() : FuzzNet.MAC_H;
        try (FuzzNet net = new FuzzNet()) {
            net.inject(FuzzNet.ethFrame(EtherType.ARP, dst, data));
            net.run(20);
            net.finish(true);
        }
    }
}
