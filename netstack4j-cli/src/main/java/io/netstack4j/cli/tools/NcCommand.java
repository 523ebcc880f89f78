package io.netstack4j.cli.tools;

import io.netstack4j.cli.shell.Command;
import io.netstack4j.cli.shell.Invocation;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.core.NetLoop;
import io.netstack4j.ns.Namespace;
import io.netstack4j.socket.UdpSocket;
import io.netstack4j.time.Timer;
import io.netstack4j.wire.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code nc} with netcat-openbsd's options: {@code -u -l -k -N -s ADDR -p PORT -w SECS -q SECS
 * -n -v -4}. TCP (the default) is {@link NcTcp}; UDP ({@code -u}) is here:
 *
 * <ul>
 *   <li>{@code nc -u -l [-s ADDR] [-p] PORT}: binds, waits for the first datagram, then (as
 *       openbsd nc) connects to its sender, so only that peer is heard and stdin goes to it;
 *       with {@code -k} it stays unconnected and hears everyone. Each datagram's payload is
 *       written to stdout as it arrives and flushed.</li>
 *   <li>{@code nc -u HOST PORT}: connects (no packet is sent by connect), sends stdin to the
 *       peer and writes what comes back to stdout. Stdin is sent one line per datagram, as nc
 *       does when reading a terminal (openbsd nc sends whatever one {@code read(2)} returned).</li>
 *   <li>At end of stdin nc keeps listening, as openbsd nc does; {@code -q SECS} quits SECS
 *       seconds later, {@code -w SECS} quits after SECS idle seconds (client mode). Both
 *       timers run on the stack's loop, so they follow its clock, virtual or real.</li>
 * </ul>
 */
final class NcCommand implements Command {

    private static final int BUFFER = 65536;

    private final Context ctx;

    NcCommand(Context ctx) {
        this.ctx = ctx;
    }

    /** The parsed command line. */
    record Options(boolean udp, boolean listen, boolean keep, Ipv4Address source, int sourcePort, Ipv4Address host, int port,
            int waitSecs, int quitSecs, boolean verbose, boolean shutdownOnEof) {

        static Options parse(List<String> args) {
            boolean udp = false;
            boolean listen = false;
            boolean keep = false;
            boolean verbose = false;
            boolean shutdownOnEof = false;
            Ipv4Address source = null;
            int sourcePort = -1;
            int waitSecs = -1;
            int quitSecs = -1;
            String host = null;
            String port = null;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.startsWith("-") && a.length() > 1) {
                    for (int j = 1; j < a.length(); j++) {
                        char c = a.charAt(j);
                        switch (c) {
                            case 'u' -> udp = true;
                            case 'l' -> listen = true;
                            case 'k' -> keep = true;
                            case 'v' -> verbose = true;
                            case 'N' -> shutdownOnEof = true;
                            case 'n', '4', 'd' -> {
                            }
                            case 's', 'p', 'w', 'q' -> {
                                String v;
                                if (j + 1 < a.length()) {
                                    v = a.substring(j + 1);
                                } else if (i + 1 < args.size()) {
                                    v = args.get(++i);
                                } else {
                                    throw new Args.UsageError("nc: option requires an argument -- '" + c + "'");
                                }
                                j = a.length();
                                switch (c) {
                                    case 's' -> source = address(v);
                                    case 'p' -> sourcePort = port(v);
                                    case 'w' -> waitSecs = number(v, "timeout");
                                    default -> quitSecs = number(v, "quit timeout");
                                }
                            }
                            default -> throw new Args.UsageError("nc: invalid option -- '" + c + "'");
                        }
                    }
                } else if (host == null && !listen) {
                    host = a;
                } else if (port == null) {
                    port = a;
                } else {
                    throw new Args.UsageError("usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]");
                }
            }
            if (listen) {
                if (host != null && port == null) {
                    port = host;
                }
                int p = port != null ? port(port) : sourcePort;
                if (p < 0) {
                    throw new Args.UsageError("nc: missing port number");
                }
                return new Options(udp, true, keep, source, p, null, 0, waitSecs, quitSecs, verbose, shutdownOnEof);
            }
            if (host == null || port == null) {
                throw new Args.UsageError("nc: missing hostname and port");
            }
            return new Options(udp, false, keep, source, sourcePort, address(host), port(port), waitSecs, quitSecs, verbose, shutdownOnEof);
        }

        private static Ipv4Address address(String s) {
            try {
                return Ipv4Address.parse(s);
            } catch (IllegalArgumentException e) {
                throw new Args.UsageError("nc: getaddrinfo for host \"" + s + "\" port: Name or service not known");
            }
        }

        private static int port(String s) {
            try {
                int p = Integer.parseInt(s);
                if (p >= 0 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw new Args.UsageError("nc: port number invalid: " + s);
        }

        private static int number(String s, String what) {
            try {
                int v = Integer.parseInt(s);
                if (v >= 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw new Args.UsageError("nc: " + what + " invalid: " + s);
        }
    }

    @Override
    public int run(Invocation inv) throws InterruptedException {
        Options o;
        try {
            o = Options.parse(inv.operands());
        } catch (Args.UsageError e) {
            inv.stderr().println(e.getMessage());
            return 1;
        }
        Namespace ns;
        try {
            ns = ctx.namespace(null);
        } catch (NetException e) {
            inv.stderr().println("nc: " + Context.message(e));
            return 1;
        }
        if (!o.udp()) {
            return new NcTcp(ctx, inv, o).run(ns);
        }
        UdpSocket sock = UdpSocket.open(ns);
        try {
            return o.listen() ? listen(inv, o, sock) : client(inv, o, sock);
        } catch (NetException e) {
            if (e.errno() == Errno.EINTR) {
                throw new InterruptedException("nc: interrupted");
            }
            inv.stderr().println("nc: " + e.errno().message());
            return 1;
        } finally {
            sock.close();
        }
    }

    private int listen(Invocation inv, Options o, UdpSocket sock) throws InterruptedException {
        try {
            sock.bind(o.source() != null ? o.source() : Ipv4Address.ANY, o.sourcePort());
        } catch (NetException e) {
            inv.stderr().println("nc: " + e.errno().message());
            return 1;
        }
        if (o.verbose()) {
            inv.stderr().println("Bound on " + (o.source() != null ? o.source() : Ipv4Address.ANY) + " " + o.sourcePort());
        }
        byte[] buf = new byte[BUFFER];
        UdpSocket.Received first = sock.receiveFrom(buf, 0, buf.length);
        if (first.length() < 0) {
            return 0;
        }
        write(inv.stdout(), buf, first.length());
        if (!o.keep()) {
            // openbsd nc: a UDP listener connects to its first peer, then talks to it alone.
            sock.connect(first.address(), first.port());
            if (o.verbose()) {
                inv.stderr().println("Connection received on " + first.address() + " " + first.port());
            }
            startStdin(inv, o, sock);
        }
        return receiveLoop(inv, sock, buf);
    }

    private int client(Invocation inv, Options o, UdpSocket sock) throws InterruptedException {
        try {
            if (o.source() != null || o.sourcePort() > 0) {
                sock.bind(o.source() != null ? o.source() : Ipv4Address.ANY, Math.max(o.sourcePort(), 0));
            }
            sock.connect(o.host(), o.port());
        } catch (NetException e) {
            inv.stderr().println("nc: connect to " + o.host() + " port " + o.port() + " (udp) failed: " + e.errno().message());
            return 1;
        }
        if (o.verbose()) {
            inv.stderr().println("Connection to " + o.host() + " " + o.port() + " port [udp/*] succeeded!");
        }
        if (o.waitSecs() > 0) {
            sock.setSoTimeout(o.waitSecs() * 1000);
        }
        startStdin(inv, o, sock);
        return receiveLoop(inv, sock, new byte[BUFFER]);
    }

    /**
     * Writes each datagram to stdout until the socket closes (-q after end of stdin), the idle
     * timeout (-w) passes, or the peer refuses (ICMP port unreachable: nc stops reading the
     * network and exits 1).
     */
    private static int receiveLoop(Invocation inv, UdpSocket sock, byte[] buf) {
        while (true) {
            int n;
            try {
                n = sock.receive(buf, 0, buf.length);
                if (n < 0) {
                    return 0;
                }
            } catch (NetException e) {
                return switch (e.errno()) {
                    case EBADF, EAGAIN -> 0;
                    case ECONNREFUSED -> 1;
                    default -> throw e;
                };
            }
            write(inv.stdout(), buf, n);
        }
    }

    private static void write(PrintStream out, byte[] buf, int n) {
        out.write(buf, 0, n);
        out.flush();
    }

    /**
     * Reads stdin on a virtual thread of its own and sends each line as a datagram; at end of
     * input, -q arms a loop timer that shuts the socket's input down: what has arrived by then
     * is still printed, then the receive loop ends.
     */
    private void startStdin(Invocation inv, Options o, UdpSocket sock) {
        NetLoop loop = ctx.stack().loop();
        Thread.ofVirtual().name("nc-stdin").start(() -> {
            try {
                InputStream in = inv.stdin();
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int c;
                while ((c = in.read()) >= 0) {
                    line.write(c);
                    if (c == '\n' || line.size() >= BUFFER / 4) {
                        sock.send(line.toByteArray());
                        line.reset();
                    }
                }
                if (line.size() > 0) {
                    sock.send(line.toByteArray());
                }
            } catch (IOException e) {
                return;
            } catch (NetException e) {
                // Refused or unreachable: nc gives up on the connection.
                if (e.errno() != Errno.EBADF) {
                    sock.shutdownInput();
                }
                return;
            }
            if (o.quitSecs() == 0) {
                sock.shutdownInput();
            } else if (o.quitSecs() > 0) {
                loop.execute(() -> loop.schedule(new Timer(sock::shutdownInput), o.quitSecs() * 1_000_000_000L));
            }
        });
    }
}
