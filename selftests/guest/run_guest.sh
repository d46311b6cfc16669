#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_guest.sh [--no-module] [TEST...]: run each test of selftests/guest/
# (all of them when none is named) in a fresh boot of the scripts/vmtest.sh
# guest, one boot per test so that a splat is the test's that caused it.
# Prints their KTAP and what vmtest.sh adds; exits 1 if any failed, 4 if
# all skipped. VMTEST_TIMEOUT (seconds, default 300) bounds each boot.
cd "$(dirname "$0")/../.." || exit 1
mkdir -p "${BUILD:-build}/guest"
BUILD=$(cd "${BUILD:-build}" && pwd)
export BUILD

opts=()
if [ "${1:-}" = --no-module ]; then
	opts+=(--no-module)
	shift
fi
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	for t in selftests/guest/*.sh; do
		[ "$t" = selftests/guest/run_guest.sh ] || tests+=("${t##*/}")
	done
fi

# BPF fixtures of the tests, built here where clang is quick
for src in selftests/guest/*.bpf.c; do
	[ -e "$src" ] || continue
	obj=$BUILD/guest/$(basename "$src" .c).o
	[ "$obj" -nt "$src" ] && continue
	clang -O2 -g -Wall -Werror -target bpf -I"/usr/include/$(gcc -dumpmachine)" \
		-c "$src" -o "$obj" 2>&1 | sed 's/^/# /'
done

# the C selftests they run ($BUILD/selftests/NAME_test): `make test` built
# them, but a run of this script alone must not use stale ones
bins=$(sed -n 's/^run_c_test \([a-z_]*_test\).*/selftests\/\1/p' \
	selftests/guest/*.sh | sort -u)
[ -n "$bins" ] && make -s BUILD="$BUILD" ${bins//selftests\//$BUILD/selftests/} 2>&1 |
	sed 's/^/# make: /'

rc=4
for t in "${tests[@]}"; do
	echo "# guest: $t"
	scripts/vmtest.sh "${opts[@]}" --timeout "${VMTEST_TIMEOUT:-300}" "selftests/guest/$t"
	case $? in
	0) [ $rc = 4 ] && rc=0 ;;
	4) ;;
	*) rc=1 ;;
	esac
done
exit $rc
