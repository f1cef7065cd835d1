#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# How lookups, memory and build time scale with the table: synthetic tables
# of growing size (tools/routegen), each measured by routebench --json with
# one lookup thread, then one markdown table per family and a plot of the
# lookup rates and the FIB size against the number of prefixes.
#
# usage: bench/sweep.sh [--build DIR] [--plot PNG] [--runs R] [--queries N]
#                       [--seed S] [--v4 "N..."] [--v6 "N..."] [--dpdk]
#                       [--lpm-limit SEC] [--dpdk-mem MB] [--keep DIR] [--reuse]
#   --build DIR      build directory with tools/routegen, bench/routebench
#   --plot PNG       write the plot there (needs gnuplot)
#   --runs R         runs per measurement, medians kept (default 5)
#   --queries N      random addresses per query kind (default 4000000)
#   --seed S         seed of the tables and the queries (default 1)
#   --v4, --v6       table sizes (default 10k 30k 100k 300k 1M 2M IPv4,
#                    10k 30k 100k 300k 1M IPv6); the i-th sizes of both
#                    families share a route file
#   --dpdk           also measure the DPDK peers (routebench built with
#                    --with-dpdk) and show the fastest method beside ours
#   --lpm-limit SEC  give up loading rte_lpm after SEC seconds (default 60;
#                    its adds get slower as the table grows)
#   --dpdk-mem MB    EAL memory (default 12288: rte_lpm6 and rte_fib6 for a
#                    million IPv6 prefixes take about 6 GiB)
#   --keep DIR       keep the route files and routebench's JSON in DIR
#   --reuse          with --keep: use the JSON already there instead of
#                    measuring again (tables and plot only)

set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(pwd)
plot=
runs=5
queries=4000000
seed=1
v4="10000 30000 100000 300000 1000000 2000000"
v6="10000 30000 100000 300000 1000000"
dpdk=false
lpm_limit=60
dpdk_mem=12288
keep=
reuse=false
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--plot) plot=$2; shift ;;
	--runs) runs=$2; shift ;;
	--queries) queries=$2; shift ;;
	--seed) seed=$2; shift ;;
	--v4) v4=$2; shift ;;
	--v6) v6=$2; shift ;;
	--dpdk) dpdk=true ;;
	--lpm-limit) lpm_limit=$2; shift ;;
	--dpdk-mem) dpdk_mem=$2; shift ;;
	--keep) keep=$2; shift ;;
	--reuse) reuse=true ;;
	-h|--help) sed -n '9,28s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "sweep: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
routegen=$build/tools/routegen
routebench=$build/bench/routebench
for b in "$routegen" "$routebench"; do
	[ -x "$b" ] || { echo "sweep: $b not built (--build DIR)" >&2; exit 2; }
done
for n in "$runs" "$queries" "$seed" "$lpm_limit" "$dpdk_mem" $v4 $v6; do
	case $n in
	'' | *[!0-9]*) echo "sweep: not a number: \"$n\"" >&2; exit 2 ;;
	esac
done
has_dpdk=false
"$routebench" --help | grep -q -- --no-dpdk && has_dpdk=true
if $dpdk && ! $has_dpdk; then
	echo "sweep: --dpdk: $routebench was built without DPDK (configure --with-dpdk)" >&2
	exit 2
fi
if [ -n "$plot" ] && ! command -v gnuplot >/dev/null; then
	echo "sweep: --plot needs gnuplot (Debian: gnuplot-nox)" >&2
	exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sweep.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
out=${keep:-$tmp}
mkdir -p "$out" || exit 1

bench_opts=(--json --quiet --threads 1 --runs "$runs" --random "$queries" --seed "$seed"
	--churn-seconds 0 --no-incremental)
if $dpdk; then
	bench_opts+=(--dpdk-lpm-limit "$lpm_limit" --dpdk-mem "$dpdk_mem")
elif $has_dpdk; then
	bench_opts+=(--no-dpdk)
fi

# CPU seconds the machine was busy (/proc/stat), and those of our children:
# their difference over a run is what other processes took meanwhile.
busy() {
	awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.2f\n", ($2 + $3 + $4 + $7 + $8) / hz }' \
		/proc/stat
}
children() {
	times >"$tmp/times"	# not in a subshell: it would see no children
	awk 'NR == 2 { gsub(/[ms]/, " "); printf "%.3f\n", $1 * 60 + $2 + $3 * 60 + $4 }' "$tmp/times"
}

read -r -a a4 <<<"$v4"
read -r -a a6 <<<"$v6"
count=$(( ${#a4[@]} > ${#a6[@]} ? ${#a4[@]} : ${#a6[@]} ))
results=()
others=()
for ((i = 0; i < count; i++)); do
	n4=${a4[i]:-0}
	n6=${a6[i]:-0}
	routes=$out/routes-$n4-$n6.txt
	json=$out/sweep-$n4-$n6.json
	if $reuse && [ -n "$keep" ] && [ -s "$json" ]; then
		results+=("$json")
		continue
	fi
	echo "sweep: $n4 IPv4 + $n6 IPv6 prefixes" >&2
	"$routegen" --v4 "$n4" --v6 "$n6" --seed "$seed" >"$routes" 2>/dev/null || {
		echo "sweep: routegen failed" >&2; exit 1; }
	children >"$tmp/c0"
	b0=$(busy) t0=$EPOCHREALTIME
	"$routebench" --routes "$routes" "${bench_opts[@]}" >"$json" || {
		echo "sweep: routebench failed on $routes" >&2; exit 1; }
	b1=$(busy) t1=$EPOCHREALTIME
	children >"$tmp/c1"
	c0=$(cat "$tmp/c0") c1=$(cat "$tmp/c1")
	load=$(awk -v b="$b0 $b1" -v c="$c0 $c1" -v t="$t0 $t1" 'BEGIN {
		split(b, B, " "); split(c, C, " "); split(t, T, " ")
		x = ((B[2] - B[1]) - (C[2] - C[1])) / (T[2] - T[1]); printf "%.2f", (x > 0 ? x : 0) }')
	others+=("$n4/$n6: $load")
	echo "sweep: ... $(awk -v t="$t0 $t1" 'BEGIN { split(t, T, " "); printf "%.0f", T[2] - T[1] }') s," \
		"other processes used $load CPUs" >&2
	[ -n "$keep" ] || rm -f "$routes"
	results+=("$json")
done

echo "# routed scaling sweep: tools/routegen --seed $seed, routebench --threads 1 --runs $runs" \
	"--random $queries$($dpdk && echo ", DPDK peers beside"); $(nproc) CPUs," \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
python3 - "$tmp/plot.dat" "${results[@]}" <<'EOF'
import json, sys

dat, paths = sys.argv[1], sys.argv[2:]
runs = [json.load(open(p)) for p in paths]
MiB = 1024.0 * 1024.0

def best(kind):
    """The fastest DPDK method on this query kind: (M/s, "peer method")."""
    ms = [m for m in kind.get("dpdk", []) if m.get("mlps_1_thread")]
    if not ms:
        return None, None
    m = max(ms, key=lambda m: m["mlps_1_thread"])
    return m["mlps_1_thread"], "%s %s" % (m["peer"], m["method"])

def peer_mem(fam, name):
    for p in fam.get("dpdk", []):
        if p["name"] == name.split()[0] and p.get("mem_bytes"):
            return p["mem_bytes"] / MiB
    return None

rows = {"v4": [], "v6": []}
for r in runs:
    for f in ("v4", "v6"):
        fam = r[f]
        if not fam["routes"]:
            continue
        full = fam["memory"]["full_table"]
        look = fam["lookup"]
        m, mn = best(look["matched"])
        u, un = best(look["uniform"])
        rows[f].append({
            "n": full["prefixes"],
            "matched": look["matched"]["mlps_1_thread"],
            "uniform": look["uniform"]["mlps_1_thread"],
            "fib": full["fib_bytes"] / MiB,
            "bpp": full["fib_bytes_per_prefix"],
            "total": fam["memory"]["alone_total_bytes"] / MiB,
            "build": fam["build"]["replace_all_s"],
            "dm": m, "dmn": mn, "du": u, "dun": un,
            "dmem": peer_mem(fam, mn) if mn else None,
        })

def num(x, fmt, none="-"):
    return fmt % x if x is not None else none

dpdk = any(row["dm"] for f in rows for row in rows[f])
for f, label in (("v4", "IPv4"), ("v6", "IPv6")):
    if not rows[f]:
        continue
    print("\n### %s\n" % label)
    head = ["prefixes", "matched M/s", "uniform M/s", "FIB MiB", "FIB B/prefix",
            "all MiB", "build s"]
    if dpdk:
        head += ["DPDK matched M/s", "DPDK uniform M/s", "ours/DPDK matched",
                 "ours/DPDK uniform", "its MiB"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---:|" * len(head))
    for x in rows[f]:
        cells = ["{:,}".format(x["n"]), "%.1f" % x["matched"], "%.1f" % x["uniform"],
                 "%.2f" % x["fib"], "%.1f" % x["bpp"], "%.1f" % x["total"], "%.3f" % x["build"]]
        if dpdk:
            cells += ["%s (%s)" % (num(x["dm"], "%.1f"), x["dmn"]) if x["dm"] else "-",
                      "%s (%s)" % (num(x["du"], "%.1f"), x["dun"]) if x["du"] else "-",
                      num(x["dm"] and x["matched"] / x["dm"], "%.2f"),
                      num(x["du"] and x["uniform"] / x["du"], "%.2f"),
                      num(x["dmem"], "%.0f")]
        print("| " + " | ".join(cells) + " |")

# One block per family for gnuplot: n, ours matched, uniform, FIB MiB,
# B/prefix, DPDK matched, uniform (NaN where not measured), all MiB.
with open(dat, "w") as out:
    for f in ("v4", "v6"):
        out.write("# %s\n" % f)
        for x in rows[f]:
            out.write("%d %g %g %g %g %s %s %g\n" % (x["n"], x["matched"], x["uniform"],
                      x["fib"], x["bpp"], num(x["dm"], "%g", "NaN"), num(x["du"], "%g", "NaN"),
                      x["total"]))
        out.write("\n\n")
EOF
[ $? -eq 0 ] || exit 1
[ ${#others[@]} -gt 0 ] && echo -e "\nCPUs other processes used on average during each run (IPv4/IPv6 sizes):" \
	"$(IFS=,; echo "${others[*]}" | sed 's/,/, /g')"
if [ -n "$plot" ]; then
	gnuplot -e "data='$tmp/plot.dat'; out='$plot'; dpdk=$($dpdk && echo 1 || echo 0)" \
		"$here/sweep.gp" || exit 1
	echo
	echo "plot: $plot"
fi
