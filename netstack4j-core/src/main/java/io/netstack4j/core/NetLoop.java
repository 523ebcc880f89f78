package io.netstack4j.core;

import io.netstack4j.time.Clock;
import io.netstack4j.time.Timer;
import io.netstack4j.time.TimerQueue;
import io.netstack4j.time.VirtualClock;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The stack's softirq: one thread that runs one or more namespaces. It reacts to three kinds of
 * event — devices with received frames (polled NAPI-style with a budget), timers that are due,
 * and tasks submitted from other threads (socket calls, configuration) — and never blocks
 * inside protocol code.
 *
 * <p>Two ways to run it. <b>Real time</b>: {@link #start()} runs the loop on its own thread
 * against {@link Clock#system()}; other threads use {@link #execute} and {@link #call}.
 * <b>Simulation</b>: with a {@link VirtualClock}, the thread that owns the loop calls
 * {@link #runUntil}; whenever nothing is runnable the clock jumps to the next timer, so an hour
 * of protocol time takes as long as its events take to process, and a fixed seed makes every
 * run identical.
 *
 * <h2>Calls from other threads</h2>
 * A real-time loop on its own thread guards the stack with one lock, which the loop thread holds
 * while it runs a round. {@link #call} from an application thread takes that lock and runs the
 * call on the caller's thread, as a Linux system call runs in process context under the socket
 * lock; there is no hand-over to the loop thread and back. Before the lock is released, frames
 * the call made runnable (a loopback or veth transmit) are processed at once on the same
 * thread, as {@code local_bh_enable} runs pending softirqs. The loop thread is woken only when
 * work is left for it: frames beyond one budget, or a timer earlier than the one it sleeps
 * for. Loops on a virtual clock keep handing calls over as tasks, so a simulation stays ordered
 * by the loop alone.
 */
public final class NetLoop {

    /** Packets processed per poll round across all devices ({@code net.core.netdev_budget}). */
    public static final int NETDEV_BUDGET = 300;
    /** Packets one device may process per poll ({@code NAPI_POLL_WEIGHT}). */
    public static final int NAPI_WEIGHT = 64;
    /** The longest a real-time loop sleeps before looking at its timers again (10 ms). */
    static final long MAX_IDLE_PARK = 10_000_000L;

    private final Clock clock;
    private final boolean virtualClock;
    /** Nesting of events on the thread running stack code; {@link #now} caches while above zero. */
    private int inEvent;
    private long eventNanos;
    private final TimerQueue timers = new TimerQueue();
    private final ArrayDeque<Napi> pollList = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PacketPool pool = new PacketPool();
    private final RandomGenerator random;
    private volatile Thread owner;
    private volatile boolean stopping;
    private volatile Thread thread;
    /**
     * Held by whoever runs stack code of a started real-time loop: its thread or a direct call.
     * A monitor rather than a {@code ReentrantLock}: a contended monitor queues its waiters
     * outside the Java heap, where a contended {@code ReentrantLock} allocates a queue node, so
     * a busy socket's calls allocate nothing (JDK 24+ also lets a virtual thread park on it).
     */
    private final Object guard = new Object();
    /** The thread inside a direct call, null otherwise. Written under the guard by that thread. */
    private Thread caller;
    /** When the parked loop thread wakes by itself; Long.MIN_VALUE while it runs. Written under the guard. */
    private long parkedUntil = Long.MIN_VALUE;

    /**
     * @param clock the time source; a {@link VirtualClock} makes this a simulation
     * @param seed fixes every random choice made by code on this loop
     */
    public NetLoop(Clock clock, long seed) {
        this.clock = clock;
        this.virtualClock = clock instanceof VirtualClock;
        this.random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        this.owner = Thread.currentThread();
    }

    /** A simulation loop on a fresh virtual clock, owned by the calling thread. */
    public static NetLoop simulated(long seed) {
        return new NetLoop(new VirtualClock(), seed);
    }

    public Clock clock() {
        return clock;
    }

    public long now() {
        return inEvent > 0 && !virtualClock ? eventNanos : clock.nanos();
    }

    /**
     * Reads the clock once for the event being processed (a round, a received frame, a direct
     * call): protocol code asks for the time many times per packet, and each read of the system
     * clock costs tens of nanoseconds, so within one event {@link #now} answers from this
     * reading, as Linux TCP uses {@code tcp_mstamp} refreshed once per segment. A virtual clock
     * is read directly (it is a field).
     */
    void refreshNow() {
        if (!virtualClock) {
            eventNanos = clock.nanos();
        }
    }

    public PacketPool pool() {
        return pool;
    }

    /** The loop's random source; use only on the loop thread. */
    public RandomGenerator random() {
        return random;
    }

    public boolean isVirtualTime() {
        return clock instanceof VirtualClock;
    }

    /** True where stack code may run: on the loop's thread, or inside a {@link #call} that holds the loop. */
    public boolean inLoop() {
        Thread t = Thread.currentThread();
        return t == owner || t == caller;
    }

    /** True only on the thread that runs this loop (which must never park inside a socket call). */
    public boolean isLoopThread() {
        return Thread.currentThread() == owner;
    }

    /** Arms {@code t} to fire {@code delayNanos} from now. */
    public void schedule(Timer t, long delayNanos) {
        timers.mod(t, clock.nanos() + delayNanos);
    }

    /** Arms {@code t} for an absolute time on this loop's clock. */
    public void scheduleAt(Timer t, long atNanos) {
        timers.mod(t, atNanos);
    }

    public boolean cancel(Timer t) {
        return timers.del(t);
    }

    public TimerQueue timers() {
        return timers;
    }

    /** Puts a device on the poll list ({@code napi_schedule}). */
    public void napiSchedule(NetDevice dev) {
        if (!dev.napiScheduled) {
            dev.napiScheduled = true;
            pollList.addLast(dev);
        }
    }

    /** Runs {@code task} on the loop thread soon; callable from any thread. */
    public void execute(Runnable task) {
        tasks.add(task);
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Runs {@code task} on the loop and returns its result: directly when called on the loop
     * thread, otherwise by handing it over and waiting. Exceptions thrown by the task are
     * rethrown to the caller unchanged when unchecked.
     */
    public <T> T call(Callable<T> task) {
        if (inLoop()) {
            return callHere(task);
        }
        Thread loopThread = thread;
        if (loopThread != null && !isVirtualTime()) {
            return callLocked(task, loopThread);
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetException(Errno.EINTR, "interrupted while waiting for the network loop");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static <T> T callHere(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A call on the caller's thread under the loop's lock, then one budgeted poll of the frames
     * it made runnable; the loop thread is woken only when work is left for it.
     */
    private <T> T callLocked(Callable<T> task, Thread loopThread) {
        boolean wake = true;
        try {
            synchronized (guard) {
                enter();
                try {
                    return callHere(task);
                } finally {
                    wake = leave();
                }
            }
        } finally {
            if (wake) {
                LockSupport.unpark(loopThread);
            }
        }
    }

    /** A call returning an int: {@link #call} without boxing the result, for per-packet socket calls. */
    @FunctionalInterface
    public interface IntTask {
        int run();
    }

    /** As {@link #call}, for a task whose result is an int; allocates nothing on the direct path. */
    public int callInt(IntTask task) {
        if (inLoop()) {
            return task.run();
        }
        Thread loopThread = thread;
        if (loopThread == null || isVirtualTime()) {
            return call(task::run);
        }
        boolean wake = true;
        try {
            synchronized (guard) {
                enter();
                try {
                    return task.run();
                } finally {
                    wake = leave();
                }
            }
        } finally {
            if (wake) {
                LockSupport.unpark(loopThread);
            }
        }
    }

    /** Begins a direct call, the guard held: first runs the tasks submitted before it, as the loop would have. */
    private void enter() {
        caller = Thread.currentThread();
        inEvent++;
        refreshNow();
        Runnable queued;
        while ((queued = tasks.poll()) != null) {
            try {
                queued.run();
            } catch (RuntimeException | AssertionError e) {
                System.err.println("netloop: uncaught " + e);
                e.printStackTrace();
            }
        }
    }

    /**
     * Ends a direct call, the guard still held: polls the frames it made runnable and tells
     * whether the loop thread must be woken (frames left over, or a timer earlier than the one
     * it sleeps for).
     */
    private boolean leave() {
        try {
            pollDevices();
            return !pollList.isEmpty() || timers.nextExpiry() < parkedUntil;
        } finally {
            inEvent--;
            caller = null;
        }
    }

    /** Convenience for {@link #call} with no result. */
    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /**
     * One round of work: submitted tasks, one budgeted poll of the devices with received frames
     * ({@code net_rx_action}), then due timers. Returns true if anything ran.
     */
    public boolean runOnce() {
        inEvent++;
        try {
            refreshNow();
            return runRound();
        } finally {
            inEvent--;
        }
    }

    private boolean runRound() {
        boolean worked = false;
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
            worked = true;
        }
        worked |= pollDevices();
        refreshNow();
        // Timers run at the event's time: code they call compares deadlines with now(), and a
        // fresher clock here than there would fire a timer its owner still thinks early.
        worked |= timers.runDue(now()) > 0;
        return worked;
    }

    /** One budgeted round over the devices with received frames ({@code net_rx_action}). */
    private boolean pollDevices() {
        boolean worked = false;
        int budget = NETDEV_BUDGET;
        int rounds = pollList.size();
        while (rounds-- > 0 && budget > 0) {
            Napi n = pollList.pollFirst();
            int done = n.poll(Math.min(NAPI_WEIGHT, budget));
            budget -= done;
            worked |= done > 0;
            if (n.hasWork()) {
                pollList.addLast(n);
            } else if (n instanceof NetDevice d) {
                d.napiScheduled = false;
            }
        }
        return worked;
    }

    /** True when no task, received frame or due timer is waiting. */
    public boolean idle() {
        return tasks.isEmpty() && pollList.isEmpty() && timers.nextExpiry() - clock.nanos() > 0;
    }

    /**
     * Simulation: runs events until {@code done} holds or virtual time reaches {@code deadline}
     * (absolute nanoseconds), jumping the clock to the next timer whenever nothing else is
     * runnable. Returns {@code done.getAsBoolean()} at the end. Only for virtual-clock loops,
     * called by the owning thread.
     */
    public boolean runUntil(BooleanSupplier done, long deadline) {
        if (!(clock instanceof VirtualClock vc)) {
            throw new IllegalStateException("runUntil needs a VirtualClock; this loop runs in real time");
        }
        owner = Thread.currentThread();
        while (!done.getAsBoolean()) {
            if (runOnce()) {
                continue;
            }
            long next = timers.nextExpiry();
            if (next == Long.MAX_VALUE || next > deadline) {
                if (vc.nanos() < deadline && deadline != Long.MAX_VALUE) {
                    vc.advanceTo(deadline);
                }
                return done.getAsBoolean();
            }
            if (next > vc.nanos()) {
                vc.advanceTo(next);
            }
        }
        return true;
    }

    /** Simulation: runs until {@code nanos} of virtual time have passed. */
    public void runFor(long nanos) {
        long deadline = clock.nanos() + nanos;
        runUntil(() -> false, deadline);
    }

    /** Simulation: processes everything runnable now without advancing the clock. */
    public void drain() {
        while (runOnce()) {
            // keep going until a round does nothing
        }
    }

    /**
     * Real time: starts the loop thread. For a virtual clock the thread still runs, advancing the
     * clock whenever idle (free-running simulation at full speed).
     */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("loop already started");
        }
        stopping = false;
        Thread t = Thread.ofPlatform().name("netloop").daemon(true).unstarted(this::loop);
        thread = t;
        owner = t;
        t.start();
    }

    private void loop() {
        while (!stopping) {
            boolean worked;
            long next;
            boolean pending;
            synchronized (guard) {
                try {
                    parkedUntil = Long.MIN_VALUE;
                    worked = runOnce();
                    next = timers.nextExpiry();
                    pending = !tasks.isEmpty() || !pollList.isEmpty();
                    if (!worked && !pending) {
                        // A real-time loop sleeps at most MAX_IDLE_PARK, so a direct call that arms a
                        // timer further out (a delayed ACK, an RTO) need not wake it: only timers due
                        // before it wakes by itself do.
                        parkedUntil = clock instanceof VirtualClock ? next : Math.min(next, clock.nanos() + MAX_IDLE_PARK);
                    }
                } catch (RuntimeException | AssertionError e) {
                    // A failing task or timer must not take the whole stack down with the thread
                    // (the kernel would log an oops and carry on); report it and keep looping.
                    System.err.println("netloop: uncaught " + e);
                    e.printStackTrace();
                    continue;
                }
            }
            if (worked || pending) {
                continue;
            }
            if (clock instanceof VirtualClock vc) {
                if (next != Long.MAX_VALUE) {
                    vc.advanceTo(Math.max(next, vc.nanos()));
                } else {
                    LockSupport.park(this);
                }
                continue;
            }
            long wait = Math.min(next, parkedUntil) - clock.nanos();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
            }
        }
    }

    /** Stops the loop thread and waits for it; tasks still queued are run first. */
    public void stop() {
        Thread t;
        synchronized (this) {
            t = thread;
            if (t == null) {
                return;
            }
            stopping = true;
        }
        LockSupport.unpark(t);
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            thread = null;
            owner = Thread.currentThread();
        }
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }
}
