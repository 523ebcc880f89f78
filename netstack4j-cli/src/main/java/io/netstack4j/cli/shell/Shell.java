package io.netstack4j.cli.shell;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The netstack4j command language: a registry of {@link Command}s and an interpreter for a
 * useful subset of the POSIX shell, serving {@code ./netstack4j shell} ({@link #interactive}),
 * {@code ./netstack4j run FILE} ({@link #runScript}) and the Java API ({@link #execute(String)}).
 *
 * <h2>Syntax</h2>
 * <ul>
 *   <li>Words are split on blanks (space, tab). {@code '...'} quotes everything literally;
 *       {@code "..."} quotes everything except {@code \$ \` \" \\} and backslash-newline;
 *       outside quotes a backslash quotes the next character. {@code ''} is an empty word.
 *       Quotes may span lines.</li>
 *   <li>{@code #} at the start of a word, outside quotes, begins a comment to the end of the
 *       line. Blank lines are ignored. A backslash at the end of a line continues it.</li>
 *   <li>{@code ;} and newline separate commands. {@code a && b} runs b if a succeeded,
 *       {@code a || b} if it failed; both bind equally, left to right, and a line may end in
 *       them to continue on the next.</li>
 *   <li>A trailing {@code &} runs the AND-OR list before it in the background (prints
 *       nothing, as a non-interactive sh; its stdin is empty). {@code wait} waits for all
 *       background commands.</li>
 *   <li>Redirections, anywhere among a command's words and applied left to right:
 *       {@code < FILE}, {@code > FILE}, {@code >> FILE}, {@code 2> FILE}, {@code 2>> FILE},
 *       {@code 2>&1}, {@code >&2}. Relative file names resolve against the shell's working
 *       directory (a constructor parameter), never the JVM's.</li>
 *   <li>Not supported, and rejected with a syntax error rather than misread: pipelines
 *       {@code |}, subshells {@code ( )}, here-documents {@code <<}, other descriptors.
 *       There is no expansion: {@code $}, {@code *}, {@code ?} and {@code ~} are literal
 *       characters.</li>
 * </ul>
 *
 * <h2>Built-in commands</h2>
 * {@code true}, {@code false}, {@code echo [-n] WORD...}, {@code sleep N[smhd]...} (fractions
 * allowed, interruptible), {@code wait} and {@code exit [N]}.
 *
 * <h2>Status and messages</h2>
 * <ul>
 *   <li>Unknown command: {@code netstack4j: NAME: command not found} on stderr, status
 *       {@value #STATUS_NOT_FOUND}.</li>
 *   <li>A command that throws a {@link RuntimeException}: {@code netstack4j: NAME: internal
 *       error: EXCEPTION} and the stack trace on stderr, status
 *       {@value #STATUS_INTERNAL_ERROR} (EX_SOFTWARE).</li>
 *   <li>An interrupted command: status {@value #STATUS_INTERRUPTED} (128 + SIGINT).</li>
 *   <li>A file a redirection cannot open: {@code netstack4j: FILE: REASON}, status 1, the
 *       command does not run.</li>
 *   <li>A syntax error: status {@value #STATUS_SYNTAX_ERROR}; in a script
 *       {@code NAME: line N: syntax error: ...}, elsewhere {@code netstack4j: syntax error: ...}.</li>
 *   <li>{@code wait} returns the status of the last background command (in start order) that
 *       failed, or 0, and reports each failure as
 *       {@code netstack4j: wait: COMMAND: exit status S}. (POSIX {@code wait} returns 0; this
 *       lets sh -e scenarios see background failures.)</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Foreground commands run on the thread that called {@link #runScript}, {@link #interactive}
 * or {@code execute}; each background command on a virtual thread of its own. The shell stops
 * a command by interrupting its thread, so commands must honour interruption (see
 * {@link Command}). Registration and {@link #onClose} are thread-safe. Output from all
 * commands goes to the shell's stdout and stderr one whole line at a time.
 *
 * <h2>Life cycle</h2>
 * {@link #runScript} and {@link #interactive} end by {@linkplain #close() closing} the shell:
 * background commands are interrupted and joined (at most {@link #setJobStopTimeout}, 2 s by
 * default, then abandoned with a message), then the {@link #onClose} hooks run. A Java program
 * that uses {@link #execute(String)} calls {@link #close()} itself (the shell is
 * {@link AutoCloseable}). {@link #installSignalHandlers()} does the same on SIGINT/SIGTERM.
 */
public final class Shell implements AutoCloseable {

    /** The prefix of the shell's own messages. */
    public static final String PROGRAM = "netstack4j";
    /** The interactive prompt. */
    public static final String PROMPT = "netstack4j> ";
    /** The prompt for the continuation of an incomplete line (sh's PS2). */
    public static final String CONTINUATION_PROMPT = "> ";

    public static final int STATUS_SYNTAX_ERROR = 2;
    public static final int STATUS_NOT_FOUND = 127;
    public static final int STATUS_INTERRUPTED = 130;
    public static final int STATUS_INTERNAL_ERROR = 70;

    private final Path workingDirectory;
    private final InputStream stdin;
    private final PrintStream stdout;
    private final PrintStream stderr;
    private final Map<String, Command> commands = new ConcurrentHashMap<>();
    private final Jobs jobs = new Jobs();
    private final Interpreter interpreter;
    /** Threads inside runScript, interactive or execute(String): a signal interrupts them. */
    private final Set<Thread> sessionThreads = ConcurrentHashMap.newKeySet();

    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Thread closingThread;
    private volatile Duration jobStopTimeout = Duration.ofSeconds(2);

    private final Object lock = new Object();
    /** Guarded by {@link #lock}; null once the hooks have been taken to run. */
    private List<Runnable> closeHooks = new ArrayList<>();
    /** Guarded by {@link #lock}. */
    private Thread shutdownHook;

    /** A shell on {@link System#in}, {@link System#out} and {@link System#err}. */
    public Shell(Path workingDirectory) {
        this(workingDirectory, System.in, System.out, System.err);
    }

    /**
     * @param workingDirectory where relative redirection targets and {@link Invocation#resolve}
     *                         names are resolved
     * @param stdin            standard input of foreground commands in scripts and
     *                         {@link #execute(String)}
     * @param stdout           where commands' output goes unless redirected
     * @param stderr           where commands' errors and the shell's messages go
     */
    public Shell(Path workingDirectory, InputStream stdin, PrintStream stdout, PrintStream stderr) {
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
        this.stdin = Objects.requireNonNull(stdin, "stdin");
        this.stdout = Objects.requireNonNull(stdout, "stdout");
        this.stderr = Objects.requireNonNull(stderr, "stderr");
        this.interpreter = new Interpreter(this, jobs, stdout, stderr);
        commands.putAll(Builtins.create(jobs));
    }

    /**
     * Makes {@code command} available as {@code name}.
     *
     * @return this shell, to chain registrations
     * @throws IllegalArgumentException if the name is empty, contains a blank or a shell
     *                                  operator, or is already registered (built-ins included)
     */
    public Shell register(String name, Command command) {
        Objects.requireNonNull(command, "command");
        if (name.isEmpty() || !name.equals(Words.quote(name))) {
            throw new IllegalArgumentException("not a valid command name: '" + name + "'");
        }
        if (commands.putIfAbsent(name, command) != null) {
            throw new IllegalArgumentException("command already registered: " + name);
        }
        return this;
    }

    /** The registered command names, built-ins included, sorted. */
    public SortedSet<String> commandNames() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(commands.keySet()));
    }

    /** The absolute directory relative file names resolve against. */
    public Path workingDirectory() {
        return workingDirectory;
    }

    /** How long {@link #close()} waits for interrupted background commands (default 2 s). */
    public void setJobStopTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout: " + timeout);
        }
        this.jobStopTimeout = timeout;
    }

    /**
     * Runs one already-split command on the calling thread with the given streams: no syntax,
     * no redirections. This is how a command re-dispatches a sub-command
     * ({@code ip netns exec NS ping ...}); see {@link Invocation#execute(List)}.
     *
     * @param argv the command name and its arguments
     * @return the command's status, {@value #STATUS_NOT_FOUND} if no such command (with
     *         {@code netstack4j: NAME: command not found} on {@code err}),
     *         {@value #STATUS_INTERNAL_ERROR} if it threw a {@link RuntimeException}
     * @throws InterruptedException if the command was interrupted
     */
    public int execute(List<String> argv, InputStream in, PrintStream out, PrintStream err)
            throws InterruptedException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        String name = argv.getFirst();
        Command command = commands.get(name);
        if (command == null) {
            err.println(PROGRAM + ": " + name + ": command not found");
            return STATUS_NOT_FOUND;
        }
        try {
            return command.run(new Invocation(argv, in, out, err, this));
        } catch (RuntimeException e) {
            err.println(PROGRAM + ": " + name + ": internal error: " + e);
            e.printStackTrace(err);
            return STATUS_INTERNAL_ERROR;
        }
    }

    /**
     * Runs one line of shell text (which may hold several commands, background ones, and
     * newlines) with the shell's streams. Failures do not stop the line, except {@code exit},
     * which ends it. Background commands keep running after return.
     *
     * @return the status of the last command, {@value #STATUS_SYNTAX_ERROR} on a syntax error
     * @throws InterruptedException  if a foreground command was interrupted
     * @throws IllegalStateException if the shell is closed
     */
    public int execute(String line) throws InterruptedException {
        requireOpen();
        Thread self = Thread.currentThread();
        // A command may call execute(String) from inside a script: the outer call owns the entry.
        boolean added = sessionThreads.add(self);
        try {
            Session session = new Session(PROGRAM, stdin, Session.Mode.LINE);
            return switch (Parser.parse(line, 1)) {
                case ParseResult.Complete(var lists) -> interpreter.run(lists, session).status();
                case ParseResult.Incomplete(var reason) -> syntaxError(PROGRAM, reason);
                case ParseResult.SyntaxError(var message, var lineNo) -> syntaxError(PROGRAM, message);
            };
        } finally {
            if (added) {
                sessionThreads.remove(self);
            }
        }
    }

    /**
     * Runs a scenario as {@code sh -e} would, then {@linkplain #close() closes} the shell.
     *
     * <p>A foreground command that fails stops the script; stderr gets
     * <pre>NAME: line N: COMMAND: exit status S</pre>
     * where N is the line the command starts on and COMMAND its words re-quoted, and the
     * script's status is S. A background command's failure does not stop the script, but the
     * next {@code wait} returns it (and so stops the script). {@code exit N} ends it with N.
     * If the calling thread is interrupted (or the shell closed by a signal), the script stops
     * with {@code NAME: line N: COMMAND: interrupted}, status {@value #STATUS_INTERRUPTED},
     * and the thread's interrupt flag is set again on return.
     *
     * @param script the scenario text; read here, not closed
     * @param name   the script's name in messages, usually its file name
     * @return the status of the last command run, as sh's
     * @throws IllegalStateException if the shell is closed
     */
    public int runScript(Reader script, String name) {
        Objects.requireNonNull(name, "name");
        BufferedReader in = script instanceof BufferedReader br ? br : new BufferedReader(script);
        return session(new Session(name, stdin, Session.Mode.SCRIPT), in, null);
    }

    /**
     * An interactive session: shows {@value #PROMPT} when {@code System.console()} is a
     * terminal, and otherwise runs as {@link #interactive(BufferedReader, PrintStream, boolean)}
     * with {@code prompt} false.
     */
    public int interactive(BufferedReader in, PrintStream out) {
        Console console = System.console();
        return interactive(in, out, console != null && console.isTerminal());
    }

    /**
     * Reads command lines from {@code in} until {@code exit} or end of input, then
     * {@linkplain #close() closes} the shell. A failing command has printed its own error and
     * the session goes on; syntax errors are reported as {@code netstack4j: syntax error: ...}.
     * Foreground commands read their stdin from {@code in}, a line at a time.
     *
     * @param out    where prompts go
     * @param prompt whether to print {@value #PROMPT} (and {@value #CONTINUATION_PROMPT} for
     *               continuation lines)
     * @return the status given to {@code exit}, or else of the last command
     * @throws IllegalStateException if the shell is closed
     */
    public int interactive(BufferedReader in, PrintStream out, boolean prompt) {
        Session session = new Session(PROGRAM,
                new LineReaderInputStream(in, StandardCharsets.UTF_8), Session.Mode.INTERACTIVE);
        return session(session, in, prompt ? out : null);
    }

    /**
     * Registers a hook to run when the shell closes, after background commands have stopped;
     * hooks run in reverse order of registration, each even if an earlier one throws. A hook
     * registered after the hooks have run runs at once, on the calling thread.
     */
    public void onClose(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        synchronized (lock) {
            if (closeHooks != null) {
                closeHooks.add(hook);
                return;
            }
        }
        runHook(hook);
    }

    /**
     * Makes SIGINT and SIGTERM (and any other JVM shutdown) stop the shell cleanly: a JVM
     * shutdown hook interrupts the threads running scripts or commands and {@linkplain #close()
     * closes} the shell. Idempotent; the hook is removed when the shell closes normally.
     * Without {@code sun.misc.Signal} a signal cannot be caught and survived, so Ctrl-C ends an
     * interactive session rather than only its foreground command.
     */
    public void installSignalHandlers() {
        synchronized (lock) {
            if (shutdownHook != null || closing.get()) {
                return;
            }
            shutdownHook = Thread.ofPlatform().name("netstack4j-shutdown").unstarted(() -> {
                sessionThreads.forEach(Thread::interrupt);
                close();
            });
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /** Whether {@link #close()} has begun. */
    public boolean isClosed() {
        return closing.get();
    }

    /**
     * Interrupts all background commands, joins them for at most the job stop timeout
     * (abandoning the rest with {@code netstack4j: background command did not stop within T
     * ms, abandoned: COMMAND}), then runs the {@link #onClose} hooks. Idempotent; a second
     * caller waits until the first has finished. Foreground commands running on other threads
     * are not touched (a signal interrupts them separately).
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            if (closingThread != Thread.currentThread()) {
                awaitClosed();
            }
            return;
        }
        closingThread = Thread.currentThread();
        // Hooks close devices and may block; a pending interrupt must not break them.
        boolean interrupted = Thread.interrupted();
        try {
            jobs.stopAll(jobStopTimeout, stderr);
            interrupted |= Thread.interrupted();
            List<Runnable> hooks;
            Thread hook;
            synchronized (lock) {
                hooks = closeHooks;
                closeHooks = null;
                hook = shutdownHook;
            }
            for (Runnable h : hooks.reversed()) {
                runHook(h);
            }
            if (hook != null && hook != Thread.currentThread()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The JVM is already running the hooks; ours will find the shell closed.
                }
            }
        } finally {
            closed.countDown();
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void runHook(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            stderr.println(PROGRAM + ": close hook failed: " + e);
            e.printStackTrace(stderr);
        }
    }

    private void awaitClosed() {
        boolean interrupted = false;
        while (true) {
            try {
                closed.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void requireOpen() {
        if (closing.get()) {
            throw new IllegalStateException("the shell is closed");
        }
    }

    private int syntaxError(String where, String message) {
        stderr.println(where + ": syntax error: " + message);
        return STATUS_SYNTAX_ERROR;
    }

    /** Reads, parses and runs logical lines until the session ends, then closes the shell. */
    private int session(Session session, BufferedReader in, PrintStream prompt) {
        requireOpen();
        Thread self = Thread.currentThread();
        boolean added = sessionThreads.add(self);
        boolean interrupted = false;
        int status;
        try {
            status = readEvalLoop(session, in, prompt);
        } catch (InterruptedException e) {
            interrupted = true;
            status = STATUS_INTERRUPTED;
        } catch (IOException e) {
            stderr.println(session.name + ": cannot read: " + e.getMessage());
            status = STATUS_SYNTAX_ERROR;
        } finally {
            if (added) {
                sessionThreads.remove(self);
            }
            close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return status;
    }

    private int readEvalLoop(Session session, BufferedReader in, PrintStream prompt)
            throws IOException, InterruptedException {
        boolean script = session.mode == Session.Mode.SCRIPT;
        int lineNo = 0;
        while (true) {
            if (closing.get()) {
                throw new InterruptedException("the shell was closed");
            }
            prompt(prompt, PROMPT);
            String first = in.readLine();
            if (first == null) {
                if (prompt != null) {
                    prompt.println();
                }
                return session.lastStatus;
            }
            int start = ++lineNo;
            StringBuilder text = new StringBuilder(first);
            ParseResult parsed = Parser.parse(text, start);
            while (parsed instanceof ParseResult.Incomplete(var reason)) {
                prompt(prompt, CONTINUATION_PROMPT);
                String next = in.readLine();
                if (next == null) {
                    parsed = new ParseResult.SyntaxError(reason, start);
                    break;
                }
                lineNo++;
                text.append('\n').append(next);
                parsed = Parser.parse(text, start);
            }
            switch (parsed) {
                case ParseResult.Complete(var lists) -> {
                    Interpreter.LineOutcome outcome = interpreter.run(lists, session);
                    if (outcome.stop()) {
                        return outcome.status();
                    }
                }
                case ParseResult.SyntaxError(var message, var line) -> {
                    session.lastStatus = syntaxError(
                            script ? session.name + ": line " + line : PROGRAM, message);
                    if (script) {
                        return session.lastStatus;
                    }
                }
                case ParseResult.Incomplete i -> throw new IllegalStateException("unreachable");
            }
        }
    }

    private static void prompt(PrintStream out, String text) {
        if (out != null) {
            out.print(text);
            out.flush();
        }
    }
}
