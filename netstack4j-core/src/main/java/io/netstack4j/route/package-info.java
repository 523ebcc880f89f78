/**
 * The IPv4 forwarding information base: what Linux's {@code net/ipv4/fib_trie.c},
 * {@code fib_semantics.c}, {@code fib_frontend.c} and {@code fib_rules.c} (with
 * {@code net/core/fib_rules.c}) do, per namespace.
 *
 * <ul>
 *   <li>{@link io.netstack4j.route.FibTrie} - longest-prefix match over 32-bit keys (a
 *       path-compressed binary trie in primitive arrays, standing in for the kernel's LC-trie).</li>
 *   <li>{@link io.netstack4j.route.FibTable} - a table: per prefix an ordered list of routes
 *       ({@link io.netstack4j.route.FibAlias}, sharing {@link io.netstack4j.route.FibInfo}s),
 *       netlink insert/delete semantics, {@code fib_table_lookup}.</li>
 *   <li>{@link io.netstack4j.route.FibRules} - policy routing rules.</li>
 *   <li>{@link io.netstack4j.route.Fib} - the namespace's FIB: tables, rules, route validation
 *       ({@code fib_create_info}), the routes that follow interface addresses and device state,
 *       and {@code fib_lookup}, the entry point of the route layer above
 *       ({@code net/ipv4/route.c}).</li>
 *   <li>{@link io.netstack4j.route.RouteText} - {@code ip route show} / {@code ip rule show} text.</li>
 * </ul>
 *
 * <p>Package-private helpers keep the kernel's split: {@code FibSemantics} is
 * {@code fib_semantics.c} (route validation, shared infos, next-hop state on device events) and
 * {@code IfaddrRoutes} the address half of {@code fib_frontend.c} ({@code fib_add_ifaddr},
 * {@code fib_del_ifaddr}, {@code fib_magic}).
 *
 * <p>Lookups take a reusable {@link io.netstack4j.route.Flow4} and fill a reusable
 * {@link io.netstack4j.route.FibResult}, allocating nothing. Devices are referred to by ifindex
 * only; the layer depends on {@code wire} and on {@code core}'s {@code Errno} and
 * {@code NetException}, nothing else. Single-threaded, like the rest of a namespace.
 */
package io.netstack4j.route;
