package io.netstack4j.cli.soak;

import io.netstack4j.core.NetDevice;
import io.netstack4j.core.PacketBuffer;
import io.netstack4j.wire.Checksum;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The stream of hostile frames: templates taken from the running traffic (a frame tap samples
 * what the hosts send) and a few built by hand (UDP, ICMP echo, an IP fragment, IP options),
 * each copy mutated — bit flips, bytes set to edge values, truncation, padding, the IP total
 * length, header length, fragment fields, TCP data offset and options, UDP length and ARP
 * sizes rewritten — and, half of the time, given correct IP and transport checksums again so
 * it gets past the checksum checks into the code behind them. It is injected as a received
 * frame ({@code netif_rx}) into a random device of the network.
 *
 * <p>A frame that no stack could tell from a real one is withheld (counted, not sent): a
 * segment with valid checksums on the 4-tuple of a live connection of the soak, an ICMP error
 * quoting one, and an ARP message binding an address of the network to another MAC. TCP and
 * ARP cannot defend against those (RFC 5961 only narrows the window); they would make the soak
 * fail for a reason that is not a bug. Templates with checksums to be fixed have their source
 * port moved below 1024 first, off every live connection, so most of them still go out.
 */
final class FrameFuzzer {

    static final int MAX_FRAME = 1600;
    private static final int TEMPLATES = 512;
    private static final int SAMPLE_EVERY = 97;

    private final SplittableRandom rnd;
    private final byte[][] templates = new byte[TEMPLATES][];
    private int templateCount;
    private int nextSlot;
    private long seen;
    private final byte[] frame = new byte[MAX_FRAME];
    /** Live 4-tuples, as (src, sport, dst, dport) packed by {@link #tuple}; both directions. */
    final Set<Tuple> live = new HashSet<>();
    private final Map<Integer, Long> macOf;

    long injected;
    long fixedChecksums;
    long withheld;

    record Tuple(int src, int sport, int dst, int dport) {
    }

    FrameFuzzer(long seed, Map<Integer, Long> macOf) {
        this.rnd = new SplittableRandom(seed);
        this.macOf = macOf;
    }

    /** Frame-tap hook: keeps a copy of about one frame in a hundred as a template. */
    void sample(PacketBuffer frame, int offset, int length) {
        if (++seen % SAMPLE_EVERY != 0 || length > MAX_FRAME || length < 14) {
            return;
        }
        templates[nextSlot] = Arrays.copyOfRange(frame.array(), offset, offset + length);
        nextSlot = (nextSlot + 1) % TEMPLATES;
        templateCount = Math.min(TEMPLATES, templateCount + 1);
    }

    /** Adds a hand-built template (it may be replaced by sampled ones later). */
    void addTemplate(byte[] t) {
        sample0(t);
    }

    private void sample0(byte[] t) {
        templates[nextSlot] = t.clone();
        nextSlot = (nextSlot + 1) % TEMPLATES;
        templateCount = Math.min(TEMPLATES, templateCount + 1);
    }

    /** Mutates a random template and injects it into {@code dev} as a received frame. */
    void injectOne(NetDevice dev) {
        if (templateCount == 0) {
            return;
        }
        byte[] t = templates[rnd.nextInt(templateCount)];
        int len = t.length;
        System.arraycopy(t, 0, frame, 0, len);
        boolean fix = rnd.nextBoolean();
        if (rnd.nextInt(10) != 0 && len >= 6) {
            putMac(frame, 0, dev.mac());
        }
        if (fix) {
            moveOffLiveTuple(frame, len);
        }
        int ops = 1 + rnd.nextInt(3);
        for (int i = 0; i < ops; i++) {
            len = mutate(frame, len);
        }
        if (fix) {
            fixChecksums(frame, len);
            fixedChecksums++;
        }
        if (forges(frame, len)) {
            withheld++;
            return;
        }
        PacketBuffer skb = dev.pool().alloc(len);
        skb.putBytes(frame, 0, len);
        injected++;
        dev.netifRx(skb);
    }

    private static void putMac(byte[] f, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            f[at + i] = (byte) (mac >>> (8 * (5 - i)));
        }
    }

    private static long mac(byte[] f, int at) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = (m << 8) | (f[at + i] & 0xff);
        }
        return m;
    }

    private static int u16(byte[] f, int at) {
        return (f[at] & 0xff) << 8 | (f[at + 1] & 0xff);
    }

    private static void put16(byte[] f, int at, int v) {
        f[at] = (byte) (v >>> 8);
        f[at + 1] = (byte) v;
    }

    private static int u32(byte[] f, int at) {
        return u16(f, at) << 16 | u16(f, at + 2);
    }

    private static void put32(byte[] f, int at, int v) {
        put16(f, at, v >>> 16);
        put16(f, at + 2, v);
    }

    private static boolean isIpv4(byte[] f, int len) {
        return len >= 34 && u16(f, 12) == 0x0800 && (f[14] & 0xf0) == 0x40;
    }

    private static int ihl(byte[] f) {
        return (f[14] & 0x0f) * 4;
    }

    private void moveOffLiveTuple(byte[] f, int len) {
        if (isIpv4(f, len) && (f[23] == 6 || f[23] == 17) && 14 + ihl(f) + 4 <= len && ihl(f) >= 20) {
            put16(f, 14 + ihl(f), 1 + rnd.nextInt(1023));
        } else if (len >= 42 && u16(f, 12) == 0x0806 && rnd.nextBoolean()) {
            put32(f, 28, u32(f, 28) & 0xffffff00 | (200 + rnd.nextInt(50)));
        }
    }

    private static final int[] EDGE_BYTES = {0x00, 0x01, 0x02, 0x04, 0x05, 0x0f, 0x10, 0x40, 0x7f, 0x80, 0xfe, 0xff};

    /** One random mutation; returns the new length. */
    private int mutate(byte[] f, int len) {
        boolean ip = isIpv4(f, len);
        int ihl = ip ? ihl(f) : 0;
        int l4 = 14 + ihl;
        switch (rnd.nextInt(11)) {
            case 0 -> {
                int bits = 1 + rnd.nextInt(4);
                for (int i = 0; i < bits && len > 0; i++) {
                    int at = rnd.nextInt(len);
                    f[at] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> {
                if (len > 0) {
                    f[rnd.nextInt(len)] = (byte) EDGE_BYTES[rnd.nextInt(EDGE_BYTES.length)];
                }
            }
            case 2 -> len = rnd.nextInt(len + 1);
            case 3 -> {
                int extra = Math.min(MAX_FRAME - len, 1 + rnd.nextInt(64));
                for (int i = 0; i < extra; i++) {
                    f[len + i] = (byte) rnd.nextInt(256);
                }
                len += extra;
            }
            case 4 -> {
                if (ip) {
                    int tot = u16(f, 16);
                    int[] choices = {0, 1, 19, 20, tot - 1, tot + 1, tot + 8, len - 14, 0xffff, rnd.nextInt(0x10000)};
                    put16(f, 16, choices[rnd.nextInt(choices.length)] & 0xffff);
                }
            }
            case 5 -> {
                if (ip) {
                    f[14] = (byte) (rnd.nextBoolean() ? 0x40 | rnd.nextInt(16) : rnd.nextInt(256));
                }
            }
            case 6 -> {
                if (ip) {
                    // Fragment fields: MF, DF, offsets at and past the end of a datagram.
                    int[] choices = {0x2000, 0x4000, 0x2000 | 1, 0x1fff, 0x2000 | (rnd.nextInt(0x2000)), 8190, 0};
                    put16(f, 20, choices[rnd.nextInt(choices.length)]);
                }
            }
            case 7 -> {
                if (ip && f[23] == 6 && l4 + 13 < len) {
                    f[l4 + 12] = (byte) (rnd.nextInt(16) << 4 | (f[l4 + 12] & 0x0f));
                }
            }
            case 8 -> {
                if (ip && f[23] == 6 && l4 + 20 < len) {
                    int doff = (f[l4 + 12] >>> 4 & 0x0f) * 4;
                    int optEnd = Math.min(len, l4 + Math.max(doff, 21));
                    int at = l4 + 20 + rnd.nextInt(Math.max(1, optEnd - l4 - 20));
                    int[] kinds = {0, 1, 2, 3, 4, 5, 8, 19, 28, 30, 34, 254, 255};
                    int[] lens = {0, 1, 2, 3, 4, 10, 18, 40, 41, 255};
                    if (at < len) {
                        f[at] = (byte) kinds[rnd.nextInt(kinds.length)];
                    }
                    if (at + 1 < len) {
                        f[at + 1] = (byte) lens[rnd.nextInt(lens.length)];
                    }
                }
            }
            case 9 -> {
                if (ip && f[23] == 17 && l4 + 8 <= len) {
                    int ulen = u16(f, l4 + 4);
                    int[] choices = {0, 7, 8, ulen - 1, ulen + 1, ulen + 100, 0xffff};
                    put16(f, l4 + 4, choices[rnd.nextInt(choices.length)] & 0xffff);
                }
            }
            default -> {
                if (len >= 22 && u16(f, 12) == 0x0806) {
                    int at = 14 + 4 + rnd.nextInt(4);
                    f[at] = (byte) EDGE_BYTES[rnd.nextInt(EDGE_BYTES.length)];
                } else if (ip) {
                    f[23] = (byte) new int[] {1, 6, 17, 2, 47, 0, 255}[rnd.nextInt(7)];
                }
            }
        }
        return len;
    }

    /** Recomputes the IPv4 header checksum and the TCP, UDP or ICMP checksum where the lengths allow. */
    static void fixChecksums(byte[] f, int len) {
        if (!isIpv4(f, len)) {
            return;
        }
        int ihl = ihl(f);
        if (ihl < 20 || 14 + ihl > len) {
            return;
        }
        put16(f, 24, 0);
        put16(f, 24, Checksum.finish(Checksum.sum(f, 14, ihl, 0)));
        int tot = u16(f, 16);
        if ((u16(f, 20) & 0x3fff) != 0 || tot < ihl || 14 + tot > len) {
            return;
        }
        int l4 = 14 + ihl;
        int l4len = tot - ihl;
        int proto = f[23] & 0xff;
        int at = switch (proto) {
            case 6 -> l4 + 16;
            case 17 -> l4 + 6;
            case 1 -> l4 + 2;
            default -> -1;
        };
        if (at < 0 || at + 2 > 14 + tot) {
            return;
        }
        put16(f, at, 0);
        long initial = proto == 1 ? 0 : Checksum.pseudoHeaderSum(u32(f, 26), u32(f, 30), proto, l4len);
        int sum = Checksum.finish(Checksum.sum(f, l4, l4len, initial));
        if (proto == 17 && sum == 0) {
            sum = 0xffff;
        }
        put16(f, at, sum);
    }

    private static boolean l4ChecksumOk(byte[] f, int l4, int l4len, int proto, boolean pseudo) {
        long initial = pseudo ? Checksum.pseudoHeaderSum(u32(f, 26), u32(f, 30), proto, l4len) : 0;
        return Checksum.fold(Checksum.sum(f, l4, l4len, initial)) == 0xffff;
    }

    /** True if the frame would pass for a real one on a live connection or ARP binding (see the class comment). */
    boolean forges(byte[] f, int len) {
        if (len >= 42 && u16(f, 12) == 0x0806) {
            Long real = macOf.get(u32(f, 28));
            return real != null && real != mac(f, 22);
        }
        if (!isIpv4(f, len)) {
            return false;
        }
        int ihl = ihl(f);
        if (ihl < 20 || 14 + ihl > len || !Checksum.verify(f, 14, ihl)) {
            return false;
        }
        int tot = Math.min(u16(f, 16), len - 14);
        int l4 = 14 + ihl;
        int proto = f[23] & 0xff;
        boolean fragment = (u16(f, 20) & 0x3fff) != 0;
        if (proto == 6 && l4 + 4 <= 14 + tot) {
            if (!live.contains(new Tuple(u32(f, 26), u16(f, l4), u32(f, 30), u16(f, l4 + 2)))) {
                return false;
            }
            return fragment || l4ChecksumOk(f, l4, tot - ihl, 6, true);
        }
        if (proto == 1 && l4 + 8 + 20 + 4 <= 14 + tot && !fragment && l4ChecksumOk(f, l4, tot - ihl, 1, false)) {
            int inner = l4 + 8;
            int innerIhl = (f[inner] & 0x0f) * 4;
            if ((f[inner + 9] & 0xff) != 6 || inner + innerIhl + 4 > 14 + tot) {
                return false;
            }
            int q = inner + innerIhl;
            return live.contains(new Tuple(u32(f, inner + 12), u16(f, q), u32(f, inner + 16), u16(f, q + 2)));
        }
        return false;
    }

    /** Hand-built templates: what the captured TCP and ARP traffic does not show. */
    void addBuiltTemplates(long ownMac, long peerMac, int src, int dst) {
        addTemplate(ipv4(ownMac, peerMac, src, dst, 17, new byte[0], udp(40000, 9, 64)));
        addTemplate(ipv4(ownMac, peerMac, src, dst, 17, new byte[0], udp(40001, 5001, 1200)));
        byte[] echo = new byte[8 + 56];
        echo[0] = 8;
        put16(echo, 4, 0x4242);
        put16(echo, 6, 1);
        addTemplate(ipv4(ownMac, peerMac, src, dst, 1, new byte[0], echo));
        // Record route, a timestamp option and a loose source route: the option parsers.
        byte[] rr = {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        addTemplate(ipv4(ownMac, peerMac, src, dst, 1, rr, echo));
        byte[] ts = {68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        addTemplate(ipv4(ownMac, peerMac, src, dst, 17, ts, udp(40002, 7, 32)));
        byte[] lsrr = {(byte) 131, 7, 4, 10, 0, 1, 1, 0};
        addTemplate(ipv4(ownMac, peerMac, src, dst, 17, lsrr, udp(40003, 7, 32)));
        byte[] frag = ipv4(ownMac, peerMac, src, dst, 17, new byte[0], udp(40004, 7, 1000));
        put16(frag, 20, 0x2000);
        fixChecksums(frag, frag.length);
        addTemplate(frag);
        byte[] tail = ipv4(ownMac, peerMac, src, dst, 17, new byte[0], new byte[400]);
        put16(tail, 20, 125);
        fixChecksums(tail, tail.length);
        addTemplate(tail);
    }

    private static byte[] udp(int sport, int dport, int payload) {
        byte[] u = new byte[8 + payload];
        put16(u, 0, sport);
        put16(u, 2, dport);
        put16(u, 4, u.length);
        return u;
    }

    private static byte[] ipv4(long dstMac, long srcMac, int src, int dst, int proto, byte[] options, byte[] l4) {
        int ihl = 20 + options.length;
        byte[] f = new byte[14 + ihl + l4.length];
        putMac(f, 0, dstMac);
        putMac(f, 6, srcMac);
        put16(f, 12, 0x0800);
        f[14] = (byte) (0x40 | ihl / 4);
        put16(f, 16, ihl + l4.length);
        put16(f, 18, 0x1234);
        f[22] = 64;
        f[23] = (byte) proto;
        put32(f, 26, src);
        put32(f, 30, dst);
        System.arraycopy(options, 0, f, 34, options.length);
        System.arraycopy(l4, 0, f, 14 + ihl, l4.length);
        fixChecksums(f, f.length);
        return f;
    }
}
