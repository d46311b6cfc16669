#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Crafted frames from a VM port: each must arrive at a neighbour VM of the
same tenant, or not arrive and raise exactly the expected drop counter of
the sending port. Every drop case stands next to its legitimate twin.

usage: frames.py TX_NS RX_NS PORT   (TENGUARD_INSTANCE names the daemon)

One process opens a packet socket in each namespace (a socket stays in the
namespace it was made in), so sending and watching need no timing guesses.
Prints KTAP.
"""
import ctypes
import json
import logging
import os
import select
import socket
import subprocess
import sys
import time

# bare ICMPv6 bytes for fragments have no IPv6 header to sum over: quiet
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (ARP, BOOTP, DHCP, GRE, ICMP, IP, UDP, TCP, VXLAN,
                       Dot1AD, Dot1Q, Dot3, Ether, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_RS,
                       ICMPv6ND_Redirect, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptSrcLLAddr, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, LLC, PadN,
                       Raw, conf)

conf.verb = 0
CTL = os.path.join(os.environ.get("BUILD", "build"), "tenguardctl")

B1, B2, B3 = "02:00:00:00:01:01", "02:00:00:00:01:02", "02:00:00:00:01:03"
EVIL, BCAST = "02:00:00:00:09:09", "ff:ff:ff:ff:ff:ff"
V4, V4_B2 = "198.18.1.1", "198.18.1.2"
V6, V6_B2 = "fd00:1::1", "fd00:1::2"
LL, LL_B2 = "fe80::ff:fe00:101", "fe80::ff:fe00:102"
ALLNODES = "33:33:00:00:00:01"


def eth(src=B1, dst=B2, **kw):
    return Ether(src=src, dst=dst, **kw)


def ip4(src=V4, dst=V4_B2, **kw):
    return IP(src=src, dst=dst, **kw)


def ip6(src=V6, dst=V6_B2, **kw):
    return IPv6(src=src, dst=dst, **kw)


def udp(dport=40001, sport=40000):
    return UDP(sport=sport, dport=dport) / Raw(b"tenguard")


def nd(dst_mac, dst_ip, msg, src=LL, hlim=255):
    return eth(dst=dst_mac) / ip6(src=src, dst=dst_ip, hlim=hlim) / msg


def dhcp4(op, sport, dport, src):
    return (eth(dst=BCAST) / ip4(src=src, dst="255.255.255.255") /
            UDP(sport=sport, dport=dport) /
            BOOTP(op=op, chaddr=bytes.fromhex(B1.replace(":", ""))) /
            DHCP(options=[("message-type", "discover" if op == 1 else
                           "offer"), "end"]))


def ipv6_frag(payload, offset, more, nh):
    """an IPv6 fragment of raw payload bytes"""
    return (eth() / ip6(nh=44) /
            IPv6ExtHdrFragment(nh=nh, offset=offset, m=more, id=0x7e6) /
            Raw(payload))


# first fragment of a datagram whose header chain does not fit in it: a
# destination options header announcing 88 bytes, only 14 of them present
CHAIN_OVERFLOW = bytes([58, 10]) + b"\x01\x0c" + b"\x00" * 12

CASES = [
    # name, frames, drop counter of the sending port or None (must arrive)
    ("IPv4 from the port's MAC and address", [eth() / ip4() / udp()], None),
    ("source MAC not the port's", [eth(src=EVIL) / ip4() / udp()], "src_mac"),
    ("source MAC of a neighbour VM", [eth(src=B3) / ip4() / udp()],
     "src_mac"),
    ("group source MAC", [eth(src="03:00:00:00:01:01") / ip4() / udp()],
     "src_mac"),
    ("IPv4 source not the port's", [eth() / ip4(src="198.18.1.99") / udp()],
     "src_ip"),
    ("IPv4 source of a neighbour VM",
     [eth() / ip4(src="198.18.1.3") / udp()], "src_ip"),
    ("IPv4 source 0.0.0.0 outside DHCP",
     [eth() / ip4(src="0.0.0.0") / udp()], "src_ip"),
    ("IPv6 from the port's address", [eth() / ip6() / udp()], None),
    ("IPv6 source not the port's", [eth() / ip6(src="fd00:1::99") / udp()],
     "src_ip"),
    ("IPv6 link-local derived from the port's MAC",
     [eth() / ip6(src=LL, dst=LL_B2) / udp()], None),
    ("IPv6 link-local not derived from the port's MAC",
     [eth() / ip6(src="fe80::99", dst=LL_B2) / udp()], "src_ip"),
    ("IPv6 source :: outside DAD", [eth() / ip6(src="::") / udp()],
     "src_ip"),
    ("ARP request for a neighbour",
     [eth(dst=BCAST) / ARP(op=1, hwsrc=B1, psrc=V4, pdst=V4_B2)], None),
    ("ARP reply claiming a neighbour's address",
     [eth(dst=BCAST) / ARP(op=2, hwsrc=B1, psrc=V4_B2, hwdst=BCAST,
                           pdst=V4_B2)], "arp"),
    ("ARP with a sender MAC not the port's",
     [eth(dst=BCAST) / ARP(op=1, hwsrc=EVIL, psrc=V4, pdst=V4_B2)], "arp"),
    ("ARP probe from 0.0.0.0",
     [eth(dst=BCAST) / ARP(op=1, hwsrc=B1, psrc="0.0.0.0", pdst=V4)], None),
    ("ARP reply from 0.0.0.0",
     [eth(dst=BCAST) / ARP(op=2, hwsrc=B1, psrc="0.0.0.0", pdst=V4_B2)],
     "arp"),
    ("ARP of another protocol type",
     [eth(dst=BCAST) / ARP(op=1, ptype=0x0801, hwsrc=B1, psrc=V4,
                           pdst=V4_B2)], "arp"),
    ("NS with the port's link-layer address",
     [nd("33:33:ff:00:00:02", "ff02::1:ff00:2",
         ICMPv6ND_NS(tgt=V6_B2) / ICMPv6NDOptSrcLLAddr(lladdr=B1))], None),
    ("NS with a foreign link-layer address",
     [nd("33:33:ff:00:00:02", "ff02::1:ff00:2",
         ICMPv6ND_NS(tgt=V6_B2) / ICMPv6NDOptSrcLLAddr(lladdr=EVIL))], "nd"),
    ("NA for the port's address",
     [nd(ALLNODES, "ff02::1", ICMPv6ND_NA(tgt=V6, R=0, S=0, O=1) /
         ICMPv6NDOptDstLLAddr(lladdr=B1))], None),
    ("NA for a neighbour's address",
     [nd(ALLNODES, "ff02::1", ICMPv6ND_NA(tgt=V6_B2, R=0, S=0, O=1) /
         ICMPv6NDOptDstLLAddr(lladdr=B1))], "nd"),
    ("NA with a foreign link-layer address",
     [nd(ALLNODES, "ff02::1", ICMPv6ND_NA(tgt=V6, R=0, S=0, O=1) /
         ICMPv6NDOptDstLLAddr(lladdr=EVIL))], "nd"),
    ("NA hiding a foreign lladdr behind another option",
     [nd(ALLNODES, "ff02::1", ICMPv6ND_NA(tgt=V6, R=0, S=0, O=1) /
         Raw(bytes([14, 1, 1, 2, 3, 4, 5, 6])) /
         ICMPv6NDOptDstLLAddr(lladdr=EVIL))], "nd"),
    ("DAD NS from ::",
     [nd("33:33:ff:00:00:01", "ff02::1:ff00:1", ICMPv6ND_NS(tgt=V6),
         src="::")], None),
    ("DAD NS from :: with a link-layer address",
     [nd("33:33:ff:00:00:01", "ff02::1:ff00:1",
         ICMPv6ND_NS(tgt=V6) / ICMPv6NDOptSrcLLAddr(lladdr=B1),
         src="::")], "nd"),
    ("NS in a fragment",
     [ipv6_frag(bytes(ICMPv6ND_NS(tgt=V6_B2)), 0, 1, 58)], "nd"),
    ("DHCPv4 client discover from 0.0.0.0",
     [dhcp4(1, 68, 67, "0.0.0.0")], None),
    ("DHCPv4 server offer", [dhcp4(2, 67, 68, V4)], "dhcp_server"),
    ("DHCPv6 client solicit",
     [eth(dst="33:33:00:01:00:02") / ip6(src=LL, dst="ff02::1:2") /
      udp(547, 546)], None),
    ("DHCPv6 server advertise",
     [eth() / ip6(src=LL, dst=LL_B2) / udp(546, 547)], "dhcp_server"),
    ("DHCPv6 server reply behind a destination options header",
     [eth() / ip6(src=LL, dst=LL_B2) / IPv6ExtHdrDestOpt() /
      udp(546, 547)], "dhcp_server"),
    ("router solicitation", [nd("33:33:00:00:00:02", "ff02::2",
                                ICMPv6ND_RS())], None),
    ("router advertisement", [nd(ALLNODES, "ff02::1", ICMPv6ND_RA())], "ra"),
    ("RA behind hop-by-hop and destination options",
     [eth(dst=ALLNODES) / ip6(src=LL, dst="ff02::1", hlim=255) /
      IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 20)]) /
      ICMPv6ND_RA()], "ra"),
    ("RA in a first fragment",
     [eth(dst=ALLNODES) / ip6(src=LL, dst="ff02::1", hlim=255, nh=44) /
      IPv6ExtHdrFragment(nh=58, m=1, id=1) /
      Raw(bytes(ICMPv6ND_RA()) + b"\0" * 16)], "ra"),
    ("first fragment whose header chain does not fit",
     [ipv6_frag(CHAIN_OVERFLOW, 0, 1, 60)], "malformed"),
    ("more extension headers than any stack sends",
     [eth() / ip6() / (IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() /
                       IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() /
                       IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() /
                       IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() /
                       IPv6ExtHdrDestOpt()) / udp()], "malformed"),
    ("IPv6 datagram in two fragments",
     [ipv6_frag(bytes(UDP(sport=40000, dport=40001, len=24) / Raw(b"x" * 16))[:16], 0, 1, 17),
      ipv6_frag(b"x" * 8, 2, 0, 17)], None),
    ("later IPv6 fragment from a foreign source",
     [eth() / ip6(src="fd00:1::99", nh=44) /
      IPv6ExtHdrFragment(nh=17, offset=2, m=0, id=9) / Raw(b"x" * 8)],
     "src_ip"),
    ("ICMPv6 echo", [eth() / ip6() / ICMPv6EchoRequest()], None),
    ("ICMPv6 redirect",
     [nd("33:33:00:00:00:01", "ff02::1",
         ICMPv6ND_Redirect(tgt=LL, dst=V6_B2))], "redirect"),
    ("ICMP echo", [eth() / ip4() / ICMP()], None),
    ("ICMP redirect",
     [eth() / ip4() / ICMP(type=5, code=1, gw=V4) / ip4(src=V4_B2, dst=V4) /
      udp()], "redirect"),
    ("802.1Q tagged frame", [eth() / Dot1Q(vlan=100) / ip4() / udp()],
     "vlan"),
    ("priority tagged frame (VLAN 0)",
     [eth() / Dot1Q(vlan=0) / ip4() / udp()], "vlan"),
    ("802.1ad double tagged frame",
     [eth() / Dot1AD(vlan=100) / Dot1Q(vlan=200) / ip4() / udp()], "vlan"),
    ("ethertype the port may send (0x88b6)",
     [eth(type=0x88b6) / Raw(b"x" * 46)], None),
    ("ethertype the port may not send (0x88b5)",
     [eth(type=0x88b5) / Raw(b"x" * 46)], "ethertype"),
    ("802.3 LLC frame",
     [Dot3(src=B1, dst=B2) / LLC(dsap=0x42, ssap=0x42, ctrl=3) /
      Raw(b"x" * 40)], "ethertype"),
    ("UDP to the port next to VXLAN's", [eth() / ip4() / udp(4788)], None),
    ("VXLAN", [eth() / ip4() / UDP(sport=40000, dport=4789) / VXLAN(vni=7) /
               Ether(src=EVIL, dst=B2) / ip4(src="198.18.1.99") / udp()],
     "encap"),
    ("Geneve over IPv6", [eth() / ip6() / udp(6081)], "encap"),
    ("IP in IP", [eth() / ip4(proto=4) / ip4(src="198.18.1.99") / udp()],
     "encap"),
    ("GRE over IPv6", [eth() / ip6() / GRE() / ip4() / udp()], "encap"),
    ("IPv4 datagram in two fragments",
     [eth() / ip4(flags="MF", proto=17, id=7) /
      Raw(bytes(UDP(sport=40000, dport=40001, len=24))[:8] + b"x" * 8),
      eth() / ip4(frag=2, proto=17, id=7) / Raw(b"x" * 8)], None),
    ("later IPv4 fragment overlapping the TCP header",
     [eth() / ip4(frag=1, proto=6, id=8) / Raw(b"x" * 24)], "malformed"),
    ("first IPv4 fragment too short for the TCP header",
     [eth() / ip4(flags="MF", proto=6, id=9) / Raw(b"x" * 8)], "malformed"),
    ("TCP SYN", [eth() / ip4() / TCP(sport=40000, dport=22, flags="S")],
     None),
]

libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, 0x40000000) != 0:
            raise OSError(ctypes.get_errno(), "setns " + path)
    finally:
        os.close(fd)


def packet_socket(ns, ifname):
    setns("/run/netns/" + ns)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((ifname, 0))
    return s


def stats(port):
    out = subprocess.run([CTL, "-j", "stats", port], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)[0]["drop"]


def arrived(rx, marker, wait):
    deadline = time.monotonic() + wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([rx], [], [], left)[0]:
            return False
        data, addr = rx.recvfrom(65535)
        if addr[2] != socket.PACKET_OUTGOING and marker in data:
            return True


def main():
    tx_ns, rx_ns, port = sys.argv[1:4]
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    tx = packet_socket(tx_ns, "eth0")
    rx = packet_socket(rx_ns, "eth0")
    libc.setns(home, 0x40000000)

    print("TAP version 13")
    print("1..%d" % len(CASES))
    failed = 0
    for n, (name, frames, reason) in enumerate(CASES, 1):
        before = stats(port)
        seen = 0
        for i, f in enumerate(frames):
            # a trailer past every header: the datapath must not read it
            # as part of the frame, and it identifies the frame on arrival
            marker = b"TGMARK%04d%02d" % (n, i)
            tx.send(bytes(f) + marker)
            seen += arrived(rx, marker, 1.0 if reason is None else 0.4)
        after = stats(port)
        delta = {k: after[k] - before[k] for k in after if after[k] != before[k]}
        if reason is None:
            good = seen == len(frames) and not delta
            want = "arrives"
        else:
            good = seen == 0 and delta == {reason: len(frames)}
            want = "dropped as " + reason
        if not good:
            failed += 1
            print("# %s: wanted %s, %d of %d arrived, drop counters %s" %
                  (name, want, seen, len(frames), delta or "unchanged"))
        print("%s %d - %s: %s" % ("ok" if good else "not ok", n, name, want))
    print("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0" %
          (len(CASES) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
