#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rule changes are atomic: b2 pings b1 every 2 ms and streams TCP to it
# while the policy is reloaded 1,000 times, each time with another first
# rule in tgb1's ingress set (a new rule set, new serial: every tracked
# flow is re-checked at its next packet). Not one packet may be lost. Then
# updates that deny both flows: from the first, nothing of them reaches b1.
#
#   vm b1 .1.1                         vm b2 .1.2
#   tcp 5001 receiver                  ping -i 0.002, tcp 5001 sender
#     |                                  |
#   tgb1 ------------- br0 ------------ tgb2                       ns hv
#   ingress, default deny:
#     0 deny tcp 10000+N from 198.19.x.y    (changes with every update)
#     1 allow icmp type 8 from 198.18.1.2
#     2 allow tcp 5001 from 198.18.1.2
#     3..502 deny udp 20000+K from 198.19.x.y   (the same every time)
#   denying updates insert before 1:
#       deny from 198.18.1.2
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
tg_require_root

UPDATES=${TG_ACL_UPDATES:-1000}
DENIALS=${TG_ACL_DENIALS:-100}
# rules behind the flows' own, so that each update has some entries to
# build: a half-built set would have time to be seen
FILLER=${TG_ACL_FILLER:-500}
HELPER="$PY $(dirname "$0")/acl_update.py"

# snmp NS PROTO FIELD: a counter of /proc/net/snmp in the namespace
snmp()
{
	on "$1" awk -v p="$2:" -v f="$3" '
		$1 == p && !n { for (i = 2; i <= NF; i++) k[i] = $i; n = 1; next }
		$1 == p { for (i = 2; i <= NF; i++) if (k[i] == f) print $i }' \
		/proc/net/snmp
}
# drops PORT: the port's drop counters that are not 0, but for frames of
# red's r1 and frames between other VMs, which the flooding bridge brings
drops()
{
	ctl -j stats "$1" | jq -c '.[0].drop | del(.tenant, .dst_mac) |
		with_entries(select(.value > 0))'
}
# updates COUNT FIRST TEMPLATE: COUNT reloads, each waited for
updates()
{
	local rc

	$HELPER reload "$3" "$TMP/policy.json" "$TMP/tenguardd.log" \
		"$TG_DAEMON_PID" "$1" "$2" > "$TMP/updates.out" 2>&1
	rc=$?
	cat "$TMP/updates.out"
	return $rc
}
received() { cat "$TMP/recv.count" 2> /dev/null || echo 0; }

ktap_plan 15
topo_up
topo_policy "$TMP/topo.json"
jq '.tenants[0].ports[0].acl = {
      "ingress": { "default": "deny", "rules": ([
        { "action": "deny", "proto": "tcp", "ports": 9999,
          "remote": "198.19.255.255" },
        { "action": "allow", "proto": "icmp", "icmp_type": 8,
          "remote": "198.18.1.2" },
        { "action": "allow", "proto": "tcp", "ports": 5001,
          "remote": "198.18.1.2" } ] +
      [ range('"$FILLER"') | { "action": "deny", "proto": "udp",
          "ports": (20000 + .),
          "remote": "198.19.\(. / 256 | floor).\(. % 256)" } ]) } }' \
	"$TMP/topo.json" > "$TMP/allow.json"
jq '.tenants[0].ports[0].acl.ingress.rules |=
      .[:1] + [ { "action": "deny", "remote": "198.18.1.2" } ] + .[1:]' \
	"$TMP/allow.json" > "$TMP/deny.json"
cp "$TMP/allow.json" "$TMP/policy.json"

check "daemon starts with tgb1's ingress rule set" \
	daemon_start "$TMP/policy.json"
[ "$_ktap_fail" -eq 0 ] || { echo "Bail out! no daemon"; ktap_finish; }

on_bg b1 $HELPER recv 198.18.1.1 5001 "$TMP/recv.count" \
	2> "$TMP/recv.err" &
recv=$!
tg_on_exit kill $recv
sleep 0.3
on_bg b2 $HELPER send 198.18.1.1 5001 2> "$TMP/send.err" &
send=$!
tg_on_exit kill $send
sleep 1
check "the TCP stream flows ($(received) bytes)" test "$(received)" -gt 50000

# ---- updates that keep both flows allowed; the ping counted while it
# does not run, so that every request is either arrived or lost
out_echos=$(snmp b2 Icmp OutEchos)
in_echos=$(snmp b1 Icmp InEchos)
out_reps=$(snmp b1 Icmp OutEchoReps)
in_reps=$(snmp b2 Icmp InEchoReps)
retrans=$(snmp b2 Tcp RetransSegs)
drops1=$(drops tgb1)
drops2=$(drops tgb2)
serial=$(ctl -j acl show tgb1 ingress | jq '.[0].serial')
on_bg b2 ping -q -i 0.002 198.18.1.1 > "$TMP/ping.out" 2>&1 &
ping=$!
tg_on_exit kill $ping
sleep 0.3
check "$UPDATES policy updates, each reloaded" updates "$UPDATES" 0 \
	"$TMP/allow.json"
took=$(cat "$TMP/updates.out")
bytes=$(received)
sleep 0.5
kill -INT $ping
wait $ping
sleep 0.1
diag "ping: $(grep transmitted "$TMP/ping.out")"
diag "TCP retransmissions of b2 meanwhile: $(($(snmp b2 Tcp RetransSegs) - retrans))"
check "each update installed a new rule set (serial $serial -> $(ctl -j acl show tgb1 ingress | jq '.[0].serial'))" \
	eval "ctl -j acl show tgb1 ingress | jq -e '.[0].serial != $serial and
	      .[0].rules[0].ports == \"$((10000 + UPDATES - 1))\"'"
sent=$(($(snmp b2 Icmp OutEchos) - out_echos))
got=$(($(snmp b1 Icmp InEchos) - in_echos))
check "every echo request reached b1 ($got of $sent)" \
	test "$sent" -gt 50 -a "$got" -eq "$sent"
sent=$(($(snmp b1 Icmp OutEchoReps) - out_reps))
got=$(($(snmp b2 Icmp InEchoReps) - in_reps))
check "every echo reply reached b2 ($got of $sent)" \
	test "$sent" -gt 50 -a "$got" -eq "$sent"
check "no packet of b1 or b2 dropped (tgb1 $drops1 -> $(drops tgb1), tgb2 $drops2 -> $(drops tgb2))" \
	test "$(drops tgb1)" = "$drops1" -a "$(drops tgb2)" = "$drops2"
check "the TCP stream never broke, still moving after the updates ($bytes -> $(received) bytes, all in order)" \
	eval "kill -0 $recv && kill -0 $send && test $(received) -gt $bytes"

# ---- updates that deny both flows
on_bg b2 ping -q -i 0.002 198.18.1.1 > "$TMP/ping.out" 2>&1 &
ping=$!
tg_on_exit kill $ping
sleep 0.3
acl=$(counter tgb1 .drop.acl)
check "the first denying update reloaded" updates 1 "$UPDATES" "$TMP/deny.json"
echos0=$(snmp b1 Icmp InEchos)
segs0=$(snmp b1 Tcp InSegs)
sleep 0.2
echos1=$(snmp b1 Icmp InEchos)
segs1=$(snmp b1 Tcp InSegs)
check "in force when the daemon says reloaded: echo requests $echos0 -> $echos1, TCP segments $segs0 -> $segs1" \
	test $((echos1 - echos0)) -le 1 -a $((segs1 - segs0)) -le 1
check "$DENIALS more updates that all deny the flows" \
	updates "$DENIALS" $((UPDATES + 1)) "$TMP/deny.json"
sleep 0.3
echos2=$(snmp b1 Icmp InEchos)
segs2=$(snmp b1 Tcp InSegs)
check "no echo request leaked to b1 meanwhile ($echos1 -> $echos2)" \
	test "$echos2" -eq "$echos1"
check "no TCP segment leaked to b1 meanwhile ($segs1 -> $segs2)" \
	test "$segs2" -eq "$segs1"
check "the denied packets counted as acl ($acl -> $(counter tgb1 .drop.acl))" \
	test "$(counter tgb1 .drop.acl)" -ge $((acl + 50))
check "the receiver got nothing more and saw nothing wrong" \
	eval "kill -0 $recv && ! test -s $TMP/recv.err"
diag "allowed updates: $took"
diag "denying updates: $(cat "$TMP/updates.out")"

ktap_finish
