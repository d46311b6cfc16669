/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rule sets of the datapath (bpf/acl.bpf.h): compiled into the entries of
 * one LPM trie that classifies a packet in a fixed number of lookups, and
 * installed by swapping a whole set of inner maps in (tg_acl,
 * tg_acl_rules, tg_acl_hits), so a packet never sees half of a change.
 */
#ifndef TG_ACL_H
#define TG_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isolation.h"
#include "policy.h"

struct tg_acl_entry {
	struct tenguard_acl_key key;
	struct tenguard_acl_val val;
};

/* what tg_acl_compile() makes of a rule set */
struct tg_acl_prog {
	struct tg_acl_entry *e;
	size_t n, cap;
};

/*
 * The remote prefixes of a group of the tenant whose rule set is being
 * compiled: the addresses of its member ports. *pfx stays the callee's.
 */
typedef int (*tg_acl_group_fn)(uint32_t group, const struct tg_prefix **pfx,
			       size_t *n, void *ctx);

/*
 * Compile acl (rules, default) under serial. protect: for the host set,
 * the protected prefixes (TENGUARD_ACL_KEY_PROTECT entries). groups may be
 * NULL when no rule names one. -E2BIG if the result would pass max
 * entries, with why in err.
 */
int tg_acl_compile(const struct tg_acl_cfg *acl, uint32_t serial,
		   const struct tg_prefix *protect, size_t n_protect,
		   tg_acl_group_fn groups, void *ctx, size_t max,
		   struct tg_acl_prog *out, char *err, size_t errlen);
void tg_acl_prog_free(struct tg_acl_prog *prog);

/*
 * The first rule of acl that matches, as the datapath finds it (for
 * tests): rule index, or -1 for the default. remote: 4 or 16 bytes.
 */
int tg_acl_match(const struct tg_acl_cfg *acl, int family,
		 const uint8_t *remote, uint8_t proto, uint16_t port);

/* install prog (compiled from acl) as rule set id, replacing any */
int tg_dp_acl_set(struct tg_dp *dp, const struct tenguard_acl_id *id,
		  const struct tg_acl_cfg *acl, const struct tg_acl_prog *prog);
/* remove rule set id: that direction is not filtered any more */
int tg_dp_acl_del(struct tg_dp *dp, const struct tenguard_acl_id *id);

/*
 * Reconciliation, for isolation.c; on failure dp->err says why. Sets whose
 * compiled form did not change are left alone, so their flows are not
 * re-checked.
 */
int tg_dp_acl_init(struct tg_dp *dp, uint32_t max_entries);
/* the port's two rule sets as cfg says, before the port admits traffic */
int tg_dp_acl_port(struct tg_dp *dp, const struct tg_policy *pol,
		   uint32_t ifindex, const struct tg_port_cfg *cfg);
/*
 * The node's sets (protection, with the addresses of the caller's network
 * namespace when pol says so; remediation) and the tracker's timeouts.
 */
int tg_dp_acl_node(struct tg_dp *dp, const struct tg_policy *pol);
/* sets and quarantine entries of devices not among ports go */
int tg_dp_acl_sweep(struct tg_dp *dp, const struct tg_dp_port *ports,
		    size_t n);
void tg_dp_acl_forget_port(struct tg_dp *dp, uint32_t ifindex);
int tg_dp_quarantine(struct tg_dp *dp, uint32_t ifindex, bool on);

#endif /* TG_ACL_H */
