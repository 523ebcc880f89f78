package io.netstack4j.attacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.PacketBuffer;
import io.netstack4j.drivers.Veth;
import io.netstack4j.icmp.EchoListener;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.ns.Routes;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpSock;
import io.netstack4j.tcp.TcpState;
import io.netstack4j.wire.ArpPacket;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.UdpHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The network every IP, ICMP and ARP attack test runs on, simulated on the test thread:
 * <pre>
 *   client 10.1.0.2 (veth0) ---- (veth1) 10.1.0.1 victim, default route via 10.1.0.2
 * </pre>
 * The victim listens on TCP port 80. Attack frames are built here from the wire classes and
 * injected as received on the victim's veth1, as if the attacker sat on the client's link;
 * {@link #assertServes} then shows that a ping and a new TCP connection from the client still
 * work. Every frame the victim transmits is kept in {@link #sent}.
 */
final class AttackNet {

    static final int CLIENT = ip("10.1.0.2");
    static final int VICTIM = ip("10.1.0.1");
    static final int PORT = 80;
    /** The attacker's link-layer address: no device has it. */
    static final long ATTACKER_MAC = 0x02_00_00_00_66_66L;

    final NetStack stack;
    final Namespace client;
    final Namespace victim;
    final Veth clientDev;
    final Veth victimDev;
    final TcpSock listener;
    /** Frames the victim transmitted on veth1, copied. */
    final List<byte[]> sent = new ArrayList<>();
    private int pingSequence;

    AttackNet() {
        this(4242);
    }

    AttackNet(long seed) {
        stack = NetStack.simulated(seed);
        client = stack.addNamespace("client");
        victim = stack.addNamespace("victim");
        Veth[] v = client.addVeth("veth0", victim, "veth1");
        clientDev = v[0];
        victimDev = v[1];
        client.inet().addAddress(clientDev, new Ipv4Address(CLIENT), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        victim.inet().addAddress(victimDev, new Ipv4Address(VICTIM), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        clientDev.setUp(true);
        victimDev.setUp(true);
        Routes.add(victim, "default", "10.1.0.2");
        victim.devices().addTap((dev, outgoing, frame, off, len) -> {
            if (outgoing && dev == victimDev) {
                sent.add(Arrays.copyOfRange(frame.array(), off, off + len));
            }
        });
        listener = victim.tcp().open(null);
        TcpCalls.bind(listener, 0, PORT);
        TcpCalls.listen(listener, 128);
        run(100);
    }

    static int ip(String dotted) {
        return Ipv4Address.parse(dotted).bits();
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

    /** Buffers of the loop's pool handed out and not freed: what the stack holds right now. */
    long liveBuffers() {
        return stack.loop().pool().live();
    }

    // ---- service checks ------------------------------------------------------------------------

    /** One echo request from the client to the victim; true when the reply came back within a second. */
    boolean ping() {
        int seq = ++pingSequence;
        List<Integer> replies = new ArrayList<>();
        int ident = 0x5150;
        client.icmp().openEcho(ident, new EchoListener() {
            @Override
            public void echoReply(int from, int sequence, int ttl, int icmpLength, byte[] data, int offset, int dataLength) {
                if (from == VICTIM) {
                    replies.add(sequence);
                }
            }

            @Override
            public void error(int from, int type, int code, int info, int sequence) {
            }
        });
        try {
            client.icmp().sendEcho(VICTIM, 0, ident, seq, new byte[56], 56, 0, 0, false, 0);
            runUntil(() -> replies.contains(seq), 1000);
        } finally {
            client.icmp().closeEcho(ident);
        }
        return replies.contains(seq);
    }

    /**
     * A new TCP connection from the client to the victim's port 80 that carries 1000 bytes each
     * way and closes; true when all of it happened within 10 s.
     */
    boolean tcpConnect() {
        TcpSock c = client.tcp().open(null);
        TcpCalls.connect(c, VICTIM, PORT);
        TcpSock[] s = new TcpSock[1];
        boolean up = runUntil(() -> (s[0] = s[0] != null ? s[0] : TcpCalls.accept(listener)) != null
                && c.state() == TcpState.ESTABLISHED, 10_000);
        if (!up) {
            TcpCalls.abort(c);
            return false;
        }
        byte[] out = new byte[1000];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (i * 7);
        }
        TcpCalls.send(c, out, 0, out.length);
        TcpCalls.send(s[0], out, 0, out.length);
        byte[] atServer = new byte[out.length];
        byte[] atClient = new byte[out.length];
        int[] got = new int[2];
        boolean moved = runUntil(() -> {
            got[0] += Math.max(0, TcpCalls.recv(s[0], atServer, got[0], out.length - got[0]));
            got[1] += Math.max(0, TcpCalls.recv(c, atClient, got[1], out.length - got[1]));
            return got[0] == out.length && got[1] == out.length;
        }, 10_000);
        TcpCalls.close(c);
        TcpCalls.close(s[0]);
        run(100);
        if (!moved) {
            return false;
        }
        assertArrayEquals(out, atServer);
        assertArrayEquals(out, atClient);
        return true;
    }

    /** The victim still answers a ping and accepts a new TCP connection that carries data. */
    void assertServes() {
        assertTrue(ping(), "the victim answers a ping after the attack");
        assertTrue(tcpConnect(), "a new TCP connection to the victim works after the attack");
    }

    /** After the attack is over and the loop has run, the stack holds no more buffers than before it. */
    void assertNoBuffersHeldBeyond(long before) {
        run(10);
        assertTrue(liveBuffers() <= before, "buffers held: " + liveBuffers() + ", before the attack " + before);
    }

    // ---- injection -------------------------------------------------------------------------------

    /** Receives a raw Ethernet frame on the victim's veth1 (no loop run). */
    void injectFrame(byte[] frame) {
        PacketBuffer skb = stack.loop().pool().alloc(frame.length);
        int off = skb.put(frame.length);
        System.arraycopy(frame, 0, skb.array(), off, frame.length);
        victimDev.netifRx(skb);
    }

    /** Receives an IPv4 datagram (from its header on) in an Ethernet frame addressed to the victim. */
    void inject(byte[] datagram) {
        injectFrame(ethernet(victimDev.mac(), ATTACKER_MAC, EtherType.IPV4, datagram));
    }

    /** Injects and runs the loop for {@code millis}. */
    void injectAndRun(byte[] datagram, long millis) {
        inject(datagram);
        run(millis);
    }

    // ---- frame builders --------------------------------------------------------------------------

    static byte[] ethernet(long dst, long src, int etherType, byte[] payload) {
        byte[] f = new byte[EthernetHeader.HEADER_LEN + payload.length];
        EthernetHeader.setDst(f, 0, dst);
        EthernetHeader.setSrc(f, 0, src);
        EthernetHeader.setEtherType(f, 0, etherType);
        System.arraycopy(payload, 0, f, EthernetHeader.HEADER_LEN, payload.length);
        return f;
    }

    /**
     * An IPv4 datagram: a header with {@code options} (padded to 4 bytes by the caller) and
     * a correct checksum, then {@code payload}. The fragment offset is in bytes.
     */
    static byte[] ipv4(int src, int dst, int protocol, int id, boolean mf, int fragOffsetBytes, byte[] options, byte[] payload) {
        int hlen = Ipv4Header.MIN_LEN + options.length;
        byte[] d = new byte[hlen + payload.length];
        Ipv4Header.setVersionIhl(d, 0, hlen);
        Ipv4Header.setTotalLength(d, 0, d.length);
        Ipv4Header.setIdent(d, 0, id);
        Ipv4Header.setFlagsFragment(d, 0, false, mf, fragOffsetBytes);
        Ipv4Header.setTtl(d, 0, 64);
        Ipv4Header.setProtocol(d, 0, protocol);
        Ipv4Header.setSrc(d, 0, src);
        Ipv4Header.setDst(d, 0, dst);
        System.arraycopy(options, 0, d, Ipv4Header.MIN_LEN, options.length);
        System.arraycopy(payload, 0, d, hlen, payload.length);
        Ipv4Header.fillChecksum(d, 0);
        return d;
    }

    static byte[] ipv4(int src, int dst, int protocol, byte[] payload) {
        return ipv4(src, dst, protocol, 0x1234, false, 0, new byte[0], payload);
    }

    /** Recomputes the header checksum after a test changed header fields. */
    static byte[] refill(byte[] datagram) {
        Ipv4Header.fillChecksum(datagram, 0);
        return datagram;
    }

    /** An ICMP message of {@code type}/{@code code} with the 4 bytes after the checksum and a body. */
    static byte[] icmp(int type, int code, int rest, byte[] body) {
        byte[] m = new byte[IcmpHeader.HEADER_LEN + body.length];
        IcmpHeader.setType(m, 0, type);
        IcmpHeader.setCode(m, 0, code);
        IcmpHeader.setRest(m, 0, rest);
        System.arraycopy(body, 0, m, IcmpHeader.HEADER_LEN, body.length);
        IcmpHeader.fillChecksum(m, 0, m.length);
        return m;
    }

    static byte[] echoRequest(int ident, int seq, int dataLen) {
        byte[] data = new byte[dataLen];
        for (int i = 0; i < dataLen; i++) {
            data[i] = (byte) i;
        }
        return icmp(IcmpHeader.ECHO, 0, ident << 16 | seq, data);
    }

    /** A UDP datagram with a correct checksum over the pseudo-header of src→dst. */
    static byte[] udp(int src, int dst, int sport, int dport, byte[] data) {
        byte[] u = new byte[UdpHeader.HEADER_LEN + data.length];
        UdpHeader.setSrcPort(u, 0, sport);
        UdpHeader.setDstPort(u, 0, dport);
        UdpHeader.setLength(u, 0, u.length);
        System.arraycopy(data, 0, u, UdpHeader.HEADER_LEN, data.length);
        UdpHeader.fillChecksum(u, 0, u.length, src, dst);
        return u;
    }

    /** A TCP segment with no options and a correct checksum over the pseudo-header of src→dst. */
    static byte[] tcp(int src, int dst, int sport, int dport, int flags, int seq, int ack, byte[] data) {
        byte[] t = new byte[TcpHeader.MIN_LEN + data.length];
        TcpHeader.setSrcPort(t, 0, sport);
        TcpHeader.setDstPort(t, 0, dport);
        TcpHeader.setSeq(t, 0, seq);
        TcpHeader.setAck(t, 0, ack);
        TcpHeader.setHeaderLength(t, 0, TcpHeader.MIN_LEN);
        TcpHeader.setFlags(t, 0, flags);
        TcpHeader.setWindow(t, 0, 65535);
        System.arraycopy(data, 0, t, TcpHeader.MIN_LEN, data.length);
        TcpHeader.fillChecksum(t, 0, t.length, src, dst);
        return t;
    }

    /** An Ethernet/IPv4 ARP packet (28 bytes, no padding) in a frame from {@code ethSrc} to {@code ethDst}. */
    static byte[] arp(long ethDst, long ethSrc, int op, long sha, int sip, long tha, int tip) {
        byte[] a = new byte[ArpPacket.LEN];
        ArpPacket.setEthernetIpv4(a, 0, op);
        ArpPacket.setSenderHw(a, 0, sha);
        ArpPacket.setSenderIp(a, 0, sip);
        ArpPacket.setTargetHw(a, 0, tha);
        ArpPacket.setTargetIp(a, 0, tip);
        return ethernet(ethDst, ethSrc, EtherType.ARP, a);
    }

    // ---- what the victim sent ------------------------------------------------------------------

    /** IPv4 datagrams the victim sent with protocol {@code protocol}, each from its IP header on. */
    List<byte[]> sentIp(int protocol) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] f : sent) {
            if (EthernetHeader.etherType(f, 0) == EtherType.IPV4
                    && Ipv4Header.protocol(f, EthernetHeader.HEADER_LEN) == protocol) {
                out.add(Arrays.copyOfRange(f, EthernetHeader.HEADER_LEN, f.length));
            }
        }
        return out;
    }

    /** ICMP messages of {@code type} the victim sent. */
    int sentIcmp(int type) {
        int n = 0;
        for (byte[] d : sentIp(IpProtocol.ICMP)) {
            if (IcmpHeader.type(d, Ipv4Header.headerLength(d, 0)) == type) {
                n++;
            }
        }
        return n;
    }
}
