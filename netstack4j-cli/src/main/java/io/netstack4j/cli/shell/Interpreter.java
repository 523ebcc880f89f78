package io.netstack4j.cli.shell;

import io.netstack4j.cli.shell.AndOrList.Connector;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs parsed {@link AndOrList}s for a {@link Shell}: foreground commands on the calling
 * thread, background lists as {@link Jobs}, redirections opened around each simple command.
 */
final class Interpreter {

    /** What a line did: its status, and whether the session must end ({@code exit}, sh -e). */
    record LineOutcome(int status, boolean stop) {
    }

    /** The three standard descriptors of one simple command. */
    private record Fds(InputStream in, PrintStream out, PrintStream err) {
        PrintStream output(int fd) {
            return fd == 2 ? err : out;
        }

        Fds withOutput(int fd, PrintStream stream) {
            return fd == 2 ? new Fds(in, out, stream) : new Fds(in, stream, err);
        }
    }

    private final Shell shell;
    private final Jobs jobs;
    private final PrintStream stdout;
    private final PrintStream stderr;

    Interpreter(Shell shell, Jobs jobs, PrintStream stdout, PrintStream stderr) {
        this.shell = shell;
        this.jobs = jobs;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Runs one parsed line. In a {@link Session.Mode#SCRIPT script}, a foreground AND-OR list
     * whose final command ran and failed ends the session (XCU 2.14 {@code set -e}: a failure
     * of any other command of an AND-OR list does not), after
     * {@code NAME: line N: COMMAND: exit status S} on stderr.
     *
     * @throws InterruptedException if a foreground command was interrupted; in a script,
     *                              {@code NAME: line N: COMMAND: interrupted} was printed
     */
    LineOutcome run(List<AndOrList> lists, Session s) throws InterruptedException {
        for (AndOrList list : lists) {
            if (list.background()) {
                s.lastStatus = startBackground(list, s);
                continue;
            }
            int last;
            try {
                last = runAndOr(list, s);
            } catch (InterruptedException e) {
                if (s.errexit() && s.current != null) {
                    stderr.println(location(s) + ": interrupted");
                }
                throw e;
            }
            if (s.exitRequested) {
                return new LineOutcome(s.lastStatus, true);
            }
            if (s.errexit() && s.lastStatus != 0 && last == list.commands().size() - 1) {
                stderr.println(location(s) + ": exit status " + s.lastStatus);
                return new LineOutcome(s.lastStatus, true);
            }
        }
        return new LineOutcome(s.lastStatus, false);
    }

    private static String location(Session s) {
        return s.name + ": line " + s.current.line() + ": " + s.current.text();
    }

    /**
     * Runs an AND-OR list left to right, {@code &&} and {@code ||} binding equally (XCU 2.9.3).
     *
     * @return the index of the last command that ran; its status is {@code s.lastStatus}
     */
    private int runAndOr(AndOrList list, Session s) throws InterruptedException {
        List<SimpleCommand> commands = list.commands();
        s.lastStatus = runSimple(commands.getFirst(), s);
        int last = 0;
        for (int i = 1; i < commands.size() && !s.exitRequested; i++) {
            boolean and = list.connectors().get(i - 1) == Connector.AND;
            if (and == (s.lastStatus == 0)) {
                s.lastStatus = runSimple(commands.get(i), s);
                last = i;
            }
        }
        return last;
    }

    /** Starts a background job; its stdin is empty, as for an async list in a non-interactive sh. */
    private int startBackground(AndOrList list, Session parent) {
        Session job = new Session(parent.name, InputStream.nullInputStream(),
                Session.Mode.BACKGROUND);
        boolean started = jobs.start(list.text(), () -> {
            runAndOr(list, job);
            return job.lastStatus;
        });
        if (started) {
            return 0;
        }
        stderr.println(Shell.PROGRAM + ": shell is closed, not starting: " + list.text());
        return 1;
    }

    private int runSimple(SimpleCommand cmd, Session s) throws InterruptedException {
        s.current = cmd;
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        PrintStream out = LineBufferedOutputStream.over(stdout);
        PrintStream err = LineBufferedOutputStream.over(stderr);
        List<Closeable> opened = new ArrayList<>();
        try {
            Fds fds = new Fds(s.stdin, out, err);
            for (Redirection r : cmd.redirections()) {
                try {
                    fds = apply(r, fds, opened);
                } catch (IOException e) {
                    fds.err().println(Shell.PROGRAM + ": " + describe(e));
                    return 1;
                }
            }
            List<String> words = cmd.words();
            if (words.isEmpty()) {
                return 0;
            }
            if (s.topLevel() && words.getFirst().equals("exit")) {
                s.exitRequested = true;
                if (words.size() == 1) {
                    return s.lastStatus;
                }
            }
            return shell.execute(words, fds.in(), fds.out(), fds.err());
        } finally {
            for (Closeable c : opened.reversed()) {
                try {
                    c.close();
                } catch (IOException e) {
                    err.println(Shell.PROGRAM + ": " + describe(e));
                }
            }
            out.flush();
            err.flush();
        }
    }

    private Fds apply(Redirection r, Fds fds, List<Closeable> opened) throws IOException {
        return switch (r) {
            case Redirection.Input(String path) -> {
                InputStream in = new BufferedInputStream(Files.newInputStream(resolve(path)));
                opened.add(in);
                yield new Fds(in, fds.out(), fds.err());
            }
            case Redirection.Output(int fd, String path, boolean append) -> {
                PrintStream file = new PrintStream(new BufferedOutputStream(Files.newOutputStream(
                        resolve(path), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)),
                        false, stdout.charset());
                opened.add(file);
                yield fds.withOutput(fd, file);
            }
            case Redirection.Duplicate(int fd, int sourceFd) ->
                    fds.withOutput(fd, fds.output(sourceFd));
        };
    }

    private Path resolve(String path) {
        return shell.workingDirectory().resolve(path);
    }

    /** {@code FILE: reason}, worded as the C library's strerror would. */
    private static String describe(IOException e) {
        if (e instanceof FileSystemException fse) {
            String reason = switch (fse) {
                case NoSuchFileException x -> "No such file or directory";
                case AccessDeniedException x -> "Permission denied";
                default -> fse.getReason() != null ? fse.getReason() : fse.getClass().getSimpleName();
            };
            return fse.getFile() + ": " + reason;
        }
        return String.valueOf(e.getMessage());
    }
}
