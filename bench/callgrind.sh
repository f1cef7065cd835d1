#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Instructions per lookup, ours beside the DPDK peers, counted by callgrind
# (and ours per single-route update: the "updates" rows, a delete and an
# add again of 20,000 random routes of the table, per pair):
# a second view of the lookup rates that does not depend on the other load
# of a shared machine. routebench --callgrind runs every lookup method once
# over the same queries per family and kind (matched, uniform) and has
# callgrind dump its counts after each; this script runs it under valgrind
# and divides. Each figure includes routebench's measuring loop (the
# "harness" row: the same loop with a lookup that only writes zeros); the
# "net" column subtracts it.
#
# usage: bench/callgrind.sh [--build DIR] [--routes FILE] [--queries N]
#                           [--keep DIR] [--cache] [-- ROUTEBENCH-OPTIONS...]
# The route file defaults to the real BGP table (bench/bgp-routes.sh);
# --queries is the number of addresses per kind (default 1048576);
# --keep keeps callgrind's files in DIR; --cache also counts data reads that
# miss a modelled 48 KiB L1 and 2 MiB L2 (this machine's), per lookup.
# Options after -- go to routebench (--churn-lag L: each update row's add is
# of the route deleted L pairs before, as in the churn)
# (e.g. --dpdk-skip-lpm: loading rte_lpm with a full table takes minutes
# under valgrind).

set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(pwd)
routes=
queries=1048576
keep=
cache=()
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--routes) routes=$2; shift ;;
	--queries) queries=$2; shift ;;
	--keep) keep=$2; shift ;;
	--cache) cache=(--cache-sim=yes --D1=49152,12,64 --LL=2097152,16,64) ;;
	--) shift; break ;;
	-h|--help) sed -n '15,25s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "callgrind: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
routebench=$build/bench/routebench
[ -x "$routebench" ] || { echo "callgrind: $routebench not built (--build DIR)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "callgrind: valgrind is not installed" >&2; exit 2; }
case $queries in
'' | *[!0-9]*) echo "callgrind: --queries: not a number: $queries" >&2; exit 2 ;;
esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/callgrind.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ -z "$routes" ]; then
	routes=$tmp/bgp.routes
	"$here/bgp-routes.sh" "$routes" || exit 1
fi
out=${keep:-$tmp}
mkdir -p "$out" || exit 1

# Uninstrumented until routebench starts the counting (loading the table and
# the peers would take many times longer instrumented). One file per thread
# and dump: only the main thread's count (it does the lookups), nothing that
# another thread (liburcu's, the EAL's) ran meanwhile.
if ! valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes "${cache[@]}" \
	--callgrind-out-file="$out/cg.out" \
	"$routebench" --routes "$routes" --callgrind --random "$queries" --quiet "$@" \
	>"$tmp/methods" 2>"$tmp/valgrind.err"; then
	cat "$tmp/valgrind.err" >&2
	echo "callgrind: routebench failed" >&2
	exit 1
fi

echo "# instructions per lookup: $(valgrind --version), $queries queries per kind," \
	"routes $(wc -l <"$routes") ($routes)"
python3 - "$out" "$tmp/methods" <<'EOF'
import glob, re, sys

out, methods = sys.argv[1], sys.argv[2]
counts, misses = {}, {}
for path in glob.glob(out + "/cg.out.*-01"):
    label = total = events = None
    for line in open(path):
        m = re.match(r"desc: Trigger: Client Request: (.*)", line)
        if m:
            label = m.group(1).strip()
        m = re.match(r"events: (.*)", line)
        if m:
            events = m.group(1).split()
        m = re.match(r"summary: (.*)", line)
        if m:
            total = [int(x) for x in m.group(1).split()]
    if label and total is not None:
        counts[label] = total[0]
        if events and "D1mr" in events:
            ev = dict(zip(events, total))
            misses[label] = (ev.get("D1mr", 0), ev.get("DLmr", 0))  # trailing zeros are left out
rows = []
for line in open(methods):
    fam, kind, struct, method, n, checksum = line.split()
    label = " ".join((fam, kind, struct, method, n))
    if label not in counts:
        sys.exit("callgrind: no count for " + label)
    rows.append((fam, kind, struct, method, int(n), counts[label] / int(n), checksum))

print("\n| family | queries | structure | method | instructions/lookup (updates: per pair) | net of the loop |")
print("|---|---|---|---|---:|---:|")
loop = {}
for fam, kind, struct, method, n, per, checksum in rows:
    if struct == "harness":
        loop[fam, kind] = per
    net = per - loop.get((fam, kind), 0) if struct != "harness" else per
    name = {"v4": "IPv4", "v6": "IPv6"}[fam]
    print("| %s | %s | %s | %s | %.1f | %.1f |" % (name, kind, struct, method, per, net))

if misses:
    print("\n| family | queries | structure | method | L1 read misses/lookup | L2 read misses/lookup |")
    print("|---|---|---|---|---:|---:|")
    for fam, kind, struct, method, n, per, checksum in rows:
        d1, l2 = misses[" ".join((fam, kind, struct, method, str(n)))]
        name = {"v4": "IPv4", "v6": "IPv6"}[fam]
        print("| %s | %s | %s | %s | %.2f | %.2f |" % (name, kind, struct, method, d1 / n, l2 / n))

summary = []
for fam in ("v4", "v6"):
    for kind in ("matched", "uniform", "file"):
        mine = [r for r in rows if r[:2] == (fam, kind)]
        ours = [r[5] for r in mine if r[2] == "ours"]
        peers = [r for r in mine if r[2] not in ("ours", "harness")]
        if not ours or not peers:
            continue
        best = min(peers, key=lambda r: r[5])
        name = {"v4": "IPv4", "v6": "IPv6"}[fam]
        summary.append("| %s | %s | %.1f | %.1f (%s %s) | %.2f |" % (name, kind, ours[0],
                       best[5], best[2], best[3], ours[0] / best[5]))
if summary:
    print("\n| family | queries | ours | fewest DPDK (method) | ours / DPDK |")
    print("|---|---|---:|---:|---:|")
    print("\n".join(summary))
    print("\nvalgrind does not emulate AVX-512: DPDK's AVX-512 lookups are not offered"
          " under it and are missing above.")
EOF
