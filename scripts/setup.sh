#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything a fresh Debian 12 machine needs to build and test tenguard.
# Idempotent: packages already present are not fetched again, and the kselftest
# headers are unpacked from Debian's linux-source tarball only once.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${TG_BUILD:-$top/build}

pkgs=(
	# build
	make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
	libnl-3-dev libnl-genl-3-dev libmnl-dev libssl-dev libjansson-dev
	linux-source
	# the kernel module: Debian's headers for the kernel the guest boots
	linux-headers-amd64 sparse
	# tests
	iproute2 jq tcpdump iputils-ping ethtool python3-scapy iperf3 nftables
	procps psmisc kmod
	# the guest that tests the module (scripts/vmtest.sh)
	qemu-system-x86 busybox-static
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# kselftest_harness.h and kselftest.h come from the kernel source Debian ships;
# they are not copied into the repository.
ksft=$build/kselftest
if [ ! -f "$ksft/kselftest_harness.h" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.* 2>/dev/null | sort -V | tail -n 1)
	[ -n "$tarball" ] || { echo "setup: no linux-source tarball in /usr/src" >&2; exit 1; }
	srcdir=$(basename "$tarball" | sed 's/\.tar\..*//')
	mkdir -p "$ksft"
	tar -xf "$tarball" -C "$ksft" --strip-components=4 \
		"$srcdir/tools/testing/selftests/kselftest_harness.h" \
		"$srcdir/tools/testing/selftests/kselftest.h"
fi

# checkpatch.pl for `make style`, from the same tarball
cpdir=$build/checkpatch
if [ ! -f "$cpdir/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.* 2>/dev/null | sort -V | tail -n 1)
	srcdir=$(basename "$tarball" | sed 's/\.tar\..*//')
	mkdir -p "$cpdir"
	tar -xf "$tarball" -C "$cpdir" --strip-components=2 \
		"$srcdir/scripts/checkpatch.pl" "$srcdir/scripts/spelling.txt" \
		"$srcdir/scripts/const_structs.checkpatch"
fi

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
echo "setup: done"
