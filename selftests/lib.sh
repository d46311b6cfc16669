#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the shell selftests: KTAP output, test namespaces, the
# daemon. A test sources this, sets its plan, and registers its own cleanup
# with tg_on_exit; everything it creates is named tg-$$-* and removed on
# exit, whether the test passes, fails or is interrupted.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
TENGUARDD=$BUILD/tenguardd
TENGUARDCTL=$BUILD/tenguardctl
PY=/usr/bin/python3	# Debian's, with python3-scapy
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

TG_ID=tg-$$
export TENGUARD_INSTANCE=$TG_ID
_ktap_n=0
_ktap_fail=0
_ktap_skip=0
_exit_hooks=()
_tmpdir=$(mktemp -d /tmp/$TG_ID.XXXXXX)
TMP=$_tmpdir

ktap_plan()
{
	echo "TAP version 13"
	echo "1..$1"
}

ok()
{
	_ktap_n=$((_ktap_n + 1))
	echo "ok $_ktap_n $*"
}

not_ok()
{
	_ktap_n=$((_ktap_n + 1))
	_ktap_fail=$((_ktap_fail + 1))
	echo "not ok $_ktap_n $*"
}

skip()
{
	_ktap_n=$((_ktap_n + 1))
	_ktap_skip=$((_ktap_skip + 1))
	echo "ok $_ktap_n $1 # SKIP $2"
}

diag()
{
	echo "# $*"
}

# check NAME CMD...: one test point, passing when CMD succeeds
check()
{
	local name=$1

	shift
	if "$@" > "$TMP/check.out" 2>&1; then
		ok "$name"
	else
		sed 's/^/# /' "$TMP/check.out" | tail -n 20
		not_ok "$name"
	fi
}

# check_fails NAME CMD...: passing when CMD fails
check_fails()
{
	local name=$1

	shift
	if "$@" > "$TMP/check.out" 2>&1; then
		sed 's/^/# /' "$TMP/check.out" | tail -n 20
		not_ok "$name"
	else
		ok "$name"
	fi
}

ktap_finish()
{
	local pass=$((_ktap_n - _ktap_fail - _ktap_skip))

	if [ "$_ktap_fail" -gt 0 ] && [ -s "$TMP/tenguardd.log" ]; then
		echo "# daemon log:"
		sed 's/^/#   /' "$TMP/tenguardd.log"
	fi
	echo "# Totals: pass:$pass fail:$_ktap_fail xfail:0 xpass:0 skip:$_ktap_skip error:0"
	[ "$_ktap_fail" -eq 0 ] || exit $KSFT_FAIL
	exit $KSFT_PASS
}

tg_on_exit()
{
	_exit_hooks+=("$*")
}

_tg_cleanup()
{
	local i ns

	for ((i = ${#_exit_hooks[@]} - 1; i >= 0; i--)); do
		eval "${_exit_hooks[$i]}" > /dev/null 2>&1
	done
	for ns in $(ip netns list | awk '{print $1}' | grep "^$TG_ID-"); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns"
	done
	rm -rf "${TENGUARD_PIN_ROOT:-/sys/fs/bpf/tenguard}/$TG_ID"
	rm -rf "$_tmpdir"
}
trap _tg_cleanup EXIT
trap 'exit 130' INT TERM

tg_require_root()
{
	if [ "$(id -u)" -ne 0 ]; then
		echo "1..0 # SKIP needs root"
		exit $KSFT_SKIP
	fi
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
}

# on NS CMD...: run in a test namespace, keeping the mount namespace (and so
# the one bpffs where the pins are); `ip netns exec` would remount /sys
on()
{
	local ns=$1

	shift
	nsenter --net="/run/netns/$TG_ID-$ns" -- "$@"
}

# on_bg NS CMD... &: the same for a background command whose PID ($!) the
# caller signals: exec, so $! is the command and not a subshell
on_bg()
{
	local ns=$1

	shift
	exec nsenter --net="/run/netns/$TG_ID-$ns" -- "$@"
}

ns_add()
{
	ip netns add "$TG_ID-$1"
	on "$1" ip link set lo up
}

# vm_add NS PORT MAC [ADDR...]: a VM namespace whose eth0 is the peer of the
# hypervisor-side PORT in the "hv" namespace, enslaved to br0
vm_add()
{
	local ns=$1 port=$2 mac=$3 addr

	shift 3
	ns_add "$ns"
	ip link add "$port" netns "$TG_ID-hv" type veth peer name eth0 \
		netns "$TG_ID-$ns"
	on "$ns" ip link set eth0 address "$mac"
	on "$ns" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
	for addr in "$@"; do
		on "$ns" ip addr add "$addr" dev eth0 nodad 2>/dev/null ||
			on "$ns" ip addr add "$addr" dev eth0
	done
	on "$ns" ip link set eth0 up
	on hv ip link set "$port" master br0 up
}

# hv_add: the hypervisor namespace with a bridge that floods every frame
# (no learning), so every port sees every frame unless tenguard stops it.
# The bridge carries tenant frames as they are: no br_netfilter (which
# trims IP frames to their length), and the hypervisor's own stack speaks
# no IPv6 on the ports, so only the VMs' frames move the counters.
hv_add()
{
	ns_add hv
	on hv sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	for nf in iptables ip6tables arptables; do
		[ -e /proc/sys/net/bridge/bridge-nf-call-$nf ] &&
			on hv sysctl -qw net.bridge.bridge-nf-call-$nf=0
	done
	on hv ip link add br0 type bridge ageing_time 0 stp_state 0 \
		mcast_snooping 0
	on hv ip link set br0 up
}

# daemon_start POLICY [ARGS...]: tenguardd in the hv namespace, waiting
# until it says it is ready; POLICY "-": module mode
daemon_start()
{
	local policy=$1 i n

	shift
	touch "$TMP/tenguardd.log"
	n=$(grep -c "ready:" "$TMP/tenguardd.log")
	[ "$policy" = - ] && set -- "$@" || set -- --policy "$policy" "$@"
	on_bg hv "$TENGUARDD" "$@" >> "$TMP/tenguardd.log" 2>&1 &
	TG_DAEMON_PID=$!
	for i in $(seq 100); do
		[ "$(grep -c "ready:" "$TMP/tenguardd.log")" -gt "$n" ] && return 0
		kill -0 "$TG_DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/# tenguardd: /' "$TMP/tenguardd.log"
	return 1
}

daemon_stop()
{
	[ -n "${TG_DAEMON_PID:-}" ] || return 0
	kill -"${1:-TERM}" "$TG_DAEMON_PID" 2>/dev/null
	wait "$TG_DAEMON_PID" 2>/dev/null
	TG_DAEMON_PID=
}
tg_on_exit daemon_stop KILL

# wait_log PATTERN: the daemon log gets a line matching PATTERN (5 s)
wait_log()
{
	local i

	for i in $(seq 50); do
		grep -q -- "$1" "$TMP/tenguardd.log" && return 0
		sleep 0.1
	done
	return 1
}

ctl()
{
	"$TENGUARDCTL" "$@"
}

# counter PORT FIELD: a counter from `tenguardctl -j stats PORT`, e.g.
# counter tgb1 .drop.src_ip
counter()
{
	ctl -j stats "$1" | jq -r ".[0]$2"
}
