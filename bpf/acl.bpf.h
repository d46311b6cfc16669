/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stateful ACLs of VM ports, the node's protection from them, and
 * quarantine. One entry point, tg_acl_check(), runs after anti-spoofing on
 * frames from a VM and after the tenant check on frames to it.
 *
 * A port is filtered when it has a rule set in either direction, is
 * quarantined, or (from the VM) the destination is protected. A filtered
 * packet passes when it belongs to a tracked flow, is an ICMP error about
 * one, is a later fragment of a datagram whose first fragment passed, or
 * is the first of a flow that its direction's rules allow. A tracked flow
 * is re-checked against the rules of the direction that opened it whenever
 * that rule set changed since, so a change that denies a flow ends it at
 * its next packet; one the VM opened to a protected address, against the
 * node's services as well (the remediation set instead of both while the
 * port is quarantined).
 */
#ifndef TG_ACL_BPF_H
#define TG_ACL_BPF_H

#include <bpf/bpf_helpers.h>

#include "maps.bpf.h"
#include "flow.bpf.h"

#define TG_NS_PER_SEC		1000000000ULL
/* longer than any reassembly timeout: only a bound, not a policy */
#define TG_FRAG_TIMEOUT_NS	(120 * TG_NS_PER_SEC)
#define TG_ACL_KEY_BITS		(8 * (sizeof(struct tenguard_acl_key) - 4))
#define TG_RULE_NONE		0xffffffffU
#define TG_ACL_NONE		(-1)	/* no such rule set */
#define TG_CT_INVALID		(-1)	/* of a flow, not fitting its state */
#define TG_CT_REVOKED		(-2)	/* of a flow the node's services end */

/* ICMPv6 that IPv6 cannot work without; anti-spoofing vets it */
static __always_inline int tg_icmp6_is_nd(__u8 type)
{
	return (type >= 130 && type <= 137) || type == 143;
}

/* a classification: the rule set and what to match in, the decision out */
struct tg_acl_query {
	__u32 ifindex;
	__u32 set;
	__u8 family;
	__u8 proto;
	__u16 port;		/* host order: port, or ICMP type << 8 | code */
	__u8 remote[16];
	__u32 serial;		/* out: of the rule set */
	__u32 rule;		/* out: index of the deciding rule */
	__u8 action;		/* out: enum tenguard_acl_action */
	__u8 flags;		/* out: TENGUARD_RULE_F_* */
	__u16 pad;
};

/*
 * What one check works on. The program that calls tg_acl_check() has used
 * a good part of the 512-byte stack for anti-spoofing, so this lives in a
 * per-CPU map: tc programs on one CPU do not interrupt each other.
 */
struct tg_acl_scratch {
	struct tg_flow f;
	struct tg_flow quoted;		/* the packet an ICMP error is about */
	struct tenguard_ct_key key;
	struct tenguard_ct_key quoted_key;
	struct tenguard_frag_key frag;
	struct tg_acl_query q;
	struct tg_acl_query recheck;
	struct tenguard_ct ct;		/* a flow being opened */
	/* tg_acl_classify()'s, which every caller's classification ends in */
	struct tenguard_acl_id id;
	struct tenguard_acl_key akey;
	struct tenguard_acl_key rkey;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tg_acl_scratch);
} tg_acl_scratch SEC(".maps");

/*
 * The first rule of a rule set that matches, in a bounded number of
 * lookups however many rules there are: the set, then for each level of
 * nesting of its prefixes the remote's class and the first rule under it,
 * and the first rule under the family's class; the lowest index wins. The
 * compiled set ends with a rule that matches everything, its default.
 * 0, or TG_ACL_NONE.
 */
__noinline int tg_acl_classify(struct tg_acl_query *q)
{
	struct tenguard_acl_key *akey, *rkey;
	struct tg_acl_scratch *s;
	struct tenguard_acl_val *v;
	__u32 levels = 0, l, zero = 0;
	void *trie;

	s = bpf_map_lookup_elem(&tg_acl_scratch, &zero);
	if (!q || !s)
		return TG_ACL_NONE;
	akey = &s->akey;
	rkey = &s->rkey;
	__builtin_memset(akey, 0, sizeof(*akey));
	__builtin_memset(rkey, 0, sizeof(*rkey));
	s->id.ifindex = q->ifindex;
	s->id.set = q->set;
	trie = bpf_map_lookup_elem(&tg_acl, &s->id);
	if (!trie)
		return TG_ACL_NONE;

	/* fail closed: a set without its parts denies */
	q->serial = 0;
	q->rule = TG_RULE_NONE;
	q->action = TENGUARD_ACL_DENY;
	q->flags = 0;
	akey->prefixlen = 8;
	akey->kind = TENGUARD_ACL_KEY_META;
	v = bpf_map_lookup_elem(trie, akey);
	if (v) {
		q->serial = v->a;
		levels = v->b >> 8;
	}

	rkey->prefixlen = TG_ACL_KEY_BITS;
	rkey->kind = TENGUARD_ACL_KEY_RULE;
	rkey->r.proto = q->proto;
	rkey->r.port = bpf_htons(q->port);
	akey->prefixlen = TG_ACL_KEY_BITS;
	akey->kind = TENGUARD_ACL_KEY_ADDR;
	__builtin_memcpy(akey->a.addr, q->remote, 16);
	/* a level's prefixes lie inside the level above's: a miss ends it */
	for (l = 0; l < TENGUARD_ACL_LEVELS && l < levels; l++) {
		akey->a.family = q->family | l << 4;
		v = bpf_map_lookup_elem(trie, akey);
		if (!v)
			break;
		rkey->r.class = bpf_htonl(v->a);
		v = bpf_map_lookup_elem(trie, rkey);
		if (v && v->a < q->rule) {
			q->rule = v->a;
			q->action = v->b & 0xff;
			q->flags = v->b >> 8;
		}
	}
	rkey->r.class = bpf_htonl(q->family == 4 ? TENGUARD_ACL_CLASS_ANY4 :
				 TENGUARD_ACL_CLASS_ANY6);
	v = bpf_map_lookup_elem(trie, rkey);
	if (v && v->a < q->rule) {
		q->rule = v->a;
		q->action = v->b & 0xff;
		q->flags = v->b >> 8;
	}
	return 0;
}

/* what a rule compares a packet's port to */
static __always_inline __u16 tg_match_port(const struct tg_flow *f)
{
	if (tg_is_icmp(f->family, f->proto))
		return f->icmp_type << 8 | f->icmp_code;
	if (tg_proto_has_ports(f->proto))
		return bpf_ntohs(f->dport);
	return 0;
}

/* the packet's match fields in direction dir (from the VM: egress) */
static __always_inline void tg_query_of(struct tg_acl_query *q,
					const struct tg_flow *f, __u32 dir)
{
	q->family = f->family;
	q->proto = f->proto;
	q->port = tg_match_port(f);
	if (dir == TENGUARD_ACL_EGRESS)
		__builtin_memcpy(q->remote, f->daddr, 16);
	else
		__builtin_memcpy(q->remote, f->saddr, 16);
}

static __always_inline void tg_acl_count(const struct tg_acl_query *q)
{
	struct tenguard_acl_id id = { .ifindex = q->ifindex, .set = q->set };
	__u32 rule = q->rule;
	void *hits;
	__u64 *n;

	hits = bpf_map_lookup_elem(&tg_acl_hits, &id);
	if (!hits)
		return;
	n = bpf_map_lookup_elem(hits, &rule);
	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline void tg_acl_log_hit(const struct tg_acl_query *q,
					   const struct tg_flow *f,
					   __u32 ifindex)
{
	struct tenguard_acl_log *rec;

	rec = bpf_ringbuf_reserve(&tg_acl_log, sizeof(*rec), 0);
	if (!rec)
		return;
	rec->time_ns = bpf_ktime_get_ns();
	rec->ifindex = ifindex;
	rec->rule = q->rule;
	rec->set = q->set;
	rec->action = q->action;
	rec->family = f->family;
	rec->proto = f->proto;
	if (tg_is_icmp(f->family, f->proto)) {
		rec->sport = bpf_htons(f->icmp_type << 8 | f->icmp_code);
		rec->dport = 0;
	} else {
		rec->sport = f->sport;
		rec->dport = f->dport;
	}
	__builtin_memcpy(rec->saddr, f->saddr, 16);
	__builtin_memcpy(rec->daddr, f->daddr, 16);
	bpf_ringbuf_submit(rec, 0);
}

/* decide a packet of port ifindex by rule set q: counted, logged if asked */
static __always_inline int tg_acl_decide(struct tg_acl_query *q,
					 const struct tg_flow *f,
					 __u32 ifindex)
{
	if (tg_acl_classify(q) == TG_ACL_NONE)
		return TG_ACL_NONE;
	tg_acl_count(q);
	if (q->flags & TENGUARD_RULE_F_LOG)
		tg_acl_log_hit(q, f, ifindex);
	return q->action;
}

/* ---- connection tracking ---- */

static __always_inline void tg_ct_stat(int created)
{
	__u32 zero = 0;
	struct tenguard_ct_stats *st;

	st = bpf_map_lookup_elem(&tg_ct_stats, &zero);
	if (!st)
		return;
	if (created)
		st->created++;
	else
		st->removed++;
}

static __always_inline void tg_ct_remove(struct tenguard_ct_key *key)
{
	if (!bpf_map_delete_elem(&tg_conntrack, key))
		tg_ct_stat(0);
}

/* the flow as the port sees it: VM end first, whichever way it goes */
static __always_inline void tg_ct_key_of(struct tenguard_ct_key *k,
					 __u32 ifindex, const struct tg_flow *f,
					 __u32 dir)
{
	int out = dir == TENGUARD_ACL_EGRESS;

	k->ifindex = ifindex;
	k->family = f->family;
	k->proto = f->proto;
	k->pad = 0;
	__builtin_memcpy(k->vm_addr, out ? f->saddr : f->daddr, 16);
	__builtin_memcpy(k->remote_addr, out ? f->daddr : f->saddr, 16);
	if (tg_is_icmp(f->family, f->proto)) {
		/* echo request and reply share the identifier */
		k->vm_port = f->sport;
		k->remote_port = 0;
		return;
	}
	k->vm_port = out ? f->sport : f->dport;
	k->remote_port = out ? f->dport : f->sport;
}

static __always_inline __u64 tg_ct_timeout(const struct tenguard_ct *ct,
					   __u8 proto, __u8 family)
{
	struct tenguard_ct_config *cfg;
	__u32 zero = 0, t;

	if (proto == IPPROTO_TCP)
		t = ct->state == TENGUARD_CT_S_ESTABLISHED ?
			TENGUARD_CT_TCP_ESTABLISHED :
		    ct->state == TENGUARD_CT_S_CLOSING ? TENGUARD_CT_TCP_CLOSE :
			TENGUARD_CT_TCP_SYN;
	else if (tg_is_icmp(family, proto))
		t = TENGUARD_CT_ICMP;
	else if (proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE)
		t = ct->state == TENGUARD_CT_S_REPLIED ? TENGUARD_CT_UDP_STREAM :
			TENGUARD_CT_UDP;
	else
		t = TENGUARD_CT_OTHER;
	cfg = bpf_map_lookup_elem(&tg_ct_config, &zero);
	if (!cfg || t >= __TENGUARD_CT_TIMEOUT_MAX)
		return 30 * TG_NS_PER_SEC;
	return cfg->timeout[t] * TG_NS_PER_SEC;
}

/* the rule set that decides flows opened in direction dir */
static __always_inline __u32 tg_set_of(__u32 dir, int quarantined)
{
	return quarantined ? TENGUARD_ACL_SET_REMEDIATION : dir;
}

/* and whose it is: remediation is the node's, kept under ifindex 0 */
static __always_inline __u32 tg_set_owner(__u32 ifindex, int quarantined)
{
	return quarantined ? 0 : ifindex;
}

/*
 * The first packet of a tracked flow, rebuilt from its key: from the VM,
 * the remote end was its destination and its port; towards it, the source
 * and the VM's port.
 */
static __always_inline void tg_ct_query_of(struct tg_acl_query *q,
					   const struct tenguard_ct *ct,
					   const struct tenguard_ct_key *k)
{
	q->family = k->family;
	q->proto = k->proto;
	q->port = 0;
	__builtin_memcpy(q->remote, k->remote_addr, 16);
	if (tg_is_icmp(k->family, k->proto))
		q->port = (k->family == 4 ? TG_ICMP_ECHO : TG_ICMP6_ECHO) << 8;
	else if (tg_proto_has_ports(k->proto))
		q->port = bpf_ntohs(ct->origin == TENGUARD_ACL_EGRESS ?
				    k->remote_port : k->vm_port);
}

/*
 * Does the rule set that admitted a tracked flow still admit it? Rule
 * sets are compared by serial, so this runs once per flow and change.
 */
static __always_inline int tg_ct_still_allowed(struct tenguard_ct *ct,
					       const struct tenguard_ct_key *k,
					       struct tg_acl_query *q,
					       int quarantined)
{
	int ret;

	q->ifindex = tg_set_owner(k->ifindex, quarantined);
	q->set = tg_set_of(ct->origin, quarantined);
	tg_ct_query_of(q, ct, k);
	ret = tg_acl_classify(q);
	if (ret == TG_ACL_NONE) {
		/* an unfiltered direction admits all; remediation nothing */
		if (quarantined)
			return 0;
		q->serial = 0;
	} else if (q->action != TENGUARD_ACL_ALLOW) {
		return 0;
	}
	ct->serial = q->serial;
	ct->rule = q->rule;
	return 1;
}

/*
 * And do the node's services still admit a flow the VM opened to a
 * protected address? Its address may have been protected since, or the
 * service withdrawn: either ends the flow like a changed rule set.
 */
static __always_inline int tg_ct_host_allowed(struct tenguard_ct *ct,
					      const struct tenguard_ct_key *k,
					      struct tg_acl_query *q)
{
	q->ifindex = 0;
	q->set = TENGUARD_ACL_SET_HOST;
	tg_ct_query_of(q, ct, k);
	if (tg_acl_classify(q) == TG_ACL_NONE || q->action != TENGUARD_ACL_ALLOW)
		return 0;
	ct->host_serial = q->serial;
	return 1;
}

/*
 * The rule sets a packet of a port may meet, each looked up once per
 * packet: its two directions, and the node's sets it may need.
 */
struct tg_sets {
	void *ingress;
	void *egress;
	void *node;		/* remediation if quarantined, else host */
};

/* the set that decides flows opened in direction dir */
static __always_inline void *tg_set_trie(const struct tg_sets *sets,
					 __u32 dir, int quarantined)
{
	if (quarantined)
		return sets->node;
	return dir == TENGUARD_ACL_EGRESS ? sets->egress : sets->ingress;
}

/* a set's serial; 0 for none, what flows of an unfiltered direction have */
static __always_inline __u32 tg_serial_of(void *trie)
{
	struct tenguard_acl_key key = {
		.prefixlen = 8, .kind = TENGUARD_ACL_KEY_META,
	};
	struct tenguard_acl_val *v;

	if (!trie)
		return 0;
	v = bpf_map_lookup_elem(trie, &key);
	return v ? v->a : 0;
}

/*
 * A packet of a tracked TCP flow: moves the state on, or says the packet
 * does not fit it (a SYN-ACK nobody asked for, data before the handshake).
 */
static __always_inline int tg_ct_tcp(struct tenguard_ct *ct, __u8 flags,
				     int reply)
{
	__u8 syn = flags & (TG_TCP_SYN | TG_TCP_ACK | TG_TCP_RST | TG_TCP_FIN);

	if (flags & (TG_TCP_RST | TG_TCP_FIN)) {
		if (ct->state == TENGUARD_CT_S_SYN_SENT && reply &&
		    !(flags & TG_TCP_RST))
			return 0;
		ct->state = TENGUARD_CT_S_CLOSING;
		return 1;
	}
	switch (ct->state) {
	case TENGUARD_CT_S_SYN_SENT:
		if (!reply)
			return syn == TG_TCP_SYN;
		if (syn != (TG_TCP_SYN | TG_TCP_ACK))
			return 0;
		ct->state = TENGUARD_CT_S_SYN_RECV;
		return 1;
	case TENGUARD_CT_S_SYN_RECV:
		if (reply)
			return syn == (TG_TCP_SYN | TG_TCP_ACK);
		/* the SYN-ACK was lost (a rate limit): the opener tries again */
		if (syn == TG_TCP_SYN)
			return 1;
		if (syn & TG_TCP_SYN)
			return 0;
		ct->state = TENGUARD_CT_S_ESTABLISHED;
		return 1;
	case TENGUARD_CT_S_CLOSING:
		/* the port is reused for a new connection */
		if (!reply && syn == TG_TCP_SYN) {
			ct->state = TENGUARD_CT_S_SYN_SENT;
			return 1;
		}
		return !(syn & TG_TCP_SYN);
	}
	/* established: a new SYN from the opener starts the port over */
	if (syn == TG_TCP_SYN) {
		if (reply)
			return 0;
		ct->state = TENGUARD_CT_S_SYN_SENT;
	}
	return 1;
}

/*
 * The tracked flow the packet belongs to, checked, refreshed and moved on:
 * 1 it passes, 0 it is of no flow (any entry is gone), TG_CT_INVALID it
 * is of a flow but does not fit its state, TG_CT_REVOKED it was of a flow
 * to a protected address that the node's services no longer admit (gone
 * too; dropped, so that a reply from the node does not open the flow
 * again the other way round).
 */
static __always_inline int tg_ct_track(struct tenguard_ct_key *key,
				       const struct tg_flow *f, __u32 dir,
				       struct tg_acl_query *recheck,
				       const struct tg_sets *sets,
				       int quarantined, int protect)
{
	struct tenguard_ct *ct;
	__u64 now = bpf_ktime_get_ns();
	int reply;

	ct = bpf_map_lookup_elem(&tg_conntrack, key);
	if (!ct)
		return 0;
	if (now - ct->last_ns > tg_ct_timeout(ct, f->proto, f->family)) {
		tg_ct_remove(key);
		return 0;
	}
	if (ct->serial != tg_serial_of(tg_set_trie(sets, ct->origin,
						   quarantined)) &&
	    !tg_ct_still_allowed(ct, key, recheck, quarantined)) {
		tg_ct_remove(key);
		return 0;
	}
	if (protect && ct->origin == TENGUARD_ACL_EGRESS &&
	    ct->host_serial != tg_serial_of(sets->node) &&
	    !tg_ct_host_allowed(ct, key, recheck)) {
		tg_ct_remove(key);
		return TG_CT_REVOKED;
	}
	reply = ct->origin != dir;
	if (f->proto == IPPROTO_TCP && f->frag != TG_FRAG_LATER) {
		if (!tg_ct_tcp(ct, f->tcp_flags, reply))
			return TG_CT_INVALID;
	} else if (tg_is_icmp(f->family, f->proto)) {
		/* only an echo opens an ICMP flow; only its reply answers */
		if (reply ? !tg_icmp_is_echo_reply(f->family, f->icmp_type) :
			    !tg_icmp_is_echo(f->family, f->icmp_type))
			return 0;
		if (reply)
			ct->state = TENGUARD_CT_S_REPLIED;
	} else if (reply) {
		ct->state = TENGUARD_CT_S_REPLIED;
	}
	ct->last_ns = now;
	ct->packets[dir & 1]++;
	return 1;
}

static __always_inline void tg_ct_open(struct tg_acl_scratch *s, __u32 dir,
				       __u32 host_serial)
{
	struct tenguard_ct *ct = &s->ct;

	__builtin_memset(ct, 0, sizeof(*ct));
	ct->last_ns = bpf_ktime_get_ns();
	ct->serial = s->q.serial;
	ct->rule = s->q.rule;
	ct->host_serial = host_serial;
	ct->origin = dir;
	ct->state = s->f.proto == IPPROTO_TCP ? TENGUARD_CT_S_SYN_SENT :
		    TENGUARD_CT_S_NEW;
	ct->packets[dir & 1] = 1;
	/* a retransmitted SYN that raced another CPU's finds it there */
	if (!bpf_map_update_elem(&tg_conntrack, &s->key, ct, BPF_NOEXIST))
		tg_ct_stat(1);
}

/*
 * An ICMP error about a tracked flow: the quoted header is of a packet the
 * other way, so from the VM it names the remote end as its source.
 */
static __always_inline int tg_ct_related(struct __sk_buff *skb,
					 struct tg_acl_scratch *s, __u32 ifindex,
					 __u32 dir, const struct tg_sets *sets,
					 int quarantined)
{
	struct tenguard_ct_key *key = &s->quoted_key;
	struct tg_flow *in = &s->quoted;
	const struct tg_flow *f = &s->f;
	__u32 off = f->l4_off + 8;
	struct tenguard_ct *ct;
	__be16 ports[2];
	struct tg_ext ext;
	__u8 ipv6_proto;
	struct iphdr ip;
	int i, len;

	__builtin_memset(in, 0, sizeof(*in));
	if (f->family == 4) {
		if (tg_load(skb, off, &ip, sizeof(ip)) || ip.version != 4 ||
		    ip.ihl < 5 || (bpf_ntohs(ip.frag_off) & 0x1fff))
			return 0;
		in->family = 4;
		in->proto = ip.protocol;
		__builtin_memcpy(in->saddr, &ip.saddr, 4);
		__builtin_memcpy(in->daddr, &ip.daddr, 4);
		off += ip.ihl * 4;
	} else {
		if (tg_load(skb, off + 6, &ipv6_proto, 1) ||
		    tg_load(skb, off + 8, in->saddr, 16) ||
		    tg_load(skb, off + 24, in->daddr, 16))
			return 0;
		in->family = 6;
		off += sizeof(struct ipv6hdr);
		/* the quoted packet's extension headers, as it was sent */
		for (i = 0; i < TG_MAX_EXTHDRS; i++) {
			len = tg_ext_hdr(skb, off, ipv6_proto, &ext);
			if (len < 0)
				return 0;
			if (!len)
				break;
			/* a later fragment quotes no upper-layer header */
			if (ipv6_proto == IPPROTO_FRAGMENT &&
			    tg_ext_frag_off(&ext))
				return 0;
			ipv6_proto = ext.nexthdr;
			off += len;
		}
		if (i == TG_MAX_EXTHDRS)
			return 0;
		in->proto = ipv6_proto;
	}
	/*
	 * A quote holds at least 8 bytes of the upper layer (RFC 792): the
	 * ports, or ICMP's type, code and echo id. Not a whole TCP header:
	 * tg_flow_l4() would ask for its flags, which a quote need not hold.
	 */
	if (off + 8 > f->end)
		return 0;
	if (tg_proto_has_ports(in->proto)) {
		if (tg_load(skb, off, ports, sizeof(ports)))
			return 0;
		in->sport = ports[0];
		in->dport = ports[1];
	} else if (tg_flow_l4(skb, in, off, off + 8)) {
		return 0;
	}
	if (tg_is_icmp(in->family, in->proto) &&
	    !tg_icmp_is_echo(in->family, in->icmp_type) &&
	    !tg_icmp_is_echo_reply(in->family, in->icmp_type))
		return 0;
	/* the quoted packet went the other way */
	tg_ct_key_of(key, ifindex, in, dir ^ 1);
	ct = bpf_map_lookup_elem(&tg_conntrack, key);
	if (!ct)
		return 0;
	if (bpf_ktime_get_ns() - ct->last_ns >
	    tg_ct_timeout(ct, in->proto, in->family))
		return 0;
	return ct->serial == tg_serial_of(tg_set_trie(sets, ct->origin,
						      quarantined));
}

/* ---- fragments ---- */

static __always_inline void tg_frag_key_of(struct tenguard_frag_key *k,
					   __u32 ifindex, const struct tg_flow *f,
					   __u32 dir)
{
	k->ifindex = ifindex;
	k->id = f->frag_id;
	k->set = dir;
	k->family = f->family;
	/* not the upper layer: IPv6 headers after the fragment header are
	 * in the first fragment only
	 */
	k->proto = f->frag_proto;
	k->pad = 0;
	__builtin_memcpy(k->saddr, f->saddr, 16);
	__builtin_memcpy(k->daddr, f->daddr, 16);
}

static __always_inline int tg_frag_allowed(struct tenguard_frag_key *key,
					   __u32 ifindex,
					   const struct tg_flow *f, __u32 dir)
{
	__u64 *seen;

	tg_frag_key_of(key, ifindex, f, dir);
	seen = bpf_map_lookup_elem(&tg_frags, key);
	return seen && bpf_ktime_get_ns() - *seen < TG_FRAG_TIMEOUT_NS;
}

static __always_inline void tg_frag_admit(struct tenguard_frag_key *key,
					  __u32 ifindex,
					  const struct tg_flow *f, __u32 dir)
{
	__u64 now = bpf_ktime_get_ns();

	tg_frag_key_of(key, ifindex, f, dir);
	bpf_map_update_elem(&tg_frags, key, &now, BPF_ANY);
}

/* ---- the node ---- */

/* is the remote end (dir's) an address the node protects from VM ports? */
static __always_inline int tg_protected(void *trie, const struct tg_flow *f,
					__u32 dir)
{
	struct tenguard_acl_key key = {
		.prefixlen = TG_ACL_KEY_BITS, .kind = TENGUARD_ACL_KEY_PROTECT,
	};

	if (!trie)
		return 0;
	key.a.family = f->family;
	__builtin_memcpy(key.a.addr, dir == TENGUARD_ACL_EGRESS ? f->daddr :
			 f->saddr, 16);
	return !!bpf_map_lookup_elem(trie, &key);
}

static __always_inline int tg_is_arp(struct __sk_buff *skb)
{
	__be16 proto;

	return !tg_load(skb, 2 * ETH_ALEN, &proto, sizeof(proto)) &&
	       proto == bpf_htons(ETH_P_ARP);
}

static __always_inline int tg_tcp_opens(const struct tg_flow *f)
{
	return (f->tcp_flags & (TG_TCP_SYN | TG_TCP_ACK | TG_TCP_RST |
				TG_TCP_FIN)) == TG_TCP_SYN;
}

/*
 * The whole check. ifindex: the port; dir: TENGUARD_ACL_EGRESS from the
 * VM, TENGUARD_ACL_INGRESS towards it. TG_PASS or an enum tenguard_drop.
 *
 * Flows with a protected address are tracked on every port, so that what
 * the node opens to a VM gets its replies while the VM opens nothing to
 * the node but its services.
 */
__noinline int tg_acl_check(struct __sk_buff *skb, __u32 ifindex, __u32 dir)
{
	struct tenguard_acl_id id = { .ifindex = ifindex };
	int quarantined, filtered, protect = 0, ret;
	__u32 zero = 0, host_serial = 0;
	struct tg_sets sets = {};
	struct tg_acl_scratch *s;
	struct tg_acl_query *q;
	struct tg_flow *f;

	s = bpf_map_lookup_elem(&tg_acl_scratch, &zero);
	if (!skb || !s)
		return TENGUARD_DROP_MALFORMED;
	f = &s->f;
	q = &s->q;
	quarantined = !!bpf_map_lookup_elem(&tg_quarantine, &ifindex);
	id.set = TENGUARD_ACL_INGRESS;
	sets.ingress = bpf_map_lookup_elem(&tg_acl, &id);
	id.set = TENGUARD_ACL_EGRESS;
	sets.egress = bpf_map_lookup_elem(&tg_acl, &id);
	/*
	 * Branches, kept so: clang would otherwise OR the pointers together,
	 * which the verifier refuses.
	 */
	filtered = quarantined;
	if (sets.ingress) {
		filtered = 1;
		barrier_var(filtered);
	}
	if (sets.egress) {
		filtered = 1;
		barrier_var(filtered);
	}
	id.ifindex = 0;
	id.set = quarantined ? TENGUARD_ACL_SET_REMEDIATION :
		 TENGUARD_ACL_SET_HOST;
	sets.node = bpf_map_lookup_elem(&tg_acl, &id);

	__builtin_memset(f, 0, sizeof(*f));
	ret = tg_flow_parse(skb, f);
	if (ret == TG_FLOW_NOT_IP) {
		/* ARP, and what anti-spoofing let through by ethertype */
		if (!quarantined)
			return TG_PASS;
		return tg_is_arp(skb) ? TG_PASS : TENGUARD_DROP_QUARANTINE;
	}
	if (ret)
		return filtered ? TENGUARD_DROP_MALFORMED : TG_PASS;
	if (f->family == 6 && f->proto == IPPROTO_ICMPV6 &&
	    f->frag == TG_FRAG_NONE && tg_icmp6_is_nd(f->icmp_type))
		return TG_PASS;
	if (!quarantined)
		protect = tg_protected(sets.node, f, dir);
	if (!filtered && !protect)
		return TG_PASS;

	if (f->frag == TG_FRAG_LATER) {
		/* one that would rewrite the ports the first was judged by */
		if (f->frag_proto == IPPROTO_TCP &&
		    f->frag_off < sizeof(struct tcphdr))
			return TENGUARD_DROP_MALFORMED;
		return tg_frag_allowed(&s->frag, ifindex, f, dir) ? TG_PASS :
			TENGUARD_DROP_FRAGMENT;
	}

	tg_ct_key_of(&s->key, ifindex, f, dir);
	ret = tg_ct_track(&s->key, f, dir, &s->recheck, &sets, quarantined,
			  protect);
	if (ret > 0)
		goto pass;
	if (ret == TG_CT_REVOKED)
		return TENGUARD_DROP_HOST;
	if (ret < 0)
		return TENGUARD_DROP_CT_INVALID;
	if (tg_is_icmp(f->family, f->proto) &&
	    tg_icmp_is_error(f->family, f->icmp_type) &&
	    tg_ct_related(skb, s, ifindex, dir, &sets, quarantined))
		goto pass;

	/* the node's services, whatever the tenant's rules say */
	if (protect && dir == TENGUARD_ACL_EGRESS) {
		q->ifindex = 0;
		q->set = TENGUARD_ACL_SET_HOST;
		tg_query_of(q, f, dir);
		if (tg_acl_decide(q, f, ifindex) != TENGUARD_ACL_ALLOW)
			return TENGUARD_DROP_HOST;
		host_serial = q->serial;
	}

	q->ifindex = tg_set_owner(ifindex, quarantined);
	q->set = tg_set_of(dir, quarantined);
	tg_query_of(q, f, dir);
	ret = tg_acl_decide(q, f, ifindex);
	if (ret == TG_ACL_NONE) {
		if (quarantined)
			return TENGUARD_DROP_QUARANTINE;
		/* an unfiltered direction: its flows still open entries */
		q->serial = 0;
		q->rule = 0;
	} else if (ret != TENGUARD_ACL_ALLOW) {
		return quarantined ? TENGUARD_DROP_QUARANTINE :
			TENGUARD_DROP_ACL;
	}
	/* only a SYN opens a TCP flow; a filtered direction needs one */
	if (f->proto == IPPROTO_TCP && !tg_tcp_opens(f)) {
		if (ret == TG_ACL_NONE)
			goto pass;
		return TENGUARD_DROP_CT_INVALID;
	}
	if (!tg_is_icmp(f->family, f->proto) ||
	    tg_icmp_is_echo(f->family, f->icmp_type))
		tg_ct_open(s, dir, host_serial);
pass:
	if (f->frag == TG_FRAG_FIRST)
		tg_frag_admit(&s->frag, ifindex, f, dir);
	return TG_PASS;
}

#endif /* TG_ACL_BPF_H */
