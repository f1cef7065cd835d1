#!/bin/sh
# Run every libFuzzer target of a build for a bounded time on a copy of its
# seed corpus (the source tree is never written), with its dictionary and
# options files if it has them. Prints executions per target; exits 1 if any target finds a
# crash, a leak, a timeout or a broken invariant, after saving the input
# under BUILDDIR/tests/fuzz/crashes/ and printing how to reproduce it.
#
# usage: run-smoke.sh BUILDDIR [SECONDS_PER_TARGET]   (default 20)
set -eu

srcdir=$(cd "$(dirname "$0")" && pwd)
builddir=$(cd "${1:?usage: $0 BUILDDIR [SECONDS_PER_TARGET]}" && pwd)
seconds=${2:-20}
case $seconds in
'' | *[!0-9]*) echo "$0: seconds must be a number: $seconds" >&2; exit 2 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/routed-fuzz-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

targets=0
failed=0
for bin in "$builddir"/tests/fuzz/fuzz_*; do
	case $bin in *.o) continue ;; esac
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	targets=$((targets + 1))
	corpus="$work/$name"
	mkdir -p "$corpus"
	if [ -d "$srcdir/corpus/$name" ]; then
		cp -R "$srcdir/corpus/$name/." "$corpus/"
	fi
	set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/$name-"
	if [ -f "$srcdir/$name.dict" ]; then
		set -- "$@" -dict="$srcdir/$name.dict"
	fi
	# NAME.options: more libFuzzer flags for that target, one per line.
	if [ -f "$srcdir/$name.options" ]; then
		# shellcheck disable=SC2046
		set -- "$@" $(sed 's/#.*//' "$srcdir/$name.options")
	fi
	log="$work/$name.log"
	# Temporary files of the targets (fuzz_config's) go with the rest.
	if TMPDIR="$work" "$bin" "$@" "$corpus" >"$log" 2>&1; then
		status=ok
	else
		status=FAILED
		failed=$((failed + 1))
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(sed -n 's/^#[0-9]*.*DONE *cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	printf '%-12s %-6s %10s execs %8s/s  %4s s  cov %s  corpus %s -> %s\n' "$name" "$status" \
		"${execs:-?}" "${rate:-?}" "$seconds" "${cov:-?}" \
		"$(find "$srcdir/corpus/$name" -type f 2>/dev/null | wc -l)" \
		"$(find "$corpus" -type f | wc -l)"
	if [ "$status" = FAILED ]; then
		keep="$builddir/tests/fuzz/crashes"
		mkdir -p "$keep"
		grep -v '^#[0-9]' "$log" | tail -n 60 >&2
		for a in "$work/$name"-*; do
			[ -f "$a" ] || continue
			cp "$a" "$keep/"
			echo "input saved: $keep/${a##*/}" >&2
			echo "reproduce:   $bin $keep/${a##*/}" >&2
			echo "base64:      $(base64 -w0 <"$a" | cut -c1-2000)" >&2
		done
	fi
done

if [ "$targets" -eq 0 ]; then
	echo "$0: no fuzz targets in $builddir/tests/fuzz (run make fuzz there)" >&2
	exit 1
fi
echo "fuzz: $((targets - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
