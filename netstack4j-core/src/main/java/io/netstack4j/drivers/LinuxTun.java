package io.netstack4j.drivers;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The handful of Linux system calls a TAP device needs, bound through the Foreign Function &
 * Memory API: {@code open}, {@code ioctl(TUNSETIFF)}, {@code read}, {@code write}, {@code poll},
 * {@code eventfd} and {@code close}. Each call captures {@code errno} with the call itself, so a
 * failure names the right error however the JVM's own threads use errno meanwhile.
 *
 * <p>{@link #write} is bound as a critical downcall that may take a heap segment, so a frame
 * goes from a pooled {@code byte[]} to the kernel without a copy.
 */
final class LinuxTun {

    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    /** {@code _IOW('T', 202, int)}. */
    static final long TUNSETIFF = 0x400454caL;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_VNET_HDR = 0x4000;
    /** {@code _IOW('T', 208, unsigned int)}: the argument is the flags themselves, not a pointer. */
    static final long TUNSETOFFLOAD = 0x400454d0L;
    /** {@code _IOW('T', 216, int)}: the argument points at the size. */
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    /** {@code TUN_F_CSUM}: we take packets whose transport checksum is not filled in. */
    static final int TUN_F_CSUM = 0x01;
    /** {@code TUN_F_TSO4}: we take IPv4 TCP packets larger than the MTU (GSO segments). */
    static final int TUN_F_TSO4 = 0x02;
    static final short POLLIN = 0x1;
    static final int IFNAMSIZ = 16;
    /** {@code sizeof(struct ifreq)}. */
    static final int IFREQ_SIZE = 40;
    static final int EAGAIN = 11;
    static final int EINTR = 4;
    static final int EINVAL = 22;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = bind("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), CAPTURE_ERRNO,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL = bind("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = bind("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
            CAPTURE_ERRNO);
    /** {@code read(2)} with the buffer as a raw address, so the reader makes no slice per frame. */
    private static final MethodHandle READ_AT = bind("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            CAPTURE_ERRNO);
    private static final MethodHandle WRITE = bind("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
            CAPTURE_ERRNO, Linker.Option.critical(true));
    private static final MethodHandle POLL = bind("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
            CAPTURE_ERRNO);
    private static final MethodHandle EVENTFD = bind("eventfd",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = bind("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CAPTURE_ERRNO);

    private LinuxTun() {
    }

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment fn = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name + "()"));
        return LINKER.downcallHandle(fn, fd, options);
    }

    /** A per-thread buffer for the captured errno. */
    static MemorySegment errnoBuffer(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /**
     * Opens {@code /dev/net/tun} non-blocking and attaches it to the TAP interface
     * {@code ifname} ({@code IFF_TAP | IFF_NO_PI}), which the kernel creates if absent. Returns
     * the file descriptor.
     */
    static int openTap(String ifname) {
        return openTap(ifname, 0, 0);
    }

    /**
     * As {@link #openTap(String)}, and when {@code vnetHdrLen} is not 0 also with
     * {@code IFF_VNET_HDR}: every read and write then starts with a {@code struct virtio_net_hdr}
     * of {@code vnetHdrLen} bytes ({@code TUNSETVNETHDRSZ}), and the kernel may hand us what
     * {@code offloads} ({@code TUNSETOFFLOAD}, {@code TUN_F_*}) allows.
     */
    static int openTap(String ifname, int vnetHdrLen, int offloads) {
        byte[] name = ifname.getBytes(StandardCharsets.US_ASCII);
        if (name.length >= IFNAMSIZ) {
            throw new NetException(Errno.EINVAL, "kernel interface name \"" + ifname + "\" is longer than 15 characters");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = errnoBuffer(arena);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom("/dev/net/tun"), O_RDWR | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) {
                throw failure("open /dev/net/tun", errno(state));
            }
            MemorySegment ifr = arena.allocate(IFREQ_SIZE);
            ifr.fill((byte) 0);
            MemorySegment.copy(name, 0, ifr, ValueLayout.JAVA_BYTE, 0, name.length);
            short flags = (short) (IFF_TAP | IFF_NO_PI | (vnetHdrLen != 0 ? IFF_VNET_HDR : 0));
            ifr.set(ValueLayout.JAVA_SHORT, IFNAMSIZ, flags);
            int rc = (int) IOCTL.invokeExact(state, fd, TUNSETIFF, ifr);
            if (rc < 0) {
                int err = errno(state);
                close(fd);
                throw failure("TUNSETIFF " + ifname, err);
            }
            if (vnetHdrLen != 0) {
                MemorySegment size = arena.allocateFrom(ValueLayout.JAVA_INT, vnetHdrLen);
                rc = (int) IOCTL.invokeExact(state, fd, TUNSETVNETHDRSZ, size);
                if (rc == 0) {
                    rc = (int) IOCTL.invokeExact(state, fd, TUNSETOFFLOAD, MemorySegment.ofAddress(offloads));
                }
                if (rc < 0) {
                    int err = errno(state);
                    close(fd);
                    throw failure("TUNSETVNETHDRSZ/TUNSETOFFLOAD " + ifname, err);
                }
            }
            return fd;
        } catch (NetException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    /** A non-blocking eventfd used to wake the reader thread. */
    static int eventfd() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = errnoBuffer(arena);
            int fd = (int) EVENTFD.invokeExact(state, 0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (fd < 0) {
                throw failure("eventfd", errno(state));
            }
            return fd;
        } catch (NetException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    /** {@code read(2)} into native memory; returns the byte count or {@code -errno}. */
    static long read(MemorySegment state, int fd, MemorySegment buf, long len) {
        return transfer(READ, state, fd, buf, len);
    }

    /**
     * {@code read(2)} into native memory at {@code address}, which the caller keeps alive for
     * {@code len} bytes; returns the byte count or {@code -errno}.
     */
    static long readAt(MemorySegment state, int fd, long address, long len) {
        try {
            long n = (long) READ_AT.invokeExact(state, fd, address, len);
            return n >= 0 ? n : -errno(state);
        } catch (Throwable t) {
            throw new IllegalStateException("read failed", t);
        }
    }

    /** {@code write(2)} from a heap or native segment; returns the byte count or {@code -errno}. */
    static long write(MemorySegment state, int fd, MemorySegment buf, long len) {
        return transfer(WRITE, state, fd, buf, len);
    }

    private static long transfer(MethodHandle call, MemorySegment state, int fd, MemorySegment buf, long len) {
        try {
            long n = (long) call.invokeExact(state, fd, buf, len);
            return n >= 0 ? n : -errno(state);
        } catch (Throwable t) {
            throw new IllegalStateException("read/write failed", t);
        }
    }

    /** {@code poll(2)} on {@code nfds} {@code struct pollfd}s; returns the count or {@code -errno}. */
    static int poll(MemorySegment state, MemorySegment fds, int nfds, int timeoutMs) {
        try {
            int n = (int) POLL.invokeExact(state, fds, (long) nfds, timeoutMs);
            return n >= 0 ? n : -errno(state);
        } catch (Throwable t) {
            throw new IllegalStateException("poll failed", t);
        }
    }

    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) CLOSE.invokeExact(errnoBuffer(arena), fd);
            assert rc == 0 || rc == -1;
        } catch (Throwable t) {
            throw new IllegalStateException("close failed", t);
        }
    }

    private static NetException failure(String what, int errno) {
        for (Errno e : Errno.values()) {
            if (e.number() == errno) {
                return new NetException(e, what + ": " + e.message());
            }
        }
        return new NetException(Errno.EIO, what + ": errno " + errno);
    }
}
