package io.netstack4j.time;

/**
 * A re-armable one-shot timer, like the kernel's {@code timer_list}: one object per purpose (a
 * neighbour's probe timer, a qdisc watchdog), armed and disarmed through {@link TimerQueue} without
 * allocating. The callback runs on the loop thread at or after the expiry time.
 */
public final class Timer {

    final Runnable callback;
    long expires;
    long sequence;
    int heapIndex = -1;

    public Timer(Runnable callback) {
        this.callback = java.util.Objects.requireNonNull(callback, "a timer needs a callback");
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
