/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rate limits of VM ports: a bit-rate and a packet-rate token bucket per
 * port and direction, policing (drop) or, towards the VM, shaping (an
 * earliest departure time in skb->tstamp that the fq qdisc keeps).
 *
 * Each bucket is one u64, its theoretical arrival time (GCRA): the time
 * at which it is full again. A packet costing c ns of the rate fits if
 * max(tat, now) + c - now <= tau, the burst's worth of time; it then
 * advances tat by c. One word is enough for the whole bucket, so it is
 * updated with compare-and-exchange: a CPU that loses the race retries
 * with the winner's value, and no token is lost or made twice. Buckets are
 * shared by all CPUs on purpose: per-CPU buckets would need no atomics
 * but let a VM whose traffic spreads over N CPUs send N times its rate,
 * and splitting the rate between CPUs starves one that carries it all.
 * A spin lock would serialise the same work and cost a bpf_spin_lock per
 * packet besides.
 */
#ifndef TG_RATE_BPF_H
#define TG_RATE_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "maps.bpf.h"
#include "parse.bpf.h"

#define TG_NSEC_PER_SEC		1000000000ULL
/* compare-and-exchange attempts: each failure is another CPU's success */
#define TG_RATE_TRIES		8
/* the longest a shaped packet waits, whatever its burst says */
#define TG_RATE_WAIT_MAX	TG_NSEC_PER_SEC
#define TG_RATE_LACK_MAX	((__u64)1 << 44)

/*
 * ns * from / to without overflow: rates are below 2^40 (TENGUARD_RATE_
 * BPS_MAX), so up to 2^24 ns the product fits; longer debts lose their
 * low bits, and more than 2^44 ns (5 h) is as good as empty.
 */
static __always_inline __u64 tg_scale(__u64 ns, __u64 from, __u64 to)
{
	__u64 r;

	if (ns > TG_RATE_LACK_MAX)
		ns = TG_RATE_LACK_MAX;
	if (ns < (1ULL << 24))
		r = ns * from / to;
	else if (ns < (1ULL << 34))
		r = ((ns >> 10) * from / to) << 10;
	else
		r = ((ns >> 20) * from / to) << 20;
	return r > TG_RATE_LACK_MAX ? TG_RATE_LACK_MAX : r;
}

/*
 * What a bucket lacks (tat - now) in ns of rate from becomes ns of rate
 * to, and moves with the full mark from depth from_tau to to_tau.
 */
static __always_inline void tg_tat_convert(__u64 *tat, __u64 now, __u64 from,
					   __u64 to, __u64 from_tau,
					   __u64 to_tau)
{
	__u64 old, lack;
	int i;

	for (i = 0; i < TG_RATE_TRIES; i++) {
		old = *tat;
		lack = old > now ? old - now : 0;
		if (from != to)
			lack = tg_scale(lack, from, to);
		lack = lack + to_tau > from_tau ? lack + to_tau - from_tau : 0;
		if (__sync_val_compare_and_swap(tat, old, now + lack) == old)
			return;
	}
}

/*
 * The bucket's limits changed from those it was advanced under: keep the
 * tokens it holds. A new rate scales what it lacks (ns of the old rate)
 * to ns of the new one; a new burst moves the full mark, so the lack grows
 * or shrinks by the difference of the depths. The CPU that swaps the
 * recorded value converts; others go on meanwhile, for the nanoseconds
 * that takes, against the unconverted value.
 */
static __always_inline void tg_bucket_follow(struct tenguard_rate_bucket *b,
					     __u64 rate, __u64 burst,
					     __u64 unit, __u64 now)
{
	__u64 old = *&b->rate;

	if (old != rate &&
	    __sync_val_compare_and_swap(&b->rate, old, rate) == old && old)
		tg_tat_convert(&b->tat, now, old, rate, 0, 0);
	old = *&b->burst;
	if (old != burst &&
	    __sync_val_compare_and_swap(&b->burst, old, burst) == old && old)
		tg_tat_convert(&b->tat, now, rate, rate, old * unit / rate,
			       burst * unit / rate);
}

/*
 * Take cost ns from a bucket of depth tau ns that may run wait ns into
 * debt (shaping). Returns when the packet may leave (now, or later when
 * shaped), or 0: it does not fit and nothing was taken.
 */
static __always_inline __u64 tg_bucket_take(__u64 *tat, __u64 now, __u64 cost,
					    __u64 tau, __u64 wait)
{
	__u64 old, base, new, limit = tau + wait;
	int i;

	for (i = 0; i < TG_RATE_TRIES; i++) {
		old = *tat;
		base = old > now ? old : now;
		if (base - now > limit) {
			/*
			 * The limit was lowered: the bucket is empty, not in
			 * debt beyond its new depth, or it would stall.
			 */
			__sync_val_compare_and_swap(tat, old, now + limit);
			continue;
		}
		new = base + cost;
		if (new - now > limit)
			return 0;
		if (__sync_val_compare_and_swap(tat, old, new) == old)
			return new - now > tau ? new - tau : now;
	}
	return 0;
}

/* the other bucket refused: give back what this one took */
static __always_inline void tg_bucket_refund(__u64 *tat, __u64 cost)
{
	__sync_fetch_and_add(tat, -cost);
}

static __always_inline __u64 tg_wait(__u64 tau, __u32 shape)
{
	if (!shape)
		return 0;
	return tau < TG_RATE_WAIT_MAX ? tau : TG_RATE_WAIT_MAX;
}

/*
 * The limiter of one direction of a port: TG_PASS or TENGUARD_DROP_RATE.
 * Not inlined: its frame must not add to the callers', which the rule
 * sets' checks already bring to the verifier's limit.
 */
static __noinline int tg_rate_check(struct __sk_buff *skb,
				    const struct tenguard_rate *cfg,
				    struct tenguard_stats *st, __u32 dir)
{
	struct tenguard_rate_key key = { .ifindex = skb->ifindex, .dir = dir };
	__u64 now, cost_b = 0, cost_p = 0, tau, at = 0, at_p = 0;
	struct tenguard_rate_stats *rs = NULL;
	struct tenguard_rate_state *b;
	__u32 shape = cfg->flags & TENGUARD_RATE_F_SHAPE;
	__u32 segs = skb->gso_segs ?: 1;
	__u32 flags = cfg->flags;

	if (st && dir < __TENGUARD_ACL_DIR_MAX)
		rs = &st->rate[dir];
	b = bpf_map_lookup_elem(&tg_rate, &key);
	if (!b)
		goto drop;	/* limited, but the daemon made no bucket */
	now = bpf_ktime_get_ns();
	if (flags & TENGUARD_RATE_F_PPS) {
		if (!cfg->pps)
			goto drop;
		tg_bucket_follow(&b->pkts, cfg->pps, cfg->pkt_burst,
				 TG_NSEC_PER_SEC, now);
		cost_p = segs * TG_NSEC_PER_SEC / cfg->pps;
		tau = (__u64)cfg->pkt_burst * TG_NSEC_PER_SEC / cfg->pps;
		at_p = tg_bucket_take(&b->pkts.tat, now, cost_p, tau,
				      tg_wait(tau, shape));
		if (!at_p)
			goto drop;
	}
	if (flags & TENGUARD_RATE_F_BPS) {
		if (!cfg->bps)
			goto refund;
		tg_bucket_follow(&b->bytes, cfg->bps, cfg->burst,
				 8 * TG_NSEC_PER_SEC, now);
		cost_b = (__u64)skb->len * 8 * TG_NSEC_PER_SEC / cfg->bps;
		tau = (__u64)cfg->burst * 8 * TG_NSEC_PER_SEC / cfg->bps;
		at = tg_bucket_take(&b->bytes.tat, now, cost_b, tau,
				    tg_wait(tau, shape));
		if (!at)
			goto refund;
	}
	if (at_p > at)
		at = at_p;
	if (shape) {
		/* also clears a receive timestamp fq would take as a time */
		skb->tstamp = at;
		if (rs && at > now)
			rs->shaped++;
	}
	if (rs) {
		rs->packets++;
		rs->bytes += skb->len;
	}
	return TG_PASS;
refund:
	if (cost_p && b)
		tg_bucket_refund(&b->pkts.tat, cost_p);
drop:
	if (rs) {
		rs->drop_packets++;
		rs->drop_bytes += skb->len;
	}
	return TENGUARD_DROP_RATE;
}

#endif /* TG_RATE_BPF_H */
