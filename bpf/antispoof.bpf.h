/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anti-spoofing of frames a VM sends: each check returns TG_PASS or the
 * enum tenguard_drop reason. A header the checks cannot read whole is
 * dropped as malformed rather than let through unread: what the datapath
 * cannot parse, a guest can hide behind.
 */
#ifndef TG_ANTISPOOF_BPF_H
#define TG_ANTISPOOF_BPF_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>

#include "maps.bpf.h"
#include "parse.bpf.h"

#define TG_IP_OFFSET		0x1fff
#define TG_MAX_ND_OPTS		4

#define TG_ND_OPT_SLLA		1
#define TG_ND_OPT_TLLA		2
#define TG_ICMP_REDIRECT	5

/* ICMPv6 types (RFC 4861); the uapi headers keep these kernel-internal */
#define TG_ND_RS		133
#define TG_ND_RA		134
#define TG_ND_NS		135
#define TG_ND_NA		136
#define TG_ND_REDIRECT		137

static __always_inline int tg_mac_bound(__u32 ifindex, const __u8 *mac)
{
	struct tenguard_mac_key key = { .ifindex = ifindex };

	__builtin_memcpy(key.mac, mac, ETH_ALEN);
	return !!bpf_map_lookup_elem(&tg_macs, &key);
}

/* one of the port's exact addresses, else inside one of its prefixes */
static __always_inline int tg_addr_bound(const struct tenguard_port *port,
					 __u32 ifindex, __u8 family,
					 const void *addr, __u32 len)
{
	struct tenguard_addr_key key = { .ifindex = ifindex, .family = family };
	struct tenguard_prefix_key pkey = {
		.prefixlen = TENGUARD_PREFIX_KEY_BITS + len * 8,
		.ifindex = ifindex,
		.family = family,
	};

	if (len == 4)
		__builtin_memcpy(key.addr, addr, 4);
	else
		__builtin_memcpy(key.addr, addr, 16);
	if (bpf_map_lookup_elem(&tg_addrs, &key))
		return 1;
	if (!port->prefixes)
		return 0;
	__builtin_memcpy(pkey.addr, key.addr, 16);
	return !!bpf_map_lookup_elem(&tg_prefixes, &pkey);
}

static __always_inline int tg_addr4_bound(const struct tenguard_port *port,
					  __u32 ifindex, __be32 addr)
{
	return tg_addr_bound(port, ifindex, 4, &addr, 4);
}

static __always_inline int tg_addr6_bound(const struct tenguard_port *port,
					  __u32 ifindex, const void *addr)
{
	return tg_addr_bound(port, ifindex, 6, addr, 16);
}

static __always_inline int tg_check_arp(struct __sk_buff *skb,
					const struct tenguard_port *port,
					__u32 ifindex)
{
	struct tg_arp arp;
	__be32 spa;

	if (tg_load(skb, ETH_HLEN, &arp, sizeof(arp)))
		return TENGUARD_DROP_MALFORMED;
	if (arp.htype != bpf_htons(1) || arp.ptype != bpf_htons(ETH_P_IP) ||
	    arp.hlen != ETH_ALEN || arp.plen != 4)
		return TENGUARD_DROP_ARP;
	if (!tg_mac_bound(ifindex, arp.sha))
		return TENGUARD_DROP_ARP;
	/* sender 0.0.0.0 is an address probe (RFC 5227); only a request */
	__builtin_memcpy(&spa, arp.spa, sizeof(spa));
	if (!spa)
		return arp.op == bpf_htons(1) ? TG_PASS : TENGUARD_DROP_ARP;
	if (arp.op != bpf_htons(1) && arp.op != bpf_htons(2))
		return TENGUARD_DROP_ARP;
	return tg_addr4_bound(port, ifindex, spa) ? TG_PASS : TENGUARD_DROP_ARP;
}

static __always_inline int tg_check_udp(struct __sk_buff *skb, __u32 off,
					__u32 flags, __be16 server_port)
{
	struct udphdr udp;

	if (tg_load(skb, off, &udp, sizeof(udp)))
		return TENGUARD_DROP_MALFORMED;
	if (udp.source == server_port && !(flags & TENGUARD_PORT_F_DHCP_SERVER))
		return TENGUARD_DROP_DHCP_SERVER;
	if (tg_is_overlay_port(udp.dest) && !(flags & TENGUARD_PORT_F_ENCAP))
		return TENGUARD_DROP_ENCAP;
	return TG_PASS;
}

/*
 * A first fragment must hold the whole transport header (RFC 1858, 7112),
 * inside the datagram: bytes past its end are trailer a receiver ignores.
 */
static __always_inline int tg_check_l4_present(__u32 off, __u32 end,
					       __u8 proto)
{
	__u32 need = proto == IPPROTO_TCP ? sizeof(struct tcphdr) : 8;

	return off + need > end ? TENGUARD_DROP_MALFORMED : TG_PASS;
}

static __always_inline int tg_check_ipv4(struct __sk_buff *skb,
					 const struct tenguard_port *port,
					 __u32 ifindex, __u32 flags)
{
	struct iphdr ip;
	__u8 icmp_type;
	struct udphdr udp;
	__u32 off, end, fragoff;
	int ret;

	if (tg_load(skb, ETH_HLEN, &ip, sizeof(ip)))
		return TENGUARD_DROP_MALFORMED;
	if (ip.version != 4 || ip.ihl < 5 ||
	    bpf_ntohs(ip.tot_len) < ip.ihl * 4)
		return TENGUARD_DROP_MALFORMED;
	off = ETH_HLEN + ip.ihl * 4;
	end = ETH_HLEN + bpf_ntohs(ip.tot_len);
	fragoff = (bpf_ntohs(ip.frag_off) & TG_IP_OFFSET) * 8;

	if (!ip.saddr) {
		/* a DHCP client has no address yet: DISCOVER and REQUEST */
		if (ip.protocol != IPPROTO_UDP || fragoff ||
		    tg_load(skb, off, &udp, sizeof(udp)) ||
		    udp.source != bpf_htons(68) || udp.dest != bpf_htons(67))
			return TENGUARD_DROP_SRC_IP;
	} else if (!tg_addr4_bound(port, ifindex, ip.saddr)) {
		return TENGUARD_DROP_SRC_IP;
	}

	if (tg_is_tunnel_proto(ip.protocol) && !(flags & TENGUARD_PORT_F_ENCAP))
		return TENGUARD_DROP_ENCAP;

	if (fragoff) {
		/* a later fragment that overlaps the TCP header rewrites it */
		if (ip.protocol == IPPROTO_TCP && fragoff < sizeof(struct tcphdr))
			return TENGUARD_DROP_MALFORMED;
		return TG_PASS;
	}

	if (ip.protocol == IPPROTO_TCP || ip.protocol == IPPROTO_UDP ||
	    ip.protocol == IPPROTO_ICMP) {
		ret = tg_check_l4_present(off, end, ip.protocol);
		if (ret != TG_PASS)
			return ret;
	}

	switch (ip.protocol) {
	case IPPROTO_UDP:
		return tg_check_udp(skb, off, flags, bpf_htons(67));
	case IPPROTO_ICMP:
		if (tg_load(skb, off, &icmp_type, 1))
			return TENGUARD_DROP_MALFORMED;
		if (icmp_type == TG_ICMP_REDIRECT &&
		    !(flags & TENGUARD_PORT_F_ROUTER))
			return TENGUARD_DROP_REDIRECT;
		return TG_PASS;
	}
	return TG_PASS;
}

/* Every link-layer address option of an NS/NA must be one of the port's. */
static __always_inline int tg_check_nd_opts(struct __sk_buff *skb,
					    __u32 ifindex, __u32 off,
					    __u32 end, int *has_slla)
{
	struct {
		__u8 type;
		__u8 len;
		__u8 mac[ETH_ALEN];
	} opt;
	int i;

	for (i = 0; i < TG_MAX_ND_OPTS; i++) {
		if (off >= end)
			return TG_PASS;
		if (tg_load(skb, off, &opt, sizeof(opt)) || !opt.len)
			return TENGUARD_DROP_MALFORMED;
		if (opt.type == TG_ND_OPT_SLLA || opt.type == TG_ND_OPT_TLLA) {
			if (opt.type == TG_ND_OPT_SLLA)
				*has_slla = 1;
			if (!tg_mac_bound(ifindex, opt.mac))
				return TENGUARD_DROP_ND;
		}
		off += opt.len * 8;
	}
	/* more options than a real NS/NA carries may hide one unchecked */
	return off >= end ? TG_PASS : TENGUARD_DROP_ND;
}

static __always_inline int tg_check_icmp6(struct __sk_buff *skb,
					  const struct tenguard_port *port,
					  __u32 ifindex, __u32 off, __u32 end,
					  int fragment, int unspec)
{
	struct icmp6hdr icmp;
	__u8 target[16];
	int has_slla = 0;
	int ret;

	if (tg_load(skb, off, &icmp, sizeof(icmp)))
		return TENGUARD_DROP_MALFORMED;

	switch (icmp.icmp6_type) {
	case TG_ND_RA:
		return port->flags & TENGUARD_PORT_F_ROUTER ? TG_PASS :
			TENGUARD_DROP_RA;
	case TG_ND_REDIRECT:
		return port->flags & TENGUARD_PORT_F_ROUTER ? TG_PASS :
			TENGUARD_DROP_REDIRECT;
	case TG_ND_NS:
	case TG_ND_NA:
		/* fragmented ND is never legitimate (RFC 6980) */
		if (fragment)
			return TENGUARD_DROP_ND;
		if (off + 24 > end ||
		    tg_load(skb, off + sizeof(icmp), target, sizeof(target)))
			return TENGUARD_DROP_MALFORMED;
		if (icmp.icmp6_type == TG_ND_NA &&
		    (unspec || !tg_addr6_bound(port, ifindex, target)))
			return TENGUARD_DROP_ND;
		ret = tg_check_nd_opts(skb, ifindex, off + 24, end, &has_slla);
		if (ret != TG_PASS)
			return ret;
		/* DAD: from ::, without a source link-layer address */
		if (unspec && has_slla)
			return TENGUARD_DROP_ND;
		return TG_PASS;
	case TG_ND_RS:
	case ICMPV6_MGM_REPORT:
	case ICMPV6_MLD2_REPORT:
		return TG_PASS;	/* may come from :: before DAD completes */
	}
	return unspec ? TENGUARD_DROP_SRC_IP : TG_PASS;
}

static __always_inline int tg_check_ipv6(struct __sk_buff *skb,
					 const struct tenguard_port *port,
					 __u32 ifindex, __u32 flags)
{
	struct ipv6hdr ip6;
	__u32 off = ETH_HLEN + sizeof(ip6), end;
	int fragment = 0, unspec, i, len;
	struct tg_ext ext;
	__u8 nexthdr;

	if (tg_load(skb, ETH_HLEN, &ip6, sizeof(ip6)))
		return TENGUARD_DROP_MALFORMED;
	if (ip6.version != 6)
		return TENGUARD_DROP_MALFORMED;
	end = off + bpf_ntohs(ip6.payload_len);

	unspec = !(ip6.saddr.in6_u.u6_addr32[0] | ip6.saddr.in6_u.u6_addr32[1] |
		   ip6.saddr.in6_u.u6_addr32[2] | ip6.saddr.in6_u.u6_addr32[3]);
	if (!unspec && !tg_addr6_bound(port, ifindex, &ip6.saddr))
		return TENGUARD_DROP_SRC_IP;

	/* the upper-layer header, wherever the extension headers put it */
	nexthdr = ip6.nexthdr;
	for (i = 0; i < TG_MAX_EXTHDRS; i++) {
		len = tg_ext_hdr(skb, off, nexthdr, &ext);
		if (len < 0)
			return TENGUARD_DROP_MALFORMED;
		if (!len)
			break;
		/* type 0 source routing is deprecated (RFC 5095) */
		if (nexthdr == IPPROTO_ROUTING && ext.b2 == 0 && ext.b3)
			return TENGUARD_DROP_MALFORMED;
		if (nexthdr == IPPROTO_FRAGMENT) {
			if (tg_ext_frag_off(&ext)) {
				/* later fragment: the first one was checked */
				if (unspec)
					return TENGUARD_DROP_SRC_IP;
				if (tg_is_tunnel_proto(ext.nexthdr) &&
				    !(flags & TENGUARD_PORT_F_ENCAP))
					return TENGUARD_DROP_ENCAP;
				return TG_PASS;
			}
			fragment = 1;
		}
		nexthdr = ext.nexthdr;
		off += len;
	}
	if (i == TG_MAX_EXTHDRS)
		return TENGUARD_DROP_MALFORMED;

	if (tg_is_tunnel_proto(nexthdr) && !(flags & TENGUARD_PORT_F_ENCAP))
		return TENGUARD_DROP_ENCAP;
	if ((nexthdr == IPPROTO_ICMPV6 || nexthdr == IPPROTO_UDP ||
	     nexthdr == IPPROTO_TCP) &&
	    tg_check_l4_present(off, end, nexthdr) != TG_PASS)
		return TENGUARD_DROP_MALFORMED;

	switch (nexthdr) {
	case IPPROTO_ICMPV6:
		return tg_check_icmp6(skb, port, ifindex, off, end, fragment,
				      unspec);
	case IPPROTO_UDP:
		if (unspec)
			return TENGUARD_DROP_SRC_IP;
		return tg_check_udp(skb, off, flags, bpf_htons(547));
	case IPPROTO_TCP:
		return unspec ? TENGUARD_DROP_SRC_IP : TG_PASS;
	}
	return unspec ? TENGUARD_DROP_SRC_IP : TG_PASS;
}

/* A frame from a VM: TG_PASS, or why it must not enter the node. */
static __always_inline int tg_check_from_vm(struct __sk_buff *skb,
					    const struct tenguard_port *port,
					    __u32 ifindex)
{
	struct tenguard_ethertype_key etk = { .ifindex = ifindex };
	struct ethhdr eth;

	if (skb->vlan_present)
		return TENGUARD_DROP_VLAN;
	if (tg_load(skb, 0, &eth, sizeof(eth)))
		return TENGUARD_DROP_MALFORMED;
	if ((eth.h_source[0] & 1) || !tg_mac_bound(ifindex, eth.h_source))
		return TENGUARD_DROP_SRC_MAC;

	switch (eth.h_proto) {
	case bpf_htons(ETH_P_IP):
		return tg_check_ipv4(skb, port, ifindex, port->flags);
	case bpf_htons(ETH_P_IPV6):
		return tg_check_ipv6(skb, port, ifindex, port->flags);
	case bpf_htons(ETH_P_ARP):
		return tg_check_arp(skb, port, ifindex);
	}
	if (tg_is_vlan_proto(eth.h_proto))
		return TENGUARD_DROP_VLAN;
	/* 802.3 length frames (LLC, STP BPDUs) fall here too: below 0x0600 */
	etk.proto = eth.h_proto;
	return bpf_map_lookup_elem(&tg_ethertypes, &etk) ? TG_PASS :
		TENGUARD_DROP_ETHERTYPE;
}

#endif /* TG_ANTISPOOF_BPF_H */
