// SPDX-License-Identifier: GPL-2.0
/*
 * tenguardd: reconciles tenant policy into the pinned maps of the BPF
 * datapath and keeps the programs attached to every port it names.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/libbpf.h>

#include "isolation.skel.h"

#include "acl.h"
#include "isolation.h"
#include "links.h"
#include "module_source.h"
#include "names.h"
#include "pins.h"
#include "policy.h"
#include "rate_meter.h"

struct daemon {
	const char *instance;
	const char *policy_path;
	bool detach_on_exit;
	struct tg_limits lim;
	struct tg_policy pol;
	uint32_t *ifindex;	/* of pol.ports[i], 0 while it does not exist */
	uint64_t gen;
	struct tg_dp dp;
	struct tg_links links;
	struct tg_module mod;	/* module mode; fd 0 in standalone mode */
	struct ring_buffer *acl_log;	/* what logging rules decided */
	struct tg_rate_meter meter;
	bool module_mode;
	int rcvbuf;		/* of the module's notifications, 0: default */
};

static void logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("tenguardd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	char msg[512];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* the clsact qdisc of a port we attached to before: expected */
	if (strstr(msg, "Exclusivity flag on"))
		return 0;
	return fprintf(stderr, "tenguardd: %s", msg);
}

/*
 * Module mode: tell the module the port's generation is enforced, which
 * opens its UP gate. ESTALE: it changed meanwhile, a notification follows.
 */
static void ack_port(struct daemon *d, const struct tg_dp_port *p)
{
	int err;

	if (!d->module_mode || !p->cfg->generation)
		return;
	err = tg_module_ack(&d->mod, p->ifindex, p->cfg->generation);
	if (err && err != -ESTALE)
		tg_module_perror(&d->mod, p->cfg->name, err);
}

static int attach_port(struct daemon *d, const struct tg_dp_port *p)
{
	int err = tg_dp_attach(&d->dp, p->ifindex, p->cfg->kind);

	if (err)
		logmsg("%s: cannot attach to ifindex %u: %s", p->cfg->name,
		       p->ifindex, strerror(-err));
	else
		ack_port(d, p);
	return err;
}

/*
 * Module mode: the module says which ports are quarantined. Standalone,
 * tenguardctl writes tg_quarantine itself and the daemon leaves it alone.
 */
static int quarantine(struct daemon *d, const struct tg_dp_port *p)
{
	if (!d->module_mode || p->cfg->kind != TENGUARD_PORT_VM)
		return 0;
	return tg_dp_quarantine(&d->dp, p->ifindex, p->cfg->quarantined);
}

static int reconcile(struct daemon *d, struct tg_policy *pol,
		     const struct tg_dp_port *ports, size_t n)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < n; i++)
		err = quarantine(d, &ports[i]);
	if (!err)
		err = tg_dp_reconcile(&d->dp, pol, ports, n, d->gen + 1);
	return err;
}

/*
 * Make the datapath enforce pol. On success pol becomes the daemon's policy;
 * on failure the previous policy is programmed again.
 */
static int apply(struct daemon *d, struct tg_policy *pol)
{
	struct tg_dp_port *ports;
	uint32_t *ifindex;
	size_t i, n = 0;
	char msg[256];
	int err;

	err = tg_dp_fits(pol, &d->lim, msg, sizeof(msg));
	if (err) {
		logmsg("%s", msg);
		return err;
	}
	ifindex = calloc(pol->n_ports ? pol->n_ports : 1, sizeof(*ifindex));
	ports = calloc(pol->n_ports ? pol->n_ports : 1, sizeof(*ports));
	if (!ifindex || !ports) {
		free(ifindex);
		free(ports);
		return -ENOMEM;
	}
	for (i = 0; i < pol->n_ports; i++) {
		ifindex[i] = if_nametoindex(pol->ports[i].name);
		if (!ifindex[i]) {
			logmsg("%s: no such interface yet, waiting for it",
			       pol->ports[i].name);
			continue;
		}
		ports[n].ifindex = ifindex[i];
		ports[n++].cfg = &pol->ports[i];
	}

	err = reconcile(d, pol, ports, n);
	if (err) {
		logmsg("programming the datapath failed: %s",
		       d->dp.err[0] ? d->dp.err : strerror(-err));
		free(ifindex);
		free(ports);
		return err;
	}
	if (d->dp.warn[0])
		logmsg("%s", d->dp.warn);
	d->gen++;
	for (i = 0; i < n; i++)
		attach_port(d, &ports[i]);
	free(ports);

	if (pol != &d->pol) {
		tg_policy_free(&d->pol);
		d->pol = *pol;
		memset(pol, 0, sizeof(*pol));
	}
	free(d->ifindex);
	d->ifindex = ifindex;
	return 0;
}

/* the desired policy, from the policy file or the module */
static int load_policy(struct daemon *d, struct tg_policy *pol, char *err,
		       size_t errlen)
{
	int ret;

	if (!d->module_mode)
		return tg_policy_load(d->policy_path, pol, err, errlen);
	ret = tg_module_policy(&d->mod, pol);
	if (ret)
		snprintf(err, errlen, "dumping the module's policy: %s",
			 strerror(-ret));
	return ret;
}

static void reload(struct daemon *d)
{
	struct tg_policy pol = { 0 };
	char err[512];
	int ret;

	ret = load_policy(d, &pol, err, sizeof(err));
	if (ret) {
		logmsg("reload refused, keeping generation %llu: %s",
		       (unsigned long long)d->gen, err);
		return;
	}
	ret = apply(d, &pol);
	if (ret) {
		tg_policy_free(&pol);
		logmsg("reload failed, restoring generation %llu",
		       (unsigned long long)d->gen);
		if (apply(d, &d->pol))
			logmsg("restoring failed: datapath may be stale");
		return;
	}
	logmsg("reloaded %s: generation %llu",
	       d->module_mode ? "the module's policy" : d->policy_path,
	       (unsigned long long)d->gen);
}

static void on_link(uint32_t ifindex, const char *ifname, void *ctx)
{
	struct daemon *d = ctx;
	struct tg_dp_port p;
	size_t i;
	int err;

	for (i = 0; i < d->pol.n_ports; i++) {
		const struct tg_port_cfg *cfg = &d->pol.ports[i];
		bool mine = d->ifindex[i] == ifindex;
		bool named = ifname && !strcmp(ifname, cfg->name);

		if (mine == named)
			continue;
		/* deleted or renamed away; or a new device took the name */
		if (d->ifindex[i]) {
			tg_dp_forget_port(&d->dp, d->ifindex[i]);
			logmsg("%s: ifindex %u gone", cfg->name, d->ifindex[i]);
			d->ifindex[i] = 0;
		}
		if (!named)
			continue;
		p.ifindex = ifindex;
		p.cfg = cfg;
		err = quarantine(d, &p);
		if (!err)
			err = tg_dp_program_port(&d->dp, &d->pol, &p, d->gen);
		if (!err)
			err = attach_port(d, &p);
		if (err) {
			logmsg("%s: cannot program ifindex %u: %s", cfg->name,
			       ifindex, d->dp.err[0] ? d->dp.err :
			       strerror(-err));
			continue;
		}
		if (d->dp.warn[0])
			logmsg("%s", d->dp.warn);
		d->ifindex[i] = ifindex;
		logmsg("%s: attached to ifindex %u", cfg->name, ifindex);
	}
}

static void signals_block(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigprocmask(SIG_BLOCK, mask, NULL);
}

static const char *port_name(const struct daemon *d, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < d->pol.n_ports; i++)
		if (d->ifindex[i] == ifindex)
			return d->pol.ports[i].name;
	return "?";
}

/* one line per packet a logging rule decided: source, type, time */
static int on_acl_log(void *ctx, void *data, size_t len)
{
	const struct tenguard_acl_log *r = data;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], proto[8];
	const struct daemon *d = ctx;
	int af;

	if (len < sizeof(*r) || r->set > TENGUARD_ACL_SET_REMEDIATION ||
	    r->action > TENGUARD_ACL_ACTION_MAX)
		return 0;
	af = r->family == 4 ? AF_INET : AF_INET6;
	inet_ntop(af, r->saddr, src, sizeof(src));
	inet_ntop(af, r->daddr, dst, sizeof(dst));
	if (tg_proto_name(r->proto))
		snprintf(proto, sizeof(proto), "%s", tg_proto_name(r->proto));
	else
		snprintf(proto, sizeof(proto), "%u", r->proto);
	if (r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6)
		logmsg("acl: %s %s rule %u %s %s %s -> %s type %u code %u",
		       port_name(d, r->ifindex), tg_acl_set_names[r->set],
		       r->rule, tg_acl_action_names[r->action], proto, src,
		       dst, ntohs(r->sport) >> 8, ntohs(r->sport) & 0xff);
	else
		logmsg("acl: %s %s rule %u %s %s %s%s%s:%u -> %s%s%s:%u",
		       port_name(d, r->ifindex), tg_acl_set_names[r->set],
		       r->rule, tg_acl_action_names[r->action], proto,
		       af == AF_INET6 ? "[" : "", src, af == AF_INET6 ? "]" : "",
		       ntohs(r->sport), af == AF_INET6 ? "[" : "", dst,
		       af == AF_INET6 ? "]" : "", ntohs(r->dport));
	return 0;
}

static int run(struct daemon *d)
{
	struct itimerspec every = {
		.it_interval.tv_sec = TG_RATE_METER_INTERVAL_MS / 1000,
		.it_interval.tv_nsec = TG_RATE_METER_INTERVAL_MS % 1000 * 1000000L,
		.it_value.tv_sec = TG_RATE_METER_INTERVAL_MS / 1000,
		.it_value.tv_nsec = TG_RATE_METER_INTERVAL_MS % 1000 * 1000000L,
	};
	struct pollfd pfd[5];
	struct signalfd_siginfo si;
	unsigned int what;
	uint64_t ticks;
	sigset_t mask;
	int sfd, tfd, err;

	signals_block(&mask);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0)
		return -errno;
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (tfd < 0 || timerfd_settime(tfd, 0, &every, NULL)) {
		err = -errno;
		close(sfd);
		return err;
	}

	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = tg_links_fd(&d->links),
				  .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = d->module_mode ? d->mod.fd : -1,
				  .events = POLLIN };
	pfd[3] = (struct pollfd){ .fd = ring_buffer__epoll_fd(d->acl_log),
				  .events = POLLIN };
	pfd[4] = (struct pollfd){ .fd = tfd, .events = POLLIN };
	logmsg("ready: instance %s, generation %llu, %zu ports",
	       d->instance, (unsigned long long)d->gen, d->pol.n_ports);
	for (;;) {
		if (poll(pfd, 5, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (pfd[4].revents &&
		    read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks)) {
			err = tg_rate_meter_run(&d->meter, &d->dp);
			if (err)
				logmsg("rate meter: %s", strerror(-err));
		}
		if (pfd[3].revents)
			ring_buffer__consume(d->acl_log);
		if (pfd[1].revents) {
			d->links.addrs_changed = false;
			err = tg_links_read(&d->links, on_link, d);
			if (err == -ENOBUFS) {
				logmsg("link events lost: rescanning");
				apply(d, &d->pol);
			} else if (err) {
				logmsg("rtnetlink: %s", strerror(-err));
			} else if (d->links.addrs_changed &&
				   d->pol.node.flags & TENGUARD_NODE_F_OWN_ADDRS) {
				/* the node's own addresses are protected */
				apply(d, &d->pol);
			}
		}
		if (pfd[2].revents) {
			err = tg_module_read(&d->mod, &what);
			if (err) {
				tg_module_perror(&d->mod, "module", err);
				break;
			}
			if (what & TG_MODULE_LOST)
				logmsg("module notifications lost: dumping again");
			/* a change, or lost notifications: dump again */
			if (what)
				reload(d);
		}
		if (!pfd[0].revents)
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			reload(d);
			continue;
		}
		err = 0;
		break;
	}
	close(tfd);
	close(sfd);
	return err;
}

static void shutdown_datapath(struct daemon *d)
{
	size_t i;

	if (!d->detach_on_exit) {
		logmsg("exiting; enforcement stays (generation %llu)",
		       (unsigned long long)d->gen);
		return;
	}
	for (i = 0; i < d->pol.n_ports; i++)
		if (d->ifindex[i])
			tg_dp_detach(&d->dp, d->ifindex[i]);
	tg_dp_unpin(&d->dp);
	logmsg("exiting; detached from all ports");
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: tenguardd [--policy FILE] [OPTIONS]\n"
"\n"
"Enforce tenant policy on the ports of this node with BPF programs on each\n"
"port's tc clsact hooks. Maps are pinned under %s/INSTANCE, so\n"
"enforcement continues while the daemon restarts.\n"
"\n"
"Options:\n"
"  -f, --policy FILE     standalone mode: enforce the JSON policy in FILE;\n"
"                        SIGHUP reloads it (all or nothing). Without it:\n"
"                        module mode, the policy tenguard.ko holds for this\n"
"                        network namespace, followed as it changes; each\n"
"                        port's generation is acknowledged once enforced\n"
"  -i, --instance NAME   pin directory and state of this daemon\n"
"                        (default: $%s, else \"%s\")\n"
"      --check           validate FILE, print any error and exit\n"
"      --detach-on-exit  on SIGTERM/SIGINT remove the programs and pins;\n"
"                        without it enforcement outlives the daemon\n"
"      --max-ports N     datapath capacity in ports (default 4096); tenants,\n"
"                        ethertype bindings: as many; segments: twice\n"
"      --max-macs N      in MAC bindings (default 16384)\n"
"      --netlink-rcvbuf BYTES  receive buffer for the module's notifications\n"
"                        (module mode; past it they are lost and the daemon\n"
"                        dumps the module's policy again)\n"
"      --max-addrs N     in address bindings (default 65536; a quarter\n"
"                        of it for prefixes shorter than /32, /128)\n"
"      --max-conntrack N tracked flows of the node (default 262144): an LRU\n"
"                        table; what it evicts to make room is counted\n"
"                        (tenguardctl conntrack stats)\n"
"      --max-acl-entries N  classifier entries one rule set may compile to\n"
"                        (default 1048576); a set needing more is refused\n"
"  -h, --help            this text\n"
"\n"
"Exit status: 0 on a clean exit, 1 on a bad policy or setup failure.\n",
		TENGUARD_PIN_ROOT, TG_INSTANCE_ENV, TG_INSTANCE_DEFAULT);
}

static int parse_u32(const char *opt, const char *s, uint32_t *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 0);
	if (errno || *end || !*s || n == 0 || n > UINT32_MAX) {
		fprintf(stderr, "tenguardd: %s: invalid count \"%s\"\n", opt, s);
		return -EINVAL;
	}
	*v = n;
	return 0;
}

enum {
	OPT_CHECK = 256,
	OPT_DETACH,
	OPT_MAX_PORTS,
	OPT_MAX_MACS,
	OPT_MAX_ADDRS,
	OPT_RCVBUF,
	OPT_MAX_CT,
	OPT_MAX_ACL,
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'f' },
		{ "instance", required_argument, NULL, 'i' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "detach-on-exit", no_argument, NULL, OPT_DETACH },
		{ "max-ports", required_argument, NULL, OPT_MAX_PORTS },
		{ "max-macs", required_argument, NULL, OPT_MAX_MACS },
		{ "max-addrs", required_argument, NULL, OPT_MAX_ADDRS },
		{ "netlink-rcvbuf", required_argument, NULL, OPT_RCVBUF },
		{ "max-conntrack", required_argument, NULL, OPT_MAX_CT },
		{ "max-acl-entries", required_argument, NULL, OPT_MAX_ACL },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct daemon d = { .lim = TG_LIMITS_DEFAULT };
	const char *instance = NULL;
	bool check = false;
	uint32_t n;
	char err[512];
	int c, ret;

	while ((c = getopt_long(argc, argv, "f:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			d.policy_path = optarg;
			break;
		case 'i':
			instance = optarg;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case OPT_DETACH:
			d.detach_on_exit = true;
			break;
		case OPT_MAX_PORTS:
			if (parse_u32("--max-ports", optarg, &d.lim.ports))
				return 1;
			d.lim.tenants = d.lim.ethertypes = d.lim.ports;
			d.lim.segments = 2 * d.lim.ports;
			break;
		case OPT_MAX_MACS:
			if (parse_u32("--max-macs", optarg, &d.lim.macs))
				return 1;
			break;
		case OPT_MAX_ADDRS:
			if (parse_u32("--max-addrs", optarg, &d.lim.addrs))
				return 1;
			d.lim.prefixes = d.lim.addrs / 4 ? d.lim.addrs / 4 : 1;
			break;
		case OPT_RCVBUF:
			if (parse_u32("--netlink-rcvbuf", optarg, &n) ||
			    n > INT_MAX)
				return 1;
			d.rcvbuf = n;
			break;
		case OPT_MAX_CT:
			if (parse_u32("--max-conntrack", optarg,
				      &d.lim.conntrack))
				return 1;
			break;
		case OPT_MAX_ACL:
			if (parse_u32("--max-acl-entries", optarg,
				      &d.lim.acl_entries))
				return 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tenguardd: What is \"%s\"?\n", argv[optind]);
		return 1;
	}
	d.module_mode = !d.policy_path;
	if (d.module_mode && check) {
		fprintf(stderr, "tenguardd: --check needs --policy FILE\n");
		return 1;
	}
	d.instance = tg_instance(instance);
	if (tg_instance_valid(d.instance)) {
		fprintf(stderr, "tenguardd: invalid instance name \"%s\": use "
			"letters, digits, '.', '_' and '-'\n", d.instance);
		return 1;
	}

	if (d.module_mode) {
		ret = tg_module_open(&d.mod, d.rcvbuf);
		if (ret) {
			fprintf(stderr, "tenguardd: no --policy FILE and %s\n",
				ret == -ENOENT ? "the tenguard module is not "
				"loaded" : strerror(-ret));
			return 1;
		}
	}
	ret = load_policy(&d, &d.pol, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "tenguardd: %s\n", err);
		tg_module_close(&d.mod);
		return 1;
	}
	if (check) {
		printf("%s: ok, %zu tenants, %zu ports\n", d.policy_path,
		       d.pol.n_tenants, d.pol.n_ports);
		tg_policy_free(&d.pol);
		return 0;
	}

	/* refused whole: nothing pinned for a policy the maps cannot hold */
	ret = tg_dp_fits(&d.pol, &d.lim, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "tenguardd: %s\n", err);
		goto out_pol;
	}
	/* a signal while the datapath is set up waits for run() */
	signals_block(&(sigset_t){ 0 });
	libbpf_set_print(libbpf_log);
	/* listen before the first scan: no device appears unseen */
	ret = tg_links_open(&d.links);
	if (ret) {
		logmsg("rtnetlink: %s", strerror(-ret));
		goto out_pol;
	}
	ret = tg_dp_open(&d.dp, d.instance, &d.lim);
	if (ret) {
		logmsg("loading the datapath: %s%s", strerror(-ret),
		       ret == -EINVAL ? " (pinned maps of another size? "
		       "use the same --max-* or remove the pins)" : "");
		goto out_links;
	}
	d.acl_log = ring_buffer__new(bpf_map__fd(d.dp.skel->maps.tg_acl_log),
				     on_acl_log, &d, NULL);
	if (!d.acl_log) {
		ret = -errno;
		logmsg("the ACL log: %s", strerror(-ret));
		goto out_dp;
	}
	ret = apply(&d, &d.pol);
	if (ret)
		goto out_dp;
	ret = run(&d);
	shutdown_datapath(&d);
out_dp:
	ring_buffer__free(d.acl_log);
	tg_rate_meter_free(&d.meter);
	tg_dp_close(&d.dp);
out_links:
	tg_links_close(&d.links);
out_pol:
	tg_policy_free(&d.pol);
	tg_module_close(&d.mod);
	free(d.ifindex);
	return ret ? 1 : 0;
}
