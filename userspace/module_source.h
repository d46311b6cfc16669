/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module mode of tenguardd: the desired policy is what tenguard.ko holds,
 * read into the same policy model a policy file gives.
 */
#ifndef TG_MODULE_SOURCE_H
#define TG_MODULE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

struct genl;

struct tg_module {
	struct genl *req;	/* dumps and acks */
	struct genl *watch;	/* the "config" group */
	int fd;			/* of watch, to poll */
};

/* -ENOENT: the module is not loaded; rcvbuf 0: the default buffer */
int tg_module_open(struct tg_module *m, int rcvbuf);
void tg_module_close(struct tg_module *m);
/*
 * The module's tenants, the ports of this network namespace (with their
 * groups, quarantine and, for VM ports, rule sets and rate limits) and
 * the node's configuration; each port's generation is in its cfg, to
 * acknowledge once it is programmed. Free with tg_policy_free().
 */
int tg_module_policy(struct tg_module *m, struct tg_policy *pol);
#define TG_MODULE_CHANGED	(1U << 0)	/* the policy changed */
#define TG_MODULE_LOST		(1U << 1)	/* notifications were lost */

/*
 * Read what the "config" group queued: TG_MODULE_* in *what. Changes of
 * tenants, ports, quarantine, rule sets and the node are all
 * TG_MODULE_CHANGED.
 */
int tg_module_read(struct tg_module *m, unsigned int *what);
int tg_module_ack(struct tg_module *m, uint32_t ifindex, uint64_t generation);
/* the module's extack message of the last failure, or "" */
void tg_module_perror(struct tg_module *m, const char *what, int err);

#endif /* TG_MODULE_SOURCE_H */
