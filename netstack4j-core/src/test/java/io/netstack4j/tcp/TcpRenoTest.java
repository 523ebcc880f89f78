package io.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reno ({@code tcp_reno_ops}) window arithmetic, and the algorithm registry. */
class TcpRenoTest {

    private final TcpCongestionOps reno = TcpCongestion.create("reno");

    private static CwndState window(int cwnd, int ssthresh) {
        CwndState s = new CwndState();
        s.sndCwnd = cwnd;
        s.sndSsthresh = ssthresh;
        s.cwndLimited = true;
        return s;
    }

    /** One RTT of ACK clocking: every segment of the window is ACKed on its own. */
    private void oneRtt(CwndState s) {
        int flight = s.sndCwnd;
        for (int i = 0; i < flight; i++) {
            reno.congAvoid(s, 1);
        }
    }

    @Test
    void slowStartDoublesEachRtt() {
        CwndState s = window(10, CwndState.INFINITE_SSTHRESH);
        oneRtt(s);
        assertEquals(20, s.sndCwnd);
        oneRtt(s);
        assertEquals(40, s.sndCwnd);
        oneRtt(s);
        assertEquals(80, s.sndCwnd);
        assertEquals(0, s.sndCwndCnt, "slow start does not use the AI counter");
    }

    @Test
    void slowStartStopsAtSsthreshThenGrowsOnePerRtt() {
        CwndState s = window(10, 50);
        oneRtt(s);
        oneRtt(s);
        assertEquals(40, s.sndCwnd);
        // 40 ACKs: 10 take the window to ssthresh, the other 30 are additive-increase credit.
        oneRtt(s);
        assertEquals(50, s.sndCwnd);
        assertEquals(30, s.sndCwndCnt);
        oneRtt(s);
        assertEquals(51, s.sndCwnd);
        oneRtt(s);
        assertEquals(52, s.sndCwnd);
    }

    @Test
    void stretchAckCrossingSsthreshSpendsTheRestInCongestionAvoidance() {
        CwndState s = window(45, 50);
        assertEquals(10, TcpReno.tcpSlowStart(s, 15));
        assertEquals(50, s.sndCwnd);

        CwndState t = window(45, 50);
        reno.congAvoid(t, 15);
        assertEquals(50, t.sndCwnd);
        assertEquals(10, t.sndCwndCnt);
    }

    @Test
    void additiveIncreaseIsOneSegmentPerWindowAcked() {
        CwndState s = window(20, 10);
        for (int i = 0; i < 19; i++) {
            reno.congAvoid(s, 1);
        }
        assertEquals(20, s.sndCwnd, "19 of 20 segments ACKed: not yet");
        reno.congAvoid(s, 1);
        assertEquals(21, s.sndCwnd);
        assertEquals(0, s.sndCwndCnt);
        for (int rtt = 0; rtt < 10; rtt++) {
            oneRtt(s);
        }
        assertEquals(31, s.sndCwnd);
    }

    @Test
    void stretchAckCoveringSeveralWindowsGrowsBySeveralSegments() {
        CwndState s = window(20, 10);
        TcpReno.tcpCongAvoidAi(s, 20, 45);
        assertEquals(22, s.sndCwnd);
        assertEquals(5, s.sndCwndCnt);
    }

    @Test
    void creditEarnedAtALargerWIsSpentAsOneSegment() {
        CwndState s = window(20, 10);
        s.sndCwndCnt = 35;
        TcpReno.tcpCongAvoidAi(s, 20, 1);
        assertEquals(21, s.sndCwnd);
        assertEquals(1, s.sndCwndCnt);
    }

    @Test
    void windowNeverPassesTheClamp() {
        CwndState s = window(10, CwndState.INFINITE_SSTHRESH);
        s.sndCwndClamp = 12;
        reno.congAvoid(s, 5);
        assertEquals(12, s.sndCwnd);

        CwndState t = window(12, 5);
        t.sndCwndClamp = 12;
        for (int i = 0; i < 100; i++) {
            reno.congAvoid(t, 1);
        }
        assertEquals(12, t.sndCwnd);
    }

    @Test
    void noGrowthWhenNotCwndLimited() {
        CwndState slow = window(10, CwndState.INFINITE_SSTHRESH);
        slow.cwndLimited = false;
        CwndState avoid = window(30, 20);
        avoid.cwndLimited = false;
        for (int i = 0; i < 100; i++) {
            reno.congAvoid(slow, 1);
            reno.congAvoid(avoid, 1);
        }
        assertEquals(10, slow.sndCwnd);
        assertEquals(30, avoid.sndCwnd);
        assertEquals(0, avoid.sndCwndCnt);
    }

    @Test
    void ssthreshHalvesTheWindowWithAFloorOfTwo() {
        assertEquals(50, reno.ssthresh(window(100, 10)));
        assertEquals(50, reno.ssthresh(window(101, 10)));
        assertEquals(2, reno.ssthresh(window(3, 10)));
        assertEquals(2, reno.ssthresh(window(1, 10)));
    }

    @Test
    void undoReturnsToTheWindowBeforeTheReduction() {
        CwndState s = window(35, 35);
        s.priorCwnd = 70;
        assertEquals(70, reno.undoCwnd(s));
        s.sndCwnd = 80;
        assertEquals(80, reno.undoCwnd(s), "a window that already regrew is kept");
    }

    @Test
    void registryCreatesAFreshInstancePerSocket() {
        TcpCongestionOps a = TcpCongestion.create("reno");
        TcpCongestionOps b = TcpCongestion.create("cubic");
        assertInstanceOf(TcpReno.class, a);
        assertInstanceOf(TcpCubic.class, b);
        assertEquals("reno", a.name());
        assertEquals("cubic", b.name());
        assertNotSame(b, TcpCongestion.create("cubic"), "state is per socket");
        assertEquals("cubic", TcpCongestion.create(TcpCongestion.DEFAULT).name());
    }

    @Test
    void registryRefusesAnUnknownNameWithEnoent() {
        NetException e = assertThrows(NetException.class, () -> TcpCongestion.create("bogus"));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("bogus"), e.getMessage());
        assertThrows(NetException.class, () -> TcpCongestion.create("Cubic"), "names are case-sensitive");
    }

    @Test
    void availableListsRenoThenCubicAsLinuxPrintsThem() {
        assertEquals(List.of("reno", "cubic"), TcpCongestion.available());
        for (String name : TcpCongestion.available()) {
            assertEquals(name, TcpCongestion.create(name).name());
        }
    }
}
