#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""UDP lookups, over and over, until STOP-FILE exists; every answer checked.

usage: fpm-udp-watch.py ADDR:PORT STOP-FILE READY-FILE SPEC...

A SPEC is ADDRESS=ANSWER[,ANSWER...]: an answer it may get, each
"via:GATEWAY", "reject" or "none". An address whose answers never include
"none" must never be missing, not even while its route's next hop changes
(a delete and an add in one frame) or the feed reconnects. READY-FILE is
created after the first round. Prints one TAP line per address ("ok - ...",
"not ok - ...") with the lookups made and any wrong answer.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udp  # noqa: E402

target, stop, ready = sys.argv[1], sys.argv[2], sys.argv[3]
specs = []
for s in sys.argv[4:]:
    addr, _, answers = s.partition("=")
    specs.append((addr, set(answers.split(","))))
client = udp.Client(target)
count = {a: 0 for a, _ in specs}
wrong = {a: [] for a, _ in specs}
first = True
while not os.path.exists(stop):
    for addr, allowed in specs:
        hdr, answers, _ = client.ask(4 if ":" not in addr else 6, [addr])
        if answers is None:
            continue        # a lost datagram is not an answer
        a = answers[0]
        got = "none" if not a["found"] else "reject" if a["reject"] else "via:%s" % a["gateway"]
        count[addr] += 1
        if got not in allowed and len(wrong[addr]) < 5:
            wrong[addr].append(got)
    if first:
        open(ready, "w").close()
        first = False
    time.sleep(0.001)
for addr, allowed in specs:
    ok = count[addr] > 0 and not wrong[addr]
    print(("ok - " if ok else "not ok - ") + "UDP: %d lookups of %s, every answer one of %s%s" % (
        count[addr], addr, ",".join(sorted(allowed)),
        "" if not wrong[addr] else " (got %s)" % ", ".join(wrong[addr])), flush=True)
