/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The transport to the tenguard kernel module: generic netlink family
 * "tenguard" as include/uapi/linux/tenguard.h draws it, over libnl-genl-3.
 * tenguardctl's commands reach the module only through these functions;
 * every netlink message of the program is built and read in genl.c.
 *
 * Objects travel in the policy model of policy.h (struct tg_tenant_cfg,
 * struct tg_port_cfg) with what the family adds around it. A request
 * carries only the fields its has mask names, so a SET changes exactly
 * those; a reply sets the bits of the fields the module sent.
 *
 * Functions return 0 or a negative errno and print nothing but kernel
 * warnings: the caller reports a failure with genl_perror(), which prints
 * the kernel's extack message as "Error: ..." when there was one.
 *
 * With TENGUARDCTL_DUMP=1 in the environment nothing is sent to the module:
 * each request is decoded and hex-dumped to stderr and answered as if the
 * module had acked it (dumps come back empty). Device names are still
 * resolved through rtnetlink.
 */
#ifndef TG_GENL_H
#define TG_GENL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/tenguard.h>

#include "policy.h"

/* the environment variable that turns requests into dumps on stderr */
#define GENL_DUMP_ENV		"TENGUARDCTL_DUMP"
/* TENGUARD_A_PORT_NETNSID absent: the caller's network namespace */
#define GENL_NETNSID_NONE	(-1)

struct genl;

/*
 * Connect and resolve the family and its multicast groups. -ENOENT: the
 * family "tenguard" is not registered (the module is not loaded).
 */
int genl_open(struct genl **g);
void genl_close(struct genl *g);
/* the family's version as the module registered it */
uint32_t genl_version(const struct genl *g);
/* true if requests are dumped instead of sent (GENL_DUMP_ENV) */
bool genl_dry_run(const struct genl *g);

/*
 * Report a failed call once, for a person: "Error: <extack message> (at
 * <attribute>)" if the module said why, then "tenguardctl: <what>:
 * <strerror> (<ERRNO>)". err is what the call returned.
 */
void genl_perror(const struct genl *g, const char *what, int err);

/* ---- tenants ---- */

enum genl_tenant_has {
	GENL_T_NAME = 1U << 0,
	GENL_T_SEGMENTS = 1U << 1,
};

struct genl_tenant {
	struct tg_tenant_cfg cfg;	/* id, name, segments */
	unsigned int has;		/* GENL_T_* */
};

int genl_tenant_new(struct genl *g, const struct genl_tenant *t);
/* replaces the name and the segment list if has says so */
int genl_tenant_set(struct genl *g, const struct genl_tenant *t);
int genl_tenant_del(struct genl *g, uint32_t id);
/* one tenant by id; -ENOENT (from the module) if there is none */
int genl_tenant_get(struct genl *g, uint32_t id, struct genl_tenant *t);
/* every tenant, by id; free each with genl_tenant_free(), then the array */
int genl_tenant_dump(struct genl *g, struct genl_tenant **tenants,
		     size_t *n);
void genl_tenant_free(struct genl_tenant *t);

/* ---- ports ---- */

enum genl_port_has {
	GENL_P_TENANT = 1U << 0,
	GENL_P_KIND = 1U << 1,
	GENL_P_FLAGS = 1U << 2,
	GENL_P_MACS = 1U << 3,
	GENL_P_ADDRS = 1U << 4,
	GENL_P_ETHERTYPES = 1U << 5,
	GENL_P_SEGMENT = 1U << 6,
	GENL_P_MASTER = 1U << 7,
	GENL_P_GENERATION = 1U << 8,	/* replies only */
	GENL_P_ACKED = 1U << 9,		/* replies only */
	GENL_P_IFNAME = 1U << 10,	/* replies only: cfg.name */
	GENL_P_GROUPS = 1U << 11,	/* cfg.groups */
	GENL_P_QUARANTINE = 1U << 12,	/* replies only: cfg.quarantined */
	GENL_P_RATE = 1U << 13,		/* cfg.rate[] of rate_dirs */
};

struct genl_port {
	/*
	 * cfg.name is the device's name in replies; requests name the
	 * device by ifindex. cfg.segment is TENGUARD_SEG_*() or 0.
	 */
	struct tg_port_cfg cfg;
	uint32_t ifindex;
	int32_t netnsid;	/* GENL_NETNSID_NONE or a netnsid */
	uint32_t master;	/* ifindex, 0: any master */
	uint64_t generation;
	uint64_t acked;
	unsigned int has;	/* GENL_P_* */
	/*
	 * The directions (1U << enum tenguard_acl_dir) whose cfg.rate[]
	 * a request sends, with GENL_P_RATE: each rate whose flag
	 * (TENGUARD_RATE_F_BPS, _PPS) is set, each burst that is not 0
	 * (0: the module's default), TENGUARD_RATE_F_SHAPE; a direction with
	 * none of them lifts its limits, a direction not named keeps them.
	 * A reply names the limited directions, with every value in force
	 * (the datapath's flags, defaults filled in); cfg.rate[] of the
	 * others is zero: no limit.
	 */
	unsigned int rate_dirs;
};

/*
 * Create a port. Lists longer than one message allows go in PORT_SETs
 * with TENGUARD_PORT_F_APPEND after the PORT_NEW; if one of those fails
 * the port is deleted again, so a port is created whole or not at all.
 */
int genl_port_new(struct genl *g, const struct genl_port *p);
/*
 * Change a port: each list the request has replaces the port's list.
 * Split like genl_port_new(); a failed continuation leaves the port with
 * the first part of the lists (*partial set), it cannot be undone.
 */
int genl_port_set(struct genl *g, const struct genl_port *p, bool *partial);
/* the port of ifindex (in netnsid) */
int genl_port_del(struct genl *g, uint32_t ifindex, int32_t netnsid);
int genl_port_get(struct genl *g, uint32_t ifindex, int32_t netnsid,
		  struct genl_port *p);
/* the daemon programmed generation of the port: its UP gate may open */
int genl_port_ack(struct genl *g, uint32_t ifindex, int32_t netnsid,
		  uint64_t generation);
/* the ports of one network namespace; free as for tenants */
int genl_port_dump(struct genl *g, int32_t netnsid, struct genl_port **ports,
		   size_t *n);
void genl_port_free(struct genl_port *p);
/* cut the port off (on) or let it back (PORT_QUARANTINE) */
int genl_port_quarantine(struct genl *g, uint32_t ifindex, int32_t netnsid,
			 bool on);

/* ---- rule sets of VM ports (security groups) ---- */

/*
 * Replace the rule set of direction dir (enum tenguard_acl_dir) of a port
 * with acl (its default and rules; acl->present is not looked at). A set
 * larger than one message goes in parts with TENGUARD_ACL_F_MORE, which the
 * module publishes only with the last: a failure on the way leaves the
 * port's rule set as it was. *parts counts the messages sent (may be NULL).
 */
int genl_acl_set(struct genl *g, uint32_t ifindex, int32_t netnsid,
		 uint32_t dir, const struct tg_acl_cfg *acl,
		 unsigned int *parts);
/* remove the rule set of direction dir: it is not filtered any more */
int genl_acl_del(struct genl *g, uint32_t ifindex, int32_t netnsid,
		 uint32_t dir);
/*
 * Both rule sets of a port (ACL_GET dump, reassembled from the parts the
 * module splits them into): acl[dir].present says whether the direction
 * has one. Free each with tg_acl_cfg_free().
 */
int genl_acl_get(struct genl *g, uint32_t ifindex, int32_t netnsid,
		 struct tg_acl_cfg acl[__TENGUARD_ACL_DIR_MAX]);

/* ---- the node: protected prefixes, services, remediation, conntrack ---- */

/*
 * Replace the node's configuration with node, every part of it: flags,
 * protected prefixes, services, remediation rules (each list sent, empty
 * or not) and the conntrack timeouts.
 */
int genl_node_set(struct genl *g, const struct tg_node_cfg *node);
/*
 * The node's configuration; what the module leaves out is as
 * tg_node_cfg_init() has it. Free with tg_node_cfg_free().
 */
int genl_node_get(struct genl *g, struct tg_node_cfg *node);

/* ---- devices, through rtnetlink ---- */

/* the ifindex of device name in netnsid; -ENODEV if there is none */
int genl_link_index(struct genl *g, const char *name, int32_t netnsid,
		    uint32_t *ifindex);
/* the name of device ifindex in netnsid; -ENODEV if there is none */
int genl_link_name(struct genl *g, uint32_t ifindex, int32_t netnsid,
		   char name[IFNAMSIZ]);

/* ---- multicast groups ---- */

enum genl_group {
	GENL_GRP_CONFIG = 1U << 0,	/* TENGUARD_MCGRP_CONFIG */
	GENL_GRP_EVENTS = 1U << 1,	/* TENGUARD_MCGRP_EVENTS */
};

enum genl_event_has {
	GENL_E_TYPE = 1U << 0,
	GENL_E_IFINDEX = 1U << 1,
	GENL_E_IFNAME = 1U << 2,
	GENL_E_PID = 1U << 3,
	GENL_E_COMM = 1U << 4,
	GENL_E_TIME = 1U << 5,
};

struct genl_event {
	uint32_t type;		/* enum tenguard_event */
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint32_t pid;
	char comm[64];
	uint64_t time_ns;	/* CLOCK_REALTIME */
	unsigned int has;	/* GENL_E_* */
};

/* ACL_SET, ACL_DEL: which rule set of which port changed */
struct genl_acl_notif {
	uint32_t ifindex;
	uint32_t dir;		/* enum tenguard_acl_dir */
	bool has_dir;
};

/* one multicast message; only the member of its kind is filled */
struct genl_notif {
	enum genl_group group;
	uint8_t cmd;		/* TENGUARD_CMD_* */
	enum {
		GENL_N_OTHER,	/* a message this build cannot read */
		GENL_N_TENANT,
		GENL_N_PORT,
		GENL_N_EVENT,
		GENL_N_LOST,	/* the receive buffer overran: some are gone */
		GENL_N_ACL,	/* ACL_SET, ACL_DEL */
		GENL_N_NODE,	/* NODE_SET: read it with genl_node_get() */
	} kind;
	struct genl_tenant tenant;
	struct genl_port port;	/* PORT_QUARANTINE too */
	struct genl_event event;
	struct genl_acl_notif acl;
};

/* called for each message; a non-zero return ends genl_monitor() with it */
typedef int (*genl_notif_fn)(const struct genl_notif *n, void *arg);

/*
 * Join groups (GENL_GRP_*) and call fn for each message until fn returns
 * non-zero or a signal interrupts the wait: the wait runs with waitmask
 * in place (ppoll), so a caller blocks its stop signals, passes the mask
 * to wait with, and gets 0 back once one arrived. -EOPNOTSUPP if the
 * module has no such group, -ESHUTDOWN once the family is unregistered
 * (the module unloaded). Messages lost to a full receive buffer are
 * reported to fn as GENL_N_LOST, and the watch goes on.
 */
int genl_monitor(struct genl *g, unsigned int groups, const sigset_t *waitmask,
		 genl_notif_fn fn, void *arg);

/*
 * The same for a caller with its own poll loop: join the groups and get
 * the fd to poll (-EAGAIN on a dry run), then on POLLIN read what is
 * queued without blocking. Use a genl of its own for watching: replies to
 * requests must not meet notifications on one socket.
 */
int genl_watch(struct genl *g, unsigned int groups);
int genl_watch_read(struct genl *g, genl_notif_fn fn, void *arg);
/* the watch's receive buffer (after genl_watch): smaller loses sooner */
int genl_watch_rcvbuf(struct genl *g, int bytes);

#endif /* TG_GENL_H */
