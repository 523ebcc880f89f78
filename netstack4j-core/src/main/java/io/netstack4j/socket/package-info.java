/**
 * The socket layer ({@code net/socket.c}, {@code net/ipv4/af_inet.c}): BSD-style sockets that
 * any application thread may use. Protocol state lives on the stack's loop thread; every call
 * is handed to it ({@code NetLoop.call}), and a call that must wait parks the calling thread
 * (platform or virtual) until the loop wakes it. Timeouts are loop timers, so they follow the
 * loop's clock, virtual or real.
 */
package io.netstack4j.socket;
