package io.netstack4j.cli.shell;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The commands every shell has: {@code true}, {@code false}, {@code echo}, {@code sleep},
 *  {@code wait} and {@code exit}. */
final class Builtins {

    private static final Pattern INTERVAL = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)([smhd]?)");
    private static final Map<String, Long> SECONDS_PER_UNIT =
            Map.of("", 1L, "s", 1L, "m", 60L, "h", 3600L, "d", 86400L);
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    private Builtins() {
    }

    static Map<String, Command> create(Jobs jobs) {
        return Map.of(
                "true", inv -> 0,
                "false", inv -> 1,
                "echo", Builtins::echo,
                "sleep", Builtins::sleep,
                "wait", inv -> waitFor(inv, jobs),
                "exit", Builtins::exit);
    }

    /** {@code echo [-n] WORD...}: the words separated by blanks; no escape processing. */
    static int echo(Invocation inv) {
        List<String> words = inv.operands();
        boolean newline = true;
        if (!words.isEmpty() && words.getFirst().equals("-n")) {
            newline = false;
            words = words.subList(1, words.size());
        }
        inv.stdout().print(String.join(" ", words));
        if (newline) {
            inv.stdout().println();
        }
        return 0;
    }

    /**
     * {@code sleep NUMBER[smhd]... | infinity}: as GNU sleep, fractions allowed and several
     * intervals summed. Interruptible.
     */
    static int sleep(Invocation inv) throws InterruptedException {
        if (inv.operands().isEmpty()) {
            inv.stderr().println("sleep: missing operand");
            return 1;
        }
        BigDecimal nanos = BigDecimal.ZERO;
        for (String operand : inv.operands()) {
            if (operand.equals("inf") || operand.equals("infinity")) {
                nanos = MAX_NANOS;
                continue;
            }
            Matcher m = INTERVAL.matcher(operand);
            if (!m.matches()) {
                inv.stderr().println("sleep: invalid time interval '" + operand + "'");
                return 1;
            }
            nanos = nanos.add(new BigDecimal(m.group(1))
                    .multiply(BigDecimal.valueOf(SECONDS_PER_UNIT.get(m.group(2))))
                    .multiply(NANOS_PER_SECOND));
        }
        Thread.sleep(Duration.ofNanos(nanos.min(MAX_NANOS).longValue()));
        return 0;
    }

    private static int waitFor(Invocation inv, Jobs jobs) throws InterruptedException {
        if (!inv.operands().isEmpty()) {
            inv.stderr().println("wait: operands are not supported; 'wait' waits for all"
                    + " background commands");
            return 2;
        }
        return jobs.waitAll(inv.stderr());
    }

    /**
     * {@code exit [N]}: the status N modulo 256. Ending the session is the interpreter's part;
     * here, as in a sh subshell ({@code exit 3 &}, {@code ip netns exec NS exit 3}), it only
     * yields the status. Without N the interpreter substitutes the last status; this method
     * then returns 0.
     */
    static int exit(Invocation inv) {
        List<String> operands = inv.operands();
        if (operands.isEmpty()) {
            return 0;
        }
        if (operands.size() > 1) {
            inv.stderr().println("exit: too many arguments");
            return 2;
        }
        try {
            return Integer.parseInt(operands.getFirst()) & 0xff;
        } catch (NumberFormatException e) {
            inv.stderr().println("exit: Illegal number: " + operands.getFirst());
            return 2;
        }
    }
}
