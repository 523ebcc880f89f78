package io.netstack4j.bench.micro;

import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.EthernetHeader.EthernetRepr;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.Ipv4Header.Ipv4Repr;
import io.netstack4j.wire.Ipv4Options;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;
import io.netstack4j.wire.UdpHeader;
import io.netstack4j.wire.UdpHeader.UdpRepr;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parse and emit of the headers on the data path, through the {@code wire} views the way the
 * stack calls them: {@code ip_rcv} checks version, IHL and lengths, verifies the header checksum
 * and reads the addresses; {@code ip_rcv_options} compiles options when IHL > 5;
 * {@code tcp_v4_rcv} reads the fixed fields and parses the options into one reused
 * {@link TcpOptions}; {@code ip_queue_xmit} and {@code tcp_transmit_skb} write the fields, the
 * option block and the checksum. Checksums here cover headers only (payload sums are
 * {@link ChecksumJmh}'s subject). The {@code *Repr*} variants measure the record form
 * ({@code Ipv4Repr.parse} and friends), which tools and tests use; run with {@code -prof gc} to
 * see what each allocates per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class HeaderJmh {

    private static final long MAC_A = 0x02_00_00_00_00_01L;
    private static final long MAC_B = 0x02_00_00_00_00_02L;
    private static final int SRC = 0x0a000001;
    private static final int DST = 0x0a000002;
    private static final int ETH = 0;
    private static final int IP = EthernetHeader.HEADER_LEN;
    /** Record route with room for two addresses, router alert, end of list: 16 option bytes. */
    private static final int OPTIONS_IHL_BYTES = Ipv4Header.MIN_LEN + 16;

    /** Ethernet + IPv4 (no options) + UDP with 32 bytes of data. */
    private final byte[] udpFrame = new byte[IP + 20 + 8 + 32];
    /** Ethernet + IPv4 with record route and router alert + UDP. */
    private final byte[] optionsFrame = new byte[IP + OPTIONS_IHL_BYTES + 8 + 32];
    /** Ethernet + IPv4 + TCP SYN with MSS, SACK-permitted, timestamps, window scale (Linux's 40-byte header). */
    private final byte[] synFrame = new byte[IP + 20 + 40];
    /** Ethernet + IPv4 + TCP ACK with timestamps and three SACK blocks (60-byte header). */
    private final byte[] sackFrame = new byte[IP + 20 + 60];
    private final byte[] out = new byte[256];

    private final TcpOptions rxOpt = new TcpOptions();
    private final Ipv4Options ipOpt = new Ipv4Options();
    private final int[] sackStart = {1_000_000, 2_000_000, 3_000_000};
    private final int[] sackEnd = {1_001_448, 2_002_896, 3_004_344};
    private int ident;
    private int seq = 12345;

    private Ipv4Repr ipRepr;
    private UdpRepr udpRepr;
    private EthernetRepr ethRepr;

    @Setup
    public void setUp() {
        emitUdpFrame(udpFrame);
        emitIpv4(optionsFrame, IP, OPTIONS_IHL_BYTES, optionsFrame.length - IP, IpProtocol.UDP);
        int o = IP + Ipv4Header.MIN_LEN;
        optionsFrame[o] = (byte) Ipv4Options.OPT_RR;
        optionsFrame[o + 1] = 11;
        optionsFrame[o + 2] = 4;
        optionsFrame[o + 11] = (byte) Ipv4Options.OPT_RA;
        optionsFrame[o + 12] = 4;
        Ipv4Header.fillChecksum(optionsFrame, IP);
        emitSyn(synFrame);
        emitSackAck(sackFrame);
        check(rxOpt.parse(synFrame, IP + 20) && rxOpt.mss == 1460 && rxOpt.sackOk && rxOpt.sawTstamp && rxOpt.wscale == 7, "SYN options");
        check(rxOpt.parse(sackFrame, IP + 20) && rxOpt.numSacks == 3 && rxOpt.sawTstamp, "SACK options");
        check(ipOpt.compile(optionsFrame, IP) == -1 && ipOpt.rr != 0 && ipOpt.routerAlert != 0, "IPv4 options");
        check(Ipv4Header.verifyChecksum(udpFrame, IP) && Ipv4Header.verifyChecksum(optionsFrame, IP), "IPv4 checksums");
        ipRepr = Ipv4Repr.parse(udpFrame, IP, udpFrame.length - IP);
        udpRepr = UdpRepr.parse(udpFrame, IP + 20, udpFrame.length - IP - 20);
        ethRepr = EthernetRepr.parse(udpFrame, ETH, udpFrame.length);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark frame is wrong: " + what);
        }
    }

    // ---- Ethernet ----

    @Benchmark
    public void ethernetParse(Blackhole bh) {
        byte[] b = udpFrame;
        bh.consume(EthernetHeader.dst(b, ETH));
        bh.consume(EthernetHeader.src(b, ETH));
        bh.consume(EthernetHeader.etherType(b, ETH));
    }

    @Benchmark
    public byte[] ethernetEmit() {
        EthernetHeader.setDst(out, ETH, MAC_B);
        EthernetHeader.setSrc(out, ETH, MAC_A);
        EthernetHeader.setEtherType(out, ETH, EtherType.IPV4);
        return out;
    }

    @Benchmark
    public EthernetRepr ethernetReprParse() {
        return EthernetRepr.parse(udpFrame, ETH, udpFrame.length);
    }

    @Benchmark
    public byte[] ethernetReprEmit() {
        ethRepr.emit(out, ETH);
        return out;
    }

    // ---- IPv4 ----

    @Benchmark
    public int ipv4Parse(Blackhole bh) {
        return ipRcv(udpFrame, bh);
    }

    @Benchmark
    public int ipv4ParseWithOptions(Blackhole bh) {
        int hlen = ipRcv(optionsFrame, bh);
        bh.consume(ipOpt.compile(optionsFrame, IP));
        return hlen;
    }

    /** The checks and reads of {@code ip_rcv_core} and {@code ip_rcv_finish}; returns the header length. */
    private static int ipRcv(byte[] b, Blackhole bh) {
        int len = b.length - IP;
        if (len < Ipv4Header.MIN_LEN || Ipv4Header.version(b, IP) != 4 || Ipv4Header.ihl(b, IP) < 5) {
            return -1;
        }
        int hlen = Ipv4Header.headerLength(b, IP);
        if (len < hlen || !Ipv4Header.verifyChecksum(b, IP)) {
            return -1;
        }
        int total = Ipv4Header.totalLength(b, IP);
        if (total > len || total < hlen) {
            return -1;
        }
        bh.consume(Ipv4Header.dst(b, IP));
        bh.consume(Ipv4Header.src(b, IP));
        bh.consume(Ipv4Header.tos(b, IP));
        bh.consume(Ipv4Header.protocol(b, IP));
        bh.consume(Ipv4Header.isFragment(b, IP));
        return hlen;
    }

    @Benchmark
    public byte[] ipv4Emit() {
        emitIpv4(out, IP, Ipv4Header.MIN_LEN, 1500, IpProtocol.TCP);
        return out;
    }

    @Benchmark
    public byte[] ipv4EmitWithOptions() {
        System.arraycopy(optionsFrame, IP + Ipv4Header.MIN_LEN, out, IP + Ipv4Header.MIN_LEN, OPTIONS_IHL_BYTES - Ipv4Header.MIN_LEN);
        emitIpv4(out, IP, OPTIONS_IHL_BYTES, 1500, IpProtocol.TCP);
        return out;
    }

    /** {@code ip_queue_xmit}'s header, as IpOutput writes it. */
    private void emitIpv4(byte[] b, int off, int hlen, int totalLen, int protocol) {
        Ipv4Header.setVersionIhl(b, off, hlen);
        Ipv4Header.setTos(b, off, 0);
        Ipv4Header.setTotalLength(b, off, totalLen);
        Ipv4Header.setIdent(b, off, ident++);
        Ipv4Header.setFlagsFragment(b, off, true, false, 0);
        Ipv4Header.setTtl(b, off, 64);
        Ipv4Header.setProtocol(b, off, protocol);
        Ipv4Header.setSrc(b, off, SRC);
        Ipv4Header.setDst(b, off, DST);
        Ipv4Header.fillChecksum(b, off);
    }

    @Benchmark
    public Ipv4Repr ipv4ReprParse() {
        return Ipv4Repr.parse(udpFrame, IP, udpFrame.length - IP);
    }

    @Benchmark
    public byte[] ipv4ReprEmit() {
        ipRepr.emit(out, IP);
        return out;
    }

    // ---- UDP ----

    @Benchmark
    public void udpParse(Blackhole bh) {
        byte[] b = udpFrame;
        int uh = IP + Ipv4Header.MIN_LEN;
        int len = b.length - uh;
        bh.consume(UdpHeader.srcPort(b, uh));
        bh.consume(UdpHeader.dstPort(b, uh));
        bh.consume(UdpHeader.length(b, uh) <= len);
        bh.consume(UdpHeader.verifyChecksum(b, uh, len, SRC, DST));
    }

    @Benchmark
    public byte[] udpEmit() {
        emitUdpFrame(out);
        return out;
    }

    private void emitUdpFrame(byte[] b) {
        int uh = IP + Ipv4Header.MIN_LEN;
        int ulen = UdpHeader.HEADER_LEN + 32;
        UdpHeader.setSrcPort(b, uh, 5353);
        UdpHeader.setDstPort(b, uh, 53);
        UdpHeader.setLength(b, uh, ulen);
        UdpHeader.fillChecksum(b, uh, ulen, SRC, DST);
        emitIpv4(b, IP, Ipv4Header.MIN_LEN, Ipv4Header.MIN_LEN + ulen, IpProtocol.UDP);
        EthernetHeader.setDst(b, ETH, MAC_B);
        EthernetHeader.setSrc(b, ETH, MAC_A);
        EthernetHeader.setEtherType(b, ETH, EtherType.IPV4);
    }

    @Benchmark
    public UdpRepr udpReprParse() {
        return UdpRepr.parse(udpFrame, IP + 20, udpFrame.length - IP - 20);
    }

    @Benchmark
    public byte[] udpReprEmit() {
        udpRepr.emit(out, IP + 20);
        return out;
    }

    // ---- TCP ----

    @Benchmark
    public TcpOptions tcpSynParse(Blackhole bh) {
        return tcpRcv(synFrame, bh);
    }

    @Benchmark
    public TcpOptions tcpSackParse(Blackhole bh) {
        return tcpRcv(sackFrame, bh);
    }

    /** What {@code tcp_v4_rcv} reads before the socket lookup (checksum excluded). */
    private TcpOptions tcpRcv(byte[] b, Blackhole bh) {
        int th = IP + Ipv4Header.MIN_LEN;
        if (!TcpHeader.checkLength(b, th, b.length - th)) {
            return null;
        }
        bh.consume(TcpHeader.flags(b, th));
        bh.consume(TcpHeader.seq(b, th));
        bh.consume(TcpHeader.ack(b, th));
        bh.consume(TcpHeader.window(b, th));
        bh.consume(TcpHeader.srcPort(b, th));
        bh.consume(TcpHeader.dstPort(b, th));
        rxOpt.parse(b, th);
        return rxOpt;
    }

    @Benchmark
    public byte[] tcpSynEmit() {
        emitSyn(out);
        return out;
    }

    @Benchmark
    public byte[] tcpSackEmit() {
        emitSackAck(out);
        return out;
    }

    private void emitSyn(byte[] b) {
        int th = IP + Ipv4Header.MIN_LEN;
        tcpFixed(b, th, TcpHeader.SYN, 60);
        int written = TcpOptions.writeSyn(b, th + TcpHeader.MIN_LEN, 1460, true, true, 0x1234_5678, 0, 7);
        TcpHeader.setHeaderLength(b, th, TcpHeader.MIN_LEN + written);
        TcpHeader.fillChecksum(b, th, TcpHeader.MIN_LEN + written, SRC, DST);
        emitIpv4(b, IP, Ipv4Header.MIN_LEN, Ipv4Header.MIN_LEN + TcpHeader.MIN_LEN + written, IpProtocol.TCP);
    }

    private void emitSackAck(byte[] b) {
        int th = IP + Ipv4Header.MIN_LEN;
        tcpFixed(b, th, TcpHeader.ACK_FLAG, 60);
        int o = th + TcpHeader.MIN_LEN;
        o += TcpOptions.writeTimestamp(b, o, 0x1234_5678, 0x0765_4321);
        o += TcpOptions.writeSack(b, o, sackStart, sackEnd, 3);
        TcpHeader.fillChecksum(b, th, o - th, SRC, DST);
        emitIpv4(b, IP, Ipv4Header.MIN_LEN, Ipv4Header.MIN_LEN + (o - th), IpProtocol.TCP);
    }

    private void tcpFixed(byte[] b, int th, int flags, int hl) {
        TcpHeader.setSrcPort(b, th, 40000);
        TcpHeader.setDstPort(b, th, 80);
        TcpHeader.setSeq(b, th, seq++);
        TcpHeader.setAck(b, th, 999);
        b[th + TcpHeader.DOFF] = 0;
        TcpHeader.setHeaderLength(b, th, hl);
        TcpHeader.setFlags(b, th, flags);
        TcpHeader.setWindow(b, th, 502);
        TcpHeader.setUrgentPointer(b, th, 0);
    }
}
