/**
 * The neighbour subsystem for IPv4 ({@code net/core/neighbour.c}, {@code net/ipv4/arp.c}): the
 * ARP table with NUD states, resolution queues, probes and garbage collection, and the ARP
 * protocol (RFC 826). Sits above the FIB, which it reaches only through
 * {@link io.netstack4j.neigh.AddressTypes}.
 */
package io.netstack4j.neigh;
