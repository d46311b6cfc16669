#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every selftest (TEST_PROGS and TEST_GEN_PROGS of the Makefile here),
# print their KTAP output, and close with one line counting the test points
# of all of them: "N passed, N failed, N skipped". Exit 1 if any failed.
cd "$(dirname "$0")" || exit 1
BUILD=${BUILD:-../build}
export BUILD=$(cd "$BUILD" && pwd)

progs=$(make -s --no-print-directory -f Makefile print-tests BUILD="$BUILD")
[ $# -gt 0 ] && progs="$*"
pass=0 fail=0 skip=0
for t in $progs; do
	echo "# selftests: tenguard: $t"
	out=$(mktemp)
	case $t in */*) cmd=$t ;; *) cmd=./$t ;; esac
	timeout "${TG_TEST_TIMEOUT:-1800}" "$cmd" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -cE '^ok [0-9]+' "$out")
	s=$(grep -cE '^ok [0-9]+.*# SKIP' "$out")
	f=$(grep -cE '^not ok [0-9]+' "$out")
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$f" -eq 0 ]; then
		# died before reporting a failure of its own
		echo "not ok $t exited $rc"
		fail=$((fail + 1))
	fi
	rm -f "$out"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
