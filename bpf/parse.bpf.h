/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Header access for the tc programs. Every read goes through
 * bpf_skb_load_bytes(): it is bounded by the skb, works on non-linear skbs
 * (GSO from a veth peer) and never needs the data/data_end dance.
 */
#ifndef TG_PARSE_BPF_H
#define TG_PARSE_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TG_PASS			(-1)	/* a check found nothing wrong */
#define TG_MAX_EXTHDRS		8	/* more than any real stack sends */

#define ETH_P_QINQ1		0x9100
#define ETH_P_QINQ2		0x9200

/* ARP for Ethernet and IPv4, the only kind a VM port may send */
struct tg_arp {
	__be16 htype;
	__be16 ptype;
	__u8 hlen;
	__u8 plen;
	__be16 op;
	__u8 sha[ETH_ALEN];
	__u8 spa[4];	/* unaligned in the frame: bytes, not __be32 */
	__u8 tha[ETH_ALEN];
	__u8 tpa[4];
};

static __always_inline int tg_load(struct __sk_buff *skb, __u32 off,
				   void *to, __u32 len)
{
	return bpf_skb_load_bytes(skb, off, to, len);
}

static __always_inline int tg_is_vlan_proto(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) ||
	       proto == bpf_htons(ETH_P_8021AD) ||
	       proto == bpf_htons(ETH_P_QINQ1) ||
	       proto == bpf_htons(ETH_P_QINQ2);
}

/*
 * The VLAN id a frame carries: the accelerated tag the stack moved into the
 * skb, else an in-band 802.1Q/802.1ad tag. -1 if untagged or unreadable.
 */
static __always_inline int tg_frame_vid(struct __sk_buff *skb)
{
	struct {
		__be16 proto;
		__be16 tci;
	} tag;

	if (skb->vlan_present)
		return skb->vlan_tci & 0x0fff;
	if (tg_load(skb, 2 * ETH_ALEN, &tag, sizeof(tag)) ||
	    !tg_is_vlan_proto(tag.proto))
		return -1;
	return bpf_ntohs(tag.tci) & 0x0fff;
}

/* UDP destination ports of overlay encapsulations */
static __always_inline int tg_is_overlay_port(__be16 port)
{
	return port == bpf_htons(4789) ||	/* VXLAN */
	       port == bpf_htons(4790) ||	/* VXLAN-GPE */
	       port == bpf_htons(6081) ||	/* Geneve */
	       port == bpf_htons(8472);		/* Linux VXLAN, pre-IANA */
}

/* IP protocols that carry another network layer */
static __always_inline int tg_is_tunnel_proto(__u8 proto)
{
	return proto == IPPROTO_IPIP || proto == IPPROTO_IPV6 ||
	       proto == IPPROTO_GRE || proto == IPPROTO_ETHERNET ||
	       proto == 97 /* EtherIP */ || proto == IPPROTO_L2TP ||
	       proto == IPPROTO_MPLS;
}

#endif /* TG_PARSE_BPF_H */
