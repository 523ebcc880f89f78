package io.netstack4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel side of the benchmarks: commands run in network namespaces this process creates
 * (named {@code n4jb-*}, deleted again), on addresses that exist only there.
 */
final class Kernel {

    private static final Pattern RECEIVED_BPS =
            Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)", Pattern.DOTALL);

    private final List<String> namespaces = new ArrayList<>();

    /** Why kernel namespaces cannot be used here, or null when they can. */
    static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root (kernel network namespaces)";
        }
        if (run("ip", "netns", "list").exit() != 0) {
            return "ip netns does not work here";
        }
        if (run("iperf3", "--version").exit() != 0) {
            return "iperf3 is not installed";
        }
        return null;
    }

    record Result(int exit, String out) {
    }

    static Result run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    static void must(String... cmd) {
        Result r = run(cmd);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": exit " + r.exit() + ": " + r.out().strip());
        }
    }

    /** Creates namespace {@code name} (removing a leftover of an earlier run first) with lo up. */
    String netns(String name) {
        run("ip", "netns", "del", name);
        must("ip", "netns", "add", name);
        namespaces.add(name);
        must("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** Two kernel namespaces joined by a veth pair with MTU 1500: 10.201.0.1 and 10.201.0.2. */
    String[] vethPair() {
        String a = netns("n4jb-ka");
        String b = netns("n4jb-kb");
        must("ip", "-n", a, "link", "add", "v0", "mtu", "1500", "type", "veth", "peer", "name", "v1", "netns", b, "mtu", "1500");
        must("ip", "-n", a, "addr", "add", "10.201.0.1/24", "dev", "v0");
        must("ip", "-n", b, "addr", "add", "10.201.0.2/24", "dev", "v1");
        must("ip", "-n", a, "link", "set", "v0", "up");
        must("ip", "-n", b, "link", "set", "v1", "up");
        return new String[] {a, b};
    }

    /**
     * {@code iperf3 -c host -t seconds -J} from namespace {@code clientNs}; returns the receiver's
     * Gbit/s. The server ({@code iperf3 -s -1}) must already listen.
     */
    static double iperf3Client(String clientNs, String host, int port, double seconds) {
        Result r = run("ip", "netns", "exec", clientNs, "iperf3", "-c", host, "-p", Integer.toString(port), "-t",
                Integer.toString((int) Math.max(1, Math.round(seconds))), "-J");
        Matcher m = RECEIVED_BPS.matcher(r.out());
        if (r.exit() != 0 || !m.find()) {
            throw new IllegalStateException("iperf3 -c failed (exit " + r.exit() + "): " + tail(r.out()));
        }
        return Double.parseDouble(m.group(1)) / 1e9;
    }

    /** Starts {@code iperf3 -s -1} in {@code ns} and waits until it listens. */
    static Process iperf3Server(String ns, int port) {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", ns, "iperf3", "-s", "-1", "-p", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            for (int i = 0; i < 100; i++) {
                if (run("ip", "netns", "exec", ns, "ss", "-Htln", "sport", "= :" + port).out().contains(":" + port)) {
                    return p;
                }
                StreamBench.sleepNanos(50_000_000);
            }
            p.destroyForcibly();
            throw new IllegalStateException("iperf3 -s did not start listening in " + ns);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** iperf3 between the two namespaces of {@link #vethPair}: kernel to kernel over veth. */
    double vethIperf3(double seconds) {
        String[] ns = vethPair();
        Process server = iperf3Server(ns[1], 5301);
        try {
            return iperf3Client(ns[0], "10.201.0.2", 5301, seconds);
        } finally {
            server.destroy();
        }
    }

    private static final Pattern SOCKPERF_PERCENTILE =
            Pattern.compile("percentile\\s+(\\d+\\.\\d+)\\s*=\\s*([0-9.]+)");

    /**
     * {@code sockperf ping-pong --tcp} between the namespaces of {@link #vethPair}, with its
     * smallest message (14 bytes). Returns the round trip's p50 and p99 in microseconds:
     * sockperf reports half a round trip, so its percentiles are doubled.
     */
    double[] vethSockperf(double seconds) {
        String[] ns = vethPair();
        try {
            Process server = new ProcessBuilder("ip", "netns", "exec", ns[1], "sockperf", "server", "--tcp", "-i", "10.201.0.2", "-p",
                    "11111").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                for (int i = 0; i < 100; i++) {
                    if (run("ip", "netns", "exec", ns[1], "ss", "-Htln", "sport", "= :11111").out().contains(":11111")) {
                        break;
                    }
                    StreamBench.sleepNanos(50_000_000);
                }
                Result r = run("ip", "netns", "exec", ns[0], "sockperf", "ping-pong", "--tcp", "-i", "10.201.0.2", "-p", "11111", "-t",
                        Integer.toString((int) Math.max(1, Math.round(seconds))), "-m", "14");
                double p50 = Double.NaN;
                double p99 = Double.NaN;
                Matcher m = SOCKPERF_PERCENTILE.matcher(r.out());
                while (m.find()) {
                    if (m.group(1).equals("50.000")) {
                        p50 = 2 * Double.parseDouble(m.group(2));
                    } else if (m.group(1).equals("99.000")) {
                        p99 = 2 * Double.parseDouble(m.group(2));
                    }
                }
                if (Double.isNaN(p50) || Double.isNaN(p99)) {
                    throw new IllegalStateException("sockperf ping-pong gave no percentiles: " + tail(r.out()));
                }
                return new double[] {p50, p99};
            } finally {
                server.destroy();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            cleanup();
        }
    }

    private static String tail(String s) {
        s = s.strip();
        return s.length() > 400 ? s.substring(s.length() - 400) : s;
    }

    /** Deletes every namespace this object created. */
    void cleanup() {
        for (String ns : namespaces) {
            run("ip", "netns", "del", ns);
        }
        namespaces.clear();
    }
}
