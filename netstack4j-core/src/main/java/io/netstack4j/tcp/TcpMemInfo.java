package io.netstack4j.tcp;

/**
 * One socket's memory, as {@code ss -tm} prints it ({@code skmem:(r..,rb..,t..,tb..,w..)}, from
 * {@code sock_diag}'s {@code SK_MEMINFO_*}), with the lengths of the two queues an attacker can
 * try to grow: the out-of-order queue (segments held beyond a gap) and the retransmission queue
 * (records sent and not yet cumulatively ACKed, split further by SACK blocks).
 *
 * @param rmemAlloc receive memory charged ({@code sk_rmem_alloc}: receive and out-of-order queues)
 * @param rcvbuf the receive buffer limit ({@code sk_rcvbuf})
 * @param wmemQueued send memory held ({@code sk_wmem_queued}: the send queue's chunks and the
 *     per-record overhead of the retransmission queue)
 * @param sndbuf the send buffer limit ({@code sk_sndbuf})
 * @param ofoSegments segments in the out-of-order queue
 * @param rtxRecords records in the retransmission queue
 */
public record TcpMemInfo(int rmemAlloc, int rcvbuf, int wmemQueued, int sndbuf, int ofoSegments, int rtxRecords) {

    static TcpMemInfo of(TcpSock sk) {
        return new TcpMemInfo(sk.rmemAlloc, sk.rcvbuf, sk.wmemQueued(), sk.sndbuf, sk.ofo.size(), sk.rtx.size());
    }
}
