package io.netstack4j.time;

/**
 * A re-armable one-shot timer, like the kernel's {@code timer_list}: one object per purpose (a
 * neighbour's probe timer, a qdisc watchdog), armed and disarmed through {@link TimerQueue} without
 * allocating. The callback runs on the loop thread at or after the expiry time.
 *
 * <p>An object held by the hundred thousand (a socket's timers) can extend this class and
 * override {@link #fire()} instead of passing a callback, saving the callback object, as the
 * kernel embeds a {@code timer_list} in the structure it serves.
 */
public class Timer {

    private final Runnable callback;
    long expires;
    long sequence;
    int heapIndex = -1;

    public Timer(Runnable callback) {
        this.callback = java.util.Objects.requireNonNull(callback, "a timer needs a callback");
    }

    /** For a subclass that overrides {@link #fire()}. */
    protected Timer() {
        this.callback = null;
    }

    /** Runs on the loop thread when the timer expires: the callback given to the constructor. */
    protected void fire() {
        callback.run();
    }

    /** True while armed and not yet run. */
    public boolean pending() {
        return heapIndex >= 0;
    }

    /** The time this timer is armed for; meaningful only while {@link #pending()}. */
    public long expires() {
        return expires;
    }
}
