#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers of acl_update.sh: a paced TCP stream whose every byte is checked,
and a run of policy updates, each one reloaded by tenguardd before the next.

usage: acl_update.py recv ADDR PORT OUT
       acl_update.py send ADDR PORT
       acl_update.py reload TEMPLATE POLICY LOG PID COUNT FIRST

recv: accept one connection and check that it carries the stream send
writes; write the number of good bytes to OUT every 0.1 s; exit 1 at the
first wrong byte, 2 when the stream ends or breaks.

send: a 1000-byte chunk of the stream every 10 ms, until killed; exit 1
when the connection breaks.

reload: COUNT times, write TEMPLATE to POLICY with the first ingress rule
of the template's first port replaced by one that nothing on the node
sends (deny tcp to port 10000 + N from 198.19.x.y, N counting from FIRST),
send SIGHUP to PID and wait until LOG says "reloaded". Prints the time
taken; exit 1 when the daemon refuses a reload or does not say it in 5 s.
"""
import json
import os
import re
import signal
import socket
import sys
import time

CHUNK = 1000


def stream(offset, n):
    """the bytes of the stream from offset on: a counter, byte by byte"""
    return bytes((offset + i) * 7 % 251 for i in range(n))


def recv(addr, port, out):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, int(port)))
    srv.listen(1)
    c, _ = srv.accept()
    c.settimeout(0.1)
    good = 0
    last = 0.0
    while True:
        try:
            d = c.recv(65536)
            if not d:
                return 2
        except socket.timeout:
            d = b""
        except OSError:
            return 2
        if d != stream(good, len(d)):
            print("wrong byte after %d" % good, file=sys.stderr)
            return 1
        good += len(d)
        if time.monotonic() - last > 0.1:
            with open(out + ".tmp", "w") as f:
                f.write("%d\n" % good)
            os.replace(out + ".tmp", out)
            last = time.monotonic()


def send(addr, port):
    c = socket.create_connection((addr, int(port)), timeout=5)
    c.settimeout(None)
    off = 0
    nxt = time.monotonic()
    while True:
        try:
            c.sendall(stream(off, CHUNK))
        except OSError as e:
            print("send: %s" % e, file=sys.stderr)
            return 1
        off += CHUNK
        nxt += 0.01
        time.sleep(max(0, nxt - time.monotonic()))


def reload(template, policy, log, pid, count, first):
    with open(template) as f:
        pol = json.load(f)
    rules = pol["tenants"][0]["ports"][0]["acl"]["ingress"]["rules"]
    pid = int(pid)
    done = re.compile(r"reloaded .*: generation (\d+)")
    bad = re.compile(r"reload (refused|failed)")
    with open(log) as lf:
        lf.seek(0, os.SEEK_END)
        start = time.monotonic()
        for n in range(int(first), int(first) + int(count)):
            rules[0] = {"action": "deny", "proto": "tcp",
                        "ports": 10000 + n % 50000,
                        "remote": "198.19.%d.%d" % (n // 256 % 256, n % 256)}
            with open(policy + ".tmp", "w") as f:
                json.dump(pol, f)
            os.replace(policy + ".tmp", policy)
            os.kill(pid, signal.SIGHUP)
            deadline = time.monotonic() + 5
            buf = ""
            while True:
                buf += lf.read()
                if bad.search(buf):
                    print("update %d: %s" % (n, buf.strip()))
                    return 1
                if done.search(buf):
                    break
                if time.monotonic() > deadline:
                    print("update %d: no reload in 5 s" % n)
                    return 1
                time.sleep(0.0005)
        took = time.monotonic() - start
    print("%s updates in %.2f s, %.1f ms each" %
          (count, took, 1000 * took / int(count)))
    return 0


def main():
    cmds = {"recv": (recv, 3), "send": (send, 2), "reload": (reload, 6)}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds or \
       len(sys.argv) != cmds[sys.argv[1]][1] + 2:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]][0](*sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
