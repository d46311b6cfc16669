// SPDX-License-Identifier: GPL-2.0
/*
 * The traffic of traffic.sh: minimum-size UDP frames of the flows of
 * acl_rules.h (every one allowed by a hit rule of the generated rule
 * sets), sent as fast as one CPU goes through a packet socket on a VM's
 * interface.
 *
 * On a veth the whole path runs in the sender's system call: the peer's
 * backlog is processed in the softirq its transmit raises, on the way out
 * of the call, through the bridge and the receiving port's filters to the
 * receiver. The thread's CPU time (CLOCK_THREAD_CPUTIME_ID, which holds
 * the softirq time spent in its context on a kernel without
 * IRQ_TIME_ACCOUNTING) is therefore the CPU cost of the frames; what runs
 * in ksoftirqd instead the caller adds.
 *
 * Prints one line: sent FRAMES dropped FRAMES wall_ns NS cpu_ns NS next N
 * (the flow to start at next time for -f 0).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include "acl_rules.h"

#define BATCH		64
#define IP_OFF		sizeof(struct ether_header)
#define UDP_OFF		(IP_OFF + sizeof(struct iphdr))

static uint64_t ns_of(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

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

static bool parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[ETH_ALEN];
	char end;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != ETH_ALEN)
		return false;
	for (i = 0; i < ETH_ALEN; i++) {
		if (b[i] > 0xff)
			return false;
		mac[i] = b[i];
	}
	return true;
}

/* the frame of flow i; the UDP checksum is left out (0 in IPv4) */
static void put_flow(uint8_t *p, uint64_t i, uint32_t daddr)
{
	struct iphdr ip = {
		.version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP,
		.tot_len = htons(ETH_ZLEN - IP_OFF),
		.daddr = daddr,
	};
	struct udphdr uh = { .len = htons(ETH_ZLEN - UDP_OFF) };
	uint32_t saddr;
	uint16_t sport, dport;

	bench_flow(i, &saddr, &sport, &dport);
	ip.saddr = htonl(saddr);
	ip.check = ip_csum(&ip, sizeof(ip));
	uh.source = htons(sport);
	uh.dest = htons(dport);
	memcpy(p + IP_OFF, &ip, sizeof(ip));
	memcpy(p + UDP_OFF, &uh, sizeof(uh));
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s -i DEV -s SRC_MAC -d DST_MAC -a DST_IP [-t SECONDS] [-f FLOWS] [-o FIRST]\n"
		"  -t  how long to send (default 1)\n"
		"  -f  cycle through flows FIRST .. FIRST + FLOWS - 1 (default 4096);\n"
		"      0: every frame a new flow, from FIRST on\n",
		prog);
}

int main(int argc, char **argv)
{
	static uint8_t frames[BATCH][ETH_ZLEN];
	struct ether_header eh = { .ether_type = htons(ETHERTYPE_IP) };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	const char *dev = NULL;
	uint64_t flows = 4096, first = 0, i = 0, sent = 0, dropped = 0;
	uint64_t t0, c0, deadline, wall, cpu;
	double secs = 1;
	struct in_addr dst = { 0 };
	bool have_src = false, have_dst = false;
	int opt, fd, one = 1, k, ret;

	while ((opt = getopt(argc, argv, "i:s:d:a:t:f:o:h")) != -1) {
		switch (opt) {
		case 'i':
			dev = optarg;
			break;
		case 's':
			have_src = parse_mac(optarg, eh.ether_shost);
			break;
		case 'd':
			have_dst = parse_mac(optarg, eh.ether_dhost);
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &dst) != 1)
				dst.s_addr = 0;
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'f':
			flows = strtoull(optarg, NULL, 0);
			break;
		case 'o':
			first = strtoull(optarg, NULL, 0);
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 1;
		}
	}
	if (optind != argc || !dev || !have_src || !have_dst || !dst.s_addr ||
	    secs <= 0) {
		usage(argv[0]);
		return 1;
	}
	sll.sll_ifindex = if_nametoindex(dev);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "%s: %s\n", dev, strerror(errno));
		return 1;
	}
	/* protocol 0: the socket sends and receives nothing */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("packet socket");
		return 1;
	}
	/* the qdisc is not what is measured */
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		perror("PACKET_QDISC_BYPASS");

	memset(msgs, 0, sizeof(msgs));
	for (k = 0; k < BATCH; k++) {
		memcpy(frames[k], &eh, sizeof(eh));
		iov[k].iov_base = frames[k];
		iov[k].iov_len = ETH_ZLEN;
		msgs[k].msg_hdr.msg_iov = &iov[k];
		msgs[k].msg_hdr.msg_iovlen = 1;
	}

	t0 = ns_of(CLOCK_MONOTONIC);
	c0 = ns_of(CLOCK_THREAD_CPUTIME_ID);
	deadline = t0 + (uint64_t)(secs * 1e9);
	do {
		for (k = 0; k < BATCH; k++, i++)
			put_flow(frames[k], first + (flows ? i % flows : i),
				 dst.s_addr);
		ret = sendmmsg(fd, msgs, BATCH, 0);
		if (ret < 0 && errno != ENOBUFS && errno != EAGAIN) {
			perror("sendmmsg");
			return 1;
		}
		/* a frame the next device had no room for is counted */
		ret = ret < 0 ? 0 : ret;
		sent += ret;
		dropped += BATCH - ret;
	} while (ns_of(CLOCK_MONOTONIC) < deadline);
	wall = ns_of(CLOCK_MONOTONIC) - t0;
	cpu = ns_of(CLOCK_THREAD_CPUTIME_ID) - c0;
	printf("sent %llu dropped %llu wall_ns %llu cpu_ns %llu next %llu\n",
	       (unsigned long long)sent, (unsigned long long)dropped,
	       (unsigned long long)wall, (unsigned long long)cpu,
	       (unsigned long long)(first + (flows ? 0 : i)));
	close(fd);
	return 0;
}
