package io.netstack4j.tcp;

/** The RFC 4022 TCP counters, as {@code nstat} prints them ({@code TCP_MIB_*}). */
public enum TcpMib {
    ActiveOpens,
    PassiveOpens,
    AttemptFails,
    EstabResets,
    CurrEstab,
    InSegs,
    OutSegs,
    RetransSegs,
    InErrs,
    OutRsts,
    InCsumErrors
}
