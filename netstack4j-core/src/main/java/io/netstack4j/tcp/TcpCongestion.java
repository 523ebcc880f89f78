package io.netstack4j.tcp;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import java.util.List;

/** The registered congestion control algorithms ({@code tcp_cong_list}), by name. */
public final class TcpCongestion {

    /** Linux's default, {@code net.ipv4.tcp_congestion_control}. */
    public static final String DEFAULT = "cubic";

    private TcpCongestion() {
    }

    /** Names in the order {@code tcp_available_congestion_control} prints them. */
    public static List<String> available() {
        return List.of("reno", "cubic");
    }

    /** A new instance for one socket; ENOENT for an unknown name, as {@code setsockopt(TCP_CONGESTION)}. */
    public static TcpCongestionOps create(String name) {
        return switch (name) {
            case "reno" -> new TcpReno();
            case "cubic" -> new TcpCubic();
            default -> throw new NetException(Errno.ENOENT, "no congestion control algorithm named \"" + name + "\"");
        };
    }
}
