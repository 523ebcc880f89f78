package io.netstack4j.wire;

import java.util.HexFormat;

/**
 * Frames captured from the Linux kernel (6.18) on the build machine, one constant per frame,
 * split into lines at header boundaries.
 *
 * <p>How they were captured ({@code src/test/resources/wire/capture-ping-veth.sh}, which also
 * wrote {@code ping-veth.pcap} next to it): two throwaway network namespaces A and B joined by
 * a veth pair, A's end {@code veth0} 10.200.0.1/24 (ba:64:63:b0:e3:70), B's end {@code veth1}
 * 10.200.0.2/24 (d6:7a:f7:40:e2:2a); {@code tcpdump -i veth0 -w} in A while B ran
 * {@code ping -c 1 -s 16 10.200.0.1}, the same with {@code -R} (record route) and with
 * {@code -T tsonly} (timestamp), then {@code echo hello | nc -u -w1 10.200.0.1 9999} to a
 * closed port; frames read back with {@code tcpdump -xx -r}. No traffic left the namespaces.
 * {@link CapturesTest} checks these strings against the pcap file.
 *
 * <p>veth does not pad short frames, so the ARP frames are 42 bytes rather than 60.
 */
final class Captures {

    /** Frame 0: B asks who has 10.200.0.1 (broadcast). */
    static final byte[] ARP_REQUEST = hex(
            "ffffffffffff d67af740e22a 0806",
            "0001 0800 06 04 0001 d67af740e22a 0ac80002 000000000000 0ac80001");

    /** Frame 1: A answers that 10.200.0.1 is at ba:64:63:b0:e3:70. */
    static final byte[] ARP_REPLY = hex(
            "d67af740e22a ba6463b0e370 0806",
            "0001 0800 06 04 0002 ba6463b0e370 0ac80001 d67af740e22a 0ac80002");

    /** Frame 2: echo request, id 0x4eba seq 1, 16 bytes of data (ping's timeval). DF set. */
    static final byte[] ECHO_REQUEST = hex(
            "ba6463b0e370 d67af740e22a 0800",
            "4500 002c 0cd8 4000 4001 1867 0ac80002 0ac80001",
            "0800 75c7 4eba 0001",
            "4ba3036b00000000e26e020000000000");

    /** Frame 3: A's echo reply: same data, no DF (Linux's ICMP socket sends with IP_PMTUDISC_DONT). */
    static final byte[] ECHO_REPLY = hex(
            "d67af740e22a ba6463b0e370 0800",
            "4500 002c 38a8 0000 4001 2c97 0ac80001 0ac80002",
            "0000 7dc7 4eba 0001",
            "4ba3036b00000000e26e020000000000");

    /**
     * Frame 4: echo request with record route. IHL 15: a NOP at 20, then RR at 21 of length 39
     * (nine slots) whose pointer 8 is past the first slot, already holding B's own address.
     */
    static final byte[] ECHO_RR_REQUEST = hex(
            "ba6463b0e370 d67af740e22a 0800",
            "4f00 0054 0cd9 4000 4001 db64 0ac80002 0ac80001",
            "01 07 27 08 0ac80002 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000",
            "0800 f9b1 4ebb 0001",
            "4ba3036b000000005e83020000000000");

    /**
     * Frame 5: A's reply. RR at 20 (no NOP) with pointer 16: B's address, then A's twice
     * (recorded on receipt and again on sending the reply), and an EOL in byte 59.
     */
    static final byte[] ECHO_RR_REPLY = hex(
            "d67af740e22a ba6463b0e370 0800",
            "4f00 0054 38a9 0000 4001 af26 0ac80001 0ac80002",
            "07 27 10 0ac80002 0ac80001 0ac80001 00000000 00000000 00000000 00000000 00000000 00000000 00",
            "0000 01b2 4ebb 0001",
            "4ba3036b000000005e83020000000000");

    /** Frame 6: echo request with a timestamp option at 20: length 40, pointer 9, flags 0 (TSONLY). */
    static final byte[] ECHO_TS_REQUEST = hex(
            "ba6463b0e370 d67af740e22a 0800",
            "4f00 0054 0cda 4000 4001 b2f1 0ac80002 0ac80001",
            "44 28 09 00 00820da1 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000",
            "0800 07a0 4ebc 0001",
            "4ba3036b000000005094020000000000");

    /** Frame 7: A's reply, pointer 17: three timestamps. */
    static final byte[] ECHO_TS_REPLY = hex(
            "d67af740e22a ba6463b0e370 0800",
            "4f00 0054 38aa 0000 4001 a2db 0ac80001 0ac80002",
            "44 28 11 00 00820da1 00820da1 00820da1 00000000 00000000 00000000 00000000 00000000 00000000",
            "0000 0fa0 4ebc 0001",
            "4ba3036b000000005094020000000000");

    /**
     * Frame 8: "hello\n" from B port 44630 to A port 9999, where nothing listens. Its UDP
     * checksum field holds 0x15b2, the folded pseudo-header sum: veth offloads transmit
     * checksums, so the kernel left the rest to the device (CHECKSUM_PARTIAL).
     */
    static final byte[] UDP_HELLO = hex(
            "ba6463b0e370 d67af740e22a 0800",
            "4500 0022 17de 4000 4011 0d5b 0ac80002 0ac80001",
            "ae56 270f 000e 15b2",
            "68656c6c6f0a");

    /**
     * Frame 9: A's port unreachable, TOS 0xc0 (internetwork control), quoting the whole
     * datagram of frame 8 as it arrived (partial UDP checksum included).
     */
    static final byte[] PORT_UNREACH = hex(
            "d67af740e22a ba6463b0e370 0800",
            "45c0 003e 38ac 0000 4001 2bc1 0ac80001 0ac80002",
            "0303 cdfa 00000000",
            "4500 0022 17de 4000 4011 0d5b 0ac80002 0ac80001",
            "ae56 270f 000e 15b2",
            "68656c6c6f0a");

    /** The frames in capture order. */
    static final byte[][] ALL = {ARP_REQUEST, ARP_REPLY, ECHO_REQUEST, ECHO_REPLY, ECHO_RR_REQUEST, ECHO_RR_REPLY,
            ECHO_TS_REQUEST, ECHO_TS_REPLY, UDP_HELLO, PORT_UNREACH};

    static final MacAddress MAC_A = MacAddress.parse("ba:64:63:b0:e3:70");
    static final MacAddress MAC_B = MacAddress.parse("d6:7a:f7:40:e2:2a");
    static final Ipv4Address IP_A = Ipv4Address.parse("10.200.0.1");
    static final Ipv4Address IP_B = Ipv4Address.parse("10.200.0.2");

    /** Where the IP header starts in an IPv4 frame. */
    static final int IP = EthernetHeader.HEADER_LEN;

    private Captures() {
    }

    static byte[] hex(String... lines) {
        return HexFormat.of().parseHex(String.join("", lines).replace(" ", ""));
    }

    static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }
}
