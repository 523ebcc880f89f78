package io.netstack4j.core;

/**
 * API misuse or a refused request, carrying the Linux error code. Never thrown for bad input
 * from the wire: that is dropped and counted with a {@link DropReason}.
 */
public final class NetException extends RuntimeException {

    private final Errno errno;

    public NetException(Errno errno) {
        super(errno.message());
        this.errno = errno;
    }

    public NetException(Errno errno, String detail) {
        super(detail);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
