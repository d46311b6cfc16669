// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink to the tenguard module, and the rtnetlink lookups that
 * name its ports: every netlink message tenguardctl sends or reads is
 * built or read here (genl.h says what for).
 *
 * One table describes the family's attributes as the uapi header draws
 * them. It checks the replies the module sends, decodes requests for
 * TENGUARDCTL_DUMP and names the attribute an extack offset points at.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "genl.h"
#include "names.h"
#include "units.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* a dump that keeps meeting changes is retried this often, then refused */
#define GENL_DUMP_TRIES		5
/* receive buffer of a monitor: bursts of config messages must fit */
#define GENL_MONITOR_RCVBUF	(1 << 20)

/* ---- the family's attributes ---- */

enum genl_type {
	GT_NONE,	/* padding: skipped */
	GT_U8,
	GT_U16,
	GT_U32,
	GT_S32,
	GT_U64,
	GT_STRING,	/* NLA_NUL_STRING */
	GT_MAC,		/* NLA_BINARY, ETH_ALEN */
	GT_IPADDR,	/* NLA_BINARY, 4 or 16 */
	GT_NESTED,
};

/* how a value reads for a person, beyond its type */
enum genl_show {
	GS_PLAIN,
	GS_KIND,	/* enum tenguard_port_kind */
	GS_FLAGS,	/* TENGUARD_PORT_F_* */
	GS_FAMILY,	/* AF_INET, AF_INET6 */
	GS_ETHERTYPE,	/* 0x88cc */
	GS_EVENT,	/* enum tenguard_event */
	GS_ACTION,	/* enum tenguard_acl_action */
	GS_DIR,		/* enum tenguard_acl_dir */
	GS_PROTO,	/* IP protocol */
	GS_ACL_FLAGS,	/* TENGUARD_ACL_F_* */
	GS_RULE_FLAGS,	/* TENGUARD_RULE_F_* */
	GS_NODE_FLAGS,	/* TENGUARD_NODE_F_* */
	GS_BPS,		/* bits per second: "100000000 (100Mbit)" */
	GS_BYTES,	/* "131072 (128KiB)" */
	GS_RATE_FLAGS,	/* TENGUARD_RATE_F_* */
};

struct genl_set;

struct genl_attr {
	const char *name;	/* TENGUARD_A_PORT_MAC: for dumps */
	const char *label;	/* "mac": for people */
	enum genl_type type;
	enum genl_show show;
	const struct genl_set *nest;
};

struct genl_set {
	const char *label;	/* "port": the set's nest, for people */
	unsigned int max;
	const struct genl_attr *attrs;	/* indexed by type, 0..max */
};

/* an entry of a set: its enum name comes from the enum itself */
#define GA(t, l, ty, ...) \
	[t] = { .name = #t, .label = l, .type = ty, __VA_ARGS__ }

static const struct genl_attr genl_segment_attrs[] = {
	GA(TENGUARD_A_SEGMENT_VLAN, "vlan", GT_U16),
	GA(TENGUARD_A_SEGMENT_VNI, "vni", GT_U32),
};

static const struct genl_set genl_segment_nla = {
	"segment", TENGUARD_A_SEGMENT_MAX, genl_segment_attrs
};

static const struct genl_attr genl_addr_attrs[] = {
	GA(TENGUARD_A_ADDR_FAMILY, "family", GT_U16, .show = GS_FAMILY),
	GA(TENGUARD_A_ADDR_ADDR, "address", GT_IPADDR),
	GA(TENGUARD_A_ADDR_PREFIXLEN, "prefix length", GT_U8),
};

static const struct genl_set genl_addr_nla = {
	"addr", TENGUARD_A_ADDR_MAX, genl_addr_attrs
};

static const struct genl_attr genl_tenant_attrs[] = {
	GA(TENGUARD_A_TENANT_ID, "id", GT_U32),
	GA(TENGUARD_A_TENANT_NAME, "name", GT_STRING),
	GA(TENGUARD_A_TENANT_SEGMENT, "segment", GT_NESTED,
	   .nest = &genl_segment_nla),
};

static const struct genl_set genl_tenant_nla = {
	"tenant", TENGUARD_A_TENANT_MAX, genl_tenant_attrs
};

static const struct genl_attr genl_rate_attrs[] = {
	GA(TENGUARD_A_RATE_DIR, "direction", GT_U32, .show = GS_DIR),
	GA(TENGUARD_A_RATE_BPS, "bps", GT_U64, .show = GS_BPS),
	GA(TENGUARD_A_RATE_BURST, "burst", GT_U32, .show = GS_BYTES),
	GA(TENGUARD_A_RATE_PPS, "pps", GT_U32),
	GA(TENGUARD_A_RATE_PKT_BURST, "pkt-burst", GT_U32),
	GA(TENGUARD_A_RATE_FLAGS, "flags", GT_U32, .show = GS_RATE_FLAGS),
	GA(TENGUARD_A_RATE_PAD, "pad", GT_NONE),
};

static const struct genl_set genl_rate_nla = {
	"rate", TENGUARD_A_RATE_MAX, genl_rate_attrs
};

static const struct genl_attr genl_port_attrs[] = {
	GA(TENGUARD_A_PORT_IFINDEX, "ifindex", GT_U32),
	GA(TENGUARD_A_PORT_IFNAME, "ifname", GT_STRING),
	GA(TENGUARD_A_PORT_TENANT, "tenant", GT_U32),
	GA(TENGUARD_A_PORT_KIND, "kind", GT_U32, .show = GS_KIND),
	GA(TENGUARD_A_PORT_FLAGS, "flags", GT_U32, .show = GS_FLAGS),
	GA(TENGUARD_A_PORT_MAC, "mac", GT_MAC),
	GA(TENGUARD_A_PORT_ADDR, "addr", GT_NESTED, .nest = &genl_addr_nla),
	GA(TENGUARD_A_PORT_ETHERTYPE, "ethertype", GT_U16,
	   .show = GS_ETHERTYPE),
	GA(TENGUARD_A_PORT_SEGMENT, "segment", GT_NESTED,
	   .nest = &genl_segment_nla),
	GA(TENGUARD_A_PORT_MASTER, "master", GT_U32),
	GA(TENGUARD_A_PORT_NETNSID, "netnsid", GT_S32),
	GA(TENGUARD_A_PORT_GENERATION, "generation", GT_U64),
	GA(TENGUARD_A_PORT_ACKED, "acked", GT_U64),
	GA(TENGUARD_A_PORT_PAD, "pad", GT_NONE),
	GA(TENGUARD_A_PORT_GROUP, "group", GT_U32),
	GA(TENGUARD_A_PORT_QUARANTINE, "quarantine", GT_U8),
	GA(TENGUARD_A_PORT_RATE, "rate", GT_NESTED, .nest = &genl_rate_nla),
};

static const struct genl_set genl_port_nla = {
	"port", TENGUARD_A_PORT_MAX, genl_port_attrs
};

static const struct genl_attr genl_event_attrs[] = {
	GA(TENGUARD_A_EVENT_TYPE, "type", GT_U32, .show = GS_EVENT),
	GA(TENGUARD_A_EVENT_IFINDEX, "ifindex", GT_U32),
	GA(TENGUARD_A_EVENT_IFNAME, "ifname", GT_STRING),
	GA(TENGUARD_A_EVENT_PID, "pid", GT_U32),
	GA(TENGUARD_A_EVENT_COMM, "comm", GT_STRING),
	GA(TENGUARD_A_EVENT_TIME, "time", GT_U64),
	GA(TENGUARD_A_EVENT_PAD, "pad", GT_NONE),
};

static const struct genl_set genl_event_nla = {
	"event", TENGUARD_A_EVENT_MAX, genl_event_attrs
};

/* a rule's remote prefix is an address nest as a port's are */
static const struct genl_attr genl_rule_attrs[] = {
	GA(TENGUARD_A_RULE_ACTION, "action", GT_U32, .show = GS_ACTION),
	GA(TENGUARD_A_RULE_FLAGS, "flags", GT_U32, .show = GS_RULE_FLAGS),
	GA(TENGUARD_A_RULE_REMOTE, "remote", GT_NESTED, .nest = &genl_addr_nla),
	GA(TENGUARD_A_RULE_GROUP, "group", GT_U32),
	GA(TENGUARD_A_RULE_PROTO, "proto", GT_U8, .show = GS_PROTO),
	GA(TENGUARD_A_RULE_PORT_MIN, "port min", GT_U16),
	GA(TENGUARD_A_RULE_PORT_MAX, "port max", GT_U16),
	GA(TENGUARD_A_RULE_ICMP_TYPE, "icmp type", GT_U8),
	GA(TENGUARD_A_RULE_ICMP_CODE, "icmp code", GT_U8),
};

static const struct genl_set genl_rule_nla = {
	"rule", TENGUARD_A_RULE_MAX, genl_rule_attrs
};

static const struct genl_attr genl_acl_attrs[] = {
	GA(TENGUARD_A_ACL_DIR, "direction", GT_U32, .show = GS_DIR),
	GA(TENGUARD_A_ACL_DEFAULT, "default", GT_U32, .show = GS_ACTION),
	GA(TENGUARD_A_ACL_FLAGS, "flags", GT_U32, .show = GS_ACL_FLAGS),
	GA(TENGUARD_A_ACL_RULE, "rule", GT_NESTED, .nest = &genl_rule_nla),
	GA(TENGUARD_A_ACL_OFFSET, "offset", GT_U32),
	GA(TENGUARD_A_ACL_COUNT, "count", GT_U32),
};

static const struct genl_set genl_acl_nla = {
	"acl", TENGUARD_A_ACL_MAX, genl_acl_attrs
};

/* one per enum tenguard_ct_timeout, named as in policy files */
static const struct genl_attr genl_timeout_attrs[] = {
	GA(TENGUARD_A_TIMEOUT_TCP_SYN, "tcp_syn", GT_U32),
	GA(TENGUARD_A_TIMEOUT_TCP_ESTABLISHED, "tcp_established", GT_U32),
	GA(TENGUARD_A_TIMEOUT_TCP_CLOSE, "tcp_close", GT_U32),
	GA(TENGUARD_A_TIMEOUT_UDP, "udp", GT_U32),
	GA(TENGUARD_A_TIMEOUT_UDP_STREAM, "udp_stream", GT_U32),
	GA(TENGUARD_A_TIMEOUT_ICMP, "icmp", GT_U32),
	GA(TENGUARD_A_TIMEOUT_OTHER, "other", GT_U32),
};

static const struct genl_set genl_timeout_nla = {
	"timeout", TENGUARD_A_TIMEOUT_MAX, genl_timeout_attrs
};

static const struct genl_attr genl_node_attrs[] = {
	GA(TENGUARD_A_NODE_PROTECT, "protect", GT_NESTED,
	   .nest = &genl_addr_nla),
	GA(TENGUARD_A_NODE_SERVICE, "service", GT_NESTED,
	   .nest = &genl_rule_nla),
	GA(TENGUARD_A_NODE_REMEDIATION, "remediation", GT_NESTED,
	   .nest = &genl_rule_nla),
	GA(TENGUARD_A_NODE_FLAGS, "flags", GT_U32, .show = GS_NODE_FLAGS),
	GA(TENGUARD_A_NODE_TIMEOUT, "timeout", GT_NESTED,
	   .nest = &genl_timeout_nla),
};

static const struct genl_set genl_node_nla = {
	"node", TENGUARD_A_NODE_MAX, genl_node_attrs
};

static const struct genl_attr genl_top_attrs[] = {
	GA(TENGUARD_A_TENANT, "tenant", GT_NESTED, .nest = &genl_tenant_nla),
	GA(TENGUARD_A_PORT, "port", GT_NESTED, .nest = &genl_port_nla),
	GA(TENGUARD_A_EVENT, "event", GT_NESTED, .nest = &genl_event_nla),
	GA(TENGUARD_A_ACL, "acl", GT_NESTED, .nest = &genl_acl_nla),
	GA(TENGUARD_A_NODE, "node", GT_NESTED, .nest = &genl_node_nla),
};

static const struct genl_set genl_top_nla = {
	"", TENGUARD_A_MAX, genl_top_attrs
};

static const char *const genl_cmd_names[] = {
	[TENGUARD_CMD_UNSPEC] = "TENGUARD_CMD_UNSPEC",
	[TENGUARD_CMD_TENANT_NEW] = "TENGUARD_CMD_TENANT_NEW",
	[TENGUARD_CMD_TENANT_SET] = "TENGUARD_CMD_TENANT_SET",
	[TENGUARD_CMD_TENANT_DEL] = "TENGUARD_CMD_TENANT_DEL",
	[TENGUARD_CMD_TENANT_GET] = "TENGUARD_CMD_TENANT_GET",
	[TENGUARD_CMD_PORT_NEW] = "TENGUARD_CMD_PORT_NEW",
	[TENGUARD_CMD_PORT_SET] = "TENGUARD_CMD_PORT_SET",
	[TENGUARD_CMD_PORT_DEL] = "TENGUARD_CMD_PORT_DEL",
	[TENGUARD_CMD_PORT_GET] = "TENGUARD_CMD_PORT_GET",
	[TENGUARD_CMD_PORT_ACK] = "TENGUARD_CMD_PORT_ACK",
	[TENGUARD_CMD_EVENT] = "TENGUARD_CMD_EVENT",
	[TENGUARD_CMD_PORT_QUARANTINE] = "TENGUARD_CMD_PORT_QUARANTINE",
	[TENGUARD_CMD_ACL_SET] = "TENGUARD_CMD_ACL_SET",
	[TENGUARD_CMD_ACL_GET] = "TENGUARD_CMD_ACL_GET",
	[TENGUARD_CMD_ACL_DEL] = "TENGUARD_CMD_ACL_DEL",
	[TENGUARD_CMD_NODE_SET] = "TENGUARD_CMD_NODE_SET",
	[TENGUARD_CMD_NODE_GET] = "TENGUARD_CMD_NODE_GET",
};

/* the description of an attribute of set, NULL for one this build lacks */
static const struct genl_attr *genl_attr_of(const struct genl_set *set,
					    const struct nlattr *a)
{
	int type = nla_type(a);

	if (type <= 0 || (unsigned int)type > set->max ||
	    !set->attrs[type].name)
		return NULL;
	return &set->attrs[type];
}

/* what an NLA policy would check: the length of the type */
static bool genl_attr_valid(const struct genl_attr *d, const struct nlattr *a)
{
	int len = nla_len(a);

	switch (d->type) {
	case GT_NONE:
	case GT_NESTED:
		return true;
	case GT_U8:
		return len == 1;
	case GT_U16:
		return len == 2;
	case GT_U32:
	case GT_S32:
		return len == 4;
	case GT_U64:
		return len == 8;
	case GT_STRING:
		return len >= 1 && memchr(nla_data(a), '\0', len);
	case GT_MAC:
		return len == 6;
	case GT_IPADDR:
		return len == 4 || len == 16;
	}
	return false;
}

static const char *genl_event_name(uint32_t type)
{
	static const char *const names[] = {
		[TENGUARD_EVENT_PROMISC] = "promisc",
		[TENGUARD_EVENT_MAC_CHANGE] = "mac-change",
		[TENGUARD_EVENT_MASTER] = "master",
		[TENGUARD_EVENT_UP_REFUSED] = "up-refused",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
}

static void genl_flags_str(uint32_t flags, char *buf, size_t len)
{
	const struct tg_flag_name *f;
	size_t n = 0;

	buf[0] = '\0';
	for (f = tg_port_flag_names; f->name; f++) {
		if (!(flags & f->flag))
			continue;
		flags &= ~f->flag;
		n += snprintf(buf + n, n < len ? len - n : 0, "%s%s",
			      n ? "," : "", f->name);
	}
	if (flags & TENGUARD_PORT_F_APPEND) {
		flags &= ~TENGUARD_PORT_F_APPEND;
		n += snprintf(buf + n, n < len ? len - n : 0, "%sappend",
			      n ? "," : "");
	}
	if (flags)
		n += snprintf(buf + n, n < len ? len - n : 0, "%s%#x",
			      n ? "," : "", flags);
	if (!n)
		snprintf(buf, len, "none");
}

/* "more", "log", "own-addresses": the flags of rule sets, rules, the node */
static const struct tg_flag_name genl_acl_flag_names[] = {
	{ TENGUARD_ACL_F_MORE, "more" },
	{ 0, NULL },
};

static const struct tg_flag_name genl_rule_flag_names[] = {
	{ TENGUARD_RULE_F_LOG, "log" },
	{ 0, NULL },
};

static const struct tg_flag_name genl_node_flag_names[] = {
	{ TENGUARD_NODE_F_OWN_ADDRS, "own-addresses" },
	{ 0, NULL },
};

/* requests carry shape only; the datapath's bits may show in a dump */
static const struct tg_flag_name genl_rate_flag_names[] = {
	{ TENGUARD_RATE_F_SHAPE, "shape" },
	{ TENGUARD_RATE_F_BPS, "bps" },
	{ TENGUARD_RATE_F_PPS, "pps" },
	{ 0, NULL },
};

static void genl_bits_str(uint32_t v, const struct tg_flag_name *names,
			  char *buf, size_t len)
{
	char words[96];
	size_t n = 0;

	words[0] = '\0';
	for (; names->name; names++) {
		if (!(v & names->flag))
			continue;
		n += snprintf(words + n, n < sizeof(words) ?
			      sizeof(words) - n : 0, "%s%s", n ? "," : "",
			      names->name);
	}
	snprintf(buf, len, "%#x (%s)", v, n ? words : "none");
}

/* "1 (deny)": a number and its name in names[0..n), "?" for none */
static void genl_enum_str(uint32_t v, const char *const *names, size_t n,
			  char *buf, size_t len)
{
	snprintf(buf, len, "%u (%s)", v, v < n && names[v] ? names[v] : "?");
}

static void genl_segment_str(const struct nlattr *nest, char *buf, size_t len);
static void genl_addr_str(const struct nlattr *nest, char *buf, size_t len);
static void genl_rate_str(const struct nlattr *nest, char *buf, size_t len);

/* a valid attribute's value as a person reads it */
static void genl_value_str(const struct genl_attr *d, const struct nlattr *a,
			   char *buf, size_t len)
{
	const uint8_t *m = nla_data(a);
	uint32_t v = 0;

	switch (d->type) {
	case GT_NONE:
		snprintf(buf, len, "(%d bytes)", nla_len(a));
		return;
	case GT_U8:
		v = nla_get_u8(a);
		break;
	case GT_U16:
		v = nla_get_u16(a);
		break;
	case GT_U32:
		v = nla_get_u32(a);
		break;
	case GT_S32:
		snprintf(buf, len, "%" PRId32, nla_get_s32(a));
		return;
	case GT_U64:
		if (d->show == GS_BPS) {
			char r[TG_UNITS_STRLEN];

			snprintf(buf, len, "%" PRIu64 " (%s)", nla_get_u64(a),
				 tg_rate_str(nla_get_u64(a), r, sizeof(r)));
			return;
		}
		snprintf(buf, len, "%" PRIu64, nla_get_u64(a));
		return;
	case GT_STRING:
		snprintf(buf, len, "\"%s\"", (const char *)nla_data(a));
		return;
	case GT_MAC:
		snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
			 m[0], m[1], m[2], m[3], m[4], m[5]);
		return;
	case GT_IPADDR:
		inet_ntop(nla_len(a) == 4 ? AF_INET : AF_INET6, m, buf, len);
		return;
	case GT_NESTED:
		if (d->nest == &genl_segment_nla)
			genl_segment_str(a, buf, len);
		else if (d->nest == &genl_addr_nla)
			genl_addr_str(a, buf, len);
		else if (d->nest == &genl_rate_nla)
			genl_rate_str(a, buf, len);
		else
			snprintf(buf, len, "(%d bytes)", nla_len(a));
		return;
	}
	switch (d->show) {
	case GS_KIND:
		snprintf(buf, len, "%u (%s)", v, tg_port_kind_name(v));
		break;
	case GS_FLAGS: {
		char names[96];

		genl_flags_str(v, names, sizeof(names));
		snprintf(buf, len, "%#x (%s)", v, names);
		break;
	}
	case GS_FAMILY:
		snprintf(buf, len, "%u (%s)", v, v == AF_INET ? "AF_INET" :
			 v == AF_INET6 ? "AF_INET6" : "?");
		break;
	case GS_ETHERTYPE:
		snprintf(buf, len, "0x%04x", v);
		break;
	case GS_EVENT:
		snprintf(buf, len, "%u (%s)", v,
			 genl_event_name(v) ?: "unknown");
		break;
	case GS_ACTION:
		genl_enum_str(v, tg_acl_action_names, __TENGUARD_ACL_ACTION_MAX,
			      buf, len);
		break;
	case GS_DIR:
		genl_enum_str(v, tg_acl_set_names, __TENGUARD_ACL_DIR_MAX, buf,
			      len);
		break;
	case GS_PROTO:
		snprintf(buf, len, "%u (%s)", v, tg_proto_name(v) ?: "?");
		break;
	case GS_ACL_FLAGS:
		genl_bits_str(v, genl_acl_flag_names, buf, len);
		break;
	case GS_RULE_FLAGS:
		genl_bits_str(v, genl_rule_flag_names, buf, len);
		break;
	case GS_NODE_FLAGS:
		genl_bits_str(v, genl_node_flag_names, buf, len);
		break;
	case GS_BYTES: {
		char size[TG_UNITS_STRLEN];

		snprintf(buf, len, "%u (%s)", v,
			 tg_size_str(v, size, sizeof(size)));
		break;
	}
	case GS_RATE_FLAGS:
		genl_bits_str(v, genl_rate_flag_names, buf, len);
		break;
	default:
		snprintf(buf, len, "%u", v);
	}
}

/* "vlan 100", "vni 5100" */
static void genl_segment_str(const struct nlattr *nest, char *buf, size_t len)
{
	const struct genl_attr *d;
	struct nlattr *a;
	int rem;

	snprintf(buf, len, "(empty)");
	nla_for_each_nested(a, nest, rem) {
		d = genl_attr_of(&genl_segment_nla, a);
		if (d && genl_attr_valid(d, a))
			snprintf(buf, len, "%s %u", d->label,
				 d->type == GT_U16 ? nla_get_u16(a) :
				 nla_get_u32(a));
	}
}

/* "198.18.0.0/15" */
static void genl_addr_str(const struct nlattr *nest, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned int plen = 0;
	bool has_len = false;
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) == TENGUARD_A_ADDR_ADDR &&
		    (nla_len(a) == 4 || nla_len(a) == 16))
			inet_ntop(nla_len(a) == 4 ? AF_INET : AF_INET6,
				  nla_data(a), addr, sizeof(addr));
		if (nla_type(a) == TENGUARD_A_ADDR_PREFIXLEN &&
		    nla_len(a) == 1) {
			plen = nla_get_u8(a);
			has_len = true;
		}
	}
	if (has_len)
		snprintf(buf, len, "%s/%u", addr, plen);
	else
		snprintf(buf, len, "%s", addr);
}

/* "egress": which direction a rate nest limits */
static void genl_rate_str(const struct nlattr *nest, char *buf, size_t len)
{
	struct nlattr *a;
	uint32_t dir;
	int rem;

	snprintf(buf, len, "(no direction)");
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != TENGUARD_A_RATE_DIR || nla_len(a) != 4)
			continue;
		dir = nla_get_u32(a);
		if (dir < __TENGUARD_ACL_DIR_MAX)
			snprintf(buf, len, "%s", tg_acl_set_names[dir]);
		else
			snprintf(buf, len, "direction %u", dir);
	}
}

/* ---- the handle ---- */

struct genl {
	struct nl_sock *sk;	/* the family's: requests, then monitor */
	struct nl_sock *rtnl;	/* device names, opened when first needed */
	int family;		/* 0 in a dry run without the module */
	uint32_t version;
	uint32_t grp_config;	/* 0: the module has no such group */
	uint32_t grp_events;
	bool dry;
	unsigned int dumped;	/* requests dumped in a dry run */
	/* an ACL_SET part: the index of its first rule, for messages */
	uint32_t rule_base;
	/* why the last request failed, for genl_perror() */
	struct {
		int err;
		char msg[256];	/* the kernel's extack message */
		char at[192];	/* the attribute at fault, decoded */
		char local[192]; /* or what was wrong with a reply */
	} why;
};

uint32_t genl_version(const struct genl *g)
{
	return g->version;
}

bool genl_dry_run(const struct genl *g)
{
	return g->dry;
}

static void genl_why_clear(struct genl *g)
{
	memset(&g->why, 0, sizeof(g->why));
}

/* a reply that breaks the contract: remember why, return -EPROTO */
static int __attribute__((format(printf, 2, 3)))
genl_bad_reply(struct genl *g, const char *fmt, ...)
{
	va_list ap;

	if (!g->why.local[0]) {
		va_start(ap, fmt);
		vsnprintf(g->why.local, sizeof(g->why.local), fmt, ap);
		va_end(ap);
	}
	g->why.err = -EPROTO;
	return -EPROTO;
}

/* the attribute of a reply: valid if known, NULL (skip) if unknown */
static const struct genl_attr *genl_reply_attr(struct genl *g,
					       const struct genl_set *set,
					       const struct nlattr *a, int *err)
{
	const struct genl_attr *d = genl_attr_of(set, a);

	*err = 0;
	if (!d || d->type == GT_NONE)
		return NULL;	/* a newer module's, or padding */
	if (!genl_attr_valid(d, a)) {
		*err = genl_bad_reply(g, "the module sent %s of %d bytes",
				      d->name, nla_len(a));
		return NULL;
	}
	return d;
}

void genl_perror(const struct genl *g, const char *what, int err)
{
	const char *name = strerrorname_np(-err);

	if (g && g->why.err == err && g->why.msg[0]) {
		fprintf(stderr, "Error: %s", g->why.msg);
		if (g->why.at[0])
			fprintf(stderr, " (%s)", g->why.at);
		fputc('\n', stderr);
	} else if (g && g->why.err == err && g->why.at[0]) {
		fprintf(stderr, "Error: %s\n", g->why.at);
	}
	fprintf(stderr, "%s: %s: ", program_invocation_short_name, what);
	if (g && g->why.err == err && g->why.local[0])
		fprintf(stderr, "%s: ", g->why.local);
	fprintf(stderr, "%s", strerror(-err));
	if (name)
		fprintf(stderr, " (%s)", name);
	fputc('\n', stderr);
}

/* ---- decoding requests: TENGUARDCTL_DUMP ---- */

static void genl_decode(FILE *f, const struct genl_set *set, const void *data,
			int len, int depth)
{
	const struct genl_attr *d;
	char buf[256];
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, (struct nlattr *)data, len, rem) {
		d = genl_attr_of(set, a);
		fprintf(f, "%*s", 2 * depth, "");
		if (!d) {
			fprintf(f, "attribute %d of %s: unknown, %d bytes\n",
				nla_type(a), set->label[0] ? set->label :
				"the message", nla_len(a));
			continue;
		}
		if (!genl_attr_valid(d, a)) {
			fprintf(f, "%s: BAD LENGTH %d\n", d->name, nla_len(a));
			continue;
		}
		if (d->type == GT_NESTED) {
			fprintf(f, "%s: nested, %d bytes%s\n", d->name,
				nla_len(a), nla_is_nested(a) ? "" :
				", NLA_F_NESTED MISSING");
			genl_decode(f, d->nest, nla_data(a), nla_len(a),
				    depth + 1);
			continue;
		}
		genl_value_str(d, a, buf, sizeof(buf));
		fprintf(f, "%s: %s\n", d->name, buf);
	}
	if (rem > 0)
		fprintf(f, "%*s%d bytes of trailing garbage\n", 2 * depth, "",
			rem);
}

static void genl_hexdump(FILE *f, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i, j;

	for (i = 0; i < len; i += 16) {
		fprintf(f, "  %04zx ", i);
		for (j = i; j < i + 16; j++) {
			if (j < len)
				fprintf(f, " %02x", p[j]);
			else
				fputs("   ", f);
			if (j == i + 7)
				fputc(' ', f);
		}
		fputs("  ", f);
		for (j = i; j < i + 16 && j < len; j++)
			fputc(p[j] >= 0x20 && p[j] < 0x7f ? p[j] : '.', f);
		fputc('\n', f);
	}
}

static void genl_dump_request(struct genl *g, struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	const char *cmd = gh->cmd < sizeof(genl_cmd_names) /
			  sizeof(genl_cmd_names[0]) ? genl_cmd_names[gh->cmd] :
			  NULL;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++g->dumped;
	fprintf(stderr, "tenguardctl: request %u: %s%s, version %u, family "
		"\"%s\" (id %d%s), flags REQUEST|ACK%s, %u bytes\n",
		g->dumped, cmd ?: "command ", cmd ? "" : "?", gh->version,
		TENGUARD_GENL_NAME, g->family,
		g->family ? "" : ": not registered", nlh->nlmsg_flags &
		NLM_F_DUMP ? "|DUMP" : "", nlh->nlmsg_len);
	genl_decode(stderr, &genl_top_nla, genlmsg_attrdata(gh, 0),
		    genlmsg_attrlen(gh, 0), 1);
	genl_hexdump(stderr, nlh, nlh->nlmsg_len);
}

/* ---- one exchange: a request, its replies, its ack ---- */

struct genl_xfer {
	struct genl *g;
	struct nl_msg *req;
	const struct genl_set *set;	/* of the request, NULL: not ours */
	int (*fn)(struct genl *g, struct nl_msg *msg, void *arg);
	void *arg;
	int err;
	bool done;
	bool intr;			/* a dump met a change */
};

/* the set of the nest that starts offset bytes into the request */
static const struct genl_set *genl_set_at(const struct genl_set *set,
					  const void *base, const void *data,
					  int len, uint32_t offset)
{
	const struct genl_attr *d;
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, (struct nlattr *)data, len, rem) {
		uint32_t at = (const char *)a - (const char *)base;

		d = genl_attr_of(set, a);
		if (!d || d->type != GT_NESTED)
			continue;
		if (at == offset)
			return d->nest;
		if (offset > at && offset < at + a->nla_len)
			return genl_set_at(d->nest, base, nla_data(a),
					   nla_len(a), offset);
	}
	return NULL;
}

/*
 * "port mac 02:00:00:00:00:01", "acl rule 1234 proto 58 (icmpv6)": the
 * attribute offset bytes in. A rule is named by its index in the rule set:
 * rule_base is the index of the request's first TENGUARD_A_ACL_RULE.
 */
static bool genl_describe_at(const struct genl_set *set, const void *base,
			     const void *data, int len, uint32_t offset,
			     const char *path, uint32_t rule_base, char *buf,
			     size_t buflen)
{
	unsigned int seen[32] = {};
	const struct genl_attr *d;
	char value[64], sub[96], label[32];
	struct nlattr *a;
	int rem, type;

	nla_for_each_attr(a, (struct nlattr *)data, len, rem) {
		uint32_t at = (const char *)a - (const char *)base;
		unsigned int idx;

		d = genl_attr_of(set, a);
		type = nla_type(a);
		idx = type < 32 ? seen[type]++ : 0;
		if (offset < at || offset >= at + a->nla_len)
			continue;
		if (!d) {
			snprintf(buf, buflen, "%s%sattribute %d", path,
				 *path ? " " : "", type);
			return true;
		}
		if (d->nest == &genl_rule_nla) {
			snprintf(label, sizeof(label), "%s %u", d->label,
				 set == &genl_acl_nla ? rule_base + idx : idx);
		} else if (d->nest == &genl_rate_nla) {
			/* "rate egress burst 1000": a rate is its direction's */
			char dir[24];

			genl_rate_str(a, dir, sizeof(dir));
			snprintf(label, sizeof(label), "%s %s", d->label, dir);
		} else {
			snprintf(label, sizeof(label), "%s", d->label);
		}
		if (offset > at && d->type == GT_NESTED) {
			snprintf(sub, sizeof(sub), "%s%s%s", path,
				 *path ? " " : "", label);
			if (genl_describe_at(d->nest, base, nla_data(a),
					     nla_len(a), offset, sub,
					     rule_base, buf, buflen))
				return true;
		}
		if (d->nest == &genl_rule_nla || d->nest == &genl_rate_nla) {
			/* a whole rule or rate: its index or direction says */
			snprintf(buf, buflen, "%s%s%s", path, *path ? " " : "",
				 label);
			return true;
		}
		if (genl_attr_valid(d, a) && d->type != GT_NESTED)
			genl_value_str(d, a, value, sizeof(value));
		else if (d->type == GT_NESTED && (d->nest == &genl_addr_nla ||
						 d->nest == &genl_segment_nla))
			genl_value_str(d, a, value, sizeof(value));
		else
			/* a whole port or tenant: the request is all of it */
			return false;
		snprintf(buf, buflen, "%s%s%s %s", path, *path ? " " : "",
			 label, value);
		return true;
	}
	return false;
}

/* extack TLVs of an error, an ack or a dump's end */
static void genl_extack(struct genl_xfer *x, const struct nlmsghdr *nlh,
			size_t off, int err)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {};
	const struct nlmsghdr *req = x->req ? nlmsg_hdr(x->req) : NULL;
	const struct genl_set *miss_set = x->set;
	struct genl *g = x->g;
	const void *attrs = NULL;
	int attrlen = 0;
	uint32_t type;

	off = NLMSG_ALIGN(off);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)NLMSG_DATA(nlh) + off),
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL))
		return;
	if (req && x->set && req->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN) {
		attrs = (const char *)req + NLMSG_HDRLEN + GENL_HDRLEN;
		attrlen = req->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	}
	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0) {
		if (!err) {
			/* a warning: the request went through */
			fprintf(stderr, "Warning: %.*s\n",
				(int)strnlen(nla_data(tb[NLMSGERR_ATTR_MSG]),
					     nla_len(tb[NLMSGERR_ATTR_MSG])),
				(char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
			return;
		}
		snprintf(g->why.msg, sizeof(g->why.msg), "%.*s",
			 (int)strnlen(nla_data(tb[NLMSGERR_ATTR_MSG]),
				      nla_len(tb[NLMSGERR_ATTR_MSG])),
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	}
	if (!err)
		return;
	if (tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) == 4 &&
	    attrs) {
		char at[160];

		if (genl_describe_at(x->set, req, attrs, attrlen,
				     nla_get_u32(tb[NLMSGERR_ATTR_OFFS]), "",
				     g->rule_base, at, sizeof(at)))
			snprintf(g->why.at, sizeof(g->why.at), "at %s", at);
	}
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) == 4 && x->set) {
		type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
		if (tb[NLMSGERR_ATTR_MISS_NEST] &&
		    nla_len(tb[NLMSGERR_ATTR_MISS_NEST]) == 4)
			miss_set = attrs ? genl_set_at(x->set, req, attrs,
						       attrlen,
						       nla_get_u32(tb[NLMSGERR_ATTR_MISS_NEST])) :
				   NULL;
		if (miss_set && type <= miss_set->max &&
		    miss_set->attrs[type].name)
			snprintf(g->why.at, sizeof(g->why.at), "missing %s%s%s",
				 miss_set->label, *miss_set->label ? " " : "",
				 miss_set->attrs[type].label);
		else
			snprintf(g->why.at, sizeof(g->why.at),
				 "missing attribute %u", type);
	}
}

static int genl_on_error(struct sockaddr_nl *nla, struct nlmsgerr *e,
			 void *arg)
{
	const struct nlmsghdr *nlh = (const void *)((char *)e - NLMSG_HDRLEN);
	struct genl_xfer *x = arg;
	size_t off = sizeof(*e);

	(void)nla;
	/* the request is echoed unless capped; the TLVs follow it */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	x->err = e->error < 0 ? e->error : -EPROTO;
	x->g->why.err = x->err;
	genl_extack(x, nlh, off, x->err);
	x->done = true;
	return NL_STOP;
}

static int genl_on_ack(struct nl_msg *msg, void *arg)
{
	struct genl_xfer *x = arg;

	genl_extack(x, nlmsg_hdr(msg), sizeof(struct nlmsgerr), 0);
	x->done = true;
	return NL_STOP;
}

/* a dump's end: an error the dump met travels in its payload */
static int genl_on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genl_xfer *x = arg;
	int err;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		x->intr = true;
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
		if (err < 0 && !x->err) {
			x->err = err;
			x->g->why.err = err;
			genl_extack(x, nlh, sizeof(int), err);
		}
	}
	x->done = true;
	return NL_STOP;
}

static int genl_on_intr(struct nl_msg *msg, void *arg)
{
	struct genl_xfer *x = arg;

	(void)msg;
	x->intr = true;
	return NL_OK;
}

static int genl_on_valid(struct nl_msg *msg, void *arg)
{
	struct genl_xfer *x = arg;
	int err;

	if (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP_INTR)
		x->intr = true;
	/* after a failure, read on to the end of the answer, ignoring it */
	if (x->err || !x->fn)
		return NL_SKIP;
	err = x->fn(x->g, msg, x->arg);
	if (err)
		x->err = err;
	return NL_OK;
}

/*
 * libnl's error as an errno, for what did not come from the kernel: a
 * failed system call keeps its errno (libnl would flatten ECONNREFUSED and
 * the like into "failure"), the rest say what libnl said.
 */
static int genl_lib_err(struct genl *g, int nlerr, int sys_errno)
{
	switch (-nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	case NLE_PERM:
	case NLE_NOACCESS:
		return -EPERM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	}
	if (sys_errno > 0 && sys_errno != EAGAIN)
		return -sys_errno;
	if (g && !g->why.local[0])
		snprintf(g->why.local, sizeof(g->why.local), "netlink: %s",
			 nl_geterror(nlerr));
	return -EPROTO;
}

/*
 * Send req (kept by the caller) on sk and read the answer: replies go to
 * fn, and the exchange ends with the ack, an error or a dump's end.
 */
static int genl_xfer(struct genl *g, struct nl_sock *sk, struct nl_msg *req,
		     const struct genl_set *set,
		     int (*fn)(struct genl *, struct nl_msg *, void *),
		     void *arg, bool *intr)
{
	struct genl_xfer x = {
		.g = g, .req = req, .set = set, .fn = fn, .arg = arg,
	};
	struct nl_cb *cb;
	int ret;

	genl_why_clear(g);
	if (intr)
		*intr = false;
	if (g->dry && set) {
		genl_dump_request(g, req);
		return 0;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, genl_on_valid, &x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, genl_on_ack, &x);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, genl_on_finish, &x);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, genl_on_intr, &x);
	nl_cb_err(cb, NL_CB_CUSTOM, genl_on_error, &x);

	/* a request sent again (a dump retried) takes a new number */
	nlmsg_hdr(req)->nlmsg_seq = NL_AUTO_SEQ;
	errno = 0;
	ret = nl_send_auto(sk, req);
	if (ret < 0) {
		x.err = genl_lib_err(g, ret, errno);
		goto out;
	}
	while (!x.done) {
		errno = 0;
		ret = nl_recvmsgs(sk, cb);
		if (x.done)
			break;
		if (ret < 0) {
			if (!x.err)
				x.err = genl_lib_err(g, ret, errno);
			break;
		}
	}
out:
	nl_cb_put(cb);
	if (intr)
		*intr = x.intr;
	if (x.err && !g->why.err)
		g->why.err = x.err;
	return x.err;
}

static struct nl_msg *genl_msg(struct genl *g, uint8_t cmd, int flags,
			       size_t size)
{
	struct nl_msg *msg = nlmsg_alloc_size(size);

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->family, 0, flags,
			 cmd, TENGUARD_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * A request carries at most a page, as libmnl's MNL_SOCKET_BUFFER_SIZE
 * and WireGuard's pushes: longer port lists are split (genl_port_push()).
 */
static size_t genl_msg_size(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 && page < 8192 ? (size_t)page : 8192;
}

/* ---- opening: the family and its groups ---- */

struct genl_family_reply {
	int id;
	uint32_t version;
	uint32_t grp_config;
	uint32_t grp_events;
};

static int genl_on_family(struct genl *g, struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1], *grp, *ga[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct genl_family_reply *f = arg;
	const char *name;
	uint32_t id;
	int rem;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL))
		return genl_bad_reply(g, "malformed reply of nlctrl");
	if (!tb[CTRL_ATTR_FAMILY_ID] || nla_len(tb[CTRL_ATTR_FAMILY_ID]) != 2)
		return genl_bad_reply(g, "nlctrl sent no family id");
	f->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_VERSION] && nla_len(tb[CTRL_ATTR_VERSION]) == 4)
		f->version = nla_get_u32(tb[CTRL_ATTR_VERSION]);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	nla_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS], rem) {
		if (nla_parse_nested(ga, CTRL_ATTR_MCAST_GRP_MAX, grp, NULL) ||
		    !ga[CTRL_ATTR_MCAST_GRP_NAME] || !ga[CTRL_ATTR_MCAST_GRP_ID] ||
		    nla_len(ga[CTRL_ATTR_MCAST_GRP_ID]) != 4)
			continue;
		name = nla_data(ga[CTRL_ATTR_MCAST_GRP_NAME]);
		if (!memchr(name, '\0', nla_len(ga[CTRL_ATTR_MCAST_GRP_NAME])))
			continue;
		id = nla_get_u32(ga[CTRL_ATTR_MCAST_GRP_ID]);
		if (!strcmp(name, TENGUARD_MCGRP_CONFIG))
			f->grp_config = id;
		else if (!strcmp(name, TENGUARD_MCGRP_EVENTS))
			f->grp_events = id;
	}
	return 0;
}

static int genl_socket(struct nl_sock **skp, int protocol)
{
	static const int one = 1;
	struct nl_sock *sk;
	int err;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	errno = 0;
	err = nl_connect(sk, protocol);
	if (err) {
		err = genl_lib_err(NULL, err, errno);
		nl_socket_free(sk);
		return err;
	}
	/* the kernel's reasons, and no echo of large requests in errors */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	nl_socket_enable_msg_peek(sk);
	*skp = sk;
	return 0;
}

static bool genl_dry_env(void)
{
	const char *v = getenv(GENL_DUMP_ENV);

	return v && *v && strcmp(v, "0");
}

int genl_open(struct genl **gp)
{
	struct genl_family_reply f = {};
	struct nl_msg *msg;
	struct genl *g;
	int err;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->dry = genl_dry_env();
	err = genl_socket(&g->sk, NETLINK_GENERIC);
	if (err)
		goto fail;
	msg = nlmsg_alloc();
	err = -ENOMEM;
	if (!msg)
		goto fail;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, 0,
			 CTRL_CMD_GETFAMILY, 1) ||
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, TENGUARD_GENL_NAME)) {
		nlmsg_free(msg);
		goto fail;
	}
	err = genl_xfer(g, g->sk, msg, NULL, genl_on_family, &f, NULL);
	nlmsg_free(msg);
	if (!err && !f.id)
		err = -ENOENT;
	/* a dry run decodes requests with or without the module */
	if (err == -ENOENT && g->dry)
		err = 0;
	if (err)
		goto fail;
	g->family = f.id;
	g->version = f.version;
	g->grp_config = f.grp_config;
	g->grp_events = f.grp_events;
	genl_why_clear(g);
	*gp = g;
	return 0;
fail:
	genl_close(g);
	return err;
}

void genl_close(struct genl *g)
{
	if (!g)
		return;
	if (g->sk)
		nl_socket_free(g->sk);
	if (g->rtnl)
		nl_socket_free(g->rtnl);
	free(g);
}

/* ---- reading objects ---- */

static int genl_grow(void *arrp, size_t n, size_t size)
{
	void **arr = arrp;
	void *p;

	p = reallocarray(*arr, n + 1, size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

/* a segment nest: TENGUARD_SEG_*() in *seg */
static int genl_parse_segment(struct genl *g, const struct nlattr *nest,
			      uint32_t *seg)
{
	const struct genl_attr *d;
	struct nlattr *a;
	int rem, err;

	*seg = 0;
	nla_for_each_nested(a, nest, rem) {
		d = genl_reply_attr(g, &genl_segment_nla, a, &err);
		if (err)
			return err;
		if (!d)
			continue;
		if (nla_type(a) == TENGUARD_A_SEGMENT_VLAN)
			*seg = TENGUARD_SEG_VLAN(nla_get_u16(a) & 0xfff);
		else
			*seg = TENGUARD_SEG_VNI(nla_get_u32(a) &
						TENGUARD_VNI_MAX);
	}
	if (!*seg)
		return genl_bad_reply(g, "the module sent a segment of no kind");
	return 0;
}

static int genl_parse_tenant(struct genl *g, const struct nlattr *nest,
			     struct genl_tenant *t)
{
	struct tg_tenant_cfg *c = &t->cfg;
	const struct genl_attr *d;
	bool has_id = false;
	struct nlattr *a;
	uint32_t seg;
	int rem, err;

	memset(t, 0, sizeof(*t));
	nla_for_each_nested(a, nest, rem) {
		d = genl_reply_attr(g, &genl_tenant_nla, a, &err);
		if (err)
			return err;
		if (!d)
			continue;
		switch (nla_type(a)) {
		case TENGUARD_A_TENANT_ID:
			c->id = nla_get_u32(a);
			has_id = true;
			break;
		case TENGUARD_A_TENANT_NAME:
			snprintf(c->name, sizeof(c->name), "%s",
				 (char *)nla_data(a));
			t->has |= GENL_T_NAME;
			break;
		case TENGUARD_A_TENANT_SEGMENT:
			err = genl_parse_segment(g, a, &seg);
			if (!err)
				err = genl_grow(&c->segments, c->n_segments,
						sizeof(*c->segments));
			if (err)
				return err;
			c->segments[c->n_segments++].seg = seg;
			t->has |= GENL_T_SEGMENTS;
			break;
		}
	}
	if (!has_id)
		return genl_bad_reply(g, "the module sent a tenant without "
				      "TENGUARD_A_TENANT_ID");
	return 0;
}

static int genl_parse_addr(struct genl *g, const struct nlattr *nest,
			   struct tg_prefix *p)
{
	const struct genl_attr *d;
	unsigned int seen = 0;
	int rem, err, alen = 0;
	struct nlattr *a;

	memset(p, 0, sizeof(*p));
	nla_for_each_nested(a, nest, rem) {
		d = genl_reply_attr(g, &genl_addr_nla, a, &err);
		if (err)
			return err;
		if (!d)
			continue;
		seen |= 1U << nla_type(a);
		switch (nla_type(a)) {
		case TENGUARD_A_ADDR_FAMILY:
			p->family = nla_get_u16(a);
			break;
		case TENGUARD_A_ADDR_ADDR:
			alen = nla_len(a);
			memcpy(p->addr, nla_data(a), alen);
			break;
		case TENGUARD_A_ADDR_PREFIXLEN:
			p->prefixlen = nla_get_u8(a);
			break;
		}
	}
	if (seen != (1U << TENGUARD_A_ADDR_FAMILY | 1U << TENGUARD_A_ADDR_ADDR |
		     1U << TENGUARD_A_ADDR_PREFIXLEN) ||
	    !((p->family == AF_INET && alen == 4 && p->prefixlen <= 32) ||
	      (p->family == AF_INET6 && alen == 16 && p->prefixlen <= 128)))
		return genl_bad_reply(g, "the module sent an address that is "
				      "not family, address and prefix length");
	return 0;
}

/*
 * One direction's limits as the datapath holds them: the flag of each
 * rate the module sent, its burst defaulted if the module left it out
 * (it sends every value in force), shape.
 */
static int genl_parse_rate(struct genl *g, const struct nlattr *nest,
			   struct genl_port *p)
{
	struct tenguard_rate r = {};
	const struct genl_attr *d;
	bool has_dir = false;
	struct nlattr *a;
	uint32_t dir = 0;
	int rem, err;

	nla_for_each_nested(a, nest, rem) {
		d = genl_reply_attr(g, &genl_rate_nla, a, &err);
		if (err)
			return err;
		if (!d)
			continue;
		switch (nla_type(a)) {
		case TENGUARD_A_RATE_DIR:
			dir = nla_get_u32(a);
			has_dir = true;
			break;
		case TENGUARD_A_RATE_BPS:
			r.bps = nla_get_u64(a);
			r.flags |= TENGUARD_RATE_F_BPS;
			break;
		case TENGUARD_A_RATE_BURST:
			r.burst = nla_get_u32(a);
			break;
		case TENGUARD_A_RATE_PPS:
			r.pps = nla_get_u32(a);
			r.flags |= TENGUARD_RATE_F_PPS;
			break;
		case TENGUARD_A_RATE_PKT_BURST:
			r.pkt_burst = nla_get_u32(a);
			break;
		case TENGUARD_A_RATE_FLAGS:
			/* a newer module's modes are none this build enforces */
			r.flags |= nla_get_u32(a) & __TENGUARD_RATE_F_ALL;
			break;
		}
	}
	if (!has_dir || dir >= __TENGUARD_ACL_DIR_MAX)
		return genl_bad_reply(g, "the module sent a rate of no "
				      "direction this build knows");
	if (p->rate_dirs & 1U << dir)
		return genl_bad_reply(g, "the module sent two rates for %s",
				      tg_acl_set_names[dir]);
	/* a burst only beside a rate that passes something */
	if (!(r.flags & TENGUARD_RATE_F_BPS) || !r.bps)
		r.burst = 0;
	else if (!r.burst)
		r.burst = TENGUARD_RATE_BURST_DEFAULT(r.bps);
	if (!(r.flags & TENGUARD_RATE_F_PPS) || !r.pps)
		r.pkt_burst = 0;
	else if (!r.pkt_burst)
		r.pkt_burst = TENGUARD_RATE_PKT_BURST_DEFAULT(r.pps);
	/* shape alone limits nothing: the datapath's flags 0 */
	if (!(r.flags & (TENGUARD_RATE_F_BPS | TENGUARD_RATE_F_PPS)))
		r.flags = 0;
	p->cfg.rate[dir] = r;
	p->rate_dirs |= 1U << dir;
	p->has |= GENL_P_RATE;
	return 0;
}

static int genl_parse_port(struct genl *g, const struct nlattr *nest,
			   struct genl_port *p)
{
	struct tg_port_cfg *c = &p->cfg;
	const struct genl_attr *d;
	bool has_ifindex = false;
	struct tg_prefix pfx;
	struct nlattr *a;
	int rem, err;

	memset(p, 0, sizeof(*p));
	p->netnsid = GENL_NETNSID_NONE;
	nla_for_each_nested(a, nest, rem) {
		d = genl_reply_attr(g, &genl_port_nla, a, &err);
		if (err)
			return err;
		if (!d)
			continue;
		switch (nla_type(a)) {
		case TENGUARD_A_PORT_IFINDEX:
			p->ifindex = nla_get_u32(a);
			has_ifindex = true;
			break;
		case TENGUARD_A_PORT_IFNAME:
			snprintf(c->name, sizeof(c->name), "%s",
				 (char *)nla_data(a));
			p->has |= GENL_P_IFNAME;
			break;
		case TENGUARD_A_PORT_TENANT:
			c->tenant = nla_get_u32(a);
			p->has |= GENL_P_TENANT;
			break;
		case TENGUARD_A_PORT_KIND:
			c->kind = nla_get_u32(a);
			p->has |= GENL_P_KIND;
			break;
		case TENGUARD_A_PORT_FLAGS:
			c->flags = nla_get_u32(a);
			p->has |= GENL_P_FLAGS;
			break;
		case TENGUARD_A_PORT_MAC:
			err = genl_grow(&c->macs, c->n_macs, sizeof(*c->macs));
			if (err)
				return err;
			memcpy(c->macs[c->n_macs++], nla_data(a), 6);
			p->has |= GENL_P_MACS;
			break;
		case TENGUARD_A_PORT_ADDR:
			err = genl_parse_addr(g, a, &pfx);
			if (!err)
				err = genl_grow(&c->addrs, c->n_addrs,
						sizeof(*c->addrs));
			if (err)
				return err;
			c->addrs[c->n_addrs++] = pfx;
			p->has |= GENL_P_ADDRS;
			break;
		case TENGUARD_A_PORT_ETHERTYPE:
			err = genl_grow(&c->ethertypes, c->n_ethertypes,
					sizeof(*c->ethertypes));
			if (err)
				return err;
			c->ethertypes[c->n_ethertypes++] = nla_get_u16(a);
			p->has |= GENL_P_ETHERTYPES;
			break;
		case TENGUARD_A_PORT_SEGMENT:
			err = genl_parse_segment(g, a, &c->segment);
			if (err)
				return err;
			p->has |= GENL_P_SEGMENT;
			break;
		case TENGUARD_A_PORT_MASTER:
			p->master = nla_get_u32(a);
			p->has |= GENL_P_MASTER;
			break;
		case TENGUARD_A_PORT_NETNSID:
			p->netnsid = nla_get_s32(a);
			break;
		case TENGUARD_A_PORT_GENERATION:
			p->generation = nla_get_u64(a);
			p->has |= GENL_P_GENERATION;
			break;
		case TENGUARD_A_PORT_ACKED:
			p->acked = nla_get_u64(a);
			p->has |= GENL_P_ACKED;
			break;
		case TENGUARD_A_PORT_GROUP:
			err = genl_grow(&c->groups, c->n_groups,
					sizeof(*c->groups));
			if (err)
				return err;
			c->groups[c->n_groups++] = nla_get_u32(a);
			p->has |= GENL_P_GROUPS;
			break;
		case TENGUARD_A_PORT_QUARANTINE:
			c->quarantined = nla_get_u8(a);
			p->has |= GENL_P_QUARANTINE;
			break;
		case TENGUARD_A_PORT_RATE:
			err = genl_parse_rate(g, a, p);
			if (err)
				return err;
			break;
		}
	}
	if (!has_ifindex)
		return genl_bad_reply(g, "the module sent a port without "
				      "TENGUARD_A_PORT_IFINDEX");
	return 0;
}

static int genl_parse_event(struct genl *g, const struct nlattr *nest,
			    struct genl_event *e)
{
	const struct genl_attr *d;
	struct nlattr *a;
	int rem, err;

	memset(e, 0, sizeof(*e));
	nla_for_each_nested(a, nest, rem) {
		d = genl_reply_attr(g, &genl_event_nla, a, &err);
		if (err)
			return err;
		if (!d)
			continue;
		switch (nla_type(a)) {
		case TENGUARD_A_EVENT_TYPE:
			e->type = nla_get_u32(a);
			e->has |= GENL_E_TYPE;
			break;
		case TENGUARD_A_EVENT_IFINDEX:
			e->ifindex = nla_get_u32(a);
			e->has |= GENL_E_IFINDEX;
			break;
		case TENGUARD_A_EVENT_IFNAME:
			snprintf(e->ifname, sizeof(e->ifname), "%s",
				 (char *)nla_data(a));
			e->has |= GENL_E_IFNAME;
			break;
		case TENGUARD_A_EVENT_PID:
			e->pid = nla_get_u32(a);
			e->has |= GENL_E_PID;
			break;
		case TENGUARD_A_EVENT_COMM:
			snprintf(e->comm, sizeof(e->comm), "%s",
				 (char *)nla_data(a));
			e->has |= GENL_E_COMM;
			break;
		case TENGUARD_A_EVENT_TIME:
			e->time_ns = nla_get_u64(a);
			e->has |= GENL_E_TIME;
			break;
		}
	}
	return 0;
}

/* the nest of type top of a message of the family, or NULL */
static struct nlattr *genl_top(struct genl *g, struct nl_msg *msg, int top,
			       uint8_t *cmd, int *err)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const struct genl_attr *d;
	struct genlmsghdr *gh;
	struct nlattr *a, *found = NULL;
	int rem;

	*err = 0;
	if (!genlmsg_valid_hdr(nlh, 0)) {
		*err = genl_bad_reply(g, "the module sent a truncated message");
		return NULL;
	}
	gh = nlmsg_data(nlh);
	if (cmd)
		*cmd = gh->cmd;
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem) {
		d = genl_reply_attr(g, &genl_top_nla, a, err);
		if (*err)
			return NULL;
		if (d && nla_type(a) == top)
			found = a;
	}
	return found;
}

struct genl_list {
	void *v;
	size_t n;
	size_t size;
	int top;
};

static int genl_on_object(struct genl *g, struct nl_msg *msg, void *arg)
{
	struct genl_list *l = arg;
	struct nlattr *nest;
	void *obj;
	int err;

	nest = genl_top(g, msg, l->top, NULL, &err);
	if (err)
		return err;
	if (!nest)
		return genl_bad_reply(g, "the module sent a message without %s",
				      genl_top_attrs[l->top].name);
	err = genl_grow(&l->v, l->n, l->size);
	if (err)
		return err;
	obj = (char *)l->v + l->n * l->size;
	if (l->top == TENGUARD_A_TENANT)
		err = genl_parse_tenant(g, nest, obj);
	else
		err = genl_parse_port(g, nest, obj);
	/* counted even on failure: the parsers leave it freeable */
	l->n++;
	return err;
}

void genl_tenant_free(struct genl_tenant *t)
{
	free(t->cfg.segments);
	t->cfg.segments = NULL;
	t->cfg.n_segments = 0;
}

void genl_port_free(struct genl_port *p)
{
	size_t i;

	free(p->cfg.macs);
	free(p->cfg.addrs);
	free(p->cfg.ethertypes);
	free(p->cfg.groups);
	p->cfg.macs = NULL;
	p->cfg.addrs = NULL;
	p->cfg.ethertypes = NULL;
	p->cfg.groups = NULL;
	p->cfg.n_macs = p->cfg.n_addrs = p->cfg.n_ethertypes = 0;
	p->cfg.n_groups = 0;
	for (i = 0; i < __TENGUARD_ACL_DIR_MAX; i++)
		tg_acl_cfg_free(&p->cfg.acl[i]);
}

static void genl_list_free(struct genl_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->top == TENGUARD_A_TENANT)
			genl_tenant_free((struct genl_tenant *)l->v + i);
		else
			genl_port_free((struct genl_port *)l->v + i);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * A dump (or a GET, dump false) answered with objects of kind top. A dump
 * that met a change (NLM_F_DUMP_INTR) is read again from the start.
 */
static int genl_collect(struct genl *g, struct nl_msg *req, bool dump,
			struct genl_list *l)
{
	bool intr = false;
	int tries, err = 0;

	for (tries = 0; tries < GENL_DUMP_TRIES; tries++) {
		err = genl_xfer(g, g->sk, req, &genl_top_nla, genl_on_object,
				l, &intr);
		if (err || !dump || !intr)
			break;
		genl_list_free(l);
	}
	if (!err && intr)
		err = genl_bad_reply(g, "the module's state kept changing "
				     "during %d dumps", GENL_DUMP_TRIES);
	if (err)
		genl_list_free(l);
	return err;
}

/* a GET by id: exactly one object comes back */
static int genl_get_one(struct genl *g, struct nl_msg *req, int top,
			void *obj, size_t size)
{
	struct genl_list l = { .size = size, .top = top };
	int err;

	err = genl_collect(g, req, false, &l);
	if (err)
		return err;
	if (l.n != 1) {
		genl_list_free(&l);
		/* a dry run gets no answer */
		if (g->dry)
			return -ENOENT;
		return genl_bad_reply(g, "the module answered a GET with %zu "
				      "objects", l.n);
	}
	memcpy(obj, l.v, size);
	free(l.v);
	return 0;
}

/* ---- tenants ---- */

static int genl_put_segment(struct nl_msg *msg, int type, uint32_t seg)
{
	struct nlattr *nest = nla_nest_start(msg, type | NLA_F_NESTED);
	int err;

	if (!nest)
		return -EMSGSIZE;
	if (TENGUARD_SEG_TYPE(seg) == TENGUARD_SEG_VLAN(0))
		err = nla_put_u16(msg, TENGUARD_A_SEGMENT_VLAN,
				  TENGUARD_SEG_ID(seg));
	else
		err = nla_put_u32(msg, TENGUARD_A_SEGMENT_VNI,
				  TENGUARD_SEG_ID(seg));
	if (err) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * The family has no way to split a tenant (no APPEND for tenants): its
 * request is as large as its segments need. A nest holds at most 64 KiB.
 */
static int genl_tenant_req(struct genl *g, uint8_t cmd,
			   const struct genl_tenant *t)
{
	const struct tg_tenant_cfg *c = &t->cfg;
	size_t i, size = 256;
	struct nlattr *nest;
	struct nl_msg *msg;
	int err = -EMSGSIZE;

	if (t->has & GENL_T_SEGMENTS)
		size += c->n_segments * 2 * NLA_HDRLEN + c->n_segments * 4;
	msg = genl_msg(g, cmd, 0, size);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, TENGUARD_A_TENANT | NLA_F_NESTED);
	if (!nest || nla_put_u32(msg, TENGUARD_A_TENANT_ID, c->id))
		goto out;
	if ((t->has & GENL_T_NAME) &&
	    nla_put_string(msg, TENGUARD_A_TENANT_NAME, c->name))
		goto out;
	for (i = 0; (t->has & GENL_T_SEGMENTS) && i < c->n_segments; i++)
		if (genl_put_segment(msg, TENGUARD_A_TENANT_SEGMENT,
				     c->segments[i].seg))
			goto out;
	if (nla_nest_end(msg, nest))
		goto out;
	err = genl_xfer(g, g->sk, msg, &genl_top_nla, NULL, NULL, NULL);
out:
	nlmsg_free(msg);
	return err;
}

int genl_tenant_new(struct genl *g, const struct genl_tenant *t)
{
	return genl_tenant_req(g, TENGUARD_CMD_TENANT_NEW, t);
}

int genl_tenant_set(struct genl *g, const struct genl_tenant *t)
{
	return genl_tenant_req(g, TENGUARD_CMD_TENANT_SET, t);
}

int genl_tenant_del(struct genl *g, uint32_t id)
{
	struct genl_tenant t = { .cfg.id = id };

	return genl_tenant_req(g, TENGUARD_CMD_TENANT_DEL, &t);
}

int genl_tenant_get(struct genl *g, uint32_t id, struct genl_tenant *t)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	int err = -EMSGSIZE;

	msg = genl_msg(g, TENGUARD_CMD_TENANT_GET, 0, 256);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, TENGUARD_A_TENANT | NLA_F_NESTED);
	if (nest && !nla_put_u32(msg, TENGUARD_A_TENANT_ID, id)) {
		nla_nest_end(msg, nest);
		err = genl_get_one(g, msg, TENGUARD_A_TENANT, t, sizeof(*t));
	}
	nlmsg_free(msg);
	return err;
}

int genl_tenant_dump(struct genl *g, struct genl_tenant **tenants, size_t *n)
{
	struct genl_list l = { .size = sizeof(**tenants),
			       .top = TENGUARD_A_TENANT };
	struct nl_msg *msg;
	int err;

	msg = genl_msg(g, TENGUARD_CMD_TENANT_GET, NLM_F_DUMP, 256);
	if (!msg)
		return -ENOMEM;
	err = genl_collect(g, msg, true, &l);
	nlmsg_free(msg);
	if (err)
		return err;
	*tenants = l.v;
	*n = l.n;
	return 0;
}

/* ---- ports ---- */

/* the device: by ifindex, which every command takes, in its namespace */
static int genl_put_port_id(struct nl_msg *msg, uint32_t ifindex,
			    int32_t netnsid)
{
	if (nla_put_u32(msg, TENGUARD_A_PORT_IFINDEX, ifindex))
		return -EMSGSIZE;
	if (netnsid != GENL_NETNSID_NONE &&
	    nla_put_s32(msg, TENGUARD_A_PORT_NETNSID, netnsid))
		return -EMSGSIZE;
	return 0;
}

/* an address nest (TENGUARD_A_ADDR_*) of attribute type */
static int genl_put_prefix(struct nl_msg *msg, int type,
			   const struct tg_prefix *p)
{
	struct nlattr *nest = nla_nest_start(msg, type | NLA_F_NESTED);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(msg, TENGUARD_A_ADDR_FAMILY, p->family) ||
	    nla_put(msg, TENGUARD_A_ADDR_ADDR, p->family == AF_INET ? 4 : 16,
		    p->addr) ||
	    nla_put_u8(msg, TENGUARD_A_ADDR_PREFIXLEN, p->prefixlen)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int genl_put_addr(struct nl_msg *msg, const struct tg_prefix *p)
{
	return genl_put_prefix(msg, TENGUARD_A_PORT_ADDR, p);
}

/*
 * One direction's limits as a request names them: each rate whose flag
 * is set, each burst that is not 0 (0: the module's default), shape; none
 * of them lifts the direction's limits. Whether they make sense (a burst
 * without a rate, shaping from the VM) is the module's to say.
 */
static int genl_put_rate(struct nl_msg *msg, uint32_t dir,
			 const struct tenguard_rate *r)
{
	struct nlattr *nest = nla_nest_start(msg, TENGUARD_A_PORT_RATE |
					     NLA_F_NESTED);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, TENGUARD_A_RATE_DIR, dir) ||
	    ((r->flags & TENGUARD_RATE_F_BPS) &&
	     nla_put_u64(msg, TENGUARD_A_RATE_BPS, r->bps)) ||
	    (r->burst && nla_put_u32(msg, TENGUARD_A_RATE_BURST, r->burst)) ||
	    ((r->flags & TENGUARD_RATE_F_PPS) &&
	     nla_put_u32(msg, TENGUARD_A_RATE_PPS, r->pps)) ||
	    (r->pkt_burst &&
	     nla_put_u32(msg, TENGUARD_A_RATE_PKT_BURST, r->pkt_burst)) ||
	    ((r->flags & __TENGUARD_RATE_F_ALL) &&
	     nla_put_u32(msg, TENGUARD_A_RATE_FLAGS,
			 r->flags & __TENGUARD_RATE_F_ALL))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* where a push through the lists of a port has come */
struct genl_cursor {
	size_t mac, addr, ethertype;
};

enum genl_list_kind { GL_MAC, GL_ADDR, GL_ETHERTYPE, GL_N };

static size_t genl_list_len(const struct genl_port *p, enum genl_list_kind k)
{
	switch (k) {
	case GL_MAC:
		return p->has & GENL_P_MACS ? p->cfg.n_macs : 0;
	case GL_ADDR:
		return p->has & GENL_P_ADDRS ? p->cfg.n_addrs : 0;
	default:
		return p->has & GENL_P_ETHERTYPES ? p->cfg.n_ethertypes : 0;
	}
}

static size_t *genl_cursor_of(struct genl_cursor *c, enum genl_list_kind k)
{
	return k == GL_MAC ? &c->mac : k == GL_ADDR ? &c->addr : &c->ethertype;
}

static int genl_put_item(struct nl_msg *msg, const struct genl_port *p,
			 enum genl_list_kind k, size_t i)
{
	switch (k) {
	case GL_MAC:
		return nla_put(msg, TENGUARD_A_PORT_MAC, 6, p->cfg.macs[i]) ?
		       -EMSGSIZE : 0;
	case GL_ADDR:
		return genl_put_addr(msg, &p->cfg.addrs[i]);
	default:
		return nla_put_u16(msg, TENGUARD_A_PORT_ETHERTYPE,
				   p->cfg.ethertypes[i]) ? -EMSGSIZE : 0;
	}
}

/*
 * Fill one message with the port: the first with everything but the
 * lists, then one entry of each list (a PORT_SET must replace each list
 * it was given, so each must be in the first message), then each list in
 * turn until the message is full. A continuation names the port and
 * carries TENGUARD_PORT_F_APPEND. Returns 0 with the cursor moved on,
 * -EMSGSIZE if not even one more entry fitted.
 */
static int genl_port_fill(struct nl_msg *msg, const struct genl_port *p,
			  bool first, uint32_t cont_flags,
			  struct genl_cursor *cur)
{
	const struct tg_port_cfg *c = &p->cfg;
	struct genl_cursor start = *cur;
	enum genl_list_kind k;
	struct nlattr *nest;
	size_t *i, gi;

	nest = nla_nest_start(msg, TENGUARD_A_PORT | NLA_F_NESTED);
	if (!nest || genl_put_port_id(msg, p->ifindex, p->netnsid))
		return -EMSGSIZE;
	if (first) {
		if (((p->has & GENL_P_KIND) &&
		     nla_put_u32(msg, TENGUARD_A_PORT_KIND, c->kind)) ||
		    ((p->has & GENL_P_TENANT) &&
		     nla_put_u32(msg, TENGUARD_A_PORT_TENANT, c->tenant)) ||
		    ((p->has & GENL_P_FLAGS) &&
		     nla_put_u32(msg, TENGUARD_A_PORT_FLAGS, c->flags)) ||
		    ((p->has & GENL_P_MASTER) &&
		     nla_put_u32(msg, TENGUARD_A_PORT_MASTER, p->master)))
			return -EMSGSIZE;
		if ((p->has & GENL_P_SEGMENT) &&
		    genl_put_segment(msg, TENGUARD_A_PORT_SEGMENT, c->segment))
			return -EMSGSIZE;
		/*
		 * Groups are few (TENGUARD_PORT_GROUPS_MAX) and a PORT_SET
		 * replaces them: all of them go in the first message.
		 */
		for (gi = 0; (p->has & GENL_P_GROUPS) &&
		     gi < c->n_groups; gi++)
			if (nla_put_u32(msg, TENGUARD_A_PORT_GROUP,
					c->groups[gi]))
				return -EMSGSIZE;
		/* limits are no list: a continuation leaves them alone */
		for (gi = 0; (p->has & GENL_P_RATE) &&
		     gi < __TENGUARD_ACL_DIR_MAX; gi++)
			if ((p->rate_dirs & 1U << gi) &&
			    genl_put_rate(msg, gi, &c->rate[gi]))
				return -EMSGSIZE;
		for (k = 0; k < GL_N; k++) {
			i = genl_cursor_of(cur, k);
			if (*i < genl_list_len(p, k)) {
				if (genl_put_item(msg, p, k, *i))
					return -EMSGSIZE;
				(*i)++;
			}
		}
	} else if (nla_put_u32(msg, TENGUARD_A_PORT_FLAGS,
			       cont_flags | TENGUARD_PORT_F_APPEND)) {
		return -EMSGSIZE;
	}
	for (k = 0; k < GL_N; k++) {
		i = genl_cursor_of(cur, k);
		while (*i < genl_list_len(p, k) && !genl_put_item(msg, p, k, *i))
			(*i)++;
		if (*i < genl_list_len(p, k))
			break;	/* full */
	}
	nla_nest_end(msg, nest);
	if (!first && !memcmp(&start, cur, sizeof(start)))
		return -EMSGSIZE;
	return 0;
}

static bool genl_port_pushed(const struct genl_port *p,
			     const struct genl_cursor *c)
{
	return c->mac >= genl_list_len(p, GL_MAC) &&
	       c->addr >= genl_list_len(p, GL_ADDR) &&
	       c->ethertype >= genl_list_len(p, GL_ETHERTYPE);
}

/*
 * PORT_NEW or PORT_SET, then PORT_SETs with APPEND until the lists are
 * all sent; *sent counts the messages the module accepted.
 */
static int genl_port_push(struct genl *g, uint8_t cmd,
			  const struct genl_port *p, unsigned int *sent)
{
	struct genl_cursor cur = {};
	uint32_t cont_flags = 0;
	struct nl_msg *msg;
	bool first = true;
	int err = 0;

	*sent = 0;
	while (first || !genl_port_pushed(p, &cur)) {
		if (!first && *sent == 1) {
			/*
			 * A continuation must not change the port's flags:
			 * it carries them, with APPEND. A SET that left them
			 * alone learns them from the module first.
			 */
			if (p->has & GENL_P_FLAGS) {
				cont_flags = p->cfg.flags;
			} else if (cmd == TENGUARD_CMD_PORT_SET && !g->dry) {
				struct genl_port now;

				err = genl_port_get(g, p->ifindex, p->netnsid,
						    &now);
				if (err)
					return err;
				cont_flags = now.cfg.flags &
					     __TENGUARD_PORT_F_ALL;
				genl_port_free(&now);
			}
		}
		msg = genl_msg(g, first ? cmd : TENGUARD_CMD_PORT_SET, 0,
			       genl_msg_size());
		if (!msg)
			return -ENOMEM;
		err = genl_port_fill(msg, p, first, cont_flags, &cur);
		if (err) {
			nlmsg_free(msg);
			/* a message that fits nothing: no split helps */
			g->why.err = err;
			snprintf(g->why.local, sizeof(g->why.local),
				 "the port does not fit one message");
			return err;
		}
		err = genl_xfer(g, g->sk, msg, &genl_top_nla, NULL, NULL,
				NULL);
		nlmsg_free(msg);
		if (err)
			return err;
		(*sent)++;
		first = false;
	}
	return 0;
}

int genl_port_new(struct genl *g, const struct genl_port *p)
{
	unsigned int sent;
	typeof(g->why) why;
	int err;

	err = genl_port_push(g, TENGUARD_CMD_PORT_NEW, p, &sent);
	if (!err || !sent)
		return err;
	/* created, but not whole: take it away again, keep the reason */
	why = g->why;
	genl_port_del(g, p->ifindex, p->netnsid);
	g->why = why;
	return err;
}

int genl_port_set(struct genl *g, const struct genl_port *p, bool *partial)
{
	unsigned int sent;
	int err;

	err = genl_port_push(g, TENGUARD_CMD_PORT_SET, p, &sent);
	*partial = err && sent;
	return err;
}

int genl_port_del(struct genl *g, uint32_t ifindex, int32_t netnsid)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	int err = -EMSGSIZE;

	msg = genl_msg(g, TENGUARD_CMD_PORT_DEL, 0, 256);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, TENGUARD_A_PORT | NLA_F_NESTED);
	if (nest && !genl_put_port_id(msg, ifindex, netnsid)) {
		nla_nest_end(msg, nest);
		err = genl_xfer(g, g->sk, msg, &genl_top_nla, NULL, NULL,
				NULL);
	}
	nlmsg_free(msg);
	return err;
}

/* a command naming one port and carrying one attribute of it */
static int genl_port_attr(struct genl *g, uint8_t cmd, uint32_t ifindex,
			  int32_t netnsid, int attr, const void *val,
			  size_t len)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	int err = -EMSGSIZE;

	msg = genl_msg(g, cmd, 0, 256);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, TENGUARD_A_PORT | NLA_F_NESTED);
	if (nest && !genl_put_port_id(msg, ifindex, netnsid) &&
	    !nla_put(msg, attr, len, val)) {
		nla_nest_end(msg, nest);
		err = genl_xfer(g, g->sk, msg, &genl_top_nla, NULL, NULL,
				NULL);
	}
	nlmsg_free(msg);
	return err;
}

int genl_port_ack(struct genl *g, uint32_t ifindex, int32_t netnsid,
		  uint64_t generation)
{
	return genl_port_attr(g, TENGUARD_CMD_PORT_ACK, ifindex, netnsid,
			      TENGUARD_A_PORT_GENERATION, &generation,
			      sizeof(generation));
}

int genl_port_get(struct genl *g, uint32_t ifindex, int32_t netnsid,
		  struct genl_port *p)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	int err = -EMSGSIZE;

	msg = genl_msg(g, TENGUARD_CMD_PORT_GET, 0, 256);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, TENGUARD_A_PORT | NLA_F_NESTED);
	if (nest && !genl_put_port_id(msg, ifindex, netnsid)) {
		nla_nest_end(msg, nest);
		err = genl_get_one(g, msg, TENGUARD_A_PORT, p, sizeof(*p));
	}
	nlmsg_free(msg);
	return err;
}

int genl_port_dump(struct genl *g, int32_t netnsid, struct genl_port **ports,
		   size_t *n)
{
	struct genl_list l = { .size = sizeof(**ports),
			       .top = TENGUARD_A_PORT };
	struct nlattr *nest;
	struct nl_msg *msg;
	int err = -EMSGSIZE;

	msg = genl_msg(g, TENGUARD_CMD_PORT_GET, NLM_F_DUMP, 256);
	if (!msg)
		return -ENOMEM;
	if (netnsid != GENL_NETNSID_NONE) {
		nest = nla_nest_start(msg, TENGUARD_A_PORT | NLA_F_NESTED);
		if (!nest || nla_put_s32(msg, TENGUARD_A_PORT_NETNSID, netnsid))
			goto out;
		nla_nest_end(msg, nest);
	}
	err = genl_collect(g, msg, true, &l);
	if (!err) {
		*ports = l.v;
		*n = l.n;
	}
out:
	nlmsg_free(msg);
	return err;
}

int genl_port_quarantine(struct genl *g, uint32_t ifindex, int32_t netnsid,
			 bool on)
{
	uint8_t v = on;

	return genl_port_attr(g, TENGUARD_CMD_PORT_QUARANTINE, ifindex,
			      netnsid, TENGUARD_A_PORT_QUARANTINE, &v,
			      sizeof(v));
}

/* ---- rules ---- */

static int genl_put_rule(struct nl_msg *msg, int type,
			 const struct tenguard_acl_rule *r)
{
	struct nlattr *nest = nla_nest_start(msg, type | NLA_F_NESTED);
	struct tg_prefix remote = {
		.family = r->family == 4 ? AF_INET : AF_INET6,
		.prefixlen = r->prefixlen,
	};

	if (!nest)
		return -EMSGSIZE;
	memcpy(remote.addr, r->addr, sizeof(remote.addr));
	/* absent is "any": only what the rule matches on is sent */
	if (nla_put_u32(msg, TENGUARD_A_RULE_ACTION, r->action) ||
	    (r->flags && nla_put_u32(msg, TENGUARD_A_RULE_FLAGS, r->flags)) ||
	    (r->family &&
	     genl_put_prefix(msg, TENGUARD_A_RULE_REMOTE, &remote)) ||
	    (r->group && nla_put_u32(msg, TENGUARD_A_RULE_GROUP, r->group)) ||
	    (r->proto && nla_put_u8(msg, TENGUARD_A_RULE_PROTO, r->proto)))
		goto full;
	if ((r->match & TENGUARD_RULE_M_PORTS) &&
	    (nla_put_u16(msg, TENGUARD_A_RULE_PORT_MIN, r->port_min) ||
	     (r->port_max != r->port_min &&
	      nla_put_u16(msg, TENGUARD_A_RULE_PORT_MAX, r->port_max))))
		goto full;
	if (((r->match & TENGUARD_RULE_M_ICMP_TYPE) &&
	     nla_put_u8(msg, TENGUARD_A_RULE_ICMP_TYPE, r->icmp_type)) ||
	    ((r->match & TENGUARD_RULE_M_ICMP_CODE) &&
	     nla_put_u8(msg, TENGUARD_A_RULE_ICMP_CODE, r->icmp_code)))
		goto full;
	nla_nest_end(msg, nest);
	return 0;
full:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static int genl_parse_rule(struct genl *g, const struct nlattr *nest,
			   struct tenguard_acl_rule *r)
{
	const struct genl_attr *d;
	bool has_action = false, has_max = false;
	struct tg_prefix pfx;
	struct nlattr *a;
	int rem, err;

	memset(r, 0, sizeof(*r));
	nla_for_each_nested(a, nest, rem) {
		d = genl_reply_attr(g, &genl_rule_nla, a, &err);
		if (err)
			return err;
		if (!d)
			continue;
		switch (nla_type(a)) {
		case TENGUARD_A_RULE_ACTION:
			r->action = nla_get_u32(a);
			has_action = true;
			break;
		case TENGUARD_A_RULE_FLAGS:
			r->flags = nla_get_u32(a);
			break;
		case TENGUARD_A_RULE_REMOTE:
			err = genl_parse_addr(g, a, &pfx);
			if (err)
				return err;
			r->family = pfx.family == AF_INET ? 4 : 6;
			r->prefixlen = pfx.prefixlen;
			memcpy(r->addr, pfx.addr, sizeof(r->addr));
			break;
		case TENGUARD_A_RULE_GROUP:
			r->group = nla_get_u32(a);
			break;
		case TENGUARD_A_RULE_PROTO:
			r->proto = nla_get_u8(a);
			break;
		case TENGUARD_A_RULE_PORT_MIN:
			r->port_min = nla_get_u16(a);
			r->match |= TENGUARD_RULE_M_PORTS;
			break;
		case TENGUARD_A_RULE_PORT_MAX:
			r->port_max = nla_get_u16(a);
			has_max = true;
			break;
		case TENGUARD_A_RULE_ICMP_TYPE:
			r->icmp_type = nla_get_u8(a);
			r->match |= TENGUARD_RULE_M_ICMP_TYPE;
			break;
		case TENGUARD_A_RULE_ICMP_CODE:
			r->icmp_code = nla_get_u8(a);
			r->match |= TENGUARD_RULE_M_ICMP_CODE;
			break;
		}
	}
	if (!has_action || r->action > TENGUARD_ACL_ACTION_MAX)
		return genl_bad_reply(g, "the module sent a rule without a "
				      "valid TENGUARD_A_RULE_ACTION");
	if (!(r->match & TENGUARD_RULE_M_PORTS) && has_max)
		return genl_bad_reply(g, "the module sent a rule with "
				      "TENGUARD_A_RULE_PORT_MAX alone");
	if (!has_max)
		r->port_max = r->port_min;
	return 0;
}

/* the port, then the rule set's nest with its direction */
static struct nlattr *genl_acl_head(struct nl_msg *msg, uint32_t ifindex,
				    int32_t netnsid, uint32_t dir)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, TENGUARD_A_PORT | NLA_F_NESTED);
	if (!nest || genl_put_port_id(msg, ifindex, netnsid))
		return NULL;
	nla_nest_end(msg, nest);
	nest = nla_nest_start(msg, TENGUARD_A_ACL | NLA_F_NESTED);
	if (!nest || nla_put_u32(msg, TENGUARD_A_ACL_DIR, dir))
		return NULL;
	return nest;
}

/*
 * WireGuard's way: fill a message with rules until it is full, send it
 * with TENGUARD_ACL_F_MORE if rules remain, go on. Only the first part
 * carries the default; the module publishes the set with the last.
 */
int genl_acl_set(struct genl *g, uint32_t ifindex, int32_t netnsid,
		 uint32_t dir, const struct tg_acl_cfg *acl,
		 unsigned int *parts)
{
	struct nlattr *nest, *flags;
	unsigned int sent = 0;
	struct nl_msg *msg;
	size_t next = 0, first;
	int err = 0;

	do {
		msg = genl_msg(g, TENGUARD_CMD_ACL_SET, 0, genl_msg_size());
		if (!msg) {
			err = -ENOMEM;
			break;
		}
		err = -EMSGSIZE;
		nest = genl_acl_head(msg, ifindex, netnsid, dir);
		if (!nest || (!sent && nla_put_u32(msg, TENGUARD_A_ACL_DEFAULT,
						   acl->dflt)))
			goto out_msg;
		/* whether more follows is known once the message is full */
		flags = nla_reserve(msg, TENGUARD_A_ACL_FLAGS, sizeof(uint32_t));
		if (!flags)
			goto out_msg;
		first = next;
		while (next < acl->n_rules &&
		       !genl_put_rule(msg, TENGUARD_A_ACL_RULE,
				      &acl->rules[next]))
			next++;
		if (next == first && next < acl->n_rules) {
			/* not even one rule fits: no split helps */
			snprintf(g->why.local, sizeof(g->why.local),
				 "rule %zu does not fit one message", next);
			g->why.err = err;
			goto out_msg;
		}
		*(uint32_t *)nla_data(flags) = next < acl->n_rules ?
					       TENGUARD_ACL_F_MORE : 0;
		nla_nest_end(msg, nest);
		g->rule_base = first;
		err = genl_xfer(g, g->sk, msg, &genl_top_nla, NULL, NULL,
				NULL);
		g->rule_base = 0;
out_msg:
		nlmsg_free(msg);
		if (err)
			break;
		sent++;
	} while (next < acl->n_rules);
	if (parts)
		*parts = sent;
	return err;
}

int genl_acl_del(struct genl *g, uint32_t ifindex, int32_t netnsid,
		 uint32_t dir)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	int err = -EMSGSIZE;

	msg = genl_msg(g, TENGUARD_CMD_ACL_DEL, 0, 256);
	if (!msg)
		return -ENOMEM;
	nest = genl_acl_head(msg, ifindex, netnsid, dir);
	if (nest) {
		nla_nest_end(msg, nest);
		err = genl_xfer(g, g->sk, msg, &genl_top_nla, NULL, NULL,
				NULL);
	}
	nlmsg_free(msg);
	return err;
}

/* a rule set coming in parts: where each direction's has come */
struct genl_acl_read {
	uint32_t ifindex;
	struct tg_acl_cfg *acl;		/* [__TENGUARD_ACL_DIR_MAX] */
	uint32_t count[__TENGUARD_ACL_DIR_MAX];
};

/* the port a reply names must be the one asked for */
static int genl_check_port(struct genl *g, struct nl_msg *msg,
			   uint32_t ifindex)
{
	struct nlattr *nest, *a;
	int err;

	nest = genl_top(g, msg, TENGUARD_A_PORT, NULL, &err);
	if (err || !nest)
		return err;
	a = nla_find(nla_data(nest), nla_len(nest), TENGUARD_A_PORT_IFINDEX);
	if (a && nla_len(a) == 4 && nla_get_u32(a) != ifindex)
		return genl_bad_reply(g, "the module answered for ifindex %u, "
				      "not %u", nla_get_u32(a), ifindex);
	return 0;
}

static int genl_on_acl(struct genl *g, struct nl_msg *msg, void *arg)
{
	struct genl_acl_read *r = arg;
	const struct genl_attr *d;
	uint32_t dir = 0, offset = 0, count = 0, dflt = 0;
	bool has_dir = false, has_count = false, has_dflt = false;
	struct tg_acl_cfg *acl;
	struct nlattr *nest, *a;
	int rem, err;

	err = genl_check_port(g, msg, r->ifindex);
	if (err)
		return err;
	nest = genl_top(g, msg, TENGUARD_A_ACL, NULL, &err);
	if (err)
		return err;
	if (!nest)
		return genl_bad_reply(g, "the module sent a message without "
				      "TENGUARD_A_ACL");
	/* the scalars first: they say where the rules go */
	nla_for_each_nested(a, nest, rem) {
		d = genl_reply_attr(g, &genl_acl_nla, a, &err);
		if (err)
			return err;
		if (!d)
			continue;
		switch (nla_type(a)) {
		case TENGUARD_A_ACL_DIR:
			dir = nla_get_u32(a);
			has_dir = true;
			break;
		case TENGUARD_A_ACL_DEFAULT:
			dflt = nla_get_u32(a);
			has_dflt = true;
			break;
		case TENGUARD_A_ACL_OFFSET:
			offset = nla_get_u32(a);
			break;
		case TENGUARD_A_ACL_COUNT:
			count = nla_get_u32(a);
			has_count = true;
			break;
		}
	}
	if (!has_dir)
		return genl_bad_reply(g, "the module sent a rule set without "
				      "TENGUARD_A_ACL_DIR");
	/* a kind of rule set this build does not know: not a port's */
	if (dir > TENGUARD_ACL_DIR_MAX)
		return 0;
	acl = &r->acl[dir];
	if (!acl->present) {
		if (!has_count || !has_dflt || dflt > TENGUARD_ACL_ACTION_MAX ||
		    count > TENGUARD_ACL_RULES_MAX)
			return genl_bad_reply(g, "the module began the %s rule "
					      "set without a valid default and "
					      "count", tg_acl_set_names[dir]);
		acl->present = true;
		acl->dflt = dflt;
		r->count[dir] = count;
		acl->rules = calloc(count ?: 1, sizeof(*acl->rules));
		if (!acl->rules)
			return -ENOMEM;
	} else if ((has_count && count != r->count[dir]) ||
		   (has_dflt && dflt != acl->dflt)) {
		return genl_bad_reply(g, "the %s rule set changed between the "
				      "parts of a dump", tg_acl_set_names[dir]);
	}
	if (offset != acl->n_rules)
		return genl_bad_reply(g, "the module sent rules of the %s rule "
				      "set from %u, expected %zu",
				      tg_acl_set_names[dir], offset,
				      acl->n_rules);
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != TENGUARD_A_ACL_RULE)
			continue;
		if (acl->n_rules == r->count[dir])
			return genl_bad_reply(g, "the module sent more than the "
					      "%u rules of the %s rule set",
					      r->count[dir],
					      tg_acl_set_names[dir]);
		err = genl_parse_rule(g, a, &acl->rules[acl->n_rules]);
		if (err)
			return err;
		acl->n_rules++;
	}
	return 0;
}

int genl_acl_get(struct genl *g, uint32_t ifindex, int32_t netnsid,
		 struct tg_acl_cfg acl[__TENGUARD_ACL_DIR_MAX])
{
	struct genl_acl_read r = { .ifindex = ifindex, .acl = acl };
	struct nlattr *nest;
	struct nl_msg *msg;
	int tries, dir, err = -EMSGSIZE;
	bool intr = false;

	memset(acl, 0, sizeof(*acl) * __TENGUARD_ACL_DIR_MAX);
	msg = genl_msg(g, TENGUARD_CMD_ACL_GET, NLM_F_DUMP, 256);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, TENGUARD_A_PORT | NLA_F_NESTED);
	if (!nest || genl_put_port_id(msg, ifindex, netnsid))
		goto out;
	nla_nest_end(msg, nest);
	/* a dump that met a change (NLM_F_DUMP_INTR) is read again */
	for (tries = 0; tries < GENL_DUMP_TRIES; tries++) {
		for (dir = 0; dir < __TENGUARD_ACL_DIR_MAX; dir++)
			tg_acl_cfg_free(&acl[dir]);
		memset(r.count, 0, sizeof(r.count));
		err = genl_xfer(g, g->sk, msg, &genl_top_nla, genl_on_acl, &r,
				&intr);
		if (err || !intr)
			break;
	}
	if (!err && intr)
		err = genl_bad_reply(g, "the module's state kept changing "
				     "during %d dumps", GENL_DUMP_TRIES);
	for (dir = 0; !err && dir < __TENGUARD_ACL_DIR_MAX; dir++)
		if (acl[dir].n_rules != r.count[dir])
			err = genl_bad_reply(g, "the module sent %zu of the %u "
					     "rules of the %s rule set",
					     acl[dir].n_rules, r.count[dir],
					     tg_acl_set_names[dir]);
out:
	nlmsg_free(msg);
	if (err)
		for (dir = 0; dir < __TENGUARD_ACL_DIR_MAX; dir++)
			tg_acl_cfg_free(&acl[dir]);
	return err;
}

/* ---- the node ---- */

/*
 * A NODE_SET replaces each list it carries, so a list cannot be split
 * across messages: the node goes in parts that each fit one nest (64 KiB),
 * packed into as few messages as they fit, in order. In practice all of
 * it fits one.
 */
enum genl_node_part {
	GN_SCALARS,	/* flags and timeouts */
	GN_PROTECT,
	GN_SERVICES,
	GN_REMEDIATION,
	GN_N
};

static const char *const genl_node_part_names[GN_N] = {
	[GN_SCALARS] = "flags and timeouts",
	[GN_PROTECT] = "protected prefixes",
	[GN_SERVICES] = "services",
	[GN_REMEDIATION] = "remediation rules",
};

#define GENL_NEST_MAX	0xffff	/* nla_len is 16 bits */

/*
 * An empty nest says a list is empty. nla_nest_end() would trim it away
 * (for kernels of old that refused empty nests), so it is put whole.
 */
static int genl_put_empty(struct nl_msg *msg, int type)
{
	return nla_put(msg, type | NLA_F_NESTED, 0, NULL) ? -EMSGSIZE : 0;
}

/* a list of rules, or an empty nest */
static int genl_put_rules(struct nl_msg *msg, int type,
			  const struct tg_acl_cfg *rules)
{
	size_t i;

	if (!rules->n_rules)
		return genl_put_empty(msg, type);
	for (i = 0; i < rules->n_rules; i++)
		if (genl_put_rule(msg, type, &rules->rules[i]))
			return -EMSGSIZE;
	return 0;
}

static int genl_put_node_part(struct nl_msg *msg, const struct tg_node_cfg *n,
			      enum genl_node_part part)
{
	struct nlattr *nest;
	size_t i;

	switch (part) {
	case GN_SCALARS:
		if (nla_put_u32(msg, TENGUARD_A_NODE_FLAGS, n->flags))
			return -EMSGSIZE;
		nest = nla_nest_start(msg, TENGUARD_A_NODE_TIMEOUT |
				      NLA_F_NESTED);
		if (!nest)
			return -EMSGSIZE;
		/* attribute type = enum tenguard_ct_timeout + 1 */
		for (i = 0; i < __TENGUARD_CT_TIMEOUT_MAX; i++)
			if (nla_put_u32(msg, i + 1, n->timeout[i]))
				return -EMSGSIZE;
		nla_nest_end(msg, nest);
		return 0;
	case GN_PROTECT:
		if (!n->n_protect)
			return genl_put_empty(msg, TENGUARD_A_NODE_PROTECT);
		for (i = 0; i < n->n_protect; i++)
			if (genl_put_prefix(msg, TENGUARD_A_NODE_PROTECT,
					    &n->protect[i]))
				return -EMSGSIZE;
		return 0;
	case GN_SERVICES:
		return genl_put_rules(msg, TENGUARD_A_NODE_SERVICE,
				      &n->services);
	default:
		return genl_put_rules(msg, TENGUARD_A_NODE_REMEDIATION,
				      &n->remediation);
	}
}

/*
 * Every message is built before the first is sent: a part too large for
 * one fails the command with nothing changed.
 */
int genl_node_set(struct genl *g, const struct tg_node_cfg *n)
{
	enum genl_node_part part = GN_SCALARS, first;
	struct nl_msg *msgs[GN_N] = {};
	struct nlattr *nest, *mark;
	int i, nmsgs = 0, err = 0;

	while (part < GN_N) {
		/* room for a whole nest, and the headers around it */
		msgs[nmsgs] = genl_msg(g, TENGUARD_CMD_NODE_SET, 0,
				       GENL_NEST_MAX + 1024);
		if (!msgs[nmsgs]) {
			err = -ENOMEM;
			goto out;
		}
		err = -EMSGSIZE;
		nest = nla_nest_start(msgs[nmsgs], TENGUARD_A_NODE |
				      NLA_F_NESTED);
		if (!nest)
			goto out;
		for (first = part; part < GN_N; part++) {
			struct nlmsghdr *nlh = nlmsg_hdr(msgs[nmsgs]);

			mark = (struct nlattr *)nlmsg_tail(nlh);
			if (genl_put_node_part(msgs[nmsgs], n, part) ||
			    (char *)nlmsg_tail(nlh) - (char *)nest >
			    GENL_NEST_MAX) {
				/* this part goes in the next message */
				nla_nest_cancel(msgs[nmsgs], mark);
				break;
			}
		}
		if (part == first) {
			genl_why_clear(g);
			snprintf(g->why.local, sizeof(g->why.local),
				 "the node's %s do not fit one message "
				 "(%d bytes)", genl_node_part_names[part],
				 GENL_NEST_MAX);
			g->why.err = err;
			goto out;
		}
		nla_nest_end(msgs[nmsgs++], nest);
	}
	for (i = 0; i < nmsgs; i++) {
		err = genl_xfer(g, g->sk, msgs[i], &genl_top_nla, NULL, NULL,
				NULL);
		if (err)
			break;
	}
out:
	for (i = 0; i < GN_N; i++)
		if (msgs[i])
			nlmsg_free(msgs[i]);
	return err;
}

static int genl_push_rule(struct genl *g, const struct nlattr *a,
			  struct tg_acl_cfg *rules)
{
	int err;

	/* an empty nest: the list is empty */
	if (!nla_len(a))
		return 0;
	if (rules->n_rules >= TENGUARD_NODE_RULES_MAX)
		return genl_bad_reply(g, "the module sent more than %d node "
				      "rules of a kind", TENGUARD_NODE_RULES_MAX);
	err = genl_grow(&rules->rules, rules->n_rules, sizeof(*rules->rules));
	if (!err)
		err = genl_parse_rule(g, a, &rules->rules[rules->n_rules]);
	if (!err)
		rules->n_rules++;
	return err;
}

/* one message of the node: its lists add to what came before */
static int genl_on_node(struct genl *g, struct nl_msg *msg, void *arg)
{
	struct tg_node_cfg *n = arg;
	const struct genl_attr *d;
	struct nlattr *nest, *a, *t;
	struct tg_prefix pfx;
	int rem, trem, err;

	nest = genl_top(g, msg, TENGUARD_A_NODE, NULL, &err);
	if (err)
		return err;
	if (!nest)
		return genl_bad_reply(g, "the module sent a message without "
				      "TENGUARD_A_NODE");
	nla_for_each_nested(a, nest, rem) {
		d = genl_reply_attr(g, &genl_node_nla, a, &err);
		if (err)
			return err;
		if (!d)
			continue;
		switch (nla_type(a)) {
		case TENGUARD_A_NODE_FLAGS:
			n->flags = nla_get_u32(a);
			break;
		case TENGUARD_A_NODE_PROTECT:
			if (!nla_len(a))
				break;
			err = genl_parse_addr(g, a, &pfx);
			if (!err)
				err = genl_grow(&n->protect, n->n_protect,
						sizeof(*n->protect));
			if (err)
				return err;
			n->protect[n->n_protect++] = pfx;
			break;
		case TENGUARD_A_NODE_SERVICE:
			err = genl_push_rule(g, a, &n->services);
			break;
		case TENGUARD_A_NODE_REMEDIATION:
			err = genl_push_rule(g, a, &n->remediation);
			break;
		case TENGUARD_A_NODE_TIMEOUT:
			nla_for_each_nested(t, a, trem) {
				d = genl_reply_attr(g, &genl_timeout_nla, t,
						    &err);
				if (err)
					return err;
				if (d)
					n->timeout[nla_type(t) - 1] =
						nla_get_u32(t);
			}
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

int genl_node_get(struct genl *g, struct tg_node_cfg *n)
{
	struct nl_msg *msg;
	bool intr = false;
	int tries, err = 0;

	tg_node_cfg_init(n);
	/* a dump: its lists may take several messages, each adds to them */
	msg = genl_msg(g, TENGUARD_CMD_NODE_GET, NLM_F_DUMP, 256);
	if (!msg)
		return -ENOMEM;
	for (tries = 0; tries < GENL_DUMP_TRIES; tries++) {
		/* what the module leaves out is as a node without any */
		tg_node_cfg_free(n);
		tg_node_cfg_init(n);
		err = genl_xfer(g, g->sk, msg, &genl_top_nla, genl_on_node, n,
				&intr);
		if (err || !intr)
			break;
	}
	if (!err && intr)
		err = genl_bad_reply(g, "the module's state kept changing "
				     "during %d dumps", GENL_DUMP_TRIES);
	nlmsg_free(msg);
	if (err)
		tg_node_cfg_free(n);
	return err;
}

/* ---- devices ---- */

struct genl_link {
	uint32_t ifindex;
	char name[IFNAMSIZ];
	bool found;
};

static int genl_on_link(struct genl *g, struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[IFLA_MAX + 1];
	struct genl_link *l = arg;
	struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL))
		return genl_bad_reply(g, "malformed RTM_NEWLINK");
	ifi = nlmsg_data(nlh);
	l->ifindex = ifi->ifi_index;
	if (tb[IFLA_IFNAME])
		snprintf(l->name, sizeof(l->name), "%.*s",
			 (int)strnlen(nla_data(tb[IFLA_IFNAME]),
				      nla_len(tb[IFLA_IFNAME])),
			 (char *)nla_data(tb[IFLA_IFNAME]));
	l->found = true;
	return 0;
}

static int genl_link(struct genl *g, uint32_t ifindex, const char *name,
		     int32_t netnsid, struct genl_link *l)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_index = ifindex };
	struct nl_msg *msg;
	int err;

	if (!g->rtnl) {
		err = genl_socket(&g->rtnl, NETLINK_ROUTE);
		if (err)
			return err;
	}
	msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	if (!msg)
		return -ENOMEM;
	err = -EMSGSIZE;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) ||
	    (name && nla_put_string(msg, IFLA_IFNAME, name)) ||
	    (netnsid != GENL_NETNSID_NONE &&
	     nla_put_s32(msg, IFLA_TARGET_NETNSID, netnsid)) ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS))
		goto out;
	memset(l, 0, sizeof(*l));
	err = genl_xfer(g, g->rtnl, msg, NULL, genl_on_link, l, NULL);
	if (!err && !l->found)
		err = -ENODEV;
out:
	nlmsg_free(msg);
	return err;
}

int genl_link_index(struct genl *g, const char *name, int32_t netnsid,
		    uint32_t *ifindex)
{
	struct genl_link l;
	int err;

	err = genl_link(g, 0, name, netnsid, &l);
	if (!err)
		*ifindex = l.ifindex;
	return err;
}

int genl_link_name(struct genl *g, uint32_t ifindex, int32_t netnsid,
		   char name[IFNAMSIZ])
{
	struct genl_link l;
	int err;

	err = genl_link(g, ifindex, NULL, netnsid, &l);
	if (!err)
		memcpy(name, l.name, IFNAMSIZ);
	return err;
}

/* ---- multicast ---- */

struct genl_watch {
	genl_notif_fn fn;
	void *arg;
	int ret;	/* what fn returned, to end the watch */
};

/* nlctrl announces that our family went away: the module unloaded */
static bool genl_family_gone(struct genl *g, struct nl_msg *msg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genlmsghdr *gh;

	if (!genlmsg_valid_hdr(nlmsg_hdr(msg), 0))
		return false;
	gh = nlmsg_data(nlmsg_hdr(msg));
	if (gh->cmd != CTRL_CMD_DELFAMILY ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) ||
	    !tb[CTRL_ATTR_FAMILY_ID] || nla_len(tb[CTRL_ATTR_FAMILY_ID]) != 2)
		return false;
	return nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]) == g->family;
}

/* which rule set of which port an ACL_SET or ACL_DEL changed */
static int genl_parse_acl_notif(struct genl *g, struct nl_msg *msg,
				struct genl_acl_notif *an)
{
	struct nlattr *nest, *a;
	int err;

	nest = genl_top(g, msg, TENGUARD_A_PORT, NULL, &err);
	if (err)
		return err;
	a = nest ? nla_find(nla_data(nest), nla_len(nest),
			    TENGUARD_A_PORT_IFINDEX) : NULL;
	if (!a || nla_len(a) != 4)
		return genl_bad_reply(g, "the module sent a rule set change "
				      "without TENGUARD_A_PORT_IFINDEX");
	an->ifindex = nla_get_u32(a);
	nest = genl_top(g, msg, TENGUARD_A_ACL, NULL, &err);
	if (err)
		return err;
	a = nest ? nla_find(nla_data(nest), nla_len(nest),
			    TENGUARD_A_ACL_DIR) : NULL;
	if (a && nla_len(a) == 4) {
		an->dir = nla_get_u32(a);
		an->has_dir = true;
	}
	return 0;
}

static int genl_on_notif(struct nl_msg *msg, void *arg)
{
	struct genl_watch *w = ((struct genl_xfer *)arg)->arg;
	struct genl *g = ((struct genl_xfer *)arg)->g;
	struct sockaddr_nl *src = nlmsg_get_src(msg);
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genl_notif n = {};
	struct nlattr *nest;
	int err = 0;

	/* only the kernel speaks on the family's groups */
	if (src->nl_pid)
		return NL_SKIP;
	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		if (genl_family_gone(g, msg)) {
			w->ret = -ESHUTDOWN;
			return NL_STOP;
		}
		return NL_SKIP;
	}
	if (nlh->nlmsg_type != g->family)
		return NL_SKIP;
	genl_top(g, msg, 0, &n.cmd, &err);
	/* nl_groups is a mask of the first 32 groups only: go by command */
	n.group = n.cmd == TENGUARD_CMD_EVENT ? GENL_GRP_EVENTS :
		  GENL_GRP_CONFIG;
	switch (n.cmd) {
	case TENGUARD_CMD_TENANT_NEW:
	case TENGUARD_CMD_TENANT_SET:
	case TENGUARD_CMD_TENANT_DEL:
		nest = genl_top(g, msg, TENGUARD_A_TENANT, NULL, &err);
		if (nest) {
			n.kind = GENL_N_TENANT;
			err = genl_parse_tenant(g, nest, &n.tenant);
		}
		break;
	case TENGUARD_CMD_PORT_NEW:
	case TENGUARD_CMD_PORT_SET:
	case TENGUARD_CMD_PORT_DEL:
	case TENGUARD_CMD_PORT_ACK:
	case TENGUARD_CMD_PORT_QUARANTINE:
		nest = genl_top(g, msg, TENGUARD_A_PORT, NULL, &err);
		if (nest) {
			n.kind = GENL_N_PORT;
			err = genl_parse_port(g, nest, &n.port);
		}
		break;
	case TENGUARD_CMD_EVENT:
		nest = genl_top(g, msg, TENGUARD_A_EVENT, NULL, &err);
		if (nest) {
			n.kind = GENL_N_EVENT;
			err = genl_parse_event(g, nest, &n.event);
		}
		break;
	case TENGUARD_CMD_ACL_SET:
	case TENGUARD_CMD_ACL_DEL:
		err = genl_parse_acl_notif(g, msg, &n.acl);
		if (!err)
			n.kind = GENL_N_ACL;
		break;
	case TENGUARD_CMD_NODE_SET:
		n.kind = GENL_N_NODE;
		break;
	}
	/* a message this build cannot read is shown as what it is */
	if (err)
		n.kind = GENL_N_OTHER;
	w->ret = w->fn(&n, w->arg);
	genl_tenant_free(&n.tenant);
	genl_port_free(&n.port);
	return w->ret ? NL_STOP : NL_OK;
}

static int genl_seq_any(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int genl_watch(struct genl *g, unsigned int groups)
{
	int err = 0;

	genl_why_clear(g);
	if (g->dry) {
		fprintf(stderr, "tenguardctl: would join the multicast groups "
			"%s%s%s of family \"%s\"\n",
			groups & GENL_GRP_CONFIG ? "\"" TENGUARD_MCGRP_CONFIG "\"" : "",
			groups == (GENL_GRP_CONFIG | GENL_GRP_EVENTS) ? " and " : "",
			groups & GENL_GRP_EVENTS ? "\"" TENGUARD_MCGRP_EVENTS "\"" : "",
			TENGUARD_GENL_NAME);
		return -EAGAIN;
	}
	if (((groups & GENL_GRP_CONFIG) && !g->grp_config) ||
	    ((groups & GENL_GRP_EVENTS) && !g->grp_events)) {
		snprintf(g->why.local, sizeof(g->why.local),
			 "the module has no multicast group \"%s\"",
			 (groups & GENL_GRP_CONFIG) && !g->grp_config ?
			 TENGUARD_MCGRP_CONFIG : TENGUARD_MCGRP_EVENTS);
		return g->why.err = -EOPNOTSUPP;
	}
	nl_socket_set_buffer_size(g->sk, GENL_MONITOR_RCVBUF, 0);
	errno = 0;
	if (groups & GENL_GRP_CONFIG)
		err = nl_socket_add_membership(g->sk, g->grp_config);
	if (!err && (groups & GENL_GRP_EVENTS))
		err = nl_socket_add_membership(g->sk, g->grp_events);
	/* nlctrl's "notify" group has the id of nlctrl: its own is fixed */
	if (!err)
		err = nl_socket_add_membership(g->sk, GENL_ID_CTRL);
	if (!err)
		err = nl_socket_set_nonblocking(g->sk);
	if (err)
		return g->why.err = genl_lib_err(g, err, errno);
	return nl_socket_get_fd(g->sk);
}

int genl_watch_rcvbuf(struct genl *g, int bytes)
{
	int err = nl_socket_set_buffer_size(g->sk, bytes, 0);

	return err ? genl_lib_err(g, err, errno) : 0;
}

int genl_watch_read(struct genl *g, genl_notif_fn fn, void *arg)
{
	struct genl_watch w = { .fn = fn, .arg = arg };
	struct genl_xfer x = { .g = g, .arg = &w };
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	/* notifications carry sequence number 0: no request to match */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, genl_seq_any, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, genl_on_notif, &x);
	for (;;) {
		errno = 0;
		err = nl_recvmsgs(g->sk, cb);
		if (w.ret == -ESHUTDOWN)
			snprintf(g->why.local, sizeof(g->why.local),
				 "the family \"%s\" is gone: the module was "
				 "unloaded", TENGUARD_GENL_NAME);
		if (w.ret) {
			err = w.ret;
			break;
		}
		if (err == -NLE_AGAIN) {
			err = 0;
			break;
		}
		if (!err)
			continue;
		/* ENOBUFS: the socket overran, messages are gone */
		if (err == -NLE_NOMEM && errno == ENOBUFS) {
			struct genl_notif n = { .kind = GENL_N_LOST };

			err = fn(&n, arg);
			if (err)
				break;
			continue;
		}
		err = genl_lib_err(g, err, errno);
		break;
	}
	nl_cb_put(cb);
	if (err)
		g->why.err = err;
	return err;
}

int genl_monitor(struct genl *g, unsigned int groups, const sigset_t *waitmask,
		 genl_notif_fn fn, void *arg)
{
	struct pollfd pfd = { .events = POLLIN };
	int err;

	pfd.fd = genl_watch(g, groups);
	if (pfd.fd == -EAGAIN)
		return 0;	/* dry run */
	if (pfd.fd < 0)
		return pfd.fd;
	for (;;) {
		if (ppoll(&pfd, 1, NULL, waitmask) < 0)
			return errno == EINTR ? 0 : -errno;
		err = genl_watch_read(g, fn, arg);
		if (err)
			return err;
	}
}
