#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# routed's memory after each way a full table gets in: its RSS against
# what `stats` accounts for (the tables' memory_bytes, the feeds'
# feed_memory_bytes and route_files_memory_bytes), right after the load,
# a few seconds later, and the peak (VmHWM) of the process, each path in
# a routed of its own:
#   route_files   the route file named in the config, loaded at start
#   load          routectl load of the file into an empty daemon
#   route.load    one route.load call with every line of the file
#   fpm           the file over FPM (bench/fpm-flood.py, 1 message a frame)
#   replay        a restart that recovers the state the load left (journal
#                 and snapshot)
# Prints one line per path: RSS, RSS a few seconds later, peak, accounted
# (MiB) and RSS/accounted, peak/accounted.
#
#   bench/memory-bench.sh [--build DIR] [--routes FILE] [--settle SEC] [PATH...]
#
# The routes: FILE, or the stored full BGP table (bench/bgp-routes.sh).
set -u
bench_name=memory-bench
settle=5
paths=()
bench_help=4,22
bench_positional=paths
# shellcheck source=bench/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_parse --settle=settle -- "$@"
[ ${#paths[@]} -gt 0 ] || paths=(route_files load route.load fpm replay)
routed=$build/daemon/routed
routectl=$build/tools/routectl
bench_need_built "--build DIR" "$routed" "$routectl"
bench_tmpdir
pid=
export ROUTED_SOCKET=$tmp/ctl.sock
bench_default_routes bgp.routes "$here/bgp-routes.sh"
n_routes=$(grep -c . "$routes")

# start CONFIG_JSON [STATE]: a routed on a fresh (or the given) state directory.
start() {
	local state=${2:-$tmp/state.$RANDOM}
	echo "$1" >"$tmp/routed.conf"
	"$routed" -c "$tmp/routed.conf" --control-socket "$tmp/ctl.sock" --state-dir "$state" \
		--threads 1 2>>"$tmp/routed.err" &
	pid=$!
	pids=("$pid")
	bench_wait_routed "$tmp/ctl.sock" 3000 "$pid" && return 0
	echo "memory-bench: routed did not start" >&2
	cat "$tmp/routed.err" >&2
	exit 1
}
stop() {
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
	pids=()
}
kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
table_routes() {
	"$routectl" -j stats | "$py" -c 'import json, sys; print(json.load(sys.stdin)["routes"])'
}
accounted() {
	"$routectl" -j stats | "$py" -c 'import json, sys
s = json.load(sys.stdin)
print(s["memory_bytes"] + s.get("feed_memory_bytes", 0) + s.get("route_files_memory_bytes", 0))'
}
# report PATH: the line for one path, the table loaded.
report() {
	local rss hwm later acc
	rss=$(kib VmRSS)
	acc=$(accounted)
	sleep "$settle"
	later=$(kib VmRSS)
	hwm=$(kib VmHWM)
	awk -v p="$1" -v r="$rss" -v l="$later" -v h="$hwm" -v a="$acc" -v n="$(table_routes)" \
		'BEGIN { a /= 1048576; printf "%-12s %8d routes  RSS %6.1f  later %6.1f  peak %6.1f  accounted %6.1f MiB  RSS/acc %.2f  later/acc %.2f  peak/acc %.2f\n",
		p, n, r / 1024, l / 1024, h / 1024, a, r / 1024 / a, l / 1024 / a, h / 1024 / a }'
}
wait_routes() {
	for _ in $(seq 6000); do
		[ "$(table_routes)" -ge "$1" ] && return 0
		sleep 0.05
	done
	echo "memory-bench: the table never reached $1 routes" >&2
	exit 1
}

echo "# memory-bench: $n_routes routes ($routes), settle ${settle}s, MiB"
for path in "${paths[@]}"; do
	case $path in
	route_files)
		start "{ \"log\": { \"level\": \"warning\" }, \"route_files\": [\"$routes\"] }"
		report route_files
		stop
		;;
	load|replay)
		state=$tmp/state.load
		rm -rf "$state"
		start '{ "log": { "level": "warning" } }' "$state"
		"$routectl" load "$routes" >/dev/null || exit 1
		[ "$path" = load ] && report load
		stop
		if [ "$path" = replay ]; then
			start '{ "log": { "level": "warning" } }' "$state"
			report replay
			stop
		fi
		;;
	route.load)
		start '{ "log": { "level": "warning" }, "control": { "max_line_bytes": 67108864 } }'
		"$py" -c 'import json, socket, sys
lines = [l.strip() for l in open(sys.argv[2]) if l.strip()]
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall((json.dumps({"jsonrpc": "2.0", "id": 1, "method": "route.load",
                       "params": {"lines": lines}}) + "\n").encode())
buf = b""
while not buf.endswith(b"\n"):
    d = s.recv(65536)
    if not d: break
    buf += d
r = json.loads(buf)
sys.exit("route.load: %s" % r["error"] if "error" in r else 0)' "$tmp/ctl.sock" "$routes" || exit 1
		report route.load
		stop
		;;
	fpm)
		port=$(bench_free_port tcp)
		start "{ \"log\": { \"level\": \"warning\" }, \"feeds\": { \"fpm\": { \"listen\": \"127.0.0.1:$port\" } } }"
		"$py" "$here/fpm-flood.py" --no-ping "127.0.0.1:$port" "$routectl" "$routes" 1 \
			>/dev/null 2>"$tmp/fpm.err" || { cat "$tmp/fpm.err" >&2; exit 1; }
		report fpm
		stop
		;;
	*)
		echo "memory-bench: unknown path $path" >&2
		exit 2
		;;
	esac
done
