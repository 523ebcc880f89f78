package io.netstack4j.drivers;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.Qdisc;

/**
 * One end of a virtual Ethernet pair ({@code drivers/net/veth.c}): a frame sent on one end is
 * received on the other, which may live in another namespace. The buffer itself crosses, no
 * copy; {@link PacketBuffer#scrub()} clears what must not leak between namespaces. The carrier
 * is on only while both ends are up. Like Linux, veth has no qdisc by default ({@code noqueue}).
 */
public final class Veth extends NetDevice {

    private Veth peer;

    private Veth(String name, long mac) {
        super(name, mac, IFF_BROADCAST | IFF_MULTICAST);
        setCarrier(false);
    }

    /** Creates the two ends; the caller registers each in its namespace. */
    public static Veth[] createPair(String name, long mac, String peerName, long peerMac) {
        Veth a = new Veth(name, mac);
        Veth b = new Veth(peerName, peerMac);
        a.peer = b;
        b.peer = a;
        return new Veth[] {a, b};
    }

    public Veth peer() {
        return peer;
    }

    @Override
    public String kind() {
        return "veth";
    }

    @Override
    protected Qdisc defaultQdisc() {
        return null;
    }

    @Override
    protected void open() {
        if (peer.isUp()) {
            setCarrier(true);
            peer.setCarrier(true);
        }
    }

    @Override
    protected void stop() {
        setCarrier(false);
        peer.setCarrier(false);
    }

    @Override
    protected void uninit() {
        // Deleting one end deletes the pair, as in Linux; the other end is removed by the caller
        // that owns its namespace (see Namespace.deleteLink).
        peer.setCarrier(false);
    }

    /** As Linux's {@code veth}: checksum-partial and GSO packets cross whole. */
    @Override
    protected boolean offloadsTx() {
        return true;
    }

    @Override
    protected void startXmit(PacketBuffer skb) {
        Veth p = peer;
        if (!p.isRunning() || p.devices() == null) {
            dropTx(skb, DropReason.DEV_READY);
            return;
        }
        skb.orphan();
        skb.scrub();
        p.netifRx(skb);
    }
}
