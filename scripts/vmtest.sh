#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh [OPTIONS] CMD [ARG...]: run CMD as root in a QEMU guest booting
# Debian's linux-image-amd64, with tenguard.ko, built here against the
# matching linux-headers-amd64, loaded. CMD's output (KTAP) comes to stdout,
# its exit status is vmtest.sh's.
#
#   host                                    guest (TCG: KVM hangs here)
#   build/vm/KVER/vmlinux (the image's) --> kernel; console ttyS0 -> console.log
#   initramfs: busybox, virtio, 9p -------> /init: mounts the host's / over
#                                           virtio-9p, read-only; switch_root
#   /  (9p, read-only) -------------------> /; tmpfs on /tmp /run /var/tmp
#   build/vm/KVER/root/lib/modules -------> bound on /lib/modules
#   build/vm/run-*/guest.sh --------------> PID 1: insmod kmod/tenguard.ko;
#                                           cd REPO; CMD; rmmod; dmesg; off
#   stdout <------------------------------- ttyS1: CMD's output and status,
#                                           the guest's dmesg
#
# The run fails when CMD fails; when the guest is not done within the timeout
# (QEMU is killed); when the module does not build, load or unload; and when
# the guest kernel logs a splat (WARNING, BUG, Oops, refcount, lockdep, KASAN,
# UBSAN, general protection fault, hung task, RCU stall) or taints itself
# with one. Each failure the rig finds itself is a "not ok" line numbered
# after CMD's own test points.
#
# Exit status: CMD's when the rig found nothing wrong; else 124 when the guest
# timed out, 125 when CMD did not run to its end (the module did not build or
# load, the guest did not boot or crashed), 1 when CMD passed but the rig
# found something wrong.
set -u
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
vm=${TG_BUILD:-$top/build}/vm		# where scripts/setup.sh unpacks the image

# the kernel ABI of the headers Debian's metapackage points at, which is the
# image's too (setup.sh keeps them in step)
resolve_kver()
{
	dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		sed -n 's/^linux-headers-\([0-9][^ ,|]*-amd64\).*/\1/p'
}

usage()
{
	cat <<EOF
usage: vmtest.sh [--no-module] [--timeout SEC] [--keep] CMD [ARG...]
       vmtest.sh --print-kver
  --no-module    neither build nor load kmod/tenguard.ko
  --timeout SEC  kill the guest after SEC seconds, a failure (default 300)
  --keep         keep the run directory (console.log, dmesg) under build/vm/
  --print-kver   print the guest kernel's release and exit
CMD runs in the repository, as root, in a guest whose / is the host's,
read-only; /tmp and /run are the guest's own (a repository or image there
is bound in from the host). KVER=... overrides the kernel.
EOF
	exit "$1"
}

module=1
timeout_s=300
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--no-module) module=0 ;;
	--timeout) timeout_s=${2:-}; shift ;;
	--timeout=*) timeout_s=${1#*=} ;;
	--keep) keep=1 ;;
	--print-kver) resolve_kver; exit ;;
	-h | --help) usage 0 ;;
	--) shift; break ;;
	-*) echo "vmtest: What is \"$1\"?" >&2; usage 1 >&2 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || usage 1 >&2
case $timeout_s in
'' | *[!0-9]*) echo "vmtest: --timeout wants seconds, not \"$timeout_s\"" >&2; exit 1 ;;
esac

ktap_n=0		# the last test point number, CMD's or ours
saw_not_ok=0
rig_failed=0
status=		# our exit status once decided

diag()
{
	echo "# vmtest: $*"
}

not_ok()
{
	rig_failed=1
	ktap_n=$((ktap_n + 1))
	echo "not ok $ktap_n vmtest: $*"
}

# rig_fail MSG: the rig itself failed before CMD ran
rig_fail()
{
	not_ok "$*"
	exit 125
}

KVER=${KVER:-$(resolve_kver)}
[ -n "$KVER" ] || rig_fail "linux-headers-amd64 is not installed: run scripts/setup.sh"
root=$vm/$KVER/root
# the ELF vmlinux setup.sh unpacks boots through PVH, without the firmware and
# the bzImage's decompressor: 3-4 s less under TCG
kernel=$vm/$KVER/vmlinux
[ -f "$kernel" ] || kernel=$root/boot/vmlinuz-$KVER
kdir=/lib/modules/$KVER/build
[ -f "$kernel" ] && [ -f "$root/lib/modules/$KVER/modules.dep" ] ||
	rig_fail "no guest kernel $KVER in $vm: run scripts/setup.sh"
for tool in qemu-system-x86_64 busybox modprobe timeout flock; do
	command -v "$tool" > /dev/null || rig_fail "no $tool: run scripts/setup.sh"
done

# the guest has its own /tmp, /run and /var/tmp: a repository or image
# there is bound back into the guest from the host (a CI may clone to /tmp)
binds=
for d in "$top" "$vm"; do
	case $d/ in
	/dev/* | /proc/* | /sys/*)
		rig_fail "$d is not the host's in the guest" ;;
	/tmp/* | /run/* | /var/tmp/*)
		binds+=" $d" ;;
	esac
done

mkdir -p "$vm"
run=$(mktemp -d "$vm/run-XXXXXX")
echo "$binds" > "$run/binds"

cleanup()
{
	local pid

	# only the QEMU this run started, by the PID it wrote
	pid=$(cat "$run/qemu.pid" 2>/dev/null)
	if [ -n "$pid" ] && grep -qs qemu "/proc/$pid/cmdline"; then
		kill -KILL "$pid" 2>/dev/null
	fi
	if [ "$keep" = 1 ]; then
		echo "# vmtest: kept $run" >&2
	else
		rm -rf "$run"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- the module --------------------------------------------------------------

ko=$top/kmod/tenguard.ko
if [ "$module" = 1 ]; then
	[ -f "$top/kmod/Kbuild" ] || rig_fail "no kmod/Kbuild (--no-module runs without it)"
	[ -d "$kdir" ] || rig_fail "no headers in $kdir: run scripts/setup.sh"
	# Kbuild builds in the tree (kmod/*.o, *.ko are ignored by git); the lock
	# keeps two runs from building at once
	if ! flock "$vm/.module.lock" make -C "$kdir" M="$top" -j"$(nproc)" modules \
			> "$run/module.log" 2>&1; then
		grep -E 'error|warning|Error' "$run/module.log" | head -n 40 | sed 's/^/# /'
		rig_fail "kmod/tenguard.ko does not build against the $KVER headers"
	fi
	grep -E 'warning:' "$run/module.log" | sed 's/^/# /'
	vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null)
	[ "${vermagic%% *}" = "$KVER" ] ||
		rig_fail "kmod/tenguard.ko is for \"${vermagic%% *}\", not $KVER"
	diag "built kmod/tenguard.ko against the $KVER headers"
fi

# --- the initramfs: busybox, and what mounting a 9p root takes --------------

initrd=$run/initrd.cpio
stage=$run/initrd.d
mkdir -p "$stage/bin" "$stage/dev" "$stage/modules" "$stage/newroot"
cp "$(command -v busybox)" "$stage/bin/busybox"
for applet in sh cat mkdir mount insmod sleep stty hostname ip switch_root poweroff; do
	ln -s busybox "$stage/bin/$applet"
done
# the kernel opens /dev/console for init before anything is mounted
mknod "$stage/dev/console" c 5 1 2>/dev/null
# Debian builds virtio, 9p and netfs as modules (plain .ko in 6.1; newer
# kernels may ship them compressed, which busybox insmod does not read)
mods=$(modprobe -d "$root" -S "$KVER" -a --show-depends virtio_pci 9pnet_virtio 9p) ||
	rig_fail "the $KVER image lacks the virtio/9p modules"
for m in $(echo "$mods" | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'); do
	case $m in
	*.ko) cp "$m" "$stage/modules/" ;;
	*.ko.xz) xz -dc "$m" > "$stage/modules/$(basename "$m" .xz)" ;;
	*.ko.zst) zstd -qdc "$m" > "$stage/modules/$(basename "$m" .zst)" ;;
	*) rig_fail "cannot load module $m" ;;
	esac
	m=$(basename "$m")
	echo "${m%.ko*}.ko" >> "$stage/modules/order"
done
echo "$root" > "$run/vmroot"
cat > "$stage/init" <<'EOF'
#!/bin/sh
# vmtest stage 1, in the initramfs: the host's / over 9p, with the guest's
# own mounts on it, becomes the root. The work is done here, with busybox,
# because every program run from the 9p root costs time under TCG.
# switch_root, not chroot: the kernel's own modprobe calls (module
# autoloading) must find the host's /sbin/modprobe and the image's modules.
export PATH=/bin
r=/newroot
fail()
{
	echo "vmtest-init: $*"
	poweroff -f
}
for m in $(cat /modules/order); do
	insmod "/modules/$m" || fail "insmod $m failed"
done
for i in 1 2 3 4 5; do
	mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose \
		hostroot $r && break
	sleep 1
done
[ -f "$r$tg_run/guest.sh" ] || fail "no $tg_run/guest.sh on the 9p root"
read -r vmroot < "$r$tg_run/vmroot"
# host directories under the guest's own /tmp, /run, /var/tmp (read now:
# the tmpfs mounts below hide them)
binds=$(cat "$r$tg_run/binds")
i=0
for p in $binds; do
	i=$((i + 1))
	mkdir -p /keep/$i
	mount -o bind "$r$p" /keep/$i || fail "cannot keep the host's $p"
done
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts devpts $r/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $r/dev/shm
mount -t tmpfs -o mode=1777 tmpfs $r/tmp
mount -t tmpfs -o mode=1777 tmpfs $r/var/tmp
mount -t tmpfs -o mode=755 tmpfs $r/run
i=0
for p in $binds; do
	i=$((i + 1))
	mkdir -p "$r$p" && mount -o bind /keep/$i "$r$p" ||
		fail "cannot bind the host's $p"
done
mount -t bpf -o mode=700 bpf $r/sys/fs/bpf
mount -t cgroup2 cgroup2 $r/sys/fs/cgroup
mount -t debugfs debugfs $r/sys/kernel/debug
mount -t tracefs tracefs $r/sys/kernel/tracing
# the image's modules for its kernel; the host's modprobe loads them
mount -o bind "$r$vmroot/lib/modules" $r/lib/modules ||
	fail "cannot bind $vmroot/lib/modules"
hostname vmtest
ip link set lo up
# a deadlock shows as a hung task well before the host's timeout
echo 30 > $r/proc/sys/kernel/hung_task_timeout_secs
stty -F $r/dev/ttyS1 raw -echo
exec switch_root $r /bin/bash "$tg_run/guest.sh"
EOF
chmod +x "$stage/init"
(cd "$stage" && find . | busybox cpio -o -H newc 2>/dev/null) > "$initrd" ||
	rig_fail "cannot pack the initramfs"
rm -rf "$stage"

# --- stage 2: PID 1 in the guest, on the host's / ----------------------------

nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
TG_CMD=("$@")
{
	echo "TG_NONCE=$nonce"
	declare -p TG_CMD
	printf 'TG_TOP=%q\nTG_KVER=%q\nTG_MODULE=%q\nTG_KO=%q\n' \
		"$top" "$KVER" "$module" "$ko"
	[ -n "${BUILD:-}" ] && printf 'export BUILD=%q\n' "$BUILD"
} > "$run/config"

cat > "$run/guest.sh" <<'EOF'
#!/bin/bash
# vmtest stage 2: PID 1 of the guest, on the host's / (read-only). Lines
# "@@NONCE WORD..." on ttyS1 tell the host what happened; everything else
# there is CMD's output.
. "$tg_run/config"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp
exec > /dev/ttyS1 2>&1 < /dev/null

mark()
{
	echo "@@$TG_NONCE $*"
}

# report: what the host checks after CMD, then power off
report()
{
	mark "taint $(< /proc/sys/kernel/tainted)"
	mark dmesg-begin
	dmesg --color=never
	mark dmesg-end
	/bin/busybox poweroff -f
	echo o > /proc/sysrq-trigger
	sleep 10
}

if [ "$TG_MODULE" = 1 ]; then
	deps=$(modinfo -F depends "$TG_KO")
	for dep in ${deps//,/ }; do
		modprobe "$dep"
	done
	if ! out=$(insmod "$TG_KO" 2>&1); then
		mark "fail insmod kmod/tenguard.ko: $(echo $out)"
		report
	fi
fi

read -r up _ < /proc/uptime
mark "start $up"
(
	cd "$TG_TOP" || exit 125
	export TG_VM=1 TG_VM_KVER=$TG_KVER TG_VM_MODULE=$TG_MODULE
	exec "${TG_CMD[@]}"
)
rc=$?
mark "exit $rc"

# whatever CMD left running goes before the module does
kill -KILL -1 2> /dev/null
if [ "$TG_MODULE" = 1 ] && [ -d /sys/module/tenguard ]; then
	out=$(rmmod tenguard 2>&1) || mark "fail rmmod tenguard: $(echo $out)"
fi
report
EOF

# --- boot --------------------------------------------------------------------

# splats; matched case-sensitively in the guest's dmesg
splat_re='WARNING:|BUG:|Oops|refcount|lockdep|KASAN|UBSAN|general protection'
splat_re+='|kernel BUG|Kernel panic|Call Trace|blocked for more than'
splat_re+='|detected stall|list_(add|del) corruption'
# lines that merely echo words: the command line, and a tainting module
benign_re='Kernel command line:|Unknown kernel command line|tainting kernel'
# taint flags a splat sets: B bad page, D died (oops), W warning, L soft lockup
taint_mask=$(((1 << 5) | (1 << 7) | (1 << 9) | (1 << 14)))

cmd_rc=
t_start=
guest_up=
taint=0
reported=0
rig_errors=()

# relay: ttyS1 to stdout, the rig's markers taken out
relay()
{
	local line tag="@@$nonce " word state=boot

	exec 5> "$run/dmesg"
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		if [[ $line == *"$tag"* ]]; then
			# CMD's last line may lack its newline
			[ -n "${line%%"$tag"*}" ] && [ $state = cmd ] && emit "${line%%"$tag"*}"
			word=${line#*"$tag"}
			case $word in
			start\ *) state=cmd t_start=$EPOCHREALTIME guest_up=${word#start } ;;
			exit\ *) state=post cmd_rc=${word#exit } ;;
			fail\ *) rig_errors+=("${word#fail }") ;;
			taint\ *) taint=${word#taint } ;;
			dmesg-begin) state=dmesg ;;
			dmesg-end) state=post reported=1 ;;
			esac
			continue
		fi
		case $state in
		cmd) emit "$line" ;;
		dmesg) echo "$line" >&5 ;;
		*) echo "# guest: $line" ;;
		esac
	done
	exec 5>&-
}

emit()
{
	echo "$1"
	if [[ $1 =~ ^(not\ )?ok\ ([0-9]+) ]]; then
		ktap_n=${BASH_REMATCH[2]}
		[ -n "${BASH_REMATCH[1]}" ] && saw_not_ok=1
	fi
}

# slub_debug poisons freed objects: a use after free splats (no KASAN here)
append="console=ttyS0 loglevel=5 panic=-1 slub_debug=FZPU tg_run=\"$run\""
t0=$EPOCHREALTIME
shopt -s lastpipe
timeout -k 10 "$timeout_s" qemu-system-x86_64 \
	-nodefaults -no-user-config -machine pc -accel tcg -cpu max -m 2G -smp 2 \
	-display none -monitor none -no-reboot -pidfile "$run/qemu.pid" \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-serial "file:$run/console.log" -serial stdio \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	< /dev/null 2> "$run/qemu.err" | relay
qemu_rc=${PIPESTATUS[0]}
t_end=$EPOCHREALTIME

secs()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

console_tail()
{
	sed 's/\r$//; s/^/# console: /' "$run/console.log" | tail -n "$1"
	sed 's/^/# qemu: /' "$run/qemu.err" | tail -n 5
}

if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	console_tail 20
	if [ -z "$cmd_rc" ]; then
		not_ok "guest timed out after ${timeout_s}s and was killed"
	else
		not_ok "guest timed out after CMD, unloading the module; killed after ${timeout_s}s"
	fi
	status=124
elif [ "$reported" = 0 ]; then
	console_tail 30
	not_ok "guest stopped before it was done (qemu exit $qemu_rc)"
fi
for e in "${rig_errors[@]}"; do
	not_ok "$e"
done

# the splat check: the guest's dmesg, or what its console caught if the
# guest never got as far as printing it
log=$run/dmesg
[ -s "$log" ] || log=$run/console.log
splats=$(sed 's/\r$//' "$log" | grep -E -- "$splat_re" | grep -v -E -- "$benign_re")
if [ -n "$splats" ]; then
	first=$(echo "$splats" | head -n 1)
	grep -F -A 30 -- "$first" "$log" | head -n 40 | sed 's/^/# dmesg: /'
	not_ok "kernel splat in the guest: $(echo "$first" | sed 's/^\[[ 0-9.]*\] //')"
elif [ $((taint & taint_mask)) -ne 0 ]; then
	not_ok "guest kernel tainted by a splat (tainted=$taint)"
fi

if [ -n "$cmd_rc" ] && [ "$cmd_rc" -ne 0 ] && [ "$cmd_rc" -ne 4 ] && [ "$saw_not_ok" = 0 ]; then
	# CMD failed without a test point saying so
	not_ok "$* exited $cmd_rc"
fi

if [ -n "$t_start" ]; then
	diag "$KVER, module $([ "$module" = 1 ] && echo loaded || echo not loaded);" \
		"boot to command $(secs "$t0" "$t_start") s (guest uptime $guest_up s)," \
		"command $(secs "$t_start" "$t_end") s with shutdown," \
		"total $(secs "$t0" "$t_end") s"
fi

if [ -z "$status" ]; then
	# CMD's status; 125 if it never ran to its end; 1 if it passed (or
	# skipped) and the rig found something wrong all the same
	status=${cmd_rc:-125}
	[ "$rig_failed" = 1 ] && { [ "$status" -eq 0 ] || [ "$status" -eq 4 ]; } && status=1
fi
exit "$status"
