#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# libroutedclient beside routeperf on the same routed, in one run: closed
# loop, the same batch (addresses per datagram), window (datagrams in
# flight) and source ports, uniform random addresses, no verification;
# routeperf and bench/clientbench alternate RUNS times, routed pinned to
# one CPU and the generator to another. Prints each run, the medians and
# the ratio clientbench / routeperf (docs/performance.md).
#
# usage: bench/client-bench.sh [--build DIR] [--routes FILE] [--runs N]
#                              [--duration SEC] [--batch K] [--window W]
#                              [--sockets S] [--server-cpu N] [--client-cpu N]
# Without --routes, a synthetic table (routegen --v4 200000 --v6 40000 --seed 1).

set -u
build=$(pwd)
routes=
runs=5
duration=3
batch=64
window=64
sockets=1
server_cpu=0
client_cpu=1
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--routes) routes=$2; shift ;;
	--runs) runs=$2; shift ;;
	--duration) duration=$2; shift ;;
	--batch) batch=$2; shift ;;
	--window) window=$2; shift ;;
	--sockets) sockets=$2; shift ;;
	--server-cpu) server_cpu=$2; shift ;;
	--client-cpu) client_cpu=$2; shift ;;
	*) echo "client-bench: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
routed=$build/daemon/routed
routectl=$build/tools/routectl
routeperf=$build/tools/routeperf
clientbench=$build/bench/clientbench
for b in "$routed" "$routectl" "$routeperf" "$clientbench"; do
	[ -x "$b" ] || { echo "client-bench: $b not built (--build DIR)" >&2; exit 2; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/client-bench.XXXXXX")
routed_pid=
cleanup() {
	[ -n "$routed_pid" ] && kill "$routed_pid" 2>/dev/null && wait "$routed_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ -z "$routes" ]; then
	routes=$tmp/synthetic.routes
	"$build/tools/routegen" --v4 200000 --v6 40000 --seed 1 >"$routes" || exit 1
fi
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=127.0.0.1:$port
printf '{"route_files": ["%s"]}\n' "$routes" >"$tmp/routed.conf"
taskset -c "$server_cpu" "$routed" -c "$tmp/routed.conf" --control-socket "$tmp/ctl.sock" \
	--state-dir "$tmp/state" --lookup-listen "$server" --threads 1 2>"$tmp/routed.err" &
routed_pid=$!
for _ in $(seq 1200); do
	"$routectl" -s "$tmp/ctl.sock" --timeout 1 ping >/dev/null 2>&1 && break
	sleep 0.1
done
"$routectl" -s "$tmp/ctl.sock" --timeout 1 ping >/dev/null 2>&1 || { echo "client-bench: routed did not come up" >&2; exit 1; }
servers=$server
for _ in $(seq 2 "$sockets"); do servers=$servers,$server; done

echo "# batch $batch, window $window, sockets $sockets, $duration s per run, $runs runs; routed on CPU $server_cpu, generator on CPU $client_cpu"
: >"$tmp/perf"
: >"$tmp/client"
for run in $(seq "$runs"); do
	p=$(taskset -c "$client_cpu" "$routeperf" --server "$server" --batch "$batch" \
		--window "$window" --sockets "$sockets" --duration "$duration" \
		--source uniform --no-verify --json |
		python3 -c 'import json, sys; print(round(json.load(sys.stdin)["rate"]["lookups_per_s"]))')
	c=$(taskset -c "$client_cpu" "$clientbench" --server "$servers" --batch "$batch" \
		--window "$window" --duration "$duration" --seed "$run" | awk '{ print $2 }')
	echo "run $run: routeperf $p lookups/s, clientbench $c lookups/s"
	echo "$p" >>"$tmp/perf"
	echo "$c" >>"$tmp/client"
done
python3 - "$tmp/perf" "$tmp/client" <<'EOF2'
import statistics, sys
p = [float(x) for x in open(sys.argv[1])]
c = [float(x) for x in open(sys.argv[2])]
ratios = sorted(b / a for a, b in zip(p, c))
print("median: routeperf %.0f lookups/s, clientbench %.0f lookups/s, ratio %.2f (runs %.2f-%.2f)"
      % (statistics.median(p), statistics.median(c), statistics.median(c) / statistics.median(p),
         ratios[0], ratios[-1]))
EOF2
