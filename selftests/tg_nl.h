/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink for the C selftests that run in the guest (guard_test,
 * scale_test, unload_test), over libmnl: the "tenguard" family and its
 * "events" group, the rtnetlink requests that drive a port's device, and
 * pipelined batches of requests. Functions return 0 or a negative errno;
 * the extack message of the last error is in t->extack.
 */
#ifndef TG_NL_H
#define TG_NL_H

#include <stdint.h>
#include <sys/types.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/tenguard.h>

struct tg_nl {
	struct mnl_socket *nl;
	uint16_t family;	/* the family's id; 0 on rtnetlink */
	uint32_t events;	/* the "events" group's id */
	uint32_t config;	/* the "config" group's id */
	uint32_t seq;
	unsigned int recvs;	/* datagrams the last tg_talk() received */
	char extack[256];
	/*
	 * Of the last error, from the request's start (0: none): the
	 * attribute at fault; the nest missing one, and its type.
	 */
	uint32_t bad_off;
	uint32_t miss_nest;
	uint32_t miss_type;
};

/* generic netlink with "tenguard" resolved; -ENOENT: no module */
int tg_open(struct tg_nl *t);
int tg_open_route(struct tg_nl *t);
void tg_close(struct tg_nl *t);
int tg_join_events(struct tg_nl *t);
int tg_join_config(struct tg_nl *t);
int tg_set_rcvbuf(struct tg_nl *t, int bytes);

/* a request of the family (cmd) or of rtnetlink (type, an ifinfomsg) */
struct nlmsghdr *tg_genl_msg(struct tg_nl *t, void *buf, uint8_t cmd,
			     uint16_t flags);
struct nlmsghdr *tg_link_msg(struct tg_nl *t, void *buf, uint16_t type,
			     uint16_t flags, int ifindex);
/*
 * Send, pass each answer to cb (may be NULL), return the ack's error (or
 * the error a dump ended with; -EINTR for an interrupted dump).
 */
int tg_talk(struct tg_nl *t, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/*
 * n requests, built by build(i) into buf, sent many to a datagram and
 * acked in order: one socket, no round trip per request. Stops at the
 * first error, which it returns; *failed is its request.
 */
typedef struct nlmsghdr *(*tg_build_t)(struct tg_nl *t, void *buf,
				       unsigned int i, void *data);
int tg_pipeline(struct tg_nl *t, unsigned int n, tg_build_t build,
		void *data, unsigned int *failed);

/* ---- the family ---- */

int tg_tenant_new(struct tg_nl *t, uint32_t id, const char *name);
int tg_tenant_del(struct tg_nl *t, uint32_t id);

struct tg_port_req {
	const char *ifname;
	uint32_t tenant;
	uint8_t mac[6];
	uint32_t master;	/* TENGUARD_A_PORT_MASTER if not 0 */
	unsigned int n_addrs;	/* IPv4 addresses 198.18.x.y/32 to bind */
	/* by enum tenguard_acl_dir; flags 0: no TENGUARD_A_PORT_RATE */
	struct tenguard_rate rate[__TENGUARD_ACL_DIR_MAX];
};

void tg_port_put(struct nlmsghdr *nlh, const struct tg_port_req *r);
int tg_port(struct tg_nl *t, uint8_t cmd, const struct tg_port_req *r);
/* acknowledge the port's current generation, as the daemon does */
int tg_port_ack(struct tg_nl *t, const char *ifname);

/*
 * A TENGUARD_A_PORT_RATE of dir from r: BPS and PPS as its datapath flags
 * say, each burst if not 0, FLAGS if it shapes; flags 0 puts DIR alone.
 */
void tg_rate_put(struct nlmsghdr *nlh, uint32_t dir,
		 const struct tenguard_rate *r);
/* and back, datapath flags set: -EINVAL for what the kernel never sends */
int tg_rate_parse(const struct nlattr *nest, uint32_t *dir,
		  struct tenguard_rate *r);

/* ---- rule sets ---- */

/* a rule as attributes of type (TENGUARD_A_ACL_RULE, _NODE_SERVICE, ...) */
void tg_rule_put(struct nlmsghdr *nlh, int type,
		 const struct tenguard_acl_rule *r);
/* and back: -EINVAL for what the kernel would never send */
int tg_rule_parse(const struct nlattr *nest, struct tenguard_acl_rule *r);
/* an address nest (TENGUARD_A_ADDR_*) into r's remote */
int tg_remote_parse(const struct nlattr *nest, struct tenguard_acl_rule *r);

/*
 * One ACL_SET: dflt < 0 sends no TENGUARD_A_ACL_DEFAULT, flags 0 none.
 * The message is as large as n rules make it; -EMSGSIZE if they pass the
 * 64 KiB an attribute (TENGUARD_A_ACL) can hold.
 */
int tg_acl_set(struct tg_nl *t, const char *ifname, uint32_t dir, int dflt,
	       uint32_t flags, const struct tenguard_acl_rule *rules,
	       unsigned int n);
/* a rule set of n rules in parts of at most part rules each */
int tg_acl_load(struct tg_nl *t, const char *ifname, uint32_t dir,
		uint32_t dflt, const struct tenguard_acl_rule *rules,
		unsigned int n, unsigned int part);
int tg_acl_del(struct tg_nl *t, const char *ifname, uint32_t dir);

/* what an ACL_GET dump of one port returned */
struct tg_acl_dump {
	struct {
		int present;
		uint32_t dflt, count;
		struct tenguard_acl_rule *rules;	/* count of them */
		uint32_t got;		/* rules received */
		unsigned int msgs;
		int gap;		/* an OFFSET not where the last ended */
	} dir[__TENGUARD_ACL_DIR_MAX];
	uint64_t generation;
	char ifname[IFNAMSIZ];
};

/* dir < 0: both directions; -EINTR if the dump was interrupted */
int tg_acl_dump(struct tg_nl *t, const char *ifname, int dir,
		struct tg_acl_dump *d);
/* one message of such a dump into d (a struct tg_acl_dump, zeroed first) */
int tg_acl_dump_cb(const struct nlmsghdr *nlh, void *data);
void tg_acl_dump_free(struct tg_acl_dump *d);

struct tg_event {
	uint32_t type;		/* enum tenguard_event */
	uint32_t ifindex;
	uint32_t pid;
	char ifname[IFNAMSIZ];
	char comm[16];
	uint64_t time;		/* CLOCK_REALTIME, ns */
};

/*
 * The events queued on a socket that joined the group, at most max:
 * waits up to wait_ms for the first, then takes what is already there.
 */
int tg_events(struct tg_nl *t, struct tg_event *ev, int max, int wait_ms);

/* ---- devices, over rtnetlink ---- */

struct tg_link {
	int ifindex;
	unsigned int flags;	/* ifi_flags: IFF_PROMISC is the gflag */
	uint32_t promiscuity;	/* every holder's references */
	uint32_t master;
	uint8_t addr[6];
};

int tg_link_get(struct tg_nl *rt, const char *name, struct tg_link *l);
int tg_link_flags(struct tg_nl *rt, int ifindex, unsigned int flags,
		  unsigned int change);
int tg_link_addr(struct tg_nl *rt, int ifindex, const uint8_t *mac);
int tg_link_master(struct tg_nl *rt, int ifindex, int master);
int tg_link_del(struct tg_nl *rt, int ifindex);
/* a device of a kind that needs no more than its name ("dummy") */
int tg_link_add(struct tg_nl *rt, const char *name, const char *kind);

/* ---- processes ---- */

/* system(3) that is 0 on success */
int tg_sh(const char *cmd);
/* fork and exec argv with stdout to /dev/null and stderr to *errfd (a pipe) */
pid_t tg_spawn(char *const argv[], int *errfd);
/* run argv to its end: its exit status, its pid in *pid */
int tg_run(char *const argv[], pid_t *pid);
/* seconds, monotonic */
double tg_now(void);

#endif /* TG_NL_H */
