/**
 * Time for the protocol core: the injected {@link io.netstack4j.time.Clock}, a
 * {@link io.netstack4j.time.VirtualClock} for simulation, and re-armable timers in a
 * {@link io.netstack4j.time.TimerQueue} (the role of the kernel's {@code kernel/time/timer.c}
 * timer wheel). Depends on nothing.
 */
package io.netstack4j.time;
