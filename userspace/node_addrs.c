// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "node_addrs.h"

int tg_node_protect(const struct tg_policy *pol, struct tg_prefix **out,
		    size_t *n)
{
	const struct tg_node_cfg *node = &pol->node;
	struct ifaddrs *ifa, *a;
	struct tg_prefix *p;
	size_t cnt = 0;

	*out = NULL;
	*n = node->n_protect;
	if (!(node->flags & TENGUARD_NODE_F_OWN_ADDRS))
		return 0;
	if (getifaddrs(&ifa))
		return -errno;
	for (a = ifa; a; a = a->ifa_next)
		cnt += a->ifa_addr && (a->ifa_addr->sa_family == AF_INET ||
				       a->ifa_addr->sa_family == AF_INET6);
	p = calloc(node->n_protect + cnt + 1, sizeof(*p));
	if (!p) {
		freeifaddrs(ifa);
		return -ENOMEM;
	}
	memcpy(p, node->protect, node->n_protect * sizeof(*p));
	cnt = node->n_protect;
	for (a = ifa; a; a = a->ifa_next) {
		if (!a->ifa_addr)
			continue;
		if (a->ifa_addr->sa_family == AF_INET) {
			p[cnt].family = AF_INET;
			p[cnt].prefixlen = 32;
			memcpy(p[cnt++].addr,
			       &((struct sockaddr_in *)a->ifa_addr)->sin_addr, 4);
		} else if (a->ifa_addr->sa_family == AF_INET6) {
			p[cnt].family = AF_INET6;
			p[cnt].prefixlen = 128;
			memcpy(p[cnt++].addr,
			       &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr,
			       16);
		}
	}
	freeifaddrs(ifa);
	*out = p;
	*n = cnt;
	return 0;
}
