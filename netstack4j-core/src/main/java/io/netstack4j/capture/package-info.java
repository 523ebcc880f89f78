/**
 * Packet capture to pcap files, the user-space side of what {@code tcpdump -w} gets from the
 * kernel's {@code AF_PACKET} sockets ({@code net/packet/af_packet.c}).
 *
 * <p>The split is Linux's: the device layer's frame taps ({@code dev_queue_xmit_nit} on
 * transmit, the {@code ptype_all} walk in {@code __netif_receive_skb_core} on receive) hand
 * each frame to {@link io.netstack4j.capture.Capture} on the loop thread, which copies it into
 * a bounded, preallocated {@link io.netstack4j.capture.CaptureRing} ({@code packet_rcv} into a
 * {@code TPACKET} ring) or counts it as dropped when the ring is full; a writer thread, the
 * role of the {@code tcpdump} process, drains the ring into the file
 * ({@link io.netstack4j.capture.PcapWriter}). The loop never touches the disk.
 *
 * <p>An edge package: it owns a thread and a file. Depends on {@code core}, {@code time} and
 * {@code wire} only.
 */
package io.netstack4j.capture;
