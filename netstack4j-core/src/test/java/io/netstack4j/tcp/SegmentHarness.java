package io.netstack4j.tcp;

import io.netstack4j.core.ChecksumState;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.neigh.Nud;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.wire.Bytes;
import io.netstack4j.wire.Checksum;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One netstack4j host (10.0.0.1 on veth0) facing a peer that exists only in the test: 10.0.0.2
 * has a permanent ARP entry pointing at a namespace with no addresses, so nothing answers but
 * the test. Segments the host transmits are recorded from veth0; the test injects segments as
 * frames received on veth0. The test thread owns the simulated loop (virtual time).
 */
final class SegmentHarness {

    static final int HOST = Ipv4Address.parse("10.0.0.1").bits();
    static final int PEER = Ipv4Address.parse("10.0.0.2").bits();

    /** A segment the host sent, parsed, with the virtual time it left in milliseconds. */
    record Seg(int flags, int seq, int ack, int window, int payload, byte[] options, TcpOptions opt, int srcPort, int dstPort, long atMs) {

        boolean is(int f) {
            return flags == f;
        }

        @Override
        public String toString() {
            return "[" + TcpHeader.flagString(flags) + " seq=" + Integer.toUnsignedString(seq) + " ack=" + Integer.toUnsignedString(ack)
                    + " win=" + window + " len=" + payload + " opts=" + Arrays.toString(options) + " at " + atMs + " ms]";
        }
    }

    final NetStack stack = NetStack.simulated(99);
    final Namespace h;
    final Veth veth0;
    final List<Seg> sent = new ArrayList<>();

    SegmentHarness() {
        h = stack.addNamespace("h");
        Namespace silent = stack.addNamespace("silent");
        Veth[] v = h.addVeth("veth0", silent, "veth1");
        veth0 = v[0];
        h.inet().addAddress(v[0], new Ipv4Address(HOST), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        v[0].setUp(true);
        v[1].setUp(true);
        h.arp().add(PEER, v[0], v[1].mac(), Nud.PERMANENT, true);
        h.devices().addTap((dev, outgoing, frame, off, len) -> {
            if (outgoing && dev == veth0) {
                record(frame.array(), off, len);
            }
        });
    }

    private void record(byte[] b, int off, int len) {
        if (EthernetHeader.etherType(b, off) != EtherType.IPV4) {
            return;
        }
        int ip = off + EthernetHeader.HEADER_LEN;
        if (Ipv4Header.protocol(b, ip) != IpProtocol.TCP) {
            return;
        }
        int th = ip + Ipv4Header.headerLength(b, ip);
        int tcpLen = Ipv4Header.totalLength(b, ip) - Ipv4Header.headerLength(b, ip);
        int hl = TcpHeader.headerLength(b, th);
        TcpOptions opt = new TcpOptions();
        opt.parse(b, th);
        sent.add(new Seg(TcpHeader.flags(b, th), TcpHeader.seq(b, th), TcpHeader.ack(b, th), TcpHeader.window(b, th), tcpLen - hl,
                Arrays.copyOfRange(b, th + TcpHeader.MIN_LEN, th + hl), opt, TcpHeader.srcPort(b, th), TcpHeader.dstPort(b, th), nowMs()));
    }

    long nowMs() {
        return stack.loop().now() / 1_000_000L;
    }

    void run(long millis) {
        stack.loop().runFor(millis * 1_000_000L);
    }

    /** The segments sent since the last call, and forgets them. */
    List<Seg> take() {
        List<Seg> s = new ArrayList<>(sent);
        sent.clear();
        return s;
    }

    /** The one segment sent since the last call (fails if there were none or several). */
    Seg one() {
        List<Seg> s = take();
        if (s.size() != 1) {
            throw new AssertionError("expected one segment, got " + s);
        }
        return s.getFirst();
    }

    /**
     * Injects a segment from the peer: {@code sport → dport}, with {@code options} (raw bytes,
     * padded to 4) and {@code payload} bytes of data.
     */
    void inject(int sport, int dport, int flags, int seq, int ack, int window, byte[] options, int payload) {
        veth0.netifRx(segment(sport, dport, flags, seq, ack, window, options, payload));
        run(1);
    }

    /**
     * Injects a segment as an offloading device hands it up: possibly longer than the MTU
     * (GRO/GSO, {@code gsoSize} set), its checksum field holding only the pseudo-header sum and
     * the buffer marked {@link ChecksumState#PARTIAL}, or, with {@code partial} false, the same
     * bytes marked as nothing known.
     */
    void injectOffloaded(int sport, int dport, int flags, int seq, int ack, int window, byte[] options, int payload,
            int gsoSize, boolean partial) {
        PacketBuffer skb = segment(sport, dport, flags, seq, ack, window, options, payload);
        byte[] b = skb.array();
        int ip = skb.data() + EthernetHeader.HEADER_LEN;
        int th = ip + 20;
        int tcpLen = Ipv4Header.totalLength(b, ip) - 20;
        Bytes.setU16(b, th + TcpHeader.CHECKSUM, Checksum.fold(Checksum.pseudoHeaderSum(PEER, HOST, IpProtocol.TCP, tcpLen)));
        if (partial) {
            skb.checksum = ChecksumState.PARTIAL;
            skb.csumStart = th;
            skb.csumOffset = TcpHeader.CHECKSUM;
            skb.gsoSize = gsoSize;
        }
        veth0.netifRx(skb);
        run(1);
    }

    private PacketBuffer segment(int sport, int dport, int flags, int seq, int ack, int window, byte[] options, int payload) {
        int optLen = (options.length + 3) & ~3;
        int tcpLen = TcpHeader.MIN_LEN + optLen + payload;
        PacketBuffer skb = stack.loop().pool().alloc(EthernetHeader.HEADER_LEN + 20 + tcpLen);
        int off = skb.put(EthernetHeader.HEADER_LEN + 20 + tcpLen);
        byte[] b = skb.array();
        Arrays.fill(b, off, skb.tail(), (byte) 0);
        EthernetHeader.setDst(b, off, veth0.mac());
        EthernetHeader.setSrc(b, off, 0x02_00_00_00_00_02L);
        EthernetHeader.setEtherType(b, off, EtherType.IPV4);
        int ip = off + EthernetHeader.HEADER_LEN;
        Ipv4Header.setVersionIhl(b, ip, 20);
        Ipv4Header.setTotalLength(b, ip, 20 + tcpLen);
        Ipv4Header.setTtl(b, ip, 64);
        Ipv4Header.setProtocol(b, ip, IpProtocol.TCP);
        Ipv4Header.setSrc(b, ip, PEER);
        Ipv4Header.setDst(b, ip, HOST);
        Ipv4Header.fillChecksum(b, ip);
        int th = ip + 20;
        TcpHeader.setSrcPort(b, th, sport);
        TcpHeader.setDstPort(b, th, dport);
        TcpHeader.setSeq(b, th, seq);
        TcpHeader.setAck(b, th, ack);
        TcpHeader.setHeaderLength(b, th, TcpHeader.MIN_LEN + optLen);
        TcpHeader.setFlags(b, th, flags);
        TcpHeader.setWindow(b, th, window);
        System.arraycopy(options, 0, b, th + TcpHeader.MIN_LEN, options.length);
        for (int i = 0; i < payload; i++) {
            b[th + TcpHeader.MIN_LEN + optLen + i] = (byte) ('a' + i % 26);
        }
        TcpHeader.fillChecksum(b, th, tcpLen, PEER, HOST);
        return skb;
    }

    /** The timestamp option alone ({@code NOP NOP TS}). */
    static byte[] ts(int val, int ecr) {
        byte[] o = new byte[12];
        TcpOptions.writeTimestamp(o, 0, val, ecr);
        return o;
    }

    /** A SYN's options as Linux sends them: MSS 1460, sackOK, TS, NOP, wscale 7. */
    static byte[] synOptions(int tsVal, int tsEcr) {
        byte[] o = new byte[20];
        TcpOptions.writeSyn(o, 0, 1460, true, true, tsVal, tsEcr, 7);
        return o;
    }
}
