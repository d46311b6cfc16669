// SPDX-License-Identifier: GPL-2.0
/*
 * tenguardctl acl set, acl del: the rule sets of a VM port, pushed to the
 * tenguard module. (acl show, which reads what the daemon programmed, is
 * ctl_acl.c's.)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "names.h"

/* [netnsid N] at the end of a command */
static int acl_netnsid_arg(const char *path, int argc, char **argv,
			   int32_t *netnsid)
{
	*netnsid = GENL_NETNSID_NONE;
	if (!argc)
		return 0;
	if (strcmp(argv[0], "netnsid"))
		return ctl_what_is("acl", argv[0]);
	if (argc < 2)
		return ctl_missing(path, "N after \"netnsid\"");
	if (argc > 2)
		return ctl_what_is("acl", argv[2]);
	return ctl_arg_netnsid(path, argv[1], netnsid);
}

/* acl set DEV FILE [netnsid N] */
int acl_set_main(int argc, char **argv)
{
	struct tg_acl_cfg acl[__TENGUARD_ACL_DIR_MAX];
	const char *path = "acl set", *dev, *file;
	char err_buf[512], what[IFNAMSIZ + 32];
	unsigned int done = 0;
	uint32_t ifindex;
	int32_t netnsid;
	struct genl *g;
	int dir, err;

	if (argc < 1)
		return ctl_missing(path, "DEV");
	if (argc < 2)
		return ctl_missing(path, "FILE");
	dev = argv[0];
	file = argv[1];
	err = ctl_arg_ifname(path, dev);
	if (!err)
		err = acl_netnsid_arg(path, argc - 2, argv + 2, &netnsid);
	if (err)
		return err;
	err = tg_acl_file_load(file, acl, err_buf, sizeof(err_buf));
	if (err) {
		fprintf(stderr, CTL_NAME ": %s: %s\n", path, err_buf);
		return err;
	}
	if (!acl[TENGUARD_ACL_INGRESS].present &&
	    !acl[TENGUARD_ACL_EGRESS].present) {
		fprintf(stderr, CTL_NAME ": %s: %s has neither \"ingress\" nor "
			"\"egress\": nothing to set (\"acl del\" removes a rule "
			"set)\n", path, file);
		err = -EINVAL;
		goto out;
	}

	err = ctl_module_open(path, &g);
	if (err)
		goto out;
	err = ctl_link_index(g, path, dev, netnsid, &ifindex);
	/* each direction is a rule set of its own, set in its own push */
	for (dir = 0; !err && dir < __TENGUARD_ACL_DIR_MAX; dir++) {
		if (!acl[dir].present)
			continue;
		err = genl_acl_set(g, ifindex, netnsid, dir, &acl[dir], NULL);
		if (!err) {
			done |= 1U << dir;
			continue;
		}
		snprintf(what, sizeof(what), "%s %s %s", path, dev,
			 tg_acl_set_names[dir]);
		genl_perror(g, what, err);
		/* the failed one is as it was, the one before it is set */
		if (done)
			fprintf(stderr, CTL_NAME ": %s: %s of %s is set, %s is "
				"as it was\n", path,
				tg_acl_set_names[TENGUARD_ACL_INGRESS], dev,
				tg_acl_set_names[dir]);
	}
	genl_close(g);
out:
	for (dir = 0; dir < __TENGUARD_ACL_DIR_MAX; dir++)
		tg_acl_cfg_free(&acl[dir]);
	return err;
}

/* acl del DEV {ingress|egress} [netnsid N] */
int acl_del_main(int argc, char **argv)
{
	const char *path = "acl del", *dev;
	char what[IFNAMSIZ + 32];
	uint32_t ifindex;
	int32_t netnsid;
	struct genl *g;
	int dir, err;

	if (argc < 1)
		return ctl_missing(path, "DEV");
	if (argc < 2)
		return ctl_missing(path, "direction: ingress or egress");
	dev = argv[0];
	err = ctl_arg_ifname(path, dev);
	if (err)
		return err;
	dir = tg_name_index(tg_acl_set_names, __TENGUARD_ACL_DIR_MAX, argv[1]);
	if (dir < 0)
		return ctl_invalid(path, "direction", argv[1],
				   "ingress or egress");
	err = acl_netnsid_arg(path, argc - 2, argv + 2, &netnsid);
	if (!err)
		err = ctl_module_open(path, &g);
	if (err)
		return err;
	err = ctl_link_index(g, path, dev, netnsid, &ifindex);
	if (!err) {
		err = genl_acl_del(g, ifindex, netnsid, dir);
		if (err) {
			snprintf(what, sizeof(what), "%s %s %s", path, dev,
				 tg_acl_set_names[dir]);
			genl_perror(g, what, err);
		}
	}
	genl_close(g);
	return err;
}
