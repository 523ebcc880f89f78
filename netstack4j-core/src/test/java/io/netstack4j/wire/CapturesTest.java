package io.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hex strings in {@link Captures} are the frames tcpdump wrote, byte for byte. */
class CapturesTest {

    /** The records of a classic little-endian pcap file (tcpdump's default on x86). */
    private static List<byte[]> readPcap(String resource) throws IOException {
        byte[] file;
        try (InputStream in = CapturesTest.class.getResourceAsStream(resource)) {
            file = in.readAllBytes();
        }
        ByteBuffer bb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, bb.getInt(0), "pcap magic, microsecond timestamps");
        assertEquals(1, bb.getInt(20), "link type EN10MB");
        List<byte[]> frames = new ArrayList<>();
        int pos = 24;
        while (pos < file.length) {
            int captured = bb.getInt(pos + 8);
            assertEquals(bb.getInt(pos + 12), captured, "no frame was truncated by the snapshot length");
            frames.add(Captures.slice(file, pos + 16, pos + 16 + captured));
            pos += 16 + captured;
        }
        return frames;
    }

    @Test
    void constantsAreTheCapturedFrames() throws IOException {
        List<byte[]> frames = readPcap("/wire/ping-veth.pcap");
        assertEquals(Captures.ALL.length, frames.size());
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), Captures.ALL[i], "frame " + i);
        }
    }
}
