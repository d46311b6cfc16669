#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers of rate.sh that need exact frames or exact times.

usage:
  rate_flood.py burst TX_NS RX_NS SRC_MAC DST_MAC SRC_IP DST_IP N FRAME
      N UDP frames of FRAME bytes (Ethernet header included, as the
      limiter counts them) sent back to back on TX_NS's eth0 through a
      packet socket; counts those a UDP socket in RX_NS receives. Prints
      JSON: sent, received, send_ns (first send to last send).
  rate_flood.py sample NS IFACE SECS STEP
      Reads IFACE's receive counters in NS every STEP seconds for SECS
      seconds; prints one line per reading: CLOCK_REALTIME ns, rx bytes
      (Ethernet header included on veth), rx packets.

NS are network namespace names under /run/netns. One process opens its
sockets in each namespace (a socket stays in the namespace it was made
in), so sending and receiving need no timing guesses.
"""
import ctypes
import json
import os
import socket
import struct
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
PORT = 47000
MARK = b"tenguard-rate"


def setns(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + ns)
    finally:
        os.close(fd)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def udp_frame(src_mac, dst_mac, src, dst, size):
    payload = MARK + b"x" * (size - 14 - 20 - 8 - len(MARK))
    udp = struct.pack("!HHHH", PORT, PORT, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0x4000,
                     64, socket.IPPROTO_UDP, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return mac(dst_mac) + mac(src_mac) + b"\x08\x00" + ip + udp


def burst(tx_ns, rx_ns, src_mac, dst_mac, src, dst, n, size):
    n, size = int(n), int(size)
    frame = udp_frame(src_mac, dst_mac, src, dst, size)
    assert len(frame) == size
    setns(rx_ns)
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    rx.bind((dst, PORT))
    setns(tx_ns)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind(("eth0", 0))
    # built before the clock starts: the frames leave as fast as they can
    t0 = time.monotonic_ns()
    for _ in range(n):
        tx.send(frame)
    t1 = time.monotonic_ns()
    got = 0
    rx.settimeout(0.3)
    try:
        while True:
            if rx.recv(65536).startswith(MARK):
                got += 1
    except socket.timeout:
        pass
    print(json.dumps({"sent": n, "received": got, "send_ns": t1 - t0}))


def rx_counters(iface):
    with open("/proc/self/net/dev") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name.strip() == iface:
                v = rest.split()
                return int(v[0]), int(v[1])
    raise SystemExit("no interface " + iface)


def sample(ns, iface, secs, step):
    setns(ns)
    step = float(step)
    start = time.monotonic()
    for i in range(int(round(float(secs) / step)) + 1):
        time.sleep(max(0.0, start + i * step - time.monotonic()))
        b, p = rx_counters(iface)
        print(time.time_ns(), b, p, flush=True)


def main():
    if len(sys.argv) == 10 and sys.argv[1] == "burst":
        burst(*sys.argv[2:])
    elif len(sys.argv) == 6 and sys.argv[1] == "sample":
        sample(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
