#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest tests of guest/, for run_tests.sh: each boots Debian's
# linux-image-amd64 under QEMU (scripts/vmtest.sh) with tenguard.ko, built
# against linux-headers-amd64, loaded. While kmod/ lacks a source its Kbuild
# names, they run without the module and the module's test points skip.
cd "$(dirname "$0")" || exit 1
KSFT_SKIP=4

kver=$(../scripts/vmtest.sh --print-kver)
vm=${TG_BUILD:-../build}/vm/$kver
if [ -z "$kver" ] || [ ! -d "$vm/root/lib/modules/$kver" ] ||
   ! command -v qemu-system-x86_64 > /dev/null; then
	echo "1..0 # SKIP no guest kernel ${kver:-(no linux-headers-amd64)}: run scripts/setup.sh"
	exit $KSFT_SKIP
fi

# the objects kmod/Kbuild links into tenguard.ko, continuation lines joined
objs=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' ../kmod/Kbuild 2>/dev/null |
	sed -n 's/^tenguard-y[[:space:]]*[:+]\{0,1\}=//p')
missing=
for o in $objs; do
	[ -f "../kmod/${o%.o}.c" ] || missing+=" kmod/${o%.o}.c"
done
if [ -z "$objs" ] || [ -n "$missing" ]; then
	echo "# guest: no${missing:- kmod/Kbuild}: the guest runs without tenguard.ko"
	exec guest/run_guest.sh --no-module
fi
exec guest/run_guest.sh
