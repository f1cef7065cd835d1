#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# An independent client of routed's UDP lookup protocol for the end-to-end
# tests, written from docs/lookup-protocol.md (not from lib/lookup_wire.c),
# so the daemon's encoding is checked against the specification.
#
#   udp.py SOCKET ADDR:PORT answers EXPECT.json
#       Ask about every address of EXPECT (a list of {"addr", "table"?,
#       "found", "len"?, "gateway"?, "tag"?, "reject"?}) in datagrams of mixed sizes and
#       compare every answer field. Prints "ok - ..." / "not ok - ..." lines.
#   udp.py SOCKET ADDR:PORT malformed SEED
#       Send every kind of malformed datagram, check none is answered and
#       that each drop counter in stats.udp.drops grew by exactly the number
#       sent, then that a valid request is still answered.
#   udp.py SOCKET ADDR:PORT flood N SEED
#       Send N malformed datagrams as fast as possible; every one must be
#       counted by routed or dropped by the kernel (SO_RXQ_OVFL), none
#       answered, and valid requests answered correctly afterwards.
#   udp.py SOCKET ADDR:PORT ask ADDR [TABLE]
#       Print one answer as JSON ({"status", "found", ...}) or "timeout".
#   udp.py SOCKET ADDR:PORT multipath PREFIX N SEED [TABLE]
#       Ask about N random addresses of PREFIX, whose route is multipath,
#       over UDP and with route.lookup; of those whose longest match is
#       PREFIX (not a more specific route), every UDP answer has flag 0x10 and
#       the gateway route.lookup says was chosen for that address, which is
#       the one the documented hash chooses (computed here from the spec),
#       and each next hop's share is within 0.05 of weight/total.

import ipaddress
import json
import os
import random
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rpc  # noqa: E402

HEADER = struct.Struct(">BBBBIIB3xQ")	# version flags family count id table status - generation
SLOT = {4: 16, 6: 40}
MAX_COUNT = {4: 75, 6: 30}
MAX_PAYLOAD = 1232


def parse_hostport(text):
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    return fam, (host, int(port))


def request(family, addrs, req_id, table=0, version=1, flags=0):
    out = HEADER.pack(version, flags, family, len(addrs), req_id, table, 0, 0)
    for a in addrs:
        raw = ipaddress.ip_address(a).packed
        out += raw + bytes(SLOT[family] - len(raw))
    return out


def decode(data):
    """(header dict, [answer dicts]) of a response."""
    version, flags, family, count, req_id, table, status, gen = HEADER.unpack_from(data)
    hdr = {"version": version, "flags": flags, "family": family, "count": count,
           "id": req_id, "table": table, "status": status, "generation": gen}
    alen = 4 if family == 4 else 16
    answers = []
    for i in range(count):
        s = data[24 + i * SLOT[family]: 24 + (i + 1) * SLOT[family]]
        f, plen = s[alen], s[alen + 1]
        (tag,) = struct.unpack_from(">I", s, alen + 4)
        gw = s[alen + 8: alen + 8 + alen]
        answers.append({
            "addr": str(ipaddress.ip_address(bytes(s[:alen]))),
            "found": bool(f & 1),
            "len": plen if f & 1 else None,
            "gateway": str(ipaddress.ip_address(bytes(gw))) if f & 2 else None,
            "tag": tag if f & 4 else None,
            "reject": bool(f & 8),
            "multipath": bool(f & 0x10),
            "reserved": s[alen + 2: alen + 4],
            "flags": f,
        })
    return hdr, answers


class Client:
    def __init__(self, target):
        fam, self.addr = parse_hostport(target)
        self.sock = socket.socket(fam, socket.SOCK_DGRAM)
        self.sock.settimeout(2.0)
        self.next_id = random.randrange(1 << 32)

    def exchange(self, data, timeout=2.0):
        """Send data; the response bytes, or None after timeout."""
        self.sock.settimeout(timeout)
        self.sock.sendto(data, self.addr)
        try:
            return self.sock.recv(4096)
        except socket.timeout:
            return None

    def ask(self, family, addrs, table=0):
        req_id = self.next_id
        self.next_id = (self.next_id + 1) & 0xffffffff
        data = request(family, addrs, req_id, table)
        for _ in range(3):
            resp = self.exchange(data)
            if resp is not None:
                break
        if resp is None:
            return None, None, data
        return decode(resp) + (data,)


def tap(ok, what, detail=None):
    print(("ok - " if ok else "not ok - ") + what)
    if not ok and detail:
        for line in str(detail).splitlines():
            print("# " + line)
    return ok


def family_of(a):
    return 4 if ipaddress.ip_address(a).version == 4 else 6


def check_answers(client, expect):
    groups = {}
    for e in expect:
        groups.setdefault((family_of(e["addr"]), e.get("table", 0)), []).append(e)
    bad = []
    datagrams = 0
    rng = random.Random(1)
    for (fam, table), items in sorted(groups.items()):
        i = 0
        while i < len(items):
            n = min(len(items) - i, rng.choice([1, 2, 7, MAX_COUNT[fam]]))
            chunk = items[i:i + n]
            i += n
            hdr, answers, sent = client.ask(fam, [e["addr"] for e in chunk], table)
            datagrams += 1
            if hdr is None:
                bad.append("no answer for %s" % [e["addr"] for e in chunk])
                continue
            resp_len = 24 + n * SLOT[fam]
            if hdr["flags"] != 1 or hdr["version"] != 1 or hdr["count"] != n or \
                    hdr["family"] != fam or len(sent) != resp_len:
                bad.append("bad header %s" % hdr)
            want_status = 1 if any(e.get("no_table") for e in chunk) else 0
            if hdr["status"] != want_status:
                bad.append("status %d, expected %d" % (hdr["status"], want_status))
            for e, a in zip(chunk, answers):
                want = {"addr": str(ipaddress.ip_address(e["addr"])),
                        "found": e["found"], "len": e.get("len"),
                        "gateway": e.get("gateway"), "tag": e.get("tag"),
                        "reject": e.get("reject", False)}
                got = {k: a[k] for k in want}
                if got != want or a["reserved"] != b"\0\0":
                    bad.append("%s: got %s, expected %s" % (e["addr"], got, want))
    tap(not bad, "%d addresses in %d datagrams answered as expected" % (len(expect), datagrams),
        "\n".join(bad[:10]))


def stats(sock_path):
    conn = rpc.Conn(sock_path)
    try:
        return rpc.result(conn, "stats")["udp"]
    finally:
        conn.close()


def check_malformed(sock_path, client, seed):
    print("# malformed datagrams, seed %d" % seed)
    rng = random.Random(seed)
    good4 = request(4, ["10.1.2.3", "10.2.3.4"], 1)
    good6 = request(6, ["2001:db8::5"], 2)
    cases = {
        "short": [b"", b"\x01", good4[:23]] + [rng.randbytes(rng.randrange(1, 24))
                                                 for _ in range(20)],
        "version": [bytes([v]) + good4[1:] for v in (0, 2, 255)],
        "direction": [good4[:1] + b"\x01" + good4[2:]],
        "flags": [good4[:1] + bytes([f]) + good4[2:] for f in (2, 0x80)] +
                 [good4[:13] + b"\x01" + good4[14:]],
        "family": [good4[:2] + bytes([f]) + good4[3:] for f in (0, 5, 255)],
        "zero_count": [good4[:3] + b"\x00" + good4[4:24]],
        "count": [good4[:3] + bytes([76]) + good4[4:], good6[:3] + bytes([31]) + good6[4:],
                  good4[:3] + b"\xff" + good4[4:]],
        "length": [good4[:-1], good4 + b"\x00", good4 + bytes(16), good6[:-16],
                   good4[:3] + b"\x03" + good4[4:]],
        "oversize": [bytes(1233), good4 + bytes(2000), rng.randbytes(9000)],
    }
    # Random bytes that happen to be a valid request would be answered: keep
    # only those the rules refuse (a random first byte is rarely version 1).
    randoms = [rng.randbytes(rng.randrange(24, 1232)) for _ in range(200)]
    cases["version"] += [r for r in randoms if r[0] != 1]
    before = stats(sock_path)
    answered = 0
    for kind, datagrams in cases.items():
        for d in datagrams:
            client.sock.sendto(d, client.addr)
    # Anything answered would arrive within this wait.
    client.sock.settimeout(0.5)
    try:
        while True:
            client.sock.recv(4096)
            answered += 1
    except socket.timeout:
        pass
    tap(answered == 0, "no malformed datagram is answered (%d sent)" %
        sum(len(v) for v in cases.values()), "%d answers" % answered)
    hdr, answers, _ = client.ask(4, ["10.1.2.3"])
    tap(hdr is not None and answers[0]["found"], "a valid request is answered afterwards")
    after = stats(sock_path)
    wrong = []
    for kind, datagrams in cases.items():
        got = after["drops"][kind] - before["drops"][kind]
        if got != len(datagrams):
            wrong.append("%s: counted %d, sent %d" % (kind, got, len(datagrams)))
    total = sum(len(v) for v in cases.values())
    if after["drops"]["total"] - before["drops"]["total"] != total:
        wrong.append("total: counted %d, sent %d" %
                     (after["drops"]["total"] - before["drops"]["total"], total))
    tap(not wrong, "every malformed datagram is counted under its reason", "\n".join(wrong))


def check_flood(sock_path, client, n, seed):
    """n malformed datagrams as fast as possible: every one is either
    counted by routed under its reason or by the kernel as a receive-buffer
    drop (SO_RXQ_OVFL), none is answered, and valid requests are answered
    correctly afterwards."""
    print("# flood of %d malformed datagrams, seed %d" % (n, seed))
    rng = random.Random(seed)
    good4 = request(4, ["10.1.2.3", "10.2.3.4"], 1)
    kinds = [
        ("short", lambda: rng.randbytes(rng.randrange(0, 24))),
        ("version", lambda: bytes([rng.choice((0, 2, 255))]) + good4[1:]),
        ("count", lambda: good4[:3] + bytes([rng.randrange(76, 256)]) + good4[4:]),
        ("length", lambda: good4 + bytes(rng.randrange(1, 64))),
        ("zero_count", lambda: good4[:3] + b"\x00" + good4[4:24]),
        ("oversize", lambda: bytes(rng.randrange(1233, 1500))),
    ]
    # A few hundred distinct datagrams, sent round-robin: generating a
    # million would cost more than sending them.
    pool = [(k, make()) for k, make in kinds for _ in range(64)]
    sent = {k: 0 for k, _ in kinds}
    before = stats(sock_path)
    sock, addr = client.sock, client.addr
    for i in range(n):
        kind, d = pool[i % len(pool)]
        sock.sendto(d, addr)
        sent[kind] += 1
    client.sock.settimeout(0.5)
    answered = 0
    try:
        while True:
            client.sock.recv(4096)
            answered += 1
    except socket.timeout:
        pass
    tap(answered == 0, "none of %d malformed datagrams is answered" % n, "%d answers" % answered)
    # Valid requests after the flood (they also carry the kernel's drop count).
    bad = 0
    for i in range(50):
        hdr, answers, _ = client.ask(4, ["10.1.2.3"])
        if hdr is None or not answers[0]["found"] or answers[0]["len"] != 16:
            bad += 1
    tap(bad == 0, "valid requests are answered correctly after the flood", "%d of 50 wrong" % bad)
    after = stats(sock_path)
    counted = after["drops"]["total"] - before["drops"]["total"]
    kernel = after["kernel_drops"] - before["kernel_drops"]
    print("# routed counted %d, the kernel dropped %d" % (counted, kernel))
    tap(counted + kernel == n, "every malformed datagram is accounted for: %d counted by routed "
        "+ %d dropped by the kernel = %d sent" % (counted, kernel, n))
    per_kind = [k for k, _ in kinds
                if after["drops"][k] - before["drops"][k] > sent[k]]
    tap(not per_kind, "no reason counted more datagrams than were sent of its kind",
        ", ".join(per_kind))


def multipath_hash(packed):
    """docs/lookup-protocol.md, "Multipath": FNV-1a over the address bytes,
    then the MurmurHash3 finalizer."""
    h = 2166136261
    for b in packed:
        h = ((h ^ b) * 16777619) & 0xffffffff
    h ^= h >> 16
    h = (h * 0x85ebca6b) & 0xffffffff
    h ^= h >> 13
    h = (h * 0xc2b2ae35) & 0xffffffff
    h ^= h >> 16
    return h


def multipath_choice(addr, nexthops):
    """The next hop the spec says an address goes to."""
    total = sum(n["weight"] for n in nexthops)
    slot = (multipath_hash(ipaddress.ip_address(addr).packed) * total) >> 32
    for n in nexthops:
        if slot < n["weight"]:
            return n
        slot -= n["weight"]
    raise AssertionError("slot past the total weight")


def check_multipath(sock_path, client, prefix, n, seed, table):
    net = ipaddress.ip_network(prefix)
    rng = random.Random(seed)
    print("# seed %d" % seed)
    addrs = [str(net.network_address + rng.randrange(net.num_addresses)) for _ in range(n)]
    fam = family_of(addrs[0])
    conn = rpc.Conn(sock_path, timeout=120)
    looked = []
    try:
        # In calls of 500: a route of 64 next hops makes a large result.
        for base in range(0, n, 500):
            params = {"addresses": addrs[base:base + 500]}
            if table:
                params["table"] = table
            looked += rpc.result(conn, "route.lookup", params)["results"]
    finally:
        conn.close()
    mine = [r for r in looked if r["prefix"] == str(net)]
    if not mine:
        return tap(False, "multipath: addresses matched by %s" % prefix)
    nexthops = mine[0]["route"]["nexthops"]
    bad_flag, disagree, off_spec = [], [], []
    count = {}
    for base in range(0, n, MAX_COUNT[fam]):
        chunk = addrs[base:base + MAX_COUNT[fam]]
        hdr, answers, _ = client.ask(fam, chunk, table)
        if hdr is None:
            return tap(False, "multipath: every datagram answered", "timeout")
        for a, res in zip(answers, looked[base:base + len(chunk)]):
            if res["prefix"] != str(net):
                continue
            if not (a["found"] and a["multipath"] and not a["reject"]):
                bad_flag.append(a)
            if a["gateway"] != res["via"]:
                disagree.append((a["addr"], a["gateway"], res["via"]))
            want = multipath_choice(a["addr"], nexthops)
            if want["via"] != res["via"] or want["dev"] != res["dev"]:
                off_spec.append((a["addr"], res["via"], res["dev"], want))
            count[res["via"]] = count.get(res["via"], 0) + 1
    tap(not bad_flag, "multipath: every UDP answer is found with flag 0x10", bad_flag[:5])
    tap(not disagree, "multipath: UDP gateway == route.lookup's via for every address",
        disagree[:5])
    tap(not off_spec, "multipath: the choice is the documented hash's", off_spec[:5])
    total = sum(h["weight"] for h in nexthops)
    shares = {h["via"]: count.get(h["via"], 0) / len(mine) for h in nexthops}
    tap(all(abs(shares[h["via"]] - h["weight"] / total) <= 0.05 for h in nexthops),
        "multipath: each next hop's share within 0.05 of weight/total",
        "shares %r, weights %r" % (shares, [(h["via"], h["weight"]) for h in nexthops]))


def main(argv):
    if len(argv) < 4:
        print(__doc__ if __doc__ else "usage", file=sys.stderr)
        return 2
    sock_path, target, cmd = argv[1], argv[2], argv[3]
    client = Client(target)
    if cmd == "answers":
        with open(argv[4]) as f:
            check_answers(client, json.load(f))
    elif cmd == "malformed":
        check_malformed(sock_path, client, int(argv[4]))
    elif cmd == "flood":
        check_flood(sock_path, client, int(argv[4]), int(argv[5]))
    elif cmd == "multipath":
        table = int(argv[7]) if len(argv) > 7 else 0
        check_multipath(sock_path, client, argv[4], int(argv[5]), int(argv[6]), table)
    elif cmd == "ask":
        table = int(argv[5]) if len(argv) > 5 else 0
        hdr, answers, _ = client.ask(family_of(argv[4]), [argv[4]], table)
        if hdr is None:
            print("timeout")
        else:
            a = dict(answers[0], status=hdr["status"], generation=hdr["generation"])
            del a["reserved"]
            print(json.dumps(a, sort_keys=True))
    else:
        print("unknown command %s" % cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
