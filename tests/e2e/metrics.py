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
#   metrics.py status ADDR:PORT REQUEST-KIND
#       Send one kind of request (notfound, post, head, oversized-header,
#       oversized-body) and print the status code, or "closed" when the
#       connection ended without one.
#   metrics.py idle ADDR:PORT N FIFO
#       Open N connections that send nothing, print "open", and hold them
#       until a line arrives on FIFO.

import json
import re
import socket
import sys

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
    samples = []
    for line in open(path):
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


def compare(metrics_path, stats_path):
    s = parse(metrics_path)
    st = json.load(open(stats_path))
    st = st.get("result", st)
    fails = 0

    def check(desc, got, want):
        nonlocal fails
        if got == want:
            print("ok - %s (%d)" % (desc, want))
        else:
            fails += 1
            print("not ok - %s: metrics %s, stats %s" % (desc, got, want))

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
    # The stats call is a control request too, counted before it answers.
    check("control requests (stats counts itself)",
          value(s, "routed_control_requests_total") + 1, st["control"]["requests"])
    check("control errors", value(s, "routed_control_errors_total"), st["control"]["errors"])
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
    return 1 if fails else 0


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
    if cmd == "status" and len(argv) == 4:
        return status(argv[2], argv[3])
    if cmd == "idle" and len(argv) == 5:
        return idle(argv[2], int(argv[3]), argv[4])
    print(__doc__ if __doc__ else "usage: see the comment at the top", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
