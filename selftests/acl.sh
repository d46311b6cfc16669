#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stateful ACLs in the datapath: rule sets on b1's port, attacked with real
# sockets between the blue VMs here and with crafted frames (acl_frames.py).
# Every drop stands next to its legitimate twin and must move exactly the
# drop counters it names; every pass must move none.
#
#   vm b1 .1.1 ::1    vm b2 .1.2 ::2    vm b3 .1.3 ::3    ns ext .1.50 ::50
#   eth0              eth0 (web)        eth0 (db)         eth0 (blue's host
#     |                 |                 |                 |  behind the
#   tgb1 ------------ tgb2 ----- br0 ---- tgb3 ------------ tgup  uplink)
#                                                           (VNI 10100)
# Red's r1 stays down: nothing but the test moves the counters.
#
# tgb1 ingress (towards b1, remote = source), default deny:
#    0 deny  tcp 8081        198.18.1.2        8 allow icmp type 8  198.18.1.2
#    1 allow tcp 8080-8089   198.18.1.0/28     9 allow icmp type 13 code 0
#    2 allow tcp 22                           10 allow icmpv6 type 128 fd00:1::2
#    3 allow udp 7000        group web        11 deny  udp 6666, log
#    4 allow udp 7100        198.18.1.3       12 allow udp 6667, log
#    5 deny  udp 7100                         13 allow tcp 5201    group web
#    6 allow tcp 8443        fd00:1::/124     14 allow sctp        198.18.1.2
#    7 allow udp 9000
# tgb1 egress (from b1, remote = destination), default allow:
#    0 deny  tcp 5001        198.18.1.2        5 deny  udp          198.18.1.3
#    1 deny  udp 5000-5009   fd00:1::/64       6 deny  icmp type 0  198.18.1.2
#    2 deny  icmp            198.18.1.3        7 deny  icmpv6 type 129 fd00:1::2
#    3 deny  udp 5100        group db          8 deny  tcp          fd00:1::3
#    4 deny  tcp             198.18.1.3        9 deny  icmpv6 type 128 fd00:1::3
# Egress rules 4-8 deny the replies of flows the ingress rules allow:
# those replies pass only because the flow is tracked. Conntrack's udp
# timeout is 2 s, so that an expired entry can be waited for.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
tg_require_root

MAC_EXT=02:00:00:00:01:50
# every port a server listens on, TCP and UDP, IPv4 and IPv6
SERVER_PORTS="22 5001 5002 5010 5100 5201 6666 6667 7000 7100 8079 8080
	      8081 8089 8090 8443 9000 9999 5000 5009 4999"

policy()
{
	cat <<JSON
{
  "tenants": [
    { "name": "blue", "id": 100, "segments": [ { "vni": 10100 } ],
      "groups": { "web": 1, "db": 2 },
      "ports": [
        { "name": "tgb1", "macs": ["$MAC_B1"],
          "addresses": ["198.18.1.1", "fd00:1::1"],
          "acl": {
            "ingress": { "default": "deny", "rules": [
              { "action": "deny", "proto": "tcp", "ports": 8081,
                "remote": "198.18.1.2" },
              { "action": "allow", "proto": "tcp", "ports": "8080-8089",
                "remote": "198.18.1.0/28" },
              { "action": "allow", "proto": "tcp", "ports": "22" },
              { "action": "allow", "proto": "udp", "ports": 7000,
                "remote_group": "web" },
              { "action": "allow", "proto": "udp", "ports": 7100,
                "remote": "198.18.1.3" },
              { "action": "deny", "proto": "udp", "ports": 7100 },
              { "action": "allow", "proto": "tcp", "ports": 8443,
                "remote": "fd00:1::/124" },
              { "action": "allow", "proto": "udp", "ports": 9000 },
              { "action": "allow", "proto": "icmp", "icmp_type": 8,
                "remote": "198.18.1.2" },
              { "action": "allow", "proto": "icmp", "icmp_type": 13,
                "icmp_code": 0 },
              { "action": "allow", "proto": "icmpv6", "icmp_type": 128,
                "remote": "fd00:1::2" },
              { "action": "deny", "proto": "udp", "ports": 6666,
                "log": true },
              { "action": "allow", "proto": "udp", "ports": 6667,
                "log": true },
              { "action": "allow", "proto": "tcp", "ports": 5201,
                "remote_group": 1 },
              { "action": "allow", "proto": 132, "remote": "198.18.1.2" }
            ] },
            "egress": { "default": "allow", "rules": [
              { "action": "deny", "proto": "tcp", "ports": 5001,
                "remote": "198.18.1.2" },
              { "action": "deny", "proto": "udp", "ports": "5000-5009",
                "remote": "fd00:1::/64" },
              { "action": "deny", "proto": "icmp", "remote": "198.18.1.3" },
              { "action": "deny", "proto": "udp", "ports": 5100,
                "remote_group": "db" },
              { "action": "deny", "proto": "tcp", "remote": "198.18.1.3" },
              { "action": "deny", "proto": "udp", "remote": "198.18.1.3" },
              { "action": "deny", "proto": "icmp", "icmp_type": 0,
                "remote": "198.18.1.2" },
              { "action": "deny", "proto": "icmpv6", "icmp_type": 129,
                "remote": "fd00:1::2" },
              { "action": "deny", "proto": "tcp", "remote": "fd00:1::3" },
              { "action": "deny", "proto": "icmpv6", "icmp_type": 128,
                "remote": "fd00:1::3" }
            ] } } },
        { "name": "tgb2", "macs": ["$MAC_B2"], "groups": ["web"],
          "addresses": ["198.18.1.2", "fd00:1::2"] },
        { "name": "tgb3", "macs": ["$MAC_B3"], "groups": ["db"],
          "addresses": ["198.18.1.3", "fd00:1::3"] }
      ] },
    { "name": "red", "id": 200,
      "ports": [
        { "name": "tgr1", "macs": ["$MAC_R1"],
          "addresses": ["198.18.1.4", "fd00:1::4"] }
      ] }
  ],
  "uplinks": [ { "name": "tgup", "segment": { "vni": 10100 } } ],
  "node": { "conntrack": { "timeouts": { "udp": 2 } } }
}
JSON
}

# an echo server on every SERVER_PORTS, TCP and UDP, both families
server()
{
	on_bg "$1" "$PY" -c '
import socket, sys, threading
def tcp(s):
    while True:
        c, _ = s.accept()
        c.settimeout(2)
        try:
            while True:
                d = c.recv(65536)
                if not d:
                    break
                c.sendall(d)
        except OSError:
            pass
        c.close()
def udp(s):
    while True:
        d, a = s.recvfrom(65536)
        s.sendto(d, a)
for p in map(int, sys.argv[1:]):
    for kind, fn in ((socket.SOCK_STREAM, tcp), (socket.SOCK_DGRAM, udp)):
        s = socket.socket(socket.AF_INET6, kind)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::", p))
        if kind == socket.SOCK_STREAM:
            s.listen(16)
        threading.Thread(target=fn, args=(s,), daemon=True).start()
print("listening", flush=True)
threading.Event().wait()
' $SERVER_PORTS > "$TMP/server-$1.log" 2>&1 &
	tg_on_exit kill $!
}

# probe NS tcp|udp ADDR PORT [BYTES]: BYTES (default 8) there and echoed
# back. A TCP connect gives up after 0.5 s, before the first SYN
# retransmission, so a denied connection costs exactly one SYN. UDP
# waits PROBE_WAIT seconds (0.5) for each of PROBE_COUNT (1) echoes.
probe()
{
	on "$1" "$PY" -c '
import os, socket, sys
proto, addr, port, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    int(sys.argv[4])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
data = bytes(i % 251 for i in range(size))
if proto == "tcp":
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(0.5)
    s.connect((addr, port))
    s.settimeout(2)
    s.sendall(data)
    got = b""
    while len(got) < size:
        d = s.recv(65536)
        if not d:
            break
        got += d
else:
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(float(os.environ.get("PROBE_WAIT", "0.5")))
    for i in range(int(os.environ.get("PROBE_COUNT", "1"))):
        s.sendto(data, (addr, port))
        got = s.recv(65536)
        if got != data:
            break
s.close()
sys.exit(0 if got == data else 1)
' "$2" "$3" "$4" "${5:-8}"
}

# probe_n COUNT ARGS...: probe with COUNT datagrams of one flow
probe_n() { PROBE_COUNT=$1 probe "${@:2}"; }

# late_reply PORT DELAY: b1 sends a datagram to b2:PORT, where a socket
# answers it DELAY seconds later; b1 waits for the answer
late_reply()
{
	local rc

	on b2 "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.1.2", int(sys.argv[1])))
s.settimeout(3)
d, a = s.recvfrom(64)
time.sleep(float(sys.argv[2]))
s.sendto(d, a)
' "$1" "$2" &
	sleep 0.3
	PROBE_WAIT=$(($2 + 2)) probe b1 udp 198.18.1.2 "$1"
	rc=$?
	wait $!
	return $rc
}

# ping1 NS ADDR [SIZE]: one echo request, its reply within a second
ping1() { on "$1" ping -q -n -c 1 -W 1 -s "${3:-56}" "$2"; }

drops() { ctl -j stats tgb1 | jq -c '.[0].drop | del(.dst_mac)'; }

# moved BEFORE AFTER: the counters that moved, as "name=delta" in order
moved()
{
	jq -rn --argjson a "$1" --argjson b "$2" \
		'[$b | to_entries[] | select(.value != $a[.key]) |
		  "\(.key)=\(.value - $a[.key])"] | join(" ")'
}

# passes NAME CMD...: CMD succeeds, and no drop counter of tgb1 moves
passes()
{
	local name=$1 before after got

	shift
	before=$(drops)
	"$@" > "$TMP/case.out" 2>&1
	local rc=$?
	after=$(drops)
	got=$(moved "$before" "$after")
	if [ $rc -eq 0 ] && [ -z "$got" ]; then
		ok "$name"
	else
		diag "$name: exit $rc, tgb1 drops moved: ${got:-none}"
		sed 's/^/# /' "$TMP/case.out" | tail -n 5
		not_ok "$name"
	fi
}

# denied NAME DROPS CMD...: CMD fails, and tgb1's drop counters move by
# exactly DROPS ("acl=1 fragment=2", in the counters' order)
denied()
{
	local name=$1 want=$2 before after got

	shift 2
	before=$(drops)
	"$@" > "$TMP/case.out" 2>&1
	local rc=$?
	after=$(drops)
	got=$(moved "$before" "$after")
	if [ $rc -ne 0 ] && [ "$got" = "$want" ]; then
		ok "$name"
	else
		diag "$name: exit $rc, tgb1 drops moved: ${got:-none}, wanted $want"
		not_ok "$name"
	fi
}

# the crafted cases, as points of this test (acl_frames.py speaks KTAP)
frames()
{
	local line

	while IFS= read -r line; do
		case $line in
		"ok "*) ok "${line#ok * - }" ;;
		"not ok "*) not_ok "${line#not ok * - }" ;;
		"# Totals"*) ;;
		"#"*) echo "$line" ;;
		esac
	done < <(BUILD=$BUILD "$PY" "$(dirname "$0")/acl_frames.py" "$TG_ID" 2>&1)
}

N_FRAMES=$("$PY" "$(dirname "$0")/acl_frames.py" --count)
ktap_plan $((N_FRAMES + 69))

topo_up
vm_add ext tgup $MAC_EXT 198.18.1.50/24 fd00:1::50/64
on r1 ip link set eth0 down
policy > "$TMP/policy.json"
if ! daemon_start "$TMP/policy.json"; then
	not_ok "tenguardd starts with the rule sets"
	ktap_finish
fi
ok "tenguardd starts with the rule sets"
check "rule sets programmed as written" \
	eval 'ctl -j acl show tgb1 | jq -e "map(.rules | length) == [15, 10]"'

# ---- crafted frames first, while no server answers them ----
# and no VM's stack resets the TCP flows acl_frames.py plays both ends of
for vm in b1 b2 b3 ext; do
	on $vm nft add table inet tg_quiet
	on $vm nft add chain inet tg_quiet out \
		'{ type filter hook output priority 0; }'
	on $vm nft add rule inet tg_quiet out tcp flags rst drop
done
frames
for vm in b1 b2 b3 ext; do
	on $vm nft delete table inet tg_quiet
done

for vm in b1 b2 b3 ext; do
	server $vm
done
for vm in b1 b2 b3 ext; do
	for i in $(seq 30); do
		grep -q listening "$TMP/server-$vm.log" && break
		sleep 0.1
	done
done

# ---- ingress: each match field, allowed and denied ----
denied "tcp 8079 from b3: below rule 1's range" acl=1 \
	probe b3 tcp 198.18.1.1 8079
passes "tcp 8080 from b3: rule 1's low edge" probe b3 tcp 198.18.1.1 8080
passes "tcp 8089 from b3: rule 1's high edge" probe b3 tcp 198.18.1.1 8089
denied "tcp 8090 from b3: above rule 1's range" acl=1 \
	probe b3 tcp 198.18.1.1 8090
denied "tcp 8080 from ext: outside rule 1's 198.18.1.0/28" acl=1 \
	probe ext tcp 198.18.1.1 8080
denied "tcp 8081 from b2: rule 0's deny shadows rule 1's allow" acl=1 \
	probe b2 tcp 198.18.1.1 8081
passes "tcp 8081 from b3: rule 0 is b2's only" probe b3 tcp 198.18.1.1 8081
passes "tcp 22 from b2 (rule 2: any remote)" probe b2 tcp 198.18.1.1 22
passes "tcp6 22 from b2 (rule 2: either family)" probe b2 tcp fd00:1::1 22
passes "tcp 22 from ext through the uplink" probe ext tcp 198.18.1.1 22
passes "udp 7000 from b2 (rule 3: group web)" probe b2 udp 198.18.1.1 7000
denied "udp 7000 from b3 (group db)" acl=1 probe b3 udp 198.18.1.1 7000
passes "udp6 7000 from b2 (the group holds its IPv6 address)" \
	probe b2 udp fd00:1::1 7000
denied "udp6 7000 from b3" acl=1 probe b3 udp fd00:1::1 7000
passes "tcp6 5201 from b2 (rule 13: group by id)" \
	probe b2 tcp fd00:1::1 5201
denied "tcp6 5201 from b3" acl=1 probe b3 tcp fd00:1::1 5201
passes "udp 7100 from b3: rule 4's allow shadows rule 5's deny" \
	probe b3 udp 198.18.1.1 7100
denied "udp 7100 from b2: rule 5's deny" acl=1 probe b2 udp 198.18.1.1 7100
passes "tcp6 8443 from b3 (rule 6: fd00:1::/124)" \
	probe b3 tcp fd00:1::1 8443
denied "tcp6 8443 from ext: outside fd00:1::/124" acl=1 \
	probe ext tcp fd00:1::1 8443
denied "tcp 8443 from b3: rule 6 is IPv6's" acl=1 \
	probe b3 tcp 198.18.1.1 8443
passes "udp 9000 from b2 (rule 7: proto udp)" probe b2 udp 198.18.1.1 9000
denied "tcp 9000 from b2: rule 7 is udp's" acl=1 probe b2 tcp 198.18.1.1 9000
passes "ping from b2 (rule 8: icmp type 8)" ping1 b2 198.18.1.1
denied "ping from b3: rule 8 is b2's" acl=1 ping1 b3 198.18.1.1
passes "ping6 from b2 (rule 10: icmpv6 type 128)" ping1 b2 fd00:1::1
denied "ping6 from b3: rule 10 is b2's" acl=1 ping1 b3 fd00:1::1
denied "tcp 9999 from b2: the default denies" acl=1 \
	probe b2 tcp 198.18.1.1 9999
denied "udp6 9999 from b2: the default denies" acl=1 \
	probe b2 udp fd00:1::1 9999

# ---- logging rules ----
denied "udp 6666 from b2: rule 11 denies" acl=1 probe b2 udp 198.18.1.1 6666
check "rule 11 logs the packet it denied" \
	wait_log "acl: tgb1 ingress rule 11 deny udp 198.18.1.2:[0-9]* -> 198.18.1.1:6666$"
passes "udp6 6667 from b3, two datagrams of one flow: rule 12 allows" \
	probe_n 2 b3 udp fd00:1::1 6667
check "rule 12 logs the packet it allowed" \
	wait_log "acl: tgb1 ingress rule 12 allow udp \[fd00:1::3\]:[0-9]* -> \[fd00:1::1\]:6667$"
check "rule 12 logs the first packet of its flow only" \
	test "$(grep -c 'rule 12 allow' "$TMP/tenguardd.log")" -eq 1

# ---- egress: each match field ----
denied "tcp to b2:5001 (egress rule 0)" acl=1 probe b1 tcp 198.18.1.2 5001
passes "tcp to b2:5002: the default allows" probe b1 tcp 198.18.1.2 5002
passes "udp6 to b2:4999: below egress rule 1's range" \
	probe b1 udp fd00:1::2 4999
denied "udp6 to b2:5000: egress rule 1's low edge" acl=1 \
	probe b1 udp fd00:1::2 5000
denied "udp6 to b2:5009: egress rule 1's high edge" acl=1 \
	probe b1 udp fd00:1::2 5009
passes "udp6 to b2:5010: above egress rule 1's range" \
	probe b1 udp fd00:1::2 5010
passes "udp to b2:5000: egress rule 1 is IPv6's" probe b1 udp 198.18.1.2 5000
denied "udp to b3:5100 (egress rule 3: group db)" acl=1 \
	probe b1 udp 198.18.1.3 5100
passes "udp to b2:5100: not in group db" probe b1 udp 198.18.1.2 5100
denied "tcp to b3 (egress rule 4: any port)" acl=1 \
	probe b1 tcp 198.18.1.3 22
denied "ping to b3 (egress rule 2: any icmp)" acl=1 ping1 b1 198.18.1.3
denied "ping6 to b3 (egress rule 9)" acl=1 ping1 b1 fd00:1::3
passes "tcp to ext through the uplink" probe b1 tcp 198.18.1.50 9999

# ---- replies pass without a rule ----
# opened by b1: the replies come back against the default deny
passes "tcp to b2: its replies pass ingress's default deny" \
	probe b1 tcp 198.18.1.2 9999 100000
passes "udp to b2: its reply passes" probe b1 udp 198.18.1.2 9999
passes "udp6 to b2: its reply passes" probe b1 udp fd00:1::2 9999
passes "ping to b2: its reply passes" ping1 b1 198.18.1.2
passes "ping6 to b2: its reply passes" ping1 b1 fd00:1::2
# opened towards b1: egress rules 4-8 deny the replies but for the flow
passes "tcp 22 from b3: replies pass egress rule 4" \
	probe b3 tcp 198.18.1.1 22 100000
passes "tcp6 22 from b3: replies pass egress rule 8" \
	probe b3 tcp fd00:1::1 22
passes "udp 7100 from b3: the reply passes egress rule 5" \
	probe b3 udp 198.18.1.1 7100
passes "ping from b2: the reply passes egress rule 6" ping1 b2 198.18.1.1
passes "ping6 from b2: the reply passes egress rule 7" ping1 b2 fd00:1::1

# ---- a udp "reply" after the entry expired ----
passes "udp reply from b2 after 1 s: within the 2 s udp timeout" \
	late_reply 5557 1
denied "udp reply from b2 after 3 s: the entry expired, new and denied" \
	acl=1 late_reply 5558 3

# ---- fragments ----
passes "ping -s 2000 from b2: both fragments pass, both ways" \
	ping1 b2 198.18.1.1 2000
denied "ping -s 2000 from b3: the first fragment denied, the rest with it" \
	"acl=1 fragment=1" ping1 b3 198.18.1.1 2000
passes "ping6 -s 2000 from b2: both fragments pass, both ways" \
	ping1 b2 fd00:1::1 2000
denied "ping6 -s 2000 from b3: the first fragment denied, the rest with it" \
	"acl=1 fragment=1" ping1 b3 fd00:1::1 2000
passes "4000-byte udp datagram to 7000 from b2 (3 fragments), echoed whole" \
	probe b2 udp 198.18.1.1 7000 4000
denied "4000-byte udp datagram to 7000 from b3 (3 fragments)" \
	"acl=1 fragment=2" probe b3 udp 198.18.1.1 7000 4000
passes "4000-byte udp6 datagram from b1 to b2, echoed whole" \
	probe b1 udp fd00:1::2 9999 4000
denied "4000-byte udp datagram from b1 to b3:5100 (egress rule 3)" \
	"acl=1 fragment=2" probe b1 udp 198.18.1.3 5100 4000

ktap_finish
