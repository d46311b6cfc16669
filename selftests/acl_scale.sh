#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 10,000 rules on a port and 100,000 on the node load, and are enforced.
# b1's ingress set has 10,000 rules (acl_scale.py: mixed v4/v6 prefixes,
# ports, ranges, ICMP; the rules the spot checks are about at fixed places,
# the last rule one of them); nine more ports have 5,000 rules each way.
# b2 and b3 have no rule sets: they send the spot checks' traffic.
#
#   vm b1 .1.1       vm b2 .1.2       vm b3 .1.3       vm s1 .5.1 .. s9 .5.9
#   10,000 rules in                                    5,000 + 5,000 rules
#     |                |                |                |
#   tgb1 ------------ tgb2 --- br0 ---- tgb3 ---------- tgs1 .. tgs9    ns hv
source "$(dirname "$0")/lib.sh"
tg_require_root

RULES=${TG_ACL_SCALE_RULES:-10000}
PORTS=9			# besides tgb1: PORTS * RULES more rules
GEN="$PY $(dirname "$0")/acl_scale.py"

# elapsed since START (date +%s.%N)
since() { echo "$(date +%s.%N) - $1" | bc | sed 's/^\./0./'; }

# daemon_ready [ARGS...]: the daemon started and ready (or dead) in 150 s
daemon_ready()
{
	local i

	touch "$TMP/tenguardd.log"
	on_bg hv "$TENGUARDD" --policy "$TMP/policy.json" "$@" \
		>> "$TMP/tenguardd.log" 2>&1 &
	TG_DAEMON_PID=$!
	for i in $(seq 1500); do
		grep -q "ready:" "$TMP/tenguardd.log" && return 0
		kill -0 "$TG_DAEMON_PID" 2> /dev/null || break
		sleep 0.1
	done
	tail -n 5 "$TMP/tenguardd.log"
	return 1
}

# refused_saying TEXT ARGS...: the daemon exits saying TEXT about classifier
# entries, attaching nothing
refused_saying()
{
	local text=$1 rc

	shift
	on hv timeout 150 "$TENGUARDD" --policy "$TMP/policy.json" "$@" \
		> "$TMP/refused.log" 2>&1
	rc=$?
	cat "$TMP/refused.log"
	[ $rc -eq 1 ] && grep -F -- "$text" "$TMP/refused.log" |
		grep -q "classifier entries" &&
		! on hv tc filter show dev tgb1 egress | grep -q tg_to_vm
}

# a TCP server in b1 on 5201, 5202 and 6001, v4 and v6; UDP echo on 7001
servers()
{
	on_bg b1 $PY -c '
import socket, threading
def tcp(port):
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    s.listen(8)
    while True:
        c, _ = s.accept()
        c.sendall(b"ok")
        c.close()
for p in (5201, 5202, 6001):
    threading.Thread(target=tcp, args=(p,), daemon=True).start()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 7001))
while True:
    d, a = u.recvfrom(64)
    u.sendto(d, a)
' &
	tg_on_exit kill $!
}

# try NS tcp|udp ADDR PORT: b1 answers
try()
{
	on "$1" $PY -c '
import socket, sys
proto, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
if proto == "tcp":
    c = socket.create_connection((addr, port), timeout=1)
    c.settimeout(1)
    assert c.recv(2) == b"ok"
else:
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(1)
    s.sendto(b"x", (addr, port))
    assert s.recv(1) == b"x"
' "$2" "$3" "$4" 2>&1 | tail -n 1
	return "${PIPESTATUS[0]}"
}

# inner_maps OUTER [IFINDEX]: ids of the inner maps of the pinned map OUTER
# (of port IFINDEX's ingress set only)
inner_maps()
{
	bpftool -j map dump pinned "/sys/fs/bpf/tenguard/$TG_ID/$1" |
		jq --argjson ifx "${2:-null}" '
		def num: map(ltrimstr("0x") | ascii_downcase | explode |
			     reduce .[] as $c (0; . * 16 + if $c >= 97 then $c - 87
						   else $c - 48 end)) |
			 reduce reverse[] as $b (0; . * 256 + $b);
		.[] | select($ifx == null or ((.key[0:4] | num) == $ifx and
					      (.key[4:8] | num) == 0)) |
		.value | num'
}

# maps_size < IDS: how many maps, their memlock and entries, of maps.json
maps_size()
{
	jq -r --slurpfile ids /dev/stdin --slurpfile maps "$TMP/maps.json" -n '
		$maps[0] | map(select(.id as $i | $ids | index($i))) |
		"\(length) maps, \(map(.bytes_memlock) | add / 1024 |
		floor) KiB, \(map(.max_entries) | add) entries"'
}

ifindex() { on hv ip -j link show "$1" | jq '.[0].ifindex'; }

ping_() { on "$1" ping -q -c 1 -W 1 "$2"; }
ping6_() { on "$1" ping -6 -q -c 1 -W 1 "$2"; }

# hits RULE: packets rule RULE (or "default") of tgb1's ingress decided
hits()
{
	if [ "$1" = null ]; then
		ctl -j acl show tgb1 ingress | jq '.[0].default_hits'
	else
		ctl -j acl show tgb1 ingress | jq ".[0].rules[$1].hits"
	fi
}

# spot NAME CMD...: CMD does what EXPECT says of NAME, decided by its rule
spot()
{
	local name=$1 rule action before ok=0 what

	shift
	rule=$(jq -r ".$name.rule" "$TMP/expect.json")
	action=$(jq -r ".$name.action" "$TMP/expect.json")
	before=$(hits "$rule")
	"$@" > "$TMP/spot.out" 2>&1 && ok=1
	[ "$rule" = null ] && what="the default" || what="rule $rule"
	if [ $ok -ne $([ "$action" = allow ] && echo 1 || echo 0) ]; then
		sed 's/^/# /' "$TMP/spot.out"
		not_ok "$name: $action by $what, but it was $([ $ok = 1 ] && echo passed || echo dropped)"
	elif [ "$(hits "$rule")" -le "$before" ]; then
		not_ok "$name: $action, but $what did not count it ($before)"
	else
		ok "$name: $action by $what"
	fi
}

ktap_plan 20
hv_add
vm_add b1 tgb1 02:00:00:00:01:01 198.18.1.1/24 fd00:1::1/64
vm_add b2 tgb2 02:00:00:00:01:02 198.18.1.2/24 fd00:1::2/64
vm_add b3 tgb3 02:00:00:00:01:03 198.18.1.3/24 fd00:1::3/64
ports='{ "name": "tgb1", "macs": ["02:00:00:00:01:01"],
	 "addresses": ["198.18.1.1", "fd00:1::1"] },
       { "name": "tgb2", "macs": ["02:00:00:00:01:02"],
	 "addresses": ["198.18.1.2", "fd00:1::2"] },
       { "name": "tgb3", "macs": ["02:00:00:00:01:03"],
	 "addresses": ["198.18.1.3", "fd00:1::3"] }'
for i in $(seq $PORTS); do
	vm_add s$i tgs$i 02:00:00:00:05:0$i 198.18.5.$i/24
	ports="$ports, { \"name\": \"tgs$i\", \"macs\": [\"02:00:00:00:05:0$i\"],
	 \"addresses\": [\"198.18.5.$i\"] }"
done
echo "{ \"tenants\": [ { \"name\": \"blue\", \"id\": 100, \"ports\": [ $ports ] } ] }" \
	> "$TMP/base.json"

start=$(date +%s.%N)
check "generate the policy: $RULES rules on tgb1, $PORTS x $RULES on tgs1..tgs$PORTS" \
	$GEN "$TMP/base.json" "$TMP/policy.json" "$TMP/expect.json" "$RULES"
diag "generated in $(since "$start") s, $(($(stat -c %s "$TMP/policy.json") / 1024)) KiB"
check "the spot checks include the last rule and the default" \
	jq -e ".udp_b3_last.rule == $((RULES - 1)) and
	       .tcp_b3_default.rule == null and .tcp6_b3_default.rule == null" \
	"$TMP/expect.json"
start=$(date +%s.%N)
check "tenguardd --check accepts it" \
	on hv "$TENGUARDD" --check --policy "$TMP/policy.json"
diag "checked in $(since "$start") s"

check "a set past --max-acl-entries is refused, naming the limit" \
	refused_saying "1000" --max-acl-entries 1000
rm -rf "/sys/fs/bpf/tenguard/$TG_ID"

start=$(date +%s.%N)
check "the daemon loads $(( (PORTS + 1) * RULES )) rules and gets ready" daemon_ready
[ "$_ktap_fail" -eq 0 ] || { echo "Bail out! no daemon"; ktap_finish; }
diag "ready in $(since "$start") s"

start=$(date +%s.%N)
ctl -j acl show > "$TMP/acl.json"
diag "acl show -j of every set: $(since "$start") s"
check "acl show: tgb1 ingress has $RULES rules, default deny" \
	jq -e ".[] | select(.port == \"tgb1\" and .set == \"ingress\") |
	       (.rules | length) == $RULES and .default == \"deny\"" "$TMP/acl.json"
check "acl show: the node holds $(( (PORTS + 1) * RULES )) rules" \
	jq -e "[.[] | select(.port != null) | .rules // [] | length] | add ==
	       $(( (PORTS + 1) * RULES ))" "$TMP/acl.json"
check "acl show: the last rule as written" \
	jq -e ".[] | select(.port == \"tgb1\" and .set == \"ingress\") |
	       .rules[-1] | .index == $((RULES - 1)) and .action == \"allow\" and
	       .proto == \"udp\" and .ports == \"7000-7999\" and
	       .remote == \"198.18.1.3/32\"" "$TMP/acl.json"
bpftool -j map show > "$TMP/maps.json"
diag "memory of the rule sets (bpftool map show: memlock, max_entries):"
for m in tg_acl tg_acl_rules tg_acl_hits; do
	diag "  inner maps of $m: $(inner_maps $m | maps_size)"
done
diag "  tgb1's ingress trie: $(inner_maps tg_acl "$(ifindex tgb1)" | maps_size)"

servers
sleep 0.3
spot tcp_b2 try b2 tcp 198.18.1.1 5201
spot tcp_b2_range try b2 tcp 198.18.1.1 5202
spot udp_b3_last try b3 udp 198.18.1.1 7001
spot tcp_b3_wide try b3 tcp 198.18.1.1 5201
spot tcp_b3_default try b3 tcp 198.18.1.1 6001
spot ping_b2 ping_ b2 198.18.1.1
spot ping_b3 ping_ b3 198.18.1.1
spot ping6_b2 ping6_ b2 fd00:1::1
spot tcp6_b2 try b2 tcp fd00:1::1 5201
spot tcp6_b3_default try b3 tcp fd00:1::1 5201

# one rule of tgb1 changed: the whole policy is read and compiled again
jq ".tenants[0].ports[0].acl.ingress.rules[$((RULES / 2))] =
    { \"action\": \"deny\", \"proto\": \"udp\", \"ports\": 7001,
      \"remote\": \"198.18.1.3\" }" "$TMP/policy.json" > "$TMP/policy2.json"
mv "$TMP/policy2.json" "$TMP/policy.json"
n=$(grep -c reloaded "$TMP/tenguardd.log")
start=$(date +%s.%N)
kill -HUP "$TG_DAEMON_PID"
for i in $(seq 1500); do
	[ "$(grep -c reloaded "$TMP/tenguardd.log")" -gt "$n" ] && break
	sleep 0.1
done
check "a reload with one rule changed ($(since "$start") s)" \
	test "$(grep -c reloaded "$TMP/tenguardd.log")" -gt "$n"
check_fails "and the changed rule denies what the last one allowed" \
	try b3 udp 198.18.1.1 7001

ktap_finish
