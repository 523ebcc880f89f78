/**
 * TCP over IPv4 ({@code net/ipv4/tcp*.c}, {@code inet_connection_sock.c},
 * {@code inet_hashtables.c}): the RFC 9293 state machine with Linux's structure — socket tables,
 * request and TIME_WAIT mini-sockets, SYN cookies, the send and receive paths, SACK, RACK-TLP,
 * PRR, pluggable congestion control (CUBIC, Reno), timers and the TCP MIBs. Sans-IO and loop
 * thread only; the socket layer above makes it usable from application threads.
 */
package io.netstack4j.tcp;
