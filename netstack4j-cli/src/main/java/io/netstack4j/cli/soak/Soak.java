package io.netstack4j.cli.soak;

import io.netstack4j.core.DropReason;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.netfilter.Netfilter;
import io.netstack4j.netfilter.NfHook;
import io.netstack4j.netfilter.Verdict;
import io.netstack4j.neigh.ArpEntry;
import io.netstack4j.neigh.Nud;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.sched.NetemSpec;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpExtMib;
import io.netstack4j.tcp.TcpInfo;
import io.netstack4j.tcp.TcpMib;
import io.netstack4j.tcp.TcpSock;
import io.netstack4j.tcp.TcpSockstat;
import io.netstack4j.tcp.TcpState;
import io.netstack4j.wire.Bytes;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.TcpHeader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The soak: many namespaces (a core router, edge routers, hosts), hundreds of TCP connections
 * moving data both ways, netem changing at random on every link (loss, duplication,
 * reordering, corruption, delay, rate), links taken down and brought back up, and a stream of
 * mutated frames injected into the devices ({@link FrameFuzzer}) — for a chosen time. Then it
 * checks:
 * <ul>
 * <li>every byte: each direction of each connection is hashed with SHA-256 by sender and
 *     receiver, and the digests must match; a connection cut short must still have received a
 *     correct prefix of its stream;</li>
 * <li>that connections fail only for a reason. Link downs are short (at most
 *     {@link #SHORT_DOWN_MAX_NS}; connections must ride them out) or long (at least
 *     {@link #LONG_DOWN_MIN_NS}, beyond the {@link #USER_TIMEOUT_MS} user timeout every socket
 *     has). A side of a connection whose two ends were both up may fail with a timeout
 *     ({@code ETIMEDOUT}, or the ICMP soft error a timeout reports instead,
 *     {@code EHOSTUNREACH}/{@code ENETUNREACH}, as Linux's {@code tcp_write_err}) only if a
 *     long down hit a link on its path during its life, and with a reset ({@code ECONNRESET},
 *     or {@code EPIPE} in CLOSE_WAIT, as {@code tcp_reset}) only when its peer had given up or
 *     finished first. A handshake may fail at any outage on its path (an ICMP unreachable ends
 *     it, as in Linux). Nothing may hang: no progress for {@link #HANG_NS} is a failure;</li>
 * <li>that the heap is flat ({@link HeapWatch}) and that, once every socket is closed and the
 *     network quiet, every packet buffer went back to the pool, no socket is left and each namespace's TCP memory
 *     and orphan counts ({@code sockstat}) are back at zero.</li>
 * </ul>
 * Corruption is applied only on hosts' own egress and never together with duplication, so a
 * packet meets at most one bit flip: two flips can cancel in the Internet checksum (RFC 1071
 * cannot see every double error) and TCP then delivers them, which is the checksum's limit,
 * not a fault of the stack (with corruption on every hop, seed 1 showed it once in 13,622
 * connections).
 *
 * <p>Time: the network runs on a <em>virtual clock</em>, driven by this thread in 1 ms steps,
 * with the applications' non-blocking calls made between steps. Every random choice (the
 * stack's ISNs and netem, and the soak's own flows, impairments and mutations) comes from the
 * seed, so a failure replays exactly: the summary prints the seed and the virtual time the
 * traffic phase lasted, and {@code --seed S --virtual-seconds V} runs that same soak again
 * ({@code -Dsoak.checkBytes=true} then also reports the first wrong byte of a stream). A
 * real-time loop would be closer to a deployment but could not be replayed, and a loaded
 * machine would turn into spurious timeouts. The outages are virtual too, so a timeout means
 * the stack's own timers decided it; the wall-clock length only decides how much virtual time
 * the run covers (on two shared cores about 4 to 10 virtual seconds per wall second).
 *
 * <p>Phases: traffic (flows are opened to keep the target number running), drain (all links
 * up, impairments and fuzzing stopped, no new flows; every flow must finish within
 * {@link #DRAIN_NS}), and quiesce (listeners closed, {@link #QUIESCE_NS} of idle time for
 * TIME_WAIT and the other timers, then no socket may be left and the pool must be empty).
 */
public final class Soak {

    /** The user timeout (TCP_USER_TIMEOUT) every connection runs with. */
    static final int USER_TIMEOUT_MS = 60_000;
    /** {@code tcp_syn_retries} on every host: a connect gives up 31 s after its first SYN. */
    static final int SYN_RETRIES = 4;
    /** Short link downs last at most this long: connections must ride them out. */
    static final long SHORT_DOWN_MAX_NS = 3_000_000_000L;
    /** Long link downs last at least this long: established connections through them time out. */
    static final long LONG_DOWN_MIN_NS = (USER_TIMEOUT_MS + 5_000) * 1_000_000L;
    /** The shortest outage that excuses the failure of an established connection: only the long ones do. */
    static final long MIN_CUT_DOWN_NS = LONG_DOWN_MIN_NS;
    static final long HANG_NS = 240_000_000_000L;
    static final long DRAIN_NS = 600_000_000_000L;
    static final long QUIESCE_NS = 150_000_000_000L;
    static final int PORT = 5001;
    /** How long after an orphan gave up its reset may come: the peer's keepalive time and interval ({@link #configure}). */
    static final long ORPHAN_SLACK_NS = 13_000_000_000L;
    private static final long STEP_NS = 1_000_000L;
    private static final long MAX_BYTES = 1 << 20;

    /** What to run: the traffic phase ends after {@code seconds} of wall time or, if {@code virtualSeconds} > 0, that much virtual time, whichever comes first. */
    public record Options(double seconds, long seed, double virtualSeconds, int edges, int hostsPerEdge, int flows,
            int fuzzPerSecond) {

        public static Options defaults(double seconds, long seed) {
            return new Options(seconds, seed, 0, 3, 4, 300, 2000);
        }
    }

    /** The outcome. */
    public record Result(boolean passed, List<String> failures, long flowsStarted, long flowsCompleted, long flowsCut,
            long bytesDelivered, long framesFuzzed, long linkFlaps, long longFlaps, long netemChanges, long heapGrowthBytes,
            long poolLiveAtEnd, double virtualSeconds) {
    }

    private final Options opt;
    private final PrintStream out;
    private final SplittableRandom rnd;
    private final NetStack stack;
    private final SoakNet net;
    private final FrameFuzzer fuzzer;
    private final HeapWatch heap = new HeapWatch();
    private final List<Flow> flows = new ArrayList<>();
    private final Map<FrameFuzzer.Tuple, Flow> awaitingAccept = new HashMap<>();
    /** Every open flow by its client-to-server 4-tuple, for {@link #witness}. */
    private final Map<FrameFuzzer.Tuple, Flow> byTuple = new HashMap<>();
    private final List<TcpSock> listeners = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final Map<Errno, Long> cutBy = new EnumMap<>(Errno.class);
    private final long[] upAt;
    private int nextFlowId;
    private long completed;
    private long cut;
    /** Established connections that timed out with no long outage, as the loss on the wire explains. */
    private long cutByLoss;
    private long bytes;
    private long strayChildren;
    private long netemChanges;
    private long longFlaps;
    private long nextNetemNs;
    private long nextFlapNs;
    private long fuzzCredit;
    /** {@code -Dsoak.trace=ID}: every TCP segment of flow ID at its two hosts, and its sockets' states (a debugging aid). */
    private static final int TRACE_FLOW = Integer.getInteger("soak.trace", -1);
    private Flow tracedFlow;
    private String tracedStates;

    Soak(Options opt, PrintStream out) {
        this.opt = opt;
        this.out = out;
        this.rnd = new SplittableRandom(opt.seed ^ 0x50A4_50A4L);
        this.stack = NetStack.simulated(opt.seed);
        this.net = new SoakNet(stack, opt.edges, opt.hostsPerEdge);
        this.fuzzer = new FrameFuzzer(opt.seed * 31 + 7, net.macOf);
        this.upAt = new long[net.links.size()];
        for (SoakNet.Host h : net.hosts) {
            h.ns().sysctls().set("net.ipv4.tcp_syn_retries", Integer.toString(SYN_RETRIES));
            h.ns().devices().addTap((dev, outgoing, frame, offset, length) -> {
                if (!outgoing) {
                    witness(h, dev, false, frame.array(), offset, length);
                } else if (tracedFlow != null) {
                    witness(h, dev, true, frame.array(), offset, length);
                }
                if (outgoing) {
                    fuzzer.sample(frame, offset, length);
                }
            });
            // What the stack sends, seen before the egress qdisc: netem may drop it before any tap.
            h.ns().ipv4().netfilter().register(NfHook.LOCAL_OUT, Netfilter.PRI_FILTER, (hook, skb, inDev, outDev) -> {
                witnessSent(h, skb.array(), skb.networkHeader());
                return Verdict.ACCEPT;
            });
            TcpSock l = h.ns().tcp().open(null);
            TcpCalls.bind(l, 0, PORT);
            TcpCalls.listen(l, 1024);
            listeners.add(l);
        }
        SoakNet.Host first = net.hosts.getFirst();
        SoakNet.Host last = net.hosts.getLast();
        fuzzer.addBuiltTemplates(first.uplinks().getFirst().ends[1].mac(), first.uplinks().getFirst().ends[0].mac(), last.addr(),
                first.addr());
    }

    /** Runs a soak and prints its summary to {@code out}. */
    public static Result run(Options opt, PrintStream out) {
        return new Soak(opt, out).run();
    }

    private long now() {
        return stack.loop().now();
    }

    private Result run() {
        out.printf(Locale.ROOT, "soak: seed %d, %d namespaces (%d hosts, %d routers), %d links, %d flows at a time, %s%n", opt.seed,
                net.hosts.size() + net.routers.size(), net.hosts.size(), net.routers.size(), net.links.size(), opt.flows,
                (Double.isInfinite(opt.seconds) ? "" : opt.seconds + " s of wall time") + (opt.virtualSeconds > 0
                        ? (Double.isInfinite(opt.seconds) ? "" : " or ") + opt.virtualSeconds + " s of virtual time" : ""));
        long wall0 = System.nanoTime();
        double expected = Double.isInfinite(opt.seconds) ? opt.virtualSeconds / 5 : opt.seconds;
        long sampleEveryNs = (long) (Math.max(2, expected / 40) * 1e9);
        long nextSample = wall0 + sampleEveryNs;
        long t0 = now();
        nextNetemNs = t0;
        nextFlapNs = t0 + 2_000_000_000L;
        heap.sample(0, 0, stack.loop().pool().live(), 0);
        while (true) {
            long wall = System.nanoTime();
            boolean over = opt.virtualSeconds > 0 && now() - t0 >= opt.virtualSeconds * 1e9 || wall - wall0 >= opt.seconds * 1e9;
            if (over) {
                break;
            }
            startFlows();
            impair();
            fuzz();
            step();
            if (wall >= nextSample) {
                heap.sample((wall - wall0) / 1e9, (now() - t0) / 1e9, stack.loop().pool().live(), flows.size());
                nextSample = wall + sampleEveryNs;
            }
        }
        long trafficNs = now() - t0;
        heap.sample((System.nanoTime() - wall0) / 1e9, trafficNs / 1e9, stack.loop().pool().live(), flows.size());
        drain();
        quiesce();
        return report(trafficNs, (System.nanoTime() - wall0) / 1e9);
    }

    private void startFlows() {
        for (int i = 0; i < 4 && flows.size() < opt.flows; i++) {
            SoakNet.Host a = net.hosts.get(rnd.nextInt(net.hosts.size()));
            SoakNet.Host b;
            do {
                b = net.hosts.get(rnd.nextInt(net.hosts.size()));
            } while (b == a);
            Flow f = new Flow(nextFlowId++, a, b, rnd.nextLong(), size(), size(), now());
            flows.add(f);
            TcpSock sk = a.ns().tcp().open(null);
            f.c.sk = sk;
            configure(sk);
            try {
                TcpCalls.connect(sk, b.addr(), PORT);
            } catch (NetException e) {
                f.c.fail(e.errno());
                continue;
            }
            awaitingAccept.put(new FrameFuzzer.Tuple(a.addr(), sk.localPort(), b.addr(), PORT), f);
            byTuple.put(new FrameFuzzer.Tuple(a.addr(), sk.localPort(), b.addr(), PORT), f);
            if (f.id == TRACE_FLOW) {
                tracedFlow = f;
            }
            fuzzer.live.add(new FrameFuzzer.Tuple(a.addr(), sk.localPort(), b.addr(), PORT));
            fuzzer.live.add(new FrameFuzzer.Tuple(b.addr(), PORT, a.addr(), sk.localPort()));
        }
    }

    /** Log-uniform from 1 KiB to 1 MiB, and now and then nothing at all (a bare FIN). */
    private long size() {
        if (rnd.nextInt(50) == 0) {
            return 0;
        }
        return (long) Math.exp(Math.log(1024) + rnd.nextDouble() * (Math.log(MAX_BYTES) - Math.log(1024)));
    }

    private static void configure(TcpSock sk) {
        TcpCalls.setUserTimeout(sk, USER_TIMEOUT_MS);
        TcpCalls.setKeepAlive(sk, true);
        TcpCalls.setKeepaliveParams(sk, 10, 3, 3);
    }

    /** Netem changes (about one a second somewhere) and link flaps (about one every eight seconds, at most two down). */
    private void impair() {
        long now = now();
        for (int i = 0; i < net.links.size(); i++) {
            SoakNet.Link l = net.links.get(i);
            if (l.isDown() && now >= upAt[i]) {
                net.setLinkUp(l, now);
            }
        }
        if (now >= nextNetemNs) {
            SoakNet.Link l = net.links.get(rnd.nextInt(net.links.size()));
            int end = rnd.nextInt(2);
            l.netem[end].change(randomNetem(end == 1 && l.name.contains("-host")));
            netemChanges++;
            nextNetemNs = now + 200_000_000L + rnd.nextLong(1_600_000_000L);
        }
        if (now >= nextFlapNs) {
            nextFlapNs = now + 2_000_000_000L + rnd.nextLong(12_000_000_000L);
            long down = net.links.stream().filter(SoakNet.Link::isDown).count();
            int i = rnd.nextInt(net.links.size());
            SoakNet.Link l = net.links.get(i);
            if (down < 2 && !l.isDown()) {
                boolean longDown = rnd.nextInt(5) == 0;
                long d = longDown ? LONG_DOWN_MIN_NS + rnd.nextLong(USER_TIMEOUT_MS * 1_000_000L)
                        : 100_000_000L + rnd.nextLong(SHORT_DOWN_MAX_NS - 100_000_000L);
                if (longDown) {
                    longFlaps++;
                }
                net.setLinkDown(l, rnd.nextInt(2), now, d);
                upAt[i] = now + d;
            }
        }
        net.pruneDowns(now - 2 * DRAIN_NS);
    }

    private NetemSpec randomNetem(boolean hostEnd) {
        List<String> a = new ArrayList<>(List.of("limit", "1000"));
        int delayMs = rnd.nextInt(25);
        if (delayMs > 0) {
            a.addAll(List.of("delay", delayMs + "ms", rnd.nextInt(delayMs + 1) + "ms"));
            if (rnd.nextInt(3) == 0) {
                a.addAll(List.of("reorder", pct(rnd.nextDouble() * 25), "50%"));
            }
        }
        if (rnd.nextInt(3) != 0) {
            a.addAll(List.of("loss", pct(rnd.nextInt(8) == 0 ? rnd.nextDouble() * 10 : rnd.nextDouble() * 3)));
        }
        // Corruption only where a packet meets it once: on a host's own egress, and never with
        // duplication (a duplicate goes through netem again). Two flips in one packet can cancel
        // in the Internet checksum (RFC 1071: it cannot see every double error), and then TCP
        // delivers them; seed 1 with corruption on every hop did exactly that once in 13622
        // connections. That is the checksum's limit, not a fault of the stack.
        if (hostEnd && rnd.nextInt(3) == 0) {
            a.addAll(List.of("corrupt", pct(rnd.nextDouble() * 1)));
        } else if (rnd.nextInt(3) == 0) {
            a.addAll(List.of("duplicate", pct(rnd.nextDouble() * 2)));
        }
        if (rnd.nextInt(2) == 0) {
            a.addAll(List.of("rate", (5 + rnd.nextInt(200)) + "mbit"));
        }
        return NetemSpec.parse(a);
    }

    private static String pct(double p) {
        return String.format(Locale.ROOT, "%.2f%%", p);
    }

    /** Mutated frames at {@code fuzzPerSecond} of virtual time, into random devices. */
    private void fuzz() {
        fuzzCredit += opt.fuzzPerSecond;
        while (fuzzCredit >= 1000) {
            fuzzCredit -= 1000;
            SoakNet.Link l = net.links.get(rnd.nextInt(net.links.size()));
            fuzzer.injectOne(l.ends[rnd.nextInt(2)]);
        }
    }

    /** Accepts, runs every application once, judges finished flows, then 1 ms of network time. */
    private void step() {
        for (int h = 0; h < listeners.size(); h++) {
            TcpSock child;
            while ((child = TcpCalls.accept(listeners.get(h))) != null) {
                Flow f = awaitingAccept.remove(new FrameFuzzer.Tuple(child.remoteAddress(), child.remotePort(), net.hosts.get(h).addr(), PORT));
                if (f == null || f.verdict != null) {
                    strayChildren++;
                    TcpCalls.abort(child);
                    TcpCalls.close(child);
                    continue;
                }
                configure(child);
                f.s.sk = child;
            }
        }
        long now = now();
        byte[] buf = this.buf;
        for (int i = 0; i < flows.size(); i++) {
            Flow f = flows.get(i);
            boolean progress = f.c.step(buf) | f.s.step(buf);
            for (Flow.Side side : List.of(f.c, f.s)) {
                if (side.end == Flow.End.FAILED && side.failNs < 0) {
                    side.failNs = now;
                }
            }
            if (f == tracedFlow) {
                traceStates(f);
            }
            if (progress) {
                f.lastProgressNs = now;
            }
            if (judgeIfDone(f, now)) {
                flows.set(i, flows.getLast());
                flows.removeLast();
                i--;
            }
        }
        stack.loop().runFor(STEP_NS);
    }

    private final byte[] buf = new byte[64 * 1024];

    /**
     * Frame-tap hook: a TCP segment of an open flow that reached a host goes to its
     * {@link FlowWire}; and every frame of the traced flow, either way, is printed.
     */
    private void witness(SoakNet.Host h, NetDevice dev, boolean outgoing, byte[] b, int off, int len) {
        if (len < 14 + 40 || (b[off + 12] & 0xff) != 0x08 || b[off + 13] != 0) {
            return;
        }
        int nh = off + 14;
        Flow f = flowOf(h, b, nh, off + len);
        if (f == null) {
            return;
        }
        int th = nh + Ipv4Header.headerLength(b, nh);
        int tcpLen = Ipv4Header.totalLength(b, nh) - (th - nh);
        int payload = tcpLen - TcpHeader.headerLength(b, th);
        boolean checksumOk = TcpHeader.verifyChecksum(b, th, tcpLen, Ipv4Header.src(b, nh), Ipv4Header.dst(b, nh));
        if (!outgoing && checksumOk) {
            f.wire.arrived(h == f.client ? f.wire.c : f.wire.s, h == f.client ? f.wire.s : f.wire.c, now(), TcpHeader.flags(b, th),
                    TcpHeader.seq(b, th), TcpHeader.ack(b, th), payload);
        }
        if (f == tracedFlow) {
            traceFrame(h == f.client, dev, outgoing, b, th, payload, checksumOk);
        }
    }

    /** LOCAL_OUT hook: a TCP segment of an open flow that its host's stack sends. */
    private void witnessSent(SoakNet.Host h, byte[] b, int nh) {
        Flow f = flowOf(h, b, nh, nh + Ipv4Header.totalLength(b, nh));
        if (f != null) {
            int th = nh + Ipv4Header.headerLength(b, nh);
            int payload = Ipv4Header.totalLength(b, nh) - (th - nh) - TcpHeader.headerLength(b, th);
            f.wire.sent(h == f.client ? f.wire.c : f.wire.s, now(), TcpHeader.flags(b, th), TcpHeader.seq(b, th), payload);
        }
    }

    /** The open flow a well-formed TCP/IPv4 packet at {@code nh} (ending before {@code limit}) belongs to, if {@code h} is one of its hosts. */
    private Flow flowOf(SoakNet.Host h, byte[] b, int nh, int limit) {
        if (nh + 40 > limit || Ipv4Header.protocol(b, nh) != 6) {
            return null;
        }
        int th = nh + Ipv4Header.headerLength(b, nh);
        int tcpLen = Ipv4Header.totalLength(b, nh) - (th - nh);
        if (th + 20 > limit || tcpLen < 20 || th + tcpLen > limit || TcpHeader.headerLength(b, th) > tcpLen) {
            return null;
        }
        int src = Ipv4Header.src(b, nh);
        int dst = Ipv4Header.dst(b, nh);
        int sport = TcpHeader.srcPort(b, th);
        int dport = TcpHeader.dstPort(b, th);
        Flow f = dport == PORT ? byTuple.get(new FrameFuzzer.Tuple(src, sport, dst, dport))
                : sport == PORT ? byTuple.get(new FrameFuzzer.Tuple(dst, dport, src, sport)) : null;
        return f != null && (h == f.client || h == f.server) ? f : null;
    }

    private void traceFrame(boolean atClient, NetDevice dev, boolean outgoing, byte[] b, int th, int payload, boolean checksumOk) {
        TcpSock sk = atClient ? tracedFlow.c.sk : tracedFlow.s.sk;
        String tcp = "";
        if (sk != null && sk.state() != TcpState.CLOSE) {
            TcpInfo i = TcpCalls.info(sk);
            tcp = String.format(Locale.ROOT, "  [%s %s cwnd %d unacked %d sacked %d lost %d retrans %d rto %.3f backoff %d srtt %.3f]",
                    i.state(), i.caState(), i.sndCwnd(), i.unacked(), i.sacked(), i.lost(), i.retrans(), i.rtoUs() / 1e6, i.backoff(),
                    i.rttUs() / 1e6);
        }
        StringBuilder opts = new StringBuilder();
        for (int o = th + 20, end = th + TcpHeader.headerLength(b, th); o < end && b[o] != 0; ) {
            int kind = b[o] & 0xff;
            int olen = kind == 1 ? 1 : o + 1 < end ? b[o + 1] & 0xff : 0;
            if (olen < 1 || o + olen > end) {
                break;
            }
            if (kind == 8 && olen == 10) {
                opts.append(" ts ").append(Integer.toUnsignedLong(Bytes.u32(b, o + 2)))
                        .append('/').append(Integer.toUnsignedLong(Bytes.u32(b, o + 6)));
            } else if (kind == 5) {
                opts.append(" sack");
                for (int k = o + 2; k + 8 <= o + olen; k += 8) {
                    opts.append(' ').append(Integer.toUnsignedLong(Bytes.u32(b, k))).append('-')
                            .append(Integer.toUnsignedLong(Bytes.u32(b, k + 4)));
                }
            }
            o += olen;
        }
        if (!checksumOk) {
            opts.append(" BAD-CHECKSUM");
        }
        out.printf(Locale.ROOT, "trace %10.3f %-8s %-3s %-7s %s seq %d ack %d len %d win %d%s%s%n", now() / 1e9,
                atClient ? "client" : "server", outgoing ? "out" : "in", dev.name(), TcpHeader.flagString(TcpHeader.flags(b, th)),
                Integer.toUnsignedLong(TcpHeader.seq(b, th)), Integer.toUnsignedLong(TcpHeader.ack(b, th)), payload,
                TcpHeader.window(b, th), opts, tcp);
    }

    private void traceStates(Flow f) {
        String states = side(f.c) + " | " + side(f.s);
        if (!states.equals(tracedStates)) {
            tracedStates = states;
            out.printf(Locale.ROOT, "trace %10.3f states: client %s%n", now() / 1e9, states.replace(" | ", ", server "));
        }
    }

    private static String side(Flow.Side side) {
        if (side.sk == null) {
            return "-";
        }
        return side.sk.state() + " " + side.end + (side.error != null ? " " + side.error : "") + " sent " + side.out.sent + "/"
                + side.out.size + " got " + side.in.received;
    }

    private static boolean timeoutClass(Errno e) {
        return e == Errno.ETIMEDOUT || e == Errno.EHOSTUNREACH || e == Errno.ENETUNREACH;
    }

    /** Judges the flow once both sides are over (or it hung); true if it is finished with. */
    private boolean judgeIfDone(Flow f, long now) {
        if (f.c.end != Flow.End.RUNNING && f.clientEndNs < 0) {
            f.clientEndNs = now;
        }
        boolean serverOver = f.s.sk != null ? f.s.end != Flow.End.RUNNING
                : f.c.end != Flow.End.RUNNING && (!f.c.established || now - f.clientEndNs > 90_000_000_000L);
        boolean hung = now - f.lastProgressNs > HANG_NS;
        if (hung && f.hungStates == null) {
            f.hungStates = "client " + (f.c.sk != null ? f.c.sk.state() : null) + ", server " + (f.s.sk != null ? f.s.sk.state() : null);
        }
        if (!(f.c.end != Flow.End.RUNNING && serverOver) && !hung) {
            return false;
        }
        forget(f);
        bytes += f.bytesDelivered();
        String problem = null;
        if (!Flow.streamIntact(f.c, f.s) || !Flow.streamIntact(f.s, f.c)) {
            problem = "CORRUPT: end-of-stream digest differs from the sender's";
        } else if (f.c.end == Flow.End.FAILED && !Flow.verifyPrefix(f.c.in) || f.s.end == Flow.End.FAILED && !Flow.verifyPrefix(f.s.in)) {
            problem = "CORRUPT: the prefix received before the error differs from the stream";
        } else if (hung) {
            problem = "HUNG: no progress for " + HANG_NS / 1_000_000_000L + " s (" + f.hungStates + ")";
            abortSides(f);
        } else if (f.c.end == Flow.End.DONE && f.s.end == Flow.End.DONE) {
            completed++;
            f.verdict = "completed";
            return true;
        } else {
            problem = judgeFailure(f, now);
        }
        if (problem == null) {
            cut++;
            f.verdict = "cut";
            return true;
        }
        f.verdict = problem;
        f.failure = true;
        failures.add(String.format(Locale.ROOT, "flow %d %s -> %s at %.3f s: %s; client %s %s, server %s %s; sent %d/%d, %d/%d; "
                        + "longest path link down %d ms", f.id, new Ipv4Address(f.client.addr()), new Ipv4Address(f.server.addr()),
                f.startNs / 1e9, problem, f.c.end, f.c.error, f.s.end, f.s.error, f.c.out.received, f.c.out.size, f.s.out.received,
                f.s.out.size, longestPathDown(f, now) / 1_000_000L) + "; path now: " + pathNetem(f));
        return true;
    }

    /**
     * For a side that failed with no long outage on its path: null if the loss on the wire
     * explains it (the side that gave up, this one on a timeout or the peer before the reset,
     * got no ACK for new data in its user timeout while it kept retransmitting; see
     * {@link FlowWire}), otherwise what the wire shows.
     */
    private static String lossExplains(Flow f, Flow.Side side, Flow.Side peer, long now) {
        if (timeoutClass(side.error)) {
            String why = FlowWire.lossExplains(side == f.c ? f.wire.c : f.wire.s, side.failNs, 0, ownDowns(f, side, now));
            return why == null ? null : "the side that timed out: " + why;
        }
        FlowWire.Side gaveUp = peer == f.c ? f.wire.c : f.wire.s;
        if (peer.end == Flow.End.FAILED) {
            String why = FlowWire.lossExplains(gaveUp, peer.failNs, 0, ownDowns(f, peer, now));
            return why == null ? null : "the peer that gave up first: " + why;
        }
        // An orphan gives up unseen; its reset to the peer's next segment (a keepalive probe,
        // at most keepalive time + interval later) bounds the moment from above.
        if (gaveUp.firstRstNs < 0) {
            return "the peer, which had finished, sent no reset";
        }
        String why = FlowWire.lossExplains(gaveUp, gaveUp.firstRstNs, ORPHAN_SLACK_NS, ownDowns(f, peer, now));
        return why == null ? null : "the peer that gave up first: " + why;
    }

    /**
     * For a handshake that failed with no link down on its path: null if the client timed out
     * having sent its SYNs as {@code tcp_syn_retries} asks and no SYN-ACK reached it (see
     * {@link FlowWire#handshakeLossExplains}), otherwise what is wrong.
     */
    private static String handshakeLossExplains(Flow f, Flow.Side side, long now) {
        if (side != f.c || !timeoutClass(side.error)) {
            return "the handshake failed with no link down on the path";
        }
        if (side.error == Errno.EHOSTUNREACH && failedNeighbourOnPath(f)) {
            return null;
        }
        String why = FlowWire.handshakeLossExplains(f.wire.c, side.failNs, SYN_RETRIES, ownDowns(f, side, now));
        return why == null ? null : "the handshake failed with no link down on the path, and the client: " + why;
    }

    /**
     * True if a host or router on the path holds a FAILED neighbour entry for the path's link:
     * its ARP requests went unanswered under the link's loss, so the packets queued for that
     * neighbour drew a host unreachable, which ends a connect (Linux's {@code tcp_v4_err} treats
     * it as fatal in SYN_SENT). The entry stays FAILED until it is resolved again, so the verdict,
     * made when the connect fails, still sees it.
     */
    private static boolean failedNeighbourOnPath(Flow f) {
        for (SoakNet.Link l : SoakNet.path(f.client, f.server)) {
            for (int end = 0; end < 2; end++) {
                for (ArpEntry e : l.ns[end].arp().list()) {
                    if (e.dev() == l.ends[end] && e.state() == Nud.FAILED) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * When the host of {@code side} had its own device down (the host end of its link to its
     * edge): its route is gone then, so what its retransmission timer fires finds no route and
     * never reaches LOCAL_OUT, where the witness counts transmissions.
     */
    private static List<long[]> ownDowns(Flow f, Flow.Side side, long now) {
        SoakNet.Host h = side == f.c ? f.client : f.server;
        return h.uplinks().get(0).downsOf(1, now);
    }

    /** Null if the failure is one the link downs or the loss explain, otherwise what is wrong. */
    private String judgeFailure(Flow f, long now) {
        long longest = longestPathDown(f, now);
        boolean byLoss = false;
        for (Flow.Side side : List.of(f.c, f.s)) {
            if (side.end != Flow.End.FAILED) {
                continue;
            }
            Flow.Side peer = side == f.c ? f.s : f.c;
            boolean peerGaveUp = peer.end == Flow.End.DONE || peer.end == Flow.End.FAILED && timeoutClass(peer.error)
                    || peer.sk == null;
            // tcp_reset reports a reset as EPIPE in CLOSE_WAIT (the peer's FIN was in), ECONNRESET otherwise.
            boolean reset = side.error == Errno.ECONNRESET || side.error == Errno.EPIPE;
            if (!(timeoutClass(side.error) || reset && peerGaveUp)) {
                return "UNEXPECTED ERROR " + side.error;
            }
            // A handshake the server never completed (no accepted socket) may fail at any outage:
            // an ICMP unreachable for the SYN-ACK removes the request (tcp_req_err, as Linux),
            // and the client's next segment draws a reset.
            boolean bothUp = side.established && f.s.sk != null;
            boolean explained = bothUp ? longest >= MIN_CUT_DOWN_NS
                    : SoakNet.path(f.client, f.server).stream().anyMatch(l -> l.downDuring(f.startNs, now));
            if (explained) {
                cutBy.merge(side.error, 1L, Long::sum);
                continue;
            }
            String wire = bothUp ? lossExplains(f, side, peer, now) : handshakeLossExplains(f, side, now);
            if (wire != null) {
                return "FAILED WITHOUT CAUSE: " + side.error + "; the longest link down on the path was " + longest / 1_000_000L
                        + " ms, and " + wire;
            }
            byLoss = true;
        }
        if (byLoss) {
            cutByLoss++;
        }
        return null;
    }

    private static String pathNetem(Flow f) {
        StringBuilder b = new StringBuilder();
        for (SoakNet.Link l : SoakNet.path(f.client, f.server)) {
            b.append('[').append(l.name).append(": ").append(l.netem[0].spec()).append(" | ").append(l.netem[1].spec()).append("] ");
        }
        return b.toString();
    }

    private long longestPathDown(Flow f, long now) {
        long longest = 0;
        for (SoakNet.Link l : SoakNet.path(f.client, f.server)) {
            longest = Math.max(longest, l.longestDownOverlapping(f.startNs, now));
        }
        return longest;
    }

    private void forget(Flow f) {
        if (f.c.sk != null && f.c.sk.localPort() != 0) {
            int port = f.c.sk.localPort();
            awaitingAccept.remove(new FrameFuzzer.Tuple(f.client.addr(), port, f.server.addr(), PORT));
            byTuple.remove(new FrameFuzzer.Tuple(f.client.addr(), port, f.server.addr(), PORT));
            fuzzer.live.remove(new FrameFuzzer.Tuple(f.client.addr(), port, f.server.addr(), PORT));
            fuzzer.live.remove(new FrameFuzzer.Tuple(f.server.addr(), PORT, f.client.addr(), port));
        }
    }

    private static void abortSides(Flow f) {
        for (Flow.Side s : List.of(f.c, f.s)) {
            if (s.sk != null && s.end == Flow.End.RUNNING) {
                s.end = Flow.End.FAILED;
                TcpCalls.abort(s.sk);
                TcpCalls.close(s.sk);
            }
        }
    }

    /** All links up, impairments and fuzzing off, no new flows: every open flow must finish. */
    private void drain() {
        long now = now();
        for (SoakNet.Link l : net.links) {
            if (l.isDown()) {
                net.setLinkUp(l, now);
            }
            for (var n : l.netem) {
                n.change(NetemSpec.parse(List.of("limit", "1000", "delay", "1ms")));
            }
        }
        long end = now + DRAIN_NS;
        while (!flows.isEmpty() && now() < end) {
            step();
        }
        for (Flow f : flows) {
            f.lastProgressNs = Long.MIN_VALUE / 2;
            judgeIfDone(f, now());
        }
        flows.clear();
    }

    /**
     * Listeners closed and the timers given time: no socket may be left, every buffer back in the
     * pool, and each namespace's TCP memory and orphan counts back at zero.
     */
    private void quiesce() {
        for (TcpSock l : listeners) {
            TcpCalls.close(l);
        }
        stack.loop().runFor(QUIESCE_NS);
        for (Namespace ns : stack.namespaces()) {
            int left = ns.tcp().sockets().size();
            if (left > 0) {
                failures.add("LEAK: " + left + " TCP sockets left in " + ns.name() + " after " + QUIESCE_NS / 1_000_000_000L
                        + " s of quiet: " + ns.tcp().sockets());
            }
            TcpSockstat st = ns.tcp().sockstat();
            if (st.memBytes() != 0 || st.orphans() != 0) {
                failures.add("LEAK: " + ns.name() + "'s TCP accounting did not return to zero: " + st + " (" + st.memBytes() + " bytes)");
            }
        }
        long live = stack.loop().pool().live();
        if (live != 0) {
            failures.add("LEAK: " + live + " packet buffers still out of the pool after everything closed");
        }
    }

    private Result report(long trafficNs, double wallSeconds) {
        heap.sample(wallSeconds, now() / 1e9, stack.loop().pool().live(), 0);
        long growth = heap.growthBytes();
        if (growth > HeapWatch.GROWTH_BOUND_BYTES) {
            failures.add(String.format(Locale.ROOT, "HEAP: used heap after GC grew %.1f MiB in the steady state (bound %d MiB)",
                    growth / 1048576.0, HeapWatch.GROWTH_BOUND_BYTES >> 20));
        }
        long flaps = net.links.stream().mapToLong(l -> l.flaps).sum();
        PrintStream o = out;
        o.printf(Locale.ROOT, "traffic phase: %.3f s of virtual time (replay: --seed %d --virtual-seconds %.3f), %.1f s of wall time in all%n",
                trafficNs / 1e9, opt.seed, trafficNs / 1e9, wallSeconds);
        o.printf(Locale.ROOT, "flows: %d started, %d completed, %d cut by a link down %s, %d timed out under loss alone (no ACK for new data"
                        + " reached the side that gave up in its user timeout), %d failed; %d stray accepted children%n",
                nextFlowId, completed, cut - cutByLoss, cutBy, cutByLoss, failures.stream().filter(s -> s.startsWith("flow")).count(),
                strayChildren);
        o.printf(Locale.ROOT, "bytes delivered and verified (SHA-256): %d (%.1f MiB)%n", bytes, bytes / 1048576.0);
        o.printf(Locale.ROOT, "impairments: %d netem changes, %d link flaps (%d long enough to cut)%n", netemChanges, flaps, longFlaps);
        o.printf(Locale.ROOT, "fuzzed frames: %d injected (%d with checksums recomputed), %d withheld as undetectable forgeries%n",
                fuzzer.injected, fuzzer.fixedChecksums, fuzzer.withheld);
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        long retrans = 0;
        long timeouts = 0;
        long aborts = 0;
        long resets = 0;
        Map<TcpExtMib, Long> aborts2 = new EnumMap<>(TcpExtMib.class);
        for (Namespace ns : stack.namespaces()) {
            for (DropReason r : DropReason.values()) {
                long n = ns.drops().get(r);
                if (n > 0) {
                    drops.merge(r, n, Long::sum);
                }
            }
            retrans += ns.tcp().mib().get(TcpMib.RetransSegs);
            timeouts += ns.tcp().extMib().get(TcpExtMib.TCPTimeouts);
            aborts += ns.tcp().extMib().get(TcpExtMib.TCPAbortOnTimeout);
            resets += ns.tcp().mib().get(TcpMib.EstabResets);
            for (TcpExtMib m : List.of(TcpExtMib.TCPAbortOnData, TcpExtMib.TCPAbortOnClose, TcpExtMib.TCPAbortOnMemory,
                    TcpExtMib.TCPAbortOnLinger, TcpExtMib.TCPAbortOnTimeout, TcpExtMib.ListenOverflows, TcpExtMib.ListenDrops,
                    TcpExtMib.SyncookiesSent, TcpExtMib.SyncookiesRecv, TcpExtMib.SyncookiesFailed, TcpExtMib.TCPKeepAlive)) {
                aborts2.merge(m, ns.tcp().extMib().get(m), Long::sum);
            }
        }
        o.printf(Locale.ROOT, "tcp: RetransSegs %d, TCPTimeouts %d, TCPAbortOnTimeout %d, EstabResets %d%n", retrans, timeouts, aborts,
                resets);
        o.println("tcp ext: " + aborts2);
        o.println("drops by reason:");
        drops.forEach((r, n) -> o.printf(Locale.ROOT, "  %-28s %d%n", r, n));
        o.println("heap (used after GC) and packet pool:");
        for (HeapWatch.Sample s : heap.samples) {
            o.printf(Locale.ROOT, "  wall %7.1f s  virtual %8.1f s  heap %7.1f MiB  pool live %7d  open flows %d%n", s.wallSeconds(),
                    s.virtualSeconds(), s.usedBytes() / 1048576.0, s.poolLive(), s.openFlows());
        }
        o.printf(Locale.ROOT, "steady-state heap growth %.1f MiB (bound %d MiB), max %.1f MiB; pool arrays allocated %d, live at end %d%n",
                growth / 1048576.0, HeapWatch.GROWTH_BOUND_BYTES >> 20, heap.maxUsed() / 1048576.0, stack.loop().pool().arraysAllocated(),
                stack.loop().pool().live());
        for (String f : failures.subList(0, Math.min(30, failures.size()))) {
            o.println("FAIL " + f);
        }
        if (failures.size() > 30) {
            o.println("... and " + (failures.size() - 30) + " more failures");
        }
        boolean passed = failures.isEmpty();
        o.println(passed ? "soak: PASS" : "soak: FAIL (" + failures.size() + " failures)");
        return new Result(passed, List.copyOf(failures), nextFlowId, completed, cut, bytes, fuzzer.injected, flaps, longFlaps,
                netemChanges, growth, stack.loop().pool().live(), trafficNs / 1e9);
    }

    /** {@code soak [--seconds N] [--seed S] [--virtual-seconds V] [--flows F] [--fuzz-rate R]}; exits 1 on failure, 2 on bad usage. */
    public static void main(String[] args) {
        double seconds = 600;
        boolean wallGiven = false;
        long seed = System.nanoTime() & 0xffff_ffffL;
        double virtual = 0;
        int flows = 300;
        int fuzzRate = 2000;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> {
                        seconds = Double.parseDouble(args[++i]);
                        wallGiven = true;
                    }
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--virtual-seconds" -> virtual = Double.parseDouble(args[++i]);
                    case "--flows" -> flows = Integer.parseInt(args[++i]);
                    case "--fuzz-rate" -> fuzzRate = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("soak: " + e.getMessage());
            System.err.println("usage: soak [--seconds N] [--seed S] [--virtual-seconds V] [--flows F] [--fuzz-rate FRAMES_PER_S]");
            System.exit(2);
        }
        if (virtual > 0 && !wallGiven) {
            seconds = Double.POSITIVE_INFINITY;
        }
        Options d = Options.defaults(seconds, seed);
        Result r = run(new Options(seconds, seed, virtual, d.edges(), d.hostsPerEdge(), flows, fuzzRate), System.out);
        System.exit(r.passed() ? 0 : 1);
    }
}
