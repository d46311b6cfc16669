/* SPDX-License-Identifier: GPL-2.0 */
/* What the tenguardctl command files share. */
#ifndef TG_CTL_H
#define TG_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <linux/tenguard.h>

#include "genl.h"
#include "print.h"

#define CTL_NAME	"tenguardctl"

/*
 * A command or subcommand: usage() prints "name args  help" for each, so
 * the grammar shown is the grammar dispatched; args may hold several forms,
 * one a line. A command with subcommands has sub set; its fn dispatches
 * into them.
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
int monitor_main(int argc, char **argv);
int acl_main(int argc, char **argv);
/* rules in the columns and JSON of "acl show"; hits NULL: no counters */
void ctl_acl_rules_print(const char *key, const struct tenguard_acl_rule *rules,
			 const __u64 *hits, size_t n);
/* "198.18.0.0/16" of family 4 or 6 */
const char *ctl_acl_prefix_str(__u8 family, const __u8 *addr,
			       unsigned int prefixlen, char *buf, size_t len);
int conntrack_main(int argc, char **argv);

extern const struct ctl_cmd tenant_cmds[];
extern const struct ctl_cmd port_cmds[];
extern const struct ctl_cmd acl_cmds[];
extern const struct ctl_cmd node_cmds[];
int node_main(int argc, char **argv);
/* acl set, acl del (ctl_acl_set.c): rule sets pushed to the module */
int acl_set_main(int argc, char **argv);
int acl_del_main(int argc, char **argv);
extern const struct ctl_cmd conntrack_cmds[];

/* the instance whose pins are read, from -i or the environment */
extern const char *ctl_instance;

/* where list and show read, from --source */
enum ctl_source {
	CTL_SOURCE_AUTO,	/* the module if it is loaded, else the maps */
	CTL_SOURCE_MODULE,
	CTL_SOURCE_MAPS,
};
extern enum ctl_source ctl_source;

/*
 * The module, for a command that changes it or listens to it: reports
 * "not loaded" and every other failure, once.
 */
int ctl_module_open(const char *path, struct genl **g);
/*
 * For a command that reads: 1 and the module in *g if --source leads
 * there, 0 if the pinned maps are to be read (*g NULL), or a reported
 * error.
 */
int ctl_source_open(const char *path, struct genl **g);
/* "tenguardctl: port add: no device "tap0"" and the like */
int ctl_link_index(struct genl *g, const char *path, const char *name,
		   int32_t netnsid, uint32_t *ifindex);

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
/* sort, then drop elements equal to their predecessor; the new count */
size_t ctl_sort_uniq(void *base, size_t n, size_t size,
		     int (*cmp)(const void *, const void *));

/* ---- argument words (ctl_args.c): each reports a bad one, once ---- */

/* "tenguardctl: PATH: invalid WHAT "WORD"[: why]"; returns -EINVAL */
int ctl_invalid(const char *path, const char *what, const char *word,
		const char *why);
/* "tenguardctl: PATH: "WORD" given twice"; returns -EINVAL */
int ctl_twice(const char *path, const char *word);
/* a decimal number min..max, no sign, no spaces */
int ctl_arg_u32(const char *path, const char *what, const char *word,
		uint32_t min, uint32_t max, uint32_t *v);
int ctl_arg_tenant_id(const char *path, const char *word, uint32_t *id);
int ctl_arg_tenant_name(const char *path, const char *word, char *name);
int ctl_arg_ifname(const char *path, const char *word);
int ctl_arg_netnsid(const char *path, const char *word, int32_t *netnsid);
int ctl_arg_mac(const char *path, const char *word, uint8_t mac[6]);
int ctl_arg_prefix(const char *path, const char *word, struct tg_prefix *pfx);
/* 0xNNNN, 0x0600 and above */
int ctl_arg_ethertype(const char *path, const char *word, uint16_t *et);
/* FLAG[,FLAG]... of tg_port_flag_names, or "none" */
int ctl_arg_flags(const char *path, const char *word, uint32_t *flags);
/*
 * "vlan N" or "vni N" at argv[0..1]: TENGUARD_SEG_*() in *seg. Returns
 * the words taken (2) or a reported error.
 */
int ctl_arg_segment(const char *path, int argc, char **argv, uint32_t *seg);
/* append one element to an array of n (grown one by one) */
int ctl_push(void *arrp, size_t *n, size_t size, const void *elem);

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
	/* from the module: what the maps do not hold */
	bool from_module;
	__u64 acked;
	__u32 master;		/* ifindex, 0: any */
	char master_name[IFNAMSIZ];	/* if it could be looked up */
	/* port.name, terminated even if the map value is not */
	char name[sizeof(((struct tenguard_port *)0)->name) + 1];
	/* the name of port.tenant, if it is a tenant with a name */
	bool has_tenant_name;
	char tenant_name[TENGUARD_NAME_LEN + 1];
	/* the module's or tg_quarantine's, if the instance pins it */
	bool has_quarantine;
	bool quarantined;
	/* from the module: the maps do not keep them */
	size_t n_groups;
	__u32 groups[TENGUARD_PORT_GROUPS_MAX];
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
/* a tenant or a port of the module as monitor prints it: one line */
void ctl_tenant_line(const struct genl_tenant *t);
void ctl_port_line(const struct genl_port *p);
/* {"vlan":100} or {"vni":5100} under key (NULL in an array) */
void ctl_segment_print(enum output_type type, const char *key, __u32 seg);

int ctl_stats_open(struct ctl_map *m);
/* the port's counters summed over CPUs; zero if it has none yet */
int ctl_stats_read(const struct ctl_map *m, __u32 ifindex,
		   struct tenguard_stats *sum);
/*
 * The counters as members of the open object; text: rx/tx/drop lines,
 * then the limiter of each direction that has a limit in rate[] (by enum
 * tenguard_acl_dir; NULL: none known) or counted something.
 */
void ctl_stats_print(const struct tenguard_stats *s,
		     const struct tenguard_rate *rate, const char *indent);

/*
 * tg_quarantine: -ENOENT (not reported) if the instance pins none (a
 * daemon older than quarantine); *on: the port is quarantined.
 */
int ctl_quarantine_open(struct ctl_map *m);
int ctl_quarantined(const struct ctl_map *m, __u32 ifindex, bool *on);

#endif /* TG_CTL_H */
