#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Whether routed's lookups agree with what zebra has installed.

usage: fpm-agree.py VTYSH-CMD ROUTECTL TABLE ADDRESS...

VTYSH-CMD runs vtysh (a shell word list, e.g. "ip netns exec NS vtysh
--vty_socket DIR"). For each address, the expected answer is the longest
selected, installed route of `show ip[v6] route [table N] json` that covers
it: its prefix and next hop (single path), its set of next hops {via, dev}
(several: routed's `nexthops` must equal it, and the via/dev routed chose
for the address must be one of them), or its type (blackhole,
unreachable). `ROUTECTL -j lookup ADDRESS... [table N]` must say the same.
Exit 0 when every address agrees; else prints the differences.
"""
import ipaddress
import json
import shlex
import subprocess
import sys

vtysh, routectl, table = shlex.split(sys.argv[1]), sys.argv[2], int(sys.argv[3])
addrs = sys.argv[4:]


def zebra_routes(v6):
    cmd = "show %s route %sjson" % ("ipv6" if v6 else "ip", "table %d " % table if table != 254 else "")
    out = subprocess.run(vtysh + ["-c", cmd], capture_output=True, text=True, check=True).stdout
    routes = []
    for prefix, rs in json.loads(out or "{}").items():
        for r in rs:
            if not (r.get("selected") and r.get("installed")):
                continue
            hops = [n for n in r.get("nexthops", []) if n.get("active") or n.get("fib")]
            if any(n.get("blackhole") for n in hops):
                kind = ("blackhole", None)
            elif any(n.get("reject") for n in hops):
                kind = ("unreachable", None)
            elif len(hops) > 1:
                kind = ("multipath", frozenset((n.get("ip"), n.get("interfaceName")) for n in hops))
            else:
                kind = ("unicast", hops[0].get("ip") if hops else None)
            routes.append((ipaddress.ip_network(prefix), kind))
    return routes


def expected(addr, routes):
    a = ipaddress.ip_address(addr)
    best = None
    for net, kind in routes:
        if a.version == net.version and a in net and (best is None or net.prefixlen > best[0].prefixlen):
            best = (net, kind)
    return best


zebra = {4: zebra_routes(False), 6: zebra_routes(True)}
args = [routectl, "-j", "lookup"] + addrs + (["table", str(table)] if table != 254 else [])
got = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
bad = 0
for addr, g in zip(addrs, got):
    want = expected(addr, zebra[ipaddress.ip_address(addr).version])
    if want is None:
        ok = g["prefix"] is None
        wtext = "no route"
    else:
        net, (kind, via) = want
        ok = g["prefix"] == str(net)
        if kind == "multipath":
            hops = frozenset((h["via"], h["dev"]) for h in g.get("nexthops") or [])
            ok = ok and g["type"] == "unicast" and hops == via and (g["via"], g["dev"]) in hops
            wtext = "%s %s via %s" % (kind, net, sorted(via))
        else:
            ok = ok and g["type"] == kind and "nexthops" not in g and (kind != "unicast" or g["via"] == via)
            wtext = "%s %s via %s" % (kind, net, via)
    if not ok:
        bad += 1
        print("# %s: zebra %s, routed %s %s via %s dev %s nexthops %s" % (
            addr, wtext, g["type"], g["prefix"], g["via"], g["dev"], g.get("nexthops")))
sys.exit(1 if bad else 0)
