#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Per-packet cost of the isolation programs against the number of ports,
# next to an empty tc program (bench/README.md). Builds nothing: `make bench`
# builds first. Arguments go to bench_isolation (-r, -n).
set -e

dir=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-build}
[[ $build == /* ]] || build=$dir/../$build
bench=$build/bench_isolation

if [[ $EUID -ne 0 ]]; then
	echo "bench: needs root (BPF_PROG_TEST_RUN of tc programs)" >&2
	exit 1
fi
if [[ ! -x $bench ]]; then
	echo "bench: $bench not built; run make bench" >&2
	exit 1
fi
# nothing is pinned, but libbpf and bpftool expect bpffs where it belongs
if ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf
fi

exec "$bench" "$@"
