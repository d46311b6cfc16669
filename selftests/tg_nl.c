// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink for the guest's C selftests: see tg_nl.h. The requests are
 * built the way genl_test.c builds them, with libmnl.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "tg_nl.h"

#define TG_BATCH_BYTES	65536
#define TG_MSG_MAX	8192	/* the largest request built into a batch */

static int tg_socket(struct tg_nl *t, int bus)
{
	int one = 1;

	memset(t, 0, sizeof(*t));
	t->nl = mnl_socket_open(bus);
	if (!t->nl)
		return -errno;
	if (mnl_socket_bind(t->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(t->nl);
		t->nl = NULL;
		return -errno;
	}
	mnl_socket_setsockopt(t->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(t->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

static struct nlmsghdr *msg_put(struct tg_nl *t, void *buf, uint16_t type,
				uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++t->seq;
	return nlh;
}

static struct nlmsghdr *genl_put(struct tg_nl *t, void *buf, uint16_t type,
				 uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = msg_put(t, buf, type, flags);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : TENGUARD_GENL_VERSION;
	return nlh;
}

struct nlmsghdr *tg_genl_msg(struct tg_nl *t, void *buf, uint8_t cmd,
			     uint16_t flags)
{
	return genl_put(t, buf, t->family, cmd, flags);
}

struct nlmsghdr *tg_link_msg(struct tg_nl *t, void *buf, uint16_t type,
			     uint16_t flags, int ifindex)
{
	struct nlmsghdr *nlh = msg_put(t, buf, type, flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

/* the error of an ack, its extack message into t->extack */
static int ack_error(struct tg_nl *t, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	size_t off = sizeof(*e);

	if (!e->error || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return e->error;
	/* the request follows the error unless the ack was capped */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	mnl_attr_for_each(a, nlh, off) {
		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
			snprintf(t->extack, sizeof(t->extack), "%s",
				 mnl_attr_get_str(a));
			break;
		case NLMSGERR_ATTR_OFFS:
			t->bad_off = mnl_attr_get_u32(a);
			break;
		case NLMSGERR_ATTR_MISS_NEST:
			t->miss_nest = mnl_attr_get_u32(a);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			t->miss_type = mnl_attr_get_u32(a);
			break;
		}
	}
	return e->error;
}

/*
 * The error that ends a dump, and its extack message: what the dump met
 * after its start (the kernel sends it in NLMSG_DONE, not in an ack).
 */
static int done_error(struct tg_nl *t, const struct nlmsghdr *nlh)
{
	const struct nlattr *a;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return 0;
	err = *(const int *)mnl_nlmsg_get_payload(nlh);
	if (err >= 0 || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return err < 0 ? err : 0;
	mnl_attr_for_each(a, nlh, sizeof(int))
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(t->extack, sizeof(t->extack), "%s",
				 mnl_attr_get_str(a));
	return err;
}

int tg_talk(struct tg_nl *t, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	static char buf[32768];
	uint32_t seq = nlh->nlmsg_seq;
	const struct nlmsghdr *r;
	int n, intr = 0;

	t->extack[0] = '\0';
	t->bad_off = t->miss_nest = t->miss_type = 0;
	t->recvs = 0;
	if (mnl_socket_sendto(t->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(t->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		t->recvs++;
		for (r = (void *)buf; mnl_nlmsg_ok(r, n);
		     r = mnl_nlmsg_next(r, &n)) {
			if (r->nlmsg_seq != seq)
				continue;
			intr |= r->nlmsg_flags & NLM_F_DUMP_INTR;
			if (r->nlmsg_type == NLMSG_ERROR)
				return ack_error(t, r);
			if (r->nlmsg_type == NLMSG_DONE)
				return done_error(t, r) ?: intr ? -EINTR : 0;
			if (cb && cb(r, data) < MNL_CB_OK)
				return -EPROTO;
		}
	}
}

int tg_set_rcvbuf(struct tg_nl *t, int bytes)
{
	int fd = mnl_socket_get_fd(t->nl);

	/* FORCE goes past net.core.rmem_max; root has CAP_NET_ADMIN */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)))
		return -errno;
	return 0;
}

/* the acks of requests first .. last: the first error, its request */
static int pipeline_acks(struct tg_nl *t, uint32_t first, uint32_t last,
			 uint32_t *bad)
{
	static char buf[32768];
	const struct nlmsghdr *r;
	uint32_t acked = 0;
	int n, err = 0, e;

	while (acked < last - first + 1) {
		n = mnl_socket_recvfrom(t->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		for (r = (void *)buf; mnl_nlmsg_ok(r, n);
		     r = mnl_nlmsg_next(r, &n)) {
			if (r->nlmsg_type != NLMSG_ERROR ||
			    r->nlmsg_seq < first || r->nlmsg_seq > last)
				continue;
			acked++;
			e = ack_error(t, r);
			if (e && !err) {
				err = e;
				*bad = r->nlmsg_seq;
			}
		}
	}
	return err;
}

int tg_pipeline(struct tg_nl *t, unsigned int n, tg_build_t build,
		void *data, unsigned int *failed)
{
	static char batch[TG_BATCH_BYTES];
	struct nlmsghdr *nlh;
	unsigned int i = 0, start;
	uint32_t first, bad = 0;
	size_t off;
	int err;

	/* a batch's acks queue up while the kernel works through it */
	tg_set_rcvbuf(t, 4 << 20);
	t->extack[0] = '\0';
	while (i < n) {
		start = i;
		first = t->seq + 1;
		for (off = 0; i < n && off + TG_MSG_MAX <= sizeof(batch); i++) {
			nlh = build(t, batch + off, i, data);
			off += nlh->nlmsg_len;
		}
		if (mnl_socket_sendto(t->nl, batch, off) < 0)
			return -errno;
		err = pipeline_acks(t, first, t->seq, &bad);
		if (err) {
			if (failed)
				*failed = start + (bad - first);
			return err;
		}
	}
	return 0;
}

/* ---- the family ---- */

static int group_attr(const struct nlattr *a, void *data)
{
	const struct nlattr *g, *f;
	struct tg_nl *t = data;
	uint32_t id;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		t->family = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested(g, a) {
			const char *name = NULL;

			id = 0;
			mnl_attr_for_each_nested(f, g) {
				if (mnl_attr_get_type(f) == CTRL_ATTR_MCAST_GRP_NAME)
					name = mnl_attr_get_str(f);
				else if (mnl_attr_get_type(f) == CTRL_ATTR_MCAST_GRP_ID)
					id = mnl_attr_get_u32(f);
			}
			if (name && !strcmp(name, TENGUARD_MCGRP_EVENTS))
				t->events = id;
			if (name && !strcmp(name, TENGUARD_MCGRP_CONFIG))
				t->config = id;
		}
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), group_attr, data);
	return MNL_CB_OK;
}

int tg_open(struct tg_nl *t)
{
	char buf[1024];
	struct nlmsghdr *nlh;
	int err;

	err = tg_socket(t, NETLINK_GENERIC);
	if (err)
		return err;
	nlh = genl_put(t, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TENGUARD_GENL_NAME);
	err = tg_talk(t, nlh, family_cb, t);
	if (!err && !t->family)
		err = -ENOENT;
	if (err) {
		mnl_socket_close(t->nl);
		t->nl = NULL;
	}
	return err;
}

int tg_open_route(struct tg_nl *t)
{
	return tg_socket(t, NETLINK_ROUTE);
}

void tg_close(struct tg_nl *t)
{
	if (t->nl)
		mnl_socket_close(t->nl);
	t->nl = NULL;
}

int tg_join_events(struct tg_nl *t)
{
	int grp = t->events;

	if (!grp)
		return -ENOENT;
	return mnl_socket_setsockopt(t->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				     sizeof(grp)) ? -errno : 0;
}

int tg_join_config(struct tg_nl *t)
{
	int grp = t->config;

	if (!grp)
		return -ENOENT;
	return mnl_socket_setsockopt(t->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				     sizeof(grp)) ? -errno : 0;
}

int tg_tenant_new(struct tg_nl *t, uint32_t id, const char *name)
{
	char buf[1024];
	struct nlmsghdr *nlh;
	struct nlattr *n;

	nlh = tg_genl_msg(t, buf, TENGUARD_CMD_TENANT_NEW, 0);
	n = mnl_attr_nest_start(nlh, TENGUARD_A_TENANT);
	mnl_attr_put_u32(nlh, TENGUARD_A_TENANT_ID, id);
	mnl_attr_put_strz(nlh, TENGUARD_A_TENANT_NAME, name);
	mnl_attr_nest_end(nlh, n);
	return tg_talk(t, nlh, NULL, NULL);
}

int tg_tenant_del(struct tg_nl *t, uint32_t id)
{
	char buf[1024];
	struct nlmsghdr *nlh;
	struct nlattr *n;

	nlh = tg_genl_msg(t, buf, TENGUARD_CMD_TENANT_DEL, 0);
	n = mnl_attr_nest_start(nlh, TENGUARD_A_TENANT);
	mnl_attr_put_u32(nlh, TENGUARD_A_TENANT_ID, id);
	mnl_attr_nest_end(nlh, n);
	return tg_talk(t, nlh, NULL, NULL);
}

void tg_port_put(struct nlmsghdr *nlh, const struct tg_port_req *r)
{
	struct nlattr *n, *a;
	uint8_t in[4] = { 198, 18 };	/* 198.18.0.0/15, as all test addresses */
	unsigned int i;

	n = mnl_attr_nest_start(nlh, TENGUARD_A_PORT);
	mnl_attr_put_strz(nlh, TENGUARD_A_PORT_IFNAME, r->ifname);
	if (r->tenant)
		mnl_attr_put_u32(nlh, TENGUARD_A_PORT_TENANT, r->tenant);
	if (r->mac[0] || r->mac[5])
		mnl_attr_put(nlh, TENGUARD_A_PORT_MAC, 6, r->mac);
	if (r->master)
		mnl_attr_put_u32(nlh, TENGUARD_A_PORT_MASTER, r->master);
	for (i = 0; i < r->n_addrs; i++) {
		in[2] = i >> 8;
		in[3] = i;
		a = mnl_attr_nest_start(nlh, TENGUARD_A_PORT_ADDR);
		mnl_attr_put_u16(nlh, TENGUARD_A_ADDR_FAMILY, AF_INET);
		mnl_attr_put(nlh, TENGUARD_A_ADDR_ADDR, 4, in);
		mnl_attr_nest_end(nlh, a);
	}
	for (i = 0; i < __TENGUARD_ACL_DIR_MAX; i++)
		if (r->rate[i].flags)
			tg_rate_put(nlh, i, &r->rate[i]);
	mnl_attr_nest_end(nlh, n);
}

void tg_rate_put(struct nlmsghdr *nlh, uint32_t dir,
		 const struct tenguard_rate *r)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, TENGUARD_A_PORT_RATE);

	mnl_attr_put_u32(nlh, TENGUARD_A_RATE_DIR, dir);
	if (r->flags & TENGUARD_RATE_F_BPS) {
		mnl_attr_put_u64(nlh, TENGUARD_A_RATE_BPS, r->bps);
		if (r->burst)
			mnl_attr_put_u32(nlh, TENGUARD_A_RATE_BURST, r->burst);
	}
	if (r->flags & TENGUARD_RATE_F_PPS) {
		mnl_attr_put_u32(nlh, TENGUARD_A_RATE_PPS, r->pps);
		if (r->pkt_burst)
			mnl_attr_put_u32(nlh, TENGUARD_A_RATE_PKT_BURST,
					 r->pkt_burst);
	}
	if (r->flags & __TENGUARD_RATE_F_ALL)
		mnl_attr_put_u32(nlh, TENGUARD_A_RATE_FLAGS,
				 r->flags & __TENGUARD_RATE_F_ALL);
	mnl_attr_nest_end(nlh, n);
}

int tg_rate_parse(const struct nlattr *nest, uint32_t *dir,
		  struct tenguard_rate *r)
{
	const struct nlattr *a;
	int has_dir = 0;

	memset(r, 0, sizeof(*r));
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case TENGUARD_A_RATE_DIR:
			*dir = mnl_attr_get_u32(a);
			has_dir = 1;
			break;
		case TENGUARD_A_RATE_BPS:
			r->bps = mnl_attr_get_u64(a);
			r->flags |= TENGUARD_RATE_F_BPS;
			break;
		case TENGUARD_A_RATE_BURST:
			r->burst = mnl_attr_get_u32(a);
			break;
		case TENGUARD_A_RATE_PPS:
			r->pps = mnl_attr_get_u32(a);
			r->flags |= TENGUARD_RATE_F_PPS;
			break;
		case TENGUARD_A_RATE_PKT_BURST:
			r->pkt_burst = mnl_attr_get_u32(a);
			break;
		case TENGUARD_A_RATE_FLAGS:
			r->flags |= mnl_attr_get_u32(a);
			break;
		}
	}
	if (!has_dir || *dir > TENGUARD_ACL_DIR_MAX || !r->flags ||
	    (r->burst && !r->bps) || (r->pkt_burst && !r->pps))
		return -EINVAL;
	return 0;
}

int tg_port(struct tg_nl *t, uint8_t cmd, const struct tg_port_req *r)
{
	static char buf[TG_MSG_MAX];
	struct nlmsghdr *nlh = tg_genl_msg(t, buf, cmd, 0);

	tg_port_put(nlh, r);
	return tg_talk(t, nlh, NULL, NULL);
}

static int gen_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == TENGUARD_A_PORT_GENERATION)
		*(uint64_t *)data = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static int port_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == TENGUARD_A_PORT)
		mnl_attr_parse_nested(a, gen_attr, data);
	return MNL_CB_OK;
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), port_attr, data);
}

int tg_port_ack(struct tg_nl *t, const char *ifname)
{
	struct tg_port_req r = { .ifname = ifname };
	struct nlmsghdr *nlh;
	uint64_t gen = 0;
	struct nlattr *n;
	char buf[1024];
	int err;

	nlh = tg_genl_msg(t, buf, TENGUARD_CMD_PORT_GET, 0);
	tg_port_put(nlh, &r);
	err = tg_talk(t, nlh, gen_cb, &gen);
	if (err)
		return err;
	nlh = tg_genl_msg(t, buf, TENGUARD_CMD_PORT_ACK, 0);
	n = mnl_attr_nest_start(nlh, TENGUARD_A_PORT);
	mnl_attr_put_strz(nlh, TENGUARD_A_PORT_IFNAME, ifname);
	mnl_attr_put_u64(nlh, TENGUARD_A_PORT_GENERATION, gen);
	mnl_attr_nest_end(nlh, n);
	return tg_talk(t, nlh, NULL, NULL);
}

/* ---- rule sets ---- */

void tg_rule_put(struct nlmsghdr *nlh, int type,
		 const struct tenguard_acl_rule *r)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type), *a;

	mnl_attr_put_u32(nlh, TENGUARD_A_RULE_ACTION, r->action);
	if (r->flags)
		mnl_attr_put_u32(nlh, TENGUARD_A_RULE_FLAGS, r->flags);
	if (r->family) {
		a = mnl_attr_nest_start(nlh, TENGUARD_A_RULE_REMOTE);
		mnl_attr_put_u16(nlh, TENGUARD_A_ADDR_FAMILY,
				 r->family == 4 ? AF_INET : AF_INET6);
		mnl_attr_put(nlh, TENGUARD_A_ADDR_ADDR, r->family == 4 ? 4 : 16,
			     r->addr);
		mnl_attr_put_u8(nlh, TENGUARD_A_ADDR_PREFIXLEN, r->prefixlen);
		mnl_attr_nest_end(nlh, a);
	}
	if (r->group)
		mnl_attr_put_u32(nlh, TENGUARD_A_RULE_GROUP, r->group);
	if (r->proto)
		mnl_attr_put_u8(nlh, TENGUARD_A_RULE_PROTO, r->proto);
	if (r->match & TENGUARD_RULE_M_PORTS) {
		mnl_attr_put_u16(nlh, TENGUARD_A_RULE_PORT_MIN, r->port_min);
		mnl_attr_put_u16(nlh, TENGUARD_A_RULE_PORT_MAX, r->port_max);
	}
	if (r->match & TENGUARD_RULE_M_ICMP_TYPE)
		mnl_attr_put_u8(nlh, TENGUARD_A_RULE_ICMP_TYPE, r->icmp_type);
	if (r->match & TENGUARD_RULE_M_ICMP_CODE)
		mnl_attr_put_u8(nlh, TENGUARD_A_RULE_ICMP_CODE, r->icmp_code);
	mnl_attr_nest_end(nlh, n);
}

int tg_remote_parse(const struct nlattr *nest, struct tenguard_acl_rule *r)
{
	const struct nlattr *a;
	int family = 0;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case TENGUARD_A_ADDR_FAMILY:
			family = mnl_attr_get_u16(a);
			break;
		case TENGUARD_A_ADDR_ADDR:
			if (mnl_attr_get_payload_len(a) > sizeof(r->addr))
				return -EINVAL;
			memcpy(r->addr, mnl_attr_get_payload(a),
			       mnl_attr_get_payload_len(a));
			break;
		case TENGUARD_A_ADDR_PREFIXLEN:
			r->prefixlen = mnl_attr_get_u8(a);
			break;
		}
	}
	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	r->family = family == AF_INET ? 4 : 6;
	return 0;
}

int tg_rule_parse(const struct nlattr *nest, struct tenguard_acl_rule *r)
{
	const struct nlattr *a;
	int action = -1;

	memset(r, 0, sizeof(*r));
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case TENGUARD_A_RULE_ACTION:
			action = mnl_attr_get_u32(a);
			break;
		case TENGUARD_A_RULE_FLAGS:
			r->flags = mnl_attr_get_u32(a);
			break;
		case TENGUARD_A_RULE_REMOTE:
			if (tg_remote_parse(a, r))
				return -EINVAL;
			break;
		case TENGUARD_A_RULE_GROUP:
			r->group = mnl_attr_get_u32(a);
			break;
		case TENGUARD_A_RULE_PROTO:
			r->proto = mnl_attr_get_u8(a);
			break;
		case TENGUARD_A_RULE_PORT_MIN:
			r->port_min = mnl_attr_get_u16(a);
			r->match |= TENGUARD_RULE_M_PORTS;
			break;
		case TENGUARD_A_RULE_PORT_MAX:
			r->port_max = mnl_attr_get_u16(a);
			break;
		case TENGUARD_A_RULE_ICMP_TYPE:
			r->icmp_type = mnl_attr_get_u8(a);
			r->match |= TENGUARD_RULE_M_ICMP_TYPE;
			break;
		case TENGUARD_A_RULE_ICMP_CODE:
			r->icmp_code = mnl_attr_get_u8(a);
			r->match |= TENGUARD_RULE_M_ICMP_CODE;
			break;
		default:
			return -EINVAL;
		}
	}
	if (action < 0)
		return -EINVAL;
	r->action = action;
	return 0;
}

/* the largest a rule gets as attributes, with a v6 remote */
#define TG_RULE_BYTES	96

int tg_acl_set(struct tg_nl *t, const char *ifname, uint32_t dir, int dflt,
	       uint32_t flags, const struct tenguard_acl_rule *rules,
	       unsigned int n)
{
	size_t len = 1024 + (size_t)n * TG_RULE_BYTES;
	char *buf = malloc(len);
	struct nlmsghdr *nlh;
	struct nlattr *a, *p;
	unsigned int i;
	int err, bytes;

	if (!buf)
		return -ENOMEM;
	/* a message this large needs the room in the socket */
	bytes = len * 2;
	setsockopt(mnl_socket_get_fd(t->nl), SOL_SOCKET, SO_SNDBUFFORCE,
		   &bytes, sizeof(bytes));
	nlh = tg_genl_msg(t, buf, TENGUARD_CMD_ACL_SET, 0);
	p = mnl_attr_nest_start(nlh, TENGUARD_A_PORT);
	mnl_attr_put_strz(nlh, TENGUARD_A_PORT_IFNAME, ifname);
	mnl_attr_nest_end(nlh, p);
	a = mnl_attr_nest_start(nlh, TENGUARD_A_ACL);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DIR, dir);
	if (dflt >= 0)
		mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DEFAULT, dflt);
	if (flags)
		mnl_attr_put_u32(nlh, TENGUARD_A_ACL_FLAGS, flags);
	for (i = 0; i < n; i++)
		tg_rule_put(nlh, TENGUARD_A_ACL_RULE, &rules[i]);
	mnl_attr_nest_end(nlh, a);
	/* an attribute's length is 16 bits: the nest would wrap */
	if ((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)a > UINT16_MAX)
		err = -EMSGSIZE;
	else
		err = tg_talk(t, nlh, NULL, NULL);
	free(buf);
	return err;
}

int tg_acl_load(struct tg_nl *t, const char *ifname, uint32_t dir,
		uint32_t dflt, const struct tenguard_acl_rule *rules,
		unsigned int n, unsigned int part)
{
	unsigned int off = 0, k;
	int err;

	do {
		k = n - off < part ? n - off : part;
		err = tg_acl_set(t, ifname, dir, off ? -1 : (int)dflt,
				 off + k < n ? TENGUARD_ACL_F_MORE : 0,
				 rules + off, k);
		if (err)
			return err;
		off += k;
	} while (off < n);
	return 0;
}

int tg_acl_del(struct tg_nl *t, const char *ifname, uint32_t dir)
{
	struct nlmsghdr *nlh;
	struct nlattr *a;
	char buf[512];

	nlh = tg_genl_msg(t, buf, TENGUARD_CMD_ACL_DEL, 0);
	a = mnl_attr_nest_start(nlh, TENGUARD_A_PORT);
	mnl_attr_put_strz(nlh, TENGUARD_A_PORT_IFNAME, ifname);
	mnl_attr_nest_end(nlh, a);
	a = mnl_attr_nest_start(nlh, TENGUARD_A_ACL);
	mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DIR, dir);
	mnl_attr_nest_end(nlh, a);
	return tg_talk(t, nlh, NULL, NULL);
}

/* one ACL_GET message into d: TENGUARD_A_ACL is after TENGUARD_A_PORT */
static int acl_dump_msg(struct tg_acl_dump *d, const struct nlattr *acl)
{
	uint32_t dir = UINT32_MAX, off = UINT32_MAX, count = 0, dflt = 0;
	const struct nlattr *a;
	int have_count = 0;

	mnl_attr_for_each_nested(a, acl) {
		switch (mnl_attr_get_type(a)) {
		case TENGUARD_A_ACL_DIR:
			dir = mnl_attr_get_u32(a);
			break;
		case TENGUARD_A_ACL_DEFAULT:
			dflt = mnl_attr_get_u32(a);
			break;
		case TENGUARD_A_ACL_COUNT:
			count = mnl_attr_get_u32(a);
			have_count = 1;
			break;
		case TENGUARD_A_ACL_OFFSET:
			off = mnl_attr_get_u32(a);
			break;
		}
	}
	if (dir >= __TENGUARD_ACL_DIR_MAX || !have_count || off == UINT32_MAX)
		return -EINVAL;
	if (!d->dir[dir].present) {
		d->dir[dir].present = 1;
		d->dir[dir].count = count;
		d->dir[dir].dflt = dflt;
		d->dir[dir].rules = calloc(count + 1, sizeof(struct tenguard_acl_rule));
		if (!d->dir[dir].rules)
			return -ENOMEM;
	}
	if (count != d->dir[dir].count || off != d->dir[dir].got)
		d->dir[dir].gap = 1;
	d->dir[dir].msgs++;
	mnl_attr_for_each_nested(a, acl) {
		if (mnl_attr_get_type(a) != TENGUARD_A_ACL_RULE)
			continue;
		if (d->dir[dir].got >= d->dir[dir].count)
			return -EINVAL;
		if (tg_rule_parse(a, &d->dir[dir].rules[d->dir[dir].got]))
			return -EINVAL;
		d->dir[dir].got++;
	}
	return 0;
}

int tg_acl_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tg_acl_dump *d = data;
	const struct nlattr *a, *p;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case TENGUARD_A_PORT:
			mnl_attr_for_each_nested(p, a) {
				if (mnl_attr_get_type(p) == TENGUARD_A_PORT_GENERATION)
					d->generation = mnl_attr_get_u64(p);
				if (mnl_attr_get_type(p) == TENGUARD_A_PORT_IFNAME)
					snprintf(d->ifname, sizeof(d->ifname), "%s",
						 mnl_attr_get_str(p));
			}
			break;
		case TENGUARD_A_ACL:
			if (acl_dump_msg(d, a))
				return MNL_CB_ERROR;
			break;
		}
	}
	return MNL_CB_OK;
}

int tg_acl_dump(struct tg_nl *t, const char *ifname, int dir,
		struct tg_acl_dump *d)
{
	struct nlmsghdr *nlh;
	struct nlattr *a;
	char buf[512];

	memset(d, 0, sizeof(*d));
	nlh = tg_genl_msg(t, buf, TENGUARD_CMD_ACL_GET, NLM_F_DUMP);
	a = mnl_attr_nest_start(nlh, TENGUARD_A_PORT);
	mnl_attr_put_strz(nlh, TENGUARD_A_PORT_IFNAME, ifname);
	mnl_attr_nest_end(nlh, a);
	if (dir >= 0) {
		a = mnl_attr_nest_start(nlh, TENGUARD_A_ACL);
		mnl_attr_put_u32(nlh, TENGUARD_A_ACL_DIR, dir);
		mnl_attr_nest_end(nlh, a);
	}
	return tg_talk(t, nlh, tg_acl_dump_cb, d);
}

void tg_acl_dump_free(struct tg_acl_dump *d)
{
	unsigned int i;

	for (i = 0; i < __TENGUARD_ACL_DIR_MAX; i++)
		free(d->dir[i].rules);
	memset(d, 0, sizeof(*d));
}

static int event_attr(const struct nlattr *a, void *data)
{
	struct tg_event *e = data;

	switch (mnl_attr_get_type(a)) {
	case TENGUARD_A_EVENT_TYPE:
		e->type = mnl_attr_get_u32(a);
		break;
	case TENGUARD_A_EVENT_IFINDEX:
		e->ifindex = mnl_attr_get_u32(a);
		break;
	case TENGUARD_A_EVENT_IFNAME:
		snprintf(e->ifname, sizeof(e->ifname), "%s", mnl_attr_get_str(a));
		break;
	case TENGUARD_A_EVENT_PID:
		e->pid = mnl_attr_get_u32(a);
		break;
	case TENGUARD_A_EVENT_COMM:
		snprintf(e->comm, sizeof(e->comm), "%s", mnl_attr_get_str(a));
		break;
	case TENGUARD_A_EVENT_TIME:
		e->time = mnl_attr_get_u64(a);
		break;
	}
	return MNL_CB_OK;
}

static int event_top(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == TENGUARD_A_EVENT)
		mnl_attr_parse_nested(a, event_attr, data);
	return MNL_CB_OK;
}

int tg_events(struct tg_nl *t, struct tg_event *ev, int max, int wait_ms)
{
	struct pollfd p = { .fd = mnl_socket_get_fd(t->nl), .events = POLLIN };
	static char buf[8192];
	const struct nlmsghdr *r;
	const struct genlmsghdr *g;
	int n, got = 0;

	if (poll(&p, 1, wait_ms) < 0)
		return -errno;
	for (;;) {
		n = recv(p.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? got : -errno;
		for (r = (void *)buf; mnl_nlmsg_ok(r, n);
		     r = mnl_nlmsg_next(r, &n)) {
			if (r->nlmsg_type != t->family)
				continue;
			g = mnl_nlmsg_get_payload(r);
			if (g->cmd != TENGUARD_CMD_EVENT || got >= max)
				continue;
			memset(&ev[got], 0, sizeof(ev[got]));
			mnl_attr_parse(r, sizeof(*g), event_top, &ev[got]);
			got++;
		}
	}
}

/* ---- devices ---- */

static int link_attr(const struct nlattr *a, void *data)
{
	struct tg_link *l = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_PROMISCUITY:
		l->promiscuity = mnl_attr_get_u32(a);
		break;
	case IFLA_MASTER:
		l->master = mnl_attr_get_u32(a);
		break;
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(a) == 6)
			memcpy(l->addr, mnl_attr_get_payload(a), 6);
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct tg_link *l = data;

	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	return mnl_attr_parse(nlh, sizeof(*ifi), link_attr, l);
}

int tg_link_get(struct tg_nl *rt, const char *name, struct tg_link *l)
{
	char buf[1024];
	struct nlmsghdr *nlh = tg_link_msg(rt, buf, RTM_GETLINK, 0, 0);

	memset(l, 0, sizeof(*l));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return tg_talk(rt, nlh, link_cb, l);
}

int tg_link_flags(struct tg_nl *rt, int ifindex, unsigned int flags,
		  unsigned int change)
{
	char buf[1024];
	struct nlmsghdr *nlh = tg_link_msg(rt, buf, RTM_NEWLINK, 0, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	return tg_talk(rt, nlh, NULL, NULL);
}

int tg_link_addr(struct tg_nl *rt, int ifindex, const uint8_t *mac)
{
	char buf[1024];
	struct nlmsghdr *nlh = tg_link_msg(rt, buf, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return tg_talk(rt, nlh, NULL, NULL);
}

int tg_link_master(struct tg_nl *rt, int ifindex, int master)
{
	char buf[1024];
	struct nlmsghdr *nlh = tg_link_msg(rt, buf, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put_u32(nlh, IFLA_MASTER, master);
	return tg_talk(rt, nlh, NULL, NULL);
}

int tg_link_add(struct tg_nl *rt, const char *name, const char *kind)
{
	char buf[1024];
	struct nlmsghdr *nlh = tg_link_msg(rt, buf, RTM_NEWLINK,
					   NLM_F_CREATE | NLM_F_EXCL, 0);
	struct nlattr *li;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, li);
	return tg_talk(rt, nlh, NULL, NULL);
}

int tg_link_del(struct tg_nl *rt, int ifindex)
{
	char buf[1024];

	return tg_talk(rt, tg_link_msg(rt, buf, RTM_DELLINK, 0, ifindex),
		       NULL, NULL);
}

/* ---- processes ---- */

int tg_sh(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

pid_t tg_spawn(char *const argv[], int *errfd)
{
	int fds[2] = { -1, -1 }, null;
	pid_t pid;

	if (errfd && pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(errfd ? fds[1] : null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (errfd) {
		close(fds[1]);
		*errfd = fds[0];
	}
	return pid;
}

int tg_run(char *const argv[], pid_t *pid)
{
	int status;
	pid_t p = tg_spawn(argv, NULL);

	if (pid)
		*pid = p;
	if (p < 0 || waitpid(p, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

double tg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
