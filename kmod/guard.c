// SPDX-License-Identifier: GPL-2.0
/*
 * Port guards: what a process on the host may not do to a guarded port
 * (a device with a tg_port), whatever network namespace it is in.
 *
 * A netdevice notifier vetoes what the kernel asks permission for: bringing
 * the port up before the daemon acked its generation (NETDEV_PRE_UP), a MAC
 * address change (NETDEV_PRE_CHANGEADDR) and enslavement to a master other
 * than the policy's (NETDEV_PRECHANGEUPPER).
 *
 * Promiscuous mode asks nobody: __dev_notify_flags() keeps IFF_PROMISC out
 * of NETDEV_CHANGE and no other notifier sees it. The ways a process turns
 * it on are two, and each has its own reference on dev->promiscuity:
 *
 * - IFF_PROMISC in dev->gflags, set by `ip link set DEV promisc on`
 *   (RTM_NEWLINK), SIOCSIFFLAGS or sysfs, all of which end in
 *   dev_change_flags();
 * - a packet socket's PACKET_MR_PROMISC membership (tcpdump), one
 *   dev_set_promiscuity(dev, 1) per socket and device, dropped by a -1 on
 *   PACKET_DROP_MEMBERSHIP, on close or on NETDEV_UNREGISTER.
 *
 * Other holders are legitimate and left alone: the port's master (bridge,
 * bond, team, openvswitch), upper devices passing their own promiscuity
 * down, and the unicast-filter fallback of __dev_set_rx_mode().
 *
 * So the guard puts kprobes on the two exported entry points rather than
 * on the static __dev_set_promiscuity(): that one cannot tell the holders
 * apart, and whether Debian's build inlines it cannot be checked from the
 * image package (its System.map is a stub). Exported functions always have
 * an out-of-line body that callers in other files call (Debian builds
 * without LTO), and net/core/dev.c calls neither of the two itself. Both
 * require RTNL and assert it, so the handlers, which run in the caller's
 * context with preemption disabled, are serialised with every other
 * writer of dev->promiscuity and with this file's own state by RTNL.
 *
 * dev_change_flags() entry: a request that turns gflags' IFF_PROMISC on
 * for a port is reported, naming current, and a work item reverts it after
 * the caller has dropped RTNL with dev_change_flags(dev_get_flags() &
 * ~IFF_PROMISC), which clears the gflag and drops its reference the way
 * the kernel itself does (dev->flags would be wrong: it carries
 * IFF_ALLMULTI of other holders and would set that gflag).
 *
 * dev_set_promiscuity() entry, called from af_packet (the return address
 * is in a packet_* function of the kernel or of af_packet.ko): a +1 on a
 * port is reported, naming current, and the work item takes the reference
 * back with dev_set_promiscuity(dev, -1). The socket still holds its
 * membership and will drop it later, so the guard counts what it took back
 * per device and pays it back the instant af_packet's -1 comes, in that
 * -1's pre-handler, by adding it back to dev->promiscuity right before the
 * kernel takes it off again. The sum is the count the kernel would have
 * had without the guard, minus what the guard still holds back, which is
 * never more than af_packet's live references: the counter never goes
 * below the other holders, never wraps, and IFF_PROMISC does not flap (a
 * count of 0 goes to 1 and straight back, which __dev_set_promiscuity()
 * sees as no change). A +1 whose -1 comes before the work ran is simply
 * not taken back. A PROMISC membership refused up front would be cleaner,
 * but a kprobe cannot make dev_set_promiscuity() fail without function
 * error injection, which the function does not allow and Debian does not
 * build.
 *
 * What is taken back is paid back, never leaked: on NETDEV_UNREGISTER
 * (also a move to another netns), where af_packet drops every membership
 * of the device, before or after this notifier, and on module unload,
 * after which sockets still holding a membership make the port promiscuous
 * again: without the guard, that is what they asked for.
 *
 * Limits. The port is promiscuous from the request until the work item
 * runs, right after the caller drops RTNL (well under a millisecond in
 * tests). One event per request that changes something: a second `ip link
 * set promisc on` while the first is being reverted, and a second
 * PACKET_ADD_MEMBERSHIP on a socket that already has one on the device
 * (af_packet only counts it), change nothing and are not reported.
 * Memberships older than the port (or the module) are not taken back, and
 * af_packet's references are anonymous: a -1 of such an older membership
 * may cancel a newer one's pending take-back, leaving the device as
 * promiscuous as before the newer one came. References held back when the
 * port is deleted stay held back until their sockets drop them.
 * Promiscuity passed down by an upper device is left alone. The guard
 * relies on its kprobes firing: disarming all kprobes (debugfs
 * kprobes/enabled) while a reference is held back leaves a later -1 unpaid.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/netdevice.h>
#include <linux/notifier.h>
#include <linux/ptrace.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "tenguard.h"

/*
 * The promiscuity guard's state of one device: it exists only while there
 * is some, and never past the device's NETDEV_UNREGISTER, which is what
 * keeps dev valid without holding a reference. Everything under RTNL.
 */
struct tg_promisc {
	struct list_head node;
	struct net_device *dev;
	bool flags_revert;	/* gflags' IFF_PROMISC was turned on */
	unsigned int pending;	/* af_packet references to take back */
	unsigned int taken;	/* af_packet references taken back */
};

static LIST_HEAD(tg_promisc_list);
/* the module is going: the handlers and NETDEV_UNREGISTER stand still */
static bool tg_guard_stopping;

static void tg_promisc_work_fn(struct work_struct *work);
static DECLARE_WORK(tg_promisc_work, tg_promisc_work_fn);

static struct tg_promisc *tg_promisc_find(const struct net_device *dev)
{
	struct tg_promisc *p;

	list_for_each_entry(p, &tg_promisc_list, node)
		if (p->dev == dev)
			return p;
	return NULL;
}

/* from kprobe handlers, hence GFP_ATOMIC */
static struct tg_promisc *tg_promisc_get(struct net_device *dev)
{
	struct tg_promisc *p = tg_promisc_find(dev);

	if (p)
		return p;
	p = kzalloc(sizeof(*p), GFP_ATOMIC);
	if (!p)
		return NULL;
	p->dev = dev;
	list_add(&p->node, &tg_promisc_list);
	return p;
}

static bool tg_promisc_empty(const struct tg_promisc *p)
{
	return !p->flags_revert && !p->pending && !p->taken;
}

/*
 * Pay back what the guard holds of dev's promiscuity the regular way, for
 * the last time: the device unregisters or the module goes. The af_packet
 * memberships behind it are still there, and their -1s will find it.
 */
static void tg_promisc_pay_back(struct tg_promisc *p)
{
	int err;

	if (!p->taken)
		return;
	err = dev_set_promiscuity(p->dev, p->taken);
	if (err)
		netdev_err(p->dev, "cannot give back %u promiscuity references: %d\n",
			   p->taken, err);
	p->taken = 0;
}

static void tg_promisc_free(struct tg_promisc *p)
{
	list_del(&p->node);
	kfree(p);
}

static void tg_promisc_revert(struct tg_promisc *p)
{
	struct net_device *dev = p->dev;
	int err;

	if (p->flags_revert) {
		p->flags_revert = false;
		/* cleared meanwhile by its owner: nothing left to revert */
		if (dev->gflags & IFF_PROMISC) {
			err = dev_change_flags(dev, dev_get_flags(dev) &
					       ~IFF_PROMISC, NULL);
			if (err)
				netdev_err(dev, "cannot revert promiscuous mode: %d\n",
					   err);
		}
	}
	/* a -1 never fails, and each pending reference is still counted */
	while (p->pending) {
		p->pending--;
		dev_set_promiscuity(dev, -1);
		p->taken++;
	}
}

static void tg_promisc_work_fn(struct work_struct *work)
{
	struct tg_promisc *p, *tmp;

	rtnl_lock();
	list_for_each_entry_safe(p, tmp, &tg_promisc_list, node) {
		if (!tg_guard_stopping)
			tg_promisc_revert(p);
		if (tg_promisc_empty(p))
			tg_promisc_free(p);
	}
	rtnl_unlock();
}

/*
 * Is the caller of the probed function af_packet? The return address is
 * on top of the stack at function entry; one byte back is the call itself,
 * inside the caller even when the call ends a (cold) section. af_packet
 * calls dev_set_promiscuity() only in packet_dev_mc(), which the compiler
 * may inline or tail-call into other packet_* functions of the same file.
 * RTNL serialises the handlers, so one buffer does for all.
 */
static bool tg_caller_is_af_packet(struct pt_regs *regs)
{
	static char sym[KSYM_SYMBOL_LEN];
	unsigned long ret = regs_get_kernel_stack_nth(regs, 0);
	const char *mod;

	if (!ret)
		return false;
	sprint_symbol_no_offset(sym, ret - 1);
	if (strncmp(sym, "packet_", strlen("packet_")))
		return false;
	/* built in, or the module: "packet_dev_mc [af_packet]" */
	mod = strchr(sym, ' ');
	return !mod || !strcmp(mod, " [af_packet]");
}

static bool tg_is_port(const struct net_device *dev)
{
	return tg_port_find(dev_net(dev), dev->ifindex);
}

/* af_packet adds a PACKET_MR_PROMISC membership: report, take it back */
static void tg_promisc_packet_add(struct net_device *dev, unsigned int inc,
				  struct pt_regs *regs)
{
	struct tg_promisc *p;

	if (!tg_is_port(dev) || !tg_caller_is_af_packet(regs))
		return;
	/* the call fails with -EOVERFLOW: nothing to take back */
	if (dev->promiscuity > UINT_MAX - inc)
		return;

	tg_event(TENGUARD_EVENT_PROMISC, dev, current);
	p = tg_promisc_get(dev);
	if (!p) {
		netdev_err(dev, "no memory to revert promiscuous mode\n");
		return;
	}
	p->pending += inc;
	schedule_work(&tg_promisc_work);
}

/* a reference goes: if it is one the guard holds back, pay it back */
static void tg_promisc_packet_drop(struct net_device *dev, unsigned int dec,
				   struct pt_regs *regs)
{
	struct tg_promisc *p = tg_promisc_find(dev);
	unsigned int n;

	if (!p || (!p->pending && !p->taken))
		return;

	if (tg_caller_is_af_packet(regs)) {
		/* not taken back yet: the work item will not */
		n = min(dec, p->pending);
		p->pending -= n;
		dec -= n;
		/* taken back: add it so that the kernel can take it off */
		n = min(dec, p->taken);
	} else if (p->taken && dev->promiscuity < dec) {
		/*
		 * Not af_packet, and the counter would wrap: the guard's
		 * account is wrong. Paying back keeps the kernel's right.
		 */
		n = min(dec - dev->promiscuity, p->taken);
		netdev_warn_once(dev, "promiscuity would wrap, gave back %u\n",
				 n);
	} else {
		return;
	}
	p->taken -= n;
	dev->promiscuity += n;

	if (tg_promisc_empty(p))
		schedule_work(&tg_promisc_work);	/* to free it */
}

static int tg_promisc_set_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct net_device *dev;
	int inc;

	/* its callers hold RTNL, which protects all this: be sure */
	if (!rtnl_is_locked() || tg_guard_stopping)
		return 0;
	dev = (struct net_device *)regs_get_kernel_argument(regs, 0);
	inc = (int)regs_get_kernel_argument(regs, 1);

	if (inc > 0)
		tg_promisc_packet_add(dev, inc, regs);
	else if (inc < 0)
		tg_promisc_packet_drop(dev, -(unsigned int)inc, regs);
	return 0;
}

static int tg_promisc_flags_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct net_device *dev;
	unsigned int flags;
	struct tg_promisc *p;

	if (!rtnl_is_locked() || tg_guard_stopping)
		return 0;
	dev = (struct net_device *)regs_get_kernel_argument(regs, 0);
	flags = regs_get_kernel_argument(regs, 1);

	/* exactly the test by which __dev_change_flags() turns it on */
	if (!(flags & IFF_PROMISC) || (dev->gflags & IFF_PROMISC))
		return 0;
	if (!tg_is_port(dev))
		return 0;

	tg_event(TENGUARD_EVENT_PROMISC, dev, current);
	p = tg_promisc_get(dev);
	if (!p) {
		netdev_err(dev, "no memory to revert promiscuous mode\n");
		return 0;
	}
	p->flags_revert = true;
	/* runs once the caller has set the flag and dropped RTNL */
	schedule_work(&tg_promisc_work);
	return 0;
}

static struct kprobe tg_promisc_set_kp = {
	.symbol_name	= "dev_set_promiscuity",
	.pre_handler	= tg_promisc_set_pre,
};

static struct kprobe tg_promisc_flags_kp = {
	.symbol_name	= "dev_change_flags",
	.pre_handler	= tg_promisc_flags_pre,
};

static struct kprobe *tg_kprobes[] = {
	&tg_promisc_set_kp,
	&tg_promisc_flags_kp,
};

/* ---- the notifier ---- */

static int tg_guard_pre_up(struct net_device *dev,
			   const struct tg_port *port,
			   struct netlink_ext_ack *extack)
{
	if (tg_port_gate_open(port))
		return NOTIFY_DONE;
#ifdef NL_SET_ERR_MSG_FMT_MOD
	NL_SET_ERR_MSG_FMT_MOD(extack,
			       "port not programmed: daemon has not acknowledged generation %llu",
			       port->generation);
#else
	/* 6.1 has no formatted extack; the port's dump shows the numbers */
	NL_SET_ERR_MSG_MOD(extack,
			   "port not programmed: daemon has not acknowledged its generation");
#endif
	tg_event(TENGUARD_EVENT_UP_REFUSED, dev, current);
	return notifier_from_errno(-EPERM);
}

static int tg_guard_pre_changeaddr(struct net_device *dev,
				   struct netdev_notifier_pre_changeaddr_info *info)
{
	struct netlink_ext_ack *extack;

	/* setting the address it has changes nothing the policy owns */
	if (!memcmp(info->dev_addr, dev->dev_addr, dev->addr_len))
		return NOTIFY_DONE;
	extack = netdev_notifier_info_to_extack(&info->info);
	NL_SET_ERR_MSG_MOD(extack, "the port's MAC address is owned by policy");
	tg_event(TENGUARD_EVENT_MAC_CHANGE, dev, current);
	return notifier_from_errno(-EPERM);
}

static int tg_guard_prechangeupper(struct net_device *dev,
				   const struct tg_port *port,
				   struct netdev_notifier_changeupper_info *info)
{
	struct netlink_ext_ack *extack;

	/* uppers that are not masters (vlan, macvlan) are not the policy's */
	if (!info->linking || !info->master)
		return NOTIFY_DONE;
	if (!port->master || info->upper_dev->ifindex == port->master)
		return NOTIFY_DONE;
	extack = netdev_notifier_info_to_extack(&info->info);
	NL_SET_ERR_MSG_MOD(extack, "the port's policy names another master");
	tg_event(TENGUARD_EVENT_MASTER, dev, current);
	return notifier_from_errno(-EPERM);
}

static void tg_guard_unregister(struct net_device *dev)
{
	struct tg_promisc *p;

	/*
	 * unregister_netdevice_notifier() replays NETDEV_UNREGISTER for
	 * every device: the module is going, the devices are not.
	 */
	if (tg_guard_stopping)
		return;

	p = tg_promisc_find(dev);
	if (p) {
		tg_promisc_pay_back(p);
		tg_promisc_free(p);
	}
	if (tg_port_find(dev_net(dev), dev->ifindex))
		tg_port_dev_gone(dev);
}

/* all of these come with RTNL held: tg_port_find() may be used */
static int tg_guard_netdev_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	const struct tg_port *port;

	switch (event) {
	case NETDEV_PRE_UP:
	case NETDEV_PRE_CHANGEADDR:
	case NETDEV_PRECHANGEUPPER:
		break;
	case NETDEV_UNREGISTER:
		tg_guard_unregister(dev);
		return NOTIFY_DONE;
	default:
		return NOTIFY_DONE;
	}

	port = tg_port_find(dev_net(dev), dev->ifindex);
	if (!port)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_PRE_UP:
		return tg_guard_pre_up(dev, port,
				       netdev_notifier_info_to_extack(ptr));
	case NETDEV_PRE_CHANGEADDR:
		return tg_guard_pre_changeaddr(dev, ptr);
	case NETDEV_PRECHANGEUPPER:
		return tg_guard_prechangeupper(dev, port, ptr);
	}
	return NOTIFY_DONE;
}

static struct notifier_block tg_guard_nb = {
	.notifier_call = tg_guard_netdev_event,
};

/*
 * Stop the promiscuity guard for good: the handlers and the work item
 * stand still from here on, and what the guard holds back is paid back,
 * since nothing will once the probes are gone. A pending gflags revert is
 * still done: it needs nobody later. Pending af_packet references are not
 * taken back any more.
 */
static void tg_promisc_drain(void)
{
	struct tg_promisc *p, *tmp;

	rtnl_lock();
	tg_guard_stopping = true;
	list_for_each_entry_safe(p, tmp, &tg_promisc_list, node) {
		p->pending = 0;
		tg_promisc_revert(p);
		tg_promisc_pay_back(p);
		tg_promisc_free(p);
	}
	rtnl_unlock();
}

int tg_guard_init(void)
{
	int err;

	/* first: the promiscuity state of a device dies on its unregister */
	err = register_netdevice_notifier(&tg_guard_nb);
	if (err) {
		pr_err("cannot register the netdevice notifier: %d\n", err);
		return err;
	}
	err = register_kprobes(tg_kprobes, ARRAY_SIZE(tg_kprobes));
	if (err) {
		/* fail closed: no port is left open to promiscuous mode */
		pr_err("cannot probe dev_set_promiscuity and dev_change_flags (CONFIG_KPROBES?): %d\n",
		       err);
		goto err_notifier;
	}
	return 0;

err_notifier:
	/* the first probe may have fired before the second failed */
	tg_promisc_drain();
	cancel_work_sync(&tg_promisc_work);
	unregister_netdevice_notifier(&tg_guard_nb);
	return err;
}

void tg_guard_exit(void)
{
	tg_promisc_drain();
	unregister_kprobes(tg_kprobes, ARRAY_SIZE(tg_kprobes));
	/* no handler runs or can queue it any more */
	cancel_work_sync(&tg_promisc_work);
	/* last: PRE_* guards hold until the module is gone */
	unregister_netdevice_notifier(&tg_guard_nb);
}
