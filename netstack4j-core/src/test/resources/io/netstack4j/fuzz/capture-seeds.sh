#!/bin/sh
# Records seeds.pcap, the real kernel traffic the fuzz seeds are cut from (split-seeds.py).
# Needs root, iproute2, nft, tcpdump, iputils ping, traceroute and OpenBSD nc. Touches nothing
# outside the three network namespaces it creates, which are deleted at the end.
#
#   c 10.0.0.1 --veth-- 10.0.0.2 h 10.0.1.1 --veth-- 10.0.1.2 b     (h forwards)
#
# The addresses, MACs and ports are those of the fuzz fixture (FuzzNet.java): frames c sends to
# h here are frames the fixture's h can be fed. Recorded with tcpdump on c's veth0, both ways.
set -eu
C=fzc$$
H=fzh$$
B=fzb$$
OUT=${1:-seeds.pcap}
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done; for n in "$C" "$H" "$B"; do ip netns del "$n" 2>/dev/null || true; done' EXIT
for n in "$C" "$H" "$B"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip -n "$C" link add veth0 type veth peer name veth1 netns "$H"
ip -n "$H" link add veth2 type veth peer name veth3 netns "$B"
ip -n "$C" link set veth0 address 02:00:00:00:00:01
ip -n "$H" link set veth1 address 02:00:00:00:00:02
ip -n "$H" link set veth2 address 02:00:00:00:01:01
ip -n "$B" link set veth3 address 02:00:00:00:01:02
# one MSS-sized frame per segment on the wire, as a NIC sends them (no 64 KiB GSO frames)
ip -n "$C" link set veth0 gso_max_segs 1
ip -n "$H" link set veth1 gso_max_segs 1
ip -n "$C" addr add 10.0.0.1/24 dev veth0
ip -n "$H" addr add 10.0.0.2/24 dev veth1
ip -n "$H" addr add 10.0.1.1/24 dev veth2
ip -n "$B" addr add 10.0.1.2/24 dev veth3
ip -n "$C" link set veth0 up
ip -n "$H" link set veth1 up
ip -n "$H" link set veth2 up
ip -n "$B" link set veth3 up
ip -n "$C" route add default via 10.0.0.2
ip -n "$B" route add default via 10.0.1.1
ip netns exec "$H" sysctl -qw net.ipv4.ip_forward=1
sleep 1
ip netns exec "$C" tcpdump -i veth0 -U -s 0 -w "$OUT" not ip6 2>/dev/null &
TCPDUMP=$!
PIDS="$TCPDUMP"
sleep 1.5
# ICMP: ARP and echo, a fragmented echo, IP options, forwarded echo (whole and fragmented),
# time exceeded from the router
ip netns exec "$C" ping -q -c 1 -s 16 10.0.0.2
ip netns exec "$C" ping -q -c 1 -s 3000 10.0.0.2
ip netns exec "$C" ping -q -c 1 -s 16 -R 10.0.0.2
ip netns exec "$C" ping -q -c 1 -s 16 -T tsonly 10.0.0.2
ip netns exec "$C" ping -q -c 1 -s 16 -T tsandaddr 10.0.0.2
ip netns exec "$C" ping -q -c 1 -s 16 10.0.1.2
ip netns exec "$C" ping -q -c 1 -s 2000 10.0.1.2
ip netns exec "$C" ping -q -c 1 -W 1 -t 1 10.0.1.2 || true
# UDP: to a bound port, to a closed one (port unreachable), a fragmented datagram, forwarded
ip netns exec "$H" timeout 5 nc -u -l 9999 >/dev/null &
PIDS="$PIDS $!"
ip netns exec "$B" timeout 5 nc -u -l 9999 >/dev/null &
PIDS="$PIDS $!"
sleep 0.5
ip netns exec "$C" sh -c 'echo hello | nc -u -w1 -p 33333 10.0.0.2 9999' || true
ip netns exec "$C" sh -c 'head -c 3000 /dev/zero | nc -u -w1 -p 33334 10.0.0.2 9999' || true
ip netns exec "$C" sh -c 'echo closed | nc -u -w1 -p 33335 10.0.0.2 9998' || true
ip netns exec "$C" sh -c 'echo routed | nc -u -w1 -p 33336 10.0.1.2 9999' || true
# ICMP errors and a reset that h receives: h sends to c's closed ports
ip netns exec "$H" sh -c 'echo x | nc -u -w1 -p 9997 10.0.0.1 7777' || true
ip netns exec "$H" nc -z -w1 10.0.0.1 7778 || true
# TCP: c port 40000 to h:5001, 3000 bytes up and 200 KB down with 5% of h's segments lost so c's
# ACKs carry SACK blocks, then FIN both ways; a SYN to a closed port; a forwarded connection
# (dropped at c's input, after tcpdump saw it: a drop at h's output would only make h's TCP wait)
ip netns exec "$C" nft add table inet lossy
ip netns exec "$C" nft add chain inet lossy in '{ type filter hook input priority 0; }'
ip netns exec "$C" nft add rule inet lossy in tcp sport 5001 numgen random mod 100 '<' 5 drop
ip netns exec "$H" sh -c 'head -c 200000 /dev/zero | timeout 20 nc -N -l 5001 >/dev/null' &
SRV=$!
PIDS="$PIDS $SRV"
ip netns exec "$B" sh -c 'echo routed | timeout 5 nc -N -l 5002 >/dev/null' &
PIDS="$PIDS $!"
sleep 0.5
# (c keeps its side open for two seconds: nc -l stops sending once it has read c's FIN)
ip netns exec "$C" sh -c '(head -c 3000 /dev/zero; sleep 2) | timeout 20 nc -N -p 40000 10.0.0.2 5001 >/dev/null'
wait "$SRV" || true
ip netns exec "$C" nft delete table inet lossy
ip netns exec "$C" nc -z -w1 10.0.0.2 5003 || true
ip netns exec "$C" sh -c 'echo up | timeout 5 nc -N -p 40001 10.0.1.2 5002 >/dev/null' || true
sleep 1
kill "$TCPDUMP"
wait "$TCPDUMP" || true
tcpdump -nn -r "$OUT" 2>/dev/null | wc -l
