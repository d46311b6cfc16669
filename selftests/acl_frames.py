#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Crafted frames against the rule sets acl.sh puts on b1's port: the ones
real sockets cannot send (TCP flags nobody asked for, ICMP errors, stray
fragments, evasive headers). Each case is a few frames, each of which must
arrive at its receiver or not, and the exact drop counters the case must
move on the ports tgb1, tgb2, tgb3 and the uplink tgup: every drop next to
its legitimate twin.

usage: acl_frames.py NS_PREFIX      (TENGUARD_INSTANCE names the daemon)
       acl_frames.py --count        (the number of cases, for a KTAP plan)

One process opens a packet socket in each namespace (b1, b2, b3 and ext,
the remote host behind the uplink), so sending and watching need no timing
guesses. Frames from ext enter through the uplink, where no anti-spoofing
runs: they reach b1's ACL as a guest could never send them. The VMs'
stacks must not reset the TCP flows this plays both ends of, or their RSTs
would race the crafted replies: acl.sh drops them on output. Prints KTAP.
"""
import json
import logging
import os
import select
import subprocess
import sys
import time

# bare transport bytes in fragments have no IP header to sum over: quiet
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (ICMP, IP, SCTP, TCP, UDP, Ether, ICMPv6EchoReply,
                       ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr,
                       ICMPv6PacketTooBig, ICMPv6Unknown, IPOption_RR, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                       IPv6ExtHdrSegmentRouting, PadN, Raw, conf)

# the packet-socket plumbing of the anti-spoofing frames, shared
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from frames import arrived, libc, packet_socket  # noqa: E402

conf.verb = 0
CTL = os.path.join(os.environ.get("BUILD", "build"), "tenguardctl")
PORTS = ("tgb1", "tgb2", "tgb3", "tgup")

MAC = {"b1": "02:00:00:00:01:01", "b2": "02:00:00:00:01:02",
       "b3": "02:00:00:00:01:03", "ext": "02:00:00:00:01:50"}
A4 = {"b1": "198.18.1.1", "b2": "198.18.1.2", "b3": "198.18.1.3",
      "ext": "198.18.1.50"}
A6 = {"b1": "fd00:1::1", "b2": "fd00:1::2", "b3": "fd00:1::3",
      "ext": "fd00:1::50"}
LL_B3 = "fe80::ff:fe00:103"


def v4(src, dst="b1", **kw):
    return Ether(src=MAC[src], dst=MAC[dst]) / IP(src=A4[src], dst=A4[dst],
                                                  **kw)


def v6(src, dst="b1", **kw):
    return (Ether(src=MAC[src], dst=MAC[dst]) /
            IPv6(src=A6[src], dst=A6[dst], **kw))


def syn(dport, sport=40000, flags="S"):
    return TCP(sport=sport, dport=dport, flags=flags, seq=1000)


def udp(dport, sport=40000, data=b"tenguard"):
    return UDP(sport=sport, dport=dport) / Raw(data)


def arrives(src, frame, dst="b1"):
    return (src, dst, frame, True)


def dropped(src, frame, dst="b1"):
    return (src, dst, frame, False)


def sleep(secs):
    return ("sleep", secs)


def tcp4_split(src, dport, ident, first_len):
    """a TCP SYN with 8 bytes of data in two IPv4 fragments, the first
    holding first_len bytes (a multiple of 8) of its 32"""
    seg = bytes(TCP(sport=40000, dport=dport, flags="S", seq=1000,
                    options=[("NOP", None)] * 4) / Raw(b"p" * 8))
    return (v4(src, flags="MF", proto=6, id=ident) / Raw(seg[:first_len]),
            v4(src, frag=first_len // 8, proto=6, id=ident) /
            Raw(seg[first_len:]))


def udp4_frags(src, dport, ident, dst="b1"):
    """a 24-byte UDP datagram in two IPv4 fragments"""
    dgram = bytes(UDP(sport=40000, dport=dport, len=24) / Raw(b"x" * 16))
    return (v4(src, dst, flags="MF", proto=17, id=ident) / Raw(dgram[:16]),
            v4(src, dst, frag=2, proto=17, id=ident) / Raw(dgram[16:]))


def udp6_frags(src, dport, ident):
    """a 24-byte UDP datagram in two IPv6 fragments"""
    dgram = bytes(UDP(sport=40000, dport=dport, len=24) / Raw(b"x" * 16))
    return (v6(src, nh=44) / IPv6ExtHdrFragment(nh=17, m=1, id=ident) /
            Raw(dgram[:16]),
            v6(src, nh=44) / IPv6ExtHdrFragment(nh=17, offset=2, id=ident) /
            Raw(dgram[16:]))


def tcp6_ports_later(src, dport, ident):
    """a TCP SYN whose header sits wholly in the second IPv6 fragment: the
    first holds only a destination options header"""
    dst_opt = bytes(IPv6ExtHdrDestOpt(nh=6))
    return (v6(src, nh=44) / IPv6ExtHdrFragment(nh=60, m=1, id=ident) /
            Raw(dst_opt),
            v6(src, nh=44) / IPv6ExtHdrFragment(nh=60, offset=1, id=ident) /
            Raw(bytes(syn(dport))))


def tcp6_frags(src, dport, ident):
    """a TCP SYN with 16 bytes of data in two IPv6 fragments, the header
    whole in the first"""
    seg = bytes(TCP(sport=40000, dport=dport, flags="S", seq=1000) /
                Raw(b"y" * 12) / Raw(b"z" * 8))
    return (v6(src, nh=44) / IPv6ExtHdrFragment(nh=6, m=1, id=ident) /
            Raw(seg[:32]),
            v6(src, nh=44) / IPv6ExtHdrFragment(nh=6, offset=4, id=ident) /
            Raw(seg[32:]))


def tot_len(frame, delta):
    """frame with an IPv4 total length off by delta bytes"""
    frame = Ether(bytes(frame))
    frame[IP].len = len(frame[IP]) + delta
    del frame[IP].chksum
    return frame


def ihl(frame, words):
    """frame with an IPv4 header length of words 32-bit words"""
    raw = bytearray(bytes(frame))
    raw[14] = 0x40 | words
    return Raw(bytes(raw))


def version(frame, v):
    """frame with IP version v in its IPv4 header"""
    raw = bytearray(bytes(frame))
    raw[14] = v << 4 | (raw[14] & 0xf)
    return Raw(bytes(raw))


def plen6(frame, delta):
    """frame with an IPv6 payload length off by delta bytes"""
    frame = Ether(bytes(frame))
    frame[IPv6].plen = len(frame[IPv6].payload) + delta
    return frame


def icmp4_err(src, quote, type_=3, code=4):
    return v4(src) / ICMP(type=type_, code=code, nexthopmtu=1400) / quote


def ptb6(src, quote):
    return v6(src) / ICMPv6PacketTooBig(mtu=1280) / quote


# the flows b1 opens, and the packets it sent that errors quote
UDP_OUT = IP(src=A4["b1"], dst=A4["b2"]) / udp(5400, 41010)
UDP6_OUT = IPv6(src=A6["b1"], dst=A6["b2"]) / udp(5403, 41013)
UDP6_DST_OUT = IPv6(src=A6["b1"], dst=A6["b2"]) / IPv6ExtHdrDestOpt() / \
    udp(5405, 41015)
UDP6_FRAG_OUT = IPv6(src=A6["b1"], dst=A6["b2"]) / \
    IPv6ExtHdrFragment(id=0x7302) / udp(5406, 41016)
TCP_OUT = IP(src=A4["b1"], dst=A4["b2"]) / syn(5402, 41012)
ECHO_OUT = IP(src=A4["b1"], dst=A4["b2"]) / ICMP(id=0x7300, seq=1)
NINE_EXT_HDRS = IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / \
    IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / \
    IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / \
    IPv6ExtHdrDestOpt()
# first 8 bytes of a destination options header announcing 88 bytes
CHAIN_OVERFLOW = bytes([6, 10]) + b"\x01\x04" + b"\x00" * 4


def acl(n=1):
    return {"tgb1": {"acl": n}}


CASES = [
    # name, frames, {port: {drop counter: delta}} (no others may move)
    # ---- match fields the real sockets of acl.sh cannot reach ----
    ("icmp type 13 code 0 (rule 9: type and code)",
     [arrives("b2", v4("b2") / ICMP(type=13, code=0))], {}),
    ("icmp type 13 code 1: the code differs",
     [dropped("b2", v4("b2") / ICMP(type=13, code=1))], acl()),
    ("icmp echo with code 1 from b2 (rule 8 names no code)",
     [arrives("b2", v4("b2") / ICMP(type=8, code=1, id=0x7001))], {}),
    ("icmp echo from b3 (rule 8 is b2's)",
     [dropped("b3", v4("b3") / ICMP(type=8, id=0x7002))], acl()),
    ("icmpv6 echo from b2 (rule 10)",
     [arrives("b2", v6("b2") / ICMPv6EchoRequest(id=0x7003))], {}),
    ("icmpv6 echo from b3 (rule 10 is b2's)",
     [dropped("b3", v6("b3") / ICMPv6EchoRequest(id=0x7004))], acl()),
    ("icmpv6 type 200 from b2 (no rule)",
     [dropped("b2", v6("b2") / ICMPv6Unknown(type=200) / Raw(b"\0" * 4))],
     acl()),
    ("neighbour solicitation from b3 bypasses the rules",
     [arrives("b3", Ether(src=MAC["b3"], dst="33:33:ff:00:00:01") /
              IPv6(src=LL_B3, dst="ff02::1:ff00:1", hlim=255) /
              ICMPv6ND_NS(tgt=A6["b1"]) /
              ICMPv6NDOptSrcLLAddr(lladdr=MAC["b3"]))], {}),
    ("sctp from b2 (rule 14: the protocol alone)",
     [arrives("b2", v4("b2") / SCTP(sport=40000, dport=9))], {}),
    ("sctp from b3 (rule 14 is b2's)",
     [dropped("b3", v4("b3") / SCTP(sport=40000, dport=9))], acl()),
    ("udp-lite from b2 (another protocol: no rule)",
     [dropped("b2", v4("b2", proto=136) / Raw(bytes(udp(9))))], acl()),
    ("udp to a denied port from the allowed port 7000 (rules name dport)",
     [dropped("b2", v4("b2") / udp(7002, 7000))], acl()),
    ("tcp syn to a denied port from source port 22",
     [dropped("b2", v4("b2") / syn(8090, 22))], acl()),

    # ---- connection tracking: what no flow asked for ----
    ("tcp syn to 22",
     [arrives("b2", v4("b2") / syn(22, 40100))], {}),
    ("tcp syn-ack to 22 nobody asked for",
     [dropped("b2", v4("b2") / syn(22, 40101, "SA"))],
     {"tgb1": {"ct_invalid": 1}}),
    ("tcp ack with data to 22 without a flow",
     [dropped("b2", v4("b2") / syn(22, 40102, "PA") / Raw(b"data"))],
     {"tgb1": {"ct_invalid": 1}}),
    ("tcp fin to 22 without a flow",
     [dropped("b2", v4("b2") / syn(22, 40103, "FA"))],
     {"tgb1": {"ct_invalid": 1}}),
    ("tcp syn+fin to 22",
     [dropped("b2", v4("b2") / syn(22, 40104, "SF"))],
     {"tgb1": {"ct_invalid": 1}}),
    ("tcp syn+rst to 22",
     [dropped("b2", v4("b2") / syn(22, 40105, "SR"))],
     {"tgb1": {"ct_invalid": 1}}),
    ("tcp syn-ack over IPv6 to 22 nobody asked for",
     [dropped("b2", v6("b2") / syn(22, 40106, "SA"))],
     {"tgb1": {"ct_invalid": 1}}),
    ("egress (default allow): tcp syn from b1",
     [arrives("b1", v4("b1", "b2") / syn(5003, 40107), "b2")], {}),
    ("egress (default allow): tcp ack from b1 without a flow",
     [dropped("b1", v4("b1", "b2") / syn(5003, 40108, "A"), "b2")],
     {"tgb1": {"ct_invalid": 1}}),
    ("tcp handshake b1 opens, and data back",
     [arrives("b1", v4("b1", "b2") / syn(5500, 41100), "b2"),
      arrives("b2", v4("b2") / syn(41100, 5500, "SA")),
      arrives("b1", v4("b1", "b2") / syn(5500, 41100, "A"), "b2"),
      arrives("b2", v4("b2") / syn(41100, 5500, "PA") / Raw(b"data"))], {}),
    ("a syn from b2 inside b1's established flow",
     [arrives("b1", v4("b1", "b2") / syn(5500, 41101), "b2"),
      arrives("b2", v4("b2") / syn(41101, 5500, "SA")),
      arrives("b1", v4("b1", "b2") / syn(5500, 41101, "A"), "b2"),
      dropped("b2", v4("b2") / syn(41101, 5500))],
     {"tgb1": {"ct_invalid": 1}}),
    ("b1's syn answered by a retransmitted syn-ack",
     [arrives("b1", v4("b1", "b2") / syn(5500, 41102), "b2"),
      arrives("b2", v4("b2") / syn(41102, 5500, "SA")),
      arrives("b2", v4("b2") / syn(41102, 5500, "SA"))], {}),
    ("b2's syn to 22 sent again: b1's syn-ack was lost on the way",
     [arrives("b2", v4("b2") / syn(22, 40150)),
      arrives("b1", v4("b1", "b2") / syn(40150, 22, "SA"), "b2"),
      arrives("b2", v4("b2") / syn(22, 40150)),
      arrives("b1", v4("b1", "b2") / syn(40150, 22, "SA"), "b2"),
      arrives("b2", v4("b2") / syn(22, 40150, "A"))], {}),
    ("b1's syn answered by a bare ack",
     [arrives("b1", v4("b1", "b2") / syn(5500, 41103), "b2"),
      dropped("b2", v4("b2") / syn(41103, 5500, "A"))],
     {"tgb1": {"ct_invalid": 1}}),
    ("b1's syn answered by a rst",
     [arrives("b1", v4("b1", "b2") / syn(5500, 41104), "b2"),
      arrives("b2", v4("b2") / syn(41104, 5500, "RA"))], {}),
    ("b1's syn answered by a fin",
     [arrives("b1", v4("b1", "b2") / syn(5500, 41105), "b2"),
      dropped("b2", v4("b2") / syn(41105, 5500, "FA"))],
     {"tgb1": {"ct_invalid": 1}}),
    ("icmp echo reply to b1's request",
     [arrives("b1", v4("b1", "b2") / ICMP(type=8, id=0x7010), "b2"),
      arrives("b2", v4("b2") / ICMP(type=0, id=0x7010))], {}),
    ("icmp echo reply without a request",
     [dropped("b2", v4("b2") / ICMP(type=0, id=0x7011))], acl()),
    ("icmp echo reply with another id than b1's request",
     [arrives("b1", v4("b1", "b2") / ICMP(type=8, id=0x7012), "b2"),
      dropped("b2", v4("b2") / ICMP(type=0, id=0x7013))], acl()),
    ("icmp timestamp from b2 with the id of b1's echo flow",
     [arrives("b1", v4("b1", "b2") / ICMP(type=8, id=0x7016), "b2"),
      dropped("b2", v4("b2") / ICMP(type=13, code=1, id=0x7016))], acl()),
    ("icmpv6 echo reply to b1's request",
     [arrives("b1", v6("b1", "b2") / ICMPv6EchoRequest(id=0x7014), "b2"),
      arrives("b2", v6("b2") / ICMPv6EchoReply(id=0x7014))], {}),
    ("icmpv6 echo reply without a request",
     [dropped("b2", v6("b2") / ICMPv6EchoReply(id=0x7015))], acl()),
    ("udp reply within the udp timeout",
     [arrives("b1", v4("b1", "b2") / udp(5301, 41001), "b2"),
      arrives("b2", v4("b2") / udp(41001, 5301))], {}),
    ("udp reply after the entry expired (udp timeout 2 s)",
     [arrives("b1", v4("b1", "b2") / udp(5302, 41002), "b2"), sleep(3),
      dropped("b2", v4("b2") / udp(41002, 5302))], acl()),

    # ---- ICMP errors about tracked flows ----
    ("frag needed quoting b1's tracked udp flow",
     [arrives("b1", Ether(src=MAC["b1"], dst=MAC["b2"]) / UDP_OUT, "b2"),
      arrives("b2", icmp4_err("b2", UDP_OUT))], {}),
    ("frag needed quoting an untracked udp flow",
     [dropped("b2", icmp4_err("b2", IP(src=A4["b1"], dst=A4["b2"]) /
                              udp(5401, 41011)))], acl()),
    ("frag needed quoting the tracked flow the wrong way round",
     [arrives("b1", Ether(src=MAC["b1"], dst=MAC["b2"]) / UDP_OUT, "b2"),
      dropped("b2", icmp4_err("b2", IP(src=A4["b2"], dst=A4["b1"]) /
                              udp(41010, 5400)))], acl()),
    ("frag needed from a router behind the uplink, about the flow",
     [arrives("b1", Ether(src=MAC["b1"], dst=MAC["b2"]) / UDP_OUT, "b2"),
      arrives("ext", icmp4_err("ext", UDP_OUT))], {}),
    ("frag needed quoting b1's tracked tcp flow",
     [arrives("b1", Ether(src=MAC["b1"], dst=MAC["b2"]) / TCP_OUT, "b2"),
      arrives("b2", icmp4_err("b2", TCP_OUT))], {}),
    ("frag needed quoting 8 bytes of b1's tracked tcp flow (RFC 792)",
     [arrives("b1", Ether(src=MAC["b1"], dst=MAC["b2"]) / TCP_OUT, "b2"),
      arrives("b2", icmp4_err("b2", Raw(bytes(TCP_OUT)[:28])))], {}),
    ("host unreachable quoting b1's tracked echo",
     [arrives("b1", Ether(src=MAC["b1"], dst=MAC["b2"]) / ECHO_OUT, "b2"),
      arrives("b2", icmp4_err("b2", ECHO_OUT, code=1))], {}),
    ("host unreachable quoting an echo of another id",
     [dropped("b2", icmp4_err("b2", IP(src=A4["b1"], dst=A4["b2"]) /
                              ICMP(id=0x7301, seq=1), code=1))], acl()),
    ("packet too big quoting b1's tracked udp flow",
     [arrives("b1", Ether(src=MAC["b1"], dst=MAC["b2"]) / UDP6_OUT, "b2"),
      arrives("b2", ptb6("b2", UDP6_OUT))], {}),
    ("packet too big quoting b1's tracked udp flow behind an option header",
     [arrives("b1", Ether(src=MAC["b1"], dst=MAC["b2"]) / UDP6_DST_OUT, "b2"),
      arrives("b2", ptb6("b2", UDP6_DST_OUT))], {}),
    ("packet too big quoting b1's tracked udp flow behind a fragment header",
     [arrives("b1", Ether(src=MAC["b1"], dst=MAC["b2"]) / UDP6_FRAG_OUT,
              "b2"),
      arrives("b2", ptb6("b2", UDP6_FRAG_OUT))], {}),
    ("packet too big quoting an untracked udp flow",
     [dropped("b2", ptb6("b2", IPv6(src=A6["b1"], dst=A6["b2"]) /
                         udp(5404, 41014)))], acl()),

    # ---- fragments ----
    ("udp datagram to 7000 (group web) in two fragments",
     list(map(lambda f: arrives("b2", f), udp4_frags("b2", 7000, 0x7101))),
     {}),
    ("later fragment of no first fragment",
     [dropped("b2", udp4_frags("b2", 7000, 0x7102)[1])],
     {"tgb1": {"fragment": 1}}),
    ("first fragment to a denied port drops the rest",
     list(map(lambda f: dropped("b2", f), udp4_frags("b2", 7001, 0x7103))),
     {"tgb1": {"acl": 1, "fragment": 1}}),
    ("later fragment of an allowed datagram's id, another protocol",
     [arrives("b2", udp4_frags("b2", 7000, 0x7104)[0]),
      dropped("b2", v4("b2", frag=3, proto=6, id=0x7104) / Raw(b"x" * 8))],
     {"tgb1": {"fragment": 1}}),
    ("later fragment of an allowed datagram's id, another source",
     [arrives("b2", udp4_frags("b2", 7000, 0x7105)[0]),
      dropped("ext", udp4_frags("ext", 7000, 0x7105)[1])],
     {"tgb1": {"fragment": 1}}),
    ("egress: udp datagram to b2 in two fragments",
     list(map(lambda f: arrives("b1", f, "b2"),
              udp4_frags("b1", 5100, 0x7106, "b2"))), {}),
    ("egress: udp datagram to b3 (rule 3: group db) in two fragments",
     list(map(lambda f: dropped("b1", f, "b3"),
              udp4_frags("b1", 5100, 0x7107, "b3"))),
     {"tgb1": {"acl": 1, "fragment": 1}}),
    ("udp6 datagram to 7000 in two fragments",
     list(map(lambda f: arrives("b2", f), udp6_frags("b2", 7000, 0x7108))),
     {}),
    ("ipv6 later fragment of no first fragment",
     [dropped("b2", udp6_frags("b2", 7000, 0x7109)[1])],
     {"tgb1": {"fragment": 1}}),
    ("ipv6 first fragment to a denied port drops the rest",
     list(map(lambda f: dropped("b2", f), udp6_frags("b2", 7001, 0x710a))),
     {"tgb1": {"acl": 1, "fragment": 1}}),
    ("ipv6 atomic fragment, tcp syn to 22",
     [arrives("b2", v6("b2") / IPv6ExtHdrFragment(id=0x710b) / syn(22))], {}),
    ("ipv6 atomic fragment, tcp syn to a denied port",
     [dropped("b2", v6("b2") / IPv6ExtHdrFragment(id=0x710c) / syn(8090))],
     acl()),

    # ---- evasions ----
    ("tcp syn to 22 behind hop-by-hop options",
     [arrives("b2", v6("b2") / IPv6ExtHdrHopByHop() / syn(22))], {}),
    ("tcp syn to a denied port behind hop-by-hop options",
     [dropped("b2", v6("b2") / IPv6ExtHdrHopByHop() / syn(8090))], acl()),
    ("tcp syn to 22 behind destination options",
     [arrives("b2", v6("b2") /
              IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 20)]) /
              syn(22))], {}),
    ("tcp syn to a denied port behind destination options",
     [dropped("b2", v6("b2") /
              IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 20)]) /
              syn(8090))], acl()),
    ("tcp syn to 22 behind a routing header",
     [arrives("b2", v6("b2") / IPv6ExtHdrSegmentRouting(
         addresses=[A6["b1"]], segleft=0) / syn(22))], {}),
    ("tcp syn to a denied port behind a routing header",
     [dropped("b2", v6("b2") / IPv6ExtHdrSegmentRouting(
         addresses=[A6["b1"]], segleft=0) / syn(8090))], acl()),
    ("tcp syn to 22 behind four extension headers",
     [arrives("b2", v6("b2") / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting() /
              IPv6ExtHdrDestOpt() / IPv6ExtHdrFragment(id=0x710d) /
              syn(22))], {}),
    ("tcp syn to a denied port behind four extension headers",
     [dropped("b2", v6("b2") / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting() /
              IPv6ExtHdrDestOpt() / IPv6ExtHdrFragment(id=0x710e) /
              syn(8090))], acl()),
    ("egress: icmpv6 echo to b2 behind destination options",
     [arrives("b1", v6("b1", "b2") / IPv6ExtHdrDestOpt() /
              ICMPv6EchoRequest(id=0x7207), "b2")], {}),
    ("egress: icmpv6 echo to b3 (rule 9) behind destination options",
     [dropped("b1", v6("b1", "b3") / IPv6ExtHdrDestOpt() /
              ICMPv6EchoRequest(id=0x7208), "b3")], acl()),
    ("tcp syn to 22 with 40 bytes of IPv4 options",
     [arrives("b2", v4("b2", options=[IPOption_RR(routers=["0.0.0.0"] * 9)]) /
              syn(22))], {}),
    ("tcp syn to a denied port with 40 bytes of IPv4 options",
     [dropped("b2", v4("b2", options=[IPOption_RR(routers=["0.0.0.0"] * 9)]) /
              syn(8090))], acl()),
    ("tcp syn to 22 in two IPv4 fragments, header whole in the first",
     list(map(lambda f: arrives("b2", f), tcp4_split("b2", 22, 0x7201, 24))),
     {}),
    ("tiny first fragment (8 bytes of tcp) from b2: its port drops it",
     list(map(lambda f: dropped("b2", f), tcp4_split("b2", 22, 0x7202, 8))),
     {"tgb2": {"malformed": 2}}),
    ("tiny first fragment (8 bytes of tcp) through the uplink",
     list(map(lambda f: dropped("ext", f), tcp4_split("ext", 22, 0x7203, 8))),
     {"tgb1": {"malformed": 2}}),
    ("tcp syn to 22 in two IPv6 fragments, header whole in the first",
     list(map(lambda f: arrives("b2", f), tcp6_frags("b2", 22, 0x7204))),
     {}),
    ("ipv6: tcp header in the second fragment, from b2",
     list(map(lambda f: dropped("b2", f), tcp6_ports_later("b2", 22, 0x7205))),
     {"tgb2": {"malformed": 1}, "tgb1": {"fragment": 1}}),
    ("ipv6: tcp header in the second fragment, through the uplink",
     list(map(lambda f: dropped("ext", f),
              tcp6_ports_later("ext", 22, 0x7206))),
     {"tgb1": {"malformed": 1, "fragment": 1}}),
    ("tcp syn to 22 through the uplink",
     [arrives("ext", v4("ext") / syn(22))], {}),
    ("tcp syn to 8080 through the uplink (rule 1 is 198.18.1.0/28's)",
     [dropped("ext", v4("ext") / syn(8080))], acl()),
    ("truncated tcp header (12 bytes) from b2: its port drops it",
     [dropped("b2", v4("b2", proto=6) / Raw(bytes(syn(22))[:12]))],
     {"tgb2": {"malformed": 1}}),
    ("truncated tcp header (12 bytes) through the uplink",
     [dropped("ext", v4("ext", proto=6) / Raw(bytes(syn(22))[:12]))],
     {"tgb1": {"malformed": 1}}),
    ("truncated tcp6 header through the uplink",
     [dropped("ext", v6("ext", nh=6) / Raw(bytes(syn(22))[:12]))],
     {"tgb1": {"malformed": 1}}),
    ("IPv4 total length past the frame, tcp to 22",
     [dropped("b2", tot_len(v4("b2") / syn(22), 200))],
     {"tgb1": {"malformed": 1}}),
    ("IPv4 total length past the frame, through the uplink",
     [dropped("ext", tot_len(v4("ext") / syn(22), 200))],
     {"tgb1": {"malformed": 1}}),
    ("IPv4 total length ending inside the tcp header, through the uplink",
     [dropped("ext", tot_len(v4("ext") / syn(22), -12))],
     {"tgb1": {"malformed": 1}}),
    ("IPv4 total length shorter than its header, through the uplink",
     [dropped("ext", tot_len(v4("ext") / syn(22), -30))],
     {"tgb1": {"malformed": 1}}),
    ("IPv4 header length 4 words, through the uplink",
     [dropped("ext", ihl(v4("ext") / syn(22), 4))],
     {"tgb1": {"malformed": 1}}),
    ("IPv4 header of version 6, through the uplink",
     [dropped("ext", version(v4("ext") / syn(22), 6))],
     {"tgb1": {"malformed": 1}}),
    ("IPv6 payload length past the frame, tcp to 22",
     [dropped("b2", plen6(v6("b2") / syn(22), 200))],
     {"tgb1": {"malformed": 1}}),
    ("IPv6 option header running past its packet, through the uplink",
     [dropped("ext", v6("ext", nh=60) / Raw(CHAIN_OVERFLOW) / syn(22))],
     {"tgb1": {"malformed": 1}}),
    ("nine destination options headers, through the uplink",
     [dropped("ext", v6("ext") / NINE_EXT_HDRS / syn(22))],
     {"tgb1": {"malformed": 1}}),
]

def drops():
    """every watched port's drop counters; a flooded frame reaching a port
    it is not addressed to (dst_mac) is the bridge's doing, not a case's"""
    out = subprocess.run([CTL, "-j", "stats"], check=True,
                         capture_output=True, text=True).stdout
    return {p["name"]: {k: v for k, v in p["drop"].items() if k != "dst_mac"}
            for p in json.loads(out) if p["name"] in PORTS}


def delta(before, after):
    d = {}
    for port, ctrs in after.items():
        moved = {k: v - before[port][k] for k, v in ctrs.items()
                 if v != before[port][k]}
        if moved:
            d[port] = moved
    return d


def drain(socks):
    for s in socks:
        while select.select([s], [], [], 0)[0]:
            s.recv(65535)


def run_case(n, steps, socks):
    """the frames that went against the expectation, as text"""
    wrong = []
    drain(socks.values())
    for i, step in enumerate(steps):
        if step[0] == "sleep":
            time.sleep(step[1])
            continue
        src, dst, frame, want = step
        # a trailer past every header: the datapath must not read it as
        # part of the packet, and it identifies the frame on arrival
        marker = b"TGACL%03d%02d" % (n, i)
        socks[src].send(bytes(frame) + marker)
        got = arrived(socks[dst], marker, 1.0 if want else 0.3)
        if got != want:
            wrong.append("frame %d %s" % (i, "arrived" if got else "lost"))
    return wrong


def main():
    if sys.argv[1:] == ["--count"]:
        print(len(CASES))
        return 0
    prefix = sys.argv[1]
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    socks = {vm: packet_socket("%s-%s" % (prefix, vm), "eth0")
             for vm in MAC}
    libc.setns(home, 0x40000000)

    print("TAP version 13")
    print("1..%d" % len(CASES))
    failed = 0
    for n, (name, steps, want) in enumerate(CASES, 1):
        before = drops()
        wrong = run_case(n, steps, socks)
        got = delta(before, drops())
        if wrong or got != want:
            failed += 1
            print("# %s: %s; drop counters moved %s, wanted %s" %
                  (name, ", ".join(wrong) or "frames as wanted", got, want))
        print("%s %d - %s" % ("not ok" if wrong or got != want else "ok",
                              n, name))
    print("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0" %
          (len(CASES) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
