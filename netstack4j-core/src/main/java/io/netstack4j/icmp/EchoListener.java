package io.netstack4j.icmp;

/**
 * Receives what arrives for one ICMP echo identifier ({@code ping} sockets, {@code net/ipv4/ping.c}).
 * Called on the loop thread.
 */
public interface EchoListener {

    /**
     * An echo reply for our identifier.
     *
     * @param from the replier's address bits
     * @param sequence the echo sequence number
     * @param ttl the TTL of the reply's IP header
     * @param icmpLength length of the ICMP message (header + data)
     * @param data the buffer; the echo data is {@code data[offset, offset + dataLength)}; do not keep it
     */
    void echoReply(int from, int sequence, int ttl, int icmpLength, byte[] data, int offset, int dataLength);

    /**
     * An ICMP error quoting one of our echo requests.
     *
     * @param from the address of the host that sent the error
     * @param info next-hop MTU for frag-needed, gateway for redirects, pointer for parameter problems
     */
    void error(int from, int type, int code, int info, int sequence);
}
