// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "tenguard": the front door of the policy
 * store, its tenants and ports; acl.c adds rule sets, node.c the node's
 * configuration. Policies check types, lengths and ranges; handlers check
 * meaning.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_bridge.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "tenguard.h"
#include "acl.h"
#include "netlink.h"
#include "store.h"

/* more than a VM port needs; a request over these is refused, not cut */
#define TG_MAX_MACS		64
#define TG_MAX_ADDRS		256
#define TG_MAX_ETHERTYPES	16
#define TG_MAX_SEGMENTS		64

/* not const: 6.1's nla_policy points to them without const */
static struct netlink_range_validation tg_tenant_id_range = {
	.min = 1,
	.max = TENGUARD_TENANT_ID_MAX,
};

static struct netlink_range_validation tg_vni_range = {
	.max = TENGUARD_VNI_MAX,
};

/* beyond the s16 bounds of NLA_POLICY_RANGE */
struct netlink_range_validation tg_group_range = {
	.min = 1,
	.max = TENGUARD_GROUP_MAX,
};

static struct netlink_range_validation tg_rate_bps_range = {
	.max = TENGUARD_RATE_BPS_MAX,
};

static struct netlink_range_validation tg_rate_burst_range = {
	.min = TENGUARD_RATE_BURST_MIN,
	.max = TENGUARD_RATE_BURST_MAX,
};

static struct netlink_range_validation tg_rate_pps_range = {
	.max = TENGUARD_RATE_PPS_MAX,
};

static struct netlink_range_validation tg_rate_pkt_burst_range = {
	.min = 1,
	.max = TENGUARD_RATE_PKT_BURST_MAX,
};

static const struct nla_policy tg_segment_policy[TENGUARD_A_SEGMENT_MAX + 1] = {
	[TENGUARD_A_SEGMENT_VLAN] = NLA_POLICY_RANGE(NLA_U16, 1,
						     TENGUARD_VLAN_MAX),
	[TENGUARD_A_SEGMENT_VNI] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &tg_vni_range),
};

static const struct nla_policy tg_tenant_policy[TENGUARD_A_TENANT_MAX + 1] = {
	[TENGUARD_A_TENANT_ID] = NLA_POLICY_FULL_RANGE(NLA_U32,
						       &tg_tenant_id_range),
	[TENGUARD_A_TENANT_NAME] = { .type = NLA_NUL_STRING,
				     .len = TENGUARD_NAME_LEN - 1 },
	[TENGUARD_A_TENANT_SEGMENT] = NLA_POLICY_NESTED(tg_segment_policy),
};

const struct nla_policy tg_addr_policy[TENGUARD_A_ADDR_MAX + 1] = {
	[TENGUARD_A_ADDR_FAMILY] = { .type = NLA_U16 },
	[TENGUARD_A_ADDR_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[TENGUARD_A_ADDR_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* the datapath's TENGUARD_RATE_F_BPS and _PPS are not for requests */
static const struct nla_policy tg_rate_policy[TENGUARD_A_RATE_MAX + 1] = {
	[TENGUARD_A_RATE_DIR] = NLA_POLICY_MAX(NLA_U32, TENGUARD_ACL_DIR_MAX),
	[TENGUARD_A_RATE_BPS] = NLA_POLICY_FULL_RANGE(NLA_U64,
						      &tg_rate_bps_range),
	[TENGUARD_A_RATE_BURST] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&tg_rate_burst_range),
	[TENGUARD_A_RATE_PPS] = NLA_POLICY_FULL_RANGE(NLA_U32,
						      &tg_rate_pps_range),
	[TENGUARD_A_RATE_PKT_BURST] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &tg_rate_pkt_burst_range),
	[TENGUARD_A_RATE_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						  __TENGUARD_RATE_F_ALL),
};

static const struct nla_policy tg_port_policy[TENGUARD_A_PORT_MAX + 1] = {
	[TENGUARD_A_PORT_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TENGUARD_A_PORT_IFNAME] = { .type = NLA_NUL_STRING,
				     .len = IFNAMSIZ - 1 },
	[TENGUARD_A_PORT_TENANT] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &tg_tenant_id_range),
	[TENGUARD_A_PORT_KIND] = NLA_POLICY_MAX(NLA_U32,
						TENGUARD_PORT_KIND_MAX),
	[TENGUARD_A_PORT_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						  __TENGUARD_PORT_F_ALL |
						  TENGUARD_PORT_F_APPEND),
	[TENGUARD_A_PORT_MAC] = NLA_POLICY_ETH_ADDR,
	[TENGUARD_A_PORT_ADDR] = NLA_POLICY_NESTED(tg_addr_policy),
	[TENGUARD_A_PORT_ETHERTYPE] = NLA_POLICY_MIN(NLA_U16, ETH_P_802_3_MIN),
	[TENGUARD_A_PORT_SEGMENT] = NLA_POLICY_NESTED(tg_segment_policy),
	[TENGUARD_A_PORT_MASTER] = { .type = NLA_U32 },
	[TENGUARD_A_PORT_NETNSID] = { .type = NLA_S32 },
	[TENGUARD_A_PORT_GENERATION] = { .type = NLA_REJECT,
					 .reject_message = "generation is read only" },
	[TENGUARD_A_PORT_ACKED] = { .type = NLA_REJECT,
				    .reject_message = "acked is read only" },
	[TENGUARD_A_PORT_GROUP] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&tg_group_range),
	[TENGUARD_A_PORT_QUARANTINE] = {
		.type = NLA_REJECT,
		.reject_message = "quarantine is set by PORT_QUARANTINE only"
	},
	[TENGUARD_A_PORT_RATE] = NLA_POLICY_NESTED(tg_rate_policy),
};

const struct nla_policy tg_port_ref_policy[TENGUARD_A_PORT_MAX + 1] = {
	[TENGUARD_A_PORT_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TENGUARD_A_PORT_IFNAME] = { .type = NLA_NUL_STRING,
				     .len = IFNAMSIZ - 1 },
	[TENGUARD_A_PORT_NETNSID] = { .type = NLA_S32 },
};

/* an ACK names the port and the generation it programmed, nothing else */
static const struct nla_policy tg_ack_policy[TENGUARD_A_PORT_MAX + 1] = {
	[TENGUARD_A_PORT_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TENGUARD_A_PORT_IFNAME] = { .type = NLA_NUL_STRING,
				     .len = IFNAMSIZ - 1 },
	[TENGUARD_A_PORT_NETNSID] = { .type = NLA_S32 },
	[TENGUARD_A_PORT_GENERATION] = { .type = NLA_U64 },
};

static const struct nla_policy tg_quarantine_policy[TENGUARD_A_PORT_MAX + 1] = {
	[TENGUARD_A_PORT_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TENGUARD_A_PORT_IFNAME] = { .type = NLA_NUL_STRING,
				     .len = IFNAMSIZ - 1 },
	[TENGUARD_A_PORT_NETNSID] = { .type = NLA_S32 },
	[TENGUARD_A_PORT_QUARANTINE] = NLA_POLICY_MAX(NLA_U8, 1),
};

static const struct nla_policy tg_tenant_cmd_policy[TENGUARD_A_MAX + 1] = {
	[TENGUARD_A_TENANT] = NLA_POLICY_NESTED(tg_tenant_policy),
};

static const struct nla_policy tg_port_cmd_policy[TENGUARD_A_MAX + 1] = {
	[TENGUARD_A_PORT] = NLA_POLICY_NESTED(tg_port_policy),
};

static const struct nla_policy tg_ack_cmd_policy[TENGUARD_A_MAX + 1] = {
	[TENGUARD_A_PORT] = NLA_POLICY_NESTED(tg_ack_policy),
};

static const struct nla_policy tg_quarantine_cmd_policy[TENGUARD_A_MAX + 1] = {
	[TENGUARD_A_PORT] = NLA_POLICY_NESTED(tg_quarantine_policy),
};

/* ---- messages ---- */

static int tg_segment_put(struct sk_buff *skb, int type, u32 seg)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	int err;

	if (!nest)
		return -EMSGSIZE;
	if (TENGUARD_SEG_TYPE(seg) == TENGUARD_SEG_VLAN(0))
		err = nla_put_u16(skb, TENGUARD_A_SEGMENT_VLAN,
				  TENGUARD_SEG_ID(seg));
	else
		err = nla_put_u32(skb, TENGUARD_A_SEGMENT_VNI,
				  TENGUARD_SEG_ID(seg));
	if (err) {
		nla_nest_cancel(skb, nest);
		return err;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int tg_tenant_fill(struct sk_buff *skb, const struct tg_tenant *t,
			  u32 portid, u32 seq, int flags, u8 cmd,
			  struct netlink_callback *cb)
{
	struct nlattr *nest;
	void *hdr;
	u32 i;

	hdr = genlmsg_put(skb, portid, seq, &tg_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, TENGUARD_A_TENANT);
	if (!nest ||
	    nla_put_u32(skb, TENGUARD_A_TENANT_ID, t->id) ||
	    nla_put_string(skb, TENGUARD_A_TENANT_NAME, t->name))
		goto cancel;
	for (i = 0; i < t->n_segments; i++)
		if (tg_segment_put(skb, TENGUARD_A_TENANT_SEGMENT,
				   t->segments[i]))
			goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int tg_addr_put(struct sk_buff *skb, int type, const struct tg_addr *ad)
{
	struct nlattr *a = nla_nest_start(skb, type);

	if (!a)
		return -EMSGSIZE;
	if (nla_put_u16(skb, TENGUARD_A_ADDR_FAMILY, ad->family) ||
	    nla_put(skb, TENGUARD_A_ADDR_ADDR, ad->family == AF_INET ? 4 : 16,
		    ad->addr) ||
	    nla_put_u8(skb, TENGUARD_A_ADDR_PREFIXLEN, ad->prefixlen)) {
		nla_nest_cancel(skb, a);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, a);
	return 0;
}

static int tg_port_put_lists(struct sk_buff *skb, const struct tg_port *p)
{
	u32 i;

	for (i = 0; i < p->n_macs; i++)
		if (nla_put(skb, TENGUARD_A_PORT_MAC, ETH_ALEN, p->macs[i]))
			return -EMSGSIZE;
	for (i = 0; i < p->n_addrs; i++)
		if (tg_addr_put(skb, TENGUARD_A_PORT_ADDR, &p->addrs[i]))
			return -EMSGSIZE;
	for (i = 0; i < p->n_ethertypes; i++)
		if (nla_put_u16(skb, TENGUARD_A_PORT_ETHERTYPE,
				p->ethertypes[i]))
			return -EMSGSIZE;
	for (i = 0; i < p->n_groups; i++)
		if (nla_put_u32(skb, TENGUARD_A_PORT_GROUP, p->groups[i]))
			return -EMSGSIZE;
	return 0;
}

/*
 * A limited direction with every value in force; a burst only beside a
 * rate above 0, as a request may carry it, so that what a GET returns is
 * a valid SET.
 */
static int tg_rate_put(struct sk_buff *skb, u32 dir,
		       const struct tenguard_rate *r)
{
	struct nlattr *nest;

	if (!(r->flags & (TENGUARD_RATE_F_BPS | TENGUARD_RATE_F_PPS)))
		return 0;
	nest = nla_nest_start(skb, TENGUARD_A_PORT_RATE);
	if (!nest || nla_put_u32(skb, TENGUARD_A_RATE_DIR, dir))
		goto cancel;
	if (r->flags & TENGUARD_RATE_F_BPS &&
	    (nla_put_u64_64bit(skb, TENGUARD_A_RATE_BPS, r->bps,
			       TENGUARD_A_RATE_PAD) ||
	     (r->bps && nla_put_u32(skb, TENGUARD_A_RATE_BURST, r->burst))))
		goto cancel;
	if (r->flags & TENGUARD_RATE_F_PPS &&
	    (nla_put_u32(skb, TENGUARD_A_RATE_PPS, r->pps) ||
	     (r->pps &&
	      nla_put_u32(skb, TENGUARD_A_RATE_PKT_BURST, r->pkt_burst))))
		goto cancel;
	if (r->flags & __TENGUARD_RATE_F_ALL &&
	    nla_put_u32(skb, TENGUARD_A_RATE_FLAGS,
			r->flags & __TENGUARD_RATE_F_ALL))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

int tg_port_put_id(struct sk_buff *skb, int ifindex, const char *ifname,
		   u64 generation)
{
	struct nlattr *nest = nla_nest_start(skb, TENGUARD_A_PORT);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TENGUARD_A_PORT_IFINDEX, ifindex) ||
	    nla_put_string(skb, TENGUARD_A_PORT_IFNAME, ifname) ||
	    nla_put_u64_64bit(skb, TENGUARD_A_PORT_GENERATION, generation,
			      TENGUARD_A_PORT_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int tg_port_fill(struct sk_buff *skb, const struct tg_port *p,
			u32 portid, u32 seq, int flags, u8 cmd,
			struct netlink_callback *cb)
{
	struct nlattr *nest;
	void *hdr;
	u32 dir;

	hdr = genlmsg_put(skb, portid, seq, &tg_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, TENGUARD_A_PORT);
	if (!nest ||
	    nla_put_u32(skb, TENGUARD_A_PORT_IFINDEX, p->ifindex) ||
	    nla_put_string(skb, TENGUARD_A_PORT_IFNAME, p->ifname) ||
	    nla_put_u32(skb, TENGUARD_A_PORT_KIND, p->kind) ||
	    nla_put_u32(skb, TENGUARD_A_PORT_FLAGS, p->flags) ||
	    nla_put_u32(skb, TENGUARD_A_PORT_MASTER, p->master) ||
	    nla_put_u64_64bit(skb, TENGUARD_A_PORT_GENERATION, p->generation,
			      TENGUARD_A_PORT_PAD) ||
	    nla_put_u64_64bit(skb, TENGUARD_A_PORT_ACKED, p->acked,
			      TENGUARD_A_PORT_PAD) ||
	    nla_put_u8(skb, TENGUARD_A_PORT_QUARANTINE, p->quarantined))
		goto cancel;
	if (p->tenant && nla_put_u32(skb, TENGUARD_A_PORT_TENANT, p->tenant))
		goto cancel;
	if (p->segment &&
	    tg_segment_put(skb, TENGUARD_A_PORT_SEGMENT, p->segment))
		goto cancel;
	if (tg_port_put_lists(skb, p))
		goto cancel;
	for (dir = 0; dir < ARRAY_SIZE(p->rate); dir++)
		if (tg_rate_put(skb, dir, &p->rate[dir]))
			goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static size_t tg_port_msg_size(const struct tg_port *p)
{
	size_t rates = 0;
	u32 dir;

	/* a limited direction: DIR, BPS, BURST, PPS, PKT_BURST, FLAGS */
	for (dir = 0; dir < ARRAY_SIZE(p->rate); dir++)
		if (p->rate[dir].flags)
			rates += nla_total_size(5 * nla_total_size(4) +
						nla_total_size_64bit(8));
	return rates + nla_total_size(0) + 5 * nla_total_size(4) +
		nla_total_size(IFNAMSIZ) + 2 * nla_total_size_64bit(8) +
		nla_total_size(nla_total_size(4)) + nla_total_size(1) +
		p->n_macs * nla_total_size(ETH_ALEN) +
		p->n_addrs * nla_total_size(nla_total_size(2) +
					    nla_total_size(16) +
					    nla_total_size(1)) +
		p->n_ethertypes * nla_total_size(2) +
		p->n_groups * nla_total_size(4);
}

/* tell the "config" group; a lost notification is not an error */
static void tg_notify_port(const struct tg_port *p, u8 cmd,
			   struct genl_info *info)
{
	struct sk_buff *skb;

	skb = genlmsg_new(tg_port_msg_size(p), GFP_KERNEL);
	if (!skb)
		return;
	if (tg_port_fill(skb, p, info ? info->snd_portid : 0,
			 info ? info->snd_seq : 0, 0, cmd, NULL)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast_netns(&tg_genl_family, p->net, skb, 0,
				TG_MCGRP_CONFIG, GFP_KERNEL);
}

static void tg_notify_tenant(const struct tg_tenant *t, u8 cmd,
			     struct genl_info *info)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (tg_tenant_fill(skb, t, info->snd_portid, info->snd_seq, 0, cmd,
			   NULL)) {
		nlmsg_free(skb);
		return;
	}
	/* tenants are host-wide: every namespace's listeners hear it */
	genlmsg_multicast_allns(&tg_genl_family, skb, 0, TG_MCGRP_CONFIG);
}

/*
 * A required attribute is missing: say which in words and in the
 * missing-attribute TLV, which tools decode. msg must be a literal: the
 * extack keeps the pointer, as NL_SET_ERR_MSG does.
 */
bool tg_missing(struct netlink_ext_ack *extack, const struct nlattr *nest,
		struct nlattr **tb, int type, const char *msg)
{
	if (tb[type])
		return false;
	if (extack)
		extack->_msg = msg;
	NL_SET_ERR_ATTR_MISS(extack, nest, type);
	return true;
}

#ifdef NL_SET_ERR_MSG_FMT
#define TG_MSG_LEN	NETLINK_MAX_FMTMSG_LEN
#define tg_extack_fmt(extack, fmt, args...) \
	NL_SET_ERR_MSG_FMT(extack, fmt, ##args)
#else
/*
 * 6.1 has no formatted extack messages (NL_SET_ERR_MSG_FMT came with
 * 6.2): the message must outlive the handler, up to the ack that
 * netlink_rcv_skb() builds after it returns. Messages take these slots in
 * turn, so one is overwritten only after TG_MSG_SLOTS later ones, far more
 * than can be formatted between a handler's return and its ack: the
 * family is not parallel_ops, handlers run one at a time. The last byte
 * of a slot is never written: a message overwritten while the ack copies
 * it would be garbled, never unterminated. The ack is copied before
 * genl_unregister_family() returns, so the slots outlive every use.
 */
#define TG_MSG_SLOTS	32
#define TG_MSG_LEN	80
static char tg_msgs[TG_MSG_SLOTS][TG_MSG_LEN];
static atomic_t tg_msg_next = ATOMIC_INIT(0);

static __printf(2, 3) void tg_extack_fmt(struct netlink_ext_ack *extack,
					 const char *fmt, ...)
{
	unsigned int i = atomic_inc_return(&tg_msg_next);
	char *slot = tg_msgs[i % TG_MSG_SLOTS];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(slot, TG_MSG_LEN - 1, fmt, ap);
	va_end(ap);
	extack->_msg = slot;
}
#endif

void tg_extack_item(struct netlink_ext_ack *extack, const struct nlattr *item,
		    const char *what, u32 idx)
{
	char msg[TG_MSG_LEN];

	if (!extack)
		return;
	/* the message may sit in the buffer it is formatted into */
	strscpy(msg, extack->_msg ?: "invalid", sizeof(msg));
	tg_extack_fmt(extack, "%s %u: %s", what, idx, msg);
	if (!extack->bad_attr && !extack->miss_nest)
		NL_SET_BAD_ATTR(extack, item);
}

/* ---- tenants ---- */

static int tg_parse_segment(const struct nlattr *nest, u32 *seg,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TENGUARD_A_SEGMENT_MAX + 1];
	int err;

	err = nla_parse_nested(tb, TENGUARD_A_SEGMENT_MAX, nest,
			       tg_segment_policy, extack);
	if (err)
		return err;
	if (!!tb[TENGUARD_A_SEGMENT_VLAN] == !!tb[TENGUARD_A_SEGMENT_VNI]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a segment is one VLAN or one VNI");
		return -EINVAL;
	}
	if (tb[TENGUARD_A_SEGMENT_VLAN])
		*seg = TENGUARD_SEG_VLAN(nla_get_u16(tb[TENGUARD_A_SEGMENT_VLAN]));
	else
		*seg = TENGUARD_SEG_VNI(nla_get_u32(tb[TENGUARD_A_SEGMENT_VNI]));
	return 0;
}

/* the segments of a tenant nest; each must be free or already the tenant's */
static int tg_parse_segments(const struct nlattr *nest, struct tg_tenant *t,
			     struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	struct tg_tenant *owner;
	u32 n = 0, i, seg;
	int rem, err;

	nla_for_each_nested(a, nest, rem)
		if (nla_type(a) == TENGUARD_A_TENANT_SEGMENT)
			n++;
	if (n > TG_MAX_SEGMENTS) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "too many segments (max 64)");
		return -E2BIG;
	}
	t->segments = kcalloc(n, sizeof(*t->segments), GFP_KERNEL);
	if (n && !t->segments)
		return -ENOMEM;
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != TENGUARD_A_TENANT_SEGMENT)
			continue;
		err = tg_parse_segment(a, &seg, extack);
		if (err)
			return err;
		owner = tg_tenant_of_segment(seg);
		if (owner && owner->id != t->id) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "segment belongs to another tenant");
			return -EEXIST;
		}
		for (i = 0; i < t->n_segments; i++) {
			if (t->segments[i] == seg) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "segment given twice");
				return -EINVAL;
			}
		}
		t->segments[t->n_segments++] = seg;
	}
	return 0;
}

static int tg_tenant_attrs(struct genl_info *info, struct nlattr **tb)
{
	if (tg_missing(info->extack, NULL, info->attrs, TENGUARD_A_TENANT,
		       "missing tenant"))
		return -EINVAL;
	return nla_parse_nested(tb, TENGUARD_A_TENANT_MAX,
				info->attrs[TENGUARD_A_TENANT],
				tg_tenant_policy, info->extack);
}

static int tg_nl_tenant_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[TENGUARD_A_TENANT_MAX + 1];
	struct nlattr *nest = info->attrs[TENGUARD_A_TENANT];
	struct tg_tenant *t;
	int err;

	err = tg_tenant_attrs(info, tb);
	if (err)
		return err;
	if (tg_missing(info->extack, nest, tb, TENGUARD_A_TENANT_ID,
		       "missing tenant id") ||
	    tg_missing(info->extack, nest, tb, TENGUARD_A_TENANT_NAME,
		       "missing tenant name"))
		return -EINVAL;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->id = nla_get_u32(tb[TENGUARD_A_TENANT_ID]);
	nla_strscpy(t->name, tb[TENGUARD_A_TENANT_NAME], sizeof(t->name));

	mutex_lock(&tg_lock);
	if (tg_tenant_find(t->id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TENGUARD_A_TENANT_ID],
				    "tenant exists");
		err = -EEXIST;
		goto out;
	}
	err = tg_parse_segments(nest, t, info->extack);
	if (err)
		goto out;
	tg_tenant_insert(t);
	tg_notify_tenant(t, TENGUARD_CMD_TENANT_NEW, info);
	t = NULL;
out:
	mutex_unlock(&tg_lock);
	tg_tenant_free(t);
	return err;
}

static struct tg_tenant *tg_tenant_get(struct nlattr **tb, struct nlattr *nest,
				       struct netlink_ext_ack *extack)
{
	struct tg_tenant *t;

	if (tg_missing(extack, nest, tb, TENGUARD_A_TENANT_ID,
		       "missing tenant id"))
		return ERR_PTR(-EINVAL);
	t = tg_tenant_find(nla_get_u32(tb[TENGUARD_A_TENANT_ID]));
	if (!t) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_TENANT_ID],
				    "no such tenant");
		return ERR_PTR(-ENOENT);
	}
	return t;
}

static int tg_nl_tenant_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[TENGUARD_A_TENANT_MAX + 1];
	struct nlattr *nest = info->attrs[TENGUARD_A_TENANT];
	struct tg_tenant *old, *t = NULL;
	int err;

	err = tg_tenant_attrs(info, tb);
	if (err)
		return err;
	mutex_lock(&tg_lock);
	old = tg_tenant_get(tb, nest, info->extack);
	if (IS_ERR(old)) {
		err = PTR_ERR(old);
		goto out;
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t) {
		err = -ENOMEM;
		goto out;
	}
	t->id = old->id;
	strscpy(t->name, old->name, sizeof(t->name));
	if (tb[TENGUARD_A_TENANT_NAME])
		nla_strscpy(t->name, tb[TENGUARD_A_TENANT_NAME],
			    sizeof(t->name));
	if (tb[TENGUARD_A_TENANT_SEGMENT]) {
		err = tg_parse_segments(nest, t, info->extack);
	} else {
		t->segments = kmemdup(old->segments, old->n_segments *
				      sizeof(*old->segments), GFP_KERNEL);
		t->n_segments = old->n_segments;
		if (old->n_segments && !t->segments)
			err = -ENOMEM;
	}
	if (err)
		goto out;
	tg_tenant_replace(old, t);
	tg_notify_tenant(t, TENGUARD_CMD_TENANT_SET, info);
	t = NULL;
out:
	mutex_unlock(&tg_lock);
	tg_tenant_free(t);
	return err;
}

static int tg_nl_tenant_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[TENGUARD_A_TENANT_MAX + 1];
	struct tg_tenant *t;
	int err;

	err = tg_tenant_attrs(info, tb);
	if (err)
		return err;
	mutex_lock(&tg_lock);
	t = tg_tenant_get(tb, info->attrs[TENGUARD_A_TENANT], info->extack);
	if (IS_ERR(t)) {
		err = PTR_ERR(t);
	} else if (tg_tenant_has_ports(t->id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TENGUARD_A_TENANT_ID],
				    "tenant still has ports");
		err = -EBUSY;
	} else {
		tg_notify_tenant(t, TENGUARD_CMD_TENANT_DEL, info);
		tg_tenant_remove(t);
	}
	mutex_unlock(&tg_lock);
	return err;
}

static int tg_nl_tenant_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[TENGUARD_A_TENANT_MAX + 1];
	struct tg_tenant *t;
	struct sk_buff *msg;
	int err;

	err = tg_tenant_attrs(info, tb);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	t = tg_tenant_get(tb, info->attrs[TENGUARD_A_TENANT], info->extack);
	err = IS_ERR(t) ? PTR_ERR(t) :
		tg_tenant_fill(msg, t, info->snd_portid, info->snd_seq, 0,
			       TENGUARD_CMD_TENANT_GET, NULL);
	rcu_read_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* cursor: args[0] hash bucket, args[1] index in it */
static int tg_nl_tenant_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tg_tenant *t;
	int err = 0;

	rcu_read_lock();
	cb->seq = tg_store_seq();
	while ((t = tg_tenant_at(&cb->args[0], &cb->args[1]))) {
		err = tg_tenant_fill(skb, t, NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI,
				     TENGUARD_CMD_TENANT_GET, cb);
		if (err)
			break;
		cb->args[1]++;
	}
	rcu_read_unlock();
	return tg_dump_ret(skb, err);
}

/* ---- ports ---- */

static int tg_port_attrs(struct nlattr **attrs, struct nlattr **tb,
			 const struct nla_policy *policy,
			 struct netlink_ext_ack *extack)
{
	if (tg_missing(extack, NULL, attrs, TENGUARD_A_PORT, "missing port"))
		return -EINVAL;
	return nla_parse_nested(tb, TENGUARD_A_PORT_MAX, attrs[TENGUARD_A_PORT],
				policy, extack);
}

/* the netns the request names, referenced */
static struct net *tg_port_net(struct net *net, struct nlattr **tb,
			       struct netlink_ext_ack *extack)
{
	if (!tb[TENGUARD_A_PORT_NETNSID])
		return get_net(net);
	net = get_net_ns_by_id(net, nla_get_s32(tb[TENGUARD_A_PORT_NETNSID]));
	if (!net) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_PORT_NETNSID],
				    "no network namespace with this netnsid");
		return ERR_PTR(-ENONET);
	}
	return net;
}

/* the device the request names in net (RTNL held) */
static struct net_device *tg_port_dev(struct net *net, struct nlattr *nest,
				      struct nlattr **tb,
				      struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	char name[IFNAMSIZ];

	if (tb[TENGUARD_A_PORT_IFINDEX]) {
		dev = __dev_get_by_index(net,
					 nla_get_u32(tb[TENGUARD_A_PORT_IFINDEX]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_PORT_IFINDEX],
					    "no such device");
			return ERR_PTR(-ENODEV);
		}
		return dev;
	}
	if (!tb[TENGUARD_A_PORT_IFNAME]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "port needs an ifindex or a name");
		NL_SET_ERR_ATTR_MISS(extack, nest, TENGUARD_A_PORT_IFINDEX);
		return ERR_PTR(-EINVAL);
	}
	nla_strscpy(name, tb[TENGUARD_A_PORT_IFNAME], sizeof(name));
	dev = __dev_get_by_name(net, name);
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_PORT_IFNAME],
				    "no such device");
		return ERR_PTR(-ENODEV);
	}
	return dev;
}

int tg_parse_addr(const struct nlattr *nest, struct tg_addr *ad,
		  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TENGUARD_A_ADDR_MAX + 1];
	unsigned int len, max, i;
	int err;

	err = nla_parse_nested(tb, TENGUARD_A_ADDR_MAX, nest, tg_addr_policy,
			       extack);
	if (err)
		return err;
	if (tg_missing(extack, nest, tb, TENGUARD_A_ADDR_FAMILY,
		       "missing address family") ||
	    tg_missing(extack, nest, tb, TENGUARD_A_ADDR_ADDR,
		       "missing address"))
		return -EINVAL;
	ad->family = nla_get_u16(tb[TENGUARD_A_ADDR_FAMILY]);
	if (ad->family != AF_INET && ad->family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_ADDR_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	len = ad->family == AF_INET ? 4 : 16;
	max = len * 8;
	if (nla_len(tb[TENGUARD_A_ADDR_ADDR]) != len) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_ADDR_ADDR],
				    "address length does not match family");
		return -EINVAL;
	}
	memset(ad->addr, 0, sizeof(ad->addr));
	nla_memcpy(ad->addr, tb[TENGUARD_A_ADDR_ADDR], len);
	ad->prefixlen = tb[TENGUARD_A_ADDR_PREFIXLEN] ?
		nla_get_u8(tb[TENGUARD_A_ADDR_PREFIXLEN]) : max;
	if (ad->prefixlen > max) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_ADDR_PREFIXLEN],
				    "prefix longer than the address");
		return -EINVAL;
	}
	for (i = ad->prefixlen; i < max; i++) {
		if (ad->addr[i / 8] & (0x80 >> (i % 8))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_ADDR_ADDR],
					    "host bits set past the prefix");
			return -EINVAL;
		}
	}
	return 0;
}

/* grow *arr (n used) by add elements of size sz; the old array stays */
static void *tg_grow(void *arr, u32 n, u32 add, size_t sz)
{
	void *p = kcalloc(n + add, sz, GFP_KERNEL);

	if (p && n)
		memcpy(p, arr, n * sz);
	return p;
}

/*
 * The port's lists from the request: replaced, or appended to with
 * TENGUARD_PORT_F_APPEND, each only if the request carries it.
 */
static int tg_parse_lists(struct tg_port *p, const struct nlattr *nest,
			  bool append, struct netlink_ext_ack *extack)
{
	u32 nm = 0, na = 0, ne = 0, ng = 0, i;
	const struct nlattr *a;
	struct tg_port *other;
	void *arr;
	int rem, err;

	nla_for_each_nested(a, nest, rem) {
		nm += nla_type(a) == TENGUARD_A_PORT_MAC;
		na += nla_type(a) == TENGUARD_A_PORT_ADDR;
		ne += nla_type(a) == TENGUARD_A_PORT_ETHERTYPE;
		ng += nla_type(a) == TENGUARD_A_PORT_GROUP;
	}
	if (nm && !append)
		p->n_macs = 0;
	if (na && !append)
		p->n_addrs = 0;
	if (ne && !append)
		p->n_ethertypes = 0;
	if (ng && !append)
		p->n_groups = 0;
	if (p->n_macs + nm > TG_MAX_MACS || p->n_addrs + na > TG_MAX_ADDRS ||
	    p->n_ethertypes + ne > TG_MAX_ETHERTYPES) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "too many MACs (64), addresses (256) or ethertypes (16)");
		return -E2BIG;
	}
	if (p->n_groups + ng > TENGUARD_PORT_GROUPS_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "too many groups (max "
				    __stringify(TENGUARD_PORT_GROUPS_MAX) ")");
		return -E2BIG;
	}
	if (nm) {
		arr = tg_grow(p->macs, p->n_macs, nm, sizeof(*p->macs));
		if (!arr)
			return -ENOMEM;
		kfree(p->macs);
		p->macs = arr;
	}
	if (na) {
		arr = tg_grow(p->addrs, p->n_addrs, na, sizeof(*p->addrs));
		if (!arr)
			return -ENOMEM;
		kfree(p->addrs);
		p->addrs = arr;
	}
	if (ne) {
		arr = tg_grow(p->ethertypes, p->n_ethertypes, ne,
			      sizeof(*p->ethertypes));
		if (!arr)
			return -ENOMEM;
		kfree(p->ethertypes);
		p->ethertypes = arr;
	}
	if (ng) {
		arr = tg_grow(p->groups, p->n_groups, ng, sizeof(*p->groups));
		if (!arr)
			return -ENOMEM;
		kfree(p->groups);
		p->groups = arr;
	}

	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case TENGUARD_A_PORT_MAC:
			if (!is_valid_ether_addr(nla_data(a))) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "MAC must be unicast and not zero");
				return -EINVAL;
			}
			for (i = 0; i < p->n_macs; i++) {
				if (ether_addr_equal(p->macs[i], nla_data(a))) {
					NL_SET_ERR_MSG_ATTR(extack, a,
							    "MAC given twice");
					return -EINVAL;
				}
			}
			other = tg_port_of_mac(nla_data(a));
			if (other && (other->ifindex != p->ifindex ||
				      !net_eq(other->net, p->net))) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "MAC bound to another port");
				return -EEXIST;
			}
			ether_addr_copy(p->macs[p->n_macs++], nla_data(a));
			break;
		case TENGUARD_A_PORT_ADDR:
			err = tg_parse_addr(a, &p->addrs[p->n_addrs], extack);
			if (err)
				return err;
			p->n_addrs++;
			break;
		case TENGUARD_A_PORT_ETHERTYPE:
			p->ethertypes[p->n_ethertypes++] = nla_get_u16(a);
			break;
		case TENGUARD_A_PORT_GROUP:
			for (i = 0; i < p->n_groups; i++) {
				if (p->groups[i] == nla_get_u32(a)) {
					NL_SET_ERR_MSG_ATTR(extack, a,
							    "group given twice");
					return -EINVAL;
				}
			}
			p->groups[p->n_groups++] = nla_get_u32(a);
			break;
		}
	}
	return 0;
}

static const char *const tg_dir_names[__TENGUARD_ACL_DIR_MAX] = {
	[TENGUARD_ACL_INGRESS] = "ingress",
	[TENGUARD_ACL_EGRESS] = "egress",
};

/*
 * One direction's limits from a TENGUARD_A_PORT_RATE, the bursts it leaves
 * out defaulted, so that what the port stores is what is in force.
 */
static int tg_parse_rate(const struct nlattr *nest, u32 *dir,
			 struct tenguard_rate *r,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TENGUARD_A_RATE_MAX + 1];
	struct nlattr *burst, *pkt_burst, *flags;
	int err;

	err = nla_parse_nested(tb, TENGUARD_A_RATE_MAX, nest, tg_rate_policy,
			       extack);
	if (err)
		return err;
	if (tg_missing(extack, nest, tb, TENGUARD_A_RATE_DIR,
		       "missing rate direction"))
		return -EINVAL;
	*dir = nla_get_u32(tb[TENGUARD_A_RATE_DIR]);
	burst = tb[TENGUARD_A_RATE_BURST];
	pkt_burst = tb[TENGUARD_A_RATE_PKT_BURST];
	flags = tb[TENGUARD_A_RATE_FLAGS];
	memset(r, 0, sizeof(*r));

	if (tb[TENGUARD_A_RATE_BPS]) {
		r->flags |= TENGUARD_RATE_F_BPS;
		r->bps = nla_get_u64(tb[TENGUARD_A_RATE_BPS]);
	}
	/* a rate of 0 passes nothing: no burst would mean anything */
	if (burst && !r->bps) {
		NL_SET_ERR_MSG_ATTR(extack, burst,
				    "a burst needs a bit rate above 0");
		return -EINVAL;
	}
	if (r->bps)
		r->burst = burst ? nla_get_u32(burst) :
			TENGUARD_RATE_BURST_DEFAULT(r->bps);

	if (tb[TENGUARD_A_RATE_PPS]) {
		r->flags |= TENGUARD_RATE_F_PPS;
		r->pps = nla_get_u32(tb[TENGUARD_A_RATE_PPS]);
	}
	if (pkt_burst && !r->pps) {
		NL_SET_ERR_MSG_ATTR(extack, pkt_burst,
				    "a packet burst needs a packet rate above 0");
		return -EINVAL;
	}
	if (r->pps)
		r->pkt_burst = pkt_burst ? nla_get_u32(pkt_burst) :
			TENGUARD_RATE_PKT_BURST_DEFAULT(r->pps);

	if (flags && nla_get_u32(flags) & TENGUARD_RATE_F_SHAPE) {
		/* fq on the port is what spaces the frames out: towards the VM */
		if (*dir != TENGUARD_ACL_INGRESS) {
			NL_SET_ERR_MSG_ATTR(extack, flags,
					    "shaping applies towards the VM only");
			return -EINVAL;
		}
		if (!r->flags) {
			NL_SET_ERR_MSG_ATTR(extack, flags,
					    "shaping needs a bit or packet rate");
			return -EINVAL;
		}
		r->flags |= TENGUARD_RATE_F_SHAPE;
	}
	return 0;
}

/*
 * The rates a NEW or SET carries, at most one per direction: each replaces
 * its direction's limits, DIR alone lifts them, a direction not named
 * keeps its own. An APPEND does the same: limits are no list to add to.
 */
static int tg_parse_rates(struct tg_port *p, const struct nlattr *nest,
			  struct netlink_ext_ack *extack)
{
	bool seen[__TENGUARD_ACL_DIR_MAX] = { false };
	struct tenguard_rate r;
	const struct nlattr *a;
	int rem, err;
	u32 dir;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != TENGUARD_A_PORT_RATE)
			continue;
		err = tg_parse_rate(a, &dir, &r, extack);
		if (err)
			return err;
		if (seen[dir]) {
			tg_extack_fmt(extack, "rate for %s given twice",
				      tg_dir_names[dir]);
			NL_SET_BAD_ATTR(extack, a);
			return -EINVAL;
		}
		seen[dir] = true;
		p->rate[dir] = r;
	}
	return 0;
}

/*
 * Rules across attributes, for the port as it will be: a VM port belongs
 * to a tenant and has a MAC; an uplink has neither, nor groups, and its
 * segment is a tenant's. A VM port cannot become an uplink (a SET cannot
 * empty its MACs), so no uplink carries a VM port's rule sets, rate limits
 * or quarantine.
 */
static int tg_port_precheck(struct tg_port *p, struct nlattr *nest,
			    struct nlattr **tb, struct netlink_ext_ack *extack)
{
	struct tg_tenant *t;
	int err;

	if (tb[TENGUARD_A_PORT_SEGMENT]) {
		err = tg_parse_segment(tb[TENGUARD_A_PORT_SEGMENT], &p->segment,
				       extack);
		if (err)
			return err;
	}
	if (p->kind == TENGUARD_PORT_UPLINK) {
		/* its segments' traffic is its tenants' ports', limited there */
		if (tb[TENGUARD_A_PORT_RATE]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_PORT_RATE],
					    "only a VM port has rate limits");
			return -EOPNOTSUPP;
		}
		if (p->n_macs || p->n_addrs || p->n_ethertypes ||
		    p->n_groups || tb[TENGUARD_A_PORT_TENANT]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "an uplink has no tenant, MACs, addresses, ethertypes or groups");
			return -EINVAL;
		}
		p->tenant = 0;
		if (!p->segment)
			return 0;
		t = tg_tenant_of_segment(p->segment);
		if (!t) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_PORT_SEGMENT],
					    "no tenant has this segment");
			return -ENOENT;
		}
		p->tenant = t->id;
		return 0;
	}
	if (p->segment) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_PORT_SEGMENT],
				    "only an uplink has a segment");
		return -EINVAL;
	}
	if (!p->tenant) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a VM port needs a tenant");
		NL_SET_ERR_ATTR_MISS(extack, nest, TENGUARD_A_PORT_TENANT);
		return -EINVAL;
	}
	if (!tg_tenant_find(p->tenant)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_PORT_TENANT],
				    "no such tenant");
		return -ENOENT;
	}
	if (!p->n_macs) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a VM port needs a MAC");
		NL_SET_ERR_ATTR_MISS(extack, nest, TENGUARD_A_PORT_MAC);
		return -EINVAL;
	}
	return 0;
}

/* set the fields a NEW or SET carries, then check the result */
static int tg_port_apply(struct tg_port *p, struct nlattr *nest,
			 struct nlattr **tb, struct netlink_ext_ack *extack)
{
	u32 flags = 0;
	int err;

	/* an APPEND continues a message: the flags came with the first */
	if (tb[TENGUARD_A_PORT_FLAGS]) {
		flags = nla_get_u32(tb[TENGUARD_A_PORT_FLAGS]);
		if (!(flags & TENGUARD_PORT_F_APPEND))
			p->flags = flags;
	}
	if (tb[TENGUARD_A_PORT_KIND])
		p->kind = nla_get_u32(tb[TENGUARD_A_PORT_KIND]);
	if (tb[TENGUARD_A_PORT_TENANT])
		p->tenant = nla_get_u32(tb[TENGUARD_A_PORT_TENANT]);
	if (tb[TENGUARD_A_PORT_MASTER])
		p->master = nla_get_u32(tb[TENGUARD_A_PORT_MASTER]);
	err = tg_parse_lists(p, nest, flags & TENGUARD_PORT_F_APPEND, extack);
	if (err)
		return err;
	err = tg_port_precheck(p, nest, tb, extack);
	if (err)
		return err;
	return tg_parse_rates(p, nest, extack);
}

void tg_req_end(struct tg_req *r)
{
	mutex_unlock(&tg_lock);
	rtnl_unlock();
	put_net(r->net);
}

/*
 * Resolve the device a request (its attrs, from a caller in net) names and
 * lock for it; the device must be a port already (exists) or not yet
 * (!exists). On error nothing is held.
 */
int tg_req_begin_attrs(struct tg_req *r, struct nlattr **attrs,
		       struct net *net, struct netlink_ext_ack *extack,
		       const struct nla_policy *policy, bool exists)
{
	int err;

	err = tg_port_attrs(attrs, r->tb, policy, extack);
	if (err)
		return err;
	r->nest = attrs[TENGUARD_A_PORT];
	r->net = tg_port_net(net, r->tb, extack);
	if (IS_ERR(r->net))
		return PTR_ERR(r->net);
	rtnl_lock();
	mutex_lock(&tg_lock);
	r->dev = tg_port_dev(r->net, r->nest, r->tb, extack);
	if (IS_ERR(r->dev)) {
		err = PTR_ERR(r->dev);
		mutex_unlock(&tg_lock);
		rtnl_unlock();
		put_net(r->net);
		return err;
	}
	r->port = tg_port_find(r->net, r->dev->ifindex);
	if (!r->port && exists) {
		NL_SET_ERR_MSG_ATTR(extack, r->nest,
				    "device is not a tenguard port");
		err = -ENOENT;
	} else if (r->port && !exists) {
		NL_SET_ERR_MSG_ATTR(extack, r->nest, "device is already a port");
		err = -EEXIST;
	}
	if (err)
		tg_req_end(r);
	return err;
}

int tg_req_begin(struct tg_req *r, struct genl_info *info,
		 const struct nla_policy *policy, bool exists)
{
	return tg_req_begin_attrs(r, info->attrs, genl_info_net(info),
				  info->extack, policy, exists);
}

static int tg_nl_port_new(struct sk_buff *skb, struct genl_info *info)
{
	struct tg_port *p = NULL;
	struct tg_req r;
	int err;

	err = tg_req_begin(&r, info, tg_port_policy, false);
	if (err)
		return err;
	if (r.dev->flags & IFF_LOOPBACK || netif_is_bridge_master(r.dev) ||
	    netif_is_bond_master(r.dev)) {
		NL_SET_ERR_MSG_ATTR(info->extack, r.nest,
				    "loopback and master devices cannot be ports");
		err = -EOPNOTSUPP;
		goto out;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		err = -ENOMEM;
		goto out;
	}
	p->net = r.net;
	p->ifindex = r.dev->ifindex;
	strscpy(p->ifname, r.dev->name, sizeof(p->ifname));
	err = tg_port_apply(p, r.nest, r.tb, info->extack);
	if (err)
		goto out;
	/* fail closed: up again only once the daemon acked this generation */
	if (r.dev->flags & IFF_UP) {
		err = dev_change_flags(r.dev, dev_get_flags(r.dev) & ~IFF_UP,
				       info->extack);
		if (err)
			goto out;
	}
	tg_port_insert(p);
	tg_notify_port(p, TENGUARD_CMD_PORT_NEW, info);
	p = NULL;
out:
	tg_req_end(&r);
	tg_port_free(p);
	return err;
}

static int tg_nl_port_set(struct sk_buff *skb, struct genl_info *info)
{
	struct tg_port *p = NULL;
	struct tg_req r;
	int err;

	err = tg_req_begin(&r, info, tg_port_policy, true);
	if (err)
		return err;
	p = tg_port_dup(r.port);
	if (!p) {
		err = -ENOMEM;
		goto out;
	}
	err = tg_port_apply(p, r.nest, r.tb, info->extack);
	if (err)
		goto out;
	tg_port_replace(r.port, p, true);
	tg_notify_port(p, TENGUARD_CMD_PORT_SET, info);
	p = NULL;
out:
	tg_req_end(&r);
	tg_port_free(p);
	return err;
}

static int tg_nl_port_del(struct sk_buff *skb, struct genl_info *info)
{
	struct tg_req r;
	int err;

	err = tg_req_begin(&r, info, tg_port_policy, true);
	if (err)
		return err;
	tg_notify_port(r.port, TENGUARD_CMD_PORT_DEL, info);
	tg_port_remove(r.port);
	tg_req_end(&r);
	return 0;
}

static int tg_nl_port_ack(struct sk_buff *skb, struct genl_info *info)
{
	struct tg_port *p;
	struct tg_req r;
	u64 gen;
	int err;

	err = tg_req_begin(&r, info, tg_ack_policy, true);
	if (err)
		return err;
	if (tg_missing(info->extack, r.nest, r.tb, TENGUARD_A_PORT_GENERATION,
		       "missing generation to acknowledge")) {
		err = -EINVAL;
		goto out;
	}
	gen = nla_get_u64(r.tb[TENGUARD_A_PORT_GENERATION]);
	if (gen != r.port->generation) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    r.tb[TENGUARD_A_PORT_GENERATION],
				    "not the port's current generation");
		err = -ESTALE;
		goto out;
	}
	p = tg_port_dup(r.port);
	if (!p) {
		err = -ENOMEM;
		goto out;
	}
	p->acked = gen;
	tg_port_replace(r.port, p, false);
	tg_notify_port(p, TENGUARD_CMD_PORT_ACK, info);
out:
	tg_req_end(&r);
	return err;
}

/*
 * Quarantine is a VM port's state, kept across PORT_SETs; a request that
 * changes nothing changes no generation either.
 */
static int tg_nl_port_quarantine(struct sk_buff *skb, struct genl_info *info)
{
	struct tg_port *p;
	struct tg_req r;
	bool on;
	int err;

	err = tg_req_begin(&r, info, tg_quarantine_policy, true);
	if (err)
		return err;
	if (tg_missing(info->extack, r.nest, r.tb, TENGUARD_A_PORT_QUARANTINE,
		       "missing quarantine state")) {
		err = -EINVAL;
		goto out;
	}
	if (r.port->kind != TENGUARD_PORT_VM) {
		NL_SET_ERR_MSG_ATTR(info->extack, r.nest,
				    "only a VM port can be quarantined");
		err = -EOPNOTSUPP;
		goto out;
	}
	on = nla_get_u8(r.tb[TENGUARD_A_PORT_QUARANTINE]);
	if (on == r.port->quarantined)
		goto out;
	p = tg_port_dup(r.port);
	if (!p) {
		err = -ENOMEM;
		goto out;
	}
	p->quarantined = on;
	tg_port_replace(r.port, p, true);
	tg_notify_port(p, TENGUARD_CMD_PORT_QUARANTINE, info);
out:
	tg_req_end(&r);
	return err;
}

static int tg_nl_port_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg = NULL;
	struct tg_req r;
	int err;

	err = tg_req_begin(&r, info, tg_port_policy, true);
	if (err)
		return err;
	msg = genlmsg_new(tg_port_msg_size(r.port), GFP_KERNEL);
	err = msg ? tg_port_fill(msg, r.port, info->snd_portid, info->snd_seq,
				 0, TENGUARD_CMD_PORT_GET, NULL) : -ENOMEM;
	tg_req_end(&r);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * A dump lists the ports of one netns: the caller's, or the one the
 * request's TENGUARD_A_PORT_NETNSID names. Cursor: args[0] bucket, args[1]
 * index; args[2] the netns, referenced from start to done.
 */
static int tg_nl_port_dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct nlattr *tb[TENGUARD_A_PORT_MAX + 1] = { NULL };
	struct net *net = sock_net(cb->skb->sk);
	int err;

	if (info->attrs[TENGUARD_A_PORT]) {
		err = nla_parse_nested(tb, TENGUARD_A_PORT_MAX,
				       info->attrs[TENGUARD_A_PORT],
				       tg_port_policy, cb->extack);
		if (err)
			return err;
	}
	net = tg_port_net(net, tb, cb->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);
	cb->args[2] = (unsigned long)net;
	return 0;
}

static int tg_nl_port_dump_done(struct netlink_callback *cb)
{
	if (cb->args[2])
		put_net((struct net *)cb->args[2]);
	return 0;
}

static int tg_nl_port_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct net *net = (const struct net *)cb->args[2];
	struct tg_port *p;
	int err = 0;

	rcu_read_lock();
	cb->seq = tg_store_seq();
	while ((p = tg_port_at(net, &cb->args[0], &cb->args[1]))) {
		err = tg_port_fill(skb, p, NETLINK_CB(cb->skb).portid,
				   cb->nlh->nlmsg_seq, NLM_F_MULTI,
				   TENGUARD_CMD_PORT_GET, cb);
		if (err)
			break;
		cb->args[1]++;
	}
	rcu_read_unlock();
	return tg_dump_ret(skb, err);
}

void tg_port_dev_gone(struct net_device *dev)
{
	struct tg_port *p;

	ASSERT_RTNL();
	mutex_lock(&tg_lock);
	p = tg_port_find(dev_net(dev), dev->ifindex);
	if (p) {
		tg_notify_port(p, TENGUARD_CMD_PORT_DEL, NULL);
		tg_port_remove(p);
	}
	mutex_unlock(&tg_lock);
}

static const struct genl_ops tg_genl_ops[] = {
	{
		.cmd = TENGUARD_CMD_TENANT_NEW,
		.doit = tg_nl_tenant_new,
		.policy = tg_tenant_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TENGUARD_CMD_TENANT_SET,
		.doit = tg_nl_tenant_set,
		.policy = tg_tenant_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TENGUARD_CMD_TENANT_DEL,
		.doit = tg_nl_tenant_del,
		.policy = tg_tenant_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TENGUARD_CMD_TENANT_GET,
		.doit = tg_nl_tenant_get,
		.dumpit = tg_nl_tenant_dump,
		.policy = tg_tenant_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TENGUARD_CMD_PORT_NEW,
		.doit = tg_nl_port_new,
		.policy = tg_port_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TENGUARD_CMD_PORT_SET,
		.doit = tg_nl_port_set,
		.policy = tg_port_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TENGUARD_CMD_PORT_DEL,
		.doit = tg_nl_port_del,
		.policy = tg_port_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TENGUARD_CMD_PORT_GET,
		.doit = tg_nl_port_get,
		.start = tg_nl_port_dump_start,
		.dumpit = tg_nl_port_dump,
		.done = tg_nl_port_dump_done,
		.policy = tg_port_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TENGUARD_CMD_PORT_ACK,
		.doit = tg_nl_port_ack,
		.policy = tg_ack_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TENGUARD_CMD_PORT_QUARANTINE,
		.doit = tg_nl_port_quarantine,
		.policy = tg_quarantine_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TENGUARD_CMD_ACL_SET,
		.doit = tg_nl_acl_set,
		.policy = tg_acl_set_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		/* a dump only: one port's rule sets take many messages */
		.cmd = TENGUARD_CMD_ACL_GET,
		.start = tg_nl_acl_dump_start,
		.dumpit = tg_nl_acl_dump,
		.done = tg_nl_acl_dump_done,
		.policy = tg_acl_dir_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TENGUARD_CMD_ACL_DEL,
		.doit = tg_nl_acl_del,
		.policy = tg_acl_dir_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TENGUARD_CMD_NODE_SET,
		.doit = tg_nl_node_set,
		.policy = tg_node_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		/* a dump only: the largest configuration takes many messages */
		.cmd = TENGUARD_CMD_NODE_GET,
		.start = tg_nl_node_dump_start,
		.dumpit = tg_nl_node_dump,
		.done = tg_nl_node_dump_done,
		.policy = tg_node_get_cmd_policy,
		.maxattr = TENGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group tg_mcgrps[] = {
	[TG_MCGRP_CONFIG] = { .name = TENGUARD_MCGRP_CONFIG },
	[TG_MCGRP_EVENTS] = { .name = TENGUARD_MCGRP_EVENTS },
};

struct genl_family tg_genl_family __ro_after_init = {
	.name = TENGUARD_GENL_NAME,
	.version = TENGUARD_GENL_VERSION,
	.maxattr = TENGUARD_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = tg_genl_ops,
	.n_ops = ARRAY_SIZE(tg_genl_ops),
	.resv_start_op = TENGUARD_CMD_MAX + 1,
	.mcgrps = tg_mcgrps,
	.n_mcgrps = ARRAY_SIZE(tg_mcgrps),
};

int tg_netlink_init(void)
{
	return genl_register_family(&tg_genl_family);
}

void tg_netlink_exit(void)
{
	genl_unregister_family(&tg_genl_family);
}
