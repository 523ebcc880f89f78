package io.netstack4j.route;

import io.netstack4j.wire.Ipv4Address;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A FIB with devices set up the way a fresh Linux namespace has them: {@code lo} (ifindex 1) up
 * with 127.0.0.1/8, plus whatever devices a test adds. Keeps the ifindex-to-name map the text
 * output needs.
 */
final class FibFixture {

    final Fib fib = new Fib();
    private final Map<Integer, String> names = new HashMap<>();
    final IntFunction<String> nameOf = names::get;

    FibFixture() {
        device(1, "lo");
        fib.deviceUp(1);
        fib.addInterfaceAddress(Ipv4Address.LOOPBACK, 8, 1, true, true);
    }

    /** Registers and brings up a device. */
    FibFixture device(int ifindex, String name) {
        names.put(ifindex, name);
        fib.deviceRegistered(ifindex, name);
        return this;
    }

    FibFixture up(int ifindex) {
        fib.deviceUp(ifindex);
        return this;
    }

    FibFixture address(String cidr, int ifindex) {
        int slash = cidr.indexOf('/');
        fib.addInterfaceAddress(Ipv4Address.parse(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)), ifindex,
                true, ifindex == 1);
        return this;
    }

    void add(RouteSpec.Builder b) {
        fib.addRoute(b.build(), Fib.Op.ADD);
    }

    /** {@code ip route show table all}, IPv4 part. */
    List<String> all() {
        return RouteText.showRoutes(fib, FibTable.UNSPEC, nameOf);
    }

    /** {@code ip route show}. */
    List<String> main() {
        return RouteText.showRoutes(fib, FibTable.MAIN, nameOf);
    }

    List<String> table(int id) {
        return RouteText.showRoutes(fib, id, nameOf);
    }

    List<String> rules() {
        return RouteText.showRules(fib, nameOf);
    }

    static int ip(String dotted) {
        return Ipv4Address.parse(dotted).bits();
    }

    /** Lines as iproute2 prints them: each route line ends with a space. */
    static List<String> lines(String... lines) {
        return List.of(lines);
    }
}
