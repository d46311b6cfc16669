#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ACLs, node protection and quarantine through the module, in the guest:
# tenguardctl pushes tenants, ports (with groups), rule sets, the node's
# configuration and quarantine to tenguard.ko; tenguardd in module mode
# reads them back, programs the datapath and acknowledges each change;
# traffic between the VMs of topo.sh shows what is enforced.
#
#   vm b1 .1.1        vm b2 .1.2        vm b3 .1.3        vm r1 .1.4
#   tcp 5201          (group 1)         tcp 5201, 5202
#     |                 |                 |                 |
#   tgb1 ------------ tgb2 ---- br0 ----- tgb3 ------------ tgr1    ns hv
#                                |
#                              tghost (uplink, segment vlan 100: blue)
#                                |
#                              host0 198.18.1.254: tcp 8080, 8081
#
# The node's own stack sits behind an uplink of blue's segment, as in
# node.sh: what it sends straight from br0 carries no tenant and would
# reach no VM.
#
#   tgb1 ingress, default deny:           tgb1 egress, default deny:
#     0 allow tcp 5201 from 198.18.1.2      0 allow tcp 8080 to 198.18.1.254
#     1 allow icmp type 8 from group 1
#   node: 198.18.1.254 protected; service tcp 8080 on it;
#         remediation: tcp 5201 to 198.18.1.3
#   tgb3 ingress: 2,000 rules (sent in parts), the last but one
#         allowing tcp 5201 from 198.18.1.2
#
# Runs only in the guest: scripts/vmtest.sh selftests/guest/acl.sh
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

HOST=198.18.1.254

push() { on hv "$TENGUARDCTL" "$@"; }
ping4() { on "$1" ping -q -c 1 -W 2 -w 3 "$2"; }

# tcp NS ADDR PORT: a connection that echoes a line back (3 s at most);
# bash's /dev/tcp, as the guest is slow to start anything bigger
tcp()
{
	on "$1" timeout 3 bash -c \
		"exec 3<>/dev/tcp/$2/$3 && echo x >&3 && read -t 2 r <&3 &&
		 [ \"\$r\" = x ]"
}

# tcp_server NS ADDR PORT...: echo each line back, on every PORT of ADDR
tcp_server()
{
	local ns=$1 addr=$2

	shift 2
	on_bg "$ns" "$PY" -c '
import socket, sys, threading
def serve(c):
    with c:
        f = c.makefile("rb")
        for line in f:
            c.sendall(line)
def listen(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], port))
    s.listen(16)
    while True:
        threading.Thread(target=serve, args=(s.accept()[0],),
                         daemon=True).start()
for p in sys.argv[2:]:
    threading.Thread(target=listen, args=(int(p),), daemon=True).start()
threading.Event().wait()
' "$addr" "$@" &
	tg_on_exit kill $!
}

# listening NS PORT: a server listens on tcp PORT in NS (10 s)
listening()
{
	local i

	for i in $(seq 100); do
		[ -n "$(on "$1" ss -Hltn "sport = :$2")" ] && return 0
		sleep 0.1
	done
	return 1
}

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

ktap_plan 31
topo_up
ip link add tghost netns "$TG_ID-hv" type veth peer name host0 \
	netns "$TG_ID-hv"
on hv ip link set tghost master br0
on hv ip addr add $HOST/24 dev host0
on hv ip link set host0 up

cat > "$TMP/b1.json" <<JSON
{ "ingress": { "default": "deny", "rules": [
    { "action": "allow", "proto": "tcp", "ports": "5201",
      "remote": "198.18.1.2" },
    { "action": "allow", "proto": "icmp", "icmp_type": 8,
      "remote_group": 1 } ] },
  "egress": { "default": "deny", "rules": [
    { "action": "allow", "proto": "tcp", "ports": 8080,
      "remote": "$HOST" } ] } }
JSON
cat > "$TMP/node.json" <<JSON
{ "protect": ["$HOST"],
  "services": [ { "action": "allow", "proto": "tcp", "ports": 8080,
                  "remote": "$HOST" } ],
  "remediation": [ { "action": "allow", "proto": "tcp", "ports": 5201,
                     "remote": "198.18.1.3" } ],
  "conntrack": { "timeouts": { "tcp_syn": 30 } } }
JSON
# 1,998 rules that match nothing here, then the one that lets b2 in
jq -n '{ ingress: { default: "deny", rules: ([range(1998) |
	{ action: "allow", proto: "udp", ports: (10000 + .),
	  remote: "198.19.\(. / 256 | floor).\(. % 256)" }] +
	[{ action: "allow", proto: "tcp", ports: "5201",
	   remote: "198.18.1.2" },
	 { action: "deny", proto: "tcp", ports: "5202" }]) } }' \
	> "$TMP/b3.json"

# ---- the policy, pushed to the module ----

check "tenants and ports, b2 in group 1" \
	eval "push tenant add 100 blue segment vlan 100 &&
	      push tenant add 200 red &&
	      push port add tghost uplink segment vlan 100 &&
	      push port add tgb1 tenant 100 mac $MAC_B1 addr 198.18.1.1 &&
	      push port add tgb2 tenant 100 mac $MAC_B2 addr 198.18.1.2 group 1 &&
	      push port add tgb3 tenant 100 mac $MAC_B3 addr 198.18.1.3 &&
	      push port add tgr1 tenant 200 mac $MAC_R1 addr 198.18.1.4"
check "port show has the groups, and no quarantine" \
	json_is '.groups == [1] and .quarantine == "off"' \
	push -j port show tgb2
check "acl set pushes both directions of tgb1" push acl set tgb1 "$TMP/b1.json"
check "node set pushes the node's configuration" push node set "$TMP/node.json"
check "node show reads it back" \
	json_is '.protect == ["198.18.1.254/32"] and .flags == [] and
		 .services[0].ports == "8080" and
		 .services[0].remote == "198.18.1.254/32" and
		 .remediation[0].remote == "198.18.1.3/32" and
		 .conntrack.timeouts.tcp_syn == 30 and
		 .conntrack.timeouts.udp == 30' \
	push -j node show
check "a 2,000-rule set goes in several parts" \
	eval "TENGUARDCTL_DUMP=1 push acl set tgb3 '$TMP/b3.json' 2>&1 |
	      grep -c 'request .*TENGUARD_CMD_ACL_SET' | jq -e '. > 10'"
check "and is accepted whole" push acl set tgb3 "$TMP/b3.json"
check "the module's refusal is its extack message" \
	fails_saying "Error: " push acl set tghost "$TMP/b1.json"
echo '{ "ingress": { "default": "deny", "rules": [ { "action": "allow",
	"remote": "198.18.1.2", "proto": "icmpv6" } ] } }' > "$TMP/bad.json"
check "a rule that can never match is refused, naming it" \
	fails_saying "ingress.rules[0].proto" push acl set tgb1 "$TMP/bad.json"
echo '{ "conntrack": { "timeouts": { "udp": 0 } } }' > "$TMP/bad-node.json"
check "a bad timeout is refused, naming it" \
	fails_saying "conntrack.timeouts.udp" push node set "$TMP/bad-node.json"
check "acl del asks for a direction it knows" \
	fails_saying 'invalid direction "sideways"' push acl del tgb1 sideways
check "quarantine of a device that is no port: the module says why" \
	fails_saying "Error: " push port quarantine br0

# ---- the daemon programs it ----

check "tenguardd in module mode gets ready" daemon_start -
check "it acknowledges every port's generation" all_acked
check "acknowledged ports come up" \
	eval 'for p in tgb1 tgb2 tgb3 tgr1 tghost; do
		      on hv ip link set $p up || exit 1
	      done'
check "the datapath holds tgb3's 2,000 rules" \
	json_is '.[0].rules | length == 2000' \
	"$TENGUARDCTL" -j acl show tgb3 ingress

tcp_server b1 198.18.1.1 5201
tcp_server b3 198.18.1.3 5201 5202
tcp_server hv $HOST 8080 8081
listening b1 5201 && listening b3 5202 && listening hv 8081 ||
	diag "the test servers are not all listening"

# ---- rules ----

check "allowed by a rule: b2 reaches b1 on tcp 5201, its replies pass" \
	tcp b2 198.18.1.1 5201
check_fails "denied by the default: b3 does not" tcp b3 198.18.1.1 5201
check "allowed by a remote group: b2 (group 1) pings b1" ping4 b2 198.18.1.1
check_fails "b3 is in no group: its ping is denied" ping4 b3 198.18.1.1
check_fails "egress default deny: b1 opens nothing to b2" ping4 b1 198.18.1.2
check "the 2,000th-but-one rule lets b2 reach b3" tcp b2 198.18.1.3 5201
check_fails "and the last denies tcp 5202" tcp b2 198.18.1.3 5202

# ---- the node ----

check "a service on a protected address is reachable" tcp b2 $HOST 8080
check_fails "the rest of it is not: tcp 8081" tcp b2 $HOST 8081
check_fails "nor ping" ping4 b2 $HOST

# ---- quarantine ----

push port quarantine tgb2
all_acked > /dev/null
check "quarantine on: port show says so" \
	json_is '.quarantine == "on"' push -j port show tgb2
check_fails "a quarantined port loses what its tenant allowed" \
	tcp b2 198.18.1.1 5201
check "but reaches the remediation endpoint" tcp b2 198.18.1.3 5201
push port quarantine tgb2 off
all_acked > /dev/null
check "quarantine off: it is let back" tcp b2 198.18.1.1 5201

# ---- a rule set removed ----

push acl del tgb1 ingress
all_acked > /dev/null
check "acl del: tgb1's ingress is not filtered any more" tcp b3 198.18.1.1 5201

ktap_finish
