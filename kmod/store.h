/* SPDX-License-Identifier: GPL-2.0 */
/* The policy store, for netlink.c; guards use tenguard.h only. */
#ifndef _TG_STORE_H
#define _TG_STORE_H

#include "tenguard.h"

u64 tg_store_seq(void);
u64 tg_store_next_generation(void);
/* rules the ports' rule sets hold, for TENGUARD_ACL_NODE_RULES_MAX */
u32 tg_store_acl_rules(void);

struct tg_tenant *tg_tenant_find(u32 id);
struct tg_tenant *tg_tenant_of_segment(u32 seg);
bool tg_tenant_has_ports(u32 id);
void tg_tenant_free(struct tg_tenant *t);
void tg_tenant_insert(struct tg_tenant *t);
void tg_tenant_replace(struct tg_tenant *old, struct tg_tenant *new);
void tg_tenant_remove(struct tg_tenant *t);
struct tg_tenant *tg_tenant_at(unsigned long *bkt, unsigned long *idx);

struct tg_port *tg_port_of_mac(const u8 *mac);
void tg_port_free(struct tg_port *p);
struct tg_port *tg_port_dup(const struct tg_port *old);
void tg_port_insert(struct tg_port *p);
void tg_port_replace(struct tg_port *old, struct tg_port *new, bool bump);
void tg_port_remove(struct tg_port *p);
struct tg_port *tg_port_at(const struct net *net, unsigned long *bkt,
			   unsigned long *idx);

#endif /* _TG_STORE_H */
