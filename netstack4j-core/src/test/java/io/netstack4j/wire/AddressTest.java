package io.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Ipv4Address} and {@link MacAddress} as text and as bytes. */
class AddressTest {

    @Test
    void ipv4ParseAndToStringRoundTrip() {
        assertEquals(0x0ac80001, Ipv4Address.parse("10.200.0.1").bits());
        assertEquals("10.200.0.1", Ipv4Address.parse("10.200.0.1").toString());
        assertEquals("255.255.255.255", Ipv4Address.BROADCAST.toString());
        assertEquals("0.0.0.0", Ipv4Address.parse("0.0.0.0").toString());
        Random r = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            Ipv4Address a = new Ipv4Address(r.nextInt());
            assertEquals(a, Ipv4Address.parse(a.toString()));
        }
    }

    @Test
    void ipv4RejectsAnythingButFourDecimalOctets() {
        for (String bad : new String[] {"1.2.3", "256.1.1.1", "1..2.3", "", "1.2.3.4.5", "1.2.3.", ".1.2.3", "a.b.c.d",
                "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "1.2.3.+4", "1.2.3.1000", "01.2.3.4", "1.2.3.00", "0x1.2.3.4", "1.2.3.4/24"}) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(bad), "\"" + bad + "\"");
        }
    }

    @Test
    void ipv4ReadsCapturedBits() {
        assertEquals(Captures.IP_B.bits(), Bytes.u32(Captures.ARP_REQUEST, 14 + ArpPacket.SPA));
        assertEquals(Ipv4Address.of(10, 200, 0, 2), Captures.IP_B);
        assertEquals(200, Captures.IP_B.octet(1));
        assertTrue(Ipv4Address.parse("224.0.0.1").isMulticast());
        assertEquals(0xffffff00, Ipv4Address.maskOf(24));
        assertEquals(0, Ipv4Address.maskOf(0));
        assertEquals(-1, Ipv4Address.maskOf(32));
    }

    @Test
    void macParseAndToStringRoundTrip() {
        assertEquals("d6:7a:f7:40:e2:2a", Captures.MAC_B.toString());
        assertEquals(0xd67af740e22aL, Captures.MAC_B.bits());
        assertEquals(MacAddress.parse("d6:7a:f7:40:e2:2a"), MacAddress.parse("D6:7A:F7:40:E2:2A"));
        assertEquals("02:00:00:00:00:0a", MacAddress.parse("2:0:0:0:0:a").toString(), "one digit per group, as iproute2");
        Random r = new Random(4);
        for (int i = 0; i < 10_000; i++) {
            MacAddress m = new MacAddress(r.nextLong() & 0xffff_ffff_ffffL);
            assertEquals(m, MacAddress.parse(m.toString()));
        }
    }

    @Test
    void macRejectsMalformedText() {
        for (String bad : new String[] {"", "02:aa:bb:cc:dd", "02:aa:bb:cc:dd:ee:ff", "02:aa:bb:cc:dd:eee", "02:aa:bb:cc::ee",
                "02:aa:bb:cc:dd:ee:", "02-aa-bb-cc-dd-ee", "02:aa:bb:cc:dd:gg", "+2:aa:bb:cc:dd:ee", "-1:aa:bb:cc:dd:ee",
                "02:aa:bb:cc:dd:ee "}) {
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad), "\"" + bad + "\"");
        }
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
    }

    @Test
    void macReadsAndWritesBytes() {
        byte[] b = Captures.ARP_REPLY;
        assertEquals(Captures.MAC_A, MacAddress.read(b, 6));
        byte[] out = new byte[8];
        Captures.MAC_A.write(out, 1);
        assertArrayEquals(Captures.slice(b, 6, 12), Captures.slice(out, 1, 7));
        assertEquals(0, out[0]);
        assertEquals(0, out[7]);
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertFalse(Captures.MAC_A.isMulticast());
        MacAddress random = MacAddress.random(new Random(6));
        assertFalse(random.isMulticast());
        assertEquals(0x02, (random.bits() >>> 40) & 0x03, "locally administered unicast");
    }
}
