package io.netstack4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PacketBufferTest {

    private final PacketPool pool = new PacketPool();

    @Test
    void headersArePushedInFrontWithoutCopying() {
        PacketBuffer skb = pool.alloc(100);
        assertEquals(PacketPool.HEADROOM, skb.headroom());
        int payload = skb.put(8);
        Arrays.fill(skb.array(), payload, payload + 8, (byte) 0xAA);
        byte[] before = skb.array();
        int ip = skb.push(20);
        skb.resetNetworkHeader();
        int eth = skb.push(14);
        assertSame(before, skb.array());
        assertEquals(ip - 14, eth);
        assertEquals(42, skb.len());
        assertEquals(ip, skb.networkHeader());
        skb.pull(14);
        assertEquals(ip, skb.data());
        skb.trim(20);
        assertEquals(20, skb.len());
        skb.free();
        assertEquals(0, pool.live());
    }

    @Test
    void brokenInvariantsNameTheNumbers() {
        PacketBuffer skb = pool.alloc(10);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> skb.push(PacketPool.HEADROOM + 1));
        assertTrue(e.getMessage().contains("push(129)"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> skb.pull(1));
        assertThrows(IllegalStateException.class, () -> skb.trim(5));
        assertThrows(IllegalStateException.class, () -> skb.put(PacketPool.STANDARD_CAPACITY));
        skb.free();
        assertThrows(IllegalStateException.class, skb::free);
    }

    @Test
    void clonesShareBytesUntilMadeWritable() {
        PacketBuffer a = pool.alloc(4);
        a.putBytes(new byte[] {1, 2, 3, 4}, 0, 4);
        PacketBuffer b = a.cloneBuffer();
        assertSame(a.array(), b.array());
        assertTrue(a.isShared());
        b.makeWritable();
        assertNotSame(a.array(), b.array());
        b.array()[b.data()] = 9;
        assertEquals(1, a.array()[a.data()]);
        assertFalse(a.isShared());
        assertArrayEquals(new byte[] {9, 2, 3, 4}, Arrays.copyOfRange(b.array(), b.data(), b.tail()));
        a.free();
        b.free();
        assertEquals(0, pool.live());
    }

    @Test
    void freedArraysAreReused() {
        for (int i = 0; i < 1000; i++) {
            PacketBuffer skb = pool.alloc(1500);
            skb.put(1500);
            PacketBuffer c = skb.cloneBuffer();
            c.free();
            skb.free();
        }
        assertEquals(1, pool.arraysAllocated());
        assertEquals(0, pool.live());
    }

    @Test
    void largePacketsGetTheirOwnArray() {
        PacketBuffer skb = pool.alloc(9000);
        assertTrue(skb.capacity() >= 9000 + PacketPool.HEADROOM);
        skb.put(9000);
        skb.free();
        assertEquals(0, pool.live());
    }
}
