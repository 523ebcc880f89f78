package io.netstack4j.route;

import io.netstack4j.core.Errno;

/**
 * The answer of a route lookup ({@code struct fib_result}), mutable and reused by its owner like
 * {@link Flow4}: filling it allocates nothing.
 *
 * <p>After a successful lookup every field describes the selected route. After a failed one
 * {@link #error()} says why; {@link #type()} is then the type of the route or rule that refused
 * ({@code unreachable}, {@code prohibit}, {@code blackhole}, {@code throw}) or
 * {@link RouteType#UNSPEC} when nothing matched at all, and the route fields are meaningful only
 * when a route refused.
 */
public final class FibResult {

    // The route's own fields (prefix, length, TOS, scope, info) are read through the alias, whose
    // fields are final: a lookup stores five fields instead of ten.
    private RouteType type = RouteType.UNSPEC;
    private int table;
    private FibAlias alias;
    private FibRule rule;
    private Errno error;

    /** Clears the result to "nothing found yet". */
    public FibResult reset() {
        type = RouteType.UNSPEC;
        table = 0;
        alias = null;
        rule = null;
        error = null;
        return this;
    }

    /** Describes route {@code fa}, overwriting every field (the rule with null). */
    void set(FibAlias fa, int table) {
        this.type = fa.info.type;
        this.table = table;
        this.alias = fa;
        this.rule = null;
        this.error = null;
    }

    void reject(FibAlias fa, int table) {
        set(fa, table);
        this.error = fa.info.type.error();
    }

    void fail(RouteType type, Errno error) {
        reset();
        this.type = type;
        this.error = error;
    }

    void rule(FibRule rule) {
        this.rule = rule;
    }

    /** True when the lookup selected a usable route. */
    public boolean ok() {
        return error == null && alias != null;
    }

    public RouteType type() {
        return type;
    }

    /** The matched prefix bits. */
    public int prefix() {
        return alias == null ? 0 : alias.key;
    }

    public int prefixLen() {
        return alias == null ? 0 : alias.prefixLen;
    }

    /**
     * The id of the table the answer came from. While no policy rule was ever added or deleted,
     * Linux keeps tables local and main in one trie and reports {@link FibTable#MAIN} for both; so
     * does this FIB ({@link FibAlias#table()} still tells them apart).
     */
    public int table() {
        return table;
    }

    /** The route's scope ({@code res->scope}). */
    public int scope() {
        return alias == null ? 0 : alias.info.scope;
    }

    /** The TOS the selected route is restricted to, 0 for any. */
    public int tos() {
        return alias == null ? 0 : alias.tos;
    }

    /** The selected route, or null. */
    public FibAlias alias() {
        return alias;
    }

    /** The selected route's shared information ({@code res->fi}), or null. */
    public FibInfo info() {
        return alias == null ? null : alias.info;
    }

    /** The policy rule that produced the answer, or null when the rules were not consulted. */
    public FibRule rule() {
        return rule;
    }

    /** Why the lookup failed, or null. */
    public Errno error() {
        return error;
    }

    /** Next-hop gateway bits; 0 when the destination is directly connected. */
    public int gateway() {
        return alias == null ? 0 : alias.info.gateway;
    }

    /** Output device ifindex of the next hop; 0 for routes without one. */
    public int oif() {
        return alias == null ? 0 : alias.info.oif;
    }

    /**
     * The route's preferred source ({@code fib_prefsrc}), 0 when the route names none: the caller
     * then selects one from the output device ({@code inet_select_addr}).
     */
    public int prefsrc() {
        return alias == null ? 0 : alias.info.prefsrc;
    }

    /** The route's MTU metric, 0 when unset. */
    public int mtu() {
        return alias == null ? 0 : alias.info.mtu;
    }

    /** The route's advertised-MSS metric, 0 when unset. */
    public int advmss() {
        return alias == null ? 0 : alias.info.advmss;
    }

    /** The next hop's scope ({@code nhc_scope}): link for a gateway on the link, host for none. */
    public int nhScope() {
        return alias == null ? 0 : alias.info.nhScope;
    }

    @Override
    public String toString() {
        if (error != null) {
            return "FibResult[" + error + " " + type.keyword() + "]";
        }
        return "FibResult[" + type.keyword() + " " + Flow4.addr(prefix()) + "/" + prefixLen() + " table " + Integer.toUnsignedString(table)
                + " gw " + Flow4.addr(gateway()) + " oif " + oif() + "]";
    }
}
