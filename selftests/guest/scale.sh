#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scale_test (selftests/scale_test.c) in the vmtest guest: 10,000 ports
# registered and dumped back, all of them, consistently; timed.
#
# Runs only in the guest: scripts/vmtest.sh selftests/guest/scale.sh
source "$(dirname "$0")/c_test.inc"
run_c_test scale_test
