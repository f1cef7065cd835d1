#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The metrics endpoint's client for the end-to-end tests (plain sockets,
# so every byte sent is the test's choice).
#
#   metrics.py get ADDR:PORT OUT
#       GET /metrics; the body to OUT. Fails unless 200 with the 0.0.4
#       content type.
#   metrics.py compare METRICS STATS.json
#       Values of the exposition against a stats result taken right after
#       it. Prints "ok - ..." / "not ok - ..." lines.
#   metrics.py methods SOCKET ADDR:PORT
#       Control requests of known outcome (successes, errors of known and
#       unknown methods, a parse error); the counts by method of stats and
#       of the exposition must grow by exactly those. Prints "ok - ..." /
#       "not ok - ..." lines.
#   metrics.py status ADDR:PORT REQUEST-KIND
#       Send one kind of request (notfound, post, head, oversized-header,
#       oversized-body) and print the status code, or "closed" when the
#       connection ended without one.
#   metrics.py idle ADDR:PORT N FIFO
#       Open N connections that send nothing, print "open", and hold them
#       until a line arrives on FIFO.

import json
import os
import re
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rpc  # noqa: E402

TIMEOUT = 30


def connect(target):
    host, port = target.rsplit(":", 1)
    s = socket.create_connection((host.strip("[]"), int(port)), timeout=TIMEOUT)
    return s


def exchange(target, request):
    """Send request, read the whole answer (the server closes, or we stop
    at the end of the body); return (status or None, headers, body)."""
    s = connect(target)
    try:
        try:
            s.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            if sep and m and len(body) >= int(m.group(1)):
                break
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode()
    return (int(m.group(1)) if m else None), headers, body


def get(target, out):
    status, headers, body = exchange(
        target, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    if status != 200:
        print("GET /metrics: status %s" % status, file=sys.stderr)
        return 1
    ctype = headers.get("content-type", "")
    if ctype != "text/plain; version=0.0.4; charset=utf-8":
        print("GET /metrics: content type %r" % ctype, file=sys.stderr)
        return 1
    with open(out, "wb") as f:
        f.write(body)
    return 0


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def parse(path):
    return parse_text(open(path).read())


def parse_text(text):
    samples = []
    for line in text.splitlines():
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError("bad line: %r" % line)
        labels = dict(LABEL.findall(m.group(2) or ""))
        samples.append((m.group(1), labels, float(m.group(3))))
    return samples


def value(samples, name, **labels):
    return sum(v for n, l, v in samples
               if n == name and all(l.get(k) == x for k, x in labels.items()))


class Checker:
    def __init__(self):
        self.fails = 0

    def __call__(self, desc, got, want):
        if got == want:
            print("ok - %s (%s)" % (desc, want))
        else:
            self.fails += 1
            print("not ok - %s: got %s, want %s" % (desc, got, want))


def compare(metrics_path, stats_path):
    s = parse(metrics_path)
    st = json.load(open(stats_path))
    st = st.get("result", st)
    check = Checker()

    for t in st["tables"]:
        name = t.get("name") or str(t["id"])
        for fam in ("ipv4", "ipv6"):
            check("routes of table %s, %s" % (name, fam),
                  value(s, "routed_routes", table=name, family=fam), t[fam]["routes"])
            check("prefixes of table %s, %s" % (name, fam),
                  value(s, "routed_prefixes", table=name, family=fam), t[fam]["prefixes"])
        check("generation of table %s" % name,
              value(s, "routed_table_generation", table=name), t["generation"])
    check("tables", value(s, "routed_tables"), len(st["tables"]))
    check("lookup requests, all sources", value(s, "routed_lookup_requests_total"),
          st["lookups"]["requests"])
    check("lookup addresses, all sources", value(s, "routed_lookup_addresses_total"),
          st["lookups"]["addresses"])
    check("UDP datagrams", value(s, "routed_udp_datagrams_total"), st["udp"]["datagrams"])
    drops = {k: v for k, v in st["udp"]["drops"].items() if k != "total"}
    check("UDP drops, all reasons", value(s, "routed_udp_drops_total"), st["udp"]["drops"]["total"])
    for k, v in drops.items():
        check("UDP drops, reason %s" % k, value(s, "routed_udp_drops_total", reason=k), v)
    for li in st["udp"]["listeners"]:
        a = li["address"]
        check("requests of listener %s" % a,
              value(s, "routed_udp_listener_requests_total", listener=a), li["requests"])
        check("lookups of listener %s" % a,
              value(s, "routed_udp_listener_lookups_total", listener=a), li["lookups"])
        for k, v in li["drops"].items():
            if k != "total":
                check("drops of listener %s, reason %s" % (a, k),
                      value(s, "routed_udp_listener_drops_total", listener=a, reason=k), v)
        check("drops of listener %s, all reasons" % a,
              value(s, "routed_udp_listener_drops_total", listener=a), li["drops"]["total"])
    check("UDP requests: the sum over the listeners",
          sum(li["requests"] for li in st["udp"]["listeners"]), st["udp"]["datagrams"])
    # The stats call is a control request too, counted before it answers.
    check("control requests (stats counts itself)",
          value(s, "routed_control_requests_total") + 1, st["control"]["requests"])
    check("control errors", value(s, "routed_control_errors_total"), st["control"]["errors"])
    for name, m in st["control"]["methods"].items():
        check("control requests of %s" % name,
              value(s, "routed_control_method_requests_total", method=name) +
              (name == "stats"), m["requests"])
        check("control errors of %s" % name,
              value(s, "routed_control_method_errors_total", method=name), m["errors"])
    check("reloads", value(s, "routed_reloads_total"), st["control"]["reloads"])
    # Grace periods may be waited for between the two reads: never fewer in stats.
    gp = value(s, "routed_grace_period_seconds_count")
    check("grace periods (not more than stats counts after)",
          min(gp, st["rcu"]["grace_periods"]["count"]), gp)
    check("gate write sections", value(s, "routed_gate_write_sections_total"),
          st["rcu"]["gate"]["write_sections"])
    # Histogram: cumulative buckets, +Inf equals _count.
    buckets = [(l["le"], v) for n, l, v in s if n == "routed_grace_period_seconds_bucket"]
    counts = [v for _, v in buckets]
    check("grace-period buckets are cumulative", int(counts == sorted(counts)), 1)
    check("the +Inf bucket is the count", buckets[-1][1] if buckets[-1][0] == "+Inf" else -1,
          value(s, "routed_grace_period_seconds_count"))
    return 1 if check.fails else 0


def scrape(target):
    status, _, body = exchange(
        target, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    if status != 200:
        raise AssertionError("GET /metrics: status %s" % status)
    return parse_text(body.decode())


def methods(sock_path, target):
    check = Checker()
    c = rpc.Conn(sock_path)
    names = [m["name"] for m in rpc.result(c, "methods")["methods"]]
    before = rpc.result(c, "stats")["control"]["methods"]
    # (method or None for a raw line, params, raw line, expect an error)
    sent = [("ping", None, None, False)] * 3 + [
        ("route.get", {"prefix": "203.0.113.0/24"}, None, True),
        ("route.add", {"prefix": "300.0.0.0/8"}, None, True),
        ("no.such.method", None, None, True),
        ("ping", None, b'{"jsonrpc":"2.0","id":1,"method":"ping","bogus":1}\n', True),
        (None, None, b"{bad json\n", True),
    ]
    want = {}
    for method, params, raw, fails in sent:
        if raw is None:
            msg = c.call(method, params)
        else:
            c.send_raw(raw)
            msg = c.recv()
        check("%s answers with %s" % (method or "a parse error", "an error" if fails else
                                       "a result"), "error" in msg, fails)
        label = method if method in names else ("unknown" if method else "invalid")
        r, e = want.get(label, (0, 0))
        want[label] = (r + 1, e + fails)
    # A notification of an unknown method: no answer, an error all the same.
    c.send("no.such.method", notification=True)
    want["unknown"] = (want["unknown"][0] + 1, want["unknown"][1] + 1)
    st = rpc.result(c, "stats")["control"]
    want["stats"] = (1, 0)
    after = st["methods"]
    c.close()
    check("stats lists every method, unknown and invalid",
          sorted(after), sorted(names + ["unknown", "invalid"]))
    for name in sorted(after):
        got = (after[name]["requests"] - before.get(name, {"requests": 0})["requests"],
               after[name]["errors"] - before.get(name, {"errors": 0})["errors"])
        check("%s: requests and errors grew by what was sent" % name, got,
              want.get(name, (0, 0)))
    check("the methods add up to control.requests",
          sum(m["requests"] for m in after.values()), st["requests"])
    check("the methods add up to control.errors",
          sum(m["errors"] for m in after.values()), st["errors"])
    s = scrape(target)
    for name, m in after.items():
        check("metrics: requests of %s" % name,
              value(s, "routed_control_method_requests_total", method=name), m["requests"])
        check("metrics: errors of %s" % name,
              value(s, "routed_control_method_errors_total", method=name), m["errors"])
    labels = {l.get("method") for n, l, _ in s
              if n.startswith("routed_control_method_")}
    check("metrics: the method labels are the method table's, unknown and invalid",
          sorted(labels), sorted(names + ["unknown", "invalid"]))
    return 1 if check.fails else 0


REQUESTS = {
    "notfound": b"GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "post": b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
            b"Connection: close\r\n\r\n",
    "head": b"HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "oversized-header": b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Fill: " + b"a" * 65536 +
                        b"\r\nConnection: close\r\n\r\n",
    "oversized-body": b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n"
                      b"Connection: close\r\n\r\n" + b"a" * 65536,
}


def status(target, kind):
    code, _, _ = exchange(target, REQUESTS[kind])
    print(code if code is not None else "closed")
    return 0


def idle(target, n, fifo):
    conns = [connect(target) for _ in range(n)]
    print("open", flush=True)
    with open(fifo) as f:
        f.readline()
    for c in conns:
        c.close()
    return 0


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "get" and len(argv) == 4:
        return get(argv[2], argv[3])
    if cmd == "compare" and len(argv) == 4:
        return compare(argv[2], argv[3])
    if cmd == "methods" and len(argv) == 4:
        return methods(argv[2], argv[3])
    if cmd == "status" and len(argv) == 4:
        return status(argv[2], argv[3])
    if cmd == "idle" and len(argv) == 5:
        return idle(argv[2], int(argv[3]), argv[4])
    print(__doc__ if __doc__ else "usage: see the comment at the top", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
