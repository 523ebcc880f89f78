/**
 * The soak ({@code ./netstack4j soak}): many namespaces, hundreds of TCP connections, random
 * netem and link flaps and a stream of mutated frames, every byte checked with SHA-256 and the
 * heap watched, for a chosen time. See {@link io.netstack4j.cli.soak.Soak}.
 */
package io.netstack4j.cli.soak;
