package io.netstack4j.socket;

import io.netstack4j.core.NetDevice;
import io.netstack4j.core.NetLoop;
import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.sched.Netem;
import io.netstack4j.sched.NetemSpec;
import io.netstack4j.time.VirtualClock;
import io.netstack4j.wire.Ipv4Address;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Two namespaces joined by a veth pair on a free-running virtual-clock loop (its own thread):
 * a = 10.0.0.1/24 on veth0, b = 10.0.0.2/24 on veth1. Sockets are used from test threads.
 */
final class TcpPair implements AutoCloseable {

    static final Ipv4Address A = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address B = Ipv4Address.parse("10.0.0.2");

    final NetStack stack;
    final Namespace a;
    final Namespace b;
    final Veth[] link;

    TcpPair(long seed) {
        NetLoop loop = new NetLoop(new VirtualClock(), seed);
        stack = new NetStack(loop);
        a = stack.addNamespace("a");
        b = stack.addNamespace("b");
        link = a.addVeth("veth0", b, "veth1");
        address(a, link[0], "10.0.0.1");
        address(b, link[1], "10.0.0.2");
        link[0].setUp(true);
        link[1].setUp(true);
        loop.start();
    }

    private static void address(Namespace ns, NetDevice dev, String addr) {
        ns.inet().addAddress(dev, Ipv4Address.parse(addr), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
    }

    /** {@code tc qdisc add dev vethN root netem SPEC} on both ends. */
    void netem(String spec) {
        stack.loop().run(() -> {
            link[0].setQdisc(new Netem(NetemSpec.parse(List.of(spec.split(" ")))));
            link[1].setQdisc(new Netem(NetemSpec.parse(List.of(spec.split(" ")))));
        });
    }

    static byte[] sha256(byte[] data, int off, int len) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(data, off, len);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stack.close();
    }
}
