package io.netstack4j.cli.shell;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Re-quoting of words for messages. */
final class Words {

    /** Characters that never need quoting in sh. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private Words() {
    }

    /** The words joined by blanks, each quoted as sh would need to read it back. */
    static String render(List<String> words) {
        return words.stream().map(Words::quote).collect(Collectors.joining(" "));
    }

    /** {@code word} unchanged when safe, otherwise in single quotes ({@code '} as {@code '\''}). */
    static String quote(String word) {
        if (SAFE.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
