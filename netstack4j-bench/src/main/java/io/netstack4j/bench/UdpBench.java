package io.netstack4j.bench;

import io.netstack4j.ns.Namespace;
import io.netstack4j.socket.UdpSocket;
import io.netstack4j.wire.Ipv4Address;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Datagrams per second from one sending thread to one receiving thread over loopback,
 * counted at the receiver over a window after a warm-up: netstack4j's {@link UdpSocket}s in
 * one namespace, against JDK {@link DatagramChannel}s over the kernel's 127.0.0.1.
 */
final class UdpBench {

    static final int PAYLOAD = 64;
    private static final int RCVBUF = 4 << 20;

    private UdpBench() {
    }

    /** The two ends, whatever stack they are on. */
    private interface Pair extends AutoCloseable {
        void send();

        void receive();

        /** Unblocks the receiver at the end. */
        @Override
        void close();
    }

    static double stack(Namespace ns, int port, double warmup, double window) {
        UdpSocket rx = UdpSocket.open(ns);
        rx.setReceiveBufferSize(RCVBUF);
        rx.bind(Ipv4Address.LOOPBACK, port);
        UdpSocket tx = UdpSocket.open(ns);
        tx.connect(Ipv4Address.LOOPBACK, port);
        byte[] out = new byte[PAYLOAD];
        byte[] in = new byte[2048];
        return run(new Pair() {
            @Override
            public void send() {
                tx.send(out, 0, PAYLOAD);
            }

            @Override
            public void receive() {
                rx.receive(in, 0, in.length);
            }

            @Override
            public void close() {
                tx.close();
                rx.shutdownInput();
                rx.close();
            }
        }, warmup, window);
    }

    static double kernel(int port, double warmup, double window) {
        try {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            DatagramChannel rx = DatagramChannel.open();
            rx.setOption(StandardSocketOptions.SO_RCVBUF, RCVBUF);
            rx.bind(to);
            DatagramChannel tx = DatagramChannel.open();
            tx.connect(to);
            ByteBuffer out = ByteBuffer.allocateDirect(PAYLOAD);
            ByteBuffer in = ByteBuffer.allocateDirect(2048);
            return run(new Pair() {
                @Override
                public void send() {
                    try {
                        out.clear();
                        tx.write(out);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                public void receive() {
                    try {
                        in.clear();
                        rx.receive(in);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                public void close() {
                    try {
                        tx.close();
                        rx.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }, warmup, window);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double run(Pair p, double warmup, double window) {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        Thread receiver = Thread.ofPlatform().name("bench-udp-rx").daemon(true).start(() -> {
            long n = 0;
            try {
                while (!stop.get()) {
                    p.receive();
                    received.lazySet(++n);
                }
            } catch (RuntimeException e) {
                // closed at the end
            }
        });
        Thread sender = Thread.ofPlatform().name("bench-udp-tx").daemon(true).start(() -> {
            try {
                while (!stop.get()) {
                    p.send();
                }
            } catch (RuntimeException e) {
                // closed at the end
            }
        });
        StreamBench.sleepNanos((long) (warmup * 1e9));
        long r0 = received.get();
        long t0 = System.nanoTime();
        StreamBench.sleepNanos((long) (window * 1e9));
        long r1 = received.get();
        long t1 = System.nanoTime();
        stop.set(true);
        StreamBench.join(sender);
        p.close();
        StreamBench.join(receiver);
        return (r1 - r0) / ((t1 - t0) / 1e9);
    }
}
