package io.netstack4j.cli.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.cli.shell.Shell;
import io.netstack4j.cli.tools.Tools;
import io.netstack4j.core.DropReason;
import io.netstack4j.drivers.KernelNetns;
import io.netstack4j.ns.NetStack;
import io.netstack4j.tcp.TcpState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The historical attacks, sent from the Linux kernel's side of a TAP with scapy, at netstack4j.
 *
 * <pre>
 *   kernel netns  10.77.0.1 [tap] ======= 10.77.0.2 netstack4j "init" (httpd on 8080)
 *   scapy, ping, curl, socat
 * </pre>
 *
 * Every test sends its attack, checks the netstack4j counter that names the defence (read with
 * the shell's {@code nstat -az}, or the drop reasons where no SNMP counter exists), and then
 * checks that the host still serves: the kernel's {@code ping} is answered and a new kernel
 * {@code curl} fetches a file whose SHA-256 matches. The link-flap test takes netstack4j's end of
 * the TAP down and up in the middle of a transfer from the kernel.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AttackInteropTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final String US = "10.77.0.2";
    private static final String THEM = "10.77.0.1";

    @TempDir
    Path tmp;

    private NetStack stack;
    private Shell shell;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;
    private KernelNetns k;
    private String ifname;
    private Path served;

    @BeforeEach
    void setUp() throws Exception {
        String why = KernelNetns.unavailable();
        Assumptions.assumeTrue(why == null, why);
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON))
                && KernelNetns.run(List.of(PYTHON, "-c", "import scapy.all")).exit() == 0,
                "skipped: python3-scapy is not installed (" + PYTHON + " cannot import scapy)");
        stack = NetStack.realTime(31);
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        shell = new Shell(tmp, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Tools.registerAll(shell, stack);
        ifname = KernelNetns.freshIfname("n4a");
        sh("ip link add eth0 type tap ifname " + ifname);
        sh("ip addr add " + US + "/24 dev eth0");
        sh("ip link set eth0 up");
        k = KernelNetns.create("n4jatk");
        k.adopt(ifname);
        k.exec("ip", "addr", "add", THEM + "/24", "dev", ifname);
        k.exec("ip", "link", "set", ifname, "up");
        Files.createDirectories(tmp.resolve("www"));
        served = randomFile("www/f.bin", 200_000, 9);
        // httpd runs for the whole test, so no test uses the shell's 'wait' (it waits for every job).
        sh("httpd www 8080 > httpd.log &");
        awaitListening(8080);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (shell != null) {
            shell.close();
        }
        if (stack != null) {
            stack.close();
        }
        if (k != null) {
            k.close();
        }
    }

    private List<String> sh(String line) throws InterruptedException {
        out.reset();
        err.reset();
        int status = shell.execute(line);
        assertEquals(0, status, line + " failed: " + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
        String s = out.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    /** netstack4j's SNMP counters as the shell's {@code nstat -az} prints them. */
    private Map<String, Long> nstat() throws InterruptedException {
        Map<String, Long> c = new HashMap<>();
        for (String line : sh("nstat -az")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && !line.startsWith("#")) {
                c.put(f[0], Long.parseLong(f[1]));
            }
        }
        return c;
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String counter) {
        assertTrue(after.containsKey(counter), "nstat has no " + counter);
        return after.get(counter) - before.getOrDefault(counter, 0L);
    }

    private long drops(DropReason reason) throws Exception {
        return stack.loop().call(() -> stack.init().drops().get(reason));
    }

    /** tcpi_bytes_received of the one connection on local {@code port}. */
    private long bytesReceived(int port) throws Exception {
        return stack.loop().call(() -> stack.init().tcp().sockets().stream()
                .filter(i -> i.localPort() == port && i.info() != null)
                .mapToLong(i -> i.info().bytesReceived())
                .sum());
    }

    private void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            boolean up = stack.loop().call(() -> stack.init().tcp().sockets().stream()
                    .anyMatch(i -> i.state() == TcpState.LISTEN && i.localPort() == port));
            if (up) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("nothing listens on port " + port);
    }

    private Path randomFile(String name, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        Path p = tmp.resolve(name);
        Files.write(p, data);
        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        return p;
    }

    private static byte[] sha256(Path p) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        }
        return d.digest();
    }

    /**
     * Waits up to {@code seconds} for {@code p} to reach {@code size} bytes; if it does not,
     * fails with both sides' view of their TCP connections.
     */
    private void awaitSizeOrDump(Path p, long size, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline && (!Files.exists(p) || Files.size(p) < size)) {
            Thread.sleep(50);
        }
        if (Files.exists(p) && Files.size(p) == size) {
            return;
        }
        String ours = String.join("\n", sh("ss -tani"));
        String theirs = k.execAllowFailure("ss", "-tani").out();
        String theirStats = k.execAllowFailure("nstat", "-az").out();
        throw new AssertionError(p.getFileName() + " has " + (Files.exists(p) ? Files.size(p) : -1) + " of " + size
                + " bytes\nnetstack4j ss:\n" + ours + "\nnetstack4j nstat:\n" + nstat() + "\nkernel ss:\n" + theirs
                + "\nkernel nstat:\n" + theirStats);
    }

    /** Waits up to 20 s until netstack4j's connection on local port {@code port} is closed by the kernel's FIN; dumps both sides if not. */
    /**
     * netstack4j's counters once {@code counter} has grown by {@code atLeast} since
     * {@code before} (or after 10 s): scapy has handed its packets to the kernel, but the TAP
     * reader and the loop may still be working through them on a loaded machine. Then another
     * 200 ms, for whatever those packets set off.
     */
    private Map<String, Long> awaitCounters(Map<String, Long> before, String counter, long atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (delta(before, nstat(), counter) < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(200);
        return nstat();
    }

    private void awaitClosed(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            boolean open = stack.loop().call(() -> stack.init().tcp().sockets().stream()
                    .anyMatch(i -> i.localPort() == port && (i.state() == TcpState.ESTABLISHED || i.state() == TcpState.CLOSE_WAIT)));
            if (!open) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the connection on port " + port + " did not close\nnetstack4j ss:\n" + String.join("\n", sh("ss -tani"))
                + "\nkernel ss:\n" + k.execAllowFailure("ss", "-tani").out() + "\nnetstack4j nstat:\n" + nstat());
    }

    /** Runs a scapy script in the kernel namespace and returns what it printed. */
    private String scapy(String name, String script, String... args) throws Exception {
        Path file = tmp.resolve(name + ".py");
        Files.writeString(file, script);
        List<String> cmd = new ArrayList<>(List.of(PYTHON, file.toString()));
        cmd.addAll(List.of(args));
        return k.exec(cmd.toArray(String[]::new)).out().trim();
    }

    /**
     * After an attack: the kernel's ping is answered and a new kernel TCP connection fetches a
     * file intact. Returns nothing; fails the test otherwise.
     */
    private void stillServes(String after) throws Exception {
        KernelNetns.Result ping = k.execAllowFailure("ping", "-c", "3", "-i", "0.2", "-W", "2", US);
        assertTrue(ping.out().contains("3 received"), "ping after " + after + ": " + ping);
        Path fetched = tmp.resolve("after-" + after.replace(' ', '-') + ".bin");
        KernelNetns.Result curl = k.execAllowFailure("curl", "-s", "-f", "--max-time", "20", "-o", fetched.toString(),
                "http://" + US + ":8080/f.bin");
        assertEquals(0, curl.exit(), "curl after " + after + ": " + curl);
        assertArrayEquals(sha256(served), sha256(fetched), "file fetched after " + after);
    }

    private static final String TEARDROP = """
            import sys
            from scapy.all import IP, Raw, send, conf
            conf.verb = 0
            dst, n = sys.argv[1], int(sys.argv[2])
            pkts = []
            for i in range(n):
                # teardrop: the last fragment starts inside the first and ends before it does
                pkts.append(IP(dst=dst, id=0x1000 + i, flags='MF', frag=0, proto=17) / Raw(b'\\x00' * 36))
                pkts.append(IP(dst=dst, id=0x1000 + i, frag=3, proto=17) / Raw(b'\\x01' * 4))
                # overlap (bonk/RFC 1858 style): a fragment rewrites bytes 24..40 of a queued one
                pkts.append(IP(dst=dst, id=0x3000 + i, flags='MF', frag=0, proto=17) / Raw(b'\\x00' * 40))
                pkts.append(IP(dst=dst, id=0x3000 + i, flags='MF', frag=3, proto=17) / Raw(b'\\x02' * 32))
                # zero-length fragment (the 'negative length' of bonk)
                pkts.append(IP(dst=dst, id=0x5000 + i, flags='MF', frag=1, proto=17))
            send(pkts)
            print(len(pkts))
            """;

    @Test
    void teardropBonkAndOverlappingFragmentsAreDiscardedWholeAndCounted() throws Exception {
        Map<String, Long> before = nstat();
        long zeroLength = drops(DropReason.IP_FRAGMENT);
        int n = 100;
        String sent = scapy("teardrop", TEARDROP, US, Integer.toString(n));
        assertEquals(5 * n, Integer.parseInt(sent));
        Map<String, Long> after = awaitCounters(before, "IpReasmReqds", 5L * n);
        assertTrue(delta(before, after, "IpReasmReqds") >= 5L * n, "fragments seen: " + delta(before, after, "IpReasmReqds"));
        assertEquals(n, delta(before, after, "IpExtReasmOverlaps"), "overlapping datagrams discarded");
        assertTrue(delta(before, after, "IpReasmFails") >= 3L * n, "datagrams given up: " + delta(before, after, "IpReasmFails"));
        assertEquals(0, delta(before, after, "IpReasmOKs"), "no attack datagram may be reassembled");
        assertTrue(drops(DropReason.IP_FRAGMENT) - zeroLength >= 2L * n, "teardrop and zero-length fragments dropped");
        assertEquals(0L, (long) stack.loop().call(() -> stack.init().ipv4().defrag().queueCount()), "reassembly queues left");
        System.out.printf("teardrop/bonk/overlap: %s fragments, ReasmOverlaps +%d, ReasmFails +%d%n", sent,
                delta(before, after, "IpExtReasmOverlaps"), delta(before, after, "IpReasmFails"));
        stillServes("teardrop");
    }

    private static final String PING_OF_DEATH = """
            import sys
            from scapy.all import IP, ICMP, Raw, send, conf
            conf.verb = 0
            dst, n = sys.argv[1], int(sys.argv[2])
            # an echo request of 65,600 bytes of ICMP: more than an IPv4 datagram can hold
            body = bytes(ICMP(type=8, id=0x4444, seq=1)) + b'D' * (65600 - 8)
            sent = 0
            for i in range(n):
                frags = []
                for off in range(0, len(body), 1480):
                    chunk = body[off:off + 1480]
                    more = 'MF' if off + 1480 < len(body) else 0
                    frags.append(IP(dst=dst, id=0x7000 + i, flags=more, frag=off // 8, proto=1) / Raw(chunk))
                send(frags)
                sent += len(frags)
            print(sent)
            """;

    @Test
    void pingOfDeathIsDiscardedBeforeReassembly() throws Exception {
        Map<String, Long> before = nstat();
        long tooBig = drops(DropReason.FRAG_TOO_BIG);
        int n = 10;
        String sent = scapy("pod", PING_OF_DEATH, US, Integer.toString(n));
        Map<String, Long> after = awaitCounters(before, "IpReasmFails", n);
        assertEquals(n, drops(DropReason.FRAG_TOO_BIG) - tooBig, "fragments reaching past 65535 bytes");
        assertEquals(n, delta(before, after, "IpReasmFails"), "datagrams given up");
        assertEquals(0, delta(before, after, "IpReasmOKs"));
        assertEquals(0, delta(before, after, "IcmpInEchos"), "no oversized echo request may reach ICMP");
        assertEquals(0L, (long) stack.loop().call(() -> stack.init().ipv4().defrag().memory()), "reassembly memory left");
        System.out.printf("ping of death: %s fragments in %d datagrams, ReasmFails +%d%n", sent, n,
                delta(before, after, "IpReasmFails"));
        stillServes("ping of death");
    }

    private static final String LAND = """
            import sys
            from scapy.all import IP, TCP, send, conf
            conf.verb = 0
            dst, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            send([IP(src=dst, dst=dst) / TCP(sport=port, dport=port, flags='S', seq=1000 + i) for i in range(n)])
            print(n)
            """;

    @Test
    void landSynFromOurOwnAddressIsDroppedAsMartian() throws Exception {
        Map<String, Long> before = nstat();
        long martians = drops(DropReason.IP_INVALID_SOURCE);
        long routeMartians = stack.loop().call(() -> stack.init().ipv4().route().stats().inMartianSrc);
        int n = 50;
        scapy("land", LAND, US, "8080", Integer.toString(n));
        Map<String, Long> after = awaitCounters(before, "IpInReceives", n);
        assertEquals(n, drops(DropReason.IP_INVALID_SOURCE) - martians, "LAND SYNs dropped as martian source");
        assertEquals(n, stack.loop().call(() -> stack.init().ipv4().route().stats().inMartianSrc) - routeMartians,
                "rt_cache in_martian_src");
        assertEquals(0, delta(before, after, "TcpInSegs"), "no LAND SYN may reach TCP");
        assertEquals(0, delta(before, after, "TcpOutSegs"), "nothing answered to ourselves");
        assertEquals(0, delta(before, after, "TcpPassiveOpens"));
        stillServes("LAND");
    }

    private static final String SYN_FLOOD = """
            import random, sys, time
            from scapy.all import IP, TCP, send, conf
            conf.verb = 0
            dst, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
            end = time.time() + secs
            n = 0
            while time.time() < end:
                pkts = [IP(src='10.77.0.%d' % random.randint(100, 250), dst=dst) /
                        TCP(sport=random.randint(1024, 65535), dport=port, flags='S', seq=random.getrandbits(32))
                        for _ in range(100)]
                send(pkts)
                n += len(pkts)
            print(n)
            """;

    /** A SYN flood from spoofed sources; the SYN queue overflows into SYN cookies and a real client is served during and after it. */
    @Test
    void synFloodOverflowsIntoCookiesAndKeepsServing() throws Exception {
        Map<String, Long> before = nstat();
        Files.writeString(tmp.resolve("flood.py"), SYN_FLOOD);
        Process attacker = k.spawn(tmp.resolve("flood.out"), PYTHON, tmp.resolve("flood.py").toString(), US, "8080", "4");
        Thread.sleep(1500);
        Path during = tmp.resolve("during-flood.bin");
        k.exec("curl", "-s", "-f", "--max-time", "20", "-o", during.toString(), "http://" + US + ":8080/f.bin");
        assertArrayEquals(sha256(served), sha256(during), "file fetched during the flood");
        assertTrue(attacker.waitFor(60, TimeUnit.SECONDS), "the flood did not end");
        Map<String, Long> after = nstat();
        String sent = Files.readString(tmp.resolve("flood.out")).trim();
        System.out.printf("SYN flood: %s SYNs, SyncookiesSent +%d, ListenOverflows +%d, TcpExtListenDrops +%d%n", sent,
                delta(before, after, "TcpExtSyncookiesSent"), delta(before, after, "TcpExtListenOverflows"),
                delta(before, after, "TcpExtListenDrops"));
        assertTrue(delta(before, after, "TcpExtSyncookiesSent") > 0, "the SYN queue should have overflowed into SYN cookies");
        assertTrue(delta(before, after, "TcpExtTCPReqQFullDoCookies") > 0, "cookies because the request queue was full");
        long[] queue = stack.loop().call(() -> {
            var all = stack.init().tcp().sockets();
            long backlog = all.stream().filter(i -> i.state() == TcpState.LISTEN && i.localPort() == 8080).mapToLong(i -> i.sendQ())
                    .findFirst().orElse(-1);
            long pending = all.stream().filter(i -> i.state() == TcpState.SYN_RECV && i.localPort() == 8080).count();
            return new long[] {backlog, pending};
        });
        System.out.printf("SYN flood: %d request sockets held for a listen backlog of %d%n", queue[1], queue[0]);
        assertTrue(queue[0] > 0 && queue[1] <= queue[0], "the SYN queue stays within the listen backlog: " + queue[1] + " of " + queue[0]);
        stillServes("SYN flood");
    }

    /**
     * The attacker learns the 4-tuple and the sequence numbers by watching the link (the
     * "in-window" case of RFC 5961), waits for the connection to go quiet, reads the current
     * sequence numbers off the duplicate ACK that an out-of-window probe draws, then sends: resets
     * inside the window but not at rcv_nxt, resets with guessed sequence numbers, SYNs, and data at
     * exactly rcv_nxt with an ACK far older than anything sent. It counts the pure ACKs netstack4j
     * sends meanwhile: the challenge ACKs.
     */
    private static final String BLIND_RST = """
            import random, sys, time
            from scapy.all import IP, TCP, Raw, AsyncSniffer, send, conf
            conf.verb = 0
            iface, us, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
            seen = []
            sniffer = AsyncSniffer(iface=iface, filter='tcp and host %s and port %d' % (us, port), store=False,
                                   prn=lambda p: seen.append((time.time(), p)))
            sniffer.start()
            print('ready', flush=True)
            deadline = time.time() + 30
            last = None
            while time.time() < deadline:
                time.sleep(0.1)
                ours = [p for _, p in seen if p[IP].src == us and p[TCP].flags & 0x10]
                # Quiet for 2 s: on a loaded machine the kernel's sender can stall for a second
                # in the middle of the first half, and rcv_nxt would then move on.
                if ours and any(len(p[TCP].payload) for _, p in seen if p[IP].dst == us) and time.time() - seen[-1][0] > 2.0:
                    last = ours[-1]
                    break
            if last is None:
                print('no quiet connection seen')
                sys.exit(2)
            # The sniffer can miss packets of the bulk phase, so the last ACK it saw may be stale.
            # Ask for a fresh one: a bare ACK far outside the window gets a duplicate ACK that
            # carries netstack4j's rcv_nxt and snd_nxt (tcp_validate_incoming, tcp_send_dupack).
            kport = last[TCP].dport
            base = IP(src=last[IP].dst, dst=us) / TCP(sport=kport, dport=port)
            def pkt(**kw):
                p = base.copy()
                for k, v in kw.items():
                    setattr(p[TCP], k, v)
                return p
            fresh = None
            for attempt in range(5):
                mark = len(seen)
                send(pkt(flags='A', seq=(last[TCP].ack - 2**30) % 2**32, ack=last[TCP].seq))
                time.sleep(0.6)
                replies = [p for _, p in seen[mark:] if p[IP].src == us and p[TCP].flags == 0x10]
                if replies:
                    fresh = replies[-1]
                    break
            if fresh is None:
                print('no duplicate ACK for the out-of-window probe')
                sys.exit(3)
            rcv_nxt, snd_nxt = fresh[TCP].ack, fresh[TCP].seq
            mark = len(seen)
            for i in range(5):
                send(pkt(flags='R', seq=(rcv_nxt + 1 + 997 * i) % 2**32))
                time.sleep(0.6)
            send([pkt(flags='R', seq=random.getrandbits(32)) for _ in range(300)])
            time.sleep(0.6)
            for i in range(3):
                send(pkt(flags='S', seq=random.getrandbits(32)))
                time.sleep(0.6)
            send(pkt(flags='PA', seq=rcv_nxt, ack=(snd_nxt - 2**30) % 2**32) / Raw(b'INJECTED' * 8))
            time.sleep(0.6)
            sniffer.stop()
            acks = [p for _, p in seen[mark:] if p[IP].src == us and p[TCP].flags == 0x10 and len(p[TCP].payload) == 0
                    and p[TCP].ack == rcv_nxt]
            print('acks', len(acks), 'rcv_nxt', rcv_nxt, 'sniffed', last[TCP].ack, 'ours', [(p[TCP].ack, p[TCP].window) for p in ours[-3:]], 'after', [(p[IP].src, str(p[TCP].flags), p[TCP].seq, p[TCP].ack) for _, p in seen[mark:mark+8]])
            """;

    @Test
    void blindResetSynAndDataInjectionGetChallengeAcksAndTheTransferSurvives() throws Exception {
        int size = 2 << 20;
        Path file = randomFile("rst-up.bin", size, 11);
        sh("nc -l 5000 > got-rst.bin &");
        awaitListening(5000);
        Files.writeString(tmp.resolve("rst.py"), BLIND_RST);
        Path attackOut = tmp.resolve("rst.out");
        Process attacker = k.spawn(attackOut, PYTHON, "-u", tmp.resolve("rst.py").toString(), ifname, US, "5000");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(attackOut).contains("ready") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(500);
        Map<String, Long> before = nstat();
        long badSeq = drops(DropReason.TCP_INVALID_SEQUENCE);
        long oldAck = drops(DropReason.TCP_TOO_OLD_ACK);
        // Half the file, a pause long enough for the whole attack, then the rest.
        Process client = k.spawn(tmp.resolve("client.out"), "sh", "-c",
                "(head -c " + size / 2 + " " + file + "; sleep 12; tail -c +" + (size / 2 + 1) + " " + file + ") | socat -u STDIN TCP:" + US
                        + ":5000");
        assertTrue(attacker.waitFor(60, TimeUnit.SECONDS), "the attack script did not finish");
        String report = Files.readString(attackOut);
        Path got = tmp.resolve("got-rst.bin");
        awaitSizeOrDump(got, size, 60);
        assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the kernel client did not finish");
        assertEquals(0, client.exitValue(), "the kernel's connection was broken");
        awaitClosed(5000);
        assertEquals(size, Files.size(got), "bytes netstack4j received");
        assertArrayEquals(sha256(file), sha256(got), "the stream is intact: nothing injected, nothing lost");
        Map<String, Long> after = nstat();
        long challenges = delta(before, after, "TcpExtTCPChallengeACK");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("acks (\\d+)").matcher(report);
        assertTrue(m.find(), "attack script: " + report);
        int seen = Integer.parseInt(m.group(1));
        System.out.printf("blind RST/SYN/data: TCPChallengeACK +%d, TCPSYNChallenge +%d, TCPACKSkippedChallenge +%d, "
                + "challenge ACKs seen by the attacker %d, out-of-window drops +%d, too-old-ACK drops +%d%n", challenges,
                delta(before, after, "TcpExtTCPSYNChallenge"), delta(before, after, "TcpExtTCPACKSkippedChallenge"), seen,
                drops(DropReason.TCP_INVALID_SEQUENCE) - badSeq, drops(DropReason.TCP_TOO_OLD_ACK) - oldAck);
        assertTrue(challenges >= 9, "5 in-window RSTs, 3 SYNs and the old-ACK data, each 600 ms apart: " + challenges + "; attack script: " + report);
        assertTrue(delta(before, after, "TcpExtTCPSYNChallenge") >= 3, "SYNs on an established connection");
        assertTrue(seen >= 9, "challenge ACKs on the wire: " + report);
        assertTrue(drops(DropReason.TCP_INVALID_SEQUENCE) - badSeq >= 250, "guessed resets outside the window dropped");
        assertEquals(1, drops(DropReason.TCP_TOO_OLD_ACK) - oldAck, "the injected data with an ancient ACK");
        assertEquals(0, delta(before, after, "TcpEstabResets"), "no connection was reset");
        stillServes("blind RST");
    }

    /**
     * {@code ip link set eth0 down} on netstack4j's side while the kernel sends: the connected
     * route goes with the device and returns with it, the kernel's retransmissions get through
     * once it is back, and every byte arrives.
     */
    @Test
    void linkDownAndUpOnOurSideMidTransferFromTheKernel() throws Exception {
        int size = 8 << 20;
        Path file = randomFile("flap.bin", size, 12);
        sh("nc -l 5001 > got-flap.bin &");
        awaitListening(5001);
        Process client = k.spawn(tmp.resolve("flap-client.out"), "socat", "-u", "OPEN:" + file, "TCP:" + US + ":5001");
        Path got = tmp.resolve("got-flap.bin");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((!Files.exists(got) || Files.size(got) < size / 8) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        sh("ip link set eth0 down");
        String routes = String.join("\n", sh("ip route show"));
        assertTrue(!routes.contains("10.77.0.0/24"), "the connected route goes with the device: " + routes);
        // The socket's byte count, not the file: nc may still be writing out what arrived before.
        long atDown = bytesReceived(5001);
        assertTrue(atDown < size, "the transfer finished before the flap; make it larger");
        Thread.sleep(1500);
        assertEquals(atDown, bytesReceived(5001), "nothing is received while the device is down");
        sh("ip link set eth0 up");
        routes = String.join("\n", sh("ip route show"));
        assertTrue(routes.contains("10.77.0.0/24 dev eth0 proto kernel scope link src " + US), "and returns with it: " + routes);
        awaitSizeOrDump(got, size, 60);
        assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the kernel client did not finish after the link came back");
        assertEquals(0, client.exitValue());
        awaitClosed(5001);
        assertArrayEquals(sha256(file), sha256(got));
        System.out.printf("link flap over TAP: down at %d of %d bytes, completed%n", atDown, size);
        stillServes("link flap");
    }

    /**
     * The same with netstack4j sending: while eth0 is down its retransmissions find no route
     * (IpOutNoRoutes) and are dropped; after up the RTO retransmission gets through.
     */
    @Test
    void linkDownAndUpOnOurSideMidTransferToTheKernel() throws Exception {
        int size = 8 << 20;
        Path file = randomFile("flap-down.bin", size, 13);
        Path got = tmp.resolve("kernel-got.bin");
        Process server = k.spawn(got, "socat", "-u", "TCP-LISTEN:5002,reuseaddr", "STDOUT");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!k.exec("ss", "-Htln", "sport", "= :5002").out().contains(":5002") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Map<String, Long> before = nstat();
        sh("nc -N " + THEM + " 5002 < flap-down.bin &");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((!Files.exists(got) || Files.size(got) < size / 8) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(Files.size(got) < size, "the transfer finished before the flap; make it larger");
        sh("ip link set eth0 down");
        Thread.sleep(1500);
        sh("ip link set eth0 up");
        awaitSizeOrDump(got, size, 60);
        assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the kernel server did not finish after the link came back");
        Map<String, Long> after = nstat();
        assertEquals(size, Files.size(got));
        assertArrayEquals(sha256(file), sha256(got));
        System.out.printf("link flap, netstack4j sending: IpOutNoRoutes +%d, TcpExtTCPTimeouts +%d, TcpRetransSegs +%d%n",
                delta(before, after, "IpOutNoRoutes"), delta(before, after, "TcpExtTCPTimeouts"),
                delta(before, after, "TcpRetransSegs"));
        assertTrue(delta(before, after, "TcpExtTCPTimeouts") > 0, "the retransmission timer fired while the link was down");
        assertTrue(delta(before, after, "IpOutNoRoutes") > 0, "and its retransmissions found no route");
        stillServes("link flap sending");
    }
}
