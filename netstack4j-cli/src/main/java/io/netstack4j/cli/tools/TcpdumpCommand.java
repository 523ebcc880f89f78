package io.netstack4j.cli.tools;

import io.netstack4j.capture.Capture;
import io.netstack4j.capture.Pcap;
import io.netstack4j.cli.shell.Command;
import io.netstack4j.cli.shell.Invocation;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.ns.Namespace;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code tcpdump -i DEV -w FILE [-c N]}: captures a device of the current namespace into a pcap
 * file ({@link Capture}). Like tcpdump it reports on stderr that it is listening, runs until
 * {@code -c} frames were captured or it is stopped (Ctrl-C, the end of a script for a
 * background job), and then prints the capture statistics; the file is complete in every case.
 * Without {@code -i} it takes the first device that is up and not loopback, as tcpdump does.
 * Only writing to a file is supported: without {@code -w} it refuses with a usage error.
 */
final class TcpdumpCommand implements Command {

    private final Context ctx;

    TcpdumpCommand(Context ctx) {
        this.ctx = ctx;
    }

    /** The parsed command line. */
    record Options(String iface, String file, int count) {

        static Options parse(List<String> args) {
            String iface = null;
            String file = null;
            int count = 0;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "-i" -> iface = value(args, ++i);
                    case "-w" -> file = value(args, ++i);
                    case "-c" -> count = count(value(args, ++i));
                    // Name resolution, buffering and promiscuity switches change nothing here:
                    // no names are resolved, the file is flushed whenever the ring runs empty.
                    case "-n", "-nn", "-U", "-p", "-q" -> {
                    }
                    default -> throw new Args.UsageError(a.startsWith("-")
                            ? "tcpdump: invalid option -- '" + a.substring(1) + "'"
                            : "tcpdump: capture filters are not supported: " + String.join(" ", args.subList(i, args.size())));
                }
            }
            if (file == null) {
                throw new Args.UsageError("tcpdump: only writing to a file is supported; use -w FILE");
            }
            return new Options(iface, file, count);
        }

        private static String value(List<String> args, int i) {
            if (i >= args.size()) {
                throw new Args.UsageError("tcpdump: option requires an argument -- '" + args.get(i - 1).substring(1) + "'");
            }
            return args.get(i);
        }

        private static int count(String s) {
            try {
                int n = Integer.parseInt(s);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below, as tcpdump does
            }
            throw new Args.UsageError("tcpdump: invalid packet count " + s);
        }
    }

    @Override
    public int run(Invocation inv) {
        PrintStream err = inv.stderr();
        Options o;
        try {
            o = Options.parse(inv.operands());
        } catch (Args.UsageError e) {
            err.println(e.getMessage());
            return 1;
        }
        NetDevice dev;
        try {
            Namespace ns = ctx.namespace(null);
            dev = ctx.call(() -> o.iface() != null ? ns.devices().byName(o.iface()) : firstUp(ns));
        } catch (NetException e) {
            err.println("tcpdump: " + Context.message(e));
            return 1;
        }
        if (dev == null) {
            err.println(o.iface() != null ? "tcpdump: " + o.iface() + ": No such device exists" : "tcpdump: no suitable device found");
            return 1;
        }
        Path file = inv.resolve(o.file());
        Capture cap;
        try {
            cap = Capture.start(dev, file, o.count());
        } catch (IOException e) {
            err.println("tcpdump: " + o.file() + ": " + reason(e));
            return 1;
        } catch (NetException e) {
            err.println("tcpdump: " + Context.message(e));
            return 1;
        }
        err.println("tcpdump: listening on " + dev.name() + ", link-type EN10MB (Ethernet), snapshot length " + Pcap.SNAPLEN + " bytes");
        boolean interrupted = false;
        IOException failure = null;
        try {
            cap.awaitDone();
        } catch (InterruptedException e) {
            // Ctrl-C or the end of the script: tcpdump's normal way to stop.
            interrupted = true;
        } catch (IOException e) {
            failure = e;
        }
        try {
            cap.stop();
        } catch (IOException e) {
            failure = e;
        }
        int status = 0;
        if (failure != null) {
            err.println("tcpdump: " + o.file() + ": " + reason(failure));
            status = 1;
        }
        err.println(plural(cap.packets(), "captured"));
        err.println(plural(cap.received(), "received by filter"));
        err.println(plural(cap.dropped(), "dropped by kernel"));
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return status;
    }

    private static NetDevice firstUp(Namespace ns) {
        for (NetDevice d : ns.devices().all()) {
            if (d.isUp() && !d.isLoopback()) {
                return d;
            }
        }
        return null;
    }

    /** tcpdump's {@code "%u packet%s captured"}. */
    private static String plural(long n, String what) {
        return n + (n == 1 ? " packet " : " packets ") + what;
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        return e.getMessage();
    }
}
