#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kill test's driver: many small route changes through the control
# socket while routed is killed with SIGKILL at random moments; after each
# restart, every acknowledged change must be there, nothing of a load may
# be half applied, and soft-state (bgp) routes must be gone.
#
# usage: kill-client.py ROUTED ROUTECTL DIR KILLS SEED [ROUTED-ARGS...]
# Prints TAP lines "ok - ..." / "not ok - ..." (merged by the caller) and
# the seed. Exit status 0 when every check passed.

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rpc  # noqa: E402

routed, routectl, tmp, kills, seed = sys.argv[1:6]
extra = sys.argv[6:]
kills, seed = int(kills), int(seed)
rng = random.Random(seed)
sock = os.path.join(tmp, "kill.sock")
print(f"# seed {seed}")

# Expected state of each prefix: True present, False absent, or a set of
# both when the change was in flight at the kill (either outcome is fine,
# but the next restart fixes it).
want = {}
groups = []            # prefixes of each route.load: all or none
failures = 0
acked_total = 0
inflight_total = 0
next_prefix = 0


def new_prefix():
    global next_prefix
    next_prefix += 1
    return f"10.{(next_prefix >> 8) & 255}.{next_prefix & 255}.0/24"


def report(ok, what):
    global failures
    if not ok:
        failures += 1
    print(("ok - " if ok else "not ok - ") + what)


def start():
    err = open(os.path.join(tmp, "kill-routed.err"), "ab")
    p = subprocess.Popen([routed, "--control-socket", sock, "--state-dir",
                          os.path.join(tmp, "kill-state"), "--lookup-listen", "127.0.0.1:0",
                          "--threads", "1"] + extra, stderr=err)
    deadline = time.monotonic() + 60  # ready: it answers ping
    while time.monotonic() < deadline:
        if p.poll() is not None:
            return p
        try:
            c = rpc.Conn(sock, timeout=2)
            c.send("ping")
            c.recv()
            c.close()
            return p
        except (OSError, rpc.Closed):
            time.sleep(0.025)
    return p


def current_routes():
    out = subprocess.run([routectl, "-s", sock, "-j", "route", "show", "table", "all"],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        return None
    return {(r["prefix"], r["proto"]) for r in json.loads(out.stdout)["routes"]}


def verify(round_no):
    routes = current_routes()
    if routes is None:
        report(False, f"restart {round_no}: routes could not be listed")
        return
    present = {p for p, proto in routes if proto == "static"}
    soft = {p for p, proto in routes if proto == "bgp"}
    lost = [p for p, w in want.items() if w is True and p not in present]
    back = [p for p, w in want.items() if w is False and p in present]
    half = [g for g in groups if 0 < len(set(g) & present) < len(g)]
    report(not lost and not back and not soft and not half,
           f"restart {round_no}: {sum(1 for w in want.values() if w is True)} acknowledged "
           f"routes present, deleted ones absent, no bgp route, no half load"
           + (f" (lost {lost[:3]}, back {back[:3]}, bgp {sorted(soft)[:3]}, half {half[:1]})"
              if lost or back or soft or half else ""))
    # What was in flight is now settled, one way or the other.
    for p, w in list(want.items()):
        if isinstance(w, set):
            want[p] = p in present


def changes(conn, stop):
    """Send changes one at a time until the connection dies."""
    global acked_total, inflight_total
    present = [p for p, w in want.items() if w is True]
    while not stop.is_set():
        r = rng.random()
        if r < 0.45 or not present:
            p = new_prefix()
            req, affected, outcome = ("route.add", {"prefix": p, "via": "192.0.2.1"}, [p]), [p], True
        elif r < 0.65:
            p = present.pop(rng.randrange(len(present)))
            req, affected, outcome = ("route.delete", {"prefix": p}, [p]), [p], False
            # A load some of whose routes are later deleted is no longer whole.
            groups[:] = [g for g in groups if p not in g]
        elif r < 0.85:
            ps = [new_prefix() for _ in range(4)]
            req = ("route.load", {"routes": [{"prefix": q, "via": "192.0.2.2"} for q in ps]}, ps)
            affected, outcome = ps, True
        else:
            p = new_prefix()
            req = ("route.add", {"prefix": p, "via": "192.0.2.3", "proto": "bgp"}, [])
            affected, outcome = [], None
        for p in affected:
            want[p] = {want.get(p, False), outcome}
        if req[0] == "route.load":
            groups.append(affected)     # in flight or not: all or nothing
        try:
            conn.send(req[0], req[1])
            resp = conn.recv()
        except (OSError, rpc.Closed, ValueError):
            inflight_total += 1
            return
        if "error" in resp:
            report(False, f"{req[0]} failed: {resp['error']}")
            return
        acked_total += 1
        for p in affected:
            want[p] = outcome
        if outcome is True:
            present.extend(affected)


proc = start()
for k in range(1, kills + 1):
    if proc.poll() is not None:
        report(False, f"round {k}: routed is not running (exit {proc.returncode})")
        break
    conn = rpc.Conn(sock, timeout=10)
    stop = threading.Event()
    t = threading.Thread(target=changes, args=(conn, stop))
    t.start()
    time.sleep(rng.uniform(0.02, 0.35))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stop.set()
    t.join()
    conn.close()
    proc = start()
    verify(k)
proc.send_signal(signal.SIGTERM)
proc.wait()
report(proc.returncode == 0, "routed exits 0 at the end")
with open(os.path.join(tmp, "kill-routed.err"), errors="replace") as f:
    log = f.read()
report("corrupt" not in log and "refuse" not in log,
       "every restart replayed the journal without corruption")
print(f"# {kills} kills, {acked_total} acknowledged changes, {inflight_total} in flight at a kill")
sys.exit(1 if failures else 0)
