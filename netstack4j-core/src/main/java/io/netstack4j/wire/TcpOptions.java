package io.netstack4j.wire;

/**
 * The TCP options of one received segment, parsed into fields ({@code struct
 * tcp_options_received}, filled by {@code tcp_parse_options}). One instance is reused for every
 * segment, so parsing allocates nothing.
 *
 * <p>Parsing never loops and never reads past the header: an option whose length byte is 0 or
 * 1, or runs past the end, stops the parse (as Linux does), and options with a wrong length for
 * their kind are ignored. Only SYN segments may carry MSS, window scale and SACK-permitted
 * (RFC 9293 3.7.1, RFC 7323 2.2, RFC 2018 2); they are ignored elsewhere.
 */
public final class TcpOptions {

    public static final int EOL = 0;
    public static final int NOP = 1;
    public static final int MSS = 2;
    public static final int WSCALE = 3;
    public static final int SACK_PERM = 4;
    public static final int SACK = 5;
    public static final int TIMESTAMP = 8;

    public static final int MSS_LEN = 4;
    public static final int WSCALE_LEN = 3;
    public static final int SACK_PERM_LEN = 2;
    public static final int TIMESTAMP_LEN = 10;
    /** RFC 7323 2.3: shift counts above 14 are used as 14. */
    public static final int MAX_WSCALE = 14;
    /** NOP, NOP, TIMESTAMP, 10 as one big-endian word ({@code TCPOPT_TSTAMP_HDR}). */
    private static final int ALIGNED_TS = NOP << 24 | NOP << 16 | TIMESTAMP << 8 | TIMESTAMP_LEN;
    private static final int ALIGNED_TS_LEN = 12;
    /** At most four SACK blocks fit in 40 option bytes. */
    public static final int MAX_SACK_BLOCKS = 4;

    /** The MSS option, or 0 when absent. */
    public int mss;
    /** The window scale shift (clamped to 14), or -1 when absent. */
    public int wscale = -1;
    /** True when the shift offered was above 14 and was clamped. */
    public boolean wscaleClamped;
    public boolean sackOk;
    /** {@code saw_tstamp}, with {@code rcv_tsval} and {@code rcv_tsecr}. */
    public boolean sawTstamp;
    public int tsVal;
    public int tsEcr;
    /** SACK blocks in the order received. */
    public int numSacks;
    public final int[] sackStart = new int[MAX_SACK_BLOCKS];
    public final int[] sackEnd = new int[MAX_SACK_BLOCKS];

    private void clear() {
        mss = 0;
        wscale = -1;
        wscaleClamped = false;
        sackOk = false;
        sawTstamp = false;
        tsVal = 0;
        tsEcr = 0;
        numSacks = 0;
    }

    /**
     * Parses the options of the TCP header at {@code off}; the caller has checked the header
     * with {@link TcpHeader#checkLength}.
     *
     * @return false when the option area was malformed (a length below 2 or running past the
     *     header); the fields parsed before the fault are kept, as Linux keeps them
     */
    public boolean parse(byte[] b, int off) {
        clear();
        boolean syn = (TcpHeader.flags(b, off) & TcpHeader.SYN) != 0;
        int i = off + TcpHeader.MIN_LEN;
        int end = off + TcpHeader.headerLength(b, off);
        // tcp_parse_aligned_timestamp: every segment after the handshake from Linux (and from
        // this stack) starts NOP, NOP, TS; one 32-bit compare recognises it. The fields come out
        // as the loop below would set them.
        if (end - i >= ALIGNED_TS_LEN && Bytes.u32(b, i) == ALIGNED_TS) {
            sawTstamp = true;
            tsVal = Bytes.u32(b, i + 4);
            tsEcr = Bytes.u32(b, i + 8);
            i += ALIGNED_TS_LEN;
        }
        while (i < end) {
            int kind = b[i] & 0xff;
            if (kind == EOL) {
                return true;
            }
            if (kind == NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return false;
            }
            int len = b[i + 1] & 0xff;
            if (len < 2 || i + len > end) {
                return false;
            }
            switch (kind) {
                case MSS -> {
                    if (len == MSS_LEN && syn) {
                        mss = Bytes.u16(b, i + 2);
                    }
                }
                case WSCALE -> {
                    if (len == WSCALE_LEN && syn) {
                        int shift = b[i + 2] & 0xff;
                        wscaleClamped = shift > MAX_WSCALE;
                        wscale = Math.min(shift, MAX_WSCALE);
                    }
                }
                case SACK_PERM -> {
                    if (len == SACK_PERM_LEN && syn) {
                        sackOk = true;
                    }
                }
                case TIMESTAMP -> {
                    if (len == TIMESTAMP_LEN) {
                        sawTstamp = true;
                        tsVal = Bytes.u32(b, i + 2);
                        tsEcr = Bytes.u32(b, i + 6);
                    }
                }
                case SACK -> {
                    if (len >= 10 && (len - 2) % 8 == 0 && !syn) {
                        int n = Math.min((len - 2) / 8, MAX_SACK_BLOCKS);
                        for (int k = 0; k < n; k++) {
                            sackStart[k] = Bytes.u32(b, i + 2 + 8 * k);
                            sackEnd[k] = Bytes.u32(b, i + 6 + 8 * k);
                        }
                        numSacks = n;
                    }
                }
                default -> {
                    // Unknown options are skipped by their length (RFC 9293 3.2: MUST ignore).
                }
            }
            i += len;
        }
        return true;
    }

    /**
     * Writes Linux's SYN option block ({@code tcp_options_write} for a SYN): MSS, then
     * SACK-permitted folded with the timestamp ({@code sackOK, TS}), then NOP and window scale.
     * Returns the number of bytes written (a multiple of 4, at most 20). {@code wscale} -1 and
     * {@code tsVal} unused when {@code ts} is false leave those options out, NOP-padded as Linux.
     */
    public static int writeSyn(byte[] b, int off, int mss, boolean sackOk, boolean ts, int tsVal, int tsEcr, int wscale) {
        int i = off;
        Bytes.setU8(b, i, MSS);
        Bytes.setU8(b, i + 1, MSS_LEN);
        Bytes.setU16(b, i + 2, mss);
        i += 4;
        if (ts) {
            if (sackOk) {
                Bytes.setU8(b, i, SACK_PERM);
                Bytes.setU8(b, i + 1, SACK_PERM_LEN);
            } else {
                Bytes.setU8(b, i, NOP);
                Bytes.setU8(b, i + 1, NOP);
            }
            Bytes.setU8(b, i + 2, TIMESTAMP);
            Bytes.setU8(b, i + 3, TIMESTAMP_LEN);
            Bytes.setU32(b, i + 4, tsVal);
            Bytes.setU32(b, i + 8, tsEcr);
            i += 12;
        } else if (sackOk) {
            Bytes.setU8(b, i, NOP);
            Bytes.setU8(b, i + 1, NOP);
            Bytes.setU8(b, i + 2, SACK_PERM);
            Bytes.setU8(b, i + 3, SACK_PERM_LEN);
            i += 4;
        }
        if (wscale >= 0) {
            Bytes.setU8(b, i, NOP);
            Bytes.setU8(b, i + 1, WSCALE);
            Bytes.setU8(b, i + 2, WSCALE_LEN);
            Bytes.setU8(b, i + 3, wscale);
            i += 4;
        }
        return i - off;
    }

    /** Writes {@code NOP, NOP, TS(val, ecr)}, 12 bytes, as Linux on every segment after the SYN. */
    public static int writeTimestamp(byte[] b, int off, int tsVal, int tsEcr) {
        Bytes.setU8(b, off, NOP);
        Bytes.setU8(b, off + 1, NOP);
        Bytes.setU8(b, off + 2, TIMESTAMP);
        Bytes.setU8(b, off + 3, TIMESTAMP_LEN);
        Bytes.setU32(b, off + 4, tsVal);
        Bytes.setU32(b, off + 8, tsEcr);
        return 12;
    }

    /**
     * Writes {@code NOP, NOP, SACK} with {@code n} blocks taken from the arrays, 4 + 8n bytes.
     */
    public static int writeSack(byte[] b, int off, int[] start, int[] end, int n) {
        Bytes.setU8(b, off, NOP);
        Bytes.setU8(b, off + 1, NOP);
        Bytes.setU8(b, off + 2, SACK);
        Bytes.setU8(b, off + 3, 2 + 8 * n);
        for (int k = 0; k < n; k++) {
            Bytes.setU32(b, off + 4 + 8 * k, start[k]);
            Bytes.setU32(b, off + 8 + 8 * k, end[k]);
        }
        return 4 + 8 * n;
    }
}
