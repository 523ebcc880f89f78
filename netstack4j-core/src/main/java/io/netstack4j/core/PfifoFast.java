package io.netstack4j.core;

import java.util.ArrayDeque;

/**
 * The default qdisc of a real device ({@code pfifo_fast}): three FIFO bands chosen by the
 * packet's priority through the kernel's {@code prio2band} map, band 0 served first, with one
 * limit (the device's {@code txqueuelen}) across all bands. Full means tail drop.
 */
public final class PfifoFast extends Qdisc {

    /** TC_PRIO_* (priority & 15) to band, as Linux's {@code sch_generic.c}. */
    private static final int[] PRIO2BAND = {1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};

    private final int limit;
    @SuppressWarnings({"unchecked", "rawtypes"})
    private final ArrayDeque<PacketBuffer>[] bands = new ArrayDeque[] {new ArrayDeque<>(), new ArrayDeque<>(), new ArrayDeque<>()};

    public PfifoFast(int limit) {
        this.limit = limit;
    }

    @Override
    public String kind() {
        return "pfifo_fast";
    }

    @Override
    public boolean isDefault() {
        return true;
    }

    @Override
    public boolean enqueue(PacketBuffer skb) {
        if (qlen >= limit) {
            return drop(skb, DropReason.QDISC_DROP);
        }
        bands[PRIO2BAND[skb.priority & 15]].addLast(skb);
        qlen++;
        backlogBytes += skb.len();
        return true;
    }

    @Override
    public PacketBuffer dequeue() {
        for (ArrayDeque<PacketBuffer> band : bands) {
            PacketBuffer skb = band.pollFirst();
            if (skb != null) {
                qlen--;
                backlogBytes -= skb.len();
                countSent(skb);
                return skb;
            }
        }
        return null;
    }

    @Override
    public void reset() {
        for (ArrayDeque<PacketBuffer> band : bands) {
            PacketBuffer skb;
            while ((skb = band.pollFirst()) != null) {
                skb.free();
            }
        }
        qlen = 0;
        backlogBytes = 0;
    }

    @Override
    public String parameters() {
        return "bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1";
    }
}
