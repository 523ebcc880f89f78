package io.netstack4j.wire;

import java.util.random.RandomGenerator;

/** A 48-bit Ethernet (IEEE 802) address held in the low bits of a {@code long}. */
public record MacAddress(long bits) {

    public static final MacAddress ZERO = new MacAddress(0);
    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);

    public MacAddress {
        if ((bits & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: " + Long.toHexString(bits));
        }
    }

    /**
     * Parses six colon-separated groups of one or two hex digits ({@code aa:bb:cc:dd:ee:ff},
     * either case, as iproute2's {@code ll_addr_a2n}); throws {@link IllegalArgumentException}
     * otherwise.
     */
    public static MacAddress parse(String text) {
        long v = 0;
        int groups = 0;
        int i = 0;
        int n = text.length();
        while (groups < 6) {
            int start = i;
            int octet = 0;
            while (i < n && i - start < 2 && Character.digit(text.charAt(i), 16) >= 0) {
                octet = octet << 4 | Character.digit(text.charAt(i), 16);
                i++;
            }
            if (i == start) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
            v = v << 8 | octet;
            groups++;
            if (groups < 6) {
                if (i >= n || text.charAt(i) != ':') {
                    throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
                }
                i++;
            }
        }
        if (i != n) {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
        }
        return new MacAddress(v);
    }

    /** A random locally administered unicast address, as Linux's {@code eth_random_addr}. */
    public static MacAddress random(RandomGenerator rng) {
        long v = rng.nextLong() & 0xffff_ffff_ffffL;
        v &= ~(0x01L << 40); // clear the group bit
        v |= 0x02L << 40;    // set the locally administered bit
        return new MacAddress(v);
    }

    public static MacAddress read(byte[] b, int off) {
        return new MacAddress(readBits(b, off));
    }

    /** The six bytes at {@code off}, as two loads (16 and 32 bits) rather than six. */
    public static long readBits(byte[] b, int off) {
        return (long) Bytes.u16(b, off) << 32 | (Bytes.u32(b, off + 2) & 0xffff_ffffL);
    }

    /** Stores the low 48 bits of {@code bits} at {@code off}, as two stores (16 and 32 bits). */
    public static void write(long bits, byte[] b, int off) {
        Bytes.setU16(b, off, (int) (bits >>> 32));
        Bytes.setU32(b, off + 2, (int) bits);
    }

    public void write(byte[] b, int off) {
        write(bits, b, off);
    }

    public boolean isBroadcast() {
        return bits == 0xffff_ffff_ffffL;
    }

    /** The I/G bit: set for multicast and broadcast. */
    public boolean isMulticast() {
        return (bits & (0x01L << 40)) != 0;
    }

    public boolean isZero() {
        return bits == 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int o = (int) (bits >>> (8 * i)) & 0xff;
            sb.append(Character.forDigit(o >> 4, 16)).append(Character.forDigit(o & 0xf, 16));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
