// SPDX-License-Identifier: GPL-2.0
/*
 * Rule sets: compiled into one LPM trie per version (see the uapi header
 * for the layout) and swapped in whole.
 *
 * First match is the lowest index among the rules that match, and a
 * minimum can be taken over any split of the rules. The datapath splits
 * them in two: rules about a specific remote prefix, found under the class
 * of the longest such prefix holding the remote address, and rules about
 * any remote of a family, found under the family's class. Within a class,
 * (protocol, port) is a second LPM key whose entries each hold the lowest
 * index among the rules covering them, so the longest match is the first
 * rule. Nothing is crossed with the wildcard rules, which is what keeps a
 * set of 10,000 mixed rules to a size linear in it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/random.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "acl.h"
#include "isolation.h"
#include "isolation.skel.h"
#include "names.h"
#include "node_addrs.h"

#define RULE_BITS	56	/* class 32, protocol 8, port 16 */

/* a (class, protocol, port) prefix: v holds RULE_BITS bits, len of them */
struct rkey {
	uint64_t v;
	uint8_t len;
	uint32_t rule;
	uint32_t val;		/* action | flags << 8 */
};

struct rkeys {
	struct rkey *k;
	size_t n, cap;
};

/* a remote prefix of a rule, with the rule */
struct remote {
	uint8_t family;		/* 4 or 6 */
	uint8_t len;
	uint8_t addr[16];
	uint8_t level;		/* of its class: TENGUARD_ACL_LEVELS */
	uint32_t rule;
	uint32_t class;
};

struct remotes {
	struct remote *r;
	size_t n, cap;
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (n < *cap)
		return 0;
	while (c <= n)
		c *= 2;
	q = reallocarray(*p, c, size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static int rkey_add(struct rkeys *ks, uint64_t v, uint8_t len,
		    uint32_t rule, uint32_t val)
{
	if (grow((void **)&ks->k, &ks->cap, ks->n, sizeof(*ks->k)))
		return -ENOMEM;
	ks->k[ks->n++] = (struct rkey){ .v = v, .len = len, .rule = rule,
					.val = val };
	return 0;
}

/* the rule's (protocol, port) prefixes under class */
static int rule_keys(struct rkeys *ks, uint32_t class,
		     const struct tenguard_acl_rule *r, uint32_t idx)
{
	uint64_t base = (uint64_t)class << 24;
	uint32_t val = r->action | r->flags << 8;
	unsigned int lo, hi, size, bits;
	int err = 0;

	if (!r->proto)
		return rkey_add(ks, base, 32, idx, val);
	base |= (uint64_t)r->proto << 16;
	if (r->match & TENGUARD_RULE_M_ICMP_CODE)
		return rkey_add(ks, base | r->icmp_type << 8 | r->icmp_code,
				56, idx, val);
	if (r->match & TENGUARD_RULE_M_ICMP_TYPE)
		return rkey_add(ks, base | r->icmp_type << 8, 48, idx, val);
	if (!(r->match & TENGUARD_RULE_M_PORTS))
		return rkey_add(ks, base, 40, idx, val);
	/* a range is the largest aligned blocks that fit, left to right */
	lo = r->port_min;
	hi = r->port_max;
	while (!err && lo <= hi) {
		for (bits = 16; bits; bits--) {
			size = 1U << bits;
			if (!(lo & (size - 1)) && lo + size - 1 <= hi)
				break;
		}
		size = 1U << bits;
		err = rkey_add(ks, base | lo, 56 - bits, idx, val);
		lo += size;
	}
	return err;
}

static int cmp_rkey(const void *a, const void *b)
{
	const struct rkey *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	if (x->len != y->len)
		return x->len - y->len;
	return (x->rule > y->rule) - (x->rule < y->rule);
}

static bool rkey_covers(const struct rkey *a, const struct rkey *b)
{
	return a->len <= b->len &&
	       (a->len == 0 ||
		b->v >> (RULE_BITS - a->len) == a->v >> (RULE_BITS - a->len));
}

/*
 * Sorted by start and length, a prefix comes after all that hold it: one
 * pass with a stack of the prefixes holding the current one gives each the
 * lowest rule of itself and all above it. Duplicates keep the first rule.
 */
static size_t rkeys_settle(struct rkeys *ks)
{
	struct rkey **stack;
	size_t i, n = 0, depth = 0;

	qsort(ks->k, ks->n, sizeof(*ks->k), cmp_rkey);
	stack = calloc(RULE_BITS + 2, sizeof(*stack));
	if (!stack)
		return (size_t)-1;
	for (i = 0; i < ks->n; i++) {
		struct rkey *k = &ks->k[i];

		if (n && ks->k[n - 1].v == k->v && ks->k[n - 1].len == k->len)
			continue;	/* sorted by rule: the first is lower */
		ks->k[n] = *k;
		k = &ks->k[n++];
		while (depth && !rkey_covers(stack[depth - 1], k))
			depth--;
		if (depth && stack[depth - 1]->rule < k->rule) {
			k->rule = stack[depth - 1]->rule;
			k->val = stack[depth - 1]->val;
		}
		stack[depth++] = k;
	}
	free(stack);
	ks->n = n;
	return n;
}

static int cmp_remote(const void *a, const void *b)
{
	const struct remote *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	c = memcmp(x->addr, y->addr, 16);
	if (c)
		return c;
	if (x->len != y->len)
		return x->len - y->len;
	return (x->rule > y->rule) - (x->rule < y->rule);
}

static bool remote_covers(const struct remote *a, const struct remote *b)
{
	unsigned int full = a->len / 8, rest = a->len % 8;

	if (a->family != b->family || a->len > b->len)
		return false;
	if (memcmp(a->addr, b->addr, full))
		return false;
	return !rest || !((a->addr[full] ^ b->addr[full]) &
			  (0xff << (8 - rest)));
}

static int remote_add(struct remotes *rs, const struct tg_prefix *p,
		      uint32_t rule)
{
	struct remote *r;

	if (grow((void **)&rs->r, &rs->cap, rs->n, sizeof(*rs->r)))
		return -ENOMEM;
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	r->family = p->family == AF_INET ? 4 : 6;
	r->len = p->prefixlen;
	memcpy(r->addr, p->addr, p->family == AF_INET ? 4 : 16);
	r->rule = rule;
	return 0;
}

static struct tg_acl_entry *entry_add(struct tg_acl_prog *out)
{
	if (grow((void **)&out->e, &out->cap, out->n, sizeof(*out->e)))
		return NULL;
	memset(&out->e[out->n], 0, sizeof(out->e[0]));
	return &out->e[out->n++];
}

static int addr_entry(struct tg_acl_prog *out, uint8_t kind,
		      const struct remote *r, uint32_t a)
{
	struct tg_acl_entry *e = entry_add(out);

	if (!e)
		return -ENOMEM;
	e->key.prefixlen = 16 + r->len;
	e->key.kind = kind;
	e->key.a.family = r->family | r->level << 4;
	memcpy(e->key.a.addr, r->addr, 16);
	e->val.a = a;
	return 0;
}

static int rule_entry(struct tg_acl_prog *out, const struct rkey *k)
{
	struct tg_acl_entry *e = entry_add(out);

	if (!e)
		return -ENOMEM;
	e->key.prefixlen = 8 + k->len;
	e->key.kind = TENGUARD_ACL_KEY_RULE;
	e->key.r.class = htonl(k->v >> 24);
	e->key.r.proto = k->v >> 16;
	e->key.r.port = htons(k->v & 0xffff);
	e->val.a = k->rule;
	e->val.b = k->val;
	return 0;
}

/* the rules about any remote of a family: icmp and icmpv6 go to theirs */
static int root_keys(struct rkeys *ks, const struct tenguard_acl_rule *r,
		     uint32_t idx, int family)
{
	int err = 0;

	if (family != 6 && r->proto != 58)
		err = rule_keys(ks, TENGUARD_ACL_CLASS_ANY4, r, idx);
	if (!err && family != 4 && r->proto != 1)
		err = rule_keys(ks, TENGUARD_ACL_CLASS_ANY6, r, idx);
	return err;
}

int tg_acl_compile(const struct tg_acl_cfg *acl, uint32_t serial,
		   const struct tg_prefix *protect, size_t n_protect,
		   tg_acl_group_fn groups, void *ctx, size_t max,
		   struct tg_acl_prog *out, char *err, size_t errlen)
{
	struct remotes rs = { 0 }, ps = { 0 };
	struct remote *stack[130];	/* a chain of prefixes: one per length */
	size_t i, j, ng, classes = 0, depth = 0;
	struct rkeys ks = { 0 };
	const struct tg_prefix *gp;
	struct tg_acl_entry *e;
	unsigned int levels = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	e = entry_add(out);
	if (!e)
		return -ENOMEM;
	e->key.prefixlen = 8;
	e->key.kind = TENGUARD_ACL_KEY_META;
	e->val.a = serial;
	e->val.b = acl->dflt;

	for (i = 0; !ret && i < acl->n_rules; i++) {
		const struct tenguard_acl_rule *r = &acl->rules[i];
		struct tg_prefix p = { .prefixlen = r->prefixlen };

		if (r->group) {
			if (!groups || groups(r->group, &gp, &ng, ctx)) {
				snprintf(err, errlen,
					 "rule %zu: unknown group %u", i,
					 r->group);
				ret = -ENOENT;
				break;
			}
			/* a group without members matches nothing */
			for (j = 0; !ret && j < ng; j++)
				ret = gp[j].prefixlen ?
				      remote_add(&rs, &gp[j], i) :
				      root_keys(&ks, r, i, gp[j].family ==
						AF_INET ? 4 : 6);
		} else if (!r->family) {
			ret = root_keys(&ks, r, i, 0);
		} else if (!r->prefixlen) {
			ret = root_keys(&ks, r, i, r->family);
		} else {
			p.family = r->family == 4 ? AF_INET : AF_INET6;
			memcpy(p.addr, r->addr, 16);
			ret = remote_add(&rs, &p, i);
		}
	}
	/* the default: the last rule, matching everything */
	if (!ret)
		ret = rkey_add(&ks, (uint64_t)TENGUARD_ACL_CLASS_ANY4 << 24, 32,
			       acl->n_rules, acl->dflt);
	if (!ret)
		ret = rkey_add(&ks, (uint64_t)TENGUARD_ACL_CLASS_ANY6 << 24, 32,
			       acl->n_rules, acl->dflt);
	if (ret)
		goto out;

	/*
	 * One class per distinct prefix, and a level: how many prefixes of
	 * the set hold it, up to TENGUARD_ACL_LEVELS - 1. The prefixes of a
	 * level below the last hold none of their own level, so their rules
	 * go to their own class alone; only the last level keeps nested
	 * prefixes, whose rules go to every class they hold. Sorted, the
	 * prefixes a prefix holds follow it.
	 */
	qsort(rs.r, rs.n, sizeof(*rs.r), cmp_remote);
	for (i = 0; i < rs.n; i++) {
		struct remote *r = &rs.r[i];

		if (i && r->family == r[-1].family && r->len == r[-1].len &&
		    !memcmp(r->addr, r[-1].addr, 16)) {
			r->class = r[-1].class;
			r->level = r[-1].level;
			continue;
		}
		while (depth && !remote_covers(stack[depth - 1], r))
			depth--;
		r->level = depth < TENGUARD_ACL_LEVELS ? depth :
			   TENGUARD_ACL_LEVELS - 1;
		if (r->level + 1U > levels)
			levels = r->level + 1;
		stack[depth++] = r;
		r->class = TENGUARD_ACL_CLASS_FIRST + classes++;
		ret = addr_entry(out, TENGUARD_ACL_KEY_ADDR, r, r->class);
		if (ret)
			goto out;
	}
	e = &out->e[0];
	e->val.b = acl->dflt | levels << 8;
	for (i = 0; !ret && i < rs.n; i++) {
		const struct tenguard_acl_rule *r = &acl->rules[rs.r[i].rule];

		for (j = i; !ret && j < rs.n &&
			    remote_covers(&rs.r[i], &rs.r[j]); j++) {
			if (rs.r[j].level != rs.r[i].level ||
			    (j > i && rs.r[j].class == rs.r[j - 1].class))
				continue;
			ret = rule_keys(&ks, rs.r[j].class, r, rs.r[i].rule);
			if (ks.n + out->n > max && max) {
				ret = -E2BIG;
				break;
			}
		}
	}
	if (ret == -E2BIG) {
		snprintf(err, errlen,
			 "the rule set needs more than %zu classifier entries: fewer nested prefixes, or raise --max-acl-entries",
			 max);
		goto out;
	}
	if (ret || rkeys_settle(&ks) == (size_t)-1) {
		ret = ret ? ret : -ENOMEM;
		goto out;
	}
	for (i = 0; !ret && i < ks.n; i++)
		ret = rule_entry(out, &ks.k[i]);

	for (i = 0; !ret && i < n_protect; i++) {
		ret = remote_add(&ps, &protect[i], 0);
		if (!ret)
			ret = addr_entry(out, TENGUARD_ACL_KEY_PROTECT,
					 &ps.r[ps.n - 1], 0);
	}
	if (!ret && max && out->n > max) {
		snprintf(err, errlen,
			 "the rule set needs %zu classifier entries, more than %zu: fewer nested prefixes, or raise --max-acl-entries",
			 out->n, max);
		ret = -E2BIG;
	}
out:
	free(rs.r);
	free(ps.r);
	free(ks.k);
	if (ret)
		tg_acl_prog_free(out);
	return ret;
}

void tg_acl_prog_free(struct tg_acl_prog *prog)
{
	free(prog->e);
	memset(prog, 0, sizeof(*prog));
}

/* ---- the reference: what the compiled set must decide ---- */

static bool rule_matches(const struct tenguard_acl_rule *r, int family,
			 const uint8_t *remote, uint8_t proto, uint16_t port)
{
	struct remote a = { .family = r->family, .len = r->prefixlen };
	struct remote b = { .family = family, .len = family == 4 ? 32 : 128 };

	if (r->family) {
		memcpy(a.addr, r->addr, 16);
		memcpy(b.addr, remote, family == 4 ? 4 : 16);
		if (!remote_covers(&a, &b))
			return false;
	} else if ((r->proto == 1 && family != 4) ||
		   (r->proto == 58 && family != 6)) {
		return false;
	}
	if (r->proto && r->proto != proto)
		return false;
	if ((r->match & TENGUARD_RULE_M_PORTS) &&
	    (port < r->port_min || port > r->port_max))
		return false;
	if ((r->match & TENGUARD_RULE_M_ICMP_TYPE) &&
	    port >> 8 != r->icmp_type)
		return false;
	if ((r->match & TENGUARD_RULE_M_ICMP_CODE) &&
	    (port & 0xff) != r->icmp_code)
		return false;
	return true;
}

int tg_acl_match(const struct tg_acl_cfg *acl, int family,
		 const uint8_t *remote, uint8_t proto, uint16_t port)
{
	size_t i;

	for (i = 0; i < acl->n_rules; i++)
		if (!acl->rules[i].group &&
		    rule_matches(&acl->rules[i], family, remote, proto, port))
			return i;
	return -1;
}

/* ---- installing ---- */

static int fill(int fd, const void *key, const void *val)
{
	int tries, err;

	/* the trie allocates on update: a burst can fail for a moment */
	for (tries = 0; tries < 10; tries++) {
		err = bpf_map_update_elem(fd, key, val, BPF_ANY);
		if (!err || errno != ENOMEM)
			break;
	}
	return err ? -errno : 0;
}

int tg_dp_acl_set(struct tg_dp *dp, const struct tenguard_acl_id *id,
		  const struct tg_acl_cfg *acl, const struct tg_acl_prog *prog)
{
	LIBBPF_OPTS(bpf_map_create_opts, trie_opts,
		    .map_flags = BPF_F_NO_PREALLOC);
	LIBBPF_OPTS(bpf_map_create_opts, arr_opts,
		    .map_flags = BPF_F_INNER_MAP);
	struct isolation_bpf *s = dp->skel;
	int trie = -1, rules = -1, hits = -1, err = 0;
	uint32_t i;

	trie = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "tg_acl_set",
			      sizeof(struct tenguard_acl_key),
			      sizeof(struct tenguard_acl_val),
			      prog->n ? prog->n : 1, &trie_opts);
	rules = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tg_acl_set_rules",
			       sizeof(uint32_t),
			       sizeof(struct tenguard_acl_rule),
			       acl->n_rules ? acl->n_rules : 1, &arr_opts);
	hits = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tg_acl_set_hits",
			      sizeof(uint32_t), sizeof(uint64_t),
			      acl->n_rules + 1, &arr_opts);
	if (trie < 0 || rules < 0 || hits < 0) {
		err = -errno;
		goto out;
	}
	for (i = 0; !err && i < prog->n; i++)
		err = fill(trie, &prog->e[i].key, &prog->e[i].val);
	for (i = 0; !err && i < acl->n_rules; i++)
		err = fill(rules, &i, &acl->rules[i]);
	if (err)
		goto out;
	/* counters and rules first: the trie is what packets see */
	if (bpf_map_update_elem(bpf_map__fd(s->maps.tg_acl_hits), id, &hits,
				BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(s->maps.tg_acl_rules), id, &rules,
				BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(s->maps.tg_acl), id, &trie,
				BPF_ANY))
		err = -errno;
out:
	if (trie >= 0)
		close(trie);
	if (rules >= 0)
		close(rules);
	if (hits >= 0)
		close(hits);
	return err;
}

int tg_dp_acl_del(struct tg_dp *dp, const struct tenguard_acl_id *id)
{
	struct isolation_bpf *s = dp->skel;
	int err = 0;

	if (bpf_map_delete_elem(bpf_map__fd(s->maps.tg_acl), id) &&
	    errno != ENOENT)
		return -errno;
	if (bpf_map_delete_elem(bpf_map__fd(s->maps.tg_acl_rules), id) &&
	    errno != ENOENT)
		err = -errno;
	if (bpf_map_delete_elem(bpf_map__fd(s->maps.tg_acl_hits), id) &&
	    errno != ENOENT && !err)
		err = -errno;
	return err;
}

/* ---- keeping the datapath's rule sets those of the policy ---- */

struct tg_acl_cache {
	struct tenguard_acl_id id;
	unsigned char digest[SHA256_DIGEST_LENGTH];
};

static int cmp_id(const void *a, const void *b)
{
	const struct tenguard_acl_id *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return (x->set > y->set) - (x->set < y->set);
}

static struct tg_acl_cache *cache_find(struct tg_dp *dp,
				       const struct tenguard_acl_id *id)
{
	return bsearch(id, dp->acl_cache, dp->n_acl_cache,
		       sizeof(*dp->acl_cache), cmp_id);
}

static int cache_put(struct tg_dp *dp, const struct tenguard_acl_id *id,
		     const unsigned char *digest)
{
	struct tg_acl_cache *c = cache_find(dp, id);

	if (!c) {
		if (grow((void **)&dp->acl_cache, &dp->acl_cache_cap,
			 dp->n_acl_cache, sizeof(*c)))
			return -ENOMEM;
		c = &dp->acl_cache[dp->n_acl_cache++];
		c->id = *id;
		memcpy(c->digest, digest, sizeof(c->digest));
		qsort(dp->acl_cache, dp->n_acl_cache, sizeof(*c), cmp_id);
		return 0;
	}
	memcpy(c->digest, digest, sizeof(c->digest));
	return 0;
}

static void cache_drop(struct tg_dp *dp, const struct tenguard_acl_id *id)
{
	struct tg_acl_cache *c = cache_find(dp, id);
	size_t i;

	if (!c)
		return;
	i = c - dp->acl_cache;
	memmove(c, c + 1, (dp->n_acl_cache - i - 1) * sizeof(*c));
	dp->n_acl_cache--;
}

/* what the set decides, without its serial: unchanged sets stay */
static int digest_of(const struct tg_acl_cfg *acl,
		     const struct tg_acl_prog *prog, unsigned char *md)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(ctx, prog->e + 1,
			      (prog->n - 1) * sizeof(*prog->e)) &&
	     EVP_DigestUpdate(ctx, &acl->dflt, sizeof(acl->dflt)) &&
	     EVP_DigestUpdate(ctx, acl->rules,
			      acl->n_rules * sizeof(*acl->rules)) &&
	     EVP_DigestFinal_ex(ctx, md, NULL);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

/* the addresses of a tenant's ports in a group */
struct group_ctx {
	const struct tg_policy *pol;
	uint32_t tenant;
	struct tg_prefix *pfx;
	size_t n, cap;
};

static int group_members(uint32_t group, const struct tg_prefix **pfx,
			 size_t *n, void *arg)
{
	struct group_ctx *g = arg;
	const struct tg_port_cfg *p;
	size_t i, j, k;

	g->n = 0;
	for (i = 0; i < g->pol->n_ports; i++) {
		p = &g->pol->ports[i];
		if (p->kind != TENGUARD_PORT_VM || p->tenant != g->tenant)
			continue;
		for (j = 0; j < p->n_groups && p->groups[j] != group; j++)
			;
		if (j == p->n_groups)
			continue;
		for (k = 0; k < p->n_addrs; k++) {
			if (grow((void **)&g->pfx, &g->cap, g->n,
				 sizeof(*g->pfx)))
				return -ENOMEM;
			g->pfx[g->n++] = p->addrs[k];
		}
	}
	*pfx = g->pfx;
	*n = g->n;
	return 0;
}

static uint32_t next_serial(struct tg_dp *dp)
{
	/* 0 is "no rule set": what flows of an unfiltered direction carry */
	if (!++dp->acl_serial)
		++dp->acl_serial;
	return dp->acl_serial;
}

/* compile and install acl as id unless it is there already */
static int acl_apply(struct tg_dp *dp, const struct tenguard_acl_id *id,
		     const struct tg_acl_cfg *acl, const struct tg_prefix *protect,
		     size_t n_protect, struct group_ctx *g)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	struct tg_acl_cache *c;
	struct tg_acl_prog prog;
	int err;

	/* the serial is given once the set is known to have changed */
	err = tg_acl_compile(acl, 0, protect, n_protect,
			     g ? group_members : NULL, g, dp->acl_max_entries,
			     &prog, dp->err, sizeof(dp->err));
	if (err)
		return err;
	err = digest_of(acl, &prog, md);
	c = cache_find(dp, id);
	if (!err && c && !memcmp(c->digest, md, sizeof(md))) {
		tg_acl_prog_free(&prog);
		return 0;
	}
	prog.e[0].val.a = next_serial(dp);
	if (!err)
		err = tg_dp_acl_set(dp, id, acl, &prog);
	if (!err)
		err = cache_put(dp, id, md);
	else
		snprintf(dp->err, sizeof(dp->err),
			 "installing the %s rule set of ifindex %u: %s",
			 tg_acl_set_names[id->set], id->ifindex,
			 strerror(-err));
	tg_acl_prog_free(&prog);
	return err;
}

static int acl_remove(struct tg_dp *dp, const struct tenguard_acl_id *id)
{
	cache_drop(dp, id);
	return tg_dp_acl_del(dp, id);
}

int tg_dp_acl_port(struct tg_dp *dp, const struct tg_policy *pol,
		   uint32_t ifindex, const struct tg_port_cfg *cfg)
{
	struct group_ctx g = { .pol = pol, .tenant = cfg->tenant };
	struct tenguard_acl_id id = { .ifindex = ifindex };
	int err = 0;

	for (id.set = 0; !err && id.set < __TENGUARD_ACL_DIR_MAX; id.set++) {
		if (cfg->kind == TENGUARD_PORT_VM && cfg->acl[id.set].present)
			err = acl_apply(dp, &id, &cfg->acl[id.set], NULL, 0,
					&g);
		else
			err = acl_remove(dp, &id);
	}
	free(g.pfx);
	if (err && !dp->err[0])
		snprintf(dp->err, sizeof(dp->err), "%s: %s", cfg->name,
			 strerror(-err));
	else if (err)
		snprintf(dp->err + strlen(dp->err),
			 sizeof(dp->err) - strlen(dp->err), " (port %s)",
			 cfg->name);
	return err;
}

int tg_dp_acl_node(struct tg_dp *dp, const struct tg_policy *pol)
{
	static const uint32_t dflt[] = TENGUARD_CT_TIMEOUTS_DEFAULT;
	struct isolation_bpf *s = dp->skel;
	const struct tg_node_cfg *node = &pol->node;
	struct tenguard_acl_id host = { .set = TENGUARD_ACL_SET_HOST };
	struct tenguard_acl_id rem = { .set = TENGUARD_ACL_SET_REMEDIATION };
	struct tenguard_ct_config cfg = { 0 };
	struct tg_acl_cfg services = node->services;
	struct tg_prefix *protect;
	uint32_t zero = 0, i;
	size_t n_protect;
	int err;

	for (i = 0; i < __TENGUARD_CT_TIMEOUT_MAX; i++)
		cfg.timeout[i] = node->timeout[i] ? node->timeout[i] : dflt[i];
	if (bpf_map_update_elem(bpf_map__fd(s->maps.tg_ct_config), &zero,
				&cfg, BPF_ANY))
		return -errno;

	/* what is not a service is denied, on protected addresses only */
	services.dflt = TENGUARD_ACL_DENY;
	err = tg_node_protect(pol, &protect, &n_protect);
	if (err) {
		snprintf(dp->err, sizeof(dp->err), "the node's addresses: %s",
			 strerror(-err));
		return err;
	}
	if (n_protect)
		err = acl_apply(dp, &host, &services,
				protect ? protect : node->protect, n_protect,
				NULL);
	else
		err = acl_remove(dp, &host);
	free(protect);
	if (err)
		return err;
	if (node->remediation.present || node->remediation.n_rules) {
		struct tg_acl_cfg r = node->remediation;

		r.dflt = TENGUARD_ACL_DENY;
		return acl_apply(dp, &rem, &r, NULL, 0, NULL);
	}
	return acl_remove(dp, &rem);
}

static bool is_wanted(const struct tenguard_acl_id *id,
		      const struct tg_dp_port *ports, size_t n)
{
	size_t i;

	if (!id->ifindex)
		return id->set == TENGUARD_ACL_SET_HOST ||
		       id->set == TENGUARD_ACL_SET_REMEDIATION;
	for (i = 0; i < n; i++)
		if (ports[i].ifindex == id->ifindex)
			return id->set < __TENGUARD_ACL_DIR_MAX &&
			       ports[i].cfg->kind == TENGUARD_PORT_VM &&
			       ports[i].cfg->acl[id->set].present;
	return false;
}

/* every key of map fd, collected first: deleting restarts a walk */
static int keys_of(int fd, size_t ksz, void **keys, size_t *n)
{
	size_t cap = 0;
	char *k = NULL;

	*keys = NULL;
	*n = 0;
	for (;;) {
		if (grow((void **)&k, &cap, *n, ksz)) {
			free(k);
			return -ENOMEM;
		}
		if (bpf_map_get_next_key(fd, *n ? k + (*n - 1) * ksz : NULL,
					 k + *n * ksz))
			break;
		(*n)++;
	}
	*keys = k;
	return errno == ENOENT ? 0 : -errno;
}

int tg_dp_acl_sweep(struct tg_dp *dp, const struct tg_dp_port *ports,
		    size_t n)
{
	struct isolation_bpf *s = dp->skel;
	int maps[] = {
		bpf_map__fd(s->maps.tg_acl), bpf_map__fd(s->maps.tg_acl_rules),
		bpf_map__fd(s->maps.tg_acl_hits),
	};
	struct tenguard_acl_id *ids;
	uint32_t *ifx = NULL;
	size_t m, i, k, j;
	int err = 0;

	for (m = 0; !err && m < sizeof(maps) / sizeof(maps[0]); m++) {
		err = keys_of(maps[m], sizeof(*ids), (void **)&ids, &k);
		for (i = 0; !err && i < k; i++) {
			if (is_wanted(&ids[i], ports, n))
				continue;
			cache_drop(dp, &ids[i]);
			if (bpf_map_delete_elem(maps[m], &ids[i]) &&
			    errno != ENOENT)
				err = -errno;
		}
		free(ids);
	}
	/* quarantine of devices that are no ports (any more) */
	if (!err)
		err = keys_of(bpf_map__fd(s->maps.tg_quarantine), sizeof(*ifx),
			      (void **)&ifx, &k);
	for (i = 0; !err && i < k; i++) {
		for (j = 0; j < n && ports[j].ifindex != ifx[i]; j++)
			;
		if (j < n && ports[j].cfg->kind == TENGUARD_PORT_VM)
			continue;
		if (bpf_map_delete_elem(bpf_map__fd(s->maps.tg_quarantine),
					&ifx[i]) && errno != ENOENT)
			err = -errno;
	}
	free(ifx);
	return err;
}

void tg_dp_acl_forget_port(struct tg_dp *dp, uint32_t ifindex)
{
	struct tenguard_acl_id id = { .ifindex = ifindex };

	for (id.set = 0; id.set < __TENGUARD_ACL_DIR_MAX; id.set++)
		acl_remove(dp, &id);
	bpf_map_delete_elem(bpf_map__fd(dp->skel->maps.tg_quarantine),
			    &ifindex);
}

int tg_dp_quarantine(struct tg_dp *dp, uint32_t ifindex, bool on)
{
	int fd = bpf_map__fd(dp->skel->maps.tg_quarantine);
	uint32_t one = 1;

	if (on)
		return bpf_map_update_elem(fd, &ifindex, &one, BPF_ANY) ?
		       -errno : 0;
	return bpf_map_delete_elem(fd, &ifindex) && errno != ENOENT ?
	       -errno : 0;
}

/*
 * Serials go on from the highest a pinned set carries: tracked flows
 * remember serials across restarts, and a reused one would spare a flow
 * its re-check against a different rule set.
 */
int tg_dp_acl_init(struct tg_dp *dp, uint32_t max_entries)
{
	struct tenguard_acl_key meta = {
		.prefixlen = 8, .kind = TENGUARD_ACL_KEY_META,
	};
	struct tenguard_acl_id *ids;
	struct tenguard_acl_val v;
	uint32_t inner, max = 0;
	int fd, ifd, err;
	size_t i, n;

	dp->acl_max_entries = max_entries;
	fd = bpf_map__fd(dp->skel->maps.tg_acl);
	err = keys_of(fd, sizeof(*ids), (void **)&ids, &n);
	for (i = 0; !err && i < n; i++) {
		if (bpf_map_lookup_elem(fd, &ids[i], &inner))
			continue;
		ifd = bpf_map_get_fd_by_id(inner);
		if (ifd < 0)
			continue;
		if (!bpf_map_lookup_elem(ifd, &meta, &v) && v.a > max)
			max = v.a;
		close(ifd);
	}
	free(ids);
	if (err)
		return err;
	if (!max && getrandom(&max, sizeof(max), 0) != sizeof(max))
		max = time(NULL);
	dp->acl_serial = max & 0x7fffffff;
	return 0;
}
