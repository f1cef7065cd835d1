#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Protocol abuse over a raw connection to a running routed:
#   protocol.py SOCKET MAX_LINE_BYTES MAX_CONNECTIONS
# Prints "ok - ..." / "not ok - ..." lines (renumbered by lib.sh's tap_merge)
# and "# ..." diagnostics. Every malformed line is followed by a request on
# the same connection, to show that it still works.

import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rpc import Closed, Conn  # noqa: E402

path = sys.argv[1]
max_line = int(sys.argv[2])
max_connections = int(sys.argv[3])
failures = 0


def report(passed, desc, detail=None):
    global failures
    print(("ok - " if passed else "not ok - ") + desc)
    if not passed:
        failures += 1
        if detail is not None:
            print("# " + str(detail).replace("\n", "\n# ")[:2000])


def error_of(msg, code, req_id):
    """Whether msg is a JSON-RPC error with this code and id."""
    return (msg.get("jsonrpc") == "2.0" and msg.get("id", "missing") == req_id
            and isinstance(msg.get("error"), dict) and msg["error"].get("code") == code
            and isinstance(msg["error"].get("message"), str) and "result" not in msg)


def still_works(conn):
    try:
        msg = conn.call("ping")
        return msg.get("result") == {"pong": True}
    except (Closed, OSError, ValueError):
        return False


def expect_error(conn, line, code, req_id, desc, check=None):
    """Send a raw line; the response must be error `code` with `req_id`,
    and a ping on the same connection must work afterwards."""
    try:
        conn.send_raw(line)
        msg = conn.recv()
    except (Closed, OSError, ValueError) as e:
        report(False, desc, "no response: %r" % e)
        return None
    good = error_of(msg, code, req_id) and (check is None or check(msg))
    report(good, desc, json.dumps(msg))
    report(still_works(conn), desc + ": the connection still works")
    return msg


conn = Conn(path)

# ---- well-formed calls ----
msg = conn.call("ping")
report(msg == {"jsonrpc": "2.0", "id": 1, "result": {"pong": True}}, "ping", msg)
conn.send_raw(b'{"jsonrpc":"2.0","id":"abc","method":"ping","params":{}}\r\n')
msg = conn.recv()
report(msg == {"jsonrpc": "2.0", "id": "abc", "result": {"pong": True}},
       "a string id and a CRLF terminator", msg)
conn.send_raw(b'\n\n{"jsonrpc":"2.0","id":null,"method":"ping","params":null}\n')
msg = conn.recv()
report(msg == {"jsonrpc": "2.0", "id": None, "result": {"pong": True}},
       "empty lines are ignored; a null id is answered", msg)

# Pipelining: many requests in one write, answered in order.
batch = b"".join(b'{"jsonrpc":"2.0","id":%d,"method":"ping"}\n' % i for i in range(100, 300))
conn.send_raw(batch)
ids = [conn.recv()["id"] for _ in range(200)]
report(ids == list(range(100, 300)), "200 pipelined requests answered in order", ids[:10])

# A notification gets no response, not even an error.
conn.send("route.add", {"prefix": "10.77.0.0/16"}, notification=True)
conn.send("nosuch.method", notification=True)
msg = conn.call("route.get", {"prefix": "10.77.0.0/16"})
report(msg.get("result", {}).get("routes", [{}])[0].get("prefix") == "10.77.0.0/16",
       "notifications run and get no response (the next response is the next call's)", msg)

# ---- errors with an id ----
msg = conn.call("nosuch.method")
report(error_of(msg, -32601, msg.get("id")) and "nosuch.method" in msg["error"]["message"],
       "unknown method: -32601 naming it", msg)
msg = conn.call("route.add", {"prefix": "10.0.0.1/8"})
report(error_of(msg, -32602, msg.get("id"))
       and "10.0.0.1/8" in msg["error"]["message"]
       and "host bits set" in msg["error"]["message"]
       and msg["error"].get("data") == {"field": "prefix"},
       "host bits set: -32602 naming the input, data.field prefix", msg)
msg = conn.call("route.add", {"prefix": "10.0.0.0/33"})
report(error_of(msg, -32602, msg.get("id")) and "10.0.0.0/33" in msg["error"]["message"],
       "prefix length out of range: -32602 naming the input", msg)
msg = conn.call("route.add", {"prefix": "10.0.0.0/8", "colour": "blue"})
report(error_of(msg, -32602, msg.get("id")) and msg["error"].get("data") == {"field": "colour"},
       "unknown param key: -32602 naming it", msg)
msg = conn.call("route.add", {"prefix": "10.0.0.0/8", "metric": -1})
report(error_of(msg, -32602, msg.get("id")) and msg["error"].get("data") == {"field": "metric"},
       "metric out of range: -32602, field metric", msg)
msg = conn.call("route.add", {"prefix": "10.0.0.0/8", "metric": "5"})
report(error_of(msg, -32602, msg.get("id")) and msg["error"].get("data") == {"field": "metric"},
       "metric of the wrong type: -32602, field metric", msg)
msg = conn.call("route.add", {"prefix": "10.0.0.0/8", "table": 4242})
report(error_of(msg, -32001, msg.get("id")) and msg["error"].get("data") == {"field": "table"},
       "a table that does not exist: -32001, field table", msg)
msg = conn.call("route.load", {"routes": [{"prefix": "10.1.0.0/16"}, {"prefix": "10.2.0.0/16"},
                                          {"prefix": "10.3.0.0/16", "via": "bogus"}]})
report(error_of(msg, -32602, msg.get("id"))
       and msg["error"].get("data") == {"field": "routes[2].via"},
       "route.load: the bad entry is named (routes[2].via)", msg)
msg = conn.call("route.get", {"prefix": "10.1.0.0/16"})
report(error_of(msg, -32001, msg.get("id")), "... and nothing of that load was applied", msg)
lines = ["10.%d.%d.0/24 via 192.0.2.1" % (64 + i // 256, i % 256) for i in range(3000)]
msg = conn.call("route.load", {"lines": lines[:-1] + ["10.99.0.0/24 via bogus"]})
report(error_of(msg, -32602, msg.get("id"))
       and msg["error"].get("data", {}).get("field", "").startswith("lines[2999]"),
       "route.load of 3000 lines, the last one bad: -32602 naming lines[2999]", msg)
msg = conn.call("route.get", {"prefix": "10.64.0.0/24"})
report(error_of(msg, -32001, msg.get("id")), "... and none of its lines was applied", msg)
msg = conn.call("route.load", {"lines": lines})
report(msg.get("result", {}).get("added") == 3000, "route.load of the 3000 good lines adds them", msg)
msg = conn.call("route.get", {"prefix": "10.75.183.0/24"})
report(msg.get("result", {}).get("routes", [{}])[0].get("via") == "192.0.2.1"
       if isinstance(msg.get("result"), dict) else False,
       "... the last of them is there", msg)
msg = conn.call("route.flush", {})
report("result" in msg, "... and goes with a flush", msg)
msg = conn.call("route.delete", {"prefix": "192.0.2.0/24"})
report(error_of(msg, -32001, msg.get("id")), "deleting a missing route: -32001", msg)
conn.send_raw(b'{"jsonrpc":"2.0","id":5,"method":"ping","params":[1]}\n')
msg = conn.recv()
report(error_of(msg, -32602, 5), "params not an object: -32602", msg)
conn.send_raw(b'{"jsonrpc":"2.0","id":6,"method":"ping","params":{"x":1}}\n')
msg = conn.recv()
report(error_of(msg, -32602, 6), "params for a method without params: -32602", msg)
msg = conn.call("route.lookup", {"addresses": ["10.0.0.1"] * 65537})
report(error_of(msg, -32005, msg.get("id")), "route.lookup of 65537 addresses: -32005", msg)
msg = conn.call("route.list", {"cursor": "not a cursor"})
report(error_of(msg, -32602, msg.get("id")) and msg["error"].get("data") == {"field": "cursor"},
       "a forged cursor: -32602, field cursor", msg)

# ---- methods: the machine-readable list ----
msg = conn.call("methods")
methods = {m["name"]: m for m in msg.get("result", {}).get("methods", [])}
admin = {"route.add", "route.replace", "route.delete", "route.flush", "route.load", "load.begin",
         "load.add", "load.commit", "load.abort", "table.create", "table.delete",
         "config.reload", "feed.push"}
reading = {"methods", "ping", "info", "stats", "route.get", "route.lookup", "route.list",
           "table.list", "config.get", "subscribe", "unsubscribe", "feed.list"}
report(set(methods) == admin | reading, "methods lists every documented method", sorted(methods))
report(all(methods[m]["admin"] == (m in admin) for m in methods), "methods: the admin flags")
report(all(m["params"].get("type") == "object" and m["params"].get("additionalProperties") is False
           and isinstance(m["summary"], str) and m["summary"] for m in methods.values()),
       "methods: each has a summary and a strict object schema")

# ---- load transactions ----
tx = Conn(path)
msg = tx.call("load.begin", {"table": "main"})
txn = msg.get("result", {}).get("txn")
report(isinstance(txn, int), "load.begin returns a transaction id", msg)
msg = tx.call("load.begin", {})
report(error_of(msg, -32004, msg.get("id")), "a second load.begin on the connection: -32004", msg)
msg = tx.call("load.add", {"txn": txn, "routes": [{"prefix": "10.60.0.0/16"},
                                                   {"prefix": "10.61.0.0/16", "metric": 3}]})
report(msg.get("result") == {"staged": 2}, "load.add stages a chunk", msg)
msg = tx.call("load.add", {"txn": txn, "routes": [{"prefix": "10.62.0.0/16"},
                                                   {"prefix": "10.63.0.0/16", "via": "x"}]})
report(error_of(msg, -32602, msg.get("id")) and msg["error"].get("data") == {"field": "routes[1].via"}
       and msg["error"]["message"].startswith("chunk 2, "),
       "a bad route: -32602 naming the chunk and routes[1].via", msg)
msg = tx.call("load.add", {"txn": txn, "routes": [{"prefix": "2001:db8:60::/48"}]})
report(msg.get("result") == {"staged": 3}, "the rejected chunk staged nothing", msg)
msg = tx.call("load.commit", {"txn": txn, "dry_run": True})
res = msg.get("result", {})
report((res.get("added"), res.get("dry_run"), len(res.get("diff", []))) == (3, True, 3),
       "load.commit dry_run: counts and diff", msg)
msg = tx.call("route.get", {"prefix": "10.60.0.0/16"})
report(error_of(msg, -32001, msg.get("id")), "... changed nothing", msg)
msg = tx.call("load.commit", {"txn": txn})
report(msg.get("result") == {"added": 3, "replaced": 0, "deleted": 0, "unchanged": 0,
                             "dry_run": False},
       "the dry run left the transaction open; load.commit applies it", msg)
msg = tx.call("route.get", {"prefix": "2001:db8:60::/48"})
report("result" in msg, "... the routes are there", msg)
msg = tx.call("load.commit", {"txn": txn})
report(error_of(msg, -32001, msg.get("id")), "the commit ended the transaction (-32001)", msg)
txn = tx.call("load.begin", {})["result"]["txn"]
tx.call("load.add", {"txn": txn, "routes": [{"prefix": "10.64.0.0/16"}]})
msg = tx.call("load.abort", {"txn": txn})
report(msg.get("result") == {}, "load.abort", msg)
msg = tx.call("route.get", {"prefix": "10.64.0.0/16"})
report(error_of(msg, -32001, msg.get("id")), "... applied nothing", msg)
tx.close()

# ---- subscriptions ----
sub = Conn(path)
msg = sub.call("subscribe", {"tables": ["main"], "snapshot": True})
sub_id = msg.get("result", {}).get("subscription")
seq = msg.get("result", {}).get("seq")
report(isinstance(sub_id, int) and isinstance(seq, int), "subscribe returns an id and a seq", msg)
snap = []
while True:
    ev = sub.recv()
    if ev.get("method") != "route.event" or ev["params"]["op"] != "snapshot":
        break
    snap.append(ev["params"]["route"]["prefix"])
report(ev.get("params", {}).get("op") == "snapshot_end" and ev["params"].get("seq") == seq
       and "route" not in ev["params"] and ev["params"].get("subscription") == sub_id,
       "the snapshot ends with snapshot_end", ev)
current = [r["prefix"] for r in conn.call("route.list", {"table": "main"})["result"]["routes"]]
report(snap == current, "the snapshot holds the current routes in order", snap)
conn.call("route.add", {"prefix": "10.65.0.0/16", "dev": "eth5"})
ev = sub.recv()
report(ev.get("method") == "route.event" and "id" not in ev
       and ev["params"]["seq"] == seq + 1 and ev["params"]["op"] == "add"
       and ev["params"]["route"]["dev"] == "eth5" and ev["params"]["subscription"] == sub_id,
       "a change by another connection: an add event with the next seq", ev)
msg = sub.call("unsubscribe", {"subscription": sub_id})
report(msg.get("result") == {}, "unsubscribe", msg)
conn.call("route.delete", {"prefix": "10.65.0.0/16"})
sub.send("ping")
msg = sub.recv()
report(msg.get("result") == {"pong": True}, "no events after unsubscribe", msg)
msg = sub.call("unsubscribe", {"subscription": sub_id})
report(error_of(msg, -32001, msg.get("id")), "unsubscribe of an unknown subscription: -32001", msg)
sub.close()

# ---- malformed requests: answered with id null, connection kept ----
expect_error(conn, b'{"jsonrpc":"2.0","id":1,"method":\n', -32700, None, "truncated JSON: -32700")
expect_error(conn, b"hello\n", -32700, None, "not JSON: -32700")
expect_error(conn, b'{"jsonrpc":"2.0","id":7,"method":"pi\xffng"}\n', -32700, None,
             "invalid UTF-8: -32700")
expect_error(conn, b'{"jsonrpc":"2.0","id":7,"method":"\xed\xa0\x80"}\n', -32700, None,
             "a UTF-8 encoded surrogate: -32700")
expect_error(conn, b'{"jsonrpc":"2.0","id":7,"id":8,"method":"ping"}\n', -32700, None,
             "duplicate key: -32700")
expect_error(conn, b'{"jsonrpc":"2.0","id":7,"method":"ping\\u0000"}\n', -32700, None,
             "\\u0000 in a string: -32700")
deep = b'{"jsonrpc":"2.0","id":9,"method":"ping","params":{"a":' + b"[" * 200 + b"]" * 200 + b"}}\n"
expect_error(conn, deep, -32700, None, "nesting 202 levels deep: -32700")
# 64 levels in all (the request object is one) are allowed: the params
# are then merely wrong for ping.
ok64 = (b'{"jsonrpc":"2.0","id":10,"method":"ping","params":{"a":' + b"[" * 62 + b"]" * 62
        + b"}}\n")
expect_error(conn, ok64, -32602, 10, "nesting of exactly 64 levels parses (then -32602)")
deep65 = (b'{"jsonrpc":"2.0","id":11,"method":"ping","params":{"a":' + b"[" * 63 + b"]" * 63
          + b"}}\n")
expect_error(conn, deep65, -32700, None, "nesting of 65 levels: -32700")
expect_error(conn, b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]\n', -32600, None,
             "a batch: -32600")
expect_error(conn, b'{"id":12,"method":"ping"}\n', -32600, 12, "no jsonrpc member: -32600")
expect_error(conn, b'{"jsonrpc":"1.0","id":13,"method":"ping"}\n', -32600, 13,
             "jsonrpc 1.0: -32600")
expect_error(conn, b'{"jsonrpc":"2.0","id":14,"method":7}\n', -32600, 14,
             "a method that is not a string: -32600")
expect_error(conn, b'{"jsonrpc":"2.0","id":15,"method":"ping","extra":1}\n', -32600, 15,
             "an unknown member: -32600")
expect_error(conn, b'{"jsonrpc":"2.0","id":[1],"method":"ping"}\n', -32600, None,
             "an id of the wrong type: -32600, id null")
expect_error(conn, b'"just a string"\n', -32600, None, "a JSON string: -32600")
expect_error(conn, b'{"jsonrpc":"2.0","method":7}\n', -32600, None,
             "an invalid request without an id is still answered")
conn.close()

# ---- an oversized line: -32005, then the connection is closed ----
conn = Conn(path)
payload = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"' + b"a" * (max_line + 10) \
    + b'"}}\n'
try:
    conn.send_raw(payload)
except (BrokenPipeError, ConnectionResetError):
    pass  # routed may close before it has read everything; the answer is queued
try:
    msg = conn.recv()
    report(error_of(msg, -32005, None), "a line over max_line_bytes: -32005 with id null", msg)
except (Closed, OSError, ValueError) as e:
    report(False, "a line over max_line_bytes: -32005 with id null", repr(e))
report(conn.wait_closed(), "... and the connection is closed")
conn.close()

# A line of exactly max_line_bytes is not too long.
conn = Conn(path)
head = b'{"jsonrpc":"2.0","id":2,"method":"route.lookup","params":{"addresses":["10.0.0.1"],"x":"'
tail = b'"}}'
line = head + b"b" * (max_line - len(head) - len(tail)) + tail
assert len(line) == max_line
conn.send_raw(line + b"\n")
msg = conn.recv()
report(error_of(msg, -32602, 2) and msg["error"].get("data") == {"field": "x"},
       "a line of exactly max_line_bytes is parsed", msg)
report(still_works(conn), "... and the connection still works")
conn.close()

# ---- half-close: earlier requests and a last line without \n answered ----
conn = Conn(path)
conn.send_raw(b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}')
conn.sock.shutdown(socket.SHUT_WR)
got = []
try:
    while True:
        got.append(conn.recv()["id"])
except (Closed, OSError):
    pass
report(got == [1, 2], "after shutdown(SHUT_WR) every request is answered, then EOF", got)
conn.close()

# ---- a connection that dies mid-transaction leaves nothing behind ----
def open_transactions():
    probe = Conn(path)
    n = probe.call("stats")["result"]["control"]["load_transactions"]
    probe.close()
    return n


conn = Conn(path)
txn = conn.call("load.begin", {})["result"]["txn"]
conn.call("load.add", {"txn": txn, "routes": [{"prefix": "10.88.0.0/16"}]})
report(open_transactions() == 1, "an open transaction is counted in stats")
other = Conn(path)
msg = other.call("load.commit", {"txn": txn})
report(error_of(msg, -32001, msg.get("id")),
       "another connection cannot commit the transaction (-32001)", msg)
conn.close()
deadline = time.monotonic() + 20  # a loaded machine may take long to notice
while open_transactions() != 0 and time.monotonic() < deadline:
    time.sleep(0.02)
report(open_transactions() == 0, "a transaction is aborted when its connection closes")
msg = other.call("route.get", {"prefix": "10.88.0.0/16"})
report(error_of(msg, -32001, msg.get("id")), "... and nothing it staged was applied", msg)
other.close()

# ---- max_connections: one more waits until one closes ----
conns = [Conn(path) for _ in range(max_connections)]
report(all(still_works(c) for c in conns), "%d connections at once" % max_connections)
extra = Conn(path, timeout=0.5)
extra.send("ping")
try:
    extra.recv()
    waited = False
except socket.timeout:
    waited = True
report(waited, "connection %d waits in the backlog" % (max_connections + 1))
conns.pop().close()
extra.sock.settimeout(5)
try:
    msg = extra.recv()
except (Closed, OSError, ValueError) as e:
    msg = repr(e)
report(msg == {"jsonrpc": "2.0", "id": 1, "result": {"pong": True}},
       "... and is served when another one closes", msg)
for c in conns + [extra]:
    c.close()

sys.exit(0)
