package io.netstack4j.udp;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.SockMem;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.UdpHeader;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * One UDP socket's protocol state ({@code struct udp_sock} with its {@code inet_sock} and
 * {@code sock}): local and peer address, options, the receive queue and the buffer accounting.
 * Loop thread only; the socket layer's {@code UdpSocket} is the thread-safe face of it.
 *
 * <p>Errors are reported as Linux reports them: a refused call throws {@link NetException} with
 * the errno, and an asynchronous error (an ICMP error on a connected socket) is kept as
 * {@code sk_err} and thrown once by the next send or receive.
 */
public final class UdpSock {

    /** {@code IP_PMTUDISC_*}: whether sent datagrams carry DF. */
    public static final int PMTUDISC_DONT = 0;
    public static final int PMTUDISC_WANT = 1;
    public static final int PMTUDISC_DO = 2;
    public static final int PMTUDISC_PROBE = 3;

    /**
     * Told whenever a blocked caller might now proceed: data queued ({@code sk_data_ready}),
     * send-buffer space freed ({@code sk_write_space}), an error set ({@code sk_error_report})
     * or the socket closed. Runs on the loop thread and must not block.
     */
    @FunctionalInterface
    public interface Listener {
        void wake();
    }

    final Udp udp;
    private final Listener listener;
    private final ArrayDeque<PacketBuffer> queue = new ArrayDeque<>();
    private final PacketBuffer.Destructor wfree = this::wfree;

    /** {@code inet_rcv_saddr}: the bound local address bits, 0 for any. */
    int rcvSaddr;
    /** {@code inet_num}: the local port, 0 while unbound. */
    int port;
    /** {@code inet_daddr}/{@code inet_dport}: the peer of a connected socket, else 0. */
    int daddr;
    int dport;
    boolean connected;
    boolean bindAddrLocked;
    boolean bindPortLocked;
    boolean hashed;
    boolean closed;
    boolean rcvShutdown;
    UdpSock nextPort;
    UdpSock nextAddr;

    boolean reuseAddr;
    boolean broadcast;
    int ttl = -1;
    int tos;
    int pmtudisc = PMTUDISC_WANT;
    int rcvbuf;
    int sndbuf;
    int rmemAlloc;
    int wmemAlloc;
    long drops;
    Errno err;
    /** {@code IP_RECVERR}: queue the details of every error, not just the errno. */
    boolean recverr;
    /** {@code sk_error_queue}, bounded as Linux bounds it by the receive buffer. */
    private final ArrayDeque<SockExtendedErr> errorQueue = new ArrayDeque<>();
    private int errorQueueBytes;

    private int lastAddr;
    private int lastPort;
    private int lastLength;

    UdpSock(Udp udp, Listener listener) {
        this.udp = udp;
        this.listener = listener != null ? listener : () -> { };
        this.rcvbuf = udp.sockMem().rmemDefault();
        this.sndbuf = udp.sockMem().wmemDefault();
    }

    /**
     * {@code inet_bind} + {@code udp_v4_get_port}: binds to a local address (0 for any) and
     * port (0 for an ephemeral one from {@code net.ipv4.ip_local_port_range}).
     *
     * @throws NetException EINVAL if already bound, EADDRNOTAVAIL for an address that is not
     *     ours, EADDRINUSE if the port is taken (and SO_REUSEADDR is not set on both sockets)
     */
    public void bind(int addr, int localPort) {
        requireOpen();
        if (localPort < 0 || localPort > 0xffff) {
            throw new NetException(Errno.EINVAL, "port " + localPort + " outside 0..65535");
        }
        if (port != 0) {
            throw new NetException(Errno.EINVAL, "socket already bound");
        }
        udp.bind(this, addr, localPort);
        bindAddrLocked = addr != 0;
        bindPortLocked = localPort != 0;
    }

    /**
     * {@code ip4_datagram_connect}: finds the route to the peer, autobinds, takes the route's
     * source as the local address if none was bound, and from then on accepts datagrams from
     * that peer only (the lookup scores the 4-tuple).
     *
     * @throws NetException ENETUNREACH and friends from routing, EACCES for a broadcast peer
     *     without SO_BROADCAST
     */
    public void connect(int addr, int peerPort) {
        requireOpen();
        if (peerPort < 0 || peerPort > 0xffff) {
            throw new NetException(Errno.EINVAL, "port " + peerPort + " outside 0..65535");
        }
        udp.connect(this, addr, peerPort);
    }

    /**
     * {@code __udp_disconnect} ({@code connect} with AF_UNSPEC): forgets the peer; an address or
     * port that only connect chose is given up too.
     */
    public void disconnect() {
        requireOpen();
        udp.disconnect(this);
    }

    /**
     * {@code udp_sendmsg}: sends {@code len} bytes to the connected peer ({@code daddr == 0 &&
     * dstPort < 0}) or to {@code daddr:dstPort}.
     *
     * @return {@code len}
     * @throws NetException EMSGSIZE above 65507 bytes (or above the MTU with
     *     IP_PMTUDISC_DO), EDESTADDRREQ when unconnected without a destination, EACCES for a
     *     broadcast destination without SO_BROADCAST, EAGAIN when the send buffer is full,
     *     routing errors, or the pending socket error
     */
    public int send(byte[] data, int off, int len, int dstAddr, int dstPort) {
        requireOpen();
        return udp.sendmsg(this, data, off, len, dstAddr, dstPort);
    }

    /**
     * {@code udp_recvmsg}: copies the oldest queued datagram into {@code dst} (truncating it
     * to {@code len}, as {@code recv} without {@code MSG_TRUNC}) and frees it. The sender is
     * then {@link #lastAddress()}:{@link #lastPort()}.
     *
     * @return bytes copied, or -1 when the queue is empty
     * @throws NetException the pending socket error, once; EBADF when closed
     */
    public int receive(byte[] dst, int off, int len) {
        PacketBuffer skb = dequeue();
        if (skb == null) {
            return -1;
        }
        int n = Math.min(len, skb.len());
        System.arraycopy(skb.array(), skb.data(), dst, off, n);
        consumed(skb);
        return n;
    }

    /** As {@link #receive(byte[], int, int)}, into {@code dst}'s remaining space (position advanced). */
    public int receive(ByteBuffer dst) {
        PacketBuffer skb = dequeue();
        if (skb == null) {
            return -1;
        }
        int n = Math.min(dst.remaining(), skb.len());
        dst.put(skb.array(), skb.data(), n);
        consumed(skb);
        return n;
    }

    private PacketBuffer dequeue() {
        requireOpen();
        throwPendingError();
        return queue.pollFirst();
    }

    private void consumed(PacketBuffer skb) {
        byte[] b = skb.array();
        lastAddr = Ipv4Header.src(b, skb.networkHeader());
        lastPort = UdpHeader.srcPort(b, skb.transportHeader());
        lastLength = skb.len();
        rmemAlloc -= SockMem.truesize(skb);
        udp.mib().inc(UdpMib.InDatagrams);
        skb.free();
    }

    /** {@code sock_error}: throws and clears the pending error, if any. */
    void throwPendingError() {
        Errno e = err;
        if (e != null) {
            err = null;
            throw new NetException(e);
        }
    }

    /**
     * {@code shutdown(SHUT_RD)}: wakes blocked receivers; once the queue is drained, receives
     * report end of input instead of waiting ({@code RCV_SHUTDOWN}: Linux's recv then returns 0).
     * A no-op on a closed socket, so a timer that fires after close is harmless.
     */
    public void shutdownInput() {
        if (closed) {
            return;
        }
        rcvShutdown = true;
        listener.wake();
    }

    public boolean inputShutdown() {
        return rcvShutdown;
    }

    /** Frees queued datagrams and releases the port ({@code udp_lib_close}). Idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        udp.unhash(this);
        PacketBuffer skb;
        while ((skb = queue.pollFirst()) != null) {
            rmemAlloc -= SockMem.truesize(skb);
            skb.free();
        }
        listener.wake();
    }

    private void requireOpen() {
        if (closed) {
            throw new NetException(Errno.EBADF, "socket is closed");
        }
    }

    /**
     * {@code __udp_enqueue_schedule_skb}: queues a received datagram whose data starts at the
     * payload, unless the receive buffer is already over {@code sk_rcvbuf} (Linux checks before
     * charging, so one datagram may overshoot). Returns false when the caller must drop it.
     */
    boolean enqueue(PacketBuffer skb) {
        if (closed || rmemAlloc > rcvbuf) {
            return false;
        }
        rmemAlloc += SockMem.truesize(skb);
        queue.addLast(skb);
        listener.wake();
        return true;
    }

    /** Charges a datagram being sent to the send buffer ({@code skb_set_owner_w}). */
    void chargeSend(PacketBuffer skb) {
        wmemAlloc += SockMem.truesize(skb);
        skb.setDestructor(wfree);
    }

    /** {@code sock_wfree}: a device took (or the stack freed) a datagram this socket sent. */
    private void wfree(PacketBuffer skb) {
        wmemAlloc -= SockMem.truesize(skb);
        listener.wake();
    }

    /** {@code sk_error_report}. */
    void reportError(Errno e) {
        err = e;
        listener.wake();
    }

    /**
     * {@code ip_icmp_error} / {@code ip_local_error}: queues the error's details when
     * IP_RECVERR is on. Each entry is charged {@link #ERROR_TRUESIZE} bytes to the receive
     * buffer's budget, as the kernel charges the queued error skb, so a flood of ICMP errors
     * cannot grow the queue past SO_RCVBUF; beyond it new errors are dropped.
     */
    void queueError(SockExtendedErr e) {
        if (!recverr) {
            return;
        }
        if (rmemAlloc + errorQueueBytes + ERROR_TRUESIZE > rcvbuf) {
            drops++;
            return;
        }
        errorQueue.addLast(e);
        errorQueueBytes += ERROR_TRUESIZE;
    }

    /** Bytes charged per queued error (an skb holding the quoted headers). */
    static final int ERROR_TRUESIZE = 768;

    /**
     * {@code recvmsg(MSG_ERRQUEUE)}: the oldest queued error, or null when there is none
     * (Linux: EAGAIN). Dequeuing sets the pending error to the next entry's, or clears it, as
     * {@code sock_dequeue_err_skb} does.
     */
    public SockExtendedErr receiveError() {
        SockExtendedErr e = errorQueue.pollFirst();
        if (e == null) {
            return null;
        }
        errorQueueBytes -= ERROR_TRUESIZE;
        SockExtendedErr next = errorQueue.peekFirst();
        err = next == null ? null : next.errno();
        return e;
    }

    /** {@code IP_RECVERR}. Turning it off empties the error queue, as Linux does. */
    public void setRecvErr(boolean on) {
        recverr = on;
        if (!on) {
            errorQueue.clear();
            errorQueueBytes = 0;
        }
    }

    public boolean recvErr() {
        return recverr;
    }

    public int lastAddress() {
        return lastAddr;
    }

    public int lastPort() {
        return lastPort;
    }

    /** The full length of the last datagram received, before any truncation. */
    public int lastLength() {
        return lastLength;
    }

    public int localAddress() {
        return rcvSaddr;
    }

    public int localPort() {
        return port;
    }

    public int peerAddress() {
        return daddr;
    }

    public int peerPort() {
        return dport;
    }

    public boolean isConnected() {
        return connected;
    }

    public boolean isClosed() {
        return closed;
    }

    /** True when a datagram is queued. */
    public boolean readable() {
        return !queue.isEmpty();
    }

    /** True when a send would not be refused for lack of send-buffer space. */
    public boolean writable() {
        return wmemAlloc < sndbuf;
    }

    /** True when an asynchronous error waits to be reported. */
    public boolean hasError() {
        return err != null;
    }

    /** Bytes charged to the receive queue ({@code sk_rmem_alloc}, ss's Recv-Q). */
    public int rmemAlloc() {
        return rmemAlloc;
    }

    /** Bytes of sent datagrams not yet taken by a device ({@code sk_wmem_alloc}, ss's Send-Q). */
    public int wmemAlloc() {
        return wmemAlloc;
    }

    /** Datagrams dropped on arrival for this socket ({@code sk_drops}). */
    public long drops() {
        return drops;
    }

    public void setReuseAddress(boolean on) {
        reuseAddr = on;
    }

    public boolean reuseAddress() {
        return reuseAddr;
    }

    public void setBroadcast(boolean on) {
        broadcast = on;
    }

    public boolean broadcast() {
        return broadcast;
    }

    /** {@code SO_RCVBUF}: stores twice the request (capped at {@code net.core.rmem_max}), as Linux. */
    public void setReceiveBufferSize(int bytes) {
        rcvbuf = udp.sockMem().clampRcvbuf(bytes);
    }

    public int receiveBufferSize() {
        return rcvbuf;
    }

    /** {@code SO_SNDBUF}: stores twice the request (capped at {@code net.core.wmem_max}), as Linux. */
    public void setSendBufferSize(int bytes) {
        sndbuf = udp.sockMem().clampSndbuf(bytes);
        listener.wake();
    }

    public int sendBufferSize() {
        return sndbuf;
    }

    /** {@code IP_TTL}: 1..255, or -1 for {@code net.ipv4.ip_default_ttl}. */
    public void setTtl(int value) {
        if (value != -1 && (value < 1 || value > 255)) {
            throw new NetException(Errno.EINVAL, "TTL " + value + " outside 1..255");
        }
        ttl = value;
    }

    public int ttl() {
        return ttl < 0 ? udp.ipv4().defaultTtl() : ttl;
    }

    /** {@code IP_TOS}: the TOS byte of sent datagrams. */
    public void setTos(int value) {
        tos = value & 0xff;
    }

    public int tos() {
        return tos;
    }

    /** {@code IP_MTU_DISCOVER}: one of the {@code PMTUDISC_*} constants. */
    public void setMtuDiscover(int mode) {
        if (mode < PMTUDISC_DONT || mode > PMTUDISC_PROBE) {
            throw new NetException(Errno.EINVAL, "IP_MTU_DISCOVER " + mode);
        }
        pmtudisc = mode;
    }

    public int mtuDiscover() {
        return pmtudisc;
    }
}
