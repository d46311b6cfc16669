#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# How close real traffic comes to a configured rate limit: tenguard's and
# the same limit in nftables, side by side (bench/README.md). For each
# rate (10 Mbit/s, 100 Mbit/s, 1 Gbit/s): one TCP flow, 8 TCP flows and a
# UDP flood at twice the rate, each through tenguard, then through
# nftables.
#
#  vm t1 .1.1      vm t2 .1.2      vm n1 .2.1      vm n2 .2.2
#  eth0            eth0            eth0            eth0
#   |               |               |               |
#  tgt1 ---------- tgt2 --- br0 --- tgn1 ---------- tgn2        ns hv
#
#  t1 -> t2   tenguardd, both ports guarded; the limit in the policy
#             file: tgt1's "egress" (from t1), or with -d ingress tgt2's
#             "ingress" (towards t2), default bursts
#  n1 -> n2   no tenguard; nftables on br0's forward hook: iifname tgn1
#             (or oifname tgn2) limit rate over RATE/8 bytes/second drop
#
# Static bridge entries and neighbours, IPv6 off: only the measured
# traffic crosses the limits, and no frame floods to the other pair.
# Achieved: TCP goodput as iperf3's receiver counts it, after -O seconds
# omitted (a bucket starts full); UDP in frame bytes, Ethernet header
# included as both limiters count, at the receiver's eth0 over -t seconds
# after -O seconds of flood. The run fails if a limit is refused, iperf3
# fails, a limiter never dropped under a flood (it was not on the path),
# or tenguard dropped a frame for another reason than the rate.
set -e

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/../selftests/lib.sh"

SECS=3
WARM=2
DIR=egress
RATES="10M 100M 1G"

usage()
{
	echo "Usage: $0 [-t SECONDS] [-O SECONDS] [-d egress|ingress] [-r \"RATE...\"]" >&2
	echo "  -t  seconds measured per point (default $SECS)" >&2
	echo "  -O  seconds left out first, while the bucket's burst is spent (default $WARM)" >&2
	echo "  -d  the limited direction, named from the VM (default $DIR)" >&2
	echo "  -r  rates, bit/s with k, M or G (default \"$RATES\")" >&2
	exit "$1"
}

while getopts "t:O:d:r:h" opt; do
	case $opt in
	t) SECS=$OPTARG ;;
	O) WARM=$OPTARG ;;
	d) DIR=$OPTARG ;;
	r) RATES=$OPTARG ;;
	h) usage 0 ;;
	*) usage 1 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 0 ] || ! [[ $SECS =~ ^[1-9][0-9]*$ && $WARM =~ ^[0-9]+$ ]] ||
   ! [[ $DIR = egress || $DIR = ingress ]]; then
	usage 1
fi

die()
{
	echo "rate: $*" >&2
	exit 1
}

# bps RATE: "100M" -> 100000000
bps()
{
	local n=${1%[kKmMgG]}

	[[ $n =~ ^[1-9][0-9]*$ ]] || die "what is rate \"$1\"?"
	case $1 in
	*[kK]) echo $((n * 1000)) ;;
	*[mM]) echo $((n * 1000000)) ;;
	*[gG]) echo $((n * 1000000000)) ;;
	*) echo "$n" ;;
	esac
}

declare -A MAC=([t1]=02:00:00:00:01:01 [t2]=02:00:00:00:01:02
		[n1]=02:00:00:00:02:01 [n2]=02:00:00:00:02:02)
declare -A IP=([t1]=198.18.1.1 [t2]=198.18.1.2
	       [n1]=198.18.2.1 [n2]=198.18.2.2)
# the limited port of each variant, and its nftables match
if [ "$DIR" = egress ]; then
	TG_PORT=tgt1
	NFT_MATCH='iifname "tgn1"'
else
	TG_PORT=tgt2
	NFT_MATCH='oifname "tgn2"'
fi

# vm NS PORT: a VM on br0 that only its own frames reach
vm()
{
	ns_add "$1"
	on "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip link add "$2" netns "$TG_ID-hv" type veth peer name eth0 \
		netns "$TG_ID-$1"
	on "$1" ip link set eth0 address "${MAC[$1]}"
	on "$1" ip addr add "${IP[$1]}/24" dev eth0
	on "$1" ip link set eth0 up
	on hv ip link set "$2" master br0 up
	on hv bridge fdb add "${MAC[$1]}" dev "$2" master static
}

# pair A B: A and B know each other without ARP
pair()
{
	on "$1" ip neigh replace "${IP[$2]}" lladdr "${MAC[$2]}" dev eth0 \
		nud permanent
	on "$2" ip neigh replace "${IP[$1]}" lladdr "${MAC[$1]}" dev eth0 \
		nud permanent
}

topo_up()
{
	hv_add
	vm t1 tgt1
	vm t2 tgt2
	vm n1 tgn1
	vm n2 tgn2
	pair t1 t2
	pair n1 n2
}

# policy BPS: t1 and t2 guarded, the limited port with BPS
policy()
{
	local p rate sep=

	echo '{ "tenants": [ { "name": "bench", "id": 100, "ports": ['
	for p in t1 t2; do
		rate=
		[ "tg$p" = "$TG_PORT" ] &&
			rate=", \"rate\": { \"$DIR\": { \"bps\": $1 } }"
		echo "$sep{ \"name\": \"tg$p\", \"macs\": [\"${MAC[$p]}\"],"
		echo "  \"addresses\": [\"${IP[$p]}\"]$rate }"
		sep=,
	done
	echo '] } ] }'
}

# limits BPS: tenguardd and nftables enforce BPS
limits()
{
	local n i

	policy "$1" > "$TMP/policy.new"
	on hv "$TENGUARDD" --check --policy "$TMP/policy.new" > /dev/null ||
		die "tenguardd refuses the policy of $1 bit/s"
	mv "$TMP/policy.new" "$TMP/policy.json"
	if [ -z "${TG_DAEMON_PID:-}" ]; then
		daemon_start "$TMP/policy.json" --detach-on-exit ||
			die "tenguardd did not start"
	else
		n=$(grep -c "reloaded" "$TMP/tenguardd.log" || true)
		kill -HUP "$TG_DAEMON_PID"
		for i in $(seq 100); do
			[ "$(grep -c "reloaded" "$TMP/tenguardd.log")" -gt "$n" ] &&
				break
			grep -q "reload refused\|reload failed" \
				"$TMP/tenguardd.log" &&
				die "tenguardd did not reload: $(tail -n 1 "$TMP/tenguardd.log")"
			sleep 0.1
		done
	fi
	on hv nft delete table bridge tgbench 2> /dev/null || true
	on hv nft -f - <<NFT || die "nft refuses a limit of $1 bit/s"
table bridge tgbench {
	chain forward {
		type filter hook forward priority 0; policy accept;
		$NFT_MATCH limit rate over $(($1 / 8)) bytes/second burst 0 bytes counter drop
	}
}
NFT
}

# drops PORT: tenguard's drop counters of PORT, "rate other"
drops()
{
	ctl -j stats "$1" |
		jq -r '.[0].drop | "\(.rate) \([to_entries[] | select(.key != "rate") | .value] | add)"'
}

nft_drops()
{
	on hv nft -j list table bridge tgbench |
		jq '[.nftables[].rule.expr[]?.counter.packets // empty] | add'
}

# eth0 NS rx|tx: a byte counter of the VM's eth0
eth0()
{
	local col=2

	[ "$2" = tx ] && col=10
	# shellcheck disable=SC2016 # awk's own variables
	on "$1" awk -v c=$col '$1 == "eth0:" { print $c }' /proc/net/dev
}

IPERF_PORT=5300

# iperf_server NS: a server for one test, listening when this returns
iperf_server()
{
	local i

	IPERF_PORT=$((IPERF_PORT + 1))
	on "$1" iperf3 -s -1 -D -p $IPERF_PORT || return 1
	for i in $(seq 50); do
		on "$1" ss -Hltn "sport = :$IPERF_PORT" | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

# tcp SRC DST FLOWS: goodput in bit/s, and retransmits
tcp()
{
	iperf_server "$2" || die "iperf3 server in $2"
	on "$1" timeout 60 iperf3 -c "${IP[$2]}" -p $IPERF_PORT -J \
		-t "$SECS" -O "$WARM" -P "$3" > "$TMP/iperf.json" 2>&1 ||
		die "iperf3 $1 -> $2, $3 flows: $(tail -n 3 "$TMP/iperf.json")"
	jq -r '"\(.end.sum_received.bits_per_second) \(.end.sum_sent.retransmits)"' \
		"$TMP/iperf.json"
}

# udp SRC DST BPS: a flood at 2 * BPS; what reached DST's eth0 and what
# SRC's eth0 sent over SECS seconds after WARM, in bit/s of frame bytes.
# Each pair of readings is stamped in its middle.
#
# iperf3 sends 1472-byte datagrams (full frames) at under 1 Gbit/s on
# this machine: floods above 1 Gbit/s send 8000-byte ones, IP
# fragments of which a limiter may drop some and pass others, each frame
# counted where it arrives.
udp()
{
	local src=$1 dst=$2 len=1472 pid a0 a1 b0 b1 rx0 rx1 tx0 tx1 ns

	[ $((2 * $3)) -gt 1000000000 ] && len=8000
	iperf_server "$dst" || die "iperf3 server in $dst"
	on "$src" timeout 60 iperf3 -c "${IP[$dst]}" -p $IPERF_PORT -J -u \
		-b $((2 * $3)) -l $len -t $((WARM + SECS + 1)) \
		> "$TMP/iperf.json" 2>&1 &
	pid=$!
	sleep "$WARM"
	a0=$(date +%s%N)
	tx0=$(eth0 "$src" tx)
	rx0=$(eth0 "$dst" rx)
	a1=$(date +%s%N)
	sleep "$SECS"
	b0=$(date +%s%N)
	tx1=$(eth0 "$src" tx)
	rx1=$(eth0 "$dst" rx)
	b1=$(date +%s%N)
	ns=$(((b0 + b1) / 2 - (a0 + a1) / 2))
	wait $pid || die "iperf3 -u $src -> $dst: $(tail -n 3 "$TMP/iperf.json")"
	echo $(((rx1 - rx0) * 8000000000 / ns)) $(((tx1 - tx0) * 8000000000 / ns))
}

# point BPS KIND: one line of $TMP/results for each variant:
# BPS KIND VARIANT ACHIEVED EXTRA (TCP: retransmits; UDP: offered bit/s)
point()
{
	local r=$1 kind=$2 out rate0 rate1 other0 other1 nft0 nft1

	read -r rate0 other0 < <(drops "$TG_PORT")
	case $kind in
	tcp1) out=$(tcp t1 t2 1) ;;
	tcp8) out=$(tcp t1 t2 8) ;;
	udp) out=$(udp t1 t2 "$r") ;;
	esac
	echo "$r $kind tg $out" >> "$TMP/results"
	read -r rate1 other1 < <(drops "$TG_PORT")
	[ "$other1" = "$other0" ] ||
		die "tenguard dropped $((other1 - other0)) frames on $TG_PORT for another reason than the rate"
	[ "$kind" != udp ] || [ "$rate1" -gt "$rate0" ] ||
		die "tenguard's limiter dropped nothing of a flood at twice $r bit/s"

	nft0=$(nft_drops)
	case $kind in
	tcp1) out=$(tcp n1 n2 1) ;;
	tcp8) out=$(tcp n1 n2 8) ;;
	udp) out=$(udp n1 n2 "$r") ;;
	esac
	echo "$r $kind nft $out" >> "$TMP/results"
	nft1=$(nft_drops)
	[ "$kind" != udp ] || [ "$nft1" -gt "$nft0" ] ||
		die "the nftables limit dropped nothing of a flood at twice $r bit/s"
}

report()
{
	awk -v dir="$DIR" -v secs="$SECS" -v warm="$WARM" '
	function si(v) {
		if (v >= 1e9)
			return sprintf("%.3gGbit", v / 1e9)
		if (v >= 1e6)
			return sprintf("%.3gMbit", v / 1e6)
		return sprintf("%.3gkbit", v / 1e3)
	}
	{
		if (!($1 SUBSEP $2 in seen)) {
			seen[$1, $2] = 1
			order[++n] = $1 SUBSEP $2
		}
		got[$1, $2, $3] = $4
		extra[$1, $2, $3] = $5
	}
	END {
		name["tcp1"] = "tcp, 1 flow"
		name["tcp8"] = "tcp, 8 flows"
		name["udp"] = "udp at 2x"
		printf("rate limits with real traffic over veth and a bridge, " \
		       "the limit %s\n(%s), default bursts; %d s measured " \
		       "after %d s\n", dir == "egress" ? "from the sending VM" : \
		       "towards the receiving VM", dir, secs, warm)
		printf("tcp: goodput (iperf3); udp: frame bytes at the " \
		       "receiver, offered: at the sender\n")
		printf("\n%-23s %s  %s\n", "", \
		       "-------- tenguard -------", "-------- nftables -------")
		printf("%-9s %-13s %10s %6s %6s  %10s %6s %6s\n", "rate", \
		       "traffic", "achieved", "/conf", "*", "achieved", "/conf", \
		       "*")
		for (i = 1; i <= n; i++) {
			split(order[i], k, SUBSEP)
			r = k[1]; t = k[2]
			line = sprintf("%-9s %-13s", si(r), name[t])
			for (v = 1; v <= 2; v++) {
				var = v == 1 ? "tg" : "nft"
				a = got[r, t, var]; e = extra[r, t, var]
				note = t == "udp" ? sprintf("%.2fx", e / r) : e
				line = line sprintf(" %10s %6.3f %6s ", si(a), \
						    a / r, note)
			}
			sub(/ $/, "", line)
			print line
		}
		printf("\n*: udp: what the sender offered, over the rate; " \
		       "tcp: retransmits\n")
	}' "$TMP/results"
}

tg_require_root
for bin in "$TENGUARDD" "$TENGUARDCTL"; do
	[ -x "$bin" ] || die "$bin not built; run make bench"
done
for tool in iperf3 nft jq ss; do
	command -v "$tool" > /dev/null || die "needs $tool"
done
# another test's iperf3 would share the CPUs and the figures with ours
for i in $(seq 24); do
	pgrep -x iperf3 > /dev/null || break
	[ "$i" = 1 ] && echo "rate: another iperf3 is running; waiting up to 2 minutes" >&2
	sleep 5
done
pgrep -x iperf3 > /dev/null &&
	echo "rate: another iperf3 still runs: the figures share the machine with it" >&2

topo_up
: > "$TMP/results"
for rate in $RATES; do
	r=$(bps "$rate")
	limits "$r"
	for kind in tcp1 tcp8 udp; do
		point "$r" "$kind"
	done
done
daemon_stop TERM
report
