/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * tenguard: per-tenant policy for the virtual ports of a hypervisor node.
 *
 * This header is the contract between the kernel module (generic netlink
 * family "tenguard"), the BPF datapath, the daemon tenguardd and the CLI
 * tenguardctl. Nothing else defines these names or layouts.
 *
 * Generic netlink family "tenguard", version 1
 * ============================================
 *
 * Objects are tenants and ports. A tenant owns ports and network segments; a
 * port is a network device on this node (the hypervisor-side end of a VM's
 * tap or veth, or an uplink carrying segments of several tenants).
 *
 * Every command needs CAP_NET_ADMIN in the initial user namespace
 * (GENL_ADMIN_PERM), reads as well: policy tells who may reach whom.
 *
 * TENGUARD_CMD_TENANT_NEW (ID and NAME required), TENGUARD_CMD_TENANT_SET,
 * TENGUARD_CMD_TENANT_GET (dump or by id), TENGUARD_CMD_TENANT_DEL (EBUSY
 * while ports refer to it):
 *
 *    TENGUARD_A_TENANT: NLA_NESTED
 *        TENGUARD_A_TENANT_ID: NLA_U32, 1 .. TENGUARD_TENANT_ID_MAX
 *        TENGUARD_A_TENANT_NAME: NLA_NUL_STRING, < TENGUARD_NAME_LEN
 *        TENGUARD_A_TENANT_SEGMENT: NLA_NESTED, multi-attr
 *            TENGUARD_A_SEGMENT_VLAN: NLA_U16, 1 .. 4094
 *          or
 *            TENGUARD_A_SEGMENT_VNI: NLA_U32, 0 .. 0xffffff
 *        (at most 64 segments)
 *
 * TENGUARD_CMD_PORT_NEW, TENGUARD_CMD_PORT_SET, TENGUARD_CMD_PORT_GET (dump
 * or by device), TENGUARD_CMD_PORT_DEL:
 *
 *    TENGUARD_A_PORT: NLA_NESTED
 *        TENGUARD_A_PORT_IFINDEX: NLA_U32, see "Network namespaces"
 *        TENGUARD_A_PORT_IFNAME: NLA_NUL_STRING, < IFNAMSIZ (or the ifindex)
 *        TENGUARD_A_PORT_TENANT: NLA_U32, a VM port's tenant (required);
 *            an uplink has none to set, and reports the tenant of its
 *            segment
 *        TENGUARD_A_PORT_KIND: NLA_U32, enum tenguard_port_kind
 *        TENGUARD_A_PORT_FLAGS: NLA_U32, TENGUARD_PORT_F_*
 *        TENGUARD_A_PORT_MAC: NLA_BINARY, ETH_ALEN, unicast, multi-attr,
 *            at most 64 (E2BIG); one port's only (EEXIST)
 *        TENGUARD_A_PORT_ADDR: NLA_NESTED, multi-attr, at most 256
 *            TENGUARD_A_ADDR_FAMILY: NLA_U16, AF_INET or AF_INET6
 *            TENGUARD_A_ADDR_ADDR: NLA_BINARY, 4 or 16 bytes
 *            TENGUARD_A_ADDR_PREFIXLEN: NLA_U8, <= 32 or <= 128; absent:
 *                the whole address; no host bits past it
 *        TENGUARD_A_PORT_ETHERTYPE: NLA_U16, >= 0x0600, multi-attr, at
 *            most 16
 *        TENGUARD_A_PORT_SEGMENT: NLA_NESTED, as in a tenant (uplink only)
 *        TENGUARD_A_PORT_MASTER: NLA_U32, ifindex of the only master the
 *            port may be enslaved to (absent or 0: any)
 *        TENGUARD_A_PORT_NETNSID: NLA_S32, see "Network namespaces"
 *        TENGUARD_A_PORT_GENERATION: NLA_U64, read only: bumped by every
 *            change of the port
 *        TENGUARD_A_PORT_ACKED: NLA_U64, read only: the generation the
 *            daemon last reported programmed
 *        TENGUARD_A_PORT_GROUP: NLA_U32, 1 .. TENGUARD_GROUP_MAX,
 *            multi-attr, at most 32: groups of its tenant the port is in,
 *            for rules that name a remote group (TENGUARD_A_RULE_GROUP)
 *        TENGUARD_A_PORT_QUARANTINE: NLA_U8, read only here: see
 *            PORT_QUARANTINE
 *        TENGUARD_A_PORT_RATE: NLA_NESTED, multi-attr, at most one per
 *            direction: the limits of a VM port (see "Rate limits")
 *
 *    An ACL_SET, ACL_DEL or PORT_QUARANTINE bumps the port's generation as
 *    well: the daemon acknowledges the rules it programmed.
 *
 * TENGUARD_CMD_PORT_ACK (GENL_ADMIN_PERM): the daemon programmed a port.
 *
 *    TENGUARD_A_PORT: NLA_NESTED
 *        TENGUARD_A_PORT_IFINDEX (or _IFNAME, _NETNSID)
 *        TENGUARD_A_PORT_GENERATION: the generation it programmed
 *
 *    A port may come up (IFF_UP) only while its acked generation equals
 *    its current one; an older generation is refused with ESTALE.
 *
 * Network namespaces: the family is host-wide and usable from every
 * network namespace, but only by CAP_NET_ADMIN in the initial user
 * namespace. A port is named by ifindex or name in the caller's network
 * namespace, or in the namespace that TENGUARD_A_PORT_NETNSID names (a
 * netnsid the caller's namespace holds for it, as IFLA_TARGET_NETNSID).
 * A dump lists the ports of that one namespace. Tenant ids are host-wide.
 *
 * Multicast group "config": every NEW, SET, DEL and ACK, carrying the
 * object as a GET would return it, and PORT_QUARANTINE the same way;
 * ACL_SET, ACL_DEL and NODE_SET say what changed but carry no rules (see
 * there). Group "events":
 *
 *    TENGUARD_CMD_EVENT
 *        TENGUARD_A_EVENT: NLA_NESTED
 *            TENGUARD_A_EVENT_TYPE: NLA_U32, enum tenguard_event
 *            TENGUARD_A_EVENT_IFINDEX: NLA_U32
 *            TENGUARD_A_EVENT_IFNAME: NLA_NUL_STRING
 *            TENGUARD_A_EVENT_PID: NLA_U32, of the process that tried
 *            TENGUARD_A_EVENT_COMM: NLA_NUL_STRING, its command name
 *            TENGUARD_A_EVENT_TIME: NLA_U64, CLOCK_REALTIME in ns
 *
 *    A PORT_SET replaces every multi-attr list it carries, so a port's
 *    bindings change in one message. Large lists that do not fit one message
 *    are sent as a PORT_NEW followed by PORT_SETs with TENGUARD_A_PORT_FLAGS
 *    carrying TENGUARD_PORT_F_APPEND: such a message adds to the lists and
 *    leaves the port's flags as they are. A PORT_NEW brings its device down
 *    if it was up: see PORT_ACK.
 *
 * TENGUARD_CMD_PORT_QUARANTINE: cut a port off, or let it back.
 *
 *    TENGUARD_A_PORT: NLA_NESTED
 *        TENGUARD_A_PORT_IFINDEX (or _IFNAME, _NETNSID)
 *        TENGUARD_A_PORT_QUARANTINE: NLA_U8, 1 quarantine, 0 release
 *
 *    A quarantined port passes only ARP, neighbour discovery and the
 *    flows the node's remediation rules allow (TENGUARD_CMD_NODE_SET), in
 *    both directions; flows it had before stop at their next packet. The
 *    state is reported by PORT_GET and survives PORT_SET; it bumps the
 *    port's generation like any change. VM ports only (EOPNOTSUPP); a
 *    request that changes nothing is no change (no generation, no
 *    notification).
 *
 * TENGUARD_CMD_ACL_SET, TENGUARD_CMD_ACL_GET (dump, one port),
 * TENGUARD_CMD_ACL_DEL: the ordered rule set of one direction of a VM port
 * (security group). A direction without a rule set is not filtered; one
 * with a rule set passes what its first matching rule allows, else what
 * its default says, and the replies of what it passed (connection
 * tracking).
 *
 *    TENGUARD_A_PORT: NLA_NESTED, IFINDEX (or IFNAME, NETNSID) only
 *    TENGUARD_A_ACL: NLA_NESTED
 *        TENGUARD_A_ACL_DIR: NLA_U32, enum tenguard_acl_dir (required)
 *        TENGUARD_A_ACL_DEFAULT: NLA_U32, enum tenguard_acl_action
 *            (required by a SET that starts a rule set)
 *        TENGUARD_A_ACL_FLAGS: NLA_U32, TENGUARD_ACL_F_*
 *        TENGUARD_A_ACL_RULE: NLA_NESTED, multi-attr, in order
 *            TENGUARD_A_RULE_ACTION: NLA_U32, enum tenguard_acl_action
 *            TENGUARD_A_RULE_FLAGS: NLA_U32, TENGUARD_RULE_F_*
 *            TENGUARD_A_RULE_REMOTE: NLA_NESTED, TENGUARD_A_ADDR_*: the
 *                remote end's prefix (source towards the VM, destination
 *                from it); absent: any
 *            TENGUARD_A_RULE_GROUP: NLA_U32, 1 .. TENGUARD_GROUP_MAX: the
 *                remote end is a port of this group of the same tenant
 *                (TENGUARD_A_PORT_GROUP); not with _REMOTE
 *            TENGUARD_A_RULE_PROTO: NLA_U8, IP protocol; absent: any
 *            TENGUARD_A_RULE_PORT_MIN, TENGUARD_A_RULE_PORT_MAX: NLA_U16,
 *                the destination port range of the connection (TCP,
 *                UDP, SCTP, UDP-Lite only), MIN <= MAX; MAX absent: MIN
 *                alone
 *            TENGUARD_A_RULE_ICMP_TYPE, TENGUARD_A_RULE_ICMP_CODE: NLA_U8
 *                (ICMP, ICMPv6 only; a code needs a type)
 *        TENGUARD_A_ACL_OFFSET: NLA_U32, read only: the index of the
 *            first rule of this message in the rule set
 *        TENGUARD_A_ACL_COUNT: NLA_U32, read only: rules in the set
 *
 *    VM ports only (EOPNOTSUPP). A proto of 0 is any. Each rule is checked
 *    whole and an error names it by its index in the rule set, "rule 17:
 *    port min above port max", with the offset of the attribute at fault.
 *    Refused (EINVAL): ports without proto tcp, udp, sctp or udplite; an
 *    icmp type or code without proto icmp or icmpv6; a code without a
 *    type; _REMOTE with _GROUP; host bits past the remote's prefix; a rule
 *    that can never match (icmp with an IPv6 remote, icmpv6 with an IPv4
 *    one).
 *
 *    At most TENGUARD_ACL_RULES_MAX rules per rule set, and
 *    TENGUARD_ACL_NODE_RULES_MAX in the rule sets of all ports, published
 *    and staged, counting what the request would leave (E2BIG). A message
 *    holds what its TENGUARD_A_ACL nest can, 64 KiB (an attribute's length
 *    has 16 bits): 800 to 5,000 rules. A larger rule set is sent in parts,
 *    all but the last with TENGUARD_ACL_F_MORE. The module stages them and
 *    publishes nothing until the last, which replaces the rule set whole
 *    (one new generation, one notification), so no reader ever sees part
 *    of a rule set. Staging belongs to the port and direction:
 *      - a part with DEFAULT starts a rule set (the first must have it)
 *        and discards whatever was staged before;
 *      - a part without DEFAULT continues the staged set, from the socket
 *        that started it only (EBUSY from another; that one may start
 *        over); with nothing staged it is refused (EINVAL);
 *      - so a SET with DEFAULT and without F_MORE is a whole rule set;
 *      - a part that fails changes nothing, staging included;
 *      - ACL_DEL of the direction and the port's deletion discard it.
 *    Staged parts bump no generation and are not announced. ACL_DEL of a
 *    direction with neither a rule set nor staged parts: ENOENT.
 *
 *    ACL_GET is a dump only. TENGUARD_A_PORT names the port; an optional
 *    TENGUARD_A_ACL with DIR alone asks for one direction. Each message
 *    carries TENGUARD_A_PORT (IFINDEX, IFNAME, GENERATION: of the port as
 *    the rules are) and TENGUARD_A_ACL (DIR, DEFAULT, COUNT, OFFSET and the
 *    rules from OFFSET on, as many as fit). A rule set without rules has
 *    one message, a direction without a rule set none. The dump sends the
 *    rule sets as they were when it began; a part sent after the port
 *    changed is flagged NLM_F_DUMP_INTR. Not finding the port ends the
 *    dump with the error and its message in NLMSG_DONE.
 *
 *    "config" hears ACL_SET (when a rule set is published) and ACL_DEL
 *    (when one is deleted) with TENGUARD_A_PORT (IFINDEX, IFNAME,
 *    GENERATION) and TENGUARD_A_ACL: DIR, and for a SET DEFAULT and COUNT;
 *    never the rules, which a listener dumps.
 *
 * TENGUARD_CMD_NODE_SET, TENGUARD_CMD_NODE_GET: what VM ports may reach of
 * the node itself, and the connection tracker.
 *
 *    TENGUARD_A_NODE: NLA_NESTED
 *        TENGUARD_A_NODE_PROTECT: NLA_NESTED, TENGUARD_A_ADDR_*,
 *            multi-attr, at most 256: management prefixes; no VM port
 *            reaches them, nor (with TENGUARD_NODE_F_OWN_ADDRS) any
 *            address of the node's own interfaces, except for services
 *        TENGUARD_A_NODE_SERVICE: NLA_NESTED as TENGUARD_A_ACL_RULE,
 *            multi-attr: the services (DHCP, DNS, metadata) VM ports may
 *            reach on protected addresses; _REMOTE is the service address
 *        TENGUARD_A_NODE_REMEDIATION: NLA_NESTED as TENGUARD_A_ACL_RULE,
 *            multi-attr: what a quarantined port may still reach
 *        TENGUARD_A_NODE_FLAGS: NLA_U32, TENGUARD_NODE_F_*
 *        TENGUARD_A_NODE_TIMEOUT: NLA_NESTED, connection tracking
 *            timeouts in seconds, 1 .. 2^31-1, each optional:
 *            TENGUARD_A_TIMEOUT_* (enum tenguard_ct_timeout + 1)
 *
 *    A SET replaces each list it carries and keeps the others; an empty
 *    nest is no item, it carries its list empty. With
 *    TENGUARD_NODE_F_APPEND in FLAGS it adds to the lists instead, and the
 *    node's flags stay as they are: TENGUARD_A_NODE holds 64 KiB (as an
 *    ACL's nest), and the largest lists take several messages. A TIMEOUT
 *    nest sets every timeout: those it leaves out take their defaults
 *    (TENGUARD_CT_TIMEOUTS_DEFAULT). At most TENGUARD_NODE_PROTECT_MAX
 *    prefixes, TENGUARD_NODE_RULES_MAX services and as many remediation
 *    rules, as the request leaves the lists (E2BIG). Services and
 *    remediation rules are checked as a rule set's and name no _GROUP (a
 *    tenant's); an error names the item by its index in its list:
 *    "service rule 3: ...", "protected prefix 0: ...". The daemon adds
 *    the addresses of the node's interfaces when TENGUARD_NODE_F_OWN_ADDRS
 *    is set.
 *
 *    The node is host-wide, as tenants are: NODE_SET is announced to the
 *    "config" listeners of every namespace, with FLAGS and TIMEOUT only.
 *    NODE_GET is a dump, of no attributes: its first message carries
 *    FLAGS and TIMEOUT (all of them), and each message as many items as
 *    fit of PROTECT, then SERVICE, then REMEDIATION, in order; a client
 *    appends each message's items to its lists. It sends the
 *    configuration as it was when it began; a part sent after a SET is
 *    flagged NLM_F_DUMP_INTR.
 *
 * Rate limits: each direction of a VM port may have a bit rate and a
 * packet rate, each a token bucket with its own burst.
 *
 *    TENGUARD_A_PORT_RATE: NLA_NESTED
 *        TENGUARD_A_RATE_DIR: NLA_U32, enum tenguard_acl_dir (required):
 *            TENGUARD_ACL_EGRESS from the VM, TENGUARD_ACL_INGRESS to it
 *        TENGUARD_A_RATE_BPS: NLA_U64, bits per second, 0 ..
 *            TENGUARD_RATE_BPS_MAX; 0 passes nothing; absent: no bit rate
 *            limit
 *        TENGUARD_A_RATE_BURST: NLA_U32, bytes, TENGUARD_RATE_BURST_MIN ..
 *            TENGUARD_RATE_BURST_MAX; only with a BPS above 0; absent:
 *            TENGUARD_RATE_BURST_DEFAULT(bps)
 *        TENGUARD_A_RATE_PPS: NLA_U32, packets per second, 0 ..
 *            TENGUARD_RATE_PPS_MAX; 0 passes nothing; absent: no packet
 *            rate limit
 *        TENGUARD_A_RATE_PKT_BURST: NLA_U32, packets, 1 ..
 *            TENGUARD_RATE_PKT_BURST_MAX; only with a PPS above 0; absent:
 *            TENGUARD_RATE_PKT_BURST_DEFAULT(pps)
 *        TENGUARD_A_RATE_FLAGS: NLA_U32, TENGUARD_RATE_F_SHAPE only, and
 *            only towards the VM and with a limit
 *
 *    A frame counts its bytes as the port hands it over, Ethernet header
 *    included, a GSO packet once (as tc ingress policing counts), and as
 *    many packets as it has segments. A packet passes only if both buckets
 *    hold enough for it, and takes from neither otherwise. Policing (the
 *    default) drops what exceeds; shaping (TENGUARD_RATE_F_SHAPE) gives
 *    each packet the time it may leave (skb->tstamp, earliest departure
 *    time) and needs the fq qdisc on the port, which the daemon sets up;
 *    a shaped packet that would wait longer than its bucket's burst takes
 *    to refill is dropped.
 *
 *    A PORT_SET's RATE for a direction replaces that direction's limits; a
 *    RATE with DIR alone lifts them; a direction it does not name keeps
 *    its limits. GET reports each limited direction with every value in
 *    force (defaults filled in). A change leaves the buckets as they are:
 *    no burst is given back by changing a limit. VM ports only
 *    (EOPNOTSUPP).
 *
 * Errors come back as a negative errno in the netlink ack with an extack
 * message and, where one attribute is at fault, its offset.
 *
 * BPF datapath
 * ============
 *
 * The daemon pins its maps in TENGUARD_PIN_ROOT/<instance>/ under the names
 * below; the CLI reads them there. All map keys and values are laid out by
 * the structs in this header. Ports are keyed by ifindex in the daemon's
 * network namespace.
 *
 * A frame's tenant is written into skb->mark by the program on the port it
 * entered through (TENGUARD_MARK_*), and checked by the program on the port
 * it leaves through. A guest cannot set skb->mark: crossing into the host
 * network namespace clears it.
 */
#ifndef _UAPI_LINUX_TENGUARD_H
#define _UAPI_LINUX_TENGUARD_H

#include <linux/types.h>

#define TENGUARD_GENL_NAME		"tenguard"
#define TENGUARD_GENL_VERSION		1
#define TENGUARD_MCGRP_CONFIG		"config"
#define TENGUARD_MCGRP_EVENTS		"events"

#define TENGUARD_NAME_LEN		32
#define TENGUARD_TENANT_ID_MAX		0x00ffffff
#define TENGUARD_VLAN_MAX		4094
#define TENGUARD_VNI_MAX		0x00ffffff

enum tenguard_cmd {
	TENGUARD_CMD_UNSPEC,
	TENGUARD_CMD_TENANT_NEW,
	TENGUARD_CMD_TENANT_SET,
	TENGUARD_CMD_TENANT_DEL,
	TENGUARD_CMD_TENANT_GET,
	TENGUARD_CMD_PORT_NEW,
	TENGUARD_CMD_PORT_SET,
	TENGUARD_CMD_PORT_DEL,
	TENGUARD_CMD_PORT_GET,
	TENGUARD_CMD_PORT_ACK,
	TENGUARD_CMD_EVENT,
	TENGUARD_CMD_PORT_QUARANTINE,
	TENGUARD_CMD_ACL_SET,
	TENGUARD_CMD_ACL_GET,
	TENGUARD_CMD_ACL_DEL,
	TENGUARD_CMD_NODE_SET,
	TENGUARD_CMD_NODE_GET,
	__TENGUARD_CMD_MAX
};
#define TENGUARD_CMD_MAX (__TENGUARD_CMD_MAX - 1)

enum tenguard_a {
	TENGUARD_A_UNSPEC,
	TENGUARD_A_TENANT,
	TENGUARD_A_PORT,
	TENGUARD_A_EVENT,
	TENGUARD_A_ACL,
	TENGUARD_A_NODE,
	__TENGUARD_A_MAX
};
#define TENGUARD_A_MAX (__TENGUARD_A_MAX - 1)

enum tenguard_a_tenant {
	TENGUARD_A_TENANT_UNSPEC,
	TENGUARD_A_TENANT_ID,
	TENGUARD_A_TENANT_NAME,
	TENGUARD_A_TENANT_SEGMENT,
	__TENGUARD_A_TENANT_MAX
};
#define TENGUARD_A_TENANT_MAX (__TENGUARD_A_TENANT_MAX - 1)

enum tenguard_a_segment {
	TENGUARD_A_SEGMENT_UNSPEC,
	TENGUARD_A_SEGMENT_VLAN,
	TENGUARD_A_SEGMENT_VNI,
	__TENGUARD_A_SEGMENT_MAX
};
#define TENGUARD_A_SEGMENT_MAX (__TENGUARD_A_SEGMENT_MAX - 1)

enum tenguard_a_port {
	TENGUARD_A_PORT_UNSPEC,
	TENGUARD_A_PORT_IFINDEX,
	TENGUARD_A_PORT_IFNAME,
	TENGUARD_A_PORT_TENANT,
	TENGUARD_A_PORT_KIND,
	TENGUARD_A_PORT_FLAGS,
	TENGUARD_A_PORT_MAC,
	TENGUARD_A_PORT_ADDR,
	TENGUARD_A_PORT_ETHERTYPE,
	TENGUARD_A_PORT_SEGMENT,
	TENGUARD_A_PORT_MASTER,
	TENGUARD_A_PORT_NETNSID,
	TENGUARD_A_PORT_GENERATION,
	TENGUARD_A_PORT_ACKED,
	TENGUARD_A_PORT_PAD,
	TENGUARD_A_PORT_GROUP,
	TENGUARD_A_PORT_QUARANTINE,
	TENGUARD_A_PORT_RATE,
	__TENGUARD_A_PORT_MAX
};
#define TENGUARD_A_PORT_MAX (__TENGUARD_A_PORT_MAX - 1)

enum tenguard_a_addr {
	TENGUARD_A_ADDR_UNSPEC,
	TENGUARD_A_ADDR_FAMILY,
	TENGUARD_A_ADDR_ADDR,
	TENGUARD_A_ADDR_PREFIXLEN,
	__TENGUARD_A_ADDR_MAX
};
#define TENGUARD_A_ADDR_MAX (__TENGUARD_A_ADDR_MAX - 1)

enum tenguard_a_event {
	TENGUARD_A_EVENT_UNSPEC,
	TENGUARD_A_EVENT_TYPE,
	TENGUARD_A_EVENT_IFINDEX,
	TENGUARD_A_EVENT_IFNAME,
	TENGUARD_A_EVENT_PID,
	TENGUARD_A_EVENT_COMM,
	TENGUARD_A_EVENT_TIME,
	TENGUARD_A_EVENT_PAD,
	__TENGUARD_A_EVENT_MAX
};
#define TENGUARD_A_EVENT_MAX (__TENGUARD_A_EVENT_MAX - 1)

enum tenguard_a_acl {
	TENGUARD_A_ACL_UNSPEC,
	TENGUARD_A_ACL_DIR,
	TENGUARD_A_ACL_DEFAULT,
	TENGUARD_A_ACL_FLAGS,
	TENGUARD_A_ACL_RULE,
	TENGUARD_A_ACL_OFFSET,
	TENGUARD_A_ACL_COUNT,
	__TENGUARD_A_ACL_MAX
};
#define TENGUARD_A_ACL_MAX (__TENGUARD_A_ACL_MAX - 1)

enum tenguard_a_rule {
	TENGUARD_A_RULE_UNSPEC,
	TENGUARD_A_RULE_ACTION,
	TENGUARD_A_RULE_FLAGS,
	TENGUARD_A_RULE_REMOTE,
	TENGUARD_A_RULE_GROUP,
	TENGUARD_A_RULE_PROTO,
	TENGUARD_A_RULE_PORT_MIN,
	TENGUARD_A_RULE_PORT_MAX,
	TENGUARD_A_RULE_ICMP_TYPE,
	TENGUARD_A_RULE_ICMP_CODE,
	__TENGUARD_A_RULE_MAX
};
#define TENGUARD_A_RULE_MAX (__TENGUARD_A_RULE_MAX - 1)

enum tenguard_a_node {
	TENGUARD_A_NODE_UNSPEC,
	TENGUARD_A_NODE_PROTECT,
	TENGUARD_A_NODE_SERVICE,
	TENGUARD_A_NODE_REMEDIATION,
	TENGUARD_A_NODE_FLAGS,
	TENGUARD_A_NODE_TIMEOUT,
	__TENGUARD_A_NODE_MAX
};
#define TENGUARD_A_NODE_MAX (__TENGUARD_A_NODE_MAX - 1)

enum tenguard_a_rate {
	TENGUARD_A_RATE_UNSPEC,
	TENGUARD_A_RATE_DIR,
	TENGUARD_A_RATE_BPS,
	TENGUARD_A_RATE_BURST,
	TENGUARD_A_RATE_PPS,
	TENGUARD_A_RATE_PKT_BURST,
	TENGUARD_A_RATE_FLAGS,
	TENGUARD_A_RATE_PAD,
	__TENGUARD_A_RATE_MAX
};
#define TENGUARD_A_RATE_MAX (__TENGUARD_A_RATE_MAX - 1)

/* TENGUARD_A_NODE_TIMEOUT: attribute type = enum tenguard_ct_timeout + 1 */
enum tenguard_a_timeout {
	TENGUARD_A_TIMEOUT_UNSPEC,
	TENGUARD_A_TIMEOUT_TCP_SYN,
	TENGUARD_A_TIMEOUT_TCP_ESTABLISHED,
	TENGUARD_A_TIMEOUT_TCP_CLOSE,
	TENGUARD_A_TIMEOUT_UDP,
	TENGUARD_A_TIMEOUT_UDP_STREAM,
	TENGUARD_A_TIMEOUT_ICMP,
	TENGUARD_A_TIMEOUT_OTHER,
	__TENGUARD_A_TIMEOUT_MAX
};
#define TENGUARD_A_TIMEOUT_MAX (__TENGUARD_A_TIMEOUT_MAX - 1)

#define TENGUARD_GROUP_MAX		0xffff
#define TENGUARD_PORT_GROUPS_MAX	32
#define TENGUARD_ACL_RULES_MAX		16384
#define TENGUARD_ACL_NODE_RULES_MAX	262144
#define TENGUARD_NODE_RULES_MAX		1024
#define TENGUARD_NODE_PROTECT_MAX	256

/* the two directions of a VM port, named from the VM */
enum tenguard_acl_dir {
	TENGUARD_ACL_INGRESS,	/* towards the VM: remote is the source */
	TENGUARD_ACL_EGRESS,	/* from the VM: remote is the destination */
	__TENGUARD_ACL_DIR_MAX
};
#define TENGUARD_ACL_DIR_MAX (__TENGUARD_ACL_DIR_MAX - 1)

enum tenguard_acl_action {
	TENGUARD_ACL_ALLOW,
	TENGUARD_ACL_DENY,
	__TENGUARD_ACL_ACTION_MAX
};
#define TENGUARD_ACL_ACTION_MAX (__TENGUARD_ACL_ACTION_MAX - 1)

enum tenguard_acl_flag {
	/* only in an ACL_SET: more parts of this rule set follow */
	TENGUARD_ACL_F_MORE = 1U << 0,
	__TENGUARD_ACL_F_ALL = TENGUARD_ACL_F_MORE
};

enum tenguard_rule_flag {
	/* every packet the rule decides is reported (tg_acl_log) */
	TENGUARD_RULE_F_LOG = 1U << 0,
	__TENGUARD_RULE_F_ALL = TENGUARD_RULE_F_LOG
};

enum tenguard_node_flag {
	/* protect every address of the node's interfaces too */
	TENGUARD_NODE_F_OWN_ADDRS = 1U << 0,
	/* only in a NODE_SET: add to the lists instead of replacing them */
	TENGUARD_NODE_F_APPEND = 1U << 15,
	__TENGUARD_NODE_F_ALL = TENGUARD_NODE_F_OWN_ADDRS
};

/* connection tracking timeouts, seconds: tg_ct_config */
enum tenguard_ct_timeout {
	TENGUARD_CT_TCP_SYN,		/* SYN seen, no answer yet */
	TENGUARD_CT_TCP_ESTABLISHED,	/* handshake done */
	TENGUARD_CT_TCP_CLOSE,		/* FIN or RST seen */
	TENGUARD_CT_UDP,		/* one direction seen */
	TENGUARD_CT_UDP_STREAM,		/* both directions seen */
	TENGUARD_CT_ICMP,		/* echo request, until its reply */
	TENGUARD_CT_OTHER,		/* any other protocol */
	__TENGUARD_CT_TIMEOUT_MAX
};
#define TENGUARD_CT_TIMEOUT_MAX (__TENGUARD_CT_TIMEOUT_MAX - 1)
#define TENGUARD_CT_TIMEOUTS_DEFAULT { 60, 432000, 10, 30, 180, 30, 600 }

/* rate limits (TENGUARD_A_PORT_RATE, struct tenguard_rate) */
#define TENGUARD_RATE_BPS_MAX		1000000000000ULL	/* 1 Tbit/s */
#define TENGUARD_RATE_BURST_MIN		1514	/* one full-size frame */
#define TENGUARD_RATE_BURST_MAX		(1U << 30)
#define TENGUARD_RATE_PPS_MAX		1000000000U
#define TENGUARD_RATE_PKT_BURST_MAX	(1U << 24)

/*
 * Default bursts: what the rate carries in half a second, and at least two
 * GSO packets (64 KiB each) or 32 packets. A policer drops a TCP sender's
 * whole window once the bucket is empty, and on a path of microseconds
 * the sender then waits for its retransmission timer (200 ms): a burst
 * shorter than that leaves one flow far below the rate (measured on veth:
 * 40% of 10 Mbit/s with 128 KiB, 5% of 1 Gbit/s with 1 MiB), one of half
 * a second keeps it within 3%.
 */
#define TENGUARD_RATE_BURST_FLOOR	131072U
#define TENGUARD_RATE_PKT_BURST_FLOOR	32U

static __inline__ __u32 tenguard_rate_burst_default(__u64 bps)
{
	__u64 burst = bps >> 4;

	if (burst < TENGUARD_RATE_BURST_FLOOR)
		return TENGUARD_RATE_BURST_FLOOR;
	return burst > TENGUARD_RATE_BURST_MAX ? TENGUARD_RATE_BURST_MAX :
						 (__u32)burst;
}

static __inline__ __u32 tenguard_rate_pkt_burst_default(__u32 pps)
{
	__u32 burst = pps >> 1;

	if (burst < TENGUARD_RATE_PKT_BURST_FLOOR)
		return TENGUARD_RATE_PKT_BURST_FLOOR;
	return burst > TENGUARD_RATE_PKT_BURST_MAX ?
	       TENGUARD_RATE_PKT_BURST_MAX : burst;
}

#define TENGUARD_RATE_BURST_DEFAULT(bps) tenguard_rate_burst_default(bps)
#define TENGUARD_RATE_PKT_BURST_DEFAULT(pps)				\
	tenguard_rate_pkt_burst_default(pps)

enum tenguard_rate_flag {
	/* towards the VM: delay (EDT, fq) instead of dropping */
	TENGUARD_RATE_F_SHAPE = 1U << 0,
	__TENGUARD_RATE_F_ALL = TENGUARD_RATE_F_SHAPE,
	/* datapath only (struct tenguard_rate): which limits are set */
	TENGUARD_RATE_F_BPS = 1U << 8,
	TENGUARD_RATE_F_PPS = 1U << 9,
};

enum tenguard_event {
	TENGUARD_EVENT_PROMISC,		/* promiscuous mode tried, reverted */
	TENGUARD_EVENT_MAC_CHANGE,	/* MAC change tried, refused */
	TENGUARD_EVENT_MASTER,		/* foreign master tried, refused */
	TENGUARD_EVENT_UP_REFUSED,	/* UP before the daemon acked */
	__TENGUARD_EVENT_MAX
};
#define TENGUARD_EVENT_MAX (__TENGUARD_EVENT_MAX - 1)

enum tenguard_port_kind {
	TENGUARD_PORT_VM,	/* a VM's port: bound to one tenant */
	TENGUARD_PORT_UPLINK,	/* carries tenant segments off the node */
	__TENGUARD_PORT_KIND_MAX
};
#define TENGUARD_PORT_KIND_MAX (__TENGUARD_PORT_KIND_MAX - 1)

enum tenguard_port_flag {
	/* the VM may answer DHCPv4/DHCPv6 (udp sport 67, 547) */
	TENGUARD_PORT_F_DHCP_SERVER = 1U << 0,
	/* the VM is a router: it may send Router Advertisements and redirects */
	TENGUARD_PORT_F_ROUTER = 1U << 1,
	/* the VM may send overlay encapsulation (VXLAN, Geneve, GRE, IP-in-IP) */
	TENGUARD_PORT_F_ENCAP = 1U << 2,
	/* only in a PORT_SET: add to the lists instead of replacing them */
	TENGUARD_PORT_F_APPEND = 1U << 15,
	__TENGUARD_PORT_F_ALL = TENGUARD_PORT_F_DHCP_SERVER |
				TENGUARD_PORT_F_ROUTER |
				TENGUARD_PORT_F_ENCAP
};

/* ---- BPF datapath ---- */

#define TENGUARD_PIN_ROOT		"/sys/fs/bpf/tenguard"
#define TENGUARD_MAP_PORTS		"tg_ports"
#define TENGUARD_MAP_MACS		"tg_macs"
#define TENGUARD_MAP_ADDRS		"tg_addrs"
#define TENGUARD_MAP_PREFIXES		"tg_prefixes"
#define TENGUARD_MAP_ETHERTYPES		"tg_ethertypes"
#define TENGUARD_MAP_SEGMENTS		"tg_segments"
#define TENGUARD_MAP_TENANTS		"tg_tenants"
#define TENGUARD_MAP_STATS		"tg_stats"
#define TENGUARD_MAP_ACL		"tg_acl"
#define TENGUARD_MAP_ACL_RULES		"tg_acl_rules"
#define TENGUARD_MAP_ACL_HITS		"tg_acl_hits"
#define TENGUARD_MAP_ACL_LOG		"tg_acl_log"
#define TENGUARD_MAP_QUARANTINE		"tg_quarantine"
#define TENGUARD_MAP_CONNTRACK		"tg_conntrack"
#define TENGUARD_MAP_CT_CONFIG		"tg_ct_config"
#define TENGUARD_MAP_CT_STATS		"tg_ct_stats"
#define TENGUARD_MAP_FRAGS		"tg_frags"
#define TENGUARD_MAP_RATE		"tg_rate"
#define TENGUARD_MAP_RATE_METER		"tg_rate_meter"

/*
 * skb->mark of a frame admitted by a tenguard port: the magic byte says the
 * low bits are a tenant id set by tenguard and not left over from elsewhere.
 */
#define TENGUARD_MARK_MAGIC		0x7e000000U
#define TENGUARD_MARK_MAGIC_MASK	0xff000000U
#define TENGUARD_MARK_TENANT_MASK	TENGUARD_TENANT_ID_MAX

/*
 * One direction's limits. bps and burst count with TENGUARD_RATE_F_BPS,
 * pps and pkt_burst with TENGUARD_RATE_F_PPS; flags 0: no limit.
 */
struct tenguard_rate {
	__u64 bps;		/* bits per second; 0: nothing passes */
	__u32 burst;		/* bytes */
	__u32 pps;		/* packets per second; 0: nothing passes */
	__u32 pkt_burst;	/* packets */
	__u32 flags;		/* TENGUARD_RATE_F_* */
};

/* tg_ports: key __u32 ifindex */
struct tenguard_port {
	__u32 tenant;		/* VM port, or uplink bound to one segment */
	__u32 kind;		/* enum tenguard_port_kind */
	__u32 flags;		/* TENGUARD_PORT_F_* */
	__u32 segment;		/* TENGUARD_SEG_*: fixed segment of an uplink */
	__u64 generation;
	char name[16];		/* IFNAMSIZ, for operators */
	__u32 prefixes;		/* entries in tg_prefixes; 0 skips the trie */
	__u32 pad;
	struct tenguard_rate rate[__TENGUARD_ACL_DIR_MAX];	/* VM ports */
};

/* tg_macs: value __u32 (unused) */
struct tenguard_mac_key {
	__u32 ifindex;
	__u8 mac[6];
	__u16 pad;
};

/*
 * A port's addresses: each exact one (/32, /128) in the hash tg_addrs, each
 * shorter prefix in the LPM trie tg_prefixes. A hash lookup costs the same
 * however many ports there are; the trie is walked only for ports that have
 * prefixes. Values __u32, unused.
 */
struct tenguard_addr_key {
	__u32 ifindex;
	__u8 family;		/* 4 or 6 */
	__u8 pad[3];
	__u8 addr[16];		/* IPv4 in the first 4 bytes */
};

/*
 * tg_prefixes: the prefix covers ifindex and family first, so prefixlen =
 * TENGUARD_PREFIX_KEY_BITS + the address prefix, and no prefix of one family
 * (not even ::/0) matches an address of the other.
 */
#define TENGUARD_PREFIX_KEY_BITS	40
struct tenguard_prefix_key {
	__u32 prefixlen;
	__u32 ifindex;
	__u8 family;
	__u8 addr[16];
	__u8 pad[3];
};

/* tg_ethertypes: extra ethertypes a VM port may send; value __u32 */
struct tenguard_ethertype_key {
	__u32 ifindex;
	__be16 proto;
	__u16 pad;
};

/* tg_segments: key __u32 TENGUARD_SEG_*(), value __u32 tenant id */
#define TENGUARD_SEG_VLAN(vid)		(0x01000000U | (vid))
#define TENGUARD_SEG_VNI(vni)		(0x02000000U | (vni))
#define TENGUARD_SEG_TYPE(seg)		((seg) & 0xff000000U)
#define TENGUARD_SEG_ID(seg)		((seg) & 0x00ffffffU)

/* tg_tenants: key __u32 tenant id; only operators read it */
struct tenguard_tenant {
	char name[TENGUARD_NAME_LEN];
};

/*
 * Access control lists
 * --------------------
 *
 * Each rule set is a set of maps swapped whole: tg_acl, tg_acl_rules and
 * tg_acl_hits are hash-of-maps keyed by struct tenguard_acl_id, whose
 * inner maps belong to one version of one rule set. A change builds new
 * inner maps and then replaces the tg_acl entry: one pointer, so a packet
 * sees the old rules or the new ones, never a mix. Besides the rule sets
 * of VM ports, ifindex 0 holds the node's: TENGUARD_ACL_SET_HOST (services
 * on protected addresses) and TENGUARD_ACL_SET_REMEDIATION (what a
 * quarantined port may reach).
 *
 * The inner map of tg_acl is an LPM trie that classifies a packet in a
 * bounded number of lookups whatever the number of rules. The rules'
 * prefixes are put in levels: how many other prefixes of the set hold one,
 * up to TENGUARD_ACL_LEVELS - 1. At each level the remote address gives a
 * class (the longest prefix of that level holding it), then (class,
 * protocol, port) gives the first rule that matches there; once more under
 * the class of the address's whole family; the lowest rule index wins.
 * ICMP type and code take the place of the port (type << 8 | code). A
 * packet no rule matches gets the default: the compiled set ends with a
 * rule matching everything, and the TENGUARD_ACL_KEY_META entry says it.
 */
#define TENGUARD_ACL_SET_HOST		__TENGUARD_ACL_DIR_MAX
#define TENGUARD_ACL_SET_REMEDIATION	(__TENGUARD_ACL_DIR_MAX + 1)

/* tg_acl, tg_acl_rules, tg_acl_hits: key */
struct tenguard_acl_id {
	__u32 ifindex;		/* 0: the node's rule sets */
	__u32 set;		/* enum tenguard_acl_dir or TENGUARD_ACL_SET_* */
};

enum tenguard_acl_key_kind {
	TENGUARD_ACL_KEY_META = 1,	/* prefixlen 8: the rule set itself */
	TENGUARD_ACL_KEY_ADDR,		/* remote address -> class */
	TENGUARD_ACL_KEY_RULE,		/* (class, proto, port) -> rule */
	TENGUARD_ACL_KEY_PROTECT,	/* host set: a protected address */
};

/* classes of TENGUARD_ACL_KEY_RULE entries */
#define TENGUARD_ACL_CLASS_ANY4		1	/* every IPv4 address */
#define TENGUARD_ACL_CLASS_ANY6		2	/* every IPv6 address */
#define TENGUARD_ACL_CLASS_FIRST	3	/* of the rules' prefixes */
#define TENGUARD_ACL_LEVELS		4	/* of nested prefixes */

/*
 * Key of the inner LPM trie: prefixlen counts the bits after it, kind
 * first (8 bits), then an address (family 8: 4 or 6, | level << 4 for
 * ADDR; address up to 128) or a class (32, big endian), protocol (8) and
 * port (up to 16, big endian).
 */
struct tenguard_acl_key {
	__u32 prefixlen;
	__u8 kind;		/* enum tenguard_acl_key_kind */
	union {
		struct {
			__u8 family;	/* 4 or 6 */
			__u8 addr[16];
		} __attribute__((packed)) a;
		struct {
			__be32 class;
			__u8 proto;
			__be16 port;
		} __attribute__((packed)) r;
	};
	__u8 pad[2];
} __attribute__((packed));

/*
 * Value: META: a = rule set serial (conntrack entries remember the serial
 * they were admitted under), b = enum tenguard_acl_action of the default
 * | levels used << 8
 * (which the compiled set also holds as a last rule matching everything,
 * index = number of rules);
 * ADDR: a = class; RULE: a = rule index, b = action | TENGUARD_RULE_F_* << 8;
 * PROTECT: unused.
 */
struct tenguard_acl_val {
	__u32 a;
	__u32 b;
};

/*
 * tg_acl_rules: inner array, the rules as written, for operators; index
 * = rule index. tg_acl_hits: inner array of __u64 (shared, counted
 * atomically: per-CPU arrays cannot differ in size as inner maps), index
 * = rule index, and one past the last rule for packets the default
 * decided. Only packets a rule decides count, not the rest of their flow.
 */
struct tenguard_acl_rule {
	__u8 action;		/* enum tenguard_acl_action */
	__u8 flags;		/* TENGUARD_RULE_F_* */
	__u8 proto;		/* IP protocol, 0: any */
	__u8 family;		/* of addr: 0 (any remote), 4 or 6 */
	__u8 prefixlen;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 match;		/* TENGUARD_RULE_M_* */
	__u16 port_min;		/* host byte order */
	__u16 port_max;
	__u32 group;		/* remote group, 0: none */
	__u8 addr[16];		/* IPv4 in the first 4 bytes */
};

/* which optional fields of a tenguard_acl_rule are set */
#define TENGUARD_RULE_M_PORTS		(1U << 0)
#define TENGUARD_RULE_M_ICMP_TYPE	(1U << 1)
#define TENGUARD_RULE_M_ICMP_CODE	(1U << 2)

/* tg_acl_log: ring buffer, one record per packet a TENGUARD_RULE_F_LOG
 * rule decided
 */
struct tenguard_acl_log {
	__u64 time_ns;		/* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 ifindex;
	__u32 rule;
	__u8 set;		/* enum tenguard_acl_dir or TENGUARD_ACL_SET_* */
	__u8 action;
	__u8 family;		/* 4 or 6 */
	__u8 proto;
	__be16 sport;		/* ICMP: type, code */
	__be16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

/* tg_quarantine: key __u32 ifindex, value __u32 (unused): quarantined */

/*
 * Connection tracking: tg_conntrack, an LRU hash whose size the daemon's
 * operator sets, keyed by the flow as the VM port sees it. ICMP echo
 * flows use the echo identifier as vm_port.
 */
struct tenguard_ct_key {
	__u32 ifindex;
	__u8 family;		/* 4 or 6 */
	__u8 proto;
	__be16 vm_port;
	__be16 remote_port;
	__u16 pad;
	__u8 vm_addr[16];
	__u8 remote_addr[16];
};

enum tenguard_ct_state {
	TENGUARD_CT_S_NEW,		/* UDP, ICMP: one direction seen */
	TENGUARD_CT_S_REPLIED,		/* UDP, ICMP: both directions seen */
	TENGUARD_CT_S_SYN_SENT,
	TENGUARD_CT_S_SYN_RECV,
	TENGUARD_CT_S_ESTABLISHED,
	TENGUARD_CT_S_CLOSING,		/* FIN or RST seen */
	__TENGUARD_CT_S_MAX
};

struct tenguard_ct {
	__u64 last_ns;		/* bpf_ktime_get_ns() of the last packet */
	__u32 serial;		/* of the rule set that admitted it */
	__u32 rule;		/* index of the rule that admitted it */
	__u8 origin;		/* enum tenguard_acl_dir of the first packet */
	__u8 state;		/* enum tenguard_ct_state */
	__u8 pad[2];
	/*
	 * Of the node's host set that admitted a flow the VM opened to a
	 * protected address, else 0: it is re-checked when that set changes
	 * (a service withdrawn, an address protected since it opened).
	 */
	__u32 host_serial;
	__u64 packets[2];	/* by enum tenguard_acl_dir */
};

/* tg_ct_config: array of one; timeouts in seconds */
struct tenguard_ct_config {
	__u32 timeout[__TENGUARD_CT_TIMEOUT_MAX];
	__u32 pad;
};

/*
 * tg_ct_stats: per-CPU array of one. Entries the LRU evicted to make room
 * are created - removed - entries still in the table.
 */
struct tenguard_ct_stats {
	__u64 created;
	__u64 removed;		/* expired or revoked, and deleted */
};

/* tg_frags: LRU hash; an allowed first fragment lets the rest through */
struct tenguard_frag_key {
	__u32 ifindex;
	__u32 id;		/* IPv4 identification or IPv6 fragment id */
	__u8 set;		/* enum tenguard_acl_dir */
	__u8 family;
	__u8 proto;
	__u8 pad;
	__u8 saddr[16];
	__u8 daddr[16];
};

/*
 * tg_rate: a port's buckets, key struct tenguard_rate_key. Kept apart
 * from the limits in tg_ports so that changing a limit leaves them as
 * they are. Each bucket is its theoretical arrival time (GCRA): the
 * CLOCK_MONOTONIC time in ns at which it will be full again; 0: full.
 * The rate and burst it was last advanced under are kept with it: the
 * datapath converts it to changed ones so that it keeps the tokens it had
 * (at most the new burst), neither refilled nor emptied by the change.
 */
struct tenguard_rate_key {
	__u32 ifindex;
	__u32 dir;		/* enum tenguard_acl_dir */
};

struct tenguard_rate_bucket {
	__u64 tat;
	__u64 rate;		/* bits or packets per second */
	__u64 burst;		/* bytes or packets */
};

struct tenguard_rate_state {
	struct tenguard_rate_bucket bytes;
	struct tenguard_rate_bucket pkts;
};

/*
 * tg_rate_meter: key __u32 ifindex; the daemon's measure of each VM
 * port's rates over its last interval, by enum tenguard_acl_dir.
 */
struct tenguard_rate_measure {
	__u64 bps;		/* passed: bits and packets per second */
	__u64 pps;
	__u64 drop_bps;		/* dropped by the limiter */
	__u64 drop_pps;
};

struct tenguard_rate_meter {
	__u64 time_ns;		/* CLOCK_MONOTONIC, end of the interval */
	__u64 interval_ns;
	struct tenguard_rate_measure dir[__TENGUARD_ACL_DIR_MAX];
};

/* Why a frame was dropped: one counter each, per port. */
enum tenguard_drop {
	TENGUARD_DROP_NO_POLICY,	/* port has no policy programmed */
	TENGUARD_DROP_TENANT,		/* frame of another or no tenant */
	TENGUARD_DROP_SRC_MAC,		/* source MAC not the port's */
	TENGUARD_DROP_SRC_IP,		/* source IP not the port's */
	TENGUARD_DROP_ARP,		/* ARP sender MAC/IP not the port's */
	TENGUARD_DROP_ND,		/* NS/NA address or lladdr not the port's */
	TENGUARD_DROP_DHCP_SERVER,	/* DHCP server reply from a VM */
	TENGUARD_DROP_RA,		/* Router Advertisement from a VM */
	TENGUARD_DROP_REDIRECT,		/* ICMP/ICMPv6 redirect from a VM */
	TENGUARD_DROP_VLAN,		/* 802.1Q/802.1ad tag from a VM */
	TENGUARD_DROP_ETHERTYPE,	/* ethertype the port may not send */
	TENGUARD_DROP_ENCAP,		/* overlay encapsulation from a VM */
	TENGUARD_DROP_DST_MAC,		/* not addressed to the port */
	TENGUARD_DROP_SEGMENT,		/* uplink frame of no known segment */
	TENGUARD_DROP_MALFORMED,	/* truncated or evasive headers */
	TENGUARD_DROP_ACL,		/* denied by a rule or the default */
	TENGUARD_DROP_CT_INVALID,	/* TCP not opening nor of a flow */
	TENGUARD_DROP_FRAGMENT,		/* fragment of no allowed datagram */
	TENGUARD_DROP_HOST,		/* to the node, no service allowed */
	TENGUARD_DROP_QUARANTINE,	/* port quarantined */
	TENGUARD_DROP_RATE,		/* over the port's rate limit */
	__TENGUARD_DROP_MAX
};
#define TENGUARD_DROP_MAX (__TENGUARD_DROP_MAX - 1)

/* a direction's limiter: what it let through, delayed and dropped */
struct tenguard_rate_stats {
	__u64 packets;		/* passed (a GSO packet once) */
	__u64 bytes;
	__u64 shaped;		/* of those, given a later departure */
	__u64 drop_packets;
	__u64 drop_bytes;
};

/* tg_stats: per-CPU, key __u32 ifindex */
struct tenguard_stats {
	__u64 rx_packets;	/* admitted from the port (from the VM) */
	__u64 rx_bytes;
	__u64 tx_packets;	/* delivered to the port (to the VM) */
	__u64 tx_bytes;
	__u64 drop[__TENGUARD_DROP_MAX];
	/* by enum tenguard_acl_dir, of directions with a limit */
	struct tenguard_rate_stats rate[__TENGUARD_ACL_DIR_MAX];
};

#endif /* _UAPI_LINUX_TENGUARD_H */
