// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmarks' rule sets (acl_rules.h), from a fixed pseudo-random
 * sequence: every run and every tool gets the same rules for the same n.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "acl_rules.h"
#include "names.h"
#include "policy.h"

#define SEED	0x74656e6775617264ULL	/* "tenguard" */

/* xorshift64*: the same sequence on every machine and libc */
static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* 0 .. n - 1 */
static uint32_t rnd(uint64_t *s, uint32_t n)
{
	return (rnd_next(s) >> 32) % n;
}

/*
 * Prefix lengths of the filler, per mille: mostly /24 and /32 as in
 * security groups, with enough short ones that the address lookup meets
 * every depth.
 */
static const struct {
	uint8_t lo, hi;
	uint16_t permille;
} len_mix[] = {
	{ 8, 8, 2 }, { 9, 15, 28 }, { 16, 16, 120 }, { 17, 23, 150 },
	{ 24, 24, 330 }, { 25, 31, 100 }, { 32, 32, 270 },
};

struct pfx {
	uint32_t addr;		/* host order */
	uint8_t len;
};

static uint32_t mask_of(unsigned int len)
{
	return len ? ~0U << (32 - len) : 0;
}

static uint8_t draw_len(uint64_t *s)
{
	uint32_t x = rnd(s, 1000);
	size_t i;

	for (i = 0; i < sizeof(len_mix) / sizeof(len_mix[0]); i++) {
		if (x < len_mix[i].permille)
			return len_mix[i].lo +
			       rnd(s, len_mix[i].hi - len_mix[i].lo + 1);
		x -= len_mix[i].permille;
	}
	return 32;
}

static int cmp_len(const void *a, const void *b)
{
	const struct pfx *x = a, *y = b;

	return x->len - y->len;
}

/* unicast, not loopback, and nowhere near the traffic's 198.18.0.0/15 */
static bool usable(uint32_t addr)
{
	uint8_t o = addr >> 24;

	return o >= 1 && o <= 223 && o != 127 && o != 198;
}

/*
 * Placed shortest first, a prefix overlaps an earlier one exactly when it
 * lies inside it. Quadratic, but 10,000 prefixes take milliseconds.
 */
static int place(struct pfx *p, size_t n, uint64_t *s)
{
	size_t i, j, tries;

	qsort(p, n, sizeof(*p), cmp_len);
	for (i = 0; i < n; i++) {
		for (tries = 0; tries < 100000; tries++) {
			p[i].addr = (uint32_t)(rnd_next(s) >> 32) &
				    mask_of(p[i].len);
			if (!usable(p[i].addr))
				continue;
			for (j = 0; j < i; j++)
				if ((p[i].addr & mask_of(p[j].len)) == p[j].addr)
					break;
			if (j == i)
				break;
		}
		if (tries == 100000)
			return -EAGAIN;
	}
	return 0;
}

static void filler(struct tenguard_acl_rule *r, const struct pfx *p,
		   uint64_t *s)
{
	static const uint8_t icmp_types[] = { 0, 3, 8, 11, 13 };
	static const uint8_t alone[] = {
		IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_GRE, IPPROTO_ESP
	};
	uint32_t kind = rnd(s, 100), hi;

	memset(r, 0, sizeof(*r));
	r->action = rnd(s, 100) < 85 ? TENGUARD_ACL_ALLOW : TENGUARD_ACL_DENY;
	r->family = 4;
	r->prefixlen = p->len;
	*(uint32_t *)r->addr = htonl(p->addr);
	if (kind < 35) {
		r->proto = rnd(s, 2) ? IPPROTO_TCP : IPPROTO_UDP;
		r->match = TENGUARD_RULE_M_PORTS;
		r->port_min = r->port_max = 1 + rnd(s, 65535);
	} else if (kind < 60) {
		r->proto = rnd(s, 2) ? IPPROTO_TCP : IPPROTO_UDP;
		r->match = TENGUARD_RULE_M_PORTS;
		r->port_min = 1 + rnd(s, 60000);
		hi = r->port_min + rnd(s, 1U << (1 + rnd(s, 12)));
		r->port_max = hi > 65535 ? 65535 : hi;
	} else if (kind < 70) {
		r->proto = IPPROTO_ICMP;
		r->match = TENGUARD_RULE_M_ICMP_TYPE;
		r->icmp_type = icmp_types[rnd(s, sizeof(icmp_types))];
		if (rnd(s, 10) < 4) {
			r->match |= TENGUARD_RULE_M_ICMP_CODE;
			r->icmp_code = r->icmp_type == 3 ? rnd(s, 16) : 0;
		}
	} else if (kind < 85) {
		r->proto = alone[rnd(s, sizeof(alone))];
	}
}

size_t bench_hit_index(size_t n, unsigned int k)
{
	return k * (n - 1) / (BENCH_HITS - 1);
}

int bench_rules_make(size_t n, struct tg_acl_cfg *acl)
{
	struct tenguard_acl_rule *rules, *r;
	size_t i, f, nf = n - BENCH_HITS;
	uint64_t s = SEED;
	unsigned int k;
	struct pfx *p;
	int err;

	memset(acl, 0, sizeof(*acl));
	if (n < BENCH_HITS)
		return -EINVAL;
	rules = calloc(n, sizeof(*rules));
	p = calloc(nf ? nf : 1, sizeof(*p));
	if (!rules || !p) {
		free(rules);
		free(p);
		return -ENOMEM;
	}
	for (i = 0; i < nf; i++)
		p[i].len = draw_len(&s);
	err = place(p, nf, &s);
	if (err) {
		free(rules);
		free(p);
		return err;
	}
	/* placed by length, the filler goes into the list in random order */
	for (i = nf; i > 1; i--) {
		struct pfx t;

		f = rnd(&s, i);
		t = p[i - 1];
		p[i - 1] = p[f];
		p[f] = t;
	}
	for (i = 0, f = 0, k = 0; i < n; i++) {
		r = &rules[i];
		if (k < BENCH_HITS && i == bench_hit_index(n, k)) {
			r->action = TENGUARD_ACL_ALLOW;
			r->family = 4;
			r->prefixlen = BENCH_HIT_LEN;
			*(uint32_t *)r->addr = htonl(BENCH_SRC_NET +
						     (k << (32 - BENCH_HIT_LEN)));
			r->proto = IPPROTO_UDP;
			r->match = TENGUARD_RULE_M_PORTS;
			r->port_min = BENCH_HIT_PORT_BASE + BENCH_HIT_PORTS * k;
			r->port_max = r->port_min + BENCH_HIT_PORTS - 1;
			k++;
			continue;
		}
		filler(r, &p[f++], &s);
	}
	free(p);
	acl->present = true;
	acl->dflt = TENGUARD_ACL_DENY;
	acl->rules = rules;
	acl->n_rules = n;
	return 0;
}

/* ---- printing ---- */

static void put_prefix(FILE *f, const struct tenguard_acl_rule *r)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, r->addr, a, sizeof(a));
	fprintf(f, "%s/%u", a, r->prefixlen);
}

static void put_ports(FILE *f, const struct tenguard_acl_rule *r)
{
	if (r->port_min == r->port_max)
		fprintf(f, "%u", r->port_min);
	else
		fprintf(f, "%u-%u", r->port_min, r->port_max);
}

static void print_json(FILE *f, const struct tg_acl_cfg *acl)
{
	const struct tenguard_acl_rule *r;
	const char *proto;
	size_t i;

	fprintf(f, "{ \"ingress\": { \"default\": \"%s\", \"rules\": [\n",
		tg_acl_action_names[acl->dflt]);
	for (i = 0; i < acl->n_rules; i++) {
		r = &acl->rules[i];
		fprintf(f, "  { \"action\": \"%s\", \"remote\": \"",
			tg_acl_action_names[r->action]);
		put_prefix(f, r);
		fputc('"', f);
		proto = tg_proto_name(r->proto);
		if (r->proto && proto)
			fprintf(f, ", \"proto\": \"%s\"", proto);
		else if (r->proto)
			fprintf(f, ", \"proto\": %u", r->proto);
		if (r->match & TENGUARD_RULE_M_PORTS) {
			fputs(", \"ports\": \"", f);
			put_ports(f, r);
			fputc('"', f);
		}
		if (r->match & TENGUARD_RULE_M_ICMP_TYPE)
			fprintf(f, ", \"icmp_type\": %u", r->icmp_type);
		if (r->match & TENGUARD_RULE_M_ICMP_CODE)
			fprintf(f, ", \"icmp_code\": %u", r->icmp_code);
		fprintf(f, " }%s\n", i + 1 < acl->n_rules ? "," : "");
	}
	fputs("] } }\n", f);
}

static const char *verdict(const struct tenguard_acl_rule *r)
{
	return r->action == TENGUARD_ACL_ALLOW ? "accept" : "drop";
}

/* which map of the map variant holds a rule */
enum nft_map { MAP_PORTS, MAP_PROTOS, MAP_CODES, MAP_TYPES, MAP_REMOTES,
	       N_MAPS };

static enum nft_map map_of(const struct tenguard_acl_rule *r)
{
	if (r->match & TENGUARD_RULE_M_PORTS)
		return MAP_PORTS;
	if (r->match & TENGUARD_RULE_M_ICMP_CODE)
		return MAP_CODES;
	if (r->match & TENGUARD_RULE_M_ICMP_TYPE)
		return MAP_TYPES;
	return r->proto ? MAP_PROTOS : MAP_REMOTES;
}

static void print_map(FILE *f, const struct tg_acl_cfg *acl, enum nft_map m)
{
	static const char *const decl[N_MAPS][2] = {
		[MAP_PORTS] = { "ports",
				"ipv4_addr . inet_proto . inet_service" },
		[MAP_PROTOS] = { "protos", "ipv4_addr . inet_proto" },
		[MAP_CODES] = { "icmp_codes",
				"ipv4_addr . icmp_type . icmp_code" },
		[MAP_TYPES] = { "icmp_types", "ipv4_addr . icmp_type" },
		[MAP_REMOTES] = { "remotes", "ipv4_addr" },
	};
	const struct tenguard_acl_rule *r;
	bool first = true;
	size_t i;

	fprintf(f, "\tmap %s {\n\t\ttype %s : verdict\n\t\tflags interval\n",
		decl[m][0], decl[m][1]);
	for (i = 0; i < acl->n_rules; i++) {
		r = &acl->rules[i];
		if (map_of(r) != m)
			continue;
		fputs(first ? "\t\telements = {\n\t\t\t" : ",\n\t\t\t", f);
		first = false;
		put_prefix(f, r);
		if (m == MAP_PORTS || m == MAP_PROTOS)
			fprintf(f, " . %u", r->proto);
		if (m == MAP_PORTS) {
			fputs(" . ", f);
			put_ports(f, r);
		}
		if (m == MAP_CODES || m == MAP_TYPES)
			fprintf(f, " . %u", r->icmp_type);
		if (m == MAP_CODES)
			fprintf(f, " . %u", r->icmp_code);
		fprintf(f, " : %s", verdict(r));
	}
	if (!first)
		fputs("\n\t\t}\n", f);
	fputs("\t}\n", f);
}

/* one rule of the list variant, as an operator would write it */
static void print_rule(FILE *f, const struct tenguard_acl_rule *r)
{
	fputs("\t\tip saddr ", f);
	put_prefix(f, r);
	if (r->match & TENGUARD_RULE_M_PORTS) {
		fprintf(f, " %s dport ", r->proto == IPPROTO_TCP ? "tcp" : "udp");
		put_ports(f, r);
	} else if (r->match & TENGUARD_RULE_M_ICMP_TYPE) {
		fprintf(f, " icmp type %u", r->icmp_type);
		if (r->match & TENGUARD_RULE_M_ICMP_CODE)
			fprintf(f, " icmp code %u", r->icmp_code);
	} else if (r->proto) {
		fprintf(f, " meta l4proto %u", r->proto);
	}
	fprintf(f, " %s\n", verdict(r));
}

/*
 * What tenguard does before and after the rules: ARP and neighbour
 * discovery bypass them, the set is IPv4 only so other IPv6 gets the
 * default, and the default ends the chain.
 */
static void print_nft(FILE *f, const struct tg_acl_cfg *acl, bool maps,
		      const char *table, const char *dev)
{
	const char *dflt = acl->dflt == TENGUARD_ACL_ALLOW ? "accept" : "drop";
	size_t i;
	int m;

	fprintf(f, "table netdev %s {\n", table);
	for (m = 0; maps && m < N_MAPS; m++)
		print_map(f, acl, m);
	fprintf(f,
		"\tchain acl {\n"
		"\t\ttype filter hook egress device \"%s\" priority 0; policy accept;\n"
		"\t\tmeta protocol arp accept\n"
		"\t\ticmpv6 type { 130-137, 143 } accept\n"
		"\t\tmeta protocol != ip %s\n", dev, dflt);
	if (maps) {
		/* the prefixes are disjoint: at most one map has the source */
		fputs("\t\tip saddr . meta l4proto . th dport vmap @ports\n"
		      "\t\tip saddr . meta l4proto vmap @protos\n"
		      "\t\tip saddr . icmp type . icmp code vmap @icmp_codes\n"
		      "\t\tip saddr . icmp type vmap @icmp_types\n"
		      "\t\tip saddr vmap @remotes\n", f);
	} else {
		for (i = 0; i < acl->n_rules; i++)
			print_rule(f, &acl->rules[i]);
	}
	fprintf(f, "\t\t%s\n\t}\n}\n", dflt);
}

int bench_rules_print(FILE *f, const struct tg_acl_cfg *acl,
		      enum bench_rules_format format, const char *table,
		      const char *dev)
{
	switch (format) {
	case BENCH_RULES_JSON:
		print_json(f, acl);
		break;
	case BENCH_RULES_NFT_MAP:
	case BENCH_RULES_NFT_LIST:
		print_nft(f, acl, format == BENCH_RULES_NFT_MAP, table, dev);
		break;
	default:
		return -EINVAL;
	}
	return ferror(f) ? -EIO : 0;
}
