package io.netstack4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netstack4j.udp.UdpMib;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.UdpHeader;
import io.netstack4j.wire.UdpHeader.UdpRepr;
import java.util.Arrays;

/**
 * UDP: the header view and repr, the checksum (fill then verify), then the datagram received
 * by h from c ({@code udp_rcv}): a datagram for port 9999 whose length field is consistent
 * reaches the bound socket with exactly the bytes the length field covers; one whose length
 * field is not is counted in InErrors and reaches nobody.
 */
class UdpFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void datagram(byte[] data) {
        UdpRepr r = UdpRepr.parse(data, 0, data.length);
        if (data.length < UdpHeader.HEADER_LEN) {
            assertNull(r);
        } else {
            byte[] out = data.clone();
            r.emit(out, 0);
            assertEquals(new UdpRepr(r.srcPort(), r.dstPort(), r.length(), 0), UdpRepr.parse(out, 0, out.length));
            UdpHeader.fillChecksum(out, 0, out.length, FuzzNet.C, FuzzNet.H);
            assertNotEquals(0, UdpHeader.checksum(out, 0), "a computed 0 is sent as 0xffff");
            assertTrue(UdpHeader.verifyChecksum(out, 0, out.length, FuzzNet.C, FuzzNet.H));
        }
        try (FuzzNet net = new FuzzNet()) {
            long inErrors = net.h.udp().mib().get(UdpMib.InErrors);
            net.inject(FuzzNet.ipFrame(IpProtocol.UDP, FuzzNet.H, data));
            net.run(20);
            if (r != null && r.dstPort() == FuzzNet.UDP_PORT && data.length + 20 <= 0xffff) {
                if (r.length() >= UdpHeader.HEADER_LEN && r.length() <= data.length) {
                    byte[] got = new byte[70000];
                    int n = net.udp.receive(got, 0, got.length);
                    assertArrayEquals(Arrays.copyOfRange(data, UdpHeader.HEADER_LEN, r.length()), Arrays.copyOf(got, Math.max(n, 0)),
                            "the socket gets the bytes the length field covers");
                } else {
                    assertEquals(1, net.h.udp().mib().get(UdpMib.InErrors) - inErrors, "bad length counted");
                    assertFalse(net.udp.readable(), "nothing queued");
                }
            }
            net.finish(true);
        }
    }
}
