/**
 * Wire formats: zero-copy views of protocol headers (static accessors over a byte array and an
 * offset, named offsets under the RFC's diagram) and small parsed records ({@code *Repr} with
 * {@code parse}/{@code emit}) for tests and slow paths. The contract, as smoltcp's: once a
 * header's {@code check} has passed, no accessor can fail; parsers return null rather than
 * throw. Depends on nothing. The role of Linux's {@code include/uapi/linux/*.h} headers.
 */
package io.netstack4j.wire;
