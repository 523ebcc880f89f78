package io.netstack4j.tcp;

import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.ns.Routes;
import io.netstack4j.sched.Netem;
import io.netstack4j.sched.NetemSpec;
import io.netstack4j.wire.Ipv4Address;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A simulated network for TCP tests, run by the test thread in steps of virtual time:
 * a (10.0.0.1) --veth-- b (10.0.0.2), or with {@link #routed} a --- r --- b across two subnets.
 */
final class SimNet {

    static final int A = Ipv4Address.parse("10.0.0.1").bits();
    static final int B = Ipv4Address.parse("10.0.0.2").bits();
    static final int B_ROUTED = Ipv4Address.parse("10.0.1.2").bits();

    final NetStack stack;
    final Namespace a;
    final Namespace b;
    Namespace r;
    final Veth[] ab;
    Veth[] rb;

    private SimNet(long seed, boolean routed) {
        stack = NetStack.simulated(seed);
        a = stack.addNamespace("a");
        b = stack.addNamespace("b");
        if (!routed) {
            ab = a.addVeth("veth0", b, "veth1");
            addr(a, ab[0], "10.0.0.1");
            addr(b, ab[1], "10.0.0.2");
            ab[0].setUp(true);
            ab[1].setUp(true);
            return;
        }
        r = stack.addNamespace("r");
        ab = a.addVeth("veth0", r, "veth1");
        addr(a, ab[0], "10.0.0.1");
        addr(r, ab[1], "10.0.0.2");
        rb = r.addVeth("veth2", b, "veth3");
        addr(r, rb[0], "10.0.1.1");
        addr(b, rb[1], "10.0.1.2");
        for (Veth v : List.of(ab[0], ab[1], rb[0], rb[1])) {
            v.setUp(true);
        }
        r.sysctls().set("net.ipv4.ip_forward", "1");
        Routes.add(a, "default", "10.0.0.2");
        Routes.add(b, "default", "10.0.1.1");
    }

    static SimNet pair(long seed) {
        return new SimNet(seed, false);
    }

    static SimNet routed(long seed) {
        return new SimNet(seed, true);
    }

    private static void addr(Namespace ns, Veth dev, String a) {
        ns.inet().addAddress(dev, Ipv4Address.parse(a), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
    }

    static void netem(Veth dev, String spec) {
        dev.setQdisc(new Netem(NetemSpec.parse(List.of(spec.split(" ")))));
    }

    void run(long millis) {
        stack.loop().runFor(millis * 1_000_000L);
    }

    /** Runs in 1 ms steps until {@code done} or {@code maxMillis} pass; returns whether it became true. */
    boolean runUntil(BooleanSupplier done, long maxMillis) {
        for (long t = 0; t < maxMillis; t++) {
            if (done.getAsBoolean()) {
                return true;
            }
            run(1);
        }
        return done.getAsBoolean();
    }

    TcpSock listen(Namespace ns, int port) {
        TcpSock l = ns.tcp().open(null);
        TcpCalls.bind(l, 0, port);
        TcpCalls.listen(l, 16);
        return l;
    }

    /** Connects a to {@code addr:port} and returns [client, accepted server]. */
    TcpSock[] connect(TcpSock listener, int addr, int port) {
        TcpSock c = a.tcp().open(null);
        TcpCalls.connect(c, addr, port);
        TcpSock[] s = new TcpSock[1];
        runUntil(() -> (s[0] = s[0] != null ? s[0] : TcpCalls.accept(listener)) != null && c.state() == TcpState.ESTABLISHED, 10_000);
        return new TcpSock[] {c, s[0]};
    }
}
