package io.netstack4j.neigh;

/** The neighbour table's statistics, as {@code /proc/net/stat/arp_cache}. */
public final class NeighStats {
    public long allocs;
    public long destroys;
    public long lookups;
    public long hits;
    public long resFailed;
    public long rcvProbesMcast;
    public long rcvProbesUcast;
    public long periodicGcRuns;
    public long forcedGcRuns;
    public long unresolvedDiscards;
    public long tableFulls;
}
