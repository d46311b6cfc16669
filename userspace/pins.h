/* SPDX-License-Identifier: GPL-2.0 */
/* Where a tenguardd instance keeps its pinned maps. */
#ifndef TG_PINS_H
#define TG_PINS_H

#include <stddef.h>

#define TG_INSTANCE_DEFAULT	"default"
#define TG_INSTANCE_ENV		"TENGUARD_INSTANCE"

/* instance from the argument, else $TENGUARD_INSTANCE, else "default" */
const char *tg_instance(const char *arg);
/* -EINVAL if the name could escape the pin root or is too long */
int tg_instance_valid(const char *instance);
/* TENGUARD_PIN_ROOT/<instance> */
int tg_pin_dir(const char *instance, char *buf, size_t len);
/* fd of a pinned map of the instance, or negative errno */
int tg_pin_open(const char *instance, const char *map);

#endif /* TG_PINS_H */
