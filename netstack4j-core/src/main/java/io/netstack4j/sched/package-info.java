/**
 * Queueing disciplines beyond the default ({@code net/sched/}): {@link io.netstack4j.sched.Netem}
 * for delay, loss, duplication, reordering, corruption and rate limits.
 */
package io.netstack4j.sched;
