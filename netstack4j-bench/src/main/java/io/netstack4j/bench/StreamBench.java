package io.netstack4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The stream benchmarks, written once against {@link Transport}: bulk throughput, 1-byte
 * request/response latency and connection rate. Each runs its server on a thread of its own.
 */
final class StreamBench {

    private static final int CHUNK = 128 * 1024;

    private StreamBench() {
    }

    /** What a bulk run saw, plus an optional measurement taken over its steady middle part. */
    record Bulk(double gbps, long bytes, double seconds) {
    }

    /** Called once, in the steady middle of a bulk run, while the transfer goes on. */
    interface Steady {
        void during(long windowNanos);
    }

    /**
     * One flow, client to server, for {@code seconds}: the server reads into a 256 KiB buffer
     * until end of stream; throughput is counted at the receiver.
     */
    static Bulk bulk(Transport t, int port, double seconds, Steady steady) {
        AtomicLong received = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] span = new long[2];
        try (Transport.Server server = t.listen(port)) {
            Thread reader = Thread.ofPlatform().name("bench-recv").start(() -> {
                try (Transport.Conn c = server.accept()) {
                    InputStream in = c.in();
                    byte[] buf = new byte[2 * CHUNK];
                    int n = in.read(buf);
                    span[0] = System.nanoTime();
                    long total = 0;
                    while (n >= 0) {
                        total += n;
                        received.lazySet(total);
                        n = in.read(buf);
                    }
                    span[1] = System.nanoTime();
                } catch (IOException | RuntimeException e) {
                    failure.set(e);
                }
            });
            Thread writer;
            try (Transport.Conn c = t.connect(port)) {
                long deadline = System.nanoTime() + (long) (seconds * 1e9);
                writer = Thread.ofPlatform().name("bench-send").start(() -> {
                    try {
                        OutputStream out = c.out();
                        byte[] chunk = new byte[CHUNK];
                        Arrays.fill(chunk, (byte) 0x5a);
                        while (System.nanoTime() - deadline < 0) {
                            out.write(chunk, 0, CHUNK);
                        }
                        c.shutdownOutput();
                    } catch (IOException | RuntimeException e) {
                        failure.set(e);
                    }
                });
                if (steady != null) {
                    sleepNanos((long) (seconds * 0.3e9));
                    steady.during((long) (seconds * 0.5e9));
                }
                join(writer);
                join(reader);
            }
        }
        check(failure);
        double secs = (span[1] - span[0]) / 1e9;
        return new Bulk(received.get() * 8 / secs / 1e9, received.get(), secs);
    }

    /** Percentiles of a request/response run, in microseconds. */
    record Latency(double p50, double p99, int samples) {
    }

    /**
     * 1-byte ping-pong: the client writes one byte and waits for the server to echo it;
     * {@code warmup} rounds first, then {@code rounds} timed ones.
     */
    static Latency requestResponse(Transport t, int port, int warmup, int rounds) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] samples = new long[rounds];
        try (Transport.Server server = t.listen(port)) {
            Thread echo = Thread.ofPlatform().name("bench-echo").start(() -> {
                try (Transport.Conn c = server.accept()) {
                    InputStream in = c.in();
                    OutputStream out = c.out();
                    int b;
                    while ((b = in.read()) >= 0) {
                        out.write(b);
                    }
                } catch (IOException | RuntimeException e) {
                    failure.set(e);
                }
            });
            try (Transport.Conn c = t.connect(port)) {
                InputStream in = c.in();
                OutputStream out = c.out();
                for (int i = 0; i < warmup + rounds; i++) {
                    long t0 = System.nanoTime();
                    out.write(1);
                    if (in.read() != 1) {
                        throw new IllegalStateException("echo lost");
                    }
                    if (i >= warmup) {
                        samples[i - warmup] = System.nanoTime() - t0;
                    }
                }
                c.shutdownOutput();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            join(echo);
        }
        check(failure);
        Arrays.sort(samples);
        return new Latency(samples[rounds / 2] / 1e3, samples[(int) (rounds * 0.99)] / 1e3, rounds);
    }

    /**
     * Connections per second for {@code seconds}: the client connects, the server accepts and
     * closes at once (so TIME_WAIT stays on the server side, as a busy server's does), the client
     * reads the end of stream and closes.
     */
    static double connectRate(Transport t, int port, double seconds) {
        long done = 0;
        double secs;
        try (Transport.Server server = t.listen(port)) {
            // Ends with an exception when the server closes at the end of the run.
            Thread acceptor = Thread.ofPlatform().name("bench-accept").daemon(true).start(() -> {
                try {
                    while (true) {
                        server.accept().close();
                    }
                } catch (RuntimeException e) {
                    // the listener was closed
                }
            });
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            while (System.nanoTime() - deadline < 0) {
                try (Transport.Conn c = t.connect(port)) {
                    if (c.in().read() != -1) {
                        throw new IllegalStateException("expected end of stream");
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                done++;
            }
            secs = (System.nanoTime() - start) / 1e9;
            acceptor.interrupt();
        }
        return done / secs;
    }

    static void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void check(AtomicReference<Throwable> failure) {
        Throwable e = failure.get();
        if (e != null) {
            throw new IllegalStateException("benchmark peer failed: " + e, e);
        }
    }
}
