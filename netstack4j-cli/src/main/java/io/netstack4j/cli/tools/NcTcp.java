package io.netstack4j.cli.tools;

import io.netstack4j.cli.shell.Invocation;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.ns.Namespace;
import io.netstack4j.socket.TcpListener;
import io.netstack4j.socket.TcpSocket;
import io.netstack4j.wire.Ipv4Address;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code nc} over TCP, as netcat-openbsd behaves:
 *
 * <ul>
 *   <li>{@code nc -l [-k] [-s ADDR] [-p] PORT}: accepts one connection (with {@code -k}, one
 *       after another), copies the network to stdout and stdin to the network; returns when the
 *       peer closes.</li>
 *   <li>{@code nc HOST PORT}: connects (ECONNREFUSED and friends are reported as nc reports
 *       them), copies stdin to the connection and the connection to stdout until the peer
 *       closes.</li>
 *   <li>At end of stdin, {@code -N} sends FIN (shutdown(SHUT_WR)); {@code -q SECS} also sends
 *       FIN and quits SECS seconds later; without either, nc keeps the connection open and
 *       keeps printing what arrives.</li>
 * </ul>
 */
final class NcTcp {

    private static final int BUFFER = 65536;

    private final Context ctx;
    private final Invocation inv;
    private final NcCommand.Options o;

    NcTcp(Context ctx, Invocation inv, NcCommand.Options o) {
        this.ctx = ctx;
        this.inv = inv;
        this.o = o;
    }

    int run(Namespace ns) throws InterruptedException {
        try {
            return o.listen() ? listen(ns) : client(ns);
        } catch (NetException e) {
            if (e.errno() == Errno.EINTR) {
                throw new InterruptedException("nc: interrupted");
            }
            inv.stderr().println("nc: " + e.errno().message());
            return 1;
        }
    }

    private int listen(Namespace ns) {
        Ipv4Address addr = o.source() != null ? o.source() : Ipv4Address.ANY;
        try (TcpListener l = TcpListener.listen(ns, addr, o.sourcePort(), 1, true)) {
            if (o.verbose()) {
                inv.stderr().println("Listening on " + addr + " " + o.sourcePort());
            }
            do {
                TcpSocket s = l.accept();
                if (o.verbose()) {
                    inv.stderr().println("Connection received on " + s.remoteAddress().getAddress().getHostAddress() + " "
                            + s.remoteAddress().getPort());
                }
                serve(s);
            } while (o.keep());
        }
        return 0;
    }

    private int client(Namespace ns) {
        TcpSocket s = TcpSocket.open(ns);
        try {
            if (o.source() != null || o.sourcePort() > 0) {
                s.bind(o.source() != null ? o.source() : Ipv4Address.ANY, Math.max(o.sourcePort(), 0));
            }
            s.connect(o.host(), o.port());
        } catch (NetException e) {
            s.close();
            inv.stderr().println("nc: connect to " + o.host() + " port " + o.port() + " (tcp) failed: " + e.errno().message());
            return 1;
        }
        if (o.verbose()) {
            inv.stderr().println("Connection to " + o.host() + " " + o.port() + " port [tcp/*] succeeded!");
        }
        if (o.waitSecs() > 0) {
            s.setSoTimeout(o.waitSecs() * 1000);
        }
        serve(s);
        return 0;
    }

    /** Copies both ways until the peer's end of stream (or -q after our stdin ends), then closes. */
    private void serve(TcpSocket s) {
        Thread pump = Thread.ofVirtual().name("nc-stdin").start(() -> pumpStdin(s));
        byte[] buf = new byte[BUFFER];
        try {
            int n;
            while ((n = s.read(buf, 0, buf.length)) > 0) {
                inv.stdout().write(buf, 0, n);
                inv.stdout().flush();
            }
        } catch (NetException e) {
            // EINTR: the shell stopped the job (a signal, as for the real nc, which dies silently).
            if (e.errno() != Errno.EBADF && e.errno() != Errno.EAGAIN && e.errno() != Errno.EINTR) {
                inv.stderr().println("nc: " + e.errno().message());
            }
        } finally {
            pump.interrupt();
            s.close();
        }
    }

    private void pumpStdin(TcpSocket s) {
        byte[] buf = new byte[BUFFER];
        try {
            InputStream in = inv.stdin();
            int n;
            while ((n = in.read(buf)) > 0) {
                s.write(buf, 0, n);
            }
        } catch (IOException | NetException e) {
            return;
        }
        if (o.shutdownOnEof() || o.quitSecs() >= 0) {
            try {
                s.shutdownOutput();
            } catch (NetException e) {
                return;
            }
        }
        if (o.quitSecs() >= 0) {
            try {
                Thread.sleep(o.quitSecs() * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            s.close();
        }
    }
}
