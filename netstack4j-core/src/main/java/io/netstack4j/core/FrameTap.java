package io.netstack4j.core;

/**
 * Sees every frame a device sends or receives, with its link-layer header ({@code ETH_P_ALL}
 * packet taps: the place {@code tcpdump} attaches). Must not keep or change the buffer.
 */
@FunctionalInterface
public interface FrameTap {

    /**
     * @param outgoing true for a frame being transmitted, false for one received
     * @param frame the buffer; the frame is {@code frame.array()[offset, offset + length)}
     */
    void frame(NetDevice dev, boolean outgoing, PacketBuffer frame, int offset, int length);
}
