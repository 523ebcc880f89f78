package io.netstack4j.icmp;

/** The ICMP group of the SNMP MIB (RFC 2011 {@code icmp}, Linux {@code ICMP_MIB_*}), "Icmp" in nstat. */
public enum IcmpMib {
    InMsgs,
    InErrors,
    InCsumErrors,
    InDestUnreachs,
    InTimeExcds,
    InParmProbs,
    InSrcQuenchs,
    InRedirects,
    InEchos,
    InEchoReps,
    InTimestamps,
    InTimestampReps,
    InAddrMasks,
    InAddrMaskReps,
    OutMsgs,
    OutErrors,
    OutRateLimitGlobal,
    OutRateLimitHost,
    OutDestUnreachs,
    OutTimeExcds,
    OutParmProbs,
    OutSrcQuenchs,
    OutRedirects,
    OutEchos,
    OutEchoReps,
    OutTimestamps,
    OutTimestampReps,
    OutAddrMasks,
    OutAddrMaskReps;

    /** The per-type input counter for an ICMP type, or null for types the MIB does not name. */
    static IcmpMib inCounter(int type) {
        return switch (type) {
            case 0 -> InEchoReps;
            case 3 -> InDestUnreachs;
            case 4 -> InSrcQuenchs;
            case 5 -> InRedirects;
            case 8 -> InEchos;
            case 11 -> InTimeExcds;
            case 12 -> InParmProbs;
            case 13 -> InTimestamps;
            case 14 -> InTimestampReps;
            case 17 -> InAddrMasks;
            case 18 -> InAddrMaskReps;
            default -> null;
        };
    }

    /** The per-type output counter for an ICMP type, or null. */
    static IcmpMib outCounter(int type) {
        return switch (type) {
            case 0 -> OutEchoReps;
            case 3 -> OutDestUnreachs;
            case 4 -> OutSrcQuenchs;
            case 5 -> OutRedirects;
            case 8 -> OutEchos;
            case 11 -> OutTimeExcds;
            case 12 -> OutParmProbs;
            case 13 -> OutTimestamps;
            case 14 -> OutTimestampReps;
            case 17 -> OutAddrMasks;
            case 18 -> OutAddrMaskReps;
            default -> null;
        };
    }
}
