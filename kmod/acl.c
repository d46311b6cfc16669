// SPDX-License-Identifier: GPL-2.0
/*
 * Rule sets of VM ports: TENGUARD_CMD_ACL_SET, _GET and _DEL, and the
 * rules themselves, which node.c parses and sends the same way.
 *
 * A rule set is published whole: a SET builds a new struct tg_acl and a
 * new version of the port carrying it, and swaps the port (store.c), so a
 * reader sees the old set or the new one. A set larger than a message
 * comes as parts with TENGUARD_ACL_F_MORE, collected in a staging area
 * that belongs to the port and direction and that no reader sees, until
 * the last part (without F_MORE) publishes all of it.
 *
 * Staging, exactly:
 *  - a part with TENGUARD_A_ACL_DEFAULT starts a rule set: it discards
 *    whatever was staged for that port and direction (a client that gave
 *    up half way leaves nothing in the way of the next one);
 *  - a part without DEFAULT continues the staged set, from the socket that
 *    started it only (EBUSY from any other); without a staged set it is
 *    refused (EINVAL, missing default);
 *  - F_MORE stages the part; without F_MORE the staged rules and the
 *    part's are published as the rule set, replacing the old one whole;
 *  - a part that fails changes nothing, staging included;
 *  - ACL_DEL, and the port's deletion (PORT_DEL, the device going, the
 *    module going), discard the staged set.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/list.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/stringify.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "tenguard.h"
#include "acl.h"
#include "netlink.h"
#include "store.h"

static const struct nla_policy tg_rule_policy[TENGUARD_A_RULE_MAX + 1] = {
	[TENGUARD_A_RULE_ACTION] = NLA_POLICY_MAX(NLA_U32,
						  TENGUARD_ACL_ACTION_MAX),
	[TENGUARD_A_RULE_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						  __TENGUARD_RULE_F_ALL),
	[TENGUARD_A_RULE_REMOTE] = NLA_POLICY_NESTED(tg_addr_policy),
	[TENGUARD_A_RULE_GROUP] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&tg_group_range),
	[TENGUARD_A_RULE_PROTO] = { .type = NLA_U8 },
	[TENGUARD_A_RULE_PORT_MIN] = { .type = NLA_U16 },
	[TENGUARD_A_RULE_PORT_MAX] = { .type = NLA_U16 },
	[TENGUARD_A_RULE_ICMP_TYPE] = { .type = NLA_U8 },
	[TENGUARD_A_RULE_ICMP_CODE] = { .type = NLA_U8 },
};

static const struct nla_policy tg_acl_policy[TENGUARD_A_ACL_MAX + 1] = {
	[TENGUARD_A_ACL_DIR] = NLA_POLICY_MAX(NLA_U32, TENGUARD_ACL_DIR_MAX),
	[TENGUARD_A_ACL_DEFAULT] = NLA_POLICY_MAX(NLA_U32,
						  TENGUARD_ACL_ACTION_MAX),
	[TENGUARD_A_ACL_FLAGS] = NLA_POLICY_MASK(NLA_U32, __TENGUARD_ACL_F_ALL),
	/*
	 * Each rule is parsed with tg_rule_policy by the handler rather than
	 * validated up front, so that every error names its rule.
	 */
	[TENGUARD_A_ACL_RULE] = { .type = NLA_NESTED },
	[TENGUARD_A_ACL_OFFSET] = { .type = NLA_REJECT,
				    .reject_message = "offset is read only" },
	[TENGUARD_A_ACL_COUNT] = { .type = NLA_REJECT,
				   .reject_message = "count is read only" },
};

/* ACL_GET and ACL_DEL name a direction, nothing else */
static const struct nla_policy tg_acl_dir_policy[TENGUARD_A_ACL_MAX + 1] = {
	[TENGUARD_A_ACL_DIR] = NLA_POLICY_MAX(NLA_U32, TENGUARD_ACL_DIR_MAX),
};

const struct nla_policy tg_acl_set_cmd_policy[TENGUARD_A_MAX + 1] = {
	[TENGUARD_A_PORT] = NLA_POLICY_NESTED(tg_port_ref_policy),
	[TENGUARD_A_ACL] = NLA_POLICY_NESTED(tg_acl_policy),
};

const struct nla_policy tg_acl_dir_cmd_policy[TENGUARD_A_MAX + 1] = {
	[TENGUARD_A_PORT] = NLA_POLICY_NESTED(tg_port_ref_policy),
	[TENGUARD_A_ACL] = NLA_POLICY_NESTED(tg_acl_dir_policy),
};

/* ---- rule sets ---- */

struct tg_acl *tg_acl_alloc(u32 n_rules, u32 dflt)
{
	struct tg_acl *acl;

	/* 16384 rules are 448 KiB: vmalloc when pages are scattered */
	acl = kvmalloc(struct_size(acl, rules, n_rules), GFP_KERNEL);
	if (!acl)
		return NULL;
	refcount_set(&acl->ref, 1);
	acl->dflt = dflt;
	acl->n_rules = n_rules;
	return acl;
}

void tg_acl_put(struct tg_acl *acl)
{
	/* vfree() defers itself when called from an RCU callback */
	if (acl && refcount_dec_and_test(&acl->ref))
		kvfree(acl);
}

/* ---- rules ---- */

u32 tg_nla_count(const struct nlattr *nest, int type)
{
	const struct nlattr *a;
	u32 n = 0;
	int rem;

	nla_for_each_nested(a, nest, rem)
		n += nla_type(a) == type;
	return n;
}

static bool tg_proto_has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE;
}

static bool tg_proto_is_icmp(u8 proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static int tg_rule_remote(struct nlattr **tb, struct tenguard_acl_rule *r,
			  struct netlink_ext_ack *extack)
{
	struct tg_addr ad;
	int err;

	err = tg_parse_addr(tb[TENGUARD_A_RULE_REMOTE], &ad, extack);
	if (err)
		return err;
	r->family = ad.family == AF_INET ? 4 : 6;
	r->prefixlen = ad.prefixlen;
	memcpy(r->addr, ad.addr, sizeof(r->addr));
	/* a rule that can never match is a mistake, not a policy */
	if (r->family == 4 && r->proto == IPPROTO_ICMPV6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_RULE_PROTO],
				    "icmpv6 never comes from or to an IPv4 remote");
		return -EINVAL;
	}
	if (r->family == 6 && r->proto == IPPROTO_ICMP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_RULE_PROTO],
				    "icmp never comes from or to an IPv6 remote");
		return -EINVAL;
	}
	return 0;
}

/* the rules across a rule's attributes; the policy checked each alone */
static int tg_rule_precheck(const struct nlattr *nest, struct nlattr **tb,
			    bool node, struct tenguard_acl_rule *r,
			    struct netlink_ext_ack *extack)
{
	int err;

	if (tb[TENGUARD_A_RULE_REMOTE] && tb[TENGUARD_A_RULE_GROUP]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_RULE_GROUP],
				    "a remote prefix and a remote group exclude each other");
		return -EINVAL;
	}
	if (tb[TENGUARD_A_RULE_REMOTE]) {
		err = tg_rule_remote(tb, r, extack);
		if (err)
			return err;
	}
	if (tb[TENGUARD_A_RULE_GROUP]) {
		/* groups are a tenant's; the node's rules serve every tenant */
		if (node) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_RULE_GROUP],
					    "a node rule has no remote group");
			return -EINVAL;
		}
		r->group = nla_get_u32(tb[TENGUARD_A_RULE_GROUP]);
	}
	if (tb[TENGUARD_A_RULE_PORT_MAX] &&
	    tg_missing(extack, nest, tb, TENGUARD_A_RULE_PORT_MIN,
		       "a port max needs a port min"))
		return -EINVAL;
	if (tb[TENGUARD_A_RULE_PORT_MIN]) {
		if (!tg_proto_has_ports(r->proto)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_RULE_PORT_MIN],
					    "ports need proto tcp, udp, sctp or udplite");
			return -EINVAL;
		}
		r->port_min = nla_get_u16(tb[TENGUARD_A_RULE_PORT_MIN]);
		r->port_max = r->port_min;
		if (tb[TENGUARD_A_RULE_PORT_MAX])
			r->port_max = nla_get_u16(tb[TENGUARD_A_RULE_PORT_MAX]);
		if (r->port_min > r->port_max) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_RULE_PORT_MAX],
					    "port min above port max");
			return -EINVAL;
		}
		r->match |= TENGUARD_RULE_M_PORTS;
	}
	if (tb[TENGUARD_A_RULE_ICMP_CODE] &&
	    tg_missing(extack, nest, tb, TENGUARD_A_RULE_ICMP_TYPE,
		       "an icmp code needs an icmp type"))
		return -EINVAL;
	if (tb[TENGUARD_A_RULE_ICMP_TYPE]) {
		if (!tg_proto_is_icmp(r->proto)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_RULE_ICMP_TYPE],
					    "icmp type and code need proto icmp or icmpv6");
			return -EINVAL;
		}
		r->icmp_type = nla_get_u8(tb[TENGUARD_A_RULE_ICMP_TYPE]);
		r->match |= TENGUARD_RULE_M_ICMP_TYPE;
	}
	if (tb[TENGUARD_A_RULE_ICMP_CODE]) {
		r->icmp_code = nla_get_u8(tb[TENGUARD_A_RULE_ICMP_CODE]);
		r->match |= TENGUARD_RULE_M_ICMP_CODE;
	}
	return 0;
}

static int tg_rule_parse(const struct nlattr *nest, bool node,
			 struct tenguard_acl_rule *r,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TENGUARD_A_RULE_MAX + 1];
	int err;

	err = nla_parse_nested(tb, TENGUARD_A_RULE_MAX, nest, tg_rule_policy,
			       extack);
	if (err)
		return err;
	if (tg_missing(extack, nest, tb, TENGUARD_A_RULE_ACTION,
		       "missing action"))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->action = nla_get_u32(tb[TENGUARD_A_RULE_ACTION]);
	if (tb[TENGUARD_A_RULE_FLAGS])
		r->flags = nla_get_u32(tb[TENGUARD_A_RULE_FLAGS]);
	/* 0 is "any", as an absent proto */
	if (tb[TENGUARD_A_RULE_PROTO])
		r->proto = nla_get_u8(tb[TENGUARD_A_RULE_PROTO]);
	return tg_rule_precheck(nest, tb, node, r, extack);
}

int tg_rules_parse(const struct nlattr *nest, int type, const char *what,
		   u32 base, bool node, struct tenguard_acl_rule *out,
		   struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, err;
	u32 i = 0;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != type || (node && !nla_len(a)))
			continue;
		err = tg_rule_parse(a, node, &out[i], extack);
		if (err) {
			tg_extack_item(extack, a, what, base + i);
			return err;
		}
		i++;
	}
	return 0;
}

int tg_rule_put(struct sk_buff *skb, int type, const struct tenguard_acl_rule *r)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	struct tg_addr ad;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TENGUARD_A_RULE_ACTION, r->action) ||
	    (r->flags && nla_put_u32(skb, TENGUARD_A_RULE_FLAGS, r->flags)) ||
	    (r->group && nla_put_u32(skb, TENGUARD_A_RULE_GROUP, r->group)) ||
	    (r->proto && nla_put_u8(skb, TENGUARD_A_RULE_PROTO, r->proto)))
		goto cancel;
	if (r->family) {
		ad.family = r->family == 4 ? AF_INET : AF_INET6;
		ad.prefixlen = r->prefixlen;
		memcpy(ad.addr, r->addr, sizeof(ad.addr));
		if (tg_addr_put(skb, TENGUARD_A_RULE_REMOTE, &ad))
			goto cancel;
	}
	if ((r->match & TENGUARD_RULE_M_PORTS) &&
	    (nla_put_u16(skb, TENGUARD_A_RULE_PORT_MIN, r->port_min) ||
	     nla_put_u16(skb, TENGUARD_A_RULE_PORT_MAX, r->port_max)))
		goto cancel;
	if ((r->match & TENGUARD_RULE_M_ICMP_TYPE) &&
	    nla_put_u8(skb, TENGUARD_A_RULE_ICMP_TYPE, r->icmp_type))
		goto cancel;
	if ((r->match & TENGUARD_RULE_M_ICMP_CODE) &&
	    nla_put_u8(skb, TENGUARD_A_RULE_ICMP_CODE, r->icmp_code))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* ---- staging: writers only, under tg_lock ---- */

struct tg_acl_stage {
	struct list_head node;		/* tg_stages */
	const struct net *net;		/* with ifindex and dir: whose */
	int ifindex;
	u32 dir;
	u32 dflt;
	/* the socket that started it: compared, never dereferenced */
	const struct net *owner_net;
	u32 owner_portid;
	u32 n_rules, cap;
	struct tenguard_acl_rule *rules;
};

static LIST_HEAD(tg_stages);
/* rules in all of them, for TENGUARD_ACL_NODE_RULES_MAX */
static u32 tg_staged;

static struct tg_acl_stage *tg_stage_find(const struct net *net,
					  int ifindex, u32 dir)
{
	struct tg_acl_stage *st;

	lockdep_assert_held(&tg_lock);
	list_for_each_entry(st, &tg_stages, node)
		if (st->ifindex == ifindex && st->dir == dir &&
		    net_eq(st->net, net))
			return st;
	return NULL;
}

static void tg_stage_free(struct tg_acl_stage *st)
{
	if (!st)
		return;
	kvfree(st->rules);
	kfree(st);
}

/* take it off the list and free it */
static void tg_stage_drop(struct tg_acl_stage *st)
{
	lockdep_assert_held(&tg_lock);
	tg_staged -= st->n_rules;
	list_del(&st->node);
	tg_stage_free(st);
}

void tg_acl_stage_drop(const struct net *net, int ifindex)
{
	struct tg_acl_stage *st;
	u32 dir;

	for (dir = 0; dir < __TENGUARD_ACL_DIR_MAX; dir++) {
		st = tg_stage_find(net, ifindex, dir);
		if (st)
			tg_stage_drop(st);
	}
}

void tg_acl_stage_exit(void)
{
	struct tg_acl_stage *st, *tmp;

	list_for_each_entry_safe(st, tmp, &tg_stages, node)
		tg_stage_drop(st);
}

/* room for n rules in all; doubling keeps many small parts linear */
static int tg_stage_reserve(struct tg_acl_stage *st, u32 n)
{
	struct tenguard_acl_rule *rules;
	u32 cap;

	if (n <= st->cap)
		return 0;
	cap = clamp_t(u32, st->cap * 2, n, TENGUARD_ACL_RULES_MAX);
	rules = kvmalloc_array(cap, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		return -ENOMEM;
	if (st->n_rules)
		memcpy(rules, st->rules, st->n_rules * sizeof(*rules));
	kvfree(st->rules);
	st->rules = rules;
	st->cap = cap;
	return 0;
}

/* ---- commands ---- */

static int tg_acl_attrs(struct nlattr **attrs, struct nlattr **tb,
			const struct nla_policy *policy,
			struct netlink_ext_ack *extack)
{
	if (tg_missing(extack, NULL, attrs, TENGUARD_A_ACL, "missing acl"))
		return -EINVAL;
	return nla_parse_nested(tb, TENGUARD_A_ACL_MAX, attrs[TENGUARD_A_ACL],
				policy, extack);
}

static int tg_acl_vm_port(const struct tg_req *r,
			  struct netlink_ext_ack *extack)
{
	if (r->port->kind == TENGUARD_PORT_VM)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, r->nest, "only a VM port has rule sets");
	return -EOPNOTSUPP;
}

static size_t tg_acl_notify_size(void)
{
	return nla_total_size(0) + nla_total_size(4) +
	       nla_total_size(IFNAMSIZ) + nla_total_size_64bit(8) +
	       nla_total_size(0) + 3 * nla_total_size(4);
}

/*
 * Tell "config" which rule set changed, not its rules: a listener that
 * cares dumps them (TENGUARD_CMD_ACL_GET), as large as they may be.
 */
static void tg_notify_acl(const struct tg_port *p, u32 dir, u8 cmd,
			  struct genl_info *info)
{
	const struct tg_acl *acl = p->acl[dir];
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(tg_acl_notify_size(), GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, info->snd_portid, info->snd_seq,
			  &tg_genl_family, 0, cmd);
	if (!hdr)
		goto err;
	if (tg_port_put_id(skb, p->ifindex, p->ifname, p->generation))
		goto err;
	nest = nla_nest_start(skb, TENGUARD_A_ACL);
	if (!nest || nla_put_u32(skb, TENGUARD_A_ACL_DIR, dir))
		goto err;
	if (acl && (nla_put_u32(skb, TENGUARD_A_ACL_DEFAULT, acl->dflt) ||
		    nla_put_u32(skb, TENGUARD_A_ACL_COUNT, acl->n_rules)))
		goto err;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&tg_genl_family, p->net, skb, 0,
				TG_MCGRP_CONFIG, GFP_KERNEL);
	return;
err:
	nlmsg_free(skb);
}

/* one ACL_SET part, as the handler and its helpers see it */
struct tg_acl_part {
	struct tg_req r;
	struct nlattr *nest;		/* TENGUARD_A_ACL */
	struct tg_acl_stage *st;	/* staged for port and dir, if any */
	u32 dir;
	u32 n;				/* rules in this part */
	u32 base;			/* index of its first in the set */
	bool first;			/* it carries the default */
	bool more;			/* TENGUARD_ACL_F_MORE */
};

/* the limits, counting what the part would leave on the node */
static int tg_acl_limits(const struct tg_acl_part *pt,
			 struct netlink_ext_ack *extack)
{
	const struct tg_acl *old = pt->r.port->acl[pt->dir];
	u64 total;

	if (pt->base + pt->n > TENGUARD_ACL_RULES_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, pt->nest,
				    "too many rules in the rule set (max "
				    __stringify(TENGUARD_ACL_RULES_MAX) ")");
		return -E2BIG;
	}
	total = (u64)tg_store_acl_rules() + tg_staged + pt->base + pt->n;
	if (pt->st)
		total -= pt->st->n_rules;
	if (!pt->more && old)
		total -= old->n_rules;
	if (total > TENGUARD_ACL_NODE_RULES_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, pt->nest,
				    "too many rules on the node (max "
				    __stringify(TENGUARD_ACL_NODE_RULES_MAX) ")");
		return -E2BIG;
	}
	return 0;
}

/* F_MORE: add the part to the staged set, or start one */
static int tg_acl_stage_part(struct tg_acl_part *pt, struct nlattr **tb,
			     struct genl_info *info)
{
	struct tg_acl_stage *st = pt->st, *fresh = NULL;
	int err;

	if (pt->first) {
		fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
		if (!fresh)
			return -ENOMEM;
		fresh->net = pt->r.net;
		fresh->ifindex = pt->r.port->ifindex;
		fresh->dir = pt->dir;
		fresh->dflt = nla_get_u32(tb[TENGUARD_A_ACL_DEFAULT]);
		fresh->owner_net = genl_info_net(info);
		fresh->owner_portid = info->snd_portid;
		st = fresh;
	}
	err = tg_stage_reserve(st, st->n_rules + pt->n);
	if (!err)
		err = tg_rules_parse(pt->nest, TENGUARD_A_ACL_RULE, "rule",
				     pt->base, false, st->rules + st->n_rules,
				     info->extack);
	if (err) {
		tg_stage_free(fresh);
		return err;
	}
	st->n_rules += pt->n;
	tg_staged += pt->n;
	if (fresh) {
		if (pt->st)
			tg_stage_drop(pt->st);
		list_add(&fresh->node, &tg_stages);
	}
	return 0;
}

/* no F_MORE: publish what was staged and the part as the rule set */
static int tg_acl_publish(struct tg_acl_part *pt, struct nlattr **tb,
			  struct genl_info *info)
{
	const struct tg_acl_stage *st = pt->first ? NULL : pt->st;
	struct tg_acl *acl;
	struct tg_port *p;
	int err;

	acl = tg_acl_alloc(pt->base + pt->n, st ? st->dflt :
			   nla_get_u32(tb[TENGUARD_A_ACL_DEFAULT]));
	if (!acl)
		return -ENOMEM;
	if (st && st->n_rules)
		memcpy(acl->rules, st->rules, st->n_rules * sizeof(*acl->rules));
	err = tg_rules_parse(pt->nest, TENGUARD_A_ACL_RULE, "rule", pt->base,
			     false, acl->rules + pt->base, info->extack);
	if (err)
		goto err;
	p = tg_port_dup(pt->r.port);
	if (!p) {
		err = -ENOMEM;
		goto err;
	}
	/* the copy took a reference on the old set; the old port keeps its */
	tg_acl_put(p->acl[pt->dir]);
	p->acl[pt->dir] = acl;
	tg_port_replace(pt->r.port, p, true);
	if (pt->st)
		tg_stage_drop(pt->st);
	tg_notify_acl(p, pt->dir, TENGUARD_CMD_ACL_SET, info);
	return 0;
err:
	tg_acl_put(acl);
	return err;
}

int tg_nl_acl_set(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[TENGUARD_A_ACL_MAX + 1];
	struct tg_acl_part pt = { };
	u32 flags = 0;
	int err;

	err = tg_acl_attrs(info->attrs, tb, tg_acl_policy, extack);
	if (err)
		return err;
	pt.nest = info->attrs[TENGUARD_A_ACL];
	if (tg_missing(extack, pt.nest, tb, TENGUARD_A_ACL_DIR,
		       "missing direction"))
		return -EINVAL;
	pt.dir = nla_get_u32(tb[TENGUARD_A_ACL_DIR]);
	if (tb[TENGUARD_A_ACL_FLAGS])
		flags = nla_get_u32(tb[TENGUARD_A_ACL_FLAGS]);
	pt.more = flags & TENGUARD_ACL_F_MORE;
	pt.first = !!tb[TENGUARD_A_ACL_DEFAULT];
	pt.n = tg_nla_count(pt.nest, TENGUARD_A_ACL_RULE);

	err = tg_req_begin(&pt.r, info, tg_port_ref_policy, true);
	if (err)
		return err;
	err = tg_acl_vm_port(&pt.r, extack);
	if (err)
		goto out;
	pt.st = tg_stage_find(pt.r.net, pt.r.port->ifindex, pt.dir);
	if (!pt.first && !pt.st) {
		tg_missing(extack, pt.nest, tb, TENGUARD_A_ACL_DEFAULT,
			   "missing default: no rule set is being staged");
		err = -EINVAL;
		goto out;
	}
	if (!pt.first && (pt.st->owner_portid != info->snd_portid ||
			  pt.st->owner_net != genl_info_net(info))) {
		NL_SET_ERR_MSG_ATTR(extack, pt.nest,
				    "another socket is staging this rule set");
		err = -EBUSY;
		goto out;
	}
	pt.base = pt.first ? 0 : pt.st->n_rules;
	err = tg_acl_limits(&pt, extack);
	if (err)
		goto out;
	if (pt.more)
		err = tg_acl_stage_part(&pt, tb, info);
	else
		err = tg_acl_publish(&pt, tb, info);
out:
	tg_req_end(&pt.r);
	return err;
}

int tg_nl_acl_del(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[TENGUARD_A_ACL_MAX + 1];
	struct tg_acl_stage *st;
	struct tg_port *p;
	struct tg_req r;
	u32 dir;
	int err;

	err = tg_acl_attrs(info->attrs, tb, tg_acl_dir_policy, extack);
	if (err)
		return err;
	if (tg_missing(extack, info->attrs[TENGUARD_A_ACL], tb,
		       TENGUARD_A_ACL_DIR, "missing direction"))
		return -EINVAL;
	dir = nla_get_u32(tb[TENGUARD_A_ACL_DIR]);
	err = tg_req_begin(&r, info, tg_port_ref_policy, true);
	if (err)
		return err;
	err = tg_acl_vm_port(&r, extack);
	if (err)
		goto out;
	st = tg_stage_find(r.net, r.port->ifindex, dir);
	if (!st && !r.port->acl[dir]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TENGUARD_A_ACL_DIR],
				    "no rule set in this direction");
		err = -ENOENT;
		goto out;
	}
	/* a staged set alone is nobody else's business: no new generation */
	if (r.port->acl[dir]) {
		p = tg_port_dup(r.port);
		if (!p) {
			err = -ENOMEM;
			goto out;
		}
		tg_acl_put(p->acl[dir]);
		p->acl[dir] = NULL;
		tg_port_replace(r.port, p, true);
		tg_notify_acl(p, dir, TENGUARD_CMD_ACL_DEL, info);
	}
	if (st)
		tg_stage_drop(st);
out:
	tg_req_end(&r);
	return err;
}

/*
 * A dump of one port's rule sets sends what was published when it
 * started (each set referenced until done) and flags NLM_F_DUMP_INTR on a
 * part sent after the port changed: the rules are never a mix of two
 * versions, and a client that sees the flag knows they are stale.
 */
struct tg_acl_dump {
	struct net *net;		/* referenced; NULL until resolved */
	int ifindex;
	char ifname[IFNAMSIZ];
	u64 generation;			/* of the port the sets are from */
	struct tg_acl *acl[__TENGUARD_ACL_DIR_MAX];	/* the ones asked */
	u32 dir;			/* cursor: the set being sent */
	u32 off;			/* its next rule */
	bool sent;			/* its first message went out */
};

int tg_nl_acl_dump_start(struct netlink_callback *cb)
{
	struct tg_acl_dump *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return -ENOMEM;
	cb->args[0] = (unsigned long)d;
	return 0;
}

/*
 * The dump's first call resolves the port, not start(): 6.1 gives start()
 * no extack (cb->extack is set around dumpit calls only), and an error
 * here reaches the client with its message, in NLMSG_DONE.
 */
static int tg_acl_dump_open(struct netlink_callback *cb, struct tg_acl_dump *d)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct nlattr *tb[TENGUARD_A_ACL_MAX + 1] = { NULL };
	struct tg_req r;
	u32 dir;
	int err;

	if (info->attrs[TENGUARD_A_ACL]) {
		err = nla_parse_nested(tb, TENGUARD_A_ACL_MAX,
				       info->attrs[TENGUARD_A_ACL],
				       tg_acl_dir_policy, cb->extack);
		if (err)
			return err;
	}
	err = tg_req_begin_attrs(&r, info->attrs, sock_net(cb->skb->sk),
				 cb->extack, tg_port_ref_policy, true);
	if (err)
		return err;
	err = tg_acl_vm_port(&r, cb->extack);
	if (err) {
		tg_req_end(&r);
		return err;
	}
	d->net = get_net(r.net);
	d->ifindex = r.port->ifindex;
	strscpy(d->ifname, r.port->ifname, sizeof(d->ifname));
	d->generation = r.port->generation;
	for (dir = 0; dir < __TENGUARD_ACL_DIR_MAX; dir++)
		if (!tb[TENGUARD_A_ACL_DIR] ||
		    nla_get_u32(tb[TENGUARD_A_ACL_DIR]) == dir)
			d->acl[dir] = tg_acl_get(r.port->acl[dir]);
	tg_req_end(&r);
	return 0;
}

int tg_nl_acl_dump_done(struct netlink_callback *cb)
{
	struct tg_acl_dump *d = (struct tg_acl_dump *)cb->args[0];
	u32 dir;

	if (!d)
		return 0;
	for (dir = 0; dir < __TENGUARD_ACL_DIR_MAX; dir++)
		tg_acl_put(d->acl[dir]);
	if (d->net)
		put_net(d->net);
	kfree(d);
	return 0;
}

/* a message of set d->dir from rule d->off on: the rules it took */
static int tg_acl_fill(struct sk_buff *skb, struct netlink_callback *cb,
		       const struct tg_acl_dump *d, const struct tg_acl *acl)
{
	struct nlattr *nest;
	void *hdr;
	u32 i;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &tg_genl_family, NLM_F_MULTI, TENGUARD_CMD_ACL_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (tg_port_put_id(skb, d->ifindex, d->ifname, d->generation))
		goto cancel;
	nest = nla_nest_start(skb, TENGUARD_A_ACL);
	if (!nest ||
	    nla_put_u32(skb, TENGUARD_A_ACL_DIR, d->dir) ||
	    nla_put_u32(skb, TENGUARD_A_ACL_DEFAULT, acl->dflt) ||
	    nla_put_u32(skb, TENGUARD_A_ACL_COUNT, acl->n_rules) ||
	    nla_put_u32(skb, TENGUARD_A_ACL_OFFSET, d->off))
		goto cancel;
	for (i = d->off; i < acl->n_rules; i++)
		if (tg_rule_put(skb, TENGUARD_A_ACL_RULE, &acl->rules[i]))
			break;
	/* not one rule: this message waits for the next skb */
	if (i == d->off && i < acl->n_rules)
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return i - d->off;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int tg_nl_acl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tg_acl_dump *d = (struct tg_acl_dump *)cb->args[0];
	const struct tg_acl *acl;
	struct tg_port *p;
	int n;

	if (!d->net) {
		n = tg_acl_dump_open(cb, d);
		if (n)
			return n;
	}
	/* a change of the port since the last part flags this one */
	rcu_read_lock();
	p = tg_port_find(d->net, d->ifindex);
	cb->seq = p ? lower_32_bits(p->generation) : 0;
	rcu_read_unlock();

	for (; d->dir < __TENGUARD_ACL_DIR_MAX;
	     d->dir++, d->off = 0, d->sent = false) {
		acl = d->acl[d->dir];
		/* an empty set still has its message, with its default */
		while (acl && (!d->sent || d->off < acl->n_rules)) {
			n = tg_acl_fill(skb, cb, d, acl);
			if (n < 0)
				return tg_dump_ret(skb, n);
			d->off += n;
			d->sent = true;
		}
	}
	return skb->len;
}
