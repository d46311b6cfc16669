#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad policy files are refused whole, with a message naming the file, the
# field and why: by --check, at start (nothing pinned), and on SIGHUP (the
# running datapath keeps enforcing the last good policy). Node of topo.sh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
tg_require_root

# bad NAME EXPECT JQ-FILTER: a broken copy of the good policy
bad()
{
	jq "$3" "$TMP/good.json" > "$TMP/$1.json"
	BAD_NAMES+=("$1")
	BAD_EXPECT+=("$2")
}

# refused FILE EXPECT: --check fails and names the field
refused()
{
	local out

	out=$(on hv "$TENGUARDD" --check --policy "$1" 2>&1) && return 1
	echo "$out"
	grep -qF -- "$2" <<< "$out" && grep -qF -- "$1" <<< "$out"
}

# refused_reload EXPECT: the daemon logs a refused reload naming the field
refused_reload()
{
	local i

	for i in $(seq 50); do
		grep "reload refused" "$TMP/tenguardd.log" | grep -qF -- "$1" &&
			return 0
		sleep 0.1
	done
	return 1
}

topo_up
topo_policy "$TMP/good.json"
BAD_NAMES=() BAD_EXPECT=()
bad unknown-field 'tenants[0].ports[1]: unknown field "macz"' \
	'.tenants[0].ports[1].macz = .tenants[0].ports[1].macs'
bad duplicate-mac 'tenants[1].ports[0].macs[0]: duplicate MAC' \
	'.tenants[1].ports[0].macs = ["02:00:00:00:01:01"]'
bad address-two-tenants 'tenants[1].ports[0].addresses[0]' \
	'.tenants[1].ports[0].addresses = ["198.18.1.0/28"]'
bad unknown-port 'tenants[0].ports[2].name: no such interface "tgnope"' \
	'.tenants[0].ports[2].name = "tgnope"'
bad wrong-type 'tenants[0].id' '.tenants[0].id = "100"'
bad acl-ports 'tenants[0].ports[0].acl.ingress.rules[1].ports: ports need "proto" tcp' \
	'.tenants[0].ports[0].acl = {"ingress": {"default": "deny",
	   "rules": [{"action": "allow"}, {"action": "allow", "ports": 22}]}}'
bad acl-group 'tenants[0].ports[1].acl.egress.rules[0].remote_group: tenant "blue" declares no group "db"' \
	'.tenants[0].groups = {"web": 1} | .tenants[0].ports[1].acl =
	   {"egress": {"default": "allow",
	    "rules": [{"action": "deny", "remote_group": "db"}]}}'
bad rate-burst 'tenants[0].ports[0].rate.egress.burst: 1000 is below 1514 bytes (one full-size frame)' \
	'.tenants[0].ports[0].rate = {"egress": {"bps": "100M", "burst": 1000}}'
bad rate-shape 'tenants[0].ports[1].rate.egress.shape: shaping applies towards the VM only ("ingress")' \
	'.tenants[0].ports[1].rate = {"egress": {"bps": "1Gbit", "shape": true}}'
bad node-timeout 'node.conntrack.timeouts.udp: 0 is out of range 1..2147483647' \
	'.node = {"conntrack": {"timeouts": {"udp": 0}}}'
printf '{ "tenants": [ { "name": "blue", }\n' > "$TMP/syntax.json"
BAD_NAMES+=(syntax) BAD_EXPECT+=(".json:1:")

ktap_plan $((2 * ${#BAD_NAMES[@]} + 8))

check "the good policy passes --check" \
	on hv "$TENGUARDD" --check --policy "$TMP/good.json"
for i in "${!BAD_NAMES[@]}"; do
	check "--check refuses ${BAD_NAMES[$i]}" \
		refused "$TMP/${BAD_NAMES[$i]}.json" "${BAD_EXPECT[$i]}"
done
check_fails "the daemon refuses to start on a bad policy" \
	on hv "$TENGUARDD" --policy "$TMP/duplicate-mac.json"
check "and pins nothing" test ! -e /sys/fs/bpf/tenguard/$TG_ID
check "a policy larger than the maps is refused before anything is pinned" \
	eval 'out=$(on hv "$TENGUARDD" --policy "$TMP/good.json" --max-ports 3 2>&1);
	      [ $? -ne 0 ] && grep -qF "policy has 4 ports, the datapath holds 3" <<< "$out" &&
	      test ! -e /sys/fs/bpf/tenguard/$TG_ID'

cp "$TMP/good.json" "$TMP/policy.json"
daemon_start "$TMP/policy.json"
ctl -j port list > "$TMP/ports.before"
ctl -j tenant list >> "$TMP/ports.before"
for i in "${!BAD_NAMES[@]}"; do
	name=${BAD_NAMES[$i]}
	cp "$TMP/$name.json" "$TMP/policy.json"
	kill -HUP "$TG_DAEMON_PID"
	check "SIGHUP with $name refused, naming the field" \
		refused_reload "${BAD_EXPECT[$i]}"
done
ctl -j port list > "$TMP/ports.after"
ctl -j tenant list >> "$TMP/ports.after"
check "the programmed policy is unchanged" \
	diff "$TMP/ports.before" "$TMP/ports.after"
check "same tenant traffic still passes" \
	on b1 ping -q -c 2 -i 0.2 -W 1 198.18.1.2
check_fails "cross tenant traffic still dropped" \
	on b1 ping -q -c 2 -i 0.2 -W 1 -w 2 198.18.1.4
check "the daemon is still running" kill -0 "$TG_DAEMON_PID"

ktap_finish
