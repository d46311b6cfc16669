// SPDX-License-Identifier: GPL-2.0
/* tenguardctl tenant: tenants and the segments they own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

struct tenant {
	__u32 id;
	char name[TENGUARD_NAME_LEN + 1];
};

/* a tg_segments entry */
struct segment {
	__u32 seg;
	__u32 tenant;
};

int ctl_tenants_open(struct ctl_map *m)
{
	return ctl_map_open(m, TENGUARD_MAP_TENANTS, BPF_MAP_TYPE_HASH,
			    sizeof(__u32), sizeof(struct tenguard_tenant));
}

static void tenant_name_copy(char *buf, size_t len,
			     const struct tenguard_tenant *t)
{
	snprintf(buf, len, "%.*s", (int)strnlen(t->name, sizeof(t->name)),
		 t->name);
}

int ctl_tenant_name(const struct ctl_map *tenants, __u32 id, char *buf,
		    size_t len)
{
	struct tenguard_tenant t;
	int err;

	err = ctl_map_lookup(tenants, &id, &t);
	if (!err)
		tenant_name_copy(buf, len, &t);
	return err;
}

const char *ctl_segment_str(__u32 seg, char *buf, size_t len)
{
	switch (TENGUARD_SEG_TYPE(seg)) {
	case TENGUARD_SEG_VLAN(0):
		snprintf(buf, len, "vlan %u", TENGUARD_SEG_ID(seg));
		break;
	case TENGUARD_SEG_VNI(0):
		snprintf(buf, len, "vni %u", TENGUARD_SEG_ID(seg));
		break;
	default:
		snprintf(buf, len, "segment %#x", seg);
	}
	return buf;
}

void ctl_segment_print(enum output_type type, const char *key, __u32 seg)
{
	if (type & PRINT_JSON)
		open_json_object(key);
	switch (TENGUARD_SEG_TYPE(seg)) {
	case TENGUARD_SEG_VLAN(0):
		print_uint(type, "vlan", "vlan %u", TENGUARD_SEG_ID(seg));
		break;
	case TENGUARD_SEG_VNI(0):
		print_uint(type, "vni", "vni %u", TENGUARD_SEG_ID(seg));
		break;
	default:
		/* a newer daemon's kind of segment: show it raw */
		print_uint(type, "segment", "segment %#x", seg);
	}
	if (type & PRINT_JSON)
		close_json_object();
}

static int tenant_cmp(const void *a, const void *b)
{
	const struct tenant *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* by tenant, then VLANs before VNIs, each by number */
static int segment_cmp(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;

	if (x->tenant != y->tenant)
		return (x->tenant > y->tenant) - (x->tenant < y->tenant);
	return (x->seg > y->seg) - (x->seg < y->seg);
}

static int tenants_read(struct tenant **tenants, size_t *n)
{
	struct ctl_dump d;
	struct ctl_map m;
	struct tenant *t;
	size_t i;
	int err;

	err = ctl_tenants_open(&m);
	if (err)
		return err;
	err = ctl_map_dump(&m, true, &d);
	ctl_map_close(&m);
	if (err)
		return err;
	t = calloc(d.n ?: 1, sizeof(*t));
	if (!t) {
		ctl_dump_free(&d);
		return ctl_nomem();
	}
	for (i = 0; i < d.n; i++) {
		t[i].id = ((__u32 *)d.keys)[i];
		tenant_name_copy(t[i].name, sizeof(t[i].name),
				 (struct tenguard_tenant *)d.values + i);
	}
	/* a walk that restarted after a concurrent delete repeats keys */
	*n = ctl_sort_uniq(t, d.n, sizeof(*t), tenant_cmp);
	ctl_dump_free(&d);
	*tenants = t;
	return 0;
}

static int segments_read(struct segment **segments, size_t *n)
{
	struct segment *s;
	struct ctl_dump d;
	struct ctl_map m;
	size_t i;
	int err;

	err = ctl_map_open(&m, TENGUARD_MAP_SEGMENTS, BPF_MAP_TYPE_HASH,
			   sizeof(__u32), sizeof(__u32));
	if (err)
		return err;
	err = ctl_map_dump(&m, true, &d);
	ctl_map_close(&m);
	if (err)
		return err;
	s = calloc(d.n ?: 1, sizeof(*s));
	if (!s) {
		ctl_dump_free(&d);
		return ctl_nomem();
	}
	for (i = 0; i < d.n; i++) {
		s[i].seg = ((__u32 *)d.keys)[i];
		s[i].tenant = ((__u32 *)d.values)[i];
	}
	*n = ctl_sort_uniq(s, d.n, sizeof(*s), segment_cmp);
	ctl_dump_free(&d);
	*segments = s;
	return 0;
}

/* the module's tenants, as tenants_read() and segments_read() give them */
static int tenants_module_read(struct genl *g, struct tenant **tenants,
			       size_t *nt, struct segment **segments,
			       size_t *ns)
{
	struct genl_tenant *gt = NULL;
	struct segment seg;
	struct tenant t;
	size_t n = 0, i, j;
	int err;

	err = genl_tenant_dump(g, &gt, &n);
	if (err) {
		genl_perror(g, "tenant list", err);
		return err;
	}
	*tenants = NULL;
	*segments = NULL;
	*nt = *ns = 0;
	for (i = 0; !err && i < n; i++) {
		memset(&t, 0, sizeof(t));
		t.id = gt[i].cfg.id;
		snprintf(t.name, sizeof(t.name), "%s", gt[i].cfg.name);
		err = ctl_push(tenants, nt, sizeof(t), &t);
		for (j = 0; !err && j < gt[i].cfg.n_segments; j++) {
			seg.seg = gt[i].cfg.segments[j].seg;
			seg.tenant = t.id;
			err = ctl_push(segments, ns, sizeof(seg), &seg);
		}
	}
	for (i = 0; i < n; i++)
		genl_tenant_free(&gt[i]);
	free(gt);
	if (err)
		return err;
	qsort(*tenants, *nt, sizeof(**tenants), tenant_cmp);
	qsort(*segments, *ns, sizeof(**segments), segment_cmp);
	return 0;
}

static int tenant_list(int argc, char **argv)
{
	struct segment *segments = NULL;
	struct tenant *tenants = NULL;
	size_t nt = 0, ns = 0, i, j = 0, k;
	struct genl *g;
	int err;

	if (argc)
		return ctl_what_is("tenant", argv[0]);
	err = ctl_source_open("tenant list", &g);
	if (err < 0)
		return err;
	if (err) {
		err = tenants_module_read(g, &tenants, &nt, &segments, &ns);
		genl_close(g);
	} else {
		err = tenants_read(&tenants, &nt);
		if (!err)
			err = segments_read(&segments, &ns);
	}
	if (err)
		goto out;

	print_fp("%-10s %-16s %s\n", "ID", "NAME", "SEGMENTS");
	open_json_array(PRINT_JSON, NULL);
	for (i = 0; i < nt; i++) {
		open_json_object(NULL);
		print_uint(PRINT_ANY, "id", "%-10u ", tenants[i].id);
		print_string(PRINT_JSON, "name", NULL, tenants[i].name);
		print_string(PRINT_FP, NULL, "%-16s ",
			     *tenants[i].name ? tenants[i].name : "-");
		/* both sorted by tenant: a merge */
		while (j < ns && segments[j].tenant < tenants[i].id)
			j++;
		open_json_array(PRINT_JSON, "segments");
		for (k = j; k < ns && segments[k].tenant == tenants[i].id; k++) {
			if (k > j)
				print_fp(", ");
			ctl_segment_print(PRINT_ANY, NULL, segments[k].seg);
		}
		if (k == j)
			print_fp("-");
		close_json_array(PRINT_JSON, NULL);
		close_json_object();
		print_nl();
	}
	close_json_array(PRINT_JSON, NULL);
out:
	free(tenants);
	free(segments);
	return err;
}

/* ---- changing tenants: in the module ---- */

static bool tenant_is_segment_word(const char *w)
{
	return !strcmp(w, "vlan") || !strcmp(w, "vni");
}

/* [name NAME] [segment SEGMENT...]... after ID (and NAME) */
static int tenant_args(const char *path, int argc, char **argv, bool set,
		       struct genl_tenant *t)
{
	struct tg_segment seg;
	int n, err;

	while (argc > 0) {
		if (set && !strcmp(argv[0], "name")) {
			if (t->has & GENL_T_NAME)
				return ctl_twice(path, "name");
			if (argc < 2)
				return ctl_missing(path, "NAME after \"name\"");
			err = ctl_arg_tenant_name(path, argv[1], t->cfg.name);
			if (err)
				return err;
			t->has |= GENL_T_NAME;
			argc -= 2;
			argv += 2;
		} else if (!strcmp(argv[0], "segment")) {
			argc--;
			argv++;
			/* "segment vlan 10 vni 5010": one or more pairs */
			do {
				n = ctl_arg_segment(path, argc, argv, &seg.seg);
				if (n < 0)
					return n;
				err = ctl_push(&t->cfg.segments,
					       &t->cfg.n_segments, sizeof(seg),
					       &seg);
				if (err)
					return err;
				argc -= n;
				argv += n;
			} while (argc > 0 && tenant_is_segment_word(argv[0]));
			t->has |= GENL_T_SEGMENTS;
		} else {
			return ctl_what_is("tenant", argv[0]);
		}
	}
	return 0;
}

/* ID, then the rest of the words of add or set */
static int tenant_change(const char *path, int argc, char **argv, bool set)
{
	struct genl_tenant t = {};
	struct genl *g;
	int err;

	if (!argc)
		return ctl_missing(path, "tenant ID");
	err = ctl_arg_tenant_id(path, argv[0], &t.cfg.id);
	if (err)
		return err;
	argc--;
	argv++;
	if (!set) {
		if (!argc)
			return ctl_missing(path, "tenant NAME");
		err = ctl_arg_tenant_name(path, argv[0], t.cfg.name);
		if (err)
			return err;
		t.has |= GENL_T_NAME;
		argc--;
		argv++;
	}
	err = tenant_args(path, argc, argv, set, &t);
	if (!err && set && !t.has)
		err = ctl_missing(path, "what to change: name NAME or "
				  "segment SEGMENT");
	if (!err)
		err = ctl_module_open(path, &g);
	if (!err) {
		err = set ? genl_tenant_set(g, &t) : genl_tenant_new(g, &t);
		if (err)
			genl_perror(g, path, err);
		genl_close(g);
	}
	free(t.cfg.segments);
	return err;
}

static int tenant_add(int argc, char **argv)
{
	return tenant_change("tenant add", argc, argv, false);
}

static int tenant_set(int argc, char **argv)
{
	return tenant_change("tenant set", argc, argv, true);
}

static int tenant_del(int argc, char **argv)
{
	struct genl *g;
	uint32_t id;
	int err;

	if (!argc)
		return ctl_missing("tenant del", "tenant ID");
	err = ctl_arg_tenant_id("tenant del", argv[0], &id);
	if (err)
		return err;
	if (argc > 1)
		return ctl_what_is("tenant", argv[1]);
	err = ctl_module_open("tenant del", &g);
	if (err)
		return err;
	err = genl_tenant_del(g, id);
	if (err)
		genl_perror(g, "tenant del", err);
	genl_close(g);
	return err;
}

/* ---- monitor ---- */

void ctl_tenant_line(const struct genl_tenant *t)
{
	size_t i;

	print_uint(PRINT_ANY, "id", " %u", t->cfg.id);
	if (t->has & GENL_T_NAME)
		print_string(PRINT_ANY, "name", " name %s", t->cfg.name);
	print_fp(" segments");
	open_json_array(PRINT_JSON, "segments");
	for (i = 0; i < t->cfg.n_segments; i++) {
		print_fp(i ? "," : " ");
		ctl_segment_print(PRINT_ANY, NULL, t->cfg.segments[i].seg);
	}
	if (!t->cfg.n_segments)
		print_fp(" -");
	close_json_array(PRINT_JSON, NULL);
}

static int tenant_help(int argc, char **argv)
{
	if (argc)
		return ctl_what_is("tenant", argv[0]);
	ctl_usage_table("tenant", tenant_cmds);
	printf("\n"
	       "SEGMENT := { vlan VID | vni VNI }\n"
	       "\n"
	       "A tenant is an ID (1..16777215) with a NAME and the network segments\n"
	       "that carry its traffic on uplinks: 802.1Q VLANs (VID 1..4094) and VXLAN\n"
	       "VNIs (0..16777215). A segment belongs to one tenant at most.\n"
	       "\n"
	       "tenant list prints each tenant by id, with its name and segments: from\n"
	       "the tenguard kernel module if it is loaded, else from the maps of the\n"
	       "tenguardd instance (see --source). With -j: [{\"id\", \"name\",\n"
	       "\"segments\": [{\"vlan\"} or {\"vni\"}]}].\n"
	       "\n"
	       "tenant add creates tenant ID in the module. NAME is 1 to 31 of A-Z a-z\n"
	       "0-9 . _ -. \"segment\" may be given any number of times, each time with\n"
	       "one or more \"vlan VID\" or \"vni VNI\".\n"
	       "\n"
	       "tenant set renames tenant ID, or replaces all its segments with the\n"
	       "ones given; what is not given stays as it is.\n"
	       "\n"
	       "tenant del deletes tenant ID from the module.\n"
	       "\n"
	       "add, set and del need the module and CAP_NET_ADMIN; the module's\n"
	       "reason for a refusal is printed as \"Error: ...\".\n");
	return 0;
}

const struct ctl_cmd tenant_cmds[] = {
	{ "list", tenant_list, NULL,
	  "tenants by id, with the VLANs and VNIs they own", NULL },
	{ "add", tenant_add, "ID NAME [segment SEGMENT]...",
	  "create a tenant", NULL },
	{ "set", tenant_set, "ID [name NAME] [segment SEGMENT]...",
	  "rename a tenant, replace its segments", NULL },
	{ "del", tenant_del, "ID", "delete a tenant", NULL },
	{ "help", tenant_help, NULL, "print this help", NULL },
	{ NULL },
};

int tenant_main(int argc, char **argv)
{
	return ctl_dispatch("tenant", tenant_cmds, argc, argv);
}
