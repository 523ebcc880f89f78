package io.netstack4j.cli;

import io.netstack4j.cli.tools.Tools;
import io.netstack4j.cli.shell.Shell;
import io.netstack4j.core.NetLoop;
import io.netstack4j.ns.NetStack;
import io.netstack4j.time.Clock;
import io.netstack4j.time.VirtualClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code netstack4j} launcher: {@code demo}, {@code run FILE}, {@code shell}. Each builds one
 * {@link NetStack} whose loop runs on its own thread, registers the commands, and runs the
 * scenario or the interactive shell; when that ends, background commands are stopped and the
 * stack is closed.
 */
public final class Main {

    static final String DEMO = "demo.nss";

    private static final String USAGE = """
            usage: netstack4j demo                  run the bundled scenario (two hosts, a router, a lossy link)
                   netstack4j run [OPTIONS] FILE    run a scenario file (sh -e semantics)
                   netstack4j shell [OPTIONS]       interactive shell: ip, tc, sysctl, ping, nstat, netstat ...
                   netstack4j test                  run the test suite (handled by the launcher script)
            options:
                   --virtual-time    run on a simulated clock: time jumps to the next event, so
                                     delays and intervals cost nothing; printed times are simulated
                   --seed N          fix every random choice (MACs, ICMP ids, netem); default 1
            """;

    private Main() {
    }

    public static void main(String[] args) throws IOException {
        System.exit(run(args));
    }

    static int run(String[] args) throws IOException {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean virtualTime = rest.remove("--virtual-time");
        long seed = 1;
        int s = rest.indexOf("--seed");
        if (s >= 0) {
            if (s + 1 >= rest.size()) {
                System.err.println("netstack4j: --seed needs a number");
                return 2;
            }
            try {
                seed = Long.parseLong(rest.get(s + 1));
            } catch (NumberFormatException e) {
                System.err.println("netstack4j: --seed needs a number, not \"" + rest.get(s + 1) + "\"");
                return 2;
            }
            rest.remove(s + 1);
            rest.remove(s);
        }
        if (rest.isEmpty() || rest.getFirst().equals("help") || rest.getFirst().equals("--help") || rest.getFirst().equals("-h")) {
            System.out.print(USAGE);
            return rest.isEmpty() ? 2 : 0;
        }
        String verb = rest.getFirst();
        switch (verb) {
            case "demo" -> {
                try (InputStream in = Main.class.getResourceAsStream(DEMO)) {
                    if (in == null) {
                        System.err.println("netstack4j: the bundled demo scenario is missing from the build");
                        return 70;
                    }
                    return runScript(new InputStreamReader(in, StandardCharsets.UTF_8), "demo", virtualTime, seed);
                }
            }
            case "run" -> {
                if (rest.size() != 2) {
                    System.err.print(USAGE);
                    return 2;
                }
                Path file = Path.of(rest.get(1));
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    return runScript(r, file.getFileName().toString(), virtualTime, seed);
                } catch (NoSuchFileException e) {
                    System.err.println("netstack4j: " + file + ": No such file or directory");
                    return 127;
                }
            }
            case "shell" -> {
                NetStack stack = newStack(virtualTime, seed);
                Shell shell = newShell(stack);
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                return shell.interactive(in, System.out);
            }
            default -> {
                System.err.println("netstack4j: unknown command \"" + verb + "\"");
                System.err.print(USAGE);
                return 2;
            }
        }
    }

    private static int runScript(Reader script, String name, boolean virtualTime, long seed) {
        NetStack stack = newStack(virtualTime, seed);
        Shell shell = newShell(stack);
        return shell.runScript(script, name);
    }

    static NetStack newStack(boolean virtualTime, long seed) {
        Clock clock = virtualTime ? new VirtualClock() : Clock.system();
        NetLoop loop = new NetLoop(clock, seed);
        NetStack stack = new NetStack(loop);
        loop.start();
        return stack;
    }

    static Shell newShell(NetStack stack) {
        Shell shell = new Shell(Path.of("").toAbsolutePath());
        Tools.registerAll(shell, stack);
        // The scenarios write `netns add r1` as shorthand for `ip netns add r1`.
        shell.register("netns", inv -> {
            List<String> argv = new ArrayList<>(List.of("ip", "netns"));
            argv.addAll(inv.operands());
            return inv.execute(argv);
        });
        shell.onClose(stack::close);
        shell.installSignalHandlers();
        return shell;
    }
}
