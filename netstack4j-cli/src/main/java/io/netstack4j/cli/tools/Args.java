package io.netstack4j.cli.tools;

import java.util.List;

/** A cursor over a command's words, with iproute2's prefix matching of keywords. */
final class Args {

    /** A usage error: printed as is, exit status 1 (as iproute2's {@code invarg}/{@code missarg}). */
    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    private final List<String> words;
    private int i;

    Args(List<String> words, int start) {
        this.words = words;
        this.i = start;
    }

    boolean more() {
        return i < words.size();
    }

    String peek() {
        return i < words.size() ? words.get(i) : null;
    }

    String next() {
        return words.get(i++);
    }

    /** The value after keyword {@code key}; a usage error if missing. */
    String value(String key) {
        if (!more()) {
            throw new UsageError("Command line is not complete. Try option \"help\"");
        }
        return next();
    }

    /** True when {@code word} is a non-empty prefix of {@code keyword} (iproute2's {@code matches}). */
    static boolean matches(String word, String keyword) {
        return word != null && !word.isEmpty() && keyword.startsWith(word);
    }

    static int parseInt(String s, String what) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new UsageError("Error: argument \"" + s + "\" is wrong: " + what);
        }
    }

    static UsageError invalid(String what, String word) {
        return new UsageError("Error: argument \"" + word + "\" is wrong: " + what);
    }
}
