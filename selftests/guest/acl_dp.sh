#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# acl_test (selftests/acl_test.c) on the guest's kernel, the oldest one
# supported: rule sets as inner maps of sizes other than the template's,
# the classifier as a global function, all through its verifier, and the
# verdicts the same as on the host. Needs no module.
#
# Runs only in the guest: scripts/vmtest.sh selftests/guest/acl_dp.sh
bin=${BUILD:-$(dirname "$0")/../../build}/selftests/acl_test
if [ -z "${TG_VM:-}" ]; then
	echo "1..0 # SKIP runs in the vmtest guest: scripts/vmtest.sh $0"
	exit 4
elif [ ! -x "$bin" ]; then
	echo "1..0 # SKIP no $bin (make)"
	exit 4
fi
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
exec "$bin"
