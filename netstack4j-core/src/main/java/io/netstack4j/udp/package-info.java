/**
 * UDP for IPv4 ({@code net/ipv4/udp.c}, RFC 768, RFC 1122 4.1): the receive path
 * ({@code __udp4_lib_rcv}), the socket lookup tables ({@code udp_table}), port binding
 * ({@code udp_lib_get_port}), sending ({@code udp_sendmsg}), the receive queue
 * ({@code __udp_enqueue_schedule_skb}, {@code udp_recvmsg}) and ICMP error handling
 * ({@code __udp4_lib_err}). Everything here runs on the loop thread; the thread-safe socket API
 * that applications use is the socket layer's {@code UdpSocket}.
 *
 * <p>No privileged ports: binding below 1024 needs no capability, since nothing in a user-space
 * stack could grant or check {@code CAP_NET_BIND_SERVICE} (Linux's EACCES is never returned).
 */
package io.netstack4j.udp;
