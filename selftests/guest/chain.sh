#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The full chain in the guest: policy pushed with tenguardctl to
# tenguard.ko, tenguardd in module mode programming the BPF datapath and
# acknowledging each port, the UP gate opening only then, isolation
# enforced, live changes followed, and a restarted daemon resynchronised.
# The node of topo.sh.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../topo.sh"
tg_require_root

push() { on hv "$TENGUARDCTL" "$@"; }
ping4() { on "$1" ping -q -c 2 -i 0.2 -W 1 -w 4 "$2"; }

# every port of the module acknowledged at its current generation (10 s)
all_acked()
{
	local i

	for i in $(seq 100); do
		push -j port list |
			jq -e 'length > 0 and all(.[]; .acked == .generation)' \
			> /dev/null && return 0
		sleep 0.1
	done
	push -j port list
	return 1
}

ports_up()
{
	local p

	for p in tgb1 tgb2 tgb3 tgr1; do
		on hv ip link set "$p" up || return 1
	done
}

ktap_plan 15
topo_up

check "tenants pushed to the module" \
	eval 'push tenant add 100 blue && push tenant add 200 red'
check "ports pushed to the module" \
	eval "push port add tgb1 tenant 100 mac $MAC_B1 addr 198.18.1.1 fd00:1::1 &&
	      push port add tgb2 tenant 100 mac $MAC_B2 addr 198.18.1.2 fd00:1::2 &&
	      push port add tgb3 tenant 100 mac $MAC_B3 addr 198.18.1.3 fd00:1::3 &&
	      push port add tgr1 tenant 200 mac $MAC_R1 addr 198.18.1.4 fd00:1::4"
check_fails "a port cannot come up before the daemon acknowledges it" \
	on hv ip link set tgb1 up
check "tenguardd in module mode gets ready" daemon_start -
check "it acknowledges every port's generation" all_acked
check "acknowledged ports come up" ports_up
check "same tenant traffic passes" ping4 b1 198.18.1.2
on r1 ip neigh replace 198.18.1.1 lladdr $MAC_B1 dev eth0
check_fails "cross tenant traffic is dropped" ping4 r1 198.18.1.1

# a live change: b2 moves to red
push port set tgb2 tenant 200
check "a change is followed and acknowledged" all_acked
check_fails "b1 no longer reaches b2" ping4 b1 198.18.1.2

# the daemon dies; the policy changes meanwhile; a new daemon catches up
daemon_stop KILL
push port set tgb2 tenant 100
daemon_start - > /dev/null
check "a restarted daemon resynchronises and acknowledges" all_acked
check "and enforces the policy as it is now" ping4 b1 198.18.1.2

# notifications lost: a stopped daemon with a tiny buffer misses changes
daemon_stop KILL
daemon_start - --netlink-rcvbuf 1024 > /dev/null
kill -STOP "$TG_DAEMON_PID"
for i in $(seq 30); do
	push port set tgb3 addr 198.18.1.3 198.18.1.$((100 + i))
done
push port set tgb2 tenant 200
kill -CONT "$TG_DAEMON_PID"
check "an overrun is noticed and the daemon dumps again" \
	wait_log "notifications lost"
check "after which every port is acknowledged" all_acked
check_fails "and the last change is enforced" ping4 b1 198.18.1.2

ktap_finish
