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

/* -ENOENT: the module is not loaded */
int tg_module_open(struct tg_module *m);
void tg_module_close(struct tg_module *m);
/*
 * The module's tenants and the ports of this network namespace; each
 * port's generation is in its cfg, to acknowledge once it is programmed.
 */
int tg_module_policy(struct tg_module *m, struct tg_policy *pol);
/*
 * Read what the "config" group queued; *changed when the policy changed
 * or notifications were lost (either way: dump again).
 */
int tg_module_read(struct tg_module *m, bool *changed);
int tg_module_ack(struct tg_module *m, uint32_t ifindex, uint64_t generation);
/* the module's extack message of the last failure, or "" */
void tg_module_perror(struct tg_module *m, const char *what, int err);

#endif /* TG_MODULE_SOURCE_H */
