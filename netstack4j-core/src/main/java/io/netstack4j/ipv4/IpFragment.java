package io.netstack4j.ipv4;

import io.netstack4j.core.PacketBuffer;
import io.netstack4j.netfilter.Continuation;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.Ipv4Options;

/**
 * Splits a datagram that is larger than the path MTU into fragments ({@code ip_do_fragment},
 * the slow path; RFC 791 section 3.2 "Fragmentation"). Every fragment carries a copy of the
 * original header with the same identification; its offset counts 8-byte units and every
 * fragment but the last has MF set. The first fragment keeps all options; later ones keep only
 * the options whose copied flag is set, the others overwritten with NOP so the header length
 * stays the same ({@code ip_options_fragment}). A datagram that is itself a fragment (a router
 * refragmenting) keeps its original offset, and its MF on the last piece.
 */
final class IpFragment {

    private final Ipv4 ipv4;

    IpFragment(Ipv4 ipv4) {
        this.ipv4 = ipv4;
    }

    /**
     * Fragments {@code skb} (network header at {@code skb.data()}) to fit {@code mtu} and hands
     * each fragment to {@code out}. Takes ownership of {@code skb}. Counts FragCreates per
     * fragment and FragOKs once, or FragFails when the MTU leaves no room for data.
     */
    void fragment(PacketBuffer skb, int mtu, Continuation out) {
        byte[] b = skb.array();
        int nh = skb.networkHeader();
        int hlen = Ipv4Header.headerLength(b, nh);
        int dataLen = skb.len() - hlen;
        // Every fragment but the last carries a multiple of 8 bytes (RFC 791).
        int perFragment = (mtu - hlen) & ~7;
        if (perFragment < 8) {
            ipv4.mib().inc(IpMib.FragFails);
            skb.free();
            return;
        }
        int baseOffset = Ipv4Header.fragmentOffset(b, nh);
        boolean originalMf = Ipv4Header.moreFragments(b, nh);
        boolean df = Ipv4Header.dontFragment(b, nh);
        int dataStart = nh + hlen;
        for (int done = 0; done < dataLen; ) {
            int len = Math.min(perFragment, dataLen - done);
            boolean last = done + len == dataLen;
            PacketBuffer frag = ipv4.loop().pool().alloc(hlen + len);
            int off = frag.put(hlen + len);
            byte[] f = frag.array();
            System.arraycopy(b, nh, f, off, hlen);
            System.arraycopy(b, dataStart + done, f, off + hlen, len);
            if (done > 0 && hlen > Ipv4Header.MIN_LEN) {
                keepCopiedOptions(f, off, hlen);
            }
            Ipv4Header.setTotalLength(f, off, hlen + len);
            Ipv4Header.setFlagsFragment(f, off, df, !last || originalMf, baseOffset + done);
            Ipv4Header.fillChecksum(f, off);
            frag.resetNetworkHeader();
            frag.setTransportHeader(off + hlen);
            frag.copyMetadata(skb);
            ipv4.mib().inc(IpMib.FragCreates);
            out.accept(frag);
            done += len;
        }
        ipv4.mib().inc(IpMib.FragOKs);
        skb.free();
    }

    /**
     * {@code ip_options_fragment}: options without the copied flag (bit 7 of the type) appear
     * only in the first fragment; in the others they become NOPs.
     */
    private static void keepCopiedOptions(byte[] f, int off, int hlen) {
        int i = off + Ipv4Header.MIN_LEN;
        int end = off + hlen;
        while (i < end) {
            int type = f[i] & 0xff;
            if (type == Ipv4Options.OPT_END) {
                return;
            }
            if (type == Ipv4Options.OPT_NOOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return;
            }
            int optLen = f[i + 1] & 0xff;
            if (optLen < 2 || i + optLen > end) {
                return;
            }
            if ((type & 0x80) == 0) {
                for (int k = 0; k < optLen; k++) {
                    f[i + k] = (byte) Ipv4Options.OPT_NOOP;
                }
            }
            i += optLen;
        }
    }
}
