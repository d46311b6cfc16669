// SPDX-License-Identifier: GPL-2.0
/*
 * Policy file parser: every rule a policy file can break is broken once here,
 * and the test checks the errno and that the message names the place and the
 * reason, since an operator has only that message to fix the file with.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "kselftest_harness.h"
#include "policy.h"
#include "units.h"

/*
 * JSON as C tokens: no escaped quotes in the tests below. Arguments of a
 * macro that passes them on to J() are expanded first, so stdbool's true
 * and false must not appear there.
 */
#define J(...) #__VA_ARGS__

FIXTURE(policy) {
	char path[64];
	struct tg_policy pol;
	/* what tenguardctl's rule set and node files load into */
	struct tg_acl_cfg acl[__TENGUARD_ACL_DIR_MAX];
	struct tg_node_cfg node;
	char err[512];
	int ret;
};

FIXTURE_SETUP(policy)
{
	int fd;

	strcpy(self->path, "/tmp/tg_policy_test.XXXXXX");
	fd = mkstemp(self->path);
	ASSERT_LE(0, fd);
	close(fd);
}

FIXTURE_TEARDOWN(policy)
{
	tg_policy_free(&self->pol);
	tg_acl_cfg_free(&self->acl[TENGUARD_ACL_INGRESS]);
	tg_acl_cfg_free(&self->acl[TENGUARD_ACL_EGRESS]);
	tg_node_cfg_free(&self->node);
	unlink(self->path);
}

static int write_file(FIXTURE_DATA(policy) *self, const char *text)
{
	FILE *f = fopen(self->path, "w");

	if (!f)
		return -EIO;
	if (fputs(text, f) < 0) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) ? -EIO : 0;
}

static int load(FIXTURE_DATA(policy) *self, const char *text)
{
	if (write_file(self, text))
		return -EIO;
	self->ret = tg_policy_load(self->path, &self->pol, self->err,
				   sizeof(self->err));
	return self->ret;
}

/* a failed load leaves nothing behind, and says what and where */
#define ASSERT_LOAD_FAILS(text, errnum, substr) do {			\
	ASSERT_EQ(-(errnum), load(self, text)) {			\
		TH_LOG("err: %s", self->err);				\
	}								\
	ASSERT_EQ(0U, self->pol.n_tenants);				\
	ASSERT_EQ(0U, self->pol.n_ports);				\
	ASSERT_NULL(self->pol.tenants);					\
	ASSERT_NULL(self->pol.ports);					\
	ASSERT_NE(NULL, strstr(self->err, substr)) {			\
		TH_LOG("\"%s\" lacks \"%s\"", self->err, substr);	\
	}								\
	ASSERT_EQ(0, strncmp(self->err, self->path, strlen(self->path))); \
} while (0)

#define ASSERT_LOADS(text) do {						\
	ASSERT_EQ(0, load(self, text)) {				\
		TH_LOG("err: %s", self->err);				\
	}								\
} while (0)

static const uint8_t mac_101[6] = { 2, 0, 0, 0, 1, 1 };

TEST_F(policy, valid_full)
{
	const struct tg_tenant_cfg *t;
	const struct tg_port_cfg *p;
	uint8_t a[16];

	ASSERT_LOADS(J(
		{"tenants": [
			{"name": "blue", "id": 100,
			 "segments": [{"vlan": 100}, {"vni": 5100}],
			 "ports": [
				{"name": "lo",
				 "macs": ["02:00:00:00:01:01", "02:00:00:00:01:0A"],
				 "addresses": ["198.18.1.1", "198.18.2.0/24",
					       "fd00:1::1/128", "fd00:1::/64"],
				 "ethertypes": ["0x88cc", 35063],
				 "flags": ["dhcp-server", "router", "encap"]},
				{"name": "tgt-b2", "optional": true,
				 "macs": ["02:00:00:00:01:02"],
				 "addresses": ["198.18.1.0/24"]}]},
			{"name": "red.2_x-y", "id": 16777215,
			 "segments": [{"vni": 0}],
			 "ports": [
				{"name": "tgt-r1", "optional": true,
				 "macs": ["02:00:00:00:02:01"],
				 "addresses": ["198.18.3.1", "fd00:2::/64"]}]},
			{"name": "empty", "id": 1}],
		 "uplinks": [
			{"name": "tgt-vx", "segment": {"vni": 5100},
			 "optional": true},
			{"name": "tgt-trunk", "optional": true}]}));

	ASSERT_EQ(3U, self->pol.n_tenants);
	t = tg_policy_tenant(&self->pol, 100);
	ASSERT_NE(NULL, t);
	ASSERT_STREQ("blue", t->name);
	ASSERT_EQ(2U, t->n_segments);
	ASSERT_EQ(TENGUARD_SEG_VLAN(100), t->segments[0].seg);
	ASSERT_EQ(TENGUARD_SEG_VNI(5100), t->segments[1].seg);
	t = tg_policy_tenant(&self->pol, TENGUARD_TENANT_ID_MAX);
	ASSERT_NE(NULL, t);
	ASSERT_STREQ("red.2_x-y", t->name);
	ASSERT_EQ(TENGUARD_SEG_VNI(0), t->segments[0].seg);
	ASSERT_EQ(0U, tg_policy_tenant(&self->pol, 1)->n_segments);
	ASSERT_NULL(tg_policy_tenant(&self->pol, 2));

	/* file order: tenant ports in tenant order, then uplinks */
	ASSERT_EQ(5U, self->pol.n_ports);
	ASSERT_STREQ("lo", self->pol.ports[0].name);
	ASSERT_STREQ("tgt-b2", self->pol.ports[1].name);
	ASSERT_STREQ("tgt-r1", self->pol.ports[2].name);
	ASSERT_STREQ("tgt-vx", self->pol.ports[3].name);
	ASSERT_STREQ("tgt-trunk", self->pol.ports[4].name);

	p = tg_policy_port(&self->pol, "lo");
	ASSERT_EQ(&self->pol.ports[0], p);
	ASSERT_EQ((uint32_t)TENGUARD_PORT_VM, p->kind);
	ASSERT_EQ(100U, p->tenant);
	ASSERT_EQ(0U, p->segment);
	ASSERT_FALSE(p->optional);
	ASSERT_EQ((uint32_t)(TENGUARD_PORT_F_DHCP_SERVER | TENGUARD_PORT_F_ROUTER |
		  TENGUARD_PORT_F_ENCAP), p->flags);
	ASSERT_EQ(2U, p->n_macs);
	ASSERT_EQ(0, memcmp(p->macs[0], mac_101, 6));
	ASSERT_EQ(0x0a, p->macs[1][5]);
	ASSERT_EQ(2U, p->n_ethertypes);
	ASSERT_EQ(0x88cc, p->ethertypes[0]);
	ASSERT_EQ(0x88f7, p->ethertypes[1]);

	ASSERT_EQ(4U, p->n_addrs);
	ASSERT_EQ(AF_INET, p->addrs[0].family);
	ASSERT_EQ(32, p->addrs[0].prefixlen);
	ASSERT_EQ(1, inet_pton(AF_INET, "198.18.1.1", a));
	ASSERT_EQ(0, memcmp(a, p->addrs[0].addr, 4));
	ASSERT_EQ(24, p->addrs[1].prefixlen);
	ASSERT_EQ(AF_INET6, p->addrs[2].family);
	ASSERT_EQ(128, p->addrs[2].prefixlen);
	ASSERT_EQ(1, inet_pton(AF_INET6, "fd00:1::1", a));
	ASSERT_EQ(0, memcmp(a, p->addrs[2].addr, 16));
	ASSERT_EQ(64, p->addrs[3].prefixlen);

	p = tg_policy_port(&self->pol, "tgt-b2");
	ASSERT_TRUE(p->optional);
	ASSERT_EQ(0U, p->flags);
	ASSERT_EQ(0U, p->n_ethertypes);
	ASSERT_EQ(100U, p->tenant);
	ASSERT_EQ((uint32_t)TENGUARD_TENANT_ID_MAX, self->pol.ports[2].tenant);

	p = tg_policy_port(&self->pol, "tgt-vx");
	ASSERT_EQ((uint32_t)TENGUARD_PORT_UPLINK, p->kind);
	ASSERT_EQ(100U, p->tenant);
	ASSERT_EQ(TENGUARD_SEG_VNI(5100), p->segment);
	ASSERT_EQ(0U, p->n_macs);
	p = tg_policy_port(&self->pol, "tgt-trunk");
	ASSERT_EQ((uint32_t)TENGUARD_PORT_UPLINK, p->kind);
	ASSERT_EQ(0U, p->tenant);
	ASSERT_EQ(0U, p->segment);
	ASSERT_NULL(tg_policy_port(&self->pol, "tgt-none"));
}

TEST_F(policy, empty)
{
	ASSERT_LOADS(J({"tenants": []}));
	ASSERT_EQ(0U, self->pol.n_tenants);
	ASSERT_EQ(0U, self->pol.n_ports);
}

TEST_F(policy, syntax_error)
{
	ASSERT_LOAD_FAILS("{\n  \"tenants\": [\n    {,\n", EINVAL, ":3:6: ");
}

TEST_F(policy, duplicate_key)
{
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "name": "b", "id": 1}]}),
			  EINVAL, ":1:");
	ASSERT_NE(NULL, strstr(self->err, "duplicate"));
}

TEST_F(policy, top_not_object)
{
	ASSERT_LOAD_FAILS(J([]), EINVAL, "expected an object");
}

TEST_F(policy, unknown_field_top)
{
	ASSERT_LOAD_FAILS(J({"tenants": [], "tenant": []}), EINVAL,
			  "unknown field \"tenant\"");
}

TEST_F(policy, unknown_field_tenant)
{
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1},
					 {"name": "b", "id": 2, "vlan": 3}]}),
			  EINVAL, ": tenants[1]: unknown field \"vlan\"");
}

TEST_F(policy, unknown_field_port)
{
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-a", "optional": true,
				 "macs": ["02:00:00:00:01:01"], "mac": "x"}]}]}),
			  EINVAL, ": tenants[0].ports[0]: unknown field \"mac\"");
}

TEST_F(policy, unknown_field_segment_uplink)
{
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1,
					 "segments": [{"vlan": 5, "vid": 6}]}]}),
			  EINVAL, ": tenants[0].segments[0]: unknown field \"vid\"");
	ASSERT_LOAD_FAILS(J({"tenants": [], "uplinks": [
				{"name": "tgt-u", "optional": true, "macs": []}]}),
			  EINVAL, ": uplinks[0]: unknown field \"macs\"");
}

TEST_F(policy, missing_field)
{
	ASSERT_LOAD_FAILS(J({"uplinks": []}), EINVAL,
			  "missing field \"tenants\"");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a"}]}), EINVAL,
			  ": tenants[0]: missing field \"id\"");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-a", "optional": true}]}]}),
			  EINVAL, ": tenants[0].ports[0]: missing field \"macs\"");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-a", "optional": true,
				 "macs": []}]}]}),
			  EINVAL, ": tenants[0].ports[0].macs: a port needs at least one MAC");
}

TEST_F(policy, wrong_type)
{
	ASSERT_LOAD_FAILS(J({"tenants": {}}), EINVAL,
			  ": tenants: expected an array, got an object");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": "1"}]}), EINVAL,
			  ": tenants[0].id: expected an integer, got a string");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1.5}]}), EINVAL,
			  ": tenants[0].id: expected an integer");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-a", "optional": "yes",
				 "macs": ["02:00:00:00:01:01"]}]}]}),
			  EINVAL, ": tenants[0].ports[0].optional: expected true or false");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-a", "optional": true,
				 "macs": [2]}]}]}),
			  EINVAL, ": tenants[0].ports[0].macs[0]: expected a string, got an integer");
	ASSERT_LOAD_FAILS(J({"tenants": [null]}), EINVAL,
			  ": tenants[0]: expected an object, got null");
}

TEST_F(policy, tenant_id_range)
{
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 0}]}), EINVAL,
			  ": tenants[0].id: 0 is out of range 1..16777215");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 16777216}]}),
			  EINVAL, ": tenants[0].id: 16777216 is out of range");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": -1}]}), EINVAL,
			  ": tenants[0].id: -1 is out of range");
}

TEST_F(policy, tenant_name)
{
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "", "id": 1}]}), EINVAL,
			  ": tenants[0].name: \"\" is no tenant name");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a b", "id": 1}]}), EINVAL,
			  ": tenants[0].name: \"a b\" is no tenant name");
	ASSERT_LOAD_FAILS(J({"tenants": [
				{"name": "a234567890123456789012345678901", "id": 1},
				{"name": "a2345678901234567890123456789012", "id": 2}]}),
			  EINVAL, ": tenants[1].name: \"a2345678901234567890123456789012\" is no tenant name");
}

TEST_F(policy, duplicate_tenant)
{
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1},
					 {"name": "b", "id": 1}]}),
			  EINVAL, ": tenants[1].id: duplicate tenant id 1, also at tenants[0].id");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1},
					 {"name": "a", "id": 2}]}),
			  EINVAL, ": tenants[1].name: duplicate tenant name \"a\", also at tenants[0].name");
}

TEST_F(policy, segments)
{
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1,
					 "segments": [{"vlan": 4095}]}]}),
			  EINVAL, ": tenants[0].segments[0].vlan: 4095 is out of range 1..4094");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1,
					 "segments": [{"vni": 16777216}]}]}),
			  EINVAL, ": tenants[0].segments[0].vni: 16777216 is out of range");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1,
					 "segments": [{"vlan": 1, "vni": 1}]}]}),
			  EINVAL, ": tenants[0].segments[0]: expected exactly one of");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1,
					 "segments": [{}]}]}),
			  EINVAL, ": tenants[0].segments[0]: expected exactly one of");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1,
					 "segments": [{"vni": 7}, {"vni": 7}]}]}),
			  EINVAL, ": tenants[0].segments[1]: duplicate segment vni 7, also at tenants[0].segments[0]");
}

TEST_F(policy, segment_in_two_tenants)
{
	ASSERT_LOAD_FAILS(J({"tenants": [
				{"name": "a", "id": 1, "segments": [{"vlan": 7}]},
				{"name": "b", "id": 2,
				 "segments": [{"vni": 7}, {"vlan": 7}]}]}),
			  EINVAL, ": tenants[1].segments[1]: segment vlan 7 in two tenants, also at tenants[0].segments[0]");
}

TEST_F(policy, uplink_unknown_segment)
{
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1,
					 "segments": [{"vni": 5100}]}],
			     "uplinks": [{"name": "tgt-u", "optional": true,
					  "segment": {"vlan": 5100}}]}),
			  EINVAL, ": uplinks[0].segment.vlan: 5100 is out of range");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1,
					 "segments": [{"vni": 5100}]}],
			     "uplinks": [{"name": "tgt-u", "optional": true,
					  "segment": {"vni": 5101}}]}),
			  EINVAL, ": uplinks[0].segment: unknown segment vni 5101");
}

/* a port of tenant a with one more field */
#define PORT_A(...) J({"tenants": [{"name": "a", "id": 1, "ports": [	\
	{"name": "tgt-a", "optional": true,				\
	 "macs": ["02:00:00:00:01:01"], __VA_ARGS__}]}]})

TEST_F(policy, bad_mac)
{
	static const char *const bad[] = {
		"02:00:00:00:01", "02:00:00:00:01:01:01", "02-00-00-00-01-01",
		"2:00:00:00:01:01:", "02:00:00:00:01:0g", " 02:00:00:00:01:1",
	};
	char text[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text),
			 J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-a", "optional": true,
				 "macs": ["02:00:00:00:01:01", "%s"]}]}]}),
			 bad[i]);
		ASSERT_LOAD_FAILS(text, EINVAL,
				  ": tenants[0].ports[0].macs[1]: \"");
		ASSERT_NE(NULL, strstr(self->err, "is no MAC address"));
	}
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-a", "optional": true,
				 "macs": ["03:00:00:00:01:01"]}]}]}),
			  EINVAL, ": tenants[0].ports[0].macs[0]: multicast MAC 03:00:00:00:01:01");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-a", "optional": true,
				 "macs": ["FF:FF:FF:FF:FF:FF"]}]}]}),
			  EINVAL, ": tenants[0].ports[0].macs[0]: multicast MAC ff:ff:ff:ff:ff:ff");
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-a", "optional": true,
				 "macs": ["00:00:00:00:00:00"]}]}]}),
			  EINVAL, ": tenants[0].ports[0].macs[0]: all-zero MAC");
}

TEST_F(policy, duplicate_mac)
{
	/* in one port, spelt differently */
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-a", "optional": true,
				 "macs": ["02:00:00:00:01:0a",
					  "02:00:00:00:01:0A"]}]}]}),
			  EINVAL, ": tenants[0].ports[0].macs[1]: duplicate MAC 02:00:00:00:01:0a, also at tenants[0].ports[0].macs[0]");
	/* across tenants, and against an uplink-free second port */
	ASSERT_LOAD_FAILS(J({"tenants": [
				{"name": "a", "id": 1, "ports": [
					{"name": "tgt-a", "optional": true,
					 "macs": ["02:00:00:00:00:01",
						  "02:00:00:00:00:02"]}]},
				{"name": "b", "id": 2, "ports": [
					{"name": "tgt-b", "optional": true,
					 "macs": ["02:00:00:00:00:03"]},
					{"name": "tgt-c", "optional": true,
					 "macs": ["02:00:00:00:00:04",
						  "02:00:00:00:00:02"]}]}]}),
			  EINVAL, ": tenants[1].ports[1].macs[1]: duplicate MAC 02:00:00:00:00:02, also at tenants[0].ports[0].macs[1]");
}

#define TWO_TENANTS(addr_a, addr_b) J({"tenants": [			\
	{"name": "a", "id": 1, "ports": [				\
		{"name": "tgt-a", "optional": true,			\
		 "macs": ["02:00:00:00:00:01"],				\
		 "addresses": ["fd00::1", addr_a]}]},			\
	{"name": "b", "id": 2, "ports": [				\
		{"name": "tgt-b", "optional": true,			\
		 "macs": ["02:00:00:00:00:02"],				\
		 "addresses": ["fd00::2", addr_b]}]}]})

TEST_F(policy, address_in_two_tenants)
{
	/* the later prefix contains the earlier one */
	ASSERT_LOAD_FAILS(TWO_TENANTS("198.18.1.1", "198.18.0.0/16"), EINVAL,
			  ": tenants[1].ports[0].addresses[1]: address in two tenants: 198.18.0.0/16 overlaps 198.18.1.1/32 at tenants[0].ports[0].addresses[1]");
	/* the later prefix is contained in the earlier one */
	ASSERT_LOAD_FAILS(TWO_TENANTS("198.18.0.0/15", "198.19.255.255"),
			  EINVAL, ": tenants[1].ports[0].addresses[1]: address in two tenants: 198.19.255.255/32 overlaps 198.18.0.0/15 at tenants[0].ports[0].addresses[1]");
	ASSERT_LOAD_FAILS(TWO_TENANTS("fd00:1::/48", "fd00:1:0:ff::/64"), EINVAL,
			  "address in two tenants: fd00:1:0:ff::/64 overlaps fd00:1::/48 at tenants[0]");
	/* neighbours do not overlap */
	ASSERT_LOADS(TWO_TENANTS("198.18.0.0/15", "198.20.0.0/15"));
	tg_policy_free(&self->pol);
	ASSERT_LOADS(TWO_TENANTS("198.18.1.1/32", "198.18.1.0/32"));
}

TEST_F(policy, address_overlap_one_tenant)
{
	ASSERT_LOADS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-a", "optional": true,
				 "macs": ["02:00:00:00:00:01"],
				 "addresses": ["198.18.0.0/16", "198.18.1.1"]},
				{"name": "tgt-b", "optional": true,
				 "macs": ["02:00:00:00:00:02"],
				 "addresses": ["198.18.1.1"]}]}]}));
	ASSERT_EQ(2U, self->pol.ports[0].n_addrs);
	ASSERT_EQ(1U, self->pol.ports[1].n_addrs);
}

TEST_F(policy, bad_address)
{
	ASSERT_LOAD_FAILS(PORT_A("addresses": ["198.18.2.1/24"]), EINVAL,
			  ": tenants[0].ports[0].addresses[0]: host bits set in \"198.18.2.1/24\" (did you mean 198.18.2.0/24?)");
	ASSERT_LOAD_FAILS(PORT_A("addresses": ["fd00::1/64"]), EINVAL,
			  ": tenants[0].ports[0].addresses[0]: host bits set in \"fd00::1/64\"");
	ASSERT_LOAD_FAILS(PORT_A("addresses": ["198.18.2.0/33"]), EINVAL,
			  "addresses[0]: prefix length 33 of \"198.18.2.0/33\" is longer than 32");
	ASSERT_LOAD_FAILS(PORT_A("addresses": ["fd00::/129"]), EINVAL,
			  "addresses[0]: prefix length 129");
	ASSERT_LOAD_FAILS(PORT_A("addresses": ["198.18.2.0/+8"]), EINVAL,
			  "addresses[0]: bad prefix length");
	ASSERT_LOAD_FAILS(PORT_A("addresses": ["198.18.2.0/"]), EINVAL,
			  "addresses[0]: bad prefix length");
	ASSERT_LOAD_FAILS(PORT_A("addresses": ["198.18.2"]), EINVAL,
			  "addresses[0]: \"198.18.2\" is no IPv4 or IPv6 address");
	ASSERT_LOAD_FAILS(PORT_A("addresses": ["::ffff:198.18.2.1"]), EINVAL,
			  "addresses[0]: \"::ffff:198.18.2.1\" is IPv4-mapped");
	ASSERT_LOAD_FAILS(PORT_A("addresses": ["198.18.2.1", "198.18.2.1/32"]),
			  EINVAL, "addresses[1]: duplicate address 198.18.2.1/32, also at tenants[0].ports[0].addresses[0]");
}

TEST_F(policy, ethertypes)
{
	ASSERT_LOADS(PORT_A("ethertypes": ["0x0600", "0XFFFF", 35020]));
	ASSERT_EQ(3U, self->pol.ports[0].n_ethertypes);
	ASSERT_EQ(0x0600, self->pol.ports[0].ethertypes[0]);
	ASSERT_EQ(0xffff, self->pol.ports[0].ethertypes[1]);
	ASSERT_EQ(0x88cc, self->pol.ports[0].ethertypes[2]);
}

TEST_F(policy, bad_ethertype)
{
	ASSERT_LOAD_FAILS(PORT_A("ethertypes": ["0x05ff"]), EINVAL,
			  ": tenants[0].ports[0].ethertypes[0]: 0x05ff is an 802.3 length");
	ASSERT_LOAD_FAILS(PORT_A("ethertypes": [65536]), EINVAL,
			  "ethertypes[0]: 65536 is no ethertype");
	ASSERT_LOAD_FAILS(PORT_A("ethertypes": ["88cc"]), EINVAL,
			  "ethertypes[0]: \"88cc\" is no ethertype");
	ASSERT_LOAD_FAILS(PORT_A("ethertypes": ["0x188cc"]), EINVAL,
			  "ethertypes[0]: \"0x188cc\" is no ethertype");
	ASSERT_LOAD_FAILS(PORT_A("ethertypes": [[]]), EINVAL,
			  "ethertypes[0]: expected a hex string or an integer");
	ASSERT_LOAD_FAILS(PORT_A("ethertypes": ["0x88cc", 35020]), EINVAL,
			  "ethertypes[1]: duplicate ethertype 0x88cc");
}

TEST_F(policy, refused_ethertype)
{
	ASSERT_LOAD_FAILS(PORT_A("ethertypes": ["0x0800"]), EINVAL,
			  "ethertypes[0]: ethertype 0x0800 (IPv4) is always inspected");
	ASSERT_LOAD_FAILS(PORT_A("ethertypes": [2054]), EINVAL,
			  "ethertypes[0]: ethertype 0x0806 (ARP) is always inspected");
	ASSERT_LOAD_FAILS(PORT_A("ethertypes": ["0x86DD"]), EINVAL,
			  "ethertypes[0]: ethertype 0x86dd (IPv6) is always inspected");
	ASSERT_LOAD_FAILS(PORT_A("ethertypes": ["0x8100"]), EINVAL,
			  "ethertypes[0]: ethertype 0x8100 is a VLAN tag");
	ASSERT_LOAD_FAILS(PORT_A("ethertypes": ["0x88a8"]), EINVAL,
			  "ethertypes[0]: ethertype 0x88a8 is a VLAN tag");
	ASSERT_LOAD_FAILS(PORT_A("ethertypes": ["0x9100"]), EINVAL,
			  "ethertypes[0]: ethertype 0x9100 is a VLAN tag");
}

TEST_F(policy, flags)
{
	ASSERT_LOAD_FAILS(PORT_A("flags": ["router", "dhcp_server"]), EINVAL,
			  ": tenants[0].ports[0].flags[1]: unknown flag \"dhcp_server\"");
	ASSERT_LOAD_FAILS(PORT_A("flags": ["router", "router"]), EINVAL,
			  "flags[1]: duplicate flag \"router\"");
}

TEST_F(policy, port_name)
{
	static const char *const bad[] = {
		"", ".", "..", "a/b", "a:1", "a b", "a\\tb", "a234567890123456",
	};
	char text[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text),
			 J({"tenants": [], "uplinks": [
				{"name": "%s", "optional": true}]}), bad[i]);
		ASSERT_LOAD_FAILS(text, EINVAL, ": uplinks[0].name: \"");
		ASSERT_NE(NULL, strstr(self->err, "is no interface name"));
	}
	ASSERT_LOADS(J({"tenants": [], "uplinks": [
				{"name": "a23456789012345", "optional": true}]}));
}

TEST_F(policy, duplicate_port_name)
{
	ASSERT_LOAD_FAILS(J({"tenants": [
				{"name": "a", "id": 1, "ports": [
					{"name": "tgt-a", "optional": true,
					 "macs": ["02:00:00:00:00:01"]}]},
				{"name": "b", "id": 2, "ports": [
					{"name": "tgt-a", "optional": true,
					 "macs": ["02:00:00:00:00:02"]}]}]}),
			  EINVAL, ": tenants[1].ports[0].name: duplicate port name \"tgt-a\", also at tenants[0].ports[0].name");
	ASSERT_LOAD_FAILS(J({"tenants": [
				{"name": "a", "id": 1, "ports": [
					{"name": "tgt-a", "optional": true,
					 "macs": ["02:00:00:00:00:01"]}]}],
			     "uplinks": [{"name": "tgt-u", "optional": true},
					 {"name": "tgt-a", "optional": true}]}),
			  EINVAL, ": uplinks[1].name: duplicate port name \"tgt-a\", also at tenants[0].ports[0].name");
}

TEST_F(policy, unknown_port)
{
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "lo", "macs": ["02:00:00:00:00:01"]},
				{"name": "tgt-nosuch0",
				 "macs": ["02:00:00:00:00:02"]}]}]}),
			  ENODEV, ": tenants[0].ports[1].name: no such interface \"tgt-nosuch0\" (mark the port \"optional\": true");
	ASSERT_LOAD_FAILS(J({"tenants": [], "uplinks": [
				{"name": "lo"}, {"name": "tgt-nosuch1"}]}),
			  ENODEV, ": uplinks[1].name: no such interface \"tgt-nosuch1\"");
	/* interfaces are checked last: a content error wins */
	ASSERT_LOAD_FAILS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-nosuch0",
				 "macs": ["02:00:00:00:00:01"]},
				{"name": "lo", "macs": ["00:00:00:00:00:00"]}]}]}),
			  EINVAL, ": tenants[0].ports[1].macs[0]: all-zero MAC");
}

TEST_F(policy, optional_port)
{
	ASSERT_LOADS(J({"tenants": [{"name": "a", "id": 1, "ports": [
				{"name": "tgt-nosuch0", "optional": true,
				 "macs": ["02:00:00:00:00:02"]}]}],
			"uplinks": [{"name": "tgt-nosuch1", "optional": true},
				    {"name": "lo", "optional": false}]}));
	ASSERT_TRUE(self->pol.ports[0].optional);
	ASSERT_TRUE(self->pol.ports[1].optional);
	ASSERT_FALSE(self->pol.ports[2].optional);
}

TEST_F(policy, missing_file)
{
	unlink(self->path);
	self->ret = tg_policy_load(self->path, &self->pol, self->err,
				   sizeof(self->err));
	ASSERT_EQ(-ENOENT, self->ret);
	ASSERT_NE(NULL, strstr(self->err, self->path));
	ASSERT_NE(NULL, strstr(self->err, "No such file"));
	ASSERT_EQ(0U, self->pol.n_ports);
}

/* ---- rule sets, groups and the node ---- */

/* the message is exactly "FILE: msg" */
#define ASSERT_ERR_IS(msg) do {						\
	char _want[1024];						\
	snprintf(_want, sizeof(_want), "%s: %s", self->path, msg);	\
	ASSERT_STREQ(_want, self->err);					\
} while (0)

/* as ASSERT_LOAD_FAILS, with the whole message after the file name */
#define ASSERT_POLICY_FAILS(text, errnum, msg) do {			\
	ASSERT_EQ(-(errnum), load(self, text)) {			\
		TH_LOG("err: %s", self->err);				\
	}								\
	ASSERT_EQ(0U, self->pol.n_ports);				\
	ASSERT_NULL(self->pol.ports);					\
	ASSERT_NULL(self->pol.node.protect);				\
	ASSERT_ERR_IS(msg);						\
} while (0)

/*
 * Tenant a with groups web (1) and db (2), and one port in web whose
 * ingress rule set has the rule under test second.
 */
#define RULE_PORT J({"tenants": [{"name": "a", "id": 1,		\
	"groups": {"web": 1, "db": 2},					\
	"ports": [{"name": "tgt-a", "optional": true,			\
		   "macs": ["02:00:00:00:01:01"], "groups": ["web"],	\
		   "acl": {"ingress": {"default": "deny",		\
			   "rules": [{"action": "allow"}, %s]}}}]}]})
#define R1 "tenants[0].ports[0].acl.ingress.rules[1]"

static int load_rule(FIXTURE_DATA(policy) *self, const char *rule)
{
	char text[1024];

	snprintf(text, sizeof(text), RULE_PORT, rule);
	return load(self, text);
}

#define ASSERT_RULE_FAILS(rule, errnum, msg) do {			\
	ASSERT_EQ(-(errnum), load_rule(self, rule)) {			\
		TH_LOG("err: %s", self->err);				\
	}								\
	ASSERT_EQ(0U, self->pol.n_ports);				\
	ASSERT_ERR_IS(msg);						\
} while (0)

/* the rule under test, once it loaded */
#define RULE (&self->pol.ports[0].acl[TENGUARD_ACL_INGRESS].rules[1])

#define ASSERT_RULE_LOADS(rule) do {					\
	tg_policy_free(&self->pol);					\
	ASSERT_EQ(0, load_rule(self, rule)) {				\
		TH_LOG("err: %s", self->err);				\
	}								\
	ASSERT_EQ(2U, self->pol.ports[0].acl[TENGUARD_ACL_INGRESS].n_rules); \
} while (0)

static void addr_of(const char *s, uint8_t addr[16])
{
	memset(addr, 0, 16);
	inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, addr);
}

TEST_F(policy, acl_full)
{
	static const uint32_t dflt_timeouts[] = TENGUARD_CT_TIMEOUTS_DEFAULT;
	const struct tenguard_acl_rule *r;
	const struct tg_acl_cfg *in, *out;
	const struct tg_port_cfg *p;
	uint8_t a[16];

	ASSERT_LOADS(J(
		{"tenants": [
			{"name": "blue", "id": 100,
			 "groups": {"web": 1, "db": 65535},
			 "ports": [
				{"name": "tgt-b1", "optional": true,
				 "macs": ["02:00:00:00:01:01"],
				 "groups": ["web", 65535],
				 "acl": {
				  "ingress": {"default": "deny", "rules": [
					{"action": "allow", "proto": "tcp",
					 "ports": "22", "remote": "198.18.0.0/15",
					 "log": true},
					{"action": "deny", "proto": 17,
					 "ports": "8000-8080",
					 "remote": "fd00:100::/64", "log": false},
					{"action": "allow", "proto": "icmp",
					 "icmp_type": 8, "icmp_code": 0},
					{"action": "allow", "proto": "icmpv6",
					 "icmp_type": 128, "remote": "fd00::/8"},
					{"action": "allow", "remote_group": "db",
					 "proto": "sctp", "ports": 65535},
					{"action": "allow", "remote_group": 1,
					 "proto": "132"},
					{"action": "deny", "remote": "0.0.0.0/0"},
					{"action": "deny", "remote": "::/0",
					 "proto": "udplite", "ports": "0-65535"},
					{"action": "allow"}]},
				  "egress": {"default": "allow"}}},
				{"name": "tgt-b2", "optional": true,
				 "macs": ["02:00:00:00:01:02"]}]},
			{"name": "red", "id": 200,
			 "groups": {"web": 7},
			 "ports": [
				{"name": "tgt-r1", "optional": true,
				 "macs": ["02:00:00:00:02:01"],
				 "groups": [7], "acl": {}}]}]}));

	p = tg_policy_port(&self->pol, "tgt-b1");
	ASSERT_EQ(2U, p->n_groups);
	ASSERT_EQ(1U, p->groups[0]);
	ASSERT_EQ(65535U, p->groups[1]);
	in = &p->acl[TENGUARD_ACL_INGRESS];
	out = &p->acl[TENGUARD_ACL_EGRESS];
	ASSERT_TRUE(in->present);
	ASSERT_EQ(TENGUARD_ACL_DENY, in->dflt);
	ASSERT_EQ(9U, in->n_rules);
	ASSERT_TRUE(out->present);
	ASSERT_EQ(TENGUARD_ACL_ALLOW, out->dflt);
	ASSERT_EQ(0U, out->n_rules);
	ASSERT_NULL(out->rules);

	r = &in->rules[0];
	ASSERT_EQ(TENGUARD_ACL_ALLOW, r->action);
	ASSERT_EQ(TENGUARD_RULE_F_LOG, r->flags);
	ASSERT_EQ(6, r->proto);
	ASSERT_EQ(TENGUARD_RULE_M_PORTS, r->match);
	ASSERT_EQ(22, r->port_min);
	ASSERT_EQ(22, r->port_max);
	ASSERT_EQ(4, r->family);
	ASSERT_EQ(15, r->prefixlen);
	addr_of("198.18.0.0", a);
	ASSERT_EQ(0, memcmp(a, r->addr, 16));
	ASSERT_EQ(0U, r->group);

	r = &in->rules[1];
	ASSERT_EQ(TENGUARD_ACL_DENY, r->action);
	ASSERT_EQ(0, r->flags);
	ASSERT_EQ(17, r->proto);
	ASSERT_EQ(8000, r->port_min);
	ASSERT_EQ(8080, r->port_max);
	ASSERT_EQ(6, r->family);
	ASSERT_EQ(64, r->prefixlen);
	addr_of("fd00:100::", a);
	ASSERT_EQ(0, memcmp(a, r->addr, 16));

	r = &in->rules[2];
	ASSERT_EQ(1, r->proto);
	ASSERT_EQ(TENGUARD_RULE_M_ICMP_TYPE | TENGUARD_RULE_M_ICMP_CODE,
		  r->match);
	ASSERT_EQ(8, r->icmp_type);
	ASSERT_EQ(0, r->icmp_code);
	ASSERT_EQ(0, r->family);
	ASSERT_EQ(0, r->prefixlen);

	r = &in->rules[3];
	ASSERT_EQ(58, r->proto);
	ASSERT_EQ(TENGUARD_RULE_M_ICMP_TYPE, r->match);
	ASSERT_EQ(128, r->icmp_type);
	ASSERT_EQ(6, r->family);
	ASSERT_EQ(8, r->prefixlen);

	r = &in->rules[4];
	ASSERT_EQ(65535U, r->group);
	ASSERT_EQ(0, r->family);
	ASSERT_EQ(132, r->proto);
	ASSERT_EQ(65535, r->port_min);
	ASSERT_EQ(65535, r->port_max);

	r = &in->rules[5];
	ASSERT_EQ(1U, r->group);
	ASSERT_EQ(132, r->proto);
	ASSERT_EQ(0, r->match);

	/* the whole of one family is not the same as any remote */
	r = &in->rules[6];
	ASSERT_EQ(4, r->family);
	ASSERT_EQ(0, r->prefixlen);
	ASSERT_EQ(0, r->proto);
	r = &in->rules[7];
	ASSERT_EQ(6, r->family);
	ASSERT_EQ(0, r->prefixlen);
	ASSERT_EQ(136, r->proto);
	ASSERT_EQ(0, r->port_min);
	ASSERT_EQ(65535, r->port_max);
	ASSERT_EQ(TENGUARD_RULE_M_PORTS, r->match);

	r = &in->rules[8];
	ASSERT_EQ(TENGUARD_ACL_ALLOW, r->action);
	ASSERT_EQ(0, r->family);
	ASSERT_EQ(0, r->proto);
	ASSERT_EQ(0, r->match);

	/* no acl, an empty acl: not filtered */
	p = tg_policy_port(&self->pol, "tgt-b2");
	ASSERT_FALSE(p->acl[TENGUARD_ACL_INGRESS].present);
	ASSERT_FALSE(p->acl[TENGUARD_ACL_EGRESS].present);
	ASSERT_EQ(0U, p->n_groups);
	p = tg_policy_port(&self->pol, "tgt-r1");
	ASSERT_FALSE(p->acl[TENGUARD_ACL_INGRESS].present);
	ASSERT_FALSE(p->acl[TENGUARD_ACL_EGRESS].present);
	ASSERT_EQ(1U, p->n_groups);
	ASSERT_EQ(7U, p->groups[0]);

	/* no "node": nothing protected, node rules deny, default timeouts */
	ASSERT_EQ(0U, self->pol.node.flags);
	ASSERT_EQ(0U, self->pol.node.n_protect);
	ASSERT_TRUE(self->pol.node.services.present);
	ASSERT_EQ(TENGUARD_ACL_DENY, self->pol.node.services.dflt);
	ASSERT_EQ(0U, self->pol.node.services.n_rules);
	ASSERT_TRUE(self->pol.node.remediation.present);
	ASSERT_EQ(TENGUARD_ACL_DENY, self->pol.node.remediation.dflt);
	ASSERT_EQ(0, memcmp(dflt_timeouts, self->pol.node.timeout,
			    sizeof(dflt_timeouts)));
}

TEST_F(policy, acl_forms)
{
	ASSERT_RULE_LOADS(J({"action": "allow", "proto": "udp", "ports": 0}));
	ASSERT_EQ(0, RULE->port_min);
	ASSERT_EQ(0, RULE->port_max);
	ASSERT_RULE_LOADS(J({"action": "allow", "proto": "tcp",
			     "ports": "00080-65535"}));
	ASSERT_EQ(80, RULE->port_min);
	ASSERT_EQ(65535, RULE->port_max);
	ASSERT_RULE_LOADS(J({"action": "allow", "proto": "tcp",
			     "ports": "443-443"}));
	ASSERT_EQ(443, RULE->port_min);
	ASSERT_EQ(443, RULE->port_max);
	ASSERT_RULE_LOADS(J({"action": "allow", "proto": 255}));
	ASSERT_EQ(255, RULE->proto);
	ASSERT_RULE_LOADS(J({"action": "allow", "proto": "gre"}));
	ASSERT_EQ(47, RULE->proto);
	/* ICMP by number, and either ICMP without an address family */
	ASSERT_RULE_LOADS(J({"action": "allow", "proto": 1, "icmp_type": 255,
			     "icmp_code": 255, "remote": "198.18.0.1"}));
	ASSERT_EQ(255, RULE->icmp_type);
	ASSERT_EQ(255, RULE->icmp_code);
	ASSERT_EQ(32, RULE->prefixlen);
	ASSERT_RULE_LOADS(J({"action": "allow", "proto": 58,
			     "remote_group": "web"}));
	ASSERT_EQ(1U, RULE->group);
	ASSERT_RULE_LOADS(J({"action": "deny", "proto": "icmp",
			     "remote": "198.18.0.0/15", "log": true}));
	ASSERT_RULE_LOADS(J({"action": "deny", "proto": "icmpv6",
			     "remote": "fd00::1"}));
	ASSERT_EQ(128, RULE->prefixlen);
	/* a rule set that is its default alone */
	tg_policy_free(&self->pol);
	ASSERT_LOADS(PORT_A("acl": {"egress": {"default": "deny"}}));
	ASSERT_TRUE(self->pol.ports[0].acl[TENGUARD_ACL_EGRESS].present);
	ASSERT_EQ(TENGUARD_ACL_DENY,
		  self->pol.ports[0].acl[TENGUARD_ACL_EGRESS].dflt);
	ASSERT_FALSE(self->pol.ports[0].acl[TENGUARD_ACL_INGRESS].present);
	tg_policy_free(&self->pol);
	ASSERT_LOADS(PORT_A("acl": {"ingress": {"default": "allow",
						"rules": []}}));
	ASSERT_TRUE(self->pol.ports[0].acl[TENGUARD_ACL_INGRESS].present);
	ASSERT_EQ(0U, self->pol.ports[0].acl[TENGUARD_ACL_INGRESS].n_rules);
}

TEST_F(policy, acl_shape)
{
	ASSERT_POLICY_FAILS(PORT_A("acl": []), EINVAL,
			    "tenants[0].ports[0].acl: expected an object, got an array");
	ASSERT_POLICY_FAILS(PORT_A("acl": {"in": {"default": "deny"}}), EINVAL,
			    "tenants[0].ports[0].acl: unknown field \"in\"");
	ASSERT_POLICY_FAILS(PORT_A("acl": {"egress": "deny"}), EINVAL,
			    "tenants[0].ports[0].acl.egress: expected an object, got a string");
	ASSERT_POLICY_FAILS(PORT_A("acl": {"egress": {"rules": []}}), EINVAL,
			    "tenants[0].ports[0].acl.egress: missing field \"default\"");
	ASSERT_POLICY_FAILS(PORT_A("acl": {"egress": {"default": "drop"}}),
			    EINVAL,
			    "tenants[0].ports[0].acl.egress.default: unknown action \"drop\" (allow, deny)");
	ASSERT_POLICY_FAILS(PORT_A("acl": {"egress": {"default": 1}}), EINVAL,
			    "tenants[0].ports[0].acl.egress.default: expected a string, got an integer");
	ASSERT_POLICY_FAILS(PORT_A("acl": {"egress": {"default": "deny",
						      "rule": []}}), EINVAL,
			    "tenants[0].ports[0].acl.egress: unknown field \"rule\"");
	ASSERT_POLICY_FAILS(PORT_A("acl": {"egress": {"default": "deny",
						      "rules": {}}}), EINVAL,
			    "tenants[0].ports[0].acl.egress.rules: expected an array, got an object");
	/* the first direction's error is reported, ingress before egress */
	ASSERT_POLICY_FAILS(PORT_A("acl": {"egress": {"default": "x"},
					   "ingress": {"default": "y"}}),
			    EINVAL,
			    "tenants[0].ports[0].acl.ingress.default: unknown action \"y\" (allow, deny)");
}

TEST_F(policy, rule_fields)
{
	ASSERT_RULE_FAILS(J([]), EINVAL, R1 ": expected an object, got an array");
	ASSERT_RULE_FAILS(J({"action": "allow", "port": 22}), EINVAL,
			  R1 ": unknown field \"port\"");
	ASSERT_RULE_FAILS(J({"proto": "tcp"}), EINVAL,
			  R1 ": missing field \"action\"");
	ASSERT_RULE_FAILS(J({"action": "accept"}), EINVAL,
			  R1 ".action: unknown action \"accept\" (allow, deny)");
	ASSERT_RULE_FAILS(J({"action": true}), EINVAL,
			  R1 ".action: expected a string, got a boolean");
	ASSERT_RULE_FAILS(J({"action": "deny", "log": 1}), EINVAL,
			  R1 ".log: expected true or false, got an integer");
}

TEST_F(policy, rule_proto)
{
	ASSERT_RULE_FAILS(J({"action": "deny", "proto": "tcpx"}), EINVAL,
			  R1 ".proto: unknown protocol \"tcpx\" (tcp, udp, icmp, icmpv6, sctp, udplite, gre, esp, ah or a number 1..255)");
	ASSERT_RULE_FAILS(J({"action": "deny", "proto": "TCP"}), EINVAL,
			  R1 ".proto: unknown protocol \"TCP\" (tcp, udp, icmp, icmpv6, sctp, udplite, gre, esp, ah or a number 1..255)");
	ASSERT_RULE_FAILS(J({"action": "deny", "proto": "0"}), EINVAL,
			  R1 ".proto: unknown protocol \"0\" (tcp, udp, icmp, icmpv6, sctp, udplite, gre, esp, ah or a number 1..255)");
	ASSERT_RULE_FAILS(J({"action": "deny", "proto": 0}), EINVAL,
			  R1 ".proto: 0 is out of range 1..255 (leave \"proto\" out for any protocol)");
	ASSERT_RULE_FAILS(J({"action": "deny", "proto": 256}), EINVAL,
			  R1 ".proto: 256 is out of range 1..255 (leave \"proto\" out for any protocol)");
	ASSERT_RULE_FAILS(J({"action": "deny", "proto": ["tcp"]}), EINVAL,
			  R1 ".proto: expected a protocol name or number, got an array");
}

TEST_F(policy, rule_ports)
{
	static const char *const bad[] = {
		"", "-", "22-", "-22", "a", "0x16", "22-23-24", " 22", "22 ",
		"+22", "123456", "1-123456", "22,23",
	};
	char rule[128], msg[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(rule, sizeof(rule),
			 J({"action": "allow", "proto": "tcp", "ports": "%s"}),
			 bad[i]);
		snprintf(msg, sizeof(msg),
			 R1 ".ports: \"%s\" is no port or port range (\"N\" or \"N-M\", 0..65535)",
			 bad[i]);
		ASSERT_RULE_FAILS(rule, EINVAL, msg);
	}
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "tcp",
			     "ports": "65536"}), EINVAL,
			  R1 ".ports: \"65536\" is out of range 0..65535");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "tcp",
			     "ports": "1-99999"}), EINVAL,
			  R1 ".ports: \"1-99999\" is out of range 0..65535");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "tcp",
			     "ports": 65536}), EINVAL,
			  R1 ".ports: 65536 is out of range 0..65535");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "tcp", "ports": -1}),
			  EINVAL, R1 ".ports: -1 is out of range 0..65535");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "tcp",
			     "ports": "8080-8000"}), EINVAL,
			  R1 ".ports: port range \"8080-8000\" is reversed (did you mean \"8000-8080\"?)");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "tcp",
			     "ports": 22.5}), EINVAL,
			  R1 ".ports: expected a port, or a range \"N-M\", got a number with a fraction");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "tcp",
			     "ports": [22]}), EINVAL,
			  R1 ".ports: expected a port, or a range \"N-M\", got an array");
	/* only protocols with ports */
	ASSERT_RULE_FAILS(J({"action": "allow", "ports": 22}), EINVAL,
			  R1 ".ports: ports need \"proto\" tcp, udp, sctp or udplite");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "icmp", "ports": 22}),
			  EINVAL,
			  R1 ".ports: protocol icmp has no ports (tcp, udp, sctp and udplite have)");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": 200, "ports": 22}),
			  EINVAL,
			  R1 ".ports: protocol 200 has no ports (tcp, udp, sctp and udplite have)");
}

TEST_F(policy, rule_icmp)
{
	ASSERT_RULE_FAILS(J({"action": "allow", "icmp_type": 8}), EINVAL,
			  R1 ".icmp_type: an ICMP type or code needs \"proto\" icmp or icmpv6");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "tcp",
			     "icmp_type": 8}), EINVAL,
			  R1 ".icmp_type: an ICMP type or code needs \"proto\" icmp or icmpv6");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "udp",
			     "icmp_code": 0}), EINVAL,
			  R1 ".icmp_code: an ICMP type or code needs \"proto\" icmp or icmpv6");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "icmp",
			     "icmp_code": 0}), EINVAL,
			  R1 ".icmp_code: an ICMP code needs an \"icmp_type\"");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "icmp",
			     "icmp_type": 256}), EINVAL,
			  R1 ".icmp_type: 256 is out of range 0..255");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "icmpv6",
			     "icmp_type": -1}), EINVAL,
			  R1 ".icmp_type: -1 is out of range 0..255");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "icmpv6",
			     "icmp_type": 1, "icmp_code": 256}), EINVAL,
			  R1 ".icmp_code: 256 is out of range 0..255");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "icmp",
			     "icmp_type": "8"}), EINVAL,
			  R1 ".icmp_type: expected an integer, got a string");
}

TEST_F(policy, rule_remote)
{
	ASSERT_RULE_FAILS(J({"action": "allow", "remote": "198.18.0.1/16"}),
			  EINVAL,
			  R1 ".remote: host bits set in \"198.18.0.1/16\" (did you mean 198.18.0.0/16?)");
	ASSERT_RULE_FAILS(J({"action": "allow", "remote": "fd00::1/8"}),
			  EINVAL,
			  R1 ".remote: host bits set in \"fd00::1/8\" (did you mean fd00::/8?)");
	ASSERT_RULE_FAILS(J({"action": "allow", "remote": "web"}), EINVAL,
			  R1 ".remote: \"web\" is no IPv4 or IPv6 address");
	ASSERT_RULE_FAILS(J({"action": "allow", "remote": "198.18.0.0/33"}),
			  EINVAL,
			  R1 ".remote: prefix length 33 of \"198.18.0.0/33\" is longer than 32");
	ASSERT_RULE_FAILS(J({"action": "allow", "remote": ["198.18.0.1"]}),
			  EINVAL, R1 ".remote: expected a string, got an array");
	/* ICMP of the other family can never match */
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "icmp",
			     "remote": "fd00::/8"}), EINVAL,
			  R1 ".proto: icmp never matches the IPv6 remote fd00::/8 (use icmpv6)");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": 58,
			     "remote": "198.18.0.0/16"}), EINVAL,
			  R1 ".proto: icmpv6 never matches the IPv4 remote 198.18.0.0/16 (use icmp)");
	ASSERT_RULE_FAILS(J({"action": "allow", "proto": "icmp",
			     "remote": "::/0"}), EINVAL,
			  R1 ".proto: icmp never matches the IPv6 remote ::/0 (use icmpv6)");
}

TEST_F(policy, rule_remote_group)
{
	ASSERT_RULE_FAILS(J({"action": "allow", "remote": "198.18.0.0/16",
			     "remote_group": "web"}), EINVAL,
			  R1 ".remote_group: a rule has a \"remote\" or a \"remote_group\", not both");
	ASSERT_RULE_FAILS(J({"action": "allow", "remote_group": "app"}),
			  EINVAL, R1 ".remote_group: tenant \"a\" declares no group \"app\"");
	ASSERT_RULE_FAILS(J({"action": "allow", "remote_group": "1"}),
			  EINVAL, R1 ".remote_group: tenant \"a\" declares no group \"1\"");
	ASSERT_RULE_FAILS(J({"action": "allow", "remote_group": 3}),
			  EINVAL, R1 ".remote_group: tenant \"a\" declares no group 3");
	ASSERT_RULE_FAILS(J({"action": "allow", "remote_group": 0}),
			  EINVAL, R1 ".remote_group: tenant \"a\" declares no group 0");
	ASSERT_RULE_FAILS(J({"action": "allow", "remote_group": ["web"]}),
			  EINVAL, R1 ".remote_group: expected a group name or id, got an array");
}

/*
 * CPU seconds: other builds and tests share the machine. Most of it is
 * jansson's building the tree; the checks are linear in the rules.
 */
static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ports ports of n rules each (the last one last_n) in tenant a */
static int write_rules(FIXTURE_DATA(policy) *self, size_t ports, size_t n,
		       size_t last_n)
{
	FILE *f = fopen(self->path, "w");
	size_t i, j, k;

	if (!f)
		return -EIO;
	fputs("{\"tenants\": [{\"name\": \"a\", \"id\": 1,"
	      " \"groups\": {\"web\": 1}, \"ports\": [", f);
	for (i = 0; i < ports; i++) {
		k = i + 1 < ports ? n : last_n;
		fprintf(f, "%s{\"name\": \"tgt-%zu\", \"optional\": true,"
			" \"macs\": [\"02:00:00:00:%02zx:%02zx\"],"
			" \"groups\": [\"web\"],"
			" \"acl\": {\"ingress\": {\"default\": \"deny\","
			" \"rules\": [", i ? ", " : "", i, i >> 8, i & 0xff);
		for (j = 0; j < k; j++) {
			fprintf(f, "%s{\"action\": \"allow\", \"proto\": \"tcp\","
				" \"ports\": \"%zu-%zu\", ", j ? ", " : "",
				j % 1000, j % 1000 + 10);
			if (j % 2)
				fputs("\"remote_group\": \"web\"}", f);
			else
				fprintf(f, "\"remote\": \"198.%zu.%zu.0/24\"}",
					18 + j / 256 % 2, j % 256);
		}
		fputs("]}}}", f);
	}
	fputs("]}]}", f);
	return fclose(f) ? -EIO : 0;
}

static int load_file(FIXTURE_DATA(policy) *self)
{
	tg_policy_free(&self->pol);
	return tg_policy_load(self->path, &self->pol, self->err,
			      sizeof(self->err));
}

/* nothing is checked across rules: large rule sets cost linear time */
TEST_F(policy, rule_counts)
{
	const struct tenguard_acl_rule *r;
	struct timespec t0;

	ASSERT_EQ(0, write_rules(self, 1, 0, 10000));
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	ASSERT_EQ(0, load_file(self)) {
		TH_LOG("err: %s", self->err);
	}
	TH_LOG("10,000 rules of one port: %.3f s", seconds_since(&t0));
	ASSERT_GT(0.5, seconds_since(&t0));
	ASSERT_EQ(10000U, self->pol.ports[0].acl[TENGUARD_ACL_INGRESS].n_rules);
	r = &self->pol.ports[0].acl[TENGUARD_ACL_INGRESS].rules[9999];
	ASSERT_EQ(1U, r->group);
	ASSERT_EQ(999, r->port_min);
	ASSERT_EQ(1009, r->port_max);

	ASSERT_EQ(0, write_rules(self, 10, 10000, 10000));
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	ASSERT_EQ(0, load_file(self)) {
		TH_LOG("err: %s", self->err);
	}
	TH_LOG("100,000 rules of 10 ports: %.3f s", seconds_since(&t0));
	ASSERT_GT(1.0, seconds_since(&t0));
	ASSERT_EQ(10U, self->pol.n_ports);
	r = &self->pol.ports[9].acl[TENGUARD_ACL_INGRESS].rules[9998];
	ASSERT_EQ(4, r->family);
	ASSERT_EQ(24, r->prefixlen);

	ASSERT_EQ(0, write_rules(self, 1, 0, TENGUARD_ACL_RULES_MAX));
	ASSERT_EQ(0, load_file(self));
	ASSERT_EQ(0, write_rules(self, 1, 0, TENGUARD_ACL_RULES_MAX + 1));
	ASSERT_EQ(-E2BIG, load_file(self));
	ASSERT_ERR_IS("tenants[0].ports[0].acl.ingress.rules: 16385 rules, at most 16384");

	/* the node's limit, over every port */
	ASSERT_EQ(0, write_rules(self, 16, TENGUARD_ACL_RULES_MAX,
				 TENGUARD_ACL_RULES_MAX));
	ASSERT_EQ(0, load_file(self)) {
		TH_LOG("err: %s", self->err);
	}
	ASSERT_EQ(0, write_rules(self, 17, TENGUARD_ACL_RULES_MAX, 1));
	ASSERT_EQ(-E2BIG, load_file(self));
	ASSERT_ERR_IS("tenants[0].ports[16].acl.ingress.rules: the node's rule sets would hold 262145 rules, at most 262144");
	ASSERT_EQ(0U, self->pol.n_ports);
}

TEST_F(policy, acl_on_uplink)
{
	ASSERT_POLICY_FAILS(J({"tenants": [], "uplinks": [
				{"name": "tgt-u", "optional": true,
				 "acl": {"ingress": {"default": "deny"}}}]}),
			    EINVAL,
			    "uplinks[0].acl: an uplink has no rule sets: they belong to VM ports");
	ASSERT_POLICY_FAILS(J({"tenants": [], "uplinks": [
				{"name": "tgt-u", "optional": true,
				 "groups": ["web"]}]}),
			    EINVAL, "uplinks[0]: unknown field \"groups\"");
}

/* ---- rate limits ---- */

struct unit_case {
	const char *s;
	int ret;
	uint64_t v;
};

static const struct unit_case rate_cases[] = {
	{ "0", 0, 0 },
	{ "0bit", 0, 0 },
	{ "64bit", 0, 64 },
	{ "1000", 0, 1000 },
	{ "500k", 0, 500000 },
	{ "500K", 0, 500000 },
	{ "500kbit", 0, 500000 },
	{ "100M", 0, 100000000 },
	{ "100m", 0, 100000000 },
	{ "100mbit", 0, 100000000 },
	{ "100MBIT", 0, 100000000 },
	{ "1G", 0, 1000000000 },
	{ "1gbit", 0, 1000000000 },
	{ "1.5G", 0, 1500000000 },
	{ "1.5Gbit", 0, 1500000000 },
	{ "0.5k", 0, 500 },
	{ "1.001k", 0, 1001 },
	{ "1.50000000000000000000000000000k", 0, 1500 },
	{ "1T", 0, 1000000000000ULL },
	{ "1tbit", 0, 1000000000000ULL },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "18446744073709.551615M", 0, UINT64_MAX },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "18446744073710M", -ERANGE, 0 },
	{ "99999999999999999999999T", -ERANGE, 0 },
	/* no whole number of bits */
	{ "0.5", -EINVAL, 0 },
	{ "1.0001k", -EINVAL, 0 },
	{ "1.00000000000000000001T", -EINVAL, 0 },
	/* junk stays junk, however large the number */
	{ "99999999999999999999999x", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "k", -EINVAL, 0 },
	{ "bit", -EINVAL, 0 },
	{ ".5k", -EINVAL, 0 },
	{ "1.k", -EINVAL, 0 },
	{ "1..5k", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 M", -EINVAL, 0 },
	{ "1M ", -EINVAL, 0 },
	{ "1e6", -EINVAL, 0 },
	{ "0x10", -EINVAL, 0 },
	{ "1bps", -EINVAL, 0 },	/* bytes per second to tc */
	{ "1Mbps", -EINVAL, 0 },
	{ "1Mb", -EINVAL, 0 },
	{ "1Mibit", -EINVAL, 0 },
	{ "1KiB", -EINVAL, 0 },
	{ "1P", -EINVAL, 0 },
	{ "1bitk", -EINVAL, 0 },
	{ "1kk", -EINVAL, 0 },
};

static const struct unit_case size_cases[] = {
	{ "0", 0, 0 },
	{ "1514", 0, 1514 },
	{ "1514B", 0, 1514 },
	{ "1514b", 0, 1514 },
	{ "128K", 0, 131072 },
	{ "128k", 0, 131072 },
	{ "128KB", 0, 131072 },
	{ "64KiB", 0, 65536 },
	{ "64kib", 0, 65536 },
	{ "1M", 0, 1048576 },
	{ "1MiB", 0, 1048576 },
	{ "1mb", 0, 1048576 },
	{ "1G", 0, 1073741824 },
	{ "1GiB", 0, 1073741824 },
	{ "1.5K", 0, 1536 },
	{ "0.5M", 0, 524288 },
	{ "0.0009765625M", 0, 1024 },
	{ "17179869183G", 0, 18446744072635809792ULL },
	{ "17179869184G", -ERANGE, 0 },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "0.1K", -EINVAL, 0 },
	{ "1.5", -EINVAL, 0 },
	{ "1T", -EINVAL, 0 },
	{ "1KiBB", -EINVAL, 0 },
	{ "1iB", -EINVAL, 0 },
	{ "1Kbit", -EINVAL, 0 },
	{ "1Ki", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "K", -EINVAL, 0 },
	{ "-1K", -EINVAL, 0 },
};

static const struct unit_case count_cases[] = {
	{ "0", 0, 0 },
	{ "100", 0, 100 },
	{ "20k", 0, 20000 },
	{ "20K", 0, 20000 },
	{ "1.5k", 0, 1500 },
	{ "1M", 0, 1000000 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "18446744073710M", -ERANGE, 0 },
	{ "0.5", -EINVAL, 0 },
	{ "1G", -EINVAL, 0 },
	{ "1kbit", -EINVAL, 0 },
	{ "1kpps", -EINVAL, 0 },
	{ "1kB", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
};

static void check_cases(struct __test_metadata *_metadata,
			int (*parse)(const char *, uint64_t *),
			const struct unit_case *c, size_t n)
{
	uint64_t v;
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		v = 12345;
		ret = parse(c[i].s, &v);
		EXPECT_EQ(c[i].ret, ret) {
			TH_LOG("\"%s\"", c[i].s);
		}
		if (!ret && !c[i].ret)
			EXPECT_EQ(c[i].v, v) {
				TH_LOG("\"%s\"", c[i].s);
			}
		if (c[i].ret)
			EXPECT_EQ(12345U, v) {
				TH_LOG("\"%s\" wrote a result", c[i].s);
			}
	}
}

TEST(units_parse)
{
	check_cases(_metadata, tg_rate_parse, rate_cases,
		    ARRAY_SIZE(rate_cases));
	check_cases(_metadata, tg_size_parse, size_cases,
		    ARRAY_SIZE(size_cases));
	check_cases(_metadata, tg_count_parse, count_cases,
		    ARRAY_SIZE(count_cases));
	EXPECT_EQ(-EINVAL, tg_rate_parse(NULL, &(uint64_t){ 0 }));
}

TEST(units_str)
{
	static const struct {
		uint64_t v;
		const char *rate, *approx, *size;
	} c[] = {
		{ 0, "0bit", "0bit", "0B" },
		{ 999, "999bit", "999bit", "999B" },
		{ 1000, "1kbit", "1kbit", "1000B" },
		{ 1024, "1.024kbit", "1.02kbit", "1KiB" },
		{ 1514, "1.514kbit", "1.51kbit", "1514B" },
		{ 1536, "1.536kbit", "1.54kbit", "1.5KiB" },
		{ 131072, "131.072kbit", "131kbit", "128KiB" },
		{ 500000, "500kbit", "500kbit", "500000B" },
		{ 999600, "999.6kbit", "1Mbit", "999600B" },
		{ 1234567, "1234.567kbit", "1.23Mbit", "1234567B" },
		{ 6250000, "6.25Mbit", "6.25Mbit", "6250000B" },
		{ 99123456, "99123.456kbit", "99.1Mbit", "96800.25KiB" },
		{ 100000000, "100Mbit", "100Mbit", "97656.25KiB" },
		{ 1073741824, "1073741.824kbit", "1.07Gbit", "1GiB" },
		{ 1500000000, "1.5Gbit", "1.5Gbit", "1464843.75KiB" },
		{ 1000000000000ULL, "1Tbit", "1Tbit", "976562500KiB" },
		{ 1610612736ULL << 10, "1649267441.664kbit", "1.65Tbit",
		  "1536GiB" },
		{ UINT64_MAX, "18446744073709551.615kbit", "18446744Tbit",
		  "18446744073709551615B" },
	};
	char buf[TG_UNITS_STRLEN];
	uint64_t back;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		EXPECT_STREQ(c[i].rate, tg_rate_str(c[i].v, buf, sizeof(buf)));
		EXPECT_STREQ(c[i].approx,
			     tg_rate_str_approx(c[i].v, buf, sizeof(buf)));
		EXPECT_STREQ(c[i].size, tg_size_str(c[i].v, buf, sizeof(buf)));
	}
	/* what is printed reads back as the same value */
	srandom(1);
	for (i = 0; i < 100000; i++) {
		uint64_t v = (uint64_t)random() << 33 ^ (uint64_t)random();

		v >>= i % 64;
		if (i % 3 == 0)
			v -= v % 1000;
		if (i % 5 == 0)
			v <<= 10 * (i % 4);
		ASSERT_EQ(0, tg_rate_parse(tg_rate_str(v, buf, sizeof(buf)),
					   &back)) {
			TH_LOG("%s", buf);
		}
		ASSERT_EQ(v, back);
		ASSERT_EQ(0, tg_size_parse(tg_size_str(v, buf, sizeof(buf)),
					   &back)) {
			TH_LOG("%s", buf);
		}
		ASSERT_EQ(v, back);
	}
}

#define RATE_PORT J(							\
	{"tenants": [{"name": "a", "id": 1, "ports": [			\
		{"name": "tgt-a", "optional": true,			\
		 "macs": ["02:00:00:00:01:01"], "rate": %s}]}]})

static int load_rate(FIXTURE_DATA(policy) *self, const char *rate)
{
	char text[1024];

	snprintf(text, sizeof(text), RATE_PORT, rate);
	tg_policy_free(&self->pol);
	return load(self, text);
}

#define ASSERT_RATE_FAILS(rate, errnum, msg) do {			\
	ASSERT_EQ(-(errnum), load_rate(self, rate)) {			\
		TH_LOG("err: %s", self->err);				\
	}								\
	ASSERT_EQ(0U, self->pol.n_ports);				\
	ASSERT_ERR_IS("tenants[0].ports[0].rate" msg);			\
} while (0)

#define F_BPS ((uint32_t)TENGUARD_RATE_F_BPS)
#define F_PPS ((uint32_t)TENGUARD_RATE_F_PPS)
#define F_SHAPE ((uint32_t)TENGUARD_RATE_F_SHAPE)
#define ING (&self->pol.ports[0].rate[TENGUARD_ACL_INGRESS])
#define EGR (&self->pol.ports[0].rate[TENGUARD_ACL_EGRESS])

TEST_F(policy, rate_full)
{
	const struct tenguard_rate *r;

	ASSERT_EQ(0, load(self, J(
		{"tenants": [{"name": "a", "id": 1, "ports": [
			{"name": "tgt-a", "optional": true,
			 "macs": ["02:00:00:00:01:01"],
			 "rate": {"egress": {"bps": "100M", "burst": "128K",
					     "pps": 20000, "packet_burst": 64},
				  "ingress": {"bps": 1000000000,
					      "shape": true}}},
			{"name": "tgt-b", "optional": true,
			 "macs": ["02:00:00:00:01:02"]},
			{"name": "tgt-c", "optional": true,
			 "macs": ["02:00:00:00:01:03"],
			 "rate": {"ingress": {}, "egress": {"pps": "20k"}}},
			{"name": "tgt-d", "optional": true,
			 "macs": ["02:00:00:00:01:04"],
			 "rate": {}}]}]}))) {
		TH_LOG("err: %s", self->err);
	}
	ASSERT_EQ(4U, self->pol.n_ports);
	r = &self->pol.ports[0].rate[TENGUARD_ACL_EGRESS];
	EXPECT_EQ(F_BPS | F_PPS, r->flags);
	EXPECT_EQ(100000000ULL, r->bps);
	EXPECT_EQ(131072U, r->burst);
	EXPECT_EQ(20000U, r->pps);
	EXPECT_EQ(64U, r->pkt_burst);
	/* the defaults are the module's */
	r = &self->pol.ports[0].rate[TENGUARD_ACL_INGRESS];
	EXPECT_EQ(F_BPS | F_SHAPE, r->flags);
	EXPECT_EQ(1000000000ULL, r->bps);
	EXPECT_EQ(TENGUARD_RATE_BURST_DEFAULT(1000000000ULL), r->burst);
	EXPECT_EQ(62500000U, r->burst);
	EXPECT_EQ(0U, r->pps);
	EXPECT_EQ(0U, r->pkt_burst);
	/* no rate, an empty direction, an empty object: no limit */
	EXPECT_EQ(0U, self->pol.ports[1].rate[TENGUARD_ACL_INGRESS].flags);
	EXPECT_EQ(0U, self->pol.ports[1].rate[TENGUARD_ACL_EGRESS].flags);
	EXPECT_EQ(0U, self->pol.ports[2].rate[TENGUARD_ACL_INGRESS].flags);
	EXPECT_EQ(0U, self->pol.ports[3].rate[TENGUARD_ACL_INGRESS].flags);
	EXPECT_EQ(0U, self->pol.ports[3].rate[TENGUARD_ACL_EGRESS].flags);
	r = &self->pol.ports[2].rate[TENGUARD_ACL_EGRESS];
	EXPECT_EQ(F_PPS, r->flags);
	EXPECT_EQ(20000U, r->pps);
	EXPECT_EQ(10000U, r->pkt_burst);
	EXPECT_EQ(0ULL, r->bps);
	EXPECT_EQ(0U, r->burst);
}

TEST_F(policy, rate_values)
{
	/* the bursts' floors and ceilings */
	ASSERT_EQ(0, load_rate(self, J({"egress": {"bps": "1M", "pps": 10}})));
	EXPECT_EQ(TENGUARD_RATE_BURST_FLOOR, EGR->burst);
	EXPECT_EQ(TENGUARD_RATE_PKT_BURST_FLOOR, EGR->pkt_burst);
	ASSERT_EQ(0, load_rate(self, J({"egress": {"bps": "1T",
						   "pps": "1000M"}})));
	EXPECT_EQ(1000000000000ULL, EGR->bps);
	EXPECT_EQ(TENGUARD_RATE_BURST_MAX, EGR->burst);
	EXPECT_EQ(1000000000U, EGR->pps);
	EXPECT_EQ(TENGUARD_RATE_PKT_BURST_MAX, EGR->pkt_burst);
	/* 0 blocks, and has no burst */
	ASSERT_EQ(0, load_rate(self, J({"ingress": {"bps": 0, "pps": "0",
						    "shape": true}})));
	EXPECT_EQ(F_BPS | F_PPS |
		  F_SHAPE, ING->flags);
	EXPECT_EQ(0ULL, ING->bps);
	EXPECT_EQ(0U, ING->burst);
	EXPECT_EQ(0U, ING->pps);
	EXPECT_EQ(0U, ING->pkt_burst);
	EXPECT_EQ(0U, EGR->flags);
	/* the extremes of each range, each spelling */
	ASSERT_EQ(0, load_rate(self, J({"egress": {"bps": "1.5gbit",
						   "burst": 1514,
						   "pps": "1.5k",
						   "packet_burst": 1},
					"ingress": {"bps": "500kbit",
						    "burst": "1GiB",
						    "packet_burst": 16777216,
						    "pps": 1,
						    "shape": false}})));
	EXPECT_EQ(1500000000ULL, EGR->bps);
	EXPECT_EQ(1514U, EGR->burst);
	EXPECT_EQ(1500U, EGR->pps);
	EXPECT_EQ(1U, EGR->pkt_burst);
	EXPECT_EQ(F_BPS | F_PPS, ING->flags);
	EXPECT_EQ(500000ULL, ING->bps);
	EXPECT_EQ(1U << 30, ING->burst);
	EXPECT_EQ(1U, ING->pps);
	EXPECT_EQ(1U << 24, ING->pkt_burst);
	/* policing asked for by name, egress too */
	ASSERT_EQ(0, load_rate(self, J({"egress": {"pps": 5, "shape": false}})));
	EXPECT_EQ(F_PPS, EGR->flags);
	EXPECT_EQ(32U, EGR->pkt_burst);
}

TEST_F(policy, rate_refused)
{
	ASSERT_RATE_FAILS(J([]), EINVAL, ": expected an object, got an array");
	ASSERT_RATE_FAILS(J({"both": {}}), EINVAL,
			  ": unknown field \"both\"");
	ASSERT_RATE_FAILS(J({"egress": 100}), EINVAL,
			  ".egress: expected an object, got an integer");
	ASSERT_RATE_FAILS(J({"egress": {"rate": "100M"}}), EINVAL,
			  ".egress: unknown field \"rate\"");
	ASSERT_RATE_FAILS(J({"egress": {"pkt_burst": 64}}), EINVAL,
			  ".egress: unknown field \"pkt_burst\"");

	/* bps */
	ASSERT_RATE_FAILS(J({"egress": {"bps": false}}), EINVAL,
			  ".egress.bps: expected a string or an integer, got a boolean");
	ASSERT_RATE_FAILS(J({"egress": {"bps": 1.5}}), EINVAL,
			  ".egress.bps: expected a string or an integer, got a number with a fraction");
	ASSERT_RATE_FAILS(J({"egress": {"bps": -1}}), EINVAL,
			  ".egress.bps: -1 is negative");
	ASSERT_RATE_FAILS(J({"egress": {"bps": "100 M"}}), EINVAL,
			  ".egress.bps: \"100 M\" is no bit rate (bits per second: 100M, 1Gbit, 500k)");
	ASSERT_RATE_FAILS(J({"ingress": {"bps": "10Mbps"}}), EINVAL,
			  ".ingress.bps: \"10Mbps\" is no bit rate (bits per second: 100M, 1Gbit, 500k)");
	ASSERT_RATE_FAILS(J({"egress": {"bps": "0.5"}}), EINVAL,
			  ".egress.bps: \"0.5\" is no bit rate (bits per second: 100M, 1Gbit, 500k)");
	ASSERT_RATE_FAILS(J({"egress": {"bps": "99999999999T"}}), EINVAL,
			  ".egress.bps: \"99999999999T\" does not fit in 64 bits");
	ASSERT_RATE_FAILS(J({"egress": {"bps": "1.000000001T"}}), EINVAL,
			  ".egress.bps: 1000000001000 is above 1000000000000 bits per second (1Tbit)");
	ASSERT_RATE_FAILS(J({"egress": {"bps": 9223372036854775807}}), EINVAL,
			  ".egress.bps: 9223372036854775807 is above 1000000000000 bits per second (1Tbit)");

	/* burst */
	ASSERT_RATE_FAILS(J({"egress": {"bps": "1M", "burst": 1000}}), EINVAL,
			  ".egress.burst: 1000 is below 1514 bytes (one full-size frame)");
	ASSERT_RATE_FAILS(J({"egress": {"bps": "1M", "burst": "1K"}}), EINVAL,
			  ".egress.burst: 1024 is below 1514 bytes (one full-size frame)");
	ASSERT_RATE_FAILS(J({"egress": {"bps": "1M", "burst": "1.5G"}}),
			  EINVAL,
			  ".egress.burst: 1610612736 is above 1073741824 bytes (1GiB)");
	ASSERT_RATE_FAILS(J({"egress": {"bps": "1M", "burst": "128Kbit"}}),
			  EINVAL,
			  ".egress.burst: \"128Kbit\" is no size (bytes: 128K, 64KiB, 1M)");
	ASSERT_RATE_FAILS(J({"egress": {"bps": "1M", "burst": [1]}}), EINVAL,
			  ".egress.burst: expected a string or an integer, got an array");
	ASSERT_RATE_FAILS(J({"egress": {"burst": "128K"}}), EINVAL,
			  ".egress.burst: a burst needs a \"bps\" above 0");
	ASSERT_RATE_FAILS(J({"egress": {"bps": 0, "burst": "128K"}}), EINVAL,
			  ".egress.burst: a burst needs a \"bps\" above 0");
	ASSERT_RATE_FAILS(J({"egress": {"pps": 100, "burst": "128K"}}), EINVAL,
			  ".egress.burst: a burst needs a \"bps\" above 0");

	/* pps and packet_burst */
	ASSERT_RATE_FAILS(J({"egress": {"pps": 1000000001}}), EINVAL,
			  ".egress.pps: 1000000001 is above 1000000000 packets per second");
	ASSERT_RATE_FAILS(J({"egress": {"pps": "1G"}}), EINVAL,
			  ".egress.pps: \"1G\" is no packet rate (packets per second: 20000, 20k, 1M)");
	ASSERT_RATE_FAILS(J({"egress": {"pps": "20kpps"}}), EINVAL,
			  ".egress.pps: \"20kpps\" is no packet rate (packets per second: 20000, 20k, 1M)");
	ASSERT_RATE_FAILS(J({"egress": {"pps": -5}}), EINVAL,
			  ".egress.pps: -5 is negative");
	ASSERT_RATE_FAILS(J({"egress": {"pps": 100, "packet_burst": 0}}),
			  EINVAL,
			  ".egress.packet_burst: 0 is out of range 1..16777216");
	ASSERT_RATE_FAILS(J({"egress": {"pps": 100,
					"packet_burst": 16777217}}),
			  EINVAL,
			  ".egress.packet_burst: 16777217 is out of range 1..16777216");
	ASSERT_RATE_FAILS(J({"egress": {"pps": 100, "packet_burst": "64"}}),
			  EINVAL,
			  ".egress.packet_burst: expected an integer, got a string");
	ASSERT_RATE_FAILS(J({"egress": {"packet_burst": 64}}), EINVAL,
			  ".egress.packet_burst: a packet burst needs a \"pps\" above 0");
	ASSERT_RATE_FAILS(J({"egress": {"pps": 0, "packet_burst": 64}}),
			  EINVAL,
			  ".egress.packet_burst: a packet burst needs a \"pps\" above 0");
	ASSERT_RATE_FAILS(J({"egress": {"bps": "1M", "packet_burst": 64}}),
			  EINVAL,
			  ".egress.packet_burst: a packet burst needs a \"pps\" above 0");

	/* shape */
	ASSERT_RATE_FAILS(J({"egress": {"bps": "1M", "shape": true}}), EINVAL,
			  ".egress.shape: shaping applies towards the VM only (\"ingress\")");
	ASSERT_RATE_FAILS(J({"ingress": {"shape": true}}), EINVAL,
			  ".ingress.shape: shaping needs a limit (\"bps\" or \"pps\")");
	ASSERT_RATE_FAILS(J({"ingress": {"bps": "1M", "shape": "yes"}}),
			  EINVAL,
			  ".ingress.shape: expected true or false, got a string");

}

TEST_F(policy, rate_on_uplink)
{
	ASSERT_POLICY_FAILS(J({"tenants": [], "uplinks": [
				{"name": "tgt-u", "optional": true,
				 "rate": {"egress": {"bps": "1G"}}}]}),
			    EINVAL,
			    "uplinks[0].rate: rate limits are for VM ports only");
}

/* tenant a with groups g and a port in groups p */
static int load_groups(FIXTURE_DATA(policy) *self, const char *g,
		       const char *p)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 J({"tenants": [{"name": "a", "id": 1, "groups": %s, "ports": [
			{"name": "tgt-a", "optional": true,
			 "macs": ["02:00:00:00:01:01"], "groups": %s}]}]}),
		 g, p);
	tg_policy_free(&self->pol);
	return load(self, text);
}

#define ASSERT_GROUPS_FAIL(g, p, errnum, msg) do {			\
	ASSERT_EQ(-(errnum), load_groups(self, g, p)) {			\
		TH_LOG("err: %s", self->err);				\
	}								\
	ASSERT_EQ(0U, self->pol.n_ports);				\
	ASSERT_ERR_IS(msg);						\
} while (0)

TEST_F(policy, tenant_groups)
{
	static const char *const bad[] = {
		"", "a b", "web/1", "12", "a2345678901234567890123456789012",
	};
	char text[256], msg[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text),
			 J({"tenants": [{"name": "a", "id": 1,
					 "groups": {"web": 1, "%s": 2}}]}),
			 bad[i]);
		snprintf(msg, sizeof(msg),
			 "tenants[0].groups: \"%s\" is no group name (1..31 of A-Z a-z 0-9 . _ -, not only digits)",
			 bad[i]);
		ASSERT_POLICY_FAILS(text, EINVAL, msg);
	}
	ASSERT_EQ(0, load_groups(self, J({"a234567890123456789012345678901": 1,
					  "web.1_x-2": 65535, "1a": 3}),
				 J(["1a", "web.1_x-2"]))) {
		TH_LOG("err: %s", self->err);
	}
	ASSERT_EQ(3U, self->pol.ports[0].groups[0]);
	ASSERT_EQ(65535U, self->pol.ports[0].groups[1]);
	ASSERT_GROUPS_FAIL(J([]), J([]), EINVAL,
			    "tenants[0].groups: expected an object, got an array");
	ASSERT_GROUPS_FAIL(J({"web": "1"}), J([]), EINVAL,
			    "tenants[0].groups.web: expected an integer, got a string");
	ASSERT_GROUPS_FAIL(J({"web": 0}), J([]), EINVAL,
			    "tenants[0].groups.web: 0 is out of range 1..65535");
	ASSERT_GROUPS_FAIL(J({"web": 65536}), J([]), EINVAL,
			    "tenants[0].groups.web: 65536 is out of range 1..65535");
	ASSERT_GROUPS_FAIL(J({"web": 1, "app": 2, "db": 1}), J([]),
			    EINVAL,
			    "tenants[0].groups.db: duplicate group id 1, also at tenants[0].groups.web");
	/* the same id in two tenants is two groups */
	tg_policy_free(&self->pol);
	ASSERT_LOADS(J({"tenants": [
			{"name": "a", "id": 1, "groups": {"web": 1}},
			{"name": "b", "id": 2, "groups": {"web": 1}}]}));
}

TEST_F(policy, port_groups)
{
	char text[1024];
	size_t i, n;
	int len;

	ASSERT_EQ(0, load_groups(self, J({"web": 1, "db": 2}), J(["db", 1]))) {
		TH_LOG("err: %s", self->err);
	}
	ASSERT_EQ(2U, self->pol.ports[0].n_groups);
	ASSERT_EQ(2U, self->pol.ports[0].groups[0]);
	ASSERT_EQ(1U, self->pol.ports[0].groups[1]);
	ASSERT_GROUPS_FAIL(J({"web": 1}), J("web"), EINVAL,
			    "tenants[0].ports[0].groups: expected an array, got a string");
	ASSERT_GROUPS_FAIL(J({"web": 1}), J(["web", "app"]), EINVAL,
			    "tenants[0].ports[0].groups[1]: tenant \"a\" declares no group \"app\"");
	ASSERT_GROUPS_FAIL(J({"web": 1}), J([2]), EINVAL,
			    "tenants[0].ports[0].groups[0]: tenant \"a\" declares no group 2");
	ASSERT_GROUPS_FAIL(J({"web": 1}), J([{}]), EINVAL,
			    "tenants[0].ports[0].groups[0]: expected a group name or id, got an object");
	ASSERT_GROUPS_FAIL(J({"web": 1}), J(["web", 1]), EINVAL,
			    "tenants[0].ports[0].groups[1]: duplicate group \"web\" (1), also at tenants[0].ports[0].groups[0]");
	/* a tenant without groups */
	ASSERT_POLICY_FAILS(PORT_A("groups": ["web"]), EINVAL,
			    "tenants[0].ports[0].groups[0]: tenant \"a\" declares no group \"web\"");
	/* a group of another tenant */
	ASSERT_POLICY_FAILS(J({"tenants": [
			{"name": "a", "id": 1, "groups": {"web": 1}},
			{"name": "b", "id": 2, "ports": [
				{"name": "tgt-b", "optional": true,
				 "macs": ["02:00:00:00:01:01"],
				 "groups": [1]}]}]}),
			    EINVAL,
			    "tenants[1].ports[0].groups[0]: tenant \"b\" declares no group 1");
	ASSERT_POLICY_FAILS(J({"tenants": [
			{"name": "a", "id": 1, "groups": {"web": 1}},
			{"name": "b", "id": 2, "groups": {"db": 2}, "ports": [
				{"name": "tgt-b", "optional": true,
				 "macs": ["02:00:00:00:01:01"],
				 "acl": {"egress": {"default": "deny", "rules": [
					{"action": "allow",
					 "remote_group": "web"}]}}}]}]}),
			    EINVAL,
			    "tenants[1].ports[0].acl.egress.rules[0].remote_group: tenant \"b\" declares no group \"web\"");

	/* at most TENGUARD_PORT_GROUPS_MAX, counted before anything else */
	for (n = 32; n <= 33; n++) {
		len = snprintf(text, sizeof(text),
			       "{\"tenants\": [{\"name\": \"a\", \"id\": 1,"
			       " \"groups\": {\"g\": 1}, \"ports\": ["
			       "{\"name\": \"tgt-a\", \"optional\": true,"
			       " \"macs\": [\"02:00:00:00:01:01\"],"
			       " \"groups\": [");
		for (i = 0; i < n; i++)
			len += snprintf(text + len, sizeof(text) - len,
					"%s%zu", i ? ", " : "", i + 1);
		snprintf(text + len, sizeof(text) - len, "]}]}]}");
		if (n == 32)
			ASSERT_POLICY_FAILS(text, EINVAL,
					    "tenants[0].ports[0].groups[1]: tenant \"a\" declares no group 2");
		else
			ASSERT_POLICY_FAILS(text, E2BIG,
					    "tenants[0].ports[0].groups: 33 groups, a port is in at most 32");
	}
}

#define NODE(...) J({"tenants": [], "node": {__VA_ARGS__}})

TEST_F(policy, node_full)
{
	const struct tg_node_cfg *n = &self->pol.node;
	const struct tenguard_acl_rule *r;
	uint8_t a[16];

	ASSERT_LOADS(J({"tenants": [], "node": {
		"protect": ["198.18.0.1", "198.19.255.0/24", "fd00:ff::/64"],
		"own_addresses": true,
		"services": [
			{"action": "allow", "proto": "udp", "ports": 53,
			 "remote": "198.18.0.1"},
			{"action": "allow", "proto": "tcp", "ports": "80",
			 "remote": "169.254.169.254", "log": true},
			{"action": "deny", "remote": "198.19.255.0/24"}],
		"remediation": [
			{"action": "allow", "proto": "tcp", "ports": 443,
			 "remote": "198.19.255.10"}],
		"conntrack": {"timeouts": {"tcp_syn": 1, "udp": 2147483647,
					   "other": 5}}}}));
	ASSERT_EQ((uint32_t)TENGUARD_NODE_F_OWN_ADDRS, n->flags);
	ASSERT_EQ(3U, n->n_protect);
	ASSERT_EQ(AF_INET, n->protect[0].family);
	ASSERT_EQ(32, n->protect[0].prefixlen);
	ASSERT_EQ(24, n->protect[1].prefixlen);
	ASSERT_EQ(AF_INET6, n->protect[2].family);
	ASSERT_EQ(64, n->protect[2].prefixlen);
	addr_of("fd00:ff::", a);
	ASSERT_EQ(0, memcmp(a, n->protect[2].addr, 16));

	ASSERT_TRUE(n->services.present);
	ASSERT_EQ(TENGUARD_ACL_DENY, n->services.dflt);
	ASSERT_EQ(3U, n->services.n_rules);
	r = &n->services.rules[1];
	ASSERT_EQ(TENGUARD_ACL_ALLOW, r->action);
	ASSERT_EQ(TENGUARD_RULE_F_LOG, r->flags);
	ASSERT_EQ(6, r->proto);
	ASSERT_EQ(80, r->port_min);
	ASSERT_EQ(4, r->family);
	addr_of("169.254.169.254", a);
	ASSERT_EQ(0, memcmp(a, r->addr, 16));
	ASSERT_EQ(TENGUARD_ACL_DENY, n->services.rules[2].action);
	ASSERT_TRUE(n->remediation.present);
	ASSERT_EQ(TENGUARD_ACL_DENY, n->remediation.dflt);
	ASSERT_EQ(1U, n->remediation.n_rules);
	ASSERT_EQ(443, n->remediation.rules[0].port_min);

	/* timeouts left out keep their defaults */
	ASSERT_EQ(1U, n->timeout[TENGUARD_CT_TCP_SYN]);
	ASSERT_EQ(432000U, n->timeout[TENGUARD_CT_TCP_ESTABLISHED]);
	ASSERT_EQ(10U, n->timeout[TENGUARD_CT_TCP_CLOSE]);
	ASSERT_EQ(2147483647U, n->timeout[TENGUARD_CT_UDP]);
	ASSERT_EQ(180U, n->timeout[TENGUARD_CT_UDP_STREAM]);
	ASSERT_EQ(30U, n->timeout[TENGUARD_CT_ICMP]);
	ASSERT_EQ(5U, n->timeout[TENGUARD_CT_OTHER]);

	tg_policy_free(&self->pol);
	ASSERT_LOADS(J({"tenants": [], "node": {"own_addresses": false,
						"conntrack": {}}}));
	ASSERT_EQ(0U, n->flags);
	ASSERT_EQ(0U, n->n_protect);
	ASSERT_TRUE(n->services.present);
	ASSERT_EQ(0U, n->services.n_rules);
	ASSERT_EQ(60U, n->timeout[TENGUARD_CT_TCP_SYN]);
	ASSERT_EQ(600U, n->timeout[TENGUARD_CT_OTHER]);
}

TEST_F(policy, node_refused)
{
	char text[16384];
	size_t i, n;
	int len;

	ASSERT_POLICY_FAILS(J({"tenants": [], "node": []}), EINVAL,
			    "node: expected an object, got an array");
	ASSERT_POLICY_FAILS(NODE("protected": []), EINVAL,
			    "node: unknown field \"protected\"");
	ASSERT_POLICY_FAILS(NODE("protect": "198.18.0.1"), EINVAL,
			    "node.protect: expected an array, got a string");
	ASSERT_POLICY_FAILS(NODE("protect": ["198.18.0.1", 1]), EINVAL,
			    "node.protect[1]: expected a string, got an integer");
	ASSERT_POLICY_FAILS(NODE("protect": ["198.18.0.1", "198.19.0.1/16"]),
			    EINVAL,
			    "node.protect[1]: host bits set in \"198.19.0.1/16\" (did you mean 198.19.0.0/16?)");
	ASSERT_POLICY_FAILS(NODE("protect": ["198.18.0.1", "fd00::/8",
					     "198.18.0.1/32"]),
			    EINVAL,
			    "node.protect[2]: duplicate prefix 198.18.0.1/32, also at node.protect[0]");
	ASSERT_POLICY_FAILS(NODE("own_addresses": "yes"), EINVAL,
			    "node.own_addresses: expected true or false, got a string");
	ASSERT_POLICY_FAILS(NODE("services": {}), EINVAL,
			    "node.services: expected an array, got an object");
	ASSERT_POLICY_FAILS(NODE("services": [{"action": "allow",
					       "proto": "tcp"},
					      {"action": "allow", "ports": 53}]),
			    EINVAL,
			    "node.services[1].ports: ports need \"proto\" tcp, udp, sctp or udplite");
	ASSERT_POLICY_FAILS(NODE("remediation": [{"action": "allow",
						  "remote_group": 1}]),
			    EINVAL,
			    "node.remediation[0].remote_group: node rules serve every tenant: they cannot name a tenant's group");
	ASSERT_POLICY_FAILS(NODE("remediation": [{"action": "allow",
						  "proto": "icmpv6",
						  "remote": "198.18.0.1"}]),
			    EINVAL,
			    "node.remediation[0].proto: icmpv6 never matches the IPv4 remote 198.18.0.1/32 (use icmp)");
	ASSERT_POLICY_FAILS(NODE("conntrack": []), EINVAL,
			    "node.conntrack: expected an object, got an array");
	ASSERT_POLICY_FAILS(NODE("conntrack": {"timeout": {}}), EINVAL,
			    "node.conntrack: unknown field \"timeout\"");
	ASSERT_POLICY_FAILS(NODE("conntrack": {"timeouts": []}), EINVAL,
			    "node.conntrack.timeouts: expected an object, got an array");
	ASSERT_POLICY_FAILS(NODE("conntrack": {"timeouts": {"udp": 1,
							    "tcp": 5}}),
			    EINVAL,
			    "node.conntrack.timeouts: unknown timeout \"tcp\" (tcp_syn, tcp_established, tcp_close, udp, udp_stream, icmp, other)");
	ASSERT_POLICY_FAILS(NODE("conntrack": {"timeouts": {"icmp": 0}}),
			    EINVAL,
			    "node.conntrack.timeouts.icmp: 0 is out of range 1..2147483647");
	ASSERT_POLICY_FAILS(NODE("conntrack": {"timeouts": {"icmp": 2147483648}}),
			    EINVAL,
			    "node.conntrack.timeouts.icmp: 2147483648 is out of range 1..2147483647");
	ASSERT_POLICY_FAILS(NODE("conntrack": {"timeouts": {"icmp": "30"}}),
			    EINVAL,
			    "node.conntrack.timeouts.icmp: expected an integer, got a string");
	/* interfaces are checked last: an error in the node wins */
	ASSERT_POLICY_FAILS(J({"tenants": [], "uplinks": [{"name": "tgt-nosuch"}],
			       "node": {"protect": ["x"]}}), EINVAL,
			    "node.protect[0]: \"x\" is no IPv4 or IPv6 address");

	/* at most TENGUARD_NODE_PROTECT_MAX prefixes */
	for (n = 256; n <= 257; n++) {
		len = snprintf(text, sizeof(text),
			       "{\"tenants\": [], \"node\": {\"protect\": [");
		for (i = 0; i < n; i++)
			len += snprintf(text + len, sizeof(text) - len,
					"%s\"198.18.%zu.%zu\"", i ? ", " : "",
					i / 256, i % 256);
		snprintf(text + len, sizeof(text) - len, "]}}");
		if (n == 256) {
			ASSERT_EQ(0, load(self, text)) {
				TH_LOG("err: %s", self->err);
			}
			ASSERT_EQ(256U, self->pol.node.n_protect);
			tg_policy_free(&self->pol);
		} else {
			ASSERT_POLICY_FAILS(text, E2BIG,
					    "node.protect: 257 prefixes, at most 256");
		}
	}
}

/* n node rules of one kind */
static int write_node_rules(FIXTURE_DATA(policy) *self, const char *kind,
			    size_t n)
{
	FILE *f = fopen(self->path, "w");
	size_t i;

	if (!f)
		return -EIO;
	fprintf(f, "{\"tenants\": [], \"node\": {\"%s\": [", kind);
	for (i = 0; i < n; i++)
		fprintf(f, "%s{\"action\": \"allow\"}", i ? ", " : "");
	fputs("]}}", f);
	return fclose(f) ? -EIO : 0;
}

TEST_F(policy, node_rule_counts)
{
	ASSERT_EQ(0, write_node_rules(self, "services", 1024));
	ASSERT_EQ(0, load_file(self));
	ASSERT_EQ(1024U, self->pol.node.services.n_rules);
	ASSERT_EQ(0, write_node_rules(self, "services", 1025));
	ASSERT_EQ(-E2BIG, load_file(self));
	ASSERT_ERR_IS("node.services: 1025 rules, at most 1024");
	ASSERT_EQ(0, write_node_rules(self, "remediation", 1024));
	ASSERT_EQ(0, load_file(self));
	ASSERT_EQ(1024U, self->pol.node.remediation.n_rules);
	ASSERT_EQ(0, write_node_rules(self, "remediation", 1025));
	ASSERT_EQ(-E2BIG, load_file(self));
	ASSERT_ERR_IS("node.remediation: 1025 rules, at most 1024");
	ASSERT_EQ(0U, self->pol.node.remediation.n_rules);
	ASSERT_NULL(self->pol.node.remediation.rules);
}

/* ---- tenguardctl's files ---- */

static int load_acl(FIXTURE_DATA(policy) *self, const char *text)
{
	if (text && write_file(self, text))
		return -EIO;
	tg_acl_cfg_free(&self->acl[TENGUARD_ACL_INGRESS]);
	tg_acl_cfg_free(&self->acl[TENGUARD_ACL_EGRESS]);
	return tg_acl_file_load(self->path, self->acl, self->err,
				sizeof(self->err));
}

#define ASSERT_ACL_FILE_FAILS(text, errnum, msg) do {			\
	ASSERT_EQ(-(errnum), load_acl(self, text)) {			\
		TH_LOG("err: %s", self->err);				\
	}								\
	ASSERT_FALSE(self->acl[TENGUARD_ACL_INGRESS].present);		\
	ASSERT_FALSE(self->acl[TENGUARD_ACL_EGRESS].present);		\
	ASSERT_NULL(self->acl[TENGUARD_ACL_INGRESS].rules);		\
	ASSERT_NULL(self->acl[TENGUARD_ACL_EGRESS].rules);		\
	ASSERT_ERR_IS(msg);						\
} while (0)

TEST_F(policy, acl_file)
{
	const struct tg_acl_cfg *in = &self->acl[TENGUARD_ACL_INGRESS];
	const struct tg_acl_cfg *out = &self->acl[TENGUARD_ACL_EGRESS];

	ASSERT_EQ(0, load_acl(self, J(
		{"ingress": {"default": "deny", "rules": [
			{"action": "allow", "remote_group": 65535,
			 "proto": "tcp", "ports": "22"},
			{"action": "allow", "remote": "fd00::/8",
			 "proto": "icmpv6", "icmp_type": 128}]},
		 "egress": {"default": "allow", "rules": [
			{"action": "deny", "remote": "198.18.0.0/15",
			 "log": true}]}}))) {
		TH_LOG("err: %s", self->err);
	}
	ASSERT_TRUE(in->present);
	ASSERT_EQ(TENGUARD_ACL_DENY, in->dflt);
	ASSERT_EQ(2U, in->n_rules);
	ASSERT_EQ(65535U, in->rules[0].group);
	ASSERT_EQ(22, in->rules[0].port_min);
	ASSERT_EQ(128, in->rules[1].icmp_type);
	ASSERT_TRUE(out->present);
	ASSERT_EQ(TENGUARD_ACL_ALLOW, out->dflt);
	ASSERT_EQ(1U, out->n_rules);
	ASSERT_EQ(TENGUARD_RULE_F_LOG, out->rules[0].flags);

	ASSERT_EQ(0, load_acl(self, J({"egress": {"default": "deny"}})));
	ASSERT_FALSE(in->present);
	ASSERT_TRUE(out->present);
	ASSERT_EQ(0, load_acl(self, J({})));
	ASSERT_FALSE(in->present);
	ASSERT_FALSE(out->present);

	/* no tenant: ids only */
	ASSERT_ACL_FILE_FAILS(J({"ingress": {"default": "deny", "rules": [
			{"action": "allow"},
			{"action": "allow", "remote_group": "web"}]}}),
			      EINVAL,
			      "ingress.rules[1].remote_group: expected a group id, got a string: group names belong to a tenant in a policy file");
	ASSERT_ACL_FILE_FAILS(J({"ingress": {"default": "deny", "rules": [
			{"action": "allow", "remote_group": 0}]}}),
			      EINVAL,
			      "ingress.rules[0].remote_group: 0 is out of range 1..65535");
	ASSERT_ACL_FILE_FAILS(J({"ingress": {"default": "deny", "rules": [
			{"action": "allow", "remote_group": 65536}]}}),
			      EINVAL,
			      "ingress.rules[0].remote_group: 65536 is out of range 1..65535");
	ASSERT_ACL_FILE_FAILS(J({"ingress": {"default": "deny", "rules": [
			{"action": "allow", "remote_group": null}]}}),
			      EINVAL,
			      "ingress.rules[0].remote_group: expected a group id, got null");
	/* an error in egress frees what ingress had */
	ASSERT_ACL_FILE_FAILS(J({"ingress": {"default": "deny", "rules": [
			{"action": "allow"}]},
				 "egress": {"default": "deny", "rules": [
			{"action": "allow", "proto": "udp",
			 "ports": "53-52"}]}}),
			      EINVAL,
			      "egress.rules[0].ports: port range \"53-52\" is reversed (did you mean \"52-53\"?)");
	ASSERT_ACL_FILE_FAILS(J({"ingres": {}}), EINVAL,
			      "unknown field \"ingres\"");
	ASSERT_ACL_FILE_FAILS(J([]), EINVAL,
			      "expected an object at the top, got an array");
	ASSERT_ACL_FILE_FAILS(J({"ingress": {}}), EINVAL,
			      "ingress: missing field \"default\"");
}

TEST_F(policy, acl_file_errors)
{
	ASSERT_EQ(0, write_file(self, "{\"ingress\": \n{,"));
	ASSERT_EQ(-EINVAL, load_acl(self, NULL));
	ASSERT_EQ(0, strncmp(self->err, self->path, strlen(self->path)));
	ASSERT_NE(NULL, strstr(self->err, ":2:2: "));
	unlink(self->path);
	ASSERT_EQ(-ENOENT, load_acl(self, NULL));
	ASSERT_NE(NULL, strstr(self->err, "No such file"));
	ASSERT_FALSE(self->acl[TENGUARD_ACL_INGRESS].present);
}

static int load_node(FIXTURE_DATA(policy) *self, const char *text)
{
	if (text && write_file(self, text))
		return -EIO;
	tg_node_cfg_free(&self->node);
	return tg_node_file_load(self->path, &self->node, self->err,
				 sizeof(self->err));
}

TEST_F(policy, node_file)
{
	static const struct tg_node_cfg zero;
	const struct tg_node_cfg *n = &self->node;

	ASSERT_EQ(0, load_node(self, J(
		{"protect": ["198.19.255.0/24"], "own_addresses": true,
		 "services": [{"action": "allow", "proto": "udp", "ports": 53,
			       "remote": "198.19.255.53"}],
		 "remediation": [{"action": "allow", "proto": "tcp",
				  "ports": 443, "remote": "198.19.255.10"}],
		 "conntrack": {"timeouts": {"tcp_established": 3600}}}))) {
		TH_LOG("err: %s", self->err);
	}
	ASSERT_EQ((uint32_t)TENGUARD_NODE_F_OWN_ADDRS, n->flags);
	ASSERT_EQ(1U, n->n_protect);
	ASSERT_EQ(1U, n->services.n_rules);
	ASSERT_EQ(53, n->services.rules[0].port_min);
	ASSERT_EQ(TENGUARD_ACL_DENY, n->services.dflt);
	ASSERT_EQ(1U, n->remediation.n_rules);
	ASSERT_EQ(3600U, n->timeout[TENGUARD_CT_TCP_ESTABLISHED]);
	ASSERT_EQ(60U, n->timeout[TENGUARD_CT_TCP_SYN]);

	ASSERT_EQ(0, load_node(self, J({})));
	ASSERT_EQ(0U, n->n_protect);
	ASSERT_TRUE(n->services.present);
	ASSERT_TRUE(n->remediation.present);
	ASSERT_EQ(600U, n->timeout[TENGUARD_CT_OTHER]);

	/* a failed load leaves the node zeroed, not half filled */
	ASSERT_EQ(-EINVAL, load_node(self, J({"services": [
			{"action": "allow", "remote_group": 1}]})));
	ASSERT_ERR_IS("services[0].remote_group: node rules serve every tenant: they cannot name a tenant's group");
	ASSERT_EQ(0, memcmp(&zero, n, sizeof(zero)));
	ASSERT_EQ(-EINVAL, load_node(self, J({"protect": ["198.18.0.0/15"],
			"conntrack": {"timeouts": {"udp": -5}}})));
	ASSERT_ERR_IS("conntrack.timeouts.udp: -5 is out of range 1..2147483647");
	ASSERT_EQ(0, memcmp(&zero, n, sizeof(zero)));
	ASSERT_EQ(-EINVAL, load_node(self, J({"tenants": []})));
	ASSERT_ERR_IS("unknown field \"tenants\"");
	ASSERT_EQ(-EINVAL, load_node(self, J([{}])));
	ASSERT_ERR_IS("expected an object at the top, got an array");
	unlink(self->path);
	ASSERT_EQ(-ENOENT, load_node(self, NULL));
	ASSERT_NE(NULL, strstr(self->err, "No such file"));
	ASSERT_EQ(0, memcmp(&zero, n, sizeof(zero)));
}

TEST_F(policy, free_twice)
{
	/* tenguardd frees a policy it replaced; a second free is harmless */
	ASSERT_LOADS(J({"tenants": [{"name": "a", "id": 1,
		"groups": {"web": 1}, "ports": [
		{"name": "tgt-a", "optional": true,
		 "macs": ["02:00:00:00:01:01"], "groups": ["web"],
		 "acl": {"ingress": {"default": "deny",
			 "rules": [{"action": "allow"}]}}}]}],
		"node": {"protect": ["198.18.0.1"],
			 "services": [{"action": "allow"}],
			 "remediation": [{"action": "allow"}]}}));
	tg_policy_free(&self->pol);
	tg_policy_free(&self->pol);
	ASSERT_NULL(self->pol.node.protect);
}

/*
 * The shipped example (scripts/demo.sh runs it) is valid: its ports made
 * optional, as the demo's devices do not exist here.
 */
TEST_F(policy, example)
{
	static const char *const where[] = {
		"../examples/policy.json", "examples/policy.json",
	};
	const struct tg_port_cfg *p;
	json_t *root = NULL, *t, *port;
	size_t i, j, k;

	for (i = 0; i < ARRAY_SIZE(where) && !root; i++)
		root = json_load_file(where[i], 0, NULL);
	if (!root)
		SKIP(return, "examples/policy.json not found from here");
	json_array_foreach(json_object_get(root, "tenants"), j, t)
		json_array_foreach(json_object_get(t, "ports"), k, port)
			json_object_set_new(port, "optional", json_true());
	ASSERT_EQ(0, json_dump_file(root, self->path, 0));
	json_decref(root);
	ASSERT_EQ(0, tg_policy_load(self->path, &self->pol, self->err,
				    sizeof(self->err))) {
		TH_LOG("err: %s", self->err);
	}
	p = tg_policy_port(&self->pol, "tg-blue2");
	ASSERT_NE(NULL, p);
	ASSERT_TRUE(p->acl[TENGUARD_ACL_INGRESS].present);
	ASSERT_NE(0U, p->acl[TENGUARD_ACL_INGRESS].n_rules);
	ASSERT_NE(0U, self->pol.node.n_protect);
	ASSERT_NE(0U, self->pol.node.services.n_rules);
	ASSERT_NE(0U, self->pol.node.remediation.n_rules);
}

TEST(mac_to_link_local)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 };
	static const uint8_t mac2[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	uint8_t want[16], got[16];

	tg_mac_to_link_local(mac, got);
	ASSERT_EQ(1, inet_pton(AF_INET6, "fe80::ff:fe00:101", want));
	ASSERT_EQ(0, memcmp(want, got, 16));
	tg_mac_to_link_local(mac2, got);
	ASSERT_EQ(1, inet_pton(AF_INET6, "fe80::5054:ff:fe12:3456", want));
	ASSERT_EQ(0, memcmp(want, got, 16));
}

TEST_HARNESS_MAIN
