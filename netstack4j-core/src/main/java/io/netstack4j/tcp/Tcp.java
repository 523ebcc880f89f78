package io.netstack4j.tcp;

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
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * TCP over IPv4 for one namespace ({@code net/ipv4/tcp_ipv4.c} with the tables of
 * {@code inet_hashtables.c}): the handler for IP protocol 6, the established, bind and listen
 * tables, port selection, initial sequence numbers, resets for segments no socket wants, ICMP
 * errors, the sysctls and the MIBs. The state machine itself is in {@link TcpInput},
 * {@link TcpOutput} and {@link TcpTimers}. Loop thread only.
 */
public final class Tcp implements L4Protocol {

    static final long TIMEOUT_INIT_US = 1_000_000;
    static final long RTO_MIN_US = 200_000;
    static final long RTO_MAX_US = 120_000_000;
    static final long ATO_MIN_US = 40_000;
    static final long DELACK_MAX_US = 200_000;
    static final long TIMEWAIT_LEN_US = 60_000_000;
    /** RFC 7323 5.5: timestamps older than 24 days are not trusted for PAWS ({@code TCP_PAWS_24DAYS}). */
    static final long PAWS_24DAYS_SEC = 60L * 60 * 24 * 24;
    /** Linux's upper bound on sockets per namespace here, so a flood of connects cannot exhaust the heap. */
    static final int MAX_SOCKETS = 1 << 21;

    private final Ipv4 ipv4;
    private final Icmp icmp;
    private final SockMem sockMem;
    private final Mib<TcpMib> mib = new Mib<>("Tcp", TcpMib.class);
    private final Mib<TcpExtMib> extMib = new Mib<>("TcpExt", TcpExtMib.class);
    private final ChunkPool chunks = new ChunkPool();
    private final TxSegPool txSegs = new TxSegPool();
    private final OfoStorage ofoStorage = new OfoStorage();
    private final TcpMemory memory = new TcpMemory(this);
    private final TcpOptions rxOpt = new TcpOptions();
    private final TcpInput input;
    private final TcpOutput output;
    private final TcpTimers timers;
    private final TcpMinisocks minisocks;
    private final SynCookies cookies;
    private final int hashSecret;
    private final long isnKey0;
    private final long isnKey1;

    private TcpHashed[] ehash = new TcpHashed[256];
    private int ehashCount;
    private TcpSock[] bindByPort;
    private TcpSock[] listenByPort;
    private final List<TcpSock> listeners = new ArrayList<>();
    private int socketCount;
    int twCount;

    // Sysctls, with Linux's defaults.
    int synRetries = 6;
    int synackRetries = 5;
    int retries1 = 3;
    int retries2 = 15;
    int orphanRetries = 0;
    int finTimeout = 60;
    int keepaliveTime = 7200;
    int keepaliveProbes = 9;
    int keepaliveIntvl = 75;
    int syncookies = 1;
    int maxSynBacklog = 4096;
    int somaxconn = 4096;
    int timestamps = 1;
    int sack = 1;
    int dsack = 1;
    int windowScaling = 1;
    int challengeAckLimit = 1000;
    int invalidRatelimitMs = 500;
    int minSndMss = 48;
    int rfc1337 = 0;
    int abortOnOverflow = 0;
    int slowStartAfterIdle = 1;
    int moderateRcvbuf = 1;
    int recovery = 1;
    int maxTwBuckets = 262144;
    int[] rmem = {4096, 131072, 6291456};
    int[] wmem = {4096, 16384, 4194304};
    String congestionControl = TcpCongestion.DEFAULT;

    public Tcp(Ipv4 ipv4, Icmp icmp, SockMem sockMem, Sysctls sysctls) {
        this.ipv4 = ipv4;
        this.icmp = icmp;
        this.sockMem = sockMem;
        this.hashSecret = ipv4.loop().random().nextInt();
        this.isnKey0 = ipv4.loop().random().nextLong();
        this.isnKey1 = ipv4.loop().random().nextLong();
        this.input = new TcpInput(this);
        this.output = new TcpOutput(this);
        this.timers = new TcpTimers(this);
        this.minisocks = new TcpMinisocks(this);
        this.cookies = new SynCookies(ipv4.loop().random().nextLong(), ipv4.loop().random().nextLong());
        ipv4.addProtocol(IpProtocol.TCP, this);
        TcpSysctls.register(this, sysctls);
    }

    public Mib<TcpMib> mib() {
        return mib;
    }

    public Mib<TcpExtMib> extMib() {
        return extMib;
    }

    Ipv4 ipv4() {
        return ipv4;
    }

    Icmp icmp() {
        return icmp;
    }

    ChunkPool chunks() {
        return chunks;
    }

    TxSegPool txSegs() {
        return txSegs;
    }

    OfoStorage ofoStorage() {
        return ofoStorage;
    }

    /** The namespace-wide memory and orphan bounds ({@code tcp_mem}, {@code tcp_max_orphans}). */
    TcpMemory memory() {
        return memory;
    }

    /** The namespace's TCP sockets and their memory, as {@code /proc/net/sockstat} shows them; walks the tables. */
    public TcpSockstat sockstat() {
        int inUse = listeners.size();
        for (TcpHashed h : ehash) {
            for (; h != null; h = h.nextHash) {
                if (h instanceof TcpSock) {
                    inUse++;
                }
            }
        }
        return new TcpSockstat(inUse, memory.orphans(), twCount, socketCount, memory.allocated(), memory.underPressure());
    }

    /** TCP sockets of the namespace ({@code sockets_allocated}). */
    int socketCount() {
        return socketCount;
    }

    TcpInput input() {
        return input;
    }

    TcpOutput output() {
        return output;
    }

    TcpTimers timers() {
        return timers;
    }

    TcpMinisocks minisocks() {
        return minisocks;
    }

    SynCookies cookies() {
        return cookies;
    }

    long nowUs() {
        return ipv4.loop().now() / 1000;
    }

    int rmemMax() {
        return sockMem.rmemMax();
    }

    SockMem sockMem() {
        return sockMem;
    }

    int rmemDefault() {
        return rmem[1];
    }

    int wmemDefault() {
        return wmem[1];
    }

    int keepaliveTime() {
        return keepaliveTime;
    }

    int keepaliveIntvl() {
        return keepaliveIntvl;
    }

    int keepaliveProbes() {
        return keepaliveProbes;
    }

    String defaultCongestion() {
        return congestionControl;
    }

    void count(DropReason reason) {
        ipv4.drops().count(reason);
    }

    /** A new socket in state CLOSE ({@code tcp_v4_init_sock}). */
    public TcpSock open(TcpSock.Listener listener) {
        if (socketCount >= MAX_SOCKETS) {
            throw new NetException(Errno.ENOBUFS, "namespace already holds " + MAX_SOCKETS + " TCP sockets");
        }
        socketCount++;
        return new TcpSock(this, listener);
    }

    void socketGone() {
        socketCount--;
    }

    /** Every socket {@code ss -t} lists: listeners, then connections, request and TIME_WAIT mini-sockets. */
    public List<TcpSockInfo> sockets() {
        List<TcpSockInfo> out = new ArrayList<>();
        for (TcpSock l : listeners) {
            out.add(TcpSockInfo.of(l));
        }
        for (TcpHashed h : ehash) {
            for (; h != null; h = h.nextHash) {
                out.add(switch (h) {
                    case TcpSock s -> TcpSockInfo.of(s);
                    case TcpRequestSock r -> TcpSockInfo.of(r);
                    case TcpTimewaitSock t -> TcpSockInfo.of(t, nowUs());
                });
            }
        }
        return out;
    }

    /** TIME_WAIT mini-sockets now held. */
    public int timeWaitCount() {
        return twCount;
    }

    // ---- the established table (ehash) ----

    private int bucket(int laddr, int lport, int faddr, int fport) {
        return TcpHashed.hash(laddr, lport, faddr, fport, hashSecret) & (ehash.length - 1);
    }

    /** {@code __inet_lookup_established}. */
    TcpHashed lookupEstablished(int laddr, int lport, int faddr, int fport) {
        for (TcpHashed h = ehash[bucket(laddr, lport, faddr, fport)]; h != null; h = h.nextHash) {
            if (h.matches(laddr, lport, faddr, fport)) {
                return h;
            }
        }
        return null;
    }

    /** {@code inet_ehash_insert}; false when the four-tuple is taken. */
    boolean ehashInsert(TcpHashed h) {
        if (lookupEstablished(h.saddr, h.sport, h.daddr, h.dport) != null) {
            return false;
        }
        if (ehashCount >= ehash.length * 2) {
            growEhash();
        }
        int i = bucket(h.saddr, h.sport, h.daddr, h.dport);
        h.nextHash = ehash[i];
        ehash[i] = h;
        h.hashed = true;
        ehashCount++;
        return true;
    }

    void ehashRemove(TcpHashed h) {
        if (!h.hashed) {
            return;
        }
        int i = bucket(h.saddr, h.sport, h.daddr, h.dport);
        TcpHashed prev = null;
        for (TcpHashed c = ehash[i]; c != null; prev = c, c = c.nextHash) {
            if (c == h) {
                if (prev == null) {
                    ehash[i] = c.nextHash;
                } else {
                    prev.nextHash = c.nextHash;
                }
                c.nextHash = null;
                c.hashed = false;
                ehashCount--;
                return;
            }
        }
    }

    private void growEhash() {
        TcpHashed[] old = ehash;
        ehash = new TcpHashed[old.length * 2];
        for (TcpHashed h : old) {
            while (h != null) {
                TcpHashed next = h.nextHash;
                int i = bucket(h.saddr, h.sport, h.daddr, h.dport);
                h.nextHash = ehash[i];
                ehash[i] = h;
                h = next;
            }
        }
    }

    // ---- the bind and listen tables ----

    private TcpSock[] bindTable() {
        if (bindByPort == null) {
            bindByPort = new TcpSock[65536];
        }
        return bindByPort;
    }

    /**
     * {@code inet_csk_bind_conflict}: another socket holds the port on an overlapping address,
     * and not both set SO_REUSEADDR with neither listening.
     */
    private boolean bindConflict(TcpSock sk, int addr, int port) {
        for (TcpSock o = bindTable()[port]; o != null; o = o.nextBind) {
            if (o == sk || !(o.saddr == 0 || addr == 0 || o.saddr == addr)) {
                continue;
            }
            if (sk.reuseAddr && o.reuseAddr && o.state != TcpState.LISTEN) {
                continue;
            }
            return true;
        }
        return false;
    }

    /** {@code inet_csk_get_port}: binds {@code sk} to {@code addr:port}; port 0 picks one in ip_local_port_range. */
    void bind(TcpSock sk, int addr, int port, boolean explicit) {
        if (addr != 0 && !isLocalAddress(addr)) {
            throw new NetException(Errno.EADDRNOTAVAIL);
        }
        int chosen = port;
        if (chosen == 0) {
            int lo = ipv4.localPorts().low();
            int range = ipv4.localPorts().high() - lo + 1;
            int start = ipv4.loop().random().nextInt(range);
            for (int i = 0; i < range && chosen == 0; i++) {
                int p = lo + (start + i) % range;
                if (bindTable()[p] == null && (listenByPort == null || listenByPort[p] == null)) {
                    chosen = p;
                }
            }
            for (int i = 0; i < range && chosen == 0; i++) {
                int p = lo + (start + i) % range;
                if (!bindConflict(sk, addr, p)) {
                    chosen = p;
                }
            }
            if (chosen == 0) {
                throw new NetException(Errno.EADDRINUSE, "no free port in ip_local_port_range");
            }
        } else if (bindConflict(sk, addr, chosen)) {
            throw new NetException(Errno.EADDRINUSE);
        }
        sk.saddr = addr;
        sk.sport = chosen;
        sk.bound = true;
        sk.bindPortLocked = explicit;
        sk.nextBind = bindTable()[chosen];
        bindTable()[chosen] = sk;
    }

    void unbind(TcpSock sk) {
        if (!sk.bound) {
            return;
        }
        TcpSock[] t = bindTable();
        TcpSock prev = null;
        for (TcpSock c = t[sk.sport]; c != null; prev = c, c = c.nextBind) {
            if (c == sk) {
                if (prev == null) {
                    t[sk.sport] = c.nextBind;
                } else {
                    prev.nextBind = c.nextBind;
                }
                break;
            }
        }
        sk.nextBind = null;
        sk.bound = false;
    }

    /** Takes a bound socket's port for a child created by accept (it shares the listener's port). */
    void inheritPort(TcpSock child) {
        child.nextBind = bindTable()[child.sport];
        bindTable()[child.sport] = child;
        child.bound = true;
    }

    boolean isLocalAddress(int addr) {
        return ipv4.fib().addressType(addr) == RouteType.LOCAL;
    }

    void listenHash(TcpSock sk) {
        if (listenByPort == null) {
            listenByPort = new TcpSock[65536];
        }
        sk.nextListen = listenByPort[sk.sport];
        listenByPort[sk.sport] = sk;
        sk.listening = true;
        listeners.add(sk);
    }

    void listenUnhash(TcpSock sk) {
        if (!sk.listening) {
            return;
        }
        TcpSock prev = null;
        for (TcpSock c = listenByPort[sk.sport]; c != null; prev = c, c = c.nextListen) {
            if (c == sk) {
                if (prev == null) {
                    listenByPort[sk.sport] = c.nextListen;
                } else {
                    prev.nextListen = c.nextListen;
                }
                break;
            }
        }
        sk.nextListen = null;
        sk.listening = false;
        listeners.remove(sk);
    }

    /** {@code __inet_lookup_listener}: a listener bound to the address beats a wildcard one. */
    TcpSock lookupListener(int daddr, int dport) {
        if (listenByPort == null) {
            return null;
        }
        TcpSock wildcard = null;
        for (TcpSock l = listenByPort[dport]; l != null; l = l.nextListen) {
            if (l.saddr == daddr) {
                return l;
            }
            if (l.saddr == 0 && wildcard == null) {
                wildcard = l;
            }
        }
        return wildcard;
    }

    /**
     * {@code __inet_hash_connect}: picks a local port for a connecting socket that is not bound
     * yet, starting at a random point of ip_local_port_range, such that the four-tuple is unique
     * and no socket bound with bind() or listening holds the port.
     */
    void hashConnect(TcpSock sk) {
        if (sk.bound && sk.sport != 0) {
            if (!ehashInsert(sk)) {
                TcpHashed old = lookupEstablished(sk.saddr, sk.sport, sk.daddr, sk.dport);
                if (old instanceof TcpTimewaitSock tw && twReusable(tw)) {
                    minisocks.killTimewait(tw);
                    ehashInsert(sk);
                    return;
                }
                throw new NetException(Errno.EADDRNOTAVAIL, "four-tuple in use");
            }
            return;
        }
        int lo = ipv4.localPorts().low();
        int range = ipv4.localPorts().high() - lo + 1;
        int start = ipv4.loop().random().nextInt(range);
        for (int i = 0; i < range; i++) {
            int p = lo + (start + i) % range;
            if (portReserved(p)) {
                continue;
            }
            if (lookupEstablished(sk.saddr, p, sk.daddr, sk.dport) != null) {
                continue;
            }
            sk.sport = p;
            sk.bound = true;
            sk.bindPortLocked = false;
            sk.nextBind = bindTable()[p];
            bindTable()[p] = sk;
            ehashInsert(sk);
            return;
        }
        throw new NetException(Errno.EADDRNOTAVAIL, "no free local port in ip_local_port_range for this destination");
    }

    private boolean portReserved(int p) {
        if (listenByPort != null && listenByPort[p] != null) {
            return true;
        }
        for (TcpSock o = bindTable()[p]; o != null; o = o.nextBind) {
            if (o.bindPortLocked) {
                return true;
            }
        }
        return false;
    }

    /** {@code tcp_twsk_unique} with tcp_tw_reuse: a TIME_WAIT pair may be reused after a second when it used timestamps. */
    private boolean twReusable(TcpTimewaitSock tw) {
        return tw.tsRecentStampSec != 0 && nowUs() / 1_000_000 - tw.tsRecentStampSec >= 1;
    }

    // ---- sequence numbers ----

    /**
     * RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), with M a clock
     * ticking every 64 ns as Linux's {@code secure_tcp_seq} and F a keyed hash.
     */
    int secureSeq(int saddr, int sport, int daddr, int dport) {
        return (int) keyedHash(saddr, sport, daddr, dport, isnKey0) + (int) (ipv4.loop().now() >>> 6);
    }

    /** {@code secure_tcp_ts_off}: a per-pair timestamp offset, so TSval does not reveal uptime. */
    int secureTsOffset(int saddr, int daddr) {
        return (int) keyedHash(saddr, 0, daddr, 0, isnKey1);
    }

    private static long keyedHash(int saddr, int sport, int daddr, int dport, long key) {
        long h = key ^ ((long) saddr << 32 | daddr & 0xffffffffL);
        h = mix(h) ^ ((long) sport << 16 | dport) ^ key >>> 7;
        return mix(h);
    }

    private static long mix(long z) {
        z = (z ^ z >>> 30) * 0xbf58476d1ce4e5b9L;
        z = (z ^ z >>> 27) * 0x94d049bb133111ebL;
        return z ^ z >>> 31;
    }

    // ---- receive ----

    /**
     * {@code tcp_v4_rcv}: checks the header and checksum, finds the socket (established table,
     * then listeners) and hands the segment over; a segment nobody wants earns a reset
     * (RFC 9293 3.10.7.1) unless it is one. Takes ownership.
     */
    @Override
    public void rcv(PacketBuffer skb) {
        byte[] b = skb.array();
        int th = skb.data();
        int len = skb.len();
        if (skb.pktType != io.netstack4j.core.PktType.HOST) {
            count(DropReason.OTHERHOST);
            skb.free();
            return;
        }
        if (!TcpHeader.checkLength(b, th, len)) {
            mib.inc(TcpMib.InErrs);
            count(DropReason.TCP_HDR);
            skb.free();
            return;
        }
        int nh = skb.networkHeader();
        int saddr = Ipv4Header.src(b, nh);
        int daddr = Ipv4Header.dst(b, nh);
        if (ipv4.verifyRxChecksums() && !skb.checksumUnnecessary() && !TcpHeader.verifyChecksum(b, th, len, saddr, daddr)) {
            mib.inc(TcpMib.InCsumErrors);
            mib.inc(TcpMib.InErrs);
            count(DropReason.TCP_CSUM);
            skb.free();
            return;
        }
        mib.inc(TcpMib.InSegs);
        int flags = TcpHeader.flags(b, th);
        int seq = TcpHeader.seq(b, th);
        int hl = TcpHeader.headerLength(b, th);
        skb.seq = seq;
        skb.endSeq = seq + (len - hl) + ((flags & TcpHeader.SYN) != 0 ? 1 : 0) + ((flags & TcpHeader.FIN) != 0 ? 1 : 0);
        skb.setTransportHeader(th);
        rxOpt.parse(b, th);
        int sport = TcpHeader.srcPort(b, th);
        int dport = TcpHeader.dstPort(b, th);
        TcpHashed h = lookupEstablished(daddr, dport, saddr, sport);
        if (h != null) {
            switch (h) {
                case TcpSock sk -> input.rcvStateProcess(sk, skb, rxOpt);
                case TcpRequestSock req -> minisocks.checkReq(req, skb, rxOpt);
                case TcpTimewaitSock tw -> minisocks.timewaitStateProcess(tw, skb, rxOpt);
            }
            return;
        }
        TcpSock listener = lookupListener(daddr, dport);
        if (listener != null) {
            input.listenRcv(listener, skb, rxOpt);
            return;
        }
        noSocket(skb);
    }

    /** {@code no_tcp_socket}: reset (unless the segment is a reset) and drop. */
    void noSocket(PacketBuffer skb) {
        output.sendReset(skb);
        count(DropReason.NO_SOCKET);
        skb.free();
    }

    /**
     * {@code tcp_v4_err}: an ICMP error about a segment we sent. The quoted sequence number must
     * lie in [snd_una, snd_nxt] (RFC 5927 4.1), for a request mini-socket be its ISN, else the
     * message is ignored and counted (OutOfWindowIcmps): a blind attacker has to guess it.
     * Frag-needed is recorded on the route only then (RFC 5927 7.2; the route floors it at
     * {@code min_pmtu}), lowers the MSS and retransmits ({@code tcp_v4_mtu_reduced}); during
     * the handshake an unreachable ends the attempt with its errno; on an established
     * connection errors are soft ({@code sk_err_soft}, RFC 1122 4.2.3.9, RFC 5927 4.2), never a
     * reset. TIME_WAIT mini-sockets ignore ICMP.
     */
    @Override
    public void err(PacketBuffer icmpSkb, int quotedIp, int quotedLen, int type, int code, int info) {
        byte[] b = icmpSkb.array();
        int ihl = Ipv4Header.headerLength(b, quotedIp);
        if (quotedLen < ihl + 8) {
            return;
        }
        int th = quotedIp + ihl;
        int local = Ipv4Header.src(b, quotedIp);
        int remote = Ipv4Header.dst(b, quotedIp);
        TcpHashed h = lookupEstablished(local, TcpHeader.srcPort(b, th), remote, TcpHeader.dstPort(b, th));
        if (h == null) {
            icmp.mib().inc(IcmpMib.InErrors);
            return;
        }
        int seq = TcpHeader.seq(b, th);
        if (h instanceof TcpRequestSock req) {
            // tcp_req_err: only an error that says the client cannot be reached ends the request.
            if (seq != req.snt_isn) {
                extMib.inc(TcpExtMib.OutOfWindowIcmps);
            } else if (type == IcmpHeader.PARAMETER_PROBLEM || type == IcmpHeader.TIME_EXCEEDED
                    || type == IcmpHeader.DEST_UNREACH && (code == 0 || code == 1)) {
                extMib.inc(TcpExtMib.ListenDrops);
                minisocks.dropRequest(req);
            }
            return;
        }
        if (!(h instanceof TcpSock sk) || sk.state == TcpState.CLOSE) {
            return;
        }
        if (sk.state != TcpState.LISTEN && !TcpHeader.between(seq, sk.sndUna, sk.sndNxt)) {
            extMib.inc(TcpExtMib.OutOfWindowIcmps);
            return;
        }
        Errno err;
        switch (type) {
            case IcmpHeader.SOURCE_QUENCH, IcmpHeader.REDIRECT -> {
                return;
            }
            case IcmpHeader.PARAMETER_PROBLEM -> err = Errno.EPROTO;
            case IcmpHeader.DEST_UNREACH -> {
                if (code > MAX_UNREACH_CODE) {
                    return;
                }
                if (code == IcmpHeader.FRAG_NEEDED) {
                    if (sk.state != TcpState.LISTEN) {
                        ipv4.route().updatePmtu(remote, local, info);
                        input.mtuReduced(sk);
                    }
                    return;
                }
                err = switch (code) {
                    case 0, 6, 9, 11 -> Errno.ENETUNREACH;
                    case 2 -> Errno.ENOPROTOOPT;
                    case 3 -> Errno.ECONNREFUSED;
                    default -> Errno.EHOSTUNREACH;
                };
            }
            case IcmpHeader.TIME_EXCEEDED -> err = Errno.EHOSTUNREACH;
            default -> {
                return;
            }
        }
        if (sk.state == TcpState.SYN_SENT || sk.state == TcpState.SYN_RECV) {
            sk.skErr = err;
            input.done(sk);
            return;
        }
        sk.skErrSoft = err;
    }

    /** {@code NR_ICMP_UNREACH}: the highest destination-unreachable code there is (15, precedence cutoff). */
    private static final int MAX_UNREACH_CODE = 15;

    /** TCP checks a frag-needed message against its connection before the path MTU is lowered. */
    @Override
    public boolean validatesPmtu() {
        return true;
    }

    /** Routes a segment for {@code sk}; null (and the error recorded) when there is no route. */
    Rtable route(int daddr, int saddr) {
        return ipv4.route().routeOutputForSocket(daddr, saddr, 0, 0, 0);
    }
}
