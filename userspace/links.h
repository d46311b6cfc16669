/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network device events from rtnetlink: ports appear, vanish, get renamed;
 * the node's addresses change.
 */
#ifndef TG_LINKS_H
#define TG_LINKS_H

#include <stdbool.h>
#include <stdint.h>

struct mnl_socket;

struct tg_links {
	struct mnl_socket *nl;
	bool addrs_changed;	/* an address came or went; the reader clears */
};

/* ifname NULL: the device with ifindex is gone */
typedef void (*tg_link_cb)(uint32_t ifindex, const char *ifname, void *ctx);

int tg_links_open(struct tg_links *l);
int tg_links_fd(const struct tg_links *l);
/*
 * Handle what is queued without blocking. -ENOBUFS: events were lost, the
 * caller must rescan the devices it cares about.
 */
int tg_links_read(struct tg_links *l, tg_link_cb cb, void *ctx);
void tg_links_close(struct tg_links *l);

#endif /* TG_LINKS_H */
