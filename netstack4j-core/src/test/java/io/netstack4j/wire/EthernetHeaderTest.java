package io.netstack4j.wire;

import static io.netstack4j.wire.Captures.MAC_A;
import static io.netstack4j.wire.Captures.MAC_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netstack4j.wire.EthernetHeader.EthernetRepr;
import org.junit.jupiter.api.Test;

class EthernetHeaderTest {

    private static final int LEN = EthernetHeader.HEADER_LEN;

    @Test
    void viewsReadEveryFieldOfCapturedFrames() {
        byte[] b = Captures.ARP_REQUEST;
        assertEquals(MacAddress.BROADCAST.bits(), EthernetHeader.dst(b, 0));
        assertEquals(MAC_B.bits(), EthernetHeader.src(b, 0));
        assertEquals(EtherType.ARP, EthernetHeader.etherType(b, 0));
        byte[] e = Captures.ECHO_REPLY;
        assertEquals(MAC_B.bits(), EthernetHeader.dst(e, 0));
        assertEquals(MAC_A.bits(), EthernetHeader.src(e, 0));
        assertEquals(EtherType.IPV4, EthernetHeader.etherType(e, 0));
    }

    @Test
    void parseAndEmitReproduceTheCapture() {
        for (byte[] frame : Captures.ALL) {
            EthernetRepr r = EthernetRepr.parse(frame, 0, frame.length);
            byte[] out = new byte[LEN];
            r.emit(out, 0);
            assertArrayEquals(Captures.slice(frame, 0, LEN), out);
        }
        EthernetRepr reply = EthernetRepr.parse(Captures.ARP_REPLY, 0, Captures.ARP_REPLY.length);
        assertEquals(new EthernetRepr(MAC_B, MAC_A, EtherType.ARP), reply);
    }

    @Test
    void settersWriteAHeaderAtAnOffset() {
        byte[] out = new byte[3 + LEN];
        EthernetHeader.setDst(out, 3, MAC_A.bits());
        EthernetHeader.setSrc(out, 3, MAC_B.bits());
        EthernetHeader.setEtherType(out, 3, EtherType.IPV4);
        assertArrayEquals(Captures.slice(Captures.ECHO_REQUEST, 0, LEN), Captures.slice(out, 3, 3 + LEN));
    }

    @Test
    void parseNeedsFourteenBytes() {
        assertNull(EthernetRepr.parse(Captures.ARP_REQUEST, 0, 13));
        assertEquals(EtherType.ARP, EthernetRepr.parse(Captures.ARP_REQUEST, 0, 14).etherType());
        assertNull(EthernetRepr.parse(Captures.ARP_REQUEST, 0, 0));
    }

    @Test
    void constants() {
        assertEquals(60, EthernetHeader.MIN_FRAME_LEN);
        assertEquals(12, EthernetHeader.TYPE);
        assertEquals(42, Captures.ARP_REQUEST.length, "veth passes a short frame unpadded");
    }
}
