package io.netstack4j.core;

/** What is known about the transport checksum, as {@code skb->ip_summed}. */
public enum ChecksumState {
    /** Nothing: software must compute or verify it. */
    NONE,
    /** Already verified (or not needed, as on loopback). */
    UNNECESSARY,
    /** A checksum over the whole packet was supplied by the device. */
    COMPLETE,
    /** To be completed before leaving the host (checksum offload on output). */
    PARTIAL
}
