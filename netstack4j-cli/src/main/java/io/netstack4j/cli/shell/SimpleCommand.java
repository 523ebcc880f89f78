package io.netstack4j.cli.shell;

import java.util.List;

/**
 * A simple command after quote removal: its words (the first is the command name; empty when
 * the command is only redirections, e.g. {@code > file}), its redirections in source order, and
 * the script line it starts on.
 */
record SimpleCommand(List<String> words, List<Redirection> redirections, int line) {

    public SimpleCommand {
        words = List.copyOf(words);
        redirections = List.copyOf(redirections);
    }

    /** The words re-quoted for a message, so that the text can be pasted back into a shell. */
    String text() {
        return Words.render(words);
    }
}
