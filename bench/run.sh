#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench (bench/README.md): the isolation programs against the number
# of ports, the ACL path against the number of rules (both through
# BPF_PROG_TEST_RUN), then real traffic through the same rule sets in
# tenguard and nftables; the rate limiter's cost (BPF_PROG_TEST_RUN), then
# how close real traffic comes to its limits, beside nftables' limit.
# Builds nothing: `make bench` builds first.
#
#   bench/run.sh                  all five
#   bench/run.sh isolation|acl|traffic|rate|rate-traffic [ARGS...]
#                                 one, ARGS to its program
set -e

dir=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-build}
[[ $build == /* ]] || build=$dir/../$build
export BUILD=$build

if [[ $EUID -ne 0 ]]; then
	echo "bench: needs root (BPF_PROG_TEST_RUN of tc programs, namespaces)" >&2
	exit 1
fi
for bin in bench_isolation bench_acl bench_flood bench_rate tenguardd \
	   tenguardctl; do
	if [[ ! -x $build/$bin ]]; then
		echo "bench: $build/$bin not built; run make bench" >&2
		exit 1
	fi
done
# nothing of the first two is pinned, but libbpf and bpftool expect bpffs
if ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf
fi

run()
{
	local what=$1

	shift
	case $what in
	isolation) "$build/bench_isolation" "$@" ;;
	acl) "$build/bench_acl" "$@" ;;
	traffic) "$dir/traffic.sh" "$@" ;;
	rate) "$build/bench_rate" "$@" ;;
	rate-traffic) "$dir/rate.sh" "$@" ;;
	*)
		echo "bench: what is \"$what\"? (isolation, acl, traffic, rate or rate-traffic)" >&2
		return 1
		;;
	esac
}

if [[ $# -gt 0 ]]; then
	run "$@"
	exit
fi
run isolation
echo
run acl
echo
run traffic
echo
run rate
echo
run rate-traffic
