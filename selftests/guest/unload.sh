#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# unload_test (selftests/unload_test.c) in the vmtest guest: rmmod and
# insmod of tenguard.ko 100 times with ports registered, a packet socket
# holding one promiscuous and events unread; the guards go, give back what
# they held, leak nothing, and the kernel log stays clean.
#
# Runs only in the guest: scripts/vmtest.sh selftests/guest/unload.sh
bin=${BUILD:-$(dirname "$0")/../../build}/selftests/unload_test

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
# the module the rig loaded, which the test unloads and loads again
export TG_KO=$(cd "$(dirname "$0")/../.." && pwd)/kmod/tenguard.ko
exec "$bin"
