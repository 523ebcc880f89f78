package io.netstack4j.tcp;

import io.netstack4j.time.Timer;

/**
 * A TIME_WAIT mini-socket ({@code struct tcp_timewait_sock}): after an active close, what is
 * needed to answer a retransmitted FIN and to keep old duplicates of the connection out for
 * 60 seconds ({@code TCP_TIMEWAIT_LEN}, Linux's value for 2 MSL), without the full socket.
 * Also stands for an orphaned FIN_WAIT2 whose {@code tcp_fin_timeout} runs.
 */
final class TcpTimewaitSock extends TcpHashed {

    /** {@code tw_substate}: TIME_WAIT, or FIN_WAIT2 for an orphan waiting for the peer's FIN. */
    TcpState substate;
    int sndNxt;
    int rcvNxt;
    int rcvWnd;
    int rcvWscale;
    boolean tsOk;
    int tsRecent;
    long tsRecentStampSec;
    int tsOffset;
    long expiresUs;
    Timer timer;
}
