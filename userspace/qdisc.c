// SPDX-License-Identifier: GPL-2.0
/*
 * Shaping sets skb->tstamp at the port's clsact egress hook, before the
 * root qdisc: only fq holds a packet until then. Its per-flow limit is
 * raised because the datapath already bounds what waits (one burst), and
 * a flow dropped by fq after the bucket counted it would leave the rate
 * short.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "qdisc.h"

#define TG_FQ_LIMIT	100000U	/* packets, all flows */
#define TG_FQ_FLOW_LIMIT 100000U

int tg_qdisc_fq(uint32_t ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	struct nlattr *opt;
	uint32_t seq = time(NULL);
	int err = 0, n;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWQDISC;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			   NLM_F_REPLACE;
	nlh->nlmsg_seq = seq;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = TC_H_ROOT;
	mnl_attr_put_strz(nlh, TCA_KIND, "fq");
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_FQ_PLIMIT, TG_FQ_LIMIT);
	mnl_attr_put_u32(nlh, TCA_FQ_FLOW_PLIMIT, TG_FQ_FLOW_LIMIT);
	mnl_attr_nest_end(nlh, opt);

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		err = -errno;
	else if (mnl_cb_run(buf, n, seq, mnl_socket_get_portid(nl), NULL,
			    NULL) < 0)
		err = -errno;
out:
	mnl_socket_close(nl);
	return err;
}
