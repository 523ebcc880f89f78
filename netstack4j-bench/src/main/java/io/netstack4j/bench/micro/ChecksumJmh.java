package io.netstack4j.bench.micro;

import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.PacketPool;
import io.netstack4j.wire.Checksum;
import io.netstack4j.wire.TcpHeader;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Internet checksum ({@link Checksum}, RFC 1071) over 20 bytes (an IPv4 header), 64 (a small
 * datagram), 1500 (a full-MTU packet) and 65535 (a GSO-sized or loopback segment), in ns/op; the
 * throughput in GB/s is {@code size / score}, as docs/BENCHMARKS.md tabulates it.
 *
 * <ul>
 *   <li>{@code heapArray}: a plain array at offset 0, {@code Checksum.compute}.
 *   <li>{@code packetBuffer}: the bytes of a {@link PacketBuffer} from the stack's
 *       {@link PacketPool}, at the offset a received frame's IP header has (headroom + 14, so
 *       not 8-byte aligned), as {@code ip_rcv} and {@code tcp_v4_rcv} verify them.
 *   <li>{@code tcpVerify}: the same buffer through {@link TcpHeader#verifyChecksum}, pseudo-header
 *       included, which is the call on every received segment.
 *   <li>{@code reference}: a plain loop in this class, two bytes at a time into an int
 *       accumulator, as RFC 1071 section 4.1 writes it; the floor the library must beat.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ChecksumJmh {

    /** Where an IPv4 header sits in a received frame: after the headroom and the Ethernet header. */
    private static final int FRAME_IP_OFFSET = 14;

    @Param({"20", "64", "1500", "65535"})
    public int size;

    private byte[] heap;
    private PacketPool pool;
    private PacketBuffer skb;
    private int skbOff;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(7);
        heap = new byte[size];
        r.nextBytes(heap);
        pool = new PacketPool();
        skb = pool.alloc(FRAME_IP_OFFSET + size);
        skb.put(FRAME_IP_OFFSET + size);
        skb.pull(FRAME_IP_OFFSET);
        skbOff = skb.data();
        System.arraycopy(heap, 0, skb.array(), skbOff, size);
        if (Checksum.compute(heap, 0, size) != reference(heap, 0, size)) {
            throw new IllegalStateException("Checksum.compute disagrees with the reference loop at size " + size);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        skb.free();
    }

    @Benchmark
    public int heapArray() {
        return Checksum.compute(heap, 0, size);
    }

    @Benchmark
    public int packetBuffer() {
        return Checksum.compute(skb.array(), skb.data(), skb.len());
    }

    @Benchmark
    public boolean tcpVerify() {
        return TcpHeader.verifyChecksum(skb.array(), skb.data(), skb.len(), 0x0a000001, 0x0a000002);
    }

    @Benchmark
    public int reference() {
        return reference(heap, 0, size);
    }

    /** RFC 1071 4.1 in Java: 16-bit words into a wide accumulator, the odd byte padded, then folded. */
    static int reference(byte[] b, int off, int len) {
        long sum = 0;
        int i = off;
        int end = off + len;
        for (; end - i > 1; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (b[i] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
