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
     * socket and direction serves every call, parking included, and the data path allocates
     * nothing. A caller takes it with {@link Spare#take()} and gives it back with
     * {@link Spare#give}.
     */
    abstract static class Transfer extends Waiter implements NetLoop.IntTask {
        byte[] buf;
        int off;
        int len;
        int addr;
        int port;
        private Waiters via;
        /** One attempt on the loop, made once per object: see {@link Waiters#step}. */
        private final NetLoop.IntTask step = () -> via.step(this);

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

    /** A caller of one call: who to wake, and how the call may wait. */
    static class Waiter {
        Thread thread;
        volatile boolean woken;
        volatile boolean timedOut;
        Timer timer;
        boolean blocking;
        boolean callerIsLoop;
        long timeoutNanos;

        void prepare(NetLoop loop, boolean blocking, long timeoutNanos) {
            this.thread = Thread.currentThread();
            this.blocking = blocking;
            this.timeoutNanos = timeoutNanos;
            this.callerIsLoop = loop.isLoopThread();
            this.woken = false;
            this.timedOut = false;
            this.timer = null;
        }
    }

    private final NetLoop loop;
    private final String what;
    /** The parked caller, and any further ones (both null while nobody is parked). */
    private Waiter first;
    private List<Waiter> more;

    Waiters(NetLoop loop, String what) {
        this.loop = loop;
        this.what = what;
    }

    NetLoop loop() {
        return loop;
    }

    /** Loop thread: every parked caller retries. */
    void wakeAll() {
        if (first != null) {
            wake(first);
        }
        if (more != null) {
            for (int i = 0; i < more.size(); i++) {
                wake(more.get(i));
            }
        }
    }

    private static void wake(Waiter w) {
        w.woken = true;
        LockSupport.unpark(w.thread);
    }

    /** Callers parked now; loop thread only (tests use it to sequence threads). */
    int count() {
        return (first != null ? 1 : 0) + (more == null ? 0 : more.size());
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
        w.prepare(loop, blocking, timeoutNanos);
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
                mustWait(w);
                return null;
            });
            if (r != null) {
                return r;
            }
            park(w);
        }
    }

    /**
     * {@link #await} for a {@link Transfer} (int result, {@link #WAIT} when it must wait):
     * no boxing and no allocation, whether the call completes at once or parks first.
     */
    int awaitInt(Transfer t, boolean blocking, long timeoutNanos) {
        t.prepare(loop, blocking, timeoutNanos);
        t.via = this;
        while (true) {
            int r = loop.callInt(t.step);
            if (r != WAIT) {
                return r;
            }
            park(t);
        }
    }

    /** Loop side of {@link #awaitInt}: one attempt, registering the caller when it must wait. */
    private int step(Transfer t) {
        int v;
        try {
            v = t.run();
        } catch (RuntimeException e) {
            forget(t);
            throw e;
        }
        if (v != WAIT) {
            forget(t);
            return v;
        }
        mustWait(t);
        return WAIT;
    }

    /**
     * Loop side, after an attempt that must wait: fails the call (EAGAIN) when it may not wait
     * or its timeout passed, else registers the caller (once) with its timeout timer.
     */
    private void mustWait(Waiter w) {
        if (!w.blocking || w.callerIsLoop) {
            forget(w);
            throw new NetException(Errno.EAGAIN);
        }
        if (w.timedOut) {
            forget(w);
            throw new NetException(Errno.EAGAIN, "timed out");
        }
        w.woken = false;
        if (first == w || more != null && more.contains(w)) {
            return;
        }
        if (first == null) {
            first = w;
        } else {
            if (more == null) {
                more = new ArrayList<>(2);
            }
            more.add(w);
        }
        if (w.timeoutNanos > 0) {
            w.timer = new Timer(() -> {
                w.timedOut = true;
                wake(w);
            });
            loop.schedule(w.timer, w.timeoutNanos);
        }
    }

    /** Caller side: parks until woken; an interrupt ends the call with EINTR. */
    private void park(Waiter w) {
        while (!w.woken) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                loop.execute(() -> forget(w));
                Thread.currentThread().interrupt();
                throw new NetException(Errno.EINTR, "interrupted while waiting on a " + what);
            }
        }
    }

    private void forget(Waiter w) {
        if (first == w) {
            first = more == null ? null : more.remove(0);
        } else if (more != null) {
            more.remove(w);
        }
        if (more != null && more.isEmpty()) {
            more = null;
        }
        if (w.timer != null) {
            loop.cancel(w.timer);
            w.timer = null;
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
