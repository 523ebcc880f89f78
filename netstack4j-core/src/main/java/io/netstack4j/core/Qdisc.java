package io.netstack4j.core;

/**
 * A transmit queueing discipline ({@code struct Qdisc}): the device's transmit path enqueues
 * every frame and then dequeues as many as are ready. A qdisc that holds frames back (netem)
 * returns null from {@link #dequeue} and arms a timer that calls {@link NetDevice#runQdisc()}
 * when the next one is due (the kernel's qdisc watchdog).
 */
public abstract class Qdisc {

    protected NetDevice dev;
    protected long packets;
    protected long bytes;
    protected long drops;
    protected long overlimits;
    protected long requeues;
    protected int qlen;
    protected long backlogBytes;

    /** The qdisc kind as {@code tc} names it: "pfifo_fast", "netem". */
    public abstract String kind();

    /**
     * Queues {@code skb}; takes ownership. Returns false when the frame was dropped (and freed),
     * which the caller counts against the device.
     */
    public abstract boolean enqueue(PacketBuffer skb);

    /** The next frame ready to send now, or null. The caller owns it. */
    public abstract PacketBuffer dequeue();

    /** Frees every queued frame and disarms timers ({@code qdisc_reset}). */
    public abstract void reset();

    /** The parameters as {@code tc qdisc show} prints them after the handle, e.g. "limit 1000 delay 5ms". */
    public abstract String parameters();

    /** True for the qdisc a device gets by default (shown without a handle, as Linux does). */
    public boolean isDefault() {
        return false;
    }

    void attach(NetDevice dev) {
        this.dev = dev;
    }

    public NetDevice dev() {
        return dev;
    }

    /** Counts a frame handed to the driver (the kernel's bstats). */
    protected void countSent(PacketBuffer skb) {
        packets++;
        bytes += skb.len();
    }

    /** Counts and frees a frame the qdisc refuses. Takes ownership. */
    protected boolean drop(PacketBuffer skb, DropReason reason) {
        drops++;
        if (dev != null && dev.devices() != null) {
            dev.devices().drops().count(reason);
        }
        skb.free();
        return false;
    }

    public long sentPackets() {
        return packets;
    }

    public long sentBytes() {
        return bytes;
    }

    public long drops() {
        return drops;
    }

    public long overlimits() {
        return overlimits;
    }

    public long requeues() {
        return requeues;
    }

    public int qlen() {
        return qlen;
    }

    public long backlogBytes() {
        return backlogBytes;
    }
}
