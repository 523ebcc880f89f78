package io.netstack4j.route;

import io.netstack4j.wire.Ipv4Address;

/**
 * What {@code ip rule add|del} carries ({@code struct fib_rule_hdr} and its {@code FRA_*}
 * attributes). On add, unset fields take the iproute2/kernel defaults (action {@code lookup},
 * table {@code main}, a priority just below the second rule's); on delete, set fields are the
 * selectors and unset ones match anything ({@code rule_find}).
 *
 * <p>Devices are named as the user named them: a rule keeps the name and follows whichever
 * device carries it ({@code iif}/{@code oif} become "[detached]" while none does). {@code iif} and
 * {@code oif} carry the ifindex of that device at the time of the request, 0 when there is none.
 *
 * @param priority the rule's preference, unsigned 32 bits in a long; -1 = not given
 * @param not {@code not}: invert the selector match ({@code FIB_RULE_INVERT})
 * @param from source prefix, null = any ({@code from all})
 * @param fromLen its length 0..32
 * @param to destination prefix, null = any
 * @param toLen its length 0..32
 * @param tos TOS to match, 0 = any
 * @param iifName input device name, null = any
 * @param iif ifindex of the device named {@code iifName}, 0 if it does not exist
 * @param oifName output device name, null = any
 * @param oif ifindex of the device named {@code oifName}, 0 if it does not exist
 * @param fwmark firewall mark, unsigned 32 bits; -1 = not given
 * @param fwmask mark mask, unsigned 32 bits; -1 = not given (all bits when a non-zero mark is given)
 * @param action null = not given ({@link RuleAction#TO_TBL} on add)
 * @param table table id (unsigned); 0 = not given ({@code main} for a lookup rule on add)
 * @param suppressPrefixLength {@code suppress_prefixlength}: ignore answers with a prefix this
 *     short or shorter; -1 = not given
 * @param gotoTarget the priority a {@code goto} jumps to, unsigned; -1 = not given
 * @param protocol {@code protocol} of the rule ({@code RTPROT_*}); -1 = not given
 */
public record RuleSpec(long priority, boolean not, Ipv4Address from, int fromLen, Ipv4Address to, int toLen, int tos,
        String iifName, int iif, String oifName, int oif, long fwmark, long fwmask, RuleAction action, int table,
        int suppressPrefixLength, long gotoTarget, int protocol) {

    public RuleSpec {
        if (fromLen < 0 || fromLen > 32 || toLen < 0 || toLen > 32 || tos < 0 || tos > 255) {
            throw new IllegalArgumentException("prefix length or tos out of range");
        }
        if ((from == null && fromLen != 0) || (to == null && toLen != 0)) {
            throw new IllegalArgumentException("a prefix length needs an address");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Fluent construction named after the iproute2 keywords. */
    public static final class Builder {
        private long priority = -1;
        private boolean not;
        private Ipv4Address from;
        private int fromLen;
        private Ipv4Address to;
        private int toLen;
        private int tos;
        private String iifName;
        private int iif;
        private String oifName;
        private int oif;
        private long fwmark = -1;
        private long fwmask = -1;
        private RuleAction action;
        private int table;
        private int suppressPrefixLength = -1;
        private long gotoTarget = -1;
        private int protocol = -1;

        private Builder() {
        }

        /** {@code priority N} (also {@code pref}, {@code order}). */
        public Builder priority(long priority) {
            this.priority = priority;
            return this;
        }

        public Builder not() {
            this.not = true;
            return this;
        }

        /** {@code from PREFIX}; "all" or "default" leave it unset. */
        public Builder from(String prefix) {
            RouteSpec.Builder b = RouteSpec.to(prefix);
            RouteSpec r = b.build();
            if (r.prefixLen() == 0) {
                this.from = null;
                this.fromLen = 0;
            } else {
                this.from = r.dst();
                this.fromLen = r.prefixLen();
            }
            return this;
        }

        public Builder from(Ipv4Address addr, int len) {
            this.from = len == 0 ? null : addr;
            this.fromLen = len;
            return this;
        }

        /** {@code to PREFIX}. */
        public Builder to(String prefix) {
            RouteSpec r = RouteSpec.to(prefix).build();
            if (r.prefixLen() == 0) {
                this.to = null;
                this.toLen = 0;
            } else {
                this.to = r.dst();
                this.toLen = r.prefixLen();
            }
            return this;
        }

        public Builder to(Ipv4Address addr, int len) {
            this.to = len == 0 ? null : addr;
            this.toLen = len;
            return this;
        }

        public Builder tos(int tos) {
            this.tos = tos;
            return this;
        }

        /** {@code iif NAME}, with the ifindex of the device of that name (0 if none). */
        public Builder iif(String name, int ifindex) {
            this.iifName = name;
            this.iif = ifindex;
            return this;
        }

        /** {@code oif NAME}, with the ifindex of the device of that name (0 if none). */
        public Builder oif(String name, int ifindex) {
            this.oifName = name;
            this.oif = ifindex;
            return this;
        }

        /** {@code fwmark MARK}. */
        public Builder fwmark(long mark) {
            this.fwmark = mark & 0xffffffffL;
            return this;
        }

        /** {@code fwmark MARK/MASK}. */
        public Builder fwmark(long mark, long mask) {
            this.fwmark = mark & 0xffffffffL;
            this.fwmask = mask & 0xffffffffL;
            return this;
        }

        /** {@code lookup TABLE}. */
        public Builder lookup(int table) {
            this.action = RuleAction.TO_TBL;
            this.table = table;
            return this;
        }

        /** {@code table TABLE} without implying an action (a delete selector). */
        public Builder table(int table) {
            this.table = table;
            return this;
        }

        public Builder action(RuleAction action) {
            this.action = action;
            return this;
        }

        /** {@code goto PREF}. */
        public Builder gotoRule(long target) {
            this.action = RuleAction.GOTO;
            this.gotoTarget = target;
            return this;
        }

        public Builder suppressPrefixLength(int len) {
            this.suppressPrefixLength = len;
            return this;
        }

        public Builder protocol(int protocol) {
            this.protocol = protocol;
            return this;
        }

        public RuleSpec build() {
            return new RuleSpec(priority, not, from, fromLen, to, toLen, tos, iifName, iif, oifName, oif, fwmark, fwmask, action,
                    table, suppressPrefixLength, gotoTarget, protocol);
        }
    }
}
