package io.netstack4j.tcp;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import java.util.List;

/**
 * The congestion control algorithms this stack has ({@code tcp_cong_list} in
 * {@code net/ipv4/tcp_cong.c}), looked up by name. The set is fixed at build time, so it is a
 * plain switch and holds no mutable state; each lookup makes a fresh instance because an
 * instance carries one socket's private state ({@code icsk_ca_priv}).
 */
public final class TcpCongestion {

    /** Linux's default {@code net.ipv4.tcp_congestion_control} ({@code CONFIG_DEFAULT_TCP_CONG}). */
    public static final String DEFAULT = "cubic";

    private static final List<String> AVAILABLE = List.of("reno", "cubic");

    private TcpCongestion() {
    }

    /**
     * Names in the order {@code net.ipv4.tcp_available_congestion_control} prints them
     * ({@code tcp_get_available_congestion_control}: registration order, and Reno is built in
     * first). The list is immutable.
     */
    public static List<String> available() {
        return AVAILABLE;
    }

    /**
     * A new instance of the algorithm called {@code name} for one socket
     * ({@code tcp_ca_find} + the per-socket {@code init} state).
     *
     * @throws NetException ENOENT for an unknown name, as {@code setsockopt(TCP_CONGESTION)} and
     *     a write to {@code net.ipv4.tcp_congestion_control} report it
     */
    public static TcpCongestionOps create(String name) {
        return switch (name) {
            case "reno" -> new TcpReno();
            case "cubic" -> new TcpCubic();
            default -> throw new NetException(Errno.ENOENT, "no TCP congestion control algorithm named \"" + name + "\"");
        };
    }
}
