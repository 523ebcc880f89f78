package io.netstack4j.bench;

import io.netstack4j.core.NetLoop;
import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.socket.TcpListener;
import io.netstack4j.socket.TcpSocket;
import io.netstack4j.tcp.TcpState;
import io.netstack4j.time.VirtualClock;
import io.netstack4j.wire.Ipv4Address;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * {@code idle_conn_memory}: heap bytes per established, idle TCP connection with N connections
 * open in one JVM. A connection is both of its ends (the connecting socket and the socket
 * {@code accept} returned), so the figure is what a program serving N clients from a
 * netstack4j namespace that also hosts the clients pays. Goal: at most 4 KB per connection, so
 * a million connections fit in a 16 GB heap.
 *
 * <p>Two namespaces on one virtual-clock loop joined by a veth pair: the clients in {@code c}
 * (10.0.0.1) connect without binding, as ordinary clients do, to {@link #SERVER_PORTS} listeners
 * in {@code s} (10.0.0.2). Several server ports are needed because one destination gives a
 * client only ip_local_port_range's 28,232 ports (32768-60999), as in Linux. Each connection is
 * accepted at once, so the listen backlog (capped by net.core.somaxconn, 4096) never fills, and
 * a byte goes each way (client writes, server reads and answers, client reads) so both ends have
 * sent, received, been ACKed and been read before the measurement. The loop then runs until
 * every delayed ACK has gone out, so nothing is in flight.
 *
 * <p>Heap is measured as used heap ({@link java.lang.management.MemoryMXBean}) after several
 * {@link System#gc()} calls, once with the stack and its listeners built and no connection,
 * once with all connections idle; the difference over N is the result. The arrays that hold the
 * sockets are allocated before the first measurement.
 *
 * <p>Reference, measured the same way in the same run: JDK {@link Socket}s connected to a
 * {@link ServerSocket} over the kernel's 127.0.0.1. That counts only the Java heap of the JDK
 * objects (socket, impl, file descriptors, streams); the kernel's own {@code struct tcp_sock}
 * and socket buffers (about 2-2.5 KB per end) live outside the Java heap and are not in the
 * figure. Each JDK connection costs two file descriptors, so it is measured with at most
 * {@link #JDK_MAX_CONNECTIONS} connections, which fits the usual hard limit of 20,000 open files
 * here ({@code ulimit -Hn}); the per-connection figure does not depend on the count.
 */
public final class IdleConnMemoryBench {

    /** Listening ports on the server side; 16 × 28,232 four-tuples is room for 450k connections. */
    static final int SERVER_PORTS = 16;
    static final int FIRST_SERVER_PORT = 5000;
    /** JDK connections measured for the reference (two descriptors each, under a 20,000 fd limit). */
    static final int JDK_MAX_CONNECTIONS = 9000;

    private static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1");
    private static final Ipv4Address SERVER = Ipv4Address.parse("10.0.0.2");

    /**
     * @param connections the number of connections held open
     * @param bytesPerConnection netstack4j heap per connection (both ends)
     * @param referenceBytesPerConnection JDK sockets over the kernel's loopback: Java heap per
     *     connection (both ends), kernel memory not included
     */
    public record Result(int connections, double bytesPerConnection, double referenceBytesPerConnection) {
    }

    private IdleConnMemoryBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Result r = run(n);
        System.out.printf("idle_conn_memory connections=%d netstack4j=%.0f B/conn jdk-loopback(heap only)=%.0f B/conn goal<=4096%n",
                r.connections(), r.bytesPerConnection(), r.referenceBytesPerConnection());
    }

    public static Result run(int connections) {
        if (connections <= 0) {
            throw new IllegalArgumentException("connections " + connections);
        }
        double jdk = jdkLoopback(Math.min(connections, JDK_MAX_CONNECTIONS));
        double ours = netstack4j(connections);
        return new Result(connections, ours, jdk);
    }

    /** Heap per idle connection in one netstack4j stack (client and server namespaces). */
    static double netstack4j(int n) {
        NetLoop loop = new NetLoop(new VirtualClock(), 1);
        NetStack stack = new NetStack(loop);
        TcpSocket[] clients = new TcpSocket[n];
        TcpSocket[] servers = new TcpSocket[n];
        TcpListener[] listeners = new TcpListener[SERVER_PORTS];
        try {
            Namespace c = stack.addNamespace("c");
            Namespace s = stack.addNamespace("s");
            Veth[] link = c.addVeth("veth0", s, "veth1");
            c.inet().addAddress(link[0], CLIENT, 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
            s.inet().addAddress(link[1], SERVER, 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
            link[0].setUp(true);
            link[1].setUp(true);
            loop.start();
            for (int p = 0; p < SERVER_PORTS; p++) {
                listeners[p] = TcpListener.listen(s, SERVER, FIRST_SERVER_PORT + p, 128);
            }
            byte[] one = new byte[1];
            // Warm the path (ARP, route caches, pools) so the baseline holds what a first connection builds.
            exchange(TcpSocket.connect(c, SERVER, FIRST_SERVER_PORT), listeners[0], one).close();
            settle(loop);
            long before = usedHeap();
            for (int i = 0; i < n; i++) {
                TcpSocket cl = TcpSocket.connect(c, SERVER, FIRST_SERVER_PORT + i % SERVER_PORTS);
                clients[i] = cl;
                servers[i] = exchangeAccepted(cl, listeners[i % SERVER_PORTS], one);
            }
            settle(loop);
            long after = usedHeap();
            check(clients, servers);
            holdForInspection(n);
            Reference.reachabilityFence(clients);
            Reference.reachabilityFence(servers);
            return (double) (after - before) / n;
        } finally {
            stack.close();
        }
    }

    /** Accepts {@code cl}'s connection and sends a byte each way; returns the accepted socket. */
    private static TcpSocket exchangeAccepted(TcpSocket cl, TcpListener l, byte[] buf) {
        TcpSocket sv = l.accept();
        cl.write(buf);
        readFully(sv, buf);
        sv.write(buf);
        readFully(cl, buf);
        return sv;
    }

    private static TcpSocket exchange(TcpSocket cl, TcpListener l, byte[] buf) {
        exchangeAccepted(cl, l, buf).close();
        return cl;
    }

    private static void readFully(TcpSocket s, byte[] buf) {
        if (s.read(buf) != buf.length) {
            throw new IllegalStateException("short read on " + s.localAddress());
        }
    }

    /** Lets delayed ACKs (at most 200 ms) go out; on the virtual clock this is quick. */
    private static void settle(NetLoop loop) {
        long until = loop.call(loop::now) + 1_000_000_000L;
        while (loop.call(loop::now) < until) {
            sleep(10);
        }
    }

    /** Every connection is still established with nothing queued (so the figure is for idle sockets). */
    private static void check(TcpSocket[] clients, TcpSocket[] servers) {
        for (TcpSocket[] side : new TcpSocket[][] {clients, servers}) {
            for (TcpSocket t : side) {
                if (t.state() != TcpState.ESTABLISHED || t.info().unacked() != 0) {
                    throw new IllegalStateException("not idle and established: " + t.state() + ", " + t.info().unacked() + " unacked");
                }
            }
        }
    }

    /**
     * With {@code -Didle_conn_memory.holdSeconds=S}, keeps the connections open S seconds after
     * the measurement so a class histogram can be taken ({@code jcmd PID GC.class_histogram}).
     */
    private static void holdForInspection(int n) {
        long s = Long.getLong("idle_conn_memory.holdSeconds", 0);
        if (s > 0) {
            System.err.printf("idle_conn_memory: %d connections open, pid %d, holding %d s%n", n, ProcessHandle.current().pid(), s);
            sleep(s * 1000);
        }
    }

    /** Heap per idle JDK loopback connection; Java heap only (see the class comment). */
    static double jdkLoopback(int n) {
        Socket[] clients = new Socket[n];
        Socket[] servers = new Socket[n];
        InputStream[] clientIn = new InputStream[n];
        OutputStream[] clientOut = new OutputStream[n];
        InputStream[] serverIn = new InputStream[n];
        OutputStream[] serverOut = new OutputStream[n];
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort());
            try (Socket warm = new Socket()) {
                warm.connect(at);
                ss.accept().close();
            }
            long before = usedHeap();
            for (int i = 0; i < n; i++) {
                Socket cl = new Socket();
                cl.connect(at);
                Socket sv = ss.accept();
                clients[i] = cl;
                servers[i] = sv;
                clientIn[i] = cl.getInputStream();
                clientOut[i] = cl.getOutputStream();
                serverIn[i] = sv.getInputStream();
                serverOut[i] = sv.getOutputStream();
                clientOut[i].write(1);
                serverIn[i].read();
                serverOut[i].write(1);
                clientIn[i].read();
            }
            long after = usedHeap();
            Reference.reachabilityFence(clients);
            Reference.reachabilityFence(servers);
            Reference.reachabilityFence(clientIn);
            Reference.reachabilityFence(clientOut);
            Reference.reachabilityFence(serverIn);
            Reference.reachabilityFence(serverOut);
            return (double) (after - before) / n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (int i = 0; i < n; i++) {
                closeQuietly(clients[i]);
                closeQuietly(servers[i]);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // Closing an idle loopback socket does not fail; nothing to report if it does.
            }
        }
    }

    /** Used heap after the collector has had several chances to free what is unreachable. */
    static long usedHeap() {
        var mem = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            sleep(50);
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
