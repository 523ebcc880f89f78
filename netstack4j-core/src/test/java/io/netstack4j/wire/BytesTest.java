package io.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BytesTest {

    @Test
    void readsBigEndianAtAnyOffset() {
        byte[] b = Captures.hex("ff 8001 ca0000fe");
        assertEquals(0xff, Bytes.u8(b, 0), "unsigned, not -1");
        assertEquals(0x8001, Bytes.u16(b, 1), "unsigned and at an odd offset");
        assertEquals(0xca0000fe, Bytes.u32(b, 3), "the 32 bits, high bit set");
        assertEquals(0x01ca0000, Bytes.u32(b, 2));
    }

    @Test
    void writesBigEndianAndKeepsOnlyTheFieldsBits() {
        byte[] b = new byte[8];
        Bytes.setU8(b, 0, 0x1ab);
        Bytes.setU16(b, 1, 0x1_8001);
        Bytes.setU32(b, 3, 0xca0000fe);
        assertArrayEquals(Captures.hex("ab 8001 ca0000fe 00"), b);
    }

    @Test
    void anOffsetPastTheEndIsAnIndexError() {
        byte[] b = new byte[4];
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> Bytes.u32(b, 1));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> Bytes.u16(b, 3));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> Bytes.setU16(b, -1, 0));
    }
}
