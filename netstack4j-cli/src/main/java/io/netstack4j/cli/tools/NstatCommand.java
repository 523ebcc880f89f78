package io.netstack4j.cli.tools;

import io.netstack4j.cli.shell.Command;
import io.netstack4j.cli.shell.Invocation;
import io.netstack4j.core.Mib;
import io.netstack4j.icmp.Icmp;
import io.netstack4j.ns.Namespace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * {@code nstat [-a] [-z]} and {@code netstat -s}: the namespace's SNMP counters. nstat keeps,
 * per namespace, the values it last showed (its history file) and prints what changed since;
 * {@code -a} prints absolute values, {@code -z} zero counters too. The first run, with no
 * history yet, prints absolute values, as nstat does.
 */
final class NstatCommand implements Command {

    private final Context ctx;
    private final boolean netstat;
    private final Map<Namespace, Map<String, Long>> history = new WeakHashMap<>();

    NstatCommand(Context ctx, boolean netstat) {
        this.ctx = ctx;
        this.netstat = netstat;
    }

    /** Every counter as nstat names it, in /proc/net/snmp then /proc/net/netstat order. */
    static Map<String, Long> counters(Namespace ns) {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("IpForwarding", ns.inet().forwardingEnabled() ? 1L : 2L);
        out.put("IpDefaultTTL", (long) ns.ipv4().defaultTtl());
        add(out, ns.ipv4().mib());
        add(out, ns.icmp().mib());
        Icmp icmp = ns.icmp();
        for (int t = 0; t < 256; t++) {
            if (icmp.inType(t) != 0) {
                out.put("IcmpMsgInType" + t, icmp.inType(t));
            }
        }
        for (int t = 0; t < 256; t++) {
            if (icmp.outType(t) != 0) {
                out.put("IcmpMsgOutType" + t, icmp.outType(t));
            }
        }
        add(out, ns.tcp().mib());
        add(out, ns.udp().mib());
        add(out, ns.tcp().extMib());
        add(out, ns.ipv4().extMib());
        return out;
    }

    private static <E extends Enum<E>> void add(Map<String, Long> out, Mib<E> mib) {
        for (E key : mib.keys()) {
            out.put(mib.prefix() + key.name(), mib.get(key));
        }
    }

    @Override
    public int run(Invocation inv) {
        boolean absolute = false;
        boolean zeros = false;
        for (String w : splitShortOptions(inv.operands())) {
            switch (w) {
                case "-a", "--ignore" -> absolute = true;
                case "-z", "--zeros" -> zeros = true;
                case "-s" -> {
                }
                case "-n", "--nooutput" -> {
                }
                default -> {
                    if (!netstat) {
                        inv.stderr().println("nstat: unknown option " + w);
                        return 255;
                    }
                }
            }
        }
        Namespace ns = ctx.namespace(null);
        Map<String, Long> now = ctx.call(() -> counters(ns));
        if (netstat) {
            netstat(inv, now);
            return 0;
        }
        Map<String, Long> before;
        synchronized (history) {
            before = history.get(ns);
            history.put(ns, now);
        }
        inv.stdout().println("#kernel");
        for (Map.Entry<String, Long> e : now.entrySet()) {
            long v = e.getValue();
            if (!absolute && before != null && !e.getKey().equals("IpForwarding") && !e.getKey().equals("IpDefaultTTL")) {
                v -= before.getOrDefault(e.getKey(), 0L);
            }
            if (v == 0 && !zeros) {
                continue;
            }
            inv.stdout().println(String.format(Locale.ROOT, "%-32s%-16d%6.1f", e.getKey(), v, 0.0));
        }
        return 0;
    }

    /** getopt's bundling: {@code -az} is {@code -a -z}; long options and words stay as they are. */
    static List<String> splitShortOptions(List<String> words) {
        List<String> out = new ArrayList<>();
        for (String w : words) {
            if (w.length() > 2 && w.charAt(0) == '-' && w.charAt(1) != '-') {
                for (int i = 1; i < w.length(); i++) {
                    out.add("-" + w.charAt(i));
                }
            } else {
                out.add(w);
            }
        }
        return out;
    }

    private static void netstat(Invocation inv, Map<String, Long> c) {
        List<String> out = new ArrayList<>();
        out.add("Ip:");
        out.add("    Forwarding: " + c.get("IpForwarding"));
        out.add("    " + c.get("IpInReceives") + " total packets received");
        nonZero(out, c, "IpInHdrErrors", "with invalid headers");
        nonZero(out, c, "IpInAddrErrors", "with invalid addresses");
        out.add("    " + c.get("IpForwDatagrams") + " forwarded");
        nonZero(out, c, "IpInUnknownProtos", "with unknown protocol");
        out.add("    " + c.get("IpInDiscards") + " incoming packets discarded");
        out.add("    " + c.get("IpInDelivers") + " incoming packets delivered");
        out.add("    " + c.get("IpOutRequests") + " requests sent out");
        nonZero(out, c, "IpOutDiscards", "outgoing packets dropped");
        nonZero(out, c, "IpOutNoRoutes", "dropped because of missing route");
        nonZero(out, c, "IpReasmFails", "packet reassemblies failed");
        nonZero(out, c, "IpFragFails", "fragments failed");
        out.add("Icmp:");
        out.add("    " + c.get("IcmpInMsgs") + " ICMP messages received");
        out.add("    " + c.get("IcmpInErrors") + " input ICMP message failed");
        out.add("    ICMP input histogram:");
        histogram(out, c, "IcmpIn");
        out.add("    " + c.get("IcmpOutMsgs") + " ICMP messages sent");
        out.add("    " + c.get("IcmpOutErrors") + " ICMP messages failed");
        nonZero(out, c, "IcmpOutRateLimitGlobal", "ICMP messages suppressed by the global rate limit");
        nonZero(out, c, "IcmpOutRateLimitHost", "ICMP messages suppressed by the per-host rate limit");
        out.add("    ICMP output histogram:");
        histogram(out, c, "IcmpOut");
        out.add("IcmpMsg:");
        for (Map.Entry<String, Long> e : c.entrySet()) {
            if (e.getKey().startsWith("IcmpMsg")) {
                out.add("        " + e.getKey().substring("IcmpMsg".length()) + ": " + e.getValue());
            }
        }
        out.add("Udp:");
        out.add("    " + c.get("UdpInDatagrams") + " packets received");
        out.add("    " + c.get("UdpNoPorts") + " packets to unknown port received");
        out.add("    " + c.get("UdpInErrors") + " packet receive errors");
        out.add("    " + c.get("UdpOutDatagrams") + " packets sent");
        out.add("    " + c.get("UdpRcvbufErrors") + " receive buffer errors");
        out.add("    " + c.get("UdpSndbufErrors") + " send buffer errors");
        for (String k : List.of("InCsumErrors", "IgnoredMulti", "MemErrors")) {
            if (c.getOrDefault("Udp" + k, 0L) != 0) {
                out.add("    " + k + ": " + c.get("Udp" + k));
            }
        }
        out.add("IpExt:");
        for (Map.Entry<String, Long> e : c.entrySet()) {
            if (e.getKey().startsWith("IpExt") && e.getValue() != 0) {
                out.add("    " + e.getKey().substring("IpExt".length()) + ": " + e.getValue());
            }
        }
        out.forEach(inv.stdout()::println);
    }

    private static void nonZero(List<String> out, Map<String, Long> c, String key, String text) {
        long v = c.getOrDefault(key, 0L);
        if (v != 0) {
            out.add("    " + v + " " + text);
        }
    }

    private static final Map<String, String> HISTOGRAM = new LinkedHashMap<>();

    static {
        HISTOGRAM.put("DestUnreachs", "destination unreachable");
        HISTOGRAM.put("TimeExcds", "timeout in transit");
        HISTOGRAM.put("ParmProbs", "wrong parameters");
        HISTOGRAM.put("SrcQuenchs", "source quenches");
        HISTOGRAM.put("Redirects", "redirects");
        HISTOGRAM.put("Echos", "echo requests");
        HISTOGRAM.put("EchoReps", "echo replies");
        HISTOGRAM.put("Timestamps", "timestamp request");
        HISTOGRAM.put("TimestampReps", "timestamp reply");
    }

    private static void histogram(List<String> out, Map<String, Long> c, String prefix) {
        for (Map.Entry<String, String> h : HISTOGRAM.entrySet()) {
            long v = c.getOrDefault(prefix + h.getKey(), 0L);
            if (v != 0) {
                out.add("        " + h.getValue() + ": " + v);
            }
        }
    }
}
