// SPDX-License-Identifier: GPL-2.0
/*
 * The desired policy: tenants by id, ports by (netns, ifindex). Writers
 * hold RTNL and tg_lock and replace whole objects; readers walk under RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/hashtable.h>
#include <linux/hash.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/hash.h>

#include "tenguard.h"
#include "acl.h"
#include "store.h"

/* serialises writers; readers use RCU */
DEFINE_MUTEX(tg_lock);
static DEFINE_HASHTABLE(tg_tenants, 8);
static DEFINE_HASHTABLE(tg_ports, 10);
/* bumped by every change: port generations and dump consistency */
static u64 tg_seq;
/* rules of the rule sets the ports in tg_ports carry */
static u32 tg_acl_rules;

u64 tg_store_seq(void)
{
	return READ_ONCE(tg_seq);
}

u32 tg_store_acl_rules(void)
{
	lockdep_assert_held(&tg_lock);
	return tg_acl_rules;
}

static u32 tg_port_acl_rules(const struct tg_port *p)
{
	u32 n = 0, d;

	for (d = 0; d < ARRAY_SIZE(p->acl); d++)
		if (p->acl[d])
			n += p->acl[d]->n_rules;
	return n;
}

u64 tg_store_next_generation(void)
{
	lockdep_assert_held(&tg_lock);
	WRITE_ONCE(tg_seq, tg_seq + 1);
	return tg_seq;
}

static u32 tg_port_hash(const struct net *net, int ifindex)
{
	return hash_32(net_hash_mix(net) ^ ifindex, HASH_BITS(tg_ports));
}

struct tg_tenant *tg_tenant_find(u32 id)
{
	struct tg_tenant *t;

	hash_for_each_possible_rcu(tg_tenants, t, hnode, id,
				   lockdep_is_held(&tg_lock))
		if (t->id == id)
			return t;
	return NULL;
}

struct tg_tenant *tg_tenant_of_segment(u32 seg)
{
	struct tg_tenant *t;
	unsigned int bkt;
	u32 i;

	hash_for_each_rcu(tg_tenants, bkt, t, hnode)
		for (i = 0; i < t->n_segments; i++)
			if (t->segments[i] == seg)
				return t;
	return NULL;
}

struct tg_port *tg_port_find(const struct net *net, int ifindex)
{
	struct tg_port *p;

	hlist_for_each_entry_rcu(p, &tg_ports[tg_port_hash(net, ifindex)],
				 hnode, lockdep_is_held(&tg_lock) ||
				 lockdep_rtnl_is_held())
		if (p->ifindex == ifindex && net_eq(p->net, net))
			return p;
	return NULL;
}

struct tg_port *tg_port_of_mac(const u8 *mac)
{
	struct tg_port *p;
	unsigned int bkt;
	u32 i;

	hash_for_each_rcu(tg_ports, bkt, p, hnode)
		for (i = 0; i < p->n_macs; i++)
			if (ether_addr_equal(p->macs[i], mac))
				return p;
	return NULL;
}

bool tg_tenant_has_ports(u32 id)
{
	struct tg_port *p;
	unsigned int bkt;

	hash_for_each_rcu(tg_ports, bkt, p, hnode)
		if (p->kind == TENGUARD_PORT_VM && p->tenant == id)
			return true;
	return false;
}

/* ---- allocation ---- */

void tg_tenant_free(struct tg_tenant *t)
{
	if (!t)
		return;
	kfree(t->segments);
	kfree(t);
}

static void tg_tenant_free_rcu(struct rcu_head *head)
{
	tg_tenant_free(container_of(head, struct tg_tenant, rcu));
}

void tg_port_free(struct tg_port *p)
{
	u32 d;

	if (!p)
		return;
	for (d = 0; d < ARRAY_SIZE(p->acl); d++)
		tg_acl_put(p->acl[d]);
	kfree(p->macs);
	kfree(p->addrs);
	kfree(p->ethertypes);
	kfree(p->groups);
	kfree(p);
}

static void tg_port_free_rcu(struct rcu_head *head)
{
	tg_port_free(container_of(head, struct tg_port, rcu));
}

/*
 * A copy to change and publish with tg_port_replace(): its own lists, the
 * same rule sets (referenced, never copied).
 */
struct tg_port *tg_port_dup(const struct tg_port *old)
{
	struct tg_port *p = kmemdup(old, sizeof(*old), GFP_KERNEL);
	u32 d;

	if (!p)
		return NULL;
	INIT_HLIST_NODE(&p->hnode);
	for (d = 0; d < ARRAY_SIZE(p->acl); d++)
		tg_acl_get(p->acl[d]);
	p->macs = kmemdup(old->macs, old->n_macs * sizeof(*old->macs),
			  GFP_KERNEL);
	p->addrs = kmemdup(old->addrs, old->n_addrs * sizeof(*old->addrs),
			   GFP_KERNEL);
	p->ethertypes = kmemdup(old->ethertypes,
				old->n_ethertypes * sizeof(*old->ethertypes),
				GFP_KERNEL);
	p->groups = kmemdup(old->groups, old->n_groups * sizeof(*old->groups),
			    GFP_KERNEL);
	if ((old->n_macs && !p->macs) || (old->n_addrs && !p->addrs) ||
	    (old->n_ethertypes && !p->ethertypes) ||
	    (old->n_groups && !p->groups)) {
		tg_port_free(p);
		return NULL;
	}
	return p;
}

/* ---- publication ---- */

void tg_tenant_insert(struct tg_tenant *t)
{
	lockdep_assert_held(&tg_lock);
	hash_add_rcu(tg_tenants, &t->hnode, t->id);
	tg_store_next_generation();
}

void tg_tenant_replace(struct tg_tenant *old, struct tg_tenant *new)
{
	lockdep_assert_held(&tg_lock);
	hlist_replace_rcu(&old->hnode, &new->hnode);
	call_rcu(&old->rcu, tg_tenant_free_rcu);
	tg_store_next_generation();
}

void tg_tenant_remove(struct tg_tenant *t)
{
	lockdep_assert_held(&tg_lock);
	hash_del_rcu(&t->hnode);
	call_rcu(&t->rcu, tg_tenant_free_rcu);
	tg_store_next_generation();
}

void tg_port_insert(struct tg_port *p)
{
	lockdep_assert_held(&tg_lock);
	p->generation = tg_store_next_generation();
	tg_acl_rules += tg_port_acl_rules(p);
	hlist_add_head_rcu(&p->hnode, &tg_ports[tg_port_hash(p->net,
							     p->ifindex)]);
}

/* publish new in place of old; bump == false keeps the generation (ACK) */
void tg_port_replace(struct tg_port *old, struct tg_port *new, bool bump)
{
	lockdep_assert_held(&tg_lock);
	if (bump)
		new->generation = tg_store_next_generation();
	else
		tg_store_next_generation();
	tg_acl_rules += tg_port_acl_rules(new) - tg_port_acl_rules(old);
	hlist_replace_rcu(&old->hnode, &new->hnode);
	call_rcu(&old->rcu, tg_port_free_rcu);
}

/* and the rule sets it was staging: they were the port's */
void tg_port_remove(struct tg_port *p)
{
	lockdep_assert_held(&tg_lock);
	tg_acl_stage_drop(p->net, p->ifindex);
	tg_acl_rules -= tg_port_acl_rules(p);
	hlist_del_rcu(&p->hnode);
	call_rcu(&p->rcu, tg_port_free_rcu);
	tg_store_next_generation();
}

/* ---- walks for dumps: position (bucket, index) kept by the caller ---- */

struct tg_tenant *tg_tenant_at(unsigned long *bkt, unsigned long *idx)
{
	struct tg_tenant *t;
	unsigned long i;

	for (; *bkt < HASH_SIZE(tg_tenants); (*bkt)++, *idx = 0) {
		i = 0;
		hlist_for_each_entry_rcu(t, &tg_tenants[*bkt], hnode)
			if (i++ == *idx)
				return t;
	}
	return NULL;
}

struct tg_port *tg_port_at(const struct net *net, unsigned long *bkt,
			   unsigned long *idx)
{
	struct tg_port *p;
	unsigned long i;

	for (; *bkt < HASH_SIZE(tg_ports); (*bkt)++, *idx = 0) {
		i = 0;
		hlist_for_each_entry_rcu(p, &tg_ports[*bkt], hnode) {
			if (i++ < *idx)
				continue;
			if (net_eq(p->net, net))
				return p;
			(*idx)++;
		}
	}
	return NULL;
}

int tg_store_init(void)
{
	return 0;
}

void tg_store_exit(void)
{
	struct hlist_node *tmp;
	struct tg_tenant *t;
	struct tg_port *p;
	unsigned int bkt;

	mutex_lock(&tg_lock);
	hash_for_each_safe(tg_ports, bkt, tmp, p, hnode) {
		hlist_del_rcu(&p->hnode);
		call_rcu(&p->rcu, tg_port_free_rcu);
	}
	hash_for_each_safe(tg_tenants, bkt, tmp, t, hnode) {
		hash_del_rcu(&t->hnode);
		call_rcu(&t->rcu, tg_tenant_free_rcu);
	}
	tg_acl_stage_exit();
	tg_acl_rules = 0;
	mutex_unlock(&tg_lock);
	/* every callback has run before the module text goes */
	rcu_barrier();
}
