#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds a state directory of routed 1 (see tests/data/state-v1/README).
import json, os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from rpc import Conn

c = Conn(sys.argv[1], timeout=60)

def call(m, p=None):
    r = c.call(m, p)
    if "error" in r:
        sys.exit("%s %r: %r" % (m, p, r))
    return r["result"]

# Before the snapshot: a runtime table and routes of every shape.
call("table.create", {"id": 100, "name": "dmz"})
call("route.add", {"prefix": "10.0.0.0/8", "via": "192.0.2.1"})
call("route.add", {"prefix": "10.1.0.0/16", "via": "192.0.2.2", "dev": "eth0", "metric": 10, "tag": 7})
call("route.add", {"prefix": "2001:db8::/32", "via": "2001:db8::1", "table": 100, "proto": "operator"})
call("route.add", {"prefix": "10.2.0.0/16", "dev": "eth1", "table": 100, "proto": "api", "metric": 5})
call("route.add", {"prefix": "10.9.0.0/16", "via": "192.0.2.9"})
# Journal growth up to snapshot_bytes without growing the state: a load
# into a scratch table, then empty flushes of it until the next record
# passes the threshold, and that record deletes the scratch table, so the
# snapshot holds the routes above only.
LIMIT = 1048576
call("table.create", {"id": 300, "name": "scratch"})
def grown():
    return call("info")["durability"]["journal_bytes_since_snapshot"]
room = LIMIT - grown() - 4096
lines = ["10.%d.%d.0/24 via 192.0.2.1" % (64 + i // 256, i % 256) for i in range(room // 80)]
call("route.load", {"lines": lines, "table": 300})
while LIMIT - grown() > 48:
    call("route.flush", {"table": 300, "proto": "api"})
assert grown() < LIMIT
call("table.delete", {"table": 300})
while call("info")["durability"]["snapshots"] < 1:
    time.sleep(0.05)
# After the snapshot: the journal.
call("route.add", {"prefix": "2001:db8:1::/48", "dev": "eth2", "metric": 20, "tag": 9})
call("route.add", {"prefix": "::/0", "via": "2001:db8::fe", "table": 100, "proto": "operator"})
call("route.add", {"prefix": "10.3.0.0/16", "via": "192.0.2.3", "proto": "bgp"})
call("route.replace", {"prefix": "10.0.0.0/8", "via": "192.0.2.254", "dev": "eth0"})
call("route.delete", {"prefix": "10.9.0.0/16"})
call("route.add", {"prefix": "192.168.0.0/24", "via": "192.0.2.4", "table": 100, "metric": 3, "tag": 4294967295})
print(json.dumps(call("info")["durability"]))
