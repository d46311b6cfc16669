// SPDX-License-Identifier: GPL-2.0
/*
 * The "tenguard" generic netlink family, command by command: each happy
 * path, and each error with its errno and extack message; rule sets staged
 * over many messages, at their limits, and dumped back; rate limits; the
 * node's configuration. Runs where tenguard.ko is loaded (the guest,
 * scripts/vmtest.sh), as root.
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

/*
 * answers: messages of the last request; of the last port seen, its
 * generation, groups and quarantine state
 */
static struct {
	uint32_t n;
	uint64_t generation;
	uint32_t groups[40];
	uint32_t n_groups;
	int quarantine;		/* -1: not reported */
	struct tenguard_rate rate[__TENGUARD_ACL_DIR_MAX];	/* flags 0: none */
	uint32_t n_rates;
	int bad_rate;		/* a nest tg_rate_parse() refused, or twice */
} last;

static void port_rate_attr(const struct nlattr *a)
{
	struct tenguard_rate r;
	uint32_t dir;

	last.n_rates++;
	if (tg_rate_parse(a, &dir, &r) || last.rate[dir].flags)
		last.bad_rate = 1;
	else
		last.rate[dir] = r;
}

static int port_gen_attr(const struct nlattr *a, void *data)
{
	switch (mnl_attr_get_type(a)) {
	case TENGUARD_A_PORT_GENERATION:
		last.generation = mnl_attr_get_u64(a);
		break;
	case TENGUARD_A_PORT_GROUP:
		if (last.n_groups < 40)
			last.groups[last.n_groups++] = mnl_attr_get_u32(a);
		break;
	case TENGUARD_A_PORT_QUARANTINE:
		last.quarantine = mnl_attr_get_u8(a);
		break;
	case TENGUARD_A_PORT_RATE:
		port_rate_attr(a);
		break;
	}
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
	last.n_groups = 0;
	last.quarantine = -1;
	memset(last.rate, 0, sizeof(last.rate));
	last.n_rates = 0;
	last.bad_rate = 0;
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

/*
 * A TENGUARD_A_PORT_RATE as a test writes it, wrong ones too: each
 * attribute only if its R_ bit is in have. rate(dir) starts one.
 */
enum {
	R_NEST = 1, R_DIR = 2, R_BPS = 4, R_BURST = 8, R_PPS = 16,
	R_PKT_BURST = 32, R_FLAGS = 64,
};

struct rate_req {
	uint32_t have;
	uint32_t dir, burst, pps, pkt_burst, flags;
	uint64_t bps;
};

/* dir < 0: no TENGUARD_A_RATE_DIR */
static struct rate_req rate(int dir)
{
	return (struct rate_req){ .have = R_NEST | (dir < 0 ? 0 : R_DIR),
				  .dir = dir };
}

static struct rate_req bps(struct rate_req r, uint64_t v)
{
	r.have |= R_BPS;
	r.bps = v;
	return r;
}

static struct rate_req burst(struct rate_req r, uint32_t v)
{
	r.have |= R_BURST;
	r.burst = v;
	return r;
}

static struct rate_req pps(struct rate_req r, uint32_t v)
{
	r.have |= R_PPS;
	r.pps = v;
	return r;
}

static struct rate_req pkt_burst(struct rate_req r, uint32_t v)
{
	r.have |= R_PKT_BURST;
	r.pkt_burst = v;
	return r;
}

static struct rate_req rflags(struct rate_req r, uint32_t v)
{
	r.have |= R_FLAGS;
	r.flags = v;
	return r;
}

/*
 * Where the last request put each rate nest [i][0] and its attributes
 * [i][TENGUARD_A_RATE_*], from the message's start, as the kernel names
 * an attribute at fault.
 */
static uint32_t rate_at[4][TENGUARD_A_RATE_MAX + 1];

static void put_rates(struct nlmsghdr *nlh, const struct rate_req *rr)
{
	struct nlattr *n;
	int i;

	/* each attribute goes where the message ends: nlmsg_len stays aligned */
#define RATE_AT(i, type) (rate_at[i][type] = nlh->nlmsg_len)
	memset(rate_at, 0, sizeof(rate_at));
	for (i = 0; i < 4 && rr[i].have; i++) {
		RATE_AT(i, 0);
		n = mnl_attr_nest_start(nlh, TENGUARD_A_PORT_RATE);
		if (rr[i].have & R_DIR) {
			RATE_AT(i, TENGUARD_A_RATE_DIR);
			mnl_attr_put_u32(nlh, TENGUARD_A_RATE_DIR, rr[i].dir);
		}
		if (rr[i].have & R_BPS) {
			RATE_AT(i, TENGUARD_A_RATE_BPS);
			mnl_attr_put_u64(nlh, TENGUARD_A_RATE_BPS, rr[i].bps);
		}
		if (rr[i].have & R_BURST) {
			RATE_AT(i, TENGUARD_A_RATE_BURST);
			mnl_attr_put_u32(nlh, TENGUARD_A_RATE_BURST,
					 rr[i].burst);
		}
		if (rr[i].have & R_PPS) {
			RATE_AT(i, TENGUARD_A_RATE_PPS);
			mnl_attr_put_u32(nlh, TENGUARD_A_RATE_PPS, rr[i].pps);
		}
		if (rr[i].have & R_PKT_BURST) {
			RATE_AT(i, TENGUARD_A_RATE_PKT_BURST);
			mnl_attr_put_u32(nlh, TENGUARD_A_RATE_PKT_BURST,
					 rr[i].pkt_burst);
		}
		if (rr[i].have & R_FLAGS) {
			RATE_AT(i, TENGUARD_A_RATE_FLAGS);
			mnl_attr_put_u32(nlh, TENGUARD_A_RATE_FLAGS,
					 rr[i].flags);
		}
		mnl_attr_nest_end(nlh, n);
	}
#undef RATE_AT
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
	uint32_t flags;		/* TENGUARD_A_PORT_FLAGS if not 0 */
	uint32_t groups[40];	/* TENGUARD_A_PORT_GROUP, up to a 0 */
	struct rate_req rates[4];	/* TENGUARD_A_PORT_RATE, up to a 0 */
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
	if (r->flags)
		mnl_attr_put_u32(nlh, TENGUARD_A_PORT_FLAGS, r->flags);
	for (i = 0; i < 40 && r->groups[i]; i++)
		mnl_attr_put_u32(nlh, TENGUARD_A_PORT_GROUP, r->groups[i]);
	put_rates(nlh, r->rates);
	if (r->extra_type)
		mnl_attr_put(nlh, r->extra_type, r->extra_len, zero);
	mnl_attr_nest_end(nlh, n);
	return talk(t, nlh);
}


FIXTURE(genl) {
	struct tg_nl t;
	struct tg_nl rt;
};

static int node_reset(struct tg_nl *t);

/*
 * Devices without a process each: under TCG on a busy host an `ip` takes
 * seconds, and a test has 30. Nor with if_nametoindex(): its ioctl asks
 * modprobe for a "netdev-NAME" module when there is no such device.
 */
static void del_links(struct tg_nl *rt, const char *prefix, int n)
{
	char name[IFNAMSIZ];
	struct tg_link l;
	int i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%d", prefix, i);
		if (!tg_link_get(rt, name, &l))
			tg_link_del(rt, l.ifindex);
	}
}

FIXTURE_SETUP(genl)
{
	ASSERT_EQ(0, tg_open(&self->t)) TH_LOG("family not found: module loaded?");
	ASSERT_EQ(0, tg_open_route(&self->rt));
	/* what a test killed by its timeout left behind */
	del_links(&self->rt, "tgt", 2);
	del_links(&self->rt, "tgl", 17);
	tenant(&self->t, TENGUARD_CMD_TENANT_DEL, 100, NULL, -1);
	tenant(&self->t, TENGUARD_CMD_TENANT_DEL, 200, NULL, -1);
	ASSERT_EQ(0, tg_link_add(&self->rt, "tgt0", "dummy"));
	ASSERT_EQ(0, tg_link_add(&self->rt, "tgt1", "dummy"));
	ASSERT_EQ(0, tenant(&self->t, TENGUARD_CMD_TENANT_NEW, 100, "blue", 5100));
	ASSERT_EQ(0, tenant(&self->t, TENGUARD_CMD_TENANT_NEW, 200, "red", -1));
}

FIXTURE_TEARDOWN(genl)
{
	/* deleting the devices forgets their ports, rule sets and staging */
	del_links(&self->rt, "tgt", 2);
	del_links(&self->rt, "tgl", 17);
	/* the node's configuration is host-wide: back to the defaults */
	node_reset(&self->t);
	tenant(&self->t, TENGUARD_CMD_TENANT_DEL, 100, NULL, -1);
	tenant(&self->t, TENGUARD_CMD_TENANT_DEL, 200, NULL, -1);
	tg_close(&self->rt);
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

/* ---- groups and quarantine ---- */

TEST_F(genl, port_groups)
{
	struct port_req r = { .dev = "tgt0", .tenant = 100,
			      .macs = { "02:00:00:00:01:01" },
			      .groups = { 1, 2, TENGUARD_GROUP_MAX } };
	struct port_req get = { .dev = "tgt0" };
	int i;

	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, &get));
	ASSERT_EQ(3U, last.n_groups);
	EXPECT_EQ(1U, last.groups[0]);
	EXPECT_EQ(2U, last.groups[1]);
	EXPECT_EQ((uint32_t)TENGUARD_GROUP_MAX, last.groups[2]);
	/* a SET that carries groups replaces them */
	memset(r.groups, 0, sizeof(r.groups));
	r.groups[0] = 7;
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, &get));
	ASSERT_EQ(1U, last.n_groups);
	EXPECT_EQ(7U, last.groups[0]);
	/* one that does not keeps them; APPEND adds */
	r.groups[0] = 0;
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	r.macs[0] = NULL;
	r.flags = TENGUARD_PORT_F_APPEND;
	r.groups[0] = 8;
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, &get));
	ASSERT_EQ(2U, last.n_groups);
	EXPECT_EQ(7U, last.groups[0]);
	EXPECT_EQ(8U, last.groups[1]);
	EXPECT_ERR(EINVAL, "group given twice",
		   port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	r.flags = 0;
	r.groups[1] = 8;
	EXPECT_ERR(EINVAL, "group given twice",
		   port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	for (i = 0; i < TENGUARD_PORT_GROUPS_MAX + 1; i++)
		r.groups[i] = i + 1;
	EXPECT_ERR(E2BIG, "too many groups (max 32)",
		   port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	/* APPEND counts what the port has */
	r.groups[TENGUARD_PORT_GROUPS_MAX - 1] = 0;
	r.groups[0] = 100;
	r.flags = TENGUARD_PORT_F_APPEND;
	EXPECT_ERR(E2BIG, "too many groups",
		   port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	memset(r.groups, 0, sizeof(r.groups));
	r.flags = 0;
	r.extra_type = TENGUARD_A_PORT_GROUP;	/* group 0 */
	r.extra_len = 4;
	EXPECT_ERR(ERANGE, "out of range",
		   port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	/* nothing of the refused requests stuck */
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, &get));
	EXPECT_EQ(2U, last.n_groups);
	/* an uplink has none */
	r = (struct port_req){ .dev = "tgt1", .kind = TENGUARD_PORT_UPLINK,
			       .groups = { 1 } };
	EXPECT_ERR(EINVAL, "an uplink has no tenant",
		   port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
}

/* a port's ifname (and netnsid, quarantine) in a request of cmd */
static struct nlmsghdr *port_cmd(struct tg_nl *t, void *buf, uint8_t cmd,
				 uint16_t flags, const char *dev)
{
	struct nlmsghdr *nlh = tg_genl_msg(t, buf, cmd, flags);
	struct nlattr *n;

	n = mnl_attr_nest_start(nlh, TENGUARD_A_PORT);
	if (dev)
		mnl_attr_put_strz(nlh, TENGUARD_A_PORT_IFNAME, dev);
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

/* on: 0 or 1; -1 sends none; anything else as it is */
static int quarantine(struct tg_nl *t, const char *dev, int on)
{
	char buf[1024];
	struct nlmsghdr *nlh = tg_genl_msg(t, buf, TENGUARD_CMD_PORT_QUARANTINE,
					   0);
	struct nlattr *n;

	n = mnl_attr_nest_start(nlh, TENGUARD_A_PORT);
	mnl_attr_put_strz(nlh, TENGUARD_A_PORT_IFNAME, dev);
	if (on >= 0)
		mnl_attr_put_u8(nlh, TENGUARD_A_PORT_QUARANTINE, on);
	mnl_attr_nest_end(nlh, n);
	return talk(t, nlh);
}

/* what "config" said */
struct notif {
	uint8_t cmd;
	uint64_t generation;
	int quarantine;		/* -1: not in it */
	int acl;		/* TENGUARD_A_ACL in it */
	uint32_t dir, dflt, count;
	int has_dflt, has_count, rules;
	int rates;		/* TENGUARD_A_PORT_RATE nests in the port */
	int node;		/* TENGUARD_A_NODE in it */
	int node_lists;		/* protect, service, remediation in it */
};

static int notif_attr(const struct nlattr *a, void *data)
{
	struct notif *n = data;
	const struct nlattr *b;

	switch (mnl_attr_get_type(a)) {
	case TENGUARD_A_PORT:
		mnl_attr_for_each_nested(b, a) {
			if (mnl_attr_get_type(b) == TENGUARD_A_PORT_GENERATION)
				n->generation = mnl_attr_get_u64(b);
			if (mnl_attr_get_type(b) == TENGUARD_A_PORT_QUARANTINE)
				n->quarantine = mnl_attr_get_u8(b);
			n->rates += mnl_attr_get_type(b) == TENGUARD_A_PORT_RATE;
		}
		break;
	case TENGUARD_A_ACL:
		n->acl = 1;
		mnl_attr_for_each_nested(b, a) {
			switch (mnl_attr_get_type(b)) {
			case TENGUARD_A_ACL_DIR:
				n->dir = mnl_attr_get_u32(b);
				break;
			case TENGUARD_A_ACL_DEFAULT:
				n->dflt = mnl_attr_get_u32(b);
				n->has_dflt = 1;
				break;
			case TENGUARD_A_ACL_COUNT:
				n->count = mnl_attr_get_u32(b);
				n->has_count = 1;
				break;
			case TENGUARD_A_ACL_RULE:
				n->rules++;
				break;
			}
		}
		break;
	case TENGUARD_A_NODE:
		n->node = 1;
		mnl_attr_for_each_nested(b, a)
			if (mnl_attr_get_type(b) != TENGUARD_A_NODE_FLAGS &&
			    mnl_attr_get_type(b) != TENGUARD_A_NODE_TIMEOUT)
				n->node_lists++;
		break;
	}
	return MNL_CB_OK;
}

/* the notifications queued on a socket that joined "config", at most max */
static int notifs(struct tg_nl *t, struct notif *n, int max)
{
	int fd = mnl_socket_get_fd(t->nl), len, got = 0;
	const struct nlmsghdr *r;
	static char buf[32768];

	for (;;) {
		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0)
			return errno == EAGAIN ? got : -errno;
		for (r = (void *)buf; mnl_nlmsg_ok(r, len);
		     r = mnl_nlmsg_next(r, &len)) {
			if (r->nlmsg_type != t->family || got >= max)
				continue;
			memset(&n[got], 0, sizeof(n[got]));
			n[got].quarantine = -1;
			n[got].cmd = ((struct genlmsghdr *)
				      mnl_nlmsg_get_payload(r))->cmd;
			mnl_attr_parse(r, sizeof(struct genlmsghdr), notif_attr,
				       &n[got]);
			got++;
		}
	}
}

TEST_F(genl, quarantine)
{
	struct port_req r = { .dev = "tgt0", .tenant = 100,
			      .macs = { "02:00:00:00:01:01" } };
	struct port_req up = { .dev = "tgt1", .kind = TENGUARD_PORT_UPLINK };
	struct port_req get = { .dev = "tgt0" };
	struct notif n[4];
	struct tg_nl l;
	uint64_t gen;

	ASSERT_EQ(0, tg_open(&l));
	ASSERT_EQ(0, tg_join_config(&l));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, &get));
	EXPECT_EQ(0, last.quarantine);
	gen = last.generation;

	EXPECT_EQ(0, quarantine(&self->t, "tgt0", 1));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, &get));
	EXPECT_EQ(1, last.quarantine);
	EXPECT_LT(gen, last.generation);
	gen = last.generation;
	/* "config" heard it, with the port as PORT_GET shows it */
	ASSERT_EQ(2, notifs(&l, n, 4));
	EXPECT_EQ(TENGUARD_CMD_PORT_NEW, n[0].cmd);
	EXPECT_EQ(TENGUARD_CMD_PORT_QUARANTINE, n[1].cmd);
	EXPECT_EQ(1, n[1].quarantine);
	EXPECT_EQ(gen, n[1].generation);
	/* again: nothing changes, nobody hears of it */
	EXPECT_EQ(0, quarantine(&self->t, "tgt0", 1));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, &get));
	EXPECT_EQ(gen, last.generation);
	EXPECT_EQ(0, notifs(&l, n, 4));
	/* a PORT_SET keeps it, and cannot set it */
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, &get));
	EXPECT_EQ(1, last.quarantine);
	r.extra_type = TENGUARD_A_PORT_QUARANTINE;
	r.extra_len = 1;
	EXPECT_ERR(EINVAL, "quarantine is set by PORT_QUARANTINE only",
		   port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	r.extra_type = 0;
	/* nor does a VM port (quarantined or not) become an uplink */
	r.kind = TENGUARD_PORT_UPLINK;
	r.tenant = 0;
	r.macs[0] = NULL;
	EXPECT_ERR(EINVAL, "an uplink has no tenant, MACs",
		   port(&self->t, TENGUARD_CMD_PORT_SET, &r));

	EXPECT_EQ(0, quarantine(&self->t, "tgt0", 0));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, &get));
	EXPECT_EQ(0, last.quarantine);
	EXPECT_LT(gen, last.generation);

	EXPECT_ERR(EINVAL, "missing quarantine state",
		   quarantine(&self->t, "tgt0", -1));
	EXPECT_ERR(ERANGE, "out of range", quarantine(&self->t, "tgt0", 2));
	EXPECT_ERR(ENOENT, "not a tenguard port",
		   quarantine(&self->t, "tgt1", 1));
	EXPECT_ERR(ENODEV, "no such device",
		   quarantine(&self->t, "tgnope", 1));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &up));
	EXPECT_ERR(EOPNOTSUPP, "only a VM port can be quarantined",
		   quarantine(&self->t, "tgt1", 1));
	tg_close(&l);
}

/* ---- rule sets ---- */

static struct tenguard_acl_rule rule(uint8_t action, uint8_t proto)
{
	return (struct tenguard_acl_rule){ .action = action, .proto = proto };
}

/* "198.18.0.0/16", "fd00::/8" */
static struct tenguard_acl_rule remote(struct tenguard_acl_rule r,
				       const char *pfx)
{
	char a[64], *slash;

	snprintf(a, sizeof(a), "%s", pfx);
	slash = strchr(a, '/');
	if (slash)
		*slash++ = '\0';
	r.family = strchr(a, ':') ? 6 : 4;
	inet_pton(r.family == 4 ? AF_INET : AF_INET6, a, r.addr);
	r.prefixlen = slash ? atoi(slash) : r.family == 4 ? 32 : 128;
	return r;
}

static struct tenguard_acl_rule ports(struct tenguard_acl_rule r,
				      uint16_t min, uint16_t max)
{
	r.match |= TENGUARD_RULE_M_PORTS;
	r.port_min = min;
	r.port_max = max;
	return r;
}

static struct tenguard_acl_rule icmp(struct tenguard_acl_rule r, int type,
				     int code)
{
	r.match |= TENGUARD_RULE_M_ICMP_TYPE;
	r.icmp_type = type;
	if (code >= 0) {
		r.match |= TENGUARD_RULE_M_ICMP_CODE;
		r.icmp_code = code;
	}
	return r;
}

/* one of each kind: the happy path of every field */
static void sample_rules(struct tenguard_acl_rule *r)
{
	r[0] = ports(remote(rule(TENGUARD_ACL_ALLOW, IPPROTO_TCP),
			    "198.18.0.0/16"), 22, 22);
	r[1] = ports(rule(TENGUARD_ACL_ALLOW, IPPROTO_UDP), 8000, 8080);
	r[2] = icmp(remote(rule(TENGUARD_ACL_ALLOW, IPPROTO_ICMP),
			   "198.19.1.1"), 8, 0);
	r[3] = icmp(rule(TENGUARD_ACL_ALLOW, IPPROTO_ICMPV6), 128, -1);
	r[4] = remote(rule(TENGUARD_ACL_DENY, 0), "fd00::/8");
	r[4].flags = TENGUARD_RULE_F_LOG;
	r[5] = ports(rule(TENGUARD_ACL_ALLOW, IPPROTO_SCTP), 0, 65535);
	r[6] = ports(rule(TENGUARD_ACL_ALLOW, IPPROTO_UDPLITE), 5, 6);
	r[7] = rule(TENGUARD_ACL_ALLOW, 47);	/* GRE */
	r[8] = rule(TENGUARD_ACL_DENY, 0);
	r[8].group = 3;
	r[9] = remote(rule(TENGUARD_ACL_ALLOW, 0), "0.0.0.0/0");
}
#define N_SAMPLE 10

static int vm_port(struct tg_nl *t, const char *dev, const char *mac)
{
	struct port_req r = { .dev = dev, .tenant = 100, .macs = { mac } };

	return port(t, TENGUARD_CMD_PORT_NEW, &r);
}

static uint64_t port_generation(struct tg_nl *t, const char *dev)
{
	struct port_req get = { .dev = dev };

	last.generation = 0;
	port(t, TENGUARD_CMD_PORT_GET, &get);
	return last.generation;
}

TEST_F(genl, acl_set_get_del)
{
	struct tenguard_acl_rule r[N_SAMPLE];
	struct tg_acl_dump d;
	uint64_t gen;

	sample_rules(r);
	ASSERT_EQ(0, vm_port(&self->t, "tgt0", "02:00:00:00:01:01"));
	/* no rule set: nothing to dump */
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	EXPECT_FALSE(d.dir[0].present || d.dir[1].present);
	gen = port_generation(&self->t, "tgt0");

	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", TENGUARD_ACL_INGRESS,
				TENGUARD_ACL_DENY, 0, r, N_SAMPLE))
		TH_LOG("%s", self->t.extack);
	EXPECT_LT(gen, port_generation(&self->t, "tgt0"));
	gen = port_generation(&self->t, "tgt0");
	/* an empty rule set is its default alone */
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", TENGUARD_ACL_EGRESS,
				TENGUARD_ACL_ALLOW, 0, NULL, 0));
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	EXPECT_EQ(port_generation(&self->t, "tgt0"), d.generation);
	EXPECT_STREQ("tgt0", d.ifname);
	ASSERT_TRUE(d.dir[TENGUARD_ACL_INGRESS].present);
	EXPECT_EQ((uint32_t)TENGUARD_ACL_DENY, d.dir[TENGUARD_ACL_INGRESS].dflt);
	EXPECT_EQ((uint32_t)N_SAMPLE, d.dir[TENGUARD_ACL_INGRESS].count);
	EXPECT_EQ((uint32_t)N_SAMPLE, d.dir[TENGUARD_ACL_INGRESS].got);
	EXPECT_EQ(0, memcmp(r, d.dir[TENGUARD_ACL_INGRESS].rules, sizeof(r)));
	ASSERT_TRUE(d.dir[TENGUARD_ACL_EGRESS].present);
	EXPECT_EQ((uint32_t)TENGUARD_ACL_ALLOW, d.dir[TENGUARD_ACL_EGRESS].dflt);
	EXPECT_EQ(0U, d.dir[TENGUARD_ACL_EGRESS].count);
	EXPECT_EQ(1U, d.dir[TENGUARD_ACL_EGRESS].msgs);
	tg_acl_dump_free(&d);
	/* one direction asked, one sent */
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", TENGUARD_ACL_EGRESS, &d));
	EXPECT_FALSE(d.dir[TENGUARD_ACL_INGRESS].present);
	EXPECT_TRUE(d.dir[TENGUARD_ACL_EGRESS].present);
	tg_acl_dump_free(&d);

	/* a SET replaces the set whole */
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", TENGUARD_ACL_INGRESS,
				TENGUARD_ACL_ALLOW, 0, r + 3, 2));
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", TENGUARD_ACL_INGRESS, &d));
	EXPECT_EQ(2U, d.dir[TENGUARD_ACL_INGRESS].got);
	EXPECT_EQ(0, memcmp(r + 3, d.dir[TENGUARD_ACL_INGRESS].rules,
			    2 * sizeof(*r)));
	tg_acl_dump_free(&d);

	/* a PORT_SET keeps the rule sets (it shares them) */
	struct port_req ps = { .dev = "tgt0", .tenant = 200,
			       .macs = { "02:00:00:00:01:01" } };
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &ps));
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	EXPECT_EQ(2U, d.dir[TENGUARD_ACL_INGRESS].got);
	EXPECT_TRUE(d.dir[TENGUARD_ACL_EGRESS].present);
	tg_acl_dump_free(&d);
	/* nor does it become an uplink, which would carry them */
	ps = (struct port_req){ .dev = "tgt0", .kind = TENGUARD_PORT_UPLINK };
	EXPECT_ERR(EINVAL, "an uplink has no tenant, MACs",
		   port(&self->t, TENGUARD_CMD_PORT_SET, &ps));

	gen = port_generation(&self->t, "tgt0");
	EXPECT_EQ(0, tg_acl_del(&self->t, "tgt0", TENGUARD_ACL_INGRESS));
	EXPECT_LT(gen, port_generation(&self->t, "tgt0"));
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	EXPECT_FALSE(d.dir[TENGUARD_ACL_INGRESS].present);
	EXPECT_TRUE(d.dir[TENGUARD_ACL_EGRESS].present);
	tg_acl_dump_free(&d);
	EXPECT_ERR(ENOENT, "no rule set in this direction",
		   tg_acl_del(&self->t, "tgt0", TENGUARD_ACL_INGRESS));
	EXPECT_EQ(0, tg_acl_del(&self->t, "tgt0", TENGUARD_ACL_EGRESS));
}

/*
 * A rule attribute by attribute, to send what tenguard_acl_rule cannot
 * say: V(x) sends x, 0 leaves the attribute out.
 */
#define V(x) ((long)(x) + 1)
struct rule_spec {
	long action, flags, group, proto, port_min, port_max;
	long icmp_type, icmp_code;
	const char *remote;	/* as remote() takes it */
	long family;		/* V(family) of the remote instead */
	long prefixlen;		/* V(prefixlen) of the remote instead */
	int bogus;		/* an attribute the rule does not have */
	int no_addr;		/* the remote without its address */
};

static void put_spec(struct nlmsghdr *nlh, int type, const struct rule_spec *s)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type), *a;
	struct tenguard_acl_rule r = { 0 };

	if (s->action)
		mnl_attr_put_u32(nlh, TENGUARD_A_RULE_ACTION, s->action - 1);
	if (s->flags)
		mnl_attr_put_u32(nlh, TENGUARD_A_RULE_FLAGS, s->flags - 1);
	if (s->remote) {
		r = remote(r, s->remote);
		a = mnl_attr_nest_start(nlh, TENGUARD_A_RULE_REMOTE);
		mnl_attr_put_u16(nlh, TENGUARD_A_ADDR_FAMILY, s->family ?
				 s->family - 1 : r.family == 4 ? AF_INET : AF_INET6);
		if (!s->no_addr)
			mnl_attr_put(nlh, TENGUARD_A_ADDR_ADDR,
				     r.family == 4 ? 4 : 16, r.addr);
		mnl_attr_put_u8(nlh, TENGUARD_A_ADDR_PREFIXLEN, s->prefixlen ?
				s->prefixlen - 1 : r.prefixlen);
		mnl_attr_nest_end(nlh, a);
	}
	if (s->group)
		mnl_attr_put_u32(nlh, TENGUARD_A_RULE_GROUP, s->group - 1);
	if (s->proto)
		mnl_attr_put_u8(nlh, TENGUARD_A_RULE_PROTO, s->proto - 1);
	if (s->port_min)
		mnl_attr_put_u16(nlh, TENGUARD_A_RULE_PORT_MIN, s->port_min - 1);
	if (s->port_max)
		mnl_attr_put_u16(nlh, TENGUARD_A_RULE_PORT_MAX, s->port_max - 1);
	if (s->icmp_type)
		mnl_attr_put_u8(nlh, TENGUARD_A_RULE_ICMP_TYPE, s->icmp_type - 1);
	if (s->icmp_code)
		mnl_attr_put_u8(nlh, TENGUARD_A_RULE_ICMP_CODE, s->icmp_code - 1);
	if (s->bogus)
		mnl_attr_put_u32(nlh, TENGUARD_A_RULE_MAX + 1, 0);
	mnl_attr_nest_end(nlh, n);
}

/*
 * An ACL_SET of tgt0's ingress: default (V(x) or 0), flags, n_good good
 * rules, then the rule spec (if any).
 */
static int acl_spec(struct tg_nl *t, long dflt, uint32_t flags,
		    unsigned int n_good, const struct rule_spec *bad)
{
	static char buf[16384];
	struct tenguard_acl_rule good = ports(rule(TENGUARD_ACL_ALLOW,
						   IPPROTO_TCP), 80, 80);
	struct nlmsghdr *nlh;
	struct nlattr *a;
	unsigned int i;

	nlh = port_cmd(t, buf, TENGUARD_CMD_ACL_SET, 0, "tgt0");
	a = mnl_attr_nest_start(nlh, TENGUARD_A_ACL);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DIR, TENGUARD_ACL_INGRESS);
	if (dflt)
		mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DEFAULT, dflt - 1);
	if (flags)
		mnl_attr_put_u32(nlh, TENGUARD_A_ACL_FLAGS, flags);
	for (i = 0; i < n_good; i++)
		tg_rule_put(nlh, TENGUARD_A_ACL_RULE, &good);
	if (bad)
		put_spec(nlh, TENGUARD_A_ACL_RULE, bad);
	mnl_attr_nest_end(nlh, a);
	return talk(t, nlh);
}

static const struct {
	struct rule_spec spec;
	int err;
	const char *msg;
} bad_rules[] = {
	{ { .proto = V(6) }, EINVAL, "missing action" },
	{ { .action = V(2) }, ERANGE, "integer out of range" },
	{ { .action = V(0), .flags = V(2) }, EINVAL, "reserved bit set" },
	{ { .action = V(0), .bogus = 1 }, EINVAL, "Unknown attribute type" },
	{ { .action = V(0), .remote = "198.18.0.0/16", .group = V(1) }, EINVAL,
	  "a remote prefix and a remote group exclude each other" },
	{ { .action = V(0), .group = V(0) }, ERANGE, "integer out of range" },
	{ { .action = V(0), .group = V(65536) }, ERANGE,
	  "integer out of range" },
	{ { .action = V(0), .proto = V(6), .port_max = V(80) }, EINVAL,
	  "a port max needs a port min" },
	{ { .action = V(0), .port_min = V(80) }, EINVAL,
	  "ports need proto tcp, udp, sctp or udplite" },
	{ { .action = V(0), .proto = V(1), .port_min = V(80) }, EINVAL,
	  "ports need proto tcp, udp, sctp or udplite" },
	{ { .action = V(0), .proto = V(17), .port_min = V(81),
	    .port_max = V(80) }, EINVAL, "port min above port max" },
	{ { .action = V(0), .proto = V(6), .icmp_type = V(8) }, EINVAL,
	  "icmp type and code need proto icmp or icmpv6" },
	{ { .action = V(0), .icmp_type = V(8) }, EINVAL,
	  "icmp type and code need proto icmp or icmpv6" },
	{ { .action = V(0), .proto = V(1), .icmp_code = V(0) }, EINVAL,
	  "an icmp code needs an icmp type" },
	{ { .action = V(0), .proto = V(1), .remote = "fd00::/8" }, EINVAL,
	  "icmp never comes from or to an IPv6 remote" },
	{ { .action = V(0), .proto = V(58), .remote = "198.18.0.0/15" },
	  EINVAL, "icmpv6 never comes from or to an IPv4 remote" },
	{ { .action = V(0), .remote = "198.18.0.1/16" }, EINVAL,
	  "host bits set past the prefix" },
	{ { .action = V(0), .remote = "198.18.0.0", .prefixlen = V(33) },
	  EINVAL, "prefix longer than the address" },
	{ { .action = V(0), .remote = "198.18.0.0", .family = V(17) },
	  EAFNOSUPPORT, "family must be AF_INET or AF_INET6" },
	{ { .action = V(0), .remote = "198.18.0.0", .family = V(AF_INET6) },
	  EINVAL, "address length does not match family" },
	{ { .action = V(0), .remote = "198.18.0.0", .no_addr = 1 }, EINVAL,
	  "missing address" },
};

TEST_F(genl, acl_rule_errors)
{
	char want[128];
	unsigned int i;

	ASSERT_EQ(0, vm_port(&self->t, "tgt0", "02:00:00:00:01:01"));
	for (i = 0; i < sizeof(bad_rules) / sizeof(bad_rules[0]); i++) {
		/* the third rule is at fault, and named */
		snprintf(want, sizeof(want), "rule 2: %s", bad_rules[i].msg);
		EXPECT_ERR(bad_rules[i].err, want,
			   acl_spec(&self->t, V(TENGUARD_ACL_DENY), 0, 2,
				    &bad_rules[i].spec));
	}
	/* nothing was published */
	struct tg_acl_dump d;

	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	EXPECT_FALSE(d.dir[0].present);
	/* a part that continues a staged set names the rule in the set */
	ASSERT_EQ(0, acl_spec(&self->t, V(TENGUARD_ACL_DENY),
			      TENGUARD_ACL_F_MORE, 3, NULL));
	EXPECT_ERR(EINVAL, "rule 5: port min above port max",
		   acl_spec(&self->t, 0, TENGUARD_ACL_F_MORE, 2,
			    &bad_rules[10].spec));
}

TEST_F(genl, acl_command_errors)
{
	struct port_req up = { .dev = "tgt1", .kind = TENGUARD_PORT_UPLINK };
	struct nlmsghdr *nlh;
	struct nlattr *a;
	char buf[1024];

	ASSERT_EQ(0, vm_port(&self->t, "tgt0", "02:00:00:00:01:01"));
	/* no acl nest, no direction, no default */
	nlh = port_cmd(&self->t, buf, TENGUARD_CMD_ACL_SET, 0, "tgt0");
	EXPECT_ERR(EINVAL, "missing acl", talk(&self->t, nlh));
	nlh = port_cmd(&self->t, buf, TENGUARD_CMD_ACL_DEL, 0, "tgt0");
	EXPECT_ERR(EINVAL, "missing acl", talk(&self->t, nlh));
	nlh = port_cmd(&self->t, buf, TENGUARD_CMD_ACL_SET, 0, "tgt0");
	a = mnl_attr_nest_start(nlh, TENGUARD_A_ACL);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DEFAULT, TENGUARD_ACL_DENY);
	mnl_attr_nest_end(nlh, a);
	EXPECT_ERR(EINVAL, "missing direction", talk(&self->t, nlh));
	EXPECT_ERR(EINVAL, "missing default: no rule set is being staged",
		   acl_spec(&self->t, 0, 0, 1, NULL));
	EXPECT_ERR(EINVAL, "missing default",
		   acl_spec(&self->t, 0, TENGUARD_ACL_F_MORE, 1, NULL));
	/* out of range, unknown flags, read-only attributes */
	EXPECT_ERR(ERANGE, "out of range",
		   tg_acl_set(&self->t, "tgt0", 2, 0, 0, NULL, 0));
	EXPECT_ERR(ERANGE, "out of range",
		   tg_acl_set(&self->t, "tgt0", 0, 2, 0, NULL, 0));
	EXPECT_ERR(EINVAL, "reserved bit set",
		   tg_acl_set(&self->t, "tgt0", 0, 0, 2, NULL, 0));
	nlh = port_cmd(&self->t, buf, TENGUARD_CMD_ACL_SET, 0, "tgt0");
	a = mnl_attr_nest_start(nlh, TENGUARD_A_ACL);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DIR, 0);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DEFAULT, 0);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_OFFSET, 0);
	mnl_attr_nest_end(nlh, a);
	EXPECT_ERR(EINVAL, "offset is read only", talk(&self->t, nlh));
	nlh = port_cmd(&self->t, buf, TENGUARD_CMD_ACL_SET, 0, "tgt0");
	a = mnl_attr_nest_start(nlh, TENGUARD_A_ACL);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DIR, 0);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DEFAULT, 0);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_COUNT, 0);
	mnl_attr_nest_end(nlh, a);
	EXPECT_ERR(EINVAL, "count is read only", talk(&self->t, nlh));
	/* the port names a port and nothing else */
	nlh = tg_genl_msg(&self->t, buf, TENGUARD_CMD_ACL_SET, 0);
	a = mnl_attr_nest_start(nlh, TENGUARD_A_PORT);
	mnl_attr_put_strz(nlh, TENGUARD_A_PORT_IFNAME, "tgt0");
	mnl_attr_put_u32(nlh, TENGUARD_A_PORT_TENANT, 100);
	mnl_attr_nest_end(nlh, a);
	EXPECT_ERR(EINVAL, "", talk(&self->t, nlh));
	/* DEL takes a direction only */
	nlh = port_cmd(&self->t, buf, TENGUARD_CMD_ACL_DEL, 0, "tgt0");
	a = mnl_attr_nest_start(nlh, TENGUARD_A_ACL);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DIR, 0);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DEFAULT, 0);
	mnl_attr_nest_end(nlh, a);
	EXPECT_ERR(EINVAL, "", talk(&self->t, nlh));
	nlh = port_cmd(&self->t, buf, TENGUARD_CMD_ACL_DEL, 0, "tgt0");
	a = mnl_attr_nest_start(nlh, TENGUARD_A_ACL);
	mnl_attr_nest_end(nlh, a);
	EXPECT_ERR(EINVAL, "missing direction", talk(&self->t, nlh));
	/* ports only, VM ports only */
	EXPECT_ERR(ENOENT, "not a tenguard port",
		   tg_acl_set(&self->t, "tgt1", 0, 0, 0, NULL, 0));
	EXPECT_ERR(ENODEV, "no such device",
		   tg_acl_set(&self->t, "tgnope", 0, 0, 0, NULL, 0));
	nlh = tg_genl_msg(&self->t, buf, TENGUARD_CMD_ACL_SET, 0);
	a = mnl_attr_nest_start(nlh, TENGUARD_A_ACL);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DIR, 0);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DEFAULT, 0);
	mnl_attr_nest_end(nlh, a);
	EXPECT_ERR(EINVAL, "missing port", talk(&self->t, nlh));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &up));
	EXPECT_ERR(EOPNOTSUPP, "only a VM port has rule sets",
		   tg_acl_set(&self->t, "tgt1", 0, 0, 0, NULL, 0));
	EXPECT_ERR(EOPNOTSUPP, "only a VM port has rule sets",
		   tg_acl_del(&self->t, "tgt1", 0));
	/* GET is a dump of one port */
	struct tg_acl_dump d;

	EXPECT_ERR(EOPNOTSUPP, "only a VM port has rule sets",
		   tg_acl_dump(&self->t, "tgt1", -1, &d));
	EXPECT_ERR(ENOENT, "not a tenguard port",
		   tg_acl_dump(&self->t, "lo", -1, &d));
	nlh = tg_genl_msg(&self->t, buf, TENGUARD_CMD_ACL_GET, NLM_F_DUMP);
	EXPECT_ERR(EINVAL, "missing port", talk(&self->t, nlh));
	nlh = port_cmd(&self->t, buf, TENGUARD_CMD_ACL_GET, 0, "tgt0");
	EXPECT_EQ(-EOPNOTSUPP, talk(&self->t, nlh));
}

/* n rules told apart by their port */
static struct tenguard_acl_rule *numbered(unsigned int n, uint16_t first)
{
	struct tenguard_acl_rule *r = calloc(n, sizeof(*r));
	unsigned int i;

	for (i = 0; r && i < n; i++)
		r[i] = ports(rule(i % 2, IPPROTO_TCP), first + i, first + i);
	return r;
}

TEST_F(genl, acl_staging)
{
	struct tenguard_acl_rule *r = numbered(7, 1000);
	struct tg_acl_dump d;
	struct notif n[8];
	struct tg_nl l;
	uint64_t gen;

	ASSERT_TRUE(!!r);
	ASSERT_EQ(0, tg_open(&l));
	ASSERT_EQ(0, vm_port(&self->t, "tgt0", "02:00:00:00:01:01"));
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, TENGUARD_ACL_ALLOW, 0,
				r, 1));
	ASSERT_EQ(0, tg_join_config(&l));
	gen = port_generation(&self->t, "tgt0");

	/* two parts staged: a dump still shows the old set, unchanged */
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, TENGUARD_ACL_DENY,
				TENGUARD_ACL_F_MORE, r, 2));
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, -1, TENGUARD_ACL_F_MORE,
				r + 2, 3));
	EXPECT_EQ(gen, port_generation(&self->t, "tgt0"));
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	EXPECT_EQ(1U, d.dir[0].got);
	EXPECT_EQ((uint32_t)TENGUARD_ACL_ALLOW, d.dir[0].dflt);
	tg_acl_dump_free(&d);
	EXPECT_EQ(0, notifs(&l, n, 8));
	/* a failed part changes nothing: the staged set goes on */
	EXPECT_ERR(ERANGE, "rule 5:",
		   acl_spec(&self->t, 0, TENGUARD_ACL_F_MORE, 0,
			    &bad_rules[1].spec));
	/* the last part publishes all of it, in order, with its default */
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, -1, 0, r + 5, 2));
	EXPECT_LT(gen, port_generation(&self->t, "tgt0"));
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	EXPECT_EQ(7U, d.dir[0].got);
	EXPECT_EQ((uint32_t)TENGUARD_ACL_DENY, d.dir[0].dflt);
	EXPECT_EQ(0, memcmp(r, d.dir[0].rules, 7 * sizeof(*r)));
	tg_acl_dump_free(&d);
	/* one notification, for the publication, without rules */
	ASSERT_EQ(1, notifs(&l, n, 8));
	EXPECT_EQ(TENGUARD_CMD_ACL_SET, n[0].cmd);
	EXPECT_EQ(port_generation(&self->t, "tgt0"), n[0].generation);
	EXPECT_EQ(0U, n[0].dir);
	EXPECT_TRUE(n[0].has_dflt && n[0].has_count);
	EXPECT_EQ((uint32_t)TENGUARD_ACL_DENY, n[0].dflt);
	EXPECT_EQ(7U, n[0].count);
	EXPECT_EQ(0, n[0].rules);
	/* nothing is staged any more */
	EXPECT_ERR(EINVAL, "missing default",
		   tg_acl_set(&self->t, "tgt0", 0, -1, 0, r, 1));
	/* the directions stage apart */
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 1, TENGUARD_ACL_DENY,
				TENGUARD_ACL_F_MORE, r, 1));
	EXPECT_ERR(EINVAL, "missing default",
		   tg_acl_set(&self->t, "tgt0", 0, -1, 0, r, 1));
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 1, -1, 0, r, 1));
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	EXPECT_EQ(7U, d.dir[0].got);
	EXPECT_EQ(2U, d.dir[1].got);
	tg_acl_dump_free(&d);
	/* ACL_DEL notifies the direction without a set */
	notifs(&l, n, 8);
	ASSERT_EQ(0, tg_acl_del(&self->t, "tgt0", 1));
	ASSERT_EQ(1, notifs(&l, n, 8));
	EXPECT_EQ(TENGUARD_CMD_ACL_DEL, n[0].cmd);
	EXPECT_EQ(1U, n[0].dir);
	EXPECT_FALSE(n[0].has_dflt || n[0].has_count);
	tg_close(&l);
	free(r);
}

TEST_F(genl, acl_staging_owner_and_restart)
{
	struct tenguard_acl_rule *r = numbered(4, 2000);
	struct tg_acl_dump d;
	struct tg_nl other;

	ASSERT_TRUE(!!r);
	ASSERT_EQ(0, tg_open(&other));
	ASSERT_EQ(0, vm_port(&self->t, "tgt0", "02:00:00:00:01:01"));
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, TENGUARD_ACL_DENY,
				TENGUARD_ACL_F_MORE, r, 2));
	/* another socket may not continue it... */
	EXPECT_EQ(-EBUSY, tg_acl_set(&other, "tgt0", 0, -1, 0, r + 2, 1));
	EXPECT_STREQ("another socket is staging this rule set", other.extack);
	/* ...but may start over, which discards the first one's parts */
	ASSERT_EQ(0, tg_acl_set(&other, "tgt0", 0, TENGUARD_ACL_ALLOW,
				TENGUARD_ACL_F_MORE, r + 3, 1));
	EXPECT_ERR(EBUSY, "another socket",
		   tg_acl_set(&self->t, "tgt0", 0, -1, 0, r + 2, 1));
	ASSERT_EQ(0, tg_acl_set(&other, "tgt0", 0, -1, 0, r, 1));
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	ASSERT_EQ(2U, d.dir[0].got);
	EXPECT_EQ((uint32_t)TENGUARD_ACL_ALLOW, d.dir[0].dflt);
	EXPECT_EQ(0, memcmp(&r[3], &d.dir[0].rules[0], sizeof(*r)));
	EXPECT_EQ(0, memcmp(&r[0], &d.dir[0].rules[1], sizeof(*r)));
	tg_acl_dump_free(&d);
	/* a part with a default restarts a socket's own staging too */
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, TENGUARD_ACL_DENY,
				TENGUARD_ACL_F_MORE, r, 3));
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, TENGUARD_ACL_DENY,
				TENGUARD_ACL_F_MORE, r + 1, 1));
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, -1, 0, NULL, 0));
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	ASSERT_EQ(1U, d.dir[0].got);
	EXPECT_EQ(0, memcmp(&r[1], &d.dir[0].rules[0], sizeof(*r)));
	tg_acl_dump_free(&d);
	/* and so does a single SET with a default: the parts are dropped */
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, TENGUARD_ACL_DENY,
				TENGUARD_ACL_F_MORE, r, 3));
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, TENGUARD_ACL_ALLOW, 0,
				r + 2, 2));
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	ASSERT_EQ(2U, d.dir[0].got);
	tg_acl_dump_free(&d);
	EXPECT_ERR(EINVAL, "missing default",
		   tg_acl_set(&self->t, "tgt0", 0, -1, 0, NULL, 0));
	tg_close(&other);
	free(r);
}

TEST_F(genl, acl_staging_dropped)
{
	struct tenguard_acl_rule *r = numbered(2, 3000);
	uint64_t gen;

	ASSERT_TRUE(!!r);
	ASSERT_EQ(0, vm_port(&self->t, "tgt0", "02:00:00:00:01:01"));
	/* ACL_DEL drops staging alone: nothing was published, no change */
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, TENGUARD_ACL_DENY,
				TENGUARD_ACL_F_MORE, r, 2));
	gen = port_generation(&self->t, "tgt0");
	EXPECT_EQ(0, tg_acl_del(&self->t, "tgt0", 0));
	EXPECT_EQ(gen, port_generation(&self->t, "tgt0"));
	EXPECT_ERR(EINVAL, "missing default",
		   tg_acl_set(&self->t, "tgt0", 0, -1, 0, r, 1));
	/* so do PORT_DEL and the device going */
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, TENGUARD_ACL_DENY,
				TENGUARD_ACL_F_MORE, r, 2));
	struct port_req del = { .dev = "tgt0" };

	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_DEL, &del));
	ASSERT_EQ(0, vm_port(&self->t, "tgt0", "02:00:00:00:01:01"));
	EXPECT_ERR(EINVAL, "missing default",
		   tg_acl_set(&self->t, "tgt0", 0, -1, 0, r, 1));
	ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 1, TENGUARD_ACL_DENY,
				TENGUARD_ACL_F_MORE, r, 2));
	del_links(&self->rt, "tgt", 1);
	ASSERT_EQ(0, tg_link_add(&self->rt, "tgt0", "dummy"));
	ASSERT_EQ(0, vm_port(&self->t, "tgt0", "02:00:00:00:01:01"));
	EXPECT_ERR(EINVAL, "missing default",
		   tg_acl_set(&self->t, "tgt0", 1, -1, 0, r, 1));
	free(r);
}

/* 10,000 rules in parts, dumped back identical over many messages */
TEST_F_TIMEOUT(genl, acl_10000_rules, 120)
{
	const unsigned int n = 10000;
	struct tenguard_acl_rule *r = calloc(n, sizeof(*r));
	struct tg_acl_dump d;
	unsigned int i;
	double t0;

	ASSERT_TRUE(!!r);
	/* every field, v4 and v6 prefixes of every length */
	for (i = 0; i < n; i++) {
		r[i] = rule(i % 3 == 0, 0);
		if (i % 2)
			r[i] = remote(r[i], "fd00::");
		else
			r[i] = remote(r[i], "198.18.0.0");
		r[i].prefixlen = i % (r[i].family == 4 ? 33 : 129);
		if (r[i].family == 4) {
			r[i].addr[0] = 198;
			r[i].addr[1] = 18;
		}
		memset(r[i].addr + (r[i].prefixlen + 7) / 8, 0,
		       16 - (r[i].prefixlen + 7) / 8);
		if (r[i].prefixlen % 8)
			r[i].addr[r[i].prefixlen / 8] &=
				0xff << (8 - r[i].prefixlen % 8);
		switch (i % 5) {
		case 0:
			r[i] = ports(r[i], i, i + i % 7);
			r[i].proto = IPPROTO_TCP;
			break;
		case 1:
			r[i].proto = r[i].family == 4 ? IPPROTO_ICMP :
				IPPROTO_ICMPV6;
			r[i] = icmp(r[i], i % 256, i % 3 ? (int)(i % 16) : -1);
			break;
		case 2:
			r[i].flags = TENGUARD_RULE_F_LOG;
			break;
		case 3:
			r[i].family = 0;
			r[i].prefixlen = 0;
			memset(r[i].addr, 0, 16);
			r[i].group = 1 + i % TENGUARD_GROUP_MAX;
			break;
		}
	}
	ASSERT_EQ(0, vm_port(&self->t, "tgt0", "02:00:00:00:01:01"));
	t0 = tg_now();
	ASSERT_EQ(0, tg_acl_load(&self->t, "tgt0", TENGUARD_ACL_EGRESS,
				 TENGUARD_ACL_DENY, r, n, 500))
		TH_LOG("%s", self->t.extack);
	ksft_print_msg("10000 rules in 20 parts: %.2f s\n", tg_now() - t0);
	t0 = tg_now();
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	ksft_print_msg("dumped in %u messages: %.2f s\n",
		       d.dir[TENGUARD_ACL_EGRESS].msgs, tg_now() - t0);
	EXPECT_FALSE(d.dir[TENGUARD_ACL_INGRESS].present);
	EXPECT_EQ(n, d.dir[TENGUARD_ACL_EGRESS].count);
	EXPECT_EQ(n, d.dir[TENGUARD_ACL_EGRESS].got);
	EXPECT_LT(1U, d.dir[TENGUARD_ACL_EGRESS].msgs);
	EXPECT_FALSE(d.dir[TENGUARD_ACL_EGRESS].gap);
	for (i = 0; i < n; i++)
		if (memcmp(&r[i], &d.dir[TENGUARD_ACL_EGRESS].rules[i],
			   sizeof(*r)))
			break;
	EXPECT_EQ(n, i) TH_LOG("rule %u differs", i);
	tg_acl_dump_free(&d);
	free(r);
}

/*
 * A dump that something changes under: the dump's first datagram is sent
 * with the request, the rest only as the client reads, so change() runs
 * between the first read and the next. 1 if some part was flagged
 * NLM_F_DUMP_INTR, 0 if none, -1 if the first was or the dump failed.
 */
static int dump_changed(struct tg_nl *t, struct nlmsghdr *req, mnl_cb_t cb,
			void *data, int (*change)(void *), void *arg)
{
	static char buf[32768];
	const struct nlmsghdr *m;
	int len, intr = 0, done = 0, first = 1;

	if (mnl_socket_sendto(t->nl, req, req->nlmsg_len) < 0)
		return -1;
	while (!done) {
		len = mnl_socket_recvfrom(t->nl, buf, sizeof(buf));
		if (len <= 0)
			return -1;
		for (m = (void *)buf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			intr |= !!(m->nlmsg_flags & NLM_F_DUMP_INTR);
			if (m->nlmsg_type == NLMSG_DONE)
				done = 1;
			else if (m->nlmsg_type == NLMSG_ERROR ||
				 cb(m, data) != MNL_CB_OK)
				return -1;
		}
		if (first && (done || intr || change(arg)))
			return -1;
		first = 0;
	}
	return intr;
}

static int acl_change(void *t)
{
	struct tenguard_acl_rule r = rule(TENGUARD_ACL_ALLOW, 0);

	return tg_acl_set(t, "tgt0", 0, TENGUARD_ACL_ALLOW, 0, &r, 1);
}

/* the parts after the change are flagged, and still the old set */
TEST_F(genl, acl_dump_interrupted)
{
	struct tenguard_acl_rule *r = numbered(2000, 1);
	struct tg_acl_dump d = { 0 };
	struct nlmsghdr *nlh;
	struct tg_nl other;
	char buf[256];

	ASSERT_TRUE(!!r);
	ASSERT_EQ(0, tg_open(&other));
	ASSERT_EQ(0, vm_port(&self->t, "tgt0", "02:00:00:00:01:01"));
	ASSERT_EQ(0, tg_acl_load(&self->t, "tgt0", 0, TENGUARD_ACL_DENY, r,
				 2000, 1000));
	nlh = port_cmd(&self->t, buf, TENGUARD_CMD_ACL_GET, NLM_F_DUMP, "tgt0");
	EXPECT_EQ(1, dump_changed(&self->t, nlh, tg_acl_dump_cb, &d,
				  acl_change, &other));
	EXPECT_EQ(2000U, d.dir[0].got);
	EXPECT_EQ((uint32_t)TENGUARD_ACL_DENY, d.dir[0].dflt);
	EXPECT_EQ(0, memcmp(r, d.dir[0].rules, 2000 * sizeof(*r)));
	EXPECT_FALSE(d.dir[0].gap);
	tg_acl_dump_free(&d);
	/* a dump now is the new set, and not flagged */
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", -1, &d));
	EXPECT_EQ(1U, d.dir[0].got);
	tg_acl_dump_free(&d);
	tg_close(&other);
	free(r);
}

TEST_F_TIMEOUT(genl, acl_limit_per_set, 120)
{
	const unsigned int n = TENGUARD_ACL_RULES_MAX;
	struct tenguard_acl_rule *r = calloc(n + 1, sizeof(*r));
	struct tg_acl_dump d;
	int i;

	ASSERT_TRUE(!!r);
	ASSERT_EQ(0, vm_port(&self->t, "tgt0", "02:00:00:00:01:01"));
	/* more than an attribute holds: the client cannot even send it */
	EXPECT_EQ(-EMSGSIZE, tg_acl_set(&self->t, "tgt0", 0, 0, 0, r, n));
	/* one over, at a part with F_MORE and at the last one */
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, i ? -1 : 0,
					TENGUARD_ACL_F_MORE, r, n / 4))
			TH_LOG("%s", self->t.extack);
	EXPECT_ERR(E2BIG, "too many rules in the rule set (max 16384)",
		   tg_acl_set(&self->t, "tgt0", 0, -1, TENGUARD_ACL_F_MORE,
			      r, 1));
	EXPECT_ERR(E2BIG, "too many rules in the rule set",
		   tg_acl_set(&self->t, "tgt0", 0, -1, 0, r, 1));
	/* at the limit, it loads */
	EXPECT_EQ(0, tg_acl_set(&self->t, "tgt0", 0, -1, 0, NULL, 0));
	ASSERT_EQ(0, tg_acl_dump(&self->t, "tgt0", 0, &d));
	EXPECT_EQ(n, d.dir[0].got);
	tg_acl_dump_free(&d);
	free(r);
}

/* TENGUARD_ACL_NODE_RULES_MAX: published and staged rules together */
TEST_F_TIMEOUT(genl, acl_limit_per_node, 240)
{
	const unsigned int n = TENGUARD_ACL_RULES_MAX;
	const unsigned int sets = TENGUARD_ACL_NODE_RULES_MAX / n;
	struct tenguard_acl_rule *r = calloc(n, sizeof(*r));
	char dev[16], mac[18];
	unsigned int i, k;
	double t0;

	ASSERT_TRUE(!!r);
	ASSERT_EQ(16U, sets);
	t0 = tg_now();
	for (i = 0; i <= sets / 2; i++) {
		snprintf(dev, sizeof(dev), "tgl%u", i);
		snprintf(mac, sizeof(mac), "02:00:00:00:10:%02x", i);
		ASSERT_EQ(0, tg_link_add(&self->rt, dev, "dummy"));
		ASSERT_EQ(0, vm_port(&self->t, dev, mac)) TH_LOG("%s", dev);
		if (i == sets / 2)
			break;
		/* half published, half staged */
		ASSERT_EQ(0, tg_acl_load(&self->t, dev, 0, 0, r, n, n / 4))
			TH_LOG("%s: %s", dev, self->t.extack);
		for (k = 0; k < 4; k++)
			ASSERT_EQ(0, tg_acl_set(&self->t, dev, 1, k ? -1 : 0,
						TENGUARD_ACL_F_MORE, r, n / 4))
				TH_LOG("%s: %s", dev, self->t.extack);
	}
	ksft_print_msg("%u rules on %u ports: %.2f s\n", sets * n, sets / 2,
		       tg_now() - t0);
	/* full: one more rule anywhere is one too many */
	EXPECT_ERR(E2BIG, "too many rules on the node (max 262144)",
		   tg_acl_set(&self->t, dev, 0, 0, 0, r, 1));
	EXPECT_ERR(E2BIG, "too many rules on the node",
		   tg_acl_set(&self->t, "tgl0", 0, 0, TENGUARD_ACL_F_MORE,
			      r, 1));
	/* an empty set fits; a single SET counts what it replaces */
	EXPECT_EQ(0, tg_acl_set(&self->t, dev, 0, 0, 0, NULL, 0));
	EXPECT_EQ(0, tg_acl_set(&self->t, "tgl0", 0, 0, 0, r, n / 4));
	/* parts are staged beside the set they replace, and count */
	for (k = 0; k < 3; k++)
		EXPECT_EQ(0, tg_acl_set(&self->t, "tgl1", 0, k ? -1 : 0,
					TENGUARD_ACL_F_MORE, r, n / 4))
			TH_LOG("%s", self->t.extack);
	EXPECT_ERR(E2BIG, "too many rules on the node",
		   tg_acl_set(&self->t, "tgl1", 0, -1, TENGUARD_ACL_F_MORE,
			      r, n / 4));
	/* until the last part puts them in its place: as full as before */
	EXPECT_EQ(0, tg_acl_set(&self->t, "tgl1", 0, -1, 0, r, n / 4));
	EXPECT_EQ(0, tg_acl_load(&self->t, dev, 0, 0, r, 3 * n / 4, n / 4))
		TH_LOG("%s", self->t.extack);
	EXPECT_ERR(E2BIG, "too many rules on the node",
		   tg_acl_set(&self->t, dev, 1, 0, 0, r, 1));
	/* deleting a set, or a port with its staging, makes room */
	EXPECT_EQ(0, tg_acl_del(&self->t, "tgl2", 0));
	EXPECT_EQ(0, tg_acl_load(&self->t, dev, 1, 0, r, n, n / 4))
		TH_LOG("%s", self->t.extack);
	EXPECT_ERR(E2BIG, "too many rules on the node",
		   tg_acl_set(&self->t, "tgl2", 0, 0, 0, r, 1));
	ASSERT_EQ(0, tg_link_del(&self->rt, if_nametoindex("tgl3")));
	EXPECT_EQ(0, tg_acl_load(&self->t, "tgl2", 0, 0, r, n, n / 4))
		TH_LOG("%s", self->t.extack);
	EXPECT_EQ(0, tg_acl_load(&self->t, "tgl4", 1, 0, r, n, n / 4))
		TH_LOG("%s", self->t.extack);
	free(r);
}

/* ---- the node ---- */

struct node_dump {
	uint32_t flags;
	uint32_t timeout[__TENGUARD_CT_TIMEOUT_MAX];
	int heads;		/* messages with flags and timeouts */
	unsigned int msgs;
	struct tenguard_acl_rule protect[300];	/* as remotes */
	struct tenguard_acl_rule services[1100], remediation[1100];
	unsigned int n_protect, n_services, n_remediation;
};

static int node_attr(const struct nlattr *a, struct node_dump *d)
{
	const struct nlattr *b;
	struct tenguard_acl_rule r;

	switch (mnl_attr_get_type(a)) {
	case TENGUARD_A_NODE_FLAGS:
		d->flags = mnl_attr_get_u32(a);
		d->heads++;
		break;
	case TENGUARD_A_NODE_TIMEOUT:
		mnl_attr_for_each_nested(b, a)
			if (mnl_attr_get_type(b) >= 1 &&
			    mnl_attr_get_type(b) <= __TENGUARD_CT_TIMEOUT_MAX)
				d->timeout[mnl_attr_get_type(b) - 1] =
					mnl_attr_get_u32(b);
		break;
	case TENGUARD_A_NODE_PROTECT:
		/* an address nest is a rule's remote, without an action */
		memset(&r, 0, sizeof(r));
		if (d->n_protect >= 300 || tg_remote_parse(a, &r))
			return -1;
		d->protect[d->n_protect++] = r;
		break;
	case TENGUARD_A_NODE_SERVICE:
		if (d->n_services >= 1100 || tg_rule_parse(a, &r))
			return -1;
		d->services[d->n_services++] = r;
		break;
	case TENGUARD_A_NODE_REMEDIATION:
		if (d->n_remediation >= 1100 || tg_rule_parse(a, &r))
			return -1;
		d->remediation[d->n_remediation++] = r;
		break;
	}
	return 0;
}

static int node_cb(const struct nlmsghdr *nlh, void *data)
{
	struct node_dump *d = data;
	const struct nlattr *a, *b;

	d->msgs++;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != TENGUARD_A_NODE)
			continue;
		mnl_attr_for_each_nested(b, a)
			if (node_attr(b, d))
				return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int node_get(struct tg_nl *t, struct node_dump *d)
{
	char buf[256];

	memset(d, 0, sizeof(*d));
	return tg_talk(t, tg_genl_msg(t, buf, TENGUARD_CMD_NODE_GET,
				      NLM_F_DUMP), node_cb, d);
}

/* what a NODE_SET carries: a list with n < 0 is not carried */
struct node_req {
	long flags;			/* V(flags) or 0 */
	int n_protect, n_services, n_remediation;
	const struct tenguard_acl_rule *protect, *services, *remediation;
	const long *timeout;		/* V(seconds) each, or 0; NULL: none */
	const struct rule_spec *bad_service;	/* added after the services */
};

static void put_addr(struct nlmsghdr *nlh, int type,
		     const struct tenguard_acl_rule *r)
{
	struct nlattr *a = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u16(nlh, TENGUARD_A_ADDR_FAMILY,
			 r->family == 4 ? AF_INET : AF_INET6);
	mnl_attr_put(nlh, TENGUARD_A_ADDR_ADDR, r->family == 4 ? 4 : 16,
		     r->addr);
	mnl_attr_put_u8(nlh, TENGUARD_A_ADDR_PREFIXLEN, r->prefixlen);
	mnl_attr_nest_end(nlh, a);
}

/* a list of n items; an empty list is carried as one empty nest */
static void put_list(struct nlmsghdr *nlh, int type, int n,
		     const struct tenguard_acl_rule *r)
{
	int i;

	if (n < 0)
		return;
	if (!n)
		mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, type));
	for (i = 0; i < n; i++) {
		if (type == TENGUARD_A_NODE_PROTECT)
			put_addr(nlh, type, &r[i]);
		else
			tg_rule_put(nlh, type, &r[i]);
	}
}

static int node_set(struct tg_nl *t, const struct node_req *q)
{
	static char buf[262144];
	struct nlmsghdr *nlh = tg_genl_msg(t, buf, TENGUARD_CMD_NODE_SET, 0);
	struct nlattr *n, *a;
	int i, bytes = sizeof(buf) * 2;

	setsockopt(mnl_socket_get_fd(t->nl), SOL_SOCKET, SO_SNDBUFFORCE,
		   &bytes, sizeof(bytes));
	n = mnl_attr_nest_start(nlh, TENGUARD_A_NODE);
	if (q->flags)
		mnl_attr_put_u32(nlh, TENGUARD_A_NODE_FLAGS, q->flags - 1);
	put_list(nlh, TENGUARD_A_NODE_PROTECT, q->n_protect, q->protect);
	put_list(nlh, TENGUARD_A_NODE_SERVICE, q->n_services, q->services);
	put_list(nlh, TENGUARD_A_NODE_REMEDIATION, q->n_remediation,
		 q->remediation);
	if (q->bad_service)
		put_spec(nlh, TENGUARD_A_NODE_SERVICE, q->bad_service);
	if (q->timeout) {
		a = mnl_attr_nest_start(nlh, TENGUARD_A_NODE_TIMEOUT);
		for (i = 0; i < __TENGUARD_CT_TIMEOUT_MAX; i++)
			if (q->timeout[i])
				mnl_attr_put_u32(nlh, i + 1, q->timeout[i] - 1);
		mnl_attr_nest_end(nlh, a);
	}
	mnl_attr_nest_end(nlh, n);
	/* TENGUARD_A_NODE holds 64 KiB: larger lists go in APPENDs */
	if ((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)n > UINT16_MAX)
		return -EMSGSIZE;
	return talk(t, nlh);
}

static const long no_timeouts[__TENGUARD_CT_TIMEOUT_MAX];

static int node_reset(struct tg_nl *t)
{
	struct node_req q = { .flags = V(0), .timeout = no_timeouts };

	return node_set(t, &q);
}

static const uint32_t default_timeouts[] = TENGUARD_CT_TIMEOUTS_DEFAULT;

TEST_F(genl, node_set_get)
{
	struct tenguard_acl_rule prot[2], svc[3], rem[2];
	const long timeouts[__TENGUARD_CT_TIMEOUT_MAX] = {
		[TENGUARD_CT_UDP] = V(45), [TENGUARD_CT_OTHER] = V(INT32_MAX),
	};
	struct node_req q = { .flags = V(TENGUARD_NODE_F_OWN_ADDRS),
			      .n_protect = 2, .protect = prot,
			      .n_services = 3, .services = svc,
			      .n_remediation = 2, .remediation = rem,
			      .timeout = timeouts };
	struct node_dump *d = calloc(1, sizeof(*d));
	struct notif n[4];
	struct tg_nl l;
	int i;

	ASSERT_TRUE(!!d);
	/* the defaults: nothing protected, the default timeouts */
	ASSERT_EQ(0, node_get(&self->t, d));
	EXPECT_EQ(1U, d->msgs);
	EXPECT_EQ(1, d->heads);
	EXPECT_EQ(0U, d->flags);
	EXPECT_EQ(0U, d->n_protect + d->n_services + d->n_remediation);
	EXPECT_EQ(0, memcmp(default_timeouts, d->timeout, sizeof(d->timeout)));

	prot[0] = remote(rule(0, 0), "198.18.0.1");
	prot[1] = remote(rule(0, 0), "fd00:1::/64");
	svc[0] = ports(remote(rule(TENGUARD_ACL_ALLOW, IPPROTO_UDP),
			      "198.18.0.1"), 53, 53);
	svc[1] = ports(remote(rule(TENGUARD_ACL_ALLOW, IPPROTO_TCP),
			      "169.254.169.254"), 80, 80);
	svc[2] = icmp(rule(TENGUARD_ACL_ALLOW, IPPROTO_ICMP), 8, -1);
	rem[0] = remote(rule(TENGUARD_ACL_ALLOW, 0), "198.19.255.0/24");
	rem[1] = rule(TENGUARD_ACL_DENY, IPPROTO_UDP);
	rem[1].flags = TENGUARD_RULE_F_LOG;
	ASSERT_EQ(0, tg_open(&l));
	ASSERT_EQ(0, tg_join_config(&l));
	ASSERT_EQ(0, node_set(&self->t, &q)) TH_LOG("%s", self->t.extack);
	ASSERT_EQ(0, node_get(&self->t, d));
	EXPECT_EQ((uint32_t)TENGUARD_NODE_F_OWN_ADDRS, d->flags);
	ASSERT_EQ(2U, d->n_protect);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(prot[i].family, d->protect[i].family);
		EXPECT_EQ(prot[i].prefixlen, d->protect[i].prefixlen);
		EXPECT_EQ(0, memcmp(prot[i].addr, d->protect[i].addr, 16));
	}
	ASSERT_EQ(3U, d->n_services);
	EXPECT_EQ(0, memcmp(svc, d->services, sizeof(svc)));
	ASSERT_EQ(2U, d->n_remediation);
	EXPECT_EQ(0, memcmp(rem, d->remediation, sizeof(rem)));
	for (i = 0; i < __TENGUARD_CT_TIMEOUT_MAX; i++)
		EXPECT_EQ(timeouts[i] ? (uint32_t)timeouts[i] - 1 :
			  default_timeouts[i], d->timeout[i]) TH_LOG("%d", i);
	/* "config" hears of it, with flags and timeouts but no lists */
	ASSERT_EQ(1, notifs(&l, n, 4));
	EXPECT_EQ(TENGUARD_CMD_NODE_SET, n[0].cmd);
	EXPECT_TRUE(n[0].node);
	EXPECT_EQ(0, n[0].node_lists);

	/* a SET replaces what it carries, and keeps the rest */
	q = (struct node_req){ .n_protect = -1, .n_services = 1,
			       .services = svc + 2, .n_remediation = -1 };
	ASSERT_EQ(0, node_set(&self->t, &q));
	ASSERT_EQ(0, node_get(&self->t, d));
	EXPECT_EQ((uint32_t)TENGUARD_NODE_F_OWN_ADDRS, d->flags);
	EXPECT_EQ(2U, d->n_protect);
	ASSERT_EQ(1U, d->n_services);
	EXPECT_EQ(0, memcmp(svc + 2, d->services, sizeof(*svc)));
	EXPECT_EQ(2U, d->n_remediation);
	EXPECT_EQ(45U, d->timeout[TENGUARD_CT_UDP]);
	/* APPEND adds to the lists it carries and leaves the flags */
	q = (struct node_req){ .flags = V(TENGUARD_NODE_F_APPEND),
			       .n_protect = 1, .protect = prot,
			       .n_services = 2, .services = svc,
			       .n_remediation = 0 };
	ASSERT_EQ(0, node_set(&self->t, &q)) TH_LOG("%s", self->t.extack);
	ASSERT_EQ(0, node_get(&self->t, d));
	EXPECT_EQ((uint32_t)TENGUARD_NODE_F_OWN_ADDRS, d->flags);
	ASSERT_EQ(3U, d->n_protect);
	EXPECT_EQ(0, memcmp(prot[0].addr, d->protect[2].addr, 16));
	ASSERT_EQ(3U, d->n_services);
	EXPECT_EQ(0, memcmp(svc + 2, &d->services[0], sizeof(*svc)));
	EXPECT_EQ(0, memcmp(svc, &d->services[1], 2 * sizeof(*svc)));
	EXPECT_EQ(2U, d->n_remediation);
	/* an empty nest empties a list; a timeout nest resets the others */
	q = (struct node_req){ .flags = V(0), .n_protect = 0,
			       .n_services = -1, .n_remediation = 0,
			       .timeout = (const long[__TENGUARD_CT_TIMEOUT_MAX]){
					[TENGUARD_CT_ICMP] = V(1) } };
	ASSERT_EQ(0, node_set(&self->t, &q));
	ASSERT_EQ(0, node_get(&self->t, d));
	EXPECT_EQ(0U, d->flags);
	EXPECT_EQ(0U, d->n_protect);
	EXPECT_EQ(3U, d->n_services);
	EXPECT_EQ(0U, d->n_remediation);
	EXPECT_EQ(1U, d->timeout[TENGUARD_CT_ICMP]);
	EXPECT_EQ(default_timeouts[TENGUARD_CT_UDP],
		  d->timeout[TENGUARD_CT_UDP]);
	tg_close(&l);
	free(d);
}

TEST_F(genl, node_errors)
{
	struct tenguard_acl_rule *r = calloc(TENGUARD_NODE_RULES_MAX + 1,
					     sizeof(*r));
	struct tenguard_acl_rule prot[TENGUARD_NODE_PROTECT_MAX + 1];
	struct rule_spec group = { .action = V(0), .group = V(1) };
	struct node_req q = { .n_protect = -1, .n_services = -1,
			      .n_remediation = -1 };
	struct node_dump *d = calloc(1, sizeof(*d));
	char buf[256];
	int i;

	ASSERT_TRUE(!!r && !!d);
	for (i = 0; i <= TENGUARD_NODE_PROTECT_MAX; i++) {
		prot[i] = remote(rule(0, 0), "198.18.0.0");
		prot[i].addr[2] = i >> 8;
		prot[i].addr[3] = i;
	}
	EXPECT_ERR(EINVAL, "missing node",
		   talk(&self->t, tg_genl_msg(&self->t, buf,
					      TENGUARD_CMD_NODE_SET, 0)));
	q.n_protect = TENGUARD_NODE_PROTECT_MAX + 1;
	q.protect = prot;
	EXPECT_ERR(E2BIG, "too many protected prefixes (max 256)",
		   node_set(&self->t, &q));
	q.n_protect = -1;
	q.n_services = TENGUARD_NODE_RULES_MAX + 1;
	q.services = r;
	EXPECT_ERR(E2BIG, "too many service or remediation rules (max 1024 each)",
		   node_set(&self->t, &q));
	q.n_services = -1;
	q.n_remediation = TENGUARD_NODE_RULES_MAX + 1;
	q.remediation = r;
	EXPECT_ERR(E2BIG, "too many service or remediation rules",
		   node_set(&self->t, &q));
	/* the rules are named in their list */
	q.n_remediation = 2;
	r[1] = ports(rule(0, IPPROTO_ICMP), 1, 1);
	EXPECT_ERR(EINVAL, "remediation rule 1: ports need proto",
		   node_set(&self->t, &q));
	q.n_remediation = -1;
	q.n_services = 3;
	q.bad_service = &group;
	memset(r, 0, 3 * sizeof(*r));
	EXPECT_ERR(EINVAL, "service rule 3: a node rule has no remote group",
		   node_set(&self->t, &q));
	q.bad_service = &bad_rules[0].spec;
	EXPECT_ERR(EINVAL, "service rule 3: missing action",
		   node_set(&self->t, &q));
	q.bad_service = NULL;
	q.n_services = -1;
	prot[1].addr[3] |= 1;
	prot[1].prefixlen = 24;
	q.n_protect = 2;
	EXPECT_ERR(EINVAL, "protected prefix 1: host bits set past the prefix",
		   node_set(&self->t, &q));
	q.n_protect = -1;
	q.timeout = (const long[__TENGUARD_CT_TIMEOUT_MAX]){
			[TENGUARD_CT_TCP_SYN] = V(0) };
	EXPECT_ERR(ERANGE, "out of range", node_set(&self->t, &q));
	q.timeout = (const long[__TENGUARD_CT_TIMEOUT_MAX]){
			[TENGUARD_CT_TCP_SYN] = V(0x80000000L) };
	EXPECT_ERR(ERANGE, "out of range", node_set(&self->t, &q));
	q.timeout = NULL;
	q.flags = V(2);
	EXPECT_ERR(EINVAL, "reserved bit set", node_set(&self->t, &q));
	/* an APPEND counts and names what the list has */
	q = (struct node_req){ .n_protect = -1, .n_services = 1000,
			       .services = r, .n_remediation = -1 };
	memset(r, 0, (TENGUARD_NODE_RULES_MAX + 1) * sizeof(*r));
	ASSERT_EQ(0, node_set(&self->t, &q));
	q.flags = V(TENGUARD_NODE_F_APPEND);
	q.n_services = TENGUARD_NODE_RULES_MAX - 1000 + 1;
	EXPECT_ERR(E2BIG, "too many service or remediation rules",
		   node_set(&self->t, &q));
	q.n_services = 1;
	q.bad_service = &group;
	EXPECT_ERR(EINVAL, "service rule 1001: a node rule has no remote group",
		   node_set(&self->t, &q));
	q.bad_service = NULL;
	q.n_services = 0;
	q.n_protect = 0;
	ASSERT_EQ(0, node_set(&self->t, &q));
	ASSERT_EQ(0, node_get(&self->t, d));
	EXPECT_EQ(1000U, d->n_services);
	EXPECT_EQ(0U, d->n_protect);
	q = (struct node_req){ .flags = V(0), .n_protect = -1, .n_services = 0,
			       .n_remediation = -1 };
	ASSERT_EQ(0, node_set(&self->t, &q));
	/* nothing of it stuck */
	ASSERT_EQ(0, node_get(&self->t, d));
	EXPECT_EQ(0U, d->n_protect + d->n_services + d->n_remediation);
	EXPECT_EQ(0U, d->flags);
	EXPECT_EQ(0, memcmp(default_timeouts, d->timeout, sizeof(d->timeout)));
	/* GET is a dump, of nothing in particular */
	EXPECT_EQ(-EOPNOTSUPP, talk(&self->t, tg_genl_msg(&self->t, buf,
							 TENGUARD_CMD_NODE_GET, 0)));
	struct nlmsghdr *nlh = tg_genl_msg(&self->t, buf, TENGUARD_CMD_NODE_GET,
					   NLM_F_DUMP);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, TENGUARD_A_NODE));
	EXPECT_ERR(EINVAL, "", talk(&self->t, nlh));
	free(r);
	free(d);
}

static int node_change(void *t)
{
	struct node_req q = { .flags = V(TENGUARD_NODE_F_OWN_ADDRS),
			      .n_protect = -1, .n_services = -1,
			      .n_remediation = -1 };

	return node_set(t, &q);
}

/* the largest node configuration, dumped back over many messages */
TEST_F(genl, node_largest)
{
	const int nr = TENGUARD_NODE_RULES_MAX, np = TENGUARD_NODE_PROTECT_MAX;
	struct tenguard_acl_rule *svc = calloc(nr, sizeof(*svc));
	struct tenguard_acl_rule *rem = calloc(nr, sizeof(*rem));
	struct tenguard_acl_rule prot[TENGUARD_NODE_PROTECT_MAX];
	struct node_req q = { .n_protect = np, .protect = prot,
			      .n_services = nr, .services = svc,
			      .n_remediation = nr, .remediation = rem };
	struct node_dump *d = calloc(1, sizeof(*d));
	struct nlmsghdr *nlh;
	struct tg_nl other;
	char buf[256];
	int i;

	ASSERT_TRUE(!!svc && !!rem && !!d);
	for (i = 0; i < np; i++) {
		prot[i] = remote(rule(0, 0), "fd00::/64");
		prot[i].addr[6] = i;
	}
	for (i = 0; i < nr; i++) {
		svc[i] = ports(remote(rule(TENGUARD_ACL_ALLOW, IPPROTO_TCP),
				      "fd00:ffff::1"), i, i);
		rem[i] = ports(remote(rule(TENGUARD_ACL_ALLOW, IPPROTO_UDP),
				      "fd00:eeee::/32"), i, 65535);
	}
	/* more than TENGUARD_A_NODE holds: the client cannot send it */
	EXPECT_EQ(-EMSGSIZE, node_set(&self->t, &q));
	/* so it comes in parts, each list in APPENDs after the first */
	q = (struct node_req){ .n_protect = np, .protect = prot,
			       .n_services = nr / 2, .services = svc,
			       .n_remediation = 0 };
	ASSERT_EQ(0, node_set(&self->t, &q)) TH_LOG("%s", self->t.extack);
	q = (struct node_req){ .flags = V(TENGUARD_NODE_F_APPEND),
			       .n_protect = -1,
			       .n_services = nr / 2, .services = svc + nr / 2,
			       .n_remediation = -1 };
	ASSERT_EQ(0, node_set(&self->t, &q)) TH_LOG("%s", self->t.extack);
	q = (struct node_req){ .flags = V(TENGUARD_NODE_F_APPEND),
			       .n_protect = -1, .n_services = -1,
			       .n_remediation = nr / 2, .remediation = rem };
	ASSERT_EQ(0, node_set(&self->t, &q)) TH_LOG("%s", self->t.extack);
	q = (struct node_req){ .flags = V(TENGUARD_NODE_F_APPEND),
			       .n_protect = -1, .n_services = -1,
			       .n_remediation = nr / 2,
			       .remediation = rem + nr / 2 };
	ASSERT_EQ(0, node_set(&self->t, &q)) TH_LOG("%s", self->t.extack);
	ASSERT_EQ(0, node_get(&self->t, d));
	ksft_print_msg("the largest node configuration: %u messages\n",
		       d->msgs);
	EXPECT_LT(1U, d->msgs);
	EXPECT_EQ(1, d->heads);
	ASSERT_EQ((unsigned int)np, d->n_protect);
	for (i = 0; i < np; i++)
		EXPECT_EQ(0, memcmp(prot[i].addr, d->protect[i].addr, 16));
	ASSERT_EQ((unsigned int)nr, d->n_services);
	EXPECT_EQ(0, memcmp(svc, d->services, nr * sizeof(*svc)));
	ASSERT_EQ((unsigned int)nr, d->n_remediation);
	EXPECT_EQ(0, memcmp(rem, d->remediation, nr * sizeof(*rem)));
	/* a SET during a dump flags its later parts, which stay the old */
	ASSERT_EQ(0, tg_open(&other));
	memset(d, 0, sizeof(*d));
	nlh = tg_genl_msg(&self->t, buf, TENGUARD_CMD_NODE_GET, NLM_F_DUMP);
	EXPECT_EQ(1, dump_changed(&self->t, nlh, node_cb, d, node_change,
				  &other));
	EXPECT_EQ(0U, d->flags);
	EXPECT_EQ((unsigned int)np, d->n_protect);
	EXPECT_EQ((unsigned int)nr, d->n_services);
	EXPECT_EQ((unsigned int)nr, d->n_remediation);
	EXPECT_EQ(0, memcmp(rem, d->remediation, nr * sizeof(*rem)));
	ASSERT_EQ(0, node_get(&self->t, d));
	EXPECT_EQ((uint32_t)TENGUARD_NODE_F_OWN_ADDRS, d->flags);
	tg_close(&other);
	free(svc);
	free(rem);
	free(d);
}

/* ---- rate limits ---- */

#define ING TENGUARD_ACL_INGRESS
#define EGR TENGUARD_ACL_EGRESS
#define F_BPS ((uint32_t)TENGUARD_RATE_F_BPS)
#define F_PPS ((uint32_t)TENGUARD_RATE_F_PPS)
#define F_SHAPE ((uint32_t)TENGUARD_RATE_F_SHAPE)

/* the limits of dev's direction dir as PORT_GET reports them */
static struct tenguard_rate got_rate(struct tg_nl *t, const char *dev,
				     int dir)
{
	struct port_req get = { .dev = dev };

	memset(last.rate, 0, sizeof(last.rate));
	last.bad_rate = 1;
	port(t, TENGUARD_CMD_PORT_GET, &get);
	return last.rate[dir];
}

TEST_F(genl, rate_new_get)
{
	struct port_req r = { .dev = "tgt0", .tenant = 100,
			      .macs = { "02:00:00:00:01:01" } };
	struct tenguard_rate g;

	/* none: unlimited, and no RATE in the reply */
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	got_rate(&self->t, "tgt0", EGR);
	EXPECT_EQ(0U, last.n_rates);
	EXPECT_EQ(0, last.bad_rate);
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_DEL, &r));

	/* what a NEW leaves out is filled in: GET shows the values in force */
	r.rates[0] = pps(bps(rate(EGR), 100000000), 20000);
	r.rates[1] = rflags(burst(bps(rate(ING), 1000000000), 200000),
			    F_SHAPE);
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r))
		TH_LOG("%s", self->t.extack);
	g = got_rate(&self->t, "tgt0", EGR);
	EXPECT_EQ(2U, last.n_rates);
	EXPECT_EQ(0, last.bad_rate);
	EXPECT_EQ(F_BPS | F_PPS, g.flags);
	EXPECT_EQ(100000000ULL, g.bps);
	EXPECT_EQ(TENGUARD_RATE_BURST_DEFAULT(100000000ULL), g.burst);
	EXPECT_EQ(20000U, g.pps);
	EXPECT_EQ(TENGUARD_RATE_PKT_BURST_DEFAULT(20000U), g.pkt_burst);
	g = last.rate[ING];
	EXPECT_EQ(F_BPS | F_SHAPE, g.flags);
	EXPECT_EQ(1000000000ULL, g.bps);
	EXPECT_EQ(200000U, g.burst);
	EXPECT_EQ(0U, g.pps);
	EXPECT_EQ(0U, g.pkt_burst);
	/* a dump says the same */
	EXPECT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_GET, NULL));
	EXPECT_EQ(1U, last.n);
	EXPECT_EQ(2U, last.n_rates);
	EXPECT_EQ(200000U, last.rate[ING].burst);
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_DEL, &r));

	/*
	 * 0 passes nothing and has no burst; the largest rates and bursts;
	 * the default burst past its floor
	 */
	memset(r.rates, 0, sizeof(r.rates));
	r.rates[0] = pps(bps(rate(EGR), 0), 0);
	r.rates[1] = pkt_burst(pps(burst(bps(rate(ING), TENGUARD_RATE_BPS_MAX),
					 TENGUARD_RATE_BURST_MAX),
				   TENGUARD_RATE_PPS_MAX),
			       TENGUARD_RATE_PKT_BURST_MAX);
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r))
		TH_LOG("%s", self->t.extack);
	g = got_rate(&self->t, "tgt0", EGR);
	EXPECT_EQ(0, last.bad_rate);
	EXPECT_EQ(F_BPS | F_PPS, g.flags);
	EXPECT_EQ(0ULL, g.bps);
	EXPECT_EQ(0U, g.burst);
	EXPECT_EQ(0U, g.pps);
	EXPECT_EQ(0U, g.pkt_burst);
	g = last.rate[ING];
	EXPECT_EQ(F_BPS | F_PPS, g.flags);
	EXPECT_EQ(TENGUARD_RATE_BPS_MAX, g.bps);
	EXPECT_EQ(TENGUARD_RATE_BURST_MAX, g.burst);
	EXPECT_EQ(TENGUARD_RATE_PPS_MAX, g.pps);
	EXPECT_EQ(TENGUARD_RATE_PKT_BURST_MAX, g.pkt_burst);
	/* default bursts within their floors and maxima */
	memset(r.rates, 0, sizeof(r.rates));
	r.rates[0] = pps(bps(rate(ING), 1000), 1);
	r.rates[1] = pps(bps(rate(EGR), TENGUARD_RATE_BPS_MAX),
			 TENGUARD_RATE_PPS_MAX);
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	g = got_rate(&self->t, "tgt0", ING);
	EXPECT_EQ(TENGUARD_RATE_BURST_FLOOR, g.burst);
	EXPECT_EQ(TENGUARD_RATE_PKT_BURST_FLOOR, g.pkt_burst);
	g = last.rate[EGR];
	EXPECT_EQ(TENGUARD_RATE_BURST_MAX, g.burst);
	EXPECT_EQ(TENGUARD_RATE_PKT_BURST_MAX, g.pkt_burst);
	/* the packet rate alone, and shaping on it alone */
	memset(r.rates, 0, sizeof(r.rates));
	r.rates[0] = rflags(pps(rate(ING), 5000), F_SHAPE);
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &r));
	g = got_rate(&self->t, "tgt0", ING);
	EXPECT_EQ(F_PPS | F_SHAPE, g.flags);
	EXPECT_EQ(TENGUARD_RATE_PKT_BURST_DEFAULT(5000U), g.pkt_burst);
}

TEST_F(genl, rate_set)
{
	struct port_req r = { .dev = "tgt0", .tenant = 100,
			      .macs = { "02:00:00:00:01:01" } };
	struct port_req set = { .dev = "tgt0" };
	struct tenguard_rate g;
	struct notif n[4];
	struct tg_nl l;
	uint64_t gen;

	ASSERT_EQ(0, tg_open(&l));
	ASSERT_EQ(0, tg_join_config(&l));
	r.rates[0] = pps(bps(rate(EGR), 100000000), 20000);
	r.rates[1] = bps(rate(ING), 50000000);
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	gen = port_generation(&self->t, "tgt0");

	/* a direction named is replaced whole: egress loses its pps */
	set.rates[0] = burst(bps(rate(EGR), 200000000), 65536);
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &set))
		TH_LOG("%s", self->t.extack);
	g = got_rate(&self->t, "tgt0", EGR);
	EXPECT_EQ(2U, last.n_rates);
	EXPECT_EQ(F_BPS, g.flags);
	EXPECT_EQ(200000000ULL, g.bps);
	EXPECT_EQ(65536U, g.burst);
	EXPECT_EQ(0U, g.pps);
	/* the other keeps its own */
	EXPECT_EQ(F_BPS, last.rate[ING].flags);
	EXPECT_EQ(50000000ULL, last.rate[ING].bps);
	/* a change at runtime is a new generation, the daemon's to program */
	EXPECT_LT(gen, last.generation);
	gen = last.generation;

	/* a SET without RATE keeps both */
	memset(set.rates, 0, sizeof(set.rates));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	got_rate(&self->t, "tgt0", EGR);
	EXPECT_EQ(2U, last.n_rates);
	EXPECT_EQ(200000000ULL, last.rate[EGR].bps);

	/* DIR alone lifts that direction's limits */
	set.rates[0] = rate(EGR);
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	got_rate(&self->t, "tgt0", EGR);
	EXPECT_EQ(1U, last.n_rates);
	EXPECT_EQ(0U, last.rate[EGR].flags);
	EXPECT_EQ(50000000ULL, last.rate[ING].bps);
	EXPECT_LT(gen, last.generation);

	/* an APPEND (a multi-part NEW) replaces per direction as well */
	set.flags = TENGUARD_PORT_F_APPEND;
	set.rates[0] = pps(rate(EGR), 1000);
	set.rates[1] = rflags(bps(rate(ING), 60000000), F_SHAPE);
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	got_rate(&self->t, "tgt0", EGR);
	EXPECT_EQ(2U, last.n_rates);
	EXPECT_EQ(F_PPS, last.rate[EGR].flags);
	EXPECT_EQ(1000U, last.rate[EGR].pps);
	EXPECT_EQ(F_BPS | F_SHAPE, last.rate[ING].flags);
	EXPECT_EQ(60000000ULL, last.rate[ING].bps);
	set.rates[0] = rate(ING);
	set.rates[1] = rate(EGR);
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	got_rate(&self->t, "tgt0", EGR);
	EXPECT_EQ(0U, last.n_rates);

	/* "config" heard each, with the port's limits as a GET has them */
	ASSERT_EQ(4, notifs(&l, n, 4)) TH_LOG("%d", notifs(&l, n, 4));
	EXPECT_EQ(TENGUARD_CMD_PORT_NEW, n[0].cmd);
	EXPECT_EQ(2, n[0].rates);
	EXPECT_EQ(TENGUARD_CMD_PORT_SET, n[1].cmd);
	EXPECT_EQ(2, n[1].rates);
	EXPECT_EQ(2, n[2].rates);
	EXPECT_EQ(1, n[3].rates);
	tg_close(&l);
}

/* the request's errno, message, and the attribute at fault */
#define EXPECT_RATE_ERR(err, msg, at, expr) do {			\
	EXPECT_ERR(err, msg, expr);					\
	EXPECT_EQ((at), self->t.bad_off);				\
} while (0)

TEST_F(genl, rate_errors)
{
	struct port_req r = { .dev = "tgt0", .tenant = 100,
			      .macs = { "02:00:00:00:01:01" } };
	struct port_req set = { .dev = "tgt0" };
	struct port_req up = { .dev = "tgt1", .kind = TENGUARD_PORT_UPLINK };
	uint64_t gen;

	r.rates[0] = bps(rate(EGR), 100000000);
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &r));
	gen = port_generation(&self->t, "tgt0");

	set.rates[0] = bps(rate(-1), 1000000);
	EXPECT_ERR(EINVAL, "missing rate direction",
		   port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	EXPECT_EQ((uint32_t)TENGUARD_A_RATE_DIR, self->t.miss_type);
	EXPECT_EQ(rate_at[0][0], self->t.miss_nest);

	set.rates[0] = bps(rate(ING), 1000000);
	set.rates[1] = pps(rate(EGR), 1000);
	set.rates[2] = rate(ING);
	EXPECT_RATE_ERR(EINVAL, "rate for ingress given twice", rate_at[2][0],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	memset(set.rates, 0, sizeof(set.rates));

	set.rates[0] = burst(rate(EGR), 65536);
	EXPECT_RATE_ERR(EINVAL, "a burst needs a bit rate above 0",
			rate_at[0][TENGUARD_A_RATE_BURST],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	set.rates[0] = burst(pps(rate(EGR), 1000), 65536);
	EXPECT_RATE_ERR(EINVAL, "a burst needs a bit rate above 0",
			rate_at[0][TENGUARD_A_RATE_BURST],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	set.rates[0] = burst(bps(rate(EGR), 0), 65536);
	EXPECT_RATE_ERR(EINVAL, "a burst needs a bit rate above 0",
			rate_at[0][TENGUARD_A_RATE_BURST],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	set.rates[0] = pkt_burst(bps(rate(EGR), 1000000), 64);
	EXPECT_RATE_ERR(EINVAL, "a packet burst needs a packet rate above 0",
			rate_at[0][TENGUARD_A_RATE_PKT_BURST],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	set.rates[0] = pkt_burst(pps(rate(EGR), 0), 64);
	EXPECT_RATE_ERR(EINVAL, "a packet burst needs a packet rate above 0",
			rate_at[0][TENGUARD_A_RATE_PKT_BURST],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));

	set.rates[0] = rflags(bps(rate(EGR), 1000000), F_SHAPE);
	EXPECT_RATE_ERR(EINVAL, "shaping applies towards the VM only",
			rate_at[0][TENGUARD_A_RATE_FLAGS],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	set.rates[0] = rflags(rate(ING), F_SHAPE);
	EXPECT_RATE_ERR(EINVAL, "shaping needs a bit or packet rate",
			rate_at[0][TENGUARD_A_RATE_FLAGS],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));

	/* the policy's ranges and mask */
	set.rates[0] = bps(rate(2), 1000000);
	EXPECT_RATE_ERR(ERANGE, "out of range", rate_at[0][TENGUARD_A_RATE_DIR],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	set.rates[0] = bps(rate(EGR), TENGUARD_RATE_BPS_MAX + 1);
	EXPECT_RATE_ERR(ERANGE, "out of range", rate_at[0][TENGUARD_A_RATE_BPS],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	set.rates[0] = burst(bps(rate(EGR), 1000000),
			     TENGUARD_RATE_BURST_MIN - 1);
	EXPECT_RATE_ERR(ERANGE, "out of range",
			rate_at[0][TENGUARD_A_RATE_BURST],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	set.rates[0] = burst(bps(rate(EGR), 1000000),
			     TENGUARD_RATE_BURST_MAX + 1);
	EXPECT_RATE_ERR(ERANGE, "out of range",
			rate_at[0][TENGUARD_A_RATE_BURST],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	set.rates[0] = pps(rate(EGR), TENGUARD_RATE_PPS_MAX + 1);
	EXPECT_RATE_ERR(ERANGE, "out of range", rate_at[0][TENGUARD_A_RATE_PPS],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	set.rates[0] = pkt_burst(pps(rate(EGR), 1000), 0);
	EXPECT_RATE_ERR(ERANGE, "out of range",
			rate_at[0][TENGUARD_A_RATE_PKT_BURST],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	set.rates[0] = pkt_burst(pps(rate(EGR), 1000),
				 TENGUARD_RATE_PKT_BURST_MAX + 1);
	EXPECT_RATE_ERR(ERANGE, "out of range",
			rate_at[0][TENGUARD_A_RATE_PKT_BURST],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));
	/* the datapath's flags are the module's to set */
	set.rates[0] = rflags(bps(rate(EGR), 1000000), F_BPS);
	EXPECT_RATE_ERR(EINVAL, "", rate_at[0][TENGUARD_A_RATE_FLAGS],
			port(&self->t, TENGUARD_CMD_PORT_SET, &set));

	/* nothing of the refused requests stuck */
	memset(set.rates, 0, sizeof(set.rates));
	EXPECT_EQ(gen, port_generation(&self->t, "tgt0"));
	EXPECT_EQ(1U, last.n_rates);
	EXPECT_EQ(F_BPS, last.rate[EGR].flags);
	EXPECT_EQ(100000000ULL, last.rate[EGR].bps);
	EXPECT_EQ(0U, last.rate[ING].flags);

	/* an uplink has none, not even lifted ones */
	up.rates[0] = bps(rate(EGR), 1000000);
	EXPECT_RATE_ERR(EOPNOTSUPP, "only a VM port has rate limits",
			rate_at[0][0],
			port(&self->t, TENGUARD_CMD_PORT_NEW, &up));
	up.rates[0] = rate(ING);
	EXPECT_RATE_ERR(EOPNOTSUPP, "only a VM port has rate limits",
			rate_at[0][0],
			port(&self->t, TENGUARD_CMD_PORT_NEW, &up));
	memset(up.rates, 0, sizeof(up.rates));
	ASSERT_EQ(0, port(&self->t, TENGUARD_CMD_PORT_NEW, &up));
	up.rates[0] = rate(EGR);
	EXPECT_RATE_ERR(EOPNOTSUPP, "only a VM port has rate limits",
			rate_at[0][0],
			port(&self->t, TENGUARD_CMD_PORT_SET, &up));
}

TEST_HARNESS_MAIN
