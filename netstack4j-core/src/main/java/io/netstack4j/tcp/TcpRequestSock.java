package io.netstack4j.tcp;

import io.netstack4j.time.Timer;

/**
 * A request mini-socket ({@code struct tcp_request_sock}, state {@code TCP_NEW_SYN_RECV}): what
 * a listener keeps about a half-open connection between its SYN and the final ACK. It lives in
 * the established table under the four-tuple, counts against the SYN queue, and resends its
 * SYN-ACK on a timer ({@code tcp_synack_retries}).
 */
final class TcpRequestSock extends TcpHashed {

    final TcpSock listener;
    int rcv_isn;
    int snt_isn;
    /** Our MSS (advertised in the SYN-ACK) and the peer's (from its SYN, or decoded from a cookie). */
    int mss;
    int peerMss = 536;
    boolean sackOk;
    boolean tsOk;
    boolean wscaleOk;
    int sndWscale;
    int rcvWscale;
    int tsRecent;
    int tsOffset;
    int window;
    int numRetrans;
    long createdUs;
    Timer timer;

    TcpRequestSock(TcpSock listener) {
        this.listener = listener;
    }

    /** Our TSval for the SYN-ACK. */
    int tsVal(Tcp tcp) {
        return (int) (tcp.nowUs() / 1000) + tsOffset;
    }
}
