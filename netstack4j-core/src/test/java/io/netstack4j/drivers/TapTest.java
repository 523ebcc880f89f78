package io.netstack4j.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.inet.IfAddr;
import io.netstack4j.neigh.ArpEntry;
import io.netstack4j.ns.Namespace;
import io.netstack4j.ns.NetStack;
import io.netstack4j.wire.Ipv4Address;
import io.netstack4j.wire.MacAddress;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The TAP driver against the real kernel: the kernel end sits in a network namespace this test
 * creates, with addresses that exist only there.
 */
class TapTest {

    private NetStack stack;
    private KernelNetns kernel;
    private Tap tap;
    private String ifname;

    @BeforeEach
    void setUp() throws IOException {
        String why = KernelNetns.unavailable();
        Assumptions.assumeTrue(why == null, why);
        stack = NetStack.realTime(11);
        ifname = KernelNetns.freshIfname("n4jtap");
        Namespace init = stack.init();
        tap = stack.loop().call(() -> init.addTap("eth0", ifname));
        kernel = KernelNetns.create("n4jtap");
        kernel.adopt(ifname);
        kernel.exec("ip", "addr", "add", "10.77.0.1/24", "dev", ifname);
        kernel.exec("ip", "link", "set", ifname, "up");
        stack.loop().run(() -> {
            init.inet().addAddress(tap, Ipv4Address.parse("10.77.0.2"), 24, Ipv4Address.ANY, IfAddr.SCOPE_GLOBAL, null);
            tap.setUp(true);
        });
    }

    @AfterEach
    void tearDown() throws IOException {
        if (stack != null) {
            stack.close();
        }
        if (kernel != null) {
            kernel.close();
        }
    }

    @Test
    void theKernelPingsThroughTheTapAndBothLearnEachOthersMac() throws IOException {
        KernelNetns.Result ping = kernel.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.77.0.2");
        assertTrue(ping.out().contains("3 packets transmitted, 3 received"), ping.toString());

        String neigh = kernel.exec("ip", "neigh", "show", "10.77.0.2").out();
        assertTrue(neigh.contains("lladdr " + tap.macAddress()), neigh + " should name " + tap.macAddress());

        String link = kernel.exec("ip", "-o", "link", "show", ifname).out();
        String kernelMac = link.replaceAll("(?s).*link/ether ([0-9a-f:]{17}).*", "$1");
        ArpEntry entry = stack.loop().call(() -> stack.init().arp().lookup(Ipv4Address.parse("10.77.0.1").bits(), tap));
        assertTrue(entry != null, "netstack4j learned the kernel's address");
        assertEquals(MacAddress.parse(kernelMac), entry.lladdr());

        assertTrue(tap.stats().rxPackets >= 4 && tap.stats().txPackets >= 4, "frames moved both ways");
    }

    @Test
    void deletingTheDeviceRemovesTheKernelInterface() throws IOException {
        kernel.exec("ping", "-c", "1", "-W", "2", "10.77.0.2");
        stack.loop().run(() -> stack.init().deleteLink("eth0"));
        assertTrue(tap.isClosed());
        KernelNetns.Result gone = kernel.execAllowFailure("ip", "link", "show", ifname);
        assertFalse(gone.exit() == 0, "the non-persistent kernel interface went away with the device: " + gone);
        assertEquals(0L, stack.loop().call(() -> stack.loop().pool().live()), "no pooled buffer leaked");
        tap.close(); // a second close is harmless
    }

    @Test
    void mtuIsBoundedByTheReceiveSlots() {
        NetException e = assertThrows(NetException.class, () -> stack.loop().run(() -> tap.setMtu(Tap.MAX_MTU + 1)));
        assertEquals(Errno.EINVAL, e.errno());
        stack.loop().run(() -> tap.setMtu(Tap.MAX_MTU));
    }

    @Test
    void aTapAlreadyAttachedElsewhereIsBusy() {
        String name = KernelNetns.freshIfname("n4jbusy");
        Tap first = Tap.open("eth8", name, 0x02_00_00_00_00_08L);
        try {
            NetException e = assertThrows(NetException.class, () -> Tap.open("eth9", name, 0x02_00_00_00_00_09L));
            assertEquals(Errno.EBUSY, e.errno());
            assertTrue(e.getMessage().contains("TUNSETIFF " + name), e.getMessage());
        } finally {
            first.close();
        }
    }
}
