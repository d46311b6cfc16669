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
#include <linux/in6.h>
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

/* the first 8 bytes of an IPv6 extension header */
struct tg_ext {
	__u8 nexthdr;
	__u8 hdrlen;
	__u8 b2;	/* routing: type; fragment: offset high bits */
	__u8 b3;	/* routing: segments left; fragment: offset low, M */
	__be32 id;	/* fragment: identification */
};

/*
 * nh, at off: an extension header a walk steps over, read into *ext, its
 * length returned; 0: the upper layer (or one no walk can step over);
 * -1: unreadable.
 */
static __always_inline int tg_ext_hdr(struct __sk_buff *skb, __u32 off,
				      __u8 nh, struct tg_ext *ext)
{
	switch (nh) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_DSTOPTS:
	case IPPROTO_ROUTING:
		if (tg_load(skb, off, ext, 4))
			return -1;
		return (ext->hdrlen + 1) * 8;
	case IPPROTO_AH:
		if (tg_load(skb, off, ext, 4))
			return -1;
		return (ext->hdrlen + 2) * 4;
	case IPPROTO_FRAGMENT:
		if (tg_load(skb, off, ext, sizeof(*ext)))
			return -1;
		return 8;
	}
	return 0;
}

static __always_inline __u16 tg_ext_frag_off(const struct tg_ext *ext)
{
	return (ext->b2 << 8 | ext->b3) & ~7;
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
