package io.netstack4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The BGP dump's line parser: IPv4 prefixes in, everything else skipped without throwing. */
class FibLookupBenchTest {

    private static String parsed(String line) {
        long p = FibLookupBench.parsePrefix(line);
        if (p < 0) {
            return "skipped";
        }
        int key = (int) p;
        return (key >>> 24) + "." + (key >>> 16 & 0xff) + "." + (key >>> 8 & 0xff) + "." + (key & 0xff) + "/" + (p >>> 32);
    }

    @Test
    void ipv4PrefixesParseWithOrWithoutACarriageReturn() {
        assertEquals("1.0.4.0/22", parsed("1.0.4.0/22"));
        assertEquals("1.0.0.0/24", parsed("1.0.0.0/24\r"));
        assertEquals("0.0.0.0/0", parsed("0.0.0.0/0"));
        assertEquals("255.255.255.255/32", parsed("255.255.255.255/32"));
    }

    @Test
    void anythingElseIsSkipped() {
        for (String bad : new String[] {"", "2001:db8::/32", "1.2.3.4", "1.2.3.4/", "1.2.3/24", "1.2.3.4.5/8", "256.0.0.0/8",
                "1.2.3.4/33", "1.2.3.4/123", "1.2.3.0/8", "a.b.c.d/8", "1..2.3/8", "/24", "1.2.3.4/2x"}) {
            assertEquals("skipped", parsed(bad), bad);
        }
    }
}
