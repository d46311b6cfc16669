/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the family share: netlink.c's request helpers and
 * policies, and the handlers acl.c and node.c add to its table of ops.
 */
#ifndef _TG_NETLINK_H
#define _TG_NETLINK_H

#include "tenguard.h"

/* not const: 6.1's nla_policy points to them without const */
extern struct netlink_range_validation tg_group_range;
extern const struct nla_policy tg_addr_policy[TENGUARD_A_ADDR_MAX + 1];
/* a port named by ifindex (or name, netnsid), nothing else */
extern const struct nla_policy tg_port_ref_policy[TENGUARD_A_PORT_MAX + 1];

/* a request on one port: RTNL and tg_lock held, net referenced */
struct tg_req {
	struct nlattr *tb[TENGUARD_A_PORT_MAX + 1];
	struct nlattr *nest;
	struct net *net;
	struct net_device *dev;
	struct tg_port *port;	/* the stored port, if any */
};

int tg_req_begin_attrs(struct tg_req *r, struct nlattr **attrs,
		       struct net *net, struct netlink_ext_ack *extack,
		       const struct nla_policy *policy, bool exists);
int tg_req_begin(struct tg_req *r, struct genl_info *info,
		 const struct nla_policy *policy, bool exists);
void tg_req_end(struct tg_req *r);

bool tg_missing(struct netlink_ext_ack *extack, const struct nlattr *nest,
		struct nlattr **tb, int type, const char *msg);
/*
 * Prefix the message an error left with the item it is about, "rule 17:
 * no such thing"; the attribute at fault stays the one the error named,
 * else it is the item's nest.
 */
void tg_extack_item(struct netlink_ext_ack *extack, const struct nlattr *item,
		    const char *what, u32 idx);

int tg_parse_addr(const struct nlattr *nest, struct tg_addr *ad,
		  struct netlink_ext_ack *extack);
int tg_addr_put(struct sk_buff *skb, int type, const struct tg_addr *ad);
/* TENGUARD_A_PORT with what names a port and its generation */
int tg_port_put_id(struct sk_buff *skb, int ifindex, const char *ifname,
		   u64 generation);
/* a full dump part ends it; the next call resumes at the cursor */
static inline int tg_dump_ret(struct sk_buff *skb, int err)
{
	return err == -EMSGSIZE && skb->len ? skb->len : err ?: skb->len;
}

/* acl.c */
extern const struct nla_policy tg_acl_set_cmd_policy[TENGUARD_A_MAX + 1];
extern const struct nla_policy tg_acl_dir_cmd_policy[TENGUARD_A_MAX + 1];
int tg_nl_acl_set(struct sk_buff *skb, struct genl_info *info);
int tg_nl_acl_del(struct sk_buff *skb, struct genl_info *info);
int tg_nl_acl_dump_start(struct netlink_callback *cb);
int tg_nl_acl_dump(struct sk_buff *skb, struct netlink_callback *cb);
int tg_nl_acl_dump_done(struct netlink_callback *cb);

/* node.c */
extern const struct nla_policy tg_node_cmd_policy[TENGUARD_A_MAX + 1];
extern const struct nla_policy tg_node_get_cmd_policy[TENGUARD_A_MAX + 1];
int tg_nl_node_set(struct sk_buff *skb, struct genl_info *info);
int tg_nl_node_dump_start(struct netlink_callback *cb);
int tg_nl_node_dump(struct sk_buff *skb, struct netlink_callback *cb);
int tg_nl_node_dump_done(struct netlink_callback *cb);

#endif /* _TG_NETLINK_H */
