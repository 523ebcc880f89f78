#!/bin/sh
# Records ping-veth.pcap, the frames the wire tests check against (see Captures.java).
# Needs root, iproute2, tcpdump, iputils ping and OpenBSD nc. Touches nothing outside the two
# network namespaces it creates: every address lives inside them, and they are deleted at the end.
set -eu
A=wirecapA$$
B=wirecapB$$
OUT=${1:-ping-veth.pcap}
trap 'ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true' EXIT
ip netns add "$A"
ip netns add "$B"
ip -n "$A" link add veth0 type veth peer name veth1 netns "$B"
ip -n "$A" addr add 10.200.0.1/24 dev veth0
ip -n "$B" addr add 10.200.0.2/24 dev veth1
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set veth0 up
ip -n "$B" link set veth1 up
sleep 1
ip netns exec "$A" tcpdump -i veth0 -U -w "$OUT" not ip6 &
TCPDUMP=$!
sleep 1.5
ip netns exec "$B" ping -c 1 -s 16 10.200.0.1                # ARP exchange, echo request/reply
ip netns exec "$B" ping -c 1 -s 16 -R 10.200.0.1             # record route option
ip netns exec "$B" ping -c 1 -s 16 -T tsonly 10.200.0.1      # timestamp option
ip netns exec "$B" sh -c 'echo hello | nc -u -w1 10.200.0.1 9999' || true   # port unreachable
sleep 1
kill "$TCPDUMP"
wait "$TCPDUMP" || true
tcpdump -nn -v -r "$OUT"
