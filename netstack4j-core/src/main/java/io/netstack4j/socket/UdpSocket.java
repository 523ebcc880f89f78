package io.netstack4j.socket;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.core.NetLoop;
import io.netstack4j.ns.Namespace;
import io.netstack4j.udp.SockExtendedErr;
import io.netstack4j.udp.UdpSock;
import io.netstack4j.wire.Ipv4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP socket ({@code socket(AF_INET, SOCK_DGRAM, 0)}) on a namespace, usable from any thread.
 *
 * <p>Each call runs on the namespace's loop ({@link NetLoop#call}). A receive on an empty queue
 * (or a send with a full send buffer) parks the calling thread until the loop reports data,
 * space, an error or {@link #close()}; with {@link #configureBlocking(boolean)
 * configureBlocking(false)} it fails at once with EAGAIN instead. {@link #setSoTimeout} bounds a
 * blocking receive with a loop timer (so it runs on virtual time in a simulation) and fails it
 * with EAGAIN, as Linux's {@code SO_RCVTIMEO}. Closing wakes blocked callers with EBADF. An
 * interrupted caller stops waiting with EINTR and keeps its interrupt flag. On the loop thread
 * itself nothing may park, so there a call that would block fails with EAGAIN.
 *
 * <p>Errors are {@link NetException}s carrying Linux's errno: EADDRINUSE, EADDRNOTAVAIL,
 * EACCES (broadcast without {@link #setBroadcast}), EMSGSIZE, ECONNREFUSED (a connected peer
 * answered port unreachable; reported once, by the next call), ENETUNREACH ...
 */
public final class UdpSocket implements AutoCloseable {

    /**
     * A received datagram's length (bytes copied) and sender ({@code recvfrom}); length -1
     * (and sender 0.0.0.0:0) means end of input after {@link #shutdownInput()}.
     */
    public record Received(int length, Ipv4Address address, int port) {

        static final Received EOF = new Received(-1, Ipv4Address.ANY, 0);

        public InetSocketAddress socketAddress() {
            return new InetSocketAddress(toInet(address), port);
        }
    }

    private final NetLoop loop;
    private final UdpSock sk;
    private final Waiters waiters;
    private final Waiters.Spare<Waiters.Transfer> sendSpare = new Waiters.Spare<>(() -> new Waiters.Transfer() {
        @Override
        public int run() {
            return trySend(buf, off, len, addr, port);
        }
    });
    /** recv without the sender's address: the bytes copied, -1 at end of input, WAIT when none is queued. */
    private final Waiters.Spare<Waiters.Transfer> recvSpare = new Waiters.Spare<>(() -> new Waiters.Transfer() {
        @Override
        public int run() {
            int got = sk.receive(buf, off, len);
            return got < 0 && !sk.inputShutdown() ? Waiters.WAIT : got;
        }
    });
    private volatile boolean blocking = true;
    private volatile int soTimeoutMs;

    private UdpSocket(Namespace ns) {
        this.loop = ns.loop();
        this.waiters = new Waiters(loop, "UDP socket");
        this.sk = ns.udp().open(this::wakeAll);
    }

    /** Opens an unbound socket on {@code ns}. */
    public static UdpSocket open(Namespace ns) {
        return ns.loop().call(() -> new UdpSocket(ns));
    }

    /** Loop thread: every parked caller retries ({@code sk_data_ready} and friends). */
    private void wakeAll() {
        waiters.wakeAll();
    }

    private <T> T await(Waiters.Attempt<T> attempt, long timeoutNanos) {
        return waiters.await(attempt, blocking, timeoutNanos);
    }

    /** Binds to {@code addr:port}; a wildcard address (0.0.0.0) or port 0 as in {@code bind(2)}. */
    public void bind(Ipv4Address addr, int port) {
        loop.run(() -> sk.bind(addr.bits(), port));
    }

    public void bind(InetSocketAddress local) {
        bind(toIpv4(local), local.getPort());
    }

    /** Connects to a peer: sends default to it, and only its datagrams are received. */
    public void connect(Ipv4Address addr, int port) {
        loop.run(() -> sk.connect(addr.bits(), port));
    }

    public void connect(InetSocketAddress peer) {
        connect(toIpv4(peer), peer.getPort());
    }

    /** {@code connect(AF_UNSPEC)}: forgets the peer. */
    public void disconnect() {
        loop.run(sk::disconnect);
    }

    /** {@code send}: to the connected peer. Returns {@code len}. */
    public int send(byte[] data, int off, int len) {
        return sendTo(data, off, len, 0, -1);
    }

    public int send(byte[] data) {
        return send(data, 0, data.length);
    }

    /** {@code sendto}. Returns {@code len}. */
    public int sendTo(byte[] data, int off, int len, Ipv4Address addr, int port) {
        return sendTo(data, off, len, addr.bits(), port);
    }

    private int sendTo(byte[] data, int off, int len, int addr, int port) {
        Waiters.Transfer call = sendSpare.take().set(data, off, len);
        call.addr = addr;
        call.port = port;
        try {
            waiters.awaitInt(call, blocking, 0);
        } finally {
            sendSpare.give(call);
        }
        return len;
    }

    public int sendTo(byte[] data, int off, int len, InetSocketAddress to) {
        return sendTo(data, off, len, toIpv4(to), to.getPort());
    }

    /** 0 when sent, {@link Waiters#WAIT} when the send buffer is full. */
    private int trySend(byte[] data, int off, int len, int addr, int port) {
        try {
            sk.send(data, off, len, addr, port);
            return 0;
        } catch (NetException e) {
            if (e.errno() == Errno.EAGAIN && !sk.writable()) {
                return Waiters.WAIT;
            }
            throw e;
        }
    }

    /**
     * {@code recv}: copies the next datagram into {@code buf} (truncating it); returns the bytes
     * copied, or -1 at end of input after {@link #shutdownInput()}.
     */
    public int receive(byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        Waiters.Transfer call = recvSpare.take().set(buf, off, len);
        try {
            return waiters.awaitInt(call, blocking, timeoutNanos());
        } finally {
            recvSpare.give(call);
        }
    }

    /** {@code recvfrom}: the next datagram and its sender. */
    public Received receiveFrom(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " of " + buf.length);
        }
        int[] from = new int[3];
        await(() -> {
            int got = sk.receive(buf, off, len);
            if (got < 0 && !sk.inputShutdown()) {
                return null;
            }
            from[0] = got;
            from[1] = sk.lastAddress();
            from[2] = sk.lastPort();
            return Boolean.TRUE;
        }, timeoutNanos());
        int n = from[0];
        // Built here, on the caller's thread: the loop allocates nothing per datagram.
        return n < 0 ? Received.EOF : new Received(n, new Ipv4Address(from[1]), from[2]);
    }

    /**
     * As {@link java.nio.channels.DatagramChannel#receive}: the next datagram into {@code dst}'s
     * remaining space (the rest is discarded), returning its sender; null at end of input
     * after {@link #shutdownInput()}.
     */
    public InetSocketAddress receive(ByteBuffer dst) {
        int[] from = new int[3];
        await(() -> {
            int got = sk.receive(dst);
            if (got < 0 && !sk.inputShutdown()) {
                return null;
            }
            from[0] = got;
            from[1] = sk.lastAddress();
            from[2] = sk.lastPort();
            return Boolean.TRUE;
        }, timeoutNanos());
        int n = from[0];
        return n < 0 ? null : new Received(n, new Ipv4Address(from[1]), from[2]).socketAddress();
    }

    private long timeoutNanos() {
        return soTimeoutMs * 1_000_000L;
    }

    public void setReuseAddress(boolean on) {
        loop.run(() -> sk.setReuseAddress(on));
    }

    public boolean getReuseAddress() {
        return loop.call(sk::reuseAddress);
    }

    /**
     * {@code IP_RECVERR}: ICMP errors about datagrams this socket sent (and local EMSGSIZE
     * failures) are queued with their details, read with {@link #receiveError()}.
     */
    public void setRecvErr(boolean on) {
        loop.run(() -> sk.setRecvErr(on));
    }

    public boolean getRecvErr() {
        return loop.call(sk::recvErr);
    }

    /**
     * {@code recvmsg(MSG_ERRQUEUE)}: the oldest queued error; never blocks.
     *
     * @throws NetException EAGAIN when the error queue is empty
     */
    public SockExtendedErr receiveError() {
        SockExtendedErr e = loop.call(sk::receiveError);
        if (e == null) {
            throw new NetException(Errno.EAGAIN, "no queued error");
        }
        return e;
    }

    /** {@code SO_BROADCAST}: needed to send to (or connect to) a broadcast address. */
    public void setBroadcast(boolean on) {
        loop.run(() -> sk.setBroadcast(on));
    }

    public boolean getBroadcast() {
        return loop.call(sk::broadcast);
    }

    /** {@code SO_RCVBUF}; {@link #getReceiveBufferSize} then reports twice the value, as Linux. */
    public void setReceiveBufferSize(int bytes) {
        loop.run(() -> sk.setReceiveBufferSize(bytes));
    }

    public int getReceiveBufferSize() {
        return loop.call(sk::receiveBufferSize);
    }

    /** {@code SO_SNDBUF}; {@link #getSendBufferSize} then reports twice the value, as Linux. */
    public void setSendBufferSize(int bytes) {
        loop.run(() -> sk.setSendBufferSize(bytes));
    }

    public int getSendBufferSize() {
        return loop.call(sk::sendBufferSize);
    }

    /** {@code IP_TTL}. */
    public void setTtl(int ttl) {
        loop.run(() -> sk.setTtl(ttl));
    }

    /** {@code IP_TOS}. */
    public void setTos(int tos) {
        loop.run(() -> sk.setTos(tos));
    }

    /** {@code IP_MTU_DISCOVER}: {@link UdpSock#PMTUDISC_DONT} ... {@link UdpSock#PMTUDISC_PROBE}. */
    public void setMtuDiscover(int mode) {
        loop.run(() -> sk.setMtuDiscover(mode));
    }

    /** {@code SO_RCVTIMEO} in milliseconds; 0 waits forever. */
    public void setSoTimeout(int ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("negative timeout " + ms);
        }
        soTimeoutMs = ms;
    }

    public int getSoTimeout() {
        return soTimeoutMs;
    }

    /** {@code O_NONBLOCK} off: calls that would wait fail with EAGAIN. */
    public void configureBlocking(boolean block) {
        blocking = block;
    }

    public boolean isBlocking() {
        return blocking;
    }

    /** {@code getsockname}. */
    public InetSocketAddress localAddress() {
        long v = loop.call(() -> (sk.localAddress() & 0xffffffffL) << 16 | sk.localPort());
        return new InetSocketAddress(toInet(new Ipv4Address((int) (v >>> 16))), (int) (v & 0xffff));
    }

    /** {@code getpeername}: throws ENOTCONN when not connected. */
    public InetSocketAddress remoteAddress() {
        long v = loop.call(() -> {
            if (!sk.isConnected()) {
                throw new NetException(Errno.ENOTCONN);
            }
            return (sk.peerAddress() & 0xffffffffL) << 16 | sk.peerPort();
        });
        return new InetSocketAddress(toInet(new Ipv4Address((int) (v >>> 16))), (int) (v & 0xffff));
    }

    /** Callers parked on this socket now; loop thread only (tests use it to sequence threads). */
    int waiterCount() {
        return waiters.count();
    }

    /** The protocol state, for tools ({@code ss}) and tests; use it on the loop thread only. */
    public UdpSock sock() {
        return sk;
    }

    /**
     * {@code shutdown(SHUT_RD)}: blocked receivers wake; queued datagrams can still be read,
     * after which receives return end of input (-1) instead of waiting.
     */
    public void shutdownInput() {
        loop.run(sk::shutdownInput);
    }

    /** Releases the port and queued datagrams; blocked callers fail with EBADF. Idempotent. */
    @Override
    public void close() {
        loop.run(sk::close);
    }

    private static Ipv4Address toIpv4(InetSocketAddress a) {
        return Waiters.toIpv4(a);
    }

    private static InetAddress toInet(Ipv4Address a) {
        return Waiters.toInet(a);
    }
}
