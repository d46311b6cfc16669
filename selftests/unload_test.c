// SPDX-License-Identifier: GPL-2.0
/*
 * Unloading tenguard.ko while it is in use, a hundred times in a row. Each
 * round, with the module loaded:
 *
 *   - registers four ports, each with 256 addresses and rate limits both
 *     ways;
 *   - gives tgu0 a rule set of 200 rules, stages as many for tgu1 (a
 *     part with TENGUARD_ACL_F_MORE, never finished) and sets 200 node
 *     services: rule arrays the module frees on unload, from RCU
 *     callbacks and its staging area;
 *   - a packet socket joins tgu0 promiscuously (the guard takes it back)
 *     and tgu1 gets `promisc on` (the guard reverts it): on odd rounds the
 *     module goes before the guard's work item has run, on even ones after;
 *   - a listener joined to "events" leaves both events unread;
 *
 * then removes the module and checks that the guards are gone (a port that
 * was never acked comes up, a port's MAC changes), that they gave back what
 * they held (tgu0's promiscuity is the socket's one reference, tgu1's is
 * 0), that the listener still reads its two events, and loads the module
 * again from TG_KO (default kmod/tenguard.ko, as scripts/vmtest.sh does).
 *
 * After the rounds: nothing bad in the kernel log since the test began (and
 * one load message per round, so the log was read), the slab cache that
 * holds the address lists has not grown by a round's worth (each leaked
 * round would leave seven: the address lists and the rule arrays, all
 * between 4 and 8 KiB), and the devices unregister at once: no
 * reference left behind. The module stays loaded, as the rig expects.
 *
 *   netns of the test:  tgu0 .. tgu3   dummy devices, ports of tenant 1
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/tenguard.h>

#include "kselftest_harness.h"
#include "tg_nl.h"

#define ROUNDS		100
#define N_DEVS		4
#define N_ADDRS		256	/* 5 KiB of addresses: one kmalloc-8k each */
#define N_RULES		200	/* 5.5 KiB of rules: one kmalloc-8k each */
#define TENANT		1
#define ADDR_CACHE	"kmalloc-8k"

FIXTURE(unload) {
	struct tg_nl rt;
	struct tg_link dev[N_DEVS];
	const char *ko;
	int packet;		/* the socket holding tgu0 promiscuous */
	int kmsg;		/* /dev/kmsg, from where the test began */
	long slab;		/* ADDR_CACHE's objects before the test */
};

static const char *dev_name(int i)
{
	static const char *names[N_DEVS] = { "tgu0", "tgu1", "tgu2", "tgu3" };

	return names[i];
}

/* the active objects of a slab cache, -1 if /proc/slabinfo lacks it */
static long slab_objs(const char *cache)
{
	char line[512], name[64];
	long objs = -1, n;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &n) == 2 && !strcmp(name, cache))
			objs = n;
	fclose(f);
	return objs;
}

static int module_loaded(void)
{
	return !access("/sys/module/tenguard", F_OK);
}

static int insmod(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return err;
}

static int rmmod(void)
{
	return syscall(SYS_delete_module, "tenguard", O_NONBLOCK) ? -errno : 0;
}

FIXTURE_SETUP(unload)
{
	int i;

	self->packet = self->kmsg = -1;
	self->ko = getenv("TG_KO") ?: "kmod/tenguard.ko";
	ASSERT_TRUE(module_loaded()) TH_LOG("tenguard.ko is not loaded");
	ASSERT_EQ(0, access(self->ko, R_OK)) TH_LOG("no %s", self->ko);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, tg_open_route(&self->rt));
	ASSERT_EQ(0, tg_sh("ip link add tgu0 type dummy && ip link add tgu1 type dummy && "
			   "ip link add tgu2 type dummy && ip link add tgu3 type dummy"));
	for (i = 0; i < N_DEVS; i++)
		ASSERT_EQ(0, tg_link_get(&self->rt, dev_name(i), &self->dev[i]));
	self->packet = socket(AF_PACKET, SOCK_RAW, 0);
	ASSERT_LE(0, self->packet);
	self->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->kmsg);
	lseek(self->kmsg, 0, SEEK_END);
	self->slab = slab_objs(ADDR_CACHE);
}

FIXTURE_TEARDOWN(unload)
{
	int i;

	/* the rig unloads the module after the test: it must be there */
	if (!module_loaded() && insmod(self->ko))
		TH_LOG("cannot load %s again", self->ko);
	for (i = 0; i < N_DEVS; i++)
		tg_link_del(&self->rt, self->dev[i].ifindex);
	if (self->packet >= 0)
		close(self->packet);
	if (self->kmsg >= 0)
		close(self->kmsg);
	tg_close(&self->rt);
}

static int membership(int fd, int ifindex, int op)
{
	struct packet_mreq mr = {
		.mr_ifindex = ifindex,
		.mr_type = PACKET_MR_PROMISC,
	};

	return setsockopt(fd, SOL_PACKET, op, &mr, sizeof(mr)) ? -errno : 0;
}

/* wait until the guard's work item has run: both reverted */
static int wait_reverted(struct tg_nl *rt)
{
	double end = tg_now() + 5;
	struct tg_link a, b;

	do {
		if (tg_link_get(rt, "tgu0", &a) || tg_link_get(rt, "tgu1", &b))
			return -1;
		if (!a.promiscuity && !b.promiscuity && !(b.flags & IFF_PROMISC))
			return 0;
		usleep(5000);
	} while (tg_now() < end);
	return -1;
}

/* the node's services: n rules allowing anything */
static int node_services(struct tg_nl *t, unsigned int n)
{
	static const struct tenguard_acl_rule any = { .action = TENGUARD_ACL_ALLOW };
	static char buf[16384];
	struct nlmsghdr *nlh = tg_genl_msg(t, buf, TENGUARD_CMD_NODE_SET, 0);
	struct nlattr *nest;
	unsigned int i;

	nest = mnl_attr_nest_start(nlh, TENGUARD_A_NODE);
	for (i = 0; i < n; i++)
		tg_rule_put(nlh, TENGUARD_A_NODE_SERVICE, &any);
	mnl_attr_nest_end(nlh, nest);
	return tg_talk(t, nlh, NULL, NULL);
}

static void one_round(struct __test_metadata *_metadata,
		      FIXTURE_DATA(unload) *self, int round)
{
	static const struct tenguard_acl_rule rules[N_RULES];
	struct tg_port_req r = {
		.tenant = TENANT, .n_addrs = N_ADDRS,
		.rate = {
			[TENGUARD_ACL_INGRESS] = {
				.bps = 1000000000, .flags = TENGUARD_RATE_F_BPS |
							    TENGUARD_RATE_F_SHAPE },
			[TENGUARD_ACL_EGRESS] = {
				.bps = 100000000, .pps = 20000,
				.flags = TENGUARD_RATE_F_BPS | TENGUARD_RATE_F_PPS },
		},
	};
	uint8_t mac[6] = { 0x02, 0, 0, 0x75, round, 0 };
	struct tg_nl t, ev, gone;
	struct tg_event e[8];
	struct tg_link l;
	int i;

	ASSERT_EQ(0, tg_open(&t)) TH_LOG("round %d: no family", round);
	ASSERT_EQ(0, tg_open(&ev));
	ASSERT_EQ(0, tg_join_events(&ev));
	ASSERT_EQ(0, tg_tenant_new(&t, TENANT, "unload")) TH_LOG("%s", t.extack);
	for (i = 0; i < N_DEVS; i++) {
		r.ifname = dev_name(i);
		r.mac[0] = 0x02;
		r.mac[5] = 0x10 + i;
		ASSERT_EQ(0, tg_port(&t, TENGUARD_CMD_PORT_NEW, &r))
			TH_LOG("round %d %s: %s", round, r.ifname, t.extack);
	}
	ASSERT_EQ(0, tg_acl_set(&t, "tgu0", TENGUARD_ACL_INGRESS,
				TENGUARD_ACL_DENY, 0, rules, N_RULES))
		TH_LOG("round %d: %s", round, t.extack);
	ASSERT_EQ(0, tg_acl_set(&t, "tgu1", TENGUARD_ACL_EGRESS,
				TENGUARD_ACL_DENY, TENGUARD_ACL_F_MORE, rules,
				N_RULES))
		TH_LOG("round %d: %s", round, t.extack);
	ASSERT_EQ(0, node_services(&t, N_RULES))
		TH_LOG("round %d: %s", round, t.extack);
	ASSERT_EQ(0, membership(self->packet, self->dev[0].ifindex,
				PACKET_ADD_MEMBERSHIP));
	ASSERT_EQ(0, tg_link_flags(&self->rt, self->dev[1].ifindex,
				   IFF_PROMISC, IFF_PROMISC));
	if (round % 2 == 0)
		ASSERT_EQ(0, wait_reverted(&self->rt)) TH_LOG("round %d", round);

	ASSERT_EQ(0, rmmod()) TH_LOG("round %d: rmmod: %s", round, strerror(errno));

	/* the family and the guards are gone */
	EXPECT_EQ(-ENOENT, tg_open(&gone));
	EXPECT_EQ(0, tg_link_flags(&self->rt, self->dev[2].ifindex, IFF_UP, IFF_UP))
		TH_LOG("round %d: a port never acked does not come up", round);
	EXPECT_EQ(0, tg_link_addr(&self->rt, self->dev[3].ifindex, mac));
	/* what the guard held is back: the socket's reference, no gflag */
	ASSERT_EQ(0, tg_link_get(&self->rt, "tgu0", &l));
	EXPECT_EQ(1U, l.promiscuity) TH_LOG("round %d", round);
	ASSERT_EQ(0, tg_link_get(&self->rt, "tgu1", &l));
	EXPECT_EQ(0U, l.promiscuity) TH_LOG("round %d", round);
	EXPECT_FALSE(!!(l.flags & IFF_PROMISC));
	/* the listener still has its events */
	EXPECT_EQ(2, tg_events(&ev, e, 8, 0)) TH_LOG("round %d", round);
	tg_close(&ev);
	tg_close(&t);

	ASSERT_EQ(0, insmod(self->ko)) TH_LOG("round %d: insmod: %s", round,
					      strerror(errno));
	/* a membership older than the module is not the guard's business */
	ASSERT_EQ(0, tg_link_get(&self->rt, "tgu0", &l));
	EXPECT_EQ(1U, l.promiscuity);
	ASSERT_EQ(0, membership(self->packet, self->dev[0].ifindex,
				PACKET_DROP_MEMBERSHIP));
	ASSERT_EQ(0, tg_link_get(&self->rt, "tgu0", &l));
	EXPECT_EQ(0U, l.promiscuity);
}

/* lines of the kernel log since the test began that say something broke */
static int log_bad(int kmsg, int *loads)
{
	static const char * const bad[] = {
		"WARNING:", "BUG:", "Oops", "refcount", "Call Trace",
		"general protection", "corruption", "lockdep", "KASAN", "UBSAN",
		"blocked for more than", "stall", "to become free",
		"tenguard: cannot", "would wrap", "no memory",
	};
	char rec[8192];
	unsigned int i;
	ssize_t n;
	int found = 0;

	*loads = 0;
	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, "tenguard: generic netlink family"))
			(*loads)++;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strstr(rec, bad[i])) {
				fprintf(stderr, "# kmsg: %s", strchr(rec, ';') ?: rec);
				found++;
				break;
			}
		}
	}
	return found;
}

TEST_F_TIMEOUT(unload, reload_100_times_in_use, 240)
{
	double t0 = tg_now(), t1;
	long slab;
	int round, loads, i;

	for (round = 0; round < ROUNDS; round++)
		one_round(_metadata, self, round);
	t1 = tg_now();
	ksft_print_msg("%d rounds of register, rmmod, insmod in %.1f s (%.2f s each)\n",
		       ROUNDS, t1 - t0, (t1 - t0) / ROUNDS);

	/* no reference left on the devices: each unregisters at once */
	for (i = 0; i < N_DEVS; i++)
		EXPECT_EQ(0, tg_link_del(&self->rt, self->dev[i].ifindex));
	memset(self->dev, 0, sizeof(self->dev));
	EXPECT_GT(5.0, tg_now() - t1);

	EXPECT_EQ(0, log_bad(self->kmsg, &loads));
	EXPECT_EQ(ROUNDS, loads);
	slab = slab_objs(ADDR_CACHE);
	ksft_print_msg("%s: %ld objects before, %ld after\n", ADDR_CACHE,
		       self->slab, slab);
	if (self->slab >= 0)
		EXPECT_GT(self->slab + ROUNDS, slab);
}

TEST_HARNESS_MAIN
