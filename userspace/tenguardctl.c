// SPDX-License-Identifier: GPL-2.0
/*
 * tenguardctl: configure tenants and ports in the tenguard kernel module
 * and watch it, and show what a tenguardd instance has programmed into the
 * datapath. The module is reached through genl.h only; the daemon's pinned
 * maps are read here (pinned maps, below).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ctl.h"
#include "genl.h"
#include "pins.h"

const char *ctl_instance;
enum ctl_source ctl_source = CTL_SOURCE_AUTO;

static int help_main(int argc, char **argv);

static const struct ctl_cmd ctl_cmds[] = {
	{ "tenant", tenant_main, NULL, "tenants and their segments",
	  tenant_cmds },
	{ "port", port_main, NULL, "ports and their bindings", port_cmds },
	{ "monitor", monitor_main, "[config|events]",
	  "print the module's changes and events as they happen", NULL },
	{ "acl", acl_main, NULL, "rule sets of ports and of the node",
	  acl_cmds },
	{ "conntrack", conntrack_main, NULL,
	  "flows tracked for the rule sets", conntrack_cmds },
	{ "node", node_main, NULL,
	  "what VM ports may reach of the node; conntrack timeouts",
	  node_cmds },
	{ "stats", stats_main, "[NAME]",
	  "packet and drop counters of every port, or of port NAME", NULL },
	{ "help", help_main, "[COMMAND]", "print this help, or COMMAND's",
	  NULL },
	{ NULL },
};

/* ---- usage ---- */

#define USAGE_COL	25	/* where the help of a row starts */

/*
 * "  path name args   help": each form of args on a line of its own, a
 * line starting with spaces continuing the form above; the help goes
 * beside the last line if there is room, else under it.
 */
static void usage_row(FILE *f, const char *path, const struct ctl_cmd *c)
{
	const char *args = c->args ? c->args : "", *end;
	char head[32];
	int col, len;

	snprintf(head, sizeof(head), "%s%s%s", path, *path ? " " : "",
		 c->name);
	for (;;) {
		end = strchr(args, '\n');
		len = end ? end - args : (int)strlen(args);
		if (*args == ' ')
			col = fprintf(f, "  %*s%.*s", (int)strlen(head), "",
				      len, args);
		else
			col = fprintf(f, "  %s%s%.*s", head, len ? " " : "",
				      len, args);
		if (!end)
			break;
		fputc('\n', f);
		args = end + 1;
	}
	if (col >= USAGE_COL)
		fprintf(f, "\n%*s%s\n", USAGE_COL, "", c->help);
	else
		fprintf(f, "%*s%s\n", USAGE_COL - col, "", c->help);
}

static void usage(FILE *f)
{
	const struct ctl_cmd *c, *s;

	fprintf(f,
		"Usage: " CTL_NAME " [OPTIONS] COMMAND [ARGUMENTS]\n"
		"\n"
		"Configure and inspect tenguard, the per-tenant guard of the VM ports of\n"
		"this node. With the tenguard kernel module loaded, tenants and ports are\n"
		"created, changed and deleted in the module (generic netlink family\n"
		"\"" TENGUARD_GENL_NAME "\"), and a tenguardd instance programs them into the\n"
		"datapath. Without it (standalone mode: tenguardd runs from a policy\n"
		"file), the list and show commands read what the instance has programmed\n"
		"from the BPF maps it pins in " TENGUARD_PIN_ROOT "/INSTANCE/. Counters\n"
		"are always read there.\n"
		"\n"
		"Options:\n"
		"  -i, --instance NAME    the tenguardd instance whose maps are read\n"
		"                         (default: $" TG_INSTANCE_ENV ", else \"" TG_INSTANCE_DEFAULT "\")\n"
		"  -j, --json             print JSON instead of text\n"
		"  -p, --pretty           indent the JSON (with -j)\n"
		"      --source SOURCE    where list and show read: \"module\", \"maps\", or\n"
		"                         \"auto\", the default: the module if it is\n"
		"                         loaded, else the maps\n"
		"  -h, --help             print this help\n"
		"\n"
		"Commands:\n");
	for (c = ctl_cmds; c->name; c++) {
		if (!c->sub) {
			usage_row(f, "", c);
			continue;
		}
		for (s = c->sub; s->name; s++)
			if (strcmp(s->name, "help"))
				usage_row(f, c->name, s);
	}
	fprintf(f,
		"\n"
		"SEGMENT := { vlan VID | vni VNI }\n"
		"FLAG := { dhcp-server | router | encap }\n"
		"DIR := { ingress | egress }\n"
		"LIMIT := { bps RATE | burst SIZE | pps COUNT | pkt-burst COUNT | shape }\n"
		"(rates, sizes and counts as \"100M\", \"128K\", \"20k\": see \""
		CTL_NAME " port help\")\n"
		"\n"
		"A command given alone lists: \"" CTL_NAME " port\" is \""
		CTL_NAME " port list\".\n"
		"Each command has its own help: \"" CTL_NAME " help port\", \""
		CTL_NAME " port help\".\n"
		"\"" CTL_NAME " help stats\" names the drop reasons counted.\n"
		"\n"
		"Changes need the module and CAP_NET_ADMIN. When the module refuses one,\n"
		"its reason is printed as \"Error: ...\", then the errno.\n"
		"\n"
		"Exit status is 0 on success and 1 on any error: the module not loaded\n"
		"(for a change or monitor), no state for the instance (tenguardd is not\n"
		"running), an unknown port, a bad word, a refusal of the module.\n");
}

/* "help" alone, or "help COMMAND" as "COMMAND help" */
static int help_main(int argc, char **argv)
{
	static char *help[] = { "help", NULL };
	const struct ctl_cmd *c;

	if (argc > 1)
		return ctl_what_is("", argv[1]);
	for (c = ctl_cmds; argc && c->name; c++)
		if (!strcmp(c->name, argv[0]))
			break;
	if (argc && !c->name)
		return ctl_what_is("", argv[0]);
	if (!argc || c->fn == help_main) {
		usage(stdout);
		return 0;
	}
	return c->fn(1, help);
}

void ctl_usage_table(const char *path, const struct ctl_cmd *table)
{
	const struct ctl_cmd *c;

	printf("Usage: " CTL_NAME " [OPTIONS] %s COMMAND [ARGUMENTS]\n\n"
	       "Commands:\n", path);
	for (c = table; c->name; c++)
		usage_row(stdout, path, c);
}

int ctl_what_is(const char *path, const char *word)
{
	fprintf(stderr, "What is \"%s\"?\nTry \"" CTL_NAME " %s%shelp\".\n",
		word, path, *path ? " " : "");
	return -EINVAL;
}

int ctl_missing(const char *path, const char *what)
{
	/* the help is the command's: "port show" -> "port help" */
	fprintf(stderr, CTL_NAME ": %s: missing %s\nTry \"" CTL_NAME
		" %.*s help\".\n", path, what, (int)strcspn(path, " "), path);
	return -EINVAL;
}

int ctl_dispatch(const char *path, const struct ctl_cmd *table,
		 int argc, char **argv)
{
	const struct ctl_cmd *c;

	if (!argc)
		return table[0].fn(0, argv);
	for (c = table; c->name; c++)
		if (!strcmp(c->name, argv[0]))
			return c->fn(argc - 1, argv + 1);
	return ctl_what_is(path, argv[0]);
}

size_t ctl_sort_uniq(void *base, size_t n, size_t size,
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

int ctl_nomem(void)
{
	fprintf(stderr, CTL_NAME ": %s\n", strerror(ENOMEM));
	return -ENOMEM;
}

/* ---- the module ---- */

/* a version this build was not written for may still work: say so */
static void ctl_genl_version(struct genl *g)
{
	if (genl_version(g) && genl_version(g) != TENGUARD_GENL_VERSION)
		fprintf(stderr, CTL_NAME ": warning: the module speaks version "
			"%u of family \"" TENGUARD_GENL_NAME "\", this "
			CTL_NAME " speaks version %u\n", genl_version(g),
			TENGUARD_GENL_VERSION);
}

static int ctl_genl_open(const char *path, struct genl **g)
{
	int err;

	err = genl_open(g);
	if (err == -ENOENT) {
		fprintf(stderr, CTL_NAME ": the tenguard kernel module is not "
			"loaded (family \"" TENGUARD_GENL_NAME "\" not found)\n");
		return err;
	}
	if (err) {
		genl_perror(NULL, path, err);
		return err;
	}
	ctl_genl_version(*g);
	return 0;
}

int ctl_module_open(const char *path, struct genl **g)
{
	if (ctl_source == CTL_SOURCE_MAPS) {
		fprintf(stderr, CTL_NAME ": %s: the maps are read only: this "
			"needs the module, not --source maps\n", path);
		return -EINVAL;
	}
	return ctl_genl_open(path, g);
}

int ctl_source_open(const char *path, struct genl **g)
{
	int err;

	*g = NULL;
	if (ctl_source == CTL_SOURCE_MAPS)
		return 0;
	if (ctl_source == CTL_SOURCE_AUTO) {
		/* standalone mode: no family, the maps are all there is */
		err = genl_open(g);
		if (err == -ENOENT)
			return 0;
		if (err) {
			genl_perror(NULL, path, err);
			return err;
		}
		ctl_genl_version(*g);
		return 1;
	}
	err = ctl_genl_open(path, g);
	return err ? err : 1;
}

int ctl_link_index(struct genl *g, const char *path, const char *name,
		   int32_t netnsid, uint32_t *ifindex)
{
	char what[96];
	int err;

	err = genl_link_index(g, name, netnsid, ifindex);
	if (err == -ENODEV && netnsid == GENL_NETNSID_NONE)
		fprintf(stderr, CTL_NAME ": %s: no device \"%s\"\n", path,
			name);
	else if (err == -ENODEV)
		fprintf(stderr, CTL_NAME ": %s: no device \"%s\" in netnsid "
			"%d\n", path, name, netnsid);
	else if (err) {
		snprintf(what, sizeof(what), "%s: looking up device \"%s\"",
			 path, name);
		genl_perror(g, what, err);
	}
	return err;
}

/* ---- pinned maps ---- */

size_t ctl_map_value_size(const struct ctl_map *m)
{
	int ncpus;

	if (!m->percpu)
		return m->value_size;
	/* the kernel copies each CPU's value 8-byte aligned */
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 1)
		return 0;
	return ((m->value_size + 7) & ~7U) * (size_t)ncpus;
}

int ctl_map_open(struct ctl_map *m, const char *name, __u32 type,
		 __u32 key_size, __u32 value_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char dir[256];
	struct stat st;
	int fd, err;

	*m = (struct ctl_map){
		.fd = -1,
		.name = name,
		.key_size = key_size,
		.value_size = value_size,
		.percpu = type == BPF_MAP_TYPE_PERCPU_HASH ||
			  type == BPF_MAP_TYPE_PERCPU_ARRAY,
	};
	if (tg_pin_dir(ctl_instance, dir, sizeof(dir))) {
		fprintf(stderr, CTL_NAME ": invalid instance name \"%s\"\n",
			ctl_instance);
		return -EINVAL;
	}
	fd = tg_pin_open(ctl_instance, name);
	if (fd == -ENOENT && stat(dir, &st)) {
		fprintf(stderr, CTL_NAME ": no state for instance \"%s\" in %s: "
			"is tenguardd running?\n", ctl_instance, dir);
		return fd;
	}
	if (fd == -ENOENT) {
		fprintf(stderr, CTL_NAME ": no map %s in %s: is tenguardd "
			"running?\n", name, dir);
		return fd;
	}
	if (fd < 0) {
		fprintf(stderr, CTL_NAME ": %s/%s: %s\n", dir, name,
			strerror(-fd));
		return fd;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		fprintf(stderr, CTL_NAME ": %s/%s: %s\n", dir, name,
			strerror(-err));
		close(fd);
		return err;
	}
	if (info.type != type || info.key_size != key_size ||
	    info.value_size != value_size) {
		fprintf(stderr, CTL_NAME ": %s/%s is not laid out as "
			"linux/tenguard.h says (type %u, key %u, value %u "
			"bytes; expected %u, %u, %u): are tenguardd and "
			CTL_NAME " of one version?\n", dir, name, info.type,
			info.key_size, info.value_size, type, key_size,
			value_size);
		close(fd);
		return -EPROTO;
	}
	m->fd = fd;
	return 0;
}

void ctl_map_close(struct ctl_map *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

static int ctl_map_err(const struct ctl_map *m, int err)
{
	fprintf(stderr, CTL_NAME ": reading %s of instance \"%s\": %s\n",
		m->name, ctl_instance, strerror(-err));
	return err;
}

int ctl_map_lookup(const struct ctl_map *m, const void *key, void *value)
{
	if (!bpf_map_lookup_elem(m->fd, key, value))
		return 0;
	if (errno == ENOENT)
		return -ENOENT;
	return ctl_map_err(m, -errno);
}

void ctl_dump_free(struct ctl_dump *d)
{
	free(d->keys);
	free(d->values);
	*d = (struct ctl_dump){};
}

static int ctl_dump_grow(struct ctl_dump *d, size_t *cap, size_t ksz,
			 size_t vsz)
{
	size_t n = *cap ? *cap * 2 : 64;
	void *p;

	p = reallocarray(d->keys, n, ksz);
	if (!p)
		return -ENOMEM;
	d->keys = p;
	if (vsz) {
		p = reallocarray(d->values, n, vsz);
		if (!p)
			return -ENOMEM;
		d->values = p;
	}
	*cap = n;
	return 0;
}

int ctl_map_dump(const struct ctl_map *m, bool want_values,
		 struct ctl_dump *d)
{
	size_t ksz = m->key_size, vsz = 0, cap = 0;
	bool started = false;
	void *cur;
	int err;

	*d = (struct ctl_dump){};
	if (want_values) {
		vsz = ctl_map_value_size(m);
		if (!vsz)
			return ctl_map_err(m, -EINVAL);
	}
	cur = malloc(ksz);
	if (!cur)
		return ctl_map_err(m, -ENOMEM);
	for (;;) {
		/* the kernel reads the previous key before writing the next */
		if (bpf_map_get_next_key(m->fd, started ? cur : NULL, cur)) {
			err = errno == ENOENT ? 0 : ctl_map_err(m, -errno);
			break;
		}
		started = true;
		if (d->n == cap) {
			err = ctl_dump_grow(d, &cap, ksz, vsz);
			if (err) {
				ctl_map_err(m, err);
				break;
			}
		}
		if (want_values) {
			err = ctl_map_lookup(m, cur,
					     (char *)d->values + d->n * vsz);
			/* deleted since: skip it, the walk goes on */
			if (err == -ENOENT)
				continue;
			if (err)
				break;
		}
		memcpy((char *)d->keys + d->n * ksz, cur, ksz);
		d->n++;
	}
	free(cur);
	if (err)
		ctl_dump_free(d);
	return err;
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "instance", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		/* long only: -s is iproute2's statistics */
		{ "source", required_argument, NULL, 'S' },
		{ NULL },
	};
	const char *instance = NULL;
	bool json = false, pretty = false;
	int c, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hi:jp", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'i':
			instance = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			pretty = true;
			break;
		case 'S':
			if (!strcmp(optarg, "auto")) {
				ctl_source = CTL_SOURCE_AUTO;
			} else if (!strcmp(optarg, "module")) {
				ctl_source = CTL_SOURCE_MODULE;
			} else if (!strcmp(optarg, "maps")) {
				ctl_source = CTL_SOURCE_MAPS;
			} else {
				fprintf(stderr, CTL_NAME ": --source: invalid "
					"source \"%s\": module, maps or auto\n",
					optarg);
				return 1;
			}
			break;
		case ':':
			fprintf(stderr, CTL_NAME ": %s: missing %s\n"
				"Try \"" CTL_NAME " help\".\n", argv[optind - 1],
				optopt == 'S' ? "SOURCE" : "instance NAME");
			return 1;
		default:
			if (optopt)
				fprintf(stderr, "What is \"-%c\"?\n", optopt);
			else
				fprintf(stderr, "What is \"%s\"?\n",
					argv[optind - 1]);
			fprintf(stderr, "Try \"" CTL_NAME " help\".\n");
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (!argc) {
		usage(stderr);
		return 1;
	}
	ctl_instance = tg_instance(instance);

	new_json_obj(json, pretty);
	err = ctl_dispatch("", ctl_cmds, argc, argv);
	c = delete_json_obj();
	if (!err && c) {
		fprintf(stderr, CTL_NAME ": writing output: %s\n",
			strerror(-c));
		err = c;
	}
	return err ? 1 : 0;
}
