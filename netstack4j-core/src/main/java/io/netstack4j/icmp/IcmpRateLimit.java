package io.netstack4j.icmp;

/**
 * ICMP error rate limiting as Linux does it: a global token bucket ({@code icmp_global_allow}:
 * {@code icmp_msgs_per_sec} with burst {@code icmp_msgs_burst}) and a per-destination bucket
 * ({@code inet_peer_xrlim_allow}: one message per {@code icmp_ratelimit} ms, bursts of six).
 * Only the types in {@code icmp_ratemask} are limited; echo replies never are. The per-peer
 * state lives in a fixed direct-mapped table, so a flood of sources cannot grow memory; a
 * collision resets a peer's bucket, which errs towards sending.
 */
final class IcmpRateLimit {

    private static final int PEER_SLOTS = 1024;
    /** XRLIM_BURST_FACTOR: a quiet peer may receive this many errors back to back. */
    private static final int BURST_FACTOR = 6;
    private static final long MS = 1_000_000L;

    int ratelimitMs = 1000;
    int ratemask = 0x1818;
    int msgsPerSec = 1000;
    int msgsBurst = 50;

    private long globalCredit = -1;
    private long globalStamp;
    private final int[] peerAddr = new int[PEER_SLOTS];
    private final long[] peerTokens = new long[PEER_SLOTS];
    private final long[] peerStamp = new long[PEER_SLOTS];
    private final boolean[] peerUsed = new boolean[PEER_SLOTS];

    boolean limited(int type) {
        return type <= 18 && (ratemask & (1 << type)) != 0;
    }

    /** {@code icmp_global_allow}: refills {@code msgsPerSec} per second up to the burst. */
    boolean globalAllow(long now) {
        if (msgsPerSec == 0) {
            return true;
        }
        if (globalCredit < 0) {
            globalCredit = msgsBurst;
            globalStamp = now;
        }
        long elapsed = now - globalStamp;
        if (elapsed >= 20 * MS) {
            globalCredit = Math.min(msgsBurst, globalCredit + elapsed * msgsPerSec / 1_000_000_000L);
            globalStamp = now;
        }
        if (globalCredit > 0) {
            globalCredit--;
            return true;
        }
        return false;
    }

    /** {@code inet_peer_xrlim_allow}: one token per message, one token earned per interval. */
    boolean peerAllow(int daddr, long now) {
        if (ratelimitMs == 0) {
            return true;
        }
        long timeout = ratelimitMs * MS;
        int h = daddr * 0x9E3779B1;
        int slot = (h ^ h >>> 16) & (PEER_SLOTS - 1);
        if (!peerUsed[slot] || peerAddr[slot] != daddr) {
            peerUsed[slot] = true;
            peerAddr[slot] = daddr;
            peerTokens[slot] = BURST_FACTOR * timeout;
            peerStamp[slot] = now;
        }
        long tokens = Math.min(BURST_FACTOR * timeout, peerTokens[slot] + (now - peerStamp[slot]));
        peerStamp[slot] = now;
        if (tokens >= timeout) {
            peerTokens[slot] = tokens - timeout;
            return true;
        }
        peerTokens[slot] = tokens;
        return false;
    }
}
