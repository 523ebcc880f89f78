package io.netstack4j.ns;

import io.netstack4j.core.NetDevice;
import io.netstack4j.drivers.Veth;
import io.netstack4j.icmp.EchoListener;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * Test topologies on a simulated stack: namespaces, veth links with addresses, routes, and a
 * ping that records what comes back. Everything runs on the test thread, which owns the loop.
 */
final class Net {

    final NetStack stack = NetStack.simulated(1234);

    /**
     * The usual test network:
     * <pre>
     *   h1 10.1.0.2 --- 10.1.0.1 r1 10.2.0.1 --- 10.2.0.2 r2 10.3.0.1 --- 10.3.0.2 h3
     * </pre>
     * with default routes on the hosts, routes between the routers and forwarding on.
     */
    static Net twoRouters() {
        Net net = new Net();
        net.link("h1", "veth0", "10.1.0.2/24", "r1", "veth1", "10.1.0.1/24");
        net.link("r1", "veth2", "10.2.0.1/24", "r2", "veth3", "10.2.0.2/24");
        net.link("r2", "veth4", "10.3.0.1/24", "h3", "veth5", "10.3.0.2/24");
        net.route("h1", "default", "10.1.0.1");
        net.route("r1", "10.3.0.0/24", "10.2.0.2");
        net.route("r2", "10.1.0.0/24", "10.2.0.1");
        net.route("h3", "default", "10.3.0.1");
        net.forwarding("r1");
        net.forwarding("r2");
        return net;
    }

    Namespace ns(String name) {
        Namespace ns = stack.namespace(name);
        return ns != null ? ns : stack.addNamespace(name);
    }

    /** A veth pair a—b with an address on each end, both up. */
    Veth[] link(String nsA, String devA, String addrA, String nsB, String devB, String addrB) {
        Namespace a = ns(nsA);
        Namespace b = ns(nsB);
        Veth[] pair = a.addVeth(devA, b, devB);
        address(a, pair[0], addrA);
        address(b, pair[1], addrB);
        pair[0].setUp(true);
        pair[1].setUp(true);
        return pair;
    }

    static void address(Namespace ns, NetDevice dev, String cidr) {
        String[] p = cidr.split("/");
        ns.inet().addAddress(dev, Ipv4Address.parse(p[0]), Integer.parseInt(p[1]), Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
    }

    /** {@code ip route add DST via GW} in {@code ns}. */
    void route(String ns, String dst, String via) {
        Routes.add(ns(ns), dst, via);
    }

    void forwarding(String ns) {
        ns(ns).sysctls().set("net.ipv4.ip_forward", "1");
    }

    void runMillis(long ms) {
        stack.loop().runFor(ms * 1_000_000L);
    }

    /** What one ping run saw. */
    static final class PingLog implements EchoListener {
        final List<Integer> replies = new ArrayList<>();
        final List<Integer> replyTtls = new ArrayList<>();
        final List<String> errors = new ArrayList<>();

        @Override
        public void echoReply(int from, int sequence, int ttl, int icmpLength, byte[] data, int offset, int dataLength) {
            replies.add(sequence);
            replyTtls.add(ttl);
        }

        @Override
        public void error(int from, int type, int code, int info, int sequence) {
            errors.add(new Ipv4Address(from) + " type=" + type + " code=" + code + " info=" + info + " seq=" + sequence);
        }
    }

    /** Sends {@code count} echo requests a second apart from {@code ns} and runs until a second after the last. */
    PingLog ping(String ns, String dst, int count, int size, int ttl, boolean df) {
        Namespace n = ns(ns);
        PingLog log = new PingLog();
        int ident = 0x4242;
        n.icmp().openEcho(ident, log);
        byte[] data = new byte[size];
        for (int seq = 1; seq <= count; seq++) {
            n.icmp().sendEcho(Ipv4Address.parse(dst).bits(), 0, ident, seq, data, size, ttl, 0, df, 0);
            runMillis(1000);
        }
        n.icmp().closeEcho(ident);
        return log;
    }
}
