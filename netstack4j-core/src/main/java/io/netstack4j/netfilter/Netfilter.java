package io.netstack4j.netfilter;

import io.netstack4j.core.DropCounters;
import io.netstack4j.core.DropReason;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One namespace's IPv4 netfilter hook table ({@code net/netfilter/core.c}): functions registered
 * per hook point with a priority, run lowest priority first, each returning a {@link Verdict}.
 * The iptables tables register here in a later layer; with nothing registered a hook point costs
 * one array-length check.
 */
public final class Netfilter {

    /** Linux's {@code NF_IP_PRI_*} values, for callers that want to sit where iptables does. */
    public static final int PRI_CONNTRACK_DEFRAG = -400;
    public static final int PRI_RAW = -300;
    public static final int PRI_CONNTRACK = -200;
    public static final int PRI_MANGLE = -150;
    public static final int PRI_NAT_DST = -100;
    public static final int PRI_FILTER = 0;
    public static final int PRI_SECURITY = 50;
    public static final int PRI_NAT_SRC = 100;

    /** A registration handle ({@code struct nf_hook_ops}). */
    public record Registration(NfHook hook, int priority, HookFunction function, long order) {
    }

    private final DropCounters drops;
    private final HookFunction[][] hooks = new HookFunction[NfHook.values().length][0];
    private final List<List<Registration>> registrations = new ArrayList<>();
    private long nextOrder;
    private long dropped;

    public Netfilter(DropCounters drops) {
        this.drops = drops;
        for (int i = 0; i < NfHook.values().length; i++) {
            registrations.add(new ArrayList<>());
        }
    }

    /** Registers {@code fn} at {@code hook}; equal priorities run in registration order ({@code nf_register_net_hook}). */
    public Registration register(NfHook hook, int priority, HookFunction fn) {
        Registration r = new Registration(hook, priority, fn, nextOrder++);
        List<Registration> list = registrations.get(hook.ordinal());
        list.add(r);
        list.sort(Comparator.comparingInt(Registration::priority).thenComparingLong(Registration::order));
        rebuild(hook);
        return r;
    }

    public void unregister(Registration r) {
        if (registrations.get(r.hook().ordinal()).remove(r)) {
            rebuild(r.hook());
        }
    }

    private void rebuild(NfHook hook) {
        List<Registration> list = registrations.get(hook.ordinal());
        HookFunction[] fns = new HookFunction[list.size()];
        for (int i = 0; i < fns.length; i++) {
            fns[i] = list.get(i).function();
        }
        hooks[hook.ordinal()] = fns;
    }

    /**
     * Runs the hooks of {@code hook} on {@code skb} and, if all accept, {@code okfn}
     * ({@code NF_HOOK}). A drop frees the packet and counts it. Takes ownership of {@code skb}.
     */
    public void hook(NfHook hook, PacketBuffer skb, NetDevice in, NetDevice out, Continuation okfn) {
        HookFunction[] fns = hooks[hook.ordinal()];
        for (HookFunction fn : fns) {
            switch (fn.hook(hook, skb, in, out)) {
                case ACCEPT -> {
                }
                case DROP -> {
                    dropped++;
                    drops.count(DropReason.NETFILTER_DROP);
                    skb.free();
                    return;
                }
                case STOLEN -> {
                    return;
                }
            }
        }
        okfn.accept(skb);
    }

    /** Packets dropped by hooks in this namespace. */
    public long dropped() {
        return dropped;
    }
}
