package io.netstack4j.fuzz;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.Mib;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.drivers.Veth;
import io.netstack4j.icmp.EchoListener;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ns.NetStack;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.Routes;
import io.netstack4j.sched.Netem;
import io.netstack4j.sched.NetemSpec;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpMib;
import io.netstack4j.tcp.TcpSock;
import io.netstack4j.tcp.TcpState;
import io.netstack4j.udp.UdpSock;
import io.netstack4j.wire.Bytes;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.MacAddress;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The network every fuzz target feeds, rebuilt for each input on a seeded virtual clock so a
 * finding replays exactly:
 *
 * <pre>
 *   c 10.0.0.1 --veth-- 10.0.0.2 h 10.0.1.1 --veth-- 10.0.1.2 b
 *     02:00:00:00:00:01  02:00:00:00:00:02  02:00:00:00:01:01  02:00:00:00:01:02
 * </pre>
 *
 * h, the namespace under test, forwards between the two links (a router), listens on TCP 5001
 * with one connection from c port 40000 established (h has sent 22176 bytes, acknowledged,
 * and 30000 more that are not; c nothing yet), holds a UDP socket bound to 9999 and a reassembly
 * queue with the first fragment of a datagram from c. From then on c's own frames are lost
 * (netem loss 100% on c's veth0): c is played by the fuzzer alone. Fuzzed frames are received on h's veth1 as if c sent them. Addresses
 * and MACs are those of the kernel capture the seeds come from ({@code capture-seeds.sh}).
 *
 * <p>Sequence numbers of the established connection (c:40000 to h:5001) are written relative
 * in the seeds, as Wireshark shows them: {@link #inject} adds the connection's initial
 * sequence numbers, so captured data and FIN segments land in the window whatever ISNs this
 * run chose. The same holds for the sequence number of a segment from h:5001 to c:40000
 * quoted in an ICMP error from c, and for the timestamps of c's segments: TSval counts from
 * the last TSval h saw from c (so PAWS passes a captured segment), TSecr from h's SYN-ACK.
 */
final class FuzzNet implements AutoCloseable {

    static final int C = Ipv4Address.parse("10.0.0.1").bits();
    static final int H = Ipv4Address.parse("10.0.0.2").bits();
    static final int H2 = Ipv4Address.parse("10.0.1.1").bits();
    static final int B = Ipv4Address.parse("10.0.1.2").bits();
    static final long MAC_C = MacAddress.parse("02:00:00:00:00:01").bits();
    static final long MAC_H = MacAddress.parse("02:00:00:00:00:02").bits();
    static final long MAC_H2 = MacAddress.parse("02:00:00:00:01:01").bits();
    static final long MAC_B = MacAddress.parse("02:00:00:00:01:02").bits();
    static final int TCP_PORT = 5001;
    static final int CLIENT_PORT = 40000;
    static final int UDP_PORT = 9999;
    /** The ident of the datagram left half reassembled in h. */
    static final int PENDING_FRAG_ID = 0x7777;

    final NetStack stack = NetStack.simulated(4242);
    final Namespace c;
    final Namespace h;
    final Namespace b;
    final Veth[] ch;
    final Veth[] hb;
    final TcpSock listener;
    final TcpSock client;
    final TcpSock server;
    final UdpSock udp;
    /** Initial sequence numbers of the established connection, read off the wire. */
    int clientIsn;
    int serverIsn;
    /** Timestamp bases of the connection (see {@link #noteTimestamps}). */
    int clientTsRecent;
    int serverTs0;
    private boolean lossy;
    private final long poolLiveAtStart;
    /** Frames c received from h since {@link #inject} was first called. */
    final List<byte[]> received = new ArrayList<>();
    private boolean recording;

    FuzzNet() {
        long live0 = stack.loop().pool().live();
        c = stack.addNamespace("c");
        h = stack.addNamespace("h");
        b = stack.addNamespace("b");
        ch = c.addVeth("veth0", h, "veth1");
        hb = h.addVeth("veth2", b, "veth3");
        ch[0].setMac(MAC_C);
        ch[1].setMac(MAC_H);
        hb[0].setMac(MAC_H2);
        hb[1].setMac(MAC_B);
        address(c, ch[0], C);
        address(h, ch[1], H);
        address(h, hb[0], H2);
        address(b, hb[1], B);
        for (Veth v : List.of(ch[0], ch[1], hb[0], hb[1])) {
            v.setUp(true);
        }
        Routes.add(c, "default", "10.0.0.2");
        Routes.add(b, "default", "10.0.1.1");
        h.sysctls().set("net.ipv4.ip_forward", "1");
        h.ipv4().setVerifyRxChecksums(false);

        c.devices().addTap((dev, outgoing, frame, off, len) -> {
            noteTimestamps(frame.array(), off, len, outgoing);
            if (!outgoing) {
                noteIsns(frame.array(), off, len);
                if (recording) {
                    received.add(java.util.Arrays.copyOfRange(frame.array(), off, off + len));
                }
            }
        });
        listener = h.tcp().open(null);
        TcpCalls.bind(listener, 0, TCP_PORT);
        TcpCalls.listen(listener, 16);
        udp = h.udp().open(() -> { });
        udp.bind(0, UDP_PORT);

        client = c.tcp().open(null);
        TcpCalls.bind(client, 0, CLIENT_PORT);
        TcpCalls.connect(client, H, TCP_PORT);
        TcpSock[] accepted = new TcpSock[1];
        runUntil(() -> (accepted[0] = accepted[0] != null ? accepted[0] : TcpCalls.accept(listener)) != null
                && client.state() == TcpState.ESTABLISHED, 1000);
        server = accepted[0];
        if (server == null || clientIsn == 0 && serverIsn == 0) {
            throw new IllegalStateException("fixture: no connection (server " + server + ")");
        }
        // Where the capture's c stood when it sent its first SACK (ack 22177, a hole, then
        // SACK blocks above it): h has sent 22176 bytes, all acknowledged, then 30000 more that
        // stay in flight because c's ACKs are lost from here on (c's veth0 drops all it sends).
        byte[] data = new byte[30000];
        TcpCalls.send(server, data, 0, 22176);
        byte[] sink = new byte[30000];
        runUntil(() -> {
            TcpCalls.recv(client, sink, 0, sink.length);
            TcpCalls.recv(server, sink, 0, sink.length);
            return server.sendQueueBytes() == 0;
        }, 1000);
        ch[0].setQdisc(new Netem(NetemSpec.parse(List.of("loss", "100%"))));
        lossy = true;
        TcpCalls.send(server, data, 0, data.length);
        run(5);
        injectRaw(firstFragment());
        run(1);
        poolLiveAtStart = live0;
    }

    private static void address(Namespace ns, NetDevice dev, int addr) {
        ns.inet().addAddress(dev, new Ipv4Address(addr), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
    }

    /**
     * The TCP header of a frame on the connection, c to h ({@code fromC}) or h to c, or -1.
     * Nothing is read outside {@code [off, off + len)}.
     */
    private static int connectionTcp(byte[] f, int off, int len, boolean fromC) {
        int ip = off + EthernetHeader.HEADER_LEN;
        if (len < EthernetHeader.HEADER_LEN + 40 || EthernetHeader.etherType(f, off) != EtherType.IPV4 || Ipv4Header.version(f, ip) != 4
                || Ipv4Header.protocol(f, ip) != IpProtocol.TCP || Ipv4Header.isFragment(f, ip)) {
            return -1;
        }
        int th = ip + Ipv4Header.headerLength(f, ip);
        if (th + TcpHeader.MIN_LEN > off + len || Ipv4Header.src(f, ip) != (fromC ? C : H) || Ipv4Header.dst(f, ip) != (fromC ? H : C)
                || TcpHeader.srcPort(f, th) != (fromC ? CLIENT_PORT : TCP_PORT) || TcpHeader.dstPort(f, th) != (fromC ? TCP_PORT : CLIENT_PORT)
                || th + TcpHeader.headerLength(f, th) > off + len) {
            return -1;
        }
        return th;
    }

    /** Offset of the value of the timestamp option (TSval, then TSecr) in the header at {@code th}, or -1. */
    private static int timestampOption(byte[] f, int th) {
        int end = th + TcpHeader.headerLength(f, th);
        int i = th + TcpHeader.MIN_LEN;
        while (i < end) {
            int kind = f[i] & 0xff;
            if (kind == TcpOptions.EOL) {
                return -1;
            }
            if (kind == TcpOptions.NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end || (f[i + 1] & 0xff) < 2) {
                return -1;
            }
            int olen = f[i + 1] & 0xff;
            if (kind == TcpOptions.TIMESTAMP && olen == TcpOptions.TIMESTAMP_LEN && i + olen <= end) {
                return i + 2;
            }
            i += olen;
        }
        return -1;
    }

    /**
     * c's latest TSval as h last saw it (c's frames are lost after the fixture is built, so
     * this is h's ts_recent) and the TSval of h's SYN-ACK.
     */
    private void noteTimestamps(byte[] f, int off, int len, boolean outgoing) {
        int th = connectionTcp(f, off, len, outgoing);
        int ts = th < 0 ? -1 : timestampOption(f, th);
        if (ts < 0) {
            return;
        }
        if (outgoing) {
            if (!lossy) {
                clientTsRecent = Bytes.u32(f, ts);
            }
        } else if ((TcpHeader.flags(f, th) & TcpHeader.SYN) != 0) {
            serverTs0 = Bytes.u32(f, ts);
        }
    }

    /** h's SYN-ACK to c carries both ISNs. */
    private void noteIsns(byte[] f, int off, int len) {
        int ip = off + EthernetHeader.HEADER_LEN;
        if (len < EthernetHeader.HEADER_LEN + 40 || EthernetHeader.etherType(f, off) != EtherType.IPV4
                || Ipv4Header.protocol(f, ip) != IpProtocol.TCP) {
            return;
        }
        int th = ip + Ipv4Header.headerLength(f, ip);
        if (th + TcpHeader.MIN_LEN > off + len || TcpHeader.srcPort(f, th) != TCP_PORT
                || TcpHeader.dstPort(f, th) != CLIENT_PORT) {
            return;
        }
        if ((TcpHeader.flags(f, th) & (TcpHeader.SYN | TcpHeader.ACK_FLAG)) == (TcpHeader.SYN | TcpHeader.ACK_FLAG)) {
            serverIsn = TcpHeader.seq(f, th);
            clientIsn = TcpHeader.ack(f, th) - 1;
        }
    }

    /** 1480 bytes of a 3000-byte UDP datagram from c to h port 9999, MF set; the rest never comes. */
    private static byte[] firstFragment() {
        byte[] f = new byte[EthernetHeader.HEADER_LEN + 20 + 1480];
        EthernetHeader.setDst(f, 0, MAC_H);
        EthernetHeader.setSrc(f, 0, MAC_C);
        EthernetHeader.setEtherType(f, 0, EtherType.IPV4);
        int ip = EthernetHeader.HEADER_LEN;
        Ipv4Header.setVersionIhl(f, ip, 20);
        Ipv4Header.setTotalLength(f, ip, 1500);
        Ipv4Header.setIdent(f, ip, PENDING_FRAG_ID);
        Ipv4Header.setFlagsFragment(f, ip, false, true, 0);
        Ipv4Header.setTtl(f, ip, 64);
        Ipv4Header.setProtocol(f, ip, IpProtocol.UDP);
        Ipv4Header.setSrc(f, ip, C);
        Ipv4Header.setDst(f, ip, H);
        Ipv4Header.fillChecksum(f, ip);
        int udp = ip + 20;
        io.netstack4j.wire.UdpHeader.setSrcPort(f, udp, 33333);
        io.netstack4j.wire.UdpHeader.setDstPort(f, udp, UDP_PORT);
        io.netstack4j.wire.UdpHeader.setLength(f, udp, 2980);
        return f;
    }

    void run(long millis) {
        stack.loop().runFor(millis * 1_000_000L);
    }

    boolean runUntil(BooleanSupplier done, long maxMillis) {
        for (long t = 0; t < maxMillis; t++) {
            if (done.getAsBoolean()) {
                return true;
            }
            run(1);
        }
        return done.getAsBoolean();
    }

    /**
     * Receives {@code frame} on h's veth1, after making the sequence numbers of a segment of the
     * established connection absolute (see the class comment). Does not run the loop.
     */
    void inject(byte[] frame) {
        recording = true;
        byte[] f = frame.clone();
        int ip = EthernetHeader.HEADER_LEN;
        if (f.length >= ip + 20 && EthernetHeader.etherType(f, 0) == EtherType.IPV4 && Ipv4Header.version(f, ip) == 4
                && Ipv4Header.protocol(f, ip) == IpProtocol.TCP && !Ipv4Header.isFragment(f, ip)
                && Ipv4Header.src(f, ip) == C && Ipv4Header.dst(f, ip) == H) {
            int th = ip + Ipv4Header.headerLength(f, ip);
            if (th + TcpHeader.MIN_LEN <= f.length && TcpHeader.srcPort(f, th) == CLIENT_PORT && TcpHeader.dstPort(f, th) == TCP_PORT) {
                TcpHeader.setSeq(f, th, TcpHeader.seq(f, th) + clientIsn);
                TcpHeader.setAck(f, th, TcpHeader.ack(f, th) + serverIsn);
                int ts = connectionTcp(f, 0, f.length, true) == th ? timestampOption(f, th) : -1;
                if (ts >= 0) {
                    Bytes.setU32(f, ts, Bytes.u32(f, ts) + clientTsRecent);
                    Bytes.setU32(f, ts + 4, Bytes.u32(f, ts + 4) + serverTs0);
                }
            }
        }
        // An ICMP error from c quoting a segment h sent on the connection: the quoted sequence
        // number is relative too (RFC 5927 4.1: TCP checks it against its send window).
        if (f.length >= ip + 20 && EthernetHeader.etherType(f, 0) == EtherType.IPV4 && Ipv4Header.version(f, ip) == 4
                && Ipv4Header.protocol(f, ip) == IpProtocol.ICMP && !Ipv4Header.isFragment(f, ip)) {
            int icmp = ip + Ipv4Header.headerLength(f, ip);
            int q = icmp + 8;
            // Only errors quote a datagram: an echo request whose data happens to look like one
            // must come back unchanged (a fuzzing finding of the harness, kept as a seed).
            if (q + 20 <= f.length && IcmpHeader.isError(IcmpHeader.type(f, icmp)) && Ipv4Header.version(f, q) == 4 && Ipv4Header.protocol(f, q) == IpProtocol.TCP
                    && Ipv4Header.src(f, q) == H && Ipv4Header.dst(f, q) == C) {
                int qt = q + Ipv4Header.headerLength(f, q);
                if (qt + 8 <= f.length && TcpHeader.srcPort(f, qt) == TCP_PORT && TcpHeader.dstPort(f, qt) == CLIENT_PORT) {
                    TcpHeader.setSeq(f, qt, TcpHeader.seq(f, qt) + serverIsn);
                }
            }
        }
        injectRaw(f);
    }

    private void injectRaw(byte[] f) {
        PacketBuffer skb = stack.loop().pool().alloc(f.length);
        int off = skb.put(f.length);
        System.arraycopy(f, 0, skb.array(), off, f.length);
        ch[1].netifRx(skb);
    }

    /** Builds an Ethernet + IPv4 frame from c to h around {@code payload} (fixed 20-byte header, valid checksum). */
    static byte[] ipFrame(int protocol, int dst, byte[] payload) {
        byte[] f = new byte[EthernetHeader.HEADER_LEN + 20 + payload.length];
        EthernetHeader.setDst(f, 0, MAC_H);
        EthernetHeader.setSrc(f, 0, MAC_C);
        EthernetHeader.setEtherType(f, 0, EtherType.IPV4);
        int ip = EthernetHeader.HEADER_LEN;
        Ipv4Header.setVersionIhl(f, ip, 20);
        Ipv4Header.setTotalLength(f, ip, Math.min(0xffff, 20 + payload.length));
        Ipv4Header.setIdent(f, ip, 1);
        Ipv4Header.setTtl(f, ip, 64);
        Ipv4Header.setProtocol(f, ip, protocol);
        Ipv4Header.setSrc(f, ip, C);
        Ipv4Header.setDst(f, ip, dst);
        Ipv4Header.fillChecksum(f, ip);
        System.arraycopy(payload, 0, f, ip + 20, payload.length);
        return f;
    }

    /** Builds an Ethernet frame from c to h of the given type around {@code payload}. */
    static byte[] ethFrame(int etherType, long dstMac, byte[] payload) {
        byte[] f = new byte[EthernetHeader.HEADER_LEN + payload.length];
        EthernetHeader.setDst(f, 0, dstMac);
        EthernetHeader.setSrc(f, 0, MAC_C);
        EthernetHeader.setEtherType(f, 0, etherType);
        System.arraycopy(payload, 0, f, EthernetHeader.HEADER_LEN, payload.length);
        return f;
    }

    /** What one probe of h saw come back. */
    private static final class Echoes implements EchoListener {
        final List<Integer> replies = new ArrayList<>();

        @Override
        public void echoReply(int from, int sequence, int ttl, int icmpLength, byte[] data, int offset, int dataLength) {
            replies.add(sequence);
        }

        @Override
        public void error(int from, int type, int code, int info, int sequence) {
        }
    }

    /**
     * Checks that h still serves: b (on the other link, which no fuzzed frame reaches) pings h
     * and opens a new TCP connection to h:5001, and c reaches b through h. Throws an
     * AssertionError naming what failed.
     */
    void assertStillServing() {
        Echoes echoes = new Echoes();
        b.icmp().openEcho(0x4242, echoes);
        b.icmp().sendEcho(H2, 0, 0x4242, 1, new byte[8], 8, 0, 0, false, 0);
        runUntil(() -> !echoes.replies.isEmpty(), 100);
        b.icmp().closeEcho(0x4242);
        if (echoes.replies.isEmpty()) {
            throw new AssertionError("h no longer answers b's ping; drops " + dropSummary());
        }
        TcpSock probe = b.tcp().open(null);
        TcpCalls.connect(probe, H2, TCP_PORT);
        TcpSock[] accepted = new TcpSock[1];
        boolean ok = runUntil(() -> (accepted[0] = accepted[0] != null ? accepted[0] : TcpCalls.accept(listener)) != null
                && probe.state() == TcpState.ESTABLISHED, 3000);
        if (!ok) {
            throw new AssertionError("no new TCP connection from b to h:5001 (client " + probe.state() + ")");
        }
        for (TcpSock s : List.of(probe, accepted[0])) {
            TcpCalls.abort(s);
            TcpCalls.close(s);
        }
        Echoes routed = new Echoes();
        c.icmp().openEcho(0x4343, routed);
        c.icmp().sendEcho(B, 0, 0x4343, 1, new byte[8], 8, 0, 0, false, 0);
        runUntil(() -> !routed.replies.isEmpty(), 100);
        c.icmp().closeEcho(0x4343);
        // c's path through h can legitimately be broken by the input (a fuzzed ARP packet may move
        // c's neighbour entry in h to another MAC, as Linux allows), so this one is not asserted.
    }

    String dropSummary() {
        StringBuilder s = new StringBuilder();
        for (DropReason r : DropReason.values()) {
            long n = h.drops().get(r);
            if (n != 0) {
                s.append(r).append('=').append(n).append(' ');
            }
        }
        return s.toString();
    }

    /**
     * Closes every socket, lets every timer run out, deletes the namespaces and checks that
     * every packet buffer taken from the pool came back.
     */
    void assertNoLeak() {
        for (Namespace ns : List.of(c, h, b)) {
            for (UdpSock s : List.copyOf(ns.udp().sockets())) {
                s.close();
            }
        }
        // The application lets go of every socket (tcp_close): unread data turns it into a
        // reset, the listener resets what it had not accepted, orphans finish on their timers.
        for (TcpSock s : List.of(client, server, listener)) {
            TcpCalls.close(s);
        }
        run(10 * 60 * 1000);
        for (Namespace ns : List.of(c, h, b)) {
            long estab = ns.tcp().mib().get(TcpMib.CurrEstab);
            if (estab != 0) {
                throw new AssertionError("CurrEstab " + estab + " in " + ns + " after every socket was closed");
            }
        }
        for (String n : List.of("c", "h", "b")) {
            stack.deleteNamespace(n);
        }
        run(1000);
        long live = stack.loop().pool().live();
        if (live != poolLiveAtStart) {
            throw new AssertionError("packet pool leak: " + (live - poolLiveAtStart) + " buffers still out after teardown");
        }
    }

    /**
     * The checks every target ends with: drops in h all name a reason, h still serves b (when
     * {@code serving}), and after teardown no packet buffer is missing from the pool.
     */
    void finish(boolean serving) {
        assertDropsNamed();
        if (serving) {
            assertStillServing();
        }
        assertNoLeak();
    }

    /**
     * Every drop names its reason (nothing in h counts as NOT_SPECIFIED), and no counter of h
     * went below zero (CurrEstab is decremented, so a state accounted twice would show).
     */
    void assertDropsNamed() {
        long n = h.drops().get(DropReason.NOT_SPECIFIED);
        if (n != 0) {
            throw new AssertionError(n + " drops without a reason in h");
        }
        for (Mib<?> m : List.of(h.ipv4().mib(), h.ipv4().extMib(), h.icmp().mib(), h.udp().mib(), h.tcp().mib(), h.tcp().extMib())) {
            assertNonNegative(m);
        }
    }

    private static <E extends Enum<E>> void assertNonNegative(Mib<E> m) {
        for (E k : m.keys()) {
            if (m.get(k) < 0) {
                throw new AssertionError(m.prefix() + " " + k + " = " + m.get(k));
            }
        }
    }

    @Override
    public void close() {
        stack.close();
    }
}
