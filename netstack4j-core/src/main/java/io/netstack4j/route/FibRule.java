package io.netstack4j.route;

/**
 * One policy routing rule as installed ({@code struct fib_rule} with {@code struct fib4_rule}):
 * selectors, an action, and for {@code lookup} the table. Created by {@link FibRules}; read-only
 * to everyone else.
 */
public final class FibRule {

    final int priority;
    final boolean invert;
    final int src;
    final int srcLen;
    final int dst;
    final int dstLen;
    final int tos;
    final String iifName;
    /** The input device selector: 0 none, -1 named device absent ("detached"). */
    int iifIndex;
    final String oifName;
    int oifIndex;
    final int mark;
    final int markMask;
    final RuleAction action;
    final int table;
    final int suppressPrefixLen;
    final int target;
    final int protocol;
    private final int srcMask;
    private final int dstMask;

    /** The rule a {@code goto} lands on ({@code ctarget}), null while unresolved. */
    FibRule ctarget;
    /** The table of a {@code lookup} rule once it exists. */
    FibTable tableRef;
    FibRule next;

    FibRule(int priority, boolean invert, int src, int srcLen, int dst, int dstLen, int tos, String iifName, int iifIndex,
            String oifName, int oifIndex, int mark, int markMask, RuleAction action, int table, int suppressPrefixLen, int target,
            int protocol) {
        this.priority = priority;
        this.invert = invert;
        this.src = src;
        this.srcLen = srcLen;
        this.dst = dst;
        this.dstLen = dstLen;
        this.tos = tos;
        this.iifName = iifName;
        this.iifIndex = iifIndex;
        this.oifName = oifName;
        this.oifIndex = oifIndex;
        this.mark = mark;
        this.markMask = markMask;
        this.action = action;
        this.table = table;
        this.suppressPrefixLen = suppressPrefixLen;
        this.target = target;
        this.protocol = protocol;
        this.srcMask = FibTrie.mask(srcLen);
        this.dstMask = FibTrie.mask(dstLen);
    }

    /** {@code fib_rule_match} with {@code fib4_rule_match}. */
    boolean matches(Flow4 fl) {
        boolean ret = iifIndex == 0 || iifIndex == fl.iif;
        ret = ret && (oifIndex == 0 || oifIndex == fl.oif);
        ret = ret && ((mark ^ fl.mark) & markMask) == 0;
        ret = ret && ((fl.src ^ src) & srcMask) == 0 && ((fl.dst ^ dst) & dstMask) == 0;
        ret = ret && (tos == 0 || tos == (fl.tos & FibTable.LEGACY_TOS_MASK));
        return invert != ret;
    }

    /** The preference, unsigned 32 bits. */
    public int priority() {
        return priority;
    }

    public boolean isInverted() {
        return invert;
    }

    /** Source selector bits (meaningful when {@link #srcLen()} > 0). */
    public int src() {
        return src;
    }

    public int srcLen() {
        return srcLen;
    }

    public int dst() {
        return dst;
    }

    public int dstLen() {
        return dstLen;
    }

    public int tos() {
        return tos;
    }

    /** The input device name of the selector, or null. */
    public String iifName() {
        return iifName;
    }

    /** The input device selector: ifindex, 0 for none, -1 while the named device is absent. */
    public int iif() {
        return iifIndex;
    }

    public String oifName() {
        return oifName;
    }

    public int oif() {
        return oifIndex;
    }

    public int mark() {
        return mark;
    }

    public int markMask() {
        return markMask;
    }

    public RuleAction action() {
        return action;
    }

    /** The table of a lookup rule; 0 for the other actions unless one was given. */
    public int table() {
        return table;
    }

    /** {@code suppress_prefixlength}, -1 when unset. */
    public int suppressPrefixLength() {
        return suppressPrefixLen;
    }

    /** The priority a {@code goto} jumps to. */
    public int gotoTarget() {
        return target;
    }

    /** True for a {@code goto} whose target priority has no rule. */
    public boolean isUnresolved() {
        return action == RuleAction.GOTO && ctarget == null;
    }

    public int protocol() {
        return protocol;
    }

    @Override
    public String toString() {
        return "FibRule[" + Integer.toUnsignedString(priority) + " " + action.keyword() + " " + Integer.toUnsignedString(table) + "]";
    }
}
