package io.netstack4j.route;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The IPv4 policy routing rules of a namespace ({@code net/core/fib_rules.c} with
 * {@code net/ipv4/fib_rules.c}): an ordered list consulted by priority, each rule either
 * answering the lookup or passing it on.
 *
 * <p>A fresh list holds the three rules Linux starts with:
 * <pre>
 *     0:      from all lookup local
 *     32766:  from all lookup main
 *     32767:  from all lookup default
 * </pre>
 */
public final class FibRules {

    private final IntFunction<FibTable> tables;
    private FibRule head;
    private int count;

    FibRules(IntFunction<FibTable> tables) {
        this.tables = tables;
        appendDefault(0, FibTable.LOCAL);
        appendDefault(0x7FFE, FibTable.MAIN);
        appendDefault(0x7FFF, FibTable.DEFAULT);
    }

    private void appendDefault(int priority, int table) {
        FibRule r = new FibRule(priority, false, 0, 0, 0, 0, 0, null, 0, null, 0, 0, 0, RuleAction.TO_TBL, table, -1, 0,
                RouteProtocol.KERNEL);
        r.tableRef = tables.apply(table);
        insert(r);
    }

    /** The rules in the order they are consulted. */
    public List<FibRule> list() {
        List<FibRule> out = new ArrayList<>(count);
        for (FibRule r = head; r != null; r = r.next) {
            out.add(r);
        }
        return out;
    }

    public int size() {
        return count;
    }

    /**
     * {@code fib_newrule}: validates and inserts a rule after every rule of the same or a lower
     * priority. Without a priority it takes the one just below the second rule's
     * ({@code fib_default_rule_pref}), which is 32765 on a fresh namespace.
     *
     * @throws NetException EEXIST for an identical rule at the same priority, EINVAL for an
     *     invalid TOS or goto (with the kernel's message)
     */
    FibRule add(RuleSpec s) {
        RuleAction action = s.action() != null ? s.action() : RuleAction.TO_TBL;
        int table = s.table();
        if (table == FibTable.UNSPEC && action == RuleAction.TO_TBL) {
            table = FibTable.MAIN;
        }
        if (s.gotoTarget() >= 0 && action != RuleAction.GOTO) {
            throw new NetException(Errno.EINVAL, "Unexpected goto");
        }
        if (action == RuleAction.GOTO && s.gotoTarget() < 0) {
            throw new NetException(Errno.EINVAL, "Missing goto target for action goto");
        }
        int mark = s.fwmark() >= 0 ? (int) s.fwmark() : 0;
        int mask = mark != 0 ? -1 : 0;
        if (s.fwmask() >= 0) {
            mask = (int) s.fwmask();
        }
        int priority = s.priority() >= 0 ? (int) s.priority() : defaultPriority();
        int target = s.gotoTarget() >= 0 ? (int) s.gotoTarget() : 0;
        if (action == RuleAction.GOTO && Integer.compareUnsigned(target, priority) <= 0) {
            throw new NetException(Errno.EINVAL, "Backward goto not supported");
        }
        FibRule rule = new FibRule(priority, s.not(), s.from() == null ? 0 : s.from().bits(), s.fromLen(),
                s.to() == null ? 0 : s.to().bits(), s.toLen(), s.tos(), s.iifName(), deviceSelector(s.iifName(), s.iif()),
                s.oifName(), deviceSelector(s.oifName(), s.oif()), mark, mask, action, table, s.suppressPrefixLength(), target,
                s.protocol() >= 0 ? s.protocol() : RouteProtocol.UNSPEC);
        if (exists(rule)) {
            throw new NetException(Errno.EEXIST);
        }
        // fib4_rule_configure
        if ((rule.tos & 0x03) != 0) {
            throw new NetException(Errno.EINVAL, "Invalid dsfield (tos): ECN bits must be 0");
        }
        if ((rule.tos & ~0x1e) != 0) {
            throw new NetException(Errno.EINVAL, "Invalid tos");
        }
        for (FibRule r = head; r != null; r = r.next) {
            if (r.priority == rule.target && action == RuleAction.GOTO) {
                rule.ctarget = r;
                break;
            }
        }
        rule.tableRef = table != 0 ? tables.apply(table) : null;
        insert(rule);
        for (FibRule r = head; r != null; r = r.next) {
            if (r.action == RuleAction.GOTO && r.target == rule.priority && r.ctarget == null) {
                r.ctarget = rule;
            }
        }
        return rule;
    }

    private static int deviceSelector(String name, int ifindex) {
        if (name != null) {
            return ifindex > 0 ? ifindex : -1;
        }
        return Math.max(ifindex, 0);
    }

    /** {@code fib_default_rule_pref}: one below the second rule's priority, or 0. */
    private int defaultPriority() {
        if (head != null && head.next != null && head.next.priority != 0) {
            return head.next.priority - 1;
        }
        return 0;
    }

    private void insert(FibRule rule) {
        FibRule last = null;
        for (FibRule r = head; r != null && Integer.compareUnsigned(r.priority, rule.priority) <= 0; r = r.next) {
            last = r;
        }
        if (last == null) {
            rule.next = head;
            head = rule;
        } else {
            rule.next = last.next;
            last.next = rule;
        }
        count++;
    }

    /** {@code rule_exists}: the same rule at the same priority, with the new rule's addresses as selectors. */
    private boolean exists(FibRule rule) {
        for (FibRule r = head; r != null; r = r.next) {
            if (r.action == rule.action && r.table == rule.table && r.priority == rule.priority
                    && sameDevice(r.iifName, r.iifIndex, rule.iifName, rule.iifIndex)
                    && sameDevice(r.oifName, r.oifIndex, rule.oifName, rule.oifIndex) && r.mark == rule.mark
                    && r.suppressPrefixLen == rule.suppressPrefixLen && r.markMask == rule.markMask && r.protocol == rule.protocol
                    && compare(r, rule.srcLen, rule.src, rule.dstLen, rule.dst, rule.tos)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameDevice(String nameA, int indexA, String nameB, int indexB) {
        if (nameA != null || nameB != null) {
            return nameA != null && nameA.equals(nameB);
        }
        return indexA == indexB;
    }

    /** {@code fib4_rule_compare}: zero lengths and TOS are wildcards. */
    private static boolean compare(FibRule r, int srcLen, int src, int dstLen, int dst, int tos) {
        return (srcLen == 0 || (r.srcLen == srcLen && r.src == src)) && (dstLen == 0 || (r.dstLen == dstLen && r.dst == dst))
                && (tos == 0 || r.tos == tos);
    }

    /**
     * {@code fib_delrule}: removes the first rule matching every given selector; rules jumping to
     * it move on to the next rule of the same priority, or become unresolved.
     *
     * @throws NetException {@link Errno#ENOENT} when no rule matches
     */
    FibRule delete(RuleSpec s) {
        int mark = s.fwmark() >= 0 ? (int) s.fwmark() : 0;
        int mask = mark != 0 ? -1 : 0;
        if (s.fwmask() >= 0) {
            mask = (int) s.fwmask();
        }
        FibRule prev = null;
        for (FibRule r = head; r != null; prev = r, r = r.next) {
            if ((s.action() == null || r.action == s.action()) && (s.table() == 0 || r.table == s.table())
                    && (s.priority() < 0 || r.priority == (int) s.priority())
                    && (s.iifName() != null ? s.iifName().equals(r.iifName) : s.iif() <= 0 || r.iifIndex == s.iif())
                    && (s.oifName() != null ? s.oifName().equals(r.oifName) : s.oif() <= 0 || r.oifIndex == s.oif())
                    && (mark == 0 || r.mark == mark)
                    && (s.suppressPrefixLength() == -1 || r.suppressPrefixLen == s.suppressPrefixLength())
                    && (mask == 0 || r.markMask == mask) && (s.protocol() <= 0 || r.protocol == s.protocol())
                    && compare(r, s.fromLen(), s.from() == null ? 0 : s.from().bits(), s.toLen(),
                            s.to() == null ? 0 : s.to().bits(), s.tos())) {
                if (prev == null) {
                    head = r.next;
                } else {
                    prev.next = r.next;
                }
                count--;
                FibRule successor = r.next != null && r.next.priority == r.priority ? r.next : null;
                for (FibRule o = head; o != null; o = o.next) {
                    if (o.ctarget == r) {
                        o.ctarget = successor;
                    }
                }
                r.next = null;
                return r;
            }
        }
        throw new NetException(Errno.ENOENT);
    }

    /** A table came into existence: lookup rules naming it can use it now. */
    void tableCreated(FibTable table) {
        for (FibRule r = head; r != null; r = r.next) {
            if (r.table == table.id()) {
                r.tableRef = table;
            }
        }
    }

    /** {@code attach_rules}: rules naming the device follow its (new) ifindex. */
    void deviceRegistered(int ifindex, String name) {
        for (FibRule r = head; r != null; r = r.next) {
            if (r.iifIndex == -1 && name.equals(r.iifName)) {
                r.iifIndex = ifindex;
            }
            if (r.oifIndex == -1 && name.equals(r.oifName)) {
                r.oifIndex = ifindex;
            }
        }
    }

    /** {@code detach_rules}: rules on a vanished device stop matching until it returns. */
    void deviceUnregistered(int ifindex) {
        for (FibRule r = head; r != null; r = r.next) {
            if (r.iifIndex == ifindex) {
                r.iifIndex = -1;
            }
            if (r.oifIndex == ifindex) {
                r.oifIndex = -1;
            }
        }
    }

    /**
     * {@code fib_rules_lookup} with {@code fib4_rule_action} and {@code fib4_rule_suppress}:
     * walks the rules in order; a matching {@code lookup} rule answers unless its table has no
     * route or a {@code throw} route (then the walk goes on), a refusing rule answers with its
     * error. Allocates nothing.
     *
     * @return null with {@code res} filled on success, otherwise the error; {@link Errno#ESRCH}
     *     when no rule answered
     */
    Errno lookup(Flow4 flow, FibResult res, int flags) {
        FibRule rule = head;
        while (rule != null) {
            if (!rule.matches(flow)) {
                rule = rule.next;
                continue;
            }
            Errno err;
            switch (rule.action) {
                case GOTO -> {
                    rule = rule.ctarget != null ? rule.ctarget : rule.next;
                    continue;
                }
                case NOP -> {
                    rule = rule.next;
                    continue;
                }
                case TO_TBL -> {
                    FibTable table = rule.tableRef;
                    if (table == null) {
                        err = Errno.EAGAIN;
                    } else {
                        int st = table.lookup(flow, res, flags, table.id());
                        err = st == FibTable.HIT ? null : st == FibTable.MISS ? Errno.EAGAIN : res.error();
                    }
                }
                case BLACKHOLE, UNREACHABLE, PROHIBIT -> {
                    res.fail(rule.action.routeType(), rule.action.error());
                    err = rule.action.error();
                }
                default -> throw new IllegalStateException("rule action " + rule.action);
            }
            if (err == null && res.prefixLen() <= rule.suppressPrefixLen) {
                rule = rule.next;
                continue;
            }
            if (err != Errno.EAGAIN) {
                res.rule(rule);
                return err;
            }
            rule = rule.next;
        }
        return Errno.ESRCH;
    }
}
