// SPDX-License-Identifier: GPL-2.0
/*
 * The node's configuration, host-wide like tenants: what VM ports may
 * reach of the node (protected prefixes, the services allowed on them),
 * what a quarantined port may still reach (remediation), and the
 * connection tracker's timeouts. TENGUARD_CMD_NODE_SET and _GET.
 *
 * One struct tg_node is published under RCU and replaced whole by a SET;
 * the lists a SET does not carry are taken over from the old one (the
 * rule sets by reference). A dump holds a reference on the version it
 * started with, so its parts never mix two versions.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/limits.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/stringify.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "tenguard.h"
#include "acl.h"
#include "netlink.h"
#include "store.h"

struct tg_node {
	refcount_t ref;			/* tg_node's, and dumps' */
	struct rcu_head rcu;
	u64 generation;
	u32 flags;			/* TENGUARD_NODE_F_* */
	u32 timeout[__TENGUARD_CT_TIMEOUT_MAX];	/* seconds */
	u32 n_protect;
	struct tg_addr *protect;
	struct tg_acl *services;	/* NULL: none */
	struct tg_acl *remediation;
};

static struct tg_node __rcu *tg_node;

static const u32 tg_timeouts_default[__TENGUARD_CT_TIMEOUT_MAX] =
	TENGUARD_CT_TIMEOUTS_DEFAULT;

static struct netlink_range_validation tg_timeout_range = {
	.min = 1,
	.max = INT_MAX,
};

static const struct nla_policy tg_timeout_policy[TENGUARD_A_TIMEOUT_MAX + 1] = {
	[TENGUARD_A_TIMEOUT_TCP_SYN ... TENGUARD_A_TIMEOUT_OTHER] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &tg_timeout_range),
};

static const struct nla_policy tg_node_policy[TENGUARD_A_NODE_MAX + 1] = {
	[TENGUARD_A_NODE_PROTECT] = NLA_POLICY_NESTED(tg_addr_policy),
	/* parsed with the rule policy by the handler: errors name the rule */
	[TENGUARD_A_NODE_SERVICE] = { .type = NLA_NESTED },
	[TENGUARD_A_NODE_REMEDIATION] = { .type = NLA_NESTED },
	[TENGUARD_A_NODE_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						  __TENGUARD_NODE_F_ALL |
						  TENGUARD_NODE_F_APPEND),
	[TENGUARD_A_NODE_TIMEOUT] = NLA_POLICY_NESTED(tg_timeout_policy),
};

const struct nla_policy tg_node_cmd_policy[TENGUARD_A_MAX + 1] = {
	[TENGUARD_A_NODE] = NLA_POLICY_NESTED(tg_node_policy),
};

/* a NODE_GET dump takes no attribute */
const struct nla_policy tg_node_get_cmd_policy[TENGUARD_A_MAX + 1] = {
};

static void tg_node_put(struct tg_node *n)
{
	if (!n || !refcount_dec_and_test(&n->ref))
		return;
	tg_acl_put(n->services);
	tg_acl_put(n->remediation);
	kfree(n->protect);
	kfree(n);
}

static void tg_node_put_rcu(struct rcu_head *head)
{
	tg_node_put(container_of(head, struct tg_node, rcu));
}

static struct tg_node *tg_node_alloc(void)
{
	struct tg_node *n = kzalloc(sizeof(*n), GFP_KERNEL);

	if (!n)
		return NULL;
	refcount_set(&n->ref, 1);
	memcpy(n->timeout, tg_timeouts_default, sizeof(n->timeout));
	return n;
}

/* ---- NODE_SET ---- */

/* an empty nest carries no item: it says the list is in the request */
static u32 tg_node_count(const struct nlattr *nest, int type, bool *carried)
{
	const struct nlattr *a;
	u32 n = 0;
	int rem;

	*carried = false;
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != type)
			continue;
		*carried = true;
		n += nla_len(a) > 0;
	}
	return n;
}

/* a request: the lists it carries, and what it adds them to */
struct tg_node_req {
	const struct nlattr *nest;	/* TENGUARD_A_NODE */
	struct nlattr *tb[TENGUARD_A_NODE_MAX + 1];
	struct tg_node *old;		/* the published one, tg_lock held */
	bool append;			/* TENGUARD_NODE_F_APPEND */
	u32 n_protect, n_services, n_remediation;
	bool protect, services, remediation;	/* carried */
};

static u32 tg_acl_len(const struct tg_acl *acl)
{
	return acl ? acl->n_rules : 0;
}

/* the lists as the request leaves them, each at most as long as allowed */
static int tg_node_limits(const struct tg_node_req *q,
			  struct netlink_ext_ack *extack)
{
	const struct tg_node *old = q->append ? q->old : NULL;
	u32 np = q->n_protect, ns = q->n_services, nr = q->n_remediation;

	if (old) {
		np += old->n_protect;
		ns += tg_acl_len(old->services);
		nr += tg_acl_len(old->remediation);
	}
	if (np > TENGUARD_NODE_PROTECT_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, q->nest,
				    "too many protected prefixes (max "
				    __stringify(TENGUARD_NODE_PROTECT_MAX) ")");
		return -E2BIG;
	}
	if (ns > TENGUARD_NODE_RULES_MAX || nr > TENGUARD_NODE_RULES_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, q->nest,
				    "too many service or remediation rules (max "
				    __stringify(TENGUARD_NODE_RULES_MAX) " each)");
		return -E2BIG;
	}
	return 0;
}

/* the protected prefixes: the request's, after the old ones to append to */
static int tg_node_protect(struct tg_node *n, const struct tg_node_req *q,
			   struct netlink_ext_ack *extack)
{
	u32 base = q->append ? q->old->n_protect : 0;
	const struct nlattr *a;
	int rem, err;

	n->protect = kcalloc(base + q->n_protect, sizeof(*n->protect),
			     GFP_KERNEL);
	if (base + q->n_protect && !n->protect)
		return -ENOMEM;
	memcpy(n->protect, q->old->protect, base * sizeof(*n->protect));
	n->n_protect = base;
	nla_for_each_nested(a, q->nest, rem) {
		if (nla_type(a) != TENGUARD_A_NODE_PROTECT || !nla_len(a))
			continue;
		err = tg_parse_addr(a, &n->protect[n->n_protect], extack);
		if (err) {
			tg_extack_item(extack, a, "protected prefix",
				       n->n_protect);
			return err;
		}
		n->n_protect++;
	}
	return 0;
}

/* services or remediation rules: the request's, after old ones if any */
static int tg_node_rules(struct tg_acl **acl, const struct tg_acl *old,
			 const struct tg_node_req *q, int type, u32 count,
			 const char *what, struct netlink_ext_ack *extack)
{
	u32 base = q->append ? tg_acl_len(old) : 0;
	int err;

	/* what is not allowed on protected addresses is denied */
	*acl = tg_acl_alloc(base + count, TENGUARD_ACL_DENY);
	if (!*acl)
		return -ENOMEM;
	if (base)
		memcpy((*acl)->rules, old->rules, base * sizeof(*old->rules));
	err = tg_rules_parse(q->nest, type, what, base, true,
			     (*acl)->rules + base, extack);
	if (err) {
		tg_acl_put(*acl);
		*acl = NULL;
	}
	return err;
}

/* the new node: what the request carries, the rest from the old one */
static int tg_node_build(struct tg_node *n, const struct tg_node_req *q,
			 struct netlink_ext_ack *extack)
{
	struct nlattr * const *tb = q->tb;
	const struct tg_node *old = q->old;
	const struct nlattr *t;
	int err, i;

	n->flags = old->flags;
	if (tb[TENGUARD_A_NODE_FLAGS] && !q->append)
		n->flags = nla_get_u32(tb[TENGUARD_A_NODE_FLAGS]);
	/* a timeout nest is all the timeouts: what it leaves out is default */
	memcpy(n->timeout, old->timeout, sizeof(n->timeout));
	if (tb[TENGUARD_A_NODE_TIMEOUT]) {
		memcpy(n->timeout, tg_timeouts_default, sizeof(n->timeout));
		for (i = 0; i < __TENGUARD_CT_TIMEOUT_MAX; i++) {
			t = nla_find_nested(tb[TENGUARD_A_NODE_TIMEOUT], i + 1);
			if (t)
				n->timeout[i] = nla_get_u32(t);
		}
	}
	if (q->protect) {
		err = tg_node_protect(n, q, extack);
	} else {
		n->protect = kmemdup(old->protect,
				     old->n_protect * sizeof(*old->protect),
				     GFP_KERNEL);
		n->n_protect = old->n_protect;
		err = old->n_protect && !n->protect ? -ENOMEM : 0;
	}
	if (err)
		return err;
	if (q->services)
		err = tg_node_rules(&n->services, old->services, q,
				    TENGUARD_A_NODE_SERVICE, q->n_services,
				    "service rule", extack);
	else
		n->services = tg_acl_get(old->services);
	if (err)
		return err;
	if (q->remediation)
		err = tg_node_rules(&n->remediation, old->remediation, q,
				    TENGUARD_A_NODE_REMEDIATION,
				    q->n_remediation, "remediation rule",
				    extack);
	else
		n->remediation = tg_acl_get(old->remediation);
	return err;
}

static int tg_node_put_timeouts(struct sk_buff *skb, const struct tg_node *n)
{
	struct nlattr *nest = nla_nest_start(skb, TENGUARD_A_NODE_TIMEOUT);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < __TENGUARD_CT_TIMEOUT_MAX; i++) {
		if (nla_put_u32(skb, i + 1, n->timeout[i])) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* flags and timeouts: a dump's first part, and the whole notification */
static int tg_node_put_head(struct sk_buff *skb, const struct tg_node *n)
{
	if (nla_put_u32(skb, TENGUARD_A_NODE_FLAGS, n->flags))
		return -EMSGSIZE;
	return tg_node_put_timeouts(skb, n);
}

/*
 * Tell every namespace's "config" listeners, as for tenants: the node is
 * host-wide. Without its lists, which a listener dumps.
 */
static void tg_notify_node(const struct tg_node *n, struct genl_info *info)
{
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, info->snd_portid, info->snd_seq,
			  &tg_genl_family, 0, TENGUARD_CMD_NODE_SET);
	if (!hdr)
		goto err;
	nest = nla_nest_start(skb, TENGUARD_A_NODE);
	if (!nest || tg_node_put_head(skb, n))
		goto err;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	genlmsg_multicast_allns(&tg_genl_family, skb, 0, TG_MCGRP_CONFIG);
	return;
err:
	nlmsg_free(skb);
}

/*
 * The request is parsed under tg_lock: an APPEND adds to the lists as
 * they are, and its errors name a rule by its index in the list.
 */
int tg_nl_node_set(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct tg_node_req q = { .nest = info->attrs[TENGUARD_A_NODE] };
	struct tg_node *n;
	int err;

	if (tg_missing(extack, NULL, info->attrs, TENGUARD_A_NODE,
		       "missing node"))
		return -EINVAL;
	err = nla_parse_nested(q.tb, TENGUARD_A_NODE_MAX, q.nest,
			       tg_node_policy, extack);
	if (err)
		return err;
	q.append = q.tb[TENGUARD_A_NODE_FLAGS] &&
		   nla_get_u32(q.tb[TENGUARD_A_NODE_FLAGS]) &
		   TENGUARD_NODE_F_APPEND;
	q.n_protect = tg_node_count(q.nest, TENGUARD_A_NODE_PROTECT,
				    &q.protect);
	q.n_services = tg_node_count(q.nest, TENGUARD_A_NODE_SERVICE,
				     &q.services);
	q.n_remediation = tg_node_count(q.nest, TENGUARD_A_NODE_REMEDIATION,
					&q.remediation);
	n = tg_node_alloc();
	if (!n)
		return -ENOMEM;

	mutex_lock(&tg_lock);
	q.old = rcu_dereference_protected(tg_node, lockdep_is_held(&tg_lock));
	err = tg_node_limits(&q, extack);
	if (!err)
		err = tg_node_build(n, &q, extack);
	if (err) {
		mutex_unlock(&tg_lock);
		tg_node_put(n);
		return err;
	}
	n->generation = tg_store_next_generation();
	rcu_assign_pointer(tg_node, n);
	tg_notify_node(n, info);
	mutex_unlock(&tg_lock);
	/* readers may still hold the old one */
	call_rcu(&q.old->rcu, tg_node_put_rcu);
	return 0;
}

/* ---- NODE_GET ---- */

/*
 * The dump's cursor runs over the protected prefixes, the services and
 * the remediation rules, in that order, as if they were one list.
 */
struct tg_node_dump {
	struct tg_node *node;		/* referenced */
	u32 pos;
	bool sent;			/* the first part, with flags */
};

static u32 tg_node_items(const struct tg_node *n)
{
	return n->n_protect + tg_acl_len(n->services) +
	       tg_acl_len(n->remediation);
}

static int tg_node_put_item(struct sk_buff *skb, const struct tg_node *n,
			    u32 i)
{
	if (i < n->n_protect)
		return tg_addr_put(skb, TENGUARD_A_NODE_PROTECT,
				   &n->protect[i]);
	i -= n->n_protect;
	if (i < tg_acl_len(n->services))
		return tg_rule_put(skb, TENGUARD_A_NODE_SERVICE,
				   &n->services->rules[i]);
	i -= tg_acl_len(n->services);
	return tg_rule_put(skb, TENGUARD_A_NODE_REMEDIATION,
			   &n->remediation->rules[i]);
}

int tg_nl_node_dump_start(struct netlink_callback *cb)
{
	struct tg_node_dump *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return -ENOMEM;
	mutex_lock(&tg_lock);
	d->node = rcu_dereference_protected(tg_node,
					    lockdep_is_held(&tg_lock));
	refcount_inc(&d->node->ref);
	mutex_unlock(&tg_lock);
	cb->args[0] = (unsigned long)d;
	return 0;
}

int tg_nl_node_dump_done(struct netlink_callback *cb)
{
	struct tg_node_dump *d = (struct tg_node_dump *)cb->args[0];

	if (d) {
		tg_node_put(d->node);
		kfree(d);
	}
	return 0;
}

/* a part from item d->pos on: the items it took */
static int tg_node_fill(struct sk_buff *skb, struct netlink_callback *cb,
			const struct tg_node_dump *d)
{
	const struct tg_node *n = d->node;
	u32 i, total = tg_node_items(n);
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &tg_genl_family, NLM_F_MULTI, TENGUARD_CMD_NODE_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, TENGUARD_A_NODE);
	if (!nest || (!d->sent && tg_node_put_head(skb, n)))
		goto cancel;
	for (i = d->pos; i < total; i++)
		if (tg_node_put_item(skb, n, i))
			break;
	if (d->sent && i == d->pos)
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return i - d->pos;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int tg_nl_node_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tg_node_dump *d = (struct tg_node_dump *)cb->args[0];
	u32 total = tg_node_items(d->node);
	int n;

	/* a SET since the last part flags this one */
	rcu_read_lock();
	cb->seq = lower_32_bits(rcu_dereference(tg_node)->generation);
	rcu_read_unlock();

	while (!d->sent || d->pos < total) {
		n = tg_node_fill(skb, cb, d);
		if (n < 0)
			return tg_dump_ret(skb, n);
		d->pos += n;
		d->sent = true;
	}
	return skb->len;
}

int tg_node_init(void)
{
	struct tg_node *n = tg_node_alloc();

	if (!n)
		return -ENOMEM;
	/* not 0, which a dump's consistency check takes for "none yet" */
	mutex_lock(&tg_lock);
	n->generation = tg_store_next_generation();
	rcu_assign_pointer(tg_node, n);
	mutex_unlock(&tg_lock);
	return 0;
}

/* no request runs any more, and no dump: each held the module */
void tg_node_exit(void)
{
	struct tg_node *n = rcu_dereference_protected(tg_node, true);

	RCU_INIT_POINTER(tg_node, NULL);
	tg_node_put(n);
}
