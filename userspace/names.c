// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

const struct tg_flag_name tg_port_flag_names[] = {
	{ TENGUARD_PORT_F_DHCP_SERVER, "dhcp-server" },
	{ TENGUARD_PORT_F_ROUTER, "router" },
	{ TENGUARD_PORT_F_ENCAP, "encap" },
	{ 0, NULL },
};

const char *const tg_drop_names[__TENGUARD_DROP_MAX] = {
	[TENGUARD_DROP_NO_POLICY] = "no_policy",
	[TENGUARD_DROP_TENANT] = "tenant",
	[TENGUARD_DROP_SRC_MAC] = "src_mac",
	[TENGUARD_DROP_SRC_IP] = "src_ip",
	[TENGUARD_DROP_ARP] = "arp",
	[TENGUARD_DROP_ND] = "nd",
	[TENGUARD_DROP_DHCP_SERVER] = "dhcp_server",
	[TENGUARD_DROP_RA] = "ra",
	[TENGUARD_DROP_REDIRECT] = "redirect",
	[TENGUARD_DROP_VLAN] = "vlan",
	[TENGUARD_DROP_ETHERTYPE] = "ethertype",
	[TENGUARD_DROP_ENCAP] = "encap",
	[TENGUARD_DROP_DST_MAC] = "dst_mac",
	[TENGUARD_DROP_SEGMENT] = "segment",
	[TENGUARD_DROP_MALFORMED] = "malformed",
	[TENGUARD_DROP_ACL] = "acl",
	[TENGUARD_DROP_CT_INVALID] = "ct_invalid",
	[TENGUARD_DROP_FRAGMENT] = "fragment",
	[TENGUARD_DROP_HOST] = "host",
	[TENGUARD_DROP_QUARANTINE] = "quarantine",
	[TENGUARD_DROP_RATE] = "rate",
};

const char *const tg_acl_action_names[__TENGUARD_ACL_ACTION_MAX] = {
	[TENGUARD_ACL_ALLOW] = "allow",
	[TENGUARD_ACL_DENY] = "deny",
};

const char *const tg_acl_set_names[TENGUARD_ACL_SET_REMEDIATION + 1] = {
	[TENGUARD_ACL_INGRESS] = "ingress",
	[TENGUARD_ACL_EGRESS] = "egress",
	[TENGUARD_ACL_SET_HOST] = "host",
	[TENGUARD_ACL_SET_REMEDIATION] = "remediation",
};

const char *const tg_ct_state_names[__TENGUARD_CT_S_MAX] = {
	[TENGUARD_CT_S_NEW] = "new",
	[TENGUARD_CT_S_REPLIED] = "replied",
	[TENGUARD_CT_S_SYN_SENT] = "syn_sent",
	[TENGUARD_CT_S_SYN_RECV] = "syn_recv",
	[TENGUARD_CT_S_ESTABLISHED] = "established",
	[TENGUARD_CT_S_CLOSING] = "closing",
};

const char *const tg_ct_timeout_names[__TENGUARD_CT_TIMEOUT_MAX] = {
	[TENGUARD_CT_TCP_SYN] = "tcp_syn",
	[TENGUARD_CT_TCP_ESTABLISHED] = "tcp_established",
	[TENGUARD_CT_TCP_CLOSE] = "tcp_close",
	[TENGUARD_CT_UDP] = "udp",
	[TENGUARD_CT_UDP_STREAM] = "udp_stream",
	[TENGUARD_CT_ICMP] = "icmp",
	[TENGUARD_CT_OTHER] = "other",
};

static const struct {
	uint8_t proto;
	const char *name;
} tg_protos[] = {
	{ 1, "icmp" }, { 6, "tcp" }, { 17, "udp" }, { 47, "gre" },
	{ 50, "esp" }, { 51, "ah" }, { 58, "icmpv6" }, { 132, "sctp" },
	{ 136, "udplite" },
};

const char *tg_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < sizeof(tg_protos) / sizeof(tg_protos[0]); i++)
		if (tg_protos[i].proto == proto)
			return tg_protos[i].name;
	return NULL;
}

int tg_proto_parse(const char *name, uint8_t *proto)
{
	unsigned long v;
	char *end;
	size_t i;

	for (i = 0; i < sizeof(tg_protos) / sizeof(tg_protos[0]); i++) {
		if (!strcmp(tg_protos[i].name, name)) {
			*proto = tg_protos[i].proto;
			return 0;
		}
	}
	/* a number: decimal digits only, 1..255 (0 is "any", not a name) */
	if (!*name || strspn(name, "0123456789") != strlen(name) ||
	    strlen(name) > 3)
		return -EINVAL;
	v = strtoul(name, &end, 10);
	if (!v || v > 255)
		return -EINVAL;
	*proto = v;
	return 0;
}

bool tg_proto_has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

int tg_name_index(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return -EINVAL;
}

const char *tg_port_kind_name(uint32_t kind)
{
	switch (kind) {
	case TENGUARD_PORT_VM:
		return "vm";
	case TENGUARD_PORT_UPLINK:
		return "uplink";
	}
	return "unknown";
}

int tg_port_flag_parse(const char *name, uint32_t *flag)
{
	const struct tg_flag_name *f;

	for (f = tg_port_flag_names; f->name; f++) {
		if (!strcmp(f->name, name)) {
			*flag = f->flag;
			return 0;
		}
	}
	return -EINVAL;
}
