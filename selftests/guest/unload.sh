#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# unload_test (selftests/unload_test.c) in the vmtest guest: rmmod and
# insmod of tenguard.ko 100 times with ports registered, a packet socket
# holding one promiscuous and events unread; the guards go, give back what
# they held, leak nothing, and the kernel log stays clean.
#
# Runs only in the guest: scripts/vmtest.sh selftests/guest/unload.sh
source "$(dirname "$0")/c_test.inc"
# the module the rig loaded, which the test unloads and loads again
export TG_KO=$(cd "$(dirname "$0")/../.." && pwd)/kmod/tenguard.ko
run_c_test unload_test
