# SPDX-License-Identifier: GPL-2.0-or-later
"""JSON-RPC 2.0 over routed's control socket (docs/control-protocol.md).

One request and one response per line. Notifications that a subscription
interleaves between responses are skipped: call() returns the response to
its own request.
"""

import itertools
import json
import os
import socket

from .errors import RoutedError

SYSTEM_SOCKET = "/run/routed/control.sock"


def default_socket():
    """The control socket routectl would use: $ROUTED_SOCKET, else
    routed's default for this user (routed(8)), else the system one."""
    path = os.environ.get("ROUTED_SOCKET")
    if path:
        return path
    runtime = os.environ.get("RUNTIME_DIRECTORY")
    if runtime:
        return runtime.split(":")[0] + "/control.sock"
    if os.geteuid() == 0:
        return SYSTEM_SOCKET
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    path = xdg + "/routed/control.sock" if xdg else "/tmp/routed-%d/control.sock" % os.geteuid()
    if not os.path.lexists(path) and os.path.lexists(SYSTEM_SOCKET):
        return SYSTEM_SOCKET
    return path


class ControlError(RoutedError):
    """An error response: ``code`` (see docs/control-protocol.md, "Errors"),
    ``message`` and ``data`` (None, or an object such as
    ``{"field": "prefix"}``)."""

    def __init__(self, code, message, data=None):
        super().__init__("%s (%d)" % (message, code))
        self.code = code
        self.message = message
        self.data = data


class Control:
    """A connection to routed's control socket.

    ``path`` defaults to :func:`default_socket`. The connection is opened
    at the first call and kept for the next ones; ``timeout`` bounds each
    wait for the daemon, in seconds (``socket.timeout`` when it passes).
    Not thread-safe: use one per thread. Usable as a context manager.
    """

    def __init__(self, path=None, timeout=30.0):
        self.path = path or default_socket()
        self.timeout = timeout
        self._sock = None
        self._buf = b""
        self._ids = itertools.count(1)

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._buf = b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, method, params=None):
        """Call method with params (a dict, or None for none); returns the
        response's ``result``. Raises :class:`ControlError` on an error
        response, OSError when the socket cannot be reached or closes,
        ValueError for a method that is not a non-empty string or params
        that are not a dict.
        """
        if not isinstance(method, str) or not method:
            raise ValueError("method must be a non-empty string")
        if params is not None and not isinstance(params, dict):
            raise ValueError("params must be a dict or None")
        request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method}
        if params is not None:
            request["params"] = params
        line = json.dumps(request, separators=(",", ":")).encode() + b"\n"
        if self._sock is None:
            self._connect()
        try:
            self._sock.sendall(line)
            while True:
                msg = self._read_message()
                if "id" in msg:
                    break	# notifications have none
        except BaseException:
            # A connection left mid-message would pair the next call with
            # this call's answer.
            self.close()
            raise
        if msg.get("id") is None and isinstance(msg.get("error"), dict):
            # A request routed could not read (a line too long): it closes.
            self.close()
        elif msg.get("id") != request["id"]:
            self.close()
            raise RoutedError("response id %r for request %r"
                              % (msg.get("id"), request["id"]))
        if "error" in msg:
            err = msg["error"] if isinstance(msg["error"], dict) else {}
            raise ControlError(err.get("code", 0), err.get("message", "unknown error"),
                               err.get("data"))
        if "result" not in msg:
            self.close()
            raise RoutedError("response without result or error: %r" % msg)
        return msg["result"]

    def _connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.path)
        except BaseException:
            sock.close()
            raise
        self._sock = sock

    def _read_message(self):
        while b"\n" not in self._buf:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("%s: routed closed the connection" % self.path)
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        try:
            msg = json.loads(line)
        except ValueError:
            raise RoutedError("%s: not a JSON line: %r" % (self.path, line[:200])) from None
        if not isinstance(msg, dict):
            raise RoutedError("%s: not a JSON-RPC message: %r" % (self.path, line[:200]))
        return msg
