// SPDX-License-Identifier: GPL-2.0
/* tenguardctl port: the ports an instance guards and their bindings. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "ctl.h"
#include "names.h"
#include "pins.h"
#include "units.h"

/* ---- reading ---- */

static int port_cmp(const void *a, const void *b)
{
	const struct ctl_port *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

int ctl_ports_read(struct ctl_port **ports, size_t *n)
{
	struct ctl_map m, tenants, quarantine;
	struct ctl_port *p = NULL;
	struct ctl_dump d = {};
	bool has_quarantine;
	size_t i;
	int err;

	err = ctl_map_open(&m, TENGUARD_MAP_PORTS, BPF_MAP_TYPE_HASH,
			   sizeof(__u32), sizeof(struct tenguard_port));
	if (err)
		return err;
	err = ctl_tenants_open(&tenants);
	if (err)
		goto out_ports;
	err = ctl_quarantine_open(&quarantine);
	has_quarantine = !err;
	if (err && err != -ENOENT)
		goto out_tenants;
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
		if (has_quarantine) {
			p[i].has_quarantine = true;
			err = ctl_quarantined(&quarantine, p[i].ifindex,
					      &p[i].quarantined);
			if (err)
				goto out;
		}
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
	/* a walk that restarted after a concurrent delete repeats keys */
	*n = ctl_sort_uniq(p, d.n, sizeof(*p), port_cmp);
	*ports = p;
	p = NULL;
out:
	free(p);
	ctl_dump_free(&d);
	ctl_map_close(&quarantine);
out_tenants:
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
	const char *acked;	/* from the module */
	const char *master;	/* from the module; NULL: JSON only */
	const char *groups;	/* from the module */
	const char *quarantine;
	const char *rate;	/* a direction's limits; NULL: JSON only */
	const char *none;	/* an empty field */
	bool line;		/* monitor: one line, only what is set */
};

static const struct port_fmt port_row = {
	.name = "%-16s ",
	.ifindex = "%-8u ",
	.kind = "%-7s ",
	.tenant = "%-18s ",
	.segment = "%-12s ",
	.flags = "%-24s ",
	.quarantine = "%-10s ",
	.generation = "%" PRIu64 "\n",
	.none = "-",
};

/* the module adds the groups and what the daemon acked */
static const struct port_fmt port_row_module = {
	.name = "%-16s ",
	.ifindex = "%-8u ",
	.kind = "%-7s ",
	.tenant = "%-18s ",
	.segment = "%-12s ",
	.flags = "%-24s ",
	.groups = "%-12s ",
	.quarantine = "%-10s ",
	.generation = "%-10" PRIu64 " ",
	.acked = "%" PRIu64 "\n",
	.none = "-",
};

static const struct port_fmt port_block = {
	.name = "port: %s\n",
	.ifindex = "  ifindex: %u\n",
	.kind = "  kind: %s\n",
	.tenant = "  tenant: %s\n",
	.flags = "  flags: %s\n",
	.groups = "  groups: %s\n",
	.quarantine = "  quarantine: %s\n",
	.generation = "  generation: %" PRIu64 "\n",
	.acked = "  acked: %" PRIu64 "\n",
	.master = "  master: %s\n",
	.rate = "  rate %s\n",
	.none = "none",
};

static const struct port_fmt port_line = {
	.name = " %s",
	.ifindex = " ifindex %u",
	.kind = " kind %s",
	.tenant = " tenant %s",
	.flags = " flags %s",
	.groups = " groups %s",
	.quarantine = " quarantine %s",
	.generation = " generation %" PRIu64,
	.acked = " acked %" PRIu64,
	.master = " master %s",
	.rate = " rate %s",
	.none = "-",
	.line = true,
};

static void port_print_head(bool module)
{
	print_fp("%-16s %-8s %-7s %-18s %-12s %-24s ", "NAME", "IFINDEX",
		 "KIND", "TENANT", "SEGMENT", "FLAGS");
	if (module)
		print_fp("%-12s %-10s %-10s %s\n", "GROUPS", "QUARANTINE",
			 "GENERATION", "ACKED");
	else
		print_fp("%-10s %s\n", "QUARANTINE", "GENERATION");
}

static void port_print_tenant(const struct ctl_port *p,
			      const struct port_fmt *f)
{
	char buf[64];

	print_uint(PRINT_JSON, "tenant", NULL, p->port.tenant);
	/* a monitor does not look names up */
	if (f->line)
		;
	else if (p->has_tenant_name)
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
		print_fp(f->line ? " segment %s" : "  segment: %s\n",
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

/* the one master the port may have: JSON ifindex or null (any) */
static void port_print_master(const struct ctl_port *p,
			      const struct port_fmt *f)
{
	char buf[IFNAMSIZ + 24];

	if (p->master)
		print_uint(PRINT_JSON, "master", NULL, p->master);
	else
		print_null(PRINT_JSON, "master", NULL, NULL);
	if (!f->master || (f->line && !p->master))
		return;
	if (!p->master)
		snprintf(buf, sizeof(buf), "any");
	else if (*p->master_name)
		snprintf(buf, sizeof(buf), "%s (ifindex %u)", p->master_name,
			 p->master);
	else
		snprintf(buf, sizeof(buf), "%u", p->master);
	print_string(PRINT_FP, NULL, f->master, buf);
}

/* the module's groups of the port: JSON ids, text "1,2" */
static void port_print_groups(const struct ctl_port *p,
			      const struct port_fmt *f)
{
	char buf[TENGUARD_PORT_GROUPS_MAX * 6 + 1] = "";
	size_t i, len = 0;

	open_json_array(PRINT_JSON, "groups");
	for (i = 0; i < p->n_groups; i++) {
		print_uint(PRINT_JSON, NULL, NULL, p->groups[i]);
		len += snprintf(buf + len, sizeof(buf) - len, "%s%u",
				len ? "," : "", p->groups[i]);
	}
	close_json_array(PRINT_JSON, NULL);
	if (!f->line || p->n_groups)
		print_string(PRINT_FP, NULL, f->groups, *buf ? buf : f->none);
}

/* "on", "off", or JSON null when the instance keeps no such state */
static void port_print_quarantine(const struct ctl_port *p,
				  const struct port_fmt *f)
{
	if (!p->has_quarantine) {
		print_null(PRINT_JSON, "quarantine", NULL, NULL);
		if (!f->line)
			print_string(PRINT_FP, NULL, f->quarantine, f->none);
		return;
	}
	if (f->line && !p->quarantined)
		print_string(PRINT_JSON, "quarantine", NULL, "off");
	else
		print_string(PRINT_ANY, "quarantine", f->quarantine,
			     p->quarantined ? "on" : "off");
}

/* "100Mbit burst 128KiB pps 20000 pkt-burst 64 police", "none" */
static const char *port_rate_str(const struct tenguard_rate *r, char *buf,
				 size_t len)
{
	char v[TG_UNITS_STRLEN];
	size_t n = 0;

	if (!(r->flags & (TENGUARD_RATE_F_BPS | TENGUARD_RATE_F_PPS))) {
		snprintf(buf, len, "none");
		return buf;
	}
	buf[0] = '\0';
	/* a rate of 0 passes nothing: it has no burst */
	if (r->flags & TENGUARD_RATE_F_BPS) {
		n += snprintf(buf + n, n < len ? len - n : 0, "%s",
			      tg_rate_str(r->bps, v, sizeof(v)));
		if (r->bps)
			n += snprintf(buf + n, n < len ? len - n : 0,
				      " burst %s",
				      tg_size_str(r->burst, v, sizeof(v)));
	}
	if (r->flags & TENGUARD_RATE_F_PPS) {
		n += snprintf(buf + n, n < len ? len - n : 0, "%spps %u",
			      n ? " " : "", r->pps);
		if (r->pps)
			n += snprintf(buf + n, n < len ? len - n : 0,
				      " pkt-burst %u", r->pkt_burst);
	}
	snprintf(buf + n, n < len ? len - n : 0, " %s",
		 r->flags & TENGUARD_RATE_F_SHAPE ? "shape" : "police");
	return buf;
}

/*
 * A VM port's limits by direction: JSON null for a direction without
 * any, and for an uplink, which has none to have.
 */
static void port_print_rate(const struct ctl_port *p,
			    const struct port_fmt *f)
{
	const struct tenguard_rate *r;
	char buf[160], text[170];
	bool bps, pps;
	int d;

	if (p->port.kind != TENGUARD_PORT_VM) {
		print_null(PRINT_JSON, "rate", NULL, NULL);
		return;
	}
	open_json_object("rate");
	for (d = 0; d < __TENGUARD_ACL_DIR_MAX; d++) {
		r = &p->port.rate[d];
		bps = r->flags & TENGUARD_RATE_F_BPS;
		pps = r->flags & TENGUARD_RATE_F_PPS;
		if (f->rate && (!f->line || bps || pps)) {
			snprintf(text, sizeof(text), "%s %s",
				 tg_acl_set_names[d],
				 port_rate_str(r, buf, sizeof(buf)));
			print_string(PRINT_FP, NULL, f->rate, text);
		}
		if (!bps && !pps) {
			print_null(PRINT_JSON, tg_acl_set_names[d], NULL, NULL);
			continue;
		}
		open_json_object(tg_acl_set_names[d]);
		if (bps)
			print_u64(PRINT_JSON, "bps", NULL, r->bps);
		else
			print_null(PRINT_JSON, "bps", NULL, NULL);
		if (bps && r->bps)
			print_uint(PRINT_JSON, "burst", NULL, r->burst);
		else
			print_null(PRINT_JSON, "burst", NULL, NULL);
		if (pps)
			print_uint(PRINT_JSON, "pps", NULL, r->pps);
		else
			print_null(PRINT_JSON, "pps", NULL, NULL);
		if (pps && r->pps)
			print_uint(PRINT_JSON, "pkt_burst", NULL, r->pkt_burst);
		else
			print_null(PRINT_JSON, "pkt_burst", NULL, NULL);
		print_string(PRINT_JSON, "mode", NULL,
			     r->flags & TENGUARD_RATE_F_SHAPE ? "shape" :
			     "police");
		close_json_object();
	}
	close_json_object();
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
	if (p->from_module)
		port_print_groups(p, f);
	port_print_quarantine(p, f);
	print_u64(PRINT_ANY, "generation", f->generation, p->port.generation);
	if (p->from_module) {
		print_u64(PRINT_ANY, "acked", f->acked, p->acked);
		port_print_master(p, f);
	}
	port_print_rate(p, f);
}

/* ---- the module's ports ---- */

/* a port of the module as the maps path holds one */
static void port_from_genl(const struct genl_port *gp, struct ctl_port *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->ifindex = gp->ifindex;
	p->port.tenant = gp->cfg.tenant;
	p->port.kind = gp->cfg.kind;
	p->port.flags = gp->cfg.flags;
	p->port.segment = gp->cfg.segment;
	p->port.generation = gp->generation;
	snprintf(p->name, sizeof(p->name), "%s", gp->cfg.name);
	p->from_module = true;
	p->acked = gp->acked;
	p->master = gp->master;
	p->has_quarantine = gp->has & GENL_P_QUARANTINE;
	p->quarantined = gp->cfg.quarantined;
	/* as the datapath holds them, defaults filled in (genl.h) */
	memcpy(p->port.rate, gp->cfg.rate, sizeof(p->port.rate));
	/* the module holds at most TENGUARD_PORT_GROUPS_MAX */
	for (i = 0; i < gp->cfg.n_groups && i < TENGUARD_PORT_GROUPS_MAX; i++)
		p->groups[p->n_groups++] = gp->cfg.groups[i];
}

static void port_tenant_name(struct ctl_port *p,
			     const struct genl_tenant *tenants, size_t n)
{
	size_t i;

	for (i = 0; p->port.tenant && i < n; i++) {
		if (tenants[i].cfg.id != p->port.tenant ||
		    !(tenants[i].has & GENL_T_NAME))
			continue;
		snprintf(p->tenant_name, sizeof(p->tenant_name), "%.*s",
			 (int)sizeof(tenants[i].cfg.name), tenants[i].cfg.name);
		p->has_tenant_name = true;
	}
}

static void ports_genl_free(struct genl_port *ports, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		genl_port_free(&ports[i]);
	free(ports);
}

static void tenants_genl_free(struct genl_tenant *tenants, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		genl_tenant_free(&tenants[i]);
	free(tenants);
}

/* the ports of one namespace, sorted as ctl_ports_read() sorts */
static int ports_module_read(struct genl *g, int32_t netnsid,
			     struct ctl_port **ports, size_t *n)
{
	struct genl_tenant *tenants = NULL;
	struct genl_port *gp = NULL;
	size_t ngp = 0, nt = 0, i;
	struct ctl_port *p;
	int err;

	err = genl_port_dump(g, netnsid, &gp, &ngp);
	if (!err)
		err = genl_tenant_dump(g, &tenants, &nt);
	if (err) {
		genl_perror(g, "port list", err);
		ports_genl_free(gp, ngp);
		return err;
	}
	p = calloc(ngp ?: 1, sizeof(*p));
	if (p) {
		for (i = 0; i < ngp; i++) {
			port_from_genl(&gp[i], &p[i]);
			port_tenant_name(&p[i], tenants, nt);
		}
		qsort(p, ngp, sizeof(*p), port_cmp);
	}
	ports_genl_free(gp, ngp);
	tenants_genl_free(tenants, nt);
	if (!p)
		return ctl_nomem();
	*ports = p;
	*n = ngp;
	return 0;
}

/* ---- port list ---- */

/* [netnsid N]: the namespace a port is named in, for the module */
static int port_netnsid_arg(const char *path, int argc, char **argv,
			    int32_t *netnsid)
{
	*netnsid = GENL_NETNSID_NONE;
	if (!argc)
		return 0;
	if (strcmp(argv[0], "netnsid"))
		return ctl_what_is("port", argv[0]);
	if (argc < 2)
		return ctl_missing(path, "N after \"netnsid\"");
	if (argc > 2)
		return ctl_what_is("port", argv[2]);
	return ctl_arg_netnsid(path, argv[1], netnsid);
}

/* a netnsid is a name only the module understands */
static int port_netnsid_maps(const char *path, int32_t netnsid)
{
	if (netnsid == GENL_NETNSID_NONE)
		return 0;
	fprintf(stderr, CTL_NAME ": %s: netnsid needs the tenguard module; the "
		"maps hold the ports of tenguardd's own namespace\n", path);
	return -EINVAL;
}

static int port_list(int argc, char **argv)
{
	struct ctl_port *ports = NULL;
	int32_t netnsid;
	struct genl *g;
	bool module;
	size_t n = 0, i;
	int err;

	err = port_netnsid_arg("port list", argc, argv, &netnsid);
	if (err)
		return err;
	err = ctl_source_open("port list", &g);
	if (err < 0)
		return err;
	module = err;
	if (module) {
		err = ports_module_read(g, netnsid, &ports, &n);
		genl_close(g);
	} else {
		err = port_netnsid_maps("port list", netnsid);
		if (!err)
			err = ctl_ports_read(&ports, &n);
	}
	if (err)
		return err;
	port_print_head(module);
	open_json_array(PRINT_JSON, NULL);
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		port_print(&ports[i], module ? &port_row_module : &port_row);
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
	/* the daemon's measure of the port; no_meter: why there is none */
	struct tenguard_rate_meter meter;
	const char *no_meter;
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
		b->n_macs = ctl_sort_uniq(b->macs, d.n, sizeof(*b->macs), mac_cmp);
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
	b->n_addrs = ctl_sort_uniq(b->addrs, hosts.n + prefixes.n, sizeof(*b->addrs),
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
		b->n_ethertypes = ctl_sort_uniq(b->ethertypes, d.n,
				       sizeof(*b->ethertypes), ethertype_cmp);
	}
	ctl_dump_free(&d);
	return b->ethertypes ? 0 : ctl_nomem();
}

/*
 * tg_rate_meter's entry of the port: a daemon older than rate limits pins
 * no such map, and one that has not sampled the port twice has no entry.
 */
static int port_meter_read(__u32 ifindex, struct port_bindings *b)
{
	struct ctl_map m;
	int fd, err;

	fd = tg_pin_open(ctl_instance, TENGUARD_MAP_RATE_METER);
	if (fd == -ENOENT) {
		b->no_meter = "the instance pins no " TENGUARD_MAP_RATE_METER;
		return 0;
	}
	if (fd >= 0)
		close(fd);
	err = ctl_map_open(&m, TENGUARD_MAP_RATE_METER, BPF_MAP_TYPE_HASH,
			   sizeof(__u32), sizeof(struct tenguard_rate_meter));
	if (err)
		return err;
	err = ctl_map_lookup(&m, &ifindex, &b->meter);
	ctl_map_close(&m);
	if (err == -ENOENT) {
		b->no_meter = "not measured yet";
		return 0;
	}
	b->no_meter = NULL;
	return err;
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
	return err ?: port_meter_read(ifindex, b);
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

/*
 * What passed and what the limiter dropped in each direction over the
 * daemon's last interval: "measured egress 99.1Mbit 8200pps dropped
 * 1.2Mbit 100pps", the drops where there is a limit or were some.
 */
static void port_meter_print(const struct ctl_port *p,
			     const struct port_bindings *b)
{
	const struct tenguard_rate_measure *m;
	char v[TG_UNITS_STRLEN];
	int d;

	if (p->port.kind != TENGUARD_PORT_VM)
		return;
	if (b->no_meter) {
		print_null(PRINT_ANY, "measured", "  measured: none (%s)\n",
			   b->no_meter);
		return;
	}
	open_json_object("measured");
	for (d = 0; d < __TENGUARD_ACL_DIR_MAX; d++) {
		m = &b->meter.dir[d];
		open_json_object(tg_acl_set_names[d]);
		print_fp("  measured %s %s", tg_acl_set_names[d],
			 tg_rate_str_approx(m->bps, v, sizeof(v)));
		print_u64(PRINT_JSON, "bps", NULL, m->bps);
		print_u64(PRINT_ANY, "pps", " %" PRIu64 "pps", m->pps);
		if (p->port.rate[d].flags || m->drop_bps || m->drop_pps)
			print_fp(" dropped %s",
				 tg_rate_str_approx(m->drop_bps, v, sizeof(v)));
		print_u64(PRINT_JSON, "drop_bps", NULL, m->drop_bps);
		print_u64(p->port.rate[d].flags || m->drop_bps || m->drop_pps ?
			  PRINT_ANY : PRINT_JSON, "drop_pps", " %" PRIu64 "pps",
			  m->drop_pps);
		print_u64(PRINT_JSON, "interval_ms", NULL,
			  b->meter.interval_ns / 1000000);
		print_nl();
		close_json_object();
	}
	close_json_object();
}

/* no_stats: why there are no counters to show, NULL if there are */
static void port_bindings_print(const struct ctl_port *p,
				const struct port_bindings *b,
				const char *no_stats)
{
	char buf[INET6_ADDRSTRLEN + 8], addr[INET6_ADDRSTRLEN];
	const __u8 *m;
	size_t i;

	port_meter_print(p, b);

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

	if (no_stats) {
		/* the module has no counters: they live in the datapath */
		print_null(PRINT_ANY, "stats", "  stats: none (%s)\n",
			   no_stats);
		return;
	}
	open_json_object("stats");
	ctl_stats_print(&b->stats, p->port.rate, "  ");
	close_json_object();
}

/* a port of the module with its lists, and the daemon's counters */
static int port_show_module(struct genl *g, const char *name,
			    int32_t netnsid, struct ctl_port *port,
			    struct port_bindings *b, const char **no_stats)
{
	struct genl_tenant t = {};
	struct genl_port gp = {};
	struct ctl_map stats;
	char path[IFNAMSIZ + 16], dir[256];
	const struct tg_prefix *pfx;
	uint32_t ifindex;
	struct stat st;
	size_t i;
	int err;

	snprintf(path, sizeof(path), "port show %s", name);
	err = ctl_link_index(g, "port show", name, netnsid, &ifindex);
	if (err)
		return err;
	err = genl_port_get(g, ifindex, netnsid, &gp);
	if (err) {
		genl_perror(g, path, err);
		return err;
	}
	port_from_genl(&gp, port);
	if (gp.master)
		genl_link_name(g, gp.master, netnsid, port->master_name);
	if (gp.cfg.tenant && !genl_tenant_get(g, gp.cfg.tenant, &t)) {
		port_tenant_name(port, &t, 1);
		genl_tenant_free(&t);
	}

	b->macs = calloc(gp.cfg.n_macs ?: 1, sizeof(*b->macs));
	b->addrs = calloc(gp.cfg.n_addrs ?: 1, sizeof(*b->addrs));
	b->ethertypes = calloc(gp.cfg.n_ethertypes ?: 1,
			       sizeof(*b->ethertypes));
	if (!b->macs || !b->addrs || !b->ethertypes) {
		genl_port_free(&gp);
		return ctl_nomem();
	}
	memcpy(b->macs, gp.cfg.macs, gp.cfg.n_macs * sizeof(*b->macs));
	b->n_macs = ctl_sort_uniq(b->macs, gp.cfg.n_macs, sizeof(*b->macs), mac_cmp);
	for (i = 0; i < gp.cfg.n_addrs; i++) {
		pfx = &gp.cfg.addrs[i];
		b->addrs[i].v4 = pfx->family == AF_INET;
		memcpy(b->addrs[i].addr, pfx->addr, sizeof(pfx->addr));
		b->addrs[i].prefixlen = pfx->prefixlen;
	}
	b->n_addrs = ctl_sort_uniq(b->addrs, gp.cfg.n_addrs, sizeof(*b->addrs),
			  addr_cmp);
	memcpy(b->ethertypes, gp.cfg.ethertypes,
	       gp.cfg.n_ethertypes * sizeof(*b->ethertypes));
	b->n_ethertypes = ctl_sort_uniq(b->ethertypes, gp.cfg.n_ethertypes,
			       sizeof(*b->ethertypes), ethertype_cmp);
	genl_port_free(&gp);

	/*
	 * Counters are the daemon's, by ifindex in its namespace: shown when
	 * an instance runs here and the port is named in this namespace.
	 */
	if (netnsid != GENL_NETNSID_NONE) {
		*no_stats = "tenguardd counts the ports of its own namespace";
		b->no_meter = "tenguardd measures the ports of its own namespace";
		return 0;
	}
	if (tg_pin_dir(ctl_instance, dir, sizeof(dir)) || stat(dir, &st)) {
		*no_stats = "no tenguardd instance of this name runs here";
		b->no_meter = *no_stats;
		return 0;
	}
	err = ctl_stats_open(&stats);
	if (err)
		return err;
	err = ctl_stats_read(&stats, ifindex, &b->stats);
	ctl_map_close(&stats);
	if (!err)
		*no_stats = NULL;
	return err ?: port_meter_read(ifindex, b);
}

static int port_show(int argc, char **argv)
{
	struct port_bindings b = {};
	const char *no_stats = NULL;
	struct ctl_port port;
	int32_t netnsid;
	struct genl *g;
	int err;

	if (!argc)
		return ctl_missing("port show", "port DEV");
	err = port_netnsid_arg("port show", argc - 1, argv + 1, &netnsid);
	if (err)
		return err;
	err = ctl_source_open("port show", &g);
	if (err < 0)
		return err;
	if (err) {
		err = port_show_module(g, argv[0], netnsid, &port, &b,
				       &no_stats);
		genl_close(g);
	} else {
		err = port_netnsid_maps("port show", netnsid);
		if (!err)
			err = ctl_port_find(argv[0], &port);
		if (!err)
			err = port_bindings_read(port.ifindex, &b);
	}
	if (!err) {
		open_json_object(NULL);
		port_print(&port, &port_block);
		port_bindings_print(&port, &b, no_stats);
		close_json_object();
	}
	port_bindings_free(&b);
	return err;
}

/* ---- changing ports: in the module ---- */

/* the words of port add and port set, as bits of what was given */
enum port_word {
	PW_TENANT = 1U << 0,
	PW_UPLINK = 1U << 1,
	PW_MAC = 1U << 2,
	PW_ADDR = 1U << 3,
	PW_ETHERTYPE = 1U << 4,
	PW_FLAGS = 1U << 5,
	PW_SEGMENT = 1U << 6,
	PW_MASTER = 1U << 7,
	PW_NETNSID = 1U << 8,
	PW_GROUP = 1U << 9,
	PW_RATE = 1U << 10,
};

static const struct {
	const char *word;
	enum port_word bit;
	const char *value;	/* what follows the word, for "missing" */
} port_words[] = {
	{ "tenant", PW_TENANT, "ID after \"tenant\"" },
	{ "uplink", PW_UPLINK, NULL },
	{ "mac", PW_MAC, "MAC after \"mac\"" },
	{ "addr", PW_ADDR, "PREFIX after \"addr\"" },
	{ "ethertype", PW_ETHERTYPE, "0xNNNN after \"ethertype\"" },
	{ "flags", PW_FLAGS, "FLAG[,FLAG]... after \"flags\"" },
	{ "segment", PW_SEGMENT, "SEGMENT after \"segment\"" },
	{ "master", PW_MASTER, "DEV after \"master\"" },
	{ "netnsid", PW_NETNSID, "N after \"netnsid\"" },
	{ "group", PW_GROUP, "N after \"group\"" },
	{ "rate", PW_RATE, "ingress or egress after \"rate\"" },
};

#define PW_LISTS	(PW_MAC | PW_ADDR | PW_ETHERTYPE | PW_GROUP)
/* words that may come again: lists, and rate once per direction */
#define PW_REPEAT	(PW_LISTS | PW_RATE)
#define PW_VM_ONLY	(PW_TENANT | PW_LISTS | PW_FLAGS | PW_RATE)

struct port_req {
	const char *path;
	const char *dev;
	const char *master;	/* a device; NULL: none or not given */
	unsigned int given;	/* PW_* */
	struct genl_port p;
};

static int port_word_find(const char *w, bool add)
{
	size_t i;

	for (i = 0; i < sizeof(port_words) / sizeof(port_words[0]); i++)
		if (!strcmp(port_words[i].word, w) &&
		    (add || port_words[i].bit != PW_UPLINK))
			return i;
	return -1;
}

/*
 * After the first value of a list, the next word is one more value if it
 * looks like one: "mac A B addr C" takes two MACs, and a misspelt word
 * ("mac A adr C") is a bad word, not a bad MAC.
 */
static bool port_list_value(enum port_word bit, const char *w)
{
	switch (bit) {
	case PW_MAC:
		return strchr(w, ':');
	case PW_ADDR:
		return strchr(w, ':') || strchr(w, '.');
	case PW_GROUP:
		return *w && strspn(w, "0123456789") == strlen(w);
	default:
		return w[0] == '0' && (w[1] == 'x' || w[1] == 'X');
	}
}

static int port_list_item(struct port_req *r, enum port_word bit,
			  const char *w)
{
	struct tg_port_cfg *c = &r->p.cfg;
	struct tg_prefix pfx;
	uint32_t group;
	uint16_t et;
	uint8_t mac[6];
	int err;

	switch (bit) {
	case PW_GROUP:
		err = ctl_arg_u32(r->path, "group", w, 1, TENGUARD_GROUP_MAX,
				  &group);
		return err ?: ctl_push(&c->groups, &c->n_groups,
				       sizeof(group), &group);
	case PW_MAC:
		err = ctl_arg_mac(r->path, w, mac);
		return err ?: ctl_push(&c->macs, &c->n_macs, sizeof(mac), mac);
	case PW_ADDR:
		err = ctl_arg_prefix(r->path, w, &pfx);
		return err ?: ctl_push(&c->addrs, &c->n_addrs, sizeof(pfx),
				       &pfx);
	default:
		err = ctl_arg_ethertype(r->path, w, &et);
		return err ?: ctl_push(&c->ethertypes, &c->n_ethertypes,
				       sizeof(et), &et);
	}
}

/* the words of "rate DIR ...", by their bit in port_rate_words()'s seen */
enum port_rate_word {
	RW_BPS, RW_BURST, RW_PPS, RW_PKT_BURST, RW_SHAPE, RW_NONE, RW_N
};

static const char *const port_rate_word_names[RW_N] = {
	[RW_BPS] = "bps",
	[RW_BURST] = "burst",
	[RW_PPS] = "pps",
	[RW_PKT_BURST] = "pkt-burst",
	[RW_SHAPE] = "shape",
	[RW_NONE] = "none",
};

/* "port set: invalid rate "10Q" after "bps": ..." */
static int port_rate_invalid(const char *path, const char *what,
			     const char *word, const char *after,
			     const char *why)
{
	fprintf(stderr, CTL_NAME ": %s: invalid %s \"%s\" after \"%s\": %s\n",
		path, what, word, after, why);
	return -EINVAL;
}

/*
 * The value after a word of a rate, within what the uapi header allows;
 * whether it makes sense with the others (a burst without a rate) is the
 * module's to say.
 */
static int port_rate_value(const char *path, enum port_rate_word w,
			   const char *word, struct tenguard_rate *r)
{
	const char *after = port_rate_word_names[w], *what, *why;
	char hint[160], lo[TG_UNITS_STRLEN], hi[TG_UNITS_STRLEN];
	size_t len = strlen(word);
	uint64_t v;
	int err;

	switch (w) {
	case RW_BPS:
		err = tg_rate_parse(word, &v);
		if (!err && v <= TENGUARD_RATE_BPS_MAX) {
			r->bps = v;
			r->flags |= TENGUARD_RATE_F_BPS;
			return 0;
		}
		what = "rate";
		/* tc reads "bps" as bytes per second */
		if (len > 3 && !strcasecmp(word + len - 3, "bps"))
			why = "\"bps\" would be bytes per second to tc: write "
			      "bits per second as 100M or 100Mbit";
		else
			why = hint;
		snprintf(hint, sizeof(hint), "bits per second, 0 to %s, with "
			 "k, M, G or T (powers of 1000) and an optional \"bit\": "
			 "500k, 100M, 1.5Gbit",
			 tg_rate_str(TENGUARD_RATE_BPS_MAX, hi, sizeof(hi)));
		break;
	case RW_BURST:
		err = tg_size_parse(word, &v);
		if (!err && v >= TENGUARD_RATE_BURST_MIN &&
		    v <= TENGUARD_RATE_BURST_MAX) {
			r->burst = v;
			return 0;
		}
		what = "size";
		why = hint;
		snprintf(hint, sizeof(hint), "bytes, %s (one full-size frame) "
			 "to %s, with K, M or G (powers of 1024) and an "
			 "optional \"iB\" or \"B\": 128K, 64KiB",
			 tg_size_str(TENGUARD_RATE_BURST_MIN, lo, sizeof(lo)),
			 tg_size_str(TENGUARD_RATE_BURST_MAX, hi, sizeof(hi)));
		break;
	case RW_PPS:
		err = tg_count_parse(word, &v);
		if (!err && v <= TENGUARD_RATE_PPS_MAX) {
			r->pps = v;
			r->flags |= TENGUARD_RATE_F_PPS;
			return 0;
		}
		what = "packet rate";
		why = hint;
		snprintf(hint, sizeof(hint), "packets per second, 0 to %u, "
			 "with k or M (powers of 1000): 20000, 20k",
			 TENGUARD_RATE_PPS_MAX);
		break;
	default:
		err = tg_count_parse(word, &v);
		if (!err && v >= 1 && v <= TENGUARD_RATE_PKT_BURST_MAX) {
			r->pkt_burst = v;
			return 0;
		}
		what = "packet count";
		why = hint;
		snprintf(hint, sizeof(hint), "packets, 1 to %u, with k or M "
			 "(powers of 1000): 64", TENGUARD_RATE_PKT_BURST_MAX);
	}
	return port_rate_invalid(path, what, word, after, why);
}

/*
 * "rate DIR" and the words of its limits at argv[0..]: "egress bps 100M
 * burst 128K", "ingress pps 20k shape", "egress none". The direction's
 * limits are what is given, nothing kept of what it had. Returns the
 * words taken, or a reported error.
 */
static int port_rate_words(struct port_req *r, int argc, char **argv)
{
	struct tenguard_rate *rate;
	unsigned int seen = 0;
	char what[48];
	int dir, n = 1, w, err;

	dir = tg_name_index(tg_acl_set_names, __TENGUARD_ACL_DIR_MAX, argv[0]);
	if (dir < 0)
		return ctl_invalid(r->path, "direction", argv[0],
				   "ingress (to the VM) or egress (from it)");
	snprintf(what, sizeof(what), "rate %s", argv[0]);
	if (r->p.rate_dirs & 1U << dir)
		return ctl_twice(r->path, what);
	r->p.rate_dirs |= 1U << dir;
	rate = &r->p.cfg.rate[dir];
	memset(rate, 0, sizeof(*rate));

	while (n < argc) {
		w = tg_name_index(port_rate_word_names, RW_N, argv[n]);
		if (w < 0)
			break;	/* the next word of the command */
		if (seen & 1U << w) {
			snprintf(what, sizeof(what), "rate %s %s", argv[0],
				 argv[n]);
			return ctl_twice(r->path, what);
		}
		seen |= 1U << w;
		n++;
		if (w == RW_SHAPE) {
			rate->flags |= TENGUARD_RATE_F_SHAPE;
			continue;
		}
		if (w == RW_NONE)
			continue;
		if (n == argc) {
			snprintf(what, sizeof(what), "%s after \"%s\"",
				 w == RW_BPS ? "RATE" : w == RW_BURST ? "SIZE" :
				 "COUNT", port_rate_word_names[w]);
			return ctl_missing(r->path, what);
		}
		err = port_rate_value(r->path, w, argv[n++], rate);
		if (err)
			return err;
	}
	if (!seen) {
		snprintf(what, sizeof(what), "LIMIT or none after \"rate %s\"",
			 argv[0]);
		return ctl_missing(r->path, what);
	}
	if ((seen & 1U << RW_NONE) && seen != 1U << RW_NONE) {
		fprintf(stderr, CTL_NAME ": %s: \"rate %s none\" lifts the "
			"limits of %s: no LIMIT goes with it\n", r->path,
			argv[0], argv[0]);
		return -EINVAL;
	}
	return n;
}

/* the words after DEV; only syntax: the module judges meaning */
static int port_words_parse(struct port_req *r, int argc, char **argv,
			    bool add)
{
	struct genl_port *p = &r->p;
	enum port_word bit;
	int i, n, err;

	while (argc > 0) {
		i = port_word_find(argv[0], add);
		if (i < 0)
			return ctl_what_is("port", argv[0]);
		bit = port_words[i].bit;
		if ((r->given & bit) && !(bit & PW_REPEAT))
			return ctl_twice(r->path, argv[0]);
		r->given |= bit;
		argc--;
		argv++;
		if (bit == PW_UPLINK)
			continue;
		if (!argc)
			return ctl_missing(r->path, port_words[i].value);
		n = 1;
		switch (bit) {
		case PW_TENANT:
			err = ctl_arg_tenant_id(r->path, argv[0],
						&p->cfg.tenant);
			break;
		case PW_FLAGS:
			err = ctl_arg_flags(r->path, argv[0], &p->cfg.flags);
			break;
		case PW_SEGMENT:
			n = ctl_arg_segment(r->path, argc, argv,
					    &p->cfg.segment);
			err = n < 0 ? n : 0;
			break;
		case PW_MASTER:
			err = 0;
			r->master = NULL;
			if (strcmp(argv[0], "none")) {
				err = ctl_arg_ifname(r->path, argv[0]);
				r->master = argv[0];
			}
			break;
		case PW_NETNSID:
			err = ctl_arg_netnsid(r->path, argv[0], &p->netnsid);
			break;
		case PW_RATE:
			n = port_rate_words(r, argc, argv);
			err = n < 0 ? n : 0;
			break;
		default:
			err = port_list_item(r, bit, argv[0]);
			while (!err && n < argc &&
			       port_list_value(bit, argv[n]))
				err = port_list_item(r, bit, argv[n++]);
		}
		if (err)
			return err;
		argc -= n;
		argv += n;
	}
	return 0;
}

/* what a combination of words cannot mean, before any I/O */
static int port_words_check(struct port_req *r, bool add)
{
	if (!add) {
		if (!(r->given & ~PW_NETNSID))
			return ctl_missing(r->path, "what to change");
		return 0;
	}
	if (r->given & PW_UPLINK) {
		if (r->given & PW_VM_ONLY) {
			fprintf(stderr, CTL_NAME ": %s: an uplink has no tenant, "
				"mac, addr, ethertype, group, flags or rate: it "
				"carries segments\n", r->path);
			return -EINVAL;
		}
		return 0;
	}
	if (!(r->given & PW_TENANT))
		return ctl_missing(r->path, "tenant ID (or uplink)");
	if (!(r->given & PW_MAC))
		return ctl_missing(r->path, "mac MAC");
	if (r->given & PW_SEGMENT) {
		fprintf(stderr, CTL_NAME ": %s: a VM port has no segment: its "
			"tenant has them\n", r->path);
		return -EINVAL;
	}
	return 0;
}

static void port_req_free(struct port_req *r)
{
	genl_port_free(&r->p);
}

static int port_change(const char *path, int argc, char **argv, bool add)
{
	struct port_req r = { .path = path };
	struct genl_port *p = &r.p;
	bool partial = false;
	struct genl *g;
	int err;

	p->netnsid = GENL_NETNSID_NONE;
	if (!argc)
		return ctl_missing(path, "DEV");
	err = ctl_arg_ifname(path, argv[0]);
	if (err)
		return err;
	r.dev = argv[0];
	err = port_words_parse(&r, argc - 1, argv + 1, add);
	if (!err)
		err = port_words_check(&r, add);
	if (err)
		goto out;

	p->has = (r.given & PW_TENANT ? GENL_P_TENANT : 0) |
		 (r.given & PW_FLAGS ? GENL_P_FLAGS : 0) |
		 (r.given & PW_MAC ? GENL_P_MACS : 0) |
		 (r.given & PW_ADDR ? GENL_P_ADDRS : 0) |
		 (r.given & PW_ETHERTYPE ? GENL_P_ETHERTYPES : 0) |
		 (r.given & PW_SEGMENT ? GENL_P_SEGMENT : 0) |
		 (r.given & PW_MASTER ? GENL_P_MASTER : 0) |
		 (r.given & PW_GROUP ? GENL_P_GROUPS : 0) |
		 (r.given & PW_RATE ? GENL_P_RATE : 0);
	if (add) {
		p->cfg.kind = r.given & PW_UPLINK ? TENGUARD_PORT_UPLINK :
			      TENGUARD_PORT_VM;
		p->has |= GENL_P_KIND;
		/* "master none" on a new port is no master: leave it out */
		if (!r.master)
			p->has &= ~GENL_P_MASTER;
	}

	err = ctl_module_open(path, &g);
	if (err)
		goto out;
	err = ctl_link_index(g, path, r.dev, p->netnsid, &p->ifindex);
	if (!err && r.master)
		err = ctl_link_index(g, path, r.master, p->netnsid,
				     &p->master);
	if (!err) {
		err = add ? genl_port_new(g, p) :
			    genl_port_set(g, p, &partial);
		if (err)
			genl_perror(g, path, err);
		if (partial)
			fprintf(stderr, CTL_NAME ": %s: %s has only the first "
				"part of the lists given: run the command "
				"again\n", path, r.dev);
	}
	genl_close(g);
out:
	port_req_free(&r);
	return err;
}

static int port_add(int argc, char **argv)
{
	return port_change("port add", argc, argv, true);
}

static int port_set(int argc, char **argv)
{
	return port_change("port set", argc, argv, false);
}

static int port_del(int argc, char **argv)
{
	uint32_t ifindex;
	int32_t netnsid;
	struct genl *g;
	int err;

	if (!argc)
		return ctl_missing("port del", "DEV");
	err = ctl_arg_ifname("port del", argv[0]);
	if (!err)
		err = port_netnsid_arg("port del", argc - 1, argv + 1,
				       &netnsid);
	if (!err)
		err = ctl_module_open("port del", &g);
	if (err)
		return err;
	err = ctl_link_index(g, "port del", argv[0], netnsid, &ifindex);
	if (!err) {
		err = genl_port_del(g, ifindex, netnsid);
		if (err)
			genl_perror(g, "port del", err);
	}
	genl_close(g);
	return err;
}

/* ---- port quarantine ---- */

/*
 * Standalone mode: the daemon programs what the policy file says and
 * leaves tg_quarantine to us; the entry of the port's ifindex is the
 * quarantine (its value is not looked at).
 */
static int port_quarantine_maps(const char *name, bool on)
{
	struct ctl_port port;
	struct ctl_map m;
	__u32 one = 1;
	int err;

	err = ctl_port_find(name, &port);
	if (err)
		return err;
	err = ctl_quarantine_open(&m);
	if (err == -ENOENT) {
		fprintf(stderr, CTL_NAME ": port quarantine: instance \"%s\" "
			"pins no %s: its tenguardd is older than quarantine\n",
			ctl_instance, TENGUARD_MAP_QUARANTINE);
		return err;
	}
	if (err)
		return err;
	if (on)
		err = bpf_map_update_elem(m.fd, &port.ifindex, &one, BPF_ANY);
	else
		err = bpf_map_delete_elem(m.fd, &port.ifindex);
	/* releasing a port that is not quarantined leaves it so: done */
	if (err && !on && errno == ENOENT)
		err = 0;
	else if (err)
		err = -errno;
	if (err == -E2BIG)
		fprintf(stderr, CTL_NAME ": port quarantine %s: %s of instance "
			"\"%s\" is full\n", name, TENGUARD_MAP_QUARANTINE,
			ctl_instance);
	else if (err)
		fprintf(stderr, CTL_NAME ": port quarantine %s: %s %s of "
			"instance \"%s\": %s\n", name, on ? "writing" :
			"deleting from", TENGUARD_MAP_QUARANTINE, ctl_instance,
			strerror(-err));
	ctl_map_close(&m);
	return err;
}

static int port_quarantine_module(struct genl *g, const char *name,
				  int32_t netnsid, bool on)
{
	char path[IFNAMSIZ + 24];
	uint32_t ifindex;
	int err;

	err = ctl_link_index(g, "port quarantine", name, netnsid, &ifindex);
	if (err)
		return err;
	err = genl_port_quarantine(g, ifindex, netnsid, on);
	if (err) {
		snprintf(path, sizeof(path), "port quarantine %s", name);
		genl_perror(g, path, err);
	}
	return err;
}

/* DEV [on|off] [netnsid N] */
static int port_quarantine(int argc, char **argv)
{
	const char *path = "port quarantine", *name;
	int32_t netnsid;
	struct genl *g;
	bool on = true;
	int err;

	if (!argc)
		return ctl_missing(path, "DEV");
	name = argv[0];
	err = ctl_arg_ifname(path, name);
	if (err)
		return err;
	argc--;
	argv++;
	if (argc && (!strcmp(argv[0], "on") || !strcmp(argv[0], "off"))) {
		on = !strcmp(argv[0], "on");
		argc--;
		argv++;
	}
	err = port_netnsid_arg(path, argc, argv, &netnsid);
	if (err)
		return err;
	/*
	 * The module's quarantine is the one in force where it is loaded:
	 * the daemon mirrors it into the maps, over anything written there.
	 */
	err = ctl_source_open(path, &g);
	if (err < 0)
		return err;
	if (err) {
		err = port_quarantine_module(g, name, netnsid, on);
		genl_close(g);
		return err;
	}
	err = port_netnsid_maps(path, netnsid);
	return err ?: port_quarantine_maps(name, on);
}

/* ---- monitor ---- */

static void port_line_list(const char *key, size_t n, const char *(*str)(
			   const struct genl_port *, size_t, char *, size_t),
			   const struct genl_port *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t i;

	print_fp(" %s", key);
	open_json_array(PRINT_JSON, key);
	for (i = 0; i < n; i++) {
		print_fp(i ? "," : " ");
		print_string(PRINT_ANY, NULL, "%s", str(p, i, buf, sizeof(buf)));
	}
	if (!n)
		print_fp(" -");
	close_json_array(PRINT_JSON, NULL);
}

static const char *port_mac_str(const struct genl_port *p, size_t i,
				char *buf, size_t len)
{
	const uint8_t *m = p->cfg.macs[i];

	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

static const char *port_addr_str(const struct genl_port *p, size_t i,
				 char *buf, size_t len)
{
	const struct tg_prefix *pfx = &p->cfg.addrs[i];
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(pfx->family, pfx->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, pfx->prefixlen);
	return buf;
}

static const char *port_ethertype_str(const struct genl_port *p, size_t i,
				      char *buf, size_t len)
{
	snprintf(buf, len, "0x%04x", p->cfg.ethertypes[i]);
	return buf;
}

void ctl_port_line(const struct genl_port *gp)
{
	struct ctl_port p;

	port_from_genl(gp, &p);
	port_print(&p, &port_line);
	port_line_list("macs", gp->cfg.n_macs, port_mac_str, gp);
	port_line_list("addresses", gp->cfg.n_addrs, port_addr_str, gp);
	port_line_list("ethertypes", gp->cfg.n_ethertypes,
		       port_ethertype_str, gp);
}

static int port_help(int argc, char **argv)
{
	if (argc)
		return ctl_what_is("port", argv[0]);
	ctl_usage_table("port", port_cmds);
	printf("\n"
	       "SEGMENT := { vlan VID | vni VNI }\n"
	       "FLAG := { dhcp-server | router | encap }\n"
	       "GROUP := a group of the port's tenant, 1..65535\n"
	       "DIR := { ingress | egress }\n"
	       "LIMIT := { bps RATE | burst SIZE | pps COUNT | pkt-burst COUNT | shape }\n"
	       "\n"
	       "A port is a network device tenguard guards: the host end of a VM's tap\n"
	       "or veth (kind vm, bound to one tenant), or an uplink carrying tenant\n"
	       "segments off the node (kind uplink: a trunk, tenant 0, or bound to one\n"
	       "segment and its tenant). DEV is the device's name.\n"
	       "\n"
	       "port list prints one row per port, by name. port show adds what the\n"
	       "port may send from: its MAC addresses, its IP addresses and prefixes,\n"
	       "the extra ethertypes it may send, and its counters. Both read the\n"
	       "tenguard kernel module if it is loaded, else the maps of the tenguardd\n"
	       "instance (see --source); the module adds the generation the daemon\n"
	       "acked and the master the port is held to. Counters always come from\n"
	       "the maps.\n"
	       "\n"
	       "port add makes DEV a port in the module. A VM port takes its tenant,\n"
	       "one or more MACs, and any number of addresses (an address alone is a\n"
	       "/32 or /128; a prefix allows every source in it) and extra ethertypes\n"
	       "(IPv4, IPv6 and ARP are always allowed and inspected). FLAGs allow\n"
	       "what a VM may not do by default: answer DHCP (dhcp-server), send\n"
	       "router advertisements and redirects (router), send overlay\n"
	       "encapsulation (encap). An uplink is a trunk of every tenant's\n"
	       "segments, or carries the one SEGMENT given.\n"
	       "\n"
	       "A VM port may be in GROUPs (1..65535) of its tenant, at most 32: a rule\n"
	       "that names a remote group (\"remote_group\" in a rule set, see\n"
	       "\"" CTL_NAME " acl help\") matches any address of the tenant's ports in\n"
	       "that group.\n"
	       "\n"
	       "mac, addr, ethertype and group may be repeated, or followed by more\n"
	       "values: \"mac A mac B\" is \"mac A B\". master DEV holds the port to that master\n"
	       "(a bridge, a bond): the module refuses any other; \"master none\"\n"
	       "lifts it. netnsid N names DEV (and the master) in the network\n"
	       "namespace the caller knows by netnsid N (ip netns list-id), not in\n"
	       "the caller's own.\n"
	       "\n"
	       "A port comes up only once tenguardd has programmed what the module\n"
	       "holds for it (acked equals generation): the module takes a new port\n"
	       "down and refuses to bring it up before.\n"
	       "\n"
	       "port set changes what it is given and nothing else: each of mac,\n"
	       "addr, ethertype and group given replaces that whole list, flags\n"
	       "replaces the flags (\"flags none\" clears them), rate DIR replaces\n"
	       "that direction's limits. port del makes DEV no longer a port.\n"
	       "Lists too long for one message are sent in parts, in PORT_SETs\n"
	       "that append; a port add that fails on the way deletes the port\n"
	       "again.\n"
	       "\n"
	       "Rate limits. rate DIR LIMIT... limits one direction of a VM port,\n"
	       "named from the VM as rule sets are: egress is what the VM sends,\n"
	       "ingress what is delivered to it. Each limit is a token bucket:\n"
	       "  bps RATE         a bit rate: bits per second, each frame counted from\n"
	       "                   its Ethernet header on, a GSO packet once\n"
	       "  burst SIZE       the bytes that may pass at once above the bit rate\n"
	       "                   (the bucket's size): 1514B (one full-size frame) to\n"
	       "                   1GiB; left out, what the rate carries in half a\n"
	       "                   second, at least 128KiB\n"
	       "  pps COUNT        a packet rate: packets per second, up to 1000000000\n"
	       "  pkt-burst COUNT  the packets that may pass at once above it, 1 to\n"
	       "                   16777216; left out, half a second of the rate, at\n"
	       "                   least 32\n"
	       "  shape            delay what exceeds instead of dropping it (below)\n"
	       "A direction may have a bit rate, a packet rate or both; a packet passes\n"
	       "only if every bucket it has holds enough for it, and takes from none\n"
	       "otherwise. A rate of 0 passes nothing in that direction (it has no\n"
	       "burst); a direction given no rate is not limited. What exceeds a limit\n"
	       "is dropped (police, the default). With shape each packet leaves at the\n"
	       "time its rate allows instead, which needs the fq qdisc on the port:\n"
	       "tenguardd sets it up. A packet that would wait longer than the bucket\n"
	       "takes to fill is dropped even so. shape works towards the VM only\n"
	       "(ingress) and only with a rate: the module refuses it otherwise.\n"
	       "\n"
	       "rate DIR LIMIT... in port set replaces all of that direction's limits:\n"
	       "what it does not give is not kept (a burst left out is the default\n"
	       "again). \"rate DIR none\" lifts the direction's limits; a direction\n"
	       "not named keeps its own. rate may be given once for each direction in\n"
	       "one command. A change takes effect without refilling or emptying the\n"
	       "buckets: no burst is given back by changing a limit. Uplinks have no\n"
	       "limits: their tenants' ports do.\n"
	       "\n"
	       "RATE is a decimal number, a fraction allowed (\"1.5G\"), with an\n"
	       "optional k, M, G or T (powers of 1000) and an optional \"bit\": 500k,\n"
	       "100M, 100mbit, 1Gbit, 0; up to 1Tbit. \"bps\" as a suffix is refused:\n"
	       "tc reads it as bytes per second. SIZE is bytes with an optional K, M\n"
	       "or G (powers of 1024) and an optional \"iB\" or \"B\": 1514, 128K,\n"
	       "64KiB, 1M. COUNT takes k or M (powers of 1000): 20k, 64. Suffixes are\n"
	       "case-insensitive; a value must come out a whole number (\"1.5\" bytes\n"
	       "is refused).\n"
	       "\n"
	       "Without the module (standalone mode) the limits are the policy file's\n"
	       "(\"rate\" of a port, with the same units) and port show reads them\n"
	       "from the maps.\n"
	       "\n"
	       "port show prints each direction's limits in force, defaults filled in\n"
	       "(\"rate egress 100Mbit burst 128KiB pps 20000 pkt-burst 64 police\",\n"
	       "\"rate ingress none\"), what tenguardd measured over its last interval\n"
	       "of about a second (\"measured egress 99.1Mbit 8200pps dropped 1.2Mbit\n"
	       "100pps\": what passed, then what the limiter dropped), and with the\n"
	       "counters each direction's limiter (see \"" CTL_NAME " stats help\").\n"
	       "\n"
	       "port quarantine cuts DEV off (on, the default) or lets it back (off):\n"
	       "a quarantined port passes only ARP, neighbour discovery and what the\n"
	       "node's remediation rules allow (\"" CTL_NAME " node help\"), in both\n"
	       "directions, from its next packet on; its flows stop. With the module\n"
	       "loaded the module keeps the state (PORT_QUARANTINE) and tenguardd\n"
	       "enforces it. Without it (standalone mode), it is written into the\n"
	       "instance's map " TENGUARD_MAP_QUARANTINE " directly, where it lasts until\n"
	       "released or the instance's pins are removed; DEV is then a port the\n"
	       "instance programmed. --source picks the one as for list and show.\n"
	       "\n"
	       "With -j, port list prints [{\"name\", \"ifindex\", \"kind\", \"tenant\",\n"
	       "\"tenant_name\", \"segment\" (uplinks bound to one), \"flags\",\n"
	       "\"quarantine\" (\"on\", \"off\", or null if the instance keeps no such\n"
	       "state), \"generation\", \"rate\"}], from the module with \"groups\"\n"
	       "(ids), \"acked\" and \"master\" (an ifindex, or null for any). \"rate\"\n"
	       "is {\"ingress\": LIMITS, \"egress\": LIMITS} for a VM port, null for an\n"
	       "uplink; LIMITS is null for a direction without limits, else {\"bps\",\n"
	       "\"burst\", \"pps\", \"pkt_burst\", \"mode\": \"police\" or \"shape\"}, a\n"
	       "rate null if not limited, a burst null beside a rate that is null or\n"
	       "0. port show prints one such object with \"macs\", \"addresses\",\n"
	       "\"ethertypes\", \"measured\" ({DIR: {\"bps\", \"pps\", \"drop_bps\",\n"
	       "\"drop_pps\", \"interval_ms\"}}, null if not measured) and \"stats\"\n"
	       "(null if no daemon counts for the port; its \"limiter\" is described\n"
	       "by \"" CTL_NAME " stats help\"). The maps do not keep a port's groups:\n"
	       "they are the module's, or the policy file's.\n"
	       "\n"
	       "add, set, del and quarantine with the module need CAP_NET_ADMIN; the\n"
	       "module's reason for a refusal is printed as \"Error: ...\".\n");
	return 0;
}

const struct ctl_cmd port_cmds[] = {
	{ "list", port_list, "[netnsid N]",
	  "ports by name: kind, tenant, segment, flags", NULL },
	{ "show", port_show, "DEV [netnsid N]",
	  "one port: its bindings, rate limits and counters", NULL },
	{ "add", port_add,
	  "DEV tenant ID mac MAC... [addr PREFIX]... [ethertype 0xNNNN]...\n"
	  "    [group GROUP]... [flags FLAG[,FLAG]...] [master DEV]\n"
	  "    [rate DIR LIMIT...]... [netnsid N]\n"
	  "DEV uplink [segment SEGMENT] [master DEV] [netnsid N]",
	  "make DEV a VM port or an uplink", NULL },
	{ "set", port_set,
	  "DEV [tenant ID] [mac MAC...] [addr PREFIX...] [ethertype 0xNNNN...]\n"
	  "    [group GROUP...] [flags {FLAG[,FLAG]...|none}]\n"
	  "    [segment SEGMENT] [master {DEV|none}]\n"
	  "    [rate DIR {LIMIT...|none}]... [netnsid N]",
	  "change a port: lists given replace its lists", NULL },
	{ "del", port_del, "DEV [netnsid N]", "make DEV no longer a port", NULL },
	{ "quarantine", port_quarantine, "DEV [on|off] [netnsid N]",
	  "cut a port off but for remediation, or let it back", NULL },
	{ "help", port_help, NULL, "print this help", NULL },
	{ NULL },
};

int port_main(int argc, char **argv)
{
	return ctl_dispatch("port", port_cmds, argc, argv);
}
