// SPDX-License-Identifier: GPL-2.0
/*
 * tenguardctl acl: the rule sets a tenguardd instance has programmed, read
 * back from its pinned maps with the datapath's hit counters.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "ctl.h"
#include "names.h"

/*
 * A rule set is three inner maps, one in each of tg_acl, tg_acl_rules and
 * tg_acl_hits, that the daemon replaces one after the other. A reader
 * that raced a replacement would pair the rules of one version with the
 * counters of another: it reads the three entries again after reading
 * their maps, and starts over when one moved.
 */
#define ACL_READ_TRIES	8

/* prefixlen of the META entry: the kind byte alone */
#define ACL_META_BITS	8
/* a PROTECT entry's prefix starts after the kind and family bytes */
#define ACL_ADDR_BITS	16

struct acl_prefix {
	__u8 family;		/* 4 or 6 */
	__u8 prefixlen;
	__u8 addr[16];
};

struct acl_set {
	struct tenguard_acl_id id;
	const struct ctl_port *port;	/* NULL: the node's, or a port gone */
	bool present;
	__u32 serial;
	__u32 dflt;			/* enum tenguard_acl_action */
	size_t n_rules;
	struct tenguard_acl_rule *rules;
	__u64 *hits;			/* n_rules + 1: the default's last */
	struct acl_prefix *protect;	/* the host set's protected prefixes */
	size_t n_protect;
};

struct acl_maps {
	struct ctl_map acl;
	struct ctl_map rules;
	struct ctl_map hits;
};

/* ---- reading ---- */

static void acl_maps_close(struct acl_maps *m)
{
	ctl_map_close(&m->acl);
	ctl_map_close(&m->rules);
	ctl_map_close(&m->hits);
}

static int acl_maps_open(struct acl_maps *m)
{
	int err;

	m->acl.fd = m->rules.fd = m->hits.fd = -1;
	err = ctl_map_open(&m->acl, TENGUARD_MAP_ACL, BPF_MAP_TYPE_HASH_OF_MAPS,
			   sizeof(struct tenguard_acl_id), sizeof(__u32));
	if (!err)
		err = ctl_map_open(&m->rules, TENGUARD_MAP_ACL_RULES,
				   BPF_MAP_TYPE_HASH_OF_MAPS,
				   sizeof(struct tenguard_acl_id),
				   sizeof(__u32));
	if (!err)
		err = ctl_map_open(&m->hits, TENGUARD_MAP_ACL_HITS,
				   BPF_MAP_TYPE_HASH_OF_MAPS,
				   sizeof(struct tenguard_acl_id),
				   sizeof(__u32));
	if (err)
		acl_maps_close(m);
	return err;
}

static void acl_set_clear(struct acl_set *s)
{
	free(s->rules);
	free(s->hits);
	free(s->protect);
	s->rules = NULL;
	s->hits = NULL;
	s->protect = NULL;
	s->n_rules = s->n_protect = 0;
	s->present = false;
}

static const char *acl_set_name(__u32 set, char *buf, size_t len)
{
	if (set < sizeof(tg_acl_set_names) / sizeof(tg_acl_set_names[0]))
		return tg_acl_set_names[set];
	snprintf(buf, len, "%u", set);
	return buf;
}

static const char *acl_action_name(__u32 action, char *buf, size_t len)
{
	if (action < __TENGUARD_ACL_ACTION_MAX)
		return tg_acl_action_names[action];
	snprintf(buf, len, "%u", action);
	return buf;
}

/* "tgb1 ingress", "node host": which rule set a message is about */
static const char *acl_set_title(const struct acl_set *s, char *buf,
				 size_t len)
{
	const char *set;
	char num[16];

	set = acl_set_name(s->id.set, num, sizeof(num));
	if (s->port)
		snprintf(buf, len, "%s %s", s->port->name, set);
	else if (!s->id.ifindex)
		snprintf(buf, len, "node %s", set);
	else
		snprintf(buf, len, "ifindex %u %s", s->id.ifindex, set);
	return buf;
}

/*
 * The inner map of outer[id], its fd in inner->fd and its id and size in
 * *info: -ENOENT (not reported) if outer has no such entry, -EAGAIN if the
 * map went away since (replaced).
 */
static int acl_inner_open(const struct ctl_map *outer,
			  const struct tenguard_acl_id *id,
			  struct ctl_map *inner, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info), map_id;
	int fd, err;

	err = ctl_map_lookup(outer, id, &map_id);
	if (err)
		return err;
	fd = bpf_map_get_fd_by_id(map_id);
	if (fd < 0 && errno == ENOENT)
		return -EAGAIN;
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, CTL_NAME ": opening the inner map %u of %s: "
			"%s\n", map_id, outer->name, strerror(-err));
		return err;
	}
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len)) {
		err = -errno;
		fprintf(stderr, CTL_NAME ": inner map %u of %s: %s\n", map_id,
			outer->name, strerror(-err));
		close(fd);
		return err;
	}
	inner->fd = fd;
	inner->name = outer->name;
	return 0;
}

static int acl_inner_check(struct ctl_map *inner,
			   const struct bpf_map_info *info, __u32 type,
			   __u32 key_size, __u32 value_size)
{
	if (info->type == type && info->key_size == key_size &&
	    info->value_size == value_size && info->max_entries) {
		inner->key_size = key_size;
		inner->value_size = value_size;
		inner->percpu = false;
		return 0;
	}
	fprintf(stderr, CTL_NAME ": the inner maps of %s are not laid out as "
		"linux/tenguard.h says (type %u, key %u, value %u bytes; "
		"expected %u, %u, %u): are tenguardd and " CTL_NAME " of one "
		"version?\n", inner->name, info->type, info->key_size,
		info->value_size, type, key_size, value_size);
	return -EPROTO;
}

/* the inner map outer[id] is map_id still */
static int acl_inner_same(const struct ctl_map *outer,
			  const struct tenguard_acl_id *id, __u32 map_id)
{
	__u32 now;
	int err;

	err = ctl_map_lookup(outer, id, &now);
	if (err == -ENOENT)
		return -EAGAIN;
	if (err)
		return err;
	return now == map_id ? 0 : -EAGAIN;
}

static int acl_rules_read(const struct ctl_map *rules, struct acl_set *s)
{
	__u32 i;
	int err;

	s->rules = calloc(s->n_rules ?: 1, sizeof(*s->rules));
	if (!s->rules)
		return ctl_nomem();
	for (i = 0; i < s->n_rules; i++) {
		err = ctl_map_lookup(rules, &i, &s->rules[i]);
		/* an array has every index: only a replaced map fails */
		if (err)
			return err == -ENOENT ? -EAGAIN : err;
	}
	return 0;
}

/* per rule, and the default's after them */
static int acl_hits_read(const struct ctl_map *hits, struct acl_set *s)
{
	__u32 i;
	int err;

	s->hits = calloc(s->n_rules + 1, sizeof(*s->hits));
	if (!s->hits)
		return ctl_nomem();
	for (i = 0; i <= s->n_rules; i++) {
		err = ctl_map_lookup(hits, &i, &s->hits[i]);
		if (err)
			return err == -ENOENT ? -EAGAIN : err;
	}
	return 0;
}

static int acl_prefix_cmp(const void *a, const void *b)
{
	const struct acl_prefix *x = a, *y = b;
	int r;

	if (x->family != y->family)
		return x->family - y->family;
	r = memcmp(x->addr, y->addr, sizeof(x->addr));
	return r ? r : x->prefixlen - y->prefixlen;
}

/* the host set's TENGUARD_ACL_KEY_PROTECT entries, IPv4 first */
static int acl_protect_read(const struct ctl_map *trie, struct acl_set *s)
{
	const struct tenguard_acl_key *k;
	unsigned int bits, family;
	struct ctl_dump d;
	size_t i, n = 0;
	int err;

	err = ctl_map_dump(trie, false, &d);
	if (err)
		return err;
	s->protect = calloc(d.n ?: 1, sizeof(*s->protect));
	if (!s->protect) {
		ctl_dump_free(&d);
		return ctl_nomem();
	}
	for (i = 0; i < d.n; i++) {
		k = (const struct tenguard_acl_key *)d.keys + i;
		/* the family byte has a level above it, in ADDR keys at least */
		family = k->a.family & 0x0f;
		if (k->kind != TENGUARD_ACL_KEY_PROTECT ||
		    k->prefixlen < ACL_ADDR_BITS || (family != 4 && family != 6))
			continue;
		bits = k->prefixlen - ACL_ADDR_BITS;
		if (bits > (family == 4 ? 32U : 128U))
			continue;
		s->protect[n].family = family;
		s->protect[n].prefixlen = bits;
		memcpy(s->protect[n].addr, k->a.addr, sizeof(k->a.addr));
		n++;
	}
	ctl_dump_free(&d);
	s->n_protect = ctl_sort_uniq(s->protect, n, sizeof(*s->protect),
				     acl_prefix_cmp);
	return 0;
}

static int acl_set_read_once(const struct acl_maps *m, struct acl_set *s)
{
	struct ctl_map trie = { .fd = -1 }, rules = { .fd = -1 },
		       hits = { .fd = -1 };
	struct bpf_map_info ti, ri, hi;
	struct tenguard_acl_key key = {
		.prefixlen = ACL_META_BITS,
		.kind = TENGUARD_ACL_KEY_META,
	};
	struct tenguard_acl_val meta;
	int err;

	err = acl_inner_open(&m->acl, &s->id, &trie, &ti);
	if (err == -ENOENT)
		return 0;	/* no rule set: not filtered */
	if (err)
		return err;
	/* half installed or half removed: its maps come and go one by one */
	err = acl_inner_open(&m->rules, &s->id, &rules, &ri);
	if (!err)
		err = acl_inner_open(&m->hits, &s->id, &hits, &hi);
	if (err == -ENOENT)
		err = -EAGAIN;
	if (!err)
		err = acl_inner_check(&trie, &ti, BPF_MAP_TYPE_LPM_TRIE,
				      sizeof(struct tenguard_acl_key),
				      sizeof(struct tenguard_acl_val));
	if (!err)
		err = acl_inner_check(&rules, &ri, BPF_MAP_TYPE_ARRAY,
				      sizeof(__u32),
				      sizeof(struct tenguard_acl_rule));
	if (!err)
		err = acl_inner_check(&hits, &hi, BPF_MAP_TYPE_ARRAY,
				      sizeof(__u32), sizeof(__u64));
	if (err)
		goto out;

	/*
	 * The counters have one slot past the rules, for the default; an
	 * array cannot be empty, so a set without rules still has one rule
	 * slot.
	 */
	s->n_rules = hi.max_entries - 1;
	if (s->n_rules > TENGUARD_ACL_RULES_MAX) {
		fprintf(stderr, CTL_NAME ": an inner map of %s has %u counters, "
			"more than a rule set has rules (%u)\n", hits.name,
			hi.max_entries, TENGUARD_ACL_RULES_MAX);
		err = -EPROTO;
		goto out;
	}
	if (ri.max_entries < s->n_rules) {
		err = -EAGAIN;
		goto out;
	}
	err = ctl_map_lookup(&trie, &key, &meta);
	if (err == -ENOENT)
		err = -EAGAIN;
	if (err)
		goto out;
	s->serial = meta.a;
	/* above the action: how many levels of prefixes the set uses */
	s->dflt = meta.b & 0xff;
	err = acl_rules_read(&rules, s);
	if (!err)
		err = acl_hits_read(&hits, s);
	if (!err && s->id.set == TENGUARD_ACL_SET_HOST)
		err = acl_protect_read(&trie, s);
	if (!err)
		err = acl_inner_same(&m->acl, &s->id, ti.id);
	if (!err)
		err = acl_inner_same(&m->rules, &s->id, ri.id);
	if (!err)
		err = acl_inner_same(&m->hits, &s->id, hi.id);
	s->present = !err;
out:
	ctl_map_close(&trie);
	ctl_map_close(&rules);
	ctl_map_close(&hits);
	return err;
}

static int acl_set_read(const struct acl_maps *m, struct acl_set *s)
{
	char title[64];
	int i, err;

	for (i = 0; i < ACL_READ_TRIES; i++) {
		acl_set_clear(s);
		err = acl_set_read_once(m, s);
		if (err != -EAGAIN)
			break;
	}
	if (err)
		acl_set_clear(s);
	if (err == -EAGAIN)
		fprintf(stderr, CTL_NAME ": acl show: the rule set %s changed "
			"each time it was read; try again\n",
			acl_set_title(s, title, sizeof(title)));
	return err;
}

/* ---- printing ---- */

const char *ctl_acl_prefix_str(__u8 family, const __u8 *addr,
			       unsigned int prefixlen, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, prefixlen);
	return buf;
}

/* text: "198.18.0.0/16", "group 2", "any" */
static const char *acl_remote_str(const struct tenguard_acl_rule *r,
				  char *buf, size_t len)
{
	if (r->group)
		snprintf(buf, len, "group %u", r->group);
	else if (r->family == 4 || r->family == 6)
		ctl_acl_prefix_str(r->family, r->addr, r->prefixlen, buf, len);
	else
		snprintf(buf, len, "any");
	return buf;
}

/* a name, else the number: one JSON type (string) for "proto" */
static const char *acl_proto_str(__u8 proto, char *buf, size_t len)
{
	const char *name = tg_proto_name(proto);

	if (name)
		return name;
	snprintf(buf, len, "%u", proto);
	return buf;
}

static void acl_rule_print(const struct tenguard_acl_rule *r, __u32 index,
			   const __u64 *hits, int remote_width)
{
	char buf[INET6_ADDRSTRLEN + 16], num[16];

	print_uint(PRINT_ANY, "index", "%6u", index);
	if (hits)
		print_u64(PRINT_ANY, "hits", " %10" PRIu64, *hits);
	print_string(PRINT_ANY, "action", "  %-6s",
		     acl_action_name(r->action, num, sizeof(num)));
	if (r->proto)
		print_string(PRINT_ANY, "proto", "  %-7s",
			     acl_proto_str(r->proto, num, sizeof(num)));
	else
		print_fp("  %-7s", "any");

	acl_remote_str(r, buf, sizeof(buf));
	if (r->group)
		print_uint(PRINT_JSON, "remote_group", NULL, r->group);
	else if (r->family == 4 || r->family == 6)
		print_string(PRINT_JSON, "remote", NULL, buf);
	/* what else it matches ends the row, as in iptables -L */
	if (r->match || r->flags)
		print_fp("  %-*s ", remote_width, buf);
	else
		print_fp("  %s", buf);
	if (r->match & TENGUARD_RULE_M_PORTS) {
		if (r->port_min == r->port_max)
			snprintf(buf, sizeof(buf), "%u", r->port_min);
		else
			snprintf(buf, sizeof(buf), "%u-%u", r->port_min,
				 r->port_max);
		print_string(PRINT_ANY, "ports",
			     r->port_min == r->port_max ? " dport %s" :
			     " dports %s", buf);
	}
	if (r->match & TENGUARD_RULE_M_ICMP_TYPE)
		print_uint(PRINT_ANY, "icmp_type", " type %u", r->icmp_type);
	if (r->match & TENGUARD_RULE_M_ICMP_CODE)
		print_uint(PRINT_ANY, "icmp_code", " code %u", r->icmp_code);
	open_json_array(PRINT_JSON, "flags");
	if (r->flags & TENGUARD_RULE_F_LOG)
		print_string(PRINT_ANY, NULL, " %s", "log");
	/* bits this build has no name for, from a newer daemon */
	if (r->flags & ~TENGUARD_RULE_F_LOG) {
		snprintf(num, sizeof(num), "%#x",
			 r->flags & ~TENGUARD_RULE_F_LOG);
		print_string(PRINT_ANY, NULL, " flags %s", num);
	}
	close_json_array(PRINT_JSON, NULL);
	print_nl();
}

static void acl_set_print(const struct acl_set *s)
{
	char title[64], set[16], act[16], buf[INET6_ADDRSTRLEN + 16];
	size_t i;

	acl_set_title(s, title, sizeof(title));
	print_fp("%s", title);
	if (s->port)
		print_string(PRINT_JSON, "port", NULL, s->port->name);
	else
		print_null(PRINT_JSON, "port", NULL, NULL);
	print_uint(PRINT_JSON, "ifindex", NULL, s->id.ifindex);
	print_string(PRINT_JSON, "set", NULL,
		     acl_set_name(s->id.set, set, sizeof(set)));
	/* a port the instance no longer has is named by its ifindex */
	if (s->port)
		print_fp(" (ifindex %u", s->id.ifindex);
	if (!s->present) {
		print_fp(s->port ? ")" : "");
		print_null(PRINT_ANY, "default", ": %s\n", "not filtered");
		return;
	}
	print_uint(PRINT_ANY, "serial", s->port ? ", serial %u):" :
		   " (serial %u):", s->serial);
	print_string(PRINT_ANY, "default", " default %s",
		     acl_action_name(s->dflt, act, sizeof(act)));
	print_u64(PRINT_ANY, "default_hits", ", %" PRIu64 " packets\n",
		  s->hits[s->n_rules]);

	if (s->id.set == TENGUARD_ACL_SET_HOST) {
		print_fp("  protected:");
		open_json_array(PRINT_JSON, "protected");
		for (i = 0; i < s->n_protect; i++)
			print_string(PRINT_ANY, NULL, " %s",
				     ctl_acl_prefix_str(s->protect[i].family,
						    s->protect[i].addr,
						    s->protect[i].prefixlen,
						    buf, sizeof(buf)));
		if (!s->n_protect)
			print_fp(" none");
		close_json_array(PRINT_JSON, NULL);
		print_nl();
	}

	ctl_acl_rules_print("rules", s->rules, s->hits, s->n_rules);
}

void ctl_acl_rules_print(const char *key, const struct tenguard_acl_rule *rules,
			 const __u64 *hits, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 16];
	int width = (int)strlen("remote"), len;
	size_t i;

	for (i = 0; i < n; i++) {
		len = strlen(acl_remote_str(&rules[i], buf, sizeof(buf)));
		if (len > width)
			width = len;
	}
	if (n && hits)
		print_fp("%6s %10s  %-6s  %-7s  %-*s  %s\n", "index", "packets",
			 "action", "proto", width, "remote", "match");
	else if (n)
		print_fp("%6s  %-6s  %-7s  %-*s  %s\n", "index", "action",
			 "proto", width, "remote", "match");
	else
		print_fp("  no rules\n");
	open_json_array(PRINT_JSON, key);
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		acl_rule_print(&rules[i], i, hits ? &hits[i] : NULL, width);
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
}

/* ---- acl show ---- */

static int acl_id_cmp(const void *a, const void *b)
{
	const struct tenguard_acl_id *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return (x->set > y->set) - (x->set < y->set);
}

/* every rule set tg_acl holds, by ifindex and set */
static int acl_ids_read(const struct acl_maps *m,
			struct tenguard_acl_id **ids, size_t *n)
{
	struct ctl_dump d;
	int err;

	err = ctl_map_dump(&m->acl, false, &d);
	if (err)
		return err;
	/* a walk that restarted after a concurrent delete repeats keys */
	*n = ctl_sort_uniq(d.keys, d.n, sizeof(**ids), acl_id_cmp);
	*ids = d.keys;
	d.keys = NULL;
	ctl_dump_free(&d);
	return 0;
}

static void acl_sets_free(struct acl_set *sets, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		acl_set_clear(&sets[i]);
	free(sets);
}

/*
 * The sets to show: of one port (both directions, or dir), of the node
 * (set), or every set there is: the ports' by name, then the node's.
 */
struct acl_show_req {
	const char *port;	/* NULL: the node's set, or all */
	int set;		/* -1: both directions of port, or all */
};

static int acl_sets_pick(const struct acl_show_req *r,
			 const struct acl_maps *m, const struct ctl_port *ports,
			 size_t n_ports, struct acl_set **sets, size_t *n)
{
	struct tenguard_acl_id *ids = NULL, *hit, key;
	struct acl_set *s;
	size_t n_ids = 0, i, j, k = 0;
	bool *taken = NULL;
	int dir, err;

	if (r->port || r->set >= 0) {
		/* one set, or both directions of the port */
		k = r->set >= 0 ? 1 : __TENGUARD_ACL_DIR_MAX;
		s = calloc(k, sizeof(*s));
		if (!s)
			return ctl_nomem();
		for (i = 0; i < k; i++) {
			s[i].port = r->port ? ports : NULL;
			s[i].id.ifindex = r->port ? ports->ifindex : 0;
			s[i].id.set = r->set >= 0 ? (__u32)r->set : i;
		}
		*sets = s;
		*n = k;
		return 0;
	}

	err = acl_ids_read(m, &ids, &n_ids);
	if (err)
		return err;
	s = calloc(n_ids ?: 1, sizeof(*s));
	taken = calloc(n_ids ?: 1, sizeof(*taken));
	if (!s || !taken) {
		free(s);
		err = ctl_nomem();
		goto out;
	}
	for (i = 0; i < n_ports; i++) {
		for (dir = 0; dir < __TENGUARD_ACL_DIR_MAX; dir++) {
			key.ifindex = ports[i].ifindex;
			key.set = dir;
			hit = bsearch(&key, ids, n_ids, sizeof(*ids),
				      acl_id_cmp);
			if (!hit || taken[hit - ids])
				continue;
			taken[hit - ids] = true;
			s[k].port = &ports[i];
			s[k++].id = key;
		}
	}
	/* the node's, and those of ports the instance no longer has */
	for (j = 0; j < n_ids; j++) {
		if (taken[j])
			continue;
		s[k].port = NULL;
		s[k++].id = ids[j];
	}
	*sets = s;
	*n = k;
out:
	free(ids);
	free(taken);
	return err;
}

static int acl_show_words(int argc, char **argv, struct acl_show_req *r)
{
	int set;

	r->port = NULL;
	r->set = -1;
	if (!argc)
		return 0;
	set = tg_name_index(tg_acl_set_names,
			    sizeof(tg_acl_set_names) / sizeof(tg_acl_set_names[0]),
			    argv[0]);
	if (set >= __TENGUARD_ACL_DIR_MAX) {
		/* "host", "remediation": the node's sets */
		if (argc > 1)
			return ctl_what_is("acl", argv[1]);
		r->set = set;
		return 0;
	}
	if (set >= 0) {
		fprintf(stderr, CTL_NAME ": acl show: \"%s\" needs a port: "
			"acl show PORT %s\n", argv[0], argv[0]);
		return -EINVAL;
	}
	if (ctl_arg_ifname("acl show", argv[0]))
		return -EINVAL;
	r->port = argv[0];
	if (argc == 1)
		return 0;
	set = tg_name_index(tg_acl_set_names, __TENGUARD_ACL_DIR_MAX,
			    argv[1]);
	if (set < 0 || argc > 2)
		return ctl_what_is("acl", argv[set < 0 ? 1 : 2]);
	r->set = set;
	return 0;
}

static int acl_show(int argc, char **argv)
{
	struct ctl_port *ports = NULL;
	struct acl_set *sets = NULL;
	struct acl_show_req r;
	struct acl_maps m;
	size_t n_ports = 0, n = 0, i;
	int err;

	err = acl_show_words(argc, argv, &r);
	if (err)
		return err;
	if (r.port) {
		ports = malloc(sizeof(*ports));
		if (!ports)
			return ctl_nomem();
		n_ports = 1;
		err = ctl_port_find(r.port, ports);
	} else if (r.set < 0) {
		err = ctl_ports_read(&ports, &n_ports);
	}
	if (err)
		goto out_ports;
	err = acl_maps_open(&m);
	if (err)
		goto out_ports;
	err = acl_sets_pick(&r, &m, ports, n_ports, &sets, &n);
	for (i = 0; !err && i < n; i++)
		err = acl_set_read(&m, &sets[i]);
	acl_maps_close(&m);
	if (err)
		goto out;

	if (!n)
		print_fp("no rule sets: no port is filtered\n");
	open_json_array(PRINT_JSON, NULL);
	for (i = 0; i < n; i++) {
		if (i)
			print_nl();
		open_json_object(NULL);
		acl_set_print(&sets[i]);
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
out:
	acl_sets_free(sets, n);
out_ports:
	free(ports);
	return err;
}

static int acl_help(int argc, char **argv)
{
	if (argc)
		return ctl_what_is("acl", argv[0]);
	ctl_usage_table("acl", acl_cmds);
	printf("\n"
	       "A VM port may have a rule set (a security group) for each direction,\n"
	       "named from the VM: ingress is what reaches the VM (a rule's remote is\n"
	       "the source), egress is what the VM sends (the remote is the\n"
	       "destination). The rules are tried in order and the first that matches\n"
	       "decides; a packet none matches gets the set's default. Replies of what\n"
	       "a set allowed pass without a rule (see \"" CTL_NAME " conntrack\"). A\n"
	       "direction without a rule set is not filtered.\n"
	       "\n"
	       "The node has two sets of its own: host, the services VM ports may\n"
	       "reach on the node's protected addresses (listed with it; anything else\n"
	       "sent there is dropped), and remediation, what a quarantined port may\n"
	       "still reach. Both default to deny.\n"
	       "\n"
	       "acl show reads what the tenguardd instance has programmed into the\n"
	       "datapath, from its pinned maps: for each rule set its default and the\n"
	       "packets the default decided, the serial of the version in force\n"
	       "(bumped by every change), and each rule with the packets it decided:\n"
	       "\n"
	       "  index    the rule's place in the set, from 0\n"
	       "  packets  packets the rule decided (first packets of flows; replies\n"
	       "           pass by connection tracking and are not counted here)\n"
	       "  action   allow or deny\n"
	       "  proto    the IP protocol, or any\n"
	       "  remote   the remote end: a prefix, \"group N\" (any address of a port\n"
	       "           of the same tenant in group N), or any\n"
	       "  match    dport N or dports N-M (TCP, UDP, SCTP, UDP-Lite), type N and\n"
	       "           code N (ICMP, ICMPv6), log (decisions are reported)\n"
	       "\n"
	       "Without arguments, acl show prints every rule set there is: the ports'\n"
	       "by name, then the node's. PORT alone prints both its directions.\n"
	       "The words host and remediation name the node's sets, never a port.\n"
	       "Counters are those of the version in force: a change starts them\n"
	       "from zero.\n"
	       "\n"
	       "acl set and acl del change the rule sets in the tenguard module\n"
	       "(CAP_NET_ADMIN), which tenguardd then programs. acl set takes a JSON\n"
	       "FILE laid out as a port's \"acl\" in the policy file, {\"ingress\":\n"
	       "{\"default\": ..., \"rules\": [...]}, \"egress\": {...}}, remote groups\n"
	       "as numbers, and replaces each rule set it has, whole: no packet sees\n"
	       "part of a change. acl del removes one direction's rule set. netnsid N\n"
	       "names PORT in the namespace the caller knows by netnsid N.\n"
	       "\n"
	       "With -j: [{\"port\" (null for the node), \"ifindex\", \"set\", \"default\"\n"
	       "(null: not filtered, and nothing else follows), \"serial\",\n"
	       "\"default_hits\", \"protected\" (host only), \"rules\": [{\"index\",\n"
	       "\"hits\", \"action\", \"proto\", \"remote\" or \"remote_group\", \"ports\",\n"
	       "\"icmp_type\", \"icmp_code\", \"flags\": [\"log\"]}]}]. A rule has only the\n"
	       "fields it matches on, named as in the policy file.\n");
	return 0;
}

const struct ctl_cmd acl_cmds[] = {
	{ "show", acl_show,
	  "[PORT [ingress|egress]]\n"
	  "{host|remediation}",
	  "rule sets with the packets each rule decided", NULL },
	{ "set", acl_set_main, "PORT FILE [netnsid N]",
	  "replace the port's rule sets FILE has, in the module", NULL },
	{ "del", acl_del_main, "PORT {ingress|egress} [netnsid N]",
	  "remove a rule set: the direction is not filtered", NULL },
	{ "help", acl_help, NULL, "print this help", NULL },
	{ NULL },
};

int acl_main(int argc, char **argv)
{
	return ctl_dispatch("acl", acl_cmds, argc, argv);
}
