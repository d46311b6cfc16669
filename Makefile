# SPDX-License-Identifier: GPL-2.0
#
# Builds the BPF objects and skeletons, tenguardd, tenguardctl and the C
# selftests into $(BUILD). The kernel module is built by Kbuild (kmod/).

BUILD		?= build
CC		?= gcc
CLANG		?= clang
BPFTOOL		?= bpftool
ARCH_TRIPLET	:= $(shell $(CC) -dumpmachine)

CFLAGS		?= -O2 -g
CFLAGS		+= -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
		   -Iinclude/uapi -I$(BUILD) -Iuserspace \
		   $(shell pkg-config --cflags jansson libmnl)
LDLIBS_BPF	:= -lbpf -lelf -lz
LDLIBS_JSON	:= $(shell pkg-config --libs jansson)
LDLIBS_MNL	:= $(shell pkg-config --libs libmnl)
LDLIBS_CRYPTO	:= $(shell pkg-config --libs libcrypto)

BPF_CFLAGS	:= -g -O2 -target bpf -mcpu=v3 -Wall -Werror -D__TARGET_ARCH_x86 \
		   -Iinclude/uapi -I/usr/include/$(ARCH_TRIPLET)

BPF_PROGS	:= isolation
BPF_OBJS	:= $(BPF_PROGS:%=$(BUILD)/%.bpf.o)
SKELS		:= $(BPF_PROGS:%=$(BUILD)/%.skel.h)

DAEMON_SRCS	:= tenguardd.c policy.c isolation.c acl.c node_addrs.c links.c \
		   pins.c names.c module_source.c genl.c
DAEMON_SRCS	+= qdisc.c rate_meter.c units.c
CTL_SRCS	:= tenguardctl.c ctl_tenant.c ctl_port.c ctl_stats.c \
		   ctl_monitor.c ctl_args.c genl.c print.c pins.c names.c \
		   policy.c ctl_acl.c ctl_conntrack.c ctl_acl_set.c ctl_node.c
CTL_SRCS	+= units.c

KSFT_DIR	:= $(BUILD)/kselftest
SELFTEST_C	:= $(wildcard selftests/*_test.c)
SELFTEST_BINS	:= $(SELFTEST_C:selftests/%.c=$(BUILD)/selftests/%)

.PHONY: all test bench demo clean style
.SECONDARY:
all: $(BUILD)/tenguardd $(BUILD)/tenguardctl $(SELFTEST_BINS) \
     $(BUILD)/bench_isolation $(BUILD)/bench_acl $(BUILD)/bench_flood \
     $(BUILD)/bench_rate

$(BUILD) $(BUILD)/selftests:
	mkdir -p $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c bpf/*.h include/uapi/linux/tenguard.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(BPFTOOL) gen object $@ $@.tmp
	rm -f $@.tmp

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(BUILD)/tenguardd: $(DAEMON_SRCS:%=userspace/%) userspace/*.h $(SKELS)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags libnl-genl-3.0) -o $@ \
		$(filter %.c,$^) $(LDLIBS_BPF) $(LDLIBS_JSON) $(LDLIBS_MNL) \
		$(LDLIBS_CRYPTO) $(shell pkg-config --libs libnl-genl-3.0 libnl-3.0)

$(BUILD)/tenguardctl: $(CTL_SRCS:%=userspace/%) userspace/*.h
	$(CC) $(CFLAGS) $(shell pkg-config --cflags libnl-genl-3.0) -o $@ \
		$(filter %.c,$^) $(LDLIBS_BPF) $(LDLIBS_JSON) \
		$(shell pkg-config --libs libnl-genl-3.0 libnl-3.0)

BENCH_SRCS	:= bench/bench_isolation.c userspace/isolation.c userspace/acl.c \
		   userspace/node_addrs.c userspace/policy.c userspace/pins.c \
		   userspace/names.c
BENCH_SRCS	+= userspace/qdisc.c userspace/units.c bench/bench_common.c
$(BUILD)/bench_isolation: $(BENCH_SRCS) userspace/*.h $(SKELS)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^) $(LDLIBS_BPF) $(LDLIBS_JSON) \
		$(LDLIBS_CRYPTO) $(LDLIBS_MNL)

# the ACL path under BPF_PROG_TEST_RUN, and the sender of bench/traffic.sh
BENCH_ACL_SRCS	:= bench/bench_acl.c bench/acl_rules.c userspace/isolation.c \
		   userspace/acl.c userspace/node_addrs.c userspace/policy.c \
		   userspace/pins.c userspace/names.c
BENCH_ACL_SRCS	+= userspace/qdisc.c userspace/units.c bench/bench_common.c
$(BUILD)/bench_acl: $(BENCH_ACL_SRCS) bench/acl_rules.h userspace/*.h $(SKELS)
	$(CC) $(CFLAGS) -Ibench -o $@ $(filter %.c,$^) $(LDLIBS_BPF) \
		$(LDLIBS_JSON) $(LDLIBS_CRYPTO) $(LDLIBS_MNL)

# the rate limiter's cost under BPF_PROG_TEST_RUN, one CPU and two
$(BUILD)/bench_rate: bench/bench_rate.c $(BENCH_SRCS:bench/bench_isolation.c=) \
		userspace/*.h $(SKELS)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^) $(LDLIBS_BPF) $(LDLIBS_JSON) \
		$(LDLIBS_CRYPTO) $(LDLIBS_MNL) -lpthread

$(BUILD)/bench_flood: bench/flood.c bench/acl_rules.h | $(BUILD)
	$(CC) $(CFLAGS) -Ibench -o $@ $(filter %.c,$^)

# C selftests: kselftest_harness.h comes from Debian's linux-source (setup.sh)
$(KSFT_DIR)/kselftest_harness.h:
	TG_BUILD=$(BUILD) scripts/setup.sh

$(BUILD)/selftests/policy_test: selftests/policy_test.c userspace/policy.c \
		userspace/names.c userspace/units.c \
		$(KSFT_DIR)/kselftest_harness.h | $(BUILD)/selftests
	$(CC) $(CFLAGS) -Wno-unused-parameter -I$(KSFT_DIR) -o $@ \
		$(filter %.c,$^) $(LDLIBS_JSON)

# the classifier against its definition, through the real programs
ACL_TEST_SRCS	:= selftests/acl_test.c userspace/acl.c userspace/node_addrs.c \
		   userspace/isolation.c userspace/policy.c userspace/names.c \
		   userspace/pins.c
ACL_TEST_SRCS	+= userspace/qdisc.c userspace/units.c
$(BUILD)/selftests/acl_test: $(ACL_TEST_SRCS) userspace/*.h $(SKELS) \
		$(KSFT_DIR)/kselftest_harness.h | $(BUILD)/selftests
	$(CC) $(CFLAGS) -Wno-unused-parameter -I$(KSFT_DIR) -o $@ \
		$(filter %.c,$^) $(LDLIBS_BPF) $(LDLIBS_JSON) $(LDLIBS_CRYPTO) \
		$(LDLIBS_MNL)

# the rate limiter through the real programs
RATE_TEST_SRCS	:= selftests/rate_test.c userspace/isolation.c userspace/acl.c \
		   userspace/node_addrs.c userspace/policy.c userspace/names.c \
		   userspace/pins.c userspace/qdisc.c userspace/units.c
$(BUILD)/selftests/rate_test: $(RATE_TEST_SRCS) userspace/*.h $(SKELS) \
		$(KSFT_DIR)/kselftest_harness.h | $(BUILD)/selftests
	$(CC) $(CFLAGS) -Wno-unused-parameter -I$(KSFT_DIR) -o $@ \
		$(filter %.c,$^) $(LDLIBS_BPF) $(LDLIBS_JSON) $(LDLIBS_CRYPTO) \
		$(LDLIBS_MNL) -lpthread

# the guest's tests of the family, the guards, scale and unloading (tg_nl.c)
TG_NL_TESTS	:= genl_test guard_test scale_test unload_test
$(TG_NL_TESTS:%=$(BUILD)/selftests/%): $(BUILD)/selftests/%: selftests/%.c \
		selftests/tg_nl.c selftests/tg_nl.h include/uapi/linux/tenguard.h \
		$(KSFT_DIR)/kselftest_harness.h | $(BUILD)/selftests
	$(CC) $(CFLAGS) -Wno-unused-parameter -I$(KSFT_DIR) -o $@ \
		$(filter %.c,$^) $(LDLIBS_MNL)

test: all
	selftests/run_tests.sh

bench: all
	bench/run.sh

demo: all
	scripts/demo.sh

style:
	scripts/style.sh

# The kernel module, against Debian's linux-headers-amd64 (the guest's
# kernel, not this machine's); KVER=... for another installed header set.
# Kbuild builds in the tree, wireguard-linux-compat style (dkms.conf too).
KVER		?= $(shell scripts/vmtest.sh --print-kver)
KDIR		?= /lib/modules/$(KVER)/build

.PHONY: module check vmtest
module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# sparse over every kmod/ source, built or not
check:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

# the guest tests alone (make test runs them too)
vmtest: all
	selftests/guest.sh

clean:
	rm -rf $(BUILD)
