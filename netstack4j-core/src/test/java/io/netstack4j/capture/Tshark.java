package io.netstack4j.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Reads pcap files with Wireshark's {@code tshark}, so a test can say "Wireshark opens this
 * capture without a complaint". Each method first skips the calling test (a JUnit assumption)
 * with one line when tshark is not installed.
 *
 * <pre>{@code
 *   Tshark.assertClean(pcap, 8);                       // 8 frames, no warning or error
 *   Tshark.fields(pcap, "icmp", "icmp.type", "icmp.seq"); // [[8, 1], [0, 1], ...]
 * }</pre>
 *
 * Checksum validation is switched on for IPv4, UDP and TCP (Wireshark's default is off; ICMP
 * is always checked), so a bad checksum is an expert-info error.
 */
public final class Tshark {

    /** Wireshark's expert severities ({@code PI_WARN}, {@code PI_ERROR}). */
    static final int PI_WARN = 0x00600000;

    private static final List<String> CHECKSUMS = List.of(
            "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE");
    /** Separates several values of one field; a control character no dissector prints. */
    private static final String AGGREGATOR = "\u001f";
    private static Boolean installed;

    private Tshark() {
    }

    /** True if {@code tshark} can be run. */
    public static synchronized boolean installed() {
        if (installed == null) {
            try {
                installed = run(List.of("tshark", "--version")).status == 0;
            } catch (UncheckedIOException e) {
                installed = false;
            }
        }
        return installed;
    }

    /** Skips the calling test, with one line, if tshark is missing. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(installed(), "tshark is not installed (apt-get install tshark); pcap check skipped");
    }

    /**
     * Asserts that tshark reads {@code pcap} completely, finds {@code expectedFrames} frames, and
     * reports no warning or error (malformed packets, bad checksums, a truncated file).
     */
    public static void assertClean(Path pcap, int expectedFrames) {
        Report r = check(pcap);
        assertEquals(List.of(), r.problems(), "tshark's complaints about " + pcap);
        assertEquals(expectedFrames, r.frames(), "frames tshark read from " + pcap);
    }

    /** What tshark thinks of a file: frames read, and every warning or error as one line. */
    public record Report(int frames, List<String> problems) {
    }

    /**
     * Reads {@code pcap} once with checksum validation on (and any {@code extraArgs}, such as
     * {@code -d tcp.port==5000,data} to keep payload from being decoded as some other protocol)
     * and collects, per frame, the expert
     * infos of severity warning or error ({@code "frame 3: Expert Info (Error/Checksum): Bad
     * checksum [should be 0x2c97]"}), plus anything tshark printed on stderr and a non-zero
     * exit status.
     */
    public static Report check(Path pcap, String... extraArgs) {
        assumeInstalled();
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString()));
        cmd.addAll(CHECKSUMS);
        cmd.addAll(List.of(extraArgs));
        cmd.addAll(List.of("-T", "fields", "-E", "aggregator=" + AGGREGATOR, "-E", "occurrence=a",
                "-e", "frame.number", "-e", "_ws.expert", "-e", "_ws.expert.severity"));
        Result res = run(cmd);
        List<String> problems = new ArrayList<>(res.complaints());
        int frames = 0;
        for (String line : res.stdout) {
            frames++;
            String[] f = line.split("\t", -1);
            if (f.length < 3 || f[1].isEmpty()) {
                continue;
            }
            String[] infos = f[1].split(AGGREGATOR, -1);
            String[] severities = f[2].split(AGGREGATOR, -1);
            for (int i = 0; i < infos.length; i++) {
                int severity = i < severities.length && !severities[i].isEmpty() ? Integer.parseInt(severities[i]) : PI_WARN;
                if (severity >= PI_WARN) {
                    problems.add("frame " + f[0] + ": " + infos[i]);
                }
            }
        }
        return new Report(frames, problems);
    }

    /**
     * The values of {@code fields} for each frame matching the display filter {@code filter}
     * (all frames if it is empty), in file order; several values of one field in a frame are
     * joined with a comma, as tshark prints them.
     *
     * @throws AssertionError if tshark complains about the file or the filter
     */
    public static List<List<String>> fields(Path pcap, String filter, String... fields) {
        assumeInstalled();
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString()));
        cmd.addAll(CHECKSUMS);
        if (!filter.isEmpty()) {
            cmd.addAll(List.of("-Y", filter));
        }
        cmd.addAll(List.of("-T", "fields", "-E", "occurrence=a"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        Result res = run(cmd);
        assertEquals(List.of(), res.complaints(), "tshark " + String.join(" ", cmd));
        List<List<String>> rows = new ArrayList<>();
        for (String line : res.stdout) {
            rows.add(Arrays.asList(line.split("\t", -1)));
        }
        return rows;
    }

    /** tshark's one-line summary of each frame ({@code tshark -n -r FILE}). */
    public static List<String> summary(Path pcap) {
        assumeInstalled();
        Result res = run(List.of("tshark", "-n", "-r", pcap.toString()));
        assertEquals(List.of(), res.complaints(), "tshark -r " + pcap);
        return res.stdout.stream().map(String::strip).toList();
    }

    private record Result(int status, List<String> stdout, List<String> stderr) {

        /** stderr lines and a failure status; the notice about running as root is not a complaint. */
        List<String> complaints() {
            List<String> c = new ArrayList<>();
            for (String line : stderr) {
                if (!line.isBlank() && !line.startsWith("Running as user \"root\"")) {
                    c.add(line);
                }
            }
            if (status != 0) {
                c.add("tshark exited with status " + status);
            }
            return c;
        }
    }

    private static Result run(List<String> cmd) {
        try {
            Path err = Files.createTempFile("tshark", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int status = p.waitFor();
                return new Result(status, lines(out), lines(Files.readString(err)));
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd, e);
        }
    }

    private static List<String> lines(String s) {
        return s.isEmpty() ? List.of() : s.lines().toList();
    }
}
