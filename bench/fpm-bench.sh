#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The FPM feed's ingest beside routectl load and beside the UDP lookup
# rate, in one run, against one routed (one lookup thread, FPM feed and
# lookup listener on loopback, temporary directory):
#  (a) routectl load of the route file into an empty table (routes/s);
#  (b) the same routes over FPM (bench/fpm-flood.py, MSGS per frame) into
#      the emptied table, until feed.list shows them all (routes/s);
#  (c) routeperf closed loop for SEC seconds with the table loaded and
#      idle, then for SEC seconds from the moment (b) starts sending
#      (ratio during/idle; SEC should be shorter than the ingest).
# Prints one line per measurement and the ratios FPM/load and during/idle;
# beside the wall clock, the CPU time of routed's control thread in (a)
# and (b), and the routes per CPU second of each (the steadier figure on a
# busy machine).
#
#   bench/fpm-bench.sh [--build DIR] [--routes FILE] [--msgs MSGS]
#                      [--duration SEC] [--batch K] [--cpu LIST]
#
# The routes: FILE, or the stored full BGP table (bench/bgp-routes.sh).
# --cpu pins routeperf's thread (default: not pinned).
set -u
bench_name=fpm-bench
msgs=1
duration=2
batch=16
cpu=
bench_help=4,22
# shellcheck source=bench/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_parse --msgs=msgs --duration=duration --batch=batch --cpu=cpu -- "$@"
routed=$build/daemon/routed
routectl=$build/tools/routectl
routeperf=$build/tools/routeperf
bench_need_built "--build DIR" "$routed" "$routectl" "$routeperf"
bench_tmpdir
export ROUTED_SOCKET=$tmp/ctl.sock
bench_default_routes bgp.routes "$here/bgp-routes.sh"

fpm_port=$(bench_free_port tcp)
cat >"$tmp/routed.conf" <<CONF
{ "log": { "level": "warning" }, "feeds": { "fpm": { "listen": "127.0.0.1:$fpm_port" } } }
CONF
"$routed" -c "$tmp/routed.conf" --control-socket "$tmp/ctl.sock" --state-dir "$tmp/state" \
	--threads 1 --lookup-listen 127.0.0.1:0 2>>"$tmp/routed.err" &
pids+=("$!")
bench_wait_routed "$tmp/ctl.sock" 600 "$!" ||
	{ echo "fpm-bench: routed did not start" >&2; cat "$tmp/routed.err" >&2; exit 1; }
lookup=$("$routectl" -j info | "$py" -c 'import json, sys
l = json.load(sys.stdin)["lookup_listeners"][0]
print(l if isinstance(l, str) else l.get("listen") or l.get("address"))')
[ -n "$lookup" ] || { echo "fpm-bench: no lookup listener" >&2; exit 1; }

now() { date +%s.%N; }
# CPU seconds (user + system) of routed's main thread, the control thread
# that applies loads and feeds: a measure a busy machine disturbs less
# than the wall clock.
routed_pid=${pids[0]}
clk_tck=$(getconf CLK_TCK)
control_cpu() {
	awk -v hz="$clk_tck" '{ sub(/.*\) /, ""); printf "%.3f", ($12 + $13) / hz }' \
		"/proc/$routed_pid/task/$routed_pid/stat"
}
table_routes() {
	"$routectl" -j table list | "$py" -c 'import json, sys
print(sum(t["ipv4_routes"] + t["ipv6_routes"] for t in json.load(sys.stdin)["tables"]))'
}
perf() {
	"$routeperf" --server "$lookup" --batch "$batch" --duration "$duration" --window 64 \
		--routes "$routes" --source routes --no-verify --json ${cpu:+--cpu "$cpu"} 2>>"$tmp/perf.err"
}
rate() { "$py" -c 'import json, sys; print(int(json.loads(sys.argv[1])["rate"]["lookups_per_s"]))' "$1"; }

echo "# fpm-bench: $(nproc) CPUs, routes $(wc -l <"$routes") ($routes), FPM $msgs msg/frame," \
	"routeperf batch $batch ${duration}s closed loop${cpu:+ on CPU $cpu}, lookups at $lookup"

# (a) routectl load into the empty table.
cpu0=$(control_cpu)
start=$(now)
"$routectl" load "$routes" >/dev/null || exit 1
end=$(now)
load_cpu=$(awk -v a="$cpu0" -v b="$(control_cpu)" 'BEGIN { printf "%.3f", b - a }')
n=$(table_routes)
load_rate=$(awk -v n="$n" -v a="$start" -v b="$end" 'BEGIN { printf "%d", n / (b - a) }')
printf 'load      %8d routes %8.3f s %9d routes/s  control thread %7.3f CPU s\n' "$n" \
	"$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$load_rate" "$load_cpu"

# (c, idle) lookups against the loaded, idle table.
idle=$(perf) || { echo "fpm-bench: routeperf failed" >&2; cat "$tmp/perf.err" >&2; exit 1; }
idle_rate=$(rate "$idle")
printf 'idle      %9d lookups/s\n' "$idle_rate"

# (b) the same routes over FPM into the emptied table; (c, during) lookups
# from the moment the sender starts sending.
"$routectl" route flush >/dev/null || exit 1
[ "$(table_routes)" = 0 ] || { echo "fpm-bench: table not empty after flush" >&2; exit 1; }
cpu0=$(control_cpu)
"$py" "$here/fpm-flood.py" --no-ping "127.0.0.1:$fpm_port" "$routectl" "$routes" "$msgs" \
	>"$tmp/fpm.out" 2>"$tmp/fpm.err" &
flood=$!
pids+=("$flood")
until grep -q '^sending$' "$tmp/fpm.err" 2>/dev/null; do
	kill -0 "$flood" 2>/dev/null || { echo "fpm-bench: sender failed" >&2; cat "$tmp/fpm.err" >&2; exit 1; }
	sleep 0.01
done
during=$(perf) || { echo "fpm-bench: routeperf failed" >&2; cat "$tmp/perf.err" >&2; exit 1; }
wait "$flood" || { echo "fpm-bench: sender failed" >&2; cat "$tmp/fpm.err" >&2; exit 1; }
fpm_cpu=$(awk -v a="$cpu0" -v b="$(control_cpu)" 'BEGIN { printf "%.3f", b - a }')
during_rate=$(rate "$during")
read -r fpm_n fpm_s fpm_rate < <("$py" -c 'import json, sys
r = json.load(open(sys.argv[1])); print(r["routes"], r["seconds"], r["routes_per_s"])' "$tmp/fpm.out")
printf 'fpm       %8d routes %8.3f s %9d routes/s  control thread %7.3f CPU s\n' "$fpm_n" \
	"$fpm_s" "$fpm_rate" "$fpm_cpu"
printf 'during    %9d lookups/s\n' "$during_rate"
[ "$fpm_n" = "$n" ] || echo "fpm-bench: FPM sent $fpm_n routes, load gave $n" >&2
awk -v f="$fpm_rate" -v l="$load_rate" -v d="$during_rate" -v i="$idle_rate" -v s="$fpm_s" \
	-v w="$duration" -v fc="$fpm_cpu" -v lc="$load_cpu" -v n="$n" 'BEGIN {
	printf "ratio fpm/load %.3f  during/idle %.3f  (ingest target 1000000 routes/s: %.3f of it)\n",
		f / l, d / i, f / 1000000
	if (fc > 0 && lc > 0)
		printf "control thread: fpm %.0f routes per CPU s, load %.0f; fpm/load %.3f\n",
			n / fc, n / lc, lc / fc
	if (w > s) printf "note: the lookup window (%ss) outlasts the ingest (%ss)\n", w, s
}'
