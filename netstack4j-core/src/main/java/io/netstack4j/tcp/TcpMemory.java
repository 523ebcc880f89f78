package io.netstack4j.tcp;

import io.netstack4j.core.SockMem;

/**
 * The namespace-wide bounds on TCP: the buffer memory all its sockets hold together
 * ({@code tcp_mem}, {@code tcp_memory_allocated}, memory pressure) and the number of orphans,
 * sockets the application closed that still finish their close ({@code tcp_max_orphans}).
 * Each socket is bounded by its own buffers; these bound what many sockets add up to, so ten
 * thousand sockstress connections each holding a full send buffer cannot take the heap.
 *
 * <h2>Memory</h2>
 * Charged: what sockets hold to receive (the true size of queued and out-of-order segments)
 * and to send (their send-queue chunks). Linux counts pages that each socket reserves ahead;
 * here bytes are counted exactly and compared with {@code tcp_mem}, which is in 4 KiB pages as
 * in Linux: below {@code tcp_mem[0]} there is no pressure, above {@code tcp_mem[1]} the namespace
 * is under pressure ({@code TCPMemoryPressures} counts each entry), above {@code tcp_mem[2]}
 * new memory is refused ({@code __sk_mem_raise_allocated}). A socket holding less than
 * {@code tcp_rmem[0]} / {@code tcp_wmem[0]} always gets memory below the hard limit, and under
 * pressure a socket holding less than its fair share (the hard limit divided by the number of
 * sockets) does too. An empty receive queue always takes its segment
 * ({@code sk_forced_mem_schedule}), so every connection can make progress.
 *
 * <p>Linux keeps one {@code tcp_memory_allocated} for the whole machine; here each namespace
 * has its own, as each is a host of its own in a simulation. The default is Linux's formula
 * applied to the JVM's maximum heap instead of the machine's free pages
 * ({@code tcp_init_mem}: a sixteenth of it is the pressure mark, three quarters of that the
 * low mark, twice the low mark the hard limit).
 *
 * <h2>Orphans</h2>
 * When an application closes a socket while there are more than {@code tcp_max_orphans}
 * orphans, or while the namespace is past its hard limit and the socket still holds more than
 * {@code SOCK_MIN_SNDBUF} to send, the socket is reset instead of finishing its close
 * ({@code tcp_check_oom} in {@code tcp_close}); the retransmission and persist timers of an
 * orphan ask the same, doubling the count when the peer has been silent long
 * ({@code tcp_out_of_resources}). Each such reset counts {@code TCPAbortOnMemory}. Loop thread
 * only.
 */
final class TcpMemory {

    /** Bytes per {@code tcp_mem} unit (a page). */
    static final int PAGE = 4096;
    /** {@code SOCK_MIN_SNDBUF}: twice the true size of a minimal segment. */
    static final int SOCK_MIN_SNDBUF = 2 * SockMem.SKB_MIN_TRUESIZE;
    /** Default {@code tcp_max_orphans}: what Linux computes for a machine of a few GiB (half its established-hash size). */
    static final int DEFAULT_MAX_ORPHANS = 65536;

    private final Tcp tcp;
    /** {@code tcp_mem}: low mark, pressure mark, hard limit, in pages. */
    final int[] limits;
    int maxOrphans = DEFAULT_MAX_ORPHANS;
    private long allocated;
    private boolean pressure;
    private int orphans;

    TcpMemory(Tcp tcp) {
        this.tcp = tcp;
        this.limits = defaultLimits(Runtime.getRuntime().maxMemory());
    }

    /** {@code tcp_init_mem} for a heap of {@code heapBytes}. */
    static int[] defaultLimits(long heapBytes) {
        long limit = Math.max(128, heapBytes / PAGE / 16);
        long low = limit / 4 * 3;
        return new int[] {(int) Math.min(Integer.MAX_VALUE, low), (int) Math.min(Integer.MAX_VALUE, limit),
            (int) Math.min(Integer.MAX_VALUE, low * 2)};
    }

    /** Bytes all TCP sockets of the namespace hold in buffers. */
    long allocated() {
        return allocated;
    }

    /** {@code tcp_under_memory_pressure}. */
    boolean underPressure() {
        return pressure;
    }

    /** Under pressure, or holding at least the low mark: buffers should not grow ({@code tcp_should_expand_sndbuf}). */
    boolean shortOfMemory() {
        return pressure || allocated >= limitBytes(0);
    }

    /** Orphans not yet gone ({@code tcp_orphan_count}). */
    int orphans() {
        return orphans;
    }

    private long limitBytes(int i) {
        return (long) limits[i] * PAGE;
    }

    /** Records {@code bytes} more held (already admitted, or forced). */
    void charge(int bytes) {
        allocated += bytes;
    }

    /** Records {@code bytes} given back; pressure ends once below the low mark ({@code __sk_mem_reduce_allocated}). */
    void uncharge(int bytes) {
        allocated -= bytes;
        if (pressure && allocated < limitBytes(0)) {
            pressure = false;
        }
    }

    /** {@code __sk_mem_raise_allocated(SK_MEM_RECV)}: whether {@code sk} may hold {@code size} more to receive. */
    boolean admitReceive(TcpSock sk, int size) {
        return admit(sk, size, sk.rmemAlloc < tcp.rmem[0]);
    }

    /** {@code __sk_mem_raise_allocated(SK_MEM_SEND)}: whether {@code sk} may hold {@code size} more to send. */
    boolean admitSend(TcpSock sk, int size) {
        return admit(sk, size, sk.wmemQueued() < tcp.wmem[0]);
    }

    private boolean admit(TcpSock sk, int size, boolean underMinimum) {
        long after = allocated + size;
        if (after <= limitBytes(0)) {
            pressure = false;
            return true;
        }
        if (after > limitBytes(1) && !pressure) {
            pressure = true;
            tcp.extMib().inc(TcpExtMib.TCPMemoryPressures);
        }
        if (after > limitBytes(2)) {
            return false;
        }
        if (underMinimum || !pressure) {
            return true;
        }
        // Under pressure a socket may still grow while it holds less than its share.
        long held = (long) sk.wmemQueued() + sk.rmemAlloc + size;
        return limitBytes(2) > (long) Math.max(1, tcp.socketCount()) * held;
    }

    /** {@code tcp_out_of_memory}: past the hard limit while holding more than the minimum to send. */
    boolean outOfMemory(TcpSock sk) {
        return sk.wmemQueued() > SOCK_MIN_SNDBUF && allocated > limitBytes(2);
    }

    /** {@code tcp_check_oom}: too many orphans (counted {@code 1 << shift} times), or out of memory. */
    boolean checkOom(TcpSock sk, int shift) {
        return ((long) orphans << shift) > maxOrphans || outOfMemory(sk);
    }

    void orphanAdded() {
        orphans++;
    }

    void orphanGone() {
        orphans--;
    }
}
