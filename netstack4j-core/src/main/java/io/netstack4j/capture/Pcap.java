package io.netstack4j.capture;

/**
 * The classic libpcap file format ({@code pcap-savefile(5)}), nanosecond variant, written in
 * little-endian byte order (the reader detects the order from the magic number).
 *
 * <pre>
 *  file header, 24 bytes                    record header, 16 bytes, then incl_len bytes
 *   0 magic_number  0xa1b23c4d (ns)           0 ts_sec    seconds since the Unix epoch
 *   4 version_major 2  6 version_minor 4      4 ts_nsec   nanoseconds within the second
 *   8 thiszone      0                         8 incl_len  bytes saved in the file
 *  12 sigfigs       0                        12 orig_len  length of the frame on the wire
 *  16 snaplen       262144
 *  20 network       1 (LINKTYPE_ETHERNET)
 * </pre>
 *
 * The nanosecond magic is chosen because the simulation clock counts nanoseconds; Wireshark,
 * tshark and tcpdump read it.
 */
public final class Pcap {

    /** Magic number of a nanosecond-resolution file. */
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;
    /** tcpdump's default snapshot length ({@code MAXIMUM_SNAPLEN}). */
    public static final int SNAPLEN = 262144;
    /** {@code LINKTYPE_ETHERNET}: frames start with the 14-byte Ethernet header. */
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int FILE_HEADER_LEN = 24;
    public static final int RECORD_HEADER_LEN = 16;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private Pcap() {
    }

    /** The 24-byte file header for Ethernet frames cut at {@code snaplen}. */
    public static byte[] fileHeader(int snaplen) {
        byte[] b = new byte[FILE_HEADER_LEN];
        putIntLe(b, 0, MAGIC_NANOS);
        putShortLe(b, 4, VERSION_MAJOR);
        putShortLe(b, 6, VERSION_MINOR);
        putIntLe(b, 8, 0);
        putIntLe(b, 12, 0);
        putIntLe(b, 16, snaplen);
        putIntLe(b, 20, LINKTYPE_ETHERNET);
        return b;
    }

    /**
     * Writes a record header at {@code b[off, off + 16)}.
     *
     * @param epochNanos the frame's time in nanoseconds since 1970-01-01T00:00:00Z, not negative
     */
    public static void putRecordHeader(byte[] b, int off, long epochNanos, int inclLen, int origLen) {
        putIntLe(b, off, (int) (epochNanos / NANOS_PER_SECOND));
        putIntLe(b, off + 4, (int) (epochNanos % NANOS_PER_SECOND));
        putIntLe(b, off + 8, inclLen);
        putIntLe(b, off + 12, origLen);
    }

    private static void putShortLe(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    private static void putIntLe(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
