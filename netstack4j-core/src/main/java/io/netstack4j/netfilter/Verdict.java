package io.netstack4j.netfilter;

/** What a hook decides about a packet ({@code NF_ACCEPT}, {@code NF_DROP}, {@code NF_STOLEN}). */
public enum Verdict {
    /** Continue: next hook, or the continuation after the last one. */
    ACCEPT,
    /** Free the packet and count it as a netfilter drop. */
    DROP,
    /** The hook took ownership of the packet (queued it, consumed it); stop without freeing. */
    STOLEN
}
