#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A lookup client for tests/e2e/reload-storm: looks up a fixed set of
# addresses over the control socket, over and over, until STOP-FILE exists,
# and checks every answer against what the route files make it:
#
#   10.S.T.1     -> 10.S.T.0/24 via 192.0.2.1         (stable: never changes)
#   192.168.7.1  -> 192.168.0.0/16 via 192.0.2.50     (added over the socket)
#   172.16.C.1   -> 172.16.C.0/24 via 192.0.2.10 (A) or 192.0.2.20 (B)
#   198.18.X.1   -> 198.18.X.0/24 via 192.0.2.30 (A) or the cover
#                   198.18.0.0/15 via 192.0.2.31 (B: the /24s are gone)
#   10.99.X.1 in table 100 -> 10.99.0.0/16 via 192.0.2.40 (A) or no route (B)
#
# One request is answered between two reloads, so every churned answer of
# one request must come from the same version. Prints TAP lines
# ("ok - ...", merged into the caller's numbering) and "# " comments.
#
#   lookup-checker.py SOCKET STOP-FILE READY-FILE
#
# READY-FILE is created once the first requests have been answered, and
# again after each full round (both tables) whenever it has been removed:
# removing it and waiting for it twice proves a whole round ran since.

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rpc  # noqa: E402

STABLE = ["10.%d.%d.1" % (s, t) for s in range(8) for t in range(0, 256, 17)]
CHURN_GW = ["172.16.%d.1" % c for c in range(0, 256, 9)]
CHURN_EXIST = ["198.18.%d.1" % x for x in range(0, 128, 7)]
ALT = ["10.99.%d.1" % x for x in range(0, 256, 31)]
MAIN = STABLE + ["192.168.7.1"] + CHURN_GW + CHURN_EXIST


def route_of(result):
    """(prefix, via) of one lookup result, or None without a route."""
    if result["prefix"] is None:
        return None
    return (result["prefix"], result["route"].get("via"))


def versions_main(results):
    """The versions ({'A'}, {'B'}, both: a torn batch) the answers fit, or a
    message about the first wrong one."""
    seen = set()
    for addr, res in zip(MAIN, results):
        if res["address"] != addr:
            return "answer for %s where %s was asked" % (res["address"], addr)
        got = route_of(res)
        o = addr.split(".")
        if addr in STABLE:
            want = ("%s.%s.%s.0/24" % (o[0], o[1], o[2]), "192.0.2.1")
            if got != want:
                return "%s: %r, expected %r" % (addr, got, want)
        elif addr == "192.168.7.1":
            if got != ("192.168.0.0/16", "192.0.2.50"):
                return "%s: %r: the route added over the socket changed" % (addr, got)
        elif addr in CHURN_GW:
            net = "172.16.%s.0/24" % o[2]
            if got == (net, "192.0.2.10"):
                seen.add("A")
            elif got == (net, "192.0.2.20"):
                seen.add("B")
            else:
                return "%s: %r, neither version's route" % (addr, got)
        else:
            if got == ("198.18.%s.0/24" % o[2], "192.0.2.30"):
                seen.add("A")
            elif got == ("198.18.0.0/15", "192.0.2.31"):
                seen.add("B")
            else:
                return "%s: %r, neither version's route" % (addr, got)
    return seen


def versions_alt(results):
    seen = set()
    for addr, res in zip(ALT, results):
        got = route_of(res)
        if got == ("10.99.0.0/16", "192.0.2.40"):
            seen.add("A")
        elif got is None:
            seen.add("B")
        else:
            return "table 100, %s: %r, neither version's route" % (addr, got)
    return seen


def main(argv):
    sock, stop, ready = argv[1], argv[2], argv[3]
    conn = rpc.Conn(sock)
    batches = errors = wrong = torn = 0
    versions = set()
    first_problem = None
    while not os.path.exists(stop):
        for table, addrs, check in ((None, MAIN, versions_main), (100, ALT, versions_alt)):
            params = {"addresses": addrs}
            if table is not None:
                params["table"] = table
            msg = conn.call("route.lookup", params)
            batches += 1
            if "result" not in msg:
                errors += 1
                first_problem = first_problem or "error: %r" % msg.get("error")
                continue
            seen = check(msg["result"]["results"])
            if isinstance(seen, str):
                wrong += 1
                first_problem = first_problem or seen
            elif len(seen) > 1:
                torn += 1
                first_problem = first_problem or "one answer mixes both versions"
            else:
                versions |= seen
        if not os.path.exists(ready):
            open(ready, "w").close()
    conn.close()
    print("# %d lookup requests of %d and %d addresses, versions seen: %s"
          % (batches, len(MAIN), len(ALT), "".join(sorted(versions)) or "none"))
    if first_problem:
        print("# first problem: %s" % first_problem)
    ok = lambda cond, desc: print(("ok - " if cond else "not ok - ") + desc)
    ok(batches >= 100, "the client looked up throughout the storm (%d requests)" % batches)
    ok(errors == 0, "no lookup failed (%d errors)" % errors)
    ok(wrong == 0, "no wrong answer: stable routes never changed, churned ones "
       "were the old or the new (%d wrong)" % wrong)
    ok(torn == 0, "every answer saw one version of the route files (%d mixed)" % torn)
    ok(versions == {"A", "B"}, "the client saw both versions of the churned routes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
