#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real traffic through the generated ACL rule sets (bench/acl_rules.h) of
# 10, 1,000 and 10,000 rules, side by side on one bridge: no filter,
# tenguard without and with the rule set, and the same rule set in
# nftables as interval maps and as a plain list (bench/README.md).
#
#  vm s1          vm s2          vm rn   vm rt0  vm rt   vm rm   vm rl
#  eth0           eth0           eth0    eth0    eth0    eth0    eth0
#   |              |              |       |       |       |       |
#  tgs1 --------- tgs2 --- br0 - tgrn -- tgrt0 - tgrt -- tgrm -- tgrl   ns hv
#
#  s1 -> rn    no filter
#  s2 -> rt0   tenguard: tgs2 and tgrt0 guarded, no rule set
#  s2 -> rt    tenguard: tgrt's ingress rule set is the generated one
#  s1 -> rm    nftables, netdev egress hook on tgrm: interval maps
#  s1 -> rl    nftables, netdev egress hook on tgrl: one rule per rule
#
# bench_flood sends minimum-size UDP frames of the flows the rule sets'
# hit rules allow from a packet socket in the sender, pinned to one CPU;
# every receiver drops what it gets at its own ingress hook, so the
# counter of its eth0 says what the filter let through. Frames go to one
# receiver at a time (static bridge entries: nothing floods), each
# measurement a run of -t seconds, all variants in turn within a round,
# -n rounds, medians and per-round ratios printed.
set -e

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/../selftests/lib.sh"

SECS=1
ROUNDS=5
RULES="10 1000 10000"

usage()
{
	echo "Usage: $0 [-t SECONDS] [-n ROUNDS] [-r \"N...\"]" >&2
	echo "  -t  seconds per run (default $SECS)" >&2
	echo "  -n  rounds, the median counts (default $ROUNDS)" >&2
	echo "  -r  rule set sizes, the first and the last compared (default \"$RULES\")" >&2
	exit "$1"
}

while getopts "t:n:r:h" opt; do
	case $opt in
	t) SECS=$OPTARG ;;
	n) ROUNDS=$OPTARG ;;
	r) RULES=$OPTARG ;;
	h) usage 0 ;;
	*) usage 1 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 0 ] || ! [[ $ROUNDS =~ ^[1-9][0-9]*$ ]]; then
	usage 1
fi
BENCH_ACL=$BUILD/bench_acl
FLOOD=$BUILD/bench_flood
CPU=$(($(nproc) - 1))	# the sender's, and its softirqs'

# variant: sender, its port's MAC, receiver, its MAC, its address, label
VARIANTS="none tg0 tg nftmap nftlist"
declare -A SND RMAC RIP LABEL SMAC
SMAC[s1]=02:00:00:00:0a:01
SMAC[s2]=02:00:00:00:0a:02
SND[none]=s1;    RMAC[none]=02:00:00:00:0b:01;    RIP[none]=198.18.0.1
SND[tg0]=s2;     RMAC[tg0]=02:00:00:00:0b:02;     RIP[tg0]=198.18.0.2
SND[tg]=s2;      RMAC[tg]=02:00:00:00:0b:03;      RIP[tg]=198.18.0.3
SND[nftmap]=s1;  RMAC[nftmap]=02:00:00:00:0b:04;  RIP[nftmap]=198.18.0.4
SND[nftlist]=s1; RMAC[nftlist]=02:00:00:00:0b:05; RIP[nftlist]=198.18.0.5
LABEL[none]="no filter"
LABEL[tg0]="tenguard, no rule set"
LABEL[tg]="tenguard"
LABEL[nftmap]="nftables maps"
LABEL[nftlist]="nftables list"
declare -A RNS=([none]=rn [tg0]=rt0 [tg]=rt [nftmap]=rm [nftlist]=rl)
PATTERNS="flows new"

die()
{
	echo "traffic: $*" >&2
	exit 1
}

# vm NS PORT MAC: a VM without addresses and without IPv6, on br0
vm()
{
	ns_add "$1"
	on "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip link add "$2" netns "$TG_ID-hv" type veth peer name eth0 \
		netns "$TG_ID-$1"
	on "$1" ip link set eth0 address "$3" up
	on hv ip link set "$2" master br0 up
}

# a receiver drops all it gets at its ingress hook, after eth0 counted it
receiver()
{
	vm "$1" "$2" "$3"
	on "$1" nft -f - <<NFT
table netdev sink {
	chain in {
		type filter hook ingress device "eth0" priority 0; policy drop;
	}
}
NFT
	on hv bridge fdb add "$3" dev "$2" master static
}

topo_up()
{
	hv_add
	vm s1 tgs1 "${SMAC[s1]}"
	vm s2 tgs2 "${SMAC[s2]}"
	receiver rn tgrn "${RMAC[none]}"
	receiver rt0 tgrt0 "${RMAC[tg0]}"
	receiver rt tgrt "${RMAC[tg]}"
	receiver rm tgrm "${RMAC[nftmap]}"
	receiver rl tgrl "${RMAC[nftlist]}"
}

# policy N: the node's policy, tgrt with the rule set of N rules
policy()
{
	cat <<JSON
{
  "tenants": [
    { "name": "bench", "id": 100,
      "ports": [
        { "name": "tgs2", "macs": ["${SMAC[s2]}"],
          "addresses": ["198.18.1.0/24"] },
        { "name": "tgrt0", "macs": ["${RMAC[tg0]}"],
          "addresses": ["${RIP[tg0]}"] },
        { "name": "tgrt", "macs": ["${RMAC[tg]}"],
          "addresses": ["${RIP[tg]}"],
          "acl": $("$BENCH_ACL" rules json "$1") }
      ] } ]
}
JSON
}

# rules N: tenguardd and nftables get the rule set of N rules
rules()
{
	local n=$1 count

	policy "$n" > "$TMP/policy.new"
	on hv "$TENGUARDD" --check --policy "$TMP/policy.new" ||
		die "tenguardd refuses the policy of $n rules"
	mv "$TMP/policy.new" "$TMP/policy.json"
	if [ -z "${TG_DAEMON_PID:-}" ]; then
		daemon_start "$TMP/policy.json" --detach-on-exit ||
			die "tenguardd did not start"
	else
		count=$(grep -c "reloaded" "$TMP/tenguardd.log" || true)
		kill -HUP "$TG_DAEMON_PID"
		for i in $(seq 300); do
			[ "$(grep -c "reloaded" "$TMP/tenguardd.log")" -gt \
			  "$count" ] && break
			grep -q "reload refused\|reload failed" \
				"$TMP/tenguardd.log" &&
				die "tenguardd did not reload: $(tail -n 1 "$TMP/tenguardd.log")"
			sleep 0.1
		done
	fi
	[ "$(ctl -j acl show tgrt ingress | jq '.[0].rules | length')" = "$n" ] ||
		die "tenguardd does not show $n rules on tgrt"
	for v in nftmap nftlist; do
		on hv nft delete table netdev "$v" 2>/dev/null || true
		"$BENCH_ACL" rules "nft-${v#nft}" "$n" "$v" "tg${RNS[$v]}" \
			> "$TMP/$v.nft"
		on hv nft -f "$TMP/$v.nft" || die "nft refuses the $v rule set"
	done
}

rx_packets()
{
	on "${RNS[$1]}" ip -j -s link show eth0 | jq '.[0].stats64.rx.packets'
}

ksoftirqd_ns()
{
	awk '{ print $1 }' "/proc/$(pgrep -x "ksoftirqd/$CPU")/schedstat"
}

NEXT_FLOW=0

# flood VARIANT PATTERN SECONDS: the sender's line in $TMP/flood.out
flood()
{
	local v=$1 s=${SND[$1]} flows=4096 first=0

	if [ "$2" = new ]; then
		flows=0
		first=$NEXT_FLOW
	fi
	on "$s" taskset -c "$CPU" "$FLOOD" -i eth0 -s "${SMAC[$s]}" \
		-d "${RMAC[$v]}" -a "${RIP[$v]}" -t "$3" -f "$flows" \
		-o "$first" > "$TMP/flood.out" || die "bench_flood failed"
	# new flows stay new across runs
	[ "$2" = new ] && NEXT_FLOW=$(awk '{ print $10 }' "$TMP/flood.out")
	return 0
}

# measure N VARIANT PATTERN ROUND: one line of $TMP/results
measure()
{
	local n=$1 v=$2 p=$3 r=$4 rx0 rx1 k0 k1

	flood "$v" "$p" 0.2		# flows open, caches warm
	rx0=$(rx_packets "$v")
	k0=$(ksoftirqd_ns)
	flood "$v" "$p" "$SECS"
	k1=$(ksoftirqd_ns)
	rx1=$(rx_packets "$v")
	# N variant pattern round received sent wall_ns cpu_ns
	awk -v n="$n" -v v="$v" -v p="$p" -v r="$r" -v rx=$((rx1 - rx0)) \
		-v k=$((k1 - k0)) '{ print n, v, p, r, rx, $2, $6, $8 + k }' \
		"$TMP/flood.out" >> "$TMP/results"
}

report()
{
	awk -v labels="$(for v in $VARIANTS; do echo "$v=${LABEL[$v]}"; done)" \
	    -v rules="$RULES" -v variants="$VARIANTS" -v patterns="$PATTERNS" \
	    -v secs="$SECS" -v rounds="$ROUNDS" '
	function median(a, k,    i, j, t, b) {
		for (i = 1; i <= k; i++)
			b[i] = a[i]
		for (i = 2; i <= k; i++)
			for (j = i; j > 1 && b[j - 1] > b[j]; j--) {
				t = b[j]; b[j] = b[j - 1]; b[j - 1] = t
			}
		return k % 2 ? b[(k + 1) / 2] : (b[k / 2] + b[k / 2 + 1]) / 2
	}
	{
		key = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
		pps[key] = $5 / ($7 / 1e9)
		cpu[key] = $5 ? $8 / $5 : 0
		loss[key] = $6 ? 1 - $5 / $6 : 1
		if (loss[key] > 0.01)
			lossy[$1 SUBSEP $2 SUBSEP $3] = 1
	}
	END {
		nl = split(labels, l, "\n")
		for (i = 1; i <= nl; i++) {
			split(l[i], kv, "=")
			label[kv[1]] = kv[2]
		}
		nr = split(rules, R, " ")
		nv = split(variants, V, " ")
		np = split(patterns, P, " ")
		printf("UDP flood over veth and a bridge, one sending CPU, " \
		       "%s s per run, median of %d rounds\n", secs, rounds)
		printf("flows: 4096 flows in turn; new: every frame a new " \
		       "flow (tenguard: a full, evicting flow table)\n")
		printf("CPU: the sender thread (its softirqs with it) and " \
		       "ksoftirqd, per received frame\n")
		for (a = 1; a <= nr; a++) {
			printf("\n%-32s %9s %10s %6s %9s %8s\n", \
			       R[a] " rules", "rx pps", "ns CPU/pkt", "loss", \
			       "pps/none", "CPU/none")
			for (b = 1; b <= np; b++)
				for (c = 1; c <= nv; c++) {
					delete x; delete y; delete q; delete z
					for (r = 1; r <= rounds; r++) {
						k = R[a] SUBSEP V[c] SUBSEP P[b] SUBSEP r
						kn = R[a] SUBSEP "none" SUBSEP P[b] SUBSEP r
						x[r] = pps[k]; y[r] = cpu[k]
						z[r] = loss[k]
						q[r] = pps[kn] ? pps[k] / pps[kn] : 0
						w[r] = cpu[kn] ? cpu[k] / cpu[kn] : 0
					}
					m = median(y, rounds)
					mc[R[a], V[c], P[b]] = m
					mw[R[a], V[c], P[b]] = median(w, rounds)
					printf("  %-5s %-24s %9.0f %10.0f %5.1f%% %8.2fx %7.2fx%s\n", \
					       P[b], label[V[c]], median(x, rounds), \
					       m, 100 * median(z, rounds), \
					       median(q, rounds), mw[R[a], V[c], P[b]], \
					       lossy[R[a], V[c], P[b]] ? \
					       "  FRAMES LOST" : "")
				}
		}
		printf("\n%d rules / %d rules (1.00: flat): of the CPU per " \
		       "packet, and of CPU/none, which\nleaves out how " \
		       "the machine drifted between the two\n%39s %14s\n", \
		       R[nr], R[1], "CPU/pkt", "CPU/none")
		for (b = 1; b <= np; b++)
			for (c = 1; c <= nv; c++)
				printf("  %-5s %-24s %6.2f %14.2f\n", P[b], \
				       label[V[c]], mc[R[1], V[c], P[b]] ? \
				       mc[R[nr], V[c], P[b]] / \
				       mc[R[1], V[c], P[b]] : 0, \
				       mw[R[1], V[c], P[b]] ? \
				       mw[R[nr], V[c], P[b]] / \
				       mw[R[1], V[c], P[b]] : 0)
	}' "$TMP/results"
}

tg_require_root
for bin in "$BENCH_ACL" "$FLOOD" "$TENGUARDD" "$TENGUARDCTL"; do
	[ -x "$bin" ] || die "$bin not built; run make bench"
done
for tool in nft jq taskset pgrep; do
	command -v "$tool" > /dev/null || die "needs $tool"
done
pgrep -x "ksoftirqd/$CPU" > /dev/null || die "no ksoftirqd/$CPU"

read -ra vs <<< "$VARIANTS"
topo_up
: > "$TMP/results"
for n in $RULES; do
	rules "$n"
	# the variants take turns, the first one rotating from round to round
	for r in $(seq "$ROUNDS"); do
		for p in $PATTERNS; do
			for ((k = 0; k < ${#vs[@]}; k++)); do
				measure "$n" "${vs[(r + k) % ${#vs[@]}]}" "$p" "$r"
			done
		done
	done
	# what tenguard dropped on the measured ports, if anything: the
	# traffic is all allowed, so a drop means the timed path is wrong
	for port in tgs2 tgrt0 tgrt; do
		drops=$(ctl -j stats "$port" | jq '[.[0].drop[]] | add')
		[ "$drops" = 0 ] || die "tenguard dropped $drops frames on $port"
	done
done
daemon_stop TERM
report
