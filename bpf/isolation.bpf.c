// SPDX-License-Identifier: GPL-2.0
/*
 * Tenant isolation on the ports of a hypervisor node, tc clsact.
 *
 *   VM port, ingress  (tg_from_vm):     anti-spoofing; tags the frame with
 *                                       the port's tenant (skb->mark)
 *   VM port, egress   (tg_to_vm):       only frames of the port's tenant,
 *                                       addressed to one of its MACs or to
 *                                       a group address
 *   uplink, ingress   (tg_from_uplink): tags the frame with the tenant of
 *                                       its segment
 *   uplink, egress    (tg_to_uplink):   only frames of the segment's tenant
 *
 * The tenant travels in skb->mark from the ingress port to the egress port
 * across the bridge; each check is a hash or LPM lookup, never a loop over
 * configuration, so the cost does not grow with the number of ports.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "maps.bpf.h"
#include "parse.bpf.h"
#include "antispoof.bpf.h"
#include "acl.bpf.h"
#include "rate.bpf.h"

static __always_inline int tg_drop(struct tenguard_stats *st, int reason)
{
	if (st && reason >= 0 && reason < __TENGUARD_DROP_MAX)
		st->drop[reason]++;
	return TC_ACT_SHOT;
}

static __always_inline __u32 tg_mark_tenant(const struct __sk_buff *skb)
{
	if ((skb->mark & TENGUARD_MARK_MAGIC_MASK) != TENGUARD_MARK_MAGIC)
		return 0;
	return skb->mark & TENGUARD_MARK_TENANT_MASK;
}

static __always_inline __u32 tg_segment_tenant(struct __sk_buff *skb,
					       const struct tenguard_port *port)
{
	__u32 seg, *tenant;
	int vid;

	if (port->segment)
		return port->tenant;
	vid = tg_frame_vid(skb);
	if (vid <= 0)
		return 0;
	seg = TENGUARD_SEG_VLAN(vid);
	tenant = bpf_map_lookup_elem(&tg_segments, &seg);
	return tenant ? *tenant : 0;
}

/* the port the frame is on, if programmed as kind; its counters in *st */
static __always_inline struct tenguard_port *
tg_port(struct __sk_buff *skb, __u32 kind, struct tenguard_stats **st)
{
	__u32 ifindex = skb->ifindex;
	struct tenguard_port *port;

	*st = bpf_map_lookup_elem(&tg_stats, &ifindex);
	port = bpf_map_lookup_elem(&tg_ports, &ifindex);
	if (!port || port->kind != kind ||
	    (kind == TENGUARD_PORT_VM && !port->tenant))
		return NULL;
	return port;
}

/* admitted into the node (rx) or delivered to the port (tx) */
static __always_inline int tg_pass(struct tenguard_stats *st,
				   const struct __sk_buff *skb, int rx)
{
	if (st && rx) {
		st->rx_packets++;
		st->rx_bytes += skb->len;
	} else if (st) {
		st->tx_packets++;
		st->tx_bytes += skb->len;
	}
	return TC_ACT_UNSPEC;
}

SEC("tc")
int tg_from_vm(struct __sk_buff *skb)
{
	struct tenguard_port *port;
	struct tenguard_stats *st;
	int ret;

	port = tg_port(skb, TENGUARD_PORT_VM, &st);
	if (!port)
		return tg_drop(st, TENGUARD_DROP_NO_POLICY);
	ret = tg_check_from_vm(skb, port, skb->ifindex);
	if (ret == TG_PASS)
		ret = tg_acl_check(skb, skb->ifindex, TENGUARD_ACL_EGRESS);
	/* last: what is dropped anyway takes nothing from the bucket */
	if (ret == TG_PASS && port->rate[TENGUARD_ACL_EGRESS].flags)
		ret = tg_rate_check(skb, &port->rate[TENGUARD_ACL_EGRESS], st,
				    TENGUARD_ACL_EGRESS);
	if (ret != TG_PASS)
		return tg_drop(st, ret);

	skb->mark = TENGUARD_MARK_MAGIC | port->tenant;
	return tg_pass(st, skb, 1);
}

SEC("tc")
int tg_to_vm(struct __sk_buff *skb)
{
	struct tenguard_port *port;
	struct tenguard_stats *st;
	struct ethhdr eth;
	int ret;

	port = tg_port(skb, TENGUARD_PORT_VM, &st);
	if (!port)
		return tg_drop(st, TENGUARD_DROP_NO_POLICY);
	if (tg_mark_tenant(skb) != port->tenant)
		return tg_drop(st, TENGUARD_DROP_TENANT);
	if (tg_load(skb, 0, &eth, sizeof(eth)))
		return tg_drop(st, TENGUARD_DROP_MALFORMED);
	/* a VM port is an access port: tags belong to the infrastructure */
	if (skb->vlan_present || tg_is_vlan_proto(eth.h_proto))
		return tg_drop(st, TENGUARD_DROP_VLAN);
	/* a promiscuous guest still gets only what is addressed to it */
	if (!(eth.h_dest[0] & 1) && !tg_mac_bound(skb->ifindex, eth.h_dest))
		return tg_drop(st, TENGUARD_DROP_DST_MAC);
	ret = tg_acl_check(skb, skb->ifindex, TENGUARD_ACL_INGRESS);
	if (ret == TG_PASS && port->rate[TENGUARD_ACL_INGRESS].flags)
		ret = tg_rate_check(skb, &port->rate[TENGUARD_ACL_INGRESS], st,
				    TENGUARD_ACL_INGRESS);
	if (ret != TG_PASS)
		return tg_drop(st, ret);
	return tg_pass(st, skb, 0);
}

SEC("tc")
int tg_from_uplink(struct __sk_buff *skb)
{
	struct tenguard_port *port;
	struct tenguard_stats *st;
	__u32 tenant;

	port = tg_port(skb, TENGUARD_PORT_UPLINK, &st);
	if (!port)
		return tg_drop(st, TENGUARD_DROP_NO_POLICY);
	tenant = tg_segment_tenant(skb, port);
	if (!tenant)
		return tg_drop(st, TENGUARD_DROP_SEGMENT);

	skb->mark = TENGUARD_MARK_MAGIC | tenant;
	return tg_pass(st, skb, 1);
}

SEC("tc")
int tg_to_uplink(struct __sk_buff *skb)
{
	struct tenguard_port *port;
	struct tenguard_stats *st;
	__u32 tenant;

	port = tg_port(skb, TENGUARD_PORT_UPLINK, &st);
	if (!port)
		return tg_drop(st, TENGUARD_DROP_NO_POLICY);
	tenant = tg_mark_tenant(skb);
	if (!tenant || tenant != tg_segment_tenant(skb, port))
		return tg_drop(st, TENGUARD_DROP_TENANT);
	return tg_pass(st, skb, 0);
}

char LICENSE[] SEC("license") = "GPL";
