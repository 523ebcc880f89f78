package io.netstack4j.cli.soak;

import io.netstack4j.wire.TcpHeader;
import java.util.ArrayDeque;
import java.util.List;

/**
 * What the two hosts saw of one flow's segments: the independent witness the soak uses to tell
 * a timeout that random loss explains from one the stack caused. Segments a host's stack sends
 * are seen at LOCAL_OUT, before the egress qdisc (netem drops there, out of any tap's sight);
 * segments that reach a host are seen at its device taps.
 *
 * <p>A connection times out when its data stays unacknowledged for the user timeout. On a path
 * with a few percent of loss per link, backing-off retransmissions can all be lost in that
 * time (or their ACKs can), and then TCP is right to give up, as Linux's would. The stack is
 * wrong if ACKs that acknowledge new data reached the host and were not acted on, or if it
 * barely retransmitted. So per side this records: when it received a segment whose ACK covered
 * new data (not counting the peer's keepalive probes, which lie below the window and are rightly
 * ignored, nor frames whose checksum netem broke), the round trips of its first transmissions
 * (for the RTO they call for), the times of its own transmissions that ask for an answer (data,
 * FIN, keepalive probes), and when it first sent a reset (an orphan that gave up answers the
 * peer's next segment with one).
 */
final class FlowWire {

    /** How far back transmissions are kept. */
    private static final long KEEP_NS = Soak.USER_TIMEOUT_MS * 1_000_000L + 120_000_000_000L;

    /** One side's view. */
    static final class Side {
        private boolean sentAny;
        private int sndNxt;
        private boolean ackedAny;
        private int highestAck;
        private final ArrayDeque<Long> ackProgressNs = new ArrayDeque<>();
        long firstRstNs = -1;
        private final ArrayDeque<Long> txNs = new ArrayDeque<>();
        /** Data this side sent and no ACK covered yet: {start, end sequence, first sent at, 1 if sent again}. */
        private final ArrayDeque<long[]> inFlight = new ArrayDeque<>();
        /** RFC 6298 estimates from the round trips seen on the wire (Karn: never from data sent twice). */
        long srttNs = -1;
        long rttvarNs;

        /** The retransmission timeout the wire's round trips call for: SRTT + max(4 RTTVAR, 200 ms), -1 before any sample. */
        long wireRtoNs() {
            return srttNs < 0 ? -1 : srttNs + Math.max(4 * rttvarNs, 200_000_000L);
        }

        private void rttSample(long r) {
            if (srttNs < 0) {
                srttNs = r;
                rttvarNs = r / 2;
            } else {
                rttvarNs = (3 * rttvarNs + Math.abs(srttNs - r)) / 4;
                srttNs = (7 * srttNs + r) / 8;
            }
        }

        /** Transmissions asking for an answer in [fromNs, toNs]. */
        int transmissionsBetween(long fromNs, long toNs) {
            return count(txNs, fromNs, toNs);
        }

        /** The last arrival of an ACK for new data in [fromNs, toNs], or -1. */
        long lastAckProgressBetween(long fromNs, long toNs) {
            long last = -1;
            for (long t : ackProgressNs) {
                if (t >= fromNs && t <= toNs) {
                    last = t;
                }
            }
            return last;
        }

        private static int count(ArrayDeque<Long> times, long fromNs, long toNs) {
            int n = 0;
            for (long t : times) {
                if (t >= fromNs && t <= toNs) {
                    n++;
                }
            }
            return n;
        }

        private static void add(ArrayDeque<Long> times, long nowNs) {
            times.addLast(nowNs);
            while (!times.isEmpty() && nowNs - times.peekFirst() > KEEP_NS) {
                times.removeFirst();
            }
        }
    }

    final Side c = new Side();
    final Side s = new Side();

    /** A segment side {@code from} transmitted. */
    void sent(Side from, long nowNs, int flags, int seq, int payload) {
        if ((flags & TcpHeader.RST) != 0) {
            if (from.firstRstNs < 0) {
                from.firstRstNs = nowNs;
            }
            return;
        }
        int end = seq + payload + ((flags & (TcpHeader.SYN | TcpHeader.FIN)) != 0 ? 1 : 0);
        boolean probe = payload == 0 && flags == TcpHeader.ACK_FLAG && from.sentAny && seq + 1 == from.sndNxt;
        if (payload > 0 || (flags & (TcpHeader.SYN | TcpHeader.FIN)) != 0 || probe) {
            Side.add(from.txNs, nowNs);
        }
        if (payload > 0 || (flags & (TcpHeader.SYN | TcpHeader.FIN)) != 0) {
            if (!from.sentAny || TcpHeader.after(end, from.sndNxt)) {
                if (from.sentAny && TcpHeader.before(seq, from.sndNxt)) {
                    markSentAgain(from, seq, from.sndNxt);
                }
                from.inFlight.addLast(new long[] {from.sentAny && TcpHeader.before(seq, from.sndNxt) ? from.sndNxt : seq, end, nowNs, 0});
            } else {
                markSentAgain(from, seq, end);
            }
        }
        if (!from.sentAny || TcpHeader.after(end, from.sndNxt)) {
            from.sndNxt = end;
            from.sentAny = true;
        }
    }

    /** Karn: data sent again, [seq, end), gives no round trip. */
    private static void markSentAgain(Side side, int seq, int end) {
        for (long[] e : side.inFlight) {
            if (TcpHeader.after((int) e[1], seq) && TcpHeader.before((int) e[0], end)) {
                e[3] = 1;
            }
        }
    }

    /** A segment from {@code peer} arrived at side {@code at}, its checksum intact. */
    void arrived(Side at, Side peer, long nowNs, int flags, int seq, int ack, int payload) {
        boolean keepaliveProbe = payload == 0 && flags == TcpHeader.ACK_FLAG && peer.sentAny && seq + 1 == peer.sndNxt;
        if (keepaliveProbe || (flags & TcpHeader.ACK_FLAG) == 0 || (flags & TcpHeader.RST) != 0) {
            return;
        }
        if (!at.ackedAny || TcpHeader.after(ack, at.highestAck)) {
            at.highestAck = ack;
            at.ackedAny = true;
            long newestClean = -1;
            while (!at.inFlight.isEmpty() && !TcpHeader.after((int) at.inFlight.peekFirst()[1], ack)) {
                long[] e = at.inFlight.removeFirst();
                if (e[3] == 0) {
                    newestClean = Math.max(newestClean, e[2]);
                }
            }
            if (newestClean >= 0) {
                at.rttSample(nowNs - newestClean);
            }
            // The user timeout runs from the first retransmission still unacknowledged
            // (retrans_stamp); an ACK that leaves a retransmission outstanding does not restart it.
            boolean retransmissionLeft = false;
            for (long[] e : at.inFlight) {
                retransmissionLeft |= e[3] != 0;
            }
            if (!retransmissionLeft) {
                Side.add(at.ackProgressNs, nowNs);
            }
        }
    }

    /**
     * Null if the wire explains why a client gave up its handshake at {@code giveUpNs}: no
     * SYN-ACK reached it, and it retransmitted its SYN as often as {@code synRetries} asks (1,
     * 3, 7, 15, ... s after the first, from RFC 6298's initial RTO of 1 s; one fewer is let pass,
     * and none is expected while its own device was down). The first SYN is not counted: it
     * leaves inside {@code connect()}, before the soak knows the flow's port. Otherwise what the
     * wire shows.
     */
    static String handshakeLossExplains(Side client, long giveUpNs, int synRetries, List<long[]> ownDowns) {
        long span = ((1L << (synRetries + 1)) - 1) * 1_000_000_000L;
        long first = giveUpNs - span;
        long from = first - 1_000_000_000L;
        long progress = client.lastAckProgressBetween(from, giveUpNs);
        if (progress >= 0) {
            return String.format(java.util.Locale.ROOT, "a SYN-ACK reached it %.3f s before it gave up", (giveUpNs - progress) / 1e9);
        }
        int unseen = 0;
        for (int k = 1; k <= synRetries; k++) {
            long at = first + ((1L << k) - 1) * 1_000_000_000L;
            if (within(ownDowns, at)) {
                unseen++;
            }
        }
        int tx = client.transmissionsBetween(from, giveUpNs);
        int needed = Math.max(0, synRetries - unseen - 1);
        if (tx < needed) {
            return String.format(java.util.Locale.ROOT, "it retransmitted its SYN only %d times, where tcp_syn_retries = %d asks for %d%s", tx,
                    synRetries, synRetries, unseen > 0 ? " (" + unseen + " of them while its own device was down)" : "");
        }
        return null;
    }

    /** True if {@code at} lies in one of the intervals {from, to}, ends included. */
    private static boolean within(List<long[]> intervals, long at) {
        for (long[] d : intervals) {
            if (d[0] <= at && at <= d[1]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Null if the wire explains why {@code side} gave up at {@code giveUpNs}: in the user timeout
     * before it, no ACK for new data reached it, and it transmitted as often as a retransmission
     * timer backing off from the RTO that the round trips seen on the wire call for would (if
     * that RTO is R, at the first retransmission and 2R, 6R, 14R, ... after it; two fewer are
     * let pass, see below); otherwise what the wire shows. Only ACKs that leave
     * no retransmitted data outstanding count: the user timeout runs from the first
     * retransmission still unacknowledged ({@code retrans_stamp}), so an ACK for newer data alone
     * does not restart it.
     * A sender that stalled, or whose RTO grew far beyond its path's round trips, is not excused.
     * Transmissions are counted from {@code slackNs} earlier, for a side whose moment of giving
     * up is only bounded from above (an orphan, known by its later reset).
     */
    static String lossExplains(Side side, long giveUpNs, long slackNs) {
        return lossExplains(side, giveUpNs, slackNs, List.of());
    }

    /**
     * As above, for a side whose own device was down in the intervals {@code ownDowns} ({from,
     * to}): the timer's firings that fall in them found no route and are not expected on the wire.
     */
    static String lossExplains(Side side, long giveUpNs, long slackNs, List<long[]> ownDowns) {
        long timeout = Soak.USER_TIMEOUT_MS * 1_000_000L;
        long from = giveUpNs - timeout;
        long progress = side.lastAckProgressBetween(from, giveUpNs);
        if (progress >= 0) {
            return String.format(java.util.Locale.ROOT, "an ACK for new data reached it %.3f s before it gave up",
                    (giveUpNs - progress) / 1e9);
        }
        int tx = side.transmissionsBetween(from - slackNs, giveUpNs);
        long rto = side.wireRtoNs();
        if (rto <= 0) {
            return null;
        }
        // The first retransmission opens the user timeout; the timer has doubled by then, so
        // it fires again 2R, 6R, 14R, ... after it (RFC 6298 5.5). Two of those firings may go
        // unseen: the first, which lies on the window's edge, and one more because Linux's RTO
        // estimator runs higher than RFC 6298's.
        int firings = 0;
        int unseen = 0;
        for (int k = 0; k < 40 && 2 * rto * ((1L << k) - 1) <= timeout; k++) {
            long at = from + 2 * rto * ((1L << k) - 1);
            firings++;
            if (within(ownDowns, at)) {
                unseen++;
            }
        }
        int needed = Math.max(0, firings - unseen - 2);
        if (tx < needed) {
            return String.format(java.util.Locale.ROOT,
                    "it transmitted only %d times in the user timeout before it gave up, where a timer backing off from the RTO its"
                            + " path's round trips call for (%.3f s) fires %d times%s", tx, rto / 1e9, firings,
                    unseen > 0 ? " (" + unseen + " of them while its own device was down)" : "");
        }
        return null;
    }
}
