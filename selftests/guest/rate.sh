#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rate limits through the module, in the guest: tenguardctl pushes each
# direction's limits of a VM port (TENGUARD_A_PORT_RATE) and reads them
# back, the module refuses what cannot be (shaping from the VM, a burst
# without a rate, limits on an uplink) with its reason, and tenguardd in
# module mode enforces them. Functional only: TCG timing is no measure of a
# rate (selftests/rate.sh measures them on the host), so the limits here
# are 0, none, or so slow that only the burst passes.
#
#   vm b1 .1.1                  vm b2 .1.2
#   udp 9 (discard)             udp 9 (discard)
#     |                           |
#   tgb1 (limited) -- br0 ----- tgb2                ns hv
#                      |
#                    tgup (uplink, refuses limits)
#
# IPv4 only (IPv6 off in the VMs) and static neighbours: no ARP, ND or MLD
# frame takes from a bucket, so the counters move only with the test's own
# frames. "egress" is what b1 sends (tgb1's tc ingress), "ingress" what is
# delivered to it, as in rule sets and the policy file.
#
# Runs only in the guest: scripts/vmtest.sh selftests/guest/rate.sh
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../topo.sh"

if [ -z "${TG_VM:-}" ]; then
	echo "1..0 # SKIP runs in the vmtest guest: scripts/vmtest.sh $0"
	exit $KSFT_SKIP
elif [ "${TG_VM_MODULE:-0}" != 1 ]; then
	echo "1..0 # SKIP needs tenguard.ko (the guest runs --no-module)"
	exit $KSFT_SKIP
fi
tg_require_root

B1=198.18.1.1
B2=198.18.1.2

push() { on hv "$TENGUARDCTL" "$@"; }
ping4() { on "$1" ping -q -c 1 -W 2 -w 3 "$2"; }

# every port of the module acknowledged at its current generation (20 s)
all_acked()
{
	local i

	for i in $(seq 200); do
		push -j port list |
			jq -e 'length > 0 and all(.[]; .acked == .generation)' \
			> /dev/null && return 0
		sleep 0.1
	done
	push -j port list
	return 1
}

# limit ARGS...: port set tgb1 ARGS, then wait until the daemon has it
limit()
{
	push port set tgb1 "$@" && all_acked > /dev/null
}

# fails_saying TEXT CMD...: CMD fails and says TEXT on stderr
fails_saying()
{
	local text=$1 out

	shift
	out=$("$@" 2>&1 > /dev/null) && return 1
	echo "$out"
	grep -qF -- "$text" <<< "$out"
}

# json_is CONDITION CMD...: CMD's JSON output fulfils the jq CONDITION
json_is()
{
	local cond=$1

	shift
	"$@" > "$TMP/out.json" || return 1
	jq -e "$cond" "$TMP/out.json" > /dev/null || { cat "$TMP/out.json"; return 1; }
}

# limiter DIR FIELD: a limiter counter of tgb1 from port show -j
limiter() { push -j port show tgb1 | jq -e ".stats.limiter.$1.$2"; }

# rx NS: frames eth0 of a VM has received
rx() { on "$1" ip -j -s link show eth0 | jq -e '.[0].stats64.rx.packets'; }

# send NS DST N SIZE: N UDP datagrams of SIZE bytes (frames of SIZE + 42)
# to the discard port of DST, back to back
send()
{
	on "$1" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
d = b"x" * int(sys.argv[3])
for _ in range(int(sys.argv[2])):
    s.sendto(d, (sys.argv[1], 9))
' "$2" "$3" "$4"
}

# arrived NS DST N SIZE TO: send N from NS to DST, whose VM is TO; prints
# how many arrived there
arrived()
{
	local to=$5 before after

	before=$(rx "$to") || return 1
	send "$1" "$2" "$3" "$4" || return 1
	sleep 1
	after=$(rx "$to") || return 1
	echo $((after - before))
}

# discard NS: a UDP server on port 9 that reads and drops, so that no port
# unreachable comes back to take from a bucket
discard()
{
	on_bg "$1" "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 9))
while True:
    s.recv(65536)
' &
	tg_on_exit kill $!
}

# listening NS: its discard server is up (10 s)
listening()
{
	local i

	for i in $(seq 100); do
		[ -n "$(on "$1" ss -Hlun "sport = :9")" ] && return 0
		sleep 0.1
	done
	return 1
}

# within GOT WANT: GOT is WANT, or one off (a token refilled on the way)
within() { [ -n "$1" ] && [ "$1" -ge $(($2 - 1)) ] && [ "$1" -le $(($2 + 1)) ]; }

ktap_plan 29
hv_add
vm_add b1 tgb1 $MAC_B1 $B1/24
vm_add b2 tgb2 $MAC_B2 $B2/24
for vm in b1 b2; do
	on $vm sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.eth0.disable_ipv6=1
done
on b1 ip neigh replace $B2 lladdr $MAC_B2 dev eth0 nud permanent
on b2 ip neigh replace $B1 lladdr $MAC_B1 dev eth0 nud permanent
ip link add tgup netns "$TG_ID-hv" type veth peer name up0 netns "$TG_ID-hv"
on hv ip link set tgup master br0

# ---- the limits, pushed to the module and read back ----

check "a VM port added with limits in both directions" \
	eval "push tenant add 100 blue &&
	      push port add tgb1 tenant 100 mac $MAC_B1 addr $B1 \
		rate egress bps 100M burst 128K pps 20k pkt-burst 64 \
		rate ingress bps 1Gbit shape &&
	      push port add tgb2 tenant 100 mac $MAC_B2 addr $B2 &&
	      push port add tgup uplink"
check "port show -j: egress as given" \
	json_is '.rate.egress == { bps: 100000000, burst: 131072, pps: 20000,
				   pkt_burst: 64, mode: "police" }' \
	push -j port show tgb1
check "ingress shapes, its burst the default of 1Gbit/s (half a second)" \
	json_is '.rate.ingress == { bps: 1000000000, burst: 62500000,
				    pps: null, pkt_burst: null, mode: "shape" }' \
	push -j port show tgb1
check "port show prints them in the units they were given in" \
	eval "push port show tgb1 > '$TMP/show.txt' &&
	      grep -qx '  rate egress 100Mbit burst 128KiB pps 20000 pkt-burst 64 police' '$TMP/show.txt' &&
	      grep -qx '  rate ingress 1Gbit burst 62500000B shape' '$TMP/show.txt' ||
	      { cat '$TMP/show.txt'; false; }"
check "port list -j has them; an uplink's are null, tgb2's directions null" \
	json_is 'map({ (.name): .rate }) | add |
		 .tgb1.egress.bps == 100000000 and .tgup == null and
		 .tgb2 == { ingress: null, egress: null }' \
	push -j port list
check "port set rate egress replaces the direction whole (default burst, no pps), keeps ingress" \
	eval "push port set tgb1 rate egress bps 10M &&
	      json_is '.rate.egress == { bps: 10000000, burst: 625000,
					 pps: null, pkt_burst: null,
					 mode: \"police\" } and
		       .rate.ingress.mode == \"shape\"' \
		push -j port show tgb1"
check "rate ingress none lifts ingress, keeps egress" \
	eval "push port set tgb1 rate ingress none &&
	      json_is '.rate.ingress == null and .rate.egress.bps == 10000000' \
		push -j port show tgb1"
check "a bad rate is refused before the module, naming the word" \
	fails_saying 'port set: invalid rate "10Q" after "bps"' \
	push port set tgb1 rate egress bps 10Q
check "the module refuses shaping from the VM, saying why" \
	fails_saying "Error: shaping applies towards the VM only" \
	push port set tgb1 rate egress bps 1M shape
check "and shaping without a rate" \
	fails_saying "Error: shaping needs a bit or packet rate" \
	push port set tgb1 rate ingress shape
check "and a burst beside a rate of 0" \
	fails_saying "Error: a burst needs a bit rate above 0" \
	push port set tgb1 rate egress bps 0 burst 2K
check "and limits on an uplink" \
	fails_saying "Error: only a VM port has rate limits" \
	push port set tgup rate egress bps 1M

# ---- tenguardd enforces them ----

push port set tgb1 rate egress none
check "tenguardd in module mode gets ready" daemon_start -
check "it acknowledges every port's generation" all_acked
check "acknowledged ports come up" \
	eval 'for p in tgb1 tgb2 tgup; do
		      on hv ip link set $p up || exit 1
	      done'
discard b1
discard b2
listening b1 && listening b2 || diag "the discard servers are not both up"

check "no limits: b1 and b2 ping each other" \
	eval "ping4 b1 $B2 && ping4 b2 $B1"

limit rate egress bps 0
check_fails "egress bps 0: b1's ping is dropped" ping4 b1 $B2
check "the limiter counted it (stats.limiter.egress, drop.rate)" \
	json_is '.stats.limiter.egress.drop_packets > 0 and
		 .stats.drop.rate > 0' push -j port show tgb1
n=$(arrived b2 $B1 10 18 b1)
check "while ingress passes: b2's 10 datagrams reach b1 (got ${n:-none})" \
	[ "${n:-0}" -eq 10 ]

limit rate egress none rate ingress pps 0
before=$(limiter ingress drop_packets)
n=$(arrived b1 $B2 10 18 b2)
check "egress none, ingress pps 0: b1's 10 datagrams reach b2 (got ${n:-none})" \
	[ "${n:-0}" -eq 10 ]
n=$(arrived b2 $B1 10 18 b1)
after=$(limiter ingress drop_packets)
check "and b2's to b1 are all dropped (got ${n:-none}, limiter dropped $((${after:-0} - ${before:-0})))" \
	eval "[ '${n:-x}' = 0 ] && [ $((${after:-0} - ${before:-0})) -ge 10 ]"

limit rate ingress none
check "ingress none lifts it: they ping each other again" \
	eval "ping4 b1 $B2 && ping4 b2 $B1"

# a packet rate of 1/s: the burst passes, the rest of a fast send does not
limit rate egress pps 1 pkt-burst 5
p0=$(limiter egress packets) d0=$(limiter egress drop_packets)
n=$(arrived b1 $B2 20 18 b2)
p1=$(limiter egress packets) d1=$(limiter egress drop_packets)
check "egress pps 1 pkt-burst 5: $n of 20 sent back to back arrive" within "$n" 5
check "the limiter counted $((p1 - p0)) passed, $((d1 - d0)) dropped" \
	eval "[ $((p1 - p0)) -eq ${n:-x} ] && [ $((d1 - d0)) -eq $((20 - ${n:-0})) ]"

# a bit rate of 100 bytes/s and a burst of one full-size frame: three
# frames of 500 bytes pass
limit rate egress bps 800 burst 1514
y0=$(limiter egress bytes)
n=$(arrived b1 $B2 10 458 b2)
y1=$(limiter egress bytes)
check "egress bps 800 burst 1514: $n of 10 500-byte frames arrive, $((y1 - y0)) bytes counted" \
	eval "within '$n' 3 && [ $((y1 - y0)) -eq $((500 * ${n:-0})) ]"

check "port show has the daemon's measure of both directions" \
	json_is '.measured.egress.interval_ms > 0 and
		 .measured.ingress.interval_ms > 0 and
		 (.measured.egress | has("drop_pps"))' push -j port show tgb1

# shaping towards the VM: fq on the port holds what exceeds
limit rate egress none rate ingress pps 1 pkt-burst 2 shape
check "ingress shape: tenguardd put fq on tgb1" \
	eval "on hv tc qdisc show dev tgb1 | grep -q '^qdisc fq '"
send b2 $B1 6 18
sleep 3
check "the limiter shaped some of a fast send rather than dropping them" \
	json_is '.stats.limiter.ingress.shaped > 0 and .rate.ingress.mode == "shape"' \
	push -j port show tgb1

limit rate ingress none rate egress none
check "both lifted: no limits left, and b1 and b2 ping each other" \
	eval "json_is '.rate == { ingress: null, egress: null }' \
		push -j port show tgb1 && ping4 b1 $B2 && ping4 b2 $B1"

ktap_finish
