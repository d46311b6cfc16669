// SPDX-License-Identifier: GPL-2.0
/* tenguardctl stats: per-port packet, drop and limiter counters. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "names.h"
#include "pins.h"

int ctl_stats_open(struct ctl_map *m)
{
	return ctl_map_open(m, TENGUARD_MAP_STATS, BPF_MAP_TYPE_PERCPU_HASH,
			    sizeof(__u32), sizeof(struct tenguard_stats));
}

int ctl_stats_read(const struct ctl_map *m, __u32 ifindex,
		   struct tenguard_stats *sum)
{
	/* each CPU's value is copied out 8-byte aligned */
	size_t stride = (sizeof(*sum) + 7) & ~(size_t)7;
	size_t size = ctl_map_value_size(m), cpu, i;
	const struct tenguard_stats *s;
	void *buf;
	int err, d;

	memset(sum, 0, sizeof(*sum));
	if (!size) {
		fprintf(stderr, CTL_NAME ": cannot count the possible CPUs\n");
		return -EINVAL;
	}
	buf = calloc(1, size);
	if (!buf)
		return ctl_nomem();
	err = ctl_map_lookup(m, &ifindex, buf);
	/* the daemon creates the entry with the port; none yet is all zero */
	if (err == -ENOENT)
		err = 0;
	for (cpu = 0; !err && cpu < size / stride; cpu++) {
		s = (const void *)((char *)buf + cpu * stride);
		sum->rx_packets += s->rx_packets;
		sum->rx_bytes += s->rx_bytes;
		sum->tx_packets += s->tx_packets;
		sum->tx_bytes += s->tx_bytes;
		for (i = 0; i < __TENGUARD_DROP_MAX; i++)
			sum->drop[i] += s->drop[i];
		for (d = 0; d < __TENGUARD_ACL_DIR_MAX; d++) {
			sum->rate[d].packets += s->rate[d].packets;
			sum->rate[d].bytes += s->rate[d].bytes;
			sum->rate[d].shaped += s->rate[d].shaped;
			sum->rate[d].drop_packets += s->rate[d].drop_packets;
			sum->rate[d].drop_bytes += s->rate[d].drop_bytes;
		}
	}
	free(buf);
	return err;
}

/*
 * Each direction's limiter: JSON always, text for a direction that has a
 * limit or counted something (the limit may have been lifted since).
 */
static void ctl_limiter_print(const struct tenguard_stats *s,
			      const struct tenguard_rate *rate,
			      const char *indent)
{
	const struct tenguard_rate_stats *l;
	enum output_type t;
	int d;

	open_json_object("limiter");
	for (d = 0; d < __TENGUARD_ACL_DIR_MAX; d++) {
		l = &s->rate[d];
		t = l->packets || l->drop_packets || (rate && rate[d].flags) ?
		    PRINT_ANY : PRINT_JSON;
		open_json_object(tg_acl_set_names[d]);
		if (t & PRINT_FP)
			print_fp("%slimiter %s:", indent, tg_acl_set_names[d]);
		print_u64(t, "packets", " %" PRIu64 " packets", l->packets);
		print_u64(t, "bytes", ", %" PRIu64 " bytes", l->bytes);
		print_u64(l->shaped ? t : PRINT_JSON, "shaped",
			  " (%" PRIu64 " shaped)", l->shaped);
		print_u64(t, "drop_packets", ", dropped %" PRIu64 " packets",
			  l->drop_packets);
		print_u64(t, "drop_bytes", ", %" PRIu64 " bytes\n",
			  l->drop_bytes);
		close_json_object();
	}
	close_json_object();
}

void ctl_stats_print(const struct tenguard_stats *s,
		     const struct tenguard_rate *rate, const char *indent)
{
	bool any = false;
	int i;

	print_fp("%srx:", indent);
	print_u64(PRINT_ANY, "rx_packets", " %" PRIu64 " packets",
		  s->rx_packets);
	print_u64(PRINT_ANY, "rx_bytes", ", %" PRIu64 " bytes\n", s->rx_bytes);
	print_fp("%stx:", indent);
	print_u64(PRINT_ANY, "tx_packets", " %" PRIu64 " packets",
		  s->tx_packets);
	print_u64(PRINT_ANY, "tx_bytes", ", %" PRIu64 " bytes\n", s->tx_bytes);

	/* JSON has every reason; text only those that counted something */
	print_fp("%sdrop:", indent);
	open_json_object("drop");
	for (i = 0; i < __TENGUARD_DROP_MAX; i++) {
		if (s->drop[i])
			print_fp(" %s", tg_drop_names[i]);
		print_u64(s->drop[i] ? PRINT_ANY : PRINT_JSON, tg_drop_names[i],
			  " %" PRIu64, s->drop[i]);
		any |= s->drop[i] != 0;
	}
	close_json_object();
	print_fp(any ? "\n" : " none\n");
	ctl_limiter_print(s, rate, indent);
}

int ctl_quarantine_open(struct ctl_map *m)
{
	int fd;

	/* a daemon from before quarantine existed pins no such map */
	fd = tg_pin_open(ctl_instance, TENGUARD_MAP_QUARANTINE);
	if (fd == -ENOENT) {
		*m = (struct ctl_map){ .fd = -1 };
		return -ENOENT;
	}
	if (fd >= 0)
		close(fd);
	return ctl_map_open(m, TENGUARD_MAP_QUARANTINE, BPF_MAP_TYPE_HASH,
			    sizeof(__u32), sizeof(__u32));
}

int ctl_quarantined(const struct ctl_map *m, __u32 ifindex, bool *on)
{
	__u32 v;
	int err;

	err = ctl_map_lookup(m, &ifindex, &v);
	*on = !err;
	return err == -ENOENT ? 0 : err;
}

struct port_stats {
	struct ctl_port port;
	struct tenguard_stats stats;
	bool has_quarantine;	/* the instance pins tg_quarantine */
	bool quarantined;
};

static int stats_help(void)
{
	int i, col = 2;

	printf("Usage: " CTL_NAME " [OPTIONS] stats [NAME]\n"
	       "\n"
	       "The counters of every port the instance guards, by name, or of port\n"
	       "NAME: packets and bytes admitted from the port (rx) and delivered to it\n"
	       "(tx), and frames dropped, one counter per reason. Text lists the drop\n"
	       "reasons that counted something; JSON has all of them:\n"
	       "\n"
	       "  [{\"name\", \"ifindex\", \"quarantine\", \"rx_packets\", \"rx_bytes\",\n"
	       "    \"tx_packets\", \"tx_bytes\", \"drop\": {REASON: COUNT, ...},\n"
	       "    \"limiter\": {DIR: {\"packets\", \"bytes\", \"shaped\",\n"
	       "                       \"drop_packets\", \"drop_bytes\"}, ...}}]\n"
	       "\n"
	       "\"limiter\" counts each direction's rate limiter (\"" CTL_NAME " port\n"
	       "help\"), DIR \"egress\" from the VM and \"ingress\" towards it: packets\n"
	       "and bytes it let through (a GSO packet once, bytes from the Ethernet\n"
	       "header on), how many of those it shaped (gave a later departure time),\n"
	       "and what it dropped for exceeding the limit (also counted as drop\n"
	       "reason \"rate\"). Text shows a direction that has a limit or counted\n"
	       "something; JSON has both, zero where nothing is limited.\n"
	       "\n"
	       "\"quarantine\" is \"on\" for a port cut off by \"" CTL_NAME " port\n"
	       "quarantine\" (text: \"quarantined\" after its name), else \"off\"; null\n"
	       "if the instance keeps no quarantine state.\n"
	       "\n"
	       "Drop reasons:\n"
	       "  ");
	for (i = 0; i < __TENGUARD_DROP_MAX; i++) {
		if (i && col + 1 + strlen(tg_drop_names[i]) > 76) {
			printf("\n  ");
			col = 2;
		} else if (i) {
			putchar(' ');
			col++;
		}
		col += printf("%s", tg_drop_names[i]);
	}
	printf("\n");
	return 0;
}

int stats_main(int argc, char **argv)
{
	struct ctl_port *ports = NULL;
	struct port_stats *ps = NULL;
	struct ctl_map stats, quarantine;
	bool has_quarantine;
	size_t n, i;
	int err;

	if (argc > 1)
		return ctl_what_is("stats", argv[1]);
	if (argc && !strcmp(argv[0], "help"))
		return stats_help();

	if (argc) {
		ports = malloc(sizeof(*ports));
		if (!ports)
			return ctl_nomem();
		n = 1;
		err = ctl_port_find(argv[0], ports);
	} else {
		err = ctl_ports_read(&ports, &n);
	}
	if (err)
		goto out;
	err = ctl_stats_open(&stats);
	if (err)
		goto out;
	ps = calloc(n ?: 1, sizeof(*ps));
	if (!ps)
		err = ctl_nomem();
	for (i = 0; !err && i < n; i++) {
		ps[i].port = ports[i];
		err = ctl_stats_read(&stats, ports[i].ifindex, &ps[i].stats);
	}
	ctl_map_close(&stats);
	if (err)
		goto out;
	err = ctl_quarantine_open(&quarantine);
	has_quarantine = !err;
	if (err == -ENOENT)
		err = 0;
	for (i = 0; !err && has_quarantine && i < n; i++) {
		ps[i].has_quarantine = true;
		err = ctl_quarantined(&quarantine, ports[i].ifindex,
				      &ps[i].quarantined);
	}
	ctl_map_close(&quarantine);
	if (err)
		goto out;

	open_json_array(PRINT_JSON, NULL);
	for (i = 0; i < n; i++) {
		if (i)
			print_nl();
		open_json_object(NULL);
		print_string(PRINT_ANY, "name", "port: %s", ps[i].port.name);
		print_uint(PRINT_ANY, "ifindex", " (ifindex %u)",
			   ps[i].port.ifindex);
		/* null: the instance does not say (older than quarantine) */
		if (ps[i].has_quarantine)
			print_string(PRINT_JSON, "quarantine", NULL,
				     ps[i].quarantined ? "on" : "off");
		else
			print_null(PRINT_JSON, "quarantine", NULL, NULL);
		print_fp(ps[i].quarantined ? " quarantined\n" : "\n");
		ctl_stats_print(&ps[i].stats, ps[i].port.port.rate, "  ");
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
out:
	free(ports);
	free(ps);
	return err;
}
