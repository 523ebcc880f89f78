package io.netstack4j.udp;

import io.netstack4j.core.Errno;
import io.netstack4j.wire.Ipv4Address;

/**
 * One entry of a socket's error queue ({@code struct sock_extended_err} with the address parts
 * of the {@code MSG_ERRQUEUE} message), queued when {@code IP_RECVERR} is on.
 *
 * @param errno what the error means to the sender
 * @param origin {@link #ORIGIN_LOCAL} for an error found while sending, {@link #ORIGIN_ICMP} for one
 *     an ICMP message reported
 * @param type the ICMP type (0 for a local error)
 * @param code the ICMP code (0 for a local error)
 * @param info the next-hop MTU for frag-needed (or the local MTU for a local EMSGSIZE), else 0
 * @param offender the host that sent the ICMP error ({@code SO_EE_OFFENDER}); 0.0.0.0 for a local error
 * @param destination the destination of the datagram the error is about
 * @param port that datagram's destination port
 */
public record SockExtendedErr(Errno errno, int origin, int type, int code, int info, Ipv4Address offender,
        Ipv4Address destination, int port) {

    /** {@code SO_EE_ORIGIN_LOCAL}. */
    public static final int ORIGIN_LOCAL = 1;
    /** {@code SO_EE_ORIGIN_ICMP}. */
    public static final int ORIGIN_ICMP = 2;
}
