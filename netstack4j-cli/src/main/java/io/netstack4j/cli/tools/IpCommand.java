package io.netstack4j.cli.tools;

import io.netstack4j.cli.shell.Command;
import io.netstack4j.cli.shell.Invocation;
import io.netstack4j.core.Errno;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.inet.InDevice;
import io.netstack4j.ns.Namespace;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.MacAddress;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ip} (iproute2): {@code netns}, {@code link}, {@code address}, {@code route},
 * {@code rule} and {@code neigh}, with the global options {@code -n NS}, {@code -s},
 * {@code -4}. Output and error messages follow iproute2: usage errors exit 1, refusals
 * ({@code RTNETLINK answers: ...}) exit 2.
 */
final class IpCommand implements Command {

    private final Context ctx;
    private final IpRouteCommands routes;

    IpCommand(Context ctx) {
        this.ctx = ctx;
        this.routes = new IpRouteCommands(ctx);
    }

    /** Global options of one {@code ip} invocation. */
    record Options(String namespace, int stats) {
    }

    @Override
    public int run(Invocation inv) throws InterruptedException {
        List<String> a = inv.args();
        int i = 1;
        String ns = null;
        int stats = 0;
        while (i < a.size() && a.get(i).startsWith("-")) {
            String opt = a.get(i++);
            switch (opt) {
                case "-n", "-netns" -> {
                    if (i >= a.size()) {
                        inv.stderr().println("Command line is not complete. Try option \"help\"");
                        return 1;
                    }
                    ns = a.get(i++);
                }
                case "-s", "-stats", "-statistics" -> stats++;
                case "-4", "-d", "-details", "-o", "-oneline" -> {
                }
                default -> {
                    inv.stderr().println("Option \"" + opt + "\" is unknown, try \"ip -help\".");
                    return 255;
                }
            }
        }
        if (i >= a.size()) {
            inv.stderr().println("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }");
            inv.stderr().println("where  OBJECT := { link | address | route | rule | neigh | netns }");
            return 255;
        }
        String object = a.get(i++);
        Args args = new Args(a, i);
        Options opts = new Options(ns, stats);
        try {
            if (Args.matches(object, "netns")) {
                return netns(inv, args);
            }
            Namespace n = ctx.namespace(ns);
            if (Args.matches(object, "link")) {
                return link(inv, n, args, opts);
            }
            if (Args.matches(object, "address") || object.equals("addr")) {
                return address(inv, n, args, opts);
            }
            if (Args.matches(object, "route")) {
                return routes.route(inv, n, args);
            }
            if (Args.matches(object, "rule")) {
                return routes.rule(inv, n, args);
            }
            if (Args.matches(object, "neighbour") || Args.matches(object, "neighbor")) {
                return routes.neigh(inv, n, args);
            }
            inv.stderr().println("Object \"" + object + "\" is unknown, try \"ip help\".");
            return 1;
        } catch (Args.UsageError e) {
            inv.stderr().println(e.getMessage());
            return 1;
        } catch (NetException e) {
            return refused(inv.stderr(), e);
        }
    }

    /** Prints a refusal as iproute2 does and returns its status. */
    static int refused(PrintStream err, NetException e) {
        String msg = e.getMessage();
        if (e.errno() == Errno.ENODEV && msg != null && msg.startsWith("Cannot find device")) {
            err.println(msg);
            return 1;
        }
        if (msg != null && msg.startsWith("Cannot ")) {
            err.println(msg);
            return 1;
        }
        if (msg == null || msg.equals(e.errno().message())) {
            err.println("RTNETLINK answers: " + e.errno().message());
        } else {
            err.println("Error: " + msg + (msg.endsWith(".") ? "" : "."));
        }
        return 2;
    }

    // ---- ip netns ---------------------------------------------------------------------------------

    private int netns(Invocation inv, Args args) throws InterruptedException {
        String verb = args.more() ? args.next() : "list";
        if (Args.matches(verb, "add")) {
            String name = args.value("name");
            ctx.run(() -> ctx.stack().addNamespace(name));
            return 0;
        }
        if (Args.matches(verb, "delete")) {
            String name = args.value("name");
            ctx.run(() -> ctx.stack().deleteNamespace(name));
            return 0;
        }
        if (Args.matches(verb, "list") || Args.matches(verb, "show")) {
            List<Namespace> all = ctx.call(() -> ctx.stack().namespaces());
            for (int k = all.size() - 1; k >= 0; k--) {
                inv.stdout().println(all.get(k).name());
            }
            return 0;
        }
        if (Args.matches(verb, "exec")) {
            String name = args.value("name");
            ctx.namespace(name);
            List<String> argv = new ArrayList<>();
            while (args.more()) {
                argv.add(args.next());
            }
            if (argv.isEmpty()) {
                inv.stderr().println("No command specified");
                return 1;
            }
            try {
                return ctx.inNamespace(name, () -> inv.execute(argv));
            } catch (InterruptedException e) {
                throw e;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        inv.stderr().println("Command \"" + verb + "\" is unknown, try \"ip netns help\".");
        return 1;
    }

    // ---- ip link ----------------------------------------------------------------------------------

    private int link(Invocation inv, Namespace ns, Args args, Options opts) {
        String verb = args.more() ? args.next() : "show";
        if (Args.matches(verb, "add")) {
            return linkAdd(ns, args);
        }
        if (Args.matches(verb, "delete")) {
            String dev = args.value("dev");
            if (dev.equals("dev")) {
                dev = args.value("dev");
            }
            String name = dev;
            ctx.run(() -> ns.deleteLink(name));
            return 0;
        }
        if (Args.matches(verb, "set")) {
            return linkSet(ns, args);
        }
        if (Args.matches(verb, "show") || Args.matches(verb, "list")) {
            String only = null;
            while (args.more()) {
                String w = args.next();
                only = w.equals("dev") ? args.value("dev") : w;
            }
            String filter = only;
            List<String> lines = ctx.call(() -> {
                List<String> out = new ArrayList<>();
                for (NetDevice d : selected(ns, filter)) {
                    formatLink(out, ns, d, opts.stats() > 0, true);
                }
                return out;
            });
            lines.forEach(inv.stdout()::println);
            return 0;
        }
        inv.stderr().println("Command \"" + verb + "\" is unknown, try \"ip link help\".");
        return 1;
    }

    private static List<NetDevice> selected(Namespace ns, String name) {
        if (name == null) {
            return List.copyOf(ns.devices().all());
        }
        return List.of(ns.requireDevice(name));
    }

    /**
     * {@code ip link add [name] NAME [netns NS] type veth [peer [name] PEER [netns NS]]} and
     * {@code ip link add NAME type tap ifname KERNEL_IFNAME} (a netstack4j device on a kernel TAP).
     */
    private int linkAdd(Namespace ns, Args args) {
        String ifname = null;
        String name = null;
        String nsName = null;
        String type = null;
        String peer = null;
        String peerNs = null;
        boolean inPeer = false;
        while (args.more()) {
            String w = args.next();
            switch (w) {
                case "name" -> {
                    if (inPeer) {
                        peer = args.value(w);
                    } else {
                        name = args.value(w);
                    }
                }
                case "netns" -> {
                    if (inPeer) {
                        peerNs = args.value(w);
                    } else {
                        nsName = args.value(w);
                    }
                }
                case "type" -> type = args.value(w);
                case "ifname" -> ifname = args.value(w);
                case "peer" -> inPeer = true;
                default -> {
                    if (inPeer && peer == null) {
                        peer = w;
                    } else if (!inPeer && name == null) {
                        name = w;
                    } else {
                        throw new Args.UsageError("Garbage instead of arguments \"" + w + " ...\". Try \"ip link help\".");
                    }
                }
            }
        }
        if (name == null) {
            throw new Args.UsageError("Not enough information: \"dev\" argument is required.");
        }
        if ("tap".equals(type)) {
            if (ifname == null) {
                throw new Args.UsageError("Not enough information: \"ifname\" (the kernel TAP interface) is required for type tap.");
            }
            String devName = name;
            String kernelName = ifname;
            Namespace home = nsName != null ? ctx.namespace(nsName) : ns;
            ctx.run(() -> home.addTap(devName, kernelName));
            return 0;
        }
        if (!"veth".equals(type)) {
            throw new Args.UsageError(type == null ? "Not enough information: \"type\" argument is required."
                    : "Error: Unknown device type \"" + type + "\" (netstack4j makes veth and tap).");
        }
        String devName = name;
        String peerName = peer != null ? peer : nextVethName(ns);
        Namespace home = nsName != null ? ctx.namespace(nsName) : ns;
        Namespace other = peerNs != null ? ctx.namespace(peerNs) : ns;
        ctx.run(() -> {
            NetDevice.checkName(devName);
            NetDevice.checkName(peerName);
            home.addVeth(devName, other, peerName);
        });
        return 0;
    }

    private String nextVethName(Namespace ns) {
        return ctx.call(() -> {
            for (int k = 0; ; k++) {
                if (ns.devices().byName("veth" + k) == null) {
                    return "veth" + k;
                }
            }
        });
    }

    /** {@code ip link set [dev] DEV up|down|mtu N|address MAC|txqueuelen N|netns NS|name NEW|promisc on|off|arp on|off}. */
    private int linkSet(Namespace ns, Args args) {
        String devName = args.value("dev");
        if (devName.equals("dev")) {
            devName = args.value("dev");
        }
        String name = devName;
        List<Runnable> changes = new ArrayList<>();
        while (args.more()) {
            String w = args.next();
            switch (w) {
                case "up" -> changes.add(() -> ns.requireDevice(name).setUp(true));
                case "down" -> changes.add(() -> ns.requireDevice(name).setUp(false));
                case "mtu" -> {
                    int mtu = Args.parseInt(args.value(w), "Invalid \"mtu\" value");
                    changes.add(() -> ns.requireDevice(name).setMtu(mtu));
                }
                case "address" -> {
                    String v = args.value(w);
                    long mac;
                    try {
                        mac = MacAddress.parse(v).bits();
                    } catch (IllegalArgumentException e) {
                        throw new Args.UsageError("\"" + v + "\" is invalid lladdr.");
                    }
                    changes.add(() -> ns.requireDevice(name).setMac(mac));
                }
                case "txqueuelen", "qlen", "txqlen" -> {
                    int q = Args.parseInt(args.value(w), "Invalid \"txqueuelen\" value");
                    changes.add(() -> ns.requireDevice(name).setTxqueuelen(q));
                }
                case "netns" -> {
                    Namespace target = ctx.namespace(args.value(w));
                    changes.add(() -> ns.moveLink(name, target));
                }
                case "name" -> {
                    String newName = args.value(w);
                    changes.add(() -> ns.devices().rename(ns.requireDevice(name), newName));
                }
                case "promisc" -> {
                    boolean on = onOff(args.value(w), w);
                    changes.add(() -> {
                        NetDevice d = ns.requireDevice(name);
                        if (on != (d.promiscuity() > 0)) {
                            d.adjustPromiscuity(on ? 1 : -1);
                        }
                    });
                }
                case "arp" -> {
                    boolean on = onOff(args.value(w), w);
                    changes.add(() -> ns.requireDevice(name).setNoArp(!on));
                }
                default -> throw new Args.UsageError("Error: argument \"" + w + "\" is wrong: unknown link attribute");
            }
        }
        ctx.run(() -> {
            ns.requireDevice(name);
            changes.forEach(Runnable::run);
        });
        return 0;
    }

    private static boolean onOff(String v, String what) {
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new Args.UsageError("Error: argument of \"" + what + "\" must be \"on\" or \"off\", not \"" + v + "\"");
        };
    }

    /** The flags word as iproute2's {@code print_link_flags} prints it. */
    static String flags(NetDevice d) {
        int f = d.flags();
        List<String> out = new ArrayList<>();
        if ((f & NetDevice.IFF_UP) != 0 && (f & NetDevice.IFF_RUNNING) == 0) {
            out.add("NO-CARRIER");
        }
        if ((f & NetDevice.IFF_LOOPBACK) != 0) {
            out.add("LOOPBACK");
        }
        if ((f & NetDevice.IFF_BROADCAST) != 0) {
            out.add("BROADCAST");
        }
        if ((f & NetDevice.IFF_POINTOPOINT) != 0) {
            out.add("POINTOPOINT");
        }
        if ((f & NetDevice.IFF_MULTICAST) != 0) {
            out.add("MULTICAST");
        }
        if ((f & NetDevice.IFF_NOARP) != 0 && (f & NetDevice.IFF_LOOPBACK) == 0) {
            out.add("NOARP");
        }
        if ((f & NetDevice.IFF_PROMISC) != 0) {
            out.add("PROMISC");
        }
        if ((f & NetDevice.IFF_UP) != 0) {
            out.add("UP");
        }
        if ((f & NetDevice.IFF_LOWER_UP) != 0) {
            out.add("LOWER_UP");
        }
        return "<" + String.join(",", out) + ">";
    }

    /** The device's name as {@code ip link} heads it: {@code veth0@veth1}, {@code veth0@if5} across namespaces. */
    static String headName(Namespace ns, NetDevice d) {
        if (d instanceof Veth v && v.peer().devices() != null) {
            return v.peer().devices() == d.devices() ? d.name() + "@" + v.peer().name() : d.name() + "@if" + v.peer().ifindex();
        }
        return d.name();
    }

    private String peerNamespace(NetDevice d) {
        if (d instanceof Veth v && v.peer().devices() != null && v.peer().devices() != d.devices()) {
            for (Namespace other : ctx.stack().namespaces()) {
                if (other.devices() == v.peer().devices()) {
                    return " link-netns " + other.name();
                }
            }
            return " link-netnsid 0";
        }
        return "";
    }

    /** {@code ip [-s] link show} / the first lines of {@code ip addr show}: runs on the loop. */
    void formatLink(List<String> out, Namespace ns, NetDevice d, boolean stats, boolean linkMode) {
        String qdisc = d.qdisc() == null ? "noqueue" : d.qdisc().kind();
        out.add(d.ifindex() + ": " + headName(ns, d) + ": " + flags(d) + " mtu " + d.mtu() + " qdisc " + qdisc + " state "
                + d.operState() + (linkMode ? " mode DEFAULT" : "") + " group default qlen " + d.txqueuelen());
        if (d.isLoopback()) {
            out.add("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00");
        } else {
            out.add("    link/ether " + d.macAddress() + " brd " + new MacAddress(d.broadcastMac()) + peerNamespace(d));
        }
        if (stats) {
            var s = d.stats();
            out.add("    RX:  bytes packets errors dropped  missed   mcast           ");
            out.add(String.format("    %10d %7d %6d %7d %7d %7d ", s.rxBytes, s.rxPackets, s.rxErrors, s.rxDropped, 0L, s.rxMulticast));
            out.add("    TX:  bytes packets errors dropped carrier collsns           ");
            out.add(String.format("    %10d %7d %6d %7d %7d %7d ", s.txBytes, s.txPackets, s.txErrors, s.txDropped, s.txCarrierErrors,
                    s.collisions));
        }
    }

    // ---- ip address -------------------------------------------------------------------------------

    private int address(Invocation inv, Namespace ns, Args args, Options opts) {
        String verb = args.more() ? args.next() : "show";
        if (Args.matches(verb, "add") || Args.matches(verb, "delete")) {
            boolean add = Args.matches(verb, "add");
            String cidr = null;
            String dev = null;
            String brd = null;
            String label = null;
            int scope = -1;
            while (args.more()) {
                String w = args.next();
                switch (w) {
                    case "dev" -> dev = args.value(w);
                    case "broadcast", "brd" -> brd = args.value(w);
                    case "label" -> label = args.value(w);
                    case "scope" -> scope = parseScope(args.value(w));
                    case "local" -> cidr = args.value(w);
                    default -> {
                        if (cidr != null) {
                            throw new Args.UsageError("Error: either \"local\" is duplicate, or \"" + w + "\" is a garbage.");
                        }
                        cidr = w;
                    }
                }
            }
            if (dev == null) {
                throw new Args.UsageError("Not enough information: \"dev\" argument is required.");
            }
            if (cidr == null) {
                throw new Args.UsageError("Not enough information: \"local\" argument is required.");
            }
            Ipv4Address local;
            int len;
            try {
                int slash = cidr.indexOf('/');
                local = Ipv4Address.parse(slash < 0 ? cidr : cidr.substring(0, slash));
                len = slash < 0 ? (add ? 32 : -1) : Integer.parseInt(cidr.substring(slash + 1));
                if (len > 32 || (len < 0 && add)) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw new Args.UsageError("Error: any valid prefix is expected rather than \"" + cidr + "\".");
            }
            String devName = dev;
            int plen = len;
            if (!add) {
                ctx.run(() -> ns.inet().deleteAddress(ns.requireDevice(devName), local, plen));
                return 0;
            }
            Ipv4Address broadcast = Ipv4Address.ANY;
            if ("+".equals(brd)) {
                broadcast = new Ipv4Address(local.bits() | ~Ipv4Address.maskOf(len));
            } else if ("-".equals(brd)) {
                broadcast = new Ipv4Address(local.bits() & Ipv4Address.maskOf(len));
            } else if (brd != null) {
                try {
                    broadcast = Ipv4Address.parse(brd);
                } catch (IllegalArgumentException e) {
                    throw new Args.UsageError("Error: an inet address is expected rather than \"" + brd + "\".");
                }
            }
            int sc = scope >= 0 ? scope : local.isLoopback() ? IfAddr.SCOPE_HOST : IfAddr.SCOPE_GLOBAL;
            Ipv4Address b = broadcast;
            String lbl = label;
            ctx.run(() -> ns.inet().addAddress(ns.requireDevice(devName), local, plen, b, sc, lbl));
            return 0;
        }
        if (Args.matches(verb, "flush")) {
            String dev = null;
            while (args.more()) {
                String w = args.next();
                dev = w.equals("dev") ? args.value(w) : w;
            }
            if (dev == null) {
                throw new Args.UsageError("Flush requires arguments.");
            }
            String devName = dev;
            ctx.run(() -> ns.inet().flushAddresses(ns.requireDevice(devName)));
            return 0;
        }
        if (Args.matches(verb, "show") || Args.matches(verb, "list")) {
            String only = null;
            while (args.more()) {
                String w = args.next();
                only = w.equals("dev") ? args.value(w) : w;
            }
            String filter = only;
            List<String> lines = ctx.call(() -> {
                List<String> out = new ArrayList<>();
                for (NetDevice d : selected(ns, filter)) {
                    formatLink(out, ns, d, opts.stats() > 0, false);
                    InDevice in = InDevice.of(d);
                    if (in != null) {
                        for (IfAddr a : in.addresses()) {
                            out.add(formatAddress(a));
                            out.add("       valid_lft forever preferred_lft forever");
                        }
                    }
                }
                return out;
            });
            lines.forEach(inv.stdout()::println);
            return 0;
        }
        inv.stderr().println("Command \"" + verb + "\" is unknown, try \"ip address help\".");
        return 1;
    }

    /** One {@code inet} line of {@code ip addr show}. */
    static String formatAddress(IfAddr a) {
        StringBuilder sb = new StringBuilder("    inet ").append(a.local()).append('/').append(a.prefixLength());
        if (!a.broadcast().isAny()) {
            sb.append(" brd ").append(a.broadcast());
        }
        sb.append(" scope ").append(scopeName(a.scope()));
        if (a.secondary()) {
            sb.append(" secondary");
        }
        sb.append(' ').append(a.label());
        return sb.toString();
    }

    static String scopeName(int scope) {
        return switch (scope) {
            case 0 -> "global";
            case 200 -> "site";
            case 253 -> "link";
            case 254 -> "host";
            case 255 -> "nowhere";
            default -> Integer.toString(scope);
        };
    }

    static int parseScope(String s) {
        return switch (s) {
            case "global", "universe" -> 0;
            case "site" -> 200;
            case "link" -> 253;
            case "host" -> 254;
            case "nowhere" -> 255;
            default -> Args.parseInt(s, "invalid \"scope\" value");
        };
    }
}
