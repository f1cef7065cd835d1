#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in for routed's control socket, for routectl's own tests.

Answers JSON-RPC 2.0 lines with canned results and appends every request
it reads to a log (one JSON object per line) so tests can check what
routectl sent. Canned behaviour worth knowing:

- route.lookup: 10.0.0.0/8 and 2001:db8::/32 have routes, nothing else.
- route.list: FAKE_ROUTES routes (env, default 2500) in table 254, at most
  700 per page whatever the limit, so every listing pages.
- route.add of 10.0.0.0/8 with proto static metric 0: "already exists".
- load.add: a route with tag 666 is refused (field routes[i].tag, or
  lines[i] for route-file lines).
- route.get of 198.51.100.0/24: never answered (timeouts).
- config.reload: fails when FAKE_RELOAD_FAIL is set.
- subscribe: the response, three events, then the connection is closed.

usage: fake-routed.py SOCKET LOG
"""
import json
import os
import socket
import socketserver
import sys
import threading

PAGE_MAX = 700


def route(prefix, via=None, dev=None, metric=0, table=254, proto="static", tag=None):
    return {"table": table, "prefix": prefix, "via": via, "dev": dev,
            "metric": metric, "proto": proto, "tag": tag}


def route_of_line(line):
    """A route-file line as routectl load sends it: PREFIX then keyword pairs."""
    words = line.split()
    r = route(words[0])
    for key, value in zip(words[1::2], words[2::2]):
        field = "via" if key == "via" else key
        r[field] = int(value) if key in ("metric", "table", "tag") else value
    return r


def canned_routes():
    n = int(os.environ.get("FAKE_ROUTES", "2500"))
    out = []
    for i in range(n):
        r = route("10.%d.%d.0/24" % (i // 256, i % 256), via="192.0.2.1",
                  metric=i % 3, tag=(i if i % 5 == 0 else None))
        if i % 7 == 0:
            r["dev"] = "eth%d" % (i % 4)
        out.append(r)
    out.append(route("2001:db8::/32", dev="eth1", proto="bgp", metric=20))
    return out


ROUTES = canned_routes()


class RpcError(Exception):
    def __init__(self, code, message, field=None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def lookup(params):
    out = []
    for a in params["addresses"]:
        if a.startswith("10."):
            out.append({"address": a, "prefix": "10.0.0.0/8",
                        "route": route("10.0.0.0/8", via="192.0.2.1", dev="eth0", metric=5,
                                       table=params.get("table", 254))})
        elif a.lower().startswith("2001:db8:"):
            out.append({"address": a, "prefix": "2001:db8::/32",
                        "route": route("2001:db8::/32", dev="eth1", proto="bgp", tag=7)})
        elif a == "203.0.113.99":
            raise RpcError(-32602, "address refused by the fake", "addresses[%d]" % len(out))
        else:
            out.append({"address": a, "prefix": None, "route": None})
    return {"results": out}


def route_list(params):
    limit = params.get("limit", 1000)
    start = int(params.get("cursor") or 0)
    routes = ROUTES
    if params.get("family") == "inet6":
        routes = [r for r in routes if ":" in r["prefix"]]
    elif params.get("family") == "inet":
        routes = [r for r in routes if ":" not in r["prefix"]]
    end = start + min(limit, PAGE_MAX)
    page = routes[start:end]
    return {"routes": page, "cursor": str(end) if end < len(routes) else None}


class Handler(socketserver.StreamRequestHandler):
    def send(self, obj):
        self.wfile.write((json.dumps(obj) + "\n").encode())
        self.wfile.flush()

    def handle(self):
        staged = []
        for raw in self.rfile:
            req = json.loads(raw)
            with self.server.lock:
                with open(self.server.log, "a") as log:
                    log.write(json.dumps(req) + "\n")
            method, params = req.get("method"), req.get("params", {})
            try:
                if method == "route.get" and params.get("prefix") == "198.51.100.0/24":
                    continue
                if method == "subscribe":
                    self.send({"jsonrpc": "2.0", "id": req["id"],
                               "result": {"subscription": 1, "seq": 41}})
                    for seq, op in ((42, "add"), (43, "delete"), (44, "add")):
                        self.send({"jsonrpc": "2.0", "method": "route.event",
                                   "params": {"subscription": 1, "seq": seq, "op": op,
                                              "route": route("10.9.%d.0/24" % seq)}})
                    return
                result = self.dispatch(method, params, staged)
                self.send({"jsonrpc": "2.0", "id": req["id"], "result": result})
            except RpcError as e:
                err = {"code": e.code, "message": e.message}
                if e.field:
                    err["data"] = {"field": e.field}
                self.send({"jsonrpc": "2.0", "id": req["id"], "error": err})

    def dispatch(self, method, params, staged):
        if method == "ping":
            return {"pong": True}
        if method == "info":
            return {"version": "0.1.0", "pid": 1, "uptime_seconds": 1.5, "threads": 2,
                    "rcu_flavor": "memb", "membarrier": True, "config_file": None}
        if method == "stats":
            return {"tables": [{"id": 254, "name": "main",
                                "ipv4": {"prefixes": 3, "routes": 4, "rib_bytes": 512,
                                         "fib_bytes": 1048600},
                                "ipv6": {"prefixes": 0, "routes": 0, "rib_bytes": 0,
                                         "fib_bytes": 0},
                                "nexthops": 2, "memory_bytes": 1050000,
                                "bytes_per_route": 262500.0, "generation": 17}],
                    "routes": 4, "memory_bytes": 1050000,
                    "lookups": {"requests": 0, "addresses": 0},
                    "control": {"requests": 12, "errors": 1, "connections": 1,
                                "connections_total": 5},
                    "events": {"seq": 1043, "subscribers": 0}}
        if method == "table.list":
            return {"tables": [{"id": 254, "name": "main", "ipv4_routes": 2500,
                                "ipv6_routes": 1}]}
        if method == "route.lookup":
            return lookup(params)
        if method == "route.list":
            return route_list(params)
        if method in ("route.add", "route.replace"):
            r = dict(route(params["prefix"]), **params)
            if method == "route.add" and r["prefix"] == "10.0.0.0/8" and r["metric"] == 0:
                raise RpcError(-32002, "route 10.0.0.0/8 proto static metric 0 exists")
            return {"route": r}
        if method == "config.reload":
            if os.environ.get("FAKE_RELOAD_FAIL"):
                raise RpcError(-32602, "line 3: unknown key 'bogus'")
            return {"reloaded": True}
        if method == "load.begin":
            staged.clear()
            return {"txn": 7}
        if method == "load.add":
            if params.get("txn") != 7:
                raise RpcError(-32001, "no such transaction", "txn")
            if "lines" in params:
                routes, field = [route_of_line(l) for l in params["lines"]], "lines[%d]"
            else:
                routes, field = params["routes"], "routes[%d].tag"
            for i, r in enumerate(routes):
                if r.get("tag") == 666:
                    raise RpcError(-32602, "tag 666 is refused", field % i)
            staged.extend(routes)
            return {"staged": len(staged)}
        if method == "load.commit":
            dry = bool(params.get("dry_run"))
            res = {"added": len(staged), "replaced": 0, "deleted": 0, "unchanged": 0,
                   "dry_run": dry}
            if dry:
                res["diff"] = [{"op": "add", "route": r} for r in staged[:2]]
                res["diff"].append({"op": "delete", "route": route("192.0.2.0/24")})
                res["deleted"] = 1
                res["diff_truncated"] = len(staged) > 2
            return res
        if method == "load.abort":
            return {}
        raise RpcError(-32601, "method not found: %s" % method)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    path, log = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    srv = Server(path, Handler)
    srv.log = log
    srv.lock = threading.Lock()
    if len(sys.argv) > 3:
        # Listening before the ready file appears: a client may connect.
        with open(sys.argv[3], "w"):
            pass
    srv.serve_forever()


if __name__ == "__main__":
    main()
