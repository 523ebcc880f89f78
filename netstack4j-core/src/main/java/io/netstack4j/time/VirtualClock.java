package io.netstack4j.time;

/**
 * A clock that moves only when told to: the simulation clock. Starts at zero. Time never runs
 * backwards; asking it to is a programming error.
 */
public final class VirtualClock implements Clock {

    private long now;

    @Override
    public long nanos() {
        return now;
    }

    public void advanceTo(long nanos) {
        if (nanos < now) {
            throw new IllegalStateException("virtual clock cannot go back from " + now + " to " + nanos);
        }
        now = nanos;
    }

    public void advanceBy(long nanos) {
        advanceTo(now + nanos);
    }
}
