package io.netstack4j.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.wire.Ipv4Address;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two namespaces over a veth pair in virtual time, captured at both ends while h1 pings h2;
 * Wireshark (tshark) must read both files without a complaint and find ARP and ICMP in them.
 */
class CaptureEndToEndTest {

    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    private NetStack stack;
    private Namespace h1;
    private Veth[] pair;

    @BeforeEach
    void twoHosts() {
        stack = NetStack.simulated(42);
        h1 = stack.addNamespace("h1");
        Namespace h2 = stack.addNamespace("h2");
        pair = h1.addVeth("veth0", h2, "veth1");
        h1.inet().addAddress(pair[0], Ipv4Address.parse("10.0.0.1"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        h2.inet().addAddress(pair[1], Ipv4Address.parse("10.0.0.2"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        pair[0].setUp(true);
        pair[1].setUp(true);
        // Let what bringing the links up sent arrive, so both captures start with nothing in flight.
        stack.loop().runFor(SECOND);
    }

    private void ping(int count) {
        byte[] data = new byte[56];
        for (int seq = 1; seq <= count; seq++) {
            h1.icmp().sendEcho(Ipv4Address.parse("10.0.0.2").bits(), 0, 0x77, seq, data, data.length, 0, 0, false, 0);
            stack.loop().runFor(SECOND);
        }
    }

    @Test
    void bothEndsOfAPingAreCapturedCleanly() throws Exception {
        Path p0 = dir.resolve("veth0.pcap");
        Path p1 = dir.resolve("veth1.pcap");
        Capture c0 = Capture.start(pair[0], p0, 0);
        Capture c1 = Capture.start(pair[1], p1, 0);
        ping(3);
        c0.stop();
        c1.stop();

        long frames = c0.packets();
        assertEquals(8, frames, "ARP request and reply, 3 echo requests and 3 replies");
        assertEquals(frames, c1.packets(), "a veth pair: both ends see the same frames");
        assertEquals(0, c0.dropped() + c1.dropped());
        assertEquals(frames, c0.received());
        for (Path p : List.of(p0, p1)) {
            Tshark.assertClean(p, (int) frames);
            assertEquals(List.of(List.of("1", "10.0.0.1", "10.0.0.2"), List.of("2", "10.0.0.2", "10.0.0.1")),
                    Tshark.fields(p, "arp", "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4"),
                    "who-has 10.0.0.2 and its answer");
            // icmp.checksum.status 1 is Wireshark's "Good".
            assertEquals(List.of(
                    List.of("8", "1", "1"), List.of("0", "1", "1"),
                    List.of("8", "2", "1"), List.of("0", "2", "1"),
                    List.of("8", "3", "1"), List.of("0", "3", "1")),
                    Tshark.fields(p, "icmp", "icmp.type", "icmp.seq", "icmp.checksum.status"));
        }
        // Virtual time: stamped from 2000-01-01T00:00:00Z, two seconds after the loop started.
        List<List<String>> times = Tshark.fields(p0, "icmp.seq == 1 && icmp.type == 8", "frame.time_epoch");
        assertEquals(List.of(List.of("946684801.000000000")), times);
        assertEquals(Capture.VIRTUAL_EPOCH_NANOS + SECOND, PcapFile.read(p0).stream()
                .filter(f -> f.data().length > 34 && f.data()[23] == 1).findFirst().orElseThrow().epochNanos());
    }

    @Test
    void countStopsTheCaptureOnItsOwn() throws Exception {
        Path p = dir.resolve("four.pcap");
        Capture c = Capture.start(pair[0], p, 4);
        ping(3);
        assertTrue(c.isDone() || waitDone(c), "the fourth frame ended the capture");
        assertEquals(4, c.packets());
        assertEquals(4, c.received(), "frames after the fourth are not looked at");
        Tshark.assertClean(p, 4);
        assertEquals(4, PcapFile.read(p).size());
        c.stop();
        assertEquals(0, pair[0].promiscuity(), "the capture left promiscuous mode");
    }

    private static boolean waitDone(Capture c) throws Exception {
        c.awaitDone();
        return c.isDone();
    }
}
