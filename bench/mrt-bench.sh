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
bench_name=mrt-bench
rounds=5
bench_help=4,14
# shellcheck source=bench/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_parse --rounds=rounds -- "$@"
routed=$build/daemon/routed
routectl=$build/tools/routectl
routes2mrt=$build/bench/routes2mrt
bench_need_built "--build DIR" "$routed" "$routectl" "$routes2mrt"
bench_tmpdir
export ROUTED_SOCKET=$tmp/ctl.sock

bench_default_routes input.routes "$here/bgp-routes.sh"
"$routes2mrt" "$routes" "$tmp/table.mrt" || exit 1
gzip -c "$tmp/table.mrt" >"$tmp/table.mrt.gz"
bzip2 -c "$tmp/table.mrt" >"$tmp/table.mrt.bz2"

echo '{ "log": { "level": "warning" } }' >"$tmp/routed.conf"
"$routed" -c "$tmp/routed.conf" --control-socket "$tmp/ctl.sock" --state-dir "$tmp/state" \
	--threads 1 --lookup-listen 127.0.0.1:0 2>>"$tmp/routed.err" &
pids+=("$!")
bench_wait_routed "$tmp/ctl.sock" 600 "$!"
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
