package io.netstack4j.core;

/** What is known about the transport checksum, as {@code skb->ip_summed}. */
public enum ChecksumState {
    /** Nothing: software must compute or verify it. */
    NONE,
    /** Already verified (or not needed, as on loopback). */
    UNNECESSARY,
    /** A checksum over the whole packet was supplied by the device. */
    COMPLETE,
    /**
     * The checksum field holds only the pseudo-header sum; the rest is to be summed from
     * {@code csumStart} before the packet leaves the host. On receive, a TAP's
     * {@code VIRTIO_NET_HDR_F_NEEDS_CSUM} packet from the kernel is in this state, and, as in
     * Linux, counts as verified.
     */
    PARTIAL
}
