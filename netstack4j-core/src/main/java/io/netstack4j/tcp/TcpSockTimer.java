package io.netstack4j.tcp;

import io.netstack4j.time.Timer;

/**
 * One of a socket's timers ({@code icsk_retransmit_timer}, {@code icsk_delack_timer},
 * {@code sk_timer}), dispatching to {@link TcpTimers} itself rather than through a callback
 * object, so each costs one object per socket. The keepalive timer is made only when first
 * armed: most connections never use it.
 */
final class TcpSockTimer extends Timer {

    static final int RETRANSMIT = 0;
    static final int DELACK = 1;
    static final int KEEPALIVE = 2;

    private final TcpSock sk;
    private final int which;

    TcpSockTimer(TcpSock sk, int which) {
        this.sk = sk;
        this.which = which;
    }

    @Override
    protected void fire() {
        TcpTimers timers = sk.tcp.timers();
        switch (which) {
            case RETRANSMIT -> timers.retransmitTimerFired(sk);
            case DELACK -> timers.delackTimerFired(sk);
            case KEEPALIVE -> timers.keepaliveTimerFired(sk);
            default -> throw new IllegalStateException("timer kind " + which);
        }
    }
}
