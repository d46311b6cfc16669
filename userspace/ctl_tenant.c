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
	size_t i, j;
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
	qsort(t, d.n, sizeof(*t), tenant_cmp);
	/* a walk that restarted after a concurrent delete repeats keys */
	for (i = j = 0; i < d.n; i++)
		if (!j || t[j - 1].id != t[i].id)
			t[j++] = t[i];
	ctl_dump_free(&d);
	*tenants = t;
	*n = j;
	return 0;
}

static int segments_read(struct segment **segments, size_t *n)
{
	struct segment *s;
	struct ctl_dump d;
	struct ctl_map m;
	size_t i, j;
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
	qsort(s, d.n, sizeof(*s), segment_cmp);
	for (i = j = 0; i < d.n; i++)
		if (!j || s[j - 1].seg != s[i].seg ||
		    s[j - 1].tenant != s[i].tenant)
			s[j++] = s[i];
	ctl_dump_free(&d);
	*segments = s;
	*n = j;
	return 0;
}

static int tenant_list(int argc, char **argv)
{
	struct segment *segments = NULL;
	struct tenant *tenants = NULL;
	size_t nt = 0, ns = 0, i, j = 0, k;
	int err;

	if (argc)
		return ctl_what_is("tenant", argv[0]);
	err = tenants_read(&tenants, &nt);
	if (!err)
		err = segments_read(&segments, &ns);
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

static int tenant_help(int argc, char **argv)
{
	if (argc)
		return ctl_what_is("tenant", argv[0]);
	ctl_usage_table("tenant", tenant_cmds);
	printf("\n"
	       "tenant list prints each tenant the instance has programmed, by id, with\n"
	       "its name and the segments (802.1Q VLANs, VXLAN VNIs) that carry its\n"
	       "traffic on uplinks. With -j: [{\"id\", \"name\", \"segments\": [{\"vlan\"} or\n"
	       "{\"vni\"}]}].\n");
	return 0;
}

const struct ctl_cmd tenant_cmds[] = {
	{ "list", tenant_list, NULL,
	  "tenants by id, with the VLANs and VNIs they own", NULL },
	{ "help", tenant_help, NULL, "print this help", NULL },
	{ NULL },
};

int tenant_main(int argc, char **argv)
{
	return ctl_dispatch("tenant", tenant_cmds, argc, argv);
}
