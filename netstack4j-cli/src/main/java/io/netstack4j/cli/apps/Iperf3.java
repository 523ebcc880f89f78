package io.netstack4j.cli.apps;

import io.netstack4j.core.NetException;
import io.netstack4j.ns.Namespace;
import io.netstack4j.socket.TcpListener;
import io.netstack4j.socket.TcpSocket;
import io.netstack4j.wire.Ipv4Address;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * iperf3's TCP test, speaking its control protocol so the kernel's {@code iperf3} and this one
 * measure each other: a 37-byte cookie opens the control connection, one-byte states drive the
 * test (PARAM_EXCHANGE, CREATE_STREAMS, TEST_START, TEST_RUNNING, TEST_END, EXCHANGE_RESULTS,
 * DISPLAY_RESULTS, IPERF_DONE), parameters and results travel as JSON after a 4-byte length, and
 * each data stream opens with the same cookie. Stream ids are 1, 3, 4, ... as iperf3 numbers
 * them. Output follows iperf3's layout.
 */
public final class Iperf3 {

    static final int TEST_START = 1;
    static final int TEST_RUNNING = 2;
    static final int TEST_END = 4;
    static final int PARAM_EXCHANGE = 9;
    static final int CREATE_STREAMS = 10;
    static final int EXCHANGE_RESULTS = 13;
    static final int DISPLAY_RESULTS = 14;
    static final int IPERF_DONE = 16;
    static final int ACCESS_DENIED = -1;
    static final int COOKIE_SIZE = 37;
    public static final int DEFAULT_PORT = 5201;
    static final int DEFAULT_LEN = 128 * 1024;

    /** What a finished test measured: bytes and seconds as sender and receiver saw them. */
    public record Result(long sentBytes, double sentSeconds, long receivedBytes, double receivedSeconds, long retransmits) {

        public double receiverBitsPerSecond() {
            return receivedSeconds > 0 ? receivedBytes * 8 / receivedSeconds : 0;
        }
    }

    private Iperf3() {
    }

    // ---- wire helpers ----

    private static void readFully(TcpSocket s, byte[] b) {
        int off = 0;
        while (off < b.length) {
            int n = s.read(b, off, b.length - off);
            if (n < 0) {
                throw new IllegalStateException("iperf3: control connection closed by peer");
            }
            off += n;
        }
    }

    private static int readState(TcpSocket s) {
        byte[] b = new byte[1];
        readFully(s, b);
        return b[0];
    }

    private static void writeState(TcpSocket s, int state) {
        s.write(new byte[] {(byte) state});
    }

    private static void writeJson(TcpSocket s, Object v) {
        byte[] json = Json.write(v).getBytes(StandardCharsets.UTF_8);
        s.write(ByteBuffer.allocate(4).putInt(json.length).array());
        s.write(json);
    }

    private static Map<?, ?> readJson(TcpSocket s) {
        byte[] len = new byte[4];
        readFully(s, len);
        int n = ByteBuffer.wrap(len).getInt();
        if (n < 0 || n > 1 << 20) {
            throw new IllegalStateException("iperf3: bad JSON length " + n);
        }
        byte[] json = new byte[n];
        readFully(s, json);
        if (Json.parse(new String(json, StandardCharsets.UTF_8)) instanceof Map<?, ?> m) {
            return m;
        }
        throw new IllegalStateException("iperf3: expected a JSON object");
    }

    static byte[] newCookie() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        byte[] c = new byte[COOKIE_SIZE];
        for (int i = 0; i < COOKIE_SIZE - 1; i++) {
            c[i] = (byte) alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length()));
        }
        return c;
    }

    /** Stream ids as iperf3 assigns them: 1, then 3, 4, 5 ... */
    static int streamId(int index) {
        return index == 0 ? 1 : index + 2;
    }

    // ---- data streams ----

    /** Sends blocks on every stream until {@code stop}; counts bytes per stream. */
    private static List<Thread> startSenders(List<TcpSocket> streams, int len, AtomicBoolean stop, AtomicLong[] bytes) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < streams.size(); i++) {
            TcpSocket s = streams.get(i);
            AtomicLong count = bytes[i];
            threads.add(Thread.ofVirtual().name("iperf3-send").start(() -> {
                byte[] block = new byte[len];
                ThreadLocalRandom.current().nextBytes(block);
                try {
                    while (!stop.get()) {
                        s.write(block, 0, block.length);
                        count.addAndGet(block.length);
                    }
                } catch (NetException e) {
                    // The peer or we closed the stream: the test is over.
                }
            }));
        }
        return threads;
    }

    /** Waits up to 5 s for each worker. */
    private static void joinAll(List<Thread> workers) {
        for (Thread w : workers) {
            try {
                w.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Reads every stream until end of stream or close; counts bytes per stream. */
    private static List<Thread> startReceivers(List<TcpSocket> streams, AtomicLong[] bytes) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < streams.size(); i++) {
            TcpSocket s = streams.get(i);
            AtomicLong count = bytes[i];
            threads.add(Thread.ofVirtual().name("iperf3-recv").start(() -> {
                byte[] buf = new byte[DEFAULT_LEN];
                try {
                    int n;
                    while ((n = s.read(buf, 0, buf.length)) > 0) {
                        count.addAndGet(n);
                    }
                } catch (NetException e) {
                    // Closed at the end of the test.
                }
            }));
        }
        return threads;
    }

    private static AtomicLong[] counters(int n) {
        AtomicLong[] a = new AtomicLong[n];
        for (int i = 0; i < n; i++) {
            a[i] = new AtomicLong();
        }
        return a;
    }

    private static long sum(AtomicLong[] a) {
        long t = 0;
        for (AtomicLong x : a) {
            t += x.get();
        }
        return t;
    }

    private static Map<String, Object> results(AtomicLong[] bytes, double seconds, long retransmits, boolean sender) {
        List<Object> streams = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("id", (double) streamId(i));
            st.put("bytes", (double) bytes[i].get());
            st.put("retransmits", sender ? (double) retransmits / bytes.length : -1.0);
            st.put("jitter", 0.0);
            st.put("errors", 0.0);
            st.put("packets", 0.0);
            st.put("start_time", 0.0);
            st.put("end_time", seconds);
            streams.add(st);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("cpu_util_total", 0.0);
        r.put("cpu_util_user", 0.0);
        r.put("cpu_util_system", 0.0);
        r.put("sender_has_retransmits", sender ? 1.0 : -1.0);
        r.put("congestion_used", "cubic");
        r.put("streams", streams);
        return r;
    }

    private static long peerBytes(Map<?, ?> results) {
        long t = 0;
        if (results.get("streams") instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> m) {
                    t += (long) Json.num(m, "bytes", 0);
                }
            }
        }
        return t;
    }

    private static double peerSeconds(Map<?, ?> results) {
        double t = 0;
        if (results.get("streams") instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> m) {
                    t = Math.max(t, Json.num(m, "end_time", 0));
                }
            }
        }
        return t;
    }

    private static long retransmits(List<TcpSocket> streams) {
        long r = 0;
        for (TcpSocket s : streams) {
            r += s.info().totalRetrans();
        }
        return r;
    }

    // ---- client ----

    /**
     * {@code iperf3 -c HOST [-p PORT] [-t SECS] [-P N] [-R] [-l LEN]}: runs one test and prints
     * iperf3's report to {@code out}.
     */
    public static Result client(Namespace ns, Ipv4Address host, int port, int seconds, int parallel, boolean reverse, int len,
            PrintStream out) throws InterruptedException {
        out.println("Connecting to host " + host + ", port " + port);
        if (reverse) {
            out.println("Reverse mode, remote host " + host + " is sending");
        }
        byte[] cookie = newCookie();
        List<TcpSocket> streams = new ArrayList<>();
        try (TcpSocket ctrl = TcpSocket.connect(ns, host, port)) {
            ctrl.setTcpNoDelay(true);
            ctrl.write(cookie);
            int st = readState(ctrl);
            if (st == ACCESS_DENIED) {
                throw new IllegalStateException("iperf3: error - the server is busy running a test. try again later");
            }
            expect(st, PARAM_EXCHANGE);
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("tcp", Boolean.TRUE);
            params.put("omit", 0.0);
            params.put("time", (double) seconds);
            params.put("num", 0.0);
            params.put("blockcount", 0.0);
            params.put("parallel", (double) parallel);
            if (reverse) {
                params.put("reverse", Boolean.TRUE);
            }
            params.put("len", (double) len);
            params.put("pacing_timer", 1000.0);
            params.put("client_version", "3.12");
            writeJson(ctrl, params);
            expect(readState(ctrl), CREATE_STREAMS);
            for (int i = 0; i < parallel; i++) {
                TcpSocket s = TcpSocket.connect(ns, host, port);
                s.write(cookie);
                streams.add(s);
                out.println("[" + String.format("%3d", 5 + 2 * i) + "] local " + s.localAddress().getAddress().getHostAddress() + " port "
                        + s.localAddress().getPort() + " connected to " + host + " port " + port);
            }
            expect(readState(ctrl), TEST_START);
            expect(readState(ctrl), TEST_RUNNING);
            AtomicLong[] bytes = counters(parallel);
            AtomicBoolean stop = new AtomicBoolean();
            long t0 = System.nanoTime();
            List<Thread> workers = reverse ? startReceivers(streams, bytes) : startSenders(streams, len, stop, bytes);
            out.println("[ ID] Interval           Transfer     Bitrate");
            long last = 0;
            for (int sec = 1; sec <= seconds; sec++) {
                Thread.sleep(Math.max(0, t0 / 1_000_000 + sec * 1000L - System.nanoTime() / 1_000_000));
                long now = sum(bytes);
                out.println(line("SUM", sec - 1, sec, now - last, 1.0, ""));
                last = now;
            }
            stop.set(true);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long retrans = reverse ? 0 : retransmits(streams);
            writeState(ctrl, TEST_END);
            if (!reverse) {
                for (Thread w : workers) {
                    w.join(5000);
                }
            }
            expect(readState(ctrl), EXCHANGE_RESULTS);
            writeJson(ctrl, results(bytes, elapsed, retrans, !reverse));
            Map<?, ?> server = readJson(ctrl);
            expect(readState(ctrl), DISPLAY_RESULTS);
            writeState(ctrl, IPERF_DONE);
            for (TcpSocket s : streams) {
                s.close();
            }
            for (Thread w : workers) {
                w.join(5000);
            }
            long mine = sum(bytes);
            long theirs = peerBytes(server);
            double theirSecs = peerSeconds(server);
            out.println("- - - - - - - - - - - - - - - - - - - - - - - - -");
            out.println("[ ID] Interval           Transfer     Bitrate         Retr");
            Result r;
            if (reverse) {
                out.println(line("SUM", 0, theirSecs, theirs, theirSecs, "  sender"));
                out.println(line("SUM", 0, elapsed, mine, elapsed, "  receiver"));
                r = new Result(theirs, theirSecs, mine, elapsed, 0);
            } else {
                out.println(line("SUM", 0, elapsed, mine, elapsed, String.format("%5d  sender", retrans)));
                out.println(line("SUM", 0, theirSecs, theirs, theirSecs, "       receiver"));
                r = new Result(mine, elapsed, theirs, theirSecs, retrans);
            }
            out.println();
            out.println("iperf Done.");
            return r;
        } finally {
            for (TcpSocket s : streams) {
                s.close();
            }
        }
    }

    private static void expect(int got, int want) {
        if (got != want) {
            throw new IllegalStateException("iperf3: unexpected control state " + got + " (expected " + want + ")");
        }
    }

    /** One report line: {@code [SUM]   0.00-1.00   sec   112 MBytes   941 Mbits/sec}. */
    static String line(String id, double from, double to, long bytes, double secs, String tail) {
        return String.format("[%3s] %6.2f-%-6.2f sec  %s  %s%s", id, from, to, bytesText(bytes), rateText(secs > 0 ? bytes * 8 / secs : 0),
                tail.isEmpty() ? "" : "  " + tail);
    }

    static String bytesText(long b) {
        if (b >= 1L << 30) {
            return String.format("%4.2f GBytes", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format("%4.1f MBytes", b / (double) (1L << 20));
        }
        return String.format("%4.1f KBytes", b / 1024.0);
    }

    static String rateText(double bps) {
        if (bps >= 1e9) {
            return String.format("%4.2f Gbits/sec", bps / 1e9);
        }
        if (bps >= 1e6) {
            return String.format("%4.1f Mbits/sec", bps / 1e6);
        }
        return String.format("%4.1f Kbits/sec", bps / 1e3);
    }

    // ---- server ----

    /**
     * {@code iperf3 -s [-p PORT] [-1]}: serves tests one at a time (a second client meanwhile
     * gets ACCESS_DENIED), printing iperf3's server report; with {@code once}, returns after one.
     */
    public static Result server(Namespace ns, int port, boolean once, PrintStream out) {
        Result last = null;
        try (TcpListener l = TcpListener.listen(ns, Ipv4Address.ANY, port, 16, true)) {
            int test = 1;
            do {
                out.println("-----------------------------------------------------------");
                out.println("Server listening on " + port + " (test #" + test++ + ")");
                out.println("-----------------------------------------------------------");
                out.flush();
                TcpSocket ctrl = l.accept();
                try {
                    last = serveOne(l, ctrl, out);
                } catch (RuntimeException e) {
                    out.println("iperf3: error - " + e);
                    out.flush();
                } finally {
                    ctrl.close();
                }
            } while (!once);
        }
        return last;
    }

    private static Result serveOne(TcpListener l, TcpSocket ctrl, PrintStream out) {
        byte[] cookie = new byte[COOKIE_SIZE];
        readFully(ctrl, cookie);
        ctrl.setTcpNoDelay(true);
        writeState(ctrl, PARAM_EXCHANGE);
        Map<?, ?> params = readJson(ctrl);
        int parallel = (int) Json.num(params, "parallel", 1);
        int len = (int) Json.num(params, "len", DEFAULT_LEN);
        boolean reverse = Json.bool(params, "reverse");
        if (parallel < 1 || parallel > 128 || len < 1 || len > 1 << 24) {
            throw new IllegalStateException("bad parameters " + Json.write(params));
        }
        out.println("Accepted connection from " + ctrl.remoteAddress().getAddress().getHostAddress() + ", port "
                + ctrl.remoteAddress().getPort());
        writeState(ctrl, CREATE_STREAMS);
        List<TcpSocket> streams = new ArrayList<>();
        try {
            while (streams.size() < parallel) {
                TcpSocket s = l.accept();
                byte[] c = new byte[COOKIE_SIZE];
                readFully(s, c);
                if (!java.util.Arrays.equals(c, cookie)) {
                    s.close();
                    continue;
                }
                streams.add(s);
                out.println("[" + String.format("%3d", 5 + 2 * (streams.size() - 1)) + "] local "
                        + s.localAddress().getAddress().getHostAddress() + " port " + s.localAddress().getPort() + " connected to "
                        + s.remoteAddress().getAddress().getHostAddress() + " port " + s.remoteAddress().getPort());
            }
            out.flush();
            writeState(ctrl, TEST_START);
            writeState(ctrl, TEST_RUNNING);
            AtomicLong[] bytes = counters(parallel);
            AtomicBoolean stop = new AtomicBoolean();
            long t0 = System.nanoTime();
            List<Thread> workers = reverse ? startSenders(streams, len, stop, bytes) : startReceivers(streams, bytes);
            expect(readState(ctrl), TEST_END);
            stop.set(true);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            if (reverse) {
                // As iperf3's server on TEST_END (iperf_handle_message_server): close the data
                // streams before EXCHANGE_RESULTS. The client put its sockets back to blocking
                // when it sent TEST_END and may be reading the rest of a block; end of stream
                // lets it go on to the control message instead of waiting forever.
                for (TcpSocket s : streams) {
                    s.close();
                }
                joinAll(workers);
            }
            long retrans = reverse ? retransmits(streams) : 0;
            writeState(ctrl, EXCHANGE_RESULTS);
            Map<?, ?> client = readJson(ctrl);
            writeJson(ctrl, results(bytes, elapsed, retrans, reverse));
            writeState(ctrl, DISPLAY_RESULTS);
            int done = readState(ctrl);
            for (TcpSocket s : streams) {
                s.close();
            }
            joinAll(workers);
            long mine = sum(bytes);
            out.println("- - - - - - - - - - - - - - - - - - - - - - - - -");
            out.println("[ ID] Interval           Transfer     Bitrate");
            Result r;
            if (reverse) {
                out.println(line("SUM", 0, elapsed, mine, elapsed, "sender"));
                r = new Result(mine, elapsed, peerBytes(client), peerSeconds(client), retrans);
            } else {
                out.println(line("SUM", 0, elapsed, mine, elapsed, "receiver"));
                r = new Result(peerBytes(client), peerSeconds(client), mine, elapsed, 0);
            }
            if (done != IPERF_DONE) {
                out.println("iperf3: the client left without IPERF_DONE (" + done + ")");
            }
            return r;
        } finally {
            for (TcpSocket s : streams) {
                s.close();
            }
        }
    }
}
