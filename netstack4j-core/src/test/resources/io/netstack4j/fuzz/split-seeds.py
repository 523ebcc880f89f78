#!/usr/bin/env python3
"""Cuts seeds.pcap (capture-seeds.sh) into the fuzz seed corpora, one file per input, in
Jazzer's layout next to this script: <Class>Inputs/<method>/<kind>-<n>.

  EthernetFuzzTest/frame      whole frames, both directions
  ReceivePathFuzzTest/frame   the frames c sent to h (what the fixture's h is fed)
  ReceivePathFuzzTest/frames  runs of consecutive frames c sent to h, as [delay u8][len u16][frame]
  ArpFuzzTest/packet          ARP packets (the Ethernet payload)
  Ipv4FuzzTest/datagram       IPv4 datagrams, fragments included
  IcmpFuzzTest/message        ICMP messages of unfragmented datagrams
  UdpFuzzTest/datagram        UDP datagrams of unfragmented datagrams
  TcpFuzzTest/segment         TCP segments

Derived seeds, marked "derived-" in their names: ICMP errors from c to h (frag needed with a
next-hop MTU of 1280, port unreachable, time exceeded) quoting a captured segment h sent on
the connection (IP header and the first 8 bytes of TCP, RFC 792) or h's captured UDP datagram,
as a router or c would send them; the kernel capture has no such error about h's segments.

Frames are grouped by kind (direction, protocol, flags, options) and at most a few of each
kind are kept, so regression runs stay fast. Two edits, both documented in FuzzNet.java:
transport checksums are completed as a NIC would (veth offloads them, so the capture holds
only the pseudo-header sum), and segments of the connection c:40000 -> h:5001 carry sequence
and acknowledgment numbers relative to the capture's initial sequence numbers, and TSval and
TSecr relative to the TSvals of c's SYN and h's SYN-ACK.
"""
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MAC_C = bytes.fromhex("020000000001")
C, H = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
PER_KIND = {"ReceivePathFuzzTest": 4}
DEFAULT_PER_KIND = 2


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        yield bytearray(data[off + 16:off + 16 + incl])
        off += 16 + incl


def csum(b):
    if len(b) % 2:
        b = b + b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def fix_checksums(ip):
    """Completes the IPv4 header and transport checksums of an unfragmented datagram."""
    ihl = (ip[0] & 15) * 4
    ip[10:12] = b"\0\0"
    ip[10:12] = struct.pack("!H", csum(bytes(ip[:ihl])))
    frag = struct.unpack("!H", ip[6:8])[0]
    if frag & 0x3FFF:
        return
    proto, l4 = ip[9], ip[ihl:]
    pseudo = bytes(ip[12:20]) + bytes([0, proto]) + struct.pack("!H", len(l4))
    if proto == 6 and len(l4) >= 20:
        l4[16:18] = b"\0\0"
        l4[16:18] = struct.pack("!H", csum(pseudo + bytes(l4)))
    elif proto == 17 and len(l4) >= 8 and struct.unpack("!H", l4[6:8])[0] != 0:
        l4[6:8] = b"\0\0"
        c = csum(pseudo + bytes(l4))
        l4[6:8] = struct.pack("!H", c or 0xFFFF)
    elif proto == 1 and len(l4) >= 4:
        l4[2:4] = b"\0\0"
        l4[2:4] = struct.pack("!H", csum(bytes(l4)))
    ip[ihl:] = l4


def ts_offset(seg):
    """Offset of TSval in a TCP segment's timestamp option, or None."""
    hl = (seg[12] >> 4) * 4
    i = 20
    while i < hl:
        kind = seg[i]
        if kind == 0:
            return None
        if kind == 1:
            i += 1
            continue
        if i + 1 >= hl or seg[i + 1] < 2:
            return None
        if kind == 8 and seg[i + 1] == 10:
            return i + 2
        i += seg[i + 1]
    return None


def tcp_kind(seg):
    flags = seg[13]
    names = "".join(n for bit, n in ((2, "syn"), (16, "ack"), (1, "fin"), (4, "rst"), (8, "psh")) if flags & bit)
    hl = (seg[12] >> 4) * 4
    opts = bytes(seg[20:hl])
    extra = "-sack" if b"\x05\x0a" in opts or b"\x05\x12" in opts or b"\x05\x1a" in opts else ""
    data = "-data" if len(seg) > hl else ""
    return names + extra + data


def main():
    pcap = os.path.join(HERE, "seeds.pcap")
    all_frames = list(frames(pcap))
    # The capture's ISNs for c:40000 -> h:5001, from h's SYN-ACK.
    c_isn = h_isn = None
    for f in all_frames:
        if f[12:14] == b"\x08\x00" and f[14 + 9] == 6:
            ip = f[14:]
            seg = ip[(ip[0] & 15) * 4:]
            sport, dport, seq, ack = struct.unpack("!HHII", seg[:12])
            if sport == 5001 and dport == 40000 and seg[13] & 0x12 == 0x12:
                h_isn, c_isn = seq, (ack - 1) & 0xFFFFFFFF
                h_ts0, c_ts0 = struct.unpack("!II", seg[ts_offset(seg):ts_offset(seg) + 8])
    if c_isn is None:
        sys.exit("no SYN-ACK from h:5001 to c:40000 in " + pcap)

    out = {}
    c_frames = []

    def add(cls, method, kind, data):
        key = (cls, method)
        counts = out.setdefault(key, {})
        files = counts.setdefault(kind, [])
        if len(files) < PER_KIND.get(cls, DEFAULT_PER_KIND) and bytes(data) not in files:
            files.append(bytes(data))

    for f in all_frames:
        from_c = f[6:12] == MAC_C
        d = "c2h" if from_c else "h2c"
        etype = struct.unpack("!H", f[12:14])[0]
        kind = d
        if etype == 0x0806:
            arp = f[14:42]
            kind = d + "-arp-" + ("request" if arp[7] == 1 else "reply")
            add("ArpFuzzTest", "packet", kind, arp)
        elif etype == 0x0800:
            ip = f[14:]
            total = struct.unpack("!H", ip[2:4])[0]
            ip = ip[:total]
            ihl = (ip[0] & 15) * 4
            frag = struct.unpack("!H", ip[6:8])[0] & 0x3FFF
            proto = ip[9]
            seg = ip[ihl:]
            if proto == 6 and not frag:
                sport, dport = struct.unpack("!HH", seg[:4])
                if from_c and ip[12:16] == C and ip[16:20] == H and sport == 40000 and dport == 5001:
                    seq, ack = struct.unpack("!II", seg[4:12])
                    ip[ihl + 4:ihl + 12] = struct.pack("!II", (seq - c_isn) & 0xFFFFFFFF, (ack - h_isn) & 0xFFFFFFFF)
                    ts = ts_offset(ip[ihl:])
                    if ts is not None:
                        val, ecr = struct.unpack("!II", ip[ihl + ts:ihl + ts + 8])
                        ip[ihl + ts:ihl + ts + 8] = struct.pack("!II", (val - c_ts0) & 0xFFFFFFFF, (ecr - h_ts0) & 0xFFFFFFFF)
            fix_checksums(ip)
            f[14:14 + total] = ip
            seg = ip[ihl:]
            pname = {1: "icmp", 6: "tcp", 17: "udp"}.get(proto, "ip%d" % proto)
            if frag:
                kind = "%s-%s-frag%s" % (d, pname, "-first" if frag & 0x2000 and not frag & 0x1FFF else "")
            elif proto == 6:
                kind = "%s-tcp-%s" % (d, tcp_kind(seg))
            elif proto == 1:
                kind = "%s-icmp-%d-%d" % (d, seg[0], seg[1])
            else:
                kind = "%s-%s" % (d, pname)
            if ihl > 20:
                kind += "-ipopt%d" % ip[20 if ip[20] != 1 else 21]
            add("Ipv4FuzzTest", "datagram", kind, ip)
            if not frag:
                if proto == 1:
                    add("IcmpFuzzTest", "message", kind, seg)
                elif proto == 17:
                    add("UdpFuzzTest", "datagram", kind, seg)
                elif proto == 6:
                    add("TcpFuzzTest", "segment", kind, seg)
        add("EthernetFuzzTest", "frame", kind, f)
        if from_c:
            add("ReceivePathFuzzTest", "frame", kind, f)
            c_frames.append((kind, bytes(f)))

    # Derived ICMP errors about h's segments on the connection and h's UDP datagram.
    quotable = []
    for f in all_frames:
        if f[6:12] != MAC_C and f[12:14] == b"\x08\x00" and f[14 + 9] in (6, 17):
            ip = bytearray(f[14:14 + struct.unpack("!H", f[16:18])[0]])
            ihl = (ip[0] & 15) * 4
            l4 = ip[ihl:]
            if ip[9] == 6:
                sport, dport, seq = struct.unpack("!HHI", l4[:8])
                if sport != 5001 or dport != 40000 or len(l4) <= (l4[12] >> 4) * 4:
                    continue
                l4[4:8] = struct.pack("!I", (seq - h_isn) & 0xFFFFFFFF)
                ip[ihl:] = l4
            quotable.append(("tcp" if ip[9] == 6 else "udp", bytes(ip[:ihl + 8])))
    picked = {}
    for name, q in quotable:
        picked.setdefault(name, q)
    for name, q in sorted(picked.items()):
        for itype, code, rest, label in ((3, 4, struct.pack("!HH", 0, 1280), "fragneeded"),
                                          (3, 3, b"\0\0\0\0", "portunreach"),
                                          (11, 0, b"\0\0\0\0", "timeexceeded")):
            msg = bytearray(bytes([itype, code, 0, 0]) + rest + q)
            msg[2:4] = struct.pack("!H", csum(bytes(msg)))
            ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(msg), 0x4000, 0, 64, 1, 0, C, H)) + msg
            ip[10:12] = struct.pack("!H", csum(bytes(ip[:20])))
            frame = bytes(struct.pack("!6s6sH", bytes.fromhex("020000000002"), MAC_C, 0x0800)) + bytes(ip)
            kind = "derived-c2h-icmp-%s-quoting-%s" % (label, name)
            add("IcmpFuzzTest", "message", kind, msg)
            add("Ipv4FuzzTest", "datagram", kind, ip)
            add("ReceivePathFuzzTest", "frame", kind, frame)

    # Conversations for ReceivePathFuzzTest.frames: consecutive frames from c of one kind
    # (fragments of one datagram, the ACKs of one SACK episode, ...), up to 16 frames each.
    from_c = [(k, f) for k, f in c_frames]
    runs, cur = [], []

    def group(kind):
        return kind.replace("-frag-first", "-frag")

    for k, f in from_c:
        if cur and (group(cur[-1][0]) != group(k) or len(cur) == 16):
            runs.append(cur)
            cur = []
        cur.append((k, f))
    if cur:
        runs.append(cur)
    # also the whole exchange from c's first frame, as far as 16 frames go
    runs.append(from_c[:16])
    seen = {}
    for run in runs:
        kind = "seq-" + run[0][0] + "-x%d" % len(run)
        blob = b"".join(struct.pack("!BH", 1, len(f)) + bytes(f) for _, f in run)
        if len(run) > 1 and len(blob) < 20000:
            add("ReceivePathFuzzTest", "frames", kind, blob)

    for (cls, method), kinds in sorted(out.items()):
        target = os.path.join(HERE, cls + "Inputs", method)
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        n = 0
        for kind, files in sorted(kinds.items()):
            for i, data in enumerate(files):
                with open(os.path.join(target, "%s-%d" % (kind, i)), "wb") as f:
                    f.write(data)
                n += 1
        print("%-22s %-9s %3d seeds" % (cls, method, n))


if __name__ == "__main__":
    main()
