// SPDX-License-Identifier: GPL-2.0
/*
 * tenguardctl monitor: the module's multicast groups, one line (or one
 * JSON object) a message, until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "names.h"

static const struct {
	const char *text;
	const char *json;
} monitor_cmds[] = {
	[TENGUARD_CMD_TENANT_NEW] = { "tenant new", "tenant_new" },
	[TENGUARD_CMD_TENANT_SET] = { "tenant set", "tenant_set" },
	[TENGUARD_CMD_TENANT_DEL] = { "tenant del", "tenant_del" },
	[TENGUARD_CMD_PORT_NEW] = { "port new", "port_new" },
	[TENGUARD_CMD_PORT_SET] = { "port set", "port_set" },
	[TENGUARD_CMD_PORT_DEL] = { "port del", "port_del" },
	[TENGUARD_CMD_PORT_ACK] = { "port ack", "port_ack" },
	[TENGUARD_CMD_EVENT] = { "event", "event" },
	[TENGUARD_CMD_PORT_QUARANTINE] = { "port quarantine",
					   "port_quarantine" },
	[TENGUARD_CMD_ACL_SET] = { "acl set", "acl_set" },
	[TENGUARD_CMD_ACL_DEL] = { "acl del", "acl_del" },
	[TENGUARD_CMD_NODE_SET] = { "node set", "node_set" },
};

static const char *const monitor_events[] = {
	[TENGUARD_EVENT_PROMISC] = "promisc",
	[TENGUARD_EVENT_MAC_CHANGE] = "mac-change",
	[TENGUARD_EVENT_MASTER] = "master",
	[TENGUARD_EVENT_UP_REFUSED] = "up-refused",
};

static void monitor_event(const struct genl_event *e)
{
	char buf[64], when[32];
	struct tm tm;
	time_t sec;

	/* one JSON type for "type": a newer module's event as its number */
	if (e->type < sizeof(monitor_events) / sizeof(monitor_events[0])) {
		print_string(PRINT_ANY, "type", " %s", monitor_events[e->type]);
	} else {
		snprintf(buf, sizeof(buf), "%u", e->type);
		print_string(PRINT_ANY, "type", " %s", buf);
	}
	if (e->has & GENL_E_IFNAME)
		print_string(PRINT_ANY, "ifname", " %s", e->ifname);
	if (e->has & GENL_E_IFINDEX)
		print_uint(PRINT_ANY, "ifindex", " ifindex %u", e->ifindex);
	if (e->has & GENL_E_PID)
		print_uint(PRINT_ANY, "pid", " pid %u", e->pid);
	if (e->has & GENL_E_COMM)
		print_string(PRINT_ANY, "comm", " comm %s", e->comm);
	if (!(e->has & GENL_E_TIME))
		return;
	/* JSON: the kernel's nanoseconds; text: RFC 3339, UTC */
	print_u64(PRINT_JSON, "time", NULL, e->time_ns);
	sec = e->time_ns / 1000000000;
	if (gmtime_r(&sec, &tm) &&
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, sizeof(buf), "%s.%09" PRIu64 "Z", when,
			 e->time_ns % 1000000000);
		print_string(PRINT_FP, NULL, " time %s", buf);
	}
}

static int monitor_print(const struct genl_notif *n, void *arg)
{
	const char *text = NULL, *json = NULL;

	(void)arg;
	if (n->kind == GENL_N_LOST) {
		fprintf(stderr, CTL_NAME ": monitor: the receive buffer overran: "
			"messages were lost\n");
		return 0;
	}
	if (n->cmd < sizeof(monitor_cmds) / sizeof(monitor_cmds[0])) {
		text = monitor_cmds[n->cmd].text;
		json = monitor_cmds[n->cmd].json;
	}
	open_json_object(NULL);
	print_string(PRINT_JSON, "group", NULL, n->group == GENL_GRP_EVENTS ?
		     TENGUARD_MCGRP_EVENTS : TENGUARD_MCGRP_CONFIG);
	switch (n->kind) {
	case GENL_N_TENANT:
	case GENL_N_PORT:
	case GENL_N_EVENT:
	case GENL_N_ACL:
	case GENL_N_NODE:
		/* JSON has the key, text the words: port_set, "port set" */
		print_string(PRINT_JSON, "command", NULL, json ? json : "?");
		print_fp("%s", text ? text : "?");
		break;
	default:
		/* a command or a layout this build does not know */
		print_string(PRINT_JSON, "command", NULL, "unknown");
		print_uint(PRINT_ANY, "cmd", "command %u (unreadable)", n->cmd);
	}
	switch (n->kind) {
	case GENL_N_TENANT:
		open_json_object("tenant");
		ctl_tenant_line(&n->tenant);
		close_json_object();
		break;
	case GENL_N_PORT:
		open_json_object("port");
		ctl_port_line(&n->port);
		close_json_object();
		break;
	case GENL_N_EVENT:
		open_json_object("event");
		monitor_event(&n->event);
		close_json_object();
		break;
	case GENL_N_ACL:
		/* the rules themselves: tenguardctl acl show */
		print_uint(PRINT_ANY, "ifindex", " ifindex %u", n->acl.ifindex);
		if (n->acl.has_dir && n->acl.dir <= TENGUARD_ACL_DIR_MAX)
			print_string(PRINT_ANY, "set", " %s",
				     tg_acl_set_names[n->acl.dir]);
		break;
	default:
		break;
	}
	close_json_object();
	print_nl();
	print_record_end();
	return 0;
}

static void monitor_signal(int sig)
{
	(void)sig;	/* only to interrupt the wait */
}

static int monitor_help(void)
{
	printf("Usage: " CTL_NAME " [OPTIONS] monitor [config|events]\n"
	       "\n"
	       "Listen to the tenguard kernel module and print each message as it\n"
	       "arrives, until SIGINT or SIGTERM: from the multicast group \"config\"\n"
	       "every change of a tenant or a port (new, set, del) and every ack of\n"
	       "the daemon, carrying the object as it is now, every quarantine, and\n"
	       "every change of a port's rule sets (acl set, acl del: which port and\n"
	       "direction) or of the node's protection (node set); from the group\n"
	       "\"events\" each thing the module stopped a port's user from doing\n"
	       "(promisc, mac-change, master, up-refused), with who tried. Without\n"
	       "an argument, both groups.\n"
	       "\n"
	       "Text is one line a message:\n"
	       "\n"
	       "  tenant new 100 name blue segments vlan 100,vni 10100\n"
	       "  port set tap-vm1 ifindex 7 kind vm tenant 100 flags - generation 12\n"
	       "    acked 11 macs 02:00:00:00:01:01 addresses 198.18.0.11/32 ethertypes -\n"
	       "  event promisc tap-vm1 ifindex 7 pid 4242 comm qemu-system-x86\n"
	       "    time 2025-01-01T12:00:00.000000000Z\n"
	       "\n"
	       "(each on one line). With -j, one JSON object a line (-p is ignored):\n"
	       "{\"group\", \"command\" (tenant_new, tenant_set, tenant_del, port_new,\n"
	       "port_set, port_del, port_ack, event), then \"tenant\" (as tenant list\n"
	       "prints one), \"port\" (as port list prints one, without \"tenant_name\",\n"
	       "with \"macs\", \"addresses\", \"ethertypes\") or \"event\" ({\"type\",\n"
	       "\"ifname\", \"ifindex\", \"pid\", \"comm\", \"time\" in ns since the epoch})}.\n"
	       "Messages lost because the output was not read fast enough are\n"
	       "reported on stderr; the monitor goes on. It ends with status 0 on\n"
	       "SIGINT or SIGTERM, and with 1 if the module is unloaded.\n");
	return 0;
}

int monitor_main(int argc, char **argv)
{
	unsigned int groups = GENL_GRP_CONFIG | GENL_GRP_EVENTS;
	struct sigaction sa = { .sa_handler = monitor_signal };
	sigset_t stop, old, waitmask;
	struct genl *g;
	int err;

	if (argc > 1)
		return ctl_what_is("monitor", argv[1]);
	if (argc && !strcmp(argv[0], "help"))
		return monitor_help();
	if (argc && !strcmp(argv[0], "config"))
		groups = GENL_GRP_CONFIG;
	else if (argc && !strcmp(argv[0], "events"))
		groups = GENL_GRP_EVENTS;
	else if (argc)
		return ctl_what_is("monitor", argv[0]);

	err = ctl_module_open("monitor", &g);
	if (err)
		return err;
	/*
	 * SIGINT and SIGTERM are blocked but while waiting (ppoll), so one
	 * ends the wait and never a half-printed line. No SA_RESTART.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigprocmask(SIG_BLOCK, &stop, &old);
	waitmask = old;
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);

	/* one object a line: a reader takes each as it comes */
	new_json_obj(is_json_context(), false);
	err = genl_monitor(g, groups, &waitmask, monitor_print, NULL);
	if (err == -ESHUTDOWN)
		fprintf(stderr, CTL_NAME ": monitor: the tenguard kernel module "
			"was unloaded\n");
	else if (err)
		genl_perror(g, "monitor", err);
	sigprocmask(SIG_SETMASK, &old, NULL);
	genl_close(g);
	return err;
}
