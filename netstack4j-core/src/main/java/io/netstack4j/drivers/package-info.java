/**
 * Device drivers that live inside the JVM: {@link io.netstack4j.drivers.Loopback} and
 * {@link io.netstack4j.drivers.Veth} pairs ({@code drivers/net/loopback.c}, {@code drivers/net/veth.c}).
 * Drivers that touch the operating system (TAP) live in their own module, outside the core.
 */
package io.netstack4j.drivers;
