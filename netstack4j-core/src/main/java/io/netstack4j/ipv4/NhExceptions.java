package io.netstack4j.ipv4;

/**
 * Next-hop exceptions per destination: the kernel's {@code struct fib_nh_exception}
 * ({@code update_or_create_fnhe}). An entry carries a learned path MTU (a frag-needed message,
 * RFC 1191), a gateway learned from an accepted ICMP redirect (RFC 1122 3.2.2.2), or both,
 * and one expiry: {@code net.ipv4.route.mtu_expires} after a PMTU, the route GC timeout after a
 * redirect. Past it the route's own MTU and gateway apply again.
 *
 * <p>Linux hangs the exceptions off each next hop; here they are one table per namespace keyed
 * by destination, and a redirected gateway applies only to routes that leave by the device the
 * redirect came in on and have a gateway themselves. The table is a fixed array of buckets,
 * each holding a few entries; a full bucket replaces its oldest entry ({@code fnhe_oldest}), so
 * memory is bounded whatever arrives.
 */
final class NhExceptions {

    static final int BUCKETS = 2048;
    /** Entries per bucket ({@code FNHE_RECLAIM_DEPTH}). */
    static final int DEPTH = 5;

    private final int[] daddr = new int[BUCKETS * DEPTH];
    private final int[] pmtu = new int[BUCKETS * DEPTH];
    private final int[] gateway = new int[BUCKETS * DEPTH];
    private final int[] gatewayIfindex = new int[BUCKETS * DEPTH];
    private final long[] expires = new long[BUCKETS * DEPTH];
    private final long[] stamp = new long[BUCKETS * DEPTH];
    private final int key;
    private int size;

    NhExceptions(int key) {
        this.key = key;
    }

    private int bucket(int addr) {
        int h = (addr ^ key) * 0x9E3779B1;
        return ((h ^ h >>> 16) & (BUCKETS - 1)) * DEPTH;
    }

    private boolean used(int i) {
        return pmtu[i] != 0 || gateway[i] != 0;
    }

    private void free(int i) {
        pmtu[i] = 0;
        gateway[i] = 0;
        size--;
    }

    /** The index of the live entry for {@code addr}, or -1. */
    int find(int addr, long now) {
        int b = bucket(addr);
        for (int i = b; i < b + DEPTH; i++) {
            if (used(i) && daddr[i] == addr) {
                if (expires[i] - now <= 0) {
                    free(i);
                    return -1;
                }
                return i;
            }
        }
        return -1;
    }

    /** The learned path MTU of entry {@code index}, 0 when it has none. */
    int pmtu(int index) {
        return pmtu[index];
    }

    /** The redirected gateway of entry {@code index}, 0 when it has none. */
    int gateway(int index) {
        return gateway[index];
    }

    /** The device the redirect for entry {@code index} came in on. */
    int gatewayIfindex(int index) {
        return gatewayIfindex[index];
    }

    long expires(int index) {
        return expires[index];
    }

    /** Records (or refreshes) {@code mtu} toward {@code addr} until {@code until}; a gateway already there stays. */
    void putPmtu(int addr, int mtu, long now, long until) {
        int i = slot(addr, now);
        pmtu[i] = mtu;
        expires[i] = until;
    }

    /** Records (or refreshes) a redirect to {@code gw} on {@code ifindex} toward {@code addr}; a PMTU already there stays. */
    void putGateway(int addr, int gw, int ifindex, long now, long until) {
        int i = slot(addr, now);
        gateway[i] = gw;
        gatewayIfindex[i] = ifindex;
        expires[i] = until;
    }

    /** The entry for {@code addr}: its own, a free or expired one, or the bucket's oldest, emptied. */
    private int slot(int addr, long now) {
        int b = bucket(addr);
        int slot = -1;
        for (int i = b; i < b + DEPTH; i++) {
            if (used(i) && daddr[i] == addr) {
                if (expires[i] - now <= 0) {
                    free(i);
                    slot = i;
                    break;
                }
                stamp[i] = now;
                return i;
            }
            if (slot < 0 && (!used(i) || expires[i] - now <= 0)) {
                slot = i;
            }
        }
        if (slot < 0) {
            slot = b;
            for (int i = b + 1; i < b + DEPTH; i++) {
                if (stamp[i] < stamp[slot]) {
                    slot = i;
                }
            }
        }
        if (used(slot)) {
            free(slot);
        }
        size++;
        daddr[slot] = addr;
        stamp[slot] = now;
        return slot;
    }

    /** Forgets every exception ({@code ip route flush cache}). */
    void clear() {
        java.util.Arrays.fill(pmtu, 0);
        java.util.Arrays.fill(gateway, 0);
        size = 0;
    }

    /** Live or not yet reclaimed entries. */
    int size() {
        return size;
    }
}
