package io.netstack4j.sched;

import java.util.List;
import java.util.Locale;

/**
 * The parameters of a netem qdisc, parsed from {@code tc}'s syntax and printed the way
 * {@code tc qdisc show} prints them. Percentages are kept as percent (0..100), times in
 * nanoseconds, the rate in bits per second.
 *
 * <pre>
 * netem [limit PACKETS] [delay TIME [JITTER [CORRELATION]]] [distribution uniform|normal]
 *       [loss [random] PERCENT [CORRELATION]] [duplicate PERCENT [CORRELATION]]
 *       [reorder PERCENT [CORRELATION] [gap DISTANCE]] [corrupt PERCENT [CORRELATION]]
 *       [rate RATE]
 * </pre>
 */
public record NetemSpec(int limit, long delayNs, long jitterNs, double delayCorr, Distribution distribution, double loss,
        double lossCorr, double duplicate, double duplicateCorr, double reorder, double reorderCorr, int gap, double corrupt,
        double corruptCorr, long rateBps) {

    /** How jitter is spread around the delay. */
    public enum Distribution {
        /** Linux's behaviour without a distribution table: uniform in [delay - jitter, delay + jitter). */
        UNIFORM,
        /** A normal deviate with standard deviation jitter (computed, not from the kernel's table). */
        NORMAL
    }

    public static final int DEFAULT_LIMIT = 1000;

    /** Parses the words after {@code netem}; throws {@link IllegalArgumentException} with tc's wording. */
    public static NetemSpec parse(List<String> args) {
        int limit = DEFAULT_LIMIT;
        long delay = 0;
        long jitter = 0;
        double delayCorr = 0;
        Distribution dist = Distribution.UNIFORM;
        double loss = 0;
        double lossCorr = 0;
        double dup = 0;
        double dupCorr = 0;
        double reorder = 0;
        double reorderCorr = 0;
        int gap = 0;
        double corrupt = 0;
        double corruptCorr = 0;
        long rate = 0;
        int i = 0;
        int n = args.size();
        while (i < n) {
            String word = args.get(i++);
            switch (word) {
                case "limit" -> limit = parseInt(need(args, i++, word), word);
                case "delay", "latency" -> {
                    delay = parseTime(need(args, i++, word), word);
                    if (i < n && isNumberLike(args.get(i))) {
                        jitter = parseTime(args.get(i++), word);
                        if (i < n && isNumberLike(args.get(i))) {
                            delayCorr = parsePercent(args.get(i++), word);
                        }
                    }
                }
                case "distribution" -> {
                    String d = need(args, i++, word);
                    dist = switch (d) {
                        case "uniform" -> Distribution.UNIFORM;
                        case "normal" -> Distribution.NORMAL;
                        default -> throw new IllegalArgumentException("No distribution data for " + d
                                + " (netstack4j knows uniform and normal)");
                    };
                }
                case "loss", "drop" -> {
                    if (i < n && args.get(i).equals("random")) {
                        i++;
                    } else if (i < n && (args.get(i).equals("state") || args.get(i).equals("gemodel"))) {
                        throw new IllegalArgumentException("Illegal \"loss\": the " + args.get(i)
                                + " loss models are not supported by netstack4j; use loss random");
                    }
                    loss = parsePercent(need(args, i++, word), word);
                    if (i < n && isNumberLike(args.get(i))) {
                        lossCorr = parsePercent(args.get(i++), word);
                    }
                }
                case "duplicate" -> {
                    dup = parsePercent(need(args, i++, word), word);
                    if (i < n && isNumberLike(args.get(i))) {
                        dupCorr = parsePercent(args.get(i++), word);
                    }
                }
                case "reorder" -> {
                    reorder = parsePercent(need(args, i++, word), word);
                    if (i < n && isNumberLike(args.get(i))) {
                        reorderCorr = parsePercent(args.get(i++), word);
                    }
                }
                case "gap" -> gap = parseInt(need(args, i++, word), word);
                case "corrupt" -> {
                    corrupt = parsePercent(need(args, i++, word), word);
                    if (i < n && isNumberLike(args.get(i))) {
                        corruptCorr = parsePercent(args.get(i++), word);
                    }
                }
                case "rate" -> rate = parseRate(need(args, i++, word));
                default -> throw new IllegalArgumentException("What is \"" + word + "\"?");
            }
        }
        if (reorder > 0) {
            if (delay == 0) {
                throw new IllegalArgumentException("reordering not possible without specifying some delay");
            }
            if (gap == 0) {
                gap = 1;
            }
        }
        return new NetemSpec(limit, delay, jitter, delayCorr, dist, loss, lossCorr, dup, dupCorr, reorder, reorderCorr, gap, corrupt,
                corruptCorr, rate);
    }

    private static String need(List<String> args, int i, String word) {
        if (i >= args.size()) {
            throw new IllegalArgumentException("Illegal \"" + word + "\"");
        }
        return args.get(i);
    }

    private static boolean isNumberLike(String s) {
        return !s.isEmpty() && (Character.isDigit(s.charAt(0)) || s.charAt(0) == '.');
    }

    private static int parseInt(String s, String word) {
        try {
            int v = Integer.parseInt(s);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Illegal \"" + word + "\"");
        }
    }

    /** tc's {@code get_time}: a number with s/sec/ms/msec/us/usec/ns, bare numbers in microseconds. */
    static long parseTime(String s, String word) {
        int end = 0;
        while (end < s.length() && (Character.isDigit(s.charAt(end)) || s.charAt(end) == '.')) {
            end++;
        }
        double v;
        try {
            v = Double.parseDouble(s.substring(0, end));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Illegal \"" + word + "\"");
        }
        double scale = switch (s.substring(end).toLowerCase(Locale.ROOT)) {
            case "s", "sec", "secs" -> 1e9;
            case "ms", "msec", "msecs" -> 1e6;
            case "", "us", "usec", "usecs" -> 1e3;
            case "ns", "nsec", "nsecs" -> 1;
            default -> throw new IllegalArgumentException("Illegal \"" + word + "\"");
        };
        return Math.round(v * scale);
    }

    /** tc's {@code get_percent}: "10%" or "10", 0..100. */
    static double parsePercent(String s, String word) {
        String t = s.endsWith("%") ? s.substring(0, s.length() - 1) : s;
        try {
            double v = Double.parseDouble(t);
            if (v < 0 || v > 100 || Double.isNaN(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Illegal \"" + word + "\"");
        }
    }

    /** tc's {@code get_rate64}: bit, kbit, mbit, gbit, tbit (1000-based), bps, kbps ... (bytes); bare numbers are bit/s. */
    static long parseRate(String s) {
        int end = 0;
        while (end < s.length() && (Character.isDigit(s.charAt(end)) || s.charAt(end) == '.')) {
            end++;
        }
        double v;
        try {
            v = Double.parseDouble(s.substring(0, end));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Illegal \"rate\"");
        }
        double bits = switch (s.substring(end).toLowerCase(Locale.ROOT)) {
            case "", "bit" -> v;
            case "kbit" -> v * 1e3;
            case "mbit" -> v * 1e6;
            case "gbit" -> v * 1e9;
            case "tbit" -> v * 1e12;
            case "bps" -> v * 8;
            case "kbps" -> v * 8e3;
            case "mbps" -> v * 8e6;
            case "gbps" -> v * 8e9;
            default -> throw new IllegalArgumentException("Illegal \"rate\"");
        };
        if (bits < 1) {
            throw new IllegalArgumentException("Illegal \"rate\"");
        }
        return Math.round(bits);
    }

    /** As iproute2's {@code sprint_time64}: three significant digits with s, ms, us or ns. */
    static String formatTime(long ns) {
        if (ns >= 1_000_000_000L) {
            return g3(ns / 1e9) + "s";
        }
        if (ns >= 1_000_000L) {
            return g3(ns / 1e6) + "ms";
        }
        if (ns >= 1_000L) {
            return g3(ns / 1e3) + "us";
        }
        return ns + "ns";
    }

    /** C's {@code %.3g}. */
    private static String g3(double v) {
        String s = String.format(Locale.ROOT, "%.3g", v);
        if (s.contains("e")) {
            return s;
        }
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "");
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
        }
        return s;
    }

    /** C's {@code %g} of a percentage followed by '%'. */
    static String formatPercent(double p) {
        String s = String.format(Locale.ROOT, "%.6g", p);
        if (s.contains(".") && !s.contains("e")) {
            s = s.replaceAll("0+$", "");
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
        }
        return s + "%";
    }

    /** As iproute2's {@code sprint_rate}: 1000-based units, stepping up only while exact. */
    static String formatRate(long bps) {
        String[] units = {"", "K", "M", "G", "T"};
        long r = bps;
        int i = 0;
        while (i < units.length - 1 && r >= 1000 && (r % 1000 == 0 || r >= 1_000_000)) {
            r /= 1000;
            i++;
        }
        return r + units[i] + "bit";
    }

    private static void appendPercent(StringBuilder sb, String name, double p, double corr) {
        if (p > 0) {
            sb.append(' ').append(name).append(' ').append(formatPercent(p));
            if (corr > 0) {
                sb.append(' ').append(formatPercent(corr));
            }
        }
    }

    /** The parameters as {@code tc qdisc show} prints them after the handle. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("limit ").append(limit);
        if (delayNs > 0) {
            sb.append(" delay ").append(formatTime(delayNs));
            if (jitterNs > 0) {
                sb.append("  ").append(formatTime(jitterNs));
                if (delayCorr > 0) {
                    sb.append(' ').append(formatPercent(delayCorr));
                }
            }
        }
        appendPercent(sb, "loss", loss, lossCorr);
        appendPercent(sb, "duplicate", duplicate, duplicateCorr);
        appendPercent(sb, "reorder", reorder, reorderCorr);
        appendPercent(sb, "corrupt", corrupt, corruptCorr);
        if (rateBps > 0) {
            sb.append(" rate ").append(formatRate(rateBps));
        }
        if (gap > 0) {
            sb.append(" gap ").append(gap);
        }
        return sb.toString();
    }
}
