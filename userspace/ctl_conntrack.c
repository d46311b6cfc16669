// SPDX-License-Identifier: GPL-2.0
/*
 * tenguardctl conntrack: the flows the datapath tracks for the rule sets
 * (tg_conntrack), and how full that table is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "ctl.h"
#include "names.h"

#define NSEC_PER_SEC	1000000000ULL

struct ct_flow {
	const struct ctl_port *port;	/* NULL: a port the instance dropped */
	struct tenguard_ct_key key;
	struct tenguard_ct ct;
};

static int ct_open(struct ctl_map *m)
{
	return ctl_map_open(m, TENGUARD_MAP_CONNTRACK, BPF_MAP_TYPE_LRU_HASH,
			    sizeof(struct tenguard_ct_key),
			    sizeof(struct tenguard_ct));
}

static int ct_config_read(struct tenguard_ct_config *cfg)
{
	struct ctl_map m;
	__u32 zero = 0;
	int err;

	err = ctl_map_open(&m, TENGUARD_MAP_CT_CONFIG, BPF_MAP_TYPE_ARRAY,
			   sizeof(__u32), sizeof(*cfg));
	if (err)
		return err;
	err = ctl_map_lookup(&m, &zero, cfg);
	ctl_map_close(&m);
	return err == -ENOENT ? -EPROTO : err;
}

/* the timeout (enum tenguard_ct_timeout) that applies to a flow now */
static int ct_timeout_of(__u8 proto, __u8 state)
{
	switch (proto) {
	case IPPROTO_TCP:
		if (state == TENGUARD_CT_S_ESTABLISHED)
			return TENGUARD_CT_TCP_ESTABLISHED;
		if (state == TENGUARD_CT_S_CLOSING)
			return TENGUARD_CT_TCP_CLOSE;
		return TENGUARD_CT_TCP_SYN;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		return state == TENGUARD_CT_S_REPLIED ?
		       TENGUARD_CT_UDP_STREAM : TENGUARD_CT_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return TENGUARD_CT_ICMP;
	}
	return TENGUARD_CT_OTHER;
}

/* ---- conntrack list ---- */

static int ct_port_cmp(const struct ctl_port *x, const struct ctl_port *y)
{
	if (!x || !y)
		return !x - !y;
	return strcmp(x->name, y->name);
}

static int ct_u16_cmp(__be16 a, __be16 b)
{
	return (ntohs(a) > ntohs(b)) - (ntohs(a) < ntohs(b));
}

/* by port name, then as a person reads a flow; ties only for one key */
static int ct_flow_cmp(const void *a, const void *b)
{
	const struct ct_flow *x = a, *y = b;
	const struct tenguard_ct_key *p = &x->key, *q = &y->key;
	int r;

	r = ct_port_cmp(x->port, y->port);
	if (r)
		return r;
	if (p->ifindex != q->ifindex)
		return p->ifindex < q->ifindex ? -1 : 1;
	if (p->family != q->family)
		return p->family - q->family;
	if (p->proto != q->proto)
		return p->proto - q->proto;
	r = memcmp(p->vm_addr, q->vm_addr, sizeof(p->vm_addr));
	if (!r)
		r = ct_u16_cmp(p->vm_port, q->vm_port);
	if (!r)
		r = memcmp(p->remote_addr, q->remote_addr,
			   sizeof(p->remote_addr));
	if (!r)
		r = ct_u16_cmp(p->remote_port, q->remote_port);
	return r ? r : memcmp(p, q, sizeof(*p));
}

static const struct ctl_port *ct_port_of(const struct ctl_port *ports,
					 size_t n, __u32 ifindex)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ports[i].ifindex == ifindex)
			return &ports[i];
	return NULL;
}

/* the flows of every port, or of the port whose ifindex is only */
static int ct_flows_read(const struct ctl_port *ports, size_t n_ports,
			 const struct ctl_port *only, struct ct_flow **flows,
			 size_t *n)
{
	const struct tenguard_ct_key *k;
	struct ctl_dump d;
	struct ctl_map m;
	struct ct_flow *f;
	size_t i, j = 0;
	int err;

	err = ct_open(&m);
	if (err)
		return err;
	err = ctl_map_dump(&m, true, &d);
	ctl_map_close(&m);
	if (err)
		return err;
	f = calloc(d.n ?: 1, sizeof(*f));
	if (!f) {
		ctl_dump_free(&d);
		return ctl_nomem();
	}
	for (i = 0; i < d.n; i++) {
		k = (const struct tenguard_ct_key *)d.keys + i;
		if (only && k->ifindex != only->ifindex)
			continue;
		f[j].key = *k;
		f[j].ct = ((const struct tenguard_ct *)d.values)[i];
		f[j].port = only ? only : ct_port_of(ports, n_ports,
						     k->ifindex);
		j++;
	}
	ctl_dump_free(&d);
	/* a walk that restarted after an eviction repeats keys */
	*n = ctl_sort_uniq(f, j, sizeof(*f), ct_flow_cmp);
	*flows = f;
	return 0;
}

/* text: "198.18.1.1:22", "[fd00:1::1]:22", ICMP "198.18.1.1 id 7" */
static const char *ct_end_str(const struct tenguard_ct_key *k,
			      const __u8 *addr, __be16 port, bool vm,
			      char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	bool icmp = k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6;

	inet_ntop(k->family == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a));
	if (icmp && vm)
		snprintf(buf, len, "%s id %u", a, ntohs(port));
	else if (icmp || !tg_proto_has_ports(k->proto))
		snprintf(buf, len, "%s", a);
	else if (k->family == 4)
		snprintf(buf, len, "%s:%u", a, ntohs(port));
	else
		snprintf(buf, len, "[%s]:%u", a, ntohs(port));
	return buf;
}

static const char *ct_name(const char *const *names, size_t n, __u32 v,
			   char *buf, size_t len)
{
	if (v < n && names[v])
		return names[v];
	snprintf(buf, len, "%u", v);
	return buf;
}

struct ct_widths {
	int port, vm, remote;
};

static void ct_flow_print(const struct ct_flow *f,
			  const struct tenguard_ct_config *cfg, uint64_t now,
			  const struct ct_widths *w)
{
	char buf[INET6_ADDRSTRLEN + 16], num[24], fmt[16];
	const struct tenguard_ct_key *k = &f->key;
	const struct tenguard_ct *c = &f->ct;
	const char *proto = tg_proto_name(k->proto);
	uint64_t age, left, timeout;
	int t;

	if (f->port) {
		snprintf(fmt, sizeof(fmt), "%%-%ds", w->port);
		print_string(PRINT_ANY, "port", fmt, f->port->name);
	} else {
		snprintf(buf, sizeof(buf), "ifindex %u", k->ifindex);
		print_null(PRINT_JSON, "port", NULL, NULL);
		print_fp("%-*s", w->port, buf);
	}
	print_uint(PRINT_JSON, "ifindex", NULL, k->ifindex);
	if (!proto) {
		snprintf(num, sizeof(num), "%u", k->proto);
		proto = num;
	}
	print_string(PRINT_ANY, "proto", "  %-7s", proto);

	inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->vm_addr, buf,
		  sizeof(buf));
	print_string(PRINT_JSON, "vm_addr", NULL, buf);
	print_uint(PRINT_JSON, "vm_port", NULL, ntohs(k->vm_port));
	inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->remote_addr, buf,
		  sizeof(buf));
	print_string(PRINT_JSON, "remote_addr", NULL, buf);
	print_uint(PRINT_JSON, "remote_port", NULL, ntohs(k->remote_port));
	print_fp("  %-*s", w->vm, ct_end_str(k, k->vm_addr, k->vm_port, true,
					     buf, sizeof(buf)));
	print_fp("  %-*s", w->remote, ct_end_str(k, k->remote_addr,
						 k->remote_port, false, buf,
						 sizeof(buf)));

	print_string(PRINT_ANY, "origin", "  %-7s",
		     ct_name(tg_acl_set_names, __TENGUARD_ACL_DIR_MAX,
			     c->origin, num, sizeof(num)));
	print_string(PRINT_ANY, "state", "  %-11s",
		     ct_name(tg_ct_state_names, __TENGUARD_CT_S_MAX, c->state,
			     num, sizeof(num)));

	/* a packet may have come in since the clock was read */
	age = now > c->last_ns ? now - c->last_ns : 0;
	t = ct_timeout_of(k->proto, c->state);
	timeout = cfg->timeout[t] * NSEC_PER_SEC;
	/* rounded up: 0 only once it has expired */
	left = timeout > age ? (timeout - age + NSEC_PER_SEC - 1) /
			       NSEC_PER_SEC : 0;
	print_u64(PRINT_ANY, "age", "  %8" PRIu64, age / NSEC_PER_SEC);
	print_u64(PRINT_JSON, "expires", NULL, left);
	if (left)
		print_fp("  %8" PRIu64, left);
	else
		print_fp("  %8s", "expired");

	open_json_object("packets");
	print_u64(PRINT_ANY, "ingress", "  %10" PRIu64,
		  c->packets[TENGUARD_ACL_INGRESS]);
	print_u64(PRINT_ANY, "egress", " %10" PRIu64,
		  c->packets[TENGUARD_ACL_EGRESS]);
	close_json_object();
	print_uint(PRINT_ANY, "rule", "  %4u", c->rule);
	print_uint(PRINT_ANY, "serial", " %10u\n", c->serial);
}

static void ct_widths_of(const struct ct_flow *flows, size_t n,
			 struct ct_widths *w)
{
	char buf[INET6_ADDRSTRLEN + 16];
	const struct tenguard_ct_key *k;
	int len;
	size_t i;

	*w = (struct ct_widths){ .port = 4, .vm = 2, .remote = 6 };
	for (i = 0; i < n; i++) {
		k = &flows[i].key;
		if (flows[i].port)
			len = strlen(flows[i].port->name);
		else
			len = snprintf(buf, sizeof(buf), "ifindex %u",
				       k->ifindex);
		if (len > w->port)
			w->port = len;
		len = strlen(ct_end_str(k, k->vm_addr, k->vm_port, true, buf,
					sizeof(buf)));
		if (len > w->vm)
			w->vm = len;
		len = strlen(ct_end_str(k, k->remote_addr, k->remote_port,
					false, buf, sizeof(buf)));
		if (len > w->remote)
			w->remote = len;
	}
}

static int ct_list(int argc, char **argv)
{
	struct ctl_port *ports = NULL, *only = NULL;
	struct tenguard_ct_config cfg;
	struct ct_flow *flows = NULL;
	struct ct_widths w;
	struct timespec ts;
	size_t n_ports = 0, n = 0, i;
	uint64_t now;
	int err;

	if (argc > 1)
		return ctl_what_is("conntrack", argv[1]);
	if (argc && ctl_arg_ifname("conntrack list", argv[0]))
		return -EINVAL;
	if (argc) {
		only = malloc(sizeof(*only));
		if (!only)
			return ctl_nomem();
		err = ctl_port_find(argv[0], only);
	} else {
		err = ctl_ports_read(&ports, &n_ports);
	}
	if (!err)
		err = ct_config_read(&cfg);
	if (err == -EPROTO)
		fprintf(stderr, CTL_NAME ": %s of instance \"%s\" is empty\n",
			TENGUARD_MAP_CT_CONFIG, ctl_instance);
	if (!err)
		err = ct_flows_read(ports, n_ports, only, &flows, &n);
	if (err)
		goto out;
	/* the datapath's bpf_ktime_get_ns(), read after every last_ns */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;

	ct_widths_of(flows, n, &w);
	print_fp("%-*s  %-7s  %-*s  %-*s  %-7s  %-11s  %8s  %8s  %10s %10s  "
		 "%4s %10s\n", w.port, "PORT", "PROTO", w.vm, "VM", w.remote,
		 "REMOTE", "ORIGIN", "STATE", "AGE", "EXPIRES", "INGRESS",
		 "EGRESS", "RULE", "SERIAL");
	open_json_array(PRINT_JSON, NULL);
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		ct_flow_print(&flows[i], &cfg, now, &w);
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
out:
	free(flows);
	free(ports);
	free(only);
	return err;
}

/* ---- conntrack stats ---- */

static int ct_key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct tenguard_ct_key));
}

/* the table's size and the entries it holds now */
static int ct_entries(__u32 *max, uint64_t *entries)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct ctl_dump d;
	struct ctl_map m;
	int err;

	err = ct_open(&m);
	if (err)
		return err;
	if (bpf_obj_get_info_by_fd(m.fd, &info, &len)) {
		err = -errno;
		fprintf(stderr, CTL_NAME ": %s of instance \"%s\": %s\n",
			m.name, ctl_instance, strerror(-err));
		ctl_map_close(&m);
		return err;
	}
	*max = info.max_entries;
	err = ctl_map_dump(&m, false, &d);
	ctl_map_close(&m);
	if (err)
		return err;
	*entries = ctl_sort_uniq(d.keys, d.n, sizeof(struct tenguard_ct_key),
				 ct_key_cmp);
	ctl_dump_free(&d);
	return 0;
}

static int ct_counters(struct tenguard_ct_stats *sum)
{
	size_t stride = (sizeof(*sum) + 7) & ~(size_t)7, size, cpu;
	const struct tenguard_ct_stats *s;
	struct ctl_map m;
	__u32 zero = 0;
	void *buf;
	int err;

	memset(sum, 0, sizeof(*sum));
	err = ctl_map_open(&m, TENGUARD_MAP_CT_STATS,
			   BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
			   sizeof(*sum));
	if (err)
		return err;
	size = ctl_map_value_size(&m);
	buf = size ? calloc(1, size) : NULL;
	if (!size)
		fprintf(stderr, CTL_NAME ": cannot count the possible CPUs\n");
	err = !size ? -EINVAL : !buf ? ctl_nomem() :
	      ctl_map_lookup(&m, &zero, buf);
	ctl_map_close(&m);
	for (cpu = 0; !err && cpu < size / stride; cpu++) {
		s = (const void *)((char *)buf + cpu * stride);
		sum->created += s->created;
		sum->removed += s->removed;
	}
	free(buf);
	return err == -ENOENT ? 0 : err;
}

static int ct_stats(int argc, char **argv)
{
	struct tenguard_ct_config cfg;
	struct tenguard_ct_stats st;
	uint64_t entries = 0, evicted;
	__u32 max = 0;
	int err, i;

	if (argc)
		return ctl_what_is("conntrack", argv[0]);
	err = ct_config_read(&cfg);
	if (err == -EPROTO)
		fprintf(stderr, CTL_NAME ": %s of instance \"%s\" is empty\n",
			TENGUARD_MAP_CT_CONFIG, ctl_instance);
	/* the counters first: an entry made since is not taken as evicted */
	if (!err)
		err = ct_counters(&st);
	if (!err)
		err = ct_entries(&max, &entries);
	if (err)
		return err;
	/* created and removed are read apart from the count: never below 0 */
	evicted = st.created > st.removed + entries ?
		  st.created - st.removed - entries : 0;

	open_json_object(NULL);
	print_u64(PRINT_ANY, "entries", "entries: %" PRIu64, entries);
	print_uint(PRINT_ANY, "max_entries", " of %u\n", max);
	print_u64(PRINT_ANY, "created", "created: %" PRIu64 "\n", st.created);
	print_u64(PRINT_ANY, "removed", "removed: %" PRIu64 "\n", st.removed);
	print_u64(PRINT_ANY, "evicted", "evicted: %" PRIu64 "\n", evicted);
	print_fp("timeouts:");
	open_json_object("timeouts");
	for (i = 0; i < __TENGUARD_CT_TIMEOUT_MAX; i++) {
		print_fp("%s %s", i ? "," : "", tg_ct_timeout_names[i]);
		print_uint(PRINT_ANY, tg_ct_timeout_names[i], " %us",
			   cfg.timeout[i]);
	}
	close_json_object();
	close_json_object();
	print_nl();
	return 0;
}

static int ct_help(int argc, char **argv)
{
	int i;

	if (argc)
		return ctl_what_is("conntrack", argv[0]);
	ctl_usage_table("conntrack", conntrack_cmds);
	printf("\n"
	       "A rule set allows the first packet of a flow; the datapath then tracks\n"
	       "the flow in the LRU hash " TENGUARD_MAP_CONNTRACK ", so that its replies and the\n"
	       "ICMP errors they cause pass without a rule. A flow is named as the VM\n"
	       "port sees it: its protocol, the VM's address and port, the remote's\n"
	       "address and port (ICMP echo: the echo identifier is the VM's port).\n"
	       "A quarantined port's flows are those its remediation rules allow.\n"
	       "\n"
	       "conntrack list prints the flows of every port, or of port PORT, by port\n"
	       "name and then by addresses and ports:\n"
	       "\n"
	       "  ORIGIN   the direction of the flow's first packet (ingress: towards\n"
	       "           the VM; egress: from it), whose rule set allowed it\n"
	       "  STATE    new or replied (UDP, ICMP and others: one or both directions\n"
	       "           seen), syn_sent, syn_recv, established, closing (TCP)\n"
	       "  AGE      seconds since the flow's last packet\n"
	       "  EXPIRES  seconds until the timeout of its state ends it; \"expired\"\n"
	       "           flows stay in the table until a packet or a new flow needs\n"
	       "           the slot, but pass nothing more\n"
	       "  INGRESS, EGRESS  packets of the flow in each direction\n"
	       "  RULE, SERIAL     the rule that allowed it, in the rule set of its\n"
	       "           origin (as many as the set has rules: its default; 0\n"
	       "           with serial 0: the direction is not filtered), and the\n"
	       "           serial of that set's version (acl show)\n"
	       "\n"
	       "conntrack stats prints the table's size (tenguardd --max-conntrack),\n"
	       "the entries in it, the flows created and removed (expired, revoked by\n"
	       "a rule change, deleted) since tenguardd created the table, the flows\n"
	       "the LRU evicted to make room for new ones (created - removed -\n"
	       "entries: a table too small for the node's flows), and the timeouts\n"
	       "of the states, in seconds:\n"
	       " ");
	for (i = 0; i < __TENGUARD_CT_TIMEOUT_MAX; i++)
		printf("%s %s", i ? "," : "", tg_ct_timeout_names[i]);
	printf(".\n"
	       "\n"
	       "With -j, conntrack list prints [{\"port\" (null for a port the\n"
	       "instance no longer has), \"ifindex\", \"proto\", \"vm_addr\",\n"
	       "\"vm_port\", \"remote_addr\", \"remote_port\", \"origin\", \"state\",\n"
	       "\"age\", \"expires\" (0: expired), \"packets\": {\"ingress\", \"egress\"},\n"
	       "\"rule\", \"serial\"}]; conntrack stats prints {\"entries\",\n"
	       "\"max_entries\", \"created\", \"removed\", \"evicted\", \"timeouts\":\n"
	       "{NAME: SECONDS}}.\n"
	       "\n"
	       "Both read the pinned maps of the tenguardd instance.\n");
	return 0;
}

const struct ctl_cmd conntrack_cmds[] = {
	{ "list", ct_list, "[PORT]",
	  "tracked flows, of every port or of PORT", NULL },
	{ "stats", ct_stats, NULL,
	  "table size, entries, flows created, removed, evicted", NULL },
	{ "help", ct_help, NULL, "print this help", NULL },
	{ NULL },
};

int conntrack_main(int argc, char **argv)
{
	return ctl_dispatch("conntrack", conntrack_cmds, argc, argv);
}
