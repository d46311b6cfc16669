#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest scripts/vmtest.sh boots, as the tests that run in it see it:
# Debian's kernel, the host's / read-only over 9p, the image's modules
# loading on demand, bpffs, tc clsact with a BPF program, and tenguard.ko
# loaded (unless the run is --no-module).
#
#   host /  --9p, ro-->  guest /          kernel $TG_VM_KVER
#   ns tg-PID-smoke:   tgs0 <--veth--> tgs1
#                      tgs0: clsact, smoke.bpf.o on ingress
#
# Runs only in the guest: scripts/vmtest.sh selftests/guest/smoke.sh
source "$(dirname "$0")/../lib.sh"

if [ -z "${TG_VM:-}" ]; then
	echo "1..0 # SKIP runs in the vmtest guest: scripts/vmtest.sh $0"
	exit $KSFT_SKIP
fi
obj=$BUILD/guest/smoke.bpf.o
iso=$BUILD/isolation.bpf.o
pins=/sys/fs/bpf/$TG_ID
tg_on_exit rm -rf "$pins"

ktap_plan 10
check "kernel is the image's $TG_VM_KVER" test "$(uname -r)" = "$TG_VM_KVER"
check "/ is the host's, over 9p, read-only" \
	eval 'findmnt -n -o FSTYPE,OPTIONS / | grep -Eq "^9p +ro,"'
check "bpffs on /sys/fs/bpf" test "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs
ns_add smoke
check "veth pair, its module loaded on demand" \
	on smoke ip link add tgs0 type veth peer name tgs1
check "clsact qdisc" on smoke tc qdisc add dev tgs0 clsact
if [ -f "$obj" ]; then
	check "BPF program pinned in bpffs" \
		bpftool prog load "$obj" "$pins-smoke" type classifier
	rm -f "$pins-smoke"
	check "BPF program attached at clsact ingress" \
		on smoke tc filter add dev tgs0 ingress bpf direct-action obj "$obj" sec tc
else
	skip "BPF program pinned in bpffs" "no $obj"
	skip "BPF program attached at clsact ingress" "no $obj"
fi
if [ -f "$iso" ]; then
	mkdir -p "$pins"
	check "the datapath (isolation.bpf.o) passes the $TG_VM_KVER verifier" \
		bpftool prog loadall "$iso" "$pins"
else
	skip "the datapath passes the verifier" "no $iso (make)"
fi
if [ "${TG_VM_MODULE:-0}" = 1 ]; then
	check "tenguard.ko loaded" test -d /sys/module/tenguard
	check "genetlink family tenguard registered" genl ctrl get name tenguard
else
	skip "tenguard.ko loaded" "vmtest --no-module"
	skip "genetlink family tenguard registered" "vmtest --no-module"
fi
ktap_finish
