package io.netstack4j.neigh;

/** Neighbour Unreachability Detection states (RFC 4861 section 7.3.2 as Linux applies them to ARP). */
public enum Nud {
    NONE,
    /** Resolution in progress: broadcast requests sent, packets queued. */
    INCOMPLETE,
    /** Confirmed within the reachable time. */
    REACHABLE,
    /** Address known but unconfirmed; used as is, verified when next used. */
    STALE,
    /** Used while stale: waiting briefly for an upper-layer confirmation before probing. */
    DELAY,
    /** Unicast probes to the known address. */
    PROBE,
    /** Resolution failed. */
    FAILED,
    /** No resolution needed (loopback, broadcast, multicast). */
    NOARP,
    /** Set by the administrator; never changed by the protocol. */
    PERMANENT;

    /** NUD_VALID: the entry has a link-layer address to send to. */
    public boolean valid() {
        return switch (this) {
            case REACHABLE, STALE, DELAY, PROBE, NOARP, PERMANENT -> true;
            default -> false;
        };
    }

    /** NUD_CONNECTED: confirmed or fixed. */
    public boolean connected() {
        return this == REACHABLE || this == NOARP || this == PERMANENT;
    }

    /** States the administrator sets and the protocol never touches. */
    public boolean fixed() {
        return this == NOARP || this == PERMANENT;
    }
}
