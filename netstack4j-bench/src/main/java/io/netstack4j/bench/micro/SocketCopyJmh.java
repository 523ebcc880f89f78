package io.netstack4j.bench.micro;

import io.netstack4j.core.NetLoop;
import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpSock;
import io.netstack4j.tcp.TcpState;
import io.netstack4j.wire.Ipv4Address;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
 * The socket buffer copy: {@code size} bytes from a user array through {@code tcp_sendmsg}
 * ({@link TcpCalls#send}: into the send queue's 16 KiB chunks), out as segments (copied from
 * the chunks into packet buffers), across a device, and back to a user array through
 * {@code tcp_recvmsg} ({@link TcpCalls#recv}: out of the receive queue's buffers). The send
 * queue and receive queue are the socket's own and not reachable from outside the
 * {@code tcp} package, so the copies are measured the way a socket user sees them, with the
 * TCP work between them, on a simulated loop driven by the benchmark thread (virtual time, no
 * other threads):
 *
 * <ul>
 *   <li>{@code loopback}: 127.0.0.1 to itself, MTU 65536 (one or two segments per write);
 *   <li>{@code veth}: two namespaces over a veth pair, MTU 1500 (1448-byte segments, as on
 *       Ethernet with timestamps);
 *   <li>{@code arraycopy}: the floor, {@code System.arraycopy} into an intermediate buffer and
 *       out again (the two copies a kernel socket makes); the stack makes three (user to send
 *       queue, send queue to segment, segment to user).
 * </ul>
 *
 * Each operation moves {@code size} bytes and checks nothing; {@link #setUp} checks once that
 * the bytes arrive intact.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SocketCopyJmh {

    @Param({"1024", "16384", "65536"})
    public int size;

    private byte[] src;
    private byte[] dst;
    private byte[] middle;

    private Link lo;
    private Link veth;

    /** A connected pair on one simulated loop, and the pump that moves one write's bytes across. */
    private static final class Link {
        final NetStack stack;
        final NetLoop loop;
        final TcpSock client;
        final TcpSock server;
        final BooleanSupplier pump = this::pump;
        byte[] src;
        byte[] dst;
        int len;
        int sent;
        int got;

        Link(NetStack stack, Namespace cns, Namespace sns, int serverAddr) {
            this.stack = stack;
            this.loop = stack.loop();
            TcpSock l = sns.tcp().open(null);
            TcpCalls.bind(l, 0, 5001);
            TcpCalls.listen(l, 4);
            client = cns.tcp().open(null);
            TcpCalls.setSndbuf(client, 4 << 20);
            TcpCalls.connect(client, serverAddr, 5001);
            TcpSock[] accepted = new TcpSock[1];
            loop.runUntil(() -> (accepted[0] = accepted[0] != null ? accepted[0] : TcpCalls.accept(l)) != null
                    && client.state() == TcpState.ESTABLISHED, loop.now() + 10_000_000_000L);
            if (accepted[0] == null) {
                throw new IllegalStateException("no connection: client in " + client.state());
            }
            server = accepted[0];
            TcpCalls.setRcvbuf(server, 4 << 20);
        }

        /** Moves {@code len} bytes of {@code src} to {@code dst} through the sockets. */
        void transfer(byte[] src, byte[] dst, int len) {
            this.src = src;
            this.dst = dst;
            this.len = len;
            sent = 0;
            got = 0;
            if (!loop.runUntil(pump, Long.MAX_VALUE)) {
                throw new IllegalStateException("stalled after " + got + " of " + len + " bytes");
            }
        }

        private boolean pump() {
            if (sent < len) {
                sent += TcpCalls.send(client, src, sent, len - sent);
            }
            int k;
            while (got < len && (k = TcpCalls.recv(server, dst, got, len - got)) > 0) {
                got += k;
            }
            return got >= len;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        src = new byte[size];
        new SplittableRandom(5).nextBytes(src);
        dst = new byte[size];
        middle = new byte[size];

        NetStack s1 = NetStack.simulated(11);
        Namespace h = s1.addNamespace("h");
        lo = new Link(s1, h, h, Ipv4Address.LOOPBACK.bits());

        NetStack s2 = NetStack.simulated(12);
        Namespace a = s2.addNamespace("a");
        Namespace b = s2.addNamespace("b");
        Veth[] v = a.addVeth("veth0", b, "veth1");
        a.inet().addAddress(v[0], Ipv4Address.parse("10.0.0.1"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        b.inet().addAddress(v[1], Ipv4Address.parse("10.0.0.2"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        v[0].setUp(true);
        v[1].setUp(true);
        veth = new Link(s2, a, b, Ipv4Address.parse("10.0.0.2").bits());

        for (Link link : new Link[] {lo, veth}) {
            Arrays.fill(dst, (byte) 0);
            link.transfer(src, dst, size);
            if (!Arrays.equals(src, dst)) {
                throw new IllegalStateException("bytes changed in transit");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        lo.stack.close();
        veth.stack.close();
    }

    @Benchmark
    public byte[] loopback() {
        lo.transfer(src, dst, size);
        return dst;
    }

    @Benchmark
    public byte[] veth() {
        veth.transfer(src, dst, size);
        return dst;
    }

    @Benchmark
    public byte[] arraycopy() {
        System.arraycopy(src, 0, middle, 0, size);
        System.arraycopy(middle, 0, dst, 0, size);
        return dst;
    }
}
