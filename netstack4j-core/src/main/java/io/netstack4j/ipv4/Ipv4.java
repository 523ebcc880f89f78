package io.netstack4j.ipv4;

import io.netstack4j.core.Devices;
import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.core.PacketHandler;
import io.netstack4j.core.DropCounters;
import io.netstack4j.core.Mib;
import io.netstack4j.core.NetLoop;
import io.netstack4j.core.Sysctls;
import io.netstack4j.inet.Inet;
import io.netstack4j.netfilter.Netfilter;
import io.netstack4j.route.Fib;
import io.netstack4j.wire.Bytes;
import io.netstack4j.wire.EtherType;
import io.netstack4j.wire.Ipv4Header;

/**
 * One namespace's IPv4 layer ({@code net/ipv4/}): owns the protocol table ({@code inet_protos}),
 * the IP MIBs, the IPv4 sysctls and the four stages of the packet path — {@link IpInput}
 * ({@code ip_input.c}), {@link IpForward} ({@code ip_forward.c}), {@link IpOutput}
 * ({@code ip_output.c}) and {@link IpRoute} ({@code route.c}).
 */
public final class Ipv4 {

    private final NetLoop loop;
    private final Devices devices;
    private final Inet inet;
    private final Fib fib;
    private final Netfilter netfilter;
    private final DropCounters drops;
    private final Mib<IpMib> mib = new Mib<>("Ip", IpMib.class);
    private final Mib<IpExtMib> extMib = new Mib<>("IpExt", IpExtMib.class);
    private final L4Protocol[] protocols = new L4Protocol[256];
    private final IpRoute route;
    private final IpInput input;
    private final IpForward forward;
    private final IpOutput output;
    private final IpFragment fragment;
    private final IpDefrag defrag;
    private final LocalPortRange localPorts;
    private IcmpSender icmp = (skb, type, code, info) -> { };
    private NeighOutput neigh;

    int defaultTtl = 64;
    int acceptSourceRouteAll;
    private boolean verifyRxChecksums = true;

    public Ipv4(NetLoop loop, Devices devices, Inet inet, Fib fib, Netfilter netfilter, DropCounters drops, Sysctls sysctls,
            NeighOutput neigh) {
        this.loop = loop;
        this.devices = devices;
        this.inet = inet;
        this.fib = fib;
        this.netfilter = netfilter;
        this.drops = drops;
        this.neigh = neigh;
        this.route = new IpRoute(this, fib);
        this.input = new IpInput(this);
        this.forward = new IpForward(this);
        this.output = new IpOutput(this, loop.random().nextInt());
        this.fragment = new IpFragment(this);
        this.defrag = new IpDefrag(this, sysctls);
        this.localPorts = new LocalPortRange(sysctls);
        sysctls.registerInt("net.ipv4.ip_default_ttl", 1, 255, () -> defaultTtl, v -> defaultTtl = v);
        sysctls.registerInt("net.ipv4.route.mtu_expires", 0, Integer.MAX_VALUE, () -> route.mtuExpiresSeconds,
                v -> route.mtuExpiresSeconds = v);
        sysctls.registerInt("net.ipv4.route.min_pmtu", 68, 65535, () -> route.minPmtu, v -> route.minPmtu = v);
        sysctls.registerInt("net.ipv4.route.gc_timeout", 0, Integer.MAX_VALUE, () -> route.gcTimeoutSeconds,
                v -> route.gcTimeoutSeconds = v);
        devices.addPack(EtherType.IPV4, new PacketHandler() {
            @Override
            public void receive(PacketBuffer skb, NetDevice dev) {
                input.rcv(skb, dev);
            }

            @Override
            public void prefetch(PacketBuffer skb) {
                if (skb.len() >= Ipv4Header.MIN_LEN) {
                    route.prefetch(Bytes.u32(skb.array(), skb.data() + Ipv4Header.DST));
                }
            }
        });
    }

    /** Registers the handler for an IP protocol number ({@code inet_add_protocol}). */
    public void addProtocol(int protocol, L4Protocol handler) {
        if (protocols[protocol & 0xff] != null) {
            throw new IllegalStateException("IP protocol " + protocol + " already has a handler");
        }
        protocols[protocol & 0xff] = handler;
    }

    /** The handler registered for an IP protocol number, or null. */
    public L4Protocol protocolHandler(int protocol) {
        return protocols[protocol & 0xff];
    }

    /** Installs the ICMP error sender (the ICMP layer registers itself). */
    public void setIcmpSender(IcmpSender sender) {
        this.icmp = sender;
    }

    IcmpSender icmp() {
        return icmp;
    }

    NeighOutput neigh() {
        return neigh;
    }

    public NetLoop loop() {
        return loop;
    }

    public Devices devices() {
        return devices;
    }

    public Inet inet() {
        return inet;
    }

    public Fib fib() {
        return fib;
    }

    public Netfilter netfilter() {
        return netfilter;
    }

    public DropCounters drops() {
        return drops;
    }

    public Mib<IpMib> mib() {
        return mib;
    }

    public Mib<IpExtMib> extMib() {
        return extMib;
    }

    public IpRoute route() {
        return route;
    }

    public IpInput input() {
        return input;
    }

    public IpForward forward() {
        return forward;
    }

    public IpOutput output() {
        return output;
    }

    IpFragment fragmenter() {
        return fragment;
    }

    /** The reassembly queues ({@code netns_ipv4.fqdir}). */
    /** The ephemeral port range shared by UDP and TCP. */
    public LocalPortRange localPorts() {
        return localPorts;
    }

    public IpDefrag defrag() {
        return defrag;
    }

    public int defaultTtl() {
        return defaultTtl;
    }

    /**
     * Whether received IPv4 headers and ICMP, UDP and TCP messages have their checksums verified
     * (RFC 1122 3.2.1.2, 3.2.2, 4.1.3.4, 4.2.2.7). Always true unless a fuzzer turned it off.
     */
    public boolean verifyRxChecksums() {
        return verifyRxChecksums;
    }

    /**
     * A fuzzing knob, off by default and no sysctl: {@code false} makes this namespace's
     * IPv4, ICMP, UDP and TCP receive paths accept packets whatever their checksums hold, so a
     * fuzzer's mutated packets reach the code behind the checksum test instead of all being
     * dropped as IP_CSUM, ICMP_CSUM, UDP_CSUM or TCP_CSUM. Linux has no equivalent (a device's
     * {@code CHECKSUM_UNNECESSARY} never skips the IP header check); never turn it off on a
     * namespace that receives real traffic.
     */
    public void setVerifyRxChecksums(boolean on) {
        this.verifyRxChecksums = on;
    }
}
