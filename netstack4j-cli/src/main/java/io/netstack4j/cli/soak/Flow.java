package io.netstack4j.cli.soak;

import io.netstack4j.core.Errno;
import io.netstack4j.core.NetException;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpSock;
import io.netstack4j.tcp.TcpState;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One TCP connection of the soak and the two applications at its ends: each side sends its own
 * pseudo-random stream (a function of the flow's seed, so it never has to be stored), half-closes,
 * reads the peer's stream to the end and closes. Every byte sent and received goes through
 * SHA-256; at end of stream the receiver's digest must equal the sender's. A side that fails
 * keeps the error; {@link #verifyPrefix} then checks that what did arrive was still the right
 * prefix of the stream.
 */
final class Flow {

    static final int BLOCK = 16 * 1024;
    static final boolean CHECK_BYTES = Boolean.getBoolean("soak.checkBytes");

    /** One direction's data: the sender's position and digest, the receiver's count and digest. */
    static final class Stream {
        final long seed;
        final long size;
        long sent;
        private final byte[] block = new byte[BLOCK];
        private int blockPos;
        private int blockLen;
        private long generated;
        final MessageDigest txDigest = sha256();
        byte[] txHash;
        boolean finSent;
        long received;
        final MessageDigest rxDigest = sha256();
        boolean eof;

        Stream(long seed, long size) {
            this.seed = seed;
            this.size = size;
        }

        /** Block {@code k} of the stream; the same bytes for sender and verifier. */
        static void fill(long seed, long k, byte[] dst, int len) {
            SplittableRandom r = new SplittableRandom(seed ^ (k * 0x9E3779B97F4A7C15L));
            for (int i = 0; i < len; i += 8) {
                long v = r.nextLong();
                for (int j = 0; j < 8 && i + j < len; j++) {
                    dst[i + j] = (byte) (v >>> (8 * j));
                }
            }
        }

        /** Sends as much as the socket takes; true if any byte went. */
        boolean send(TcpSock sk) {
            boolean progress = false;
            while (sent < size) {
                if (blockPos == blockLen) {
                    blockLen = (int) Math.min(BLOCK, size - generated);
                    fill(seed, generated / BLOCK, block, blockLen);
                    txDigest.update(block, 0, blockLen);
                    generated += blockLen;
                    blockPos = 0;
                }
                int n = TcpCalls.send(sk, block, blockPos, blockLen - blockPos);
                if (n == 0) {
                    break;
                }
                blockPos += n;
                sent += n;
                progress = true;
            }
            if (sent == size && txHash == null) {
                txHash = txDigest.digest();
            }
            return progress;
        }

        void received(byte[] buf, int n) {
            rxDigest.update(buf, 0, n);
            if (CHECK_BYTES && firstBad < 0) {
                compare(buf, n);
            }
            received += n;
        }

        /** With {@code -Dsoak.checkBytes=true}: where the received bytes first differ from the stream (a debugging aid). */
        long firstBad = -1;
        private byte[] expected;
        private long expectedBlock = -1;

        private void compare(byte[] buf, int n) {
            if (expected == null) {
                expected = new byte[BLOCK];
            }
            for (int i = 0; i < n; i++) {
                long off = received + i;
                if (off / BLOCK != expectedBlock) {
                    expectedBlock = off / BLOCK;
                    fill(seed, expectedBlock, expected, (int) Math.min(BLOCK, size - expectedBlock * BLOCK));
                }
                if (off >= size || expected[(int) (off % BLOCK)] != buf[i]) {
                    firstBad = off;
                    System.err.println("soak: stream " + Long.toHexString(seed) + " differs at offset " + off + " of " + size
                            + " (read of " + n + " bytes at offset " + received + ")");
                    return;
                }
            }
        }
    }

    /** How a side ended. */
    enum End { RUNNING, DONE, FAILED }

    /** One end of the connection. */
    static final class Side {
        TcpSock sk;
        final Stream out;
        final Stream in;
        End end = End.RUNNING;
        Errno error;
        /** True once the connection was seen established (a failure before that is a failed handshake). */
        boolean established;
        /** Virtual time the application saw the failure, or -1. */
        long failNs = -1;
        byte[] rxHash;

        Side(Stream out, Stream in) {
            this.out = out;
            this.in = in;
        }

        /** One turn of the application: send, half-close when done, read, close at the end. True on progress. */
        boolean step(byte[] buf) {
            if (end != End.RUNNING || sk == null) {
                return false;
            }
            boolean progress = false;
            if (!established && sk.state() != TcpState.SYN_SENT && sk.state() != TcpState.CLOSE) {
                established = true;
            }
            try {
                if (sk.pendingError() != null) {
                    fail(sk.pendingError());
                    return true;
                }
                if (sk.state() == TcpState.SYN_SENT) {
                    return false;
                }
                if (out.sent < out.size) {
                    progress |= out.send(sk);
                }
                if (out.sent == out.size && !out.finSent) {
                    if (out.txHash == null) {
                        out.txHash = out.txDigest.digest();
                    }
                    TcpCalls.shutdown(sk, false, true);
                    out.finSent = true;
                    progress = true;
                }
                int n;
                while (!in.eof && (n = TcpCalls.recv(sk, buf, 0, buf.length)) != 0) {
                    progress = true;
                    if (n < 0) {
                        in.eof = true;
                        rxHash = in.rxDigest.digest();
                    } else {
                        in.received(buf, n);
                    }
                }
                if (in.eof && out.finSent) {
                    end = End.DONE;
                    TcpCalls.close(sk);
                }
            } catch (NetException e) {
                fail(e.errno());
                progress = true;
            }
            return progress;
        }

        void fail(Errno err) {
            error = err;
            end = End.FAILED;
            TcpCalls.close(sk);
        }
    }

    final int id;
    final SoakNet.Host client;
    final SoakNet.Host server;
    final Side c;
    final Side s;
    /** What the hosts' devices saw of this flow. */
    final FlowWire wire = new FlowWire();
    final long startNs;
    long lastProgressNs;
    long clientEndNs = -1;
    String hungStates;
    /** Set when the flow is judged. */
    String verdict;
    boolean failure;

    Flow(int id, SoakNet.Host client, SoakNet.Host server, long seed, long upBytes, long downBytes, long nowNs) {
        this.id = id;
        this.client = client;
        this.server = server;
        Stream up = new Stream(seed, upBytes);
        Stream down = new Stream(~seed, downBytes);
        this.c = new Side(up, down);
        this.s = new Side(down, up);
        this.startNs = nowNs;
        this.lastProgressNs = nowNs;
    }

    long bytesDelivered() {
        return c.out.received + s.out.received;
    }

    /** True if each side that saw end of stream got exactly what the other sent. */
    static boolean streamIntact(Side receiver, Side sender) {
        return receiver.rxHash == null || sender.out.txHash != null && Arrays.equals(receiver.rxHash, sender.out.txHash)
                && receiver.in.received == sender.out.size;
    }

    /**
     * For a stream cut short: the digest of what arrived against the digest of the same length of
     * the stream, regenerated.
     */
    static boolean verifyPrefix(Stream st) {
        if (st.eof) {
            return true;
        }
        MessageDigest d = sha256();
        byte[] b = new byte[BLOCK];
        for (long off = 0; off < st.received; off += BLOCK) {
            int len = (int) Math.min(BLOCK, st.received - off);
            Stream.fill(st.seed, off / BLOCK, b, (int) Math.min(BLOCK, st.size - off));
            d.update(b, 0, len);
        }
        MessageDigest rx;
        try {
            rx = (MessageDigest) st.rxDigest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
        return Arrays.equals(d.digest(), rx.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
