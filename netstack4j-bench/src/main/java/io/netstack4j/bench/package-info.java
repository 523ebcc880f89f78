/**
 * Benchmarks: the end-to-end set that {@code ./netstack4j bench} runs against the kernel in the
 * same invocation ({@link io.netstack4j.bench.BenchMain}), and JMH microbenchmarks of the hot
 * paths in {@code io.netstack4j.bench.micro}.
 */
package io.netstack4j.bench;
