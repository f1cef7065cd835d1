#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks of the routed_client Python module against real routed daemons,
for tests/e2e/python-client (TAP lines "ok - ..." that it renumbers).

usage: python-client.py SEED ROUTECTL SOCK_A ADDR_A SOCK_B ADDR_B PID_B ROUTES...

A and B serve the same routes (the ROUTES files); B is killed halfway.
"""
import ipaddress
import json
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time

from routed_client.lookup import WINDOW

from routed_client import (Client, Control, ControlError, LookupTimeout,
                           NoSuchTable, RoutedError)

REJECT_TYPES = ("blackhole", "unreachable", "prohibit")
failed = 0


def ok(cond, desc, detail=None):
    global failed
    if cond:
        print("ok - " + desc)
    else:
        failed += 1
        print("not ok - " + desc)
        if detail is not None:
            for line in str(detail).splitlines()[:20]:
                print("# " + line)
    sys.stdout.flush()


def routectl(sock, *args):
    out = subprocess.run([ROUTECTL, "-s", sock, "--timeout", "60", "-j"] + list(args),
                         check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)


def prefixes(files):
    """(table word, network) of every route in the route files."""
    out = []
    for path in files:
        for line in open(path):
            words = line.split("#")[0].split()
            if not words:
                continue
            if words[0] in REJECT_TYPES + ("unicast",):
                words = words[1:]
            table = words[words.index("table") + 1] if "table" in words else "main"
            out.append((table, ipaddress.ip_network(words[0])))
    return out


def addresses(rng, nets, n):
    """n addresses: inside the routes' prefixes, next to them, anywhere."""
    out = []
    for _ in range(n):
        net = rng.choice(nets)
        kind = rng.randrange(4)
        if kind < 2:
            addr = net.network_address + rng.randrange(net.num_addresses)
        elif kind == 2:
            addr = net.broadcast_address + 1 if net.broadcast_address != \
                net.broadcast_address.__class__(2 ** net.max_prefixlen - 1) else net.network_address
        else:
            bits = 32 if rng.randrange(3) else 128
            addr = ipaddress.ip_address(rng.getrandbits(bits)) if bits == 32 else \
                ipaddress.IPv6Address(rng.getrandbits(128))
        out.append(str(addr))
    return out


def expected(sock, addrs, table):
    """What routectl -j lookup says, as the fields an Answer has."""
    path = os.path.join(TMP, "addrs.txt")
    with open(path, "w") as f:
        f.write("\n".join(addrs) + "\n")
    rows = routectl(sock, "lookup", "-f", path, "table", table)
    out = []
    for r in rows:
        found = r["prefix"] is not None
        out.append((r["address"], found, r["prefix"],
                    int(r["prefix"].split("/")[1]) if found else None,
                    r["via"], r["tag"], r["type"] in REJECT_TYPES))
    return out


def fields(answers):
    return [(a.address, a.found, a.prefix, a.prefix_len, a.via, a.tag, a.reject)
            for a in answers]


def first_difference(got, want):
    for g, w in zip(got, want):
        if g != w:
            return "got  %r\nwant %r" % (g, w)
    return "lengths %d and %d" % (len(got), len(want))


def check_answers(client, sock, addrs, table_word, table_id, desc):
    want = expected(sock, addrs, table_word)
    got = fields(client.lookup(addrs, table=table_id))
    ok(got == want, desc, None if got == want else first_difference(got, want))
    return want


POISON_TAG = 0xdeadbeef


class Proxy:
    """A lookup server that misbehaves: it passes each request to a real
    routed, then sends the client every kind of wrong response before the
    real one (twice). The wrong ones carry poisoned answers (every slot
    found, tag POISON_TAG), so a client that accepted any of them would
    return a wrong answer, however many datagrams the kernel dropped.
    Modes: "wrong" (that), "poison" (only a poisoned but valid response:
    the control that poison shows), "mark" (the real response with the
    multipath bit and an unknown bit set in its first slot)."""

    def __init__(self, upstream):
        host, port = upstream.rsplit(":", 1)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]
        self.up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.up.connect((host, int(port)))
        self.up.settimeout(10)
        self.mode = "wrong"
        threading.Thread(target=self.run, daemon=True).start()

    @staticmethod
    def poisoned(resp):
        b = bytearray(resp)
        size = 16 if resp[2] == 4 else 40
        flags_at = 4 if resp[2] == 4 else 16
        for off in range(24, len(b), size):
            b[off + flags_at] = 0x05		# found, tag
            b[off + flags_at + 1] = 1		# /1
            struct.pack_into("!I", b, off + flags_at + 4, POISON_TAG)
        return bytes(b)

    @staticmethod
    def wrong(resp):
        """Responses the protocol's client rules refuse."""
        def edit(offset, value):
            b = bytearray(resp)
            b[offset] = value
            return bytes(b)
        rid = struct.unpack_from("!I", resp, 4)[0]
        other_id = bytearray(resp)
        struct.pack_into("!I", other_id, 4, (rid + 12345) & 0xffffffff)
        other_table = bytearray(resp)
        struct.pack_into("!I", other_table, 8, 4242)
        return [
            resp[:-1],			# truncated
            resp + b"\0",		# a trailing byte
            resp[:23],			# shorter than a header
            edit(0, 2),			# version 2
            edit(1, 0),			# not marked as a response
            edit(1, 0x03),		# an unknown header flag
            edit(2, 6 if resp[2] == 4 else 4),	# the other family
            edit(3, resp[3] + 1),	# another count
            edit(13, 1),		# reserved byte set
            edit(24, resp[24] ^ 0x80),	# first echoed address changed
            edit(24 + (5 if resp[2] == 4 else 17), 200),	# prefix length > 128
            bytes(other_id),		# an id nobody waits for
            bytes(other_table),		# another table
            b"\xff" * len(resp),	# garbage
        ]

    def run(self):
        while True:
            data, peer = self.sock.recvfrom(2048)
            self.up.send(data)
            resp = self.up.recv(2048)
            if self.mode == "poison":
                self.sock.sendto(self.poisoned(resp), peer)
                continue
            if self.mode == "mark":
                b = bytearray(resp)
                b[24 + (4 if resp[2] == 4 else 16)] |= 0x10 | 0x40
                resp = bytes(b)
            else:
                for bad in self.wrong(self.poisoned(resp)):
                    self.sock.sendto(bad, peer)
            self.sock.sendto(resp, peer)
            self.sock.sendto(resp, peer)


def main():
    global ROUTECTL, TMP
    seed, ROUTECTL, sock_a, addr_a, sock_b, addr_b, pid_b = sys.argv[1:8]
    files = sys.argv[8:]
    TMP = os.path.dirname(sock_a)
    rng = random.Random(int(seed))
    nets = prefixes(files)
    main_nets = [n for t, n in nets if t == "main"]
    dmz_nets = [n for t, n in nets if t != "main"]

    # ---- answers equal routectl's ----
    client = Client(addr_a)
    addrs = addresses(rng, main_nets, 3000)
    typed = ["10.250.1.1", "10.251.1.1", "10.252.1.1", "2001:db8:dead::1",
             "10.253.0.1", "203.0.113.9", "::ffff:10.250.1.1", "2001:db8:beef::1"]
    want = check_answers(client, sock_a, addrs + typed, "main", 0,
                         "3008 mixed addresses (main, table 0) equal routectl -j lookup")
    ok(sum(1 for w in want if w[1]) > 1000 and sum(1 for w in want if not w[1]) > 100,
       "... found and not found both well represented")
    ok(any(w[6] for w in want) and sum(1 for w in want if w[5] is None and w[1]) > 0,
       "... reject answers and routes without tag among them")
    ok(any(":" in w[0] and w[1] for w in want), "... IPv6 answers found among them")
    dmz = addresses(rng, dmz_nets, 200)
    check_answers(client, sock_a, dmz, "100", 100, "table 100 by id equals routectl -j lookup table 100")
    check_answers(client, sock_a, addrs[:10], "main", 254, "table 254 given explicitly")

    udp = routectl(sock_a, "lookup", "--udp=" + addr_a, *addrs[:40])
    got = client.lookup(addrs[:40])
    ok([a.generation for a in got] == [r["generation"] for r in udp],
       "generations equal routectl lookup --udp's")
    one = client.lookup(["10.250.1.1"])[0]
    ok(one.found and one.reject and one.via is None and one.tag == 5 and not one.multipath,
       "a blackhole route: found, reject, no via, its tag", one)
    one = client.lookup(["10.253.0.1"])[0]
    ok(one.found and not one.reject and one.via is None and one.tag is None,
       "a route with only a device: no via, no tag", one)
    ok(client.lookup([]) == [], "an empty batch: no answers, nothing sent")
    ok(client.lookup([ipaddress.ip_address("10.250.1.1")])[0].prefix == "10.250.0.0/16",
       "ipaddress objects are accepted")

    try:
        client.lookup(["10.1.1.1", "not-an-address"])
        ok(False, "a bad address is refused")
    except ValueError as e:
        ok("not-an-address" in str(e), "a bad address is refused with ValueError naming it", e)
    try:
        client.lookup(["10.1.1.1"], table=77)
        ok(False, "an unknown table raises NoSuchTable")
    except NoSuchTable as e:
        ok(e.table == 77, "an unknown table raises NoSuchTable", e)
    ok(client.ignored == 0, "a well-behaved server: no response ignored", client.ignored)
    client.close()

    # ---- malformed responses are ignored ----
    proxy = Proxy(addr_a)
    with Client(proxy.address) as c:
        sample = addrs[:500] + typed
        got = fields(c.lookup(sample))
        ok(got == want[:500] + want[-len(typed):],
           "through a server that sends 14 kinds of wrong response first: the right answers",
           None if got == want[:500] + want[-len(typed):] else
           first_difference(got, want[:500] + want[-len(typed):]))
        ok(c.ignored > 0, "... the wrong responses counted as ignored (%d)" % c.ignored)
        proxy.mode = "poison"
        ok(all(a.tag == POISON_TAG for a in c.lookup(addrs[:100])),
           "(the poison shows when a response carrying it is valid)")
        proxy.mode = "mark"
        marked = c.lookup(["10.250.1.1", "2001:db8:beef::1"])
        plain = Client(addr_a).lookup(["10.250.1.1", "2001:db8:beef::1"])
        ok(all(m.multipath and (m.flags & 0x40) for m in marked)
           and fields(marked) == fields(plain),
           "multipath (0x10) shows; an unknown answer flag (0x40) changes nothing else", marked)

    # ---- Control ----
    ctl = Control(sock_a)
    ok(ctl.call("ping") == {"pong": True}, "Control.call('ping') returns the result")
    ctl.call("route.add", {"prefix": "192.0.2.128/25", "via": "198.51.100.1", "tag": 11})
    route = ctl.call("route.get", {"prefix": "192.0.2.128/25"})
    ok(json.dumps(route).find("198.51.100.1") > 0, "route.add then route.get on one connection", route)
    try:
        ctl.call("route.add", {"prefix": "10.0.0.1/8"})
        ok(False, "an error response raises ControlError")
    except ControlError as e:
        ok(e.code == -32602 and e.data == {"field": "prefix"} and "host bits" in e.message,
           "an error response raises ControlError with code, message and data",
           "%r %r %r" % (e.code, e.message, e.data))
    try:
        ctl.call("no.such.method")
        ok(False, "an unknown method raises ControlError -32601")
    except ControlError as e:
        ok(e.code == -32601, "an unknown method raises ControlError -32601", e)
    ok(ctl.call("table.list")["tables"][0]["id"] == 100, "the connection still works after errors")
    ctl.close()
    os.environ["ROUTED_SOCKET"] = sock_a
    with Control() as c2:
        ok(c2.path == sock_a and "version" in c2.call("info"), "Control() finds $ROUTED_SOCKET")
    try:
        Control(os.path.join(TMP, "nothing.sock")).call("ping")
        ok(False, "a missing socket raises OSError")
    except OSError:
        ok(True, "a missing socket raises OSError")
    new = Client(addr_a).lookup(["192.0.2.200"])[0]
    ok(new.prefix == "192.0.2.128/25" and new.via == "198.51.100.1" and new.tag == 11,
       "the route added over Control answers over UDP", new)
    Control(sock_a).call("route.delete", {"prefix": "192.0.2.128/25"})

    # ---- timeouts ----
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))	# never read: no answer, no ICMP error
    silent_addr = "127.0.0.1:%d" % silent.getsockname()[1]
    with Client(silent_addr) as c:
        t0 = time.monotonic()
        try:
            c.lookup(["10.1.1.1", "2001:db8::1"], timeout=0.6)
            ok(False, "a silent server: LookupTimeout")
        except LookupTimeout as e:
            took = time.monotonic() - t0
            ok(0.6 <= took < 10 and sorted(e.unanswered) == ["10.1.1.1", "2001:db8::1"],
               "a silent server: LookupTimeout after the 0.6 s timeout (%.2f s), "
               "naming the unanswered addresses" % took, e.unanswered)
        ok(c.stats()[0]["sent"] >= 4, "... each datagram was retried within it", c.stats())

    # ---- several servers and failover ----
    with Client("%s,%s" % (addr_a, addr_b)) as c:
        got = fields(c.lookup(addrs))
        st = c.stats()
        ok(got == want[:len(addrs)], "two servers: the same answers")
        ok(all(s["answered"] > 5 for s in st), "... both servers answered a share", st)
        os.kill(int(pid_b), 9)
        while True:	# gone when its control socket refuses connections
            try:
                Control(sock_b, timeout=1).call("ping")
            except OSError:
                break
        got = fields(c.lookup(addrs))
        ok(got == want[:len(addrs)], "B killed: every answer still right (from A)")
        ok(c.stats()[1]["down"], "... B is marked down", c.stats())

    with Client("%s,%s" % (silent_addr, addr_a), retry_after=0.5) as c:
        t0 = time.monotonic()
        got = fields(c.lookup(addrs, timeout=20))
        took = time.monotonic() - t0
        st = c.stats()
        ok(got == want[:len(addrs)], "a silent first server: every answer right (%.2f s)" % took)
        ok(st[0]["down"] and st[0]["answered"] == 0 and st[1]["sent"] >= 41,
           "... the silent server is marked down, the other answered all", st)
        ok(took >= 0.25, "... after one try's wait (0.25 s) at least", took)
        ok(st[0]["sent"] <= WINDOW,
           "... it cost one wait: nothing was sent to it after its first timeout", st)
        before = st[0]["sent"]
        c.lookup(addrs[:200])
        ok(c.stats()[0]["sent"] == before,
           "a server marked down gets nothing in the next batch", c.stats())
        time.sleep(0.5)	# retry_after: the point is that it passes
        c.lookup(addrs[:600])
        ok(c.stats()[0]["sent"] > before, "after retry_after it is tried again", c.stats())

    for bad in ("", "127.0.0.1:0", "127.0.0.1:x", "[::1", "127.0.0.1:5300,"):
        try:
            Client(bad)
            ok(False, "Client(%r) is refused" % bad)
        except ValueError:
            ok(True, "Client(%r) is refused with ValueError" % bad)
    print("# all checks ran")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
