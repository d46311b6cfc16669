// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
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
};

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
