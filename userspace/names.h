/* SPDX-License-Identifier: GPL-2.0 */
/* Names operators see for the numbers of linux/tenguard.h. */
#ifndef TG_NAMES_H
#define TG_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/tenguard.h>

struct tg_flag_name {
	uint32_t flag;
	const char *name;
};

/* TENGUARD_PORT_F_* as written in policy files and printed; NULL-terminated */
extern const struct tg_flag_name tg_port_flag_names[];
/* enum tenguard_drop -> counter name, e.g. "src_mac" */
extern const char *const tg_drop_names[__TENGUARD_DROP_MAX];

/* enum tenguard_acl_action -> "allow", "deny" */
extern const char *const tg_acl_action_names[__TENGUARD_ACL_ACTION_MAX];
/* enum tenguard_acl_dir and TENGUARD_ACL_SET_* -> "ingress", ..., "host" */
extern const char *const tg_acl_set_names[TENGUARD_ACL_SET_REMEDIATION + 1];
/* enum tenguard_ct_state -> "established", ... */
extern const char *const tg_ct_state_names[__TENGUARD_CT_S_MAX];
/* enum tenguard_ct_timeout -> "tcp_syn", ... (policy file and CLI) */
extern const char *const tg_ct_timeout_names[__TENGUARD_CT_TIMEOUT_MAX];

/* "tcp", "udp", "icmp", "icmpv6", "sctp", ... or NULL for another number */
const char *tg_proto_name(uint8_t proto);
/* a protocol name or number 1..255: 0 and *proto, or -EINVAL */
int tg_proto_parse(const char *name, uint8_t *proto);
/* the protocols whose rules may name ports: TCP, UDP, SCTP, UDP-Lite */
bool tg_proto_has_ports(uint8_t proto);
/* the index of name in names[0..n), or -EINVAL */
int tg_name_index(const char *const *names, size_t n, const char *name);

const char *tg_port_kind_name(uint32_t kind);
/* 0 and the flag in *flag, or -EINVAL for a name that is no flag */
int tg_port_flag_parse(const char *name, uint32_t *flag);

#endif /* TG_NAMES_H */
