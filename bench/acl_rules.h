/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule sets and the traffic of the ACL benchmarks, generated the same
 * way on every run, so that bench_acl (BPF_PROG_TEST_RUN) and traffic.sh
 * (tenguardd and nftables on veth ports) time the very same rules.
 *
 * A set of n rules (n >= BENCH_HITS) is the ingress rule set of the port
 * that receives, default deny. BENCH_HITS of its rules are the ones the
 * traffic hits: hit k allows UDP from 198.18.1.(32 k)/27 to ports
 * 5000 + 100 k .. 5000 + 100 k + 99; hit 0 is rule 0, hit BENCH_HITS - 1 is
 * the last rule, the others are spread evenly between. The other rules are
 * filler nothing of the traffic matches: IPv4 prefixes /8 to /32 outside
 * 198.0.0.0/8, each with a port, a port range, an ICMP type (and code), a
 * protocol alone or nothing more, mostly allow. The filler prefixes are
 * disjoint: then no two rules overlap, and nftables' interval maps, which
 * refuse overlapping elements, hold the same policy as a first-match list
 * without a compiler of their own.
 */
#ifndef BENCH_ACL_RULES_H
#define BENCH_ACL_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_HITS		8
#define BENCH_HIT_LEN		27	/* prefix of each hit rule */
#define BENCH_HIT_PORT_BASE	5000
#define BENCH_HIT_PORTS		100	/* ports of each hit rule */
/* the senders' addresses: the hit rules' prefixes, 198.18.1.0/24 */
#define BENCH_SRC_NET		((198U << 24) | (18U << 16) | (1U << 8))
/* a source no rule matches: the default decides */
#define BENCH_SRC_UNMATCHED	((198U << 24) | (18U << 16) | (2U << 8))

struct tg_acl_cfg;

/* the rule set of n rules, rules calloc()ed; -EINVAL for n < BENCH_HITS */
int bench_rules_make(size_t n, struct tg_acl_cfg *acl);
/* the index of hit k in a set of n rules */
size_t bench_hit_index(size_t n, unsigned int k);

enum bench_rules_format {
	BENCH_RULES_JSON,	/* a port's "acl": {"ingress": {...}} */
	BENCH_RULES_NFT_MAP,	/* table netdev NAME, interval maps */
	BENCH_RULES_NFT_LIST,	/* table netdev NAME, one rule each */
};

/*
 * Print acl in format; nftables tables are called table and filter what
 * leaves dev (the hook "egress": what the port delivers to its VM, as the
 * ingress rule set of tenguard does).
 */
int bench_rules_print(FILE *f, const struct tg_acl_cfg *acl,
		      enum bench_rules_format format, const char *table,
		      const char *dev);

/*
 * Flow i of the traffic, hitting hit i % BENCH_HITS: source address (host
 * order), source and destination port. i % BENCH_HITS picks the hit,
 * then the source address within it, the destination port, the source
 * port: 25,600 flows per source port, 1.65 billion before one repeats.
 */
static inline void bench_flow(uint64_t i, uint32_t *saddr, uint16_t *sport,
			      uint16_t *dport)
{
	unsigned int k = i % BENCH_HITS;

	i /= BENCH_HITS;
	*saddr = BENCH_SRC_NET + (k << (32 - BENCH_HIT_LEN)) +
		 i % (1U << (32 - BENCH_HIT_LEN));
	i >>= 32 - BENCH_HIT_LEN;
	*dport = BENCH_HIT_PORT_BASE + BENCH_HIT_PORTS * k +
		 i % BENCH_HIT_PORTS;
	i /= BENCH_HIT_PORTS;
	*sport = 1024 + i % (65536 - 1024);
}

#endif /* BENCH_ACL_RULES_H */
