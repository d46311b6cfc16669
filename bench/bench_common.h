/* SPDX-License-Identifier: GPL-2.0 */
/* What every BPF_PROG_TEST_RUN benchmark here times with and reports. */
#ifndef TG_BENCH_COMMON_H
#define TG_BENCH_COMMON_H

/* a tc program of r0 = TC_ACT_UNSPEC; exit: what a run costs by itself */
int tg_bench_load_empty(void);
/* the median of n values; sorts v */
double tg_bench_median(double *v, int n);

#endif /* TG_BENCH_COMMON_H */
