/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rule sets (acl.c): the published ones of VM ports and the node's, and
 * the rules of a request, which node.c parses and sends the same way.
 */
#ifndef _TG_ACL_H
#define _TG_ACL_H

#include <linux/refcount.h>

#include "tenguard.h"

/*
 * One published rule set, never changed once published. The versions of
 * a port (and of the node) that carry it, and dumps in progress, each hold
 * a reference. Readers reach it only through a port or the node, which
 * are freed after an RCU grace period and drop their reference then, so
 * the last reference is dropped when no reader can see the set any more:
 * it needs no grace period of its own.
 */
struct tg_acl {
	refcount_t ref;
	u32 dflt;		/* enum tenguard_acl_action */
	u32 n_rules;
	struct tenguard_acl_rule rules[];
};

struct tg_acl *tg_acl_alloc(u32 n_rules, u32 dflt);

static inline struct tg_acl *tg_acl_get(struct tg_acl *acl)
{
	if (acl)
		refcount_inc(&acl->ref);
	return acl;
}

/* from any context but NMI: RCU callbacks drop references too */
void tg_acl_put(struct tg_acl *acl);

/* attributes of type in nest */
u32 tg_nla_count(const struct nlattr *nest, int type);

/*
 * The rules of type in nest into out (room for all of them), in order.
 * An error names the rule: "<what> <base + its index>: ..."; node rules
 * (node) name no remote group, and an empty nest is no rule of theirs.
 */
int tg_rules_parse(const struct nlattr *nest, int type, const char *what,
		   u32 base, bool node, struct tenguard_acl_rule *out,
		   struct netlink_ext_ack *extack);
int tg_rule_put(struct sk_buff *skb, int type,
		const struct tenguard_acl_rule *r);

/* rule sets being staged (TENGUARD_ACL_F_MORE); tg_lock held */
void tg_acl_stage_drop(const struct net *net, int ifindex);
void tg_acl_stage_exit(void);

#endif /* _TG_ACL_H */
