#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Control-socket abuse, driven against a running routed while a lookup load
# runs beside it (routeperf, started by the caller):
#   - 1000 connections held open at once,
#   - clients that send requests with big answers and never read,
#   - a 100 MB line without a newline,
#   - byte-at-a-time partial lines,
#   - rapid connect/disconnect,
# while a well-behaved client keeps getting answers.
#
# usage: abuse.py SOCKET PID
# Prints TAP lines "ok - ..." / "not ok - ..." and the peak RSS.

import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rpc  # noqa: E402

sock_path, pid = sys.argv[1], int(sys.argv[2])
failures = 0


def report(ok, what):
    global failures
    if not ok:
        failures += 1
    print(("ok - " if ok else "not ok - ") + what, flush=True)


def status_kib(field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


# How long a client waits out a full listen backlog: routed drains it as
# fast as the machine lets it, which on a loaded machine can take seconds.
BACKLOG_WAIT_S = 60


def raw():
    """Connect; a full listen backlog (EAGAIN) is waited out, as clients do."""
    deadline = time.monotonic() + BACKLOG_WAIT_S
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(20)
        try:
            s.connect(sock_path)
            return s
        except BlockingIOError:
            s.close()
            if time.monotonic() > deadline:
                raise OSError("the listen backlog stayed full") from None
            time.sleep(0.005)


def connect_rpc():
    """A client that waits out a full listen backlog (EAGAIN), as routectl does."""
    deadline = time.monotonic() + BACKLOG_WAIT_S
    while True:
        try:
            return rpc.Conn(sock_path, timeout=20)
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise OSError("the listen backlog stayed full") from None
            time.sleep(0.005)


# A well-behaved client, answered throughout.
stop = threading.Event()
good = {"ok": 0, "bad": 0, "max_s": 0.0}


def well_behaved():
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            c = connect_rpc()
            c.send("route.add", {"prefix": "192.0.2.0/24", "via": "198.51.100.1",
                                 "proto": "kernel", "metric": good["ok"] % 1000 + 1})
            r = c.recv()
            c.send("route.lookup", {"addresses": ["192.0.2.1"]})
            r2 = c.recv()
            c.close()
            fine = "result" in r and r2["result"]["results"][0]["prefix"] == "192.0.2.0/24"
        except (OSError, rpc.Closed, KeyError, ValueError) as e:
            print(f"# the well-behaved client failed: {e!r}", flush=True)
            fine = False
        good["ok" if fine else "bad"] += 1
        good["max_s"] = max(good["max_s"], time.monotonic() - t0)
        time.sleep(0.02)


rss_hogs = 0


def abuse():
    global rss_hogs

    # 1000 connections at once, each sends a ping; all are answered.
    conns = []
    try:
        for _ in range(1000):
            conns.append(raw())
        for s in conns:
            s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n')
        answered = 0
        for s in conns:
            if s.recv(4096).startswith(b'{"jsonrpc":"2.0","id":1,"result"'):
                answered += 1
        report(answered == 1000, f"1000 connections at once: {answered} answered")
    finally:
        for s in conns:
            s.close()

    # Clients that never read: big answers queued until their cap, then closed.
    hogs = []
    for _ in range(20):
        s = raw()
        req = b'{"jsonrpc":"2.0","id":1,"method":"route.list","params":{"limit":100000}}\n'
        try:
            for _ in range(200):
                s.sendall(req)
        except OSError:
            pass
        hogs.append(s)
    time.sleep(1.0)
    rss_hogs = status_kib("VmRSS")
    for s in hogs:
        s.close()

    # A 100 MB line without a newline: refused once over max_line_bytes.
    s = raw()
    chunk = b"x" * (1 << 20)
    sent = 0
    try:
        while sent < (100 << 20):
            s.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    try:
        s.settimeout(10)
        reply = s.recv(4096)
    except OSError:
        reply = b""
    report(b"-32005" in reply,
           f"a 100 MB line without newline is refused with -32005 (after {sent >> 20} MB "
           "were taken)")
    s.close()

    # Byte-at-a-time partial lines are put together and answered.
    s = raw()
    for b in b'{"jsonrpc":"2.0","id":7,"method":"ping"}\n':
        s.send(bytes([b]))
        time.sleep(0.001)
    reply = s.recv(4096)
    report(reply.startswith(b'{"jsonrpc":"2.0","id":7,"result"'),
           "a request sent one byte at a time is answered")
    s.close()

    # Rapid connect/disconnect, half of them mid-request.
    # The backlog fills faster than routed drains it; the last connect and
    # the ping after it wait their turn like any client.
    for i in range(3000):
        s = raw()
        if i % 2:
            s.send(b'{"jsonrpc":"2.0","id":1,"meth')
        s.close()
    c = connect_rpc()
    c.send("ping")
    report("result" in c.recv(), "3000 connections opened and dropped: routed still answers")
    c.close()

rss0 = status_kib("VmRSS")
t = threading.Thread(target=well_behaved)
t.start()
try:
    abuse()
except (OSError, rpc.Closed) as e:
    report(False, f"the abuse ran to the end: {e!r}")
finally:
    stop.set()
    t.join()
report(good["bad"] == 0 and good["ok"] > 0,
       f"a well-behaved client was answered throughout ({good['ok']} rounds, "
       f"{good['bad']} failed, slowest {good['max_s'] * 1000:.0f} ms)")
hwm = status_kib("VmHWM")
rss1 = status_kib("VmRSS")
print(f"# RSS {rss0} KiB before, {rss_hogs} KiB with 20 clients not reading, {rss1} KiB after;"
      f" peak {hwm} KiB")
report(hwm - rss0 < 512 * 1024, f"memory stays bounded: peak {hwm // 1024} MiB")
sys.exit(1 if failures else 0)
