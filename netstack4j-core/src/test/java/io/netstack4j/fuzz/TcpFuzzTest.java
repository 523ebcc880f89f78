package io.netstack4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netstack4j.tcp.TcpMib;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;
import java.util.Arrays;

/**
 * TCP with options: the header checks, the option parser ({@code tcp_parse_options}) on a copy
 * holding exactly the header, so a read past it throws, and the option writers re-parsed; then
 * the segment received by h from c ({@code tcp_v4_rcv}): to the listener, to the established
 * connection (sequence numbers relative, see {@link FuzzNet}), or to no socket.
 */
class TcpFuzzTest {

    private final TcpOptions opt = new TcpOptions();

    @FuzzTest(maxDuration = "10m")
    void segment(byte[] data) {
        boolean ok = TcpHeader.checkLength(data, 0, data.length);
        if (ok) {
            options(data);
        }
        try (FuzzNet net = new FuzzNet()) {
            long inErrs = net.h.tcp().mib().get(TcpMib.InErrs);
            long inSegs = net.h.tcp().mib().get(TcpMib.InSegs);
            net.inject(FuzzNet.ipFrame(IpProtocol.TCP, FuzzNet.H, data));
            net.run(20);
            if (data.length + 20 <= 0xffff) {
                long errs = net.h.tcp().mib().get(TcpMib.InErrs) - inErrs;
                boolean syn = ok && (TcpHeader.flags(data, 0) & TcpHeader.SYN) != 0;
                if (syn) {
                    // A SYN inside the window of the established connection draws a challenge ACK and
                    // counts InErrs (RFC 5961 4.2, tcp_validate_incoming's syn_inerr).
                    assertTrue(errs <= 1, "a SYN counts InErrs at most once: " + errs);
                } else {
                    assertEquals(ok ? 0 : 1, errs, "a malformed header is counted in InErrs");
                }
                assertTrue(net.h.tcp().mib().get(TcpMib.InSegs) - inSegs >= (ok ? 1 : 0), "a well-formed one in InSegs");
            }
            net.finish(true);
        }
    }

    private void options(byte[] data) {
        int hl = TcpHeader.headerLength(data, 0);
        byte[] header = Arrays.copyOf(data, hl);
        boolean wellFormed = opt.parse(header, 0);
        boolean syn = (TcpHeader.flags(header, 0) & TcpHeader.SYN) != 0;
        assertTrue(opt.numSacks >= 0 && opt.numSacks <= TcpOptions.MAX_SACK_BLOCKS);
        assertTrue(opt.wscale >= -1 && opt.wscale <= TcpOptions.MAX_WSCALE, "wscale " + opt.wscale);
        if (!syn) {
            assertTrue(opt.mss == 0 && opt.wscale == -1 && !opt.sackOk, "SYN-only options ignored elsewhere");
        } else {
            assertEquals(0, opt.numSacks, "no SACK blocks taken from a SYN");
        }
        if (hl == TcpHeader.MIN_LEN) {
            assertTrue(wellFormed && !opt.sawTstamp && opt.numSacks == 0, "no options in a 20-byte header");
        }
        // What was parsed, written back with the stack's own writers, parses to the same values.
        if (syn && opt.mss != 0) {
            byte[] w = new byte[40];
            TcpHeader.setFlags(w, 0, TcpHeader.SYN);
            int n = TcpOptions.writeSyn(w, 20, opt.mss, opt.sackOk, opt.sawTstamp, opt.tsVal, opt.tsEcr, opt.wscale);
            TcpHeader.setHeaderLength(w, 0, 20 + n);
            TcpOptions back = new TcpOptions();
            assertTrue(back.parse(w, 0));
            assertEquals(opt.mss, back.mss);
            assertEquals(opt.sackOk, back.sackOk);
            assertEquals(opt.wscale, back.wscale);
            assertEquals(opt.sawTstamp, back.sawTstamp);
            if (opt.sawTstamp) {
                assertEquals(opt.tsVal, back.tsVal);
                assertEquals(opt.tsEcr, back.tsEcr);
            }
        }
        if (!syn && opt.numSacks > 0 && opt.numSacks <= 3) {
            byte[] w = new byte[60];
            TcpHeader.setFlags(w, 0, TcpHeader.ACK_FLAG);
            int n = TcpOptions.writeTimestamp(w, 20, opt.tsVal, opt.tsEcr);
            n += TcpOptions.writeSack(w, 20 + n, opt.sackStart, opt.sackEnd, opt.numSacks);
            TcpHeader.setHeaderLength(w, 0, 20 + n);
            TcpOptions back = new TcpOptions();
            assertTrue(back.parse(w, 0));
            assertEquals(opt.numSacks, back.numSacks);
            for (int k = 0; k < opt.numSacks; k++) {
                assertEquals(opt.sackStart[k], back.sackStart[k]);
                assertEquals(opt.sackEnd[k], back.sackEnd[k]);
            }
            assertTrue(back.sawTstamp);
        }
    }
}
