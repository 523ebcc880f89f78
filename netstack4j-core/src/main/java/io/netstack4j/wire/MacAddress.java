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

    /** Parses {@code aa:bb:cc:dd:ee:ff}; throws {@link IllegalArgumentException} otherwise. */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 2) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
            try {
                v = v << 8 | Integer.parseInt(p, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
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

    public static long readBits(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }

    public static void write(long bits, byte[] b, int off) {
        for (int i = 5; i >= 0; i--) {
            b[off + i] = (byte) bits;
            bits >>>= 8;
        }
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
