package io.netstack4j.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.Devices;
import io.netstack4j.core.DropCounters;
import io.netstack4j.core.DropReason;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetLoop;
import io.netstack4j.core.PacketBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** netem on a recording device, on a simulated clock. */
class NetemTest {

    private static final long MS = 1_000_000L;

    /** Records each frame's first byte (a sequence number) and the time it left. */
    static final class Recorder extends NetDevice {
        final List<Integer> ids = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();

        Recorder() {
            super("rec0", 0x02_00_00_00_00_01L, IFF_BROADCAST);
        }

        @Override
        public String kind() {
            return "recorder";
        }

        @Override
        protected void startXmit(PacketBuffer skb) {
            ids.add(skb.array()[skb.data()] & 0xff | (skb.array()[skb.data() + 1] & 0xff) << 8);
            times.add(loop().now());
            frames.add(java.util.Arrays.copyOfRange(skb.array(), skb.data(), skb.tail()));
            skb.free();
        }
    }

    private NetLoop loop;
    private Recorder dev;
    private DropCounters drops;

    NetemTest() {
        init(7);
    }

    private NetemTest init(long seed) {
        loop = NetLoop.simulated(seed);
        drops = new DropCounters();
        dev = new Recorder();
        Devices devices = new Devices(loop, drops);
        devices.register(dev);
        dev.setUp(true);
        return this;
    }

    private Netem netem(String spec) {
        Netem q = new Netem(NetemSpec.parse(List.of(spec.split(" "))));
        dev.setQdisc(q);
        return q;
    }

    private void send(int id, int len) {
        PacketBuffer skb = loop.pool().alloc(len);
        int off = skb.put(len);
        skb.array()[off] = (byte) id;
        skb.array()[off + 1] = (byte) (id >> 8);
        dev.queueXmit(skb);
    }

    @Test
    void delayIsExact() {
        netem("delay 10ms");
        send(1, 100);
        loop.runFor(9 * MS);
        assertEquals(List.of(), dev.ids);
        loop.runFor(2 * MS);
        assertEquals(List.of(10 * MS), dev.times);
    }

    @Test
    void jitterStaysWithinBoundsAndAveragesTheDelay() {
        netem("delay 10ms 2ms limit 5000");
        for (int i = 0; i < 2000; i++) {
            send(i, 60);
        }
        loop.runFor(20 * MS);
        assertEquals(2000, dev.times.size());
        double sum = 0;
        for (long t : dev.times) {
            assertTrue(t >= 8 * MS && t < 12 * MS, "sent at " + t);
            sum += t;
        }
        assertEquals(10 * MS, sum / 2000, 0.2 * MS);
    }

    @Test
    void lossRateMatchesWithinABinomialBound() {
        Netem q = netem("loss 10%");
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            send(i, 60);
        }
        loop.drain();
        long lost = n - dev.ids.size();
        // mean 10000, sd ~95: five sd either way
        assertTrue(Math.abs(lost - 10_000) < 500, "lost " + lost);
        assertEquals(lost, drops.get(DropReason.TC_DROP));
        assertEquals(lost, q.drops());
    }

    @Test
    void duplicatesAreSentTwice() {
        netem("duplicate 20%");
        for (int i = 0; i < 10_000; i++) {
            send(i, 60);
        }
        loop.drain();
        long extra = dev.ids.size() - 10_000;
        assertTrue(Math.abs(extra - 2000) < 250, "duplicated " + extra);
    }

    @Test
    void reorderSendsSomePacketsAheadOfTheDelayedOnes() {
        netem("delay 10ms reorder 25% gap 5");
        for (int i = 0; i < 1000; i++) {
            send(i, 60);
        }
        loop.runFor(20 * MS);
        assertEquals(1000, dev.ids.size());
        long early = dev.times.stream().filter(t -> t == 0).count();
        assertTrue(early > 20 && early < 200, "sent at once: " + early);
        assertNotEquals(dev.ids, dev.ids.stream().sorted().toList());
    }

    @Test
    void corruptFlipsExactlyOneBit() {
        netem("corrupt 100%");
        send(0, 64);
        loop.drain();
        byte[] f = dev.frames.get(0);
        int bits = 0;
        for (int i = 0; i < f.length; i++) {
            bits += Integer.bitCount(f[i] & 0xff);
        }
        assertEquals(1, bits, "one bit set in an all-zero frame");
    }

    @Test
    void rateSerialisesFrames() {
        netem("rate 12mbit");
        for (int i = 0; i < 5; i++) {
            send(i, 1500);
        }
        loop.runFor(10 * MS);
        assertEquals(List.of(1 * MS, 2 * MS, 3 * MS, 4 * MS, 5 * MS), dev.times, "1500 bytes at 12 Mbit/s take 1 ms");
    }

    @Test
    void theLimitDropsAndCounts() {
        Netem q = netem("delay 1s limit 10");
        for (int i = 0; i < 15; i++) {
            send(i, 60);
        }
        assertEquals(10, q.qlen());
        assertEquals(5, drops.get(DropReason.QDISC_DROP));
        assertEquals(5, q.drops());
        assertEquals(0, dev.stats().txDropped, "a qdisc drop is not a device drop, as in Linux");
    }

    @Test
    void changeKeepsTheQueue() {
        Netem q = netem("delay 100ms");
        send(1, 60);
        q.change(NetemSpec.parse(List.of("delay", "1ms")));
        send(2, 60);
        loop.runFor(200 * MS);
        assertEquals(List.of(2, 1), dev.ids);
    }

    @Test
    void theSameSeedRepeatsTheSchedule() {
        List<Long> a = schedule(11);
        assertEquals(a, schedule(11));
        assertNotEquals(a, schedule(12));
    }

    private static List<Long> schedule(long seed) {
        NetemTest t = new NetemTest().init(seed);
        t.netem("delay 10ms 5ms loss 20% duplicate 5%");
        for (int i = 0; i < 200; i++) {
            t.send(i, 100);
        }
        t.loop.runFor(100 * MS);
        return t.dev.times;
    }

    @Test
    void parsesAndPrintsAsTc() {
        assertEquals("limit 1000 delay 5ms loss 10%", NetemSpec.parse(List.of("delay", "5ms", "loss", "10%")).toString());
        assertEquals("limit 1000 delay 10ms  2ms 25% loss 1% 25% duplicate 0.5% reorder 5% corrupt 0.1% rate 100Mbit gap 1",
                NetemSpec.parse(List.of("delay", "10ms", "2ms", "25%", "loss", "random", "1%", "25%", "duplicate", "0.5%", "reorder",
                        "5%", "corrupt", "0.1%", "rate", "100mbit")).toString());
        assertEquals("limit 50 delay 1.5s", NetemSpec.parse(List.of("limit", "50", "delay", "1500ms")).toString());
        assertEquals("limit 1000 delay 100us", NetemSpec.parse(List.of("delay", "100")).toString());
        assertEquals("limit 1000 rate 1500Kbit", NetemSpec.parse(List.of("rate", "1.5mbit")).toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetemSpec.parse(List.of("delay", "x")));
        assertEquals("Illegal \"delay\"", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NetemSpec.parse(List.of("reorder", "5%")));
        assertThrows(IllegalArgumentException.class, () -> NetemSpec.parse(List.of("loss", "200%")));
        assertThrows(IllegalArgumentException.class, () -> NetemSpec.parse(List.of("bogus")));
    }
}
