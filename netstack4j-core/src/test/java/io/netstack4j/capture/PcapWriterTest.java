package io.netstack4j.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.wire.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pcap bytes, field by field as {@code pcap-savefile(5)} lays them out, and the ring between loop and writer. */
class PcapWriterTest {

    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path dir;

    @Test
    void fileHeaderIsNanosecondLibpcapForEthernet() {
        assertEquals("4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000" + "00000400" + "01000000",
                HEX.formatHex(Pcap.fileHeader(Pcap.SNAPLEN)));
    }

    @Test
    void recordsAreWrittenAsTheFormatSaysAndCutAtSnaplen() throws Exception {
        CaptureRing ring = new CaptureRing(1024, 64);
        byte[] small = frame(20, 0x10);
        byte[] big = frame(100, 0x80);
        assertTrue(ring.offer(1_500_000_000_123_456_789L, small, 0, 20));
        assertTrue(ring.offer(1_500_000_001_000_000_005L, big, 0, 100));
        Path file = dir.resolve("two.pcap");
        PcapWriter w = PcapWriter.start(ring, file);
        w.finish();
        w.await();

        String expected = HEX.formatHex(Pcap.fileHeader(64))
                // 1500000000 s = 0x59682f00, 123456789 ns = 0x075bcd15, saved 20, on the wire 20
                + "002f6859" + "15cd5b07" + "14000000" + "14000000" + HEX.formatHex(small)
                // the next second, 5 ns; 64 of the 100 bytes saved
                + "012f6859" + "05000000" + "40000000" + "64000000" + HEX.formatHex(big, 0, 64);
        assertEquals(expected, HEX.formatHex(Files.readAllBytes(file)));
        assertEquals(24 + 16 + 20 + 16 + 64, w.bytesWritten());
        assertEquals(0, ring.used());
    }

    @Test
    void recordsWrapAroundTheRingEnd() throws IOException {
        CaptureRing ring = new CaptureRing(100, 20);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 7; i++) {
            byte[] f = frame(20, i * 20);
            assertTrue(ring.offer(i, f, 0, 20), "record " + i + " fits after the previous ones were drained");
            expected.write(HEX.parseHex("00000000" + String.format("%02x000000", i) + "14000000" + "14000000"));
            expected.write(f);
            if (i % 2 == 1) {
                ring.drainTo(out);
            }
        }
        ring.drainTo(out);
        assertArrayEquals(expected.toByteArray(), out.toByteArray());
    }

    @Test
    void aFullRingRefusesTheFrameAndKeepsWhatItHolds() throws IOException {
        CaptureRing ring = new CaptureRing(100, 40);
        assertTrue(ring.offer(1, frame(40, 1), 0, 40));
        assertFalse(ring.offer(2, frame(40, 2), 0, 40), "56 + 56 bytes do not fit in 100");
        assertTrue(ring.offer(3, frame(20, 3), 0, 20), "a smaller frame still fits");
        assertEquals(56 + 36, ring.used());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(92, ring.drainTo(out));
        assertTrue(ring.offer(4, frame(40, 4), 0, 40), "draining made room");
        assertThrows(IllegalArgumentException.class, () -> new CaptureRing(50, 40));
    }

    /**
     * With the writer stuck on the disk, frames that find the ring full are counted as dropped
     * ("packets dropped by kernel"); what did fit reaches the file once the writer moves again.
     */
    @Test
    void captureCountsFramesTheFullRingDropped() throws Exception {
        NetStack stack = NetStack.simulated(7);
        Namespace a = stack.addNamespace("a");
        Namespace b = stack.addNamespace("b");
        Veth[] pair = a.addVeth("veth0", b, "veth1");
        a.inet().addAddress(pair[0], Ipv4Address.parse("10.0.0.1"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        b.inet().addAddress(pair[1], Ipv4Address.parse("10.0.0.2"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        pair[0].setUp(true);
        pair[1].setUp(true);

        CountDownLatch disk = new CountDownLatch(1);
        Path file = dir.resolve("drops.pcap");
        OutputStream slow = new FilterOutputStream(Files.newOutputStream(file)) {
            @Override
            public void write(byte[] bytes, int off, int len) throws IOException {
                try {
                    disk.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                out.write(bytes, off, len);
            }
        };
        // Room for three records of at most 16 + 64 bytes (echoes are cut to 64), not four.
        CaptureRing ring = new CaptureRing(240, 64);
        Capture cap = Capture.start(pair[0], ring, PcapWriter.start(ring, slow, file), 0);
        byte[] data = new byte[56];
        for (int seq = 1; seq <= 3; seq++) {
            a.icmp().sendEcho(Ipv4Address.parse("10.0.0.2").bits(), 0, 1, seq, data, data.length, 0, 0, false, 0);
            stack.loop().runFor(1_000_000_000L);
        }
        assertTrue(cap.received() >= 8, "at least an ARP request and reply, three echo requests and replies: " + cap.received());
        assertEquals(3, cap.packets());
        assertEquals(cap.received() - 3, cap.dropped());
        disk.countDown();
        cap.stop();
        assertEquals(3, PcapFile.read(file).size());
        assertEquals(3, cap.packets(), "stop() keeps the count");
    }

    private static byte[] frame(int len, int first) {
        byte[] f = new byte[len];
        for (int i = 0; i < len; i++) {
            f[i] = (byte) (first + i);
        }
        return f;
    }
}
