/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow of an IP packet, as the ACL and the connection tracker see it:
 * addresses, upper-layer protocol wherever the IPv6 extension headers put
 * it, ports or ICMP type and code, fragment position. It reads frames in
 * both directions, so it trusts nothing: a header it cannot read whole
 * makes the packet malformed.
 */
#ifndef TG_FLOW_BPF_H
#define TG_FLOW_BPF_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>

#include "parse.bpf.h"

#define TG_FLOW_MALFORMED	(-2)	/* truncated or evasive headers */
#define TG_FLOW_NOT_IP		(-3)

enum {
	TG_FRAG_NONE,
	TG_FRAG_FIRST,		/* offset 0, more follow: holds the ports */
	TG_FRAG_LATER,		/* offset > 0: no upper-layer header */
};

#define TG_TCP_FIN		0x01
#define TG_TCP_SYN		0x02
#define TG_TCP_RST		0x04
#define TG_TCP_ACK		0x10

#define TG_ICMP_ECHO_REPLY	0
#define TG_ICMP_ECHO		8
#define TG_ICMP6_ECHO		128
#define TG_ICMP6_ECHO_REPLY	129

struct tg_flow {
	__u8 family;		/* 4 or 6 */
	__u8 proto;		/* upper-layer protocol */
	__u8 frag;		/* TG_FRAG_* */
	__u8 tcp_flags;
	__u32 frag_id;
	__be16 sport;		/* ICMP echo: the identifier */
	__be16 dport;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 frag_proto;	/* what follows the fragment header, in all */
	__u8 pad;
	__u16 frag_off;		/* of a later fragment, bytes */
	__u16 pad2;
	__u32 l4_off;		/* where the upper-layer header starts */
	__u32 end;		/* end of the datagram */
	__u8 saddr[16];
	__u8 daddr[16];
};

static __always_inline int tg_proto_has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE;
}

static __always_inline int tg_is_icmp(__u8 family, __u8 proto)
{
	return (family == 4 && proto == IPPROTO_ICMP) ||
	       (family == 6 && proto == IPPROTO_ICMPV6);
}

/* an ICMP error quotes the packet it is about (RFC 792, 4443) */
static __always_inline int tg_icmp_is_error(__u8 family, __u8 type)
{
	if (family == 4)
		return type == 3 || type == 11 || type == 12;
	return type >= 1 && type <= 4;
}

static __always_inline int tg_icmp_is_echo(__u8 family, __u8 type)
{
	return family == 4 ? type == TG_ICMP_ECHO : type == TG_ICMP6_ECHO;
}

static __always_inline int tg_icmp_is_echo_reply(__u8 family, __u8 type)
{
	return family == 4 ? type == TG_ICMP_ECHO_REPLY :
			     type == TG_ICMP6_ECHO_REPLY;
}

/* the ports, or ICMP type, code and echo id, at off within end */
static __always_inline int tg_flow_l4(struct __sk_buff *skb,
				      struct tg_flow *f, __u32 off, __u32 end)
{
	/* TCP up to its flags; UDP, SCTP, UDP-Lite: ports; ICMP: 8 bytes */
	union {
		struct {
			__be16 sport;
			__be16 dport;
			__u8 pad[9];
			__u8 flags;
		} tcp;
		struct {
			__u8 type;
			__u8 code;
			__be16 csum;
			__be16 id;
			__be16 seq;
		} icmp;
	} l4;

	if (tg_is_icmp(f->family, f->proto)) {
		if (off + sizeof(l4.icmp) > end ||
		    tg_load(skb, off, &l4, sizeof(l4.icmp)))
			return TG_FLOW_MALFORMED;
		f->icmp_type = l4.icmp.type;
		f->icmp_code = l4.icmp.code;
		f->sport = l4.icmp.id;
		return 0;
	}
	if (f->proto == IPPROTO_TCP) {
		if (off + sizeof(struct tcphdr) > end ||
		    tg_load(skb, off, &l4, sizeof(l4.tcp)))
			return TG_FLOW_MALFORMED;
		f->tcp_flags = l4.tcp.flags;
	} else if (tg_proto_has_ports(f->proto)) {
		if (off + 8 > end || tg_load(skb, off, &l4, 4))
			return TG_FLOW_MALFORMED;
	} else {
		return 0;
	}
	f->sport = l4.tcp.sport;
	f->dport = l4.tcp.dport;
	return 0;
}

static __always_inline int tg_flow_ipv4(struct __sk_buff *skb,
					struct tg_flow *f, __u32 off)
{
	struct iphdr ip;
	__u16 frag;

	if (tg_load(skb, off, &ip, sizeof(ip)))
		return TG_FLOW_MALFORMED;
	if (ip.version != 4 || ip.ihl < 5 ||
	    bpf_ntohs(ip.tot_len) < ip.ihl * 4 ||
	    off + bpf_ntohs(ip.tot_len) > skb->len)
		return TG_FLOW_MALFORMED;
	f->family = 4;
	f->proto = ip.protocol;
	__builtin_memcpy(f->saddr, &ip.saddr, 4);
	__builtin_memcpy(f->daddr, &ip.daddr, 4);
	f->l4_off = off + ip.ihl * 4;
	f->end = off + bpf_ntohs(ip.tot_len);
	frag = bpf_ntohs(ip.frag_off);
	f->frag_id = bpf_ntohs(ip.id);
	f->frag_proto = ip.protocol;
	if (frag & 0x1fff) {
		f->frag = TG_FRAG_LATER;
		f->frag_off = (frag & 0x1fff) * 8;
		return 0;
	}
	if (frag & 0x2000)
		f->frag = TG_FRAG_FIRST;
	return tg_flow_l4(skb, f, f->l4_off, f->end);
}

static __always_inline int tg_flow_ipv6(struct __sk_buff *skb,
					struct tg_flow *f, __u32 off)
{
	struct ipv6hdr ip6;
	struct tg_ext ext;
	__u8 nexthdr;
	int i, len;

	if (tg_load(skb, off, &ip6, sizeof(ip6)) || ip6.version != 6)
		return TG_FLOW_MALFORMED;
	f->family = 6;
	__builtin_memcpy(f->saddr, &ip6.saddr, 16);
	__builtin_memcpy(f->daddr, &ip6.daddr, 16);
	f->end = off + sizeof(ip6) + bpf_ntohs(ip6.payload_len);
	if (f->end > skb->len)
		return TG_FLOW_MALFORMED;
	off += sizeof(ip6);
	nexthdr = ip6.nexthdr;
	for (i = 0; i < TG_MAX_EXTHDRS; i++) {
		len = tg_ext_hdr(skb, off, nexthdr, &ext);
		if (len < 0)
			return TG_FLOW_MALFORMED;
		if (!len)
			break;
		if (nexthdr == IPPROTO_FRAGMENT) {
			f->frag_id = bpf_ntohl(ext.id);
			f->frag_proto = ext.nexthdr;
			f->frag = TG_FRAG_FIRST;
			if (tg_ext_frag_off(&ext)) {
				f->proto = ext.nexthdr;
				f->frag = TG_FRAG_LATER;
				f->frag_off = tg_ext_frag_off(&ext);
				f->l4_off = off + len;
				return 0;
			}
		}
		nexthdr = ext.nexthdr;
		off += len;
	}
	if (i == TG_MAX_EXTHDRS)
		return TG_FLOW_MALFORMED;
	f->proto = nexthdr;
	f->l4_off = off;
	return tg_flow_l4(skb, f, off, f->end);
}

/* 0, TG_FLOW_NOT_IP or TG_FLOW_MALFORMED */
static __always_inline int tg_flow_parse(struct __sk_buff *skb,
					 struct tg_flow *f)
{
	__be16 proto;

	if (tg_load(skb, 2 * ETH_ALEN, &proto, sizeof(proto)))
		return TG_FLOW_MALFORMED;
	if (proto == bpf_htons(ETH_P_IP))
		return tg_flow_ipv4(skb, f, ETH_HLEN);
	if (proto == bpf_htons(ETH_P_IPV6))
		return tg_flow_ipv6(skb, f, ETH_HLEN);
	return TG_FLOW_NOT_IP;
}

#endif /* TG_FLOW_BPF_H */
