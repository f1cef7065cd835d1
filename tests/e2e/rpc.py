#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A minimal raw client of routed's control socket for the end-to-end tests.
#
# As a module: Conn(path) sends raw bytes or JSON-RPC requests and reads
# response lines, so tests can write what routectl never would.
# As a program:  rpc.py SOCKET METHOD [PARAMS-JSON]
# prints the response line and exits 0 for a result, 1 for an error.

import json
import socket
import sys
import time


class Closed(Exception):
    """The daemon closed the connection."""


class Conn:
    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.next_id = 1

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, method, params=None, req_id=None, notification=False):
        """Send one request; returns its id."""
        req = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            req["params"] = params
        if not notification:
            if req_id is None:
                req_id = self.next_id
                self.next_id += 1
            req["id"] = req_id
        self.send_raw(json.dumps(req).encode() + b"\n")
        return req_id

    def recv_line(self):
        """The next line from the daemon, without its terminator."""
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed()
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def recv(self):
        return json.loads(self.recv_line())

    def call(self, method, params=None):
        req_id = self.send(method, params)
        msg = self.recv()
        # Notifications may be interleaved with responses; skip them.
        while "id" not in msg:
            msg = self.recv()
        if msg["id"] != req_id:
            raise AssertionError("response id %r for request %r" % (msg["id"], req_id))
        return msg

    def wait_closed(self, timeout=5.0):
        """True when the daemon closes the connection (EOF or reset) within
        timeout seconds; anything still sent before that is discarded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                if not self.sock.recv(65536):
                    return True
            except ConnectionResetError:
                return True
            except socket.timeout:
                return False
        return False


def result(conn, method, params=None):
    """The result of a call that must succeed."""
    msg = conn.call(method, params)
    if "result" not in msg:
        raise AssertionError("%s failed: %s" % (method, json.dumps(msg)))
    return msg["result"]


def main(argv):
    if len(argv) not in (3, 4):
        print("usage: rpc.py SOCKET METHOD [PARAMS-JSON]", file=sys.stderr)
        return 2
    params = json.loads(argv[3]) if len(argv) == 4 else None
    conn = Conn(argv[1])
    msg = conn.call(argv[2], params)
    conn.close()
    print(json.dumps(msg, separators=(",", ":")))
    return 0 if "result" in msg else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
