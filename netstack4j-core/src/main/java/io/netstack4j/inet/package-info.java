/**
 * IPv4 addressing of devices ({@code net/ipv4/devinet.c}): {@code in_device}, {@code in_ifaddr},
 * per-device {@code ipv4_devconf} settings and source-address selection. The FIB and ARP follow
 * address changes through {@link io.netstack4j.inet.Inet.AddressListener}.
 */
package io.netstack4j.inet;
