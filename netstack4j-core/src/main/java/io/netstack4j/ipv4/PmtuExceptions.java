package io.netstack4j.ipv4;

/**
 * Learned path MTUs per destination: the kernel's next-hop exceptions ({@code struct
 * fib_nh_exception}, {@code update_or_create_fnhe}) as far as they carry a PMTU (RFC 1191). A
 * frag-needed message lowers the MTU toward one destination; the entry expires after
 * {@code net.ipv4.route.mtu_expires} seconds, after which the route's own MTU applies again.
 *
 * <p>Linux hangs the exceptions off each next hop; here they are one table per namespace keyed
 * by destination, which differs only when two routes lead to one destination by different next
 * hops. The table is a fixed array of buckets, each holding a few entries; a full bucket
 * replaces its oldest entry ({@code fnhe_oldest}), so memory is bounded whatever arrives.
 */
final class PmtuExceptions {

    static final int BUCKETS = 2048;
    /** Entries per bucket ({@code FNHE_RECLAIM_DEPTH}). */
    static final int DEPTH = 5;

    private final int[] daddr = new int[BUCKETS * DEPTH];
    private final int[] pmtu = new int[BUCKETS * DEPTH];
    private final long[] expires = new long[BUCKETS * DEPTH];
    private final long[] stamp = new long[BUCKETS * DEPTH];
    private final int key;
    private int size;

    PmtuExceptions(int key) {
        this.key = key;
    }

    private int bucket(int addr) {
        int h = (addr ^ key) * 0x9E3779B1;
        return ((h ^ h >>> 16) & (BUCKETS - 1)) * DEPTH;
    }

    /** The index of the live entry for {@code addr}, or -1. */
    int find(int addr, long now) {
        int b = bucket(addr);
        for (int i = b; i < b + DEPTH; i++) {
            if (pmtu[i] != 0 && daddr[i] == addr) {
                if (expires[i] - now <= 0) {
                    pmtu[i] = 0;
                    size--;
                    return -1;
                }
                return i;
            }
        }
        return -1;
    }

    int pmtu(int index) {
        return pmtu[index];
    }

    long expires(int index) {
        return expires[index];
    }

    /** Records (or refreshes) {@code mtu} toward {@code addr} until {@code until}. */
    void put(int addr, int mtu, long now, long until) {
        int b = bucket(addr);
        int slot = -1;
        for (int i = b; i < b + DEPTH; i++) {
            if (pmtu[i] != 0 && daddr[i] == addr) {
                slot = i;
                break;
            }
            if (slot < 0 && (pmtu[i] == 0 || expires[i] - now <= 0)) {
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
        } else if (pmtu[slot] == 0) {
            size++;
        }
        daddr[slot] = addr;
        pmtu[slot] = mtu;
        expires[slot] = until;
        stamp[slot] = now;
    }

    /** Forgets every exception ({@code ip route flush cache}). */
    void clear() {
        java.util.Arrays.fill(pmtu, 0);
        size = 0;
    }

    /** Live or not yet reclaimed entries. */
    int size() {
        return size;
    }
}
