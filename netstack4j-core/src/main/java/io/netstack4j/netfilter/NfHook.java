package io.netstack4j.netfilter;

/** The five places on the IPv4 path where netfilter hooks run ({@code enum nf_inet_hooks}). */
public enum NfHook {
    /** After the receive checks, before the routing decision ({@code ip_rcv}). */
    PRE_ROUTING,
    /** Before delivery to a local protocol ({@code ip_local_deliver}). */
    LOCAL_IN,
    /** Before a forwarded packet is sent on ({@code ip_forward}). */
    FORWARD,
    /** For locally generated packets, after routing ({@code __ip_local_out}). */
    LOCAL_OUT,
    /** Last, for every packet leaving ({@code ip_output}). */
    POST_ROUTING
}
