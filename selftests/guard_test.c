// SPDX-License-Identifier: GPL-2.0
/*
 * The port guards of tenguard.ko, from the outside: each thing a process
 * may not do to a port is tried the way an operator or a tool would do it,
 * and the test checks that it did not stick, that exactly one event on the
 * "events" group names the port and the process, and that the same thing
 * done legitimately (to a device that is not a port, or as the policy
 * allows) still works and is not reported. Runs where tenguard.ko is loaded
 * (the guest, scripts/vmtest.sh), as root; each test in its own netns.
 *
 *   netns of the test:
 *     tgg0 <--veth--> tgg0p     tgg0: a port, tenant T, MAC 02:00:00:00:47:01
 *     tgg1 <--veth--> tgg1p     tgg1: not a port
 *     tggbr0, tggbr1 (master):  bridges; the policy names tggbr0
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <net/if.h>
#include <linux/tenguard.h>

#include "kselftest_harness.h"
#include "tg_nl.h"

#define PORT	"tgg0"
#define OTHER	"tgg1"

static const uint8_t port_mac[6] = { 0x02, 0, 0, 0, 0x47, 0x01 };
static const uint8_t new_mac[6] = { 0x02, 0, 0, 0, 0x47, 0x99 };

FIXTURE(guard) {
	struct tg_nl t;		/* requests to the family */
	struct tg_nl ev;	/* joined to "events" */
	struct tg_nl rt;	/* rtnetlink */
	uint32_t tenant;
	struct tg_link port;	/* PORT and OTHER before the test */
	struct tg_link other;
	char comm[16];		/* ours, as events name it */
	pid_t tcpdump[2];	/* on PORT and on OTHER */
};

FIXTURE_SETUP(guard)
{
	struct tg_port_req r = { .ifname = PORT };
	FILE *f;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, tg_open(&self->t)) TH_LOG("family not found: module loaded?");
	ASSERT_EQ(0, tg_open(&self->ev));
	ASSERT_EQ(0, tg_join_events(&self->ev));
	ASSERT_EQ(0, tg_open_route(&self->rt));
	ASSERT_EQ(0, tg_sh("ip link add " PORT " type veth peer name " PORT "p && "
			   "ip link add " OTHER " type veth peer name " OTHER "p"));
	/* tenants are host-wide: one of our own */
	self->tenant = (getpid() & TENGUARD_TENANT_ID_MAX) ?: 1;
	ASSERT_EQ(0, tg_tenant_new(&self->t, self->tenant, "guard"));
	r.tenant = self->tenant;
	memcpy(r.mac, port_mac, 6);
	ASSERT_EQ(0, tg_port(&self->t, TENGUARD_CMD_PORT_NEW, &r)) TH_LOG("%s", self->t.extack);
	ASSERT_EQ(0, tg_link_get(&self->rt, PORT, &self->port));
	ASSERT_EQ(0, tg_link_get(&self->rt, OTHER, &self->other));
	f = fopen("/proc/self/comm", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(self->comm, sizeof(self->comm), f));
	self->comm[strcspn(self->comm, "\n")] = '\0';
	fclose(f);
}

static void stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

FIXTURE_TEARDOWN(guard)
{
	stop(self->tcpdump[0]);
	stop(self->tcpdump[1]);
	/* the port goes with its device, then the tenant can */
	tg_link_del(&self->rt, self->port.ifindex);
	tg_link_del(&self->rt, self->other.ifindex);
	tg_tenant_del(&self->t, self->tenant);
	tg_close(&self->rt);
	tg_close(&self->ev);
	tg_close(&self->t);
}

#define EXPECT_ERR(sock, err, msg, expr) do {				\
	EXPECT_EQ(-(err), (expr));					\
	EXPECT_NE(NULL, strstr((sock).extack, msg))			\
		TH_LOG("extack \"%s\", wanted \"%s\"", (sock).extack, msg); \
} while (0)

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* one event as the guard should have sent it, within the last minute */
#define EXPECT_EVENT(e, type_, name, link, comm_, pid_) do {		\
	EXPECT_EQ((uint32_t)(type_), (e).type);				\
	EXPECT_EQ((uint32_t)(link).ifindex, (e).ifindex);		\
	EXPECT_STREQ(name, (e).ifname);					\
	EXPECT_STREQ(comm_, (e).comm);					\
	EXPECT_EQ((uint32_t)(pid_), (e).pid);				\
	EXPECT_GT(60000000000ULL, realtime_ns() - (e).time);		\
} while (0)

/* the events queued now; more than one is logged */
static int events(struct __test_metadata *_metadata, struct tg_nl *ev,
		  struct tg_event *e, int wait_ms)
{
	int i, n = tg_events(ev, e, 8, wait_ms);

	for (i = 0; n > 1 && i < n; i++)
		TH_LOG("event %d: type %u %s comm %s pid %u", i, e[i].type,
		       e[i].ifname, e[i].comm, e[i].pid);
	return n;
}

/*
 * The promiscuity guard reverts from a work item, just after the caller
 * dropped RTNL: wait for name's promiscuity (and gflag) to be as wanted.
 */
static int wait_promisc(struct tg_nl *rt, const char *name, uint32_t count,
			bool gflag, struct tg_link *l)
{
	double end = tg_now() + 5;

	do {
		if (tg_link_get(rt, name, l))
			return -1;
		if (l->promiscuity == count && !!(l->flags & IFF_PROMISC) == gflag)
			return 0;
		usleep(10000);
	} while (tg_now() < end);
	return -1;
}

/* long enough for a work item the guard would have queued to have run */
static void settle(void)
{
	usleep(300000);
}

TEST_F(guard, promisc_ip_link)
{
	char *on[] = { "ip", "link", "set", PORT, "promisc", "on", NULL };
	char *other_on[] = { "ip", "link", "set", OTHER, "promisc", "on", NULL };
	struct tg_event e[8];
	struct tg_link l;
	pid_t pid;

	ASSERT_EQ(0U, self->port.promiscuity);
	ASSERT_EQ(0, tg_run(on, &pid));
	EXPECT_EQ(0, wait_promisc(&self->rt, PORT, 0, false, &l))
		TH_LOG("promiscuity %u, gflag %d: not reverted", l.promiscuity,
		       !!(l.flags & IFF_PROMISC));
	ASSERT_EQ(1, events(_metadata, &self->ev, e, 0));
	EXPECT_EVENT(e[0], TENGUARD_EVENT_PROMISC, PORT, self->port, "ip", pid);

	/* a device that is not a port goes promiscuous, and stays */
	ASSERT_EQ(0, tg_run(other_on, NULL));
	settle();
	ASSERT_EQ(0, tg_link_get(&self->rt, OTHER, &l));
	EXPECT_EQ(self->other.promiscuity + 1, l.promiscuity);
	EXPECT_TRUE(!!(l.flags & IFF_PROMISC));
	EXPECT_EQ(0, events(_metadata, &self->ev, e, 0));
}

/* start tcpdump on dev and wait until it captures: its pid, or -1 */
static pid_t tcpdump(const char *dev)
{
	char *argv[] = { "tcpdump", "-n", "-i", (char *)dev, NULL };
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int fd;
	pid_t pid = tg_spawn(argv, &fd);

	if (pid < 0)
		return -1;
	/* "listening on DEV ..." once the capture, promiscuous, is set up */
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len,
						  sizeof(buf) - 1 - len)) > 0) {
		len += n;
		buf[len] = '\0';
		if (strstr(buf, "listening on"))
			break;
	}
	close(fd);
	if (!strstr(buf, "listening on")) {
		fprintf(stderr, "# tcpdump -i %s: %s\n", dev, buf);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

TEST_F(guard, promisc_tcpdump)
{
	struct tg_event e[8];
	struct tg_link l;
	pid_t pid;

	if (access("/usr/bin/tcpdump", X_OK) && access("/usr/sbin/tcpdump", X_OK))
		SKIP(return, "no tcpdump");
	/* up, as a port being captured on is */
	ASSERT_EQ(0, tg_port_ack(&self->t, PORT));
	ASSERT_EQ(0, tg_link_flags(&self->rt, self->port.ifindex, IFF_UP, IFF_UP));
	ASSERT_EQ(0, tg_link_flags(&self->rt, self->other.ifindex, IFF_UP, IFF_UP));

	pid = self->tcpdump[0] = tcpdump(PORT);
	self->tcpdump[1] = tcpdump(OTHER);
	ASSERT_LT(0, self->tcpdump[0]);
	ASSERT_LT(0, self->tcpdump[1]);
	EXPECT_EQ(0, wait_promisc(&self->rt, PORT, 0, false, &l))
		TH_LOG("promiscuity %u with tcpdump running: not taken back",
		       l.promiscuity);
	ASSERT_EQ(1, events(_metadata, &self->ev, e, 0));
	EXPECT_EVENT(e[0], TENGUARD_EVENT_PROMISC, PORT, self->port, "tcpdump", pid);
	/* the device that is not a port is captured as tcpdump asked */
	ASSERT_EQ(0, tg_link_get(&self->rt, OTHER, &l));
	EXPECT_EQ(self->other.promiscuity + 1, l.promiscuity);

	/* its membership goes with it: nothing held back, nothing wraps */
	stop(self->tcpdump[0]);
	stop(self->tcpdump[1]);
	self->tcpdump[0] = self->tcpdump[1] = 0;
	settle();
	ASSERT_EQ(0, tg_link_get(&self->rt, PORT, &l));
	EXPECT_EQ(0U, l.promiscuity);
	EXPECT_FALSE(!!(l.flags & IFF_PROMISC));
	ASSERT_EQ(0, tg_link_get(&self->rt, OTHER, &l));
	EXPECT_EQ(self->other.promiscuity, l.promiscuity);
	EXPECT_EQ(0, events(_metadata, &self->ev, e, 0));
}

TEST_F(guard, mac_change)
{
	struct tg_event e[8];
	struct tg_link l;

	EXPECT_ERR(self->rt, EPERM, "the port's MAC address is owned by policy",
		   tg_link_addr(&self->rt, self->port.ifindex, new_mac));
	ASSERT_EQ(0, tg_link_get(&self->rt, PORT, &l));
	EXPECT_EQ(0, memcmp(l.addr, self->port.addr, 6));
	ASSERT_EQ(1, events(_metadata, &self->ev, e, 0));
	EXPECT_EVENT(e[0], TENGUARD_EVENT_MAC_CHANGE, PORT, self->port,
		     self->comm, getpid());

	/* setting the address it has changes nothing */
	EXPECT_EQ(0, tg_link_addr(&self->rt, self->port.ifindex, self->port.addr));
	/* a device that is not a port changes its address */
	EXPECT_EQ(0, tg_link_addr(&self->rt, self->other.ifindex, new_mac));
	ASSERT_EQ(0, tg_link_get(&self->rt, OTHER, &l));
	EXPECT_EQ(0, memcmp(l.addr, new_mac, 6));
	EXPECT_EQ(0, events(_metadata, &self->ev, e, 0));
}

TEST_F(guard, master)
{
	struct tg_port_req r = { .ifname = PORT };
	struct tg_link br0, br1, l;
	struct tg_event e[8];

	ASSERT_EQ(0, tg_sh("ip link add tggbr0 type bridge && "
			   "ip link add tggbr1 type bridge"));
	ASSERT_EQ(0, tg_link_get(&self->rt, "tggbr0", &br0));
	ASSERT_EQ(0, tg_link_get(&self->rt, "tggbr1", &br1));
	r.master = br0.ifindex;
	ASSERT_EQ(0, tg_port(&self->t, TENGUARD_CMD_PORT_SET, &r));

	EXPECT_ERR(self->rt, EPERM, "the port's policy names another master",
		   tg_link_master(&self->rt, self->port.ifindex, br1.ifindex));
	ASSERT_EQ(0, tg_link_get(&self->rt, PORT, &l));
	EXPECT_EQ(0U, l.master);
	ASSERT_EQ(1, events(_metadata, &self->ev, e, 0));
	EXPECT_EVENT(e[0], TENGUARD_EVENT_MASTER, PORT, self->port, self->comm,
		     getpid());

	/* the policy's master, and any master for a device not a port */
	EXPECT_EQ(0, tg_link_master(&self->rt, self->port.ifindex, br0.ifindex))
		TH_LOG("%s", self->rt.extack);
	ASSERT_EQ(0, tg_link_get(&self->rt, PORT, &l));
	EXPECT_EQ((uint32_t)br0.ifindex, l.master);
	EXPECT_EQ(0, tg_link_master(&self->rt, self->other.ifindex, br1.ifindex));

	/*
	 * With two ports, an up bridge floods and sets its ports
	 * promiscuous: that reference is the master's, and it stays.
	 */
	EXPECT_EQ(0, tg_link_master(&self->rt, self->other.ifindex, br0.ifindex));
	EXPECT_EQ(0, tg_link_flags(&self->rt, br0.ifindex, IFF_UP, IFF_UP));
	settle();
	ASSERT_EQ(0, tg_link_get(&self->rt, PORT, &l));
	EXPECT_EQ(1U, l.promiscuity);
	EXPECT_EQ(0, events(_metadata, &self->ev, e, 0));
}

TEST_F(guard, up_gate_event)
{
	struct tg_event e[8];
	struct tg_link l;

	EXPECT_ERR(self->rt, EPERM, "port not programmed",
		   tg_link_flags(&self->rt, self->port.ifindex, IFF_UP, IFF_UP));
	ASSERT_EQ(0, tg_link_get(&self->rt, PORT, &l));
	EXPECT_FALSE(!!(l.flags & IFF_UP));
	ASSERT_EQ(1, events(_metadata, &self->ev, e, 0));
	EXPECT_EVENT(e[0], TENGUARD_EVENT_UP_REFUSED, PORT, self->port,
		     self->comm, getpid());

	/* acked: up, and nothing to report */
	ASSERT_EQ(0, tg_port_ack(&self->t, PORT));
	EXPECT_EQ(0, tg_link_flags(&self->rt, self->port.ifindex, IFF_UP, IFF_UP));
	ASSERT_EQ(0, tg_link_get(&self->rt, PORT, &l));
	EXPECT_TRUE(!!(l.flags & IFF_UP));
	EXPECT_EQ(0, events(_metadata, &self->ev, e, 0));
}

TEST_HARNESS_MAIN
