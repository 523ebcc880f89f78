package io.netstack4j.ipv4;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.core.Sysctls;

/**
 * {@code net.ipv4.ip_local_port_range}: the ports UDP and TCP pick from when a socket binds to
 * port 0 or connects unbound ({@code inet_get_local_port_range}). Shared by both protocols of a
 * namespace, as in Linux.
 */
public final class LocalPortRange {

    private int low = 32768;
    private int high = 60999;

    LocalPortRange(Sysctls sysctls) {
        sysctls.register("net.ipv4.ip_local_port_range", new Sysctls.Entry() {
            @Override
            public String get() {
                return low + "\t" + high;
            }

            @Override
            public void set(String value) {
                parse(value);
            }
        });
    }

    public int low() {
        return low;
    }

    public int high() {
        return high;
    }

    /**
     * {@code ipv4_local_port_range}: two ports, each 1..65535, the first not above the second;
     * anything else is EINVAL and leaves the range as it was.
     */
    private void parse(String value) {
        String[] p = value.trim().split("\\s+");
        int lo;
        int hi;
        try {
            if (p.length != 2) {
                throw new NumberFormatException();
            }
            lo = Integer.parseInt(p[0]);
            hi = Integer.parseInt(p[1]);
        } catch (NumberFormatException e) {
            throw new NetException(Errno.EINVAL, "sysctl net.ipv4.ip_local_port_range: \"" + value + "\" is not two numbers");
        }
        if (lo < 1 || hi > 65535 || hi < lo) {
            throw new NetException(Errno.EINVAL, "sysctl net.ipv4.ip_local_port_range: " + lo + " " + hi + " is not a range within 1..65535");
        }
        low = lo;
        high = hi;
    }
}
