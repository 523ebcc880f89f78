package io.netstack4j.netfilter;

import io.netstack4j.core.PacketBuffer;

/**
 * The stage that follows a hook point when every hook accepts, the {@code okfn} of
 * {@code NF_HOOK} ({@code ip_rcv_finish}, {@code ip_local_deliver_finish} ...). Takes ownership.
 */
@FunctionalInterface
public interface Continuation {
    void accept(PacketBuffer skb);
}
