#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# routed's UDP lookup path beside the kernel's ceiling, on one machine, in
# one run: for each batch size, routeperf (closed loop) against routeperf's
# echo responder and against routed, back to back, server and generator
# pinned to different CPUs, repeated; medians and the ratio routed/echo.
# Then the p99 latency at half of routed's measured capacity (open loop),
# and, with --callgrind, routed's instructions per datagram at batch 64.
# With --baseline DIR, the routed of another build (DIR) runs too, in the
# same loop (echo, baseline, routed), so a change is measured against the
# build before it under the same load; --callgrind then counts both.
# --baseline-lookup-path P runs the baseline with ROUTED_LOOKUP_PATH=P
# (scalar, avx512); without --baseline the baseline is the same build, so
# one build's two FIB walks are measured side by side.
# --baseline-env "VAR=VALUE ..." runs the baseline with those variables
# set (e.g. ROUTED_UDP_SEGMENT=0: one build with and without segmented
# replies); like --baseline-lookup-path, it makes the build its own
# baseline when --baseline is not given.
# The echo responder sends its replies as routed does (a batch's equal
# replies to one peer as one UDP_SEGMENT message); --echo-no-segment makes
# it send one message per reply, the ceiling before routed segmented.
# Beside each rate ratio, a CPU ratio: the echo responder's CPU time per
# datagram over the server's (from /proc), which other load on a shared
# machine disturbs much less than the rates.
# The runs of a pair alternate their order (echo first, then routed first),
# and after each batch size's median line come lines starting with "#":
# the ratio's median, quartiles and range, how many runs reached the target
# (--target, 0.95) and a one-sided sign test of the median against it
# ("holds", "missed" or "not shown"); the CPU time per datagram of routed
# and of the echo responder and their ratio (the figure to trust when the
# echo's rate swings); and the spread of the echo's rate.
#
# usage: bench/udp-bench.sh [--build DIR] [--baseline DIR]
#                           [--baseline-lookup-path P] [--baseline-env "VAR=VALUE ..."]
#                           [--routes FILE]
#                           [--runs N] [--duration SEC] [--batches "1 16 64"]
#                           [--server-cpu N] [--client-cpu N] [--callgrind]
#                           [--target RATIO] [--echo-no-segment]
# --runs defaults to 11: with fewer, the sign test cannot tell (5 runs
# all above the target give p 0.031; 11 runs need 9 above for p < 0.05).
# The route file defaults to the real BGP table (bench/bgp-routes.sh).

set -u
bench_name=udp-bench
baseline=
baseline_path=
baseline_env=
runs=11
duration=5
batches="1 16 64"
server_cpu=0
client_cpu=1
callgrind=false
target=0.95
echo_no_segment=false
# shellcheck source=bench/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_parse --baseline=baseline --baseline-lookup-path=baseline_path \
	--baseline-env=baseline_env --runs=runs \
	--duration=duration --batches=batches --server-cpu=server_cpu --client-cpu=client_cpu \
	--callgrind=callgrind:true --target=target --echo-no-segment=echo_no_segment:true -- "$@"
case $baseline_path in
'' | scalar | avx512) ;;
*) bench_usage_error "--baseline-lookup-path is scalar or avx512" ;;
esac
for v in $baseline_env; do
	case $v in
	[A-Za-z_]*=*) ;;
	*) bench_usage_error "--baseline-env takes VAR=VALUE words" ;;
	esac
done
[ -n "$baseline_path$baseline_env" ] && [ -z "$baseline" ] && baseline=$build
routed=$build/daemon/routed
routectl=$build/tools/routectl
routeperf=$build/tools/routeperf
bench_need_built "--build DIR, --baseline DIR" "$routed" "$routectl" "$routeperf" \
	${baseline:+"$baseline/daemon/routed"}
bench_tmpdir
bench_default_routes bgp.routes "$here/bgp-routes.sh"

# start_routed NAME BINARY [WRAPPER...]: that routed on $server_cpu with the
# table, one thread; sets ${NAME}_port, ${NAME}_pid and ${NAME}_ctl.
start_routed() {
	local name=$1 bin=$2 port
	shift 2
	port=$(bench_free_port udp)
	echo "{ \"route_files\": [\"$routes\"], \"log\": { \"level\": \"warning\" } }" >"$tmp/routed.conf"
	taskset -c "$server_cpu" "$@" "$bin" -c "$tmp/routed.conf" --control-socket "$tmp/$name.sock" \
		--state-dir "$tmp/state-$name" --threads 1 --lookup-listen "127.0.0.1:$port" \
		2>>"$tmp/routed.err" &
	pids+=("$!")
	printf -v "${name}_pid" %s "$!"
	printf -v "${name}_port" %s "$port"
	printf -v "${name}_ctl" %s "$tmp/$name.sock"
	bench_wait_routed "$tmp/$name.sock" 600 "$!" && return 0
	echo "udp-bench: routed ($name) did not start" >&2
	cat "$tmp/routed.err" >&2
	exit 1
}

eport=$(bench_free_port udp)
echo_args=()
"$echo_no_segment" && echo_args=(--echo-no-segment)
taskset -c "$server_cpu" "$routeperf" --echo "127.0.0.1:$eport" --threads 1 "${echo_args[@]}" \
	>/dev/null 2>&1 &
echo_pid=$!
pids+=("$echo_pid")
start_routed routed "$routed"
# shellcheck disable=SC2086 # --baseline-env's VAR=VALUE words, split on purpose
[ -n "$baseline" ] && start_routed base "$baseline/daemon/routed" \
	env ${baseline_path:+ROUTED_LOOKUP_PATH=$baseline_path} $baseline_env

# cpu_ticks PID: user + system CPU time of the process, in clock ticks.
cpu_ticks() {
	local stat
	stat=$(cat "/proc/$1/stat") || { echo 0; return; }
	stat=${stat##*) }	# after the command name, which may hold spaces
	set -- $stat
	echo $((${12} + ${13}))
}
hz=$(getconf CLK_TCK)

# measured PID TARGET BATCH: perf against TARGET, served by PID; its JSON
# with the server's CPU ticks during the run (warm-up included) added.
measured() {
	local pid=$1 before out
	shift
	before=$(cpu_ticks "$pid")
	out=$(perf "$@" --routes "$routes" --source routes --no-verify)
	echo "${out%\}*}, \"server_ticks\": $(($(cpu_ticks "$pid") - before))}"
}

# perf TARGET BATCH [ARGS...]: one closed-loop run; JSON on stdout.
perf() {
	local target=$1 batch=$2
	shift 2
	taskset -c "$client_cpu" "$routeperf" --server "$target" --batch "$batch" \
		--duration "$duration" --warmup 1 --window 256 --sockets 4 --json "$@" 2>/dev/null
}

echo "# routed UDP lookups vs the echo responder: $(nproc) CPUs, server CPU $server_cpu," \
	"client CPU $client_cpu, $runs runs of ${duration}s, routes $(wc -l <"$routes")" \
	${baseline:+"baseline $baseline"} ${baseline_path:+"(lookup path $baseline_path)"} \
	${baseline_env:+"(environment $baseline_env)"} \
	"echo $($echo_no_segment && echo 'one message per reply' || echo 'segmented as routed')"
printf '%-6s %-4s %14s %14s %14s %8s %6s %9s' batch run echo_dgram/s routed_dgram/s \
	routed_lookups/s ratio wrong cpu_ratio
[ -n "$baseline" ] && printf ' %14s %10s %14s' base_dgram/s base_ratio base_cpu_ratio
echo
for batch in $batches; do
	: >"$tmp/ratios"
	: >"$tmp/cpu"
	for run in $(seq "$runs"); do
		# The generator does the same work in every run: same addresses,
		# no verification (tests/e2e/udp-churn verifies answers).
		# Every other run in the reverse order (ABBA), so a drift of the
		# machine's speed within a run pair weighs on both sides alike.
		b=null
		if [ $((run % 2)) = 1 ]; then
			e=$(measured "$echo_pid" "127.0.0.1:$eport" "$batch")
			[ -n "$baseline" ] && b=$(measured "$base_pid" "127.0.0.1:$base_port" "$batch")
			r=$(measured "$routed_pid" "127.0.0.1:$routed_port" "$batch")
		else
			r=$(measured "$routed_pid" "127.0.0.1:$routed_port" "$batch")
			[ -n "$baseline" ] && b=$(measured "$base_pid" "127.0.0.1:$base_port" "$batch")
			e=$(measured "$echo_pid" "127.0.0.1:$eport" "$batch")
		fi
		"$py" - "$batch" "$run" "$hz" "$e" "$r" "$b" "$tmp/cpu" <<'EOF' | tee -a "$tmp/ratios"
import json, sys
batch, run, hz = sys.argv[1], sys.argv[2], float(sys.argv[3])
e, r, b = (json.loads(a) for a in sys.argv[4:7])
def cpu(j):
    # CPU seconds per datagram; the warm-up runs at the measured rate.
    n = j["rate"]["requests_per_s"] * (j["duration"] + j["warmup"])
    return j["server_ticks"] / hz / n if n else float("inf")
def ratio(a, b):
    return a / b if b else 0
er, rr = e["rate"]["requests_per_s"], r["rate"]["requests_per_s"]
line = "%-6s %-4s %14.0f %14.0f %14.0f %8.3f %6d %9.3f" % (batch, run, er, rr,
       r["rate"]["lookups_per_s"], ratio(rr, er), r["wrong"], ratio(cpu(e), cpu(r)))
if b:
    br = b["rate"]["requests_per_s"]
    line += " %14.0f %10.3f %14.3f" % (br, ratio(br, er), ratio(cpu(e), cpu(b)))
print(line)
# CPU seconds per datagram of echo, routed (and the baseline), for the summary.
with open(sys.argv[7], "a") as f:
    print(cpu(e), cpu(r), cpu(b) if b else "", file=f)
EOF
	done
	"$py" - "$batch" "$tmp/ratios" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[2]) if l.strip()]
med = lambda i: statistics.median(float(r[i]) for r in rows)
line = "%-6s %-4s %14.0f %14.0f %14.0f %8.3f %6d %9.3f" % (sys.argv[1], "med", med(2),
       med(3), med(4), med(5), sum(int(r[6]) for r in rows), med(7))
if len(rows[0]) > 8:
    line += " %14.0f %10.3f %14.3f" % (med(8), med(9), med(10))
print(line + "   <- median")
EOF
	"$py" - "$batch" "$target" "$tmp/ratios" "$tmp/cpu" <<'EOF'
import math, statistics, sys
batch, target = sys.argv[1], float(sys.argv[2])
rows = [l.split() for l in open(sys.argv[3]) if l.strip()]
cpus = [[float(x) for x in l.split()] for l in open(sys.argv[4]) if l.strip()]
def quartiles(xs):
    if len(xs) < 2:
        return xs[0], xs[0]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]
def sign_test(k, n, upper):
    # One-sided sign test: the chance of at least (upper) or at most k of n
    # runs at or above the target if the true median were the target.
    ks = range(k, n + 1) if upper else range(0, k + 1)
    return sum(math.comb(n, i) for i in ks) / 2 ** n
def verdict(name, col):
    xs = [float(r[col]) for r in rows]
    k, n = sum(x >= target for x in xs), len(xs)
    p_above, p_below = sign_test(k, n, True), sign_test(k, n, False)
    if p_above < 0.05:
        word = "holds (sign test p %.3f)" % p_above
    elif p_below < 0.05:
        word = "missed (sign test p %.3f)" % p_below
    else:
        word = "not shown (sign test p %.3f; more --runs)" % min(p_above, p_below)
    q1, q3 = quartiles(xs)
    print("# batch %s: %s/echo median %.3f, quartiles %.3f-%.3f, range %.3f-%.3f;"
          " %d of %d runs >= %g: target %s" % (batch, name, statistics.median(xs), q1, q3,
          min(xs), max(xs), k, n, target, word))
def cpu_line(name, col):
    per = [c[col] / c[0] for c in cpus if c[0] > 0]
    q1, q3 = quartiles(per)
    print("# batch %s: CPU per datagram %s %.2f us, echo %.2f us (medians); %s/echo median"
          " %.3f, quartiles %.3f-%.3f" % (batch, name, statistics.median(c[col] * 1e6 for c in cpus),
          statistics.median(c[0] * 1e6 for c in cpus), name, statistics.median(per), q1, q3))
verdict("routed", 5)
cpu_line("routed", 1)
if len(rows[0]) > 8:
    verdict("base", 9)
    cpu_line("base", 2)
echo = [float(r[2]) for r in rows]
print("# batch %s: echo datagrams/s %.0f-%.0f (max/min %.2f)" % (batch, min(echo), max(echo),
      max(echo) / min(echo) if min(echo) else float("inf")))
EOF
done

# Latency at half of capacity: the median capacity of the last batch size.
cap=$("$py" -c 'import statistics,sys; print(int(statistics.median(float(l.split()[3]) for l in open(sys.argv[1]) if l.strip())))' "$tmp/ratios")
half=$((cap / 2))
last=${batches##* }
echo "# open loop at 50% of capacity: $half requests/s, batch $last"
for run in $(seq "$runs"); do
	perf "127.0.0.1:$routed_port" "$last" --routes "$routes" --source routes --no-verify \
		--rate "$half" --window 4096 | "$py" -c 'import json,sys; j=json.load(sys.stdin); c=j["latency_us"]["corrected"]; print("run %s: achieved %.0f/s  p50 %.0f us  p99 %.0f us  p99.9 %.0f us  lost %d" % (sys.argv[1], j["rate"]["requests_per_s"], c["p50"], c["p99"], c["p99_9"], j["requests"]["lost"]))' "$run"
done

# callgrind_count NAME BINARY: its instructions inside on_readable at batch 64.
callgrind_count() {
	local name=$1 bin=$2 pid ctl port before after total
	start_routed "cg" "$bin" valgrind --tool=callgrind \
		--callgrind-out-file="$tmp/cg-$name.out" --toggle-collect=on_readable
	pid=$cg_pid ctl=$cg_ctl port=$cg_port
	before=$("$routectl" -s "$ctl" -j stats | "$py" -c 'import json,sys; print(json.load(sys.stdin)["udp"]["datagrams"])')
	taskset -c "$client_cpu" "$routeperf" --server "127.0.0.1:$port" --batch 64 --duration 5 \
		--window 16 --routes "$routes" --source routes --no-verify --timeout 5000 --json \
		>"$tmp/cg.json" 2>/dev/null
	after=$("$routectl" -s "$ctl" -j stats | "$py" -c 'import json,sys; print(json.load(sys.stdin)["udp"]["datagrams"])')
	kill "$pid"
	wait "$pid" 2>/dev/null
	rm -rf "$tmp/state-cg"
	total=$(callgrind_annotate "$tmp/cg-$name.out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
	echo "$name: datagrams $((after - before)), instructions $total," \
		"per datagram $((total / (after - before))), per lookup $((total / (after - before) / 64))"
	# Where they went: instructions per lookup by source file and function.
	callgrind_annotate --inclusive=no "$tmp/cg-$name.out" 2>/dev/null |
		awk -v n=$(((after - before) * 64)) '/^ *[0-9,]+ +\(/ && !/PROGRAM TOTALS/ {
			v = $1; gsub(",", "", v); where = $0
			sub(/^ *[0-9,]+ +\([^)]*\) +/, "", where); sub(/ .*/, "", where)
			if (where ~ /:/ && v / n >= 0.5) printf "  %7.1f  %s\n", v / n, where }'
}

if $callgrind; then
	kill "$routed_pid"
	wait "$routed_pid" 2>/dev/null
	echo "# callgrind: instructions per datagram (batch 64), inside on_readable"
	if [ -n "$baseline" ]; then
		kill "$base_pid"
		wait "$base_pid" 2>/dev/null
		callgrind_count baseline "$baseline/daemon/routed"
	fi
	callgrind_count routed "$routed"
fi
