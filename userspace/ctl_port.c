// SPDX-License-Identifier: GPL-2.0
/* tenguardctl port: the ports an instance guards and their bindings. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "ctl.h"
#include "names.h"

/* ---- reading ---- */

static int port_cmp(const void *a, const void *b)
{
	const struct ctl_port *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

int ctl_ports_read(struct ctl_port **ports, size_t *n)
{
	struct ctl_map m, tenants;
	struct ctl_port *p = NULL;
	struct ctl_dump d = {};
	size_t i, j;
	int err;

	err = ctl_map_open(&m, TENGUARD_MAP_PORTS, BPF_MAP_TYPE_HASH,
			   sizeof(__u32), sizeof(struct tenguard_port));
	if (err)
		return err;
	err = ctl_tenants_open(&tenants);
	if (err)
		goto out_ports;
	err = ctl_map_dump(&m, true, &d);
	if (err)
		goto out;
	p = calloc(d.n ?: 1, sizeof(*p));
	if (!p) {
		err = ctl_nomem();
		goto out;
	}
	for (i = 0; i < d.n; i++) {
		p[i].ifindex = ((__u32 *)d.keys)[i];
		p[i].port = ((struct tenguard_port *)d.values)[i];
		memcpy(p[i].name, p[i].port.name, sizeof(p[i].port.name));
		if (!p[i].port.tenant)
			continue;
		err = ctl_tenant_name(&tenants, p[i].port.tenant,
				      p[i].tenant_name,
				      sizeof(p[i].tenant_name));
		if (err && err != -ENOENT)
			goto out;
		p[i].has_tenant_name = !err;
		err = 0;
	}
	qsort(p, d.n, sizeof(*p), port_cmp);
	/* a walk that restarted after a concurrent delete repeats keys */
	for (i = j = 0; i < d.n; i++)
		if (!j || port_cmp(&p[j - 1], &p[i]))
			p[j++] = p[i];
	*ports = p;
	*n = j;
	p = NULL;
out:
	free(p);
	ctl_dump_free(&d);
	ctl_map_close(&tenants);
out_ports:
	ctl_map_close(&m);
	return err;
}

int ctl_port_find(const char *name, struct ctl_port *port)
{
	struct ctl_port *ports;
	size_t n, i;
	int err;

	err = ctl_ports_read(&ports, &n);
	if (err)
		return err;
	/* sorted by name, then ifindex: the lowest ifindex of a name wins */
	for (i = 0; i < n; i++)
		if (!strcmp(ports[i].name, name))
			break;
	if (i < n)
		*port = ports[i];
	free(ports);
	if (i == n) {
		fprintf(stderr, CTL_NAME ": unknown port \"%s\" (not programmed "
			"by instance \"%s\")\n", name, ctl_instance);
		return -ENOENT;
	}
	return 0;
}

/* ---- printing: one path, a table row for list, a block for show ---- */

struct port_fmt {
	const char *name;
	const char *ifindex;
	const char *kind;
	const char *tenant;
	const char *segment;	/* NULL: only printed when the port has one */
	const char *flags;
	const char *generation;
	const char *none;	/* an empty field */
};

static const struct port_fmt port_row = {
	.name = "%-16s ",
	.ifindex = "%-8u ",
	.kind = "%-7s ",
	.tenant = "%-18s ",
	.segment = "%-12s ",
	.flags = "%-24s ",
	.generation = "%" PRIu64 "\n",
	.none = "-",
};

static const struct port_fmt port_block = {
	.name = "port: %s\n",
	.ifindex = "  ifindex: %u\n",
	.kind = "  kind: %s\n",
	.tenant = "  tenant: %s\n",
	.flags = "  flags: %s\n",
	.generation = "  generation: %" PRIu64 "\n",
	.none = "none",
};

static void port_print_head(void)
{
	print_fp("%-16s %-8s %-7s %-18s %-12s %-24s %s\n", "NAME", "IFINDEX",
		 "KIND", "TENANT", "SEGMENT", "FLAGS", "GENERATION");
}

static void port_print_tenant(const struct ctl_port *p,
			      const struct port_fmt *f)
{
	char buf[64];

	print_uint(PRINT_JSON, "tenant", NULL, p->port.tenant);
	if (p->has_tenant_name)
		print_string(PRINT_JSON, "tenant_name", NULL, p->tenant_name);
	else
		print_null(PRINT_JSON, "tenant_name", NULL, NULL);

	if (!p->port.tenant)
		snprintf(buf, sizeof(buf), "%s", f->none);
	else if (p->has_tenant_name)
		snprintf(buf, sizeof(buf), "%u (%s)", p->port.tenant,
			 p->tenant_name);
	else
		snprintf(buf, sizeof(buf), "%u", p->port.tenant);
	print_string(PRINT_FP, NULL, f->tenant, buf);
}

static void port_print_segment(const struct ctl_port *p,
			       const struct port_fmt *f)
{
	char buf[32];

	if (p->port.segment)
		ctl_segment_print(PRINT_JSON, "segment", p->port.segment);
	if (f->segment)
		print_string(PRINT_FP, NULL, f->segment, p->port.segment ?
			     ctl_segment_str(p->port.segment, buf, sizeof(buf)) :
			     f->none);
	else if (p->port.segment)
		print_fp("  segment: %s\n",
			 ctl_segment_str(p->port.segment, buf, sizeof(buf)));
}

static void port_print_flags(const struct ctl_port *p,
			     const struct port_fmt *f)
{
	const struct tg_flag_name *fl;
	__u32 rest = p->port.flags;
	char buf[128] = "", hex[16];
	size_t len = 0;

	open_json_array(PRINT_JSON, "flags");
	for (fl = tg_port_flag_names; fl->name; fl++) {
		if (!(rest & fl->flag))
			continue;
		rest &= ~fl->flag;
		print_string(PRINT_JSON, NULL, NULL, fl->name);
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
				len ? "," : "", fl->name);
	}
	/* bits this build has no name for, from a newer daemon */
	if (rest) {
		snprintf(hex, sizeof(hex), "%#x", rest);
		print_string(PRINT_JSON, NULL, NULL, hex);
		snprintf(buf + len, sizeof(buf) - len, "%s%s",
			 len ? "," : "", hex);
	}
	close_json_array(PRINT_JSON, NULL);
	print_string(PRINT_FP, NULL, f->flags, *buf ? buf : f->none);
}

static void port_print(const struct ctl_port *p, const struct port_fmt *f)
{
	print_string(PRINT_ANY, "name", f->name, p->name);
	print_uint(PRINT_ANY, "ifindex", f->ifindex, p->ifindex);
	print_string(PRINT_ANY, "kind", f->kind,
		     tg_port_kind_name(p->port.kind));
	port_print_tenant(p, f);
	port_print_segment(p, f);
	port_print_flags(p, f);
	print_u64(PRINT_ANY, "generation", f->generation, p->port.generation);
}

/* ---- port list ---- */

static int port_list(int argc, char **argv)
{
	struct ctl_port *ports;
	size_t n, i;
	int err;

	if (argc)
		return ctl_what_is("port", argv[0]);
	err = ctl_ports_read(&ports, &n);
	if (err)
		return err;
	port_print_head();
	open_json_array(PRINT_JSON, NULL);
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		port_print(&ports[i], &port_row);
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
	free(ports);
	return 0;
}

/* ---- port show ---- */

struct port_addr {
	bool v4;
	__u8 addr[16];
	__u32 prefixlen;	/* of the address alone */
};

struct port_bindings {
	__u8 (*macs)[6];
	size_t n_macs;
	struct port_addr *addrs;
	size_t n_addrs;
	__u16 *ethertypes;	/* host order */
	size_t n_ethertypes;
	struct tenguard_stats stats;
};

static void port_bindings_free(struct port_bindings *b)
{
	free(b->macs);
	free(b->addrs);
	free(b->ethertypes);
}

static int mac_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 6);
}

/* IPv4 first, then by address and prefix */
static int addr_cmp(const void *a, const void *b)
{
	const struct port_addr *x = a, *y = b;
	int r;

	if (x->v4 != y->v4)
		return y->v4 - x->v4;
	r = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (r)
		return r;
	return (x->prefixlen > y->prefixlen) - (x->prefixlen < y->prefixlen);
}

static int ethertype_cmp(const void *a, const void *b)
{
	const __u16 *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/* sorted array of n elements, duplicates dropped; returns the new count */
static size_t uniq(void *base, size_t n, size_t size,
		   int (*cmp)(const void *, const void *))
{
	char *p = base;
	size_t i, j;

	qsort(base, n, size, cmp);
	for (i = j = 0; i < n; i++) {
		if (j && !cmp(p + (j - 1) * size, p + i * size))
			continue;
		if (i != j)
			memcpy(p + j * size, p + i * size, size);
		j++;
	}
	return j;
}

/*
 * The keys of a map that belong to the port: a hash key starts with the
 * ifindex, an LPM key with the prefix length and then the ifindex.
 */
static int port_keys(const char *name, __u32 type, __u32 key_size,
		     __u32 ifindex, struct ctl_dump *d)
{
	struct ctl_map m;
	size_t i, n = 0;
	char *k;
	int err;

	err = ctl_map_open(&m, name, type, key_size, sizeof(__u32));
	if (err)
		return err;
	err = ctl_map_dump(&m, false, d);
	ctl_map_close(&m);
	if (err)
		return err;
	k = d->keys;
	for (i = 0; i < d->n; i++) {
		const struct tenguard_prefix_key *pk = (void *)(k + i * key_size);
		__u32 idx;

		/* an LPM key covers its ifindex only from a prefix of 32 */
		if (type == BPF_MAP_TYPE_LPM_TRIE) {
			if (pk->prefixlen < TENGUARD_PREFIX_KEY_BITS ||
			    pk->ifindex != ifindex)
				continue;
		} else {
			memcpy(&idx, k + i * key_size, sizeof(idx));
			if (idx != ifindex)
				continue;
		}
		memmove(k + n * key_size, k + i * key_size, key_size);
		n++;
	}
	d->n = n;
	return 0;
}

static int port_macs_read(__u32 ifindex, struct port_bindings *b)
{
	struct ctl_dump d;
	size_t i;
	int err;

	err = port_keys(TENGUARD_MAP_MACS, BPF_MAP_TYPE_HASH,
			sizeof(struct tenguard_mac_key), ifindex, &d);
	if (err)
		return err;
	b->macs = calloc(d.n ?: 1, sizeof(*b->macs));
	if (b->macs) {
		for (i = 0; i < d.n; i++)
			memcpy(b->macs[i],
			       ((struct tenguard_mac_key *)d.keys)[i].mac, 6);
		b->n_macs = uniq(b->macs, d.n, sizeof(*b->macs), mac_cmp);
	}
	ctl_dump_free(&d);
	return b->macs ? 0 : ctl_nomem();
}

/* exact addresses from tg_addrs, prefixes from tg_prefixes */
static int port_addrs_read(__u32 ifindex, struct port_bindings *b)
{
	const struct tenguard_prefix_key *pk;
	const struct tenguard_addr_key *ak;
	struct ctl_dump hosts, prefixes;
	struct port_addr *a;
	size_t i;
	int err;

	err = port_keys(TENGUARD_MAP_ADDRS, BPF_MAP_TYPE_HASH,
			sizeof(struct tenguard_addr_key), ifindex, &hosts);
	if (err)
		return err;
	err = port_keys(TENGUARD_MAP_PREFIXES, BPF_MAP_TYPE_LPM_TRIE,
			sizeof(struct tenguard_prefix_key), ifindex, &prefixes);
	if (err) {
		ctl_dump_free(&hosts);
		return err;
	}
	b->addrs = calloc(hosts.n + prefixes.n ?: 1, sizeof(*b->addrs));
	if (!b->addrs) {
		ctl_dump_free(&hosts);
		ctl_dump_free(&prefixes);
		return ctl_nomem();
	}
	for (i = 0; i < hosts.n; i++) {
		ak = (struct tenguard_addr_key *)hosts.keys + i;
		a = &b->addrs[i];
		memcpy(a->addr, ak->addr, sizeof(a->addr));
		a->v4 = ak->family == 4;
		a->prefixlen = a->v4 ? 32 : 128;
	}
	for (i = 0; i < prefixes.n; i++) {
		pk = (struct tenguard_prefix_key *)prefixes.keys + i;
		a = &b->addrs[hosts.n + i];
		memcpy(a->addr, pk->addr, sizeof(a->addr));
		a->v4 = pk->family == 4;
		a->prefixlen = pk->prefixlen - TENGUARD_PREFIX_KEY_BITS;
	}
	b->n_addrs = uniq(b->addrs, hosts.n + prefixes.n, sizeof(*b->addrs),
			  addr_cmp);
	ctl_dump_free(&hosts);
	ctl_dump_free(&prefixes);
	return 0;
}

static int port_ethertypes_read(__u32 ifindex, struct port_bindings *b)
{
	const struct tenguard_ethertype_key *k;
	struct ctl_dump d;
	size_t i;
	int err;

	err = port_keys(TENGUARD_MAP_ETHERTYPES, BPF_MAP_TYPE_HASH,
			sizeof(struct tenguard_ethertype_key), ifindex, &d);
	if (err)
		return err;
	k = d.keys;
	b->ethertypes = calloc(d.n ?: 1, sizeof(*b->ethertypes));
	if (b->ethertypes) {
		for (i = 0; i < d.n; i++)
			b->ethertypes[i] = ntohs(k[i].proto);
		b->n_ethertypes = uniq(b->ethertypes, d.n,
				       sizeof(*b->ethertypes), ethertype_cmp);
	}
	ctl_dump_free(&d);
	return b->ethertypes ? 0 : ctl_nomem();
}

static int port_bindings_read(__u32 ifindex, struct port_bindings *b)
{
	struct ctl_map stats;
	int err;

	err = port_macs_read(ifindex, b);
	if (!err)
		err = port_addrs_read(ifindex, b);
	if (!err)
		err = port_ethertypes_read(ifindex, b);
	if (err)
		return err;
	err = ctl_stats_open(&stats);
	if (err)
		return err;
	err = ctl_stats_read(&stats, ifindex, &b->stats);
	ctl_map_close(&stats);
	return err;
}

static void print_list_start(const char *key, const char *label)
{
	print_fp("  %s:", label);
	open_json_array(PRINT_JSON, key);
}

static void print_list_end(size_t n)
{
	if (!n)
		print_fp(" none");
	close_json_array(PRINT_JSON, NULL);
	print_nl();
}

static void port_bindings_print(const struct port_bindings *b)
{
	char buf[INET6_ADDRSTRLEN + 8], addr[INET6_ADDRSTRLEN];
	const __u8 *m;
	size_t i;

	print_list_start("macs", "macs");
	for (i = 0; i < b->n_macs; i++) {
		m = b->macs[i];
		snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x",
			 m[0], m[1], m[2], m[3], m[4], m[5]);
		print_string(PRINT_ANY, NULL, " %s", buf);
	}
	print_list_end(b->n_macs);

	print_list_start("addresses", "addresses");
	for (i = 0; i < b->n_addrs; i++) {
		const struct port_addr *a = &b->addrs[i];

		if (a->v4)
			inet_ntop(AF_INET, a->addr, addr, sizeof(addr));
		else
			inet_ntop(AF_INET6, a->addr, addr, sizeof(addr));
		snprintf(buf, sizeof(buf), "%s/%u", addr, a->prefixlen);
		print_string(PRINT_ANY, NULL, " %s", buf);
	}
	print_list_end(b->n_addrs);

	print_list_start("ethertypes", "ethertypes");
	for (i = 0; i < b->n_ethertypes; i++) {
		snprintf(buf, sizeof(buf), "0x%04x", b->ethertypes[i]);
		print_string(PRINT_ANY, NULL, " %s", buf);
	}
	print_list_end(b->n_ethertypes);

	open_json_object("stats");
	ctl_stats_print(&b->stats, "  ");
	close_json_object();
}

static int port_show(int argc, char **argv)
{
	struct port_bindings b = {};
	struct ctl_port port;
	int err;

	if (!argc)
		return ctl_missing("port show", "port NAME");
	if (argc > 1)
		return ctl_what_is("port", argv[1]);
	err = ctl_port_find(argv[0], &port);
	if (!err)
		err = port_bindings_read(port.ifindex, &b);
	if (!err) {
		open_json_object(NULL);
		port_print(&port, &port_block);
		port_bindings_print(&b);
		close_json_object();
	}
	port_bindings_free(&b);
	return err;
}

static int port_help(int argc, char **argv)
{
	if (argc)
		return ctl_what_is("port", argv[0]);
	ctl_usage_table("port", port_cmds);
	printf("\n"
	       "A port is a network device tenguard guards: the host end of a VM's tap\n"
	       "or veth (kind vm, bound to one tenant), or an uplink carrying tenant\n"
	       "segments off the node (kind uplink: a trunk, tenant 0, or bound to one\n"
	       "segment and its tenant). NAME is the device name the instance\n"
	       "programmed the port under.\n"
	       "\n"
	       "port list prints one row per port, by name. port show adds what the\n"
	       "port may send from: its MAC addresses, its IP addresses and prefixes,\n"
	       "the extra ethertypes it may send, and its counters.\n"
	       "\n"
	       "With -j, port list prints [{\"name\", \"ifindex\", \"kind\", \"tenant\",\n"
	       "\"tenant_name\", \"segment\" (uplinks bound to one), \"flags\",\n"
	       "\"generation\"}]; port show prints one such object with \"macs\",\n"
	       "\"addresses\", \"ethertypes\" and \"stats\".\n");
	return 0;
}

const struct ctl_cmd port_cmds[] = {
	{ "list", port_list, NULL,
	  "ports by name: kind, tenant, segment, flags", NULL },
	{ "show", port_show, "NAME",
	  "one port with its MACs, addresses, ethertypes, counters", NULL },
	{ "help", port_help, NULL, "print this help", NULL },
	{ NULL },
};

int port_main(int argc, char **argv)
{
	return ctl_dispatch("port", port_cmds, argc, argv);
}
