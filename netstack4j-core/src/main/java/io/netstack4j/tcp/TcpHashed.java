package io.netstack4j.tcp;

/**
 * What the established hash table holds ({@code struct sock_common}): a full socket, a request
 * mini-socket (SYN received) or a TIME_WAIT mini-socket, each keyed by its four-tuple.
 */
abstract sealed class TcpHashed permits TcpSock, TcpRequestSock, TcpTimewaitSock {

    /** {@code skc_rcv_saddr}, {@code skc_num}, {@code skc_daddr}, {@code skc_dport}. */
    int saddr;
    int sport;
    int daddr;
    int dport;
    TcpHashed nextHash;
    boolean hashed;

    /** The hash of a four-tuple ({@code inet_ehashfn}), mixed with the namespace's secret. */
    static int hash(int laddr, int lport, int faddr, int fport, int secret) {
        int h = laddr * 0x9E3779B1 ^ Integer.rotateLeft(faddr * 0x85EBCA6B, 13) ^ (lport << 16 | fport) * 0xC2B2AE35 ^ secret;
        h ^= h >>> 16;
        h *= 0x7feb352d;
        h ^= h >>> 15;
        return h;
    }

    boolean matches(int laddr, int lport, int faddr, int fport) {
        return sport == lport && dport == fport && saddr == laddr && daddr == faddr;
    }
}
