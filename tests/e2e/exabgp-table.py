#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What routed's table must hold when ExaBGP + routed-exabgp take the routes
# of BIRD speakers configured by tests/e2e/exabgp.sh (bird_speaker_conf):
#
#   exabgp-table.py compare ROUTECTL CONF...   routed's bgp routes equal
#                                              what the speakers of CONF...
#                                              (those whose session is up)
#                                              announce; differences printed
#   exabgp-table.py count ROUTECTL             the number of bgp routes
#
# Every speaker's AS path is its own AS only, with no MED or local-pref,
# so of several speakers announcing a prefix the one with the lowest
# address (the lowest link number K) wins; the tag is its AS, 65000 + K.

import json
import re
import subprocess
import sys


def expected(confs):
    want = {}
    for conf in sorted(confs, key=lambda c: int(re.search(r"router id 10\.20(\d)\.", open(c).read()).group(1))):
        text = open(conf).read()
        k = int(re.search(r"router id 10\.20(\d)\.", text).group(1))
        for prefix, via in re.findall(r"route (\S+) via (\S+);", text):
            want.setdefault(prefix, (via, 65000 + k))
    return want


def routed(routectl):
    out = subprocess.run([routectl, "-j", "route", "show"], check=True, capture_output=True).stdout
    got = {}
    for r in json.loads(out)["routes"]:
        if r["proto"] == "bgp":
            got[r["prefix"]] = (r.get("via"), r.get("tag"))
    return got


def main():
    if sys.argv[1] == "count":
        print(len(routed(sys.argv[2])))
        return 0
    want, got = expected(sys.argv[3:]), routed(sys.argv[2])
    if want == got:
        return 0
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    wrong = sorted(p for p in set(want) & set(got) if want[p] != got[p])
    print("# %d routes, want %d: %d missing %s, %d extra %s, %d differ %s" % (
        len(got), len(want), len(missing), missing[:3], len(extra), extra[:3], len(wrong),
        [(p, got[p], want[p]) for p in wrong[:3]]))
    return 1


sys.exit(main())
