# SPDX-License-Identifier: GPL-2.0-or-later
"""Lookups over routed's UDP lookup protocol (docs/lookup-protocol.md).

A batch of addresses becomes datagrams of one family each (75 IPv4 or 30
IPv6 addresses at most), up to WINDOW of them in flight at once, each
resent on its own schedule (0.25, 0.5, 1 and 2 s) with the same request id,
so a late answer to an earlier try is as good as the last one. A response
counts only if it answers a datagram still waiting: the same id, length,
family, count and table, and every address echoed. Anything else is
ignored and counted (:attr:`Client.ignored`).

Several servers: datagrams go round robin to the servers not marked down.
A server is marked down when a datagram to it times out or the kernel
reports it unreachable (ICMP port unreachable on the connected socket);
what was in flight to it is sent at once to the others, so a dead server
costs a batch one try's wait at most. It gets datagrams again
``retry_after`` seconds later.
"""

import collections
import errno
import ipaddress
import os
import select
import socket
import struct
import time

from .errors import LookupTimeout, NoSuchTable, RoutedError

DEFAULT_PORT = 5300
MAX_PAYLOAD = 1232
# version, flags, family, count, id, table, status, reserved[3], generation
HEADER = struct.Struct("!BBBBIIB3sQ")
# address, answer flags, prefix length, reserved, tag, gateway
SLOT = {4: struct.Struct("!4sBB2xI4s"), 6: struct.Struct("!16sBB2xI16s")}
MAX_COUNT = {4: 75, 6: 30}
VERSION = 1
F_RESPONSE = 0x01
STATUS_OK, STATUS_NO_TABLE = 0, 1
# Answer flags. Clients ignore bits they do not know (the protocol's rule).
A_FOUND = 0x01
A_GATEWAY = 0x02
A_TAG = 0x04
A_REJECT = 0x08
A_MULTIPATH = 0x10

TRY_WAITS = (0.25, 0.5, 1.0, 2.0)
# Datagrams in flight at once: far below any socket buffer.
WINDOW = 32


class Answer:
    """The answer for one address.

    Attributes:
        address: the address asked about, as text (canonical form).
        found: True when a route matched.
        prefix: the matched prefix as text ("10.0.0.0/8"), None if not found.
        prefix_len: its length, None if not found.
        via: the gateway as text, None when the answer has none (no route,
            a route without a gateway, a rejecting route).
        tag: the route's tag, None when the route has none.
        reject: True when the route rejects what it matches (blackhole,
            unreachable or prohibit: which one is in the route itself, see
            ``Control().call("route.lookup", ...)``).
        multipath: True when the route has several next hops; ``via`` is
            then the one chosen for this address.
        generation: the generation of the table that answered.
        flags: the raw answer flags (unknown bits included).
    """

    __slots__ = ("address", "found", "prefix", "prefix_len", "via", "tag",
                 "reject", "multipath", "generation", "flags")

    def __init__(self, address, flags, prefix_len, tag, gateway, generation):
        self.address = _text(address.packed)
        self.flags = flags
        self.found = bool(flags & A_FOUND)
        self.generation = generation
        if self.found:
            self.prefix = "%s/%d" % (_text(_masked(address.packed, prefix_len)), prefix_len)
            self.prefix_len = prefix_len
        else:
            self.prefix = None
            self.prefix_len = None
        self.via = _text(gateway) if self.found and flags & A_GATEWAY else None
        self.tag = tag if self.found and flags & A_TAG else None
        self.reject = self.found and bool(flags & A_REJECT)
        self.multipath = self.found and bool(flags & A_MULTIPATH)

    def _fields(self):
        return tuple(getattr(self, k) for k in self.__slots__)

    def __eq__(self, other):
        if not isinstance(other, Answer):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self):
        return hash(self._fields())

    def __repr__(self):
        inner = ", ".join("%s=%r" % (k, getattr(self, k)) for k in self.__slots__)
        return "Answer(%s)" % inner


def _text(packed):
    """An address as routed prints it (inet_ntop: "::ffff:10.1.2.3" for a
    mapped one, whichever Python version runs)."""
    return socket.inet_ntop(socket.AF_INET if len(packed) == 4 else socket.AF_INET6, packed)


def _masked(packed, prefix_len):
    """packed with the bits past prefix_len cleared."""
    bits = 8 * len(packed)
    value = int.from_bytes(packed, "big") >> (bits - prefix_len) << (bits - prefix_len)
    return value.to_bytes(len(packed), "big")


def _split_server(text):
    """(host, port) of "ADDR:PORT", "[V6]:PORT", "HOST", "[V6]" or a bare IPv6 address."""
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError("server %r: expected [ADDRESS]:PORT" % text)
        port = rest[1:] if rest else None
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, None
    if not host:
        raise ValueError("server %r: no address" % text)
    if port is None:
        return host, DEFAULT_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("server %r: port must be 1-65535" % text)
    return host, int(port)


class _Server:
    def __init__(self, text):
        host, port = _split_server(text)
        try:
            info = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM)
        except socket.gaierror as e:
            raise ValueError("server %r: %s" % (text, e.strerror)) from None
        family, type_, proto, _, sockaddr = info[0]
        self.name = text
        # Connected: the kernel drops datagrams from anyone else and turns
        # an ICMP port unreachable into ECONNREFUSED.
        self.sock = socket.socket(family, type_, proto)
        try:
            self.sock.setblocking(False)
            self.sock.connect(sockaddr)
        except OSError:
            self.sock.close()
            raise
        self.down_until = None
        self.sent = self.answered = self.timeouts = self.refused = 0

    def is_up(self, now):
        return self.down_until is None or now >= self.down_until

    def stats(self, now):
        return {"server": self.name, "sent": self.sent, "answered": self.answered,
                "timeouts": self.timeouts, "refused": self.refused,
                "down": not self.is_up(now)}


class _Datagram:
    __slots__ = ("family", "positions", "addrs", "payload", "id", "tries",
                 "resend_at", "server")

    def __init__(self, family, positions, addrs):
        self.family = family
        self.positions = positions
        self.addrs = addrs
        self.payload = None
        self.id = None
        self.tries = 0
        self.resend_at = None
        self.server = None

    def encode(self, request_id, table):
        self.id = request_id
        slot = SLOT[self.family]
        zero = bytes(len(self.addrs[0].packed))
        out = bytearray(HEADER.pack(VERSION, 0, self.family, len(self.addrs),
                                    request_id, table, 0, b"\0\0\0", 0))
        for a in self.addrs:
            out += slot.pack(a.packed, 0, 0, 0, zero)
        self.payload = bytes(out)


class Client:
    """A client of routed's UDP lookup service.

    ``servers`` is "ADDR:PORT" ("127.0.0.1:5300", "[::1]:5300") or several,
    comma-separated ("[::1]:5300,127.0.0.1:5300"); the port defaults to
    5300. ``timeout`` bounds each :meth:`lookup` call, in seconds;
    ``retry_after`` is how long a server marked down gets no datagrams.

    A Client keeps one connected UDP socket per server; close it with
    :meth:`close` or use it as a context manager. It is not thread-safe:
    use one per thread.
    """

    def __init__(self, servers, timeout=5.0, retry_after=5.0):
        if not isinstance(servers, str):
            raise TypeError("servers must be a string such as '127.0.0.1:5300'")
        names = [s.strip() for s in servers.split(",")]
        if not names or not all(names):
            raise ValueError("servers %r: expected ADDR:PORT[,ADDR:PORT...]" % servers)
        if timeout <= 0 or retry_after < 0:
            raise ValueError("timeout must be positive and retry_after not negative")
        self.timeout = timeout
        self.retry_after = retry_after
        #: Responses ignored: malformed, for no datagram still waiting, or
        #: not matching the request they name.
        self.ignored = 0
        self._servers = []
        self._next_server = 0
        self._next_id = struct.unpack("!I", os.urandom(4))[0]
        try:
            for name in names:
                self._servers.append(_Server(name))
        except BaseException:
            self.close()
            raise

    def close(self):
        """Close the sockets. The client cannot be used afterwards."""
        for s in self._servers:
            s.sock.close()
        self._servers = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def stats(self):
        """Per server, in the order given: datagrams sent and answered,
        tries that timed out, ICMP refusals, and whether it is marked down."""
        now = time.monotonic()
        return [s.stats(now) for s in self._servers]

    def lookup(self, addresses, table=0, timeout=None):
        """Look up each address; returns one :class:`Answer` per address,
        in the order given.

        ``addresses``: IPv4 and IPv6 addresses, as text or ``ipaddress``
        objects, in any number and mix. ``table``: the table id (0: the
        listener's table; names are resolved with ``Control().call(
        "table.list")``). ``timeout``: this call's bound in seconds
        (default: the client's).

        Raises ValueError for an invalid address or table id before
        anything is sent, :class:`LookupTimeout` when some addresses got no
        valid answer in time, :class:`NoSuchTable` when the server has no
        such table, :class:`RoutedError` for a response status this client
        does not know.
        """
        if not self._servers:
            raise RoutedError("the client is closed")
        if not isinstance(table, int) or not 0 <= table <= 0xffffffff:
            raise ValueError("table %r: must be an integer id 0-4294967295" % (table,))
        parsed = [_parse_address(a) for a in addresses]
        answers = [None] * len(parsed)
        if not parsed:
            return answers
        limit = self.timeout if timeout is None else timeout
        if limit <= 0:
            raise ValueError("timeout must be positive")
        deadline = time.monotonic() + limit
        waiting = collections.deque(_split(parsed))
        inflight = {}
        while waiting or inflight:
            now = time.monotonic()
            while waiting and len(inflight) < WINDOW:
                dg = waiting.popleft()
                dg.encode(self._take_id(), table)
                inflight[dg.id] = dg
                self._send(dg, now)
            if now >= deadline:
                raise self._timeout(limit, inflight, waiting, parsed)
            wake = min(min(dg.resend_at for dg in inflight.values()), deadline)
            socks = [s.sock for s in self._servers]
            readable, _, _ = select.select(socks, [], [], max(0.0, wake - now))
            for s in self._servers:
                if s.sock in readable:
                    self._receive(s, inflight, answers, table)
            now = time.monotonic()
            for dg in [d for d in inflight.values() if d.resend_at <= now]:
                self._try_timed_out(dg, inflight, now, limit, waiting, parsed)
        return answers

    # ---- sending ----

    def _take_id(self):
        rid = self._next_id
        self._next_id = (self._next_id + 1) & 0xffffffff
        return rid

    def _pick_server(self, now, avoid=None):
        """The next server round robin among those up (other than avoid
        when there is a choice); when all are down, the one down longest."""
        n = len(self._servers)
        for k in range(n):
            s = self._servers[(self._next_server + k) % n]
            if s.is_up(now) and (s is not avoid or n == 1):
                self._next_server = (self._next_server + k + 1) % n
                return s
        candidates = [s for s in self._servers if s is not avoid] or self._servers
        return min(candidates, key=lambda s: s.down_until or 0.0)

    def _send(self, dg, now, avoid=None):
        dg.tries += 1
        dg.resend_at = now + TRY_WAITS[dg.tries - 1]
        for _ in range(len(self._servers)):
            s = self._pick_server(now, avoid)
            dg.server = s
            try:
                s.sock.send(dg.payload)
                s.sent += 1
                return
            except ConnectionRefusedError:
                # The kernel's report of an earlier ICMP port unreachable.
                self._mark_down(s, now, refused=True)
                avoid = s
            except OSError as e:
                if e.errno in (errno.EAGAIN, errno.ENOBUFS, errno.EWOULDBLOCK):
                    return	# lost like a dropped datagram: the retry covers it
                raise

    def _mark_down(self, s, now, refused=False):
        if refused:
            s.refused += 1
        if len(self._servers) > 1:
            s.down_until = now + self.retry_after

    def _redirect(self, s, inflight, now):
        """Send what is in flight to a server just marked down to another
        at once (a try each), so its loss costs one wait, not one per datagram."""
        if len(self._servers) == 1:
            return
        for dg in inflight.values():
            if dg.server is s and dg.tries < len(TRY_WAITS):
                self._send(dg, now, avoid=s)

    def _try_timed_out(self, dg, inflight, now, limit, waiting, parsed):
        if dg.resend_at > now:
            return	# already redirected by an earlier one's failover
        s = dg.server
        s.timeouts += 1
        if dg.tries >= len(TRY_WAITS):
            raise self._timeout(limit, inflight, waiting, parsed)
        if len(self._servers) > 1 and s.is_up(now):
            self._mark_down(s, now)
            self._send(dg, now, avoid=s)
            self._redirect(s, inflight, now)
        else:
            self._send(dg, now, avoid=s)

    def _timeout(self, limit, inflight, waiting, parsed):
        left = [dg for dg in inflight.values()] + list(waiting)
        unanswered = sorted(p for dg in left for p in dg.positions)
        return LookupTimeout("%d of %d addresses unanswered after %g s (%s)"
                             % (len(unanswered), len(parsed), limit,
                                ", ".join(s.name for s in self._servers)),
                             [str(parsed[i]) for i in unanswered])

    # ---- receiving ----

    def _receive(self, s, inflight, answers, table):
        while True:
            try:
                data = s.sock.recv(MAX_PAYLOAD + 1)
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionRefusedError:
                now = time.monotonic()
                self._mark_down(s, now, refused=True)
                self._redirect(s, inflight, now)
                continue
            dg = self._match(data, inflight, table)
            if dg is None:
                self.ignored += 1
                continue
            header = HEADER.unpack_from(data)
            status, generation = header[6], header[8]
            if status == STATUS_NO_TABLE:
                raise NoSuchTable(table)
            if status != STATUS_OK:
                raise RoutedError("server %s answered with unknown status %d"
                                  % (s.name, status))
            for pos, slot in zip(dg.positions, _slots(data, dg)):
                answers[pos] = Answer(*slot, generation)
            del inflight[dg.id]
            # Credit the server that answered, which may not be the last tried.
            s.answered += 1
            if s.down_until is not None:
                s.down_until = None

    def _match(self, data, inflight, table):
        """The waiting datagram that data validly answers, else None."""
        if len(data) < HEADER.size:
            return None
        version, flags, family, count, rid, rtable, _, reserved, _ = HEADER.unpack_from(data)
        dg = inflight.get(rid)
        if (dg is None or version != VERSION or flags != F_RESPONSE
                or reserved != b"\0\0\0" or family != dg.family
                or count != len(dg.addrs) or rtable != table
                or len(data) != len(dg.payload)):
            return None
        slot = SLOT[family]
        for i, a in enumerate(dg.addrs):
            raw, _, plen, _, _ = slot.unpack_from(data, HEADER.size + i * slot.size)
            if raw != a.packed or plen > 8 * len(raw):
                return None
        return dg


def _slots(data, dg):
    """(address, flags, prefix length, tag, gateway) of each slot."""
    slot = SLOT[dg.family]
    for i, a in enumerate(dg.addrs):
        _, flags, plen, tag, gw = slot.unpack_from(data, HEADER.size + i * slot.size)
        yield a, flags, plen, tag, gw


def _parse_address(a):
    if isinstance(a, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return a
    if not isinstance(a, str):
        raise TypeError("address %r: expected text or an ipaddress address" % (a,))
    try:
        return ipaddress.ip_address(a.strip())
    except ValueError:
        raise ValueError("address %r: not an IPv4 or IPv6 address" % a) from None


def _split(parsed):
    """Datagrams for the addresses: per family, in order, at most MAX_COUNT each."""
    out = []
    for family, version in ((4, 4), (6, 6)):
        positions = [i for i, a in enumerate(parsed) if a.version == version]
        step = MAX_COUNT[family]
        for k in range(0, len(positions), step):
            chunk = positions[k:k + step]
            out.append(_Datagram(family, chunk, [parsed[i] for i in chunk]))
    return out
