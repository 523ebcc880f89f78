package io.netstack4j.cli.shell;

/**
 * One redirection of a {@link SimpleCommand}. The shell applies them left to right, as sh
 * does, so {@code > f 2>&1} sends both streams to {@code f} while {@code 2>&1 > f} sends only
 * standard output there.
 */
sealed interface Redirection {

    /** {@code < FILE}: standard input (descriptor 0) reads FILE. */
    record Input(String path) implements Redirection {
    }

    /** {@code [N]> FILE} or {@code [N]>> FILE}: descriptor {@code fd} (1 or 2) writes FILE. */
    record Output(int fd, String path, boolean append) implements Redirection {
    }

    /** {@code N>&M}: descriptor {@code fd} becomes a copy of {@code sourceFd} (each 1 or 2). */
    record Duplicate(int fd, int sourceFd) implements Redirection {
    }
}
