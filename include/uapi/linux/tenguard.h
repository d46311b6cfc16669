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
 * object as a GET would return it. Group "events":
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
	__TENGUARD_CMD_MAX
};
#define TENGUARD_CMD_MAX (__TENGUARD_CMD_MAX - 1)

enum tenguard_a {
	TENGUARD_A_UNSPEC,
	TENGUARD_A_TENANT,
	TENGUARD_A_PORT,
	TENGUARD_A_EVENT,
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

/*
 * skb->mark of a frame admitted by a tenguard port: the magic byte says the
 * low bits are a tenant id set by tenguard and not left over from elsewhere.
 */
#define TENGUARD_MARK_MAGIC		0x7e000000U
#define TENGUARD_MARK_MAGIC_MASK	0xff000000U
#define TENGUARD_MARK_TENANT_MASK	TENGUARD_TENANT_ID_MAX

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
	__TENGUARD_DROP_MAX
};
#define TENGUARD_DROP_MAX (__TENGUARD_DROP_MAX - 1)

/* tg_stats: per-CPU, key __u32 ifindex */
struct tenguard_stats {
	__u64 rx_packets;	/* admitted from the port (from the VM) */
	__u64 rx_bytes;
	__u64 tx_packets;	/* delivered to the port (to the VM) */
	__u64 tx_bytes;
	__u64 drop[__TENGUARD_DROP_MAX];
};

#endif /* _UAPI_LINUX_TENGUARD_H */
