/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one policy model of tenguardd: what a policy file says, and (later)
 * what the kernel module holds, both land here before anything touches the
 * datapath.
 */
#ifndef TG_POLICY_H
#define TG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/tenguard.h>

struct tg_prefix {
	uint16_t family;	/* AF_INET or AF_INET6 */
	uint8_t prefixlen;
	uint8_t addr[16];	/* 4 bytes used for AF_INET */
};

struct tg_segment {
	uint32_t seg;		/* TENGUARD_SEG_VLAN() or TENGUARD_SEG_VNI() */
};

struct tg_tenant_cfg {
	char name[TENGUARD_NAME_LEN];
	uint32_t id;
	struct tg_segment *segments;
	size_t n_segments;
};

/*
 * One direction's rule set (or the node's services or remediation rules):
 * present or not, its default, its rules in order. Rules are the uapi's
 * struct tenguard_acl_rule, as the datapath keeps them for operators.
 */
struct tg_acl_cfg {
	bool present;
	uint8_t dflt;		/* enum tenguard_acl_action */
	struct tenguard_acl_rule *rules;
	size_t n_rules;
};

struct tg_port_cfg {
	char name[IFNAMSIZ];
	uint32_t kind;		/* enum tenguard_port_kind */
	uint32_t tenant;	/* tenant id; uplink: 0 unless segment set */
	uint32_t flags;		/* TENGUARD_PORT_F_* */
	uint32_t segment;	/* uplink bound to one segment, or 0 (trunk) */
	bool optional;		/* interface may not exist yet */
	uint64_t generation;	/* module mode: to acknowledge once programmed */
	uint8_t (*macs)[6];
	size_t n_macs;
	struct tg_prefix *addrs;
	size_t n_addrs;
	uint16_t *ethertypes;	/* host byte order */
	size_t n_ethertypes;
	uint32_t *groups;	/* of its tenant, for remote-group rules */
	size_t n_groups;
	struct tg_acl_cfg acl[__TENGUARD_ACL_DIR_MAX];	/* VM ports only */
	bool quarantined;	/* module mode; standalone: tenguardctl */
	/*
	 * VM ports: limits by enum tenguard_acl_dir as the datapath holds
	 * them, defaults filled in; flags 0: none.
	 */
	struct tenguard_rate rate[__TENGUARD_ACL_DIR_MAX];
};

/*
 * What VM ports may reach of the node: protected prefixes (and the
 * node's own addresses with TENGUARD_NODE_F_OWN_ADDRS), the services
 * allowed on them (default deny), what a quarantined port may reach
 * (default deny), and the connection tracker's timeouts.
 */
struct tg_node_cfg {
	uint32_t flags;		/* TENGUARD_NODE_F_* */
	struct tg_prefix *protect;
	size_t n_protect;
	struct tg_acl_cfg services;
	struct tg_acl_cfg remediation;
	uint32_t timeout[__TENGUARD_CT_TIMEOUT_MAX];	/* seconds */
};

struct tg_policy {
	struct tg_tenant_cfg *tenants;
	size_t n_tenants;
	struct tg_port_cfg *ports;	/* VM ports and uplinks */
	size_t n_ports;
	struct tg_node_cfg node;
};

/*
 * Parse and validate a policy file completely. On failure returns a
 * negative errno and leaves a message naming the file, the path of the bad
 * field and the reason in err (e.g. "p.json: tenants[1].ports[0].macs[2]:
 * duplicate MAC 02:00:00:00:00:01, also at tenants[0].ports[0].macs[0]").
 */
int tg_policy_load(const char *path, struct tg_policy *pol,
		   char *err, size_t errlen);
void tg_policy_free(struct tg_policy *pol);

/*
 * tenguardctl's files, with the rules of a policy file and the same
 * messages ("a.json: ingress.rules[2].ports: ..."). A rule set file is
 * {"ingress": {...}, "egress": {...}}, either optional; its rules name a
 * remote group by id only, as there is no tenant to name it. A node file
 * is what a policy file's "node" holds. On failure the result is left
 * empty (zeroed).
 */
int tg_acl_file_load(const char *path,
		     struct tg_acl_cfg acl[__TENGUARD_ACL_DIR_MAX],
		     char *err, size_t errlen);
int tg_node_file_load(const char *path, struct tg_node_cfg *node,
		      char *err, size_t errlen);
void tg_acl_cfg_free(struct tg_acl_cfg *acl);
void tg_node_cfg_free(struct tg_node_cfg *node);
/*
 * A node without configuration: nothing protected, services and
 * remediation present with no rules (default deny), the default timeouts
 * TENGUARD_CT_TIMEOUTS_DEFAULT. What a policy file without "node" gets.
 */
void tg_node_cfg_init(struct tg_node_cfg *node);

const struct tg_tenant_cfg *tg_policy_tenant(const struct tg_policy *pol,
					     uint32_t id);
const struct tg_port_cfg *tg_policy_port(const struct tg_policy *pol,
					 const char *name);

/*
 * The parsers of policy file values, for tenguardctl's arguments too.
 * tg_prefix_from_str() takes "a.b.c.d[/len]" or "x:y::z[/len]" (the whole
 * address without len) and refuses host bits and IPv4-mapped prefixes:
 * -EINVAL and why in err (e.g. "host bits set in \"10.0.0.1/8\" (did you
 * mean 10.0.0.0/8?)").
 */
bool tg_mac_parse(const char *s, uint8_t mac[6]);	/* xx:xx:xx:xx:xx:xx */
bool tg_ifname_valid(const char *name, size_t len);	/* dev_valid_name() */
bool tg_tenant_name_valid(const char *name, size_t len); /* [A-Za-z0-9._-] */
int tg_prefix_from_str(const char *s, struct tg_prefix *pfx, char *err,
		       size_t errlen);

/* fe80::/64 with the modified EUI-64 interface id of mac (RFC 4291) */
void tg_mac_to_link_local(const uint8_t mac[6], uint8_t addr[16]);

#endif /* TG_POLICY_H */
