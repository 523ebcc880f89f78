package io.netstack4j.tcp;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.SockMem;
import io.netstack4j.time.Timer;
import io.netstack4j.wire.Ipv4Address;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * One TCP socket's state ({@code struct tcp_sock} with its {@code inet_connection_sock},
 * {@code inet_sock} and {@code sock}), named field for field after Linux, plus the socket calls
 * that act on it ({@code tcp_sendmsg}, {@code tcp_recvmsg}, {@code tcp_shutdown},
 * {@code tcp_close}, {@code inet_csk_accept}). Loop thread only; the socket layer's
 * {@code TcpSocket} and {@code TcpListener} are its thread-safe faces.
 *
 * <p>A call that cannot proceed now returns a "would block" value (documented per method) and
 * the socket layer parks until {@link Listener#wake()}; refused calls throw {@link NetException}
 * with Linux's errno; an asynchronous error ({@code sk_err}: reset, timeout, ICMP) is thrown once
 * by the next call.
 */
public final class TcpSock extends TcpHashed {

    /** Told when a waiter may proceed (data, space, state change, error); loop thread, must not block. */
    @FunctionalInterface
    public interface Listener {
        void wake();
    }

    /** {@code shutdown} directions ({@code RCV_SHUTDOWN}, {@code SEND_SHUTDOWN}). */
    static final int RCV_SHUTDOWN = 1;
    static final int SEND_SHUTDOWN = 2;

    /** {@code icsk_pending}: what the retransmit timer is armed for. */
    static final int TIMER_NONE = 0;
    static final int TIMER_RETRANS = 1;
    static final int TIMER_PROBE0 = 2;
    static final int TIMER_LOSS_PROBE = 3;
    static final int TIMER_REO = 4;

    final Tcp tcp;
    Listener listener;

    TcpState state = TcpState.CLOSE;
    boolean bound;
    /** The port was chosen by bind() (not picked by connect), so it is reserved ({@code SOCK_BINDPORT_LOCK}). */
    boolean bindPortLocked;
    TcpSock nextBind;
    TcpSock nextListen;
    boolean listening;

    // Send sequence space (RFC 9293 3.3.1).
    int iss;
    int sndUna;
    int sndNxt;
    /** {@code snd_wnd}, already scaled; {@code snd_wl1}: the segment seq of the last window update. */
    int sndWnd;
    int sndWl1;
    int maxWindow;
    /** {@code write_seq}: the sequence number after the last byte written by the application (and FIN). */
    int writeSeq;
    /** {@code pushed_seq}. */
    int pushedSeq;
    final SendQueue sendQueue;
    final RtxQueue rtx;
    boolean finQueued;
    boolean finSent;

    // Receive sequence space.
    int irs;
    int rcvNxt;
    /** {@code rcv_wup}: rcv_nxt when the window was last advertised; {@code rcv_wnd}: the window then. */
    int rcvWup;
    int rcvWnd;
    /** {@code copied_seq}: the next byte the application will read. */
    int copiedSeq;
    /** Starts at the smallest capacity: an idle connection's queue is empty, and ArrayDeque grows as needed. */
    final ArrayDeque<PacketBuffer> receiveQueue = new ArrayDeque<>(1);
    final OfoQueue ofo;
    int rmemAlloc;
    int rcvbuf;
    int sndbuf;
    boolean userRcvbuf;
    boolean userSndbuf;
    /**
     * A send was refused because the namespace is past {@code tcp_mem}'s hard limit
     * ({@code SOCK_NOSPACE} after {@code sk_stream_wait_memory}); the next ACK that frees
     * memory clears it.
     */
    boolean memoryWait;
    int windowClamp;
    /** DRS receive-buffer autotuning ({@code rcvq_space}). */
    int rcvqSpace;
    int rcvqSeq;
    long rcvqTimeUs;
    int rcvRttEstUs;
    int rcvRttSeq;

    // Options (RFC 7323, RFC 2018).
    boolean tsOk;
    boolean sackOk;
    boolean wscaleOk;
    int sndWscale;
    int rcvWscale;
    int tsRecent;
    long tsRecentStampSec;
    int tsOffset;
    /** {@code rx_opt.mss_clamp}: the largest segment the peer accepts; {@code advmss}: ours. */
    int mssClamp = 536;
    int advmss;
    int userMss;
    int mssCache = 536;
    /** {@code rcv_mss} estimate for delayed ACK decisions. */
    int rcvMss = 536;
    /** Receiver-side D-SACK to report on the next ACK ({@code duplicate_sack[0]}). */
    boolean dsackPending;
    int dsackStart;
    int dsackEnd;
    /**
     * Our SACK blocks, most recent first ({@code selective_acks}); {@link OfoQueue} takes the
     * arrays from the namespace's spares while it holds segments and gives them back when it
     * empties (null then).
     */
    int[] sackStart;
    int[] sackEnd;
    int numSacks;

    // RTT and RTO (RFC 6298, tcp_rtt_estimator).
    long srttUs8;
    long mdevUs;
    long mdevMaxUs;
    long rttvarUs;
    int rttSeq;
    long rtoUs = Tcp.TIMEOUT_INIT_US;
    int backoff;
    int retransmits;
    int totalRetrans;
    /** {@code retrans_stamp}: time of the first retransmission of the head, or of the SYN; 0 when none. */
    long retransStampUs;
    int probesOut;
    /**
     * {@code icsk_probes_tstamp}: when the persist timer first probed the current zero window;
     * 0 when not probing. ACKs that keep the window shut do not move it, so TCP_USER_TIMEOUT
     * ends a connection whose peer answers every probe and never opens (sockstress).
     */
    long probesTstampUs;
    int pending = TIMER_NONE;
    final Timer retransmitTimer = new TcpSockTimer(this, TcpSockTimer.RETRANSMIT);
    final Timer delackTimer = new TcpSockTimer(this, TcpSockTimer.DELACK);
    /** Made when first armed ({@link TcpTimers#resetKeepalive}); null until then. */
    Timer keepaliveTimer;

    // Congestion control and loss recovery.
    final CwndState cw = new CwndState();
    TcpCongestionOps cc;
    TcpCongestionOps.CaState caState = TcpCongestionOps.CaState.OPEN;
    int packetsOut;
    int sackedOut;
    int lostOut;
    int retransOut;
    int highSeq;
    int undoMarker;
    int undoRetrans = -1;
    int priorSsthresh;
    int priorCwnd;
    int prrDelivered;
    int prrOut;
    boolean isSackReneg;
    int reordering = 3;
    boolean reordSeen;
    /** The highest end of a SACKed segment ({@code fackets}' anchor), 0 when none. */
    int highSacked;
    long lsndtimeUs;
    int dupAcks;
    boolean tlpPending;
    int tlpHighSeq;
    // RACK (RFC 8985).
    long rackMstampUs;
    int rackEndSeq;
    long rackRttUs;
    /** RACK's reordering-window multiplier and its bookkeeping (RFC 8985 6.2 step 4). */
    int reoWndMult = 1;
    long reoWndStampUs;
    int reoWndPersist;
    long minRttUs;
    long minRttStampUs;
    // Delivery rate (tcp_rate.c).
    long delivered;
    long deliveredUs;
    long firstTxUs;
    long deliveryRateBps;
    long appLimited;

    // Delayed ACK (inet_csk ack state).
    boolean ackPending;
    int quickAcks;
    boolean pingpong;
    long atoUs = Tcp.ATO_MIN_US;
    long lrcvtimeUs;
    long lastRecvUs;
    long lastSendUs;
    long lastAckRecvUs;
    int segsSinceAck;

    // Socket options.
    boolean nodelay;
    boolean cork;
    boolean keepaliveOn;
    int keepIdleSec;
    int keepIntvlSec;
    int keepCnt;
    int userTimeoutMs;
    boolean lingerOn;
    int lingerSec;
    int synRetries;
    boolean reuseAddr;
    boolean recvShutdownSeen;
    int shutdown;
    boolean orphan;
    boolean dead;
    Errno skErr;
    Errno skErrSoft;
    /** Challenge ACK budget ({@code tcp_challenge_ack_limit}), per socket and per second. */
    long challengeWindowStartUs;
    int challengeCount;
    long lastOowAckUs;

    // Listener (inet_connection_sock request queue).
    int backlog;
    int synQueueLen;
    /** The accept queue and the request mini-sockets: made by {@code listen}, null on other sockets. */
    ArrayDeque<TcpSock> acceptQueue;
    ArrayList<TcpRequestSock> requests;
    /**
     * A listener: when it last answered a SYN with a cookie, in loop nanoseconds
     * ({@code rx_opt.ts_recent_stamp} as {@code tcp_synq_overflow} uses it); ACKs are checked
     * for cookies only within {@link TcpMinisocks#SYNCOOKIE_VALID_NS} of it.
     */
    long synqOverflowNs = Long.MIN_VALUE;
    /** The listener a passively opened child belongs to until accepted. */
    TcpSock parent;

    // Counters for TCP_INFO.
    long bytesAcked;
    long bytesReceived;
    long bytesSent;
    long bytesRetrans;
    int segsOut;
    int segsIn;
    int dataSegsOut;
    int dataSegsIn;
    int lostTotal;
    int dsackDups;
    int reordSeenCount;
    int rcvOooPack;
    /** When a passively opened child's SYN-ACK went out (never retransmitted), for the first RTT sample; 0 otherwise. */
    long synackSentUs;

    TcpSock(Tcp tcp, Listener listener) {
        this.tcp = tcp;
        this.listener = listener;
        this.sendQueue = new SendQueue(tcp.chunks(), tcp.memory());
        this.rtx = new RtxQueue(tcp.txSegs());
        this.ofo = new OfoQueue(tcp.ofoStorage());
        this.rcvbuf = tcp.rmemDefault();
        this.sndbuf = tcp.wmemDefault();
        this.cc = TcpCongestion.create(tcp.defaultCongestion());
        this.keepIdleSec = tcp.keepaliveTime();
        this.keepIntvlSec = tcp.keepaliveIntvl();
        this.keepCnt = tcp.keepaliveProbes();
    }

    /** Wakes the socket layer ({@code sk_data_ready}/{@code sk_write_space}/{@code sk_state_change}). */
    void wake() {
        if (listener != null) {
            listener.wake();
        }
    }

    public TcpState state() {
        return state;
    }

    public int localAddress() {
        return saddr;
    }

    public int localPort() {
        return sport;
    }

    public int remoteAddress() {
        return daddr;
    }

    public int remotePort() {
        return dport;
    }

    public void setListener(Listener l) {
        this.listener = l;
    }

    /** Bytes the application can read now (in-order data not yet copied). */
    public int readableBytes() {
        return rcvNxt - copiedSeq - (recvShutdownSeen && finReceived() ? 1 : 0);
    }

    /** True once the peer's FIN has been received (in order). */
    boolean finReceived() {
        return (shutdown & RCV_SHUTDOWN) != 0 && recvShutdownSeen;
    }

    /** Bytes queued for sending and not yet ACKed ({@code Send-Q} in {@code ss}). */
    public int sendQueueBytes() {
        return writeSeq - sndUna - (finQueued ? 1 : 0) - (state == TcpState.SYN_SENT || state == TcpState.SYN_RECV ? 1 : 0);
    }

    /**
     * {@code sk_wmem_queued}: the send queue's chunks plus, for every retransmission-queue
     * record, what Linux charges an {@code sk_buff} beyond its data.
     */
    int wmemQueued() {
        return sendQueue.chunkBytes() + rtx.size() * SockMem.SKB_OVERHEAD;
    }

    /** Bytes received and not yet read ({@code Recv-Q}); for a listener, the accept queue length. */
    public int recvQueueBytes() {
        if (state == TcpState.LISTEN) {
            return acceptQueue.size();
        }
        return Math.max(0, rcvNxt - copiedSeq - (recvShutdownSeen ? 1 : 0));
    }

    public int backlog() {
        return backlog;
    }

    /** Charges {@code bytes} of received data to this socket and to its namespace. */
    void rmemCharge(int bytes) {
        rmemAlloc += bytes;
        tcp.memory().charge(bytes);
    }

    /** Gives back {@code bytes} of received data charged with {@link #rmemCharge}. */
    void rmemUncharge(int bytes) {
        rmemAlloc -= bytes;
        tcp.memory().uncharge(bytes);
    }

    /** Room in the send buffer ({@code sk_stream_wspace} / {@code sk_stream_memory_free}). */
    int sendSpace() {
        return sndbuf - sendQueue.size();
    }

    /** {@code sk_stream_is_writeable}: at least a third of the buffer is free, as Linux wakes writers. */
    public boolean writable() {
        return sendSpace() >= sndbuf / 3 && !memoryWait || skErr != null || (shutdown & SEND_SHUTDOWN) != 0 || state == TcpState.CLOSE;
    }

    /** True when a read would not block: data, EOF, an error, or a reset. */
    public boolean readable() {
        return readableBytes() > 0 || (shutdown & RCV_SHUTDOWN) != 0 || skErr != null || state == TcpState.CLOSE;
    }

    /** For a listener: a connection is waiting to be accepted. */
    public boolean acceptable() {
        return acceptQueue != null && !acceptQueue.isEmpty();
    }

    /** Throws and clears the pending asynchronous error ({@code sock_error}). */
    void throwPendingError() {
        Errno e = skErr;
        if (e != null) {
            skErr = null;
            throw new NetException(e);
        }
    }

    /** The pending error without clearing it. */
    public Errno pendingError() {
        return skErr;
    }

    /** {@code SO_ERROR}: returns and clears the pending error (null when none). */
    public Errno takeError() {
        Errno e = skErr;
        skErr = null;
        return e;
    }

    int srttUs() {
        return (int) (srttUs8 >> 3);
    }

    /** {@code tcp_packets_in_flight}: sent, not ACKed, not SACKed, not lost, plus retransmitted. */
    int packetsInFlight() {
        return packetsOut - (sackedOut + lostOut) + retransOut;
    }

    /** Time in the loop's microseconds ({@code tcp_clock_us}). */
    long nowUs() {
        return tcp.nowUs();
    }

    /** The timestamp clock ({@code tcp_time_stamp_ms} + the per-connection offset). */
    int tsNow() {
        return (int) (nowUs() / 1000) + tsOffset;
    }

    @Override
    public String toString() {
        return "TcpSock[" + state + " " + new Ipv4Address(saddr) + ":" + sport + " -> " + new Ipv4Address(daddr) + ":" + dport + "]";
    }
}
