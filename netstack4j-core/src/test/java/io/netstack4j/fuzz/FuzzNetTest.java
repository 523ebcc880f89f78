package io.netstack4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.tcp.TcpExtMib;
import io.netstack4j.tcp.TcpState;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The fuzz fixture itself: built as its comment says, serving, leak-free, and the seeds land where meant. */
class FuzzNetTest {

    private static byte[] seed(String path) throws IOException {
        try (InputStream in = FuzzNetTest.class.getResourceAsStream(path)) {
            return in.readAllBytes();
        }
    }

    @Test
    void fixtureServesAndReturnsEveryBuffer() {
        for (int i = 0; i < 5; i++) {
            try (FuzzNet net = new FuzzNet()) {
                assertEquals(TcpState.ESTABLISHED, net.server.state());
                assertNotEquals(0, net.serverIsn);
                assertEquals(30000, net.server.sendQueueBytes(), "h's last 30000 bytes unacknowledged");
                net.assertStillServing();
                net.finish(true);
            }
        }
    }

    /**
     * Captured ACKs with SACK blocks from c, made absolute by inject (sequence numbers and
     * timestamps), pass PAWS and the window checks and are taken as SACK information by h.
     */
    @Test
    void capturedSackReachesTheConnection() throws IOException {
        try (FuzzNet net = new FuzzNet()) {
            long before = net.h.tcp().extMib().get(TcpExtMib.TCPSackRecovery) + net.h.tcp().extMib().get(TcpExtMib.TCPSACKReorder);
            byte[] sack = seed("ReceivePathFuzzTestInputs/frames/seq-c2h-tcp-ack-sack-x7-0");
            // [delay][len][frame]...: inject each, as the target does
            int i = 0;
            while (i + 3 <= sack.length) {
                int len = (sack[i + 1] & 0xff) << 8 | (sack[i + 2] & 0xff);
                net.inject(java.util.Arrays.copyOfRange(sack, i + 3, i + 3 + len));
                net.run(1);
                i += 3 + len;
            }
            long after = net.h.tcp().extMib().get(TcpExtMib.TCPSackRecovery) + net.h.tcp().extMib().get(TcpExtMib.TCPSACKReorder);
            // SACK blocks above a hole move the sender out of Open (tcp_fastretrans_alert: Disorder or Recovery)
            assertTrue(after > before || !"OPEN".equals(TcpCalls.info(net.server).caState()),
                    "h used the SACK blocks: " + TcpCalls.info(net.server));
        }
    }

    /** The derived frag-needed about h's segment passes the RFC 5927 sequence check and lowers the path MTU. */
    @Test
    void derivedFragNeededReachesTheConnection() throws IOException {
        try (FuzzNet net = new FuzzNet()) {
            assertEquals(1500, TcpCalls.info(net.server).pmtu());
            byte[] f = seed("ReceivePathFuzzTestInputs/frame/derived-c2h-icmp-fragneeded-quoting-tcp-0");
            int quotedIp = EthernetHeader.HEADER_LEN + Ipv4Header.headerLength(f, EthernetHeader.HEADER_LEN) + 8;
            int quotedTcp = quotedIp + Ipv4Header.headerLength(f, quotedIp);
            // Since the RFC 5927 check guards the path MTU too, the quoted sequence number must be
            // in [snd_una, snd_nxt] of this run: quote snd_una (relative, as the seeds are).
            long acked = TcpCalls.info(net.server).bytesAcked();
            TcpHeader.setSeq(f, quotedTcp, (int) (1 + acked));
            net.inject(f);
            net.run(1);
            assertEquals(1280, TcpCalls.info(net.server).pmtu());
            long outOfWindow = net.h.tcp().extMib().get(TcpExtMib.OutOfWindowIcmps);
            TcpHeader.setSeq(f, quotedTcp, (int) (1 + acked + (1 << 30)));
            f[EthernetHeader.HEADER_LEN + Ipv4Header.headerLength(f, EthernetHeader.HEADER_LEN) + 6] = 0x02; // next-hop MTU 576
            f[EthernetHeader.HEADER_LEN + Ipv4Header.headerLength(f, EthernetHeader.HEADER_LEN) + 7] = 0x40;
            net.inject(f);
            net.run(1);
            assertEquals(1280, TcpCalls.info(net.server).pmtu(), "a frag-needed quoting a sequence number outside the window is ignored");
            assertEquals(outOfWindow + 1, net.h.tcp().extMib().get(TcpExtMib.OutOfWindowIcmps));
        }
    }
}
