#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in for routed's UDP lookup service (docs/lookup-protocol.md),
for routectl's own tests. Answers lookups in a tiny fixed table set and
appends every valid request it reads to a log (one JSON object per line:
id, table, family, count, addresses), so tests can check what routectl
sent. Malformed datagrams and responses are dropped, as the server does.

Listens on 127.0.0.1 and ::1 (when the host has IPv6) on ephemeral ports
and writes "PORT4 PORT6" to the PORTS file once ready (PORT6 is "none"
without IPv6). With CONTROL, also answers table.list on that Unix socket
(main = 254, customers = 100).

Tables (table id 0 is main):
- 254 main, generation 17: 10.0.0.0/8 via 192.0.2.1 tag 7; 10.1.0.0/16 (no
  gateway, no tag); 2001:db8::/32 via fe80::1; 2001:db8:1::/48 tag 9.
- 100 customers, generation 5: 0.0.0.0/0 via 198.51.100.1; ::/0.
- 99: never answered (timeouts). Any other id: status 1, no such table.

Misbehaviour on purpose:
- a datagram holding 192.0.2.66 is first answered wrongly three times (an
  echoed address changed, another request id, a truncated response), then
  correctly;
- a datagram holding 192.0.2.77 is dropped the first time its id is seen.

usage: fake-lookup.py PORTS LOG [CONTROL]
"""
import ipaddress
import json
import os
import select
import socket
import struct
import sys
import threading

# version, flags, family, count, id, table, status, 3 reserved, generation
HEADER = struct.Struct("!BBBBIIB3xQ")
SLOT = {4: struct.Struct("!4sBB2xI4s"), 6: struct.Struct("!16sBB2xI16s")}
MAX_COUNT = {4: 75, 6: 30}
MAX_PAYLOAD = 1232
F_RESPONSE = 1
A_FOUND, A_GATEWAY, A_TAG = 1, 2, 4
SILENT_TABLE = 99


def net(text):
    return ipaddress.ip_network(text)


TABLES = {
    254: (17, [(net("10.0.0.0/8"), "192.0.2.1", 7),
               (net("10.1.0.0/16"), None, None),
               (net("2001:db8::/32"), "fe80::1", None),
               (net("2001:db8:1::/48"), None, 9)]),
    100: (5, [(net("0.0.0.0/0"), "198.51.100.1", None),
              (net("::/0"), None, None)]),
}


def best_route(routes, addr):
    best = None
    for prefix, gateway, tag in routes:
        if prefix.version == addr.version and addr in prefix:
            if best is None or prefix.prefixlen > best[0].prefixlen:
                best = (prefix, gateway, tag)
    return best


def parse_request(data):
    """(header fields, addresses) of a valid request, else None."""
    if len(data) > MAX_PAYLOAD or len(data) < HEADER.size:
        return None
    version, flags, family, count, rid, table, status, gen = HEADER.unpack_from(data)
    if version != 1 or flags != 0 or data[13:16] != b"\0\0\0" or family not in SLOT:
        return None
    if count == 0 or count > MAX_COUNT[family]:
        return None
    slot = SLOT[family]
    if len(data) != HEADER.size + count * slot.size:
        return None
    addrs = []
    for i in range(count):
        raw = slot.unpack_from(data, HEADER.size + i * slot.size)[0]
        addrs.append(ipaddress.ip_address(raw))
    return (family, count, rid, table), addrs


def response(family, count, rid, table, addrs):
    """The response bytes, or None for a table that is never answered."""
    if table == SILENT_TABLE:
        return None
    known = TABLES.get(254 if table == 0 else table)
    generation, routes = known if known else (0, [])
    out = bytearray(HEADER.pack(1, F_RESPONSE, family, count, rid, table,
                                0 if known else 1, generation))
    slot = SLOT[family]
    for addr in addrs:
        route = best_route(routes, addr) if known else None
        if route is None:
            out += slot.pack(addr.packed, 0, 0, 0, b"\0" * len(addr.packed))
            continue
        prefix, gateway, tag = route
        flags = A_FOUND | (A_GATEWAY if gateway else 0) | (A_TAG if tag is not None else 0)
        gw = ipaddress.ip_address(gateway).packed if gateway else b"\0" * len(addr.packed)
        out += slot.pack(addr.packed, flags, prefix.prefixlen, tag or 0, gw)
    return bytes(out)


class Service:
    def __init__(self, log):
        self.log = log
        self.seen = set()
        self.lock = threading.Lock()

    def handle(self, sock, data, peer):
        req = parse_request(data)
        if req is None:
            return
        (family, count, rid, table), addrs = req
        with self.lock:
            with open(self.log, "a") as f:
                f.write(json.dumps({"id": rid, "table": table, "family": family,
                                    "count": count,
                                    "addresses": [str(a) for a in addrs]}) + "\n")
            first_time = rid not in self.seen
            self.seen.add(rid)
        texts = [str(a) for a in addrs]
        if "192.0.2.77" in texts and first_time:
            return
        resp = response(family, count, rid, table, addrs)
        if resp is None:
            return
        if "192.0.2.66" in texts:
            wrong_addr = bytearray(resp)
            wrong_addr[HEADER.size] ^= 0x01
            wrong_id = bytearray(resp)
            struct.pack_into("!I", wrong_id, 4, (rid + 1000000) & 0xffffffff)
            for bad in (bytes(wrong_addr), bytes(wrong_id), resp[:-1]):
                sock.sendto(bad, peer)
        sock.sendto(resp, peer)


def serve_udp(socks, service):
    while True:
        ready, _, _ = select.select(socks, [], [])
        for s in ready:
            data, peer = s.recvfrom(65536)
            service.handle(s, data, peer)


def serve_control(srv):
    while True:
        conn, _ = srv.accept()
        with conn, conn.makefile("rw") as f:
            for line in f:
                req = json.loads(line)
                if req.get("method") == "table.list":
                    msg = {"jsonrpc": "2.0", "id": req["id"], "result": {"tables": [
                        {"id": 100, "name": "customers", "ipv4_routes": 1, "ipv6_routes": 1},
                        {"id": 254, "name": "main", "ipv4_routes": 2, "ipv6_routes": 2}]}}
                else:
                    msg = {"jsonrpc": "2.0", "id": req["id"],
                           "error": {"code": -32601, "message": "method not found"}}
                f.write(json.dumps(msg) + "\n")
                f.flush()


def main():
    ports_file, log = sys.argv[1], sys.argv[2]
    service = Service(log)
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s4.bind(("127.0.0.1", 0))
    socks, port6 = [s4], "none"
    try:
        s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s6.bind(("::1", 0))
        socks.append(s6)
        port6 = str(s6.getsockname()[1])
    except OSError:
        pass
    if len(sys.argv) > 3:
        # Bound before the ports file appears: ready means both are.
        if os.path.exists(sys.argv[3]):
            os.unlink(sys.argv[3])
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(sys.argv[3])
        srv.listen(8)
        threading.Thread(target=serve_control, args=(srv,), daemon=True).start()
    tmp = ports_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %s\n" % (s4.getsockname()[1], port6))
    os.rename(tmp, ports_file)
    serve_udp(socks, service)


if __name__ == "__main__":
    main()
