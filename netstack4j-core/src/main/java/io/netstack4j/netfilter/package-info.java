/**
 * Netfilter hook points ({@code net/netfilter/core.c}): the five IPv4 hooks that the receive,
 * forward and output paths pass through, with priority-ordered registration and
 * ACCEPT/DROP/STOLEN verdicts. Tables (iptables), conntrack and NAT build on this later.
 */
package io.netstack4j.netfilter;
