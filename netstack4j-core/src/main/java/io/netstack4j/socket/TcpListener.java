package io.netstack4j.socket;

import io.netstack4j.core.NetLoop;
import io.netstack4j.ns.Namespace;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpSock;
import io.netstack4j.wire.Ipv4Address;
import java.net.InetSocketAddress;

/**
 * A listening TCP socket ({@code bind} + {@code listen} + {@code accept}), usable from any thread.
 * The backlog bounds the accept queue (capped by {@code net.core.somaxconn}); the SYN queue has
 * the same bound and overflows into SYN cookies when {@code tcp_syncookies} is 1.
 */
public final class TcpListener implements AutoCloseable {

    private final NetLoop loop;
    private final TcpSock sk;
    private final Waiters waiters;
    private volatile boolean blocking = true;
    private volatile int soTimeoutMs;

    private TcpListener(NetLoop loop, TcpSock sk) {
        this.loop = loop;
        this.sk = sk;
        this.waiters = new Waiters(loop, "TCP listener");
        sk.setListener(waiters);
    }

    /** Binds to {@code addr:port} (wildcard and 0 allowed) and listens with {@code backlog}. */
    public static TcpListener listen(Namespace ns, Ipv4Address addr, int port, int backlog) {
        return listen(ns, addr, port, backlog, false);
    }

    /** As {@link #listen(Namespace, Ipv4Address, int, int)}, with SO_REUSEADDR set before bind. */
    public static TcpListener listen(Namespace ns, Ipv4Address addr, int port, int backlog, boolean reuseAddr) {
        NetLoop loop = ns.loop();
        return loop.call(() -> {
            TcpSock sk = ns.tcp().open(null);
            try {
                TcpCalls.setReuseAddr(sk, reuseAddr);
                TcpCalls.bind(sk, addr.bits(), port);
                TcpCalls.listen(sk, backlog);
            } catch (RuntimeException e) {
                TcpCalls.close(sk);
                throw e;
            }
            return new TcpListener(loop, sk);
        });
    }

    /** {@code accept}: the next established connection, waiting for one (SO_RCVTIMEO bounds the wait). */
    public TcpSocket accept() {
        return waiters.await(() -> {
            TcpSock c = TcpCalls.accept(sk);
            return c == null ? null : new TcpSocket(loop, c);
        }, blocking, soTimeoutMs * 1_000_000L);
    }

    public void setSoTimeout(int ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("negative timeout " + ms);
        }
        soTimeoutMs = ms;
    }

    public void configureBlocking(boolean block) {
        blocking = block;
    }

    /** True when {@link #accept()} would not block. */
    public boolean acceptable() {
        return loop.call(sk::acceptable);
    }

    public int localPort() {
        return loop.call(sk::localPort);
    }

    public InetSocketAddress localAddress() {
        long v = loop.call(() -> (sk.localAddress() & 0xffffffffL) << 16 | sk.localPort());
        return Waiters.socketAddress((int) (v >>> 16), (int) (v & 0xffff));
    }

    /** The protocol state; loop thread only. */
    public TcpSock sock() {
        return sk;
    }

    /** Stops listening; connections not yet accepted are reset. Idempotent. */
    @Override
    public void close() {
        loop.run(() -> {
            if (!TcpCalls.isClosed(sk)) {
                TcpCalls.close(sk);
            }
            waiters.wakeAll();
        });
    }
}
