package io.netstack4j.cli.shell;

import java.io.InputStream;

/**
 * The state of one stream of commands: a script, an interactive session, one
 * {@link Shell#execute(String)} call, or one background job. Confined to one thread.
 */
final class Session {

    enum Mode {
        /** {@code sh -e}: a failing foreground command ends the session. */
        SCRIPT,
        /** Failures are reported by the commands themselves and the session goes on. */
        INTERACTIVE,
        /** One line from the Java API; as interactive. */
        LINE,
        /** A background job: {@code exit} only sets the job's status. */
        BACKGROUND
    }

    final String name;
    final InputStream stdin;
    final Mode mode;

    /** {@code $?}: the status of the last command run. */
    int lastStatus;
    /** The simple command that ran last, for messages. */
    SimpleCommand current;
    /** Set by a top-level {@code exit}. */
    boolean exitRequested;

    Session(String name, InputStream stdin, Mode mode) {
        this.name = name;
        this.stdin = stdin;
        this.mode = mode;
    }

    boolean errexit() {
        return mode == Mode.SCRIPT;
    }

    boolean topLevel() {
        return mode != Mode.BACKGROUND;
    }
}
