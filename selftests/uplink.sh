#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tenant segments leave the node through uplinks, one VXLAN device per
# segment: blue's VNI 10100, red's VNI 10200. A frame enters a VM only from
# its tenant's segment and leaves only on it, though every uplink sits on
# the one bridge. (VLAN uplinks run in the guest suite: this host kernel
# has no 802.1Q.)
#
#   vm b1 .1.1 (blue)   vm r1 .1.4 (red)
#       |                  |
#     tgb1               tgr1
#       +------ br0 -------+------------+               ns hv
#               |                       |
#       vx100 (VNI 10100)         vx200 (VNI 10200)
#       over tgul1 198.19.1.1     over tgul2 198.19.2.1
#               |                       |
#   ns rb: vx100 .1.50            ns rr: vx200 .1.60
#   (blue's remote host)          (red's remote host)
source "$(dirname "$0")/lib.sh"
tg_require_root

ktap_plan 9

hv_add
vm_add b1 tgb1 02:00:00:00:01:01 198.18.1.1/24
vm_add r1 tgr1 02:00:00:00:02:01 198.18.1.4/24

# remote NS VNI N MAC ADDR: a host behind its own underlay link and VXLAN
remote()
{
	local ns=$1 vni=$2 n=$3 mac=$4 addr=$5

	ns_add "$ns"
	ip link add tgul$n netns "$TG_ID-hv" type veth peer name ul \
		netns "$TG_ID-$ns"
	on hv ip addr add 198.19.$n.1/24 dev tgul$n
	on hv ip link set tgul$n up
	on "$ns" ip addr add 198.19.$n.2/24 dev ul
	on "$ns" ip link set ul up
	on hv ip link add vx$vni type vxlan id $vni local 198.19.$n.1 \
		remote 198.19.$n.2 dstport 4789
	on "$ns" ip link add vx$vni type vxlan id $vni local 198.19.$n.2 \
		remote 198.19.$n.1 dstport 4789
	on hv ip link set vx$vni master br0 up
	on "$ns" ip link set vx$vni address "$mac"
	on "$ns" ip addr add "$addr" dev vx$vni
	on "$ns" ip link set vx$vni up
}
remote rb 10100 1 02:00:00:00:01:50 198.18.1.50/24
remote rr 10200 2 02:00:00:00:02:60 198.18.1.60/24

cat > "$TMP/policy.json" <<JSON
{
  "tenants": [
    { "name": "blue", "id": 100, "segments": [ { "vni": 10100 } ],
      "ports": [ { "name": "tgb1", "macs": ["02:00:00:00:01:01"],
                   "addresses": ["198.18.1.1"] } ] },
    { "name": "red", "id": 200, "segments": [ { "vni": 10200 } ],
      "ports": [ { "name": "tgr1", "macs": ["02:00:00:00:02:01"],
                   "addresses": ["198.18.1.4"] } ] }
  ],
  "uplinks": [
    { "name": "vx10100", "segment": { "vni": 10100 } },
    { "name": "vx10200", "segment": { "vni": 10200 } }
  ]
}
JSON

ping4() { on "$1" ping -q -c 2 -i 0.2 -W 1 -w 3 "$2"; }

check "daemon programs VM ports and uplinks" daemon_start "$TMP/policy.json"
check "uplink programs attached" \
	eval 'on hv tc filter show dev vx10100 ingress | grep -q tg_from_uplink &&
	      on hv tc filter show dev vx10200 egress | grep -q tg_to_uplink'
check "blue VM reaches blue's remote host over VXLAN" ping4 b1 198.18.1.50
check "red VM reaches red's remote host over VXLAN" ping4 r1 198.18.1.60
check_fails "blue VM does not reach red's segment" ping4 b1 198.18.1.60
check_fails "red's remote host does not reach the blue VM" ping4 rr 198.18.1.1
check "blue frames stopped at red's uplink and counted" \
	test "$(counter vx10200 .drop.tenant)" -gt 0
on rb ip neigh replace 198.18.1.4 lladdr 02:00:00:00:02:01 dev vx10100
before=$(counter tgr1 .drop.tenant)
check_fails "blue's remote host does not reach the red VM" ping4 rb 198.18.1.4
check "and is counted at the red VM's port" \
	test "$(counter tgr1 .drop.tenant)" -gt "$before"

ktap_finish
