package io.netstack4j.ipv4;

/** Linux's IP extension counters ({@code /proc/net/netstat} "IpExt"), shown by {@code nstat}. */
public enum IpExtMib {
    InNoRoutes,
    InTruncatedPkts,
    InMcastPkts,
    OutMcastPkts,
    InBcastPkts,
    OutBcastPkts,
    InOctets,
    OutOctets,
    InMcastOctets,
    OutMcastOctets,
    InBcastOctets,
    OutBcastOctets,
    InCsumErrors,
    InNoECTPkts,
    /** Datagrams discarded because a fragment overlapped queued data. */
    ReasmOverlaps
}
