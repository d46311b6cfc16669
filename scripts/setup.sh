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
	procps psmisc kmod socat
	# the guest that tests the module (scripts/vmtest.sh)
	qemu-system-x86 busybox-static xz-utils
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

# The guest kernel of scripts/vmtest.sh: Debian's linux-image-amd64, unpacked
# as files into build/vm/KVER/root (never installed on this machine), at the
# ABI of the linux-headers-amd64 the module is built against. KVER comes from
# the metapackages, so the guest follows the mirror.
abi_of()	# METAPACKAGE-DEPENDS-TEXT -> 6.1.0-NN-amd64
{
	sed -n 's/.*linux-\(headers\|image\)-\([0-9][^ ,|]*-amd64\).*/\2/p' | head -n 1
}
# the lists of a fresh container may be empty even with every package in
apt-cache show linux-image-amd64 > /dev/null 2>&1 || apt-get update -q
kver=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | abi_of)
image_kver=$(apt-cache depends linux-image-amd64 2>/dev/null | abi_of)
if [ -n "$image_kver" ] && [ "$image_kver" != "$kver" ]; then
	# the mirror moved on: headers and image must be of one ABI
	echo "setup: linux-headers-amd64 is at $kver, linux-image-amd64 at $image_kver: upgrading the headers"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		linux-headers-amd64
	kver=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | abi_of)
fi
[ -n "$kver" ] || { echo "setup: cannot resolve the kernel ABI of linux-headers-amd64" >&2; exit 1; }

vm=$build/vm
if [ ! -f "$vm/$kver/root/boot/vmlinuz-$kver" ]; then
	rm -rf "$vm/$kver.tmp"
	mkdir -p "$vm/$kver.tmp"
	# the image of the headers' exact version when the mirror still has it
	hver=$(dpkg-query -W -f='${Version}' "linux-headers-$kver")
	(cd "$vm/$kver.tmp" &&
		{ apt-get download -q -o APT::Sandbox::User=root "linux-image-$kver=$hver" ||
		  apt-get download -q -o APT::Sandbox::User=root "linux-image-$kver"; })
	dpkg-deb -x "$vm/$kver.tmp"/linux-image-"$kver"_*.deb "$vm/$kver.tmp/root"
	rm -f "$vm/$kver.tmp"/*.deb
	rm -rf "$vm/$kver"
	mv "$vm/$kver.tmp" "$vm/$kver"
fi
# The bzImage's own payload as an ELF vmlinux: QEMU boots it through its PVH
# entry, skipping the firmware and the decompressor, 3-4 s under TCG.
if [ ! -f "$vm/$kver/vmlinux" ] && grep -qx 'CONFIG_PVH=y' "$vm/$kver/root/boot/config-$kver"; then
	bz=$vm/$kver/root/boot/vmlinuz-$kver
	for c in 'xz -dcq --single-stream' 'zstd -dcq' 'gzip -dcq'; do
		case $c in
		xz*) magic='\xfd7zXZ\x00' ;;
		zstd*) magic='\x28\xb5\x2f\xfd' ;;
		gzip*) magic='\x1f\x8b\x08' ;;
		esac
		for off in $(LC_ALL=C grep -obUaP "$magic" "$bz" | cut -d: -f1); do
			tail -c +$((off + 1)) "$bz" | $c > "$vm/$kver/vmlinux.tmp" 2> /dev/null || true
			[ "$(head -c 4 "$vm/$kver/vmlinux.tmp" | od -An -c | tr -d ' ')" = '177ELF' ] &&
				mv "$vm/$kver/vmlinux.tmp" "$vm/$kver/vmlinux" && break 2
		done
	done
	rm -f "$vm/$kver/vmlinux.tmp"
	[ -f "$vm/$kver/vmlinux" ] || echo "setup: no vmlinux in $bz: the guest boots the bzImage"
fi
# modules.dep is made by the package's postinst, which never ran
[ -f "$vm/$kver/root/lib/modules/$kver/modules.dep" ] ||
	depmod -b "$vm/$kver/root" "$kver"
# guest kernels of earlier ABIs
for d in "$vm"/*-amd64; do
	[ -d "$d" ] && [ "$d" != "$vm/$kver" ] && rm -rf "$d"
done

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
echo "setup: done"
