package io.netstack4j.icmp;

import io.netstack4j.core.ChecksumState;
import io.netstack4j.core.DropReason;
import io.netstack4j.core.Errno;
import io.netstack4j.core.Mib;
import io.netstack4j.core.NetException;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.PktType;
import io.netstack4j.core.Sysctls;
import io.netstack4j.ipv4.IpRoute;
import io.netstack4j.ipv4.Ipv4;
import io.netstack4j.ipv4.L4Protocol;
import io.netstack4j.ipv4.Rtable;
import io.netstack4j.route.RouteType;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.IpProtocol;
import io.netstack4j.wire.Ipv4Header;
import java.util.HashMap;
import java.util.Map;

/**
 * ICMP for IPv4 ({@code net/ipv4/icmp.c}, RFC 792, RFC 1122 3.2.2): answers echo requests,
 * hands replies and errors to ping sockets and to the transport protocol that sent the quoted
 * datagram, and sends errors for the IP layer ({@code icmp_send}) under the RFC 1122 rules and
 * Linux's rate limits.
 */
public final class Icmp implements L4Protocol {

    /** RFC 1812 4.3.2.3: an error carries at most 576 bytes in all. */
    private static final int MAX_ERROR_LEN = 576;
    /** Open ping identifiers a namespace may hold. */
    public static final int MAX_ECHO_LISTENERS = 65536;
    /** IPTOS_PREC_INTERNETCONTROL, the precedence Linux gives ICMP errors. */
    private static final int TOS_INTERNET_CONTROL = 0xc0;
    /** Address mask request and reply (RFC 950), the other types a broadcast may carry. */
    private static final int ADDRESS = 17;
    private static final int ADDRESS_REPLY = 18;

    private final Ipv4 ipv4;
    private final Mib<IcmpMib> mib = new Mib<>("Icmp", IcmpMib.class);
    private final long[] inTypes = new long[256];
    private final long[] outTypes = new long[256];
    private final IcmpRateLimit rate = new IcmpRateLimit();
    private final Map<Integer, EchoListener> echo = new HashMap<>();
    private int echoIgnoreAll;
    private int echoIgnoreBroadcasts = 1;
    private int ignoreBogusErrorResponses = 1;
    private int errorsUseInboundIfaddr;

    public Icmp(Ipv4 ipv4, Sysctls sysctls) {
        this.ipv4 = ipv4;
        ipv4.addProtocol(IpProtocol.ICMP, this);
        ipv4.setIcmpSender(this::send);
        sysctls.registerInt("net.ipv4.icmp_echo_ignore_all", 0, 1, () -> echoIgnoreAll, v -> echoIgnoreAll = v);
        sysctls.registerInt("net.ipv4.icmp_echo_ignore_broadcasts", 0, 1, () -> echoIgnoreBroadcasts, v -> echoIgnoreBroadcasts = v);
        sysctls.registerInt("net.ipv4.icmp_ignore_bogus_error_responses", 0, 1, () -> ignoreBogusErrorResponses,
                v -> ignoreBogusErrorResponses = v);
        sysctls.registerInt("net.ipv4.icmp_errors_use_inbound_ifaddr", 0, 1, () -> errorsUseInboundIfaddr,
                v -> errorsUseInboundIfaddr = v);
        sysctls.registerInt("net.ipv4.icmp_ratelimit", 0, Integer.MAX_VALUE, () -> rate.ratelimitMs, v -> rate.ratelimitMs = v);
        sysctls.registerInt("net.ipv4.icmp_ratemask", 0, Integer.MAX_VALUE, () -> rate.ratemask, v -> rate.ratemask = v);
        sysctls.registerInt("net.ipv4.icmp_msgs_per_sec", 0, Integer.MAX_VALUE, () -> rate.msgsPerSec, v -> rate.msgsPerSec = v);
        sysctls.registerInt("net.ipv4.icmp_msgs_burst", 0, Integer.MAX_VALUE, () -> rate.msgsBurst, v -> rate.msgsBurst = v);
    }

    public Mib<IcmpMib> mib() {
        return mib;
    }

    /** Messages received of each ICMP type ({@code IcmpMsgInTypeN}). */
    public long inType(int type) {
        return inTypes[type & 0xff];
    }

    /** Messages sent of each ICMP type ({@code IcmpMsgOutTypeN}). */
    public long outType(int type) {
        return outTypes[type & 0xff];
    }

    /** {@code icmp_rcv}. Takes ownership. */
    @Override
    public void rcv(PacketBuffer skb) {
        byte[] b = skb.array();
        int off = skb.data();
        int len = skb.len();
        mib.inc(IcmpMib.InMsgs);
        if (len < IcmpHeader.HEADER_LEN) {
            drop(skb, IcmpMib.InErrors, DropReason.PKT_TOO_SMALL);
            return;
        }
        if (ipv4.verifyRxChecksums() && !IcmpHeader.verifyChecksum(b, off, len)) {
            mib.inc(IcmpMib.InCsumErrors);
            drop(skb, IcmpMib.InErrors, DropReason.ICMP_CSUM);
            return;
        }
        int type = IcmpHeader.type(b, off);
        inTypes[type]++;
        IcmpMib counter = IcmpMib.inCounter(type);
        if (counter != null) {
            mib.inc(counter);
        }
        Rtable rt = (Rtable) skb.dst;
        if (rt != null && (rt.flags() & (Rtable.RTCF_BROADCAST | Rtable.RTCF_MULTICAST)) != 0) {
            // RFC 1122 3.2.2.6: echo to a broadcast address may be ignored; Linux does so by
            // default (icmp_echo_ignore_broadcasts, which covers timestamp requests too). Any
            // other message sent to a broadcast or multicast address is dropped, as icmp_rcv
            // does: an error or redirect has no business there (RFC 1122 3.2.2).
            boolean request = type == IcmpHeader.ECHO || type == IcmpHeader.TIMESTAMP;
            if (request ? echoIgnoreBroadcasts != 0 : type != ADDRESS && type != ADDRESS_REPLY) {
                drop(skb, null, DropReason.ICMP_INVALID);
                return;
            }
        }
        switch (type) {
            case IcmpHeader.ECHO -> echo(skb);
            case IcmpHeader.ECHO_REPLY -> echoReply(skb);
            case IcmpHeader.DEST_UNREACH, IcmpHeader.SOURCE_QUENCH, IcmpHeader.TIME_EXCEEDED, IcmpHeader.PARAMETER_PROBLEM,
                    IcmpHeader.REDIRECT -> unreach(skb, type);
            default -> drop(skb, null, DropReason.ICMP_INVALID);
        }
    }

    private void drop(PacketBuffer skb, IcmpMib counter, DropReason reason) {
        if (counter != null) {
            mib.inc(counter);
        }
        ipv4.drops().count(reason);
        skb.free();
    }

    /**
     * {@code icmp_echo}: RFC 1122 3.2.2.6 — the reply returns the request's identifier,
     * sequence and data unchanged, from the address the request was sent to.
     */
    private void echo(PacketBuffer skb) {
        if (echoIgnoreAll != 0) {
            drop(skb, null, DropReason.ICMP_INVALID);
            return;
        }
        byte[] b = skb.array();
        int nh = skb.networkHeader();
        int requester = Ipv4Header.src(b, nh);
        int target = Ipv4Header.dst(b, nh);
        Rtable in = (Rtable) skb.dst;
        int saddr = in != null && in.isBroadcast() ? 0 : target;
        Rtable rt;
        try {
            rt = ipv4.route().routeOutput(requester, saddr, Ipv4Header.tos(b, nh), 0, skb.mark);
        } catch (NetException e) {
            drop(skb, null, DropReason.IP_OUTNOROUTES);
            return;
        }
        // Reuse the request's buffer: the reply is the request with type 0 and a new checksum.
        skb.makeWritable();
        b = skb.array();
        int off = skb.data();
        int len = skb.len();
        IcmpHeader.setType(b, off, IcmpHeader.ECHO_REPLY);
        IcmpHeader.setCode(b, off, 0);
        IcmpHeader.fillChecksum(b, off, len);
        int tos = Ipv4Header.tos(b, nh);
        skb.scrub();
        skb.checksum = ChecksumState.NONE; // the reply's checksum is whole, whatever the request's was
        skb.pktType = PktType.HOST;
        countOut(IcmpHeader.ECHO_REPLY);
        ipv4.output().send(skb, rt, saddr, requester, IpProtocol.ICMP, ipv4.defaultTtl(), tos, false);
    }

    private void echoReply(PacketBuffer skb) {
        byte[] b = skb.array();
        int off = skb.data();
        EchoListener l = echo.get(IcmpHeader.ident(b, off));
        if (l == null) {
            drop(skb, null, DropReason.NO_SOCKET);
            return;
        }
        int nh = skb.networkHeader();
        l.echoReply(Ipv4Header.src(b, nh), IcmpHeader.sequence(b, off), Ipv4Header.ttl(b, nh), skb.len(), b,
                off + IcmpHeader.HEADER_LEN, skb.len() - IcmpHeader.HEADER_LEN);
        skb.free();
    }

    /**
     * {@code icmp_unreach} and friends: the error quotes the header of a datagram we sent
     * (RFC 792); it goes to the protocol that sent it, or to the ping socket for quoted echoes.
     * Errors too short to quote an IP header plus 8 bytes are dropped (RFC 1122 3.2.2).
     */
    private void unreach(PacketBuffer skb, int type) {
        byte[] b = skb.array();
        int off = skb.data();
        int quoted = off + IcmpHeader.HEADER_LEN;
        int avail = skb.tail() - quoted;
        if (avail < Ipv4Header.MIN_LEN || !Ipv4Header.check(b, quoted, avail)
                || avail < Ipv4Header.headerLength(b, quoted) + 8) {
            drop(skb, IcmpMib.InErrors, DropReason.ICMP_INVALID);
            return;
        }
        // icmp_unreach: with icmp_ignore_bogus_error_responses off, an error about a datagram
        // sent to a broadcast address (which no router should answer, RFC 1122 3.2.2) is
        // reported (Linux warns) and dropped; with it on, as by default, it passes silently.
        if (ignoreBogusErrorResponses == 0 && skb.dev != null
                && ipv4.fib().addressTypeOnDevice(skb.dev.ifindex(), Ipv4Header.dst(b, quoted)) == RouteType.BROADCAST) {
            drop(skb, null, DropReason.ICMP_INVALID);
            return;
        }
        int code = IcmpHeader.code(b, off);
        int info = switch (type) {
            case IcmpHeader.DEST_UNREACH -> code == IcmpHeader.FRAG_NEEDED ? IcmpHeader.nextHopMtu(b, off) : 0;
            case IcmpHeader.PARAMETER_PROBLEM -> b[off + IcmpHeader.POINTER] & 0xff;
            case IcmpHeader.REDIRECT -> IcmpHeader.rest(b, off);
            default -> 0;
        };
        int protocol = Ipv4Header.protocol(b, quoted);
        L4Protocol handler = ipv4.protocolHandler(protocol);
        if (type == IcmpHeader.DEST_UNREACH && code == IcmpHeader.FRAG_NEEDED && (handler == null || !handler.validatesPmtu())) {
            // What the err handlers of UDP, raw and ping sockets do first (ipv4_sk_update_pmtu);
            // TCP records it itself once the quoted sequence number checks out (RFC 5927 7.2).
            ipv4.route().updatePmtu(Ipv4Header.dst(b, quoted), Ipv4Header.src(b, quoted), info);
        }
        int from = Ipv4Header.src(b, skb.networkHeader());
        if (type == IcmpHeader.REDIRECT && (skb.dev == null || !ipv4.route().redirect(skb.dev, from, code,
                Ipv4Header.dst(b, quoted), Ipv4Header.src(b, quoted), Ipv4Header.tos(b, quoted), info))) {
            // Linux logs these as martians (log_martians) and goes on; nothing else changes.
            ipv4.drops().count(DropReason.ICMP_REDIRECT_IGNORED);
        }
        if (protocol == IpProtocol.ICMP) {
            int inner = quoted + Ipv4Header.headerLength(b, quoted);
            if (IcmpHeader.type(b, inner) == IcmpHeader.ECHO) {
                EchoListener l = echo.get(IcmpHeader.ident(b, inner));
                if (l != null) {
                    l.error(from, type, code, info, IcmpHeader.sequence(b, inner));
                }
            }
            skb.free();
            return;
        }
        if (handler != null) {
            handler.err(skb, quoted, avail, type, code, info);
        }
        skb.free();
    }

    /** {@code err_handler} for ICMP itself: errors about our ICMP messages are handled in {@link #unreach}. */
    @Override
    public void err(PacketBuffer icmp, int quotedIp, int quotedLen, int type, int code, int info) {
        // Nothing above ICMP to tell: ping sockets were told in unreach().
    }

    /**
     * {@code icmp_send}: reports an error about {@code offending} to its source. RFC 1122
     * 3.2.2: never about an ICMP error, a datagram sent to a broadcast or multicast address, a
     * non-initial fragment, or one whose source is not a single host. Rate-limited as Linux does.
     */
    public void send(PacketBuffer offending, int type, int code, int info) {
        int nh = offending.networkHeader();
        if (nh < 0 || nh + Ipv4Header.MIN_LEN > offending.tail()) {
            return;
        }
        byte[] ob = offending.array();
        Rtable inRt = offending.dst instanceof Rtable r ? r : null;
        if (inRt != null && (inRt.flags() & (Rtable.RTCF_BROADCAST | Rtable.RTCF_MULTICAST)) != 0) {
            return;
        }
        if (offending.pktType != PktType.HOST) {
            return;
        }
        if (Ipv4Header.fragmentOffset(ob, nh) != 0) {
            return;
        }
        int ihl = Ipv4Header.headerLength(ob, nh);
        if (Ipv4Header.protocol(ob, nh) == IpProtocol.ICMP && IcmpHeader.isError(type)) {
            int inner = nh + ihl;
            if (inner + 1 > offending.tail()) {
                return;
            }
            int innerType = ob[inner] & 0xff;
            if (innerType > IcmpHeader.TIMESTAMP_REPLY + 4 || IcmpHeader.isError(innerType)) {
                return;
            }
        }
        int to = Ipv4Header.src(ob, nh);
        if (to == 0 || to == 0xffffffff || (to & 0xf0000000) == 0xe0000000 || (to & 0xff000000) == 0) {
            return;
        }
        long now = ipv4.loop().now();
        if (rate.limited(type)) {
            if (!rate.globalAllow(now)) {
                mib.inc(IcmpMib.OutRateLimitGlobal);
                return;
            }
        }
        int saddr = inRt != null && inRt.isLocal() ? Ipv4Header.dst(ob, nh) : 0;
        if (saddr == 0 && errorsUseInboundIfaddr != 0 && offending.dev != null) {
            saddr = ipv4.inet().selectSourceAddress(offending.dev, to, 0);
        }
        int tos = (Ipv4Header.tos(ob, nh) & 0x1e) | TOS_INTERNET_CONTROL;
        Rtable rt;
        try {
            rt = ipv4.route().routeOutput(to, saddr, tos, 0, offending.mark);
        } catch (NetException e) {
            mib.inc(IcmpMib.OutErrors);
            return;
        }
        if ((rt.flags() & (Rtable.RTCF_BROADCAST | Rtable.RTCF_MULTICAST)) != 0) {
            // RFC 1122 3.2.2: no error about a datagram whose source is not a single host. A
            // subnet's broadcast address passes Linux's input checks with rp_filter off (only
            // our own addresses are refused); answering it would reflect the error to every host
            // on the link, so it is refused here, as BSD's icmp_error does.
            return;
        }
        if (rate.limited(type) && !rt.dev().isLoopback() && !rate.peerAllow(to, now)) {
            mib.inc(IcmpMib.OutRateLimitHost);
            return;
        }
        int room = Math.min(MAX_ERROR_LEN, rt.mtu()) - Ipv4Header.MIN_LEN - IcmpHeader.HEADER_LEN;
        int quote = Math.min(offending.tail() - nh, room);
        PacketBuffer skb = ipv4.output().allocDatagram(IcmpHeader.HEADER_LEN + quote);
        int off = skb.put(IcmpHeader.HEADER_LEN + quote);
        byte[] b = skb.array();
        IcmpHeader.setType(b, off, type);
        IcmpHeader.setCode(b, off, code);
        int rest = switch (type) {
            case IcmpHeader.DEST_UNREACH -> code == IcmpHeader.FRAG_NEEDED ? info & 0xffff : 0;
            case IcmpHeader.PARAMETER_PROBLEM -> (info & 0xff) << 24;
            case IcmpHeader.REDIRECT -> info;
            default -> 0;
        };
        IcmpHeader.setRest(b, off, rest);
        System.arraycopy(ob, nh, b, off + IcmpHeader.HEADER_LEN, quote);
        IcmpHeader.fillChecksum(b, off, IcmpHeader.HEADER_LEN + quote);
        countOut(type);
        ipv4.output().send(skb, rt, saddr, to, IpProtocol.ICMP, ipv4.defaultTtl(), tos, false);
    }

    private void countOut(int type) {
        mib.inc(IcmpMib.OutMsgs);
        outTypes[type & 0xff]++;
        IcmpMib c = IcmpMib.outCounter(type);
        if (c != null) {
            mib.inc(c);
        }
    }

    /**
     * Opens a ping identifier ({@code ping_get_port}): replies and errors for echo requests with
     * this identifier go to {@code listener}. Throws EADDRINUSE if the identifier is taken.
     */
    public void openEcho(int ident, EchoListener listener) {
        if (ident < 0 || ident > 0xffff) {
            throw new NetException(Errno.EINVAL, "echo identifier " + ident + " outside 0..65535");
        }
        if (echo.containsKey(ident)) {
            throw new NetException(Errno.EADDRINUSE);
        }
        if (echo.size() >= MAX_ECHO_LISTENERS) {
            throw new NetException(Errno.EAGAIN, "no free echo identifiers");
        }
        echo.put(ident, listener);
    }

    public void closeEcho(int ident) {
        echo.remove(ident);
    }

    /**
     * Sends one echo request ({@code ping_v4_sendmsg}).
     *
     * @param data echo data (iputils puts a timestamp and a pattern here)
     * @param ttl IP TTL, or 0 for the default
     * @param df set don't-fragment ({@code ping -M do})
     * @param oif output device ifindex or 0
     * @return the route used, so the caller can report the source and MTU
     * @throws NetException ENETUNREACH etc. from routing, EMSGSIZE when DF is set and the datagram
     *     exceeds the route MTU (iputils prints "message too long")
     */
    public Rtable sendEcho(int daddr, int saddr, int ident, int sequence, byte[] data, int dataLen, int ttl, int tos, boolean df,
            int oif) {
        IpRoute route = ipv4.route();
        Rtable rt = route.routeOutputForSocket(daddr, saddr, tos, oif, 0);
        int total = Ipv4Header.MIN_LEN + IcmpHeader.HEADER_LEN + dataLen;
        if (df && total > rt.mtu()) {
            throw new NetException(Errno.EMSGSIZE, "message too long, mtu=" + rt.mtu());
        }
        PacketBuffer skb = ipv4.output().allocDatagram(IcmpHeader.HEADER_LEN + dataLen);
        int off = skb.put(IcmpHeader.HEADER_LEN + dataLen);
        byte[] b = skb.array();
        IcmpHeader.setType(b, off, IcmpHeader.ECHO);
        IcmpHeader.setCode(b, off, 0);
        IcmpHeader.setIdent(b, off, ident);
        IcmpHeader.setSequence(b, off, sequence);
        System.arraycopy(data, 0, b, off + IcmpHeader.HEADER_LEN, dataLen);
        IcmpHeader.fillChecksum(b, off, IcmpHeader.HEADER_LEN + dataLen);
        countOut(IcmpHeader.ECHO);
        ipv4.output().send(skb, rt, saddr, daddr, IpProtocol.ICMP, ttl == 0 ? ipv4.defaultTtl() : ttl, tos, df);
        return rt;
    }
}
