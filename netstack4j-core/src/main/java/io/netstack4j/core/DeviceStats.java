package io.netstack4j.core;

/** A device's counters, as {@code struct rtnl_link_stats64}, shown by {@code ip -s link}. */
public final class DeviceStats {
    public long rxPackets;
    public long rxBytes;
    public long rxErrors;
    public long rxDropped;
    public long rxMulticast;
    public long rxNoHandler;
    public long txPackets;
    public long txBytes;
    public long txErrors;
    public long txDropped;
    public long txCarrierErrors;
    public long collisions;
}
