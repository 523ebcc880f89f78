package io.netstack4j.tcp;

/**
 * The connection states of RFC 9293 section 3.3.2, with Linux's numbering ({@code TCP_ESTABLISHED}
 * = 1 ... {@code TCP_NEW_SYN_RECV} = 12) and the names {@code ss} prints.
 */
public enum TcpState {
    ESTABLISHED(1, "ESTAB"),
    SYN_SENT(2, "SYN-SENT"),
    SYN_RECV(3, "SYN-RECV"),
    FIN_WAIT1(4, "FIN-WAIT-1"),
    FIN_WAIT2(5, "FIN-WAIT-2"),
    TIME_WAIT(6, "TIME-WAIT"),
    CLOSE(7, "UNCONN"),
    CLOSE_WAIT(8, "CLOSE-WAIT"),
    LAST_ACK(9, "LAST-ACK"),
    LISTEN(10, "LISTEN"),
    CLOSING(11, "CLOSING");

    private final int number;
    private final String ssName;

    TcpState(int number, String ssName) {
        this.number = number;
        this.ssName = ssName;
    }

    /** Linux's {@code TCP_*} value, as {@code tcpi_state} reports it. */
    public int number() {
        return number;
    }

    /** The state as {@code ss} prints it. */
    public String ssName() {
        return ssName;
    }

    /** Data may still arrive from the peer: the peer has not sent FIN. */
    boolean canReceive() {
        return this == ESTABLISHED || this == FIN_WAIT1 || this == FIN_WAIT2;
    }

    /** A synchronized state (RFC 9293 3.10.7.4): past the handshake, not yet closed. */
    boolean synchronizedState() {
        return this != CLOSE && this != LISTEN && this != SYN_SENT && this != SYN_RECV;
    }
}
