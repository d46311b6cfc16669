#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The node protects itself from its VMs, and cuts a port off. The node of
# topo.sh, whose own stack sits behind the uplink tghost (bound to blue's
# segment: frames of the node's stack straight from br0 carry no tenant and
# would reach no VM), and a management network routed through the node:
#
#   vm b1 .1.1        vm b2 .1.2          vm b3 .1.3          vm r1 .1.4
#   no rule set       egress: default     egress: default
#                     allow, no rules     deny, allow tcp 22
#                                         and udp 53 to .1.254
#     |                 |                   |                   |
#   tgb1 ------------ tgb2 ------ br0 ----- tgb3 -------------- tgr1   ns hv
#                                  |
#                                tghost (uplink, segment vlan 100: blue)
#                                  |
#                                host0  198.18.1.254/24   udp 53, tcp 22, tcp 80
#                                       198.18.1.253/32   tcp 443 (remediation)
#                                       169.254.169.254   tcp 80 (metadata)
#                                       fd00:1::fe/64
#                                mg0    198.19.255.254/16 (forwarding)
#                                  |
#                                ns mgmt: eth0 198.19.0.1/16, tcp 22
#
# Node policy: protect .1.254, 169.254.169.254, fd00:1::fe, 198.19.0.0/16;
# services udp 53 on .1.254 and tcp 80 on 169.254.169.254; remediation
# tcp 443 on .1.253. Then the same with own_addresses, which protects every
# address of ns hv, also one added while the daemon runs. Then tgb1 gets an
# ingress rule set and is quarantined while b2 pings it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
tg_require_root

HOST=198.18.1.254
REMED=198.18.1.253
META=169.254.169.254
HOST6=fd00:1::fe
MGMT=198.19.0.1

ping4() { on "$1" ping -q -c "${3:-1}" -i 0.1 -W 1 -w 2 "$2"; }
ping6() { on "$1" ping -6 -q -c "${3:-1}" -i 0.1 -W 1 -w 2 "$2"; }
echos() { on "$1" nstat -az "$2" | awk -v k="$2" '$1 == k { print $2 }'; }

# svc NS tcp|udp ADDR PORT: the service there answers with its name (TCP:
# to nothing said, as a server closing with unread data would reset)
svc()
{
	local out

	if [ "$2" = tcp ]; then
		out=$(on "$1" timeout 4 socat -T 2 -u \
			"TCP:$3:$4,connect-timeout=1" - 2>&1)
	else
		out=$(echo hello | on "$1" timeout 4 socat -t 2 -T 2 - \
			"UDP:$3:$4" 2>&1)
	fi
	[ "$out" = "svc$4" ] || { echo "got: $out"; return 1; }
}

# serve NS tcp|udp ADDR PORT: a service that says its name, until exit
# (UDP: each datagram answered from the one socket; socat's forked UDP
# children share it and sometimes swallow the next request)
serve()
{
	if [ "$2" = tcp ]; then
		on_bg "$1" socat "TCP-LISTEN:$4,bind=$3,reuseaddr,fork" \
			SYSTEM:"echo svc$4" 2> /dev/null &
	else
		on_bg "$1" $PY -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    _, peer = s.recvfrom(512)
    s.sendto(b"svc%s\n" % sys.argv[2].encode(), peer)
' "$3" "$4" &
	fi
	tg_on_exit kill $!
}

# udp_flow NS ADDR PORT > OUT &: a datagram every 0.1 s from one socket,
# "reply" for each answer
udp_flow()
{
	on_bg "$1" $PY -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.1)
s.connect((sys.argv[1], int(sys.argv[2])))
while True:
    try:
        s.send(b"q")
        s.recv(64)
        print("reply", flush=True)
    except OSError:
        pass
    time.sleep(0.1)
' "$2" "$3"
}

# replies_stop OUT: no more replies in OUT after a moment to settle
replies_stop()
{
	local a b

	sleep 0.3
	a=$(grep -c reply "$1")
	sleep 1
	b=$(grep -c reply "$1")
	[ "$a" -eq "$b" ] || { echo "replies: $a -> $b"; return 1; }
}

# reload FILE: the daemon enforces FILE (SIGHUP; all or nothing)
reload()
{
	local n i

	n=$(grep -c "reloaded" "$TMP/tenguardd.log")
	cp "$1" "$TMP/policy.json.new"
	mv "$TMP/policy.json.new" "$TMP/policy.json"
	kill -HUP "$TG_DAEMON_PID"
	for i in $(seq 50); do
		[ "$(grep -c "reloaded" "$TMP/tenguardd.log")" -gt "$n" ] &&
			return 0
		sleep 0.1
	done
	tail -n 5 "$TMP/tenguardd.log"
	return 1
}

# protected PREFIX: the node's host set lists PREFIX (waits 5 s for it)
protected()
{
	local i

	for i in $(seq 50); do
		ctl -j acl show host | jq -e --arg p "$1" \
			'.[0].protected | index($p) != null' > /dev/null &&
			return 0
		sleep 0.1
	done
	ctl acl show host
	return 1
}

not_protected()
{
	local i

	for i in $(seq 50); do
		ctl -j acl show host | jq -e --arg p "$1" \
			'.[0].protected | index($p) == null' > /dev/null &&
			return 0
		sleep 0.1
	done
	ctl acl show host
	return 1
}

# grew PORT FIELD BEFORE [BY]: a counter went up by BY (1) at least
grew()
{
	local now

	now=$(counter "$1" "$2")
	[ "$now" -ge $(($3 + ${4:-1})) ] || { echo "$2: $3 -> $now"; return 1; }
}

ktap_plan 70
topo_up

# the node's own stack, reached through an uplink of blue's segment
ip link add tghost netns "$TG_ID-hv" type veth peer name host0 \
	netns "$TG_ID-hv"
on hv sysctl -qw net.ipv6.conf.host0.disable_ipv6=0 \
	net.ipv6.conf.host0.accept_dad=0 net.ipv4.ip_forward=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
on hv ip link set tghost master br0 up
on hv ip addr add $HOST/24 dev host0
on hv ip addr add $REMED/32 dev host0
on hv ip addr add $META/32 dev host0
on hv ip addr add $HOST6/64 dev host0 nodad
on hv ip link set host0 up
ns_add mgmt
ip link add mg0 netns "$TG_ID-hv" type veth peer name eth0 \
	netns "$TG_ID-mgmt"
on hv ip addr add 198.19.255.254/16 dev mg0
on hv ip link set mg0 up
on mgmt ip addr add $MGMT/16 dev eth0
on mgmt ip link set eth0 up
on mgmt ip route add 198.18.1.0/24 via 198.19.255.254
for vm in b1 b2 b3; do
	on $vm ip route add $META/32 dev eth0
	on $vm ip route add 198.19.0.0/16 via $HOST
done

serve hv udp $HOST 53
serve hv udp $HOST 5353
serve hv tcp $HOST 22
serve hv tcp $HOST 80
serve hv tcp $META 80
serve hv tcp $REMED 443
serve mgmt tcp $MGMT 22
for vm in b1 b2 b3; do serve $vm tcp 0.0.0.0 8080; done

topo_policy "$TMP/topo.json"
jq '.tenants[0].segments = [ { "vlan": 100 } ] |
    .uplinks = [ { "name": "tghost", "segment": { "vlan": 100 } } ] |
    .tenants[0].ports[1].acl = {
      "egress": { "default": "allow", "rules": [] } } |
    .tenants[0].ports[2].acl = {
      "egress": { "default": "deny", "rules": [
        { "action": "allow", "proto": "tcp", "ports": 22,
          "remote": "198.18.1.254" },
        { "action": "allow", "proto": "udp", "ports": 53,
          "remote": "198.18.1.254" } ] } }' \
	"$TMP/topo.json" > "$TMP/open.json"
services='"services": [
	{ "action": "allow", "proto": "udp", "ports": 53, "remote": "198.18.1.254" },
	{ "action": "allow", "proto": "tcp", "ports": 80, "remote": "169.254.169.254" } ],
    "remediation": [
	{ "action": "allow", "proto": "tcp", "ports": 443, "remote": "198.18.1.253" } ]'
jq ".node = { \"protect\": [\"$HOST\", \"$META\", \"$HOST6\", \"198.19.0.0/16\"],
	      $services }" "$TMP/open.json" > "$TMP/protect.json"
jq '.node.services |= map(select(.ports != 53))' "$TMP/protect.json" \
	> "$TMP/no-dns.json"
jq ".node = { \"protect\": [\"198.19.0.0/16\"], \"own_addresses\": true,
	      $services }" "$TMP/open.json" > "$TMP/own.json"
jq '.tenants[0].ports[0].acl = {
      "ingress": { "default": "deny", "rules": [
        { "action": "allow", "proto": "icmp", "icmp_type": 8,
          "remote": "198.18.1.0/24" },
        { "action": "allow", "proto": "tcp", "ports": 5201,
          "remote": "198.18.1.0/24" } ] } }' \
	"$TMP/own.json" > "$TMP/quarantine.json"
cp "$TMP/open.json" "$TMP/policy.json"

# ---- without protection: the paths work, so a refusal below is the node's
check "daemon starts, nothing of the node protected" \
	daemon_start "$TMP/policy.json"
check "unprotected: b1 pings the node" ping4 b1 $HOST
check "unprotected: b1 reaches tcp 22 of the node" svc b1 tcp $HOST 22
check "unprotected: b2 reaches tcp 22 of the management network" \
	svc b2 tcp $MGMT 22
check "unprotected: b1 pings the node over IPv6" ping6 b1 $HOST6
# a flow of a filtered port (so tracked) to an address not yet protected
udp_flow b2 $HOST 5353 > "$TMP/flow5353.out" &
tg_on_exit kill $!
sleep 0.5
check "unprotected: b2's UDP flow to port 5353 of the node answered" \
	grep -q reply "$TMP/flow5353.out"

# ---- protected addresses and their services
check "reload with the node's protected addresses and services" \
	reload "$TMP/protect.json"
check "b2's flow to the now protected node stops at its next packet" \
	replies_stop "$TMP/flow5353.out"
for vm in b1 b2; do
	port=tg$vm
	[ $vm = b1 ] && kind="no rule set" || kind="egress default allow"
	host=$(counter $port .drop.host)
	check_fails "$vm ($kind): no ping to the node" ping4 $vm $HOST
	check_fails "$vm ($kind): no tcp 22 of the node" svc $vm tcp $HOST 22
	check_fails "$vm ($kind): no tcp 80 of the node (a service port, of another address)" \
		svc $vm tcp $HOST 80
	check_fails "$vm ($kind): no IPv6 ping to the node" ping6 $vm $HOST6
	check_fails "$vm ($kind): no tcp 22 of the management network" \
		svc $vm tcp $MGMT 22
	check "$vm ($kind): the drops counted as host" grew $port .drop.host $host 5
	check "$vm ($kind): DNS on udp 53 of the node" svc $vm udp $HOST 53
	check "$vm ($kind): metadata on tcp 80 of $META" svc $vm tcp $META 80
	check "$vm ($kind): still pings its neighbour b3" ping4 $vm 198.18.1.3
done
host=$(counter tgb3 .drop.host)
acl=$(counter tgb3 .drop.acl)
check_fails "b3: a tenant rule allowing tcp 22 of the node does not open it" \
	svc b3 tcp $HOST 22
check "b3: counted as host, not acl" \
	eval "grew tgb3 .drop.host $host && test \$(counter tgb3 .drop.acl) -eq $acl"
check "b3: DNS, a service its rules allow too" svc b3 udp $HOST 53
check_fails "b3: metadata, a service its own rules deny" svc b3 tcp $META 80
check "b3: and that is counted as acl" grew tgb3 .drop.acl $acl

# flows to a service the node stops offering stop with it
udp_flow b1 $HOST 53 > "$TMP/dns-b1.out" &
tg_on_exit kill $!
udp_flow b2 $HOST 53 > "$TMP/dns-b2.out" &
tg_on_exit kill $!
sleep 0.5
check "b1 and b2 query DNS continuously" \
	eval "grep -q reply $TMP/dns-b1.out && grep -q reply $TMP/dns-b2.out"
check "reload without the DNS service" reload "$TMP/no-dns.json"
check "b1's DNS flow stops at its next packet (no rule set)" \
	replies_stop "$TMP/dns-b1.out"
check "b2's DNS flow stops at its next packet (egress default allow)" \
	replies_stop "$TMP/dns-b2.out"
check "reload with the DNS service again" reload "$TMP/protect.json"

# the node and the management network still open connections to VMs
check "the node pings b1, replies pass" ping4 hv 198.18.1.1 2
check "the node pings b1 over IPv6, replies pass" ping6 hv fd00:1::1 2
check "the node opens tcp 8080 of b1" svc hv tcp 198.18.1.1 8080
check "the node opens tcp 8080 of b2 (egress default allow)" \
	svc hv tcp 198.18.1.2 8080
check "the management network opens tcp 8080 of b1" svc mgmt tcp 198.18.1.1 8080
check "the management network opens tcp 8080 of b2" svc mgmt tcp 198.18.1.2 8080
check "the node's flow to b1 tracked, opened towards the VM" \
	eval "ctl -j conntrack list tgb1 | jq -e 'map(select(.proto == \"tcp\" and
	      .remote_addr == \"$MGMT\" and .vm_port == 8080 and
	      .origin == \"ingress\")) | length > 0'"

# ---- own_addresses: every address of ns hv, as it changes
check "reload with own_addresses" reload "$TMP/own.json"
check "own_addresses: the node's addresses protected" \
	eval "protected $HOST/32 && protected $META/32 && protected $HOST6/128 &&
	      protected 127.0.0.1/32 && protected 198.19.0.0/16"
check_fails "own_addresses: no ping to the node" ping4 b1 $HOST
check "own_addresses: DNS still reachable" svc b1 udp $HOST 53
on hv ip addr add 198.18.1.250/32 dev host0
check "an address added to the node gets protected (address events followed)" \
	protected 198.18.1.250/32
host=$(counter tgb1 .drop.host)
check_fails "and unreachable from b1" ping4 b1 198.18.1.250
check "counted as host" grew tgb1 .drop.host $host
on hv ip addr del 198.18.1.250/32 dev host0
check "an address removed from the node leaves the protected set" \
	not_protected 198.18.1.250/32

# ---- quarantine of tgb1 while b2 pings it and holds a TCP connection
check "reload with an ingress rule set on tgb1" reload "$TMP/quarantine.json"
on_bg b1 socat TCP-LISTEN:5201,reuseaddr,fork EXEC:cat 2> /dev/null &
tg_on_exit kill $!
sleep 0.2
on_bg b2 $PY -c '
import os, socket, sys, time
c = socket.create_connection(("198.18.1.1", 5201), timeout=2)
c.sendall(b"x")
assert c.recv(1) == b"x"
print("open", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
c.settimeout(2)
try:
    c.sendall(b"y")
    print("alive" if c.recv(1) == b"y" else "closed", flush=True)
except OSError as e:
    print("dead:", e, flush=True)
' "$TMP/go" > "$TMP/hold.out" 2>&1 &
hold=$!
tg_on_exit kill $hold
on_bg b2 ping -i 0.05 -c 100000 198.18.1.1 > "$TMP/ping-b1.out" 2>&1 &
ping_b1=$!
tg_on_exit kill $ping_b1
on_bg b2 ping -i 0.05 -c 100000 198.18.1.3 > "$TMP/ping-b3.out" 2>&1 &
ping_b3=$!
tg_on_exit kill $ping_b3
sleep 1
e0=$(echos b1 IcmpInEchos)
check "the TCP connection to b1 is open and tracked" \
	eval "grep -q open $TMP/hold.out && ctl -j conntrack list tgb1 |
	      jq -e 'map(select(.proto == \"tcp\" and .vm_port == 5201 and
	      .state == \"established\")) | length == 1'"
sleep 0.5
e1=$(echos b1 IcmpInEchos)
check "b2's pings reach b1 ($e0 -> $e1)" test "$e1" -ge $((e0 + 5))

quar=$(counter tgb1 .drop.quarantine)
check "tenguardctl port quarantine tgb1" ctl port quarantine tgb1
sleep 0.1
e2=$(echos b1 IcmpInEchos)
b3a=$(echos b3 IcmpInEchos)
sleep 1
e3=$(echos b1 IcmpInEchos)
b3b=$(echos b3 IcmpInEchos)
check "stats say tgb1 is quarantined" test "$(counter tgb1 .quarantine)" = on
check "no echo request reaches b1 once quarantined ($e2 -> $e3)" \
	test "$e3" -eq "$e2"
check "the drops counted as quarantine" grew tgb1 .drop.quarantine $quar 10
check "b2's pings to b3 go on ($b3a -> $b3b)" test "$b3b" -ge $((b3a + 10))
on b2 ip neigh flush dev eth0
on b2 ping -q -c 1 -W 1 198.18.1.1 > /dev/null
check "ARP still answered by the quarantined b1" \
	eval "on b2 ip -j neigh show 198.18.1.1 dev eth0 |
	      jq -e '.[0].lladdr == \"$MAC_B1\" and
	      (.[0].state | index(\"REACHABLE\") != null)'"
check "quarantined b1 reaches the remediation endpoint tcp 443" \
	svc b1 tcp $REMED 443
check_fails "quarantined b1: no DNS (a service, but no remediation)" \
	svc b1 udp $HOST 53
check_fails "quarantined b1: no ping to b3" ping4 b1 198.18.1.3
touch "$TMP/go"
wait $hold
check "the open TCP connection died at its next packet ($(cat "$TMP/hold.out" | tail -n 1))" \
	grep -q "^dead" "$TMP/hold.out"
check "and its conntrack entry is gone" \
	eval "ctl -j conntrack list tgb1 | jq -e 'map(select(.proto == \"tcp\" and
	      .vm_port == 5201)) | length == 0'"

check "tenguardctl port quarantine tgb1 off" ctl port quarantine tgb1 off
e4=$(echos b1 IcmpInEchos)
sleep 1
e5=$(echos b1 IcmpInEchos)
check "b2's pings reach b1 again ($e4 -> $e5)" test "$e5" -ge $((e4 + 10))
check "stats say tgb1 is not quarantined" \
	test "$(counter tgb1 .quarantine)" = off
check "a new TCP connection to b1 works" \
	eval "echo abc | on b2 timeout 4 socat -t 2 -T 2 - TCP:198.18.1.1:5201 | grep -q abc"
kill -INT $ping_b3
wait $ping_b3
check "b2's pings to b3 never lost one: $(grep transmitted "$TMP/ping-b3.out")" \
	eval "grep transmitted $TMP/ping-b3.out |
	      awk '{ exit !(\$1 - \$4 <= 1 && \$1 > 40) }'"

ktap_finish
