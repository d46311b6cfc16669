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
#include <unistd.h>

#include "kselftest_harness.h"
#include "policy.h"

/*
 * JSON as C tokens: no escaped quotes in the tests below. Arguments of a
 * macro that passes them on to J() are expanded first, so stdbool's true
 * and false must not appear there.
 */
#define J(...) #__VA_ARGS__

FIXTURE(policy) {
	char path[64];
	struct tg_policy pol;
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
	unlink(self->path);
}

static int load(FIXTURE_DATA(policy) *self, const char *text)
{
	FILE *f = fopen(self->path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
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
