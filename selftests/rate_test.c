// SPDX-License-Identifier: GPL-2.0
/*
 * The rate limiter through the real programs (BPF_PROG_TEST_RUN), where
 * time can be kept out of the result: a bucket whose rate refills less
 * than one packet during the test passes exactly its burst. Bursts of
 * bytes and of packets, a packet one bucket refuses taking nothing from
 * the other, 0 blocking, no limit passing all, changes of a limit neither
 * refilling nor emptying the bucket, shaping's departure times, and two
 * CPUs on one bucket passing the burst once, not twice. Needs root.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netinet/in.h>
#include <linux/pkt_cls.h>

#include "kselftest_harness.h"
#include "isolation.h"
#include "isolation.skel.h"

#define PORT_IFINDEX	1	/* lo: BPF_PROG_TEST_RUN needs a real device */
#define TENANT		100
#define FRAME		1000	/* bytes, Ethernet header included */
/*
 * 800 bit/s: a tenth of a byte a millisecond, a frame in 10 s: no refill
 * to speak of even under the guest's emulation
 */
#define SLOW_BPS	800
#define SLOW_PPS	1	/* a packet a second */

static const uint8_t port_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x02 };
static const uint8_t port_ip4[4] = { 198, 18, 1, 1 };
static const uint8_t peer_ip4[4] = { 198, 18, 1, 2 };

/* an IPv4 UDP frame of FRAME bytes, from the port (egress) or to it */
static void frame(uint8_t *d, int to_vm)
{
	uint32_t ip_len = FRAME - 14;

	memset(d, 0, FRAME);
	memcpy(d, to_vm ? port_mac : peer_mac, 6);
	memcpy(d + 6, to_vm ? peer_mac : port_mac, 6);
	d[12] = 0x08;
	d[14] = 0x45;
	d[16] = ip_len >> 8;
	d[17] = ip_len & 0xff;
	d[22] = 64;
	d[23] = IPPROTO_UDP;
	memcpy(d + 26, to_vm ? peer_ip4 : port_ip4, 4);
	memcpy(d + 30, to_vm ? port_ip4 : peer_ip4, 4);
	d[34] = 0x30;		/* ports 12345 -> 9 */
	d[35] = 0x39;
	d[37] = 9;
	d[38] = (ip_len - 20) >> 8;
	d[39] = (ip_len - 20) & 0xff;
}

FIXTURE(rate) {
	struct tg_dp dp;
	struct tg_policy pol;
	struct tg_port_cfg port;
	struct tg_prefix addr;
	uint8_t macs[1][6];
	uint8_t frame[2][FRAME];	/* by enum tenguard_acl_dir */
};

FIXTURE_SETUP(rate)
{
	struct tg_limits lim = TG_LIMITS_DEFAULT;

	lim.conntrack = 1024;
	ASSERT_EQ(0, tg_dp_open(&self->dp, NULL, &lim));
	self->port.kind = TENGUARD_PORT_VM;
	self->port.tenant = TENANT;
	strcpy(self->port.name, "ratetest");
	memcpy(self->macs[0], port_mac, 6);
	self->port.macs = self->macs;
	self->port.n_macs = 1;
	self->addr = (struct tg_prefix){ .family = AF_INET, .prefixlen = 32 };
	memcpy(self->addr.addr, port_ip4, 4);
	self->port.addrs = &self->addr;
	self->port.n_addrs = 1;
	self->pol.ports = &self->port;
	self->pol.n_ports = 1;
	frame(self->frame[TENGUARD_ACL_INGRESS], 1);
	frame(self->frame[TENGUARD_ACL_EGRESS], 0);
}

FIXTURE_TEARDOWN(rate)
{
	tg_dp_close(&self->dp);
}

static void program(struct __test_metadata *_metadata, FIXTURE_DATA(rate) *self)
{
	struct tg_dp_port p = { .ifindex = PORT_IFINDEX, .cfg = &self->port };

	ASSERT_EQ(0, tg_dp_program_port(&self->dp, &self->pol, &p, 1));
}

static void set_bps(struct tenguard_rate *r, uint64_t bps, uint32_t burst)
{
	r->flags |= TENGUARD_RATE_F_BPS;
	r->bps = bps;
	r->burst = burst;
}

static void set_pps(struct tenguard_rate *r, uint32_t pps, uint32_t burst)
{
	r->flags |= TENGUARD_RATE_F_PPS;
	r->pps = pps;
	r->pkt_burst = burst;
}

static int prog_fd(FIXTURE_DATA(rate) *self, int dir)
{
	struct isolation_bpf *s = self->dp.skel;

	return bpf_program__fd(dir == TENGUARD_ACL_INGRESS ? s->progs.tg_to_vm :
			       s->progs.tg_from_vm);
}

#define RUN_FAILED	(-1000)	/* not a verdict: TC_ACT_UNSPEC is -1 */

/* one frame through dir's program: its verdict, and skb->tstamp after */
static int send1(FIXTURE_DATA(rate) *self, int dir, uint64_t *tstamp)
{
	struct __sk_buff ctx = {
		.ifindex = PORT_IFINDEX,
		.mark = dir == TENGUARD_ACL_INGRESS ?
			TENGUARD_MARK_MAGIC | TENANT : 0,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = self->frame[dir],
		    .data_size_in = FRAME, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .ctx_out = &ctx,
		    .ctx_size_out = sizeof(ctx));

	if (bpf_prog_test_run_opts(prog_fd(self, dir), &opts))
		return RUN_FAILED;
	if (tstamp)
		*tstamp = ctx.tstamp;
	return opts.retval;
}

/* how many of n frames in a row pass */
static int passes(FIXTURE_DATA(rate) *self, int dir, int n)
{
	int i, passed = 0, ret;

	for (i = 0; i < n; i++) {
		ret = send1(self, dir, NULL);
		if (ret == RUN_FAILED)
			return ret;
		passed += ret == TC_ACT_UNSPEC;
	}
	return passed;
}

static void limiter_stats(FIXTURE_DATA(rate) *self, int dir,
			  struct tenguard_rate_stats *sum, uint64_t *drops)
{
	int ncpu = libbpf_num_possible_cpus(), cpu;
	struct tenguard_stats *v = calloc(ncpu, sizeof(*v));
	uint32_t key = PORT_IFINDEX;

	memset(sum, 0, sizeof(*sum));
	*drops = 0;
	if (!v || bpf_map_lookup_elem(bpf_map__fd(self->dp.skel->maps.tg_stats),
				      &key, v)) {
		free(v);
		return;
	}
	for (cpu = 0; cpu < ncpu; cpu++) {
		sum->packets += v[cpu].rate[dir].packets;
		sum->bytes += v[cpu].rate[dir].bytes;
		sum->shaped += v[cpu].rate[dir].shaped;
		sum->drop_packets += v[cpu].rate[dir].drop_packets;
		sum->drop_bytes += v[cpu].rate[dir].drop_bytes;
		*drops += v[cpu].drop[TENGUARD_DROP_RATE];
	}
	free(v);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

TEST_F(rate, byte_burst_exact_both_directions)
{
	struct tenguard_rate_stats st;
	uint64_t drops;
	int dir;

	for (dir = 0; dir < __TENGUARD_ACL_DIR_MAX; dir++)
		set_bps(&self->port.rate[dir], SLOW_BPS, 15 * FRAME);
	program(_metadata, self);
	for (dir = 0; dir < __TENGUARD_ACL_DIR_MAX; dir++) {
		EXPECT_EQ(15, passes(self, dir, 40)) TH_LOG("direction %d", dir);
		limiter_stats(self, dir, &st, &drops);
		EXPECT_EQ(15ULL, st.packets);
		EXPECT_EQ(15ULL * FRAME, st.bytes);
		EXPECT_EQ(25ULL, st.drop_packets);
		EXPECT_EQ(25ULL * FRAME, st.drop_bytes);
		EXPECT_EQ(0ULL, st.shaped);
	}
	EXPECT_EQ(50ULL, drops);
}

TEST_F(rate, burst_one_frame_short_passes_one_less)
{
	set_bps(&self->port.rate[TENGUARD_ACL_EGRESS], SLOW_BPS,
		15 * FRAME - 1);
	program(_metadata, self);
	EXPECT_EQ(14, passes(self, TENGUARD_ACL_EGRESS, 40));
}

TEST_F(rate, packet_burst_exact)
{
	set_pps(&self->port.rate[TENGUARD_ACL_EGRESS], SLOW_PPS, 7);
	program(_metadata, self);
	EXPECT_EQ(7, passes(self, TENGUARD_ACL_EGRESS, 30));
	/* the other direction has no limit */
	EXPECT_EQ(30, passes(self, TENGUARD_ACL_INGRESS, 30));
}

/* a frame the byte bucket refuses takes nothing from the packet bucket */
TEST_F(rate, refused_takes_from_neither)
{
	struct tenguard_rate *r = &self->port.rate[TENGUARD_ACL_EGRESS];

	set_pps(r, SLOW_PPS, 10);
	set_bps(r, SLOW_BPS, 4 * FRAME);
	program(_metadata, self);
	EXPECT_EQ(4, passes(self, TENGUARD_ACL_EGRESS, 50));
	/* bytes no longer the bound: 6 packet tokens remain, not 0 */
	r->bps = 1000000000;
	r->burst = 1000 * FRAME;
	program(_metadata, self);
	EXPECT_EQ(6, passes(self, TENGUARD_ACL_EGRESS, 50));
}

TEST_F(rate, zero_blocks_none_passes_all)
{
	set_bps(&self->port.rate[TENGUARD_ACL_EGRESS], 0, 0);
	set_pps(&self->port.rate[TENGUARD_ACL_INGRESS], 0, 0);
	program(_metadata, self);
	EXPECT_EQ(0, passes(self, TENGUARD_ACL_EGRESS, 20));
	EXPECT_EQ(0, passes(self, TENGUARD_ACL_INGRESS, 20));
	memset(self->port.rate, 0, sizeof(self->port.rate));
	program(_metadata, self);
	EXPECT_EQ(1000, passes(self, TENGUARD_ACL_EGRESS, 1000));
	EXPECT_EQ(1000, passes(self, TENGUARD_ACL_INGRESS, 1000));
}

/* a limit with no bucket (the daemon failed to make it) passes nothing */
TEST_F(rate, no_bucket_fails_closed)
{
	struct tenguard_rate_key key = { PORT_IFINDEX, TENGUARD_ACL_EGRESS };

	set_bps(&self->port.rate[TENGUARD_ACL_EGRESS], 1000000000, 100000);
	program(_metadata, self);
	ASSERT_EQ(0, bpf_map_delete_elem(bpf_map__fd(self->dp.skel->maps.tg_rate),
					 &key));
	EXPECT_EQ(0, passes(self, TENGUARD_ACL_EGRESS, 5));
}

/* a larger burst or rate later does not refill an empty bucket */
TEST_F(rate, raising_the_limit_gives_no_burst)
{
	struct tenguard_rate *r = &self->port.rate[TENGUARD_ACL_EGRESS];

	set_bps(r, SLOW_BPS, 5 * FRAME);
	program(_metadata, self);
	EXPECT_EQ(5, passes(self, TENGUARD_ACL_EGRESS, 20));
	r->burst = 50 * FRAME;
	program(_metadata, self);
	EXPECT_EQ(0, passes(self, TENGUARD_ACL_EGRESS, 20));
	/* twice the rate: still empty, refilling twice as fast */
	r->bps = 2 * SLOW_BPS;
	program(_metadata, self);
	EXPECT_EQ(0, passes(self, TENGUARD_ACL_EGRESS, 20));
}

/* a lower rate later does not empty a full bucket, nor refill a used one */
TEST_F(rate, changing_the_rate_keeps_the_bytes)
{
	struct tenguard_rate *r = &self->port.rate[TENGUARD_ACL_EGRESS];

	set_bps(r, SLOW_BPS, 20 * FRAME);
	program(_metadata, self);
	EXPECT_EQ(8, passes(self, TENGUARD_ACL_EGRESS, 8));
	/* a tenth of the rate: the 12 frames left stay 12 frames */
	r->bps = SLOW_BPS / 10;
	program(_metadata, self);
	EXPECT_EQ(12, passes(self, TENGUARD_ACL_EGRESS, 30));
	/* and the bucket the daemon left alone */
	r->bps = SLOW_BPS;
	program(_metadata, self);
	EXPECT_EQ(0, passes(self, TENGUARD_ACL_EGRESS, 10));
}

/* a port removed and programmed again starts full: its bucket went */
TEST_F(rate, forgotten_port_loses_its_bucket)
{
	set_bps(&self->port.rate[TENGUARD_ACL_EGRESS], SLOW_BPS, 3 * FRAME);
	program(_metadata, self);
	EXPECT_EQ(3, passes(self, TENGUARD_ACL_EGRESS, 10));
	ASSERT_EQ(0, tg_dp_forget_port(&self->dp, PORT_IFINDEX));
	program(_metadata, self);
	EXPECT_EQ(3, passes(self, TENGUARD_ACL_EGRESS, 10));
}

/*
 * Shaping: past the burst a frame passes with a departure time one frame
 * later than the one before, up to one more burst of waiting; then drops.
 * Frames refilled while the test runs (an emulated guest is slow) pass
 * too. Set in tg_ports directly: without fq (this host) the daemon polices.
 */
TEST_F(rate, shaping_spaces_departures)
{
	struct tenguard_rate *r = &self->port.rate[TENGUARD_ACL_INGRESS];
	int fd = bpf_map__fd(self->dp.skel->maps.tg_ports);
	uint32_t key = PORT_IFINDEX;
	/* 80 kbit/s: a 1000-byte frame every 100 ms, 4 in the burst */
	const uint64_t gap = 100000000;
	struct tenguard_rate_stats st;
	struct tenguard_port port;
	uint64_t ts, prev = 0, start, drops, refilled;
	int i, ret, passed = 0;

	set_bps(r, 80000, 4 * FRAME);
	program(_metadata, self);
	ASSERT_EQ(0, bpf_map_lookup_elem(fd, &key, &port));
	port.rate[TENGUARD_ACL_INGRESS].flags |= TENGUARD_RATE_F_SHAPE;
	ASSERT_EQ(0, bpf_map_update_elem(fd, &key, &port, BPF_EXIST));
	start = mono_ns();
	for (i = 0; i < 12; i++) {
		ret = send1(self, TENGUARD_ACL_INGRESS, &ts);
		ASSERT_NE(RUN_FAILED, ret);
		if (ret != TC_ACT_UNSPEC)
			continue;
		ASSERT_GE(ts, start);
		/* past the burst: one frame's time after the one before */
		if (passed > 4)
			EXPECT_EQ(gap, ts - prev) TH_LOG("frame %d", i);
		prev = ts;
		passed++;
	}
	refilled = (mono_ns() - start) / gap;
	/* the burst, and as much again waiting */
	EXPECT_GE(passed, 8);
	EXPECT_LE((uint64_t)passed, 8 + refilled);
	EXPECT_GT(prev - start, 3 * gap) TH_LOG("the last frame did not wait");
	limiter_stats(self, TENGUARD_ACL_INGRESS, &st, &drops);
	EXPECT_EQ((uint64_t)passed, st.packets);
	EXPECT_GE(st.shaped, 4ULL);
	EXPECT_EQ(12ULL - passed, st.drop_packets);
}

/* the GSO packet counts its segments against the packet rate */
TEST_F(rate, gso_packet_counts_its_segments)
{
	struct __sk_buff ctx = {
		.ifindex = PORT_IFINDEX,
		.gso_segs = 4,
		.gso_size = 200,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = self->frame[TENGUARD_ACL_EGRESS],
		    .data_size_in = FRAME, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx));
	int fd;

	set_pps(&self->port.rate[TENGUARD_ACL_EGRESS], SLOW_PPS, 10);
	program(_metadata, self);
	fd = prog_fd(self, TENGUARD_ACL_EGRESS);
	ASSERT_EQ(0, bpf_prog_test_run_opts(fd, &opts));
	EXPECT_EQ(TC_ACT_UNSPEC, (int)opts.retval);
	ASSERT_EQ(0, bpf_prog_test_run_opts(fd, &opts));
	EXPECT_EQ(TC_ACT_UNSPEC, (int)opts.retval);
	/* 8 of 10 taken: a third of 4 does not fit, 2 single frames do */
	ASSERT_EQ(0, bpf_prog_test_run_opts(fd, &opts));
	EXPECT_EQ(TC_ACT_SHOT, (int)opts.retval);
	EXPECT_EQ(2, passes(self, TENGUARD_ACL_EGRESS, 5));
}

struct hammer {
	int fd, cpu, runs;
	const void *data;
	int err;
};

static void *hammer(void *arg)
{
	struct hammer *h = arg;
	struct __sk_buff ctx = { .ifindex = PORT_IFINDEX };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = h->data,
		    .data_size_in = FRAME, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = h->runs);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(h->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	if (bpf_prog_test_run_opts(h->fd, &opts))
		h->err = -errno;
	return NULL;
}

/*
 * Two CPUs drain one bucket at once: together they pass its burst exactly,
 * as many tokens as there are. Per-CPU buckets would pass it twice; an
 * unsynchronised read-modify-write more than once.
 */
TEST_F(rate, two_cpus_share_one_bucket)
{
	const int burst = 20000, runs = 50000;
	struct tenguard_rate_stats st;
	struct hammer h[2];
	pthread_t t[2];
	uint64_t drops, start;
	int i;

	if (libbpf_num_possible_cpus() < 2 || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two CPUs");
	/* 8 kbit/s: not one frame of refill in the test's seconds */
	set_bps(&self->port.rate[TENGUARD_ACL_EGRESS], 8000, burst * FRAME);
	program(_metadata, self);
	start = mono_ns();
	for (i = 0; i < 2; i++) {
		h[i] = (struct hammer){ .fd = prog_fd(self, TENGUARD_ACL_EGRESS),
					.cpu = i, .runs = runs,
					.data = self->frame[TENGUARD_ACL_EGRESS] };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, hammer, &h[i]));
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, h[i].err);
	}
	limiter_stats(self, TENGUARD_ACL_EGRESS, &st, &drops);
	/* a frame of refill is 1 s: allowed for if the test took longer */
	EXPECT_GE(st.packets, (uint64_t)burst);
	EXPECT_LE(st.packets, burst + (mono_ns() - start) / 1000000000ULL);
	EXPECT_EQ(2ULL * runs, st.packets + st.drop_packets);
	TH_LOG("%llu passed of %d runs on 2 CPUs, burst %d",
	       (unsigned long long)st.packets, 2 * runs, burst);
}

TEST_HARNESS_MAIN
