package io.netstack4j.cli.tools;

import io.netstack4j.cli.apps.Http;
import io.netstack4j.cli.apps.Iperf3;
import io.netstack4j.cli.shell.Command;
import io.netstack4j.cli.shell.Invocation;
import io.netstack4j.core.NetException;
import io.netstack4j.ns.Namespace;
import io.netstack4j.wire.Ipv4Address;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.List;

/** The shell commands for the applications in {@code cli.apps}: {@code iperf3}, {@code httpd}, {@code curl}. */
final class AppCommands {

    private AppCommands() {
    }

    /** {@code iperf3 -s [-p PORT] [-1]} or {@code iperf3 -c HOST [-p PORT] [-t SECS] [-P N] [-R] [-l LEN]}. */
    static Command iperf3(Context ctx) {
        return inv -> {
            List<String> a = inv.operands();
            boolean server = false;
            boolean once = false;
            boolean reverse = false;
            String host = null;
            int port = Iperf3.DEFAULT_PORT;
            int time = 10;
            int parallel = 1;
            int len = 128 * 1024;
            try {
                for (int i = 0; i < a.size(); i++) {
                    switch (a.get(i)) {
                        case "-s", "--server" -> server = true;
                        case "-1", "--one-off" -> once = true;
                        case "-R", "--reverse" -> reverse = true;
                        case "-c", "--client" -> host = a.get(++i);
                        case "-p", "--port" -> port = Integer.parseInt(a.get(++i));
                        case "-t", "--time" -> time = Integer.parseInt(a.get(++i));
                        case "-P", "--parallel" -> parallel = Integer.parseInt(a.get(++i));
                        case "-l", "--length" -> len = parseSize(a.get(++i));
                        default -> throw new IllegalArgumentException("iperf3: parameter error - unknown option " + a.get(i));
                    }
                }
                if (server == (host != null)) {
                    throw new IllegalArgumentException("iperf3: parameter error - must either be a client (-c) or server (-s)");
                }
            } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
                inv.stderr().println(e instanceof IndexOutOfBoundsException ? "iperf3: option requires an argument" : e.getMessage());
                return 1;
            }
            Namespace ns = ctx.namespace(null);
            try {
                if (server) {
                    Iperf3.server(ns, port, once, inv.stdout());
                } else {
                    Iperf3.client(ns, Ipv4Address.parse(host), port, time, parallel, reverse, len, inv.stdout());
                }
                return 0;
            } catch (NetException | IllegalStateException e) {
                inv.stderr().println("iperf3: error - " + (e instanceof NetException n ? n.errno().message() : e.getMessage()));
                return 1;
            }
        };
    }

    private static int parseSize(String s) {
        int mult = 1;
        char last = Character.toUpperCase(s.charAt(s.length() - 1));
        if (last == 'K' || last == 'M') {
            mult = last == 'K' ? 1024 : 1024 * 1024;
            s = s.substring(0, s.length() - 1);
        }
        return Integer.parseInt(s) * mult;
    }

    /** {@code httpd DIR PORT}. */
    static Command httpd(Context ctx) {
        return inv -> {
            List<String> a = inv.operands();
            if (a.size() != 2) {
                inv.stderr().println("usage: httpd DIR PORT");
                return 1;
            }
            try {
                Http.serve(ctx.namespace(null), inv.resolve(a.get(0)), Integer.parseInt(a.get(1)), inv.stdout());
                return 0;
            } catch (NetException e) {
                inv.stderr().println("httpd: " + e.errno().message());
                return 1;
            }
        };
    }

    /** {@code curl [-s] [-f] [-o FILE] URL}: exit 22 with -f on an HTTP error, as curl. */
    static Command curl(Context ctx) {
        return (Invocation inv) -> {
            List<String> a = inv.operands();
            String url = null;
            String outFile = null;
            boolean fail = false;
            for (int i = 0; i < a.size(); i++) {
                switch (a.get(i)) {
                    case "-s", "--silent" -> {
                    }
                    case "-f", "--fail" -> fail = true;
                    case "-o", "--output" -> outFile = i + 1 < a.size() ? a.get(++i) : null;
                    default -> url = a.get(i);
                }
            }
            if (url == null) {
                inv.stderr().println("curl: no URL specified!");
                return 2;
            }
            try (OutputStream body = outFile == null ? inv.stdout() : Files.newOutputStream(inv.resolve(outFile))) {
                Http.Response r = Http.get(ctx.namespace(null), url, body);
                if (fail && r.status() >= 400) {
                    inv.stderr().println("curl: (22) The requested URL returned error: " + r.status());
                    return 22;
                }
                return 0;
            } catch (IOException | IllegalArgumentException e) {
                inv.stderr().println(e.getMessage());
                return 7;
            }
        };
    }
}
