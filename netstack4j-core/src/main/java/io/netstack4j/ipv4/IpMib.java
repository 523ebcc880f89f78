package io.netstack4j.ipv4;

/**
 * The IP group of the SNMP MIB (RFC 4293's {@code ipSystemStats}, Linux {@code IPSTATS_MIB_*}),
 * shown by {@code nstat} with the prefix "Ip". Constant names are the MIB object names.
 */
public enum IpMib {
    InReceives,
    InHdrErrors,
    InAddrErrors,
    ForwDatagrams,
    InUnknownProtos,
    InDiscards,
    InDelivers,
    OutRequests,
    OutDiscards,
    OutNoRoutes,
    ReasmTimeout,
    ReasmReqds,
    ReasmOKs,
    ReasmFails,
    FragOKs,
    FragFails,
    FragCreates,
    OutTransmits
}
