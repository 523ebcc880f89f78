package io.netstack4j.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.drivers.Veth;
import io.netstack4j.icmp.IcmpMib;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ipv4.IpMib;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.sched.Netem;
import io.netstack4j.sched.NetemSpec;
import io.netstack4j.socket.UdpSocket;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.EthernetHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.UdpHeader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * UDP between two namespaces joined by a veth pair, on a simulated clock driven by the test
 * thread (which owns the loop, so socket calls run inline and never block):
 *
 * <pre>
 *   a 10.0.0.1/24 veth0 ---- veth1 10.0.0.2/24 b
 * </pre>
 */
class UdpTest {

    private static final Ipv4Address A = Ipv4Address.parse("10.0.0.1");
    private static final Ipv4Address B = Ipv4Address.parse("10.0.0.2");

    private NetStack stack;
    private Namespace a;
    private Namespace b;
    private Veth[] link;

    @BeforeEach
    void twoHosts() {
        stack = NetStack.simulated(7);
        a = stack.addNamespace("a");
        b = stack.addNamespace("b");
        link = a.addVeth("veth0", b, "veth1");
        a.inet().addAddress(link[0], A, 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        b.inet().addAddress(link[1], B, 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        link[0].setUp(true);
        link[1].setUp(true);
    }

    private void run() {
        stack.loop().runFor(100_000_000L);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] buf, int n) {
        return new String(buf, 0, n, StandardCharsets.US_ASCII);
    }

    private static UdpSocket bound(Namespace ns, Ipv4Address addr, int port) {
        UdpSocket s = UdpSocket.open(ns);
        s.bind(addr, port);
        return s;
    }

    private long udp(Namespace ns, UdpMib m) {
        return ns.udp().mib().get(m);
    }

    @Test
    void datagramsCrossTheVethWithTheirSender() {
        UdpSocket server = bound(b, Ipv4Address.ANY, 5000);
        UdpSocket client = bound(a, Ipv4Address.ANY, 4000);
        client.sendTo(bytes("hello"), 0, 5, B, 5000);
        client.sendTo(bytes("world!"), 0, 6, B, 5000);
        run();
        byte[] buf = new byte[100];
        UdpSocket.Received r = server.receiveFrom(buf, 0, buf.length);
        assertEquals("hello", text(buf, r.length()));
        assertEquals(new UdpSocket.Received(5, A, 4000), r, "recvfrom reports the sender");
        assertEquals("world!", text(buf, server.receive(buf, 0, buf.length)));
        assertEquals(2, udp(a, UdpMib.OutDatagrams));
        assertEquals(2, udp(b, UdpMib.InDatagrams));

        // And back: the reply goes to the address recvfrom reported.
        server.sendTo(bytes("pong"), 0, 4, r.address(), r.port());
        run();
        UdpSocket.Received back = client.receiveFrom(buf, 0, buf.length);
        assertEquals(new UdpSocket.Received(4, B, 5000), back);
        assertEquals(0, a.loop().pool().live(), "every buffer went back to the pool");
    }

    @Test
    void aShortBufferTruncatesTheDatagram() {
        UdpSocket server = bound(b, B, 5000);
        UdpSocket client = UdpSocket.open(a);
        client.sendTo(bytes("0123456789"), 0, 10, B, 5000);
        run();
        byte[] buf = new byte[4];
        assertEquals(4, server.receive(buf, 0, 4));
        assertEquals("0123", text(buf, 4));
        assertEquals(10, server.sock().lastLength());
    }

    @Test
    void aConnectedSocketOnlyHearsItsPeer() {
        UdpSocket server = bound(b, Ipv4Address.ANY, 5000);
        UdpSocket peer = bound(a, A, 4000);
        UdpSocket stranger = bound(a, A, 4001);
        server.connect(A, 4000);
        assertEquals(B, Ipv4Address.parse(server.localAddress().getAddress().getHostAddress()),
                "connect fixed the local address to the route's source");
        stranger.sendTo(bytes("nope"), 0, 4, B, 5000);
        peer.sendTo(bytes("yes"), 0, 3, B, 5000);
        run();
        byte[] buf = new byte[10];
        UdpSocket.Received r = server.receiveFrom(buf, 0, 10);
        assertEquals(new UdpSocket.Received(3, A, 4000), r);
        server.configureBlocking(false);
        assertEquals(Errno.EAGAIN, assertThrows(NetException.class, () -> server.receive(buf, 0, 10)).errno());
        assertEquals(1, udp(b, UdpMib.NoPorts), "the stranger's datagram found no socket");

        server.send(bytes("hi"), 0, 2);
        run();
        assertEquals(new UdpSocket.Received(2, B, 5000), peer.receiveFrom(buf, 0, 10));

        server.disconnect();
        stranger.sendTo(bytes("now"), 0, 3, B, 5000);
        run();
        assertEquals(new UdpSocket.Received(3, A, 4001), server.receiveFrom(buf, 0, 10), "disconnected: anyone again");
        assertEquals(Errno.EDESTADDRREQ, assertThrows(NetException.class, () -> server.send(bytes("x"), 0, 1)).errno());
    }

    @Test
    void aSpecificBindWinsOverAWildcardOne() {
        UdpSocket any = UdpSocket.open(b);
        any.setReuseAddress(true);
        any.bind(Ipv4Address.ANY, 5000);
        UdpSocket specific = UdpSocket.open(b);
        specific.setReuseAddress(true);
        specific.bind(B, 5000);
        UdpSocket newerAny = UdpSocket.open(b);
        newerAny.setReuseAddress(true);
        newerAny.bind(Ipv4Address.ANY, 5000);
        UdpSocket client = UdpSocket.open(a);
        client.sendTo(bytes("x"), 0, 1, B, 5000);
        run();
        assertTrue(specific.sock().readable(), "the socket bound to 10.0.0.2 is searched first");
        assertFalse(any.sock().readable());
        assertFalse(newerAny.sock().readable());

        specific.close();
        client.sendTo(bytes("y"), 0, 1, B, 5000);
        run();
        assertTrue(newerAny.sock().readable(), "among equal wildcard sockets the newest wins, as hlist_add_head");
        assertFalse(any.sock().readable());
    }

    @Test
    void bindConflictsAndSoReuseaddr() {
        UdpSocket first = bound(b, Ipv4Address.ANY, 6000);
        UdpSocket second = UdpSocket.open(b);
        assertEquals(Errno.EADDRINUSE, assertThrows(NetException.class, () -> second.bind(B, 6000)).errno(),
                "a specific address overlaps the wildcard");
        assertEquals(Errno.EADDRNOTAVAIL, assertThrows(NetException.class, () -> second.bind(A, 6001)).errno(),
                "10.0.0.1 is a's address, not b's");
        second.bind(Ipv4Address.LOOPBACK, 6001);
        assertEquals(Errno.EINVAL, assertThrows(NetException.class, () -> second.bind(B, 6002)).errno(), "already bound");

        UdpSocket third = UdpSocket.open(b);
        third.setReuseAddress(true);
        assertThrows(NetException.class, () -> third.bind(Ipv4Address.ANY, 6000), "SO_REUSEADDR is needed on both");
        first.setReuseAddress(true);
        third.bind(Ipv4Address.ANY, 6000);
        assertEquals(6000, third.localAddress().getPort());
    }

    @Test
    void ephemeralPortsComeFromIpLocalPortRange() {
        assertEquals("32768\t60999", b.sysctls().get("net.ipv4.ip_local_port_range"));
        for (String bad : List.of("5000 4000", "0 10", "1 65536", "7", "a b")) {
            assertEquals(Errno.EINVAL, assertThrows(NetException.class, () -> b.sysctls().set("net.ipv4.ip_local_port_range", bad))
                    .errno(), bad);
        }
        b.sysctls().set("net.ipv4.ip_local_port_range", "40000 40009");
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            int p = bound(b, Ipv4Address.ANY, 0).localAddress().getPort();
            assertTrue(p >= 40000 && p <= 40009, "port " + p);
            ports.add(p);
        }
        assertEquals(10, ports.size());
        UdpSocket eleventh = UdpSocket.open(b);
        assertEquals(Errno.EADDRINUSE, assertThrows(NetException.class, () -> eleventh.bind(Ipv4Address.ANY, 0)).errno());
        // Sending autobinds too.
        b.sysctls().set("net.ipv4.ip_local_port_range", "50000 50000");
        eleventh.sendTo(bytes("x"), 0, 1, A, 9);
        assertEquals(50000, eleventh.localAddress().getPort());
    }

    @Test
    void closeReleasesThePortAndFreesTheQueue() {
        UdpSocket server = bound(b, Ipv4Address.ANY, 7000);
        UdpSocket client = UdpSocket.open(a);
        client.sendTo(bytes("queued"), 0, 6, B, 7000);
        run();
        assertTrue(server.sock().rmemAlloc() > 0);
        server.close();
        assertEquals(0, server.sock().rmemAlloc());
        assertEquals(Errno.EBADF, assertThrows(NetException.class, () -> server.receive(new byte[1], 0, 1)).errno());
        bound(b, Ipv4Address.ANY, 7000).close();
        assertEquals(0, b.udp().sockets().size());
        assertEquals(0, stack.loop().pool().live());
    }

    @Test
    void portUnreachableRefusesTheConnectedSocketOnce() {
        UdpSocket client = UdpSocket.open(a);
        client.connect(B, 9);
        client.send(bytes("anyone?"), 0, 7);
        run();
        assertEquals(1, udp(b, UdpMib.NoPorts));
        assertEquals(1, b.icmp().mib().get(IcmpMib.OutDestUnreachs));
        assertEquals(1, b.drops().get(DropReason.NO_SOCKET));
        assertEquals(Errno.ECONNREFUSED, assertThrows(NetException.class, () -> client.send(bytes("again"), 0, 5)).errno());
        client.send(bytes("again"), 0, 5);
        run();
        assertEquals(Errno.ECONNREFUSED, assertThrows(NetException.class, () -> client.receive(new byte[8], 0, 8)).errno(),
                "a receive reports the error too");
        client.configureBlocking(false);
        assertEquals(Errno.EAGAIN, assertThrows(NetException.class, () -> client.receive(new byte[8], 0, 8)).errno(),
                "reported once");

        // An unconnected socket is not told (Linux without IP_RECVERR).
        UdpSocket loose = UdpSocket.open(a);
        loose.sendTo(bytes("x"), 0, 1, B, 9);
        run();
        assertEquals(3, udp(b, UdpMib.NoPorts));
        assertEquals(1, loose.sendTo(bytes("x"), 0, 1, B, 9));
    }

    /** Receives on b's veth1 a frame from a carrying a UDP datagram to {@code B:dport}, after {@code edit}. */
    private void inject(int dport, byte[] payload, Edit edit) {
        NetDevice veth1 = link[1];
        PacketBuffer skb = b.loop().pool().alloc(200 + payload.length);
        int total = 20 + 8 + payload.length;
        int off = skb.put(EthernetHeader.HEADER_LEN + total);
        byte[] f = skb.array();
        java.util.Arrays.fill(f, off, skb.tail(), (byte) 0);
        EthernetHeader.setDst(f, off, veth1.mac());
        EthernetHeader.setSrc(f, off, link[0].mac());
        EthernetHeader.setEtherType(f, off, EtherType.IPV4);
        int ip = off + EthernetHeader.HEADER_LEN;
        Ipv4Header.setVersionIhl(f, ip, 20);
        Ipv4Header.setTotalLength(f, ip, total);
        Ipv4Header.setTtl(f, ip, 64);
        Ipv4Header.setProtocol(f, ip, IpProtocol.UDP);
        Ipv4Header.setSrc(f, ip, A.bits());
        Ipv4Header.setDst(f, ip, B.bits());
        int uh = ip + 20;
        UdpHeader.setSrcPort(f, uh, 1234);
        UdpHeader.setDstPort(f, uh, dport);
        UdpHeader.setLength(f, uh, 8 + payload.length);
        System.arraycopy(payload, 0, f, uh + 8, payload.length);
        UdpHeader.fillChecksum(f, uh, 8 + payload.length, A.bits(), B.bits());
        edit.accept(f, ip, uh);
        Ipv4Header.fillChecksum(f, ip);
        veth1.netifRx(skb);
        run();
    }

    private interface Edit {
        void accept(byte[] f, int ip, int uh);
    }

    @Test
    void badChecksumsAreDroppedAndZeroMeansNone() {
        UdpSocket server = bound(b, Ipv4Address.ANY, 8000);
        server.configureBlocking(false);
        byte[] buf = new byte[16];
        inject(8000, bytes("good"), (f, ip, uh) -> { });
        assertEquals(4, server.receive(buf, 0, 16));

        inject(8000, bytes("bad"), (f, ip, uh) -> f[uh + 8] ^= 1);
        assertEquals(1, udp(b, UdpMib.InCsumErrors));
        assertEquals(1, udp(b, UdpMib.InErrors));
        assertEquals(1, b.drops().get(DropReason.UDP_CSUM));
        assertEquals(1, server.sock().drops());
        assertThrows(NetException.class, () -> server.receive(buf, 0, 16));

        inject(8000, bytes("none"), (f, ip, uh) -> UdpHeader.setChecksum(f, uh, 0));
        assertEquals(4, server.receive(buf, 0, 16), "RFC 768: a zero checksum was not computed, and is accepted");

        inject(8001, bytes("bad"), (f, ip, uh) -> f[uh + 8] ^= 1);
        assertEquals(2, udp(b, UdpMib.InCsumErrors), "checked before port unreachable");
        assertEquals(0, udp(b, UdpMib.NoPorts));
    }

    @Test
    void inconsistentLengthsAreDroppedAndTrailingBytesTrimmed() {
        UdpSocket server = bound(b, Ipv4Address.ANY, 8000);
        server.configureBlocking(false);
        byte[] buf = new byte[16];
        inject(8000, bytes("toolong"), (f, ip, uh) -> UdpHeader.setLength(f, uh, 100));
        inject(8000, bytes("tooshort"), (f, ip, uh) -> UdpHeader.setLength(f, uh, 7));
        inject(8000, bytes("abc"), (f, ip, uh) -> Ipv4Header.setTotalLength(f, ip, 20 + 6));
        assertEquals(3, udp(b, UdpMib.InErrors));
        assertEquals(3, b.drops().get(DropReason.PKT_TOO_SMALL));
        assertThrows(NetException.class, () -> server.receive(buf, 0, 16));

        // UDP length 8 + 3 inside a 3-byte longer IP payload: the tail is not data.
        inject(8000, bytes("abcxyz"), (f, ip, uh) -> {
            UdpHeader.setLength(f, uh, 11);
            UdpHeader.fillChecksum(f, uh, 11, A.bits(), B.bits());
        });
        assertEquals(3, server.receive(buf, 0, 16));
        assertEquals("abc", text(buf, 3));
    }

    @Test
    void aFullReceiveBufferDropsAndCounts() {
        UdpSocket server = bound(b, Ipv4Address.ANY, 8000);
        server.setReceiveBufferSize(1);
        assertEquals(2304, server.getReceiveBufferSize(), "SOCK_MIN_RCVBUF");
        server.setReceiveBufferSize(3000);
        assertEquals(6000, server.getReceiveBufferSize(), "doubled, as Linux");
        b.sysctls().set("net.core.rmem_max", "4000");
        server.setReceiveBufferSize(1 << 20);
        assertEquals(8000, server.getReceiveBufferSize(), "capped at rmem_max, then doubled");
        UdpSocket client = UdpSocket.open(a);
        for (int i = 0; i < 6; i++) {
            client.sendTo(bytes("d" + i), 0, 2, B, 8000);
        }
        run();
        // Each datagram costs 2304 (2 KiB array + sk_buff); a datagram is taken while rmem <= 8000.
        assertEquals(2, udp(b, UdpMib.RcvbufErrors));
        assertEquals(2, udp(b, UdpMib.InErrors));
        assertEquals(2, b.drops().get(DropReason.SOCKET_RCVBUFF));
        assertEquals(4 * 2304, server.sock().rmemAlloc());
        byte[] buf = new byte[4];
        for (int i = 0; i < 4; i++) {
            assertEquals("d" + i, text(buf, server.receive(buf, 0, 4)));
        }
        assertEquals(0, server.sock().rmemAlloc());
    }

    @Test
    void aFullSendBufferRefusesUntilTheDeviceTakesTheDatagrams() {
        link[0].setQdisc(new Netem(NetemSpec.parse(List.of("delay", "50ms"))));
        UdpSocket client = UdpSocket.open(a);
        client.configureBlocking(false);
        client.setSendBufferSize(1);
        assertEquals(4608, client.getSendBufferSize(), "SOCK_MIN_SNDBUF");
        UdpSocket server = bound(b, Ipv4Address.ANY, 8000);
        // Resolve the neighbour first so datagrams wait in netem, not in the ARP queue.
        client.sendTo(bytes("arp"), 0, 3, B, 8000);
        run();
        client.sendTo(bytes("1"), 0, 1, B, 8000);
        client.sendTo(bytes("2"), 0, 1, B, 8000);
        assertEquals(2 * 2304, client.sock().wmemAlloc());
        assertEquals(Errno.EAGAIN, assertThrows(NetException.class, () -> client.sendTo(bytes("3"), 0, 1, B, 8000)).errno());
        assertEquals(1, udp(a, UdpMib.SndbufErrors));
        run();
        assertEquals(0, client.sock().wmemAlloc(), "the veth took them: orphaned");
        client.sendTo(bytes("3"), 0, 1, B, 8000);
        run();
        byte[] buf = new byte[4];
        server.configureBlocking(false);
        assertEquals("arp", text(buf, server.receive(buf, 0, 4)));
        assertEquals("1", text(buf, server.receive(buf, 0, 4)));
        assertEquals("2", text(buf, server.receive(buf, 0, 4)));
        assertEquals("3", text(buf, server.receive(buf, 0, 4)));
    }

    @Test
    void broadcastNeedsSoBroadcast() {
        Ipv4Address bcast = Ipv4Address.parse("10.0.0.255");
        UdpSocket listener = bound(b, Ipv4Address.ANY, 9000);
        UdpSocket bound = bound(b, B, 9000 + 1);
        UdpSocket client = UdpSocket.open(a);
        assertEquals(Errno.EACCES, assertThrows(NetException.class, () -> client.sendTo(bytes("all"), 0, 3, bcast, 9000)).errno());
        assertEquals(Errno.EACCES, assertThrows(NetException.class, () -> client.connect(bcast, 9000)).errno());
        client.setBroadcast(true);
        client.sendTo(bytes("all"), 0, 3, bcast, 9000);
        client.sendTo(bytes("all"), 0, 3, bcast, 9001);
        client.sendTo(bytes("all"), 0, 3, bcast, 9002);
        run();
        byte[] buf = new byte[4];
        assertEquals(new UdpSocket.Received(3, A, client.localAddress().getPort()), listener.receiveFrom(buf, 0, 4));
        assertEquals(2, udp(b, UdpMib.IgnoredMulti), "a socket bound to 10.0.0.2 does not hear 10.0.0.255, nor does port 9002");
        assertEquals(0, udp(b, UdpMib.NoPorts), "no port unreachable for a broadcast");
        assertEquals(0, b.icmp().mib().get(IcmpMib.OutDestUnreachs));
        bound.close();
    }

    @Test
    void sizeLimits() {
        UdpSocket client = UdpSocket.open(a);
        byte[] big = new byte[65508];
        assertEquals(Errno.EMSGSIZE, assertThrows(NetException.class, () -> client.sendTo(big, 0, 65508, B, 9)).errno());
        client.setMtuDiscover(UdpSock.PMTUDISC_DO);
        assertEquals(Errno.EMSGSIZE, assertThrows(NetException.class, () -> client.sendTo(big, 0, 1473, B, 9)).errno(),
                "IP_PMTUDISC_DO: 1473 + 28 exceeds the 1500 MTU");
        assertEquals(0, udp(a, UdpMib.OutDatagrams));
    }

    @Test
    void aSixtyThousandByteDatagramOverLoopback() {
        UdpSocket server = bound(a, Ipv4Address.LOOPBACK, 9999);
        UdpSocket client = UdpSocket.open(a);
        byte[] data = new byte[60000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        client.sendTo(data, 0, data.length, Ipv4Address.LOOPBACK, 9999);
        run();
        byte[] buf = new byte[65536];
        UdpSocket.Received r = server.receiveFrom(buf, 0, buf.length);
        assertEquals(60000, r.length());
        assertEquals(Ipv4Address.LOOPBACK, r.address());
        assertArrayEquals(data, java.util.Arrays.copyOf(buf, 60000));
        assertEquals(0, a.ipv4().mib().get(IpMib.FragFails));
        assertFalse(server.sock().readable());
    }

    @Test
    void recvErrQueuesThePortUnreachableOfAnUnconnectedSocket() {
        UdpSocket client = bound(a, Ipv4Address.ANY, 4000);
        client.setRecvErr(true);
        client.configureBlocking(false);
        client.sendTo(bytes("anyone?"), 0, 7, B, 5999);
        run();
        NetException pending = assertThrows(NetException.class, () -> client.receive(new byte[16], 0, 16));
        assertEquals(Errno.ECONNREFUSED, pending.errno(), "with IP_RECVERR even an unconnected socket hears it");
        SockExtendedErr e = client.receiveError();
        assertEquals(new SockExtendedErr(Errno.ECONNREFUSED, SockExtendedErr.ORIGIN_ICMP, 3, 3, 0, B, B, 5999), e);
        assertEquals(Errno.EAGAIN, assertThrows(NetException.class, client::receiveError).errno());

        // Without IP_RECVERR an unconnected socket is not told (Linux).
        UdpSocket quiet = bound(a, Ipv4Address.ANY, 4001);
        quiet.configureBlocking(false);
        quiet.sendTo(bytes("anyone?"), 0, 7, B, 5999);
        run();
        assertEquals(Errno.EAGAIN, assertThrows(NetException.class, () -> quiet.receive(new byte[16], 0, 16)).errno());
    }

    @Test
    void fragNeededFromARouterReachesTheErrorQueueAndLowersThePathMtu() {
        // a -- b (router) -- c, with 1400 bytes on the second hop.
        Namespace c = stack.addNamespace("c");
        Veth[] second = b.addVeth("veth2", c, "veth3");
        Ipv4Address bc = Ipv4Address.parse("10.0.1.1");
        Ipv4Address cAddr = Ipv4Address.parse("10.0.1.2");
        b.inet().addAddress(second[0], bc, 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        c.inet().addAddress(second[1], cAddr, 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        second[0].setMtu(1400);
        second[1].setMtu(1400);
        second[0].setUp(true);
        second[1].setUp(true);
        b.sysctls().set("net.ipv4.ip_forward", "1");
        io.netstack4j.ns.Routes.add(a, "10.0.1.0/24", "10.0.0.2");
        io.netstack4j.ns.Routes.add(c, "default", "10.0.1.1");

        UdpSocket sender = bound(a, Ipv4Address.ANY, 4000);
        sender.setRecvErr(true);
        sender.setMtuDiscover(UdpSock.PMTUDISC_DO);
        byte[] big = new byte[1472];
        sender.sendTo(big, 0, big.length, cAddr, 7000);
        run();
        SockExtendedErr e = sender.receiveError();
        assertEquals(new SockExtendedErr(Errno.EMSGSIZE, SockExtendedErr.ORIGIN_ICMP, 3, 4, 1400, B, cAddr, 7000), e);

        // The path MTU was learned: the same datagram now fails at once, with a local error.
        NetException local = assertThrows(NetException.class, () -> sender.sendTo(big, 0, big.length, cAddr, 7000));
        assertEquals(Errno.EMSGSIZE, local.errno());
        assertEquals(new SockExtendedErr(Errno.EMSGSIZE, SockExtendedErr.ORIGIN_LOCAL, 0, 0, 1400, Ipv4Address.ANY, cAddr, 7000),
                sender.receiveError());
        // And without DF the datagram is fragmented at the source to fit.
        sender.setMtuDiscover(UdpSock.PMTUDISC_DONT);
        UdpSocket receiver = bound(c, Ipv4Address.ANY, 7000);
        sender.sendTo(big, 0, big.length, cAddr, 7000);
        run();
        assertEquals(1472, receiver.receive(new byte[2000], 0, 2000));
        assertEquals(1, c.ipv4().mib().get(IpMib.ReasmOKs));
        assertEquals(0, b.ipv4().mib().get(IpMib.FragCreates), "a fragmented to the learned MTU; b had nothing to split");
    }
}
