// SPDX-License-Identifier: GPL-2.0
/*
 * tenguardctl node: what VM ports may reach of the node itself (protected
 * prefixes, the services allowed on them, what a quarantined port may
 * still reach) and the connection tracker's timeouts, in the module.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "ctl.h"
#include "names.h"

/* ---- node set ---- */

static int node_set(int argc, char **argv)
{
	const char *path = "node set";
	struct tg_node_cfg node;
	char err_buf[512];
	struct genl *g;
	int err;

	if (!argc)
		return ctl_missing(path, "FILE");
	if (argc > 1)
		return ctl_what_is("node", argv[1]);
	err = tg_node_file_load(argv[0], &node, err_buf, sizeof(err_buf));
	if (err) {
		fprintf(stderr, CTL_NAME ": %s: %s\n", path, err_buf);
		return err;
	}
	err = ctl_module_open(path, &g);
	if (!err) {
		err = genl_node_set(g, &node);
		if (err)
			genl_perror(g, path, err);
		genl_close(g);
	}
	tg_node_cfg_free(&node);
	return err;
}

/* ---- node show ---- */

static void node_rules_print(const char *key, const char *title,
			     const struct tg_acl_cfg *rules)
{
	print_fp("  %s (default deny):\n", title);
	ctl_acl_rules_print(key, rules->rules, NULL, rules->n_rules);
}

static void node_print(const struct tg_node_cfg *n)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t i;

	open_json_object(NULL);
	print_fp("node:\n");
	print_fp("  protected:");
	open_json_array(PRINT_JSON, "protect");
	for (i = 0; i < n->n_protect; i++)
		print_string(PRINT_ANY, NULL, " %s",
			     ctl_acl_prefix_str(n->protect[i].family ==
						AF_INET ? 4 : 6,
						n->protect[i].addr,
						n->protect[i].prefixlen, buf,
						sizeof(buf)));
	close_json_array(PRINT_JSON, NULL);
	if (n->flags & TENGUARD_NODE_F_OWN_ADDRS)
		print_fp("%s the node's own addresses",
			 n->n_protect ? " and" : "");
	else if (!n->n_protect)
		print_fp(" nothing");
	print_nl();
	/* as a port's flags: the names of the bits set */
	open_json_array(PRINT_JSON, "flags");
	if (n->flags & TENGUARD_NODE_F_OWN_ADDRS)
		print_string(PRINT_JSON, NULL, NULL, "own_addresses");
	if (n->flags & ~TENGUARD_NODE_F_OWN_ADDRS) {
		snprintf(buf, sizeof(buf), "%#x",
			 n->flags & ~TENGUARD_NODE_F_OWN_ADDRS);
		print_string(PRINT_JSON, NULL, NULL, buf);
	}
	close_json_array(PRINT_JSON, NULL);
	node_rules_print("services", "services on protected addresses",
			 &n->services);
	node_rules_print("remediation", "remediation, for quarantined ports",
			 &n->remediation);

	print_fp("  conntrack timeouts:");
	open_json_object("conntrack");
	open_json_object("timeouts");
	for (i = 0; i < __TENGUARD_CT_TIMEOUT_MAX; i++) {
		print_fp(" %s", tg_ct_timeout_names[i]);
		print_uint(PRINT_ANY, tg_ct_timeout_names[i], " %us",
			   n->timeout[i]);
	}
	close_json_object();
	close_json_object();
	print_nl();
	close_json_object();
}

static int node_show(int argc, char **argv)
{
	struct tg_node_cfg node;
	struct genl *g;
	int err;

	if (argc)
		return ctl_what_is("node", argv[0]);
	err = ctl_source_open("node show", &g);
	if (err < 0)
		return err;
	if (!err) {
		fprintf(stderr, CTL_NAME ": node show: the node's configuration "
			"is the module's, and it is not loaded (or --source "
			"maps): \"acl show host\" and \"acl show remediation\" "
			"print what tenguardd programmed\n");
		return -ENOENT;
	}
	err = genl_node_get(g, &node);
	if (err)
		genl_perror(g, "node show", err);
	else
		node_print(&node);
	tg_node_cfg_free(&node);
	genl_close(g);
	return err;
}

static int node_help(int argc, char **argv)
{
	(void)argv;
	if (argc)
		return ctl_what_is("node", argv[0]);
	ctl_usage_table("node", node_cmds);
	printf("\n"
	       "The node's configuration says what VM ports may reach of the node\n"
	       "itself, whatever the ports' own rule sets say:\n"
	       "\n"
	       "  protected    management prefixes no VM port reaches, and with\n"
	       "               \"own_addresses\" every address of the node's own\n"
	       "               interfaces (tenguardd follows them);\n"
	       "  services     what VM ports may still reach on protected addresses\n"
	       "               (DHCP, DNS, metadata): rules whose remote is the\n"
	       "               service's address; anything else is dropped;\n"
	       "  remediation  what a quarantined port (\"" CTL_NAME " port\n"
	       "               quarantine\") may still reach; anything else is\n"
	       "               dropped;\n"
	       "\n"
	       "and how long the connection tracker keeps a flow without packets, in\n"
	       "seconds (1..2147483647): tcp_syn (SYN seen, no answer), tcp_established,\n"
	       "tcp_close (FIN or RST seen), udp (one direction seen), udp_stream (both),\n"
	       "icmp (echo, until its reply), other.\n"
	       "\n"
	       "node set replaces all of it with FILE, a JSON object as the \"node\" of a\n"
	       "policy file:\n"
	       "\n"
	       "  {\"protect\": [\"198.18.0.1\", \"198.19.255.0/24\"], \"own_addresses\": true,\n"
	       "   \"services\": [{\"action\": \"allow\", \"remote\": \"198.18.0.1\",\n"
	       "                 \"proto\": \"udp\", \"ports\": \"53\"}],\n"
	       "   \"remediation\": [RULE...],\n"
	       "   \"conntrack\": {\"timeouts\": {\"tcp_established\": 3600}}}\n"
	       "\n"
	       "RULE is a rule as in a rule set (\"" CTL_NAME " acl help\"). What FILE\n"
	       "leaves out is reset: nothing protected, no services, no remediation,\n"
	       "the default timeouts (60 432000 10 30 180 30 600 in the order above).\n"
	       "\n"
	       "node show prints what the module holds. With -j: {\"protect\": [PREFIX],\n"
	       "\"flags\": [\"own_addresses\"] or [], \"services\" and \"remediation\":\n"
	       "[{\"index\", \"action\", \"proto\", \"remote\" or \"remote_group\", \"ports\",\n"
	       "\"icmp_type\", \"icmp_code\", \"flags\": [\"log\"]}] (as \"acl show\"\n"
	       "prints rules), \"conntrack\": {\"timeouts\": {NAME: SECONDS}}}.\n"
	       "\n"
	       "Both need the module; set needs CAP_NET_ADMIN, and the module's reason\n"
	       "for a refusal is printed as \"Error: ...\". In standalone mode the node's\n"
	       "configuration is the policy file's \"node\"; \"acl show host\" and \"acl\n"
	       "show remediation\" print what tenguardd programmed of it.\n");
	return 0;
}

const struct ctl_cmd node_cmds[] = {
	{ "show", node_show, NULL,
	  "protected prefixes, services, remediation, timeouts",
	  NULL },
	{ "set", node_set, "FILE",
	  "replace the node's configuration with FILE's", NULL },
	{ "help", node_help, NULL, "print this help", NULL },
	{ NULL },
};

int node_main(int argc, char **argv)
{
	return ctl_dispatch("node", node_cmds, argc, argv);
}
