package io.netstack4j.ipv4;

/** Routing-decision statistics, as Linux's {@code /proc/net/stat/rt_cache}. */
public final class RtCacheStats {
    public long inHit;
    public long inSlowTot;
    public long inSlowMc;
    public long inNoRoute;
    public long inBrd;
    public long inMartianDst;
    public long inMartianSrc;
    public long outHit;
    public long outSlowTot;
}
