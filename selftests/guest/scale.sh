#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scale_test (selftests/scale_test.c) in the vmtest guest: 10,000 ports
# registered and dumped back, all of them, consistently; timed.
#
# Runs only in the guest: scripts/vmtest.sh selftests/guest/scale.sh
bin=${BUILD:-$(dirname "$0")/../../build}/selftests/scale_test

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
