package io.netstack4j.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A minimal reader of the files {@link PcapWriter} writes, for tests that do not need tshark. */
public final class PcapFile {

    /** One record: its time stamp in nanoseconds since 1970, the length on the wire, the saved bytes. */
    public record Frame(long epochNanos, int origLen, byte[] data) {
    }

    private PcapFile() {
    }

    /**
     * Reads every record of a little-endian nanosecond pcap file.
     *
     * @throws IllegalStateException if the header is not {@link Pcap}'s or a record is cut short
     */
    public static List<Frame> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < Pcap.FILE_HEADER_LEN || b.getInt(0) != Pcap.MAGIC_NANOS) {
            throw new IllegalStateException(file + " is not a little-endian nanosecond pcap file");
        }
        b.position(Pcap.FILE_HEADER_LEN);
        List<Frame> frames = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < Pcap.RECORD_HEADER_LEN) {
                throw new IllegalStateException(file + ": record header cut short at byte " + b.position());
            }
            long sec = Integer.toUnsignedLong(b.getInt());
            long nsec = Integer.toUnsignedLong(b.getInt());
            int incl = b.getInt();
            int orig = b.getInt();
            if (incl < 0 || incl > b.remaining()) {
                throw new IllegalStateException(file + ": record of " + incl + " bytes cut short at byte " + b.position());
            }
            byte[] data = Arrays.copyOfRange(b.array(), b.position(), b.position() + incl);
            b.position(b.position() + incl);
            frames.add(new Frame(sec * 1_000_000_000L + nsec, orig, data));
        }
        return frames;
    }
}
