/* SPDX-License-Identifier: GPL-2.0 */
/* Names operators see for the numbers of linux/tenguard.h. */
#ifndef TG_NAMES_H
#define TG_NAMES_H

#include <stdint.h>
#include <linux/tenguard.h>

struct tg_flag_name {
	uint32_t flag;
	const char *name;
};

/* TENGUARD_PORT_F_* as written in policy files and printed; NULL-terminated */
extern const struct tg_flag_name tg_port_flag_names[];
/* enum tenguard_drop -> counter name, e.g. "src_mac" */
extern const char *const tg_drop_names[__TENGUARD_DROP_MAX];

const char *tg_port_kind_name(uint32_t kind);
/* 0 and the flag in *flag, or -EINVAL for a name that is no flag */
int tg_port_flag_parse(const char *name, uint32_t *flag);

#endif /* TG_NAMES_H */
