#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# genl_test (selftests/genl_test.c) in the vmtest guest: the "tenguard"
# family's commands, their errors and extack messages, the UP gate; rule
# sets staged in parts, 10,000 rules and the limits, quarantine, groups,
# rate limits (defaults, per-direction SETs, every refusal and the
# attribute it names), the node's configuration at its largest.
#
# Runs only in the guest: scripts/vmtest.sh selftests/guest/genl.sh
source "$(dirname "$0")/c_test.inc"
run_c_test genl_test
