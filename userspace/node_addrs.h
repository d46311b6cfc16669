/* SPDX-License-Identifier: GPL-2.0 */
/* The addresses of this node's own interfaces, for its protection. */
#ifndef TG_NODE_ADDRS_H
#define TG_NODE_ADDRS_H

#include "policy.h"

/*
 * pol->node.protect with every address of the interfaces of the caller's
 * network namespace added (as /32 and /128) when TENGUARD_NODE_F_OWN_ADDRS
 * is set; a copy in *out to free, or NULL and *n = pol's own count.
 */
int tg_node_protect(const struct tg_policy *pol, struct tg_prefix **out,
		    size_t *n);

#endif /* TG_NODE_ADDRS_H */
