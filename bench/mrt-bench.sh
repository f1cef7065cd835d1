#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# routectl load --format mrt beside routectl load of the same routes as a
# route file, in one run, alternating, into an emptied table each time.
#
#   bench/mrt-bench.sh [--build DIR] [--rounds N] [--routes FILE]
#
# The routes: FILE, or the stored full BGP table (bench/bgp-routes.sh).
# bench/routes2mrt writes them as a TABLE_DUMP_V2 dump (4 synthetic peers);
# the dump is loaded once and saved, and that route file (proto bgp, tag =
# origin AS) is what the route-file loads read: both forms hold exactly the
# same routes. Also times the dump gzip- and bzip2-compressed. Prints the
# median of each and the ratio (route-file time / MRT time: 1 = as fast).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(pwd)
rounds=5
routes=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--routes) routes=$2; shift ;;
	-h|--help) sed -n '4,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "mrt-bench: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
routed=$build/daemon/routed
routectl=$build/tools/routectl
routes2mrt=$build/bench/routes2mrt
for b in "$routed" "$routectl" "$routes2mrt"; do
	[ -x "$b" ] || { echo "mrt-bench: $b not built (--build DIR)" >&2; exit 2; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mrt-bench.XXXXXX")
routed_pid=
cleanup() {
	[ -n "$routed_pid" ] && kill "$routed_pid" 2>/dev/null && wait "$routed_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export ROUTED_SOCKET=$tmp/ctl.sock

if [ -z "$routes" ]; then
	routes=$tmp/input.routes
	"$here/bgp-routes.sh" >"$routes" || exit 1
fi
"$routes2mrt" "$routes" "$tmp/table.mrt" || exit 1
gzip -c "$tmp/table.mrt" >"$tmp/table.mrt.gz"
bzip2 -c "$tmp/table.mrt" >"$tmp/table.mrt.bz2"

echo '{ "log": { "level": "warning" } }' >"$tmp/routed.conf"
"$routed" -c "$tmp/routed.conf" --control-socket "$tmp/ctl.sock" --state-dir "$tmp/state" \
	--threads 1 --lookup-listen 127.0.0.1:0 2>>"$tmp/routed.err" &
routed_pid=$!
for _ in $(seq 600); do
	"$routectl" --timeout 1 ping >/dev/null 2>&1 && break
	sleep 0.1
done
"$routectl" load --format mrt "$tmp/table.mrt" >/dev/null || exit 1
"$routectl" save "$tmp/table.routes" >/dev/null || exit 1
n=$(wc -l <"$tmp/table.routes")

# seconds KIND: one timed load of KIND into an emptied table.
seconds() {
	local start end
	"$routectl" route flush >/dev/null || exit 1
	start=$(date +%s.%N)
	case $1 in
	routes) "$routectl" load "$tmp/table.routes" ;;
	mrt) "$routectl" load --format mrt "$tmp/table.mrt" ;;
	mrt.gz) "$routectl" load --format mrt "$tmp/table.mrt.gz" ;;
	mrt.bz2) "$routectl" load --format mrt "$tmp/table.mrt.bz2" ;;
	esac >/dev/null || exit 1
	end=$(date +%s.%N)
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

kinds="routes mrt mrt.gz mrt.bz2"
for r in $(seq "$rounds"); do
	for k in $kinds; do
		seconds "$k" >>"$tmp/times.$k"
	done
	echo "round $r: $(for k in $kinds; do printf '%s %.2fs  ' "$k" "$(tail -n1 "$tmp/times.$k")"; done)" >&2
done
echo "routes: $n ($(du -h "$tmp/table.routes" | cut -f1) route file, $(du -h "$tmp/table.mrt" | cut -f1) MRT," \
	"$(du -h "$tmp/table.mrt.gz" | cut -f1) gzip, $(du -h "$tmp/table.mrt.bz2" | cut -f1) bzip2); $rounds rounds"
base=$(median <"$tmp/times.routes")
for k in $kinds; do
	m=$(median <"$tmp/times.$k")
	printf '%-14s median %6.2f s  min %6.2f s  speed vs route file %.2f\n' "load ($k)" "$m" \
		"$(sort -n "$tmp/times.$k" | head -n1)" "$(awk -v a="$base" -v b="$m" 'BEGIN { print a / b }')"
done
