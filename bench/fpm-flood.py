#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A synthetic FPM sender: routes as zebra sends them without next-hop
groups (RTM_NEWROUTE with RTA_DST, RTA_PRIORITY, RTA_GATEWAY, RTA_OIF;
protocol bgp), MSGS messages per FPM frame, at full speed; while it sends,
`routectl ping` runs back to back and its round-trip times are recorded
(unless --no-ping). Reports the ingest rate (until feed.list shows all
routes) and the ping latencies (p50, p99, max) as one JSON line.

usage: fpm-flood.py [--no-ping] HOST:PORT ROUTECTL N|FILE [MSGS]
N: N synthetic IPv4 /24s. FILE: a route file of `PREFIX via GW` lines
(IPv4 and IPv6, as bench/bgp-routes.sh writes), each sent as one route
with RTA_OIF 1. "sending" goes to standard error when the frames are
built and the connection is open, just before the first byte is sent.
The routed behind ROUTECTL (ROUTED_SOCKET) must have its FPM feed there.
"""
import json
import socket
import struct
import subprocess
import sys
import threading
import time

args = sys.argv[1:]
ping = "--no-ping" not in args
args = [a for a in args if a != "--no-ping"]
if len(args) not in (3, 4) or args[0] in ("-h", "--help"):
    sys.exit(__doc__.split("\n\n", 1)[1].strip())
target, routectl, source = args[0], args[1], args[2]
per_frame = int(args[3]) if len(args) > 3 else 1
host, port = target.rsplit(":", 1)

RTM_NEWROUTE, NLM_F = 24, 0x501     # REQUEST|CREATE|REPLACE
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY = 1, 4, 5, 6
FPM_MAX_FRAME = 0xffff


def attr(kind, payload):
    return struct.pack("=HH", 4 + len(payload), kind) + payload


def route_msg(seq, family, dst, dst_len, gw, oif):
    attrs = (attr(RTA_DST, dst) + attr(RTA_PRIORITY, struct.pack("=I", 20)) +
             attr(RTA_GATEWAY, gw) + attr(RTA_OIF, struct.pack("=I", oif)))
    # rtmsg: family, dst_len, src_len, tos, table main, proto bgp, scope, unicast
    rtm = struct.pack("=BBBBBBBBI", family, dst_len, 0, 0, 254, 186, 0, 1, 0)
    body = rtm + attrs
    return struct.pack("=IHHII", 16 + len(body), RTM_NEWROUTE, NLM_F, seq, 0) + body


def synthetic(n):
    for i in range(n):
        yield route_msg(i, socket.AF_INET, struct.pack(">I", (1 << 24) + (i << 8)), 24,
                        struct.pack(">I", 0xc0000200 + 2 + i % 200), 3)


def from_file(path):
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            try:
                if len(words) != 3 or words[1] != "via":
                    raise ValueError("not PREFIX via GW")
                prefix, _, plen = words[0].partition("/")
                family = socket.AF_INET6 if ":" in prefix else socket.AF_INET
                bits = 128 if family == socket.AF_INET6 else 32
                plen = int(plen) if plen else bits
                if not 0 <= plen <= bits:
                    raise ValueError("prefix length out of range")
                yield route_msg(lineno, family, socket.inet_pton(family, prefix), plen,
                                socket.inet_pton(family, words[2]), 1)
            except (ValueError, OSError) as e:
                sys.exit("fpm-flood: %s:%d: %s: %s" % (path, lineno, e, line.strip()))


def stream(msgs):
    out, frame, count = bytearray(), [], 0

    def flush():
        payload = b"".join(frame)
        out.extend(struct.pack(">BBH", 1, 1, 4 + len(payload)))
        out.extend(payload)
        frame.clear()

    size = 4
    for m in msgs:
        if frame and (len(frame) == per_frame or size + len(m) > FPM_MAX_FRAME):
            flush()
            size = 4
        frame.append(m)
        size += len(m)
        count += 1
    if frame:
        flush()
    return bytes(out), count


def feed_routes():
    out = subprocess.run([routectl, "-j", "feed", "show"], capture_output=True, text=True).stdout
    return json.loads(out)["feeds"][0]["routes"]


if source.isdigit():
    data, n = stream(synthetic(int(source)))
else:
    data, n = stream(from_file(source))
pings = []
done = threading.Event()


def pinger():
    while not done.is_set():
        t = time.monotonic()
        subprocess.run([routectl, "ping"], capture_output=True)
        pings.append(time.monotonic() - t)


sock = socket.create_connection((host, int(port)))
th = threading.Thread(target=pinger)
print("sending", file=sys.stderr, flush=True)
start = time.monotonic()
if ping:
    th.start()
sock.sendall(data)
sent = time.monotonic()
while feed_routes() < n:
    time.sleep(0.01)
end = time.monotonic()
done.set()
if ping:
    th.join()
sock.close()
pings.sort()
q = lambda p: round(pings[min(len(pings) - 1, int(p * len(pings)))] * 1000, 1) if pings else None
print(json.dumps({"routes": n, "per_frame": per_frame, "bytes": len(data),
                  "seconds": round(end - start, 3), "routes_per_s": int(n / (end - start)),
                  "send_seconds": round(sent - start, 3), "pings": len(pings),
                  "ping_p50_ms": q(0.5), "ping_p99_ms": q(0.99), "ping_max_ms": q(1.0)}))
