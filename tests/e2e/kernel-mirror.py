#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers of tests/e2e/feed-kernel: the kernel's table against routed's
# mirror of it, and UDP lookups while they churn.
#
#   kernel-mirror.py compare NS KTABLE SOCKET TABLE
#       Exit 0 when routed's table TABLE holds exactly the routes of the
#       kernel table KTABLE in namespace NS (`ip -j route show table N`,
#       IPv4 and IPv6), compared route by route: prefix, type, gateway,
#       device, metric, protocol; a multipath route's set of next hops
#       {gateway, device, weight}. Otherwise print the differences as "# " lines and exit 1.
#   kernel-mirror.py count NS KTABLE
#       Print how many routes the kernel table has (both families).
#   kernel-mirror.py multipath NS KTABLE
#       Print how many of them are multipath routes.
#   kernel-mirror.py lookups ADDR:PORT STOP-FILE READY-FILE SPEC.json
#       Look up the addresses of SPEC ({"table": T, "addr": A, "allowed":
#       [GATEWAY or "reject" or null (no route)]}) over UDP in rounds
#       until STOP-FILE exists; every answer must be one of its allowed
#       ones. READY-FILE is created after each full round whenever it is
#       missing. Prints one TAP line at the end.

import ipaddress
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rpc  # noqa: E402
import udp  # noqa: E402

# ip's protocol words where routed's name differs (lib/rtnl_proto.c).
PROTO_NAMES = {"kernel": "connected", "186": "bgp", "187": "isis", "188": "ospf",
               "196": "static"}
REJECT_TYPES = ("blackhole", "unreachable", "prohibit")


def kernel_routes(ns, table):
    out = []
    for fam in ("-4", "-6"):
        p = subprocess.run(["ip", "-n", ns, fam, "-j", "route", "show", "table", str(table)],
                           capture_output=True, text=True)
        # A table without routes of a family: "FIB table does not exist".
        if p.returncode and "does not exist" in p.stderr:
            continue
        if p.returncode:
            raise SystemExit("# ip route show: " + p.stderr.strip())
        text = p.stdout
        for r in json.loads(text or "[]"):
            r["family"] = fam
            out.append(r)
    return out


def kernel_key_value(r):
    """(key, value) of an `ip -j` route as routed would hold it, or None if skipped."""
    rtype = r.get("type", "unicast")
    if rtype not in ("unicast",) + REJECT_TYPES:
        return None
    dst = r["dst"]
    if dst == "default":
        dst = "::/0" if r["family"] == "-6" else "0.0.0.0/0"
    prefix = str(ipaddress.ip_network(dst, strict=True))
    proto = r.get("protocol", "boot")
    proto = PROTO_NAMES.get(proto, "proto-" + proto if proto.isdigit() else proto)
    metric = r.get("metric", 0)
    value = {"type": rtype, "proto": proto}
    if rtype == "unicast":
        if "nexthops" in r:
            value["nexthops"] = sorted(((h.get("gateway"), h.get("dev"), h.get("weight", 1))
                                        for h in r["nexthops"]), key=repr)
        else:
            value["via"] = r.get("gateway")
            value["dev"] = r.get("dev")
    return (prefix, metric), value


def routed_routes(sock, table):
    conn = rpc.Conn(sock)
    routes, cursor = [], None
    while True:
        params = {"table": table}
        if cursor:
            params["cursor"] = cursor
        conn.send("route.list", params)
        resp = conn.recv()
        if "error" in resp:
            raise SystemExit("# route.list: %r" % resp["error"])
        res = resp["result"]
        routes += res["routes"]
        cursor = res.get("cursor")
        if not cursor:
            break
    conn.close()
    out = {}
    for r in routes:
        value = {"type": r["type"], "proto": r["proto"]}
        if r["type"] == "unicast":
            if r.get("nexthops"):
                value["nexthops"] = sorted(((h.get("via"), h.get("dev"), h.get("weight", 1))
                                            for h in r["nexthops"]), key=repr)
            else:
                value["via"] = r.get("via")
                value["dev"] = r.get("dev")
        out[(r["prefix"], r["metric"])] = value
    return out


def compare(ns, ktable, sock, table):
    want = {}
    for r in kernel_routes(ns, ktable):
        kv = kernel_key_value(r)
        if kv is None:
            continue
        key, value = kv
        want[key] = value
    have = routed_routes(sock, table)
    diffs = []
    for key in sorted(set(want) | set(have), key=str):
        if want.get(key) != have.get(key):
            diffs.append("# %s metric %s: kernel %r, routed %r" % (key[0], key[1],
                                                                  want.get(key), have.get(key)))
    if diffs:
        print("# %d kernel routes, %d routed routes, %d differ" % (len(want), len(have),
                                                                   len(diffs)))
        print("\n".join(diffs[:20]))
        return 1
    return 0


def lookups(target, stop_file, ready_file, spec_file):
    spec = json.load(open(spec_file))
    client = udp.Client(target)
    rounds = asked = 0
    wrong = []
    while not os.path.exists(stop_file):
        for t in sorted({s["table"] for s in spec}):
            for fam in (4, 6):
                items = [s for s in spec if s["table"] == t and
                         (":" in s["addr"]) == (fam == 6)]
                for i in range(0, len(items), 30):
                    chunk = items[i:i + 30]
                    hdr, answers, _ = client.ask(fam, [s["addr"] for s in chunk], t)
                    if hdr is None:
                        wrong.append("no answer for table %d" % t)
                        continue
                    for s, a in zip(chunk, answers):
                        asked += 1
                        got = None
                        if a["found"]:
                            got = "reject" if a["reject"] else a["gateway"]
                        if got not in s["allowed"]:
                            wrong.append("%s (table %d): %r, allowed %r" %
                                         (s["addr"], t, got, s["allowed"]))
        rounds += 1
        if not os.path.exists(ready_file):
            open(ready_file, "w").close()
    for w in wrong[:10]:
        print("# " + w)
    udp.tap(not wrong and rounds > 0,
            "%d UDP lookups in %d rounds during the changes, %d wrong answers" %
            (asked, rounds, len(wrong)))
    return 0


def main(argv):
    if len(argv) == 6 and argv[1] == "compare":
        return compare(argv[2], argv[3], argv[4], argv[5])
    if len(argv) == 4 and argv[1] in ("count", "multipath"):
        rs = kernel_routes(argv[2], argv[3])
        print(len(rs) if argv[1] == "count" else sum(1 for r in rs if "nexthops" in r))
        return 0
    if len(argv) == 6 and argv[1] == "lookups":
        return lookups(argv[2], argv[3], argv[4], argv[5])
    print("usage: see the comment at the top of kernel-mirror.py", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
