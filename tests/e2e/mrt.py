#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""MRT helpers of the end-to-end tests (tests/e2e/mrt-files, mrt-bird).

  mrt.py craft DIR
      write crafted TABLE_DUMP_V2 files into DIR: multi.mrt (three peers,
      overlapping prefixes), as4.mrt (4-byte AS numbers), truncated.mrt,
      corrupt.mrt, and expect-*.routes: the routes each load must give
      (prefix via tag), one per line, sorted
  mrt.py saved FILE
      a route file (routectl save) as "prefix via tag" lines, sorted
  mrt.py bgpdump FILE [PEER-IP]
      bgpdump -m's lines (from stdin) as "prefix via tag" for one peer; without
      PEER-IP the path routectl chooses by default: shortest AS path, then the
      peer listed first in the file's PEER_INDEX_TABLE (the peer IPs in order
      in $MRT_PEER_ORDER, space-separated)
"""

import os
import struct
import sys
import ipaddress

TS = 1700000000


def record(subtype, body, mtype=13):
    return struct.pack(">IHHI", TS, mtype, subtype, len(body)) + body


def peer_table(peers):
    """peers: [(address, as, as4)]"""
    body = struct.pack(">IH", 0x0A000001, 0) + struct.pack(">H", len(peers))
    for i, (addr, asn, as4) in enumerate(peers):
        ip = ipaddress.ip_address(addr)
        ptype = (1 if ip.version == 6 else 0) | (2 if as4 else 0)
        body += struct.pack(">BI", ptype, 0x0A000100 + i) + ip.packed
        body += struct.pack(">I", asn) if as4 else struct.pack(">H", asn)
    return record(1, body)


def attr(flags, code, value):
    if len(value) > 255:
        return struct.pack(">BBH", flags | 0x10, code, len(value)) + value
    return struct.pack(">BBB", flags, code, len(value)) + value


def as_path(segments):
    """segments: [(type, [as...])], type 2 sequence, 1 set"""
    value = b"".join(struct.pack(">BB", t, len(a)) + b"".join(struct.pack(">I", x) for x in a)
                     for t, a in segments)
    return attr(0x40, 2, value)


def next_hops(prefix, hop):
    if ipaddress.ip_network(prefix).version == 4:
        return attr(0x40, 3, ipaddress.ip_address(hop).packed)
    nh = ipaddress.ip_address(hop).packed + ipaddress.ip_address("fe80::1").packed
    return attr(0x80, 14, bytes([len(nh)]) + nh)


def rib(seq, prefix, entries):
    """entries: [(peer index, segments, next hop)]"""
    net = ipaddress.ip_network(prefix)
    plen = net.prefixlen
    body = struct.pack(">IB", seq, plen) + net.network_address.packed[:(plen + 7) // 8]
    body += struct.pack(">H", len(entries))
    for peer, segments, hop in entries:
        attrs = attr(0x40, 1, b"\x00") + as_path(segments) + next_hops(prefix, hop)
        body += struct.pack(">HIH", peer, TS, len(attrs)) + attrs
    return record(2 if net.version == 4 else 4, body)


def origin(segments):
    """The documented rule: last AS of the last sequence; lowest of a final set."""
    segs = [(t, a) for t, a in segments if t in (1, 2) and a]
    if not segs:
        return None
    t, a = segs[-1]
    return min(a) if t == 1 else a[-1]


def hops(segments):
    return sum(len(a) if t == 2 else 1 if t == 1 and a else 0 for t, a in segments)


def choose(entries, peer=None):
    best = None
    for i, (p, segs, hop) in enumerate(entries):
        if peer is not None and p != peer:
            continue
        if best is None or (hops(segs), p) < (hops(entries[best][1]), entries[best][0]):
            best = i
    return best


def route_line(prefix, hop, tag):
    prefix = ipaddress.ip_network(prefix)
    hop = ipaddress.ip_address(hop) if hop != "-" else hop
    return f"{prefix} {hop} {tag if tag is not None else '-'}"


def write_expect(path, ribs, peer=None):
    lines = []
    for prefix, entries in ribs:
        i = choose(entries, peer)
        if i is not None:
            lines.append(route_line(prefix, entries[i][2], origin(entries[i][1])))
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in sorted(lines)))


def craft(d):
    peers = [("192.0.2.1", 65001, False), ("2001:db8::2", 4200000002, True),
             ("192.0.2.3", 65003, True)]
    ribs = []
    for i in range(60):
        prefix = f"10.{i}.0.0/16"
        entries = []
        for p in range(3):
            if (i + p) % 4 == 3:
                continue  # not every peer has every prefix
            length = 1 + (i * 7 + p * 3) % 4
            segs = [(2, [peers[p][1]] + [64600 + i + k for k in range(length - 1)])]
            if i % 10 == 0 and p == 1:
                segs.append((1, [65550 + i, 65540 + i, 65560]))  # an aggregate
            entries.append((p, segs, f"192.0.2.{10 + p}"))
        ribs.append((prefix, entries))
    for i in range(20):
        prefix = f"2001:db8:{i:x}::/48"
        entries = [(p, [(2, [peers[p][1], 65100 + i + p][: 1 + (i + p) % 2])], f"2001:db8::{p + 1}")
                   for p in (2, 1, 0)]
        ribs.append((prefix, entries))
    data = peer_table(peers)
    offsets = []
    for seq, (prefix, entries) in enumerate(ribs):
        offsets.append(len(data))
        data += rib(seq, prefix, entries)
    with open(os.path.join(d, "multi.mrt"), "wb") as f:
        f.write(data)
    write_expect(os.path.join(d, "expect-multi.routes"), ribs)
    for p in range(3):
        write_expect(os.path.join(d, f"expect-multi-peer{p}.routes"), ribs, p)

    # Truncated inside record 42 (the 41st RIB): the 40 RIBs before it load with --partial.
    cut = offsets[40] + 30
    with open(os.path.join(d, "truncated.mrt"), "wb") as f:
        f.write(data[:cut])
    write_expect(os.path.join(d, "expect-partial.routes"), ribs[:40])
    with open(os.path.join(d, "truncated.offset"), "w") as f:
        f.write(f"{offsets[40]}\n")
    # Corrupt: the 11th RIB names peer 7 of 3.
    bad = bytearray(data)
    entry0 = offsets[10] + 12 + 4 + 1 + 2 + 2
    bad[entry0:entry0 + 2] = struct.pack(">H", 7)
    with open(os.path.join(d, "corrupt.mrt"), "wb") as f:
        f.write(bytes(bad))
    with open(os.path.join(d, "corrupt.offset"), "w") as f:
        f.write(f"{offsets[10]}\n")

    # 4-byte AS numbers in the peer table and the paths.
    as4_peers = [("192.0.2.77", 4200000077, True)]
    as4_ribs = [(f"172.{16 + i}.0.0/16",
                 [(0, [(2, [4200000077, 4200000100 + i, 4294967295 - i])], "192.0.2.77")])
                for i in range(8)]
    data = peer_table(as4_peers)
    for seq, (prefix, entries) in enumerate(as4_ribs):
        data += rib(seq, prefix, entries)
    with open(os.path.join(d, "as4.mrt"), "wb") as f:
        f.write(data)
    write_expect(os.path.join(d, "expect-as4.routes"), as4_ribs)


def saved(path):
    lines = []
    for line in open(path):
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        kv = dict(zip(w[1::2], w[2::2]))
        lines.append(route_line(w[0], kv.get("via", "-"), kv.get("tag")))
    return sorted(lines)


def bgpdump_paths(stream):
    """(peer ip, prefix, as path words, next hop) per bgpdump -m line."""
    for line in stream:
        f = line.rstrip("\n").split("|")
        if len(f) < 9 or not f[0].startswith("TABLE_DUMP"):
            continue
        yield f[3], f[5], f[6].split(), f[8]


def path_origin(words):
    if not words:
        return None
    last = words[-1]
    if last.startswith("{"):
        return min(int(x) for x in last.strip("{}").split(",") if x)
    return int(last)


def path_hops(words):
    return len(words)


def bgpdump(peer):
    order = os.environ.get("MRT_PEER_ORDER", "").split()
    best = {}
    for ip, prefix, words, hop in bgpdump_paths(sys.stdin):
        if peer and ip != peer:
            continue
        key = (path_hops(words), order.index(ip) if ip in order else len(order))
        if prefix not in best or key < best[prefix][0]:
            best[prefix] = (key, route_line(prefix, hop, path_origin(words)))
    return sorted(v[1] for v in best.values())


def main():
    cmd = sys.argv[1]
    if cmd == "craft":
        craft(sys.argv[2])
    elif cmd == "saved":
        print("\n".join(saved(sys.argv[2])))
    elif cmd == "bgpdump":
        print("\n".join(bgpdump(sys.argv[2] if len(sys.argv) > 2 else None)))
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
