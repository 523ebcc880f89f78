package io.netstack4j.cli.tools;

import io.netstack4j.cli.shell.Command;
import io.netstack4j.cli.shell.Invocation;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetException;
import io.netstack4j.core.Qdisc;
import io.netstack4j.ns.Namespace;
import io.netstack4j.sched.Netem;
import io.netstack4j.sched.NetemSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * {@code tc [-n NS] [-s] qdisc add|change|replace|del|show dev DEV root netem ...}. Root qdiscs
 * only; handles are numbered 8001:, 8002: ... per stack as the kernel assigns them.
 */
final class TcCommand implements Command {

    private final Context ctx;
    private final Map<Qdisc, Integer> handles = new WeakHashMap<>();
    private int nextHandle = 0x8001;

    TcCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public int run(Invocation inv) {
        List<String> a = inv.args();
        int i = 1;
        String nsName = null;
        boolean stats = false;
        while (i < a.size() && a.get(i).startsWith("-")) {
            String o = a.get(i++);
            if (o.equals("-n") || o.equals("-netns")) {
                if (i >= a.size()) {
                    inv.stderr().println("Command line is not complete. Try option \"help\"");
                    return 1;
                }
                nsName = a.get(i++);
            } else if (o.equals("-s") || o.equals("-stats")) {
                stats = true;
            } else {
                inv.stderr().println("Option \"" + o + "\" is unknown, try \"tc -help\".");
                return 1;
            }
        }
        if (i >= a.size() || !Args.matches(a.get(i), "qdisc")) {
            inv.stderr().println("Usage: tc [ OPTIONS ] qdisc { add | change | replace | del | show } dev DEV root netem ...");
            return 1;
        }
        Args args = new Args(a, i + 1);
        try {
            Namespace ns = ctx.namespace(nsName);
            String verb = args.more() ? args.next() : "show";
            if (Args.matches(verb, "show") || Args.matches(verb, "list")) {
                return show(inv, ns, args, stats);
            }
            String dev = null;
            String kind = null;
            List<String> params = new ArrayList<>();
            while (args.more()) {
                String w = args.next();
                if (kind != null) {
                    params.add(w);
                } else if (w.equals("dev")) {
                    dev = args.value(w);
                } else if (w.equals("root")) {
                    continue;
                } else if (w.equals("handle")) {
                    args.value(w);
                } else if (w.equals("parent")) {
                    throw new Args.UsageError("netstack4j supports root qdiscs only");
                } else {
                    kind = w;
                }
            }
            if (dev == null) {
                inv.stderr().println("Cannot find device \"\"");
                return 1;
            }
            String devName = dev;
            switch (verb) {
                case "add", "replace", "change" -> {
                    if (!"netem".equals(kind)) {
                        inv.stderr().println(kind == null ? "Error: Qdisc kind is required." : "Unknown qdisc \"" + kind + "\", hence option \""
                                + String.join(" ", params) + "\" is unparsable");
                        return 1;
                    }
                    NetemSpec spec;
                    try {
                        spec = NetemSpec.parse(params);
                    } catch (IllegalArgumentException e) {
                        inv.stderr().println(e.getMessage());
                        return 1;
                    }
                    ctx.run(() -> {
                        NetDevice d = ns.requireDevice(devName);
                        Qdisc q = d.qdisc();
                        boolean configured = q != null && !d.hasDefaultQdisc();
                        if (verb.equals("add") && configured) {
                            throw new NetException(io.netstack4j.core.Errno.EEXIST, "Exclusivity flag on, cannot modify");
                        }
                        if (verb.equals("change")) {
                            if (!(q instanceof Netem n)) {
                                throw new NetException(io.netstack4j.core.Errno.ENOENT, "Qdisc not found. To create specify NLM_F_CREATE flag");
                            }
                            n.change(spec);
                            return;
                        }
                        if (verb.equals("replace") && q instanceof Netem n) {
                            n.change(spec);
                            return;
                        }
                        Netem netem = new Netem(spec);
                        handles.put(netem, nextHandle++);
                        d.setQdisc(netem);
                    });
                    return 0;
                }
                case "del", "delete" -> {
                    ctx.run(() -> {
                        NetDevice d = ns.requireDevice(devName);
                        if (d.hasDefaultQdisc()) {
                            throw new NetException(io.netstack4j.core.Errno.ENOENT, "Cannot delete qdisc with handle of zero");
                        }
                        d.setQdisc(null);
                    });
                    return 0;
                }
                default -> {
                    inv.stderr().println("Command \"" + verb + "\" is unknown, try \"tc qdisc help\".");
                    return 1;
                }
            }
        } catch (Args.UsageError e) {
            inv.stderr().println(e.getMessage());
            return 1;
        } catch (NetException e) {
            return IpCommand.refused(inv.stderr(), e);
        }
    }

    private int show(Invocation inv, Namespace ns, Args args, boolean stats) {
        String only = null;
        while (args.more()) {
            String w = args.next();
            only = w.equals("dev") ? args.value(w) : only;
        }
        String filter = only;
        List<String> lines = ctx.call(() -> {
            List<String> out = new ArrayList<>();
            List<NetDevice> devs = filter == null ? List.copyOf(ns.devices().all()) : List.of(ns.requireDevice(filter));
            for (NetDevice d : devs) {
                Qdisc q = d.qdisc();
                if (q == null) {
                    out.add("qdisc noqueue 0: dev " + d.name() + " root refcnt 2 ");
                } else if (q.isDefault()) {
                    out.add("qdisc " + q.kind() + " 0: dev " + d.name() + " root refcnt 2 " + q.parameters());
                } else {
                    out.add("qdisc " + q.kind() + " " + Integer.toHexString(handles.getOrDefault(q, 0x8000)) + ": dev " + d.name()
                            + " root refcnt 2 " + q.parameters());
                }
                if (stats) {
                    long sent = q == null ? d.stats().txBytes : q.sentBytes();
                    long pkts = q == null ? d.stats().txPackets : q.sentPackets();
                    long dropped = q == null ? 0 : q.drops();
                    out.add(" Sent " + sent + " bytes " + pkts + " pkt (dropped " + dropped + ", overlimits "
                            + (q == null ? 0 : q.overlimits()) + " requeues " + (q == null ? 0 : q.requeues()) + ") ");
                    out.add(" backlog " + (q == null ? 0 : q.backlogBytes()) + "b " + (q == null ? 0 : q.qlen()) + "p requeues "
                            + (q == null ? 0 : q.requeues()));
                }
            }
            return out;
        });
        lines.forEach(inv.stdout()::println);
        return 0;
    }
}
