package io.netstack4j.cli.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.Objects;

/**
 * Standard input for a foreground command of an interactive session: bytes from the same
 * {@link BufferedReader} the shell reads its command lines from, taken one line at a time so
 * that a command never swallows input beyond the line it is reading (as sh's {@code read}
 * reads byte by byte for the same reason). End of input is not sticky, so after a command
 * reads a terminal's Ctrl-D the shell reads on.
 *
 * <p>Reading blocks in {@link BufferedReader#readLine()}, which a thread interrupt does not
 * wake; this is the usual limitation of a JVM's standard input.
 */
final class LineReaderInputStream extends InputStream {

    private static final byte[] EMPTY = new byte[0];

    private final BufferedReader reader;
    private final Charset charset;
    private byte[] line = EMPTY;
    private int pos;

    LineReaderInputStream(BufferedReader reader, Charset charset) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.charset = Objects.requireNonNull(charset, "charset");
    }

    @Override
    public synchronized int read() throws IOException {
        return fill() ? line[pos++] & 0xff : -1;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int k = Math.min(len, line.length - pos);
        System.arraycopy(line, pos, b, off, k);
        pos += k;
        return k;
    }

    @Override
    public synchronized int available() {
        return line.length - pos;
    }

    /** True when bytes are pending, reading the next line if needed; false at end of input. */
    private boolean fill() throws IOException {
        if (pos < line.length) {
            return true;
        }
        String next = reader.readLine();
        if (next == null) {
            return false;
        }
        line = (next + "\n").getBytes(charset);
        pos = 0;
        return true;
    }
}
