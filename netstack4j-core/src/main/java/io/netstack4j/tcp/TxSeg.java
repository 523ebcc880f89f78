package io.netstack4j.tcp;

/**
 * One transmitted segment on the retransmission queue: its sequence range, when it was last
 * sent, and its scoreboard state ({@code TCP_SKB_CB(skb)->sacked}, {@code skb_mstamp_ns}, and
 * the delivery-rate snapshot of {@code tcp_rate_skb_sent}). The bytes themselves stay in the
 * {@link SendQueue}. Records are recycled through the socket's {@link RtxQueue}.
 */
final class TxSeg {

    /** {@code TCPCB_SACKED_ACKED}: the receiver holds it (SACKed). */
    static final int SACKED = 1;
    /** {@code TCPCB_SACKED_RETRANS}: retransmitted and not yet known delivered. */
    static final int RETRANS = 2;
    /** {@code TCPCB_LOST}: marked lost by RACK, dupthresh or RTO. */
    static final int LOST = 4;
    /** {@code TCPCB_EVER_RETRANS}. */
    static final int EVER_RETRANS = 8;

    int seq;
    int endSeq;
    /** The segment carries SYN or FIN (each takes one sequence number and no byte). */
    int tcpFlags;
    int sacked;
    /** Last (re)transmission time, microseconds. */
    long xmitUs;
    /** {@code tx.delivered} and {@code tx.delivered_mstamp} and {@code tx.first_tx_mstamp} when sent. */
    long deliveredAtSend;
    long deliveredUsAtSend;
    long firstTxUsAtSend;
    boolean appLimitedAtSend;

    int len() {
        return endSeq - seq;
    }

    /** Bytes of data (sequence space less SYN and FIN). */
    int dataLen() {
        int n = endSeq - seq;
        if ((tcpFlags & io.netstack4j.wire.TcpHeader.SYN) != 0) {
            n--;
        }
        if ((tcpFlags & io.netstack4j.wire.TcpHeader.FIN) != 0) {
            n--;
        }
        return n;
    }
}
