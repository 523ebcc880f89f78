package io.netstack4j.cli.shell;

import java.util.List;

/** What {@link Parser#parse} made of some text. */
sealed interface ParseResult {

    /** The text is a complete list of commands (possibly none, for a blank or comment line). */
    record Complete(List<AndOrList> lists) implements ParseResult {
        public Complete {
            lists = List.copyOf(lists);
        }
    }

    /**
     * The text stops in the middle of a command: inside quotes, after a trailing backslash, or
     * after {@code &&}/{@code ||}. A reader appends the next line and parses again; at end of
     * input, {@code reason} is the syntax error to report.
     */
    record Incomplete(String reason) implements ParseResult {
    }

    /** The text can never become valid; {@code line} is where the problem was found. */
    record SyntaxError(String message, int line) implements ParseResult {
    }
}
