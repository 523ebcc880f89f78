package io.netstack4j.bench;

import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetLoop;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.neigh.Nud;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.route.Fib;
import io.netstack4j.route.RouteSpec;
import io.netstack4j.route.RouteType;
import io.netstack4j.time.Clock;
import io.netstack4j.wire.Checksum;
import io.netstack4j.wire.Ipv4Address;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

/**
 * {@code forward_pps}: 64-byte frames (60 bytes plus the FCS a wire would add) forwarded by a
 * router namespace holding the full Internet table, all on one thread: a generator namespace
 * injects frames into its veth the way pktgen does (a prepared frame copied into a pooled
 * buffer, straight to the device), the router forwards them by longest-prefix match to a sink
 * namespace, whose blackhole default route drops them silently. The calling thread drives the
 * loop itself, so every cycle of generator, router and sink is spent on one core.
 */
final class ForwardBench {

    static final int FRAME = 60;
    private static final int DESTINATIONS = 1 << 16;
    private static final int BATCH = 256;

    record Result(double pps, double allocBytesPerPacket, int routes, double loadSeconds) {
    }

    private ForwardBench() {
    }

    static Result run(int[][] table, double warmup, double window) {
        NetLoop loop = new NetLoop(Clock.system(), 7);
        NetStack stack = new NetStack(loop);
        Namespace gen = stack.addNamespace("gen");
        Namespace router = stack.addNamespace("router");
        Namespace sink = stack.addNamespace("sink");
        Veth[] in = gen.addVeth("g0", router, "r0");
        Veth[] out = router.addVeth("r1", sink, "s0");
        address(gen, in[0], "10.1.0.1");
        address(router, in[1], "10.1.0.2");
        address(router, out[0], "10.2.0.1");
        address(sink, out[1], "10.2.0.2");
        for (NetDevice d : new NetDevice[] {in[0], in[1], out[0], out[1]}) {
            d.setUp(true);
        }
        router.sysctls().set("net.ipv4.ip_forward", "1");
        sink.sysctls().set("net.ipv4.ip_forward", "1");
        sink.addRoute(RouteSpec.to("0.0.0.0/0").type(RouteType.BLACKHOLE).build(), Fib.Op.ADD);
        Ipv4Address gw = Ipv4Address.parse("10.2.0.2");
        router.arp().add(gw.bits(), out[0], out[1].mac(), Nud.PERMANENT, true);
        gen.arp().add(Ipv4Address.parse("10.1.0.2").bits(), in[0], in[1].mac(), Nud.PERMANENT, true);

        long t0 = System.nanoTime();
        int routes = 0;
        for (int i = 0; i < table[0].length; i++) {
            int len = table[1][i];
            if (len < 8) {
                continue;
            }
            router.addRoute(RouteSpec.to(new Ipv4Address(table[0][i]), len).via(gw).build(), Fib.Op.REPLACE);
            routes++;
        }
        double loadSeconds = (System.nanoTime() - t0) / 1e9;

        byte[][] frames = frames(table, in[0].mac(), in[1].mac());
        PacketBuffer probe = in[0].pool().alloc(FRAME);
        probe.free();
        long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
        int next = 0;
        while (System.nanoTime() - warmEnd < 0) {
            next = burst(in[0], frames, next, loop);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        long a0 = mx.getThreadAllocatedBytes(self);
        long p0 = out[1].stats().rxPackets;
        long start = System.nanoTime();
        long end = start + (long) (window * 1e9);
        while (System.nanoTime() - end < 0) {
            next = burst(in[0], frames, next, loop);
        }
        long elapsed = System.nanoTime() - start;
        long packets = out[1].stats().rxPackets - p0;
        long alloc = mx.getThreadAllocatedBytes(self) - a0;
        stack.close();
        if (packets == 0) {
            throw new IllegalStateException("nothing was forwarded");
        }
        return new Result(packets / (elapsed / 1e9), (double) alloc / packets, routes, loadSeconds);
    }

    /** One generator burst of {@link #BATCH} frames, then the loop until it has nothing left. */
    private static int burst(Veth dev, byte[][] frames, int next, NetLoop loop) {
        for (int i = 0; i < BATCH; i++) {
            PacketBuffer skb = dev.pool().alloc(FRAME);
            skb.putBytes(frames[next], 0, FRAME);
            next = (next + 1) & (DESTINATIONS - 1);
            dev.queueXmit(skb);
        }
        while (loop.runOnce()) {
            // until the sink has dropped the last frame
        }
        return next;
    }

    /** Prepared UDP frames to destinations spread over the routed space (inside the table's prefixes). */
    private static byte[][] frames(int[][] table, long srcMac, long dstMac) {
        SplittableRandom rnd = new SplittableRandom(42);
        byte[][] frames = new byte[DESTINATIONS][];
        for (int i = 0; i < DESTINATIONS; i++) {
            int p;
            do {
                p = rnd.nextInt(table[0].length);
            } while (table[1][p] < 8);
            int len = table[1][p];
            int dst = table[0][p] | (len == 32 ? 0 : rnd.nextInt() >>> len);
            frames[i] = frame(srcMac, dstMac, Ipv4Address.parse("10.1.0.1").bits(), dst);
        }
        return frames;
    }

    private static byte[] frame(long srcMac, long dstMac, int src, int dst) {
        byte[] f = new byte[FRAME];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (dstMac >>> (40 - 8 * i));
            f[6 + i] = (byte) (srcMac >>> (40 - 8 * i));
        }
        f[12] = 0x08;
        int ip = 14;
        int total = FRAME - ip;
        f[ip] = 0x45;
        f[ip + 2] = (byte) (total >>> 8);
        f[ip + 3] = (byte) total;
        f[ip + 8] = 64;
        f[ip + 9] = 17;
        putInt(f, ip + 12, src);
        putInt(f, ip + 16, dst);
        int sum = Checksum.compute(f, ip, 20);
        f[ip + 10] = (byte) (sum >>> 8);
        f[ip + 11] = (byte) sum;
        int udp = ip + 20;
        f[udp] = (byte) 0x9c;
        f[udp + 1] = 0x40;
        f[udp + 2] = 0x23;
        f[udp + 3] = 0x29;
        int ulen = total - 20;
        f[udp + 4] = (byte) (ulen >>> 8);
        f[udp + 5] = (byte) ulen;
        return f;
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static void address(Namespace ns, NetDevice dev, String addr) {
        ns.inet().addAddress(dev, Ipv4Address.parse(addr), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
    }
}
