package io.netstack4j.drivers;

import io.netstack4j.core.ChecksumState;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.Qdisc;

/**
 * The loopback device {@code lo} ({@code drivers/net/loopback.c}): every frame sent is received
 * again on the same device. Address 00:00:00:00:00:00, MTU 65536, no ARP, no queue.
 */
public final class Loopback extends NetDevice {

    public static final int LOOPBACK_MTU = 65536;

    public Loopback() {
        super("lo", 0, IFF_LOOPBACK | IFF_NOARP);
    }

    @Override
    public String kind() {
        return "loopback";
    }

    @Override
    public int maxMtu() {
        return Integer.MAX_VALUE;
    }

    /** Linux gives {@code lo} the MTU 65536 at creation. */
    public void initMtu() {
        setMtu(LOOPBACK_MTU);
    }

    @Override
    protected Qdisc defaultQdisc() {
        return null;
    }

    @Override
    public String operState() {
        return isUp() ? "UNKNOWN" : "DOWN";
    }

    /** As Linux's {@code loopback}: checksum-partial and GSO packets cross whole. */
    @Override
    protected boolean offloadsTx() {
        return true;
    }

    @Override
    protected void startXmit(PacketBuffer skb) {
        // loopback_xmit: the checksum needs no verification, and the frame comes straight back.
        skb.orphan();
        skb.checksum = ChecksumState.UNNECESSARY;
        netifRx(skb);
    }
}
