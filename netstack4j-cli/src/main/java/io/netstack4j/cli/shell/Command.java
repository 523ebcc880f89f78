package io.netstack4j.cli.shell;

/**
 * A command the shell can run: {@code ip}, {@code tc}, {@code ping}, or a built-in such as
 * {@code echo}. Registered under a name with {@link Shell#register(String, Command)}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Return the exit status: {@code 0} for success, {@code 1..125} for failure, as a
 *       Linux tool would. Report a user error (bad arguments, {@code RTNETLINK answers: File
 *       exists}) on {@link Invocation#stderr()} prefixed by the command name, and return
 *       non-zero; do not throw. A {@link RuntimeException} that escapes is treated as a bug:
 *       the shell prints {@code netstack4j: NAME: internal error: EXCEPTION} and its stack
 *       trace on stderr, and the status is {@value Shell#STATUS_INTERNAL_ERROR}.</li>
 *   <li><b>Honour interruption.</b> A foreground command runs on the thread that called the
 *       shell, a background command on a virtual thread of its own; the shell stops a command
 *       by interrupting that thread (end of a script, {@code SIGINT}/{@code SIGTERM}, or the
 *       caller interrupting the shell). A command that waits must wait interruptibly
 *       ({@code Thread.sleep}, {@code BlockingQueue.take}, {@code Future.get} ...) and let the
 *       {@link InterruptedException} propagate; a command that loops must check
 *       {@link Invocation#cancelled()} or call {@link Invocation#checkCancelled()}. A command
 *       that ignores interruption is abandoned when the shell closes, with a message.
 *       An interrupted command's status is {@value Shell#STATUS_INTERRUPTED} (128 + SIGINT).</li>
 *   <li>Do not close the invocation's streams and do not call {@code System.exit}.</li>
 *   <li>The same instance may run concurrently in several background jobs: keep the state of
 *       one run in local variables.</li>
 * </ul>
 */
@FunctionalInterface
public interface Command {

    /**
     * Runs the command once.
     *
     * @param inv the arguments ({@code inv.args().get(0)} is the command name) and streams
     * @return the exit status, {@code 0} on success
     * @throws InterruptedException if the shell stopped the command while it waited
     */
    int run(Invocation inv) throws InterruptedException;
}
