// SPDX-License-Identifier: GPL-2.0
/*
 * Cost per packet of the ACL path (tg_acl_check() in tg_to_vm of
 * bpf/isolation.bpf.c) as the rule set grows: four copies of the programs
 * and maps, whose VM port (lo, ifindex 1, as in bench_isolation) has no
 * rule set, or an ingress rule set of 10, 1,000 or 10,000 generated rules
 * (acl_rules.h), run in turn through BPF_PROG_TEST_RUN on UDP frames
 * towards the VM that hit the first rule, the last rule, or none (the
 * default, deny).
 *
 * Every frame is timed twice. "tracked": the same frame, repeated, after a
 * first one opened its flow: the path of a flow's later packets, a
 * conntrack lookup and the check that its rule set did not change.
 * "new": one frame per run, each of another flow (source address and
 * port), so that every one is classified and opens a flow. A run of one
 * frame includes the kernel's clock reads around it; the empty program
 * timed the same way shows how much that is.
 *
 * Nothing is judged on speed. The run fails when a frame does not take
 * the path it is timed on: its verdict, the drop counter, the hit counter
 * of the rule that must decide it, or the flows opened are not as
 * expected.
 *
 * `bench_acl rules FORMAT N [TABLE DEV]` prints the rule set of N rules
 * for traffic.sh: json, nft-map or nft-list.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>

#include "acl.h"
#include "acl_rules.h"
#include "bench_common.h"
#include "isolation.h"
#include "isolation.skel.h"
#include "names.h"
#include "policy.h"

#define PORT_IFINDEX	1	/* lo */
#define TENANT		1

#define REPEAT_DEFAULT	200000
#define NEW_DEFAULT	10000
#define ROUNDS_DEFAULT	7
#define ROUNDS_MAX	101
/* the tracked frames' source port; new flows start at 1024 */
#define TRACKED_SPORT	1000

static const size_t rule_counts[] = { 0, 10, 1000, 10000 };
#define N_INST		(sizeof(rule_counts) / sizeof(rule_counts[0]))
#define SLOTS		(1 + N_INST)	/* the empty program, then these */

static const uint8_t port_mac[ETH_ALEN] = { 0x02, 0x54, 0, 0, 0, 0x01 };
static const uint8_t remote_mac[ETH_ALEN] = { 0x02, 0x54, 0, 0, 0, 0xfe };
/* the VM: traffic.sh's receiving port has this address too */
#define PORT_ADDR	((198U << 24) | (18U << 16) | 2)

enum mode { TRACKED, NEW, N_MODES };
static const char *const mode_names[N_MODES] = { "tracked", "new" };

/* what a frame must hit: a hit rule, or the default */
#define HIT_DEFAULT	(-1)

struct frame {
	const char *name;
	int hit;		/* index into the hit rules, or HIT_DEFAULT */
	uint32_t base;		/* source address of flow 0 (host order) */
	uint16_t dport;
	uint8_t data[ETH_ZLEN];
};

/* ---- frames ---- */

static uint16_t ip_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

#define IP_OFF		sizeof(struct ether_header)
#define UDP_OFF		(IP_OFF + sizeof(struct iphdr))

/*
 * Flow j of a frame: another source address of the same /27 and another
 * source port, so the rule that decides is the same one. The UDP checksum
 * is left out (0, allowed in IPv4): nothing on the path reads it.
 */
static void frame_flow(struct frame *f, uint32_t j, uint16_t sport)
{
	struct iphdr ip = {
		.version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP,
		.tot_len = htons(ETH_ZLEN - IP_OFF),
	};
	struct udphdr uh = {
		.source = htons(sport),
		.dest = htons(f->dport),
		.len = htons(ETH_ZLEN - UDP_OFF),
	};

	ip.saddr = htonl(f->base + j % (1U << (32 - BENCH_HIT_LEN)));
	ip.daddr = htonl(PORT_ADDR);
	ip.check = ip_csum(&ip, sizeof(ip));
	memcpy(f->data + IP_OFF, &ip, sizeof(ip));
	memcpy(f->data + UDP_OFF, &uh, sizeof(uh));
}

static void frame_init(struct frame *f, const char *name, int hit)
{
	struct ether_header eh = { .ether_type = htons(ETHERTYPE_IP) };
	uint32_t saddr;
	uint16_t sport;

	memset(f, 0, sizeof(*f));
	f->name = name;
	f->hit = hit;
	if (hit == HIT_DEFAULT) {
		f->base = BENCH_SRC_UNMATCHED;
		f->dport = BENCH_HIT_PORT_BASE;
	} else {
		/* flow 0 of the traffic through hit k is flow k */
		bench_flow(hit, &saddr, &sport, &f->dport);
		f->base = saddr;
	}
	memcpy(eh.ether_dhost, port_mac, ETH_ALEN);
	memcpy(eh.ether_shost, remote_mac, ETH_ALEN);
	memcpy(f->data, &eh, sizeof(eh));
	frame_flow(f, 0, TRACKED_SPORT);
}

/* ---- instances ---- */

struct instance {
	size_t rules;		/* 0: the port has no rule set */
	struct tg_dp dp;
	struct tg_acl_cfg acl;
	size_t entries;		/* classifier entries compiled */
	double compile_secs, install_secs;
	int to_vm_fd;
	int hits_fd;		/* the set's hit counters; -1 without */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int program_port(struct tg_dp *dp)
{
	static const struct tg_policy none;
	uint8_t macs[1][ETH_ALEN];
	struct tg_prefix addr = { .family = AF_INET, .prefixlen = 32 };
	struct tg_port_cfg cfg = {
		.name = "bench",
		.kind = TENGUARD_PORT_VM,
		.tenant = TENANT,
		.macs = macs,
		.n_macs = 1,
		.addrs = &addr,
		.n_addrs = 1,
	};
	struct tg_dp_port port = { .ifindex = PORT_IFINDEX, .cfg = &cfg };
	uint32_t a = htonl(PORT_ADDR);

	memcpy(macs[0], port_mac, ETH_ALEN);
	memcpy(addr.addr, &a, 4);
	return tg_dp_program_port(dp, &none, &port, 1);
}

/* the node as a policy file without "node" has it: timeouts by default */
static int program_node(struct tg_dp *dp)
{
	struct tg_policy pol = { 0 };
	int err;

	tg_node_cfg_init(&pol.node);
	err = tg_dp_acl_node(dp, &pol);
	tg_node_cfg_free(&pol.node);
	return err;
}

static int install_rules(struct instance *in, uint32_t max)
{
	struct tenguard_acl_id id = {
		.ifindex = PORT_IFINDEX, .set = TENGUARD_ACL_INGRESS,
	};
	struct tg_acl_prog prog;
	uint32_t inner;
	char err[256];
	double t;
	int ret;

	ret = bench_rules_make(in->rules, &in->acl);
	if (ret) {
		fprintf(stderr, "generating %zu rules: %s\n", in->rules,
			strerror(-ret));
		return ret;
	}
	t = now();
	ret = tg_acl_compile(&in->acl, 1, NULL, 0, NULL, NULL, max, &prog,
			     err, sizeof(err));
	if (ret) {
		fprintf(stderr, "compiling %zu rules: %s\n", in->rules,
			ret == -E2BIG ? err : strerror(-ret));
		return ret;
	}
	in->compile_secs = now() - t;
	in->entries = prog.n;
	t = now();
	ret = tg_dp_acl_set(&in->dp, &id, &in->acl, &prog);
	in->install_secs = now() - t;
	tg_acl_prog_free(&prog);
	if (ret) {
		fprintf(stderr, "installing %zu rules: %s\n", in->rules,
			strerror(-ret));
		return ret;
	}
	if (bpf_map_lookup_elem(bpf_map__fd(in->dp.skel->maps.tg_acl_hits),
				&id, &inner))
		return -errno;
	in->hits_fd = bpf_map_get_fd_by_id(inner);
	return in->hits_fd < 0 ? -errno : 0;
}

static int instance_open(struct instance *in, size_t rules)
{
	struct tg_limits lim = TG_LIMITS_DEFAULT;
	int err;

	memset(in, 0, sizeof(*in));
	in->rules = rules;
	in->hits_fd = -1;
	err = tg_dp_open(&in->dp, NULL, &lim);
	if (err) {
		fprintf(stderr, "loading bpf/isolation.bpf.c: %s\n",
			strerror(-err));
		return err;
	}
	in->to_vm_fd = bpf_program__fd(in->dp.skel->progs.tg_to_vm);
	err = program_port(&in->dp);
	if (!err)
		err = program_node(&in->dp);
	if (err) {
		fprintf(stderr, "programming the port: %s%s%s\n",
			strerror(-err), in->dp.err[0] ? ": " : "", in->dp.err);
		return err;
	}
	return rules ? install_rules(in, lim.acl_entries) : 0;
}

static void instance_close(struct instance *in)
{
	if (in->hits_fd >= 0)
		close(in->hits_fd);
	tg_dp_close(&in->dp);
	tg_acl_cfg_free(&in->acl);
}

/* the index of the rule a frame must hit in this instance, or -1 */
static long expected_rule(const struct instance *in, const struct frame *f)
{
	if (!in->rules)
		return -1;
	if (f->hit == HIT_DEFAULT)
		return in->rules;	/* the default: one past the rules */
	return bench_hit_index(in->rules, f->hit);
}

static bool expect_pass(const struct instance *in, const struct frame *f)
{
	return !in->rules || f->hit != HIT_DEFAULT;
}

/* ---- counters ---- */

/* what moves when a frame passes an instance */
struct counts {
	uint64_t tx, drop_acl, other_drops;
	uint64_t hits;		/* of the rule the frame must hit */
	uint64_t created;	/* flows opened */
};

static int percpu_sum(int fd, uint32_t key, size_t size, void *sum,
		      void (*add)(void *sum, const void *v))
{
	int ncpu = libbpf_num_possible_cpus(), i;
	char *v;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, size);
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, v)) {
		free(v);
		return -errno;
	}
	memset(sum, 0, size);
	for (i = 0; i < ncpu; i++)
		add(sum, v + i * size);
	free(v);
	return 0;
}

static void add_stats(void *sum, const void *v)
{
	struct tenguard_stats *s = sum;
	const struct tenguard_stats *x = v;
	int j;

	s->tx_packets += x->tx_packets;
	for (j = 0; j < __TENGUARD_DROP_MAX; j++)
		s->drop[j] += x->drop[j];
}

static void add_ct(void *sum, const void *v)
{
	struct tenguard_ct_stats *s = sum;
	const struct tenguard_ct_stats *x = v;

	s->created += x->created;
	s->removed += x->removed;
}

static int read_counts(const struct instance *in, const struct frame *f,
		       struct counts *c)
{
	struct isolation_bpf *s = in->dp.skel;
	struct tenguard_stats st;
	struct tenguard_ct_stats ct;
	long rule = expected_rule(in, f);
	uint32_t key;
	int err, j;

	memset(c, 0, sizeof(*c));
	err = percpu_sum(bpf_map__fd(s->maps.tg_stats), PORT_IFINDEX,
			 sizeof(st), &st, add_stats);
	if (!err)
		err = percpu_sum(bpf_map__fd(s->maps.tg_ct_stats), 0,
				 sizeof(ct), &ct, add_ct);
	if (err)
		return err;
	c->tx = st.tx_packets;
	c->drop_acl = st.drop[TENGUARD_DROP_ACL];
	for (j = 0; j < __TENGUARD_DROP_MAX; j++)
		if (j != TENGUARD_DROP_ACL)
			c->other_drops += st.drop[j];
	c->created = ct.created;
	if (rule >= 0) {
		key = rule;
		if (bpf_map_lookup_elem(in->hits_fd, &key, &c->hits))
			return -errno;
	}
	return 0;
}

/*
 * Did n frames, of which opened were new flows, take the expected path?
 * classified: how many of them the rules decided.
 */
static bool counts_ok(const struct instance *in, const struct frame *f,
		      const struct counts *a, const struct counts *b,
		      uint64_t n, uint64_t classified, uint64_t opened)
{
	bool pass = expect_pass(in, f);

	if (b->other_drops != a->other_drops)
		return false;
	if (b->tx - a->tx != (pass ? n : 0) ||
	    b->drop_acl - a->drop_acl != (pass ? 0 : n))
		return false;
	if (!in->rules)
		return b->created == a->created;
	if (b->hits - a->hits != classified)
		return false;
	return b->created - a->created == (pass ? opened : 0);
}

/* ---- measuring ---- */

static int test_run(int fd, const struct frame *f, uint32_t repeat,
		    uint32_t *ns, int *retval)
{
	struct __sk_buff ctx = {
		.ifindex = PORT_IFINDEX,
		.mark = TENGUARD_MARK_MAGIC | TENANT,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = f->data,
		    .data_size_in = sizeof(f->data),
		    .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx),
		    .repeat = repeat);
	int err = bpf_prog_test_run_opts(fd, &opts);

	if (err)
		return err;
	if (ns)
		*ns = opts.duration;
	if (retval)
		*retval = (int)opts.retval;
	return 0;
}

struct params {
	uint32_t repeat;	/* tracked: frames per run */
	uint32_t news;		/* new: runs of one frame, per round */
	int rounds;
};

struct result {
	double ns[SLOTS];		/* per frame; slot 0 the empty program */
	double vs_none[N_INST];		/* to the port without rules */
	double scale;			/* most rules to fewest, per round */
	bool wrong[N_INST];
};

/* one slot's time for a round, in ns per frame */
static int time_slot(int fd, struct frame *f, enum mode m,
		     const struct params *p, int round, double *ns)
{
	uint32_t t, j, first = round * p->news;
	uint64_t sum = 0;
	int err;

	if (m == TRACKED) {
		err = test_run(fd, f, p->repeat, &t, NULL);
		*ns = t;
		return err;
	}
	for (j = 0; j < p->news; j++) {
		/* flow first + j: 32 addresses, then the next source port */
		frame_flow(f, first + j,
			   1024 + (first + j) / (1U << (32 - BENCH_HIT_LEN)));
		err = test_run(fd, f, 1, &t, NULL);
		if (err)
			return err;
		sum += t;
	}
	frame_flow(f, 0, TRACKED_SPORT);
	*ns = (double)sum / p->news;
	return 0;
}

/*
 * The empty program and every instance take turns within each round, the
 * first one rotating, so that a machine that speeds up or slows down
 * between rounds moves all of them alike; ratios are taken within a round
 * and their median reported. The counters around the rounds say whether
 * each instance took the path it is timed on.
 */
static int measure(const struct instance *in, int empty_fd, struct frame *f,
		   enum mode m, const struct params *p, struct result *res)
{
	double t[SLOTS][ROUNDS_MAX + 1], v[ROUNDS_MAX];
	struct counts before[N_INST], after[N_INST];
	uint64_t n, classified, opened;
	int r, k, slot, err;
	size_t c;

	for (c = 0; c < N_INST; c++) {
		err = read_counts(&in[c], f, &before[c]);
		if (err)
			return err;
	}
	/* round 0 is not counted: it warms caches and the flow table up */
	for (r = 0; r <= p->rounds; r++) {
		for (k = 0; k < (int)SLOTS; k++) {
			slot = (r + k) % SLOTS;
			err = time_slot(slot ? in[slot - 1].to_vm_fd : empty_fd,
					f, m, p, r, &t[slot][r]);
			if (err)
				return err;
		}
	}
	n = (uint64_t)(p->rounds + 1) *
	    (m == TRACKED ? p->repeat : p->news);
	for (c = 0; c < N_INST; c++) {
		err = read_counts(&in[c], f, &after[c]);
		if (err)
			return err;
		/* a tracked flow is not classified again; a denied one is */
		classified = m == NEW || f->hit == HIT_DEFAULT ? n : 0;
		opened = m == NEW ? n : 0;
		res->wrong[c] = !counts_ok(&in[c], f, &before[c], &after[c], n,
					   classified, opened);
	}

	for (slot = 0; slot < (int)SLOTS; slot++) {
		for (r = 0; r < p->rounds; r++)
			v[r] = t[slot][r + 1];
		res->ns[slot] = tg_bench_median(v, p->rounds);
	}
	for (c = 0; c < N_INST; c++) {
		for (r = 0; r < p->rounds; r++)
			v[r] = t[1][r + 1] ? t[1 + c][r + 1] / t[1][r + 1] : 0;
		res->vs_none[c] = tg_bench_median(v, p->rounds);
	}
	for (r = 0; r < p->rounds; r++)
		v[r] = t[2][r + 1] ? t[N_INST][r + 1] / t[2][r + 1] : 0;
	res->scale = tg_bench_median(v, p->rounds);
	return 0;
}

/*
 * Run the frame once, opening its flow for the tracked runs, and see
 * that it gets the verdict and counters of the path it is timed on.
 */
static int check_frame(const struct instance *in, struct frame *f)
{
	bool pass = expect_pass(in, f);
	int want = pass ? TC_ACT_UNSPEC : TC_ACT_SHOT, ret, err;
	struct counts a, b;
	uint8_t src[4];
	long rule;

	/* the reference matcher agrees with what the frame is meant to hit */
	if (in->rules) {
		memcpy(src, f->data + IP_OFF + offsetof(struct iphdr, saddr),
		       4);
		rule = tg_acl_match(&in->acl, 4, src, IPPROTO_UDP, f->dport);
		if (rule != (f->hit == HIT_DEFAULT ? -1 :
			     expected_rule(in, f))) {
			fprintf(stderr, "%zu rules: %s: rule %ld matches\n",
				in->rules, f->name, rule);
			return -EINVAL;
		}
	}
	err = read_counts(in, f, &a);
	if (!err)
		err = test_run(in->to_vm_fd, f, 1, NULL, &ret);
	if (!err)
		err = read_counts(in, f, &b);
	if (err) {
		fprintf(stderr, "%s: test run: %s\n", f->name, strerror(-err));
		return err;
	}
	if (ret == want && counts_ok(in, f, &a, &b, 1, 1, 1))
		return 0;
	fprintf(stderr,
		"%zu rules: %s: verdict %d (expected %d), tx +%llu, acl drops +%llu, other drops +%llu, hits +%llu, flows +%llu\n",
		in->rules, f->name, ret, want,
		(unsigned long long)(b.tx - a.tx),
		(unsigned long long)(b.drop_acl - a.drop_acl),
		(unsigned long long)(b.other_drops - a.other_drops),
		(unsigned long long)(b.hits - a.hits),
		(unsigned long long)(b.created - a.created));
	return -EINVAL;
}

/*
 * The rule set traffic.sh gives tenguardd goes through the policy parser:
 * it must come out as the rules timed here.
 */
static int check_json(const struct tg_acl_cfg *acl)
{
	struct tg_acl_cfg back[__TENGUARD_ACL_DIR_MAX];
	char path[] = "/tmp/bench_acl.XXXXXX", err[512];
	FILE *f;
	size_t i;
	int fd, ret;

	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		return -errno;
	}
	ret = bench_rules_print(f, acl, BENCH_RULES_JSON, NULL, NULL);
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret)
		ret = tg_acl_file_load(path, back, err, sizeof(err));
	unlink(path);
	if (ret) {
		fprintf(stderr, "the JSON rule set does not load: %s\n", err);
		return ret;
	}
	ret = back[TENGUARD_ACL_INGRESS].n_rules != acl->n_rules ||
	      back[TENGUARD_ACL_INGRESS].dflt != acl->dflt;
	for (i = 0; !ret && i < acl->n_rules; i++)
		ret = memcmp(&back[TENGUARD_ACL_INGRESS].rules[i],
			     &acl->rules[i], sizeof(acl->rules[i]));
	if (ret)
		fprintf(stderr, "the JSON rule set of %zu rules reads back as another (rule %zu)\n",
			acl->n_rules, i - 1);
	for (i = 0; i < __TENGUARD_ACL_DIR_MAX; i++)
		tg_acl_cfg_free(&back[i]);
	return ret ? -EINVAL : 0;
}

/* ---- output ---- */

static void print_results(const struct instance *in, const struct frame *fr,
			  size_t n, struct result res[][N_MODES],
			  const struct params *p)
{
	size_t i, c;
	int m;

	printf("tenguard ACL path (tg_to_vm, ingress rule set) under "
	       "BPF_PROG_TEST_RUN, ns per packet\n"
	       "median of %d rounds; in each the empty tc program and the "
	       "four ports run in turn\n"
	       "tracked: %u frames of one flow per run, the flow opened "
	       "before; new: %u runs of one\nframe per round, each frame "
	       "another flow (a run of one frame includes the kernel's\n"
	       "clock reads: see the empty program)\n\n", p->rounds,
	       p->repeat, p->news);
	printf("  %-8s %9s %10s %10s\n", "rules", "entries", "compiled",
	       "installed");
	for (c = 0; c < N_INST; c++) {
		if (!in[c].rules) {
			printf("  %-8s %9s\n", "none", "-");
			continue;
		}
		printf("  %-8zu %9zu %8.3f s %8.3f s\n", in[c].rules,
		       in[c].entries, in[c].compile_secs, in[c].install_secs);
	}

	for (m = 0; m < N_MODES; m++) {
		printf("\n  %-26s %5s %7s", m == TRACKED ? "tracked flows" :
		       "new flows", "empty", "none");
		for (c = 1; c < N_INST; c++)
			printf(" %7zu", in[c].rules);
		printf("   %zu/%zu\n", in[N_INST - 1].rules, in[1].rules);
		for (i = 0; i < n; i++) {
			printf("  %-26s %5.0f", fr[i].name, res[i][m].ns[0]);
			for (c = 0; c < N_INST; c++)
				printf(" %7.0f", res[i][m].ns[1 + c]);
			printf("   %5.2f", res[i][m].scale);
			for (c = 0; c < N_INST; c++)
				if (res[i][m].wrong[c])
					printf("  WRONG PATH (%zu rules)",
					       in[c].rules);
			printf("\n");
		}
		printf("  over no rule set\n");
		for (i = 0; i < n; i++) {
			printf("  %-26s %5s %7s", fr[i].name, "", "");
			for (c = 1; c < N_INST; c++)
				printf(" %6.2fx", res[i][m].vs_none[c]);
			printf("\n");
		}
	}
	printf("\n%zu rules / %zu rules, per round (1.00: the cost does not "
	       "grow with the rules)\n", in[N_INST - 1].rules, in[1].rules);
	for (m = 0; m < N_MODES; m++)
		for (i = 0; i < n; i++)
			printf("  %-8s %-26s %5.2f\n", mode_names[m],
			       fr[i].name, res[i][m].scale);
}

static int print_rules(int argc, char **argv)
{
	static const char *const formats[] = {
		[BENCH_RULES_JSON] = "json",
		[BENCH_RULES_NFT_MAP] = "nft-map",
		[BENCH_RULES_NFT_LIST] = "nft-list",
	};
	struct tg_acl_cfg acl;
	char *end;
	size_t n;
	int f, err;

	if (argc < 3)
		return -EINVAL;
	f = tg_name_index(formats, 3, argv[1]);
	n = strtoul(argv[2], &end, 10);
	if (f < 0 || *end || (f != BENCH_RULES_JSON && argc != 5) ||
	    (f == BENCH_RULES_JSON && argc != 3))
		return -EINVAL;
	if (n < BENCH_HITS) {
		fprintf(stderr, "%s: at least %d rules (the traffic's)\n",
			argv[2], BENCH_HITS);
		return 1;
	}
	err = bench_rules_make(n, &acl);
	if (err) {
		fprintf(stderr, "%zu rules: %s\n", n, strerror(-err));
		return 1;
	}
	err = bench_rules_print(stdout, &acl, f, argv[3], argv[4]);
	tg_acl_cfg_free(&acl);
	if (err)
		fprintf(stderr, "printing: %s\n", strerror(-err));
	return err ? 1 : 0;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s [-r REPEAT] [-N NEW] [-n ROUNDS]\n"
		"       %s rules json N | rules nft-map|nft-list N TABLE DEV\n"
		"  -r  tracked: frames per BPF_PROG_TEST_RUN (default %d)\n"
		"  -N  new: runs of one frame per round (default %d)\n"
		"  -n  rounds, the median counts (default %d, at most %d)\n",
		prog, prog, REPEAT_DEFAULT, NEW_DEFAULT, ROUNDS_DEFAULT,
		ROUNDS_MAX);
}

int main(int argc, char **argv)
{
	struct params p = {
		.repeat = REPEAT_DEFAULT, .news = NEW_DEFAULT,
		.rounds = ROUNDS_DEFAULT,
	};
	struct instance in[N_INST];
	struct frame frames[3];
	struct result res[3][N_MODES];
	int empty_fd = -1, opt, err = 0, wrong = 0, m;
	size_t n = 0, c, i, opened = 0;

	if (argc > 1 && !strcmp(argv[1], "rules")) {
		err = print_rules(argc - 1, argv + 1);
		if (err == -EINVAL)
			usage(argv[0]);
		return err ? 1 : 0;
	}
	while ((opt = getopt(argc, argv, "r:N:n:h")) != -1) {
		switch (opt) {
		case 'r':
			p.repeat = strtoul(optarg, NULL, 0);
			break;
		case 'N':
			p.news = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			p.rounds = atoi(optarg);
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 1;
		}
	}
	/* new flows need source ports that stay below the tracked frame's */
	if (optind != argc || !p.repeat || !p.news || p.rounds < 1 ||
	    p.rounds > ROUNDS_MAX ||
	    (uint64_t)(p.rounds + 1) * p.news > 32ULL * (65536 - 1024)) {
		usage(argv[0]);
		return 1;
	}

	frame_init(&frames[n++], "early (rule 0, allow)", 0);
	frame_init(&frames[n++], "late (last rule, allow)", BENCH_HITS - 1);
	frame_init(&frames[n++], "default (no rule, deny)", HIT_DEFAULT);

	for (opened = 0; opened < N_INST; opened++) {
		err = instance_open(&in[opened], rule_counts[opened]);
		if (!err && in[opened].rules)
			err = check_json(&in[opened].acl);
		if (err) {
			opened++;
			goto out;
		}
	}
	empty_fd = tg_bench_load_empty();
	if (empty_fd < 0) {
		err = -errno;
		fprintf(stderr, "loading the empty program: %s\n",
			strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++)
		for (c = 0; c < N_INST; c++)
			wrong += !!check_frame(&in[c], &frames[i]);
	if (wrong)
		goto out;

	for (i = 0; i < n; i++) {
		for (m = 0; m < N_MODES; m++) {
			err = measure(in, empty_fd, &frames[i], m, &p,
				      &res[i][m]);
			if (err) {
				fprintf(stderr, "%s: test run: %s\n",
					frames[i].name, strerror(-err));
				goto out;
			}
			for (c = 0; c < N_INST; c++)
				wrong += res[i][m].wrong[c];
		}
	}
	print_results(in, frames, n, res, &p);
out:
	if (empty_fd >= 0)
		close(empty_fd);
	for (c = 0; c < opened; c++)
		instance_close(&in[c]);
	if (!err && wrong)
		fprintf(stderr, "%d frame%s took another path than expected\n",
			wrong, wrong == 1 ? "" : "s");
	return err || wrong ? 1 : 0;
}
