package io.netstack4j.ipv4;

import io.netstack4j.core.PacketBuffer;

/**
 * Sends ICMP errors about a packet ({@code icmp_send}); implemented by the ICMP layer above and
 * installed by the namespace, so IPv4 can report without depending on it.
 */
@FunctionalInterface
public interface IcmpSender {

    /**
     * Reports {@code type}/{@code code} about {@code offending}, whose {@code networkHeader()}
     * must be set. {@code info} is the next-hop MTU for frag-needed, the pointer for parameter
     * problems, the gateway for redirects. Never takes ownership; never sends an error about an
     * ICMP error, a broadcast, or a non-first fragment.
     */
    void send(PacketBuffer offending, int type, int code, int info);
}
