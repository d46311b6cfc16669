// SPDX-License-Identifier: GPL-2.0
/*
 * tenguard.ko: the policy front door and port guards of tenguard. It never
 * touches packets; the BPF datapath does, programmed by tenguardd.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "tenguard.h"

static int __init tg_init(void)
{
	int err;

	err = tg_store_init();
	if (err)
		goto err_store;
	err = tg_node_init();
	if (err)
		goto err_node;
	err = tg_netlink_init();
	if (err)
		goto err_netlink;
	err = tg_guard_init();
	if (err)
		goto err_guard;
	pr_info("generic netlink family \"%s\" version %u\n",
		TENGUARD_GENL_NAME, TENGUARD_GENL_VERSION);
	return 0;

err_guard:
	tg_netlink_exit();
err_netlink:
	tg_node_exit();
err_node:
	tg_store_exit();
err_store:
	return err;
}

static void __exit tg_exit(void)
{
	/* no guard may run, then no request, then the store goes */
	tg_guard_exit();
	tg_netlink_exit();
	tg_node_exit();
	tg_store_exit();
}

module_init(tg_init);
module_exit(tg_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tenguard: tenant policy and port guards");
MODULE_AUTHOR("tenguard developers");
MODULE_ALIAS_GENL_FAMILY(TENGUARD_GENL_NAME);
