package io.netstack4j.attacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.drivers.Veth;
import io.netstack4j.icmp.EchoListener;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.neigh.Nud;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.route.Fib;
import io.netstack4j.route.RouteSpec;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpExtMib;
import io.netstack4j.tcp.TcpSock;
import io.netstack4j.tcp.TcpSockInfo;
import io.netstack4j.tcp.TcpState;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * The network the TCP attack tests run on, simulated on the test thread in virtual time:
 * <pre>
 *   victim 10.0.0.1 (veth v0) ----- (veth c0) 10.0.0.2 client
 * </pre>
 * The victim listens on port 80 (backlog 128) and routes everything off the subnet through the
 * client, which does not forward, so answers to spoofed far sources (198.18.0.0/15) die there.
 * The attacker is a frame source on the same wire: {@link #inject} hands a datagram built with
 * the wire classes to the victim's v0 as if received. It may claim any source; as 10.0.0.66
 * (an address the victim reaches through a permanent ARP entry that leads nowhere) it can run
 * its own handshakes, reading the victim's answers from {@link #sent}, which records every TCP
 * segment the victim transmits.
 */
final class TcpAttackNet {

    static final int VICTIM = Ipv4Address.parse("10.0.0.1").bits();
    static final int CLIENT = Ipv4Address.parse("10.0.0.2").bits();
    static final int ATTACKER = Ipv4Address.parse("10.0.0.66").bits();
    static final int SPOOFED_NET = Ipv4Address.parse("198.18.0.0").bits();
    static final int PORT = 80;
    static final long ATTACKER_MAC = 0x02_00_00_00_00_66L;

    /** A segment the victim sent, parsed. */
    record Seg(int src, int dst, int sport, int dport, int flags, int seq, int ack, int window, int payload, TcpOptions opt) {

        boolean has(int flag) {
            return (flags & flag) != 0;
        }

        @Override
        public String toString() {
            return "[" + new Ipv4Address(src) + ":" + sport + " > " + new Ipv4Address(dst) + ":" + dport + " " + TcpHeader.flagString(flags)
                    + " seq=" + Integer.toUnsignedString(seq) + " ack=" + Integer.toUnsignedString(ack) + " win=" + window + " len=" + payload
                    + "]";
        }
    }

    final NetStack stack;
    final Namespace victim;
    final Namespace client;
    final Veth[] link;
    final TcpSock service;
    final List<Seg> sent = new ArrayList<>();
    private final List<TcpSock> acceptedElsewhere = new ArrayList<>();
    private int echoSeq;

    TcpAttackNet(long seed) {
        stack = NetStack.simulated(seed);
        victim = stack.addNamespace("victim");
        client = stack.addNamespace("client");
        link = victim.addVeth("v0", client, "c0");
        victim.inet().addAddress(link[0], new Ipv4Address(VICTIM), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        client.inet().addAddress(link[1], new Ipv4Address(CLIENT), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        link[0].setUp(true);
        link[1].setUp(true);
        victim.addRoute(RouteSpec.to("default").via("10.0.0.2").build(), Fib.Op.ADD);
        victim.arp().add(ATTACKER, link[0], ATTACKER_MAC, Nud.PERMANENT, true);
        victim.devices().addTap((dev, outgoing, frame, off, len) -> {
            if (outgoing && dev == link[0]) {
                record(frame.array(), off);
            }
        });
        service = victim.tcp().open(null);
        TcpCalls.bind(service, 0, PORT);
        TcpCalls.listen(service, 128);
    }

    private void record(byte[] b, int off) {
        if (EthernetHeader.etherType(b, off) != EtherType.IPV4) {
            return;
        }
        int ip = off + EthernetHeader.HEADER_LEN;
        if (Ipv4Header.protocol(b, ip) != IpProtocol.TCP) {
            return;
        }
        int th = ip + Ipv4Header.headerLength(b, ip);
        int tcpLen = Ipv4Header.totalLength(b, ip) - Ipv4Header.headerLength(b, ip);
        TcpOptions opt = new TcpOptions();
        opt.parse(b, th);
        sent.add(new Seg(Ipv4Header.src(b, ip), Ipv4Header.dst(b, ip), TcpHeader.srcPort(b, th), TcpHeader.dstPort(b, th),
                TcpHeader.flags(b, th), TcpHeader.seq(b, th), TcpHeader.ack(b, th), TcpHeader.window(b, th),
                tcpLen - TcpHeader.headerLength(b, th), opt));
    }

    void run(long millis) {
        stack.loop().runFor(millis * 1_000_000L);
    }

    /** Runs in 1 ms steps until {@code done} or {@code maxMillis} pass; returns whether it became true. */
    boolean runUntil(BooleanSupplier done, long maxMillis) {
        for (long t = 0; t < maxMillis; t++) {
            if (done.getAsBoolean()) {
                return true;
            }
            run(1);
        }
        return done.getAsBoolean();
    }

    /** The segments the victim sent since the last call, and forgets them. */
    List<Seg> take() {
        List<Seg> s = new ArrayList<>(sent);
        sent.clear();
        return s;
    }

    /** The segments the victim sent since the last call to {@code dst:dport}, forgetting all. */
    List<Seg> takeTo(int dst, int dport) {
        return take().stream().filter(s -> s.dst() == dst && s.dport() == dport).toList();
    }

    long ext(TcpExtMib m) {
        return victim.tcp().extMib().get(m);
    }

    long drops(DropReason r) {
        return victim.drops().get(r);
    }

    // ---- building and injecting datagrams ----

    /** Hands an IPv4 datagram to the victim as a frame received on v0 from the attacker's MAC, and runs 1 ms. */
    void inject(byte[] datagram) {
        PacketBuffer skb = stack.loop().pool().alloc(EthernetHeader.HEADER_LEN + datagram.length);
        int off = skb.put(EthernetHeader.HEADER_LEN + datagram.length);
        byte[] b = skb.array();
        EthernetHeader.setDst(b, off, link[0].mac());
        EthernetHeader.setSrc(b, off, ATTACKER_MAC);
        EthernetHeader.setEtherType(b, off, EtherType.IPV4);
        System.arraycopy(datagram, 0, b, off + EthernetHeader.HEADER_LEN, datagram.length);
        link[0].netifRx(skb);
        run(1);
    }

    static byte[] ipv4(int src, int dst, int protocol, byte[] l4) {
        byte[] d = new byte[Ipv4Header.MIN_LEN + l4.length];
        Ipv4Header.setVersionIhl(d, 0, Ipv4Header.MIN_LEN);
        Ipv4Header.setTotalLength(d, 0, d.length);
        Ipv4Header.setTtl(d, 0, 64);
        Ipv4Header.setProtocol(d, 0, protocol);
        Ipv4Header.setSrc(d, 0, src);
        Ipv4Header.setDst(d, 0, dst);
        Ipv4Header.fillChecksum(d, 0);
        System.arraycopy(l4, 0, d, Ipv4Header.MIN_LEN, l4.length);
        return d;
    }

    /** A TCP segment in an IPv4 datagram, checksums right; {@code options} are NUL-padded to a multiple of 4. */
    static byte[] tcp(int src, int dst, int sport, int dport, int flags, int seq, int ack, int window, byte[] options, byte[] payload,
            int urgPtr) {
        int optLen = (options.length + 3) & ~3;
        byte[] t = new byte[TcpHeader.MIN_LEN + optLen + payload.length];
        TcpHeader.setSrcPort(t, 0, sport);
        TcpHeader.setDstPort(t, 0, dport);
        TcpHeader.setSeq(t, 0, seq);
        TcpHeader.setAck(t, 0, ack);
        TcpHeader.setHeaderLength(t, 0, TcpHeader.MIN_LEN + optLen);
        TcpHeader.setFlags(t, 0, flags);
        TcpHeader.setWindow(t, 0, window);
        TcpHeader.setUrgentPointer(t, 0, urgPtr);
        System.arraycopy(options, 0, t, TcpHeader.MIN_LEN, options.length);
        System.arraycopy(payload, 0, t, TcpHeader.MIN_LEN + optLen, payload.length);
        TcpHeader.fillChecksum(t, 0, t.length, src, dst);
        return ipv4(src, dst, IpProtocol.TCP, t);
    }

    static byte[] tcp(int src, int dst, int sport, int dport, int flags, int seq, int ack, int window, byte[] options, byte[] payload) {
        return tcp(src, dst, sport, dport, flags, seq, ack, window, options, payload, 0);
    }

    /** An ICMP error from {@code from} to the victim quoting {@code quoted} (header + 8 bytes, as RFC 792). */
    static byte[] icmpError(int from, int type, int code, int info, byte[] quoted) {
        int q = Math.min(quoted.length, Ipv4Header.headerLength(quoted, 0) + 8);
        byte[] m = new byte[IcmpHeader.HEADER_LEN + q];
        IcmpHeader.setType(m, 0, type);
        IcmpHeader.setCode(m, 0, code);
        if (type == IcmpHeader.DEST_UNREACH && code == IcmpHeader.FRAG_NEEDED) {
            IcmpHeader.setNextHopMtu(m, 0, info);
        }
        System.arraycopy(quoted, 0, m, IcmpHeader.HEADER_LEN, q);
        IcmpHeader.fillChecksum(m, 0, m.length);
        return ipv4(from, VICTIM, IpProtocol.ICMP, m);
    }

    /** Linux's SYN options: MSS, sackOK, TS, NOP, wscale. */
    static byte[] synOptions(int mss, int wscale) {
        byte[] o = new byte[20];
        TcpOptions.writeSyn(o, 0, mss, true, true, 1, 0, wscale);
        return o;
    }

    static final byte[] NONE = new byte[0];

    // ---- connections ----

    /** The victim's accepted socket for {@code raddr:rport}, accepting (and keeping aside) any others queued first. */
    TcpSock acceptFrom(int raddr, int rport) {
        for (TcpSock s : acceptedElsewhere) {
            if (s.remoteAddress() == raddr && s.remotePort() == rport) {
                acceptedElsewhere.remove(s);
                return s;
            }
        }
        for (TcpSock s; (s = TcpCalls.accept(service)) != null;) {
            if (s.remoteAddress() == raddr && s.remotePort() == rport) {
                return s;
            }
            acceptedElsewhere.add(s);
        }
        return null;
    }

    /** A real connection client -> victim:80: {client socket, victim's accepted socket}. */
    TcpSock[] connect() {
        TcpSock c = client.tcp().open(null);
        TcpCalls.connect(c, VICTIM, PORT);
        TcpSock[] s = new TcpSock[1];
        boolean ok = runUntil(() -> c.state() == TcpState.ESTABLISHED && (s[0] != null || (s[0] = acceptFrom(CLIENT, c.localPort())) != null),
                10_000);
        assertTrue(ok, "client connection to the victim: " + c.state());
        return new TcpSock[] {c, s[0]};
    }

    /** Sends {@code data} from {@code from} and reads it at {@code to}; the bytes must arrive unchanged. */
    void transfer(TcpSock from, TcpSock to, byte[] data, long maxMillis) {
        byte[] got = new byte[data.length];
        int[] sentN = {0};
        int[] gotN = {0};
        runUntil(() -> {
            if (sentN[0] < data.length) {
                sentN[0] += TcpCalls.send(from, data, sentN[0], data.length - sentN[0]);
            }
            int n = TcpCalls.recv(to, got, gotN[0], data.length - gotN[0]);
            if (n > 0) {
                gotN[0] += n;
            }
            return gotN[0] == data.length;
        }, maxMillis);
        assertEquals(data.length, gotN[0], "bytes delivered");
        assertArrayEquals(data, got);
    }

    /** One echo request client -> victim; true when the reply came back within a second. */
    boolean ping() {
        int ident = 0x5151;
        int seq = ++echoSeq;
        boolean[] reply = {false};
        client.icmp().openEcho(ident, new EchoListener() {
            @Override
            public void echoReply(int from, int sequence, int ttl, int icmpLength, byte[] data, int offset, int dataLength) {
                reply[0] |= from == VICTIM && sequence == seq;
            }

            @Override
            public void error(int from, int type, int code, int info, int sequence) {
            }
        });
        try {
            client.icmp().sendEcho(VICTIM, 0, ident, seq, new byte[56], 56, 0, 0, false, 0);
            runUntil(() -> reply[0], 1000);
        } finally {
            client.icmp().closeEcho(ident);
        }
        return reply[0];
    }

    /**
     * What every attack test ends with: the victim still answers a ping, and a new connection
     * from the client is accepted and carries 20 kB both ways intact.
     */
    void assertServing(String after) {
        assertTrue(ping(), "ping after " + after);
        TcpSock[] c = connect();
        byte[] data = new byte[20_000];
        new Random(after.hashCode()).nextBytes(data);
        transfer(c[0], c[1], data, 10_000);
        transfer(c[1], c[0], data, 10_000);
        TcpCalls.close(c[0]);
        TcpCalls.close(c[1]);
        run(1000);
    }

    /** Request mini-sockets (SYN_RECV, no full socket yet) the victim holds. */
    int requestSocks() {
        int n = 0;
        for (TcpSockInfo s : victim.tcp().sockets()) {
            if (s.state() == TcpState.SYN_RECV && s.info() == null) {
                n++;
            }
        }
        return n;
    }

    /**
     * A connection the attacker (10.0.0.66) runs by hand against victim:80: it sends the SYN
     * with {@code synOptions}, reads the SYN-ACK and completes the handshake. The victim's
     * accepted socket is {@link #sock}.
     */
    final class Peer {
        final int sport;
        int sndNxt;
        /** The next sequence number expected from the victim. */
        int rcvNxt;
        final boolean ts;
        int tsVal = 1000;
        final TcpSock sock;
        final Seg synAck;

        Peer(int sport, int isn, byte[] synOpts, int window) {
            this.sport = sport;
            take();
            inject(tcp(ATTACKER, VICTIM, sport, PORT, TcpHeader.SYN, isn, 0, window, synOpts, NONE));
            List<Seg> answer = takeTo(ATTACKER, sport);
            assertEquals(1, answer.size(), "one SYN-ACK: " + answer);
            synAck = answer.getFirst();
            assertEquals(TcpHeader.SYN | TcpHeader.ACK_FLAG, synAck.flags());
            ts = synAck.opt().sawTstamp;
            sndNxt = isn + 1;
            rcvNxt = synAck.seq() + 1;
            send(TcpHeader.ACK_FLAG, window, NONE);
            sock = acceptFrom(ATTACKER, sport);
            assertTrue(sock != null && sock.state() == TcpState.ESTABLISHED, "the attacker's handshake completed");
        }

        /** The options every segment of this connection carries (the timestamp, if agreed). */
        byte[] options() {
            if (!ts) {
                return NONE;
            }
            byte[] o = new byte[12];
            TcpOptions.writeTimestamp(o, 0, ++tsVal, 0);
            return o;
        }

        /** Sends a segment at sndNxt acknowledging rcvNxt, advancing sndNxt by the payload. */
        void send(int flags, int window, byte[] payload) {
            inject(tcp(ATTACKER, VICTIM, sport, PORT, flags, sndNxt, rcvNxt, window, options(), payload));
            sndNxt += payload.length;
        }

        /** Sends a segment with explicit sequence numbers and options. */
        void sendRaw(int flags, int seq, int ack, int window, byte[] options, byte[] payload) {
            inject(tcp(ATTACKER, VICTIM, sport, PORT, flags, seq, ack, window, options, payload));
        }

        /** The victim's segments to this peer since the last call. */
        List<Seg> received() {
            List<Seg> out = new ArrayList<>();
            List<Seg> keep = new ArrayList<>();
            for (Seg s : sent) {
                (s.dst() == ATTACKER && s.dport() == sport ? out : keep).add(s);
            }
            sent.clear();
            sent.addAll(keep);
            return out;
        }
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String hex(byte[] b) {
        return Arrays.toString(b);
    }
}
