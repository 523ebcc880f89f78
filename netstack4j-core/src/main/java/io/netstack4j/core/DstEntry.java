package io.netstack4j.core;

/**
 * The outcome of a routing decision attached to a packet, as the kernel's {@code dst_entry}:
 * {@link #input} says what happens to a received packet next (local delivery, forwarding, an
 * error), {@link #output} how a packet leaves. Protocol layers subclass it (IPv4's {@code rtable}).
 */
public abstract class DstEntry {

    /** The output device; null for a route that delivers nowhere (blackhole, unreachable). */
    protected NetDevice dev;

    protected DstEntry(NetDevice dev) {
        this.dev = dev;
    }

    public NetDevice dev() {
        return dev;
    }

    /** Continues the receive path of {@code skb} ({@code dst_input}); takes ownership. */
    public abstract void input(PacketBuffer skb);

    /** Continues the output path of {@code skb} ({@code dst_output}); takes ownership. */
    public abstract void output(PacketBuffer skb);

    /** The path MTU towards the destination ({@code dst_mtu}). */
    public abstract int mtu();

    /** True once the route is stale (device gone, table changed) and must be looked up again. */
    public abstract boolean obsolete();
}
