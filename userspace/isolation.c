// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "acl.h"
#include "isolation.h"
#include "isolation.skel.h"
#include "pins.h"
#include "qdisc.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* our filter on each hook; another tool's filters keep their own handles */
#define TG_TC_HANDLE	0x7e6
#define TG_TC_PRIO	1

static bool is_host(const struct tg_prefix *p)
{
	return p->prefixlen == (p->family == AF_INET ? 32 : 128);
}

static void addr_key(struct tenguard_addr_key *key, uint32_t ifindex,
		     const struct tg_prefix *p)
{
	memset(key, 0, sizeof(*key));
	key->ifindex = ifindex;
	key->family = p->family == AF_INET ? 4 : 6;
	memcpy(key->addr, p->addr, p->family == AF_INET ? 4 : 16);
}

static void prefix_key(struct tenguard_prefix_key *key, uint32_t ifindex,
		       const struct tg_prefix *p)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = TENGUARD_PREFIX_KEY_BITS + p->prefixlen;
	key->ifindex = ifindex;
	key->family = p->family == AF_INET ? 4 : 6;
	memcpy(key->addr, p->addr, p->family == AF_INET ? 4 : 16);
}

static void link_local_key(struct tenguard_addr_key *key, uint32_t ifindex,
			   const uint8_t mac[6])
{
	struct tg_prefix p = { .family = AF_INET6, .prefixlen = 128 };

	tg_mac_to_link_local(mac, p.addr);
	addr_key(key, ifindex, &p);
}

static int set_limits(struct isolation_bpf *skel, const struct tg_limits *lim)
{
	struct {
		struct bpf_map *map;
		uint32_t n;
	} m[] = {
		{ skel->maps.tg_ports, lim->ports },
		{ skel->maps.tg_stats, lim->ports },
		{ skel->maps.tg_macs, lim->macs },
		{ skel->maps.tg_addrs, lim->addrs },
		{ skel->maps.tg_prefixes, lim->prefixes },
		{ skel->maps.tg_ethertypes, lim->ethertypes },
		{ skel->maps.tg_segments, lim->segments },
		{ skel->maps.tg_tenants, lim->tenants },
		{ skel->maps.tg_quarantine, lim->ports },
		/* both directions of each port, and the node's two sets */
		{ skel->maps.tg_acl, 2 * lim->ports + 2 },
		{ skel->maps.tg_acl_rules, 2 * lim->ports + 2 },
		{ skel->maps.tg_acl_hits, 2 * lim->ports + 2 },
		{ skel->maps.tg_conntrack, lim->conntrack },
		{ skel->maps.tg_frags, lim->conntrack / 16 ? lim->conntrack / 16 : 1 },
		{ skel->maps.tg_rate, 2 * lim->ports },
		{ skel->maps.tg_rate_meter, lim->ports },
	};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(m); i++) {
		err = bpf_map__set_max_entries(m[i].map, m[i].n);
		if (err)
			return err;
	}
	return 0;
}

int tg_dp_open(struct tg_dp *dp, const char *instance,
	       const struct tg_limits *lim)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_map *map;
	int err;

	memset(dp, 0, sizeof(*dp));
	if (instance) {
		err = tg_pin_dir(instance, dp->pin_dir, sizeof(dp->pin_dir));
		if (err)
			return err;
		if (mkdir(TENGUARD_PIN_ROOT, 0700) && errno != EEXIST)
			return -errno;
		if (mkdir(dp->pin_dir, 0700) && errno != EEXIST)
			return -errno;
		opts.pin_root_path = dp->pin_dir;
	}

	dp->skel = isolation_bpf__open_opts(&opts);
	if (!dp->skel)
		return -errno;
	if (!instance) {
		bpf_object__for_each_map(map, dp->skel->obj)
			bpf_map__set_pin_path(map, NULL);
	}
	err = set_limits(dp->skel, lim);
	if (!err)
		err = isolation_bpf__load(dp->skel);
	if (!err)
		err = tg_dp_acl_init(dp, lim->acl_entries);
	if (err) {
		isolation_bpf__destroy(dp->skel);
		dp->skel = NULL;
	}
	return err;
}

void tg_dp_close(struct tg_dp *dp)
{
	isolation_bpf__destroy(dp->skel);
	dp->skel = NULL;
	free(dp->acl_cache);
	dp->acl_cache = NULL;
	dp->n_acl_cache = dp->acl_cache_cap = 0;
}

int tg_dp_unpin(struct tg_dp *dp)
{
	struct bpf_map *map;
	int err, ret = 0;

	if (!dp->pin_dir[0])
		return 0;
	bpf_object__for_each_map(map, dp->skel->obj) {
		if (!bpf_map__pin_path(map))
			continue;
		err = bpf_map__unpin(map, NULL);
		if (err && !ret)
			ret = err;
	}
	if (rmdir(dp->pin_dir) && errno != ENOENT && !ret)
		ret = -errno;
	return ret;
}

int tg_dp_fits(const struct tg_policy *pol, const struct tg_limits *lim,
	       char *msg, size_t len)
{
	size_t hosts = 0, prefixes = 0, macs = 0, ets = 0, segs = 0, i, j;
	const struct tg_port_cfg *p;

	for (i = 0; i < pol->n_ports; i++) {
		p = &pol->ports[i];
		macs += p->n_macs;
		if (p->kind == TENGUARD_PORT_VM)
			hosts += p->n_macs;	/* a link-local address each */
		ets += p->n_ethertypes;
		for (j = 0; j < p->n_addrs; j++) {
			if (is_host(&p->addrs[j]))
				hosts++;
			else
				prefixes++;
		}
	}
	for (i = 0; i < pol->n_tenants; i++)
		segs += pol->tenants[i].n_segments;

	const struct {
		size_t n;
		uint32_t max;
		const char *what;
	} cap[] = {
		{ pol->n_ports, lim->ports, "ports" },
		{ pol->n_tenants, lim->tenants, "tenants" },
		{ segs, lim->segments, "segments" },
		{ ets, lim->ethertypes, "ethertype bindings" },
		{ macs, lim->macs, "MAC bindings" },
		{ hosts, lim->addrs, "address bindings" },
		{ prefixes, lim->prefixes, "prefix bindings" },
	};

	for (i = 0; i < ARRAY_SIZE(cap); i++) {
		if (cap[i].n <= cap[i].max)
			continue;
		snprintf(msg, len, "policy has %zu %s, the datapath holds %u",
			 cap[i].n, cap[i].what, cap[i].max);
		return -ENOSPC;
	}
	return 0;
}

/* ---- reconciliation ---- */

struct want {
	const struct tg_policy *pol;
	const struct tg_dp_port *ports;	/* sorted by ifindex */
	size_t n;
};

static int cmp_ifindex(const void *a, const void *b)
{
	const struct tg_dp_port *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static const struct tg_port_cfg *want_port(const struct want *w,
					   uint32_t ifindex)
{
	struct tg_dp_port key = { .ifindex = ifindex }, *p;

	p = bsearch(&key, w->ports, w->n, sizeof(*p), cmp_ifindex);
	return p ? p->cfg : NULL;
}

static bool want_ports_key(const void *key, const void *ctx)
{
	return want_port(ctx, *(const uint32_t *)key);
}

/* a bucket lives while its direction has a limit */
static bool want_rate(const void *key, const void *ctx)
{
	const struct tenguard_rate_key *k = key;
	const struct tg_port_cfg *cfg = want_port(ctx, k->ifindex);

	return cfg && k->dir < __TENGUARD_ACL_DIR_MAX && cfg->rate[k->dir].flags;
}

static bool want_mac(const void *key, const void *ctx)
{
	const struct want *w = ctx;
	const struct tenguard_mac_key *k = key;
	const struct tg_port_cfg *cfg = want_port(w, k->ifindex);
	size_t i;

	for (i = 0; cfg && i < cfg->n_macs; i++)
		if (!memcmp(cfg->macs[i], k->mac, ETH_ALEN))
			return true;
	return false;
}

static bool want_addr(const void *key, const void *ctx)
{
	const struct want *w = ctx;
	const struct tenguard_addr_key *k = key;
	const struct tg_port_cfg *cfg = want_port(w, k->ifindex);
	struct tenguard_addr_key mine;
	size_t i;

	for (i = 0; cfg && i < cfg->n_addrs; i++) {
		if (!is_host(&cfg->addrs[i]))
			continue;
		addr_key(&mine, k->ifindex, &cfg->addrs[i]);
		if (!memcmp(&mine, k, sizeof(mine)))
			return true;
	}
	for (i = 0; cfg && cfg->kind == TENGUARD_PORT_VM &&
		    i < cfg->n_macs; i++) {
		link_local_key(&mine, k->ifindex, cfg->macs[i]);
		if (!memcmp(&mine, k, sizeof(mine)))
			return true;
	}
	return false;
}

static bool want_prefix(const void *key, const void *ctx)
{
	const struct want *w = ctx;
	const struct tenguard_prefix_key *k = key;
	const struct tg_port_cfg *cfg = want_port(w, k->ifindex);
	struct tenguard_prefix_key mine;
	size_t i;

	for (i = 0; cfg && i < cfg->n_addrs; i++) {
		if (is_host(&cfg->addrs[i]))
			continue;
		prefix_key(&mine, k->ifindex, &cfg->addrs[i]);
		if (!memcmp(&mine, k, sizeof(mine)))
			return true;
	}
	return false;
}

static bool want_ethertype(const void *key, const void *ctx)
{
	const struct want *w = ctx;
	const struct tenguard_ethertype_key *k = key;
	const struct tg_port_cfg *cfg = want_port(w, k->ifindex);
	size_t i;

	for (i = 0; cfg && i < cfg->n_ethertypes; i++)
		if (htons(cfg->ethertypes[i]) == k->proto)
			return true;
	return false;
}

static bool want_tenant(const void *key, const void *ctx)
{
	const struct want *w = ctx;

	return tg_policy_tenant(w->pol, *(const uint32_t *)key);
}

static bool want_segment(const void *key, const void *ctx)
{
	const struct want *w = ctx;
	uint32_t seg = *(const uint32_t *)key;
	size_t i, j;

	for (i = 0; i < w->pol->n_tenants; i++)
		for (j = 0; j < w->pol->tenants[i].n_segments; j++)
			if (w->pol->tenants[i].segments[j].seg == seg)
				return true;
	return false;
}

/*
 * Delete every key of the map that wanted() rejects. Keys are collected
 * first: deleting while walking a hash map restarts the walk.
 */
static int sweep(struct bpf_map *map,
		 bool (*wanted)(const void *key, const void *ctx),
		 const void *ctx)
{
	size_t ksz = bpf_map__key_size(map), n = 0, cap = 64, i;
	int fd = bpf_map__fd(map), err = 0;
	char *keys, *tmp;

	keys = malloc(cap * ksz);
	if (!keys)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			tmp = realloc(keys, 2 * cap * ksz);
			if (!tmp) {
				err = -ENOMEM;
				goto out;
			}
			keys = tmp;
			cap *= 2;
		}
		if (bpf_map_get_next_key(fd, n ? keys + (n - 1) * ksz : NULL,
					 keys + n * ksz))
			break;
		n++;
	}
	if (errno != ENOENT) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (wanted(keys + i * ksz, ctx))
			continue;
		if (bpf_map_delete_elem(fd, keys + i * ksz) && errno != ENOENT) {
			err = -errno;
			goto out;
		}
	}
out:
	free(keys);
	return err;
}

static int update(struct bpf_map *map, const void *key, const void *val,
		  uint64_t flags)
{
	int tries, err;

	/* maps allocating on update (the LPM trie) can fail for a moment */
	for (tries = 0; tries < 10; tries++) {
		err = bpf_map_update_elem(bpf_map__fd(map), key, val, flags);
		if (!err || errno != ENOMEM)
			break;
		usleep(1000);
	}
	if (err && errno == EEXIST && flags == BPF_NOEXIST)
		return 0;
	return err ? -errno : 0;
}

/*
 * A limited direction needs its bucket, made once and then kept as it is
 * (BPF_NOEXIST): a changed limit must not refill it. Shaping needs fq on
 * the port; without it the direction is policed, never left unlimited.
 */
static int program_rates(struct tg_dp *dp, uint32_t ifindex,
			 const struct tg_port_cfg *cfg,
			 struct tenguard_rate rate[__TENGUARD_ACL_DIR_MAX])
{
	struct tenguard_rate_state zero = {};
	struct tenguard_rate_key key = { .ifindex = ifindex };
	int err = 0;

	memcpy(rate, cfg->rate, sizeof(cfg->rate));
	for (key.dir = 0; !err && key.dir < __TENGUARD_ACL_DIR_MAX; key.dir++) {
		if (!rate[key.dir].flags)
			continue;
		err = update(dp->skel->maps.tg_rate, &key, &zero, BPF_NOEXIST);
		if (err == -EEXIST)
			err = 0;
	}
	if (err || !(rate[TENGUARD_ACL_INGRESS].flags & TENGUARD_RATE_F_SHAPE))
		return err;
	err = tg_qdisc_fq(ifindex);
	if (err) {
		rate[TENGUARD_ACL_INGRESS].flags &= ~TENGUARD_RATE_F_SHAPE;
		size_t len = strlen(dp->warn);

		snprintf(dp->warn + len, sizeof(dp->warn) - len,
			 "%s%s: ingress shaping needs the fq qdisc (%s): policing",
			 len ? "; " : "", cfg->name, strerror(-err));
	}
	return 0;
}

static int program_port(struct tg_dp *dp, const struct tg_policy *pol,
			const struct tg_dp_port *p, uint64_t gen)
{
	struct isolation_bpf *s = dp->skel;
	const struct tg_port_cfg *cfg = p->cfg;
	struct tenguard_port val = {
		.tenant = cfg->tenant,
		.kind = cfg->kind,
		.flags = cfg->flags,
		.segment = cfg->segment,
		.generation = gen,
	};
	struct tenguard_ethertype_key ek = { .ifindex = p->ifindex };
	struct tenguard_mac_key mk = { .ifindex = p->ifindex };
	struct tenguard_prefix_key pk;
	struct tenguard_addr_key ak;
	size_t ssz = bpf_map__value_size(s->maps.tg_stats);
	int ncpu = libbpf_num_possible_cpus();
	uint32_t one = 1;
	void *zero;
	size_t i;
	int err;

	if (ncpu < 0)
		return ncpu;
	zero = calloc(ncpu, ssz);
	if (!zero)
		return -ENOMEM;
	err = update(s->maps.tg_stats, &p->ifindex, zero, BPF_NOEXIST);
	free(zero);

	for (i = 0; !err && i < cfg->n_macs; i++) {
		memcpy(mk.mac, cfg->macs[i], ETH_ALEN);
		err = update(s->maps.tg_macs, &mk, &one, BPF_ANY);
		if (!err && cfg->kind == TENGUARD_PORT_VM) {
			link_local_key(&ak, p->ifindex, cfg->macs[i]);
			err = update(s->maps.tg_addrs, &ak, &one, BPF_ANY);
		}
	}
	for (i = 0; !err && i < cfg->n_addrs; i++) {
		if (is_host(&cfg->addrs[i])) {
			addr_key(&ak, p->ifindex, &cfg->addrs[i]);
			err = update(s->maps.tg_addrs, &ak, &one, BPF_ANY);
		} else {
			prefix_key(&pk, p->ifindex, &cfg->addrs[i]);
			err = update(s->maps.tg_prefixes, &pk, &one, BPF_ANY);
			val.prefixes++;
		}
	}
	for (i = 0; !err && i < cfg->n_ethertypes; i++) {
		ek.proto = htons(cfg->ethertypes[i]);
		err = update(s->maps.tg_ethertypes, &ek, &one, BPF_ANY);
	}
	if (!err)
		err = tg_dp_acl_port(dp, pol, p->ifindex, cfg);
	if (!err && cfg->kind == TENGUARD_PORT_VM)
		err = program_rates(dp, p->ifindex, cfg, val.rate);
	if (err)
		return err;
	/* last: the port admits traffic only once its bindings are there */
	snprintf(val.name, sizeof(val.name), "%s", cfg->name);
	return update(s->maps.tg_ports, &p->ifindex, &val, BPF_ANY);
}

int tg_dp_program_port(struct tg_dp *dp, const struct tg_policy *pol,
		       const struct tg_dp_port *port, uint64_t gen)
{
	dp->err[0] = '\0';
	dp->warn[0] = '\0';
	return program_port(dp, pol, port, gen);
}

int tg_dp_reconcile(struct tg_dp *dp, const struct tg_policy *pol,
		    const struct tg_dp_port *ports, size_t n, uint64_t gen)
{
	struct isolation_bpf *s = dp->skel;
	struct tg_dp_port *sorted;
	struct want w = { .pol = pol, .n = n };
	struct tenguard_tenant tv;
	size_t i, j;
	uint32_t seg;
	int err;

	dp->err[0] = '\0';
	dp->warn[0] = '\0';
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, ports, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_ifindex);
	w.ports = sorted;

	err = sweep(s->maps.tg_ports, want_ports_key, &w);
	if (!err)
		err = sweep(s->maps.tg_macs, want_mac, &w);
	if (!err)
		err = sweep(s->maps.tg_addrs, want_addr, &w);
	if (!err)
		err = sweep(s->maps.tg_prefixes, want_prefix, &w);
	if (!err)
		err = sweep(s->maps.tg_ethertypes, want_ethertype, &w);
	if (!err)
		err = sweep(s->maps.tg_stats, want_ports_key, &w);
	if (!err)
		err = sweep(s->maps.tg_rate, want_rate, &w);
	if (!err)
		err = sweep(s->maps.tg_rate_meter, want_ports_key, &w);
	if (!err)
		err = sweep(s->maps.tg_segments, want_segment, &w);
	if (!err)
		err = sweep(s->maps.tg_tenants, want_tenant, &w);
	if (!err)
		err = tg_dp_acl_sweep(dp, sorted, n);
	if (!err)
		err = tg_dp_acl_node(dp, pol);

	for (i = 0; !err && i < pol->n_tenants; i++) {
		const struct tg_tenant_cfg *t = &pol->tenants[i];

		memset(&tv, 0, sizeof(tv));
		snprintf(tv.name, sizeof(tv.name), "%s", t->name);
		err = update(s->maps.tg_tenants, &t->id, &tv, BPF_ANY);
		for (j = 0; !err && j < t->n_segments; j++) {
			seg = t->segments[j].seg;
			err = update(s->maps.tg_segments, &seg, &t->id,
				     BPF_ANY);
		}
	}
	for (i = 0; !err && i < n; i++)
		err = program_port(dp, pol, &sorted[i], gen);
	free(sorted);
	return err;
}

/* a port's keys, in maps whose key starts at .ifindex_off with its ifindex */
struct other_port {
	uint32_t ifindex;
	size_t ifindex_off;
};

static bool keep_other_port(const void *key, const void *ctx)
{
	const struct other_port *o = ctx;
	uint32_t ifindex;

	memcpy(&ifindex, (const char *)key + o->ifindex_off, sizeof(ifindex));
	return ifindex != o->ifindex;
}

int tg_dp_forget_port(struct tg_dp *dp, uint32_t ifindex)
{
	struct isolation_bpf *s = dp->skel;
	struct other_port mac = { ifindex, offsetof(struct tenguard_mac_key,
						    ifindex) };
	struct other_port addr = { ifindex, offsetof(struct tenguard_addr_key,
						     ifindex) };
	struct other_port prefix = { ifindex,
				     offsetof(struct tenguard_prefix_key,
					      ifindex) };
	struct other_port et = { ifindex,
				 offsetof(struct tenguard_ethertype_key,
					  ifindex) };
	struct tenguard_rate_key rk = { .ifindex = ifindex };
	int err;

	/* first: without its port entry the port drops everything */
	if (bpf_map_delete_elem(bpf_map__fd(s->maps.tg_ports), &ifindex) &&
	    errno != ENOENT)
		return -errno;
	err = sweep(s->maps.tg_macs, keep_other_port, &mac);
	if (!err)
		err = sweep(s->maps.tg_addrs, keep_other_port, &addr);
	if (!err)
		err = sweep(s->maps.tg_prefixes, keep_other_port, &prefix);
	if (!err)
		err = sweep(s->maps.tg_ethertypes, keep_other_port, &et);
	if (!err && bpf_map_delete_elem(bpf_map__fd(s->maps.tg_stats),
					&ifindex) && errno != ENOENT)
		err = -errno;
	if (!err && bpf_map_delete_elem(bpf_map__fd(s->maps.tg_rate_meter),
					&ifindex) && errno != ENOENT)
		err = -errno;
	for (rk.dir = 0; !err && rk.dir < __TENGUARD_ACL_DIR_MAX; rk.dir++)
		if (bpf_map_delete_elem(bpf_map__fd(s->maps.tg_rate), &rk) &&
		    errno != ENOENT)
			err = -errno;
	tg_dp_acl_forget_port(dp, ifindex);
	return err;
}

static int attach_one(int ifindex, enum bpf_tc_attach_point point,
		      const struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TG_TC_HANDLE,
		    .priority = TG_TC_PRIO, .prog_fd = bpf_program__fd(prog),
		    .flags = BPF_TC_F_REPLACE);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

int tg_dp_attach(struct tg_dp *dp, uint32_t ifindex, uint32_t kind)
{
	struct isolation_bpf *s = dp->skel;
	bool vm = kind == TENGUARD_PORT_VM;
	int err;

	/* egress first: nothing reaches the port unchecked once it sends */
	err = attach_one(ifindex, BPF_TC_EGRESS,
			 vm ? s->progs.tg_to_vm : s->progs.tg_to_uplink);
	if (!err)
		err = attach_one(ifindex, BPF_TC_INGRESS,
				 vm ? s->progs.tg_from_vm :
				 s->progs.tg_from_uplink);
	return err;
}

static int detach_one(int ifindex, enum bpf_tc_attach_point point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TG_TC_HANDLE,
		    .priority = TG_TC_PRIO);
	int err = bpf_tc_detach(&hook, &opts);

	return err == -ENOENT || err == -ENODEV ? 0 : err;
}

/* our filters only: the clsact qdisc may hold others' and stays */
int tg_dp_detach(struct tg_dp *dp, uint32_t ifindex)
{
	int err = detach_one(ifindex, BPF_TC_INGRESS);
	int err2 = detach_one(ifindex, BPF_TC_EGRESS);

	(void)dp;
	return err ? err : err2;
}
