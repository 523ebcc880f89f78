package io.netstack4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netstack4j.icmp.IcmpMib;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.IcmpHeader.IcmpRepr;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Header;
import java.util.Arrays;

/**
 * ICMP: the header view and repr, then the message received by h from c ({@code icmp_rcv}):
 * echo, and errors whose quoted datagram is handed to UDP and TCP ({@code icmp_unreach},
 * {@code udp_err}, {@code tcp_v4_err}). Checksums are not verified in the fixture, so any
 * echo request must come back as a reply carrying the same identifier, sequence and data.
 */
class IcmpFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void message(byte[] data) {
        IcmpRepr r = IcmpRepr.parse(data, 0, data.length);
        if (data.length < IcmpHeader.HEADER_LEN) {
            assertNull(r);
        } else {
            byte[] out = data.clone();
            r.emit(out, 0);
            assertEquals(r, IcmpRepr.parse(out, 0, out.length));
            assertArrayEquals(Arrays.copyOfRange(data, 4, data.length), Arrays.copyOfRange(out, 4, out.length));
            IcmpHeader.fillChecksum(out, 0, out.length);
            assertTrue(IcmpHeader.verifyChecksum(out, 0, out.length), "fillChecksum makes the message verify");
        }
        try (FuzzNet net = new FuzzNet()) {
            long replies = net.h.icmp().mib().get(IcmpMib.OutEchoReps);
            net.inject(FuzzNet.ipFrame(IpProtocol.ICMP, FuzzNet.H, data));
            net.run(20);
            if (r != null && r.type() == IcmpHeader.ECHO && data.length + 20 <= 1500) {
                assertEquals(1, net.h.icmp().mib().get(IcmpMib.OutEchoReps) - replies, "echo request answered");
                assertTrue(net.received.stream().anyMatch(f -> isReplyTo(f, data)), "the reply carries the request's id, sequence and data");
            }
            net.finish(true);
        }
    }

    private static boolean isReplyTo(byte[] f, byte[] request) {
        int ip = EthernetHeader.HEADER_LEN;
        if (f.length < ip + 20 || EthernetHeader.etherType(f, 0) != EtherType.IPV4 || Ipv4Header.protocol(f, ip) != IpProtocol.ICMP
                || Ipv4Header.src(f, ip) != FuzzNet.H) {
            return false;
        }
        int icmp = ip + Ipv4Header.headerLength(f, ip);
        int end = ip + Ipv4Header.totalLength(f, ip);
        return end - icmp == request.length && IcmpHeader.type(f, icmp) == IcmpHeader.ECHO_REPLY
                && IcmpHeader.verifyChecksum(f, icmp, end - icmp)
                && Arrays.equals(f, icmp + 4, end, request, 4, request.length);
    }
}
