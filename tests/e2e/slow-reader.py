#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A client that never reads its responses:
#   slow-reader.py SOCKET ROUTED_PID MAX_OUTPUT_BYTES RSS_LIMIT_KIB
# It asks for far more output than max_output_bytes (big route.list pages)
# and reads nothing. routed must keep answering another client promptly,
# disconnect the slow one, and keep its resident memory below the limit.
# Prints "ok - ..." / "not ok - ..." lines for lib.sh's tap_merge.

import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rpc import Conn  # noqa: E402

path, pid = sys.argv[1], int(sys.argv[2])
max_output, rss_limit = int(sys.argv[3]), int(sys.argv[4])


def report(passed, desc, detail=None):
    print(("ok - " if passed else "not ok - ") + desc)
    if not passed and detail is not None:
        print("# " + str(detail))


def rss_kib():
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


probe = Conn(path)
page = probe.call("route.list", {"limit": 10000})["result"]
page_bytes = len(json.dumps(page, separators=(",", ":")))
requests = 4 * max_output // page_bytes + 8
print("# %d routes per page (~%d bytes); sending %d requests, reading none"
      % (len(page["routes"]), page_bytes, requests))

slow = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
slow.connect(path)
req = b'{"jsonrpc":"2.0","id":%d,"method":"route.list","params":{"limit":10000}}\n'
slow.settimeout(5)
sent = 0
try:
    for i in range(requests):
        slow.sendall(req % i)
        sent += 1
except (BrokenPipeError, ConnectionResetError, socket.timeout):
    pass  # routed gave up on us already, or stopped reading: both fine
print("# sent %d requests" % sent)

# While the slow client is stuck, another one is served promptly.
peak = rss_kib()
worst = 0.0
deadline = time.monotonic() + 3
while time.monotonic() < deadline:
    t = time.monotonic()
    msg = probe.call("ping")
    worst = max(worst, time.monotonic() - t)
    if msg.get("result") != {"pong": True}:
        break
    peak = max(peak, rss_kib())
    time.sleep(0.05)
# The failure this guards against is a control thread blocked on the slow
# client's socket: pings then wait until that client is dropped, or
# forever. A ping slowed by a loaded machine is not that failure, so the
# bound is generous rather than a latency target.
report(worst < 10.0, "another client is answered while the slow one is stuck (worst %.3f s)" % worst)

# Drain what was queued in the socket; the connection must end.
got = 0
closed = False
slow.settimeout(10)
try:
    while True:
        chunk = slow.recv(1 << 20)
        if not chunk:
            closed = True
            break
        got += len(chunk)
except ConnectionResetError:
    closed = True
except socket.timeout:
    pass
wanted = sent * page_bytes
report(closed and got < wanted,
       "the slow client is disconnected (read %d of ~%d bytes)" % (got, wanted))
report(peak < rss_limit, "routed's resident memory stays bounded (peak %d KiB, limit %d KiB)"
       % (peak, rss_limit))

conns = None
deadline = time.monotonic() + 20  # a loaded machine may take long to notice
while True:
    conns = probe.call("stats")["result"]["control"]["connections"]
    if conns == 1 or time.monotonic() >= deadline:
        break
    time.sleep(0.05)
report(conns == 1, "only the probe stays connected", conns)
probe.close()
