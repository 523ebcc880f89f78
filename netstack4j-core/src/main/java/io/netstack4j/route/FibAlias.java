package io.netstack4j.route;

import io.netstack4j.wire.Ipv4Address;

/**
 * One route ({@code struct fib_alias}): a prefix, the TOS it is restricted to, its type and the
 * shared {@link FibInfo}. The routes of one prefix form a list kept in Linux's order: TOS
 * descending, then metric ascending, then as inserted ({@code fib_find_alias}).
 *
 * <p>A full table holds a million of these, so the fields are as narrow as their ranges allow
 * and the type is not repeated here (it is the info's): 32 bytes an alias with compressed
 * references, 24 with compact object headers ({@code -XX:+UseCompactObjectHeaders}).
 */
public final class FibAlias {

    final int key;
    final byte prefixLen;
    final short tos;
    final FibInfo info;
    FibAlias next;

    FibAlias(int key, int prefixLen, int tos, FibInfo info) {
        this.key = key;
        this.prefixLen = (byte) prefixLen;
        this.tos = (short) tos;
        this.info = info;
    }

    /** The destination prefix bits. */
    public int prefixBits() {
        return key;
    }

    public Ipv4Address prefix() {
        return new Ipv4Address(key);
    }

    public int prefixLen() {
        return prefixLen;
    }

    public int tos() {
        return tos;
    }

    /** The route's type, which is its info's: routes of different types never share an info. */
    public RouteType type() {
        return info.type;
    }

    public FibInfo info() {
        return info;
    }

    /** The table holding this route. */
    public int table() {
        return info.table;
    }

    @Override
    public String toString() {
        return "FibAlias[" + Flow4.addr(key) + "/" + prefixLen + " tos " + tos + " " + info + "]";
    }
}
