package io.netstack4j.wire;

/**
 * An IPv4 address as a value: the 32 bits in network order held in an {@code int}.
 *
 * <p>No {@code InetAddress} on the hot path: comparisons, masks and hashing work on the int.
 */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {

    public static final Ipv4Address ANY = new Ipv4Address(0);
    public static final Ipv4Address BROADCAST = new Ipv4Address(0xffffffff);
    public static final Ipv4Address LOOPBACK = new Ipv4Address(0x7f000001);

    public static Ipv4Address of(int a, int b, int c, int d) {
        return new Ipv4Address((a & 0xff) << 24 | (b & 0xff) << 16 | (c & 0xff) << 8 | (d & 0xff));
    }

    /**
     * Parses dotted-quad text ({@code 10.1.0.2}): exactly four decimal octets 0-255 without
     * leading zeros, as glibc's {@code inet_pton} (so {@code 010.0.0.1}, octal to
     * {@code inet_aton}, is refused rather than guessed); throws {@link IllegalArgumentException}
     * otherwise.
     */
    public static Ipv4Address parse(String text) {
        int value = 0;
        int parts = 0;
        int i = 0;
        int n = text.length();
        while (i <= n) {
            int start = i;
            int octet = 0;
            while (i < n && text.charAt(i) != '.') {
                char c = text.charAt(i);
                if (c < '0' || c > '9' || i - start >= 3 || (i > start && octet == 0)) {
                    throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\"");
                }
                octet = octet * 10 + (c - '0');
                i++;
            }
            if (i == start || octet > 255 || parts == 4) {
                throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\"");
            }
            value = value << 8 | octet;
            parts++;
            i++;
        }
        if (parts != 4) {
            throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\"");
        }
        return new Ipv4Address(value);
    }

    /** Mask bits for a prefix length: 24 gives 0xffffff00; 0 gives 0. */
    public static int maskOf(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0..32");
        }
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public Ipv4Address masked(int prefixLength) {
        return new Ipv4Address(bits & maskOf(prefixLength));
    }

    public boolean isAny() {
        return bits == 0;
    }

    public boolean isLimitedBroadcast() {
        return bits == 0xffffffff;
    }

    /** 224.0.0.0/4 (RFC 5771). */
    public boolean isMulticast() {
        return (bits & 0xf0000000) == 0xe0000000;
    }

    /** 127.0.0.0/8. */
    public boolean isLoopback() {
        return (bits & 0xff000000) == 0x7f000000;
    }

    /** 0.0.0.0/8 ("this network", RFC 1122 3.2.1.3). */
    public boolean isZeronet() {
        return (bits & 0xff000000) == 0;
    }

    /** 240.0.0.0/4, reserved (class E), excluding the limited broadcast. */
    public boolean isReserved() {
        return (bits & 0xf0000000) == 0xf0000000 && bits != 0xffffffff;
    }

    /** 169.254.0.0/16 (RFC 3927). */
    public boolean isLinkLocal() {
        return (bits & 0xffff0000) == 0xa9fe0000;
    }

    public int octet(int index) {
        return bits >>> (24 - 8 * index) & 0xff;
    }

    @Override
    public int compareTo(Ipv4Address other) {
        return Integer.compareUnsigned(bits, other.bits);
    }

    /** Writes the dotted-quad form into {@code out} without building an intermediate string. */
    public StringBuilder appendTo(StringBuilder out) {
        return out.append(octet(0)).append('.').append(octet(1)).append('.').append(octet(2)).append('.').append(octet(3));
    }

    @Override
    public String toString() {
        return appendTo(new StringBuilder(15)).toString();
    }
}
