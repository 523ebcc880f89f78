package io.netstack4j.cli.shell;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The shell's background commands ({@code cmd &}): started on virtual threads, collected by
 * {@code wait}, interrupted and joined when the shell closes.
 *
 * <p>Virtual threads because a background command mostly parks on a socket or a timer (ping,
 * iperf3, nc), because the stack's blocking socket API is built for them, and because they are
 * daemon threads: a command that ignores interruption cannot keep the JVM alive after the
 * shell has abandoned it.
 */
final class Jobs {

    /** Bound while a background job runs; a {@code wait} inside one has no children to wait for. */
    private static final ScopedValue<Job> CURRENT = ScopedValue.newInstance();

    /** The work of one job. */
    @FunctionalInterface
    interface Body {
        int run() throws InterruptedException;
    }

    private static final class Job {
        final int id;
        final String description;
        Thread thread;
        /** Written by the job's thread before it ends; read after {@code join}. */
        volatile int status = Shell.STATUS_INTERNAL_ERROR;

        Job(int id, String description) {
            this.id = id;
            this.description = description;
        }
    }

    private final List<Job> table = new ArrayList<>();
    private int nextId = 1;
    private boolean closed;

    /**
     * Starts {@code body} on a new virtual thread.
     *
     * @return false, without starting anything, once {@link #stopAll} has begun
     */
    synchronized boolean start(String description, Body body) {
        if (closed) {
            return false;
        }
        Job job = new Job(nextId++, description);
        job.thread = Thread.ofVirtual().name("netstack4j-job-" + job.id).unstarted(() -> {
            int status = Shell.STATUS_INTERNAL_ERROR;
            try {
                status = ScopedValue.where(CURRENT, job).call(body::run);
            } catch (InterruptedException e) {
                status = Shell.STATUS_INTERRUPTED;
            } finally {
                job.status = status;
            }
        });
        table.add(job);
        job.thread.start();
        return true;
    }

    /**
     * The {@code wait} built-in: waits for every background job, in the order they were
     * started, including jobs started meanwhile, and forgets them.
     *
     * <p>POSIX {@code wait} without operands always returns 0; here, so that a scenario run
     * as {@code sh -e} notices a background failure, the status is that of the last job (in
     * start order) that failed, or 0 if all succeeded. Each failure is reported on {@code err}
     * as {@code netstack4j: wait: COMMAND: exit status S}.
     *
     * @throws InterruptedException if interrupted; jobs not yet waited for stay in the table
     */
    int waitAll(PrintStream err) throws InterruptedException {
        if (CURRENT.isBound()) {
            return 0;
        }
        int status = 0;
        while (true) {
            Job job;
            synchronized (this) {
                if (table.isEmpty()) {
                    return status;
                }
                job = table.getFirst();
            }
            job.thread.join();
            synchronized (this) {
                table.remove(job);
            }
            if (job.status != 0) {
                status = job.status;
                err.println(Shell.PROGRAM + ": wait: " + job.description + ": exit status "
                        + job.status);
            }
        }
    }

    /**
     * Interrupts every job, then joins them for at most {@code timeout} in total; a job still
     * running after that is abandoned with a message on {@code err}. No job starts afterwards.
     * An interrupt of the calling thread does not cut the wait short; it is re-asserted on
     * return.
     */
    void stopAll(Duration timeout, PrintStream err) {
        List<Job> jobs;
        synchronized (this) {
            closed = true;
            jobs = List.copyOf(table);
            table.clear();
        }
        Thread self = Thread.currentThread();
        for (Job job : jobs) {
            if (job.thread != self) {
                job.thread.interrupt();
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        for (Job job : jobs) {
            if (job.thread == self) {
                continue;
            }
            while (job.thread.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    job.thread.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (job.thread.isAlive()) {
                err.println(Shell.PROGRAM + ": background command did not stop within "
                        + timeout.toMillis() + " ms, abandoned: " + job.description);
            }
        }
        if (interrupted) {
            self.interrupt();
        }
    }
}
