package io.netstack4j.socket;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.core.NetLoop;
import io.netstack4j.ns.Namespace;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpInfo;
import io.netstack4j.tcp.TcpSock;
import io.netstack4j.tcp.TcpState;
import io.netstack4j.wire.Ipv4Address;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * A TCP connection ({@code socket(AF_INET, SOCK_STREAM, 0)}) on a namespace, usable from any
 * thread, platform or virtual. Each call runs on the namespace's loop; one that must wait
 * (connect in progress, no data, full send buffer) parks the caller until the stack wakes it.
 * With {@link #configureBlocking(boolean) configureBlocking(false)} such calls fail at once with
 * EAGAIN (connect with EINPROGRESS) and {@link #readyOps()} tells what would not block.
 *
 * <p>Errors are {@link NetException}s with Linux's errno: ECONNREFUSED, ETIMEDOUT,
 * EHOSTUNREACH from connect; ECONNRESET, EPIPE from reads and writes after a reset or close;
 * EAGAIN "timed out" after {@link #setSoTimeout}. {@link #getInputStream()} and
 * {@link #getOutputStream()} give java.io views that report these as IOExceptions.
 */
public final class TcpSocket implements AutoCloseable {

    /** {@code POLLIN}, {@code POLLOUT}, {@code POLLERR}, {@code POLLHUP}, as {@link #readyOps()} reports them. */
    public static final int POLLIN = 0x1;
    public static final int POLLOUT = 0x4;
    public static final int POLLERR = 0x8;
    public static final int POLLHUP = 0x10;

    private final NetLoop loop;
    private final TcpSock sk;
    private final Waiters waiters;
    private final Waiters.Spare<Waiters.Transfer> recvSpare = new Waiters.Spare<>(() -> new Waiters.Transfer() {
        @Override
        public int run() {
            int n = TcpCalls.recv(sk, buf, off, len);
            return n == 0 ? Waiters.WAIT : n;
        }
    });
    private final Waiters.Spare<Waiters.Transfer> sendSpare = new Waiters.Spare<>(() -> new Waiters.Transfer() {
        @Override
        public int run() {
            int n = TcpCalls.send(sk, buf, off, len);
            return n == 0 ? Waiters.WAIT : n;
        }
    });
    private volatile boolean blocking = true;
    private volatile int soTimeoutMs;
    private volatile int sndTimeoutMs;

    TcpSocket(NetLoop loop, TcpSock sk) {
        this.loop = loop;
        this.sk = sk;
        this.waiters = new Waiters(loop, "TCP socket");
        sk.setListener(waiters);
    }

    /** An unconnected socket on {@code ns}. */
    public static TcpSocket open(Namespace ns) {
        NetLoop loop = ns.loop();
        return loop.call(() -> new TcpSocket(loop, ns.tcp().open(null)));
    }

    /** Opens a socket and connects it, waiting for the handshake. */
    public static TcpSocket connect(Namespace ns, Ipv4Address addr, int port) {
        TcpSocket s = open(ns);
        try {
            s.connect(addr, port);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Binds before connecting; a wildcard address or port 0 as in {@code bind(2)}. */
    public void bind(Ipv4Address addr, int port) {
        loop.run(() -> TcpCalls.bind(sk, addr.bits(), port));
    }

    /**
     * {@code connect}: sends the SYN and waits until the connection is established (or fails with
     * the errno the handshake ended with). Non-blocking: fails with EINPROGRESS after sending the
     * SYN; {@link #readyOps()} reports POLLOUT once established, POLLERR on failure.
     */
    public void connect(Ipv4Address addr, int port) {
        loop.run(() -> TcpCalls.connect(sk, addr.bits(), port));
        if (!blocking) {
            throw new NetException(Errno.EINPROGRESS);
        }
        finishConnect();
    }

    public void connect(InetSocketAddress peer) {
        connect(Waiters.toIpv4(peer), peer.getPort());
    }

    /** Waits for a connect in progress to finish; throws its error. */
    public void finishConnect() {
        waiters.await(() -> {
            if (sk.state() == TcpState.SYN_SENT || sk.state() == TcpState.SYN_RECV) {
                return null;
            }
            Errno e = sk.takeError();
            if (e != null) {
                throw new NetException(e);
            }
            if (sk.state() == TcpState.CLOSE) {
                throw new NetException(Errno.ECONNABORTED);
            }
            return Boolean.TRUE;
        }, blocking, 0);
    }

    /**
     * {@code read}: at least one byte, up to {@code len}; -1 at end of stream (the peer closed).
     * Waits for data (SO_RCVTIMEO bounds the wait).
     */
    public int read(byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        if (len == 0) {
            return 0;
        }
        Waiters.Transfer call = recvSpare.take().set(buf, off, len);
        try {
            return waiters.awaitInt(call, blocking, soTimeoutMs * 1_000_000L);
        } finally {
            recvSpare.give(call);
        }
    }

    public int read(byte[] buf) {
        return read(buf, 0, buf.length);
    }

    /**
     * {@code write}: blocking mode writes everything, waiting for send-buffer space as needed
     * (SO_SNDTIMEO bounds each wait) and returns {@code len}; non-blocking mode writes what fits
     * and returns that count, failing with EAGAIN when nothing fits.
     */
    public int write(byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        int done = 0;
        Waiters.Transfer call = sendSpare.take();
        try {
            while (done < len) {
                int n;
                try {
                    n = waiters.awaitInt(call.set(buf, off + done, len - done), blocking, sndTimeoutMs * 1_000_000L);
                } catch (NetException e) {
                    if (e.errno() == Errno.EAGAIN && done > 0) {
                        return done;
                    }
                    throw e;
                }
                done += n;
                if (!blocking) {
                    return done;
                }
            }
        } finally {
            sendSpare.give(call);
        }
        return len;
    }

    public int write(byte[] buf) {
        return write(buf, 0, buf.length);
    }

    /** {@code shutdown(SHUT_WR)}: sends FIN after the queued data; reads go on (half-close). */
    public void shutdownOutput() {
        loop.run(() -> TcpCalls.shutdown(sk, false, true));
    }

    /** {@code shutdown(SHUT_RD)}. */
    public void shutdownInput() {
        loop.run(() -> TcpCalls.shutdown(sk, true, false));
    }

    /**
     * {@code close}: with SO_LINGER on and a timeout, first waits (up to it) for the queued data to
     * be acknowledged; then lets the stack finish the close (FIN, or RST if unread data remains).
     * Blocked callers fail. Idempotent.
     */
    @Override
    public void close() {
        int[] linger = loop.call(() -> new int[] {TcpCalls.lingerSeconds(sk)});
        if (linger[0] > 0 && !loop.inLoop()) {
            loop.run(() -> TcpCalls.shutdown(sk, false, sk.state() != TcpState.CLOSE && sk.state() != TcpState.LISTEN));
            try {
                waiters.await(() -> sk.sendQueueBytes() <= 0 || sk.state() == TcpState.CLOSE ? Boolean.TRUE : null, true,
                        linger[0] * 1_000_000_000L);
            } catch (NetException e) {
                // The linger time passed: close anyway, as Linux does.
            }
        }
        loop.run(() -> {
            if (!TcpCalls.isClosed(sk)) {
                TcpCalls.close(sk);
            }
            waiters.wakeAll();
        });
    }

    /** Abortive close: a reset to the peer, queued data discarded (SO_LINGER 0 then close). */
    public void abort() {
        loop.run(() -> {
            TcpCalls.abort(sk);
            TcpCalls.close(sk);
            waiters.wakeAll();
        });
    }

    /** What would not block now: {@link #POLLIN}, {@link #POLLOUT}, {@link #POLLERR}, {@link #POLLHUP} ({@code tcp_poll}). */
    public int readyOps() {
        return loop.call(() -> {
            int ops = 0;
            if (sk.readable()) {
                ops |= POLLIN;
            }
            if (sk.state().ordinal() != TcpState.SYN_SENT.ordinal() && sk.writable()) {
                ops |= POLLOUT;
            }
            if (sk.pendingError() != null) {
                ops |= POLLERR;
            }
            if (sk.state() == TcpState.CLOSE) {
                ops |= POLLHUP;
            }
            return ops;
        });
    }

    public TcpState state() {
        return loop.call(sk::state);
    }

    /** {@code getsockopt(TCP_INFO)}. */
    public TcpInfo info() {
        return loop.call(() -> TcpCalls.info(sk));
    }

    public void setTcpNoDelay(boolean on) {
        loop.run(() -> TcpCalls.setNoDelay(sk, on));
    }

    public boolean getTcpNoDelay() {
        return loop.call(() -> TcpCalls.noDelay(sk));
    }

    public void setCork(boolean on) {
        loop.run(() -> TcpCalls.setCork(sk, on));
    }

    public void setKeepAlive(boolean on) {
        loop.run(() -> TcpCalls.setKeepAlive(sk, on));
    }

    /** TCP_KEEPIDLE, TCP_KEEPINTVL (seconds) and TCP_KEEPCNT. */
    public void setKeepAliveParams(int idleSec, int intvlSec, int count) {
        loop.run(() -> TcpCalls.setKeepaliveParams(sk, idleSec, intvlSec, count));
    }

    public void setUserTimeout(int ms) {
        loop.run(() -> TcpCalls.setUserTimeout(sk, ms));
    }

    /** SO_LINGER: {@code on} with 0 seconds makes close abortive (RST). */
    public void setSoLinger(boolean on, int seconds) {
        loop.run(() -> TcpCalls.setLinger(sk, on, seconds));
    }

    public void setReuseAddress(boolean on) {
        loop.run(() -> TcpCalls.setReuseAddr(sk, on));
    }

    public void setReceiveBufferSize(int bytes) {
        loop.run(() -> TcpCalls.setRcvbuf(sk, bytes));
    }

    public int getReceiveBufferSize() {
        return loop.call(() -> TcpCalls.rcvbuf(sk));
    }

    public void setSendBufferSize(int bytes) {
        loop.run(() -> TcpCalls.setSndbuf(sk, bytes));
    }

    public int getSendBufferSize() {
        return loop.call(() -> TcpCalls.sndbuf(sk));
    }

    /** TCP_MAXSEG (before connect). */
    public void setMaxSegment(int mss) {
        loop.run(() -> TcpCalls.setMaxSeg(sk, mss));
    }

    /** TCP_SYNCNT. */
    public void setSynCount(int n) {
        loop.run(() -> TcpCalls.setSynCount(sk, n));
    }

    /** TCP_CONGESTION: "cubic" or "reno"; ENOENT for anything else. */
    public void setCongestion(String name) {
        loop.run(() -> TcpCalls.setCongestion(sk, name));
    }

    public String getCongestion() {
        return loop.call(() -> TcpCalls.congestion(sk));
    }

    /** SO_RCVTIMEO in milliseconds; 0 waits forever. */
    public void setSoTimeout(int ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("negative timeout " + ms);
        }
        soTimeoutMs = ms;
    }

    /** SO_SNDTIMEO in milliseconds; 0 waits forever. */
    public void setSendTimeout(int ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("negative timeout " + ms);
        }
        sndTimeoutMs = ms;
    }

    public void configureBlocking(boolean block) {
        blocking = block;
    }

    public InetSocketAddress localAddress() {
        long v = loop.call(() -> (sk.localAddress() & 0xffffffffL) << 16 | sk.localPort());
        return Waiters.socketAddress((int) (v >>> 16), (int) (v & 0xffff));
    }

    public InetSocketAddress remoteAddress() {
        long v = loop.call(() -> (sk.remoteAddress() & 0xffffffffL) << 16 | sk.remotePort());
        return Waiters.socketAddress((int) (v >>> 16), (int) (v & 0xffff));
    }

    /** The protocol state, for tools and tests; loop thread only. */
    public TcpSock sock() {
        return sk;
    }

    /** A java.io view: read() maps -1 to end of stream and NetExceptions to IOExceptions. */
    public InputStream getInputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return TcpSocket.this.read(b, off, len);
                } catch (NetException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                TcpSocket.this.close();
            }
        };
    }

    /** A java.io view; close() half-closes (FIN) rather than closing the socket, as Socket.shutdownOutput. */
    public OutputStream getOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    TcpSocket.this.write(b, off, len);
                } catch (NetException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public void close() throws IOException {
                try {
                    shutdownOutput();
                } catch (NetException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
        };
    }
}
