package io.netstack4j.cli.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Background commands, wait, and the end of a session. Timeouts only guard against hangs. */
@Timeout(30)
class BackgroundTest {

    @TempDir
    Path dir;

    private ShellFixture f;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() {
        f = new ShellFixture(dir);
        f.shell.register("fail", inv -> Integer.parseInt(inv.operands().getFirst()));
    }

    @Test
    void backgroundCommandRunsConcurrentlyAndWaitCollectsIt() {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        // gate blocks until 'open' runs in the foreground: a shell that ran 'gate &' in the
        // foreground would never reach 'open'.
        f.shell.register("gate", inv -> {
            started.countDown();
            released.await();
            inv.stdout().println("gate done");
            return 0;
        });
        f.shell.register("open", inv -> {
            started.await();
            released.countDown();
            return 0;
        });
        int status = f.script("""
                gate &
                echo launched
                open
                wait
                echo end
                """);
        assertEquals(0, status);
        assertEquals("launched\ngate done\nend\n", f.out());
        assertEquals("", f.err());
    }

    @Test
    void waitReturnsBackgroundFailureAndStopsScript() {
        int status = f.script("""
                fail 4 &
                echo next
                wait
                echo never
                """);
        assertEquals(4, status);
        assertEquals("next\n", f.out());
        assertEquals("netstack4j: wait: fail 4: exit status 4\n"
                + "test.ns: line 3: wait: exit status 4\n", f.err());
    }

    @Test
    void waitReportsLastFailingJobInStartOrder() throws InterruptedException {
        assertEquals(3, f.shell.execute("fail 2 & true & fail 3 & true & wait"));
        assertEquals("netstack4j: wait: fail 2: exit status 2\n"
                + "netstack4j: wait: fail 3: exit status 3\n", f.err());
        assertEquals(0, f.shell.execute("wait"));
        f.shell.close();
    }

    @Test
    void backgroundAndOrListRunsAsOneJob() throws InterruptedException {
        assertEquals(0, f.shell.execute("false || echo fallback &"));
        assertEquals(0, f.shell.execute("wait"));
        assertEquals("fallback\n", f.out());
        f.shell.close();
    }

    @Test
    void endOfScriptInterruptsBackgroundCommandThenRunsCloseHooks() {
        CountDownLatch entered = new CountDownLatch(1);
        f.shell.register("block", inv -> {
            entered.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                events.add("block interrupted");
                throw e;
            }
            return 0;
        });
        f.shell.register("entered", inv -> {
            entered.await();
            return 0;
        });
        f.shell.onClose(() -> events.add("first hook"));
        f.shell.onClose(() -> events.add("second hook"));

        int status = f.script("block &\nsleep infinity &\nentered\necho done\n");

        assertEquals(0, status);
        assertEquals("done\n", f.out());
        assertEquals(List.of("block interrupted", "second hook", "first hook"), events);
        assertEquals("", f.err());
    }

    @Test
    void failingScriptAlsoStopsBackgroundCommandsAndRunsHooks() {
        CountDownLatch entered = new CountDownLatch(1);
        f.shell.register("block", inv -> {
            entered.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                events.add("block interrupted");
                throw e;
            }
            return 0;
        });
        f.shell.register("entered", inv -> {
            entered.await();
            return 0;
        });
        f.shell.onClose(() -> events.add("hook"));
        assertEquals(6, f.script("block &\nentered\nfail 6\n"));
        assertEquals(List.of("block interrupted", "hook"), events);
    }

    @Test
    void commandIgnoringInterruptIsAbandonedWithMessage() {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        f.shell.register("stubborn", inv -> {
            entered.countDown();
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    events.add("ignored interrupt");
                }
            }
            return 0;
        });
        f.shell.register("entered", inv -> {
            entered.await();
            return 0;
        });
        f.shell.onClose(() -> events.add("hook"));
        f.shell.setJobStopTimeout(Duration.ofMillis(20));
        assertEquals(0, f.script("stubborn &\nentered\n"));
        release.countDown();
        assertEquals("netstack4j: background command did not stop within 20 ms, abandoned:"
                + " stubborn\n", f.err());
        assertEquals(List.of("ignored interrupt", "hook"), events);
    }

    @Test
    void interruptedScriptReportsTheCommandAndStillCleansUp() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        f.shell.register("entered", inv -> {
            entered.countDown();
            return 0;
        });
        f.shell.onClose(() -> events.add("hook"));
        int[] status = new int[1];
        boolean[] stillInterrupted = new boolean[1];
        Thread runner = Thread.ofPlatform().start(() -> {
            status[0] = f.script("echo start\nentered\nsleep infinity\necho never\n");
            stillInterrupted[0] = Thread.currentThread().isInterrupted();
        });
        entered.await();
        runner.interrupt();
        runner.join();
        assertEquals(Shell.STATUS_INTERRUPTED, status[0]);
        assertTrue(stillInterrupted[0]);
        assertEquals("start\n", f.out());
        // Whether the interrupt lands in 'sleep' or just before it, the script stops there.
        assertEquals("test.ns: line 3: sleep infinity: interrupted\n", f.err());
        assertEquals(List.of("hook"), events);
    }

    @Test
    void outputOfConcurrentCommandsIsLineAtomic() throws InterruptedException {
        CountDownLatch partialWritten = new CountDownLatch(1);
        CountDownLatch otherLineWritten = new CountDownLatch(1);
        f.shell.register("slow", inv -> {
            inv.stdout().print("a1 ");
            partialWritten.countDown();
            otherLineWritten.await();
            inv.stdout().println("a2");
            return 0;
        });
        f.shell.register("quick", inv -> {
            partialWritten.await();
            inv.stdout().println("b");
            otherLineWritten.countDown();
            return 0;
        });
        assertEquals(0, f.shell.execute("slow & quick; wait"));
        assertEquals("b\na1 a2\n", f.out());
        f.shell.close();
    }

    @Test
    void waitInsideBackgroundJobDoesNotWaitForItself() throws InterruptedException {
        assertEquals(0, f.shell.execute("wait & wait"));
        f.shell.close();
    }

    @Test
    void closeRunsHooksOnceAndLateHooksAtOnce() {
        f.shell.onClose(() -> events.add("hook"));
        f.shell.close();
        f.shell.close();
        assertTrue(f.shell.isClosed());
        f.shell.onClose(() -> events.add("late"));
        assertEquals(List.of("hook", "late"), events);
    }

    @Test
    void failingHookDoesNotStopTheOthers() {
        f.shell.onClose(() -> events.add("first"));
        f.shell.onClose(() -> {
            throw new IllegalStateException("device busy");
        });
        f.shell.close();
        assertEquals(List.of("first"), events);
        assertTrue(f.err().startsWith("netstack4j: close hook failed: "
                + "java.lang.IllegalStateException: device busy\n"), f.err());
    }

    @Test
    void signalHandlerInstallAndNormalCloseLeaveNoHookBehind() {
        f.shell.installSignalHandlers();
        f.shell.installSignalHandlers();
        f.shell.close();
        assertFalse(f.err().contains("Exception"), f.err());
    }
}
