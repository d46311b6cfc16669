// SPDX-License-Identifier: GPL-2.0
/*
 * The "tenguard" generic netlink family, command by command: each happy
 * path, and each error with its errno and extack message. Runs where
 * tenguard.ko is loaded (the guest, scripts/vmtest.sh), as root.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/tenguard.h>

#include "kselftest_harness.h"
#include "tg_nl.h"

/* answers: messages of the last request; the last port generation seen */
static struct {
	uint32_t n;
	uint64_t generation;
} last;

static int port_gen_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == TENGUARD_A_PORT_GENERATION)
		last.generation = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static int top_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == TENGUARD_A_PORT)
		mnl_attr_parse_nested(a, port_gen_attr, data);
	return MNL_CB_OK;
}

static int answer_cb(const struct nlmsghdr *nlh, void *data)
{
	last.n++;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), top_attr, data);
	return MNL_CB_OK;
}

static int talk(struct tg_nl *t, struct nlmsghdr *nlh)
{
	last.n = 0;
	return tg_talk(t, nlh, answer_cb, NULL);
}

/* ---- request builders ---- */

static int tenant(struct tg_nl *t, uint8_t cmd, uint32_t id, const char *name,
		  int vni)
{
	char buf[8192];
	struct nlmsghdr *nlh = tg_genl_msg(t, buf, cmd, 0);
	struct nlattr *n, *s;

	n = mnl_attr_nest_start(nlh, TENGUARD_A_TENANT);
	if (id)
		mnl_attr_put_u32(nlh, TENGUARD_A_TENANT_ID, id);
	if (name)
		mnl_attr_put_strz(nlh, TENGUARD_A_TENANT_NAME, name);
	if (vni >= 0) {
		s = mnl_attr_nest_start(nlh, TENGUARD_A_TENANT_SEGMENT);
		mnl_attr_put_u32(nlh, TENGUARD_A_SEGMENT_VNI, vni);
		mnl_attr_nest_end(nlh, s);
	}
	mnl_attr_nest_end(nlh, n);
	return talk(t, nlh);
}

struct port_req {
	const char *dev;
	uint32_t tenant;
	const char *macs[70];
	const char *addr;	/* IPv4 */
	int extra_type;		/* an attribute to add as it is */
	int extra_len;
	uint32_t kind;
	uint64_t generation;
};

static void put_mac(struct nlmsghdr *nlh, const char *s)
{
	uint8_t m[6];

	sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2],
	       &m[3], &m[4], &m[5]);
	mnl_attr_put(nlh, TENGUARD_A_PORT_MAC, 6, m);
}

static int port(struct tg_nl *t, uint8_t cmd, const struct port_req *r)
{
	static char buf[16384];
	struct nlmsghdr *nlh;
	struct nlattr *n, *a;
	uint8_t zero[16] = { 0 };
	struct in_addr in;
	int i;

	nlh = tg_genl_msg(t, buf, cmd,
			  cmd == TENGUARD_CMD_PORT_GET && !r ? NLM_F_DUMP : 0);
	if (!r)
		return talk(t, nlh);
	n = mnl_attr_nest_start(nlh, TENGUARD_A_PORT);
	if (r->dev)
		mnl_attr_put_strz(nlh, TENGUARD_A_PORT_IFNAME, r->dev);
	if (r->tenant)
		mnl_attr_put_u32(nlh, TENGUARD_A_PORT_TENANT, r->tenant);
	if (r->kind)
		mnl_attr_put_u32(nlh, TENGUARD_A_PORT_KIND, r->kind);
	for (i = 0; r->macs[i]; i++)
		put_mac(nlh, r->macs[i]);
	if (r->addr) {
		inet_pton(AF_INET, r->addr, &in);
		a = mnl_attr_nest_start(nlh, TENGUARD_A_PORT_ADDR);
		mnl_attr_put_u16(nlh, TENGUARD_A_ADDR_FAMILY, AF_INET);
		mnl_attr_put(nlh, TENGUARD_A_ADDR_ADDR, 4, &in);
		mnl_attr_nest_end(nlh, a);
	}
	if (r->generation)
		mnl_attr_put_u64(nlh, TENGUARD_A_PORT_GENERATION,
				 r->generation);
	if (r->extra_type)
		mnl_attr_put(nlh, r->extra_type, r->extra_len, zero);
	mnl_attr_nest_end(nlh, n);
	return talk(t, nlh);
}


FIXTURE(genl) {
	struct tg_nl t;
};

FIXTURE_SETUP(genl)
{
	ASSERT_EQ(0, tg_open(&self->t)) TH_LOG("family not found: module loaded?");
	ASSERT_EQ(0, tg_sh("ip link add tgt0 type veth peer name tgt0p && "
			"ip link add tgt1 type veth peer name tgt1p"));
	ASSERT_EQ(0, tenant(&self->t, TENGUARD_CMD_TENANT_NEW, 100, "blue", 5100));
	ASSERT_EQ(0, tenant(&self->t, TENGUARD_CMD_TENANT_NEW, 200, "red", -1));
}

FIXTURE_TEARDOWN(genl)
{
	/* deleting the devices forgets their ports */
	tg_sh("ip link del tgt0 2>/dev/null; ip link del tgt1 2>/dev/null");
	tenant(&self->t, TENGUARD_CMD_TENANT_DEL, 100, NULL, -1);
	tenant(&self->t, TENGUARD_CMD_TENANT_DEL, 200, NULL, -1);
	tg_close(&self->t);
}

/* the errno and an extack message containing msg: never an empty one */
#define EXPECT_ERR(err, msg, expr) do {					\
	EXPECT_EQ(-(err), (expr));					\
	EXPECT_TRUE(self->t.extack[0] &&				\
		    strstr(self->t.extack, msg))			\
		TH_LOG("extack \"%s\", wanted \"%s\"", self->t.extack, msg); \
} while (0)

TEST_F(genl, tenant_commands)
{
	EXPECT_ERR(EEXIST, "tenant exists",
		   tenant(&self->t, TENGUARD_CMD_TENANT_NEW, 100, "x", -1));
	EXPECT_ERR(EEXIST, "segment belongs to another tenant",
		   tenant(&self->t, TENGUARD_CMD_TENANT_NEW, 300, "x", 5100));
	EXPECT_ERR(EINVAL, "missing tenant id",
		   tenant(&self->t, TENGUARD_CMD_TENANT_NEW, 0, "noid", -1));
	EXPECT_ERR(ERANGE, "",
		   tenant(&self->t, TENGUARD_CMD_TENANT_NEW, 0x1000000, "big", -1));
	EXPECT_ERR(ERANGE, "",
		   tenant(&self->t, TENGUARD_CMD_TENANT_NEW, 300, "x", 0x1000000));
	EXPECT_ERR(ENOENT, "no such tenant",
		   tenant(&self->t, TENGUARD_CMD_TENANT_SET, 999, "x", -1));
	EXPECT_EQ(0, tenant(&self->t, TENGUARD_CMD_TENANT_SET, 200, "crimson", 5200));
	EXPECT_ERR(ENOENT, "no such tenant",
		   tenant(&self->t, TENGUARD_CMD_TENANT_DEL, 999, NULL, -1));
	EXPECT_EQ(0, tenant(&self->t, TENGUARD_CMD_TENANT_GET, 200, NULL, -1));
}

TEST_F(genl, tenant_name_too_long)
{
	char name[64];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	EXPECT_ERR(EINVAL, "",
		   tenant(&self->t, TENGUARD_CMD_TENANT_NEW, 300, name, -1));
}

TEST_F(genl, port_commands)
{
	struct port_req r = { .dev = "tgt0", .tenant = 100,
			      .macs = { "02:00:00:00:01:01" },
			      .addr = "198.18.1.1" };

	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	EXPECT_ERR(EEXIST, "already a port",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	r.dev = "tgnope";
	EXPECT_ERR(ENODEV, "no such device",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	r.dev = "tgt1";
	EXPECT_ERR(EEXIST, "MAC bound to another port",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	r.macs[0] = "03:00:00:00:01:02";
	EXPECT_ERR(EINVAL, "unicast",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	r.macs[0] = "02:00:00:00:01:02";
	r.tenant = 999;
	EXPECT_ERR(ENOENT, "no such tenant",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	r.tenant = 0;
	EXPECT_ERR(EINVAL, "needs a tenant",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	r.tenant = 100;
	r.extra_type = TENGUARD_A_PORT_GENERATION;
	r.extra_len = 8;
	EXPECT_ERR(EINVAL, "read only",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	r.extra_type = TENGUARD_A_PORT_MAX + 5;
	r.extra_len = 4;
	EXPECT_ERR(EINVAL, "",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	r.extra_type = TENGUARD_A_PORT_TENANT;
	r.extra_len = 2;	/* a u32 of two bytes */
	r.tenant = 0;
	EXPECT_ERR(EINVAL, "",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	r.extra_type = 0;
	r.tenant = 100;
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	EXPECT_ERR(EBUSY, "still has ports",
		   tenant(&self->t, TENGUARD_CMD_TENANT_DEL, 100, NULL, -1));

	r.tenant = 200;
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, &r));
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_DEL, &r));
	EXPECT_ERR(ENOENT, "not a tenguard port",
		   port(&self->t, TENGUARD_CMD_PORT_DEL, &r));
	EXPECT_ERR(ENOENT, "not a tenguard port",
		   port(&self->t, TENGUARD_CMD_PORT_SET, &r));
}

TEST_F(genl, oversized_nest)
{
	struct port_req r = { .dev = "tgt0", .tenant = 100 };
	static char macs[65][18];
	int i;

	for (i = 0; i < 65; i++) {
		snprintf(macs[i], sizeof(macs[i]), "02:00:00:00:%02x:%02x",
			 i / 256, i % 256);
		r.macs[i] = macs[i];
	}
	EXPECT_ERR(E2BIG, "too many",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
}

TEST_F(genl, uplink)
{
	struct port_req r = { .dev = "tgt0", .kind = TENGUARD_PORT_UPLINK,
			      .macs = { "02:00:00:00:01:01" } };

	EXPECT_ERR(EINVAL, "an uplink has no tenant",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	r.macs[0] = NULL;
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
}

TEST_F(genl, ack_and_up_gate)
{
	struct port_req r = { .dev = "tgt0", .tenant = 100,
			      .macs = { "02:00:00:00:01:01" } };
	struct port_req ack = { .dev = "tgt0" };

	ASSERT_EQ(0, tg_sh("ip link set tgt0 up"));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	/* a port that was up is brought down until the daemon acks */
	EXPECT_NE(0, tg_sh("ip link show tgt0 | grep -q ',UP'"));
	EXPECT_NE(0, tg_sh("ip link set tgt0 up 2>/dev/null"));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, &ack));
	ack.generation = last.generation + 1;
	EXPECT_ERR(ESTALE, "not the port's current generation",
		   port(&self->t, TENGUARD_CMD_PORT_ACK, &ack));
	ack.generation = last.generation;
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_ACK, &ack));
	EXPECT_EQ(0, tg_sh("ip link set tgt0 up"));
	/* a change closes the gate for the next UP, not the running port */
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	EXPECT_EQ(0, tg_sh("ip link show tgt0 | grep -q ',UP'"));
	EXPECT_EQ(0, tg_sh("ip link set tgt0 down"));
	EXPECT_NE(0, tg_sh("ip link set tgt0 up 2>/dev/null"));
}

TEST_F(genl, device_gone_forgets_port)
{
	struct port_req r = { .dev = "tgt0", .tenant = 100,
			      .macs = { "02:00:00:00:01:01" } };

	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	ASSERT_EQ(0, tg_sh("ip link del tgt0"));
	ASSERT_EQ(0, tg_sh("ip link add tgt0 type veth peer name tgt0p"));
	EXPECT_ERR(ENOENT, "not a tenguard port",
		   port(&self->t, TENGUARD_CMD_PORT_GET, &r));
	/* the MAC is free again */
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
}

TEST_F(genl, dump)
{
	struct port_req r = { .dev = "tgt0", .tenant = 100,
			      .macs = { "02:00:00:00:01:01" } };

	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	r.dev = "tgt1";
	r.macs[0] = "02:00:00:00:01:02";
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, NULL));
	EXPECT_EQ(2U, last.n);
}

/* a caller without CAP_NET_ADMIN in the initial user namespace */
static int as_other(struct tg_nl *t, int how)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		struct tg_nl c;

		if (how == 0 && setuid(65534))
			_exit(10);
		if (how == 1 && unshare(CLONE_NEWUSER | CLONE_NEWNET))
			_exit(11);
		if (tg_open(&c))
			_exit(12);
		_exit(tenant(&c, TENGUARD_CMD_TENANT_NEW, 400, "x", -1) ==
		      -EPERM ? 0 : 13);
	}
	waitpid(pid, &status, 0);
	(void)t;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(genl, eperm_unprivileged)
{
	EXPECT_EQ(0, as_other(&self->t, 0));
}

TEST_F(genl, eperm_user_namespace)
{
	EXPECT_EQ(0, as_other(&self->t, 1));
}

TEST_F(genl, port_in_other_netns_by_netnsid)
{
	struct port_req r = { .dev = "tgn0", .tenant = 100,
			      .macs = { "02:00:00:00:01:09" } };
	char buf[8192];
	struct nlmsghdr *nlh;
	struct nlattr *n;

	ASSERT_EQ(0, tg_sh("ip netns add tgt-ns && ip netns set tgt-ns 7 && "
			"ip -n tgt-ns link add tgn0 type veth peer name tgn0p"));
	/* by name, in the caller's namespace: not there */
	EXPECT_ERR(ENODEV, "no such device",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	nlh = tg_genl_msg(&self->t, buf, TENGUARD_CMD_PORT_NEW, 0);
	n = mnl_attr_nest_start(nlh, TENGUARD_A_PORT);
	mnl_attr_put_strz(nlh, TENGUARD_A_PORT_IFNAME, "tgn0");
	mnl_attr_put_u32(nlh, TENGUARD_A_PORT_NETNSID, 7);
	mnl_attr_put_u32(nlh, TENGUARD_A_PORT_TENANT, 100);
	put_mac(nlh, "02:00:00:00:01:09");
	mnl_attr_nest_end(nlh, n);
	EXPECT_EQ(0, talk(&self->t, nlh));
	/* the caller's own dump does not list it */
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, NULL));
	EXPECT_EQ(0U, last.n);
	tg_sh("ip netns del tgt-ns");
}

TEST_HARNESS_MAIN
