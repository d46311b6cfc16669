#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The node most tests run on: four VMs of two tenants on one bridge.
#
#   vm b1 (blue)      vm b2 (blue)      vm b3 (blue)      vm r1 (red)
#   eth0 .1.1         eth0 .1.2         eth0 .1.3         eth0 .1.4
#     |                 |                 |                 |
#   tgb1 ------------ tgb2 ----- br0 ---- tgb3 ------------ tgr1    ns hv
#                     (ageing 0: the bridge floods every frame)
#
# Addresses: 198.18.1.N/24 and fd00:1::N/64 on every VM: red shares blue's
# subnet on purpose, so only tenguard keeps them apart.

MAC_B1=02:00:00:00:01:01
MAC_B2=02:00:00:00:01:02
MAC_B3=02:00:00:00:01:03
MAC_R1=02:00:00:00:02:01

topo_up()
{
	hv_add
	vm_add b1 tgb1 $MAC_B1 198.18.1.1/24 fd00:1::1/64
	vm_add b2 tgb2 $MAC_B2 198.18.1.2/24 fd00:1::2/64
	vm_add b3 tgb3 $MAC_B3 198.18.1.3/24 fd00:1::3/64
	vm_add r1 tgr1 $MAC_R1 198.18.1.4/24 fd00:1::4/64
}

# topo_policy FILE: the policy of this node
topo_policy()
{
	cat > "$1" <<JSON
{
  "tenants": [
    { "name": "blue", "id": 100,
      "ports": [
        { "name": "tgb1", "macs": ["$MAC_B1"],
          "addresses": ["198.18.1.1", "fd00:1::1"],
          "ethertypes": ["0x88b6"] },
        { "name": "tgb2", "macs": ["$MAC_B2"],
          "addresses": ["198.18.1.2", "fd00:1::2"] },
        { "name": "tgb3", "macs": ["$MAC_B3"],
          "addresses": ["198.18.1.3", "fd00:1::3"] }
      ] },
    { "name": "red", "id": 200,
      "ports": [
        { "name": "tgr1", "macs": ["$MAC_R1"],
          "addresses": ["198.18.1.4", "fd00:1::4"] }
      ] }
  ]
}
JSON
}
