package io.netstack4j.netfilter;

import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;

/**
 * A function registered on a netfilter hook ({@code nf_hookfn}). On entry {@code skb.data()} is
 * at the IPv4 header. Returning {@link Verdict#STOLEN} takes ownership of {@code skb}.
 */
@FunctionalInterface
public interface HookFunction {

    /**
     * @param in the receiving device, or null for locally generated packets
     * @param out the sending device, or null before the output route is known
     */
    Verdict hook(NfHook hook, PacketBuffer skb, NetDevice in, NetDevice out);
}
