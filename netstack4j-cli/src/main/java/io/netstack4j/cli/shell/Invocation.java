package io.netstack4j.cli.shell;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One run of a {@link Command}: its argument vector and the streams it reads and writes, after
 * the shell has applied the command line's redirections.
 *
 * <p>{@code stdout} and {@code stderr} are line-atomic: what a command writes reaches the
 * terminal a whole line at a time (or on {@code flush()}), so the output of concurrent
 * background commands never interleaves within a line. After {@code 2>&1} both are the same
 * stream.
 *
 * @param args   the words of the command line; {@code args.get(0)} is the command name; never
 *               empty, unmodifiable
 * @param stdin  standard input: the shell's input for a foreground command, an empty stream for
 *               a background command (as in a non-interactive sh), or a file after {@code <}
 * @param stdout standard output
 * @param stderr standard error
 * @param shell  the shell running the command, to re-dispatch a sub-command (as
 *               {@code ip netns exec NS cmd ...} does) with {@link #execute(List)}
 */
public record Invocation(List<String> args, InputStream stdin, PrintStream stdout,
                         PrintStream stderr, Shell shell) {

    /** @throws IllegalArgumentException if {@code args} is empty */
    public Invocation {
        args = List.copyOf(args);
        if (args.isEmpty()) {
            throw new IllegalArgumentException("an invocation needs at least the command name");
        }
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(shell, "shell");
    }

    /** The command name, {@code args().get(0)}. */
    public String name() {
        return args.getFirst();
    }

    /** The arguments after the command name. */
    public List<String> operands() {
        return args.subList(1, args.size());
    }

    /**
     * Whether the shell asked this command to stop (its thread is interrupted). Does not clear
     * the request: a command that sees {@code true} should clean up and return or throw
     * {@link InterruptedException}.
     */
    public boolean cancelled() {
        return Thread.currentThread().isInterrupted();
    }

    /**
     * Throws if the shell asked this command to stop; for loops that do not otherwise block.
     *
     * @throws InterruptedException if the thread was interrupted (the flag is cleared, as by
     *                              any method that throws it)
     */
    public void checkCancelled() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException(name() + ": cancelled");
        }
    }

    /**
     * Runs a sub-command on this thread with this invocation's streams, as
     * {@code ip netns exec NS ping ...} runs {@code ping}: shorthand for
     * {@code shell().execute(argv, stdin(), stdout(), stderr())}.
     *
     * @return the sub-command's exit status ({@value Shell#STATUS_NOT_FOUND} if unknown)
     */
    public int execute(List<String> argv) throws InterruptedException {
        return shell.execute(argv, stdin, stdout, stderr);
    }

    /**
     * Resolves a file name given on the command line ({@code tcpdump -w FILE}) against the
     * shell's working directory, as redirections are.
     */
    public Path resolve(String path) {
        return shell.workingDirectory().resolve(path);
    }
}
