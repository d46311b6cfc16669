#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A demo node: four VMs of two tenants (network namespaces) on one bridge,
# tenguardd enforcing examples/policy.json, tenguardctl showing it, and
# pings that show what crosses and what does not. Removes everything it
# made on exit; --keep leaves the node running (remove it with --down).
#
#   blue1 .11   blue2 .12   red1 .21   red2 .22      (198.18.0.0/24)
#     |           |           |          |
#  tg-blue1    tg-blue2    tg-red1    tg-red2 --- br0   namespace tgdemo-hv
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
ns=tgdemo
export TENGUARD_INSTANCE=demo

on() { local n=$1; shift; nsenter --net="/run/netns/$ns-$n" -- "$@"; }

down()
{
	[ -f "/tmp/$ns.pid" ] && kill "$(cat /tmp/$ns.pid)" 2>/dev/null
	rm -f "/tmp/$ns.pid"
	for n in $(ip netns list | awk '{print $1}' | grep "^$ns-"); do
		ip netns del "$n"
	done
	rm -rf /sys/fs/bpf/tenguard/demo
}

case "${1:-}" in
--down) down; exit 0 ;;
--keep) keep=1 ;;
"") keep=0; trap down EXIT ;;
*) echo "usage: $0 [--keep | --down]" >&2; exit 1 ;;
esac

[ -x "$build/tenguardd" ] || make -C "$top" >/dev/null
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
down

ip netns add $ns-hv
on hv ip link set lo up
on hv ip link add br0 type bridge
on hv ip link set br0 up
vm()
{
	local name=$1 mac=$2 n=$3

	ip netns add $ns-$name
	ip link add tg-$name netns $ns-hv type veth peer name eth0 \
		netns $ns-$name
	on $name ip link set lo up
	on $name ip link set eth0 address $mac
	on $name ip addr add 198.18.0.$n/24 dev eth0
	on $name ip addr add fd00:100::$n/64 dev eth0 nodad
	on $name ip link set eth0 up
	on hv ip link set tg-$name master br0 up
}
vm blue1 02:00:00:00:01:01 11
vm blue2 02:00:00:00:01:02 12
vm red1 02:00:00:00:02:01 21
vm red2 02:00:00:00:02:02 22

echo "== tenguardd --policy examples/policy.json"
# not through on(): $! must be the daemon (nsenter execs it), not a subshell
nsenter --net="/run/netns/$ns-hv" -- "$build/tenguardd" \
	--policy "$top/examples/policy.json" > /tmp/$ns.log 2>&1 &
echo $! > /tmp/$ns.pid
for _ in $(seq 50); do grep -q ready /tmp/$ns.log && break; sleep 0.1; done
cat /tmp/$ns.log

echo; echo "== tenguardctl tenant list"
"$build/tenguardctl" tenant list
echo; echo "== tenguardctl port list"
"$build/tenguardctl" port list

try()
{
	local from=$1 to=$2 what=$3

	if on "$from" ping -q -c 2 -i 0.2 -W 1 -w 2 "$to" >/dev/null 2>&1; then
		echo "  $from -> $to ($what): reachable"
	else
		echo "  $from -> $to ($what): blocked"
	fi
}
echo; echo "== pings"
try blue1 198.18.0.12 "same tenant"
try blue1 198.18.0.21 "other tenant"
try red1 198.18.0.22 "same tenant"
try red1 fd00:100::11 "other tenant, IPv6"
try blue2 198.18.0.11 "tg-blue1's ingress: echo from group web"

echo; echo "== rate limits: iperf3 tg-red1 -> tg-red2, tg-red1 sends at most 100 Mbit/s"
# tg-red2 admits tcp 5432 from group app, which tg-red1 is in
on red2 iperf3 -s -1 -D -p 5432 >/dev/null 2>&1
sleep 0.3
on red1 iperf3 -c 198.18.0.22 -p 5432 -t 3 -O 1 -J 2>/dev/null |
	jq -r '"  achieved \(.end.sum_received.bits_per_second / 1e6 | floor) Mbit/s"' ||
	echo "  iperf3 failed"
echo; echo "== tenguardctl port show tg-red1"
"$build/tenguardctl" port show tg-red1

echo; echo "== tenguardctl acl show tg-blue1 (its security group, with hits)"
"$build/tenguardctl" acl show tg-blue1
echo; echo "== tenguardctl conntrack list tg-blue1"
"$build/tenguardctl" conntrack list tg-blue1

echo; echo "== tenguardctl port quarantine tg-blue1"
"$build/tenguardctl" port quarantine tg-blue1
try blue1 198.18.0.12 "quarantined"
"$build/tenguardctl" port quarantine tg-blue1 off
try blue1 198.18.0.12 "released"

echo; echo "== tenguardctl stats tg-blue1"
"$build/tenguardctl" stats tg-blue1
if [ "$keep" = 1 ]; then
	echo; echo "The node keeps running: try '$build/tenguardctl -i demo port show tg-blue1';"
	echo "'nsenter --net=/run/netns/$ns-blue1 ping 198.18.0.21'; '$0 --down' removes it."
fi
