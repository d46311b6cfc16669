#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The rule sets of acl_scale.sh, written into a policy file.

usage: acl_scale.py BASE OUT EXPECT RULES

BASE is a policy whose first port is the one traffic is checked on (b1):
it gets an ingress set of RULES rules, default deny. Every other port whose
name starts with "tgs" gets RULES / 2 rules in each direction. The rules
are filler (v4 prefixes /8 to /32, mostly /24 and /32 as in security
groups, some in 198.18.0.0/15 around the spot checks' own, v6 prefixes
/16 to /128 in fd00::/8, some with no remote; no packet is sent to or
from any of them;
protocols tcp, udp, sctp with a port or a range, icmp and icmpv6 with a
type and maybe a code, or any protocol), plus the rules the spot checks
are about, at fixed places: the last rule is one of them.

EXPECT gets, for each spot check, the index of the rule that decides it
(null: the default) and the action, as the first-match reference below
finds them in the rule set written: the spot checks' own rules decide
them, as no filler rule matches a spot check's flow.
"""
import ipaddress
import json
import random
import sys

B2, B3 = "198.18.1.2", "198.18.1.3"
B2_6, B3_6 = "fd00:1::2", "fd00:1::3"
PROTO = {"icmp": 1, "tcp": 6, "udp": 17, "icmpv6": 58, "sctp": 132}

# name: (remote, proto, port or (icmp type, code)), as tgb1's ingress sees it
SPOTS = {
    "tcp_b2": (B2, "tcp", 5201),
    "tcp_b2_range": (B2, "tcp", 5202),
    "udp_b3_last": (B3, "udp", 7001),
    "tcp_b3_wide": (B3, "tcp", 5201),
    "tcp_b3_default": (B3, "tcp", 6001),
    "ping_b2": (B2, "icmp", (8, 0)),
    "ping_b3": (B3, "icmp", (8, 0)),
    "ping6_b2": (B2_6, "icmpv6", (128, 0)),
    "tcp6_b2": (B2_6, "tcp", 5201),
    "tcp6_b3_default": (B3_6, "tcp", 5201),
}


def placed(n):
    """the spot checks' rules, by index in a set of n"""
    return {
        n // 5: {"action": "allow", "proto": "tcp", "ports": 5201,
                 "remote": B2},
        n // 4: {"action": "deny", "proto": "tcp", "ports": "5202-5299",
                 "remote": "198.18.1.0/24"},
        n * 3 // 10: {"action": "deny", "proto": "icmp", "icmp_type": 8,
                      "remote": B3},
        n * 2 // 5: {"action": "allow", "proto": "tcp", "ports": 5201,
                     "remote": B2_6},
        n * 3 // 5: {"action": "allow", "proto": "tcp",
                     "ports": "5000-5999", "remote": "198.18.0.0/15"},
        n * 7 // 10: {"action": "allow", "proto": "icmp", "icmp_type": 8,
                      "icmp_code": 0, "remote": B2},
        n * 4 // 5: {"action": "allow", "proto": "icmpv6", "icmp_type": 128,
                     "remote": "fd00:1::/64"},
        n - 1: {"action": "allow", "proto": "udp", "ports": "7000-7999",
                "remote": B3},
    }


SPOT_ADDRS = {f[0]: ipaddress.ip_address(f[0]) for f in SPOTS.values()}


def matches(rule, remote, proto, port, net=None):
    """does rule match the flow: the datapath's first-match semantics;
    net: the rule's remote, parsed already"""
    addr = SPOT_ADDRS[remote]
    if "remote" in rule:
        if net is None:
            net = ipaddress.ip_network(rule["remote"])
        if addr.version != net.version or addr not in net:
            return False
    elif rule.get("proto") in ("icmp", "icmpv6") and \
            PROTO[rule["proto"]] != (1 if addr.version == 4 else 58):
        return False
    if "proto" in rule and rule["proto"] != proto:
        return False
    if "ports" in rule:
        lo, _, hi = str(rule["ports"]).partition("-")
        if not int(lo) <= port <= int(hi or lo):
            return False
    if "icmp_type" in rule and rule["icmp_type"] != port[0]:
        return False
    if "icmp_code" in rule and rule["icmp_code"] != port[1]:
        return False
    return True


def first_match(rules, flow):
    for i, r in enumerate(rules):
        if matches(r, *flow):
            return i
    return None


def prefix(rnd):
    """a remote prefix: v4 mostly /24 and /32, some of them nested with
    the spot checks' own in 198.18.0.0/15; v6 in fd00::/8"""
    if rnd.random() < 0.1:
        plen = rnd.randint(15, 32)
        bits = 198 << 24 | 18 << 16 | rnd.getrandbits(17)
        if rnd.random() < 0.5:
            bits = bits & ~0xffff | 1 << 8 | rnd.getrandbits(8)
        return ipaddress.ip_network((bits, plen), strict=False)
    if rnd.random() < 0.6:
        x = rnd.random()
        plen = (8 if x < 0.01 else rnd.randint(9, 15) if x < 0.05 else
                16 if x < 0.15 else rnd.randint(17, 23) if x < 0.3 else
                24 if x < 0.62 else rnd.randint(25, 31) if x < 0.72 else 32)
        net = ipaddress.ip_network((rnd.getrandbits(32), plen), strict=False)
    else:
        plen = rnd.choice([16, 32, 48, 56, 64, 64, 64, 80, 96, 112, 128, 128])
        bits = 0xfd << 120 | rnd.getrandbits(120)
        net = ipaddress.ip_network((bits, plen), strict=False)
    return net


def filler(rnd):
    """a rule, and its remote parsed"""
    r = {"action": rnd.choice(["allow", "deny"])}
    net = None
    if rnd.random() < 0.95:
        net = prefix(rnd)
        r["remote"] = str(net) if net.prefixlen != net.max_prefixlen else \
            str(net.network_address)
    x = rnd.random()
    if x < 0.35:
        r["proto"] = "tcp"
    elif x < 0.6:
        r["proto"] = "udp"
    elif x < 0.65:
        r["proto"] = "sctp"
    elif x < 0.85:
        r["proto"] = "icmp" if net is None and rnd.random() < 0.5 or \
            net is not None and net.version == 4 else "icmpv6"
    if r.get("proto") in ("tcp", "udp", "sctp"):
        lo = rnd.randint(1, 65535)
        if rnd.random() < 0.3:
            hi = min(65535, lo + rnd.randint(1, 2000))
            r["ports"] = "%d-%d" % (lo, hi)
        else:
            r["ports"] = lo
    elif r.get("proto") in ("icmp", "icmpv6"):
        r["icmp_type"] = rnd.randint(0, 255)
        if rnd.random() < 0.5:
            r["icmp_code"] = rnd.randint(0, 15)
    return r, net


def rule_set(rnd, n, spots):
    """n rules: filler that matches none of the spot flows, and spots"""
    rules = []
    for i in range(n):
        if i in spots:
            rules.append(spots[i])
            continue
        while True:
            r, net = filler(rnd)
            if not any(matches(r, *f, net=net) for f in SPOTS.values()):
                break
        rules.append(r)
    return rules


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    base, out, expect, n = sys.argv[1:]
    n = int(n)
    rnd = random.Random(4)
    with open(base) as f:
        pol = json.load(f)
    ports = [p for t in pol["tenants"] for p in t["ports"]]
    rules = rule_set(rnd, n, placed(n))
    ports[0]["acl"] = {"ingress": {"default": "deny", "rules": rules}}
    for p in ports[1:]:
        if p["name"].startswith("tgs"):
            p["acl"] = {d: {"default": rnd.choice(["allow", "deny"]),
                            "rules": rule_set(rnd, n // 2, {})}
                        for d in ("ingress", "egress")}
    with open(out, "w") as f:
        json.dump(pol, f)
    exp = {}
    for name, flow in SPOTS.items():
        i = first_match(rules, flow)
        exp[name] = {"rule": i,
                     "action": "deny" if i is None else rules[i]["action"]}
    with open(expect, "w") as f:
        json.dump(exp, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
