package io.netstack4j.cli.shell;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Objects;

/**
 * The output stream one command invocation writes to: it holds bytes until a newline and then
 * hands whole lines to the shared terminal stream in one {@code write}, so lines from
 * concurrent commands never mix. {@link #flush()} (and the shell, when the command returns)
 * passes on a pending partial line.
 *
 * <p>A line longer than {@value #MAX_PENDING} bytes is passed on in pieces: the guarantee is
 * line atomicity for lines up to that length, not unbounded buffering.
 */
final class LineBufferedOutputStream extends OutputStream {

    static final int MAX_PENDING = 64 * 1024;

    private final PrintStream target;
    private byte[] pending = new byte[256];
    private int count;

    private LineBufferedOutputStream(PrintStream target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    /** A fresh line-atomic {@link PrintStream} over {@code target}, in the same charset. */
    static PrintStream over(PrintStream target) {
        return new PrintStream(new LineBufferedOutputStream(target), false, target.charset());
    }

    @Override
    public synchronized void write(int b) {
        ensureCapacity(1);
        pending[count++] = (byte) b;
        if (b == '\n' || count >= MAX_PENDING) {
            emit(count);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureCapacity(len);
        System.arraycopy(b, off, pending, count, len);
        int from = count;
        count += len;
        int end = 0;
        for (int i = count - 1; i >= from; i--) {
            if (pending[i] == '\n') {
                end = i + 1;
                break;
            }
        }
        if (count >= MAX_PENDING) {
            end = count;
        }
        if (end > 0) {
            emit(end);
        }
    }

    @Override
    public synchronized void flush() {
        if (count > 0) {
            emit(count);
        }
    }

    @Override
    public void close() {
        flush();
    }

    private void ensureCapacity(int more) {
        if (count + more > pending.length) {
            byte[] grown = new byte[Math.max(pending.length * 2, count + more)];
            System.arraycopy(pending, 0, grown, 0, count);
            pending = grown;
        }
    }

    /** Writes {@code pending[0, end)} to the target in one call and keeps the rest. */
    private void emit(int end) {
        // PrintStream.write(byte[], int, int) holds the stream's lock for the whole array.
        target.write(pending, 0, end);
        target.flush();
        System.arraycopy(pending, end, pending, 0, count - end);
        count -= end;
    }
}
