// SPDX-License-Identifier: GPL-2.0
/*
 * Cost per packet of the rate limiter (bpf/rate.bpf.h), beside the same
 * isolation path without it, and what two CPUs on one bucket cost.
 *
 * One copy of the programs and maps per variant of the port: no limit, a
 * bit rate, a bit and a packet rate, and (towards the VM) a bit rate that
 * shapes. The limits are too high ever to be reached, so every packet
 * takes the whole bucket path, the check for changed limits and one
 * compare-and-exchange per bucket, and none is dropped: a dropped packet
 * would be timed on another path, and fails the run. All variants and an
 * empty tc program take turns within each round, and ratios are taken
 * within a round, as in bench_isolation.
 *
 * The contended figure runs tg_from_vm on two threads pinned to two CPUs
 * at once, both on one port (one bucket, whose cache line goes back and
 * forth, and whose compare-and-exchange sometimes loses) or each on a
 * port of its own. The run needs a second device for that, so it makes
 * its own network namespace with a veth pair in it.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "bench_common.h"
#include "isolation.h"
#include "isolation.skel.h"
#include "names.h"
#include "policy.h"
#include "units.h"

#define PORT_IFINDEX	1	/* lo */
#define VETH_A		"tgbench0"	/* the second port */
#define VETH_B		"tgbench1"
#define TENANT		1
#define FRAME_LEN	1514	/* a full-size frame, the limiter's usual */

#define REPEAT_DEFAULT	500000
#define ROUNDS_DEFAULT	7
#define ROUNDS_MAX	101

/* limits that a test run never reaches: 1 Tbit/s, 1e9 packets/s */
#define BENCH_BPS	TENGUARD_RATE_BPS_MAX
#define BENCH_PPS	TENGUARD_RATE_PPS_MAX

enum variant { V_NONE, V_BPS, V_BOTH, V_SHAPE, N_VARIANTS };

static const char *const variant_names[N_VARIANTS] = {
	[V_NONE] = "no limit",
	[V_BPS] = "bit rate",
	[V_BOTH] = "bit and packet rate",
	[V_SHAPE] = "bit rate, shaped",
};

/* a port's addresses, and those of the router it talks to */
struct addrs {
	uint8_t mac[6];
	uint8_t ip4[4];
};

static const struct addrs gateway = {
	.mac = { 0x02, 0x54, 0x00, 0xff, 0xff, 0xfe },
	.ip4 = { 198, 18, 255, 254 },
};

static const struct addrs port_addrs[2] = {
	{ .mac = { 0x02, 0x54, 0, 0, 0, 1 }, .ip4 = { 198, 18, 0, 1 } },
	{ .mac = { 0x02, 0x54, 0, 0, 0, 2 }, .ip4 = { 198, 18, 0, 2 } },
};

struct frame {
	uint32_t dir;		/* enum tenguard_acl_dir: egress from the VM */
	uint32_t ifindex;
	uint32_t mark;
	uint8_t data[FRAME_LEN];
};

/* ---- frames ---- */

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* IPv4 UDP of FRAME_LEN bytes between a port and the router */
static void udp4_frame(struct frame *f, const struct addrs *port,
		       uint32_t dir, uint32_t ifindex)
{
	const struct addrs *src = dir == TENGUARD_ACL_EGRESS ? port : &gateway;
	const struct addrs *dst = dir == TENGUARD_ACL_EGRESS ? &gateway : port;
	uint8_t *d = f->data, *ip = d + 14, *udp = ip + 20;
	uint16_t ip_len = FRAME_LEN - 14, sum;

	memset(f, 0, sizeof(*f));
	f->dir = dir;
	f->ifindex = ifindex;
	if (dir == TENGUARD_ACL_INGRESS)
		f->mark = TENGUARD_MARK_MAGIC | TENANT;
	memcpy(d, dst->mac, 6);
	memcpy(d + 6, src->mac, 6);
	d[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = ip_len >> 8;
	ip[3] = ip_len & 0xff;
	ip[6] = 0x40;		/* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, src->ip4, 4);
	memcpy(ip + 16, dst->ip4, 4);
	sum = htons(ip_csum(ip, 20));
	memcpy(ip + 10, &sum, 2);
	udp[0] = 40000 >> 8;	/* 40000 -> 9 (discard); checksum 0: none */
	udp[1] = 40000 & 0xff;
	udp[3] = 9;
	udp[4] = (ip_len - 20) >> 8;
	udp[5] = (ip_len - 20) & 0xff;
}

/* ---- the second device ---- */

/* a veth pair in this network namespace: 0 or -errno */
static int veth_add(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *info, *data, *peer;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int ret;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL |
			   NLM_F_ACK;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, VETH_A);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, VETH_B);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto fail;
	ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret < 0 || mnl_cb_run(buf, ret, 0, 0, NULL, NULL) < 0)
		goto fail;
	mnl_socket_close(nl);
	return 0;
fail:
	ret = -errno;
	mnl_socket_close(nl);
	return ret;
}

/* ---- ports ---- */

struct instance {
	enum variant v;
	struct tg_dp dp;
	int fd[__TENGUARD_ACL_DIR_MAX];	/* tg_to_vm, tg_from_vm */
	int stats_fd;
};

static void set_limits(struct tenguard_rate *r, enum variant v)
{
	memset(r, 0, sizeof(*r));
	if (v == V_NONE)
		return;
	r->flags = TENGUARD_RATE_F_BPS;
	r->bps = BENCH_BPS;
	r->burst = TENGUARD_RATE_BURST_DEFAULT(BENCH_BPS);
	if (v == V_BOTH) {
		r->flags |= TENGUARD_RATE_F_PPS;
		r->pps = BENCH_PPS;
		r->pkt_burst = TENGUARD_RATE_PKT_BURST_DEFAULT(BENCH_PPS);
	}
}

/*
 * Both directions of the port get the variant's limits. Shaping is
 * written into tg_ports by hand: the daemon's path would ask for fq on
 * the port first, and police without it (this host has no fq); the
 * datapath's work is the same with or without the qdisc.
 */
static int program_port(struct instance *in, uint32_t ifindex,
			const struct addrs *a, const char *name)
{
	static const struct tg_policy none;
	uint8_t macs[1][6];
	struct tg_prefix addr = { .family = AF_INET, .prefixlen = 32 };
	struct tg_port_cfg cfg = {
		.kind = TENGUARD_PORT_VM,
		.tenant = TENANT,
		.macs = macs,
		.n_macs = 1,
		.addrs = &addr,
		.n_addrs = 1,
	};
	struct tg_dp_port port = { .ifindex = ifindex, .cfg = &cfg };
	int ports_fd = bpf_map__fd(in->dp.skel->maps.tg_ports);
	struct tenguard_port val;
	int err, dir;

	memcpy(macs[0], a->mac, 6);
	memcpy(addr.addr, a->ip4, 4);
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	for (dir = 0; dir < __TENGUARD_ACL_DIR_MAX; dir++)
		set_limits(&cfg.rate[dir], in->v);
	err = tg_dp_program_port(&in->dp, &none, &port, 1);
	if (err || in->v != V_SHAPE)
		return err;
	if (bpf_map_lookup_elem(ports_fd, &ifindex, &val))
		return -errno;
	val.rate[TENGUARD_ACL_INGRESS].flags |= TENGUARD_RATE_F_SHAPE;
	if (bpf_map_update_elem(ports_fd, &ifindex, &val, BPF_EXIST))
		return -errno;
	return 0;
}

static int instance_open(struct instance *in, enum variant v,
			 uint32_t ifindex2)
{
	struct tg_limits lim = TG_LIMITS_DEFAULT;
	int err;

	memset(in, 0, sizeof(*in));
	in->v = v;
	lim.conntrack = 1024;
	err = tg_dp_open(&in->dp, NULL, &lim);
	if (err) {
		fprintf(stderr, "loading bpf/isolation.bpf.c: %s\n",
			strerror(-err));
		return err;
	}
	in->fd[TENGUARD_ACL_EGRESS] =
		bpf_program__fd(in->dp.skel->progs.tg_from_vm);
	in->fd[TENGUARD_ACL_INGRESS] =
		bpf_program__fd(in->dp.skel->progs.tg_to_vm);
	in->stats_fd = bpf_map__fd(in->dp.skel->maps.tg_stats);
	err = program_port(in, PORT_IFINDEX, &port_addrs[0], "bench0");
	if (!err && ifindex2)
		err = program_port(in, ifindex2, &port_addrs[1], "bench1");
	if (err) {
		fprintf(stderr, "%s: programming the ports: %s\n",
			variant_names[v], strerror(-err));
		tg_dp_close(&in->dp);
	}
	return err;
}

/* ---- measuring ---- */

struct run {
	uint32_t ns;		/* per packet, as the kernel reports it */
	int ret;
	uint64_t tstamp;	/* skb->tstamp the program left */
};

static int test_run(int fd, const struct frame *f, uint32_t repeat,
		    struct run *r)
{
	struct __sk_buff ctx = { .ifindex = f->ifindex, .mark = f->mark };
	struct bpf_test_run_opts opts = {
		.sz = sizeof(opts),
		.data_in = f->data,
		.data_size_in = FRAME_LEN,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.ctx_out = &ctx,
		.ctx_size_out = sizeof(ctx),
		.repeat = repeat,
	};

	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	r->ns = opts.duration;
	r->ret = (int)opts.retval;
	r->tstamp = ctx.tstamp;
	return 0;
}

/* what the port's counters say of a frame's direction, summed over CPUs */
struct counts {
	uint64_t passed;	/* rx_packets from the VM, tx_packets to it */
	uint64_t drops;		/* for any reason */
	uint64_t limiter;	/* passed by the limiter */
	uint64_t limiter_drops;
};

static int read_counts(const struct instance *in, const struct frame *f,
		       struct counts *c)
{
	int ncpu = libbpf_num_possible_cpus(), i, j;
	struct tenguard_stats *v;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(in->stats_fd, &f->ifindex, v)) {
		free(v);
		return -errno;
	}
	memset(c, 0, sizeof(*c));
	for (i = 0; i < ncpu; i++) {
		c->passed += f->dir == TENGUARD_ACL_EGRESS ? v[i].rx_packets :
							     v[i].tx_packets;
		for (j = 0; j < __TENGUARD_DROP_MAX; j++)
			c->drops += v[i].drop[j];
		c->limiter += v[i].rate[f->dir].packets;
		c->limiter_drops += v[i].rate[f->dir].drop_packets;
	}
	free(v);
	return 0;
}

/*
 * Whether n packets of f, run since counters a were read, all took the
 * path they are timed on: passed, none dropped, each through the limiter
 * if the variant has one. 0 if so, else what went wrong is printed.
 */
static int check_path(const struct instance *in, const struct frame *f,
		      const struct counts *a, uint64_t n, const char *what)
{
	bool limited = in->v != V_NONE;
	struct counts b;
	int err;

	err = read_counts(in, f, &b);
	if (err) {
		fprintf(stderr, "reading tg_stats: %s\n", strerror(-err));
		return err;
	}
	if (b.passed - a->passed == n && b.drops == a->drops &&
	    b.limiter - a->limiter == (limited ? n : 0) &&
	    b.limiter_drops == a->limiter_drops)
		return 0;
	fprintf(stderr,
		"%s, %s, %s: of %llu packets %llu passed, %llu dropped, "
		"%llu by the limiter; the limiter passed %llu\n",
		what, f->dir == TENGUARD_ACL_EGRESS ? "from_vm" : "to_vm",
		variant_names[in->v], (unsigned long long)n,
		(unsigned long long)(b.passed - a->passed),
		(unsigned long long)(b.drops - a->drops),
		(unsigned long long)(b.limiter_drops - a->limiter_drops),
		(unsigned long long)(b.limiter - a->limiter));
	return -EINVAL;
}

/* one packet, and its verdict and departure time as the variant says */
static int check_one(const struct instance *in, const struct frame *f)
{
	struct counts a;
	struct run r;
	int err;

	err = read_counts(in, f, &a);
	if (!err)
		err = test_run(in->fd[f->dir], f, 1, &r);
	if (err) {
		fprintf(stderr, "test run: %s\n", strerror(-err));
		return err;
	}
	if (r.ret != TC_ACT_UNSPEC) {
		fprintf(stderr, "%s, %s: verdict %d, expected %d\n",
			f->dir == TENGUARD_ACL_EGRESS ? "from_vm" : "to_vm",
			variant_names[in->v], r.ret, TC_ACT_UNSPEC);
		return -EINVAL;
	}
	/* shaping gives every packet its departure time, now if in time */
	if ((in->v == V_SHAPE && f->dir == TENGUARD_ACL_INGRESS) !=
	    !!r.tstamp) {
		fprintf(stderr, "%s, %s: departure time %llu\n", "to_vm",
			variant_names[in->v], (unsigned long long)r.tstamp);
		return -EINVAL;
	}
	return check_path(in, f, &a, 1, "first packet");
}

struct result {
	double empty;			/* ns/pkt of the empty program */
	double ns[N_VARIANTS];		/* medians */
	double extra[N_VARIANTS];	/* ns over no limit, per round */
	double ratio[N_VARIANTS];	/* to no limit, per round */
};

/*
 * The empty program and every variant take turns within each round, the
 * first one rotating, so that a machine that changes speed between rounds
 * moves them all alike. Returns -errno, or how many variants had packets
 * take another path than the one timed.
 */
static int measure(const struct instance *in, size_t nv, int empty_fd,
		   const struct frame *f, uint32_t repeat, int rounds,
		   struct result *res)
{
	double t[1 + N_VARIANTS][ROUNDS_MAX], v[ROUNDS_MAX];
	struct counts before[N_VARIANTS];
	int r, k, slot, err, wrong = 0;
	struct run run;
	size_t i;

	for (i = 0; i < nv; i++) {
		err = read_counts(&in[i], f, &before[i]);
		if (err)
			return err;
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 1 + (int)nv; k++) {
			slot = (r + k) % (1 + nv);
			err = test_run(slot ? in[slot - 1].fd[f->dir] :
				       empty_fd, f, repeat, &run);
			if (err) {
				fprintf(stderr, "test run: %s\n",
					strerror(-err));
				return err;
			}
			t[slot][r] = run.ns;
		}
	}
	for (i = 0; i < nv; i++)
		if (check_path(&in[i], f, &before[i], (uint64_t)rounds * repeat,
			       "timed runs"))
			wrong++;

	memcpy(v, t[0], rounds * sizeof(v[0]));
	res->empty = tg_bench_median(v, rounds);
	for (i = 0; i < nv; i++) {
		memcpy(v, t[1 + i], rounds * sizeof(v[0]));
		res->ns[i] = tg_bench_median(v, rounds);
		for (r = 0; r < rounds; r++)
			v[r] = t[1 + i][r] - t[1][r];
		res->extra[i] = tg_bench_median(v, rounds);
		for (r = 0; r < rounds; r++)
			v[r] = t[1][r] ? t[1 + i][r] / t[1][r] : 0;
		res->ratio[i] = tg_bench_median(v, rounds);
	}
	return wrong;
}

/* ---- two CPUs ---- */

struct hammer {
	pthread_t thread;
	pthread_barrier_t *start;
	int fd, cpu;
	uint32_t repeat;
	const struct frame *f;
	struct run run;
	int err;
};

static void *hammer(void *arg)
{
	struct hammer *h = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(h->cpu, &set);
	h->err = sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
	pthread_barrier_wait(h->start);
	if (!h->err)
		h->err = test_run(h->fd, h->f, h->repeat, &h->run);
	return NULL;
}

/* the contended cases: the rows of the table */
struct contention {
	const char *name;
	enum variant v;
	int threads;
	bool two_ports;
};

static const struct contention cases[] = {
	{ "bit rate, one CPU", V_BPS, 1, false },
	{ "no limit, one port", V_NONE, 2, false },
	{ "bit rate, one port: one bucket", V_BPS, 2, false },
	{ "bit rate, two ports: a bucket each", V_BPS, 2, true },
};
#define N_CASES		(sizeof(cases) / sizeof(cases[0]))
#define C_SHARED	2
#define C_SEPARATE	3

/*
 * ns per packet on each CPU, their mean in *ns. Returns -errno, or how
 * many ports had packets take another path than the one timed.
 */
static int contend(const struct instance *in, const struct contention *c,
		   const struct frame *frames, int cpus[2], uint32_t repeat,
		   double *ns)
{
	const struct instance *inst = &in[c->v];
	struct counts before[2];
	struct hammer h[2];
	pthread_barrier_t start;
	int i, err = 0, wrong = 0;

	for (i = 0; i < 2; i++) {
		err = read_counts(inst, &frames[i], &before[i]);
		if (err)
			return err;
	}
	pthread_barrier_init(&start, NULL, c->threads);
	for (i = 0; i < c->threads; i++) {
		h[i] = (struct hammer){
			.start = &start,
			.fd = inst->fd[TENGUARD_ACL_EGRESS],
			.cpu = cpus[i],
			.repeat = repeat,
			.f = &frames[c->two_ports ? i : 0],
		};
		err = pthread_create(&h[i].thread, NULL, hammer, &h[i]);
		if (err) {
			/* the others wait at the barrier for it: give up */
			fprintf(stderr, "a thread: %s\n", strerror(err));
			exit(1);
		}
	}
	while (i-- > 0) {
		pthread_join(h[i].thread, NULL);
		if (!err)
			err = h[i].err;
	}
	pthread_barrier_destroy(&start);
	if (err) {
		fprintf(stderr, "%s: test run: %s\n", c->name, strerror(-err));
		return err;
	}
	*ns = 0;
	for (i = 0; i < c->threads; i++)
		*ns += (double)h[i].run.ns / c->threads;
	if (c->two_ports) {
		for (i = 0; i < 2; i++)
			wrong += !!check_path(inst, &frames[i], &before[i],
					      repeat, c->name);
	} else {
		wrong += !!check_path(inst, &frames[0], &before[0],
				      (uint64_t)c->threads * repeat, c->name);
	}
	return wrong;
}

/* the first two CPUs this process may run on, or -1 */
static int two_cpus(int cpus[2])
{
	cpu_set_t set;
	int i, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (i = 0; i < CPU_SETSIZE && n < 2; i++)
		if (CPU_ISSET(i, &set))
			cpus[n++] = i;
	return n == 2 ? 0 : -1;
}

struct contended {
	double ns[N_CASES];
	double shared_vs_separate;	/* per round */
};

static int measure_contention(const struct instance *in,
			      const struct frame *frames, int cpus[2],
			      uint32_t repeat, int rounds,
			      struct contended *res)
{
	double t[N_CASES][ROUNDS_MAX], v[ROUNDS_MAX];
	int r, k, slot, err;
	size_t c;

	for (r = 0; r < rounds; r++) {
		for (k = 0; k < (int)N_CASES; k++) {
			slot = (r + k) % N_CASES;
			err = contend(in, &cases[slot], frames, cpus, repeat,
				      &t[slot][r]);
			if (err)
				return err;
		}
	}
	for (c = 0; c < N_CASES; c++) {
		memcpy(v, t[c], rounds * sizeof(v[0]));
		res->ns[c] = tg_bench_median(v, rounds);
	}
	for (r = 0; r < rounds; r++)
		v[r] = t[C_SEPARATE][r] ? t[C_SHARED][r] / t[C_SEPARATE][r] : 0;
	res->shared_vs_separate = tg_bench_median(v, rounds);
	return 0;
}

/* ---- output ---- */

static void print_dir(const char *title, const struct result *res,
		      size_t nv)
{
	size_t i;

	printf("\n%-42s %7s %7s %8s\n", title, "ns/pkt", "+ns", "x none");
	for (i = 0; i < nv; i++) {
		if (i == V_NONE)
			printf("  %-40s %7.0f %7s %8s\n", variant_names[i],
			       res->ns[i], "-", "1.00");
		else
			printf("  %-40s %7.0f %7.0f %7.2fx\n",
			       variant_names[i], res->ns[i], res->extra[i],
			       res->ratio[i]);
	}
	printf("  %-40s %7.0f\n", "(empty tc program)", res->empty);
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s [-r REPEAT] [-n ROUNDS]\n"
		"  -r  packets per BPF_PROG_TEST_RUN (default %d)\n"
		"  -n  rounds, the median counts (default %d, at most %d)\n",
		prog, REPEAT_DEFAULT, ROUNDS_DEFAULT, ROUNDS_MAX);
}

int main(int argc, char **argv)
{
	struct instance in[N_VARIANTS];
	struct result res[__TENGUARD_ACL_DIR_MAX];
	struct frame f[__TENGUARD_ACL_DIR_MAX], from_vm[2];
	struct contended con;
	char rate[TG_UNITS_STRLEN], size[TG_UNITS_STRLEN];
	uint32_t repeat = REPEAT_DEFAULT, ifindex2;
	int rounds = ROUNDS_DEFAULT, empty_fd = -1, opt, err = 0, wrong = 0;
	int cpus[2], dir, have_cpus;
	size_t opened = 0, nv, i;

	while ((opt = getopt(argc, argv, "r:n:h")) != -1) {
		switch (opt) {
		case 'r':
			repeat = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			rounds = atoi(optarg);
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 1;
		}
	}
	if (optind != argc || !repeat || rounds < 1 || rounds > ROUNDS_MAX) {
		usage(argv[0]);
		return 1;
	}

	/* a namespace of its own for the second port: nothing to clean up */
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "a network namespace: %s\n", strerror(errno));
		return 1;
	}
	err = veth_add();
	ifindex2 = if_nametoindex(VETH_A);
	if (err || !ifindex2) {
		fprintf(stderr, "a veth pair: %s\n",
			strerror(err ? -err : errno));
		return 1;
	}

	for (opened = 0; opened < N_VARIANTS; opened++) {
		err = instance_open(&in[opened], opened, ifindex2);
		if (err)
			goto out;
	}
	empty_fd = tg_bench_load_empty();
	if (empty_fd < 0) {
		err = -errno;
		fprintf(stderr, "loading the empty program: %s\n",
			strerror(errno));
		goto out;
	}

	for (dir = 0; dir < __TENGUARD_ACL_DIR_MAX; dir++) {
		udp4_frame(&f[dir], &port_addrs[0], dir, PORT_IFINDEX);
		/* from the VM, shaping is not a variant (towards it only) */
		nv = dir == TENGUARD_ACL_EGRESS ? V_SHAPE : N_VARIANTS;
		for (i = 0; i < nv; i++)
			wrong += !!check_one(&in[i], &f[dir]);
		if (wrong)
			goto out;
		err = measure(in, nv, empty_fd, &f[dir], repeat, rounds,
			      &res[dir]);
		if (err > 0)
			wrong += err;
		if (err)
			goto out;
	}
	from_vm[0] = f[TENGUARD_ACL_EGRESS];
	udp4_frame(&from_vm[1], &port_addrs[1], TENGUARD_ACL_EGRESS, ifindex2);
	for (i = V_NONE; i <= V_BPS; i++)
		wrong += !!check_one(&in[i], &from_vm[1]);
	if (wrong)
		goto out;
	have_cpus = !two_cpus(cpus);
	if (have_cpus) {
		err = measure_contention(in, from_vm, cpus, repeat, rounds,
					 &con);
		if (err > 0)
			wrong += err;
		if (err)
			goto out;
	}

	printf("tenguard rate limiter under BPF_PROG_TEST_RUN, ns per packet\n"
	       "IPv4 UDP frames of %d bytes; median of %d rounds of %u "
	       "packets; in each\nround the empty tc program and the port "
	       "with each variant of limits run in turn\n"
	       "limits never reached: %s/s burst %s, %u packets/s burst "
	       "%u;\nevery packet takes from each bucket the port has, "
	       "none is dropped\n", FRAME_LEN, rounds, repeat,
	       tg_rate_str(BENCH_BPS, rate, sizeof(rate)),
	       tg_size_str(TENGUARD_RATE_BURST_DEFAULT(BENCH_BPS), size,
			   sizeof(size)),
	       BENCH_PPS, TENGUARD_RATE_PKT_BURST_DEFAULT(BENCH_PPS));
	print_dir("tg_from_vm, limits from the VM (egress)",
		  &res[TENGUARD_ACL_EGRESS], V_SHAPE);
	print_dir("tg_to_vm, limits towards the VM (ingress)",
		  &res[TENGUARD_ACL_INGRESS], N_VARIANTS);
	if (!have_cpus) {
		printf("\ntwo CPUs at once: skipped, this process may run on "
		       "one CPU only\n");
		goto out;
	}
	printf("\ntg_from_vm on two threads at once, pinned to CPUs %d and %d,\n"
	       "%u packets each; ns per packet on a CPU (the mean of the two)\n"
	       "%-42s %7s\n", cpus[0], cpus[1], repeat, "", "ns/pkt");
	for (i = 0; i < N_CASES; i++)
		printf("  %-40s %7.0f\n", cases[i].name, con.ns[i]);
	printf("one bucket / a bucket each, per round: %.2fx\n",
	       con.shared_vs_separate);
out:
	if (empty_fd >= 0)
		close(empty_fd);
	for (i = 0; i < opened; i++)
		tg_dp_close(&in[i].dp);
	if (wrong)
		fprintf(stderr, "packets took another path than the one timed\n");
	return err || wrong ? 1 : 0;
}
