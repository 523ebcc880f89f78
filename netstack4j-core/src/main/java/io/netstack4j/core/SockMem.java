package io.netstack4j.core;

/**
 * One namespace's socket buffer limits ({@code net/core/sysctl_net_core.c}): the default and
 * largest {@code SO_RCVBUF} / {@code SO_SNDBUF}, under their Linux names, and the kernel's
 * accounting of a buffer's memory ({@code skb->truesize}). Read on the loop thread.
 */
public final class SockMem {

    /** {@code SK_WMEM_MAX}/{@code SK_RMEM_MAX}: 212992 on 64-bit Linux. */
    public static final int DEFAULT = 212992;
    /** {@code SKB_DATA_ALIGN(sizeof(struct sk_buff))}: what a buffer costs beyond its data. */
    public static final int SKB_OVERHEAD = 256;
    /** {@code TCP_SKB_MIN_TRUESIZE}: 2048 + the sk_buff. */
    public static final int SKB_MIN_TRUESIZE = 2048 + SKB_OVERHEAD;
    /** {@code SOCK_MIN_RCVBUF}. */
    public static final int MIN_RCVBUF = SKB_MIN_TRUESIZE;
    /** {@code SOCK_MIN_SNDBUF}. */
    public static final int MIN_SNDBUF = 2 * SKB_MIN_TRUESIZE;

    private int rmemDefault = DEFAULT;
    private int wmemDefault = DEFAULT;
    private int rmemMax = DEFAULT;
    private int wmemMax = DEFAULT;

    public SockMem(Sysctls sysctls) {
        sysctls.registerInt("net.core.rmem_default", MIN_RCVBUF, Integer.MAX_VALUE, () -> rmemDefault, v -> rmemDefault = v);
        sysctls.registerInt("net.core.wmem_default", MIN_SNDBUF, Integer.MAX_VALUE, () -> wmemDefault, v -> wmemDefault = v);
        sysctls.registerInt("net.core.rmem_max", MIN_RCVBUF, Integer.MAX_VALUE, () -> rmemMax, v -> rmemMax = v);
        sysctls.registerInt("net.core.wmem_max", MIN_SNDBUF, Integer.MAX_VALUE, () -> wmemMax, v -> wmemMax = v);
    }

    public int rmemDefault() {
        return rmemDefault;
    }

    public int wmemDefault() {
        return wmemDefault;
    }

    public int rmemMax() {
        return rmemMax;
    }

    public int wmemMax() {
        return wmemMax;
    }

    /**
     * What a buffer is charged to a socket ({@code skb->truesize}): its whole backing array plus
     * the sk_buff itself, so a small datagram in a pooled 2 KiB array costs 2304 bytes.
     */
    public static int truesize(PacketBuffer skb) {
        return skb.capacity() + SKB_OVERHEAD;
    }

    /**
     * The value {@code setsockopt(SO_RCVBUF)} stores ({@code sk_setsockopt}): the request capped
     * at {@code rmem_max}, doubled for bookkeeping overhead, and at least {@link #MIN_RCVBUF}.
     */
    public int clampRcvbuf(int requested) {
        long v = Math.min(Math.max(requested, 0), rmemMax);
        return (int) Math.max(Math.min(v * 2, Integer.MAX_VALUE), MIN_RCVBUF);
    }

    /** As {@link #clampRcvbuf} for {@code SO_SNDBUF}, with {@code wmem_max} and {@link #MIN_SNDBUF}. */
    public int clampSndbuf(int requested) {
        long v = Math.min(Math.max(requested, 0), wmemMax);
        return (int) Math.max(Math.min(v * 2, Integer.MAX_VALUE), MIN_SNDBUF);
    }
}
