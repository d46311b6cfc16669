#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guard_test (selftests/guard_test.c) in the vmtest guest: promiscuous mode
# through `ip link` and tcpdump reverted, MAC changes and foreign masters
# refused, UP before the ack refused; one event each, naming the process.
#
# Runs only in the guest: scripts/vmtest.sh selftests/guest/guard.sh
source "$(dirname "$0")/c_test.inc"
run_c_test guard_test
