// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest tc program: smoke.sh loads it in the guest to show that the
 * guest kernel verifies, pins and attaches BPF at clsact. Built by
 * run_guest.sh into $BUILD/guest/.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tg_smoke(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
