#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A synthetic FPM sender: N IPv4 /24 routes, as zebra sends them without
next-hop groups (RTM_NEWROUTE with RTA_DST, RTA_PRIORITY, RTA_GATEWAY,
RTA_OIF; protocol bgp), MSGS messages per FPM frame, at full speed; while
it sends, `routectl ping` runs back to back and its round-trip times are
recorded. Reports the ingest rate (until feed.list shows N routes) and the
ping latencies (p50, p99, max) as one JSON line.

usage: fpm-flood.py HOST:PORT ROUTECTL N [MSGS]
The routed behind ROUTECTL (ROUTED_SOCKET) must have its FPM feed there.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time

target, routectl, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
per_frame = int(sys.argv[4]) if len(sys.argv) > 4 else 1
host, port = target.rsplit(":", 1)

RTM_NEWROUTE, NLM_F = 24, 0x501     # REQUEST|CREATE|REPLACE


def route_msg(i):
    dst = struct.pack(">I", (1 << 24) + (i << 8))
    gw = struct.pack(">I", 0xc0000200 + 2 + i % 200)
    attrs = (struct.pack("=HH", 8, 1) + dst + struct.pack("=HHI", 8, 6, 20) +
             struct.pack("=HH", 8, 5) + gw + struct.pack("=HHI", 8, 4, 3))
    rtm = struct.pack("=BBBBBBBBI", 2, 24, 0, 0, 254, 186, 0, 1, 0)
    body = rtm + attrs
    return struct.pack("=IHHII", 16 + len(body), RTM_NEWROUTE, NLM_F, i, 0) + body


def stream():
    out = bytearray()
    for first in range(0, n, per_frame):
        payload = b"".join(route_msg(i) for i in range(first, min(n, first + per_frame)))
        out += struct.pack(">BBH", 1, 1, 4 + len(payload)) + payload
    return bytes(out)


def feed_routes():
    out = subprocess.run([routectl, "-j", "feed", "show"], capture_output=True, text=True).stdout
    return json.loads(out)["feeds"][0]["routes"]


data = stream()
pings = []
done = threading.Event()


def pinger():
    while not done.is_set():
        t = time.monotonic()
        subprocess.run([routectl, "ping"], capture_output=True)
        pings.append(time.monotonic() - t)


sock = socket.create_connection((host, int(port)))
th = threading.Thread(target=pinger)
start = time.monotonic()
th.start()
sock.sendall(data)
sent = time.monotonic()
while feed_routes() < n:
    time.sleep(0.01)
end = time.monotonic()
done.set()
th.join()
sock.close()
pings.sort()
q = lambda p: round(pings[min(len(pings) - 1, int(p * len(pings)))] * 1000, 1)
print(json.dumps({"routes": n, "per_frame": per_frame, "bytes": len(data),
                  "seconds": round(end - start, 3), "routes_per_s": int(n / (end - start)),
                  "send_seconds": round(sent - start, 3), "pings": len(pings),
                  "ping_p50_ms": q(0.5), "ping_p99_ms": q(0.99), "ping_max_ms": q(1.0)}))
