package io.netstack4j.route;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * One routing table ({@code struct fib_table}): a {@link FibTrie} of prefixes, each holding its
 * list of routes. Insert, delete and lookup follow {@code fib_table_insert},
 * {@code fib_table_delete} and {@code fib_table_lookup} of {@code net/ipv4/fib_trie.c}.
 *
 * <p>Ids are unsigned 32-bit numbers; {@link #LOCAL}, {@link #MAIN} and {@link #DEFAULT} have
 * names. Tables are created by {@link Fib} on first use and never removed, as in Linux.
 */
public final class FibTable {

    /** {@code RT_TABLE_UNSPEC}; as a table selector of a dump it means "all tables". */
    public static final int UNSPEC = 0;
    /** {@code RT_TABLE_COMPAT}: what {@code rtm_table} says for ids above 255. */
    public static final int COMPAT = 252;
    public static final int DEFAULT = 253;
    public static final int MAIN = 254;
    public static final int LOCAL = 255;

    /** Lookup outcome: a usable route was selected. */
    static final int HIT = 0;
    /** Lookup outcome: no route applies ({@code -EAGAIN} from an empty search). */
    static final int MISS = 1;
    /** Lookup outcome: an unreachable/prohibit/blackhole/throw route answered; see the result's error. */
    static final int REJECT = 2;

    /** {@code FIB_LOOKUP_IGNORE_LINKSTATE}: use next hops without carrier even where the device says not to. */
    static final int IGNORE_LINKSTATE = 1;

    /** The legacy TOS bits routes are matched on ({@code INET_DSCP_LEGACY_TOS_MASK}). */
    static final int LEGACY_TOS_MASK = 0x1c;

    /** Netlink request flags ({@code NLM_F_*}) as {@code fib_table_insert} reads them. */
    static final int NLM_F_REPLACE = 0x100;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    static final int NLM_F_APPEND = 0x800;

    private final int id;
    private final long createdSeq;
    private final FibTrie<FibAlias> trie = new FibTrie<>();
    private final int[] path = new int[FibTrie.MAX_DEPTH];
    private int routes;

    FibTable(int id, long createdSeq) {
        this.id = id;
        this.createdSeq = createdSeq;
    }

    /** Where {@link #prefetch} leaves what it read, so the reads are not optimised away. */
    private int prefetchSink;

    public int id() {
        return id;
    }

    /** The name iproute2 prints: {@code local}, {@code main}, {@code default}, or the number. */
    public String name() {
        return name(id);
    }

    long createdSeq() {
        return createdSeq;
    }

    /** Number of routes (aliases) in the table. */
    public int size() {
        return routes;
    }

    /** Number of distinct prefixes in the table. */
    public int prefixCount() {
        return trie.size();
    }

    /** The trie itself, for inspection (memory, node counts). */
    public FibTrie<FibAlias> trie() {
        return trie;
    }

    /** The name of table {@code id} as {@code /etc/iproute2/rt_tables} gives it. */
    public static String name(int id) {
        return switch (id) {
            case UNSPEC -> "unspec";
            case DEFAULT -> "default";
            case MAIN -> "main";
            case LOCAL -> "local";
            default -> Integer.toUnsignedString(id);
        };
    }

    /** Parses a table name or unsigned number; "all" gives {@link #UNSPEC}. */
    public static int parseId(String text) {
        return switch (text) {
            case "all", "unspec" -> UNSPEC;
            case "default" -> DEFAULT;
            case "main" -> MAIN;
            case "local" -> LOCAL;
            default -> {
                try {
                    yield Integer.parseUnsignedInt(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("invalid table \"" + text + "\"");
                }
            }
        };
    }

    /** The routes of prefix {@code key/len} in list order; empty when there are none. */
    public List<FibAlias> routesAt(int key, int len) {
        List<FibAlias> out = new ArrayList<>();
        for (FibAlias fa = trie.get(key, len); fa != null; fa = fa.next) {
            out.add(fa);
        }
        return out;
    }

    /**
     * Every route in the order a dump lists them: by prefix address, longer prefixes of the same
     * address first, then in list order (the leaf walk of {@code fib_table_dump}).
     */
    public List<FibAlias> routes() {
        List<FibAlias> heads = new ArrayList<>();
        trie.forEach((key, len, head) -> heads.add(head));
        heads.sort(Comparator.<FibAlias>comparingLong(fa -> Integer.toUnsignedLong(fa.key)).thenComparing(fa -> -fa.prefixLen));
        List<FibAlias> out = new ArrayList<>(routes);
        for (FibAlias head : heads) {
            for (FibAlias fa = head; fa != null; fa = fa.next) {
                out.add(fa);
            }
        }
        return out;
    }

    /**
     * {@code fib_table_lookup}: the longest prefix containing {@code flow.dst} that has a route
     * the flow may use, trying shorter prefixes when a longer one has none. Within a prefix a
     * route is skipped when its TOS is set and differs from the flow's, when its scope is wider
     * than the flow asks for, when it is dead, when its next hop has no carrier and the device
     * ignores such routes, or when the flow names a different output device. The first route
     * left decides: a usable one fills {@code res} ({@link #HIT}); an error type ends the search
     * with its error ({@link #REJECT}). Allocates nothing.
     *
     * @param resultTable the table id to report in {@code res}
     */
    int lookup(Flow4 flow, FibResult res, int flags, int resultTable) {
        FibAlias fa = decide(flow, flags);
        if (fa == null) {
            return MISS;
        }
        if (fa.info.type.rejects()) {
            res.reject(fa, resultTable);
            return REJECT;
        }
        res.set(fa, resultTable);
        return HIT;
    }

    /**
     * The route that decides {@link #lookup}: a usable one, one of an error type, or null when
     * none applies. The longest matching prefix comes from {@link FibTrie#longest} (the
     * DIR-24-8 index in a large table) and decides almost every lookup; only when none of its
     * routes applies are the shorter prefixes collected and tried. Allocates nothing.
     */
    FibAlias decide(Flow4 flow, int flags) {
        int best = trie.longest(flow.dst);
        if (best < 0) {
            return null;
        }
        int tos = flow.tos & LEGACY_TOS_MASK;
        FibAlias fa = decideAt(trie.valueAt(best), flow, flags, tos);
        if (fa != null) {
            return fa;
        }
        int depth = trie.match(flow.dst, path);
        for (int i = depth - 1; i >= 0; i--) {
            if (path[i] == best) {
                continue;
            }
            fa = decideAt(trie.valueAt(path[i]), flow, flags, tos);
            if (fa != null) {
                return fa;
            }
        }
        return null;
    }

    /** The first route of one prefix's list that applies to the flow, or null. */
    private static FibAlias decideAt(FibAlias head, Flow4 flow, int flags, int tos) {
        for (FibAlias fa = head; fa != null; fa = fa.next) {
            if (fa.tos != 0 && fa.tos != tos) {
                continue;
            }
            FibInfo fi = fa.info;
            if (fi.scope < flow.scope) {
                continue;
            }
            if (fa.info.type.rejects()) {
                return fa;
            }
            if ((fi.flags & FibInfo.RTNH_F_DEAD) != 0 || !goodNexthop(fi, flags, flow)) {
                continue;
            }
            return fa;
        }
        return null;
    }

    /** See {@link Fib#prefetch}: reads the longest match's route when the table is indexed. */
    void prefetch(int dst) {
        if (trie.indexed()) {
            int best = trie.longest(dst);
            if (best >= 0) {
                prefetchSink += trie.valueAt(best).tos;
            }
        }
    }

    /** {@code fib_lookup_good_nhc}. */
    private static boolean goodNexthop(FibInfo fi, int flags, Flow4 flow) {
        int nh = fi.nhFlags;
        if ((nh & FibInfo.RTNH_F_DEAD) != 0) {
            return false;
        }
        if ((nh & FibInfo.RTNH_F_LINKDOWN) != 0 && fi.dev != null && fi.dev.ignoreRoutesWithLinkdown
                && (flags & IGNORE_LINKSTATE) == 0) {
            return false;
        }
        return flow.oif == 0 || flow.oif == fi.oif;
    }

    /**
     * {@code fib_table_insert} after {@code fib_create_info}: places a route with info {@code fi}
     * under the netlink flags. With CREATE|EXCL an existing route of the same TOS and metric is
     * {@link Errno#EEXIST}; REPLACE swaps the first such route; APPEND goes after the routes of
     * the same TOS and metric, anything else before them; a route identical in type and info is
     * {@link Errno#EEXIST} unless it is the one being replaced; without CREATE a missing route is
     * {@link Errno#ENOENT}.
     *
     * @return the info the caller must release: the replaced route's, or {@code fi} itself when
     *     nothing changed; null when a route was added
     * @throws NetException as above; {@code fi} then still needs releasing
     */
    FibInfo insert(int key, int plen, int tos, RouteType type, FibInfo fi, int nlflags) {
        FibAlias head = trie.get(key, plen);
        // fib_find_alias: the first alias with a TOS not above ours and, at our TOS, a metric not below ours.
        FibAlias prev = null;
        FibAlias fa = head;
        while (fa != null && (fa.tos > tos || (fa.tos == tos && Integer.compareUnsigned(fa.info.priority, fi.priority) < 0))) {
            prev = fa;
            fa = fa.next;
        }
        if (fa != null && fa.tos == tos && fa.info.priority == fi.priority) {
            if ((nlflags & NLM_F_EXCL) != 0) {
                throw new NetException(Errno.EEXIST);
            }
            FibAlias first = fa;
            FibAlias firstPrev = prev;
            FibAlias match = null;
            FibAlias p = prev;
            FibAlias f = fa;
            while (f != null && f.tos == tos && f.info.priority == fi.priority) {
                if (f.info.type == type && f.info == fi) {
                    match = f;
                    break;
                }
                p = f;
                f = f.next;
            }
            if ((nlflags & NLM_F_REPLACE) != 0) {
                if (match != null) {
                    if (match == first) {
                        return fi;
                    }
                    throw new NetException(Errno.EEXIST);
                }
                FibAlias replacement = new FibAlias(key, plen, first.tos, fi);
                replacement.next = first.next;
                link(key, plen, firstPrev, replacement);
                return first.info;
            }
            if (match != null) {
                throw new NetException(Errno.EEXIST);
            }
            if ((nlflags & NLM_F_APPEND) != 0) {
                prev = p;
                fa = f;
            } else {
                prev = firstPrev;
                fa = first;
            }
        }
        if ((nlflags & NLM_F_CREATE) == 0) {
            throw new NetException(Errno.ENOENT);
        }
        FibAlias created = new FibAlias(key, plen, tos, fi);
        created.next = fa;
        link(key, plen, prev, created);
        routes++;
        return null;
    }

    /** Makes {@code alias} follow {@code prev}, or head the prefix's list when {@code prev} is null. */
    private void link(int key, int plen, FibAlias prev, FibAlias alias) {
        if (prev == null) {
            trie.put(key, plen, alias);
        } else {
            prev.next = alias;
        }
    }

    /**
     * {@code fib_table_delete}: removes the first route of {@code key/plen} with exactly this TOS
     * that matches every given selector. {@code type} UNSPEC, {@code scope} NOWHERE, and zero
     * {@code prefsrc}, {@code protocol}, {@code priority}, {@code oif}, {@code gateway},
     * {@code mtu}, {@code advmss} match anything.
     *
     * @return the removed route; its info is the caller's to release
     * @throws NetException {@link Errno#ESRCH} when no route matches
     */
    FibAlias delete(int key, int plen, int tos, RouteType type, int scope, int prefsrc, int protocol, int priority, int oif,
            int gateway, int mtu, boolean mtuLock, int advmss) {
        FibAlias prev = null;
        FibAlias fa = trie.get(key, plen);
        while (fa != null && fa.tos > tos) {
            prev = fa;
            fa = fa.next;
        }
        for (; fa != null && fa.tos == tos; prev = fa, fa = fa.next) {
            FibInfo fi = fa.info;
            if ((type == RouteType.UNSPEC || fa.info.type == type) && (scope == RouteScope.NOWHERE || fi.scope == scope)
                    && (prefsrc == 0 || fi.prefsrc == prefsrc) && (protocol == 0 || fi.protocol == protocol)
                    && (priority == 0 || fi.priority == priority) && (oif == 0 || fi.oif == oif)
                    && (gateway == 0 || fi.gateway == gateway) && (mtu == 0 || fi.mtu == mtu) && (!mtuLock || fi.mtuLocked)
                    && (advmss == 0 || fi.advmss == advmss)) {
                unlink(key, plen, prev, fa);
                return fa;
            }
        }
        throw new NetException(Errno.ESRCH);
    }

    private void unlink(int key, int plen, FibAlias prev, FibAlias fa) {
        if (prev == null) {
            trie.put(key, plen, fa.next);
        } else {
            prev.next = fa.next;
        }
        routes--;
    }

    /**
     * {@code fib_table_flush}: removes every route whose info is dead and hands each removed route
     * to {@code removed}. Routes of error types have no next hop and are never flushed.
     */
    int flush(Consumer<FibAlias> removed) {
        List<FibAlias> heads = new ArrayList<>();
        trie.forEach((key, len, head) -> {
            for (FibAlias fa = head; fa != null; fa = fa.next) {
                if ((fa.info.flags & FibInfo.RTNH_F_DEAD) != 0 && !fa.info.type.rejects()) {
                    heads.add(head);
                    break;
                }
            }
        });
        int count = 0;
        for (FibAlias head : heads) {
            FibAlias prev = null;
            for (FibAlias fa = head; fa != null; fa = fa.next) {
                if ((fa.info.flags & FibInfo.RTNH_F_DEAD) != 0 && !fa.info.type.rejects()) {
                    unlink(fa.key, fa.prefixLen, prev, fa);
                    removed.accept(fa);
                    count++;
                } else {
                    prev = fa;
                }
            }
        }
        return count;
    }

    @Override
    public String toString() {
        return "FibTable[" + name() + ", " + routes + " routes]";
    }
}
