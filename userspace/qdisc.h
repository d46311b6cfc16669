/* SPDX-License-Identifier: GPL-2.0 */
/* The fq qdisc that keeps the departure times of shaped ports. */
#ifndef TG_QDISC_H
#define TG_QDISC_H

#include <stdint.h>

/*
 * Make fq the root qdisc of ifindex (a change of its parameters if it is
 * already). -errno if the kernel has no fq: EDT shaping cannot work there.
 */
int tg_qdisc_fq(uint32_t ifindex);

#endif /* TG_QDISC_H */
