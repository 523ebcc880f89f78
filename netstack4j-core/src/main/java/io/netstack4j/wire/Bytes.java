package io.netstack4j.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Big-endian (network order) field access over byte arrays, through {@code VarHandle} views:
 * plain accesses at any offset, no alignment needed, each compiled by the JIT to one load or
 * store. Unsigned fields come back in the low bits of an {@code int}; 32-bit fields come back
 * as their bits. An offset past the end throws {@link ArrayIndexOutOfBoundsException}, which
 * only a caller that skipped a header's length check can see.
 */
public final class Bytes {

    private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    /** Eight bytes at a time, for {@link Checksum#sum}. */
    static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    public static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    public static int u16(byte[] b, int off) {
        return (short) U16.get(b, off) & 0xffff;
    }

    /** The 32 bits at {@code off} as an int (network order bits). */
    public static int u32(byte[] b, int off) {
        return (int) U32.get(b, off);
    }

    public static void setU8(byte[] b, int off, int v) {
        b[off] = (byte) v;
    }

    public static void setU16(byte[] b, int off, int v) {
        U16.set(b, off, (short) v);
    }

    public static void setU32(byte[] b, int off, int v) {
        U32.set(b, off, v);
    }
}
