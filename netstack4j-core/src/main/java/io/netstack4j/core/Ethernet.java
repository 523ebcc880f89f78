package io.netstack4j.core;

import io.netstack4j.wire.EthernetHeader;

/** Ethernet framing for devices ({@code net/ethernet/eth.c}). */
public final class Ethernet {

    private Ethernet() {
    }

    /**
     * Classifies a received frame and strips its header ({@code eth_type_trans}): records the MAC
     * header, sets {@code pktType} by the destination address (broadcast, multicast, ours, or
     * another host's), sets {@code protocol} from the ethertype and pulls the 14 header bytes.
     * Returns false, changing nothing, when the frame is shorter than an Ethernet header.
     */
    public static boolean typeTrans(PacketBuffer skb, NetDevice dev) {
        if (skb.len() < EthernetHeader.HEADER_LEN) {
            return false;
        }
        byte[] b = skb.array();
        int off = skb.data();
        skb.resetMacHeader();
        long dst = EthernetHeader.dst(b, off);
        if ((dst & (0x01L << 40)) != 0) {
            skb.pktType = dst == 0xffff_ffff_ffffL ? PktType.BROADCAST : PktType.MULTICAST;
        } else if (dst == dev.mac()) {
            skb.pktType = PktType.HOST;
        } else {
            skb.pktType = PktType.OTHERHOST;
        }
        skb.protocol = EthernetHeader.etherType(b, off);
        skb.pull(EthernetHeader.HEADER_LEN);
        return true;
    }

    /**
     * Pushes an Ethernet header in front of the packet ({@code eth_header}): the destination
     * given, the device's own address as source, and {@code skb.protocol} as the ethertype.
     */
    public static void pushHeader(PacketBuffer skb, NetDevice dev, long dstMac) {
        int off = skb.push(EthernetHeader.HEADER_LEN);
        byte[] b = skb.array();
        EthernetHeader.setDst(b, off, dstMac);
        EthernetHeader.setSrc(b, off, dev.mac());
        EthernetHeader.setEtherType(b, off, skb.protocol);
        skb.resetMacHeader();
    }
}
