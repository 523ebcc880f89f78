package io.netstack4j.udp;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.Errno;
import io.netstack4j.core.Mib;
import io.netstack4j.core.NetException;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.SockMem;
import io.netstack4j.core.Sysctls;
import io.netstack4j.icmp.Icmp;
import io.netstack4j.icmp.IcmpMib;
import io.netstack4j.ipv4.Ipv4;
import io.netstack4j.ipv4.L4Protocol;
import io.netstack4j.ipv4.Rtable;
import io.netstack4j.route.RouteType;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.UdpHeader;
import java.util.List;

/**
 * UDP over IPv4 for one namespace ({@code net/ipv4/udp.c}, RFC 768, RFC 1122 4.1): the
 * protocol handler registered for IP protocol 17, the socket tables, port allocation and the
 * send path. Loop thread only.
 */
public final class Udp implements L4Protocol {

    private final Ipv4 ipv4;
    private final Icmp icmp;
    private final SockMem sockMem;
    private final Mib<UdpMib> mib = new Mib<>("Udp", UdpMib.class);
    private final UdpTable table = new UdpTable();

    public Udp(Ipv4 ipv4, Icmp icmp, SockMem sockMem, Sysctls sysctls) {
        this.ipv4 = ipv4;
        this.icmp = icmp;
        this.sockMem = sockMem;
        ipv4.addProtocol(IpProtocol.UDP, this);
    }

    public Mib<UdpMib> mib() {
        return mib;
    }

    Ipv4 ipv4() {
        return ipv4;
    }

    SockMem sockMem() {
        return sockMem;
    }

    /** A new, unbound socket ({@code udp_init_sock}); {@code listener}, if not null, is told when a waiter may proceed. */
    public UdpSock open(UdpSock.Listener listener) {
        return new UdpSock(this, listener);
    }

    /** Every bound socket, in the order {@code ss} lists them. */
    public List<UdpSock> sockets() {
        return table.all();
    }


    /**
     * {@code udp_rcv} / {@code __udp4_lib_rcv}. RFC 1122 4.1.3.4: a datagram whose length is inconsistent or
     * whose checksum fails is silently discarded (counted in InErrors); trailing bytes beyond
     * the UDP length are trimmed ({@code pskb_trim_rcsum}). Broadcasts and multicasts go to
     * every matching socket; a unicast for a port nobody holds earns port unreachable
     * (RFC 1122 4.1.3.1) after its checksum is verified. Takes ownership.
     */
    @Override
    public void rcv(PacketBuffer skb) {
        byte[] b = skb.array();
        int off = skb.data();
        int len = skb.len();
        if (len < UdpHeader.HEADER_LEN) {
            drop(skb, null, UdpMib.InErrors, DropReason.PKT_TOO_SMALL);
            return;
        }
        int ulen = UdpHeader.length(b, off);
        if (ulen < UdpHeader.HEADER_LEN || ulen > len) {
            drop(skb, null, UdpMib.InErrors, DropReason.PKT_TOO_SMALL);
            return;
        }
        if (ulen < len) {
            skb.trim(ulen);
            len = ulen;
        }
        int nh = skb.networkHeader();
        int saddr = Ipv4Header.src(b, nh);
        int daddr = Ipv4Header.dst(b, nh);
        int sport = UdpHeader.srcPort(b, off);
        int dport = UdpHeader.dstPort(b, off);
        Rtable rt = skb.dst instanceof Rtable r ? r : null;
        if (rt != null && (rt.flags() & (Rtable.RTCF_BROADCAST | Rtable.RTCF_MULTICAST)) != 0) {
            mcastDeliver(skb, saddr, sport, daddr, dport);
            return;
        }
        UdpSock sk = lookup(saddr, sport, daddr, dport);
        if (sk != null) {
            queueRcv(sk, skb);
            return;
        }
        if (!checksumOk(skb)) {
            csumError(skb, null);
            return;
        }
        mib.inc(UdpMib.NoPorts);
        icmp.send(skb, IcmpHeader.DEST_UNREACH, IcmpHeader.PORT_UNREACH, 0);
        drop(skb, null, null, DropReason.NO_SOCKET);
    }

    /**
     * {@code udp4_csum_init} + {@code udp_lib_checksum_complete}: a zero checksum means none was
     * sent (RFC 768; allowed on IPv4); loopback marks its packets as needing no check, and a
     * fuzzer may turn verification off ({@link Ipv4#setVerifyRxChecksums}).
     */
    private boolean checksumOk(PacketBuffer skb) {
        if (skb.checksumUnnecessary() || !ipv4.verifyRxChecksums()) {
            return true;
        }
        byte[] b = skb.array();
        int nh = skb.networkHeader();
        return UdpHeader.verifyChecksum(b, skb.data(), skb.len(), Ipv4Header.src(b, nh), Ipv4Header.dst(b, nh));
    }

    private void csumError(PacketBuffer skb, UdpSock sk) {
        mib.inc(UdpMib.InCsumErrors);
        drop(skb, sk, UdpMib.InErrors, DropReason.UDP_CSUM);
    }

    private void drop(PacketBuffer skb, UdpSock sk, UdpMib counter, DropReason reason) {
        if (counter != null) {
            mib.inc(counter);
        }
        if (sk != null) {
            sk.drops++;
        }
        ipv4.drops().count(reason);
        skb.free();
    }

    /**
     * {@code udp_queue_rcv_skb}: verifies the checksum (Linux may defer this to the copy in
     * {@code udp_recvmsg}; doing it here keeps bad datagrams out of the queue, with the same
     * counters) and queues the payload, or drops it when the receive buffer is full
     * (RcvbufErrors and InErrors, as {@code __udp_queue_rcv_skb}).
     */
    private void queueRcv(UdpSock sk, PacketBuffer skb) {
        if (!checksumOk(skb)) {
            csumError(skb, sk);
            return;
        }
        skb.pull(UdpHeader.HEADER_LEN);
        skb.dst = null;
        if (!sk.enqueue(skb)) {
            mib.inc(UdpMib.RcvbufErrors);
            drop(skb, sk, UdpMib.InErrors, DropReason.SOCKET_RCVBUFF);
        }
    }

    /**
     * {@code __udp4_lib_mcast_deliver}: a copy to every socket bound to the port whose local
     * address is unset or the destination and whose peer (if connected) is the sender
     * ({@code __udp_is_mcast_sock}). None: IgnoredMulti.
     */
    private void mcastDeliver(PacketBuffer skb, int saddr, int sport, int daddr, int dport) {
        UdpSock first = null;
        for (UdpSock sk = table.portChain(dport); sk != null; sk = sk.nextPort) {
            if (!isMcastSock(sk, saddr, sport, daddr, dport)) {
                continue;
            }
            if (first == null) {
                first = sk;
            } else {
                queueRcv(sk, skb.cloneBuffer());
            }
        }
        if (first == null) {
            drop(skb, null, UdpMib.IgnoredMulti, DropReason.NO_SOCKET);
            return;
        }
        queueRcv(first, skb);
    }

    private static boolean isMcastSock(UdpSock sk, int saddr, int sport, int daddr, int dport) {
        return sk.port == dport && (sk.daddr == 0 || sk.daddr == saddr) && (sk.dport == 0 || sk.dport == sport)
                && (sk.rcvSaddr == 0 || sk.rcvSaddr == daddr);
    }

    /**
     * {@code __udp4_lib_lookup}: the socket for a datagram from {@code saddr:sport} to
     * {@code daddr:dport}. As Linux, sockets bound to the destination address are searched
     * first ({@code hslot2} of (daddr, port)) and wildcard-bound ones only if none matched;
     * within each, {@code compute_score} prefers a connected socket whose peer is the sender.
     */
    UdpSock lookup(int saddr, int sport, int daddr, int dport) {
        UdpSock sk = lookup2(saddr, sport, daddr, dport);
        return sk != null ? sk : lookup2(saddr, sport, 0, dport);
    }

    private UdpSock lookup2(int saddr, int sport, int daddr, int dport) {
        UdpSock best = null;
        int bestScore = -1;
        for (UdpSock sk = table.addrChain(daddr, dport); sk != null; sk = sk.nextAddr) {
            int score = computeScore(sk, saddr, sport, daddr, dport);
            if (score > bestScore) {
                best = sk;
                bestScore = score;
            }
        }
        return best;
    }

    /** {@code compute_score}: -1 for no match, more for a more specific one. */
    private static int computeScore(UdpSock sk, int saddr, int sport, int daddr, int dport) {
        if (sk.port != dport || sk.rcvSaddr != daddr) {
            return -1;
        }
        int score = 2;
        if (sk.daddr != 0) {
            if (sk.daddr != saddr) {
                return -1;
            }
            score += 4;
        }
        if (sk.dport != 0) {
            if (sk.dport != sport) {
                return -1;
            }
            score += 4;
        }
        return score;
    }


    /**
     * {@code __udp4_lib_err}: finds the socket that sent the quoted datagram and, if it is
     * connected and the error is hard (RFC 1122 4.1.3.3; Linux's {@code icmp_err_convert}
     * table), makes it the socket's pending error. Soft errors (net unreachable, TTL exceeded)
     * and unconnected sockets are left alone, as Linux without IP_RECVERR; with IP_RECVERR every
     * error is queued ({@link SockExtendedErr}) and made pending. Frag-needed reports EMSGSIZE
     * unless IP_PMTUDISC_DONT; the path MTU itself was already learned by ICMP
     * ({@code IpRoute.updatePmtu}) before this runs.
     */
    @Override
    public void err(PacketBuffer skb, int quotedIp, int quotedLen, int type, int code, int info) {
        byte[] b = skb.array();
        int uh = quotedIp + Ipv4Header.headerLength(b, quotedIp);
        int local = Ipv4Header.src(b, quotedIp);
        int remote = Ipv4Header.dst(b, quotedIp);
        UdpSock sk = lookup(remote, UdpHeader.dstPort(b, uh), local, UdpHeader.srcPort(b, uh));
        if (sk == null) {
            icmp.mib().inc(IcmpMib.InErrors);
            return;
        }
        Errno err;
        boolean hard;
        switch (type) {
            case IcmpHeader.SOURCE_QUENCH, IcmpHeader.REDIRECT -> {
                return;
            }
            case IcmpHeader.PARAMETER_PROBLEM -> {
                err = Errno.EPROTO;
                hard = true;
            }
            case IcmpHeader.DEST_UNREACH -> {
                if (code == IcmpHeader.FRAG_NEEDED) {
                    if (sk.pmtudisc == UdpSock.PMTUDISC_DONT) {
                        return;
                    }
                    err = Errno.EMSGSIZE;
                    hard = true;
                } else {
                    err = unreachErrno(code);
                    hard = unreachFatal(code);
                }
            }
            default -> {
                err = Errno.EHOSTUNREACH;
                hard = false;
            }
        }
        if (sk.recverr) {
            // ip_icmp_error: the details go to the error queue and, with IP_RECVERR, every
            // error (soft ones and on unconnected sockets too) becomes the pending error.
            sk.queueError(new SockExtendedErr(err, SockExtendedErr.ORIGIN_ICMP, type, code, info,
                    new Ipv4Address(Ipv4Header.src(b, skb.networkHeader())), new Ipv4Address(remote), UdpHeader.dstPort(b, uh)));
        } else if (!hard || !sk.connected) {
            return;
        }
        sk.reportError(err);
    }

    /** {@code icmp_err_convert[code].errno}. */
    private static Errno unreachErrno(int code) {
        return switch (code) {
            case 0, 6, 9, 11 -> Errno.ENETUNREACH;
            case 2 -> Errno.ENOPROTOOPT;
            case 3 -> Errno.ECONNREFUSED;
            case 4 -> Errno.EMSGSIZE;
            case 5 -> Errno.EOPNOTSUPP;
            case 7 -> Errno.EHOSTDOWN;
            case 8 -> Errno.ENONET;
            default -> Errno.EHOSTUNREACH;
        };
    }

    /** {@code icmp_err_convert[code].fatal}. */
    private static boolean unreachFatal(int code) {
        return switch (code) {
            case 2, 3, 6, 7, 8, 9, 10, 13, 14, 15 -> true;
            default -> false;
        };
    }


    /**
     * {@code udp_lib_get_port}: a port of 0 picks a free one in
     * {@code net.ipv4.ip_local_port_range}, starting at a random point of the range (from the
     * loop's seeded generator) and scanning up from there with wrap-around.
     */
    void bind(UdpSock sk, int addr, int localPort) {
        if (addr != 0 && !bindableAddress(addr)) {
            throw new NetException(Errno.EADDRNOTAVAIL);
        }
        if (table.count() >= UdpTable.MAX_SOCKETS) {
            throw new NetException(Errno.ENOBUFS, "namespace already holds " + UdpTable.MAX_SOCKETS + " UDP sockets");
        }
        int chosen = localPort;
        if (chosen == 0) {
            int portLow = ipv4.localPorts().low();
            int portHigh = ipv4.localPorts().high();
            int range = portHigh - portLow + 1;
            int start = ipv4.loop().random().nextInt(range);
            for (int i = 0; i < range; i++) {
                int p = portLow + (start + i) % range;
                if (!inUse(sk, addr, p)) {
                    chosen = p;
                    break;
                }
            }
            if (chosen == 0) {
                throw new NetException(Errno.EADDRINUSE, "no free port in ip_local_port_range " + portLow + "-" + portHigh);
            }
        } else if (inUse(sk, addr, chosen)) {
            throw new NetException(Errno.EADDRINUSE);
        }
        sk.rcvSaddr = addr;
        sk.port = chosen;
        table.hash(sk);
    }

    /**
     * {@code udp_lib_lport_inuse}: another socket holds the port on an overlapping address
     * (equal, or either a wildcard), and not both of them set SO_REUSEADDR.
     */
    private boolean inUse(UdpSock sk, int addr, int localPort) {
        for (UdpSock o = table.portChain(localPort); o != null; o = o.nextPort) {
            if (o != sk && o.port == localPort && !(o.reuseAddr && sk.reuseAddr)
                    && (o.rcvSaddr == 0 || addr == 0 || o.rcvSaddr == addr)) {
                return true;
            }
        }
        return false;
    }

    /** {@code inet_bind}: an address of this host, or a broadcast or multicast one ({@code ip_nonlocal_bind} is 0). */
    private boolean bindableAddress(int addr) {
        if (addr == 0xffffffff || (addr & 0xf0000000) == 0xe0000000) {
            return true;
        }
        RouteType t = ipv4.fib().addressType(addr);
        return t == RouteType.LOCAL || t == RouteType.BROADCAST;
    }

    void unhash(UdpSock sk) {
        table.unhash(sk);
    }

    private void autobind(UdpSock sk) {
        if (sk.port == 0) {
            bind(sk, 0, 0);
        }
    }

    void connect(UdpSock sk, int addr, int peerPort) {
        Rtable rt = ipv4.route().routeOutputForSocket(addr, sk.rcvSaddr, sk.tos, 0, 0);
        if (rt.isBroadcast() && !sk.broadcast) {
            throw new NetException(Errno.EACCES);
        }
        autobind(sk);
        if (sk.rcvSaddr == 0) {
            int old = sk.rcvSaddr;
            sk.rcvSaddr = rt.prefsrc();
            table.rehash(sk, old);
        }
        sk.daddr = addr;
        sk.dport = peerPort;
        sk.connected = true;
    }

    void disconnect(UdpSock sk) {
        sk.connected = false;
        sk.daddr = 0;
        sk.dport = 0;
        if (!sk.bindAddrLocked && sk.rcvSaddr != 0) {
            int old = sk.rcvSaddr;
            sk.rcvSaddr = 0;
            table.rehash(sk, old);
        }
        if (!sk.bindPortLocked && sk.port != 0) {
            table.unhash(sk);
            sk.port = 0;
        }
    }


    /**
     * {@code udp_sendmsg} + {@code udp_send_skb}: routes, checks SO_BROADCAST, builds the header
     * and checksum in front of the data and hands the datagram to {@code ip_send_skb}. DF is set
     * as Linux's {@code __ip_make_skb} does: always with IP_PMTUDISC_DO, and with WANT (the
     * default) when the datagram fits the route MTU. The datagram is charged to the send buffer
     * until a device takes it.
     */
    int sendmsg(UdpSock sk, byte[] data, int off, int len, int dstAddr, int dstPort) {
        if (len < 0 || off < 0 || off + len > data.length) {
            throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " of " + data.length);
        }
        if (len > UdpHeader.MAX_PAYLOAD_IPV4) {
            throw new NetException(Errno.EMSGSIZE, "datagram of " + len + " bytes exceeds " + UdpHeader.MAX_PAYLOAD_IPV4);
        }
        int daddr;
        int dport;
        if (dstPort < 0) {
            if (!sk.connected) {
                throw new NetException(Errno.EDESTADDRREQ);
            }
            daddr = sk.daddr;
            dport = sk.dport;
        } else {
            if (dstPort == 0 || dstPort > 0xffff) {
                throw new NetException(Errno.EINVAL, "destination port " + dstPort);
            }
            daddr = dstAddr;
            dport = dstPort;
        }
        sk.throwPendingError();
        autobind(sk);
        Rtable rt = ipv4.route().routeOutputForSocket(daddr, sk.rcvSaddr, sk.tos, 0, 0);
        if (rt.isBroadcast() && !sk.broadcast) {
            throw new NetException(Errno.EACCES);
        }
        int ulen = UdpHeader.HEADER_LEN + len;
        int total = Ipv4Header.MIN_LEN + ulen;
        boolean df = sk.pmtudisc == UdpSock.PMTUDISC_DO || sk.pmtudisc == UdpSock.PMTUDISC_PROBE
                || (sk.pmtudisc == UdpSock.PMTUDISC_WANT && total <= rt.mtu());
        if (total > rt.mtu() && (sk.pmtudisc == UdpSock.PMTUDISC_DO || sk.pmtudisc == UdpSock.PMTUDISC_PROBE)) {
            // ip_local_error: the sender learns the MTU from the error queue too.
            sk.queueError(new SockExtendedErr(Errno.EMSGSIZE, SockExtendedErr.ORIGIN_LOCAL, 0, 0, rt.mtu(), Ipv4Address.ANY,
                    new Ipv4Address(daddr), dport));
            throw new NetException(Errno.EMSGSIZE, "message too long, mtu=" + rt.mtu());
        }
        if (!sk.writable()) {
            // sock_alloc_send_pskb: no room; the socket layer waits for space or reports EAGAIN.
            mib.inc(UdpMib.SndbufErrors);
            throw new NetException(Errno.EAGAIN, "send buffer full");
        }
        int saddr = sk.rcvSaddr != 0 ? sk.rcvSaddr : rt.prefsrc();
        PacketBuffer skb = ipv4.output().allocDatagram(ulen);
        int uh = skb.put(ulen);
        byte[] b = skb.array();
        UdpHeader.setSrcPort(b, uh, sk.port);
        UdpHeader.setDstPort(b, uh, dport);
        UdpHeader.setLength(b, uh, ulen);
        System.arraycopy(data, off, b, uh + UdpHeader.HEADER_LEN, len);
        UdpHeader.fillChecksum(b, uh, ulen, saddr, daddr);
        sk.chargeSend(skb);
        ipv4.output().send(skb, rt, saddr, daddr, IpProtocol.UDP, sk.ttl(), sk.tos, df);
        mib.inc(UdpMib.OutDatagrams);
        return len;
    }
}
