// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/tenguard.h>

#include "pins.h"

const char *tg_instance(const char *arg)
{
	const char *env;

	if (arg)
		return arg;
	env = getenv(TG_INSTANCE_ENV);
	return env && *env ? env : TG_INSTANCE_DEFAULT;
}

int tg_instance_valid(const char *instance)
{
	size_t len = strlen(instance);

	if (!len || len >= 64 || instance[0] == '.' ||
	    strspn(instance, "abcdefghijklmnopqrstuvwxyz"
			     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != len)
		return -EINVAL;
	return 0;
}

int tg_pin_dir(const char *instance, char *buf, size_t len)
{
	int n;

	if (tg_instance_valid(instance))
		return -EINVAL;
	n = snprintf(buf, len, "%s/%s", TENGUARD_PIN_ROOT, instance);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int tg_pin_open(const char *instance, const char *map)
{
	char path[256];
	int err, fd;

	err = tg_pin_dir(instance, path, sizeof(path));
	if (err)
		return err;
	if (strlen(path) + 1 + strlen(map) >= sizeof(path))
		return -ENAMETOOLONG;
	strcat(path, "/");
	strcat(path, map);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}
