package io.netstack4j.route;

import java.util.Arrays;

/**
 * A longest-prefix-match table over 32-bit keys: a path-compressed binary trie (PATRICIA) whose
 * nodes live in one primitive array, holding one value per prefix.
 *
 * <h2>Why not Linux's LC-trie</h2>
 * {@code net/ipv4/fib_trie.c} is a level-compressed trie (multibit nodes that inflate and halve
 * as they fill). Its answers are those of any correct longest-prefix match; only its speed
 * differs. This trie is the plain binary form, chosen because insert and delete stay short and
 * obviously right, and because the array layout keeps lookups free of allocation and of pointer
 * chasing through object headers. The price is depth: a walk through a full Internet table
 * touches some twenty nodes, so random destinations run at memory latency (two to three million
 * lookups a second on a small cloud VM). A walk that cannot match is skipped outright: the trie
 * counts its prefixes per first octet, and most destinations share none with a small table's.
 *
 * <h2>The DIR-24-8 front end</h2>
 * A trie holding more than {@link #DEFAULT_INDEX_THRESHOLD} prefixes (see {@link #indexAbove})
 * also keeps a {@link Dir24x8} index, DPDK's {@code rte_lpm} layout: {@link #longest} is then
 * one read of a 2<sup>24</sup>-entry table, two for a /24 holding longer prefixes, instead of
 * the walk. The index names trie nodes, whose indexes never change while they hold a prefix, and
 * is updated on every insert and remove, so it never needs rebuilding. It costs 64 MB, which is
 * why small tables (thousands of namespaces with a dozen routes each) walk instead; it is
 * dropped when the trie shrinks below a quarter of the threshold.
 *
 * <h2>Layout</h2>
 * Node {@code n} occupies four ints of one array, {@code nodes[4n .. 4n+3]}, so a step of the
 * walk touches one cache line:
 * <pre>
 *   +0  key     the prefix bits, zero past the length
 *   +1  meta    bits 0-7: prefix length 0..32; bit 8: the prefix is in the table (has a value)
 *   +2  child0  node index of the child whose next bit is 0, or -1
 *   +3  child1  node index of the child whose next bit is 1, or -1
 * </pre>
 * Children extend their parent's prefix by at least one bit; the child on side {@code b} has bit
 * {@code len} (counting from the most significant bit) equal to {@code b}. A node without a value
 * is a branch point and then always has two children, so there are at most
 * {@code 2 * size() - 1} nodes. Values sit in a parallel reference array read only for nodes that
 * have one. A node costs 20 bytes (16 of ints, 4 of reference); freed slots are reused. The
 * 901,899 prefixes of a full BGP table make 1.65 million nodes (35 MiB with the growth slack);
 * with a 32-byte route each and the 64.5 MiB index, the loaded FIB retains about 130 MiB.
 *
 * <h2>Lookup</h2>
 * {@link #longest} gives the node of the longest prefix containing a key, from the index or
 * the walk. {@link #match} walks from the root comparing each node's prefix with the key, records
 * every node that carries a value, and stops at the first mismatch: at most 33 steps. The FIB
 * tries the longest prefix first and only when none of its routes applies walks for the shorter
 * ones, trying them from the longest back, which is the backtracking of
 * {@code fib_table_lookup}.
 *
 * <p>Not thread-safe; the FIB runs on its namespace's loop thread.
 *
 * @param <V> what each prefix holds (the FIB keeps the head of its {@link FibAlias} list)
 */
public final class FibTrie<V> {

    /** The deepest a path can be: prefixes of length 0 through 32. */
    public static final int MAX_DEPTH = 33;

    private static final int NIL = -1;
    private static final int STRIDE = 4;
    private static final int KEY = 0;
    private static final int META = 1;
    private static final int CHILD = 2;
    private static final int LEN_MASK = 0xff;
    private static final int HAS_VALUE = 0x100;
    private static final int[] MASKS = new int[33];
    /** Tables up to this many prefixes walk the trie: thousands of namespaces must not pay 64 MB each. */
    public static final int DEFAULT_INDEX_THRESHOLD = 4096;

    static {
        for (int len = 1; len <= 32; len++) {
            MASKS[len] = -1 << (32 - len);
        }
    }

    private int[] nodes;
    private Object[] values;
    private int root = NIL;
    private int used;
    private int freeList = NIL;
    private int nodeCount;
    private int prefixes;
    private final int[] path = new int[MAX_DEPTH];
    /** The node of the prefix the last insert or remove touched. */
    private int touched;
    private Dir24x8 index;
    /** Per first octet, how many prefixes contain addresses in it: a walk that must fail is skipped. */
    private final int[] octets = new int[256];
    private int indexThreshold = DEFAULT_INDEX_THRESHOLD;
    private int maxGroups = Dir24x8.DEFAULT_MAX_GROUPS;

    public FibTrie() {
        this(16);
    }

    public FibTrie(int initialCapacity) {
        int cap = Math.max(4, initialCapacity);
        nodes = new int[cap * STRIDE];
        values = new Object[cap];
    }

    /**
     * Sets the size above which the trie keeps a {@link Dir24x8} index (built at once when the
     * trie is already larger); the index is dropped again when the trie shrinks below a quarter
     * of it. {@link Integer#MAX_VALUE} turns the index off.
     */
    public void indexAbove(int prefixCount) {
        indexAbove(prefixCount, maxGroups);
    }

    /** As {@link #indexAbove(int)}, with a bound on the index's 256-entry groups (rebuilds the index). */
    public void indexAbove(int prefixCount, int maxGroups) {
        if (prefixCount < 0 || maxGroups < 0 || maxGroups > Dir24x8.MAX_GROUPS) {
            throw new IllegalArgumentException("threshold " + prefixCount + " or group limit " + maxGroups + " out of range");
        }
        this.indexThreshold = prefixCount;
        this.maxGroups = maxGroups;
        index = null;
        adjustIndex();
    }

    /** True while the DIR-24-8 index answers {@link #longest}. */
    public boolean indexed() {
        return index != null;
    }

    /** Bytes held by the DIR-24-8 index, 0 without one. */
    public long indexBytes() {
        return index == null ? 0 : index.bytes();
    }

    /** 256-entry groups the index uses, 0 without one. */
    public int indexGroups() {
        return index == null ? 0 : index.groups();
    }

    /** /24s the index leaves to the trie walk because it ran out of groups, 0 without one. */
    public int indexWalkSlots() {
        return index == null ? 0 : index.walkSlots();
    }

    /** The netmask of a prefix length: 24 gives 0xffffff00, 0 gives 0. */
    public static int mask(int prefixLen) {
        return MASKS[prefixLen];
    }

    /** Number of prefixes held. */
    public int size() {
        return prefixes;
    }

    /** Number of trie nodes in use, branch points included. */
    public int nodeCount() {
        return nodeCount;
    }

    /** Node slots allocated; memory is about 20 bytes per slot. */
    public int capacity() {
        return values.length;
    }

    /** The value of exactly {@code key/len}, or null. */
    @SuppressWarnings("unchecked")
    public V get(int key, int len) {
        checkPrefix(key, len);
        int[] t = nodes;
        int n = root;
        while (n != NIL) {
            int b = n * STRIDE;
            int nl = t[b + META] & LEN_MASK;
            if (nl > len || ((t[b + KEY] ^ key) & MASKS[nl]) != 0) {
                return null;
            }
            if (nl == len) {
                return (V) values[n];
            }
            n = t[b + CHILD + bit(key, nl)];
        }
        return null;
    }

    /**
     * Sets the value of {@code key/len}; a null value removes the prefix. Returns the previous
     * value, or null.
     *
     * @throws IllegalArgumentException when {@code key} has bits set beyond {@code len}
     */
    public V put(int key, int len, V value) {
        checkPrefix(key, len);
        if (value != null) {
            V old = insert(key, len, value);
            if (old == null) {
                countOctets(key, len, 1);
                if (index != null) {
                    index.insert(key, len, touched);
                } else if (prefixes > indexThreshold) {
                    adjustIndex();
                }
            }
            return old;
        }
        int before = prefixes;
        V old = remove(key, len);
        if (prefixes != before) {
            countOctets(key, len, -1);
            if (index != null && prefixes >= indexThreshold >> 2) {
                index.remove(key, len, touched, longestShorter(key, len));
            } else {
                adjustIndex();
            }
        }
        return old;
    }

    private void countOctets(int key, int len, int delta) {
        int from = key >>> 24;
        int to = from + (len >= 8 ? 1 : 1 << (8 - len));
        for (int i = from; i < to; i++) {
            octets[i] += delta;
        }
    }

    /** Builds the index when the trie is above the threshold, drops it when well below. */
    private void adjustIndex() {
        if (prefixes > indexThreshold && indexThreshold != Integer.MAX_VALUE) {
            if (index == null) {
                buildIndex();
            }
        } else if (prefixes < indexThreshold >> 2 || indexThreshold == Integer.MAX_VALUE) {
            index = null;
        }
    }

    /** Fills a new index from every prefix, shorter prefixes before the longer ones inside them. */
    private void buildIndex() {
        Dir24x8 d = new Dir24x8(this, maxGroups);
        if (root != NIL) {
            int[] stack = new int[2 * MAX_DEPTH];
            int sp = 0;
            stack[sp++] = root;
            while (sp > 0) {
                int n = stack[--sp];
                if (values[n] != null) {
                    d.insert(keyAt(n), lengthAt(n), n);
                }
                if (child(n, 1) != NIL) {
                    stack[sp++] = child(n, 1);
                }
                if (child(n, 0) != NIL) {
                    stack[sp++] = child(n, 0);
                }
            }
        }
        index = d;
    }

    /**
     * The node of the longest prefix containing {@code key}, or -1: one or two array reads with
     * the index, the trie walk without. Allocates nothing.
     */
    public int longest(int key) {
        Dir24x8 d = index;
        if (d != null) {
            int e = d.entry(key);
            if (e != Dir24x8.WALK) {
                return e - 1;
            }
        }
        // Most destinations share no first octet with a small table's prefixes (its local table, say).
        return octets[key >>> 24] == 0 ? NIL : walkLongest(key);
    }

    /** {@link #longest} by walking the trie, ignoring any index. */
    public int walkLongest(int key) {
        int[] t = nodes;
        int best = NIL;
        int n = root;
        while (n != NIL) {
            int b = n * STRIDE;
            int meta = t[b + META];
            int nl = meta & LEN_MASK;
            if (((t[b + KEY] ^ key) & MASKS[nl]) != 0) {
                break;
            }
            if ((meta & HAS_VALUE) != 0) {
                best = n;
            }
            if (nl == 32) {
                break;
            }
            n = t[b + CHILD + (key >>> (31 - nl) & 1)];
        }
        return best;
    }

    /** The node of the longest prefix shorter than {@code len} containing {@code key/len}, or -1. */
    private int longestShorter(int key, int len) {
        int best = NIL;
        int n = root;
        while (n != NIL) {
            int nl = lengthAt(n);
            if (nl >= len || ((nodes[n * STRIDE + KEY] ^ key) & MASKS[nl]) != 0) {
                break;
            }
            if (values[n] != null) {
                best = n;
            }
            n = child(n, bit(key, nl));
        }
        return best;
    }

    @SuppressWarnings("unchecked")
    private V insert(int key, int len, V value) {
        if (root == NIL) {
            root = alloc(key, len, value);
            touched = root;
            prefixes++;
            return null;
        }
        int parent = NIL;
        int parentSide = 0;
        int n = root;
        while (true) {
            int nk = nodes[n * STRIDE + KEY];
            int nl = lengthAt(n);
            int common = Math.min(Math.min(nl, len), Integer.numberOfLeadingZeros(nk ^ key));
            if (common == nl) {
                if (nl == len) {
                    Object old = values[n];
                    setValue(n, value);
                    touched = n;
                    if (old == null) {
                        prefixes++;
                    }
                    return (V) old;
                }
                int side = bit(key, nl);
                int child = child(n, side);
                if (child == NIL) {
                    touched = alloc(key, len, value);
                    setChild(n, side, touched);
                    prefixes++;
                    return null;
                }
                parent = n;
                parentSide = side;
                n = child;
                continue;
            }
            // The new prefix leaves n's path above n: it becomes n's parent, or a branch point does.
            int replacement;
            if (common == len) {
                replacement = alloc(key, len, value);
                touched = replacement;
                setChild(replacement, bit(nk, len), n);
            } else {
                replacement = alloc(key & MASKS[common], common, null);
                int leaf = alloc(key, len, value);
                touched = leaf;
                int nSide = bit(nk, common);
                setChild(replacement, nSide, n);
                setChild(replacement, nSide ^ 1, leaf);
            }
            if (parent == NIL) {
                root = replacement;
            } else {
                setChild(parent, parentSide, replacement);
            }
            prefixes++;
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private V remove(int key, int len) {
        int depth = 0;
        int n = root;
        while (n != NIL) {
            int nl = lengthAt(n);
            if (nl > len || ((nodes[n * STRIDE + KEY] ^ key) & MASKS[nl]) != 0) {
                return null;
            }
            if (nl == len) {
                break;
            }
            path[depth++] = n;
            n = child(n, bit(key, nl));
        }
        if (n == NIL || values[n] == null) {
            return null;
        }
        V old = (V) values[n];
        setValue(n, null);
        touched = n;
        prefixes--;
        int left = child(n, 0);
        int right = child(n, 1);
        if (left != NIL && right != NIL) {
            return old;
        }
        int only = left != NIL ? left : right;
        replaceChild(depth, n, only);
        release(n);
        if (only == NIL && depth > 0) {
            // The parent lost a child; a branch point with one child left is no longer needed.
            int p = path[depth - 1];
            if (values[p] == null) {
                int remaining = child(p, 0) != NIL ? child(p, 0) : child(p, 1);
                replaceChild(depth - 1, p, remaining);
                release(p);
            }
        }
        return old;
    }

    /** Points the parent of {@code n} ({@code path[depth - 1]}, or the root) at {@code replacement}. */
    private void replaceChild(int depth, int n, int replacement) {
        if (depth == 0) {
            root = replacement;
            return;
        }
        int p = path[depth - 1];
        setChild(p, child(p, 0) == n ? 0 : 1, replacement);
    }

    /**
     * Records in {@code out}, shortest first, the nodes of every prefix that contains {@code key}
     * and returns how many there are (0..33). Allocates nothing.
     */
    public int match(int key, int[] out) {
        int[] t = nodes;
        int count = 0;
        int n = root;
        while (n != NIL) {
            int b = n * STRIDE;
            int meta = t[b + META];
            int nl = meta & LEN_MASK;
            if (((t[b + KEY] ^ key) & MASKS[nl]) != 0) {
                break;
            }
            if ((meta & HAS_VALUE) != 0) {
                out[count++] = n;
            }
            if (nl == 32) {
                break;
            }
            n = t[b + CHILD + (key >>> (31 - nl) & 1)];
        }
        return count;
    }

    /** The value of the longest prefix containing {@code key}, or null. */
    @SuppressWarnings("unchecked")
    public V lookup(int key) {
        int best = longest(key);
        return best == NIL ? null : (V) values[best];
    }

    /** The prefix bits of a node returned by {@link #match}. */
    public int keyAt(int node) {
        return nodes[node * STRIDE + KEY];
    }

    /** The prefix length of a node returned by {@link #match}. */
    public int lengthAt(int node) {
        return nodes[node * STRIDE + META] & LEN_MASK;
    }

    /** The value of a node returned by {@link #match}. */
    @SuppressWarnings("unchecked")
    public V valueAt(int node) {
        return (V) values[node];
    }

    /** Receives each prefix of a {@link #forEach} walk. */
    @FunctionalInterface
    public interface Visitor<V> {
        void visit(int key, int len, V value);
    }

    /**
     * Visits every prefix, a prefix before the longer ones inside it and the 0 side before the 1
     * side. The visitor must not modify the trie.
     */
    @SuppressWarnings("unchecked")
    public void forEach(Visitor<? super V> visitor) {
        if (root == NIL) {
            return;
        }
        int[] stack = new int[2 * MAX_DEPTH];
        int sp = 0;
        stack[sp++] = root;
        while (sp > 0) {
            int n = stack[--sp];
            if (values[n] != null) {
                visitor.visit(keyAt(n), lengthAt(n), (V) values[n]);
            }
            if (child(n, 1) != NIL) {
                stack[sp++] = child(n, 1);
            }
            if (child(n, 0) != NIL) {
                stack[sp++] = child(n, 0);
            }
        }
    }

    private int alloc(int key, int len, Object value) {
        int n;
        if (freeList != NIL) {
            n = freeList;
            freeList = child(n, 0);
        } else {
            if (used == values.length) {
                grow();
            }
            n = used++;
        }
        int b = n * STRIDE;
        nodes[b + KEY] = key;
        nodes[b + META] = len;
        nodes[b + CHILD] = NIL;
        nodes[b + CHILD + 1] = NIL;
        setValue(n, value);
        nodeCount++;
        return n;
    }

    private void release(int n) {
        setValue(n, null);
        setChild(n, 1, NIL);
        setChild(n, 0, freeList);
        freeList = n;
        nodeCount--;
    }

    private void grow() {
        int cap = values.length + (values.length >> 1) + 16;
        nodes = Arrays.copyOf(nodes, cap * STRIDE);
        values = Arrays.copyOf(values, cap);
    }

    private void setValue(int n, Object value) {
        values[n] = value;
        int b = n * STRIDE + META;
        nodes[b] = value == null ? nodes[b] & ~HAS_VALUE : nodes[b] | HAS_VALUE;
    }

    private int child(int n, int side) {
        return nodes[n * STRIDE + CHILD + side];
    }

    private void setChild(int n, int side, int child) {
        nodes[n * STRIDE + CHILD + side] = child;
    }

    private static int bit(int key, int pos) {
        return key >>> (31 - pos) & 1;
    }

    private static void checkPrefix(int key, int len) {
        if (len < 0 || len > 32) {
            throw new IllegalArgumentException("prefix length " + len + " outside 0..32");
        }
        if ((key & ~MASKS[len]) != 0) {
            throw new IllegalArgumentException("prefix " + Flow4.addr(key) + "/" + len + " has host bits set");
        }
    }
}
