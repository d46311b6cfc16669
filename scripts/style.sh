#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict over kmod/ and bpf/ (kernel code), plain over
# userspace/, bench/ and selftests/ C. checkpatch.pl comes from Debian's
# linux-source tarball (scripts/setup.sh unpacks it into build/).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cp=${BUILD:-$top/build}/checkpatch/checkpatch.pl
[ -x "$cp" ] || "$top/scripts/setup.sh" >/dev/null
cd "$top" || exit 1
rc=0
run()
{
	local f

	for f in "${@:2}"; do
		[ -f "$f" ] || continue
		case $f in *.mod.c) continue ;; esac	# Kbuild's, generated
		"$cp" --no-tree --terse --show-types $1 \
			--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES -f "$f" |
			grep -v '^total:' && rc=1
	done
}
run --strict kmod/*.c kmod/*.h bpf/*.c bpf/*.h
# uapi: "enum {...}; #define X_MAX" is the kernel's own uapi idiom
run "--strict --ignore LINE_SPACING" include/uapi/linux/*.h
# userspace: help texts are split strings; there is no __printf or __func__
# habit to follow outside the kernel
run "--ignore SPLIT_STRING,MISSING_SPACE,PREFER_DEFINED_ATTRIBUTE_MACRO,EMBEDDED_FUNCTION_NAME,ARRAY_SIZE" \
	userspace/*.c userspace/*.h bench/*.c
[ $rc -eq 0 ] && echo "style: clean"
exit $rc
