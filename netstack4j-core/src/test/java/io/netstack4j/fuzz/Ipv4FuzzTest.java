package io.netstack4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.Ipv4Header.Ipv4Repr;
import io.netstack4j.wire.Ipv4Options;
import java.util.Arrays;

/**
 * IPv4 with options: the header view, the repr (parse then emit), the options compiler
 * ({@code __ip_options_compile}), then the datagram received by h from c ({@code ip_rcv}
 * onwards: options, routing, reassembly, forwarding to b, local delivery).
 */
class Ipv4FuzzTest {

    @FuzzTest(maxDuration = "10m")
    void datagram(byte[] data) {
        int len = data.length;
        boolean ok = Ipv4Header.check(data, 0, len);
        Ipv4Repr r = Ipv4Repr.parse(data, 0, len);
        if (!ok) {
            assertNull(r);
        } else {
            int hlen = Ipv4Header.headerLength(data, 0);
            int total = Ipv4Header.totalLength(data, 0);
            assertEquals(total >= hlen && total <= len, r != null, "parse accepts exactly the datagrams whose total length fits");
            if (r != null) {
                roundTrip(data, r, hlen);
            }
            options(data, hlen);
        }
        try (FuzzNet net = new FuzzNet()) {
            net.inject(FuzzNet.ethFrame(EtherType.IPV4, FuzzNet.MAC_H, data));
            net.run(50);
            net.finish(true);
        }
    }

    private static void roundTrip(byte[] data, Ipv4Repr r, int hlen) {
        assertEquals(Ipv4Header.totalLength(data, 0) - hlen, r.payloadLength());
        byte[] out = new byte[Ipv4Header.MIN_LEN + r.payloadLength()];
        r.emit(out, 0);
        assertTrue(Ipv4Header.verifyChecksum(out, 0), "emit fills a valid checksum");
        assertEquals(r, Ipv4Repr.parse(out, 0, out.length), "emit then parse gives the repr back");
        boolean reservedFlag = (data[Ipv4Header.FLAGS_FRAG] & 0x80) != 0;
        if (hlen == Ipv4Header.MIN_LEN && !reservedFlag) {
            byte[] in = Arrays.copyOf(data, Ipv4Header.MIN_LEN);
            byte[] em = Arrays.copyOf(out, Ipv4Header.MIN_LEN);
            if (Ipv4Header.verifyChecksum(data, 0)) {
                assertArrayEquals(in, em, "a valid option-less header comes back bit for bit");
            } else {
                Ipv4Header.setChecksum(in, 0, 0);
                Ipv4Header.setChecksum(em, 0, 0);
                assertArrayEquals(in, em, "an option-less header comes back bit for bit but for its checksum");
            }
        }
    }

    /** The compiler neither writes nor reads outside the options, and what it records is where it says. */
    private static void options(byte[] data, int hlen) {
        byte[] header = Arrays.copyOf(data, hlen);
        byte[] before = header.clone();
        Ipv4Options o = new Ipv4Options();
        int bad = o.compile(header, 0);
        assertArrayEquals(before, header, "compile changes no byte");
        assertEquals(hlen - Ipv4Header.MIN_LEN, o.optLen);
        assertTrue(bad == -1 || bad >= Ipv4Header.MIN_LEN && bad < hlen, "problem pointer " + bad + " inside the options");
        if (bad == -1) {
            at(header, o.srr, o.isStrictRoute ? Ipv4Options.OPT_SSRR : Ipv4Options.OPT_LSRR);
            at(header, o.rr, Ipv4Options.OPT_RR);
            at(header, o.ts, Ipv4Options.OPT_TIMESTAMP);
            at(header, o.routerAlert, Ipv4Options.OPT_RA);
            at(header, o.cipso, Ipv4Options.OPT_CIPSO);
        }
        Ipv4Options again = new Ipv4Options();
        assertEquals(bad, again.compile(header, 0), "compile is a function of the bytes");
        assertNotNull(again);
    }

    private static void at(byte[] header, int offset, int type) {
        if (offset != 0) {
            assertTrue(offset >= Ipv4Header.MIN_LEN && offset < header.length, "option offset " + offset);
            assertEquals(type, header[offset] & 0xff, "option type at " + offset);
            assertTrue(offset + (header[offset + 1] & 0xff) <= header.length, "option at " + offset + " fits");
        }
    }
}
