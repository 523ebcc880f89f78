package io.netstack4j.socket;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.core.NetLoop;
import io.netstack4j.tcp.TcpSock;
import io.netstack4j.time.Timer;
import io.netstack4j.wire.Ipv4Address;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads parked on one socket, and the loop that runs its calls: the blocking side of every
 * socket class ({@code sk_wait_event}). A call is tried on the loop; when it cannot complete the
 * caller is registered as a waiter in the same loop step (so no wake-up is missed) and parks
 * until the protocol wakes it ({@link #wakeAll()}, from {@code sk_data_ready} and friends), its
 * timeout timer fires (a loop timer, so it runs on virtual time in a simulation) or it is
 * interrupted (EINTR, interrupt flag kept). On the loop thread itself nothing may park, so
 * there a call that would block fails with EAGAIN, as it does in non-blocking mode.
 *
 * <p>It is also the TCP socket's wake-up hook ({@link TcpSock.Listener}), so a connection does
 * not carry a separate callback object, and the list of parked callers exists only while
 * someone is parked: an idle connection holds neither.
 */
final class Waiters implements TcpSock.Listener {

    /** What an int-valued attempt returns when the call must wait. */
    static final int WAIT = Integer.MIN_VALUE;

    /**
     * A data-path call (recv, send) whose arguments are set before each use, so one object per
     * socket and direction serves every call and the data path allocates nothing. A caller
     * takes it with {@link Spare#take()} and gives it back with {@link Spare#give}.
     */
    abstract static class Transfer implements NetLoop.IntTask {
        byte[] buf;
        int off;
        int len;
        int addr;
        int port;

        Transfer set(byte[] buf, int off, int len) {
            this.buf = buf;
            this.off = off;
            this.len = len;
            return this;
        }
    }

    /** The one reusable {@link Transfer} of a socket direction; concurrent callers get fresh ones. */
    static final class Spare<T extends Transfer> extends java.util.concurrent.atomic.AtomicReference<T> {
        private final java.util.function.Supplier<T> fresh;

        Spare(java.util.function.Supplier<T> fresh) {
            this.fresh = fresh;
        }

        /** The spare (made on first use), or a fresh one while another caller holds it. */
        T take() {
            T t = getAndSet(null);
            return t != null ? t : fresh.get();
        }

        void give(T t) {
            t.buf = null;
            lazySet(t);
        }
    }

    /** One attempt at an operation on the loop: a result, or null when it must wait. */
    @FunctionalInterface
    interface Attempt<T> {
        T run();
    }

    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        volatile boolean woken;
        volatile boolean timedOut;
        Timer timer;
    }

    private final NetLoop loop;
    private final String what;
    /** Null while no caller is parked. */
    private List<Waiter> waiters;

    Waiters(NetLoop loop, String what) {
        this.loop = loop;
        this.what = what;
    }

    NetLoop loop() {
        return loop;
    }

    /** Loop thread: every parked caller retries. */
    void wakeAll() {
        if (waiters == null) {
            return;
        }
        for (int i = 0; i < waiters.size(); i++) {
            Waiter w = waiters.get(i);
            w.woken = true;
            LockSupport.unpark(w.thread);
        }
    }

    /** Callers parked now; loop thread only (tests use it to sequence threads). */
    int count() {
        return waiters == null ? 0 : waiters.size();
    }

    /** {@code sk_data_ready} and friends from a TCP socket: every parked caller retries. */
    @Override
    public void wake() {
        wakeAll();
    }

    /**
     * Runs {@code attempt} until it yields a result. With {@code blocking} false, or on the loop
     * thread, an attempt that must wait fails with EAGAIN; a {@code timeoutNanos} above zero
     * fails the call with EAGAIN "timed out" when it passes.
     */
    <T> T await(Attempt<T> attempt, boolean blocking, long timeoutNanos) {
        Waiter w = new Waiter();
        boolean callerIsLoop = loop.isLoopThread();
        while (true) {
            T r = loop.call(() -> {
                T v;
                try {
                    v = attempt.run();
                } catch (RuntimeException e) {
                    forget(w);
                    throw e;
                }
                if (v != null) {
                    forget(w);
                    return v;
                }
                if (!blocking || callerIsLoop) {
                    forget(w);
                    throw new NetException(Errno.EAGAIN);
                }
                if (w.timedOut) {
                    forget(w);
                    throw new NetException(Errno.EAGAIN, "timed out");
                }
                w.woken = false;
                if (waiters == null) {
                    waiters = new ArrayList<>(2);
                }
                if (!waiters.contains(w)) {
                    waiters.add(w);
                    if (timeoutNanos > 0) {
                        w.timer = new Timer(() -> {
                            w.timedOut = true;
                            w.woken = true;
                            LockSupport.unpark(w.thread);
                        });
                        loop.schedule(w.timer, timeoutNanos);
                    }
                }
                return null;
            });
            if (r != null) {
                return r;
            }
            while (!w.woken) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    loop.execute(() -> forget(w));
                    Thread.currentThread().interrupt();
                    throw new NetException(Errno.EINTR, "interrupted while waiting on a " + what);
                }
            }
        }
    }

    /**
     * {@link #await} for an attempt with an int result ({@link #WAIT} when it must wait): the
     * first try runs without a waiter and without boxing; only a call that has to park pays for
     * the waiting machinery.
     */
    int awaitInt(NetLoop.IntTask attempt, boolean blocking, long timeoutNanos) {
        int r = loop.callInt(attempt);
        if (r != WAIT) {
            return r;
        }
        Integer v = await(() -> {
            int x = attempt.run();
            return x == WAIT ? null : x;
        }, blocking, timeoutNanos);
        return v;
    }

    private void forget(Waiter w) {
        if (waiters != null && waiters.remove(w) && waiters.isEmpty()) {
            waiters = null;
        }
        if (w.timer != null) {
            loop.cancel(w.timer);
        }
    }

    static Ipv4Address toIpv4(InetSocketAddress a) {
        if (a.isUnresolved() || !(a.getAddress() instanceof Inet4Address v4)) {
            throw new NetException(Errno.EAFNOSUPPORT, "not an IPv4 address: " + a);
        }
        byte[] b = v4.getAddress();
        return new Ipv4Address((b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff));
    }

    static InetAddress toInet(Ipv4Address a) {
        int v = a.bits();
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static InetSocketAddress socketAddress(int addr, int port) {
        return new InetSocketAddress(toInet(new Ipv4Address(addr)), port);
    }
}
