// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "links.h"

int tg_links_open(struct tg_links *l)
{
	int one = 1;

	l->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!l->nl)
		return -errno;
	/* report a lost event as ENOBUFS instead of hiding it */
	mnl_socket_setsockopt(l->nl, NETLINK_BROADCAST_ERROR, &one, sizeof(one));
	if (mnl_socket_bind(l->nl, RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
			    RTMGRP_IPV6_IFADDR, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(l->nl);
		l->nl = NULL;
		return err;
	}
	return 0;
}

int tg_links_fd(const struct tg_links *l)
{
	return mnl_socket_get_fd(l->nl);
}

struct link_ctx {
	tg_link_cb cb;
	void *ctx;
	struct tg_links *l;
};

static int link_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	if (type == IFLA_IFNAME && mnl_attr_validate(attr, MNL_TYPE_STRING) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int link_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct link_ctx *lc = data;
	struct ifinfomsg *ifm;

	if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR) {
		lc->l->addrs_changed = true;
		return MNL_CB_OK;
	}
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return MNL_CB_OK;
	ifm = mnl_nlmsg_get_payload(nlh);
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr, tb);
	if (nlh->nlmsg_type == RTM_DELLINK)
		lc->cb(ifm->ifi_index, NULL, lc->ctx);
	else if (tb[IFLA_IFNAME])
		lc->cb(ifm->ifi_index, mnl_attr_get_str(tb[IFLA_IFNAME]),
		       lc->ctx);
	return MNL_CB_OK;
}

int tg_links_read(struct tg_links *l, tg_link_cb cb, void *ctx)
{
	struct link_ctx lc = { cb, ctx, l };
	char *buf;
	ssize_t n;
	int ret = 0;

	buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		n = mnl_socket_recvfrom(l->nl, buf, MNL_SOCKET_BUFFER_SIZE);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (mnl_cb_run(buf, n, 0, 0, link_msg, &lc) < 0 &&
		    errno != ENOENT) {
			ret = -errno;
			break;
		}
	}
	free(buf);
	return ret;
}

void tg_links_close(struct tg_links *l)
{
	if (l->nl)
		mnl_socket_close(l->nl);
	l->nl = NULL;
}
