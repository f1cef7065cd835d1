#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An FPM server that records what zebra sends: every byte of every
connection, appended to one file, in arrival order. Frames stay whole: the
file is a sequence of FPM frames (4-byte header, then netlink messages).

usage: fpm-sink.py ADDRESS PORT OUTFILE

Prints "listening" once bound and "connected" per connection. SIGUSR1
closes the current connection (zebra reconnects and replays); SIGTERM ends.
Only whole frames are written: a connection closed mid-frame loses the
partial frame, and that is said on stderr.
"""
import signal
import socket
import struct
import sys

addr, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
drop = False


def on_usr1(signum, frame):
    global drop
    drop = True


signal.signal(signal.SIGUSR1, on_usr1)
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((addr, port))
srv.listen(1)
print("listening", flush=True)
with open(path, "ab") as out:
    while True:
        conn, peer = srv.accept()
        print("connected", peer[0], flush=True)
        conn.settimeout(0.2)
        buf = b""
        while not drop:
            try:
                data = conn.recv(65536)
            except socket.timeout:
                continue
            if not data:
                break
            buf += data
            while len(buf) >= 4:
                length = struct.unpack("!H", buf[2:4])[0]
                if length < 4 or len(buf) < length:
                    break
                out.write(buf[:length])
                buf = buf[length:]
            out.flush()
        if buf:
            print("dropped %d bytes of a partial frame" % len(buf), file=sys.stderr)
        conn.close()
        drop = False
        print("closed", flush=True)
