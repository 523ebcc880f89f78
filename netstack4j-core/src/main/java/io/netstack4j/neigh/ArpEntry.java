package io.netstack4j.neigh;

import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.time.Timer;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.MacAddress;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/** One neighbour ({@code struct neighbour}): an IPv4 address on a device and what is known of it. */
public final class ArpEntry {

    final int ip;
    final NetDevice dev;
    long lladdr;
    Nud state = Nud.NONE;
    /** Last confirmation of reachability. */
    long confirmed;
    /** Last change of state or address. */
    long updated;
    /** Last use for output. */
    long used;
    int probes;
    final ArrayDeque<PacketBuffer> queue = new ArrayDeque<>(4);
    int queueBytes;
    final Timer timer;

    ArpEntry(int ip, NetDevice dev, Consumer<ArpEntry> onTimer) {
        this.ip = ip;
        this.dev = dev;
        this.timer = new Timer(() -> onTimer.accept(this));
    }

    public Ipv4Address address() {
        return new Ipv4Address(ip);
    }

    public NetDevice dev() {
        return dev;
    }

    public Nud state() {
        return state;
    }

    /** The link-layer address, or null while none is known. */
    public MacAddress lladdr() {
        return state.valid() || state == Nud.FAILED && lladdr != 0 ? new MacAddress(lladdr) : null;
    }

    public int queued() {
        return queue.size();
    }

    /** One line of {@code ip neigh show}, as iproute2 prints it; {@code withDev} false for {@code show dev X}. */
    public String format(boolean withDev) {
        StringBuilder sb = new StringBuilder();
        new Ipv4Address(ip).appendTo(sb);
        if (withDev) {
            sb.append(" dev ").append(dev.name());
        }
        if (state.valid()) {
            sb.append(" lladdr ").append(new MacAddress(lladdr));
        }
        sb.append(' ').append(state.name());
        return sb.toString();
    }

    @Override
    public String toString() {
        return format(true);
    }
}
