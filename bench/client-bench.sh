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
bench_name=client-bench
runs=5
duration=3
batch=64
window=64
sockets=1
server_cpu=0
client_cpu=1
# shellcheck source=bench/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_parse --runs=runs --duration=duration --batch=batch --window=window --sockets=sockets \
	--server-cpu=server_cpu --client-cpu=client_cpu -- "$@"
routed=$build/daemon/routed
routectl=$build/tools/routectl
routeperf=$build/tools/routeperf
clientbench=$build/bench/clientbench
bench_need_built "--build DIR" "$routed" "$routectl" "$routeperf" "$clientbench"
bench_tmpdir
bench_default_routes synthetic.routes "$build/tools/routegen" --v4 200000 --v6 40000 --seed 1
port=$(bench_free_port udp)
server=127.0.0.1:$port
printf '{"route_files": ["%s"]}\n' "$routes" >"$tmp/routed.conf"
taskset -c "$server_cpu" "$routed" -c "$tmp/routed.conf" --control-socket "$tmp/ctl.sock" \
	--state-dir "$tmp/state" --lookup-listen "$server" --threads 1 2>"$tmp/routed.err" &
pids+=("$!")
bench_wait_routed "$tmp/ctl.sock" 1200 "$!" || bench_die "routed did not come up"
servers=$server
for _ in $(seq 2 "$sockets"); do servers=$servers,$server; done

echo "# batch $batch, window $window, sockets $sockets, $duration s per run, $runs runs; routed on CPU $server_cpu, generator on CPU $client_cpu"
: >"$tmp/perf"
: >"$tmp/client"
for run in $(seq "$runs"); do
	p=$(taskset -c "$client_cpu" "$routeperf" --server "$server" --batch "$batch" \
		--window "$window" --sockets "$sockets" --duration "$duration" \
		--source uniform --no-verify --json |
		"$py" -c 'import json, sys; print(round(json.load(sys.stdin)["rate"]["lookups_per_s"]))')
	c=$(taskset -c "$client_cpu" "$clientbench" --server "$servers" --batch "$batch" \
		--window "$window" --duration "$duration" --seed "$run" | awk '{ print $2 }')
	echo "run $run: routeperf $p lookups/s, clientbench $c lookups/s"
	echo "$p" >>"$tmp/perf"
	echo "$c" >>"$tmp/client"
done
"$py" - "$tmp/perf" "$tmp/client" <<'EOF2'
import statistics, sys
p = [float(x) for x in open(sys.argv[1])]
c = [float(x) for x in open(sys.argv[2])]
ratios = sorted(b / a for a, b in zip(p, c))
print("median: routeperf %.0f lookups/s, clientbench %.0f lookups/s, ratio %.2f (runs %.2f-%.2f)"
      % (statistics.median(p), statistics.median(c), statistics.median(c) / statistics.median(p),
         ratios[0], ratios[-1]))
EOF2
