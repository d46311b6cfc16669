#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rate_test (selftests/rate_test.c) on the guest's kernel, the oldest one
# supported: the limiter's compare-and-exchange loops and its call beside
# the rule sets' through that verifier, and the same exact bursts. Needs no
# module.
#
# Runs only in the guest: scripts/vmtest.sh selftests/guest/rate_dp.sh
bin=${BUILD:-$(dirname "$0")/../../build}/selftests/rate_test
if [ -z "${TG_VM:-}" ]; then
	echo "1..0 # SKIP runs in the vmtest guest: scripts/vmtest.sh $0"
	exit 4
elif [ ! -x "$bin" ]; then
	echo "1..0 # SKIP no $bin (make)"
	exit 4
fi
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
exec "$bin"
