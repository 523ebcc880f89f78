package io.netstack4j.cli.tools;

import io.netstack4j.cli.shell.Command;
import io.netstack4j.cli.shell.Invocation;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.core.NetLoop;
import io.netstack4j.icmp.EchoListener;
import io.netstack4j.icmp.Icmp;
import io.netstack4j.ns.Namespace;
import io.netstack4j.time.Timer;
import io.netstack4j.wire.IcmpHeader;
import io.netstack4j.wire.Ipv4Address;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code ping} as iputils prints it: {@code -c -i -s -t -W -w -M do|want|dont -I -q}. The
 * probes are paced by timers on the namespace's loop, so the same command runs in real time and
 * in virtual time; the command's own thread only prints what the loop reports.
 */
final class PingCommand implements Command {

    private static final long MS = 1_000_000L;
    private static final long SEC = 1_000_000_000L;
    /** iputils' MAXWAIT: how long to wait for replies after the last probe without -W. */
    private static final long LINGER = 10 * SEC;
    private static final String END = "\u0000end";

    private final Context ctx;

    PingCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public int run(Invocation inv) throws InterruptedException {
        Options o;
        try {
            o = Options.parse(inv.operands());
        } catch (Args.UsageError e) {
            inv.stderr().println(e.getMessage());
            return 2;
        }
        Namespace ns;
        try {
            ns = ctx.namespace(null);
        } catch (NetException e) {
            inv.stderr().println("ping: " + Context.message(e));
            return 2;
        }
        Session s = new Session(ns, o);
        ctx.stack().loop().execute(s::start);
        int status = -1;
        boolean interrupted = false;
        while (true) {
            String line;
            try {
                line = s.lines.take();
            } catch (InterruptedException e) {
                interrupted = true;
                ctx.stack().loop().execute(s::finish);
                continue;
            }
            if (line == END) {
                status = s.status;
                break;
            }
            if (line.startsWith("ping: ")) {
                inv.stderr().println(line);
            } else {
                inv.stdout().println(line);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return status;
    }

    /** The parsed command line. */
    record Options(Ipv4Address dst, String dstText, int count, long intervalNs, int size, int ttl, long timeoutNs,
            long deadlineNs, boolean df, String iface, boolean quiet) {

        static Options parse(List<String> args) {
            int count = 0;
            long interval = SEC;
            int size = 56;
            int ttl = 0;
            long timeout = -1;
            long deadline = 0;
            boolean df = false;
            String iface = null;
            boolean quiet = false;
            String dest = null;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "-c" -> count = positive(value(args, ++i), "bad number of packets to transmit.");
                    case "-i" -> interval = seconds(value(args, ++i), "bad timing interval");
                    case "-s" -> size = nonNegative(value(args, ++i), "invalid argument: '" + args.get(i) + "'");
                    case "-t" -> ttl = ttl(value(args, ++i));
                    case "-W" -> timeout = seconds(value(args, ++i), "bad linger time");
                    case "-w" -> deadline = seconds(value(args, ++i), "bad wait time");
                    case "-M" -> {
                        String m = value(args, ++i);
                        df = switch (m) {
                            case "do", "want", "probe" -> m.equals("do") || m.equals("probe");
                            case "dont" -> false;
                            default -> throw new Args.UsageError("ping: invalid -M argument: " + m);
                        };
                    }
                    case "-I" -> iface = value(args, ++i);
                    case "-q" -> quiet = true;
                    case "-n", "-4" -> {
                    }
                    default -> {
                        if (a.startsWith("-")) {
                            throw new Args.UsageError("ping: invalid option -- '" + a.substring(1) + "'");
                        }
                        dest = a;
                    }
                }
            }
            if (dest == null) {
                throw new Args.UsageError("ping: usage error: Destination address required");
            }
            Ipv4Address dst;
            try {
                dst = Ipv4Address.parse(dest);
            } catch (IllegalArgumentException e) {
                throw new Args.UsageError("ping: " + dest + ": Name or service not known");
            }
            if (size > 65507) {
                throw new Args.UsageError("ping: invalid argument: '" + size + "': out of range: 0 <= value <= 65507");
            }
            return new Options(dst, dest, count, interval, size, ttl, timeout, deadline, df, iface, quiet);
        }

        private static String value(List<String> args, int i) {
            if (i >= args.size()) {
                throw new Args.UsageError("ping: option requires an argument -- '" + args.get(i - 1).substring(1) + "'");
            }
            return args.get(i);
        }

        private static int positive(String s, String msg) {
            int v = nonNegative(s, "ping: " + msg);
            if (v == 0) {
                throw new Args.UsageError("ping: " + msg);
            }
            return v;
        }

        private static int nonNegative(String s, String msg) {
            try {
                int v = Integer.parseInt(s);
                if (v < 0) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new Args.UsageError(msg.startsWith("ping: ") ? msg : "ping: " + msg);
            }
        }

        private static int ttl(String s) {
            int v = nonNegative(s, "ping: invalid argument: '" + s + "'");
            if (v < 1 || v > 255) {
                throw new Args.UsageError("ping: invalid argument: '" + s + "': out of range: 0 <= value <= 255");
            }
            return v;
        }

        private static long seconds(String s, String msg) {
            try {
                double v = Double.parseDouble(s);
                if (v < 0 || Double.isNaN(v)) {
                    throw new NumberFormatException();
                }
                return Math.round(v * SEC);
            } catch (NumberFormatException e) {
                throw new Args.UsageError("ping: " + msg + ": " + s);
            }
        }
    }

    /** One run, living on the loop thread; it reports lines to the command thread. */
    private static final class Session implements EchoListener {

        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Namespace ns;
        private final Options o;
        private final NetLoop loop;
        private final Timer sendTimer = new Timer(this::sendOne);
        private final Timer endTimer = new Timer(this::finish);
        private final long[] sentAt = new long[65536];
        private final boolean[] answered = new boolean[65536];
        private final byte[] data;
        private Icmp icmp;
        private int ident = -1;
        private int oif;
        private int seq;
        private long transmitted;
        private long received;
        private long duplicates;
        private long errors;
        private long start;
        private long lastSent;
        private long rttMin = Long.MAX_VALUE;
        private long rttMax;
        private double rttSum;
        private double rttSum2;
        private boolean finished;
        int status;

        Session(Namespace ns, Options o) {
            this.ns = ns;
            this.o = o;
            this.loop = ns.loop();
            this.data = new byte[o.size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
        }

        void start() {
            icmp = ns.icmp();
            try {
                if (o.iface() != null) {
                    NetDevice dev = ns.devices().byName(o.iface());
                    if (dev == null) {
                        throw new NetException(Errno.ENODEV, "SO_BINDTODEVICE " + o.iface() + ": No such device");
                    }
                    oif = dev.ifindex();
                }
                // iputils connects its socket first: no route means it never starts.
                ns.ipv4().route().routeOutput(o.dst().bits(), 0, 0, oif, 0);
            } catch (NetException e) {
                lines.add(e.errno() == Errno.ENODEV ? "ping: " + Context.message(e) : "ping: connect: " + e.errno().message());
                status = 2;
                finished = true;
                lines.add(END);
                return;
            }
            for (int tries = 0; ident < 0; tries++) {
                int id = loop.random().nextInt(65536);
                try {
                    icmp.openEcho(id, this);
                    ident = id;
                } catch (NetException e) {
                    if (tries > 100) {
                        throw e;
                    }
                }
            }
            lines.add("PING " + o.dstText() + " (" + o.dst() + ") " + o.size() + "(" + (o.size() + 28) + ") bytes of data.");
            start = loop.now();
            if (o.deadlineNs() > 0) {
                loop.schedule(endTimer, o.deadlineNs());
            }
            sendOne();
        }

        private void sendOne() {
            if (finished) {
                return;
            }
            seq = (seq + 1) & 0xffff;
            long now = loop.now();
            sentAt[seq] = now;
            answered[seq] = false;
            transmitted++;
            lastSent = now;
            try {
                icmp.sendEcho(o.dst().bits(), 0, ident, seq, data, data.length, o.ttl(), 0, o.df(), oif);
            } catch (NetException e) {
                errors++;
                if (e.errno() == Errno.EMSGSIZE) {
                    lines.add("ping: local error: " + e.getMessage());
                } else {
                    lines.add("ping: sendmsg: " + e.errno().message());
                }
            }
            if (o.count() == 0 || transmitted < o.count()) {
                loop.schedule(sendTimer, o.intervalNs());
            } else if (!checkDone() && o.deadlineNs() == 0) {
                loop.schedule(endTimer, o.timeoutNs() >= 0 ? o.timeoutNs() : LINGER);
            }
        }

        /** iputils stops as soon as every probe has been answered or has failed. */
        private boolean checkDone() {
            if (o.count() > 0 && transmitted >= o.count() && received + errors >= o.count()) {
                finish();
                return true;
            }
            return false;
        }

        @Override
        public void echoReply(int from, int sequence, int ttl, int icmpLength, byte[] bytes, int offset, int dataLength) {
            if (finished) {
                return;
            }
            long rtt = loop.now() - sentAt[sequence];
            boolean dup = answered[sequence];
            answered[sequence] = true;
            if (dup) {
                duplicates++;
            } else {
                received++;
                rttMin = Math.min(rttMin, rtt);
                rttMax = Math.max(rttMax, rtt);
                rttSum += rtt;
                rttSum2 += (double) rtt * rtt;
            }
            if (!o.quiet()) {
                lines.add(icmpLength + " bytes from " + new Ipv4Address(from) + ": icmp_seq=" + sequence + " ttl=" + ttl + " time="
                        + tripTime(rtt) + " ms" + (dup ? " (DUP!)" : ""));
            }
            checkDone();
        }

        @Override
        public void error(int from, int type, int code, int info, int sequence) {
            if (finished) {
                return;
            }
            errors++;
            if (!o.quiet()) {
                lines.add("From " + new Ipv4Address(from) + " icmp_seq=" + sequence + " " + describe(type, code, info));
            }
            checkDone();
        }

        void finish() {
            if (finished) {
                return;
            }
            finished = true;
            loop.cancel(sendTimer);
            loop.cancel(endTimer);
            if (ident >= 0) {
                icmp.closeEcho(ident);
            }
            lines.add("");
            lines.add("--- " + o.dstText() + " ping statistics ---");
            StringBuilder sb = new StringBuilder();
            sb.append(transmitted).append(" packets transmitted, ").append(received).append(" received, ");
            if (duplicates > 0) {
                sb.append('+').append(duplicates).append(" duplicates, ");
            }
            if (errors > 0) {
                sb.append('+').append(errors).append(" errors, ");
            }
            double loss = transmitted == 0 ? 0 : (transmitted - received) * 100.0 / transmitted;
            sb.append(percent(loss)).append("% packet loss, time ").append((lastSent - start + MS / 2) / MS).append("ms");
            lines.add(sb.toString());
            if (received > 0) {
                double avg = rttSum / received;
                double mdev = Math.sqrt(Math.max(0, rttSum2 / received - avg * avg));
                lines.add(String.format(Locale.ROOT, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms", rttMin / 1e6, avg / 1e6,
                        rttMax / 1e6, mdev / 1e6));
            }
            status = received > 0 ? 0 : 1;
            lines.add(END);
        }
    }

    /** iputils' round-trip time: more decimals for shorter times. */
    static String tripTime(long ns) {
        long us = ns / 1000;
        if (us >= 100_000 - 50) {
            return Long.toString((us + 500) / 1000);
        }
        if (us >= 10_000 - 5) {
            return String.format(Locale.ROOT, "%d.%01d", (us + 50) / 1000, ((us + 50) % 1000) / 100);
        }
        if (us >= 1000) {
            return String.format(Locale.ROOT, "%d.%02d", (us + 5) / 1000, ((us + 5) % 1000) / 10);
        }
        return String.format(Locale.ROOT, "%d.%03d", us / 1000, us % 1000);
    }

    /** C's {@code %g}. */
    static String percent(double v) {
        String s = String.format(Locale.ROOT, "%.6g", v);
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "");
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
        }
        return s;
    }

    /** What iputils prints after "From X icmp_seq=N" for an ICMP error. */
    static String describe(int type, int code, int info) {
        return switch (type) {
            case IcmpHeader.DEST_UNREACH -> switch (code) {
                case IcmpHeader.NET_UNREACH -> "Destination Net Unreachable";
                case IcmpHeader.HOST_UNREACH -> "Destination Host Unreachable";
                case IcmpHeader.PROT_UNREACH -> "Destination Protocol Unreachable";
                case IcmpHeader.PORT_UNREACH -> "Destination Port Unreachable";
                case IcmpHeader.FRAG_NEEDED -> "Frag needed and DF set (mtu = " + info + ")";
                case IcmpHeader.SR_FAILED -> "Source Route Failed";
                case IcmpHeader.NET_UNKNOWN -> "Destination Net Unknown";
                case IcmpHeader.HOST_UNKNOWN -> "Destination Host Unknown";
                case IcmpHeader.NET_ANO -> "Destination Net Prohibited";
                case IcmpHeader.HOST_ANO -> "Destination Host Prohibited";
                case IcmpHeader.PKT_FILTERED -> "Packet filtered";
                default -> "Dest Unreachable, Bad Code: " + code;
            };
            case IcmpHeader.TIME_EXCEEDED -> code == 0 ? "Time to live exceeded" : "Frag reassembly time exceeded";
            case IcmpHeader.SOURCE_QUENCH -> "Source Quench";
            case IcmpHeader.REDIRECT -> (code == 0 ? "Redirect Network" : "Redirect Host") + "(New nexthop: " + new Ipv4Address(info) + ")";
            case IcmpHeader.PARAMETER_PROBLEM -> "Parameter problem: pointer = " + (info & 0xff);
            default -> "Bad ICMP type: " + type;
        };
    }
}
