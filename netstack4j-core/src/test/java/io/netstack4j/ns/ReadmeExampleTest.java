package io.netstack4j.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netstack4j.core.NetLoop;
import io.netstack4j.drivers.Veth;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The library example in the README, kept compiling and working. */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleRuns() {
        NetStack stack = NetStack.simulated(42);
        NetLoop loop = stack.loop();
        Namespace h1 = stack.addNamespace("h1");
        Namespace r1 = stack.addNamespace("r1");
        Veth[] link = h1.addVeth("veth0", r1, "veth1");
        h1.inet().addAddress(link[0], Ipv4Address.parse("10.1.0.2"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        link[0].setUp(true);
        r1.inet().addAddress(link[1], Ipv4Address.parse("10.1.0.1"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
        link[1].setUp(true);
        Net.PingLog log = new Net.PingLog();
        h1.icmp().openEcho(7, log);
        h1.icmp().sendEcho(Ipv4Address.parse("10.1.0.1").bits(), 0, 7, 1, new byte[8], 8, 0, 0, false, 0);
        loop.runFor(1_000_000_000L);
        assertEquals(List.of(1), new ArrayList<>(log.replies));
    }
}
