package io.netstack4j.bench;

import java.util.List;
import java.util.Locale;

/**
 * One line of the benchmark table: a figure of netstack4j's, the reference measured in the
 * same run (NaN when there is none or it was skipped), their ratio and the goal.
 *
 * @param better  which way is better: +1 higher, -1 lower, 0 an absolute goal
 * @param goal    the goal as text ("ratio >= 1.0", ">= 2e6")
 * @param met     whether the goal is met (null when it cannot be told)
 */
record Row(String metric, double value, String unit, double reference, int better, String goal, Boolean met, String note) {

    static Row higher(String metric, double value, String unit, double reference, double minRatio, String note) {
        double r = value / reference;
        return new Row(metric, value, unit, reference, +1, "ratio >= " + minRatio, Double.isNaN(r) ? null : r >= minRatio, note);
    }

    static Row lower(String metric, double value, String unit, double reference, double maxRatio, String note) {
        double r = value / reference;
        return new Row(metric, value, unit, reference, -1, "ratio <= " + maxRatio, Double.isNaN(r) ? null : r <= maxRatio, note);
    }

    static Row absolute(String metric, double value, String unit, String goal, boolean met, String note) {
        return new Row(metric, value, unit, Double.NaN, 0, goal, Double.isNaN(value) ? null : met, note);
    }

    /** A row whose reference is informative only (the goal is on the value itself). */
    static Row absoluteWithReference(String metric, double value, String unit, double reference, String goal, boolean met,
            String note) {
        return new Row(metric, value, unit, reference, 0, goal, Double.isNaN(value) ? null : met, note);
    }

    static Row skipped(String metric, String unit, String goal, String why) {
        return new Row(metric, Double.NaN, unit, Double.NaN, 0, goal, null, "skipped: " + why);
    }

    double ratio() {
        return value / reference;
    }

    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-26s %14s %14s %8s  %-14s %-4s %s%n";
        sb.append(String.format(Locale.ROOT, fmt, "metric", "netstack4j", "reference", "ratio", "goal", "met", "unit / note"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, r.metric, num(r.value), num(r.reference), ratioText(r.ratio()), r.goal,
                    r.met == null ? "-" : r.met ? "yes" : "no", r.unit + (r.note.isEmpty() ? "" : "; " + r.note)));
        }
        return sb.toString();
    }

    static String json(List<Row> rows) {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append("  {\"metric\": ").append(quote(r.metric)).append(", \"value\": ").append(jnum(r.value))
                    .append(", \"unit\": ").append(quote(r.unit)).append(", \"reference\": ").append(jnum(r.reference))
                    .append(", \"ratio\": ").append(jnum(r.ratio())).append(", \"goal\": ").append(quote(r.goal))
                    .append(", \"met\": ").append(r.met == null ? "null" : r.met.toString()).append(", \"note\": ")
                    .append(quote(r.note)).append('}').append(i + 1 < rows.size() ? ",\n" : "\n");
        }
        return sb.append("]\n").toString();
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e6 || a < 0.01)) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : "%.2f", v);
    }

    private static String ratioText(double r) {
        return Double.isNaN(r) || Double.isInfinite(r) ? "-" : String.format(Locale.ROOT, "%.2f", r);
    }

    private static String jnum(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : Double.toString(v);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
