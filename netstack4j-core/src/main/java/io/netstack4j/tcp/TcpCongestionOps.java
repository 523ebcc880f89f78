package io.netstack4j.tcp;

/**
 * A congestion control algorithm ({@code struct tcp_congestion_ops}). One instance serves one
 * socket and keeps that socket's private state ({@code icsk_ca_priv}), so instances come from a
 * factory registered by name ({@link TcpCongestion}). Called on the loop thread only.
 */
public interface TcpCongestionOps {

    /** The socket's congestion state ({@code icsk_ca_state}). */
    enum CaState {
        /** {@code TCP_CA_Open}: nothing wrong. */
        OPEN,
        /** {@code TCP_CA_Disorder}: duplicate ACKs or SACKs seen, no loss decided yet. */
        DISORDER,
        /** {@code TCP_CA_CWR}: the window is being reduced after a local congestion signal (ECN, qdisc drop). */
        CWR,
        /** {@code TCP_CA_Recovery}: fast recovery after a loss detected by ACKs. */
        RECOVERY,
        /** {@code TCP_CA_Loss}: recovery after a retransmission timeout. */
        LOSS
    }

    /** {@code enum tcp_ca_event}. */
    enum CaEvent {
        /** {@code CA_EVENT_TX_START}: first transmission with nothing in flight. */
        TX_START,
        /** {@code CA_EVENT_CWND_RESTART}: the window is restarted after idle (RFC 2861). */
        CWND_RESTART,
        /** {@code CA_EVENT_COMPLETE_CWR}: the end of a CWR or Recovery episode. */
        COMPLETE_CWR,
        /** {@code CA_EVENT_LOSS}: a retransmission timeout. */
        LOSS
    }

    /** The name used by {@code net.ipv4.tcp_congestion_control} and {@code TCP_CONGESTION}. */
    String name();

    /** {@code init}: the socket is established, or switched to this algorithm. */
    void init(CwndState s);

    /** {@code ssthresh}: the new slow-start threshold after a loss (returns segments, at least 2). */
    int ssthresh(CwndState s);

    /** {@code cong_avoid}: {@code acked} segments were newly ACKed; grow the window. */
    void congAvoid(CwndState s, int acked);

    /** {@code set_state}: the socket enters {@code newState}. */
    void setState(CwndState s, CaState newState);

    /** {@code cwnd_event}. */
    void cwndEvent(CwndState s, CaEvent event);

    /** {@code pkts_acked}: {@code acked} segments were ACKed; {@code rttUs} is the RTT sample or -1. */
    void pktsAcked(CwndState s, int acked, long rttUs);

    /** {@code undo_cwnd}: the window to return to when a reduction proves spurious. */
    int undoCwnd(CwndState s);
}
