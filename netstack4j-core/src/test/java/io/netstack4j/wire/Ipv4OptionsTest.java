package io.netstack4j.wire;

import static io.netstack4j.wire.Captures.IP;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Ipv4OptionsTest {

    private final Ipv4Options o = new Ipv4Options();

    /** Compiles a header whose options area is {@code opt}, padded with EOL to a multiple of 4. */
    private int compile(int... opt) {
        int optLen = (opt.length + 3) & ~3;
        byte[] b = new byte[20 + optLen];
        Ipv4Header.setVersionIhl(b, 0, 20 + optLen);
        for (int i = 0; i < opt.length; i++) {
            b[20 + i] = (byte) opt[i];
        }
        return o.compile(b, 0);
    }

    @Test
    void capturedRecordRouteAndTimestampOptionsAreWellFormed() {
        assertEquals(-1, o.compile(Captures.ECHO_RR_REQUEST, IP));
        assertEquals(40, o.optLen);
        assertEquals(21, o.rr, "after ping's NOP");
        assertEquals(0, o.srr);
        assertEquals(0, o.ts);
        assertEquals(-1, o.compile(Captures.ECHO_RR_REPLY, IP));
        assertEquals(20, o.rr);
        assertEquals(-1, o.compile(Captures.ECHO_TS_REQUEST, IP));
        assertEquals(20, o.ts);
        assertEquals(0, o.rr, "compile starts from a clear holder");
        assertEquals(-1, o.compile(Captures.ECHO_TS_REPLY, IP));
        assertEquals(20, o.ts);
        assertEquals(-1, o.compile(Captures.ECHO_REQUEST, IP));
        assertEquals(0, o.optLen);
        assertEquals(0, o.ts);
    }

    @Test
    void compileChangesNoByte() {
        byte[] b = Captures.ECHO_RR_REQUEST.clone();
        o.compile(b, IP);
        assertEquals(java.util.Arrays.toString(Captures.ECHO_RR_REQUEST), java.util.Arrays.toString(b));
    }

    @Test
    void badLengthsPointAtTheOptionsTypeByte() {
        assertAll(
                () -> assertEquals(20, compile(7, 0, 4, 0), "length 0"),
                () -> assertEquals(20, compile(131, 1, 4, 0), "length 1"),
                () -> assertEquals(20, compile(7, 40), "length past the options area"),
                () -> assertEquals(22, compile(1, 1, 68, 9, 5, 0, 0, 0), "length 9 where 6 bytes remain"),
                () -> assertEquals(23, compile(1, 1, 1, 7), "a type in the last byte, with no room for a length"),
                () -> assertEquals(20, compile(200, 0), "unknown options need a length too"));
    }

    @Test
    void routeOptionsNeedALengthAndAPointerOfAtLeastFour() {
        assertAll(
                () -> assertEquals(21, compile(7, 2), "record route of length 2"),
                () -> assertEquals(21, compile(131, 2), "loose source route of length 2"),
                () -> assertEquals(22, compile(7, 7, 3, 0, 0, 0, 0), "record route pointer 3"),
                () -> assertEquals(22, compile(131, 7, 0, 0, 0, 0, 0), "source route pointer 0"),
                () -> assertEquals(-1, compile(137, 7, 5, 0, 0, 0, 0), "Linux accepts a pointer off an address boundary"),
                () -> assertEquals(22, compile(7, 9, 8, 10, 0, 0, 1, 0, 0), "pointer 8 leaves 2 bytes for an address"),
                () -> assertEquals(-1, compile(7, 7, 8, 10, 0, 0, 1), "pointer past the end: a full option"));
        assertEquals(20, o.rr);
    }

    @Test
    void duplicatedOptionsPointAtTheSecondOne() {
        assertAll(
                () -> assertEquals(27, compile(131, 7, 4, 0, 0, 0, 0, 131, 3, 4), "second loose source route"),
                () -> assertEquals(27, compile(131, 7, 4, 0, 0, 0, 0, 137, 3, 4), "a strict after a loose one"),
                () -> assertEquals(23, compile(7, 3, 4, 7, 3, 4), "second record route"),
                () -> assertEquals(24, compile(68, 4, 5, 0, 68, 4, 5, 0), "second timestamp"),
                () -> assertEquals(28, compile(134, 8, 0, 0, 0, 1, 0, 0, 134, 8, 0, 0, 0, 1, 0, 0), "second CIPSO"));
    }

    @Test
    void sourceRoutesAreRecorded() {
        assertEquals(-1, compile(1, 137, 7, 4, 10, 0, 0, 1));
        assertEquals(21, o.srr);
        assertTrue(o.isStrictRoute);
        assertEquals(-1, compile(131, 11, 8, 10, 0, 0, 1, 10, 0, 0, 2));
        assertEquals(20, o.srr);
        assertFalse(o.isStrictRoute);
    }

    @Test
    void timestampChecks() {
        assertAll(
                () -> assertEquals(21, compile(68, 3, 5), "length 3"),
                () -> assertEquals(22, compile(68, 8, 4, 0, 0, 0, 0, 0), "pointer 4"),
                () -> assertEquals(22, compile(68, 10, 9, 0, 0, 0, 0, 0, 0, 0), "pointer 9 leaves 2 bytes"),
                () -> assertEquals(22, compile(68, 8, 5, 1, 0, 0, 0, 0), "address and timestamp need 8 bytes"),
                () -> assertEquals(22, compile(68, 8, 5, 3, 0, 0, 0, 0), "prespecified needs 8 bytes"),
                () -> assertEquals(23, compile(68, 8, 9, 0xf0, 0, 0, 0, 0), "full, and the overflow count is at 15"),
                () -> assertEquals(-1, compile(68, 8, 9, 0xe0, 0, 0, 0, 0), "full, overflow 14 can still count"),
                () -> assertEquals(-1, compile(68, 12, 13, 0xf3, 0, 0, 0, 0, 0, 0, 0, 0), "prespecified never counts"),
                () -> assertEquals(-1, compile(68, 8, 5, 2, 0, 0, 0, 0), "an unknown flag is passed on"));
        assertEquals(20, o.ts);
    }

    @Test
    void routerAlertAndCipso() {
        assertEquals(-1, compile(148, 4, 0, 0));
        assertEquals(20, o.routerAlert);
        assertEquals(-1, compile(148, 4, 0, 1));
        assertEquals(0, o.routerAlert, "only value 0 means examine this packet (RFC 2113)");
        assertEquals(21, compile(148, 2), "router alert of length 2");
        assertEquals(21, compile(134, 6, 0, 0, 0, 1), "CIPSO shorter than 8");
        assertEquals(-1, compile(1, 1, 1, 1, 134, 8, 0, 0, 0, 1, 0, 0));
        assertEquals(24, o.cipso);
    }

    @Test
    void unknownOptionsNopsAndEndAreSkipped() {
        assertAll(
                () -> assertEquals(-1, compile(1, 1, 1, 0), "NOPs then end"),
                () -> assertEquals(-1, compile(200, 4, 0, 0, 1, 0), "an unknown option is skipped by its length"),
                () -> assertEquals(-1, compile(130, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0), "security (RFC 1108) is skipped"),
                () -> assertEquals(-1, compile(0, 7, 0, 3, 1, 1), "nothing after the end is read"));
        assertEquals(-1, compile());
        assertEquals(0, o.optLen);
    }

    @Test
    void randomOptionAreasNeverThrowOrLoop() {
        Random r = new Random(9);
        byte[] b = new byte[60];
        for (int i = 0; i < 100_000; i++) {
            r.nextBytes(b);
            if (r.nextBoolean()) {
                // Bias towards the options the parser looks into, so their checks are reached.
                int[] known = {0, 1, 7, 68, 131, 137, 148, 134};
                for (int k = 20; k < 60; k += 1 + r.nextInt(6)) {
                    b[k] = (byte) known[r.nextInt(known.length)];
                }
            }
            int hlen = 20 + 4 * r.nextInt(11);
            Ipv4Header.setVersionIhl(b, 0, hlen);
            int bad = o.compile(b, 0);
            assertTrue(bad == -1 || (bad >= 20 && bad < hlen), "offset " + bad + " with header length " + hlen);
            if (bad == -1) {
                assertRecordedOffsetsAreOptions(b, hlen);
            }
        }
    }

    @Test
    void mutatedCapturesNeverThrow() {
        Random r = new Random(10);
        for (byte[] frame : new byte[][] {Captures.ECHO_RR_REQUEST, Captures.ECHO_RR_REPLY, Captures.ECHO_TS_REQUEST, Captures.ECHO_TS_REPLY}) {
            for (int i = 0; i < 20_000; i++) {
                byte[] b = frame.clone();
                for (int n = 1 + r.nextInt(3); n > 0; n--) {
                    b[IP + 20 + r.nextInt(40)] = (byte) r.nextInt(256);
                }
                int bad = o.compile(b, IP);
                assertTrue(bad == -1 || (bad >= 20 && bad < 60), "offset " + bad);
            }
        }
    }

    private void assertRecordedOffsetsAreOptions(byte[] b, int hlen) {
        assertEquals(hlen - 20, o.optLen);
        if (o.rr != 0) {
            assertEquals(Ipv4Options.OPT_RR, b[o.rr] & 0xff);
        }
        if (o.ts != 0) {
            assertEquals(Ipv4Options.OPT_TIMESTAMP, b[o.ts] & 0xff);
        }
        if (o.srr != 0) {
            assertEquals(o.isStrictRoute ? Ipv4Options.OPT_SSRR : Ipv4Options.OPT_LSRR, b[o.srr] & 0xff);
        }
        if (o.routerAlert != 0) {
            assertEquals(Ipv4Options.OPT_RA, b[o.routerAlert] & 0xff);
        }
        if (o.cipso != 0) {
            assertEquals(Ipv4Options.OPT_CIPSO, b[o.cipso] & 0xff);
        }
    }
}
