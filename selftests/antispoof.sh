#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Anti-spoofing: crafted frames from blue VM b1 (topo.sh) towards its
# neighbour b2, each dropped case next to its legitimate twin (frames.py).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
tg_require_root

topo_up
topo_policy "$TMP/policy.json"
if ! daemon_start "$TMP/policy.json"; then
	ktap_plan 1
	not_ok "tenguardd starts"
	ktap_finish
fi
# only b1 may move the counters of its port: b2 stays quiet, r1 and b3 off
on b2 ip addr flush dev eth0
on b2 sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
on r1 ip link set eth0 down
on b3 ip link set eth0 down
BUILD=$BUILD "$PY" "$(dirname "$0")/frames.py" "$TG_ID-b1" "$TG_ID-b2" tgb1
