package io.netstack4j.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netstack4j.core.ChecksumState;
import io.netstack4j.drivers.VirtioNetHdr.Rx;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The receive checks and transmit header of {@link VirtioNetHdr}, on headers built in byte arrays. */
class VirtioNetHdrTest {

    /** Ethernet (14) + IPv4 without options (20) + TCP without options (20) + payload. */
    private static final int TCP_AT = 34;

    /** An untagged Ethernet frame carrying IPv4 TCP with {@code payload} bytes. */
    private static byte[] tcpFrame(int payload) {
        byte[] f = new byte[TCP_AT + 20 + payload];
        f[12] = 0x08;
        f[13] = 0x00;
        f[14] = 0x45;
        int tot = 20 + 20 + payload;
        f[16] = (byte) (tot >>> 8);
        f[17] = (byte) tot;
        f[23] = 6;
        f[TCP_AT + 12] = 0x50;
        return f;
    }

    private static byte[] header(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        byte[] h = new byte[VirtioNetHdr.LEN];
        h[0] = (byte) flags;
        h[1] = (byte) gsoType;
        le16(h, 2, hdrLen);
        le16(h, 4, gsoSize);
        le16(h, 6, csumStart);
        le16(h, 8, csumOffset);
        return h;
    }

    private static void le16(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
    }

    private static Rx check(byte[] h, byte[] f) {
        return VirtioNetHdr.check(h, 0, f, 0, f.length);
    }

    @Test
    void aZeroHeaderIsAPlainFrame() {
        assertEquals(Rx.NONE, check(new byte[VirtioNetHdr.LEN], tcpFrame(100)));
    }

    @Test
    void dataValidMeansTheChecksumWasVerified() {
        assertEquals(Rx.VALID, check(header(VirtioNetHdr.F_DATA_VALID, 0, 0, 0, 0, 0), tcpFrame(100)));
    }

    @Test
    void needsCsumWithoutGsoIsPartial() {
        byte[] h = header(VirtioNetHdr.F_NEEDS_CSUM, 0, 0, 0, TCP_AT, 16);
        assertEquals(Rx.PARTIAL, check(h, tcpFrame(100)));
        // A UDP checksum (offset 6) is as good: the checks do not depend on the protocol.
        assertEquals(Rx.PARTIAL, check(header(VirtioNetHdr.F_NEEDS_CSUM, 0, 0, 0, TCP_AT, 6), tcpFrame(100)));
    }

    @Test
    void aGsoTcpv4FrameAsTheKernelSendsItIsPartial() {
        byte[] f = tcpFrame(65_000);
        byte[] h = header(VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, TCP_AT + 20, 1448, TCP_AT, 16);
        assertEquals(Rx.PARTIAL, check(h, f));
        assertEquals(1448, VirtioNetHdr.gsoSize(h, 0));
        assertEquals(TCP_AT, VirtioNetHdr.csumStart(h, 0));
        h[1] = (byte) (VirtioNetHdr.GSO_TCPV4 | VirtioNetHdr.GSO_ECN);
        assertEquals(Rx.PARTIAL, check(h, f));
    }

    @Test
    void gsoWithZeroSizeIsDropped() {
        byte[] h = header(VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, TCP_AT + 20, 0, TCP_AT, 16);
        assertEquals(Rx.INVALID, check(h, tcpFrame(5000)));
    }

    @Test
    void gsoWithoutNeedsCsumIsDropped() {
        byte[] h = header(0, VirtioNetHdr.GSO_TCPV4, TCP_AT + 20, 1448, TCP_AT, 16);
        assertEquals(Rx.INVALID, check(h, tcpFrame(5000)));
    }

    @Test
    void checksumBeyondTheFrameIsDropped() {
        byte[] f = tcpFrame(0);
        assertEquals(Rx.INVALID, check(header(VirtioNetHdr.F_NEEDS_CSUM, 0, 0, 0, f.length, 0), f));
        assertEquals(Rx.INVALID, check(header(VirtioNetHdr.F_NEEDS_CSUM, 0, 0, 0, f.length - 1, 0), f));
        assertEquals(Rx.INVALID, check(header(VirtioNetHdr.F_NEEDS_CSUM, 0, 0, 0, TCP_AT, 0xffff), f));
        assertEquals(Rx.INVALID, check(header(VirtioNetHdr.F_NEEDS_CSUM, 0, 0, 0, 0xffff, 0xffff), f));
        // Inside the Ethernet header is not a transport checksum either.
        assertEquals(Rx.INVALID, check(header(VirtioNetHdr.F_NEEDS_CSUM, 0, 0, 0, 2, 0), f));
    }

    @Test
    void unknownOrNotEnabledGsoTypesAreDropped() {
        byte[] f = tcpFrame(5000);
        for (int type : new int[] {VirtioNetHdr.GSO_UDP, VirtioNetHdr.GSO_TCPV6, VirtioNetHdr.GSO_UDP_L4, 2, 6, 0x7f,
                VirtioNetHdr.GSO_ECN}) {
            byte[] h = header(VirtioNetHdr.F_NEEDS_CSUM, type, TCP_AT + 20, 1448, TCP_AT, 16);
            assertEquals(Rx.INVALID, check(h, f), "gso_type " + type);
        }
    }

    @Test
    void unknownFlagsAreDropped() {
        assertEquals(Rx.INVALID, check(header(4, 0, 0, 0, 0, 0), tcpFrame(10)));
    }

    @Test
    void hdrLenBeyondTheFrameIsDropped() {
        byte[] f = tcpFrame(10);
        assertEquals(Rx.INVALID, check(header(0, 0, f.length + 1, 0, 0, 0), f));
        assertEquals(Rx.NONE, check(header(0, 0, f.length, 0, 0, 0), f));
    }

    @Test
    void gsoTcpv4MustBeIpv4TcpWithTheChecksumInTheTcpHeader() {
        byte[] h = header(VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, TCP_AT + 20, 1448, TCP_AT, 16);
        byte[] udp = tcpFrame(5000);
        udp[23] = 17;
        assertEquals(Rx.INVALID, check(h, udp));
        byte[] v6 = tcpFrame(5000);
        v6[12] = (byte) 0x86;
        v6[13] = (byte) 0xdd;
        assertEquals(Rx.INVALID, check(h, v6));
        byte[] options = tcpFrame(5000);
        options[14] = 0x46; // the TCP header would start 4 bytes later than csum_start says
        assertEquals(Rx.INVALID, check(h, options));
        assertEquals(Rx.INVALID, check(header(VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, TCP_AT + 20, 1448,
                TCP_AT, 6), tcpFrame(5000)));
    }

    @Test
    void tooShortFramesAreDropped() {
        assertEquals(Rx.INVALID, check(new byte[VirtioNetHdr.LEN], new byte[13]));
        byte[] h = header(VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, 14, 1448, TCP_AT, 16);
        byte[] shortFrame = java.util.Arrays.copyOf(tcpFrame(0), 40);
        assertEquals(Rx.INVALID, check(h, shortFrame));
    }

    @Test
    void randomHeadersNeverThrow() {
        Random r = new Random(7);
        byte[] h = new byte[VirtioNetHdr.LEN];
        for (int i = 0; i < 100_000; i++) {
            r.nextBytes(h);
            byte[] f = new byte[r.nextInt(200)];
            r.nextBytes(f);
            if (r.nextBoolean() && f.length > 24) {
                f[12] = 0x08;
                f[13] = 0;
                f[14] = 0x45;
                f[23] = 6;
            }
            VirtioNetHdr.check(h, 0, f, 0, f.length);
        }
    }

    @Test
    void transmitHeaderIsZeroForAFullyChecksummedFrame() {
        byte[] b = new byte[VirtioNetHdr.LEN + 100];
        java.util.Arrays.fill(b, (byte) 0x5a);
        VirtioNetHdr.writeTx(b, VirtioNetHdr.LEN, 100, ChecksumState.NONE, -1, 0, 0, 1500);
        for (int i = 0; i < VirtioNetHdr.LEN; i++) {
            assertEquals(0, b[i], "byte " + i);
        }
        assertEquals(0x5a, b[VirtioNetHdr.LEN]);
    }

    @Test
    void transmitHeaderAsksTheKernelToFinishAForwardedGsoPacket() {
        byte[] f = tcpFrame(20_000);
        byte[] b = new byte[VirtioNetHdr.LEN + f.length];
        System.arraycopy(f, 0, b, VirtioNetHdr.LEN, f.length);
        int frame = VirtioNetHdr.LEN;
        VirtioNetHdr.writeTx(b, frame, f.length, ChecksumState.PARTIAL, frame + TCP_AT, 16, 1448, 1500);
        assertEquals(Rx.PARTIAL, VirtioNetHdr.check(b, 0, b, frame, f.length));
        assertEquals(VirtioNetHdr.GSO_TCPV4, VirtioNetHdr.gsoType(b, 0));
        assertEquals(TCP_AT + 20, VirtioNetHdr.hdrLen(b, 0));
        assertEquals(1448, VirtioNetHdr.gsoSize(b, 0));
        // A partial packet within the MTU only asks for the checksum.
        VirtioNetHdr.writeTx(b, frame, 1000, ChecksumState.PARTIAL, frame + TCP_AT, 16, 1448, 1500);
        assertEquals(VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.flags(b, 0));
        assertEquals(VirtioNetHdr.GSO_NONE, VirtioNetHdr.gsoType(b, 0));
        assertEquals(TCP_AT, VirtioNetHdr.csumStart(b, 0));
    }
}
