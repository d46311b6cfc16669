// SPDX-License-Identifier: GPL-2.0
/*
 * Events: what a guard stopped, on which device, and who tried it. Each one
 * is multicast to the "events" group in the device's network namespace for
 * the daemon and its audit log, and logged, rate limited, for operators who
 * read the kernel log.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "tenguard.h"

/* what the kernel log says happened, after the process that tried */
static const char * const tg_event_what[] = {
	[TENGUARD_EVENT_PROMISC]	= "tried promiscuous mode: reverted",
	[TENGUARD_EVENT_MAC_CHANGE]	= "tried a MAC address change: refused",
	[TENGUARD_EVENT_MASTER]		= "tried a master the policy does not name: refused",
	[TENGUARD_EVENT_UP_REFUSED]	= "tried UP before the daemon acked: refused",
};

static size_t tg_event_size(void)
{
	return nla_total_size(0) +			/* TENGUARD_A_EVENT */
	       nla_total_size(sizeof(u32)) +		/* _TYPE */
	       nla_total_size(sizeof(u32)) +		/* _IFINDEX */
	       nla_total_size(IFNAMSIZ) +		/* _IFNAME */
	       nla_total_size(sizeof(u32)) +		/* _PID */
	       nla_total_size(TASK_COMM_LEN) +		/* _COMM */
	       nla_total_size_64bit(sizeof(u64));	/* _TIME */
}

static int tg_event_fill(struct sk_buff *skb, enum tenguard_event type,
			 const struct net_device *dev, pid_t pid,
			 const char *comm, u64 time)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, 0, 0, &tg_genl_family, 0, TENGUARD_CMD_EVENT);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, TENGUARD_A_EVENT);
	if (!nest)
		goto cancel;
	if (nla_put_u32(skb, TENGUARD_A_EVENT_TYPE, type) ||
	    nla_put_u32(skb, TENGUARD_A_EVENT_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, TENGUARD_A_EVENT_IFNAME, dev->name) ||
	    nla_put_u32(skb, TENGUARD_A_EVENT_PID, pid) ||
	    nla_put_string(skb, TENGUARD_A_EVENT_COMM, comm) ||
	    nla_put_u64_64bit(skb, TENGUARD_A_EVENT_TIME, time,
			      TENGUARD_A_EVENT_PAD))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * Called with RTNL held (it keeps dev->name stable), from netdev notifiers
 * and from the kprobe handlers of the promiscuity guard. Those run with
 * preemption disabled, so the message is always allocated GFP_ATOMIC: it is
 * about a hundred bytes, and when even that fails the kernel log line below
 * still records the event.
 */
void tg_event(enum tenguard_event type, const struct net_device *dev,
	      const struct task_struct *tsk)
{
	struct net *net = dev_net(dev);
	char comm[TASK_COMM_LEN];
	struct sk_buff *skb;
	u64 time;
	pid_t pid;

	if (WARN_ON_ONCE(type > TENGUARD_EVENT_MAX))
		return;

	time = ktime_get_real_ns();
	/*
	 * task_tgid_nr() would do, but it takes a non-const task. The name
	 * is copied once so that the log and the message agree even if the
	 * task renames itself meanwhile; strscpy() always terminates it.
	 */
	pid = tsk->tgid;
	strscpy(comm, tsk->comm, sizeof(comm));

	pr_info_ratelimited("%s: %s[%d] %s\n", dev->name, comm, pid,
			    tg_event_what[type]);

	/* nobody listens: do not build a message only to drop it */
	if (genl_has_listeners(&tg_genl_family, net, TG_MCGRP_EVENTS) <= 0)
		return;

	skb = genlmsg_new(tg_event_size(), GFP_ATOMIC);
	if (!skb) {
		pr_warn_ratelimited("%s: no memory for an event message\n",
				    dev->name);
		return;
	}
	if (tg_event_fill(skb, type, dev, pid, comm, time)) {
		/* tg_event_size() is wrong: a bug, not a condition */
		WARN_ON_ONCE(1);
		nlmsg_free(skb);
		return;
	}
	/*
	 * Consumes the skb. An error means a listener's receive queue was
	 * full: that listener sees ENOBUFS on its socket and must resync;
	 * the others got the event, and there is nobody here to tell.
	 */
	genlmsg_multicast_netns(&tg_genl_family, net, skb, 0, TG_MCGRP_EVENTS,
				GFP_ATOMIC);
}
