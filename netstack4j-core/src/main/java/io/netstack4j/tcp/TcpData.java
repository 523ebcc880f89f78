package io.netstack4j.tcp;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.SockMem;
import io.netstack4j.wire.TcpHeader;

/**
 * Receiving data and FIN ({@code tcp_data_queue}, {@code tcp_data_queue_ofo}, {@code tcp_fin},
 * {@code __tcp_ack_snd_check} in {@code tcp_input.c}): in-order data to the receive queue,
 * out-of-order data to the {@link OfoQueue} with SACK blocks, duplicates D-SACKed (RFC 2883),
 * receive-memory limits, the delayed-ACK decision (RFC 5681 4.2, quick-ack mode) and the state
 * changes a FIN makes. Loop thread only.
 */
final class TcpData {

    private final Tcp tcp;
    private final TcpInput input;

    TcpData(Tcp tcp, TcpInput input) {
        this.tcp = tcp;
        this.input = input;
    }

    private void drop(PacketBuffer skb, DropReason reason) {
        input.drop(skb, reason);
    }

    /**
     * {@code tcp_data_queue}: in-order data goes to the receive queue (pulling any out-of-order
     * segments it makes contiguous); duplicates are D-SACKed (RFC 2883) and ACKed at once; data
     * after a gap goes to the out-of-order queue and is ACKed at once with SACK blocks
     * (RFC 5681 4.2). Memory beyond the receive buffer is refused. Takes ownership.
     */
    void dataQueue(TcpSock sk, PacketBuffer skb, int flags, int payload) {
        int th = skb.transportHeader();
        int hl = TcpHeader.headerLength(skb.array(), th);
        skb.pull(hl);
        skb.trim(payload);
        skb.dst = null;
        boolean fin = (flags & TcpHeader.FIN) != 0;
        int seq = skb.seq;
        int end = seq + payload;
        sk.lastRecvUs = sk.nowUs();
        if (payload > 0) {
            sk.dataSegsIn++;
            sk.rcvMss = Math.max(Math.min(payload, sk.advmss), Math.min(sk.rcvMss, payload == sk.rcvMss ? payload : sk.rcvMss));
        }
        if (seq == sk.rcvNxt) {
            if (payload > 0 && Math.max(0, sk.rcvWup + sk.rcvWnd - sk.rcvNxt) == 0) {
                tcp.output().sendAck(sk);
                drop(skb, DropReason.TCP_ZEROWINDOW);
                return;
            }
            // tcp_data_queue: into an empty receive queue the segment is always taken
            // (sk_forced_mem_schedule), or a window offered while the reader lagged could
            // never be filled.
            DropReason refused = payload > 0 ? rmemSchedule(sk, skb, sk.receiveQueue.isEmpty()) : null;
            if (refused != null) {
                tcp.extMib().inc(TcpExtMib.TCPRcvQDrop);
                sk.ackPending = true;
                drop(skb, refused);
                return;
            }
            sk.rcvNxt = end;
            sk.bytesReceived += payload;
            if (payload > 0) {
                skb.endSeq = end;
                queueRcv(sk, skb);
            } else {
                skb.free();
            }
            if (fin) {
                sk.rcvNxt++;
                fin(sk);
            }
            if (!sk.ofo.isEmpty()) {
                sk.ofo.drainInOrder(sk, this);
                sk.ackPending = true;
                sk.quickAcks = Math.max(sk.quickAcks, 1);
            }
            sk.ofo.updateSackBlocks(sk);
            eventDataRecv(sk, payload);
            sk.wake();
            return;
        }
        if (!TcpHeader.after(end, sk.rcvNxt) && !(fin && end == sk.rcvNxt && !sk.finReceived())) {
            // A retransmission of what we have: D-SACK it and ACK now (tcp_dsack_set).
            tcp.extMib().inc(TcpExtMib.DelayedACKLost);
            dsackSet(sk, seq, end);
            enterQuickack(sk);
            tcp.output().sendAck(sk);
            drop(skb, DropReason.TCP_OLD_DATA);
            return;
        }
        if (TcpHeader.before(seq, sk.rcvNxt)) {
            // Partly new: D-SACK the old part and keep the rest.
            dsackSet(sk, seq, sk.rcvNxt);
            int old = sk.rcvNxt - seq;
            skb.pull(old);
            skb.seq = sk.rcvNxt;
            DropReason refused = rmemSchedule(sk, skb, sk.receiveQueue.isEmpty());
            if (refused != null) {
                drop(skb, refused);
                return;
            }
            sk.rcvNxt = end;
            sk.bytesReceived += end - skb.seq;
            skb.endSeq = end;
            queueRcv(sk, skb);
            if (fin) {
                sk.rcvNxt++;
                fin(sk);
            }
            if (!sk.ofo.isEmpty()) {
                sk.ofo.drainInOrder(sk, this);
            }
            sk.ofo.updateSackBlocks(sk);
            eventDataRecv(sk, payload);
            sk.wake();
            return;
        }
        if (TcpHeader.after(seq, sk.rcvNxt + Math.max(0, sk.rcvWup + sk.rcvWnd - sk.rcvNxt))) {
            tcp.output().sendAck(sk);
            drop(skb, DropReason.TCP_OVERWINDOW);
            return;
        }
        // tcp_data_queue_ofo.
        sk.rcvOooPack++;
        skb.endSeq = end;
        DropReason refused = rmemSchedule(sk, skb, false);
        if (refused != null) {
            tcp.extMib().inc(TcpExtMib.TCPOFODrop);
            drop(skb, refused == DropReason.PROTO_MEM ? refused : DropReason.TCP_OFO_DROP);
            tcp.output().sendAck(sk);
            return;
        }
        tcp.extMib().inc(TcpExtMib.TCPOFOQueue);
        sk.ofo.insert(sk, skb, fin, this);
        enterQuickack(sk);
        tcp.output().sendAck(sk);
    }

    /**
     * Queues in-order payload for the reader ({@code tcp_queue_rcv}); {@code skb.seq} and
     * {@code skb.endSeq} bound its payload.
     */
    void queueRcv(TcpSock sk, PacketBuffer skb) {
        PacketBuffer last = sk.receiveQueue.peekLast();
        if (last == null || !tryCoalesce(sk, last, skb)) {
            sk.receiveQueue.addLast(skb);
        }
    }

    /**
     * {@code tcp_try_coalesce}: if {@code from}'s payload continues {@code to}'s and fits in the
     * room behind it, it is copied there and {@code from} is uncharged and freed, so a run of
     * small segments costs one buffer's true size, not one each. Both are charged buffers whose
     * {@code seq}/{@code endSeq} bound their payload.
     */
    boolean tryCoalesce(TcpSock sk, PacketBuffer to, PacketBuffer from) {
        int n = from.len();
        if (to.endSeq != from.seq || n > to.tailroom() || to.isShared()) {
            return false;
        }
        System.arraycopy(from.array(), from.data(), to.array(), to.put(n), n);
        to.endSeq = from.endSeq;
        sk.rmemUncharge(SockMem.truesize(from));
        from.free();
        tcp.extMib().inc(TcpExtMib.TCPRcvCoalesce);
        return true;
    }

    /** D-SACK block to report with the next ACK ({@code tcp_dsack_set}). */
    void dsackSet(TcpSock sk, int start, int end) {
        if (!sk.sackOk || tcp.dsack == 0) {
            return;
        }
        tcp.extMib().inc(TcpHeader.before(start, sk.rcvNxt) ? TcpExtMib.TCPDSACKOldSent : TcpExtMib.TCPDSACKOfoSent);
        sk.dsackPending = true;
        sk.dsackStart = start;
        sk.dsackEnd = end;
    }

    /**
     * {@code tcp_try_rmem_schedule}: charges the buffer to the receive memory. Refused when the
     * memory already held is past the receive buffer (so the buffer may be overshot by one
     * segment, as in Linux: a window we offered stays usable although the bookkeeping overhead
     * of what the reader has not taken yet ate into it), or when the namespace refuses more
     * ({@link TcpMemory#admitReceive}), and pruning the out-of-order queue
     * ({@code tcp_prune_ofo_queue}) does not help. {@code forced} charges without asking.
     *
     * @return null when charged, else why not: {@link DropReason#SOCKET_RCVBUFF} or {@link DropReason#PROTO_MEM}
     */
    DropReason rmemSchedule(TcpSock sk, PacketBuffer skb, boolean forced) {
        int size = SockMem.truesize(skb);
        if (!forced && (sk.rmemAlloc > sk.rcvbuf || !tcp.memory().admitReceive(sk, size))) {
            tcp.extMib().inc(TcpExtMib.PruneCalled);
            sk.ofo.prune(sk, 0, tcp, skb.seq);
            if (sk.rmemAlloc > sk.rcvbuf) {
                return DropReason.SOCKET_RCVBUFF;
            }
            if (!tcp.memory().admitReceive(sk, size)) {
                return DropReason.PROTO_MEM;
            }
        }
        sk.rmemCharge(size);
        return null;
    }

    private void enterQuickack(TcpSock sk) {
        sk.quickAcks = Math.max(sk.quickAcks, 2);
        sk.pingpong = false;
        sk.atoUs = Tcp.ATO_MIN_US;
    }

    /** {@code tcp_event_data_recv}: the delayed-ACK clock (ato) follows the gaps between arrivals. */
    private void eventDataRecv(TcpSock sk, int payload) {
        long now = sk.nowUs();
        if (sk.lrcvtimeUs == 0) {
            // The first data: tcp_incr_quickack(TCP_MAX_QUICKACKS), an ACK per segment while
            // the sender's window is small (slow start needs them), at most 16 and at most
            // what half the receive window holds in segments.
            sk.quickAcks = Math.max(sk.quickAcks, Math.min(16, Math.max(2, sk.rcvWnd / (2 * Math.max(1, sk.rcvMss)))));
            sk.atoUs = Tcp.ATO_MIN_US;
        } else {
            long m = now - sk.lrcvtimeUs;
            if (m <= Tcp.ATO_MIN_US / 2) {
                sk.atoUs = (sk.atoUs >> 1) + Tcp.ATO_MIN_US / 2;
            } else if (m < sk.atoUs) {
                sk.atoUs = Math.min((sk.atoUs >> 1) + m, sk.rtoUs);
            }
        }
        sk.lrcvtimeUs = now;
        if (payload > 0) {
            sk.segsSinceAck++;
            sk.ackPending = true;
        }
    }

    /**
     * {@code __tcp_ack_snd_check}: ACK now when more than one full segment is unacknowledged
     * (RFC 5681 4.2 "at least every second full-sized segment"), in quick-ack mode, or when
     * out-of-order data is held; otherwise delay it.
     */
    void ackSndCheck(TcpSock sk) {
        if (!sk.ackPending) {
            return;
        }
        boolean now = sk.rcvNxt - sk.rcvWup > sk.rcvMss && Math.max(0, sk.rcvWup + sk.rcvWnd - sk.rcvNxt) <= sk.rcvWnd
                || sk.quickAcks > 0 && !sk.pingpong || !sk.ofo.isEmpty() || sk.segsSinceAck >= 2;
        if (now) {
            tcp.output().sendAck(sk);
        } else {
            tcp.output().sendDelayedAck(sk);
        }
    }

    /**
     * {@code tcp_fin}: RFC 9293 3.10.7.4 eighth. ESTABLISHED goes to CLOSE_WAIT, FIN_WAIT1 to
     * CLOSING, FIN_WAIT2 to TIME_WAIT; the reader sees end of stream.
     */
    void fin(TcpSock sk) {
        sk.shutdown |= TcpSock.RCV_SHUTDOWN;
        sk.recvShutdownSeen = true;
        sk.ackPending = true;
        switch (sk.state) {
            case ESTABLISHED -> {
                input.setState(sk, TcpState.CLOSE_WAIT);
                sk.pingpong = true;
            }
            case FIN_WAIT1 -> {
                input.setState(sk, TcpState.CLOSING);
                tcp.output().sendAck(sk);
            }
            case FIN_WAIT2 -> {
                tcp.output().sendAck(sk);
                tcp.minisocks().timeWait(sk, TcpState.TIME_WAIT, 0);
            }
            default -> {
            }
        }
        sk.ofo.purge(sk);
        sk.wake();
    }

}
