package io.netstack4j.tcp;

/**
 * The TCP line of {@code /proc/net/sockstat} for one namespace, plus the figures behind
 * {@code tcp_mem}'s pressure.
 *
 * @param inUse full sockets in the listening and established tables ({@code inuse}: not request
 *     or TIME_WAIT mini-sockets)
 * @param orphans sockets the application closed that are still finishing their close
 * @param timeWait TIME_WAIT (and FIN_WAIT2) mini-sockets
 * @param allocated TCP sockets that exist ({@code sockets_allocated})
 * @param memBytes buffer memory all of them hold ({@code tcp_memory_allocated}, in bytes)
 * @param pressure whether the namespace is under TCP memory pressure
 */
public record TcpSockstat(int inUse, int orphans, int timeWait, int allocated, long memBytes, boolean pressure) {

    /** {@code mem} as sockstat prints it: pages of 4 KiB, rounded up. */
    public long memPages() {
        return (memBytes + TcpMemory.PAGE - 1) / TcpMemory.PAGE;
    }

    /** As Linux prints it: {@code TCP: inuse 9 orphan 0 tw 3 alloc 12 mem 40}. */
    @Override
    public String toString() {
        return "TCP: inuse " + inUse + " orphan " + orphans + " tw " + timeWait + " alloc " + allocated + " mem " + memPages();
    }
}
