package io.netstack4j.cli.soak;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.route.Fib;
import io.netstack4j.route.RouteSpec;
import io.netstack4j.sched.Netem;
import io.netstack4j.sched.NetemSpec;
import io.netstack4j.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The soak's network: a core router, {@code edges} edge routers below it and {@code hostsPerEdge}
 * hosts below each edge router, every link a veth pair with a netem qdisc on both ends.
 *
 * <pre>
 *                          core
 *            10.0.E.1 /     |      \ (one /24 per edge: core 10.0.E.1, edge 10.0.E.2)
 *                  edgeE   ...
 *        10.E.H.1 /  |  \      (one /24 per host: edge 10.E.H.1, host 10.E.H.2)
 *              hostE.H
 * </pre>
 *
 * Hosts route by default to their edge router, edge routers to the core, and the core has a
 * /16 per edge. Taking a device down removes the routes through it, as in Linux, so
 * {@link #setLinkUp} puts the static routes of that namespace back after the link comes up,
 * the way a routing daemon would.
 */
final class SoakNet {

    /** One veth link; {@code ends[0]} is the upper (router) end. */
    static final class Link {
        final String name;
        final Veth[] ends;
        final Namespace[] ns;
        final Netem[] netem = new Netem[2];
        /** Index of the end taken down, or -1 while the link is up. */
        int downEnd = -1;
        long downSinceNs;
        long plannedDownNs;
        /** Down intervals {from, to, planned length, end taken down} in virtual nanoseconds, kept for the verdict on failed flows. */
        final List<long[]> downs = new ArrayList<>();
        long flaps;

        Link(String name, Veth[] ends, Namespace a, Namespace b) {
            this.name = name;
            this.ends = ends;
            this.ns = new Namespace[] {a, b};
        }

        boolean isDown() {
            return downEnd >= 0;
        }

        /**
         * The longest planned outage that overlapped [from, to]: a flow cut by an outage is
         * judged by the outage as it was meant to be, even if it began before the flow, is still
         * going on, or was ended early by the drain.
         */
        long longestDownOverlapping(long from, long to) {
            long best = 0;
            for (long[] d : downs) {
                if (d[0] <= to && d[1] >= from) {
                    best = Math.max(best, d[2]);
                }
            }
            if (downEnd >= 0 && downSinceNs <= to) {
                best = Math.max(best, plannedDownNs);
            }
            return best;
        }

        /** The intervals {from, to} in which end {@code end} was the one down, up to {@code nowNs}. */
        List<long[]> downsOf(int end, long nowNs) {
            List<long[]> out = new ArrayList<>();
            for (long[] d : downs) {
                if (d[3] == end) {
                    out.add(new long[] {d[0], d[1]});
                }
            }
            if (downEnd == end) {
                out.add(new long[] {downSinceNs, nowNs});
            }
            return out;
        }

        /** True if the link was down at any instant of [from, to], ends included (a connect refused at once has from == to). */
        boolean downDuring(long from, long to) {
            if (downEnd >= 0 && downSinceNs <= to) {
                return true;
            }
            for (long[] d : downs) {
                if (d[0] <= to && d[1] >= from) {
                    return true;
                }
            }
            return false;
        }

    }

    /** A host: its namespace, address and the links from it to the core. */
    record Host(int index, Namespace ns, int addr, int edge, List<Link> uplinks) {
    }

    final NetStack stack;
    final Namespace core;
    final List<Namespace> routers = new ArrayList<>();
    final List<Host> hosts = new ArrayList<>();
    final List<Link> links = new ArrayList<>();
    /** Every address configured in the network, with the MAC of its device, for the fuzzer's ARP guard. */
    final Map<Integer, Long> macOf = new HashMap<>();
    private final Map<Namespace, List<RouteSpec>> staticRoutes = new HashMap<>();

    SoakNet(NetStack stack, int edges, int hostsPerEdge) {
        this.stack = stack;
        core = stack.addNamespace("core");
        routers.add(core);
        forwarding(core);
        for (int e = 1; e <= edges; e++) {
            Namespace edge = stack.addNamespace("edge" + e);
            routers.add(edge);
            forwarding(edge);
            Link up = link("core-edge" + e, core, "e" + e, "10.0." + e + ".1", edge, "up", "10.0." + e + ".2");
            route(edge, "default", "10.0." + e + ".1");
            route(core, "10." + e + ".0.0/16", "10.0." + e + ".2");
            for (int h = 1; h <= hostsPerEdge; h++) {
                Namespace host = stack.addNamespace("host" + e + "." + h);
                Link l = link("edge" + e + "-host" + e + "." + h, edge, "h" + h, "10." + e + "." + h + ".1", host, "eth0",
                        "10." + e + "." + h + ".2");
                route(host, "default", "10." + e + "." + h + ".1");
                hosts.add(new Host(hosts.size(), host, Ipv4Address.parse("10." + e + "." + h + ".2").bits(), e, List.of(l, up)));
            }
        }
    }

    private static void forwarding(Namespace ns) {
        ns.sysctls().set("net.ipv4.ip_forward", "1");
    }

    private Link link(String name, Namespace a, String devA, String addrA, Namespace b, String devB, String addrB) {
        Veth[] pair = a.addVeth(devA, b, devB);
        Link l = new Link(name, pair, a, b);
        address(a, pair[0], addrA);
        address(b, pair[1], addrB);
        for (int i = 0; i < 2; i++) {
            l.netem[i] = new Netem(NetemSpec.parse(List.of("limit", "1000")));
            pair[i].setQdisc(l.netem[i]);
            pair[i].setUp(true);
        }
        links.add(l);
        return l;
    }

    private void address(Namespace ns, Veth dev, String addr) {
        Ipv4Address a = Ipv4Address.parse(addr);
        ns.inet().addAddress(dev, a, 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        macOf.put(a.bits(), dev.mac());
    }

    private void route(Namespace ns, String dst, String via) {
        RouteSpec spec = RouteSpec.to(dst).via(via).build();
        ns.addRoute(spec, Fib.Op.ADD);
        staticRoutes.computeIfAbsent(ns, k -> new ArrayList<>()).add(spec);
    }

    /** The links a flow between these hosts crosses. */
    static List<Link> path(Host a, Host b) {
        List<Link> p = new ArrayList<>();
        p.add(a.uplinks.get(0));
        p.add(b.uplinks.get(0));
        if (a.edge != b.edge) {
            p.add(a.uplinks.get(1));
            p.add(b.uplinks.get(1));
        }
        return p;
    }

    /** {@code ip link set END down}: one end of the link, chosen by the caller. */
    void setLinkDown(Link l, int end, long nowNs, long plannedNs) {
        l.ends[end].setUp(false);
        l.downEnd = end;
        l.downSinceNs = nowNs;
        l.plannedDownNs = plannedNs;
        l.flaps++;
    }

    /** {@code ip link set END up}, then the namespace's static routes through it back in place. */
    void setLinkUp(Link l, long nowNs) {
        int end = l.downEnd;
        l.ends[end].setUp(true);
        l.downs.add(new long[] {l.downSinceNs, nowNs, l.plannedDownNs, end});
        l.downEnd = -1;
        for (RouteSpec r : staticRoutes.getOrDefault(l.ns[end], List.of())) {
            try {
                l.ns[end].addRoute(r, Fib.Op.ADD);
            } catch (NetException e) {
                // Already there, or its gateway is behind another link of this namespace that is
                // down too: that link's coming up puts it back.
                boolean otherDown = links.stream().anyMatch(o -> o != l && o.isDown() && o.ns[o.downEnd] == l.ns[end]);
                if (e.errno() != Errno.EEXIST && !otherDown) {
                    throw e;
                }
            }
        }
    }

    /** Forgets down intervals that ended before {@code beforeNs}, so the history stays bounded. */
    void pruneDowns(long beforeNs) {
        for (Link l : links) {
            l.downs.removeIf(d -> d[1] < beforeNs);
        }
    }
}
