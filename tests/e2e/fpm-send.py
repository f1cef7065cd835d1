#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Send FPM frames to a listener, as zebra would.

usage: fpm-send.py HOST:PORT
Reads commands on stdin, one per line, and prints "ok" after each:
  file PATH     send the frames of PATH (whole frames, as captured)
  hex HEX       send these bytes
  close         close the connection (a new one opens at the next send)
  expect-closed wait until the listener closes the connection; "ok" or "open"
"""
import socket
import sys

host, port = sys.argv[1].rsplit(":", 1)
sock = None


def conn():
    global sock
    if sock is None:
        sock = socket.create_connection((host.strip("[]"), int(port)))
    return sock


for line in sys.stdin:
    cmd, _, arg = line.strip().partition(" ")
    if cmd == "file":
        with open(arg, "rb") as f:
            conn().sendall(f.read())
    elif cmd == "hex":
        conn().sendall(bytes.fromhex(arg))
    elif cmd == "close":
        if sock is not None:
            sock.close()
            sock = None
    elif cmd == "expect-closed":
        conn().settimeout(10)
        try:
            data = sock.recv(1)
            print("ok" if data == b"" else "open", flush=True)
        except (socket.timeout, ConnectionResetError):
            print("ok" if sock else "open", flush=True)
        sock.close()
        sock = None
        continue
    print("ok", flush=True)
