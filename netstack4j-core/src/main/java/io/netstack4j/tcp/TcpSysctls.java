package io.netstack4j.tcp;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.core.Sysctls;

/** The {@code net.ipv4.tcp_*} sysctls of one namespace, with Linux's names, defaults and bounds. */
final class TcpSysctls {

    private TcpSysctls() {
    }

    static void register(Tcp t, Sysctls s) {
        s.registerInt("net.ipv4.tcp_syn_retries", 1, 127, () -> t.synRetries, v -> t.synRetries = v);
        s.registerInt("net.ipv4.tcp_synack_retries", 0, 255, () -> t.synackRetries, v -> t.synackRetries = v);
        s.registerInt("net.ipv4.tcp_retries1", 0, 255, () -> t.retries1, v -> t.retries1 = v);
        s.registerInt("net.ipv4.tcp_retries2", 0, 255, () -> t.retries2, v -> t.retries2 = v);
        s.registerInt("net.ipv4.tcp_orphan_retries", 0, 255, () -> t.orphanRetries, v -> t.orphanRetries = v);
        s.registerInt("net.ipv4.tcp_fin_timeout", 1, 3600, () -> t.finTimeout, v -> t.finTimeout = v);
        s.registerInt("net.ipv4.tcp_keepalive_time", 1, 32767, () -> t.keepaliveTime, v -> t.keepaliveTime = v);
        s.registerInt("net.ipv4.tcp_keepalive_probes", 1, 127, () -> t.keepaliveProbes, v -> t.keepaliveProbes = v);
        s.registerInt("net.ipv4.tcp_keepalive_intvl", 1, 32767, () -> t.keepaliveIntvl, v -> t.keepaliveIntvl = v);
        s.registerInt("net.ipv4.tcp_syncookies", 0, 2, () -> t.syncookies, v -> t.syncookies = v);
        s.registerInt("net.ipv4.tcp_max_syn_backlog", 1, 1 << 20, () -> t.maxSynBacklog, v -> t.maxSynBacklog = v);
        s.registerInt("net.core.somaxconn", 0, 1 << 20, () -> t.somaxconn, v -> t.somaxconn = v);
        s.registerInt("net.ipv4.tcp_timestamps", 0, 2, () -> t.timestamps, v -> t.timestamps = v);
        s.registerInt("net.ipv4.tcp_sack", 0, 1, () -> t.sack, v -> t.sack = v);
        s.registerInt("net.ipv4.tcp_dsack", 0, 1, () -> t.dsack, v -> t.dsack = v);
        s.registerInt("net.ipv4.tcp_window_scaling", 0, 1, () -> t.windowScaling, v -> t.windowScaling = v);
        s.registerInt("net.ipv4.tcp_challenge_ack_limit", 0, Integer.MAX_VALUE, () -> t.challengeAckLimit, v -> t.challengeAckLimit = v);
        s.registerInt("net.ipv4.tcp_invalid_ratelimit", 0, Integer.MAX_VALUE, () -> t.invalidRatelimitMs, v -> t.invalidRatelimitMs = v);
        s.registerInt("net.ipv4.tcp_min_snd_mss", 48, 65535, () -> t.minSndMss, v -> t.minSndMss = v);
        s.registerInt("net.ipv4.tcp_rfc1337", 0, 1, () -> t.rfc1337, v -> t.rfc1337 = v);
        s.registerInt("net.ipv4.tcp_abort_on_overflow", 0, 1, () -> t.abortOnOverflow, v -> t.abortOnOverflow = v);
        s.registerInt("net.ipv4.tcp_slow_start_after_idle", 0, 1, () -> t.slowStartAfterIdle, v -> t.slowStartAfterIdle = v);
        s.registerInt("net.ipv4.tcp_moderate_rcvbuf", 0, 1, () -> t.moderateRcvbuf, v -> t.moderateRcvbuf = v);
        s.registerInt("net.ipv4.tcp_recovery", 0, 1, () -> t.recovery, v -> t.recovery = v);
        s.registerInt("net.ipv4.tcp_max_tw_buckets", 0, Integer.MAX_VALUE, () -> t.maxTwBuckets, v -> t.maxTwBuckets = v);
        triple(s, "net.ipv4.tcp_rmem", t.rmem);
        triple(s, "net.ipv4.tcp_wmem", t.wmem);
        triple(s, "net.ipv4.tcp_mem", t.memory().limits);
        s.registerInt("net.ipv4.tcp_max_orphans", 0, Integer.MAX_VALUE, () -> t.memory().maxOrphans, v -> t.memory().maxOrphans = v);
        s.register("net.ipv4.tcp_congestion_control", new Sysctls.Entry() {
            @Override
            public String get() {
                return t.congestionControl;
            }

            @Override
            public void set(String value) {
                String name = value.trim();
                TcpCongestion.create(name);
                t.congestionControl = name;
            }
        });
        s.register("net.ipv4.tcp_available_congestion_control", readOnly(String.join(" ", TcpCongestion.available())));
        s.register("net.ipv4.tcp_allowed_congestion_control", readOnly(String.join(" ", TcpCongestion.available())));
    }

    private static Sysctls.Entry readOnly(String value) {
        return new Sysctls.Entry() {
            @Override
            public String get() {
                return value;
            }

            @Override
            public void set(String v) {
                throw new NetException(Errno.EPERM, "read-only sysctl");
            }
        };
    }

    /** {@code tcp_rmem}/{@code tcp_wmem}: three sizes, min <= default <= max, each at least 1. */
    private static void triple(Sysctls s, String name, int[] target) {
        s.register(name, new Sysctls.Entry() {
            @Override
            public String get() {
                return target[0] + "\t" + target[1] + "\t" + target[2];
            }

            @Override
            public void set(String value) {
                String[] p = value.trim().split("\\s+");
                try {
                    int a = Integer.parseInt(p[0]);
                    int b = Integer.parseInt(p[1]);
                    int c = Integer.parseInt(p[2]);
                    if (p.length != 3 || a < 1 || b < a || c < b) {
                        throw new NumberFormatException();
                    }
                    target[0] = a;
                    target[1] = b;
                    target[2] = c;
                } catch (RuntimeException e) {
                    throw new NetException(Errno.EINVAL, "sysctl " + name + ": \"" + value + "\" is not three sizes min <= default <= max");
                }
            }
        });
    }
}
