/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tenguard.ko internals: the policy store (store.c), the generic netlink
 * family (netlink.c) with its rule sets (acl.c) and node configuration
 * (node.c), the port guards (guard.c) and events (event.c).
 */
#ifndef _TG_KMOD_H
#define _TG_KMOD_H

#include <linux/if_ether.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <net/genetlink.h>
#include <linux/tenguard.h>

struct tg_addr {
	u16 family;		/* AF_INET, AF_INET6 */
	u8 prefixlen;
	u8 addr[16];
};

struct tg_acl;

struct tg_tenant {
	struct hlist_node hnode;	/* tg_tenants, by id */
	struct rcu_head rcu;
	u32 id;
	char name[TENGUARD_NAME_LEN];
	u32 n_segments;
	u32 *segments;		/* TENGUARD_SEG_*() */
};

/*
 * A port is one net_device; it is forgotten when the device unregisters.
 * Readers hold rcu_read_lock() (or tg_lock, or RTNL: writers hold both
 * RTNL and tg_lock); a change replaces the whole struct (RCU), so a reader
 * never sees half of an update.
 */
struct tg_port {
	struct hlist_node hnode;	/* tg_ports, by (net, ifindex) */
	struct rcu_head rcu;
	struct net *net;	/* not counted: the device pins it */
	int ifindex;
	char ifname[IFNAMSIZ];
	u32 tenant;
	u32 kind;		/* enum tenguard_port_kind */
	u32 flags;		/* TENGUARD_PORT_F_* */
	u32 segment;
	u32 master;		/* ifindex of the allowed master, 0: any */
	u64 generation;
	u64 acked;
	u32 n_macs;
	u32 n_addrs;
	u32 n_ethertypes;
	u32 n_groups;
	u8 (*macs)[ETH_ALEN];
	struct tg_addr *addrs;
	u16 *ethertypes;
	u32 *groups;		/* of its tenant: remote groups of rules */
	bool quarantined;
	/*
	 * The rule sets by enum tenguard_acl_dir (NULL: not filtered), shared
	 * by reference with the port's versions before and after a change,
	 * so that a PORT_SET copies no rules (acl.h).
	 */
	struct tg_acl *acl[__TENGUARD_ACL_DIR_MAX];
	/*
	 * The limits by enum tenguard_acl_dir, as the datapath takes them
	 * (flags 0: none), bursts filled in: what PORT_GET reports.
	 */
	struct tenguard_rate rate[__TENGUARD_ACL_DIR_MAX];
};

/* writers: hold RTNL, then tg_lock */
extern struct mutex tg_lock;

/* rcu_read_lock(), tg_lock or RTNL held */
struct tg_port *tg_port_find(const struct net *net, int ifindex);

static inline bool tg_port_gate_open(const struct tg_port *port)
{
	return port->acked == port->generation;
}

/* the device of a port unregisters: forget the port (RTNL held) */
void tg_port_dev_gone(struct net_device *dev);

/* netlink.c */
extern struct genl_family tg_genl_family;
enum tg_mcgrp {
	TG_MCGRP_CONFIG,
	TG_MCGRP_EVENTS,
};

/* event.c: report what a guard stopped, naming who tried */
void tg_event(enum tenguard_event type, const struct net_device *dev,
	      const struct task_struct *tsk);

int tg_store_init(void);
void tg_store_exit(void);
int tg_node_init(void);
void tg_node_exit(void);
int tg_netlink_init(void);
void tg_netlink_exit(void);
int tg_guard_init(void);
void tg_guard_exit(void);

#endif /* _TG_KMOD_H */
