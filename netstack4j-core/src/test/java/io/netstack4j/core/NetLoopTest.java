package io.netstack4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.time.Clock;
import io.netstack4j.time.Timer;
import io.netstack4j.time.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NetLoopTest {

    private static final long MS = 1_000_000L;

    @Test
    void simulationJumpsTheClockToTheNextTimer() {
        NetLoop loop = NetLoop.simulated(1);
        List<Long> fired = new ArrayList<>();
        Timer a = new Timer(() -> fired.add(loop.now()));
        Timer b = new Timer(() -> fired.add(loop.now()));
        loop.schedule(a, 3_000 * MS);
        loop.schedule(b, 5 * MS);
        loop.runFor(10_000 * MS);
        assertEquals(List.of(5 * MS, 3_000 * MS), fired);
        assertEquals(10_000 * MS, loop.now(), "runFor ends at its deadline");
    }

    @Test
    void runUntilStopsWhenTheConditionHolds() {
        NetLoop loop = NetLoop.simulated(1);
        int[] ticks = new int[1];
        Timer[] tick = new Timer[1];
        tick[0] = new Timer(() -> {
            ticks[0]++;
            loop.schedule(tick[0], 7 * MS);
        });
        loop.schedule(tick[0], 7 * MS);
        assertTrue(loop.runUntil(() -> ticks[0] == 1, Long.MAX_VALUE));
        assertEquals(7 * MS, loop.now());
    }

    @Test
    void realTimeLoopRunsTasksAndTimersFromOtherThreads() throws Exception {
        NetLoop loop = new NetLoop(Clock.system(), 1);
        loop.start();
        try {
            assertEquals(42, (int) loop.call(() -> 42));
            assertTrue(loop.call(loop::inLoop), "tasks run on the loop thread");
            NetException e = assertThrows(NetException.class, () -> loop.call(() -> {
                throw new NetException(Errno.EEXIST);
            }));
            assertEquals(Errno.EEXIST, e.errno());
            CountDownLatch fired = new CountDownLatch(1);
            loop.run(() -> loop.schedule(new Timer(fired::countDown), 20 * MS));
            assertTrue(fired.await(10, TimeUnit.SECONDS), "the timer fired on the loop thread");
        } finally {
            loop.stop();
        }
    }

    @Test
    void aFreeRunningVirtualLoopRacesThroughTimers() throws Exception {
        NetLoop loop = new NetLoop(new VirtualClock(), 1);
        loop.start();
        try {
            CountDownLatch fired = new CountDownLatch(1);
            long[] at = new long[1];
            loop.run(() -> loop.schedule(new Timer(() -> {
                at[0] = loop.now();
                fired.countDown();
            }), 3_600_000 * MS));
            assertTrue(fired.await(10, TimeUnit.SECONDS), "an hour of virtual time passes at once");
            assertEquals(3_600_000 * MS, at[0]);
        } finally {
            loop.stop();
        }
    }

    @Test
    void aFailingTaskOrTimerDoesNotStopTheLoopThread() {
        NetLoop loop = new NetLoop(Clock.system(), 3);
        loop.start();
        try {
            loop.execute(() -> {
                throw new IllegalStateException("a buggy task (expected in this test)");
            });
            loop.run(() -> loop.schedule(new Timer(() -> {
                throw new IllegalStateException("a buggy timer (expected in this test)");
            }), 0));
            assertEquals(42, loop.call(() -> 42), "the loop still answers");
        } finally {
            loop.stop();
        }
    }

    @Test
    void aCallFromAnotherThreadRunsOnTheCallerAndWakesTheParkedLoopForItsTimer() throws Exception {
        NetLoop loop = new NetLoop(Clock.system(), 4);
        loop.start();
        try {
            // Let the loop thread park with nothing to do.
            loop.call(() -> 0);
            Thread.sleep(20);
            Thread caller = Thread.currentThread();
            assertEquals(caller, loop.call(Thread::currentThread), "direct call, no hand-over to the loop thread");
            assertEquals(7, loop.callInt(() -> 7));
            CountDownLatch fired = new CountDownLatch(1);
            List<Thread> firedOn = new ArrayList<>();
            loop.run(() -> loop.schedule(new Timer(() -> {
                firedOn.add(Thread.currentThread());
                fired.countDown();
            }), MS));
            // Liveness, not timing: the parked loop must be woken for the new timer.
            assertTrue(fired.await(10, TimeUnit.SECONDS), "the timer armed by a direct call fired");
            assertTrue(firedOn.get(0) != caller, "timers run on the loop thread");
        } finally {
            loop.stop();
        }
    }

    /**
     * Many virtual threads calling at once contend for the loop's guard (a monitor, on which a
     * virtual thread parks without pinning its carrier): each call runs alone, on its caller,
     * and is counted once; outside a call no thread counts as being in the loop.
     */
    @Test
    void directCallsFromManyVirtualThreadsRunOneAtATimeOnTheirCallers() throws Exception {
        NetLoop loop = new NetLoop(Clock.system(), 6);
        loop.start();
        try {
            int threads = 64;
            int calls = 500;
            int[] count = new int[1];
            int[] inside = new int[1];
            List<String> faults = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < calls; i++) {
                            Thread me = Thread.currentThread();
                            loop.callInt(() -> {
                                if (++inside[0] != 1) {
                                    faults.add("two calls inside at once");
                                }
                                if (Thread.currentThread() != me || !loop.inLoop()) {
                                    faults.add("not on the caller, or not in the loop");
                                }
                                count[0]++;
                                inside[0]--;
                                return 0;
                            });
                            if (loop.inLoop()) {
                                faults.add("still in the loop after the call");
                            }
                        }
                    } finally {
                        done.countDown();
                    }
                });
            }
            // Liveness, not timing.
            assertTrue(done.await(60, TimeUnit.SECONDS), "every virtual thread finished its calls");
            assertEquals(List.of(), faults);
            assertEquals(threads * calls, loop.callInt(() -> count[0]));
        } finally {
            loop.stop();
        }
    }

    @Test
    void tasksSubmittedBeforeADirectCallRunBeforeIt() {
        NetLoop loop = new NetLoop(Clock.system(), 5);
        loop.start();
        try {
            List<String> order = new ArrayList<>();
            loop.call(() -> {
                // Hold the loop while the tasks below are queued, so they are still pending.
                loop.execute(() -> order.add("first"));
                loop.execute(() -> order.add("second"));
                return null;
            });
            loop.run(() -> order.add("call"));
            assertEquals(List.of("first", "second", "call"), loop.call(() -> List.copyOf(order)));
        } finally {
            loop.stop();
        }
    }
}
