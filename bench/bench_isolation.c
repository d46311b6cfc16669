// SPDX-License-Identifier: GPL-2.0
/*
 * Cost per packet of bpf/isolation.bpf.c as the number of ports grows.
 *
 * Three copies of the programs and maps are loaded, holding 1, 1,000 and
 * 100,000 VM ports, and run through BPF_PROG_TEST_RUN on whole Ethernet
 * frames, taking turns with an empty tc program. The port under test is lo
 * (ifindex 1: a test run needs a device of this netns, and lo is always
 * there); the other ports sit at made-up ifindexes, since the programs only
 * look them up. What is printed are ratios measured side by side, not
 * numbers of this machine, and nothing here judges speed: the run fails
 * only if a frame's verdict, or the counter that explains it, is not the
 * expected one, because then the wrong path was timed.
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
#include <netinet/icmp6.h>
#include <netinet/if_ether.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>

#include "bench_common.h"
#include "isolation.h"
#include "isolation.skel.h"
#include "names.h"
#include "policy.h"

#define PORT_IFINDEX	1	/* lo */
#define FILL_IFINDEX	1000	/* + port number, for all other ports */
#define TENANT		1
#define OTHER_TENANT	2
#define ADMIT		(-1)	/* a frame's expected reason: none */

#define REPEAT_DEFAULT	500000
#define ROUNDS_DEFAULT	7
#define ROUNDS_MAX	101

static const uint32_t port_counts[] = { 1, 1000, 100000 };
#define N_COUNTS	(sizeof(port_counts) / sizeof(port_counts[0]))

/* the addresses of port i; port 0 is the one under test */
struct addrs {
	uint8_t mac[ETH_ALEN];
	uint8_t ip4[4];
	uint8_t ip6[16];
};

enum dir { FROM_VM, TO_VM };

struct frame {
	const char *name;
	enum dir dir;
	uint32_t mark;		/* skb->mark on entry */
	int reason;		/* enum tenguard_drop, or ADMIT */
	uint32_t len;
	uint8_t data[128];
};

#define MAX_FRAMES	8

static const struct addrs gateway = {
	.mac = { 0x02, 0x54, 0x00, 0xff, 0xff, 0xfe },
	.ip4 = { 10, 255, 255, 254 },
	.ip6 = { 0x20, 0x01, 0x0d, 0xb8, [12] = 0xff, 0xff, 0xff, 0xfe },
};

static void port_addrs(uint32_t i, struct addrs *a)
{
	uint32_t host = i + 1;
	uint8_t h[3] = { host >> 16, host >> 8, host };

	memset(a, 0, sizeof(*a));
	a->mac[0] = 0x02;
	a->mac[1] = 0x54;
	memcpy(&a->mac[3], h, 3);
	a->ip4[0] = 10;
	memcpy(&a->ip4[1], h, 3);
	a->ip6[0] = 0x20;
	a->ip6[1] = 0x01;
	a->ip6[2] = 0x0d;
	a->ip6[3] = 0xb8;
	memcpy(&a->ip6[13], h, 3);
}

/* ---- frames ---- */

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* checksum of an upper-layer header and payload over an IPv6 pseudo-header */
static uint16_t csum6(const uint8_t *src, const uint8_t *dst, uint8_t proto,
		      const void *l4, size_t len)
{
	uint32_t sum = 0;

	sum = csum_add(sum, src, 16);
	sum = csum_add(sum, dst, 16);
	sum += len + proto;
	return csum_fold(csum_add(sum, l4, len));
}

static uint16_t csum4(const uint8_t *src, const uint8_t *dst, uint8_t proto,
		      const void *l4, size_t len)
{
	uint32_t sum = 0;

	sum = csum_add(sum, src, 4);
	sum = csum_add(sum, dst, 4);
	sum += len + proto;
	return csum_fold(csum_add(sum, l4, len));
}

static uint32_t put_eth(uint8_t *p, const uint8_t *dst, const uint8_t *src,
			uint16_t type)
{
	struct ether_header eh;

	memcpy(eh.ether_dhost, dst, ETH_ALEN);
	memcpy(eh.ether_shost, src, ETH_ALEN);
	eh.ether_type = htons(type);
	memcpy(p, &eh, sizeof(eh));
	return sizeof(eh);
}

/* a DNS-sized UDP datagram; the payload is never read */
#define UDP_PAYLOAD	48

static uint32_t put_udp(uint8_t *p, uint16_t sport, uint16_t dport)
{
	struct udphdr uh = {
		.source = htons(sport),
		.dest = htons(dport),
		.len = htons(sizeof(uh) + UDP_PAYLOAD),
	};
	size_t i;

	memcpy(p, &uh, sizeof(uh));
	for (i = 0; i < UDP_PAYLOAD; i++)
		p[sizeof(uh) + i] = i;
	return sizeof(uh) + UDP_PAYLOAD;
}

static void udp4_frame(struct frame *f, const uint8_t *dmac,
		       const uint8_t *smac, const uint8_t *dip,
		       const uint8_t *sip)
{
	uint8_t *p = f->data;
	struct iphdr ip = {
		.version = 4,
		.ihl = 5,
		.ttl = 64,
		.protocol = IPPROTO_UDP,
		.id = htons(0x1234),
		.frag_off = htons(IP_DF),
	};
	uint32_t off = put_eth(p, dmac, smac, ETHERTYPE_IP);
	uint32_t l4 = off + sizeof(ip);
	uint32_t l4len = put_udp(p + l4, 40000, 53);
	uint16_t sum;

	ip.tot_len = htons(sizeof(ip) + l4len);
	memcpy(&ip.saddr, sip, 4);
	memcpy(&ip.daddr, dip, 4);
	ip.check = csum_fold(csum_add(0, &ip, sizeof(ip)));
	memcpy(p + off, &ip, sizeof(ip));
	sum = csum4(sip, dip, IPPROTO_UDP, p + l4, l4len);
	memcpy(p + l4 + offsetof(struct udphdr, check), &sum, sizeof(sum));
	f->len = l4 + l4len;
}

static uint32_t put_ip6(uint8_t *p, uint8_t nxt, uint16_t plen, uint8_t hlim,
			const uint8_t *src, const uint8_t *dst)
{
	struct ip6_hdr ip6 = {
		.ip6_flow = htonl(6 << 28),
		.ip6_plen = htons(plen),
		.ip6_nxt = nxt,
		.ip6_hlim = hlim,
	};

	memcpy(&ip6.ip6_src, src, 16);
	memcpy(&ip6.ip6_dst, dst, 16);
	memcpy(p, &ip6, sizeof(ip6));
	return sizeof(ip6);
}

/* UDP behind a hop-by-hop header: the extension header walk is on the path */
static void udp6_hbh_frame(struct frame *f, const struct addrs *port)
{
	uint8_t *p = f->data;
	uint8_t hbh[8] = { IPPROTO_UDP, 0, 1 /* PadN */, 4 };
	uint32_t off = put_eth(p, gateway.mac, port->mac, ETHERTYPE_IPV6);
	uint32_t l4 = off + sizeof(struct ip6_hdr) + sizeof(hbh);
	uint32_t l4len = put_udp(p + l4, 40000, 53);
	uint16_t sum;

	off += put_ip6(p + off, IPPROTO_HOPOPTS, sizeof(hbh) + l4len, 64,
		       port->ip6, gateway.ip6);
	memcpy(p + off, hbh, sizeof(hbh));
	sum = csum6(port->ip6, gateway.ip6, IPPROTO_UDP, p + l4, l4len);
	memcpy(p + l4 + offsetof(struct udphdr, check), &sum, sizeof(sum));
	f->len = l4 + l4len;
}

/* the port resolving its router: from its link-local address, with SLLA */
static void ns_frame(struct frame *f, const struct addrs *port)
{
	uint8_t *p = f->data;
	uint8_t src[16], dst[16] = { 0xff, 0x02, [11] = 0x01, 0xff };
	uint8_t dmac[ETH_ALEN] = { 0x33, 0x33, 0xff };
	struct nd_neighbor_solicit ns = {
		.nd_ns_type = ND_NEIGHBOR_SOLICIT,
	};
	struct nd_opt_hdr opt = {
		.nd_opt_type = ND_OPT_SOURCE_LINKADDR,
		.nd_opt_len = 1,
	};
	uint8_t icmp[sizeof(ns) + sizeof(opt) + ETH_ALEN];
	uint16_t sum;
	uint32_t off;

	tg_mac_to_link_local(port->mac, src);
	memcpy(&dst[13], &gateway.ip6[13], 3);
	memcpy(&dmac[3], &gateway.ip6[13], 3);
	memcpy(&ns.nd_ns_target, gateway.ip6, 16);
	memcpy(icmp, &ns, sizeof(ns));
	memcpy(icmp + sizeof(ns), &opt, sizeof(opt));
	memcpy(icmp + sizeof(ns) + sizeof(opt), port->mac, ETH_ALEN);
	sum = csum6(src, dst, IPPROTO_ICMPV6, icmp, sizeof(icmp));
	memcpy(icmp + offsetof(struct icmp6_hdr, icmp6_cksum), &sum,
	       sizeof(sum));

	off = put_eth(p, dmac, port->mac, ETHERTYPE_IPV6);
	off += put_ip6(p + off, IPPROTO_ICMPV6, sizeof(icmp), 255, src, dst);
	memcpy(p + off, icmp, sizeof(icmp));
	f->len = off + sizeof(icmp);
}

static void arp_frame(struct frame *f, const struct addrs *port)
{
	static const uint8_t bcast[ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	uint8_t *p = f->data;
	struct ether_arp arp = {
		.arp_hrd = htons(ARPHRD_ETHER),
		.arp_pro = htons(ETHERTYPE_IP),
		.arp_hln = ETH_ALEN,
		.arp_pln = 4,
		.arp_op = htons(ARPOP_REQUEST),
	};
	uint32_t off = put_eth(p, bcast, port->mac, ETHERTYPE_ARP);

	memcpy(arp.arp_sha, port->mac, ETH_ALEN);
	memcpy(arp.arp_spa, port->ip4, 4);
	memcpy(arp.arp_tpa, gateway.ip4, 4);
	memcpy(p + off, &arp, sizeof(arp));
	f->len = ETH_ZLEN;	/* padded to the minimum, as on the wire */
}

static struct frame *frame(struct frame *f, const char *name, enum dir dir,
			   uint32_t mark, int reason)
{
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->dir = dir;
	f->mark = mark;
	f->reason = reason;
	return f;
}

static size_t build_frames(struct frame *fr)
{
	const uint32_t ours = TENGUARD_MARK_MAGIC | TENANT;
	const uint32_t theirs = TENGUARD_MARK_MAGIC | OTHER_TENANT;
	struct addrs port, other;
	struct frame *f = fr;

	port_addrs(0, &port);
	/* a spoofer claims its neighbour's addresses, bound on another port */
	port_addrs(1, &other);

	udp4_frame(frame(f++, "ipv4 udp", FROM_VM, 0, ADMIT),
		   gateway.mac, port.mac, gateway.ip4, port.ip4);
	udp6_hbh_frame(frame(f++, "ipv6 hop-by-hop udp", FROM_VM, 0, ADMIT),
		       &port);
	ns_frame(frame(f++, "ipv6 nd solicit", FROM_VM, 0, ADMIT), &port);
	arp_frame(frame(f++, "arp request", FROM_VM, 0, ADMIT), &port);
	udp4_frame(frame(f++, "ipv4 spoofed src ip", FROM_VM, 0,
			 TENGUARD_DROP_SRC_IP),
		   gateway.mac, port.mac, gateway.ip4, other.ip4);
	udp4_frame(frame(f++, "ipv4 spoofed src mac", FROM_VM, 0,
			 TENGUARD_DROP_SRC_MAC),
		   gateway.mac, other.mac, gateway.ip4, port.ip4);
	udp4_frame(frame(f++, "ipv4 same tenant", TO_VM, ours, ADMIT),
		   port.mac, gateway.mac, port.ip4, gateway.ip4);
	udp4_frame(frame(f++, "ipv4 other tenant", TO_VM, theirs,
			 TENGUARD_DROP_TENANT),
		   port.mac, gateway.mac, port.ip4, gateway.ip4);
	return f - fr;
}

/* ---- ports ---- */

/* one loaded copy of the programs and maps, holding this many ports */
struct instance {
	uint32_t ports;
	struct tg_dp dp;
	int from_vm_fd;
	int to_vm_fd;
	int stats_fd;
	unsigned int retries;	/* transient ENOMEM while programming */
	double secs;		/* time taken to program the ports */
};

static int program_port(struct tg_dp *dp, uint32_t i)
{
	struct addrs a;
	uint8_t macs[1][ETH_ALEN];
	struct tg_prefix addrs[2] = {
		{ .family = AF_INET, .prefixlen = 32 },
		{ .family = AF_INET6, .prefixlen = 128 },
	};
	struct tg_port_cfg cfg = {
		.kind = TENGUARD_PORT_VM,
		/* the others spread over 1000 tenants, ours among them */
		.tenant = i ? 1 + i % 1000 : TENANT,
		.macs = macs,
		.n_macs = 1,
		.addrs = addrs,
		.n_addrs = 2,
	};
	struct tg_dp_port port = {
		.ifindex = i ? FILL_IFINDEX + i : PORT_IFINDEX,
		.cfg = &cfg,
	};

	port_addrs(i, &a);
	memcpy(macs[0], a.mac, ETH_ALEN);
	memcpy(addrs[0].addr, a.ip4, 4);
	memcpy(addrs[1].addr, a.ip6, 16);
	snprintf(cfg.name, sizeof(cfg.name), "bench%u", i);
	static const struct tg_policy none;

	return tg_dp_program_port(dp, &none, &port, 1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t at_least(uint32_t dflt, uint32_t need)
{
	return need > dflt ? need : dflt;
}

/*
 * tg_stats is a per-CPU hash without preallocation: its elements come from
 * per-CPU caches the kernel refills asynchronously, and inserting faster
 * than they refill fails with ENOMEM with memory to spare. Programming a
 * port twice writes the same entries, so wait for the refill and retry.
 */
static int instance_open(struct instance *in, uint32_t ports)
{
	struct tg_limits lim = TG_LIMITS_DEFAULT;
	double t = now();
	int err, tries;
	uint32_t i;

	memset(in, 0, sizeof(*in));
	in->ports = ports;
	/* the daemon's defaults, raised where the ports need more */
	lim.ports = at_least(lim.ports, ports + 64);
	lim.macs = at_least(lim.macs, ports + 64);
	lim.addrs = at_least(lim.addrs, 3 * ports + 64);
	err = tg_dp_open(&in->dp, NULL, &lim);
	if (err) {
		fprintf(stderr, "loading bpf/isolation.bpf.c: %s\n",
			strerror(-err));
		return err;
	}
	in->from_vm_fd = bpf_program__fd(in->dp.skel->progs.tg_from_vm);
	in->to_vm_fd = bpf_program__fd(in->dp.skel->progs.tg_to_vm);
	in->stats_fd = bpf_map__fd(in->dp.skel->maps.tg_stats);

	for (i = 0; i < ports; i++) {
		for (tries = 0; tries < 100; tries++) {
			err = program_port(&in->dp, i);
			if (err != -ENOMEM)
				break;
			in->retries++;
			usleep(1000);
		}
		if (err) {
			fprintf(stderr, "programming port %u of %u: %s\n", i,
				ports, strerror(-err));
			tg_dp_close(&in->dp);
			return err;
		}
	}
	in->secs = now() - t;
	return 0;
}

/* ---- measuring ---- */

static int test_run(int fd, const struct frame *f, uint32_t repeat,
		    uint32_t *ns, int *retval)
{
	struct __sk_buff ctx = { .ifindex = PORT_IFINDEX, .mark = f->mark };
	struct bpf_test_run_opts opts = {
		.sz = sizeof(opts),
		.data_in = f->data,
		.data_size_in = f->len,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = repeat,
	};
	int err = bpf_prog_test_run_opts(fd, &opts);

	if (err)
		return err;
	if (ns)
		*ns = opts.duration;
	if (retval)
		*retval = (int)opts.retval;
	return 0;
}

static int read_stats(int fd, struct tenguard_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus(), i, j;
	uint32_t key = PORT_IFINDEX;
	struct tenguard_stats *v;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, v)) {
		free(v);
		return -errno;
	}
	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < ncpu; i++) {
		sum->rx_packets += v[i].rx_packets;
		sum->tx_packets += v[i].tx_packets;
		for (j = 0; j < __TENGUARD_DROP_MAX; j++)
			sum->drop[j] += v[i].drop[j];
	}
	free(v);
	return 0;
}

static const char *reason_name(int reason)
{
	return reason == ADMIT ? "admitted" : tg_drop_names[reason];
}

static int prog_fd(const struct instance *in, const struct frame *f)
{
	return f->dir == FROM_VM ? in->from_vm_fd : in->to_vm_fd;
}

/*
 * Run the frame once and see that it takes the path it is timed on: the
 * right verdict and the counter of the right reason. 0 if so.
 */
static int check_frame(const struct instance *in, const struct frame *f)
{
	int want = f->reason == ADMIT ? TC_ACT_UNSPEC : TC_ACT_SHOT;
	struct tenguard_stats a, b;
	int err, ret, got = -2, j;

	err = read_stats(in->stats_fd, &a);
	if (!err)
		err = test_run(prog_fd(in, f), f, 1, NULL, &ret);
	if (!err)
		err = read_stats(in->stats_fd, &b);
	if (err) {
		fprintf(stderr, "%s: test run: %s\n", f->name, strerror(-err));
		return err;
	}
	if (f->dir == FROM_VM ? b.rx_packets != a.rx_packets :
	    b.tx_packets != a.tx_packets)
		got = ADMIT;
	for (j = 0; j < __TENGUARD_DROP_MAX; j++)
		if (b.drop[j] != a.drop[j])
			got = j;
	if (ret == want && got == f->reason)
		return 0;
	fprintf(stderr, "%u port%s: %s %s: verdict %d (%s), expected %d (%s)\n",
		in->ports, in->ports == 1 ? "" : "s",
		f->dir == FROM_VM ? "from_vm" : "to_vm", f->name, ret,
		got == -2 ? "no counter moved" : reason_name(got), want,
		reason_name(f->reason));
	return -EINVAL;
}

struct result {
	bool wrong[N_COUNTS];		/* verdict or reason not as expected */
	double empty;			/* ns/pkt of the empty program */
	double ns[N_COUNTS];		/* ns/pkt of the isolation program */
	double vs_empty[N_COUNTS];	/* to the empty program, per round */
	double scale;			/* most ports to fewest, per round */
};

/*
 * The empty program and every instance take turns within each round, the
 * first one rotating, so that a machine that speeds up or slows down
 * between rounds (frequency, neighbours) moves all of them alike; ratios
 * are taken within a round and their median reported.
 */
static int measure(const struct instance *in, int empty_fd,
		   const struct frame *f, uint32_t repeat, int rounds,
		   struct result *res)
{
	uint32_t t[1 + N_COUNTS][ROUNDS_MAX];
	double v[ROUNDS_MAX];
	int r, k, slot, fd, err;
	size_t c;

	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 1 + (int)N_COUNTS; k++) {
			slot = (r + k) % (1 + N_COUNTS);
			fd = slot ? prog_fd(&in[slot - 1], f) : empty_fd;
			err = test_run(fd, f, repeat, &t[slot][r], NULL);
			if (err)
				return err;
		}
	}
	for (r = 0; r < rounds; r++)
		v[r] = t[0][r];
	res->empty = tg_bench_median(v, rounds);
	for (c = 0; c < N_COUNTS; c++) {
		for (r = 0; r < rounds; r++)
			v[r] = t[1 + c][r];
		res->ns[c] = tg_bench_median(v, rounds);
		for (r = 0; r < rounds; r++)
			v[r] = t[0][r] ? (double)t[1 + c][r] / t[0][r] : 0;
		res->vs_empty[c] = tg_bench_median(v, rounds);
	}
	for (r = 0; r < rounds; r++)
		v[r] = t[1][r] ? (double)t[N_COUNTS][r] / t[1][r] : 0;
	res->scale = tg_bench_median(v, rounds);
	return 0;
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
	struct instance in[N_COUNTS];
	struct frame frames[MAX_FRAMES];
	struct result res[MAX_FRAMES];
	uint32_t repeat = REPEAT_DEFAULT;
	int rounds = ROUNDS_DEFAULT, empty_fd = -1, opt, err = 0;
	int wrong = 0;
	size_t n, c, i, opened = 0;

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

	n = build_frames(frames);
	for (opened = 0; opened < N_COUNTS; opened++) {
		err = instance_open(&in[opened], port_counts[opened]);
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

	for (i = 0; i < n; i++) {
		for (c = 0; c < N_COUNTS; c++) {
			res[i].wrong[c] = check_frame(&in[c], &frames[i]);
			wrong += res[i].wrong[c];
		}
		err = measure(in, empty_fd, &frames[i], repeat, rounds,
			      &res[i]);
		if (err) {
			fprintf(stderr, "%s: test run: %s\n", frames[i].name,
				strerror(-err));
			goto out;
		}
	}

	printf("tenguard isolation programs under BPF_PROG_TEST_RUN, "
	       "ns per packet\n"
	       "median of %d rounds of %u packets; in each round the empty "
	       "tc program\n(r0 = TC_ACT_UNSPEC) and the programs at every "
	       "port count run in turn\n"
	       "each port: 1 MAC, 1 IPv4 /32, 1 IPv6 /128 and its "
	       "link-local address\n", rounds, repeat);
	for (c = 0; c < N_COUNTS; c++) {
		printf("\n%u port%s (programmed in %.1f s", in[c].ports,
		       in[c].ports == 1 ? "" : "s", in[c].secs);
		if (in[c].retries)
			printf(", %u transient ENOMEM retried",
			       in[c].retries);
		printf(")\n  %-8s %-22s %-9s %7s %7s %8s\n", "program",
		       "frame", "verdict", "ns/pkt", "empty", "x empty");
		for (i = 0; i < n; i++)
			printf("  %-8s %-22s %-9s %7.0f %7.0f %7.1fx%s\n",
			       frames[i].dir == FROM_VM ? "from_vm" : "to_vm",
			       frames[i].name, reason_name(frames[i].reason),
			       res[i].ns[c], res[i].empty,
			       res[i].vs_empty[c],
			       res[i].wrong[c] ? "  WRONG VERDICT" : "");
	}
	printf("\ncost with %u ports / cost with %u port, per round "
	       "(1.00: does not grow with ports)\n",
	       port_counts[N_COUNTS - 1], port_counts[0]);
	for (i = 0; i < n; i++)
		printf("  %-8s %-22s %5.2f\n",
		       frames[i].dir == FROM_VM ? "from_vm" : "to_vm",
		       frames[i].name, res[i].scale);
out:
	if (empty_fd >= 0)
		close(empty_fd);
	for (c = 0; c < opened; c++)
		tg_dp_close(&in[c].dp);
	if (!err && wrong)
		fprintf(stderr, "%d frame%s took another path than expected\n",
			wrong, wrong == 1 ? "" : "s");
	return err || wrong ? 1 : 0;
}
