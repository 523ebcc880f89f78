package io.netstack4j.tcp;

/**
 * SYN cookies ({@code net/ipv4/syncookies.c}): when the SYN queue is full, the listener keeps no
 * state and encodes what it needs into the SYN-ACK's sequence number instead; the final ACK
 * brings it back (ack - 1) and, if it checks out, the connection is created from it.
 *
 * <pre>
 *   cookie = H1(4-tuple) + client ISN + (minute counter << 24)
 *            + ((H2(4-tuple, minute counter) + MSS index) mod 2^24)
 * </pre>
 *
 * A cookie is valid for two minutes ({@code MAX_SYNCOOKIE_AGE}). The MSS is one of four
 * values ({@code msstab}). With timestamps, the low six bits of our TSval carry the window
 * scale and SACK-permitted the client offered ({@code cookie_init_timestamp}), so those options
 * survive too.
 */
final class SynCookies {

    static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    private static final int MAX_AGE = 2;

    private final long secret0;
    private final long secret1;

    SynCookies(long secret0, long secret1) {
        this.secret0 = secret0;
        this.secret1 = secret1;
    }

    private static int hash(int saddr, int daddr, int sport, int dport, long count, long secret) {
        long z = secret ^ ((long) saddr << 32 | daddr & 0xffffffffL);
        z = (z ^ z >>> 31) * 0x9E3779B97F4A7C15L;
        z ^= (long) sport << 48 | (long) dport << 32 | count;
        z = (z ^ z >>> 29) * 0xBF58476D1CE4E5B9L;
        z ^= z >>> 32;
        return (int) z;
    }

    /** The index into {@link #MSS_TABLE} of the largest entry not above {@code mss}. */
    static int mssIndex(int mss) {
        int i = MSS_TABLE.length - 1;
        while (i > 0 && MSS_TABLE[i] > mss) {
            i--;
        }
        return i;
    }

    /** {@code __cookie_v4_init_sequence}. {@code minutes} is the loop's clock in minutes. */
    int initSequence(int saddr, int daddr, int sport, int dport, int clientIsn, int mssIndex, long minutes) {
        int count = (int) minutes;
        return hash(saddr, daddr, sport, dport, 0, secret0) + clientIsn + (count << 24)
                + ((hash(saddr, daddr, sport, dport, count & 0xffffffffL, secret1) + mssIndex) & 0xffffff);
    }

    /** {@code __cookie_v4_check}: the MSS index encoded in {@code cookie}, or -1 when it is forged or stale. */
    int check(int saddr, int daddr, int sport, int dport, int clientIsn, int cookie, long minutes) {
        int count = (int) minutes;
        int c = cookie - hash(saddr, daddr, sport, dport, 0, secret0) - clientIsn;
        int then = c >>> 24;
        int age = (count - then) & 0xff;
        if (age > MAX_AGE) {
            return -1;
        }
        int thenFull = count - age;
        int idx = (c - hash(saddr, daddr, sport, dport, thenFull & 0xffffffffL, secret1)) & 0xffffff;
        return idx < MSS_TABLE.length ? idx : -1;
    }

    /** {@code cookie_init_timestamp}: TSval with the client's window scale (0xf = none) and SACK-permitted in the low bits. */
    static int encodeTsOptions(int tsVal, int sndWscale, boolean sackOk) {
        int opts = (sndWscale >= 0 ? sndWscale & 0xf : 0xf) | (sackOk ? 0x10 : 0);
        int v = tsVal & ~0x3f | opts;
        return v - tsVal > 0 ? v - 64 : v;
    }
}
