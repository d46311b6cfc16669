#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tenant isolation on the node of topo.sh, enforced by tenguardd from a
# policy file: same-tenant traffic passes, cross-tenant traffic does not and
# is counted, a promiscuous guest sees only its own frames, and enforcement
# survives the daemon being killed, ports being re-created and ports
# nobody programmed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
tg_require_root

ping4() { on "$1" ping -q -c "${3:-2}" -i 0.05 -W 1 -w 3 "$2"; }
ping6() { on "$1" ping -6 -q -c "${3:-2}" -i 0.05 -W 1 -w 3 "$2"; }
ifindex() { on "$1" ip -j link show "$2" | jq -e '.[0].ifindex'; }
attached() { on hv tc filter show dev "$1" "$2" | grep -q "$3"; }
echos() { on "$1" nstat -az "$2" | awk -v k="$2" '$1 == k { print $2 }'; }

ktap_plan 23
topo_up
topo_policy "$TMP/policy.json"

check "programs pass the verifier and the daemon gets ready" \
	daemon_start "$TMP/policy.json"
check "programs attached to VM port ingress and egress" \
	eval 'attached tgb1 ingress tg_from_vm && attached tgb1 egress tg_to_vm &&
	      attached tgr1 ingress tg_from_vm && attached tgr1 egress tg_to_vm'

check "same tenant IPv4 passes" ping4 b1 198.18.1.2
check "same tenant IPv6 passes" ping6 b1 fd00:1::2
check_fails "cross tenant IPv4 dropped (ARP)" ping4 b1 198.18.1.4
check_fails "cross tenant IPv6 dropped (ND)" ping6 b1 fd00:1::4

# a red guest that knows blue's MAC does not need ARP to try
on r1 ip neigh replace 198.18.1.1 lladdr $MAC_B1 dev eth0
on r1 ip neigh replace fd00:1::1 lladdr $MAC_B1 dev eth0
before=$(counter tgb1 .drop.tenant)
check_fails "cross tenant IPv4 with a static neighbour dropped" \
	ping4 r1 198.18.1.1
check_fails "cross tenant IPv6 with a static neighbour dropped" \
	ping6 r1 fd00:1::1
after=$(counter tgb1 .drop.tenant)
check "cross tenant drops counted on the receiving port ($before -> $after)" \
	test "$after" -ge $((before + 4))
check "same tenant traffic counted" \
	test "$(counter tgb1 .rx_packets)" -gt 0 -a \
	     "$(counter tgb1 .tx_packets)" -gt 0

# promiscuous b3 on a flooding bridge: frames between b1 and b2 reach tgb3
# and must stop there
on_bg b3 tcpdump -i eth0 -n -U -w "$TMP/b3.pcap" \
	"ether host $MAC_B1 and ether host $MAC_B2 and not multicast" \
	2> "$TMP/tcpdump.log" &
tcpdump_pid=$!
tg_on_exit kill $tcpdump_pid
for i in $(seq 50); do grep -q listening "$TMP/tcpdump.log" && break; sleep 0.1; done
before=$(counter tgb3 .drop.dst_mac)
ping4 b1 198.18.1.2 20 > /dev/null
ping6 b1 fd00:1::2 20 > /dev/null
sleep 0.5
kill -TERM $tcpdump_pid; wait $tcpdump_pid 2>/dev/null
captured=$(tcpdump -n -r "$TMP/b3.pcap" 2>/dev/null | wc -l)
check "promiscuous guest captures no unicast of its neighbours ($captured)" \
	test "$captured" -eq 0
after=$(counter tgb3 .drop.dst_mac)
check "frames not addressed to the guest counted ($before -> $after)" \
	test "$after" -ge $((before + 80))
check "the promiscuous guest still gets its own traffic" ping4 b1 198.18.1.3

# SIGKILL and restart while red probes blue every 10 ms and blue talks
on r1 ping -q -i 0.01 -c 400 198.18.1.1 > /dev/null 2>&1 &
probe=$!
on b2 ping -q -i 0.01 -c 400 198.18.1.3 > "$TMP/flow.out" 2>&1 &
flow=$!
echos0=$(echos b1 IcmpInEchos)
sleep 1
daemon_stop KILL
sleep 0.5
check "daemon restarts over its own pinned state" \
	daemon_start "$TMP/policy.json"
wait $probe
wait $flow
echos1=$(echos b1 IcmpInEchos)
check "no cross tenant packet delivered across the restart ($echos0 -> $echos1)" \
	test "$echos1" -eq "$echos0"
check "same tenant flow never interrupted" \
	grep -q " 0% packet loss" "$TMP/flow.out"

# the port's device disappears and comes back with a new ifindex
old=$(ifindex hv tgb2)
on hv ip link del tgb2
ip link add tgb2 netns "$TG_ID-hv" type veth peer name eth0 netns "$TG_ID-b2"
on b2 ip link set eth0 address $MAC_B2
on b2 ip addr add 198.18.1.2/24 dev eth0
on b2 ip addr add fd00:1::2/64 dev eth0 nodad
on b2 ip link set eth0 up
on hv ip link set tgb2 master br0 up
new=$(ifindex hv tgb2)
check "re-created port re-attached (ifindex $old -> $new)" \
	eval "test -n '$new' -a '$new' != '$old' &&
	      wait_log 'tgb2: attached to ifindex $new\$' &&
	      attached tgb2 ingress tg_from_vm"
check "re-created port passes its tenant's traffic" ping4 b1 198.18.1.2

# a device on the bridge that no policy names and no program guards
vm_add x1 tgx1 02:00:00:00:03:01 198.18.1.9/24
on x1 ip neigh replace 198.18.1.1 lladdr $MAC_B1 dev eth0
before=$(counter tgb1 .drop.tenant)
check_fails "frames from an unguarded port reach no VM" ping4 x1 198.18.1.1
check "and are counted as of no tenant" \
	test "$(counter tgb1 .drop.tenant)" -gt "$before"

# fail closed: tgb3 leaves the policy, its programs stay and drop all
jq 'del(.tenants[0].ports[2])' "$TMP/policy.json" > "$TMP/policy2.json"
cp "$TMP/policy2.json" "$TMP/policy.json.new"
mv "$TMP/policy.json.new" "$TMP/policy.json"
kill -HUP "$TG_DAEMON_PID"
wait_log "generation 2" > /dev/null
check_fails "a port without policy passes nothing (fail closed)" \
	ping4 b1 198.18.1.3

# detach only when asked
daemon_stop TERM
check "SIGTERM leaves enforcement in place" \
	eval 'attached tgb1 ingress tg_from_vm && ! ping4 b1 198.18.1.4'
daemon_start "$TMP/policy.json" --detach-on-exit > /dev/null
daemon_stop TERM
check "--detach-on-exit removes programs and pins" \
	eval '! attached tgb1 ingress tg_from_vm &&
	      ! attached tgb1 egress tg_to_vm &&
	      test ! -e /sys/fs/bpf/tenguard/$TG_ID'

ktap_finish
