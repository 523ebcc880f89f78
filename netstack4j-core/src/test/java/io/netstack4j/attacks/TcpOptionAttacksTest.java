package io.netstack4j.attacks;

import static io.netstack4j.attacks.TcpAttackNet.ATTACKER;
import static io.netstack4j.attacks.TcpAttackNet.NONE;
import static io.netstack4j.attacks.TcpAttackNet.PORT;
import static io.netstack4j.attacks.TcpAttackNet.VICTIM;
import static io.netstack4j.attacks.TcpAttackNet.bytes;
import static io.netstack4j.attacks.TcpAttackNet.synOptions;
import static io.netstack4j.attacks.TcpAttackNet.tcp;
import static io.netstack4j.wire.TcpHeader.ACK_FLAG;
import static io.netstack4j.wire.TcpHeader.PSH;
import static io.netstack4j.wire.TcpHeader.SYN;
import static io.netstack4j.wire.TcpHeader.URG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netstack4j.attacks.TcpAttackNet.Peer;
import io.netstack4j.attacks.TcpAttackNet.Seg;
import io.netstack4j.core.DropReason;
import io.netstack4j.tcp.TcpCalls;
import io.netstack4j.tcp.TcpInfo;
import io.netstack4j.tcp.TcpMib;
import io.netstack4j.tcp.TcpState;
import io.netstack4j.wire.Ipv4Header;
import io.netstack4j.wire.TcpHeader;
import io.netstack4j.wire.TcpOptions;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Malformed TCP headers and options: option lengths of 0 or 1 and options running past the
 * header (the parse stops there, as Linux's {@code tcp_parse_options}, and the segment is
 * otherwise processed), data offsets outside the segment (dropped, InErrs), window scale
 * above 14 (used as 14, RFC 7323 2.3) and urgent pointers of 0 or past the data (URG is not
 * acted on: every byte is delivered in line, as with SO_OOBINLINE, RFC 6093).
 */
class TcpOptionAttacksTest {

    private final TcpAttackNet net = new TcpAttackNet(64);

    private static final byte[][] BAD_OPTIONS = {
        {TcpOptions.WSCALE, 0},
        {TcpOptions.SACK, 1},
        {30, 0},
        {(byte) 254, 1},
        {TcpOptions.MSS, 40},
        {TcpOptions.NOP, TcpOptions.NOP, TcpOptions.NOP, TcpOptions.TIMESTAMP, 10, 0, 0, 0},
        {TcpOptions.NOP, TcpOptions.NOP, TcpOptions.NOP, TcpOptions.MSS},
        {TcpOptions.SACK, 10, 0, 0, 0, 1, 0, 0},
    };

    @Test
    void synsWithMalformedOptionsStillGetAHandshakeWithTheOptionsBeforeTheFault() {
        int port = 50_000;
        for (byte[] bad : BAD_OPTIONS) {
            byte[] opts = new byte[4 + bad.length];
            TcpOptions.writeSyn(opts, 0, 1200, false, false, 0, 0, -1);
            System.arraycopy(bad, 0, opts, 4, bad.length);
            Peer p = net.new Peer(++port, 1000 * port, opts, 65535);
            TcpInfo info = TcpCalls.info(p.sock);
            assertFalse(info.wscaleOk(), "no window scale was parsed from " + TcpAttackNet.hex(bad));
            assertTrue(info.sndMss() <= 1200, "the MSS before the fault was kept: " + info.sndMss());
            TcpCalls.abort(p.sock);
        }
        assertEquals(BAD_OPTIONS.length, net.victim.tcp().mib().get(TcpMib.PassiveOpens));
        net.assertServing("SYNs with malformed options");
    }

    @Test
    void dataSegmentsWithMalformedOptionsAreDeliveredIntact() {
        Peer p = net.new Peer(51_000, 3000, synOptions(1460, 7), 65535);
        ByteArrayOutputStream expect = new ByteArrayOutputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int i = 0;
        for (byte[] bad : BAD_OPTIONS) {
            byte[] opts = new byte[12 + bad.length];
            TcpOptions.writeTimestamp(opts, 0, ++p.tsVal, 0);
            System.arraycopy(bad, 0, opts, 12, bad.length);
            byte[] data = bytes(300, i++);
            p.sendRaw(ACK_FLAG | PSH, p.sndNxt, p.rcvNxt, 65535, opts, data);
            p.sndNxt += data.length;
            expect.writeBytes(data);
            read(p, got);
        }
        // Every option kind with a length byte of 0 and of 1, behind the timestamp.
        for (int kind = 2; kind < 256; kind++) {
            for (int len = 0; len < 2; len++) {
                byte[] opts = new byte[16];
                TcpOptions.writeTimestamp(opts, 0, ++p.tsVal, 0);
                opts[12] = (byte) kind;
                opts[13] = (byte) len;
                byte[] data = bytes(10, kind * 2 + len);
                p.sendRaw(ACK_FLAG | PSH, p.sndNxt, p.rcvNxt, 65535, opts, data);
                p.sndNxt += data.length;
                expect.writeBytes(data);
                read(p, got);
            }
        }
        net.run(10);
        read(p, got);
        assertArrayEquals(expect.toByteArray(), got.toByteArray());
        assertEquals(0, net.drops(DropReason.SOCKET_RCVBUFF));
        assertEquals(TcpState.ESTABLISHED, p.sock.state());
        net.assertServing("malformed options on data");
    }

    /** Reads what the victim's socket holds, as an application keeping up would. */
    private static void read(Peer p, ByteArrayOutputStream into) {
        byte[] buf = new byte[4096];
        for (int n; (n = TcpCalls.recv(p.sock, buf, 0, buf.length)) > 0;) {
            into.write(buf, 0, n);
        }
    }

    /** {@code datagram} with the TCP data offset set to {@code words} and the checksum redone. */
    private static byte[] withDataOffset(byte[] datagram, int words) {
        int th = Ipv4Header.MIN_LEN;
        datagram[th + TcpHeader.DOFF] = (byte) (words << 4);
        TcpHeader.fillChecksum(datagram, th, datagram.length - th, ATTACKER, VICTIM);
        return datagram;
    }

    @Test
    void aDataOffsetOutsideTheSegmentIsDroppedAndCounted() {
        Peer p = net.new Peer(52_000, 5000, synOptions(1460, 7), 65535);
        long inErrs = net.victim.tcp().mib().get(TcpMib.InErrs);
        net.inject(withDataOffset(tcp(ATTACKER, VICTIM, p.sport, PORT, ACK_FLAG, p.sndNxt, p.rcvNxt, 65535, NONE, NONE), 15));
        net.inject(withDataOffset(tcp(ATTACKER, VICTIM, p.sport, PORT, ACK_FLAG, p.sndNxt, p.rcvNxt, 65535, NONE, bytes(10, 1)), 15));
        net.inject(withDataOffset(tcp(ATTACKER, VICTIM, p.sport, PORT, ACK_FLAG, p.sndNxt, p.rcvNxt, 65535, NONE, bytes(30, 1)), 4));
        net.inject(withDataOffset(tcp(ATTACKER, VICTIM, p.sport, PORT, SYN, 1, 0, 65535, NONE, NONE), 0));
        assertEquals(4, net.drops(DropReason.TCP_HDR));
        assertEquals(inErrs + 4, net.victim.tcp().mib().get(TcpMib.InErrs));
        assertEquals(0, p.sock.readableBytes());
        assertEquals(TcpState.ESTABLISHED, p.sock.state());
        net.assertServing("bad data offsets");
    }

    @Test
    void aWindowScaleAbove14IsUsedAs14() {
        for (int shift : new int[] {15, 30, 255}) {
            Peer p = net.new Peer(53_000 + shift, 7000, synOptions(1460, shift), 1);
            TcpInfo info = TcpCalls.info(p.sock);
            assertTrue(info.wscaleOk());
            assertEquals(14, info.sndWscale(), "RFC 7323 2.3 for shift " + shift);
            assertEquals(1 << 14, info.sndWnd(), "a window of 1 means 16 KiB, not 2^" + shift);
            TcpCalls.abort(p.sock);
        }
        net.assertServing("wscale > 14");
    }

    @Test
    void urgentPointersOfZeroOrPastTheDataDoNotLoseOrReorderBytes() {
        Peer p = net.new Peer(54_000, 9000, synOptions(1460, 7), 65535);
        byte[] a = bytes(100, 1);
        byte[] b = bytes(100, 2);
        byte[] c = bytes(100, 3);
        net.inject(tcp(ATTACKER, VICTIM, p.sport, PORT, ACK_FLAG | URG | PSH, p.sndNxt, p.rcvNxt, 65535, p.options(), a, 0));
        p.sndNxt += a.length;
        net.inject(tcp(ATTACKER, VICTIM, p.sport, PORT, ACK_FLAG | URG | PSH, p.sndNxt, p.rcvNxt, 65535, p.options(), b, 65535));
        p.sndNxt += b.length;
        net.inject(tcp(ATTACKER, VICTIM, p.sport, PORT, ACK_FLAG | URG, p.sndNxt, p.rcvNxt, 65535, p.options(), NONE, 1));
        net.inject(tcp(ATTACKER, VICTIM, p.sport, PORT, ACK_FLAG | URG | PSH, p.sndNxt, p.rcvNxt, 65535, p.options(), c, 100));
        p.sndNxt += c.length;
        byte[] got = new byte[300];
        int[] n = {0};
        net.runUntil(() -> (n[0] += Math.max(0, TcpCalls.recv(p.sock, got, n[0], got.length - n[0]))) == got.length, 2000);
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.writeBytes(a);
        want.writeBytes(b);
        want.writeBytes(c);
        assertArrayEquals(want.toByteArray(), got, "every byte in line and in order");
        List<Seg> acks = p.received();
        assertEquals(p.sndNxt, acks.getLast().ack(), "all of it acknowledged");
        assertEquals(TcpState.ESTABLISHED, p.sock.state());
        net.assertServing("urgent pointer underflow");
    }
}
