package io.netstack4j.udp;

/**
 * The UDP group of the SNMP MIB (RFC 4113 {@code udp}, Linux {@code UDP_MIB_*}), "Udp" in nstat,
 * in the order of {@code /proc/net/snmp}.
 */
public enum UdpMib {
    /** Datagrams handed to the application ({@code udp_recvmsg} counts them, not the receive path). */
    InDatagrams,
    /** Datagrams for a port nobody listens on (answered with port unreachable). */
    NoPorts,
    /** Datagrams dropped for any other reason: bad length, bad checksum, full receive buffer. */
    InErrors,
    OutDatagrams,
    /** Datagrams dropped because the socket's receive buffer was full. */
    RcvbufErrors,
    /** Sends refused because the socket's send buffer was full (or the device queue dropped them). */
    SndbufErrors,
    InCsumErrors,
    /** Broadcast or multicast datagrams no socket wanted. */
    IgnoredMulti,
    MemErrors
}
