// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "genl.h"
#include "module_source.h"

int tg_module_open(struct tg_module *m, int rcvbuf)
{
	int err;

	memset(m, 0, sizeof(*m));
	err = genl_open(&m->req);
	if (!err)
		err = genl_open(&m->watch);
	if (!err) {
		m->fd = genl_watch(m->watch, GENL_GRP_CONFIG);
		if (m->fd < 0)
			err = m->fd;
	}
	if (!err && rcvbuf)
		err = genl_watch_rcvbuf(m->watch, rcvbuf);
	if (err)
		tg_module_close(m);
	return err;
}

void tg_module_close(struct tg_module *m)
{
	if (m->watch)
		genl_close(m->watch);
	if (m->req)
		genl_close(m->req);
	memset(m, 0, sizeof(*m));
}

/* a dump that keeps meeting ports deleted under it is given up after */
#define TG_MODULE_TRIES		5

/*
 * One read of the module: tenants, the ports of this namespace with their
 * groups, quarantine and rate limits, each VM port's rule sets, the node.
 * -EAGAIN if a port went away between the port dump and its rule sets.
 */
static int tg_module_read_policy(struct tg_module *m, struct tg_policy *pol)
{
	struct genl_tenant *tenants = NULL;
	struct genl_port *ports = NULL;
	size_t nt = 0, np = 0, i;
	int err;

	memset(pol, 0, sizeof(*pol));
	err = genl_tenant_dump(m->req, &tenants, &nt);
	if (!err)
		err = genl_port_dump(m->req, GENL_NETNSID_NONE, &ports, &np);
	/*
	 * The rule sets are read port by port: an ACL change after the
	 * port dump bumps the generation past the one acked for it, and
	 * its notification brings another read.
	 */
	for (i = 0; !err && i < np; i++) {
		if (ports[i].cfg.kind != TENGUARD_PORT_VM)
			continue;
		err = genl_acl_get(m->req, ports[i].ifindex, GENL_NETNSID_NONE,
				   ports[i].cfg.acl);
		if (err == -ENOENT || err == -ENODEV)
			err = -EAGAIN;
	}
	if (!err)
		err = genl_node_get(m->req, &pol->node);
	if (!err) {
		pol->tenants = calloc(nt ? nt : 1, sizeof(*pol->tenants));
		pol->ports = calloc(np ? np : 1, sizeof(*pol->ports));
		if (!pol->tenants || !pol->ports)
			err = -ENOMEM;
	}
	/*
	 * The lists move into the model: the dump's copies are left empty.
	 * A VM port's limits come as the datapath holds them, in cfg.rate[]:
	 * flags of the limits set, bursts in force (genl.h).
	 */
	for (i = 0; !err && i < nt; i++) {
		pol->tenants[pol->n_tenants++] = tenants[i].cfg;
		memset(&tenants[i].cfg, 0, sizeof(tenants[i].cfg));
	}
	for (i = 0; !err && i < np; i++) {
		ports[i].cfg.generation = ports[i].generation;
		pol->ports[pol->n_ports++] = ports[i].cfg;
		memset(&ports[i].cfg, 0, sizeof(ports[i].cfg));
	}
	for (i = 0; i < nt; i++)
		genl_tenant_free(&tenants[i]);
	for (i = 0; i < np; i++)
		genl_port_free(&ports[i]);
	free(tenants);
	free(ports);
	if (err)
		tg_policy_free(pol);
	return err;
}

int tg_module_policy(struct tg_module *m, struct tg_policy *pol)
{
	int tries, err;

	for (tries = 0; tries < TG_MODULE_TRIES; tries++) {
		err = tg_module_read_policy(m, pol);
		if (err != -EAGAIN)
			break;
	}
	return err;
}

static int on_config(const struct genl_notif *n, void *arg)
{
	unsigned int *what = arg;

	if (n->kind == GENL_N_LOST)
		*what |= TG_MODULE_LOST;
	/*
	 * Our own acks come back too; they change nothing to program. A
	 * quarantine comes as a port, a rule set change as an ACL.
	 */
	else if ((n->kind == GENL_N_TENANT || n->kind == GENL_N_PORT ||
		  n->kind == GENL_N_ACL || n->kind == GENL_N_NODE) &&
		 n->cmd != TENGUARD_CMD_PORT_ACK)
		*what |= TG_MODULE_CHANGED;
	return 0;
}

int tg_module_read(struct tg_module *m, unsigned int *what)
{
	*what = 0;
	return genl_watch_read(m->watch, on_config, what);
}

int tg_module_ack(struct tg_module *m, uint32_t ifindex, uint64_t generation)
{
	return genl_port_ack(m->req, ifindex, GENL_NETNSID_NONE, generation);
}

void tg_module_perror(struct tg_module *m, const char *what, int err)
{
	genl_perror(m->req, what, err);
}
