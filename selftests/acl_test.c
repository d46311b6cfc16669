// SPDX-License-Identifier: GPL-2.0
/*
 * The rule set classifier against its definition: random ordered rule sets
 * (nested prefixes of both families, protocols, port ranges, ICMP types and
 * codes, both actions and defaults) are compiled and installed on a port
 * of an unpinned datapath, and random packets are run through the real
 * programs (BPF_PROG_TEST_RUN) in both directions. Each verdict must be the
 * one a linear first-match walk of the rules gives (tg_acl_match()). Then
 * the compiler's refusals. Needs root for BPF.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>

#include "kselftest_harness.h"
#include "acl.h"
#include "isolation.h"
#include "isolation.skel.h"

#define PORT_IFINDEX	1	/* lo: BPF_PROG_TEST_RUN needs a real device */
#define TENANT		100
#define ROUNDS		12	/* rule sets per direction */
#define PACKETS		1500	/* packets per rule set */

static const uint8_t port_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x01 };
static const uint8_t port_ip4[4] = { 198, 18, 1, 1 };
static const uint8_t port_ip6[16] = { 0xfd, 0, 0, 1, [15] = 1 };

/* a small address space, so that rules nest and packets hit them */
static void random_addr(int family, uint8_t *a)
{
	memset(a, 0, 16);
	if (family == 4) {
		a[0] = 10;
		a[1] = rand() % 3;
		a[2] = rand() % 3;
		a[3] = rand() % 6;
	} else {
		a[0] = 0xfd;
		a[1] = 0x10 + rand() % 2;
		a[7] = rand() % 3;
		a[15] = rand() % 6;
	}
}

static void mask(uint8_t *a, unsigned int len, unsigned int bits)
{
	unsigned int i;

	for (i = len; i < bits; i++)
		a[i / 8] &= ~(0x80 >> (i % 8));
}

static void random_rule(struct tenguard_acl_rule *r)
{
	static const uint8_t len4[] = { 0, 8, 16, 22, 24, 30, 32 };
	static const uint8_t len6[] = { 0, 8, 16, 56, 64, 120, 128 };
	int pick = rand() % 10;

	memset(r, 0, sizeof(*r));
	r->action = rand() % 2 ? TENGUARD_ACL_ALLOW : TENGUARD_ACL_DENY;
	r->family = pick < 2 ? 0 : pick < 7 ? 4 : 6;
	if (r->family) {
		random_addr(r->family, r->addr);
		r->prefixlen = r->family == 4 ? len4[rand() % 7] :
			       len6[rand() % 7];
		mask(r->addr, r->prefixlen, r->family == 4 ? 32 : 128);
	}
	pick = rand() % 10;
	if (pick < 2)
		return;		/* any protocol */
	if (pick < 5)
		r->proto = IPPROTO_TCP;
	else if (pick < 8)
		r->proto = IPPROTO_UDP;
	else if (r->family == 6 || (!r->family && rand() % 2))
		r->proto = IPPROTO_ICMPV6;
	else
		r->proto = IPPROTO_ICMP;
	if (r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP) {
		if (rand() % 4 == 0)
			return;
		r->match = TENGUARD_RULE_M_PORTS;
		r->port_min = rand() % 60;
		r->port_max = r->port_min + (rand() % 3 ? rand() % 40 : 0);
		if (rand() % 8 == 0)
			r->port_max = 65535;
		return;
	}
	if (rand() % 3 == 0)
		return;
	r->match = TENGUARD_RULE_M_ICMP_TYPE;
	r->icmp_type = r->proto == IPPROTO_ICMP ? rand() % 10 :
		       128 + rand() % 3;
	if (rand() % 2) {
		r->match |= TENGUARD_RULE_M_ICMP_CODE;
		r->icmp_code = rand() % 3;
	}
}

struct pkt {
	uint8_t data[128];
	uint32_t len;
	int family;
	uint8_t remote[16];
	uint8_t proto;
	uint16_t port;		/* what a rule compares: port or type << 8 | code */
};

/* a packet opening a flow: TCP SYN, UDP, ICMP echo or other, src -> dst */
static void build(struct pkt *p, int family, const uint8_t *src,
		  const uint8_t *dst, const uint8_t *smac, const uint8_t *dmac)
{
	uint8_t *d = p->data, *l4;
	uint32_t l3, l4len = 8;
	int pick = rand() % 10;
	uint16_t sport = 1024 + rand() % 60000, id = rand();

	memset(d, 0, sizeof(p->data));
	memcpy(d, dmac, 6);
	memcpy(d + 6, smac, 6);
	p->family = family;
	p->proto = pick < 4 ? IPPROTO_TCP : pick < 7 ? IPPROTO_UDP :
		   pick < 9 ? (family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6) :
		   IPPROTO_ESP;
	if (p->proto == IPPROTO_TCP)
		l4len = 20;
	if (family == 4) {
		d[12] = 0x08;
		l3 = 20;
		d[14] = 0x45;
		d[16] = (l3 + l4len) >> 8;
		d[17] = l3 + l4len;
		d[22] = 64;
		d[23] = p->proto;
		memcpy(d + 26, src, 4);
		memcpy(d + 30, dst, 4);
	} else {
		d[12] = 0x86;
		d[13] = 0xdd;
		l3 = 40;
		d[14] = 0x60;
		d[18] = l4len >> 8;
		d[19] = l4len;
		d[20] = p->proto;
		d[21] = 64;
		memcpy(d + 22, src, 16);
		memcpy(d + 38, dst, 16);
	}
	l4 = d + 14 + l3;
	p->len = 14 + l3 + l4len;
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		p->port = rand() % 8 == 0 ? 65535 - rand() % 2 : rand() % 110;
		l4[0] = sport >> 8;
		l4[1] = sport;
		l4[2] = p->port >> 8;
		l4[3] = p->port;
		if (p->proto == IPPROTO_TCP) {
			l4[12] = 0x50;
			l4[13] = 0x02;	/* SYN */
		} else {
			l4[5] = l4len;
		}
	} else if (p->proto == IPPROTO_ESP) {
		p->port = 0;
	} else {
		/* echo, so that an allowed one is tracked like in life */
		/*
		 * Not 130 and up: MLD and ND bypass the rules; not 5: a
		 * redirect from a VM is anti-spoofing's to drop.
		 */
		l4[0] = family == 4 ? (rand() % 2 ? 8 : rand() % 10) :
			128 + rand() % 2;
		if (l4[0] == 5)
			l4[0] = 4;
		/* errors quote nothing here: they fall to the rules */
		l4[1] = rand() % 3;
		l4[4] = id >> 8;
		l4[5] = id;
		p->port = l4[0] << 8 | l4[1];
	}
}

FIXTURE(acl) {
	struct tg_dp dp;
	struct tg_policy pol;
	struct tg_port_cfg port;
	struct tg_prefix addrs[2];
	uint8_t macs[1][6];
	struct tenguard_acl_rule rules[200];
};

FIXTURE_SETUP(acl)
{
	struct tg_limits lim = TG_LIMITS_DEFAULT;

	lim.conntrack = 1 << 16;
	ASSERT_EQ(0, tg_dp_open(&self->dp, NULL, &lim));
	self->port.kind = TENGUARD_PORT_VM;
	self->port.tenant = TENANT;
	strcpy(self->port.name, "acltest");
	memcpy(self->macs[0], port_mac, 6);
	self->port.macs = self->macs;
	self->port.n_macs = 1;
	self->addrs[0] = (struct tg_prefix){ .family = AF_INET,
					     .prefixlen = 32 };
	memcpy(self->addrs[0].addr, port_ip4, 4);
	self->addrs[1] = (struct tg_prefix){ .family = AF_INET6,
					     .prefixlen = 128 };
	memcpy(self->addrs[1].addr, port_ip6, 16);
	self->port.addrs = self->addrs;
	self->port.n_addrs = 2;
	self->pol.ports = &self->port;
	self->pol.n_ports = 1;
	srand(0x7e6);
}

FIXTURE_TEARDOWN(acl)
{
	tg_dp_close(&self->dp);
}

static int run(int fd, const struct pkt *p, int *retval)
{
	struct __sk_buff ctx = {
		.ifindex = PORT_IFINDEX,
		.mark = TENGUARD_MARK_MAGIC | TENANT,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data,
		    .data_size_in = p->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx));
	int err = bpf_prog_test_run_opts(fd, &opts);

	*retval = (int)opts.retval;
	return err;
}

/* n random rule sets in direction dir, each checked with random packets */
static void classify_random(struct __test_metadata *_metadata,
			    FIXTURE_DATA(acl) *self, uint32_t dir)
{
	struct isolation_bpf *s = self->dp.skel;
	int fd = bpf_program__fd(dir == TENGUARD_ACL_INGRESS ?
				 s->progs.tg_to_vm : s->progs.tg_from_vm);
	static const uint8_t other_mac[6] = { 0x02, 0, 0, 0, 0x09, 0x09 };
	struct tg_dp_port dp_port = { .ifindex = PORT_IFINDEX,
				      .cfg = &self->port };
	struct tg_acl_cfg *acl = &self->port.acl[dir];
	int round, i, want, got, retval, family, checked = 0;
	struct pkt p;

	for (round = 0; round < ROUNDS; round++) {
		memset(self->port.acl, 0, sizeof(self->port.acl));
		acl->present = true;
		acl->dflt = round % 2 ? TENGUARD_ACL_ALLOW : TENGUARD_ACL_DENY;
		acl->n_rules = 1 + rand() % 200;
		acl->rules = self->rules;
		for (i = 0; i < (int)acl->n_rules; i++)
			random_rule(&self->rules[i]);
		ASSERT_EQ(0, tg_dp_program_port(&self->dp, &self->pol,
						&dp_port, round + 1))
			TH_LOG("%s", self->dp.err);

		for (i = 0; i < PACKETS; i++) {
			uint8_t remote[16];

			family = rand() % 2 ? 4 : 6;
			random_addr(family, remote);
			if (dir == TENGUARD_ACL_INGRESS)
				build(&p, family, remote, family == 4 ?
				      port_ip4 : port_ip6, other_mac,
				      port_mac);
			else
				build(&p, family, family == 4 ? port_ip4 :
				      port_ip6, remote, port_mac, other_mac);
			memcpy(p.remote, remote, 16);
			want = tg_acl_match(acl, family, p.remote, p.proto,
					    p.port);
			want = want < 0 ? acl->dflt : acl->rules[want].action;
			ASSERT_EQ(0, run(fd, &p, &retval));
			got = retval == TC_ACT_UNSPEC ? TENGUARD_ACL_ALLOW :
			      TENGUARD_ACL_DENY;
			EXPECT_EQ(want, got) {
				TH_LOG("set %d packet %d: family %d proto %u port 0x%04x (rule %d)",
				       round, i, family, p.proto, p.port,
				       tg_acl_match(acl, family, p.remote,
						    p.proto, p.port));
				return;
			}
			checked++;
		}
	}
	TH_LOG("%d packets agreed with the rules", checked);
}

TEST_F(acl, ingress_matches_first_rule)
{
	classify_random(_metadata, self, TENGUARD_ACL_INGRESS);
}

TEST_F(acl, egress_matches_first_rule)
{
	classify_random(_metadata, self, TENGUARD_ACL_EGRESS);
}

/* a wide prefix over many narrow ones: entries grow with the pairs */
TEST(compile_refuses_past_max)
{
	struct tenguard_acl_rule rules[300] = { 0 };
	struct tg_acl_cfg acl = { .present = true, .rules = rules,
				  .n_rules = 300 };
	struct tg_acl_prog prog;
	char err[256] = "";
	int i;

	for (i = 0; i < 300; i++) {
		rules[i].family = 4;
		rules[i].prefixlen = i ? 32 : 8;
		rules[i].addr[0] = 10;
		rules[i].addr[2] = i >> 8;
		rules[i].addr[3] = i;
		rules[i].proto = IPPROTO_TCP;
		rules[i].match = TENGUARD_RULE_M_PORTS;
		rules[i].port_min = 1;
		rules[i].port_max = 65534;	/* 30 prefixes */
	}
	rules[0].addr[3] = 0;
	EXPECT_EQ(-E2BIG, tg_acl_compile(&acl, 1, NULL, 0, NULL, NULL, 1000,
					 &prog, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "more than 1000 classifier entries"))
		TH_LOG("%s", err);
	ASSERT_EQ(0, tg_acl_compile(&acl, 1, NULL, 0, NULL, NULL, 0, &prog,
				    err, sizeof(err)));
	tg_acl_prog_free(&prog);
}

static int no_groups(uint32_t group, const struct tg_prefix **pfx,
		     size_t *n, void *ctx)
{
	return -ENOENT;
}

TEST(compile_refuses_unknown_group)
{
	struct tenguard_acl_rule rule = { .group = 7 };
	struct tg_acl_cfg acl = { .present = true, .rules = &rule,
				  .n_rules = 1 };
	struct tg_acl_prog prog;
	char err[256] = "";

	EXPECT_EQ(-ENOENT, tg_acl_compile(&acl, 1, NULL, 0, no_groups, NULL,
					  0, &prog, err, sizeof(err)));
	EXPECT_STREQ("rule 0: unknown group 7", err);
}

/* 10,000 rules of mixed shapes stay within a size linear in them */
TEST(compile_is_linear)
{
	struct tenguard_acl_rule *rules = calloc(10000, sizeof(*rules));
	struct tg_acl_cfg acl = { .present = true, .rules = rules,
				  .n_rules = 10000 };
	struct tg_acl_prog prog;
	char err[256];
	int i;

	ASSERT_NE(NULL, rules);
	srand(1);
	for (i = 0; i < 10000; i++) {
		random_rule(&rules[i]);
		/* spread the prefixes out: few hold many */
		if (rules[i].family == 4 && rules[i].prefixlen >= 24) {
			rules[i].addr[1] = i >> 8;
			rules[i].addr[2] = i;
		}
	}
	ASSERT_EQ(0, tg_acl_compile(&acl, 1, NULL, 0, NULL, NULL, 0, &prog,
				    err, sizeof(err)));
	TH_LOG("10000 rules: %zu entries", prog.n);
	EXPECT_GT((size_t)40 * 10000, prog.n);
	tg_acl_prog_free(&prog);
	free(rules);
}

TEST_HARNESS_MAIN
