package io.netstack4j.time;

/**
 * The only source of time the protocol core sees. Monotonic nanoseconds from an arbitrary origin;
 * never the wall clock, so the same code runs in real time and as a discrete-event simulation.
 */
@FunctionalInterface
public interface Clock {

    long nanos();

    /** Real monotonic time ({@link System#nanoTime()}). */
    static Clock system() {
        return System::nanoTime;
    }
}
