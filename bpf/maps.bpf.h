/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinned maps of a tenguardd instance. Sizes are defaults; the loader
 * sets them from the daemon's limits before load.
 */
#ifndef TG_MAPS_BPF_H
#define TG_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <linux/tenguard.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct tenguard_port);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tenguard_mac_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_macs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct tenguard_addr_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct tenguard_prefix_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_prefixes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct tenguard_ethertype_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_ethertypes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_segments SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct tenguard_tenant);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_tenants SEC(".maps");

/*
 * Preallocated: max ports x possible CPUs x the value. Allocating per-CPU
 * values on update fails now and then with ENOMEM under a burst of updates.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct tenguard_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_stats SEC(".maps");

/*
 * Rule sets, swapped whole (see the uapi header). The inner maps here are
 * templates: the daemon creates one of each per version of a rule set,
 * sized to it; arrays carry BPF_F_INNER_MAP so that their size may differ
 * from the template's. Sizes, not types: clang leaves a struct that only
 * an inner map names as a forward declaration in BTF.
 */
struct tg_acl_trie {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(struct tenguard_acl_key));
	__uint(value_size, sizeof(struct tenguard_acl_val));
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8192);
	__type(key, struct tenguard_acl_id);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct tg_acl_trie);
} tg_acl SEC(".maps");

struct tg_acl_rule_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct tenguard_acl_rule));
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8192);
	__type(key, struct tenguard_acl_id);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct tg_acl_rule_array);
} tg_acl_rules SEC(".maps");

/* shared, counted atomically: only packets a rule decides count, not a
 * flow's later ones, and per-CPU arrays cannot vary in size as inner maps
 */
struct tg_acl_hit_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8192);
	__type(key, struct tenguard_acl_id);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct tg_acl_hit_array);
} tg_acl_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_acl_log SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_quarantine SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct tenguard_ct_key);
	__type(value, struct tenguard_ct);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_conntrack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tenguard_ct_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_ct_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tenguard_ct_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_ct_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tenguard_frag_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_frags SEC(".maps");

/* buckets apart from the limits (tg_ports): a change keeps them */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct tenguard_rate_key);
	__type(value, struct tenguard_rate_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_rate SEC(".maps");

/* written by the daemon each second, read by operators */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct tenguard_rate_meter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_rate_meter SEC(".maps");

#endif /* TG_MAPS_BPF_H */
