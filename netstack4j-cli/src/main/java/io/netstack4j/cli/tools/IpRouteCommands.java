package io.netstack4j.cli.tools;

import io.netstack4j.cli.shell.Invocation;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.ipv4.Rtable;
import io.netstack4j.neigh.ArpEntry;
import io.netstack4j.neigh.Nud;
import io.netstack4j.ns.Namespace;
import io.netstack4j.route.Fib;
import io.netstack4j.route.FibAlias;
import io.netstack4j.route.FibTable;
import io.netstack4j.route.RouteProtocol;
import io.netstack4j.route.RouteSpec;
import io.netstack4j.route.RouteText;
import io.netstack4j.route.RouteType;
import io.netstack4j.route.RuleAction;
import io.netstack4j.route.RuleSpec;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** {@code ip route}, {@code ip rule} and {@code ip neigh}. */
final class IpRouteCommands {

    private final Context ctx;

    IpRouteCommands(Context ctx) {
        this.ctx = ctx;
    }

    private static IntFunction<String> names(Namespace ns) {
        return ifindex -> {
            NetDevice d = ns.devices().byIndex(ifindex);
            return d != null ? d.name() : "if" + ifindex;
        };
    }

    static int parseTable(String s) {
        return switch (s) {
            case "main" -> FibTable.MAIN;
            case "local" -> FibTable.LOCAL;
            case "default" -> FibTable.DEFAULT;
            case "all", "unspec" -> FibTable.UNSPEC;
            default -> {
                try {
                    long v = Long.parseLong(s);
                    if (v < 0 || v > 0xffffffffL) {
                        throw new NumberFormatException();
                    }
                    yield (int) v;
                } catch (NumberFormatException e) {
                    throw new Args.UsageError("Error: argument \"" + s + "\" is wrong: \"table\" value is invalid");
                }
            }
        };
    }

    private static Ipv4Address address(String s, String what) {
        try {
            return Ipv4Address.parse(s);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageError("Error: an inet address is expected rather than \"" + s + "\".");
        }
    }

    /** Checks a prefix the way iproute2's {@code get_prefix} does. */
    private static String prefix(String s) {
        if (s.equals("default") || s.equals("all") || s.equals("any")) {
            return "default";
        }
        try {
            int slash = s.indexOf('/');
            Ipv4Address.parse(slash < 0 ? s : s.substring(0, slash));
            if (slash >= 0) {
                int len = Integer.parseInt(s.substring(slash + 1));
                if (len < 0 || len > 32) {
                    throw new IllegalArgumentException();
                }
            }
            return s;
        } catch (IllegalArgumentException e) {
            throw new Args.UsageError("Error: any valid prefix is expected rather than \"" + s + "\".");
        }
    }

    // ---- ip route ---------------------------------------------------------------------------------

    int route(Invocation inv, Namespace ns, Args args) {
        String verb = args.more() ? args.next() : "show";
        Fib.Op op = switch (verb) {
            case "add", "a" -> Fib.Op.ADD;
            case "replace" -> Fib.Op.REPLACE;
            case "append" -> Fib.Op.APPEND;
            case "prepend" -> Fib.Op.PREPEND;
            case "change", "chg" -> Fib.Op.CHANGE;
            default -> null;
        };
        if (op != null) {
            RouteSpec spec = parseRoute(ns, args, true);
            ctx.run(() -> ns.addRoute(spec, op));
            return 0;
        }
        if (Args.matches(verb, "delete")) {
            RouteSpec spec = parseRoute(ns, args, false);
            ctx.run(() -> ns.deleteRoute(spec));
            return 0;
        }
        if (Args.matches(verb, "show") || Args.matches(verb, "list")) {
            int table = FibTable.MAIN;
            String dev = null;
            while (args.more()) {
                String w = args.next();
                switch (w) {
                    case "table" -> table = parseTable(args.value(w));
                    case "dev", "oif" -> dev = args.value(w);
                    default -> throw new Args.UsageError("Error: argument \"" + w + "\" is wrong: unsupported selector");
                }
            }
            int t = table;
            String d = dev;
            List<String> lines = ctx.call(() -> RouteText.showRoutes(ns.fib(), t, d == null ? 0 : ns.requireDevice(d).ifindex(),
                    names(ns)));
            lines.forEach(inv.stdout()::println);
            return 0;
        }
        if (Args.matches(verb, "flush")) {
            int table = FibTable.MAIN;
            String dev = null;
            while (args.more()) {
                String w = args.next();
                switch (w) {
                    case "table" -> table = parseTable(args.value(w));
                    case "dev" -> dev = args.value(w);
                    default -> throw new Args.UsageError("Error: argument \"" + w + "\" is wrong: unsupported selector");
                }
            }
            int t = table;
            String d = dev;
            ctx.run(() -> {
                int oif = d == null ? 0 : ns.requireDevice(d).ifindex();
                for (FibAlias fa : ns.fib().routes(t)) {
                    if (oif != 0 && fa.info().oif() != oif) {
                        continue;
                    }
                    ns.deleteRoute(RouteSpec.to(fa.prefix(), fa.prefixLen()).table(fa.table()).tos(fa.tos()).type(fa.type())
                            .metric(fa.info().priority()).build());
                }
            });
            return 0;
        }
        if (Args.matches(verb, "get")) {
            return routeGet(inv, ns, args);
        }
        inv.stderr().println("Command \"" + verb + "\" is unknown, try \"ip route help\".");
        return 1;
    }

    private RouteSpec parseRoute(Namespace ns, Args args, boolean add) {
        RouteSpec.Builder b = RouteSpec.builder();
        boolean haveDst = false;
        while (args.more()) {
            String w = args.next();
            switch (w) {
                case "to" -> {
                    b.to(prefix(args.value(w)));
                    haveDst = true;
                }
                case "via" -> {
                    String v = args.value(w);
                    if (v.equals("inet")) {
                        v = args.value(w);
                    }
                    b.via(address(v, "via"));
                }
                case "dev", "oif" -> {
                    String dev = args.value(w);
                    b.dev(ctx.call(() -> ns.requireDevice(dev).ifindex()));
                }
                case "src" -> b.src(address(args.value(w), "src"));
                case "table" -> b.table(parseTable(args.value(w)));
                case "metric", "priority", "preference" -> b.metric(Args.parseInt(args.value(w), "\"metric\" value is invalid"));
                case "proto", "protocol" -> {
                    String p = args.value(w);
                    try {
                        b.protocol(RouteProtocol.parse(p));
                    } catch (IllegalArgumentException e) {
                        throw new Args.UsageError("Error: argument \"" + p + "\" is wrong: \"protocol\" value is invalid");
                    }
                }
                case "scope" -> b.scope(IpCommand.parseScope(args.value(w)));
                case "tos", "dsfield" -> b.tos(parseTos(args.value(w)));
                case "onlink" -> b.onlink();
                case "mtu" -> {
                    String v = args.value(w);
                    if (v.equals("lock")) {
                        b.mtuLock(Args.parseInt(args.value(w), "\"mtu\" value is invalid"));
                    } else {
                        b.mtu(Args.parseInt(v, "\"mtu\" value is invalid"));
                    }
                }
                case "advmss" -> b.advmss(Args.parseInt(args.value(w), "\"advmss\" value is invalid"));
                default -> {
                    RouteType type = routeType(w);
                    if (type != null && !haveDst) {
                        b.type(type);
                        continue;
                    }
                    if (haveDst) {
                        throw new Args.UsageError("Error: either \"to\" is duplicate, or \"" + w + "\" is a garbage.");
                    }
                    b.to(prefix(w));
                    haveDst = true;
                }
            }
        }
        if (!haveDst) {
            throw new Args.UsageError(add ? "Error: either \"to\" is duplicate, or \"\" is a garbage." : "Error: destination is required.");
        }
        return b.build();
    }

    private static RouteType routeType(String w) {
        return switch (w) {
            case "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat" ->
                RouteType.parse(w);
            default -> null;
        };
    }

    private static int parseTos(String s) {
        try {
            return s.startsWith("0x") ? Integer.parseInt(s.substring(2), 16) : Integer.parseInt(s, 16);
        } catch (NumberFormatException e) {
            throw new Args.UsageError("Error: argument \"" + s + "\" is wrong: TOS value is invalid");
        }
    }

    /** The route type as {@code ip route get} starts its line: "local ", "broadcast " or nothing. */
    private static String typePrefix(Rtable rt) {
        return rt.isLocal() ? "local " : rt.isBroadcast() ? "broadcast " : "";
    }

    /** {@code ip route get ADDR [from S] [iif D] [oif D] [mark M] [tos T]}. */
    private int routeGet(Invocation inv, Namespace ns, Args args) {
        Ipv4Address dst = null;
        Ipv4Address from = null;
        String iif = null;
        String oif = null;
        int mark = 0;
        int tos = 0;
        while (args.more()) {
            String w = args.next();
            switch (w) {
                case "to" -> dst = address(args.value(w), "to");
                case "from" -> from = address(args.value(w), "from");
                case "iif" -> iif = args.value(w);
                case "oif", "dev" -> oif = args.value(w);
                case "mark" -> mark = Args.parseInt(args.value(w), "\"mark\" value is invalid");
                case "tos", "dsfield" -> tos = parseTos(args.value(w));
                default -> dst = address(w, "to");
            }
        }
        if (dst == null) {
            throw new Args.UsageError("need at least a destination address");
        }
        Ipv4Address d = dst;
        Ipv4Address f = from;
        String in = iif;
        String out = oif;
        int m = mark;
        int t = tos;
        String line = ctx.call(() -> {
            IntFunction<String> names = names(ns);
            if (in != null) {
                NetDevice dev = ns.requireDevice(in);
                Rtable rt = ns.ipv4().route().lookupInput(d.bits(), f == null ? 0 : f.bits(), t, dev, m);
                if (rt.error() != null) {
                    throw new NetException(rt.error());
                }
                StringBuilder sb = new StringBuilder(typePrefix(rt)).append(d);
                if (f != null) {
                    sb.append(" from ").append(f);
                }
                if (rt.gateway() != 0) {
                    sb.append(" via ").append(new Ipv4Address(rt.gateway()));
                }
                sb.append(" dev ").append(rt.dev().name());
                if (rt.table() != 0 && rt.table() != FibTable.MAIN && !rt.isLocal()) {
                    sb.append(" table ").append(rt.table() == FibTable.LOCAL ? "local" : Integer.toString(rt.table()));
                }
                sb.append(" \n    cache ");
                if (rt.isLocal()) {
                    sb.append("<local> ");
                }
                sb.append("iif ").append(dev.name()).append(' ');
                return sb.toString();
            }
            int oifIndex = out == null ? 0 : ns.requireDevice(out).ifindex();
            Rtable rt = ns.ipv4().route().routeOutput(d.bits(), f == null ? 0 : f.bits(), t, oifIndex, m);
            StringBuilder sb = new StringBuilder(typePrefix(rt)).append(d);
            if (rt.gateway() != 0) {
                sb.append(" via ").append(new Ipv4Address(rt.gateway()));
            }
            sb.append(" dev ").append(rt.dev() == null ? "lo" : names.apply(rt.dev().ifindex()));
            if (rt.table() != 0 && rt.table() != FibTable.MAIN && rt.table() != FibTable.LOCAL) {
                sb.append(" table ").append(rt.table());
            }
            if (rt.prefsrc() != 0) {
                sb.append(" src ").append(new Ipv4Address(rt.prefsrc()));
            }
            sb.append(" uid 0 \n    cache ");
            if (rt.isLocal()) {
                sb.append("<local> ");
            }
            if (rt.pmtu() != 0) {
                // Linux rounds the remaining lifetime to whole seconds, dropping the fraction.
                sb.append("expires ").append(rt.pmtuExpiresIn() / 1_000_000_000L).append("sec ");
            }
            if (rt.mtu() != 0 && rt.mtu() != (rt.dev() == null ? 0 : rt.dev().mtu())) {
                sb.append("mtu ").append(rt.mtu()).append(' ');
            }
            return sb.toString();
        });
        inv.stdout().println(line);
        return 0;
    }

    // ---- ip rule ----------------------------------------------------------------------------------

    int rule(Invocation inv, Namespace ns, Args args) {
        String verb = args.more() ? args.next() : "show";
        if (Args.matches(verb, "show") || Args.matches(verb, "list")) {
            List<String> lines = ctx.call(() -> RouteText.showRules(ns.fib(), names(ns)));
            lines.forEach(inv.stdout()::println);
            return 0;
        }
        boolean add = Args.matches(verb, "add");
        if (!add && !Args.matches(verb, "delete")) {
            inv.stderr().println("Command \"" + verb + "\" is unknown, try \"ip rule help\".");
            return 1;
        }
        RuleSpec.Builder b = RuleSpec.builder();
        boolean action = false;
        while (args.more()) {
            String w = args.next();
            switch (w) {
                case "not" -> b.not();
                case "from" -> b.from(ruleprefix(args.value(w)));
                case "to" -> b.to(ruleprefix(args.value(w)));
                case "iif", "dev" -> {
                    String name = args.value(w);
                    b.iif(name, ctx.call(() -> {
                        NetDevice d = ns.devices().byName(name);
                        return d == null ? 0 : d.ifindex();
                    }));
                }
                case "oif" -> {
                    String name = args.value(w);
                    b.oif(name, ctx.call(() -> {
                        NetDevice d = ns.devices().byName(name);
                        return d == null ? 0 : d.ifindex();
                    }));
                }
                case "fwmark" -> {
                    String v = args.value(w);
                    int slash = v.indexOf('/');
                    if (slash < 0) {
                        b.fwmark(parseLong(v));
                    } else {
                        b.fwmark(parseLong(v.substring(0, slash)), parseLong(v.substring(slash + 1)));
                    }
                }
                case "tos", "dsfield" -> b.tos(parseTos(args.value(w)));
                case "priority", "pref", "preference", "order" -> b.priority(parseLong(args.value(w)));
                case "table", "lookup" -> {
                    b.lookup(parseTable(args.value(w)));
                    action = true;
                }
                case "blackhole", "unreachable", "prohibit" -> {
                    b.action(RuleAction.parse(w));
                    action = true;
                }
                case "goto" -> {
                    b.gotoRule(parseLong(args.value(w)));
                    action = true;
                }
                case "nop" -> {
                    b.action(RuleAction.NOP);
                    action = true;
                }
                default -> throw new Args.UsageError("Error: argument \"" + w + "\" is wrong: Failed to parse rule type");
            }
        }
        if (add && !action) {
            b.lookup(FibTable.MAIN);
        }
        RuleSpec spec = b.build();
        ctx.run(() -> {
            if (add) {
                ns.fib().addRule(spec);
            } else {
                ns.fib().deleteRule(spec);
            }
        });
        return 0;
    }

    private static String ruleprefix(String s) {
        return s.equals("all") ? "0.0.0.0/0" : prefix(s);
    }

    private static long parseLong(String s) {
        try {
            return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new Args.UsageError("Error: argument \"" + s + "\" is wrong: value is invalid");
        }
    }

    // ---- ip neigh ---------------------------------------------------------------------------------

    int neigh(Invocation inv, Namespace ns, Args args) {
        String verb = args.more() ? args.next() : "show";
        if (Args.matches(verb, "show") || Args.matches(verb, "list")) {
            // ip neigh show [to] [PREFIX] [dev DEV]
            String dev = null;
            int prefix = 0;
            int prefixLen = 0;
            while (args.more()) {
                String w = args.next();
                if (w.equals("dev")) {
                    dev = args.value(w);
                    continue;
                }
                String p = w.equals("to") ? args.value(w) : w;
                int slash = p.indexOf('/');
                prefix = address(slash < 0 ? p : p.substring(0, slash), "to").bits();
                prefixLen = slash < 0 ? 32 : Args.parseInt(p.substring(slash + 1), "\"to\" prefix length is invalid");
                if (prefixLen < 0 || prefixLen > 32) {
                    throw new Args.UsageError("Error: an inet prefix is expected rather than \"" + p + "\".");
                }
            }
            String d = dev;
            int mask = prefixLen == 0 ? 0 : -1 << (32 - prefixLen);
            int net = prefix & mask;
            List<String> lines = ctx.call(() -> {
                NetDevice only = d == null ? null : ns.requireDevice(d);
                List<String> out = new ArrayList<>();
                for (ArpEntry e : ns.arp().list()) {
                    if ((only == null || e.dev() == only) && (e.address().bits() & mask) == net) {
                        out.add(e.format(only == null));
                    }
                }
                return out;
            });
            lines.forEach(inv.stdout()::println);
            return 0;
        }
        if (Args.matches(verb, "flush")) {
            String dev = null;
            while (args.more()) {
                String w = args.next();
                if (w.equals("dev")) {
                    dev = args.value(w);
                } else if (!w.equals("all")) {
                    dev = w;
                }
            }
            String d = dev;
            ctx.run(() -> ns.arp().flush(d == null ? null : ns.requireDevice(d)));
            return 0;
        }
        boolean add = Args.matches(verb, "add");
        boolean replace = Args.matches(verb, "replace") || Args.matches(verb, "change");
        boolean del = Args.matches(verb, "delete");
        if (!add && !replace && !del) {
            inv.stderr().println("Command \"" + verb + "\" is unknown, try \"ip neigh help\".");
            return 1;
        }
        Ipv4Address ip = null;
        String dev = null;
        long lladdr = -1;
        Nud state = Nud.PERMANENT;
        while (args.more()) {
            String w = args.next();
            switch (w) {
                case "dev" -> dev = args.value(w);
                case "lladdr" -> {
                    String v = args.value(w);
                    try {
                        lladdr = MacAddress.parse(v).bits();
                    } catch (IllegalArgumentException e) {
                        throw new Args.UsageError("\"" + v + "\" is invalid lladdr.");
                    }
                }
                case "nud" -> {
                    String v = args.value(w);
                    state = switch (v) {
                        case "permanent" -> Nud.PERMANENT;
                        case "noarp" -> Nud.NOARP;
                        case "reachable" -> Nud.REACHABLE;
                        case "stale" -> Nud.STALE;
                        default -> throw new Args.UsageError("Error: argument \"" + v + "\" is wrong: nud state is bad");
                    };
                }
                case "to" -> ip = address(args.value(w), "to");
                default -> ip = address(w, "to");
            }
        }
        if (ip == null || dev == null) {
            throw new Args.UsageError("Device and destination are required arguments.");
        }
        if (!del && lladdr < 0 && state != Nud.NOARP) {
            throw new Args.UsageError("Error: lladdr is required for this nud state.");
        }
        int addr = ip.bits();
        String d = dev;
        long mac = Math.max(lladdr, 0);
        Nud s = state;
        ctx.run(() -> {
            NetDevice nd = ns.requireDevice(d);
            if (del) {
                ns.arp().delete(addr, nd);
            } else {
                ns.arp().add(addr, nd, mac, s, replace);
            }
        });
        return 0;
    }
}
