// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "isolation.skel.h"
#include "rate_meter.h"

/* what a rate is measured from, by direction */
struct tg_rate_count {
	uint64_t bytes, packets, drop_bytes, drop_packets;
};

struct tg_rate_sample {
	uint32_t ifindex;
	uint64_t time_ns;
	struct tg_rate_count c[__TENGUARD_ACL_DIR_MAX];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* passed: what the port let through whether limited or not */
static void count(const struct tenguard_stats *v, int ncpu,
		  struct tg_rate_count c[__TENGUARD_ACL_DIR_MAX])
{
	int cpu, d;

	memset(c, 0, sizeof(*c) * __TENGUARD_ACL_DIR_MAX);
	for (cpu = 0; cpu < ncpu; cpu++) {
		c[TENGUARD_ACL_EGRESS].bytes += v[cpu].rx_bytes;
		c[TENGUARD_ACL_EGRESS].packets += v[cpu].rx_packets;
		c[TENGUARD_ACL_INGRESS].bytes += v[cpu].tx_bytes;
		c[TENGUARD_ACL_INGRESS].packets += v[cpu].tx_packets;
		for (d = 0; d < __TENGUARD_ACL_DIR_MAX; d++) {
			c[d].drop_bytes += v[cpu].rate[d].drop_bytes;
			c[d].drop_packets += v[cpu].rate[d].drop_packets;
		}
	}
}

static uint64_t per_sec(uint64_t now, uint64_t then, uint64_t ns)
{
	/* counters restart when a port is programmed anew */
	if (now < then || !ns)
		return 0;
	return (now - then) * 1000000000ULL / ns;
}

static struct tg_rate_sample *sample_of(struct tg_rate_meter *m,
					uint32_t ifindex)
{
	struct tg_rate_sample *s;
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->s[i].ifindex == ifindex)
			return &m->s[i];
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;

		s = realloc(m->s, cap * sizeof(*s));
		if (!s)
			return NULL;
		m->s = s;
		m->cap = cap;
	}
	s = &m->s[m->n++];
	memset(s, 0, sizeof(*s));
	s->ifindex = ifindex;
	return s;
}

int tg_rate_meter_run(struct tg_rate_meter *m, struct tg_dp *dp)
{
	int sfd = bpf_map__fd(dp->skel->maps.tg_stats);
	int mfd = bpf_map__fd(dp->skel->maps.tg_rate_meter);
	int pfd = bpf_map__fd(dp->skel->maps.tg_ports);
	int ncpu = libbpf_num_possible_cpus();
	struct tg_rate_count c[__TENGUARD_ACL_DIR_MAX];
	struct tenguard_rate_meter out;
	struct tenguard_stats *v;
	struct tenguard_port port;
	struct tg_rate_sample *s;
	uint32_t key, *prev = NULL;
	uint64_t now, ns;
	size_t i, kept = 0;
	int d, err = 0;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < m->n; i++)
		m->s[i].time_ns |= 1ULL << 63;	/* unseen this round */
	while (!bpf_map_get_next_key(sfd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(pfd, &key, &port) ||
		    port.kind != TENGUARD_PORT_VM ||
		    bpf_map_lookup_elem(sfd, &key, v))
			continue;
		now = mono_ns();
		count(v, ncpu, c);
		s = sample_of(m, key);
		if (!s) {
			err = -ENOMEM;
			break;
		}
		s->time_ns &= ~(1ULL << 63);
		if (s->time_ns) {
			ns = now - s->time_ns;
			memset(&out, 0, sizeof(out));
			out.time_ns = now;
			out.interval_ns = ns;
			for (d = 0; d < __TENGUARD_ACL_DIR_MAX; d++) {
				out.dir[d].bps = 8 * per_sec(c[d].bytes,
							     s->c[d].bytes, ns);
				out.dir[d].pps = per_sec(c[d].packets,
							 s->c[d].packets, ns);
				out.dir[d].drop_bps =
					8 * per_sec(c[d].drop_bytes,
						    s->c[d].drop_bytes, ns);
				out.dir[d].drop_pps =
					per_sec(c[d].drop_packets,
						s->c[d].drop_packets, ns);
			}
			if (bpf_map_update_elem(mfd, &key, &out, BPF_ANY))
				err = -errno;
		}
		s->time_ns = now;
		memcpy(s->c, c, sizeof(c));
	}
	/* ports gone since: their samples go too */
	for (i = 0; i < m->n; i++)
		if (!(m->s[i].time_ns >> 63))
			m->s[kept++] = m->s[i];
	m->n = kept;
	free(v);
	return err;
}

void tg_rate_meter_free(struct tg_rate_meter *m)
{
	free(m->s);
	memset(m, 0, sizeof(*m));
}
