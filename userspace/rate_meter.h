/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The measured rates of VM ports (tg_rate_meter), from the counters of
 * tg_stats sampled at an interval, as tc's rate estimator does for a
 * qdisc: operators read a rate, not two counters and a clock.
 */
#ifndef TG_RATE_METER_H
#define TG_RATE_METER_H

#include <stddef.h>
#include <stdint.h>
#include <linux/tenguard.h>

#include "isolation.h"

#define TG_RATE_METER_INTERVAL_MS	1000

struct tg_rate_sample;

struct tg_rate_meter {
	struct tg_rate_sample *s;	/* last sample of each port, by ifindex */
	size_t n, cap;
};

/*
 * Sample every port's counters and write the rates since the previous
 * sample of each to tg_rate_meter. A port seen for the first time gets its
 * rates at the next call.
 */
int tg_rate_meter_run(struct tg_rate_meter *m, struct tg_dp *dp);
void tg_rate_meter_free(struct tg_rate_meter *m);

#endif /* TG_RATE_METER_H */
