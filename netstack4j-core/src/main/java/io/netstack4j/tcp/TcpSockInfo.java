package io.netstack4j.tcp;

/**
 * One line of {@code ss -t}: state, queues, endpoints, the timer that runs, and for a full
 * socket its {@link TcpInfo} (null for request and TIME_WAIT mini-sockets).
 */
public record TcpSockInfo(TcpState state, int recvQ, int sendQ, int localAddr, int localPort, int remoteAddr, int remotePort,
        String timer, TcpInfo info) {

    static TcpSockInfo of(TcpSock s) {
        String timer = switch (s.pending) {
            case TcpSock.TIMER_RETRANS, TcpSock.TIMER_LOSS_PROBE, TcpSock.TIMER_REO -> s.retransmitTimer.pending() ? "on" : null;
            case TcpSock.TIMER_PROBE0 -> s.retransmitTimer.pending() ? "persist" : null;
            default -> s.keepaliveOn && s.keepaliveTimer != null && s.keepaliveTimer.pending() ? "keepalive" : null;
        };
        int sendQ = s.state == TcpState.LISTEN ? s.backlog : Math.max(0, s.sendQueueBytes());
        return new TcpSockInfo(s.state, s.recvQueueBytes(), sendQ, s.saddr, s.sport, s.daddr, s.dport, timer,
                s.state == TcpState.LISTEN ? null : TcpCalls.info(s));
    }

    static TcpSockInfo of(TcpRequestSock r) {
        return new TcpSockInfo(TcpState.SYN_RECV, 0, 0, r.saddr, r.sport, r.daddr, r.dport, "on", null);
    }

    static TcpSockInfo of(TcpTimewaitSock t, long nowUs) {
        return new TcpSockInfo(t.substate == TcpState.FIN_WAIT2 ? TcpState.FIN_WAIT2 : TcpState.TIME_WAIT, 0, 0, t.saddr, t.sport,
                t.daddr, t.dport, "timewait:" + Math.max(0, (t.expiresUs - nowUs) / 1000) + "ms", null);
    }
}
