/**
 * Wire formats: what the bytes of each protocol header mean, and nothing else.
 *
 * <p>The layer owns two shapes per header, as smoltcp's {@code wire} module does:
 * <ul>
 *   <li>zero-copy views ({@code Ipv4Header}, {@code IcmpHeader}, ...): static accessors over a
 *       {@code byte[]} and an offset, with the field offsets as named constants under the RFC's
 *       diagram, read and written big-endian through {@code VarHandle}s ({@link io.netstack4j.wire.Bytes}).
 *       They never allocate. The contract: once a header's {@code check} (or length test) has
 *       passed, no accessor can fail; only a caller that skipped it sees an index exception;</li>
 *   <li>parsed records ({@code *Repr} with {@code parse}/{@code emit}) for tests, slow paths and
 *       building packets. {@code parse} returns null on malformed input instead of throwing,
 *       and keeps unknown protocol numbers and opcodes rather than rejecting them.</li>
 * </ul>
 * Plus the Internet checksum ({@link io.netstack4j.wire.Checksum}), option parsing
 * ({@link io.netstack4j.wire.Ipv4Options}) and the address values
 * ({@link io.netstack4j.wire.Ipv4Address}, {@link io.netstack4j.wire.MacAddress}).
 *
 * <p>It depends on nothing but the JDK and decides nothing about what to do with a packet:
 * dropping, counting and answering belong to the protocol layers above. There is no Linux
 * directory for it; it plays the part of the kernel's {@code include/uapi/linux/*.h} headers
 * ({@code if_ether.h}, {@code if_arp.h}, {@code ip.h}, {@code icmp.h}) and of
 * {@code include/net/checksum.h}.
 */
package io.netstack4j.wire;
