package io.netstack4j.drivers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A private Linux network namespace for an interop test: created with {@code ip netns add},
 * commands run inside it with {@code ip netns exec}, deleted on {@link #close()} together with
 * everything started in it. Addresses used by the tests live only inside such namespaces, so no
 * traffic ever leaves the machine.
 */
public final class KernelNetns implements AutoCloseable {

    /** The longest a kernel-side command may run before the test gives up on it (a hang guard, not a measurement). */
    public static final long COMMAND_LIMIT_SECONDS = 60;

    public final String name;
    private final List<Process> background = new ArrayList<>();

    private KernelNetns(String name) {
        this.name = name;
    }

    /**
     * Null when this process may create namespaces and TAP devices (root with /dev/net/tun and
     * the {@code ip} tool), otherwise one line saying what is missing.
     */
    public static String unavailable() {
        String tap = Tap.unavailableReason();
        if (tap != null && !Files.exists(Path.of("/dev/net/tun"))) {
            return "skipped: /dev/net/tun is missing, so no TAP device can be opened";
        }
        if (!Files.isReadable(Path.of("/dev/net/tun")) || !Files.isWritable(Path.of("/dev/net/tun"))) {
            return "skipped: /dev/net/tun is not readable and writable by this user";
        }
        try {
            Result id = run(List.of("id", "-u"));
            if (!id.out.strip().equals("0")) {
                return "skipped: kernel interop needs root (CAP_NET_ADMIN) to create namespaces and TAP devices";
            }
            Result ip = run(List.of("ip", "netns", "list"));
            if (ip.exit != 0) {
                return "skipped: `ip netns` does not work here: " + ip.err.strip();
            }
            if (tap != null) {
                return "skipped: " + tap;
            }
        } catch (IOException e) {
            return "skipped: cannot run kernel tools: " + e.getMessage();
        }
        return null;
    }

    /** A fresh namespace named {@code prefix} plus a random suffix, with its loopback up. */
    public static KernelNetns create(String prefix) throws IOException {
        String name = prefix + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
        check(run(List.of("ip", "netns", "add", name)));
        KernelNetns ns = new KernelNetns(name);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** A kernel interface name no other test uses at the same time (at most 15 characters). */
    public static String freshIfname(String prefix) {
        return prefix + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }

    /** Runs a command inside the namespace and fails if it exits non-zero. */
    public Result exec(String... command) throws IOException {
        return check(execAllowFailure(command));
    }

    /** Runs a command inside the namespace and returns whatever happened. */
    public Result execAllowFailure(String... command) throws IOException {
        return run(inside(command));
    }

    /** Starts a long-running command inside the namespace; it is killed on {@link #close()}. */
    public Process spawn(Path stdout, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(inside(command));
        pb.redirectOutput(stdout.toFile());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        background.add(p);
        return p;
    }

    /** Moves a kernel interface of the current namespace into this one. */
    public void adopt(String ifname) throws IOException {
        check(run(List.of("ip", "link", "set", ifname, "netns", name)));
    }

    private List<String> inside(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return full;
    }

    @Override
    public void close() throws IOException {
        for (Process p : background) {
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        run(List.of("ip", "netns", "del", name));
    }

    /** What a finished command printed and returned. */
    public record Result(List<String> command, int exit, String out, String err) {
        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exit + "\n" + out + err;
        }
    }

    public static Result run(List<String> command) throws IOException {
        Path out = Files.createTempFile("netns-out", ".txt");
        Path err = Files.createTempFile("netns-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            boolean done;
            try {
                done = p.waitFor(COMMAND_LIMIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            }
            if (!done) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_LIMIT_SECONDS + " s");
            }
            return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Result check(Result r) throws IOException {
        if (r.exit != 0) {
            throw new IOException(r.toString());
        }
        return r;
    }
}
