package io.netstack4j.drivers;

import io.netstack4j.core.ChecksumState;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.TcpHeader;

/**
 * The {@code struct virtio_net_hdr} in front of every frame read from or written to a TAP opened
 * with {@code IFF_VNET_HDR} ({@code include/uapi/linux/virtio_net.h}), and the receive-side
 * checks of {@code virtio_net_hdr_to_skb} ({@code include/linux/virtio_net.h}).
 *
 * <pre>
 *  0        1          2                    4                    6                    8                    10                   12
 *  | flags  | gso_type | hdr_len            | gso_size           | csum_start         | csum_offset        | num_buffers        |
 * </pre>
 *
 * <p>The 16-bit fields are little-endian: {@code tun} uses the host's order for a legacy header
 * ({@code virtio_legacy_is_little_endian}), and this runs on little-endian hosts only.
 * {@code num_buffers} exists when the header size is 12 ({@code virtio_net_hdr_mrg_rxbuf}); the
 * kernel neither writes nor reads it on a TAP.
 *
 * <p>Once a frame passes {@link #check}, its checksum state is known: {@link Rx#PARTIAL} means
 * the transport checksum field holds only the pseudo-header sum ({@code CHECKSUM_PARTIAL}: the
 * sender's kernel trusts the data and left the sum to "hardware"), so it must never be verified.
 */
final class VirtioNetHdr {

    /** The header size this driver asks for ({@code TUNSETVNETHDRSZ}). */
    static final int LEN = 12;

    static final int FLAGS = 0;
    static final int GSO_TYPE = 1;
    static final int HDR_LEN = 2;
    static final int GSO_SIZE = 4;
    static final int CSUM_START = 6;
    static final int CSUM_OFFSET = 8;

    /** {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}: use csum_start and csum_offset. */
    static final int F_NEEDS_CSUM = 1;
    /** {@code VIRTIO_NET_HDR_F_DATA_VALID}: the checksum was verified ({@code CHECKSUM_UNNECESSARY}). */
    static final int F_DATA_VALID = 2;

    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    static final int GSO_UDP_L4 = 5;
    /** {@code VIRTIO_NET_HDR_GSO_ECN}: a flag on a TCP GSO type, the segments carry ECN. */
    static final int GSO_ECN = 0x80;

    /** What a received header says about its frame. */
    enum Rx {
        /** No offload: a plain frame, checksums to be verified in software. */
        NONE,
        /** {@code DATA_VALID}: the transport checksum was verified by the sender's side. */
        VALID,
        /**
         * {@code NEEDS_CSUM}, possibly with GSO TCPv4: the transport checksum is the
         * pseudo-header sum only; the data is known good.
         */
        PARTIAL,
        /** Malformed, or an offload this driver did not enable: drop it. */
        INVALID
    }

    private VirtioNetHdr() {
    }

    static int flags(byte[] h, int off) {
        return h[off + FLAGS] & 0xff;
    }

    static int gsoType(byte[] h, int off) {
        return h[off + GSO_TYPE] & 0xff;
    }

    static int hdrLen(byte[] h, int off) {
        return le16(h, off + HDR_LEN);
    }

    static int gsoSize(byte[] h, int off) {
        return le16(h, off + GSO_SIZE);
    }

    static int csumStart(byte[] h, int off) {
        return le16(h, off + CSUM_START);
    }

    static int csumOffset(byte[] h, int off) {
        return le16(h, off + CSUM_OFFSET);
    }

    private static int le16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    /**
     * Checks the header at {@code h[hoff]} against the Ethernet frame of {@code flen} bytes at
     * {@code f[foff]} that followed it, as {@code virtio_net_hdr_to_skb} does, and against the
     * offloads this driver enables ({@code TUN_F_CSUM | TUN_F_TSO4}):
     *
     * <ul>
     *   <li>no flag but {@code NEEDS_CSUM} and {@code DATA_VALID};
     *   <li>{@code hdr_len} within the frame ({@code tun_get_user}'s check);
     *   <li>with {@code NEEDS_CSUM}, the two checksum bytes at {@code csum_start + csum_offset}
     *       within the frame, after the Ethernet header ({@code skb_partial_csum_set});
     *   <li>a GSO type only {@code TCPV4} (with or without {@code ECN}), with a non-zero
     *       {@code gso_size}, {@code NEEDS_CSUM} set, and the frame an IPv4 TCP packet whose
     *       checksum field is the one named ({@code virtio_net_hdr_match_proto}; UDP and IPv6
     *       segmentation were not enabled, so the kernel never sends them).
     * </ul>
     *
     * Never throws for any bytes, as long as the arrays hold the ranges given.
     */
    static Rx check(byte[] h, int hoff, byte[] f, int foff, int flen) {
        int flags = flags(h, hoff);
        if ((flags & ~(F_NEEDS_CSUM | F_DATA_VALID)) != 0) {
            return Rx.INVALID;
        }
        if (hdrLen(h, hoff) > flen || flen < EthernetHeader.HEADER_LEN) {
            return Rx.INVALID;
        }
        boolean needsCsum = (flags & F_NEEDS_CSUM) != 0;
        int start = csumStart(h, hoff);
        int offset = csumOffset(h, hoff);
        if (needsCsum && (start < EthernetHeader.HEADER_LEN || start + offset + 2 > flen)) {
            return Rx.INVALID;
        }
        int gso = gsoType(h, hoff);
        if (gso != GSO_NONE) {
            if ((gso & ~GSO_ECN) != GSO_TCPV4 || gsoSize(h, hoff) == 0 || !needsCsum) {
                return Rx.INVALID;
            }
            if (!isTcpv4(f, foff, flen, start, offset)) {
                return Rx.INVALID;
            }
        }
        if (needsCsum) {
            return Rx.PARTIAL;
        }
        return (flags & F_DATA_VALID) != 0 ? Rx.VALID : Rx.NONE;
    }

    /**
     * True when the frame is an untagged IPv4 packet carrying TCP whose header starts at
     * {@code start} with its checksum field at {@code start + offset}.
     */
    private static boolean isTcpv4(byte[] f, int foff, int flen, int start, int offset) {
        int et = (f[foff + 12] & 0xff) << 8 | f[foff + 13] & 0xff;
        if (et != EtherType.IPV4 || flen < EthernetHeader.HEADER_LEN + 20) {
            return false;
        }
        int ip = foff + EthernetHeader.HEADER_LEN;
        int vihl = f[ip] & 0xff;
        int ihl = (vihl & 0x0f) * 4;
        if (vihl >> 4 != 4 || ihl < 20 || (f[ip + 9] & 0xff) != IpProtocol.TCP) {
            return false;
        }
        return start == EthernetHeader.HEADER_LEN + ihl && offset == TcpHeader.CHECKSUM
                && start + TcpHeader.MIN_LEN <= flen;
    }

    /**
     * Writes the header for a frame to transmit that starts at {@code frameStart} in {@code b}
     * with the header's {@link #LEN} bytes before it ({@code virtio_net_hdr_from_skb}). A
     * {@link ChecksumState#PARTIAL} packet asks the kernel to finish its checksum
     * ({@code NEEDS_CSUM}); one that also has {@code gsoSize} set and {@code frameLen} beyond
     * {@code mtu} plus the Ethernet header asks it to segment it ({@code GSO_TCPV4}); anything
     * else gets a zero header, asking for nothing.
     */
    static void writeTx(byte[] b, int frameStart, int frameLen, ChecksumState checksum, int csumStart, int csumOffset,
            int gsoSize, int mtu) {
        int off = frameStart - LEN;
        for (int i = 0; i < LEN; i++) {
            b[off + i] = 0;
        }
        if (checksum != ChecksumState.PARTIAL || csumStart < frameStart) {
            return;
        }
        int start = csumStart - frameStart;
        b[off + FLAGS] = F_NEEDS_CSUM;
        putLe16(b, off + CSUM_START, start);
        putLe16(b, off + CSUM_OFFSET, csumOffset);
        if (gsoSize > 0 && frameLen > mtu + EthernetHeader.HEADER_LEN && csumOffset == TcpHeader.CHECKSUM
                && start + TcpHeader.MIN_LEN <= frameLen) {
            b[off + GSO_TYPE] = GSO_TCPV4;
            putLe16(b, off + HDR_LEN, start + TcpHeader.headerLength(b, csumStart));
            putLe16(b, off + GSO_SIZE, gsoSize);
        }
    }

    private static void putLe16(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
    }
}
