package io.netstack4j.udp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One namespace's UDP socket hash tables ({@code struct udp_table}): {@code hslot}, keyed by the
 * local port, and {@code hslot2}, keyed by (local address, local port). Chains are intrusive
 * singly-linked lists through {@link UdpSock}, newest first as Linux's {@code hlist_add_head}, so
 * among equal matches the most recently bound socket wins. The slot counts are fixed
 * ({@code UDP_HTABLE_SIZE_MIN}-sized, as a small machine's), and the number of bound sockets is
 * capped at {@link #MAX_SOCKETS}, so the table cannot grow without bound.
 */
final class UdpTable {

    /** Slots in each hash; a power of two. */
    static final int SLOTS = 256;
    /** Bound sockets a namespace may hold: one per port, as if every port were taken once. */
    static final int MAX_SOCKETS = 65536;

    private final UdpSock[] hslot = new UdpSock[SLOTS];
    private final UdpSock[] hslot2 = new UdpSock[SLOTS];
    private int count;

    static int slot(int port) {
        return port & (SLOTS - 1);
    }

    /** {@code ipv4_portaddr_hash}: mixes the address into the port's slot. */
    static int slot2(int addr, int port) {
        int h = addr * 0x9E3779B1;
        return ((h ^ h >>> 16) + port) & (SLOTS - 1);
    }

    int count() {
        return count;
    }

    /** The first socket in the chain that may hold {@code port}; follow {@link UdpSock#nextPort}. */
    UdpSock portChain(int port) {
        return hslot[slot(port)];
    }

    /** The first socket in the chain that may hold (addr, port); follow {@link UdpSock#nextAddr}. */
    UdpSock addrChain(int addr, int port) {
        return hslot2[slot2(addr, port)];
    }

    void hash(UdpSock sk) {
        int s = slot(sk.port);
        sk.nextPort = hslot[s];
        hslot[s] = sk;
        hash2(sk);
        sk.hashed = true;
        count++;
    }

    private void hash2(UdpSock sk) {
        int s2 = slot2(sk.rcvSaddr, sk.port);
        sk.nextAddr = hslot2[s2];
        hslot2[s2] = sk;
    }

    void unhash(UdpSock sk) {
        if (!sk.hashed) {
            return;
        }
        int s = slot(sk.port);
        if (hslot[s] == sk) {
            hslot[s] = sk.nextPort;
        } else {
            for (UdpSock p = hslot[s]; p != null; p = p.nextPort) {
                if (p.nextPort == sk) {
                    p.nextPort = sk.nextPort;
                    break;
                }
            }
        }
        unhash2(sk);
        sk.nextPort = null;
        sk.hashed = false;
        count--;
    }

    private void unhash2(UdpSock sk) {
        int s2 = slot2(sk.rcvSaddr, sk.port);
        if (hslot2[s2] == sk) {
            hslot2[s2] = sk.nextAddr;
        } else {
            for (UdpSock p = hslot2[s2]; p != null; p = p.nextAddr) {
                if (p.nextAddr == sk) {
                    p.nextAddr = sk.nextAddr;
                    break;
                }
            }
        }
        sk.nextAddr = null;
    }

    /** {@code udp_lib_rehash}: the socket's local address changed from {@code oldAddr}. */
    void rehash(UdpSock sk, int oldAddr) {
        if (!sk.hashed) {
            return;
        }
        int newAddr = sk.rcvSaddr;
        sk.rcvSaddr = oldAddr;
        unhash2(sk);
        sk.rcvSaddr = newAddr;
        hash2(sk);
    }

    /** Every bound socket, by local port then newest first ({@code udp_seq_*} order for a full-size table). */
    List<UdpSock> all() {
        List<UdpSock> out = new ArrayList<>(count);
        for (UdpSock head : hslot) {
            for (UdpSock sk = head; sk != null; sk = sk.nextPort) {
                out.add(sk);
            }
        }
        out.sort(Comparator.comparingInt(sk -> sk.port));
        return out;
    }
}
