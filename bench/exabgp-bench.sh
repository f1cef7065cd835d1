#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The ExaBGP feed under a full announce, as root: a BIRD 2 speaker in one
# network namespace announces N IPv4 /24s (default 100000) over eBGP to
# ExaBGP 4.2 in another, whose API process routed-exabgp feeds routed
# (outside the namespaces; one lookup thread, temporary directory). From
# ExaBGP's start until routed holds all N routes, the CPU time (user +
# system, from /proc/PID/stat) of ExaBGP, of routed-exabgp and of routed,
# and the wall time. The helper must stay under ExaBGP: it is never the
# bottleneck. Repeat with --runs; each run is a fresh ExaBGP and routed.
#
#   bench/exabgp-bench.sh [--build DIR] [--routes N] [--runs K] [--batch B]
#
# Needs bird, birdc, exabgp and ip(8) (scripts/install-deps).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(pwd)
n=100000
runs=1
batch=4000
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--routes) n=$2; shift ;;
	--runs) runs=$2; shift ;;
	--batch) batch=$2; shift ;;
	-h|--help) sed -n '4,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "exabgp-bench: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
routed=$build/daemon/routed
routectl=$build/tools/routectl
helper=$build/tools/routed-exabgp
for b in "$routed" "$routectl" "$helper"; do
	[ -x "$b" ] || { echo "exabgp-bench: $b not built (--build DIR)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "exabgp-bench: needs root (network namespaces)" >&2; exit 2; }
. "$here/../tests/e2e/exabgp.sh"
exabgp_available || { echo "exabgp-bench: needs bird, birdc, exabgp and ip" >&2; exit 2; }
py=${PYTHON:-python3}
[ -x /usr/bin/python3 ] && py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exabgp-bench.XXXXXX")
ns=exbench-$$
routed_pid=
cleanup() {
	exabgp_stop "$tmp"
	bird_stop "$tmp" s1
	[ -n "$routed_pid" ] && kill "$routed_pid" 2>/dev/null && wait "$routed_pid" 2>/dev/null
	ip netns del "$ns-x" 2>/dev/null
	ip netns del "$ns-s1" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export ROUTED_SOCKET=$tmp/ctl.sock

exa_ns_add "$ns-x" && exa_ns_add "$ns-s1" && exa_link "$ns-x" "$ns-s1" 1 ||
	{ echo "exabgp-bench: namespaces" >&2; exit 1; }
# N /24s from 20.0.0.0 on, next hops spread over the link's subnet.
awk -v n="$n" 'BEGIN {
	print "router id 10.201.0.2;\nprotocol device {}\nprotocol static {\n\tipv4;"
	for (i = 0; i < n; i++)
		printf "\troute %d.%d.%d.0/24 via 10.201.1.%d;\n", 20 + int(i / 65536),
			int(i / 256) % 256, i % 256, i % 200 + 3
	print "}\nprotocol bgp exabgp {\n\tlocal 10.201.0.2 as 65001;\n\tneighbor 10.201.0.1 as 65000;"
	print "\tipv4 { import none; export all; next hop keep; };\n}"
}' >"$tmp/s1.conf"
bird_start "$ns-s1" "$tmp" s1 || exit 1
until [ "$(birdc_do "$ns-s1" "$tmp" s1 show route count 2>/dev/null |
	awk '/routes/ { print $1; exit }')" = "$n" ]; do sleep 0.2; done

# CPU seconds (user + system) of a process, from /proc/PID/stat.
cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' \
		"/proc/$1/stat" 2>/dev/null || echo 0
}
feed_routes() {
	"$routectl" -j feed show 2>/dev/null | "$py" -c 'import json, sys
print(sum(f["routes"] for f in json.load(sys.stdin)["feeds"] if f["name"] == "exabgp"))' 2>/dev/null ||
		echo 0
}
now() { date +%s.%N; }

echo "# exabgp-bench: $(nproc) CPUs, $n IPv4 routes from BIRD $(bird --version 2>&1 | awk '{ print $NF }')" \
	"through ExaBGP $(exabgp --version 2>&1 | awk '/ExaBGP/ { print $NF; exit }'), helper batch $batch"
printf '%-4s %9s %9s %10s %10s %8s %8s\n' run routes wall_s exabgp_cpu helper_cpu routed_cpu ratio
for run in $(seq 1 "$runs"); do
	rm -rf "$tmp/state"
	"$routed" --control-socket "$tmp/ctl.sock" --state-dir "$tmp/state" --threads 1 \
		--lookup-listen 127.0.0.1:0 2>>"$tmp/routed.err" &
	routed_pid=$!
	until "$routectl" --timeout 1 ping >/dev/null 2>&1; do sleep 0.05; done
	exabgp_conf "$helper --socket $tmp/ctl.sock --batch $batch" 1 >"$tmp/exabgp.conf"
	start=$(now)
	exabgp_start "$ns-x" "$tmp"
	exa=$(cat "$tmp/exabgp.bgpid")
	until [ "$(feed_routes)" = "$n" ]; do
		kill -0 "$exa" 2>/dev/null || { echo "exabgp-bench: ExaBGP died" >&2; tail "$tmp/exabgp.log" >&2; exit 1; }
		sleep 0.1
	done
	end=$(now)
	hp=$(exabgp_helper_pid "$tmp")
	exa_cpu=$(cpu_s "$exa")
	helper_cpu=$(cpu_s "$hp")
	routed_cpu=$(cpu_s "$routed_pid")
	printf '%-4s %9s %9.2f %10s %10s %8s %8.3f\n' "$run" "$n" \
		"$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$exa_cpu" "$helper_cpu" \
		"$routed_cpu" "$(awk -v h="$helper_cpu" -v e="$exa_cpu" 'BEGIN { print e ? h / e : 0 }')"
	exabgp_stop "$tmp"
	kill "$routed_pid"
	wait "$routed_pid" 2>/dev/null
	routed_pid=
done
echo "# ratio = helper CPU / ExaBGP CPU (under 1: the helper is not the bottleneck)"
