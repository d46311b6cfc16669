#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What an operator sees of the ACLs: `tenguardctl acl show` counts what
# each rule decided, `conntrack list` shows the flows the rules let in and
# the state their packets moved them to, `conntrack stats` counts what a
# table too small for the node's flows evicted, and `stats` shows a
# quarantined port. Node of topo.sh, with a rule set on tgb1:
#
#   vm b1 .1.1         vm b2 .1.2 (group web)   vm b3 .1.3       vm r1
#     |                  |                        |                |
#   tgb1 --------------- tgb2 ------- br0 ------- tgb3 ----------- tgr1
#   ingress, default deny:
#     0 allow tcp 5201 from 198.18.1.2
#     1 allow icmp type 8 from 198.18.1.0/24, log
#     2 allow udp 7000-7999 from group web
#   egress: default allow, no rules
#
# tenguardd runs with --max-conntrack 64, so that some 200 UDP flows must
# evict most of each other.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
tg_require_root

CT_MAX=64

ping4() { on "$1" ping -q -c "${3:-2}" -i 0.05 -W 1 -w 3 "$2"; }

# acl PORT|host SET FILTER: FILTER on the rule set of `-j acl show`; SET
# unquoted, as "host" takes none
acl() { ctl -j acl show $1 $2 | jq -r ".[0]$3"; }
# acl_is PORT|host SET CONDITION: the rule set fulfils CONDITION
acl_is()
{
	ctl -j acl show $1 $2 | tee "$TMP/acl.json" |
		jq -e ".[0] | $3" > /dev/null || { cat "$TMP/acl.json"; return 1; }
}

# every rule set: the ports' by name and direction, then the node's
sets_in_order()
{
	ctl -j acl show | jq -e 'map("\(.port) \(.set)") |
		[index("tgb1 ingress"), index("tgb1 egress"), index("null host")] |
		all(. != null) and . == sort'
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
rule_hits() { acl tgb1 ingress ".rules[$1].hits"; }
default_hits() { acl tgb1 ingress ".default_hits"; }

# flow JQ-CONDITION: `-j conntrack list tgb1` has a flow that fulfils it
flow()
{
	ctl -j conntrack list tgb1 | tee "$TMP/flows.json" |
		jq -e "map(select($1)) | length > 0" > /dev/null ||
		{ jq -c '.[]' "$TMP/flows.json"; return 1; }
}

# a TCP server in b1 on port 5201 that echoes and holds each connection
tcp_server()
{
	on_bg b1 $PY -c '
import socket, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.1.1", 5201))
s.listen(8)
def serve(c):
    while True:
        d = c.recv(64)
        if not d:
            break
        c.sendall(d)
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
' &
	tg_on_exit kill $!
}

# tcp_hold NS SECONDS: connect to b1:5201, exchange a few bytes, hold the
# connection SECONDS, close; fails if the connection or echo fails
tcp_hold()
{
	on "$1" $PY -c '
import socket, sys, time
c = socket.create_connection(("198.18.1.1", 5201), timeout=2)
for i in range(3):
    c.sendall(b"x")
    if c.recv(1) != b"x":
        sys.exit(1)
time.sleep(float(sys.argv[1]))
c.close()
' "$2"
}

# a UDP echo server in b1 on port 7001
udp_server()
{
	on_bg b1 $PY -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.1.1", 7001))
while True:
    d, a = s.recvfrom(64)
    s.sendto(d, a)
' &
	tg_on_exit kill $!
}

udp_echo()
{
	on "$1" $PY -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b"x", ("198.18.1.1", 7001))
assert s.recv(1) == b"x"
'
}

# udp_flows NS N: N datagrams to b1, each from a port of its own
udp_flows()
{
	on "$1" $PY -c '
import socket, sys
for i in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x", ("198.18.1.1", 7002 + i % 900))
    s.close()
' "$2"
}

ifindex() { on hv ip -j link show "$1" | jq -e '.[0].ifindex'; }

# quarantine PORT on|off: the standalone way, straight into the pinned map
quarantine()
{
	local key

	key=$(printf '%08x' "$(ifindex "$1")" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4 \3 \2 \1/')
	if [ "$2" = on ]; then
		bpftool map update pinned "/sys/fs/bpf/tenguard/$TG_ID/tg_quarantine" \
			key hex $key value hex 01 00 00 00
	else
		bpftool map delete pinned "/sys/fs/bpf/tenguard/$TG_ID/tg_quarantine" \
			key hex $key
	fi
}

ktap_plan 26
topo_up
topo_policy "$TMP/topo.json"
jq '.tenants[0].groups = {"web": 1} |
    .tenants[0].ports[1].groups = ["web"] |
    .tenants[0].ports[0].acl = {
      "ingress": { "default": "deny", "rules": [
        { "action": "allow", "proto": "tcp", "ports": "5201",
          "remote": "198.18.1.2" },
        { "action": "allow", "proto": "icmp", "icmp_type": 8,
          "remote": "198.18.1.0/24", "log": true },
        { "action": "allow", "proto": "udp", "ports": "7000-7999",
          "remote_group": "web" } ] },
      "egress": { "default": "allow", "rules": [] } } |
    .node = { "protect": ["198.19.0.1"],
              "services": [ { "action": "allow", "proto": "udp",
                              "ports": 53, "remote": "198.19.0.1" } ],
              "conntrack": { "timeouts": { "udp": 20 } } }' \
	"$TMP/topo.json" > "$TMP/policy.json"

if ! "$TENGUARDD" --help 2>&1 | grep -q -- --max-conntrack; then
	skip "daemon starts with the ACL policy" "tenguardd has no --max-conntrack"
	for i in $(seq 25); do skip "ACL views" "no ACL datapath"; done
	ktap_finish
fi
check "daemon starts with the ACL policy" \
	daemon_start "$TMP/policy.json" --max-conntrack $CT_MAX

# what was programmed, before any traffic
check "acl show: ingress default deny, 3 rules in order" \
	acl_is tgb1 ingress '.default == "deny" and
	      (.rules | map(.index)) == [0, 1, 2]'
check "acl show: rule fields as the policy wrote them" \
	acl_is tgb1 ingress '.rules as $r |
	      $r[0].action == "allow" and $r[0].proto == "tcp" and
	      $r[0].ports == "5201" and $r[0].remote == "198.18.1.2/32" and
	      $r[0].flags == [] and
	      $r[1].proto == "icmp" and $r[1].icmp_type == 8 and
	      $r[1].flags == ["log"] and ($r[1] | has("icmp_code") | not) and
	      $r[2].ports == "7000-7999" and $r[2].remote_group == 1 and
	      ($r[2] | has("remote") | not)'
check "acl show: egress default allow, no rules" \
	acl_is tgb1 egress '.default == "allow" and .rules == []'
check "acl show: a port without rule sets is not filtered" \
	eval 'ctl -j acl show tgb2 | jq -e "length == 2 and all(.default == null)" &&
	      ctl acl show tgb2 | grep -q "^tgb2 ingress .*: not filtered$"'
check "acl show: the node's host set, its protected address and service" \
	acl_is host "" '.protected == ["198.19.0.1/32"] and
	      .default == "deny" and .rules[0].ports == "53"'
check "acl show without a port: tgb1's sets, then the node's" sets_in_order
check "acl show: a port not programmed is an error that names it" \
	fails_saying 'unknown port "tgx"' ctl acl show tgx
check "acl show: a bad word is asked about" \
	fails_saying 'What is "sideways"?' ctl acl show tgb1 sideways

# ICMP: the first echo request of a flow is decided by rule 1
hits=$(rule_hits 1)
check "ping allowed by the icmp rule" ping4 b2 198.18.1.1 3
check "the icmp rule's hits move ($hits -> $(rule_hits 1))" \
	test "$(rule_hits 1)" -gt "$hits"
check "conntrack list: the echo flow, opened towards the VM" \
	flow '.proto == "icmp" and .vm_addr == "198.18.1.1" and
	      .remote_addr == "198.18.1.2" and .origin == "ingress" and
	      .packets.ingress >= 3 and .packets.egress >= 3 and .rule == 1'

# denied: only b2 may open TCP 5201
tcp_server
sleep 0.3
dhits=$(default_hits)
drops=$(counter tgb1 .drop.acl)
check_fails "TCP from b3 denied by the default" tcp_hold b3 0
check "the default's hits move ($dhits -> $(default_hits))" \
	test "$(default_hits)" -gt "$dhits"
check "and the port counts acl drops" \
	test "$(counter tgb1 .drop.acl)" -gt "$drops"

# allowed: b2's connection, held open while it is looked at
hits=$(rule_hits 0)
tcp_hold b2 3 > "$TMP/tcp.out" 2>&1 &
tcp=$!
sleep 1
check "conntrack list: the TCP flow established, rule 0" \
	flow '.proto == "tcp" and .vm_port == 5201 and
	      .remote_addr == "198.18.1.2" and .origin == "ingress" and
	      .state == "established" and .rule == 0 and .expires > 3600 and
	      .packets.ingress >= 4 and .packets.egress >= 4'
check "conntrack list text names the flow" \
	eval 'ctl conntrack list | grep -E "^tgb1 +tcp +198\.18\.1\.1:5201 +198\.18\.1\.2:[0-9]+ +ingress +established"'
check "rule 0 counted the connection's opening only ($hits -> $(rule_hits 0))" \
	test "$(rule_hits 0)" -eq $((hits + 1))
check "the held connection ran to its end" wait $tcp

# UDP: a request and its reply
udp_server
sleep 0.3
check "UDP from the web group allowed, its reply passes" udp_echo b2
check "conntrack list: the UDP flow replied, expiring as a stream" \
	flow '.proto == "udp" and .vm_port == 7001 and .state == "replied" and
	      .rule == 2 and .expires > 20 and .expires <= 180'

# a table of 64 for some 200 flows
before=$(ctl -j conntrack stats)
udp_flows b2 200
after=$(ctl -j conntrack stats)
diag "conntrack stats before: $before"
diag "conntrack stats after:  $after"
check "conntrack stats: the table's size and the policy's timeouts" \
	jq -e ".max_entries == $CT_MAX and .timeouts.udp == 20 and
	       .timeouts.tcp_established == 432000" <<< "$after"
check "conntrack stats: 200 flows created, the table never over its size" \
	jq -e --argjson b "$before" '.created - $b.created >= 200 and
	       .entries <= .max_entries' <<< "$after"
check "conntrack stats: evictions counted" \
	jq -e --argjson b "$before" '.evicted - $b.evicted >= 100 and
	       .evicted == .created - .removed - .entries' <<< "$after"

# quarantine as stats shows it (standalone: the pinned map is the state)
check "stats: a port not quarantined says off" \
	test "$(counter tgb3 .quarantine)" = off
quarantine tgb3 on
check "stats: a quarantined port says on, and text says quarantined" \
	eval 'test "$(counter tgb3 .quarantine)" = on &&
	      ctl stats tgb3 | grep -q "^port: tgb3 (ifindex [0-9]*) quarantined$"'
quarantine tgb3 off

ktap_finish
