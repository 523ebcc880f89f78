package io.netstack4j.route;

import io.netstack4j.core.Errno;

/**
 * What a policy rule does when it matches ({@code FR_ACT_*}, {@code include/uapi/linux/fib_rules.h}),
 * with the error {@code fib4_rule_action} returns for the refusing actions.
 */
public enum RuleAction {
    /** {@code lookup TABLE}: consult a table; a miss or a throw route moves on to the next rule. */
    TO_TBL(1, "lookup", null),
    /** {@code goto PREF}: continue at the first rule with that priority. */
    GOTO(2, "goto", null),
    /** {@code nop}: do nothing and move on. */
    NOP(3, "nop", null),
    /** {@code blackhole}: drop silently. */
    BLACKHOLE(6, "blackhole", Errno.EINVAL),
    /** {@code unreachable}: fail with "network unreachable". */
    UNREACHABLE(7, "unreachable", Errno.ENETUNREACH),
    /** {@code prohibit}: fail with "permission denied". */
    PROHIBIT(8, "prohibit", Errno.EACCES);

    private final int number;
    private final String keyword;
    private final Errno error;

    RuleAction(int number, String keyword, Errno error) {
        this.number = number;
        this.keyword = keyword;
        this.error = error;
    }

    public int number() {
        return number;
    }

    public String keyword() {
        return keyword;
    }

    /** The error a lookup ending at this action reports, or null for the non-terminal actions. */
    public Errno error() {
        return error;
    }

    /** The route type whose keyword iproute2 prints for this action, for the refusing actions. */
    RouteType routeType() {
        return switch (this) {
            case BLACKHOLE -> RouteType.BLACKHOLE;
            case UNREACHABLE -> RouteType.UNREACHABLE;
            case PROHIBIT -> RouteType.PROHIBIT;
            case TO_TBL, GOTO, NOP -> RouteType.UNSPEC;
        };
    }

    /** Parses the iproute2 action keywords ({@code lookup}/{@code table} for TO_TBL). */
    public static RuleAction parse(String keyword) {
        return switch (keyword) {
            case "lookup", "table" -> TO_TBL;
            case "goto" -> GOTO;
            case "nop" -> NOP;
            case "blackhole" -> BLACKHOLE;
            case "unreachable" -> UNREACHABLE;
            case "prohibit" -> PROHIBIT;
            default -> throw new IllegalArgumentException("unknown rule action \"" + keyword + "\"");
        };
    }
}
