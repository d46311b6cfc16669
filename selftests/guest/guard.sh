#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guard_test (selftests/guard_test.c) in the vmtest guest: promiscuous mode
# through `ip link` and tcpdump reverted, MAC changes and foreign masters
# refused, UP before the ack refused; one event each, naming the process.
#
# Runs only in the guest: scripts/vmtest.sh selftests/guest/guard.sh
bin=${BUILD:-$(dirname "$0")/../../build}/selftests/guard_test

if [ -z "${TG_VM:-}" ]; then
	echo "1..0 # SKIP runs in the vmtest guest: scripts/vmtest.sh $0"
	exit 4
elif [ "${TG_VM_MODULE:-0}" != 1 ]; then
	echo "1..0 # SKIP needs tenguard.ko (the guest runs --no-module)"
	exit 4
elif [ ! -x "$bin" ]; then
	echo "1..0 # SKIP no $bin (make)"
	exit 4
fi
exec "$bin"
