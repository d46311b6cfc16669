/* SPDX-License-Identifier: GPL-2.0 */
/* What the tenguardctl command files share. */
#ifndef TG_CTL_H
#define TG_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/tenguard.h>

#include "print.h"

#define CTL_NAME	"tenguardctl"

/*
 * A command or subcommand: usage() prints "name args  help" for each, so
 * the grammar shown is the grammar dispatched. A command with subcommands
 * has sub set; its fn dispatches into them.
 */
struct ctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
	const struct ctl_cmd *sub;
};

/* commands return 0, or negative errno once the error has been printed */
int tenant_main(int argc, char **argv);
int port_main(int argc, char **argv);
int stats_main(int argc, char **argv);

extern const struct ctl_cmd tenant_cmds[];
extern const struct ctl_cmd port_cmds[];

/* the instance whose pins are read, from -i or the environment */
extern const char *ctl_instance;

/*
 * Run the subcommand argv[0] of table (NULL-name terminated), the first
 * entry if argv is empty; path ("port") names the command in messages.
 */
int ctl_dispatch(const char *path, const struct ctl_cmd *table,
		 int argc, char **argv);
/* "Usage:" for the subcommands of path, then their rows */
void ctl_usage_table(const char *path, const struct ctl_cmd *table);
/* What is "word"? and a hint; returns -EINVAL */
int ctl_what_is(const char *path, const char *word);
/* a command missing an argument; returns -EINVAL */
int ctl_missing(const char *path, const char *what);

/* reports that memory ran out; returns -ENOMEM */
int ctl_nomem(void);

/* ---- pinned maps: every error is reported here, once ---- */

struct ctl_map {
	int fd;
	const char *name;	/* TENGUARD_MAP_* */
	__u32 key_size;
	__u32 value_size;	/* of one CPU's value */
	bool percpu;
};

/* open a map of the instance and check it has the layout of the contract */
int ctl_map_open(struct ctl_map *m, const char *name, __u32 type,
		 __u32 key_size, __u32 value_size);
void ctl_map_close(struct ctl_map *m);

/* every key of a map, and with want_values its value, packed in arrays */
struct ctl_dump {
	void *keys;
	void *values;
	size_t n;
};

int ctl_map_dump(const struct ctl_map *m, bool want_values,
		 struct ctl_dump *d);
/* bytes of a value as lookups copy it: one per possible CPU if per-CPU */
size_t ctl_map_value_size(const struct ctl_map *m);
void ctl_dump_free(struct ctl_dump *d);
/* 0, -ENOENT if the key is absent (not reported), or reported error */
int ctl_map_lookup(const struct ctl_map *m, const void *key, void *value);

/* ---- objects ---- */

struct ctl_port {
	__u32 ifindex;
	struct tenguard_port port;
	/* port.name, terminated even if the map value is not */
	char name[sizeof(((struct tenguard_port *)0)->name) + 1];
	/* the name of port.tenant, if it is a tenant with a name */
	bool has_tenant_name;
	char tenant_name[TENGUARD_NAME_LEN + 1];
};

/* every port, sorted by name */
int ctl_ports_read(struct ctl_port **ports, size_t *n);
/* the port called name; reports an unknown port */
int ctl_port_find(const char *name, struct ctl_port *port);

int ctl_tenants_open(struct ctl_map *m);
/* the tenant's name in buf; -ENOENT (not reported) if there is none */
int ctl_tenant_name(const struct ctl_map *tenants, __u32 id, char *buf,
		    size_t len);
/* "vlan 100", "vni 5100" */
const char *ctl_segment_str(__u32 seg, char *buf, size_t len);
/* {"vlan":100} or {"vni":5100} under key (NULL in an array) */
void ctl_segment_print(enum output_type type, const char *key, __u32 seg);

int ctl_stats_open(struct ctl_map *m);
/* the port's counters summed over CPUs; zero if it has none yet */
int ctl_stats_read(const struct ctl_map *m, __u32 ifindex,
		   struct tenguard_stats *sum);
/* the counters as members of the open object; text: rx/tx/drop lines */
void ctl_stats_print(const struct tenguard_stats *s, const char *indent);

#endif /* TG_CTL_H */
