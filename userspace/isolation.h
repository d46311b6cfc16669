/* SPDX-License-Identifier: GPL-2.0 */
/* Loader of bpf/isolation.bpf.c: its pinned maps and its tc attachments. */
#ifndef TG_ISOLATION_H
#define TG_ISOLATION_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

struct isolation_bpf;

/* map sizes; pinned maps are reused only when these match */
struct tg_limits {
	uint32_t ports;
	uint32_t macs;
	uint32_t addrs;
	uint32_t prefixes;
	uint32_t ethertypes;
	uint32_t segments;
	uint32_t tenants;
	uint32_t conntrack;	/* tracked flows of the node */
	uint32_t acl_entries;	/* classifier entries of one rule set */
};

#define TG_LIMITS_DEFAULT {						\
	.ports = 4096, .macs = 16384, .addrs = 65536,			\
	.prefixes = 16384, .ethertypes = 4096, .segments = 8192,	\
	.tenants = 4096, .conntrack = 262144, .acl_entries = 1048576 }

struct tg_acl_cache;

struct tg_dp {
	struct isolation_bpf *skel;
	char pin_dir[256];	/* empty: maps not pinned */
	/* rule sets installed, by id, with a digest of each (acl.c) */
	struct tg_acl_cache *acl_cache;
	size_t n_acl_cache, acl_cache_cap;
	uint32_t acl_serial;
	uint32_t acl_max_entries;
	char err[320];		/* why the last reconciliation failed */
	char warn[320];		/* what it did otherwise than asked, or "" */
};

/* a policy port and the interface it is on now */
struct tg_dp_port {
	uint32_t ifindex;
	const struct tg_port_cfg *cfg;
};

/*
 * Load the programs. With an instance, maps are pinned under its directory
 * and reused if already there, so enforcement carries over a restart; with
 * NULL nothing is pinned (benchmarks, tests of the program alone).
 */
int tg_dp_open(struct tg_dp *dp, const char *instance,
	       const struct tg_limits *lim);
void tg_dp_close(struct tg_dp *dp);
/* remove the instance's pins: enforcement ends when the last program goes */
int tg_dp_unpin(struct tg_dp *dp);

/*
 * -ENOSPC, and what does not fit in msg, if the maps cannot hold pol:
 * checked before any of it is written.
 */
int tg_dp_fits(const struct tg_policy *pol, const struct tg_limits *lim,
	       char *msg, size_t len);

/*
 * Make the maps hold exactly the policy's tenants and the given ports:
 * stale entries go first, new ones after, so a frame never sees a union of
 * old and new bindings, only (briefly) their intersection.
 */
int tg_dp_reconcile(struct tg_dp *dp, const struct tg_policy *pol,
		    const struct tg_dp_port *ports, size_t n, uint64_t gen);
/* program one port of pol that just appeared; its entry is written last */
int tg_dp_program_port(struct tg_dp *dp, const struct tg_policy *pol,
		       const struct tg_dp_port *port, uint64_t gen);
/* remove a port's entries, the port entry first */
int tg_dp_forget_port(struct tg_dp *dp, uint32_t ifindex);

int tg_dp_attach(struct tg_dp *dp, uint32_t ifindex, uint32_t kind);
int tg_dp_detach(struct tg_dp *dp, uint32_t ifindex);

#endif /* TG_ISOLATION_H */
