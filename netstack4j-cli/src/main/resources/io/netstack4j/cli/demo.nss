# netstack4j demo: two hosts and a router in one JVM, one lossy link.
#
#      h1                    r1                     h2
#   veth0 10.1.0.2 ---- veth1 10.1.0.1
#                       veth2 10.2.0.1 ---- veth3 10.2.0.2
#                             (netem: 5 ms delay, 10% loss)
#
# Every line is a command a Linux user knows; this file runs as `sh -e` would.

echo "== Building the network: namespaces h1, r1, h2 joined by two veth pairs"
netns add h1
netns add r1
netns add h2
ip link add veth0 netns h1 type veth peer name veth1 netns r1
ip link add veth2 netns r1 type veth peer name veth3 netns h2
ip -n h1 addr add 10.1.0.2/24 dev veth0
ip -n r1 addr add 10.1.0.1/24 dev veth1
ip -n r1 addr add 10.2.0.1/24 dev veth2
ip -n h2 addr add 10.2.0.2/24 dev veth3
ip -n h1 link set veth0 up
ip -n r1 link set veth1 up
ip -n r1 link set veth2 up
ip -n h2 link set veth3 up
ip -n h1 route add default via 10.1.0.1
ip -n h2 route add default via 10.2.0.1
ip netns exec r1 sysctl -w net.ipv4.ip_forward=1
tc -n r1 qdisc add dev veth2 root netem delay 5ms loss 10%

echo
echo "== h1's view: its addresses and routes (the kernel routes come from the addresses)"
ip -n h1 addr show dev veth0
ip -n h1 route show
echo
echo "== The router's FIB answers: which way to h2, and from which source address?"
ip -n r1 route get 10.2.0.2
echo
echo "== Ping h2 from h1 across r1. netem on r1's veth2 delays what r1 sends to h2 by 5 ms and"
echo "== drops 10% of it, so replies take about 5 ms and about 1 request in 10 is lost."
ip netns exec h1 ping -c 10 -i 0.2 10.2.0.2
echo
echo "== ARP filled the neighbour tables along the way (ip neigh)"
ip -n h1 neigh show
ip -n r1 neigh show
echo
echo "== TTL 1 expires at the router: r1 answers with ICMP time exceeded (ping exits 1: no reply)"
ip netns exec h1 ping -c 1 -t 1 10.2.0.2 || true
echo
echo "== A destination nobody routes: r1 has no route and says net unreachable"
ip -n h1 route add 10.9.0.0/16 via 10.1.0.1
ip netns exec h1 ping -c 1 -W 1 10.9.0.1 || true
echo
echo "== Fragmentation: with netem off, a 4000-byte ping does not fit the 1500-byte MTU;"
echo "== h1 splits each request into 3 fragments and h2 reassembles them (and the replies back)"
tc -n r1 qdisc del dev veth2 root
ip netns exec h1 ping -c 2 -i 0.2 -s 4000 10.2.0.2
echo
echo "== Path MTU discovery: r1's link to h2 now carries only 1400 bytes. A 1472-byte ping with"
echo "== DF set earns 'frag needed' from r1, and h1 remembers the smaller MTU for h2 (ip route get)"
ip -n r1 link set veth2 mtu 1400
ip -n h2 link set veth3 mtu 1400
ip netns exec h1 ping -c 1 -M do -s 1472 10.2.0.2 || true
ip -n h1 route get 10.2.0.2
echo
echo "== TCP across the router with 2% loss on r1's link to h2: iperf3 (its own protocol, so the"
echo "== kernel's iperf3 could be either end) measures it; SACK and RACK-TLP repair the losses"
tc -n r1 qdisc add dev veth2 root netem delay 5ms loss 2%
ip netns exec h2 iperf3 -s -1 > /dev/null &
sleep 0.2
ip netns exec h1 iperf3 -c 10.2.0.2 -t 2
wait
echo
echo "== An idle TCP connection as ss -ti shows it (the two nc stay up until the demo ends)"
ip netns exec h2 nc -l 7000 > /dev/null &
sleep 0.2
ip netns exec h1 nc 10.2.0.2 7000 < /dev/null &
sleep 0.5
ip netns exec h1 ss -ti
echo
echo "== Counters: what the router did (nstat), and the device statistics of its lossy link"
ip netns exec r1 nstat -a
ip -n r1 -s link show veth2
tc -n r1 -s qdisc show dev veth2
