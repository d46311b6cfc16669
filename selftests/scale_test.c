// SPDX-License-Identifier: GPL-2.0
/*
 * Ten thousand ports: registered from one socket with pipelined requests,
 * then listed by one dump of TENGUARD_CMD_PORT_GET, which must return each
 * of them exactly once, over many datagrams, and consistent (no
 * NLM_F_DUMP_INTR). Each step is timed; under TCG the whole test takes
 * well under a minute. Runs where tenguard.ko is loaded (the guest,
 * scripts/vmtest.sh), as root, in a netns of its own.
 *
 *   netns of the test:  tgd0 .. tgd9999   dummy devices in group 4711, down;
 *                                          tgdN a port of tenant T with
 *                                          MAC 02:00:00:NN:NN:NN
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/tenguard.h>

#include "kselftest_harness.h"
#include "tg_nl.h"

#define N_PORTS		10000U
#define GROUP		4711
/* under IPV6_MIN_MTU: the stack skips a device's IPv6 setup, a quarter of
 * what creating one costs; it stays down and never carries a frame
 */
#define MTU		1000

FIXTURE(scale) {
	struct tg_nl t;
	struct tg_nl rt;
	uint32_t tenant;
};

FIXTURE_SETUP(scale)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, tg_open(&self->t)) TH_LOG("family not found: module loaded?");
	ASSERT_EQ(0, tg_open_route(&self->rt));
	self->tenant = (getpid() & TENGUARD_TENANT_ID_MAX) ?: 1;
	ASSERT_EQ(0, tg_tenant_new(&self->t, self->tenant, "scale"));
}

static struct nlmsghdr *group_del(struct tg_nl *rt, void *buf)
{
	struct nlmsghdr *nlh = tg_link_msg(rt, buf, RTM_DELLINK, 0, 0);

	mnl_attr_put_u32(nlh, IFLA_GROUP, GROUP);
	return nlh;
}

FIXTURE_TEARDOWN(scale)
{
	char buf[256];
	double t0 = tg_now();

	/* one request, one batch of unregistrations: the ports go with them */
	if (!tg_talk(&self->rt, group_del(&self->rt, buf), NULL, NULL))
		ksft_print_msg("deleted the devices in %.1f s\n", tg_now() - t0);
	tg_tenant_del(&self->t, self->tenant);
	tg_close(&self->rt);
	tg_close(&self->t);
}

static void name_of(char *name, unsigned int i)
{
	snprintf(name, IFNAMSIZ, "tgd%u", i);
}

static struct nlmsghdr *dev_new(struct tg_nl *rt, void *buf, unsigned int i,
				void *data)
{
	struct nlmsghdr *nlh = tg_link_msg(rt, buf, RTM_NEWLINK,
					   NLM_F_CREATE | NLM_F_EXCL, 0);
	struct nlattr *info;
	char name[IFNAMSIZ];

	name_of(name, i);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, MTU);
	mnl_attr_put_u32(nlh, IFLA_GROUP, GROUP);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "dummy");
	mnl_attr_nest_end(nlh, info);
	return nlh;
}

static struct nlmsghdr *port_new(struct tg_nl *t, void *buf, unsigned int i,
				 void *data)
{
	struct nlmsghdr *nlh = tg_genl_msg(t, buf, TENGUARD_CMD_PORT_NEW, 0);
	struct tg_port_req r = {
		.tenant = *(uint32_t *)data,
		.mac = { 0x02, 0, 0, i >> 16, i >> 8, i },
	};
	char name[IFNAMSIZ];

	name_of(name, i);
	r.ifname = name;
	tg_port_put(nlh, &r);
	return nlh;
}

/* what the dump returned */
struct seen {
	unsigned int msgs;
	unsigned int bad;	/* not a port of ours, or returned twice */
	unsigned int intr;	/* messages flagged NLM_F_DUMP_INTR */
	unsigned char name[N_PORTS];
	int ifindex[N_PORTS];
};

struct port_attrs {
	int ifindex;
	const char *ifname;
};

static int port_attr(const struct nlattr *a, void *data)
{
	struct port_attrs *p = data;

	if (mnl_attr_get_type(a) == TENGUARD_A_PORT_IFINDEX)
		p->ifindex = mnl_attr_get_u32(a);
	else if (mnl_attr_get_type(a) == TENGUARD_A_PORT_IFNAME)
		p->ifname = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

static int top_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == TENGUARD_A_PORT)
		mnl_attr_parse_nested(a, port_attr, data);
	return MNL_CB_OK;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct port_attrs p = { 0 };
	struct seen *s = data;
	unsigned int i;
	char *end;

	s->msgs++;
	s->intr += !!(nlh->nlmsg_flags & NLM_F_DUMP_INTR);
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), top_attr, &p);
	if (!p.ifname || strncmp(p.ifname, "tgd", 3)) {
		s->bad++;
		return MNL_CB_OK;
	}
	i = strtoul(p.ifname + 3, &end, 10);
	if (*end || i >= N_PORTS || s->name[i]) {
		s->bad++;
		return MNL_CB_OK;
	}
	s->name[i] = 1;
	s->ifindex[i] = p.ifindex;
	return MNL_CB_OK;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

TEST_F_TIMEOUT(scale, dump_10000_ports, 300)
{
	static struct seen s;
	char buf[256], name[IFNAMSIZ];
	unsigned int failed = 0, i, distinct, wrong = 0;
	double t0, t1, t2, t3;
	struct nlmsghdr *nlh;

	t0 = tg_now();
	ASSERT_EQ(0, tg_pipeline(&self->rt, N_PORTS, dev_new, NULL, &failed))
		TH_LOG("device %u: %s", failed, self->rt.extack);
	t1 = tg_now();
	ASSERT_EQ(0, tg_pipeline(&self->t, N_PORTS, port_new, &self->tenant,
				 &failed))
		TH_LOG("port %u: %s", failed, self->t.extack);
	t2 = tg_now();

	nlh = tg_genl_msg(&self->t, buf, TENGUARD_CMD_PORT_GET, NLM_F_DUMP);
	ASSERT_EQ(0, tg_talk(&self->t, nlh, dump_cb, &s))
		TH_LOG("%u messages, %u flagged NLM_F_DUMP_INTR", s.msgs, s.intr);
	t3 = tg_now();
	ksft_print_msg("%u devices created in %.1f s, registered as ports in %.1f s, dumped in %.1f s (%u messages in %u datagrams)\n",
		       N_PORTS, t1 - t0, t2 - t1, t3 - t2, s.msgs,
		       self->t.recvs);

	EXPECT_EQ(N_PORTS, s.msgs);
	EXPECT_EQ(0U, s.bad);
	EXPECT_EQ(0U, s.intr);
	/* a dump this size cannot fit one datagram: the cursor was used */
	EXPECT_LT(1U, self->t.recvs);

	/* each port by its own device's ifindex, and no ifindex twice */
	for (i = 0; i < N_PORTS; i++) {
		name_of(name, i);
		if (!s.name[i] || s.ifindex[i] != (int)if_nametoindex(name))
			wrong++;
	}
	EXPECT_EQ(0U, wrong);
	qsort(s.ifindex, N_PORTS, sizeof(s.ifindex[0]), cmp_int);
	for (i = 0, distinct = 0; i < N_PORTS; i++)
		distinct += s.ifindex[i] && (!i || s.ifindex[i] != s.ifindex[i - 1]);
	EXPECT_EQ(N_PORTS, distinct);
}

TEST_HARNESS_MAIN
