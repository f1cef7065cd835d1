# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared helpers of the end-to-end tests: TAP output, a private temporary
# directory, and the real routed started on a socket in it.
#
# The tests run from the build directory (automake's harness does); the
# binaries are $ROUTED, $ROUTECTL and $ROUTEGEN, else daemon/routed,
# tools/routectl and tools/routegen there. The source directory may be
# read-only: everything written goes to $tmp, removed on exit.
#
# A test sources this file, writes $tmp/routed.conf (write_config),
# calls start_routed, runs its checks and ends with finish.

set -u

e2e_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
e2e_builddir=$(pwd -P)
ROUTED=${ROUTED:-$e2e_builddir/daemon/routed}
ROUTECTL=${ROUTECTL:-$e2e_builddir/tools/routectl}
ROUTEGEN=${ROUTEGEN:-$e2e_builddir/tools/routegen}
export LC_ALL=C
# The source directory may be read-only, and stays clean: no .pyc files.
export PYTHONDONTWRITEBYTECODE=1
# The helpers' interpreter: Debian's "$PYTHON" where it is installed (the
# build dependencies include it), else the first on PATH, which may be a
# version manager's shim that takes most of a second to start. Nothing
# here may depend on how fast it starts: every wait is for a signal of
# readiness, never a fixed delay.
if [ -z "${PYTHON:-}" ]; then
	if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
export PYTHON
unset RUNTIME_DIRECTORY STATE_DIRECTORY NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID \
	LISTEN_FDS LISTEN_PID JOURNAL_STREAM

for e2e_bin in "$ROUTED" "$ROUTECTL"; do
	if [ ! -x "$e2e_bin" ]; then
		echo "Bail out! $e2e_bin not found (run from the build directory)"
		exit 99
	fi
done

# Socket paths are limited to 107 bytes: keep the directory short.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/routed-e2e.XXXXXX") || exit 99
if [ ${#tmp} -gt 80 ]; then
	rm -rf "$tmp"
	tmp=$(mktemp -d /tmp/routed-e2e.XXXXXX) || exit 99
fi
sock=$tmp/ctl.sock
export ROUTED_SOCKET=$sock
routed_pid=
routed_status=
e2e_bg_pids=

n=0
failed=0

e2e_cleanup() {
	local pid
	for pid in $e2e_bg_pids; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ -n "$routed_pid" ]; then
		kill -KILL "$routed_pid" 2>/dev/null
		wait "$routed_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap e2e_cleanup EXIT
trap 'exit 1' INT TERM

# ---- TAP ----

# routed's stderr, and the last command's output, as TAP comments.
show_diagnostics() {
	local f
	for f in "$tmp/out" "$tmp/err"; do
		if [ -s "$f" ]; then
			echo "# --- $(basename "$f"):"
			head -n 20 "$f" | sed 's/^/# /'
		fi
	done
	if [ -s "$tmp/routed.err" ]; then
		echo "# --- routed stderr (last 30 lines):"
		tail -n 30 "$tmp/routed.err" | sed 's/^/# /'
	fi
}
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	show_diagnostics
}
skip() { # DESCRIPTION REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
check() { # DESCRIPTION COMMAND...: ok when the command succeeds
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# Re-number the "ok - ..." / "not ok - ..." lines of a helper program
# (python checks) into this test's sequence; other lines are passed on.
tap_merge() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done
}
finish() {
	[ -n "$routed_pid" ] && stop_routed
	echo "1..$n"
	[ "$failed" -eq 0 ]
	exit
}

# ---- running routectl ----

# rc ARGS...: routectl, stdout to $tmp/out, stderr to $tmp/err, exit status
# in $status.
rc() {
	"$ROUTECTL" "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	return $status
}
expect_status() { # WANT DESCRIPTION ROUTECTL-ARGS...
	local want=$1 desc=$2
	shift 2
	rc "$@"
	if [ "$status" -eq "$want" ]; then ok "$desc"; else
		echo "# exit status $status, expected $want"
		not_ok "$desc"
	fi
}
out_is() { [ "$(cat "$tmp/out")" = "$1" ] || { echo "# expected stdout: $1"; false; }; }
err_is() { [ "$(cat "$tmp/err")" = "$1" ] || { echo "# expected stderr: $1"; false; }; }
# rpc METHOD [PARAMS-JSON]: one raw JSON-RPC call, response line on stdout.
rpc() { "$PYTHON" "$e2e_srcdir/rpc.py" "$sock" "$@"; }
# stat_value KEY.PATH: a value of the stats result (events.seq, control.errors).
stat_value() {
	rpc stats | "$PYTHON" -c 'import json, sys
v = json.load(sys.stdin)["result"]
for k in sys.argv[1].split("."):
    v = v[k]
print(v)' "$1"
}
# lookup_address [N]: the address listener N (default 0) is bound to, "127.0.0.1:PORT".
lookup_address() {
	rpc info | "$PYTHON" -c 'import json, sys
print(json.load(sys.stdin)["result"]["lookup_listeners"][int(sys.argv[1])]["address"])' "${1:-0}"
}
subscribers_are() { [ "$(stat_value events.subscribers)" = "$1" ]; }
# pyjson FILE EXPR: python's truth of EXPR about the JSON in FILE (bound to j).
pyjson() {
	"$PYTHON" -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2"
}

# ---- the daemon ----

write_config() { # the configuration on stdin goes to $tmp/routed.conf
	cat >"$tmp/routed.conf"
}

# start_routed [ROUTED-ARGS...]: start routed on $sock with $tmp/routed.conf,
# wait until it answers ping. Its lookup listener is $LOOKUP_LISTEN, by
# default a free port on 127.0.0.1 (tests run side by side), and it runs
# $THREADS lookup threads (default 2); set either empty to use the
# configuration's.
start_routed() {
	local opts=() deadline=$((SECONDS + 60))
	[ -f "$tmp/routed.conf" ] || echo '{}' >"$tmp/routed.conf"
	: >"$tmp/routed.err"
	[ -n "${LOOKUP_LISTEN-127.0.0.1:0}" ] &&
		opts+=(--lookup-listen "${LOOKUP_LISTEN-127.0.0.1:0}")
	[ -n "${THREADS-2}" ] && opts+=(--threads "${THREADS-2}")
	"$ROUTED" -c "$tmp/routed.conf" --control-socket "$sock" \
		--state-dir "$tmp/state" "${opts[@]}" "$@" 2>>"$tmp/routed.err" &
	routed_pid=$!
	# Ready is when it answers ping; on a loaded machine (a sanitizer
	# build, a large route file) that may take many seconds.
	while [ $SECONDS -lt $deadline ]; do
		if "$ROUTECTL" --timeout 2 ping >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$routed_pid" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	echo "Bail out! routed did not come up"
	show_diagnostics
	exit 1
}

# wait_routed_exit SECONDS: wait for routed to exit, status in
# $routed_status (empty when it is still running).
wait_routed_exit() {
	local i=0 limit=$(($1 * 20))
	routed_status=
	while kill -0 "$routed_pid" 2>/dev/null && [ $i -lt $limit ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if ! kill -0 "$routed_pid" 2>/dev/null; then
		wait "$routed_pid"
		routed_status=$?
		routed_pid=
	fi
}

# sanitizer_clean: no report of ASan, LSan or UBSan in routed's stderr.
sanitizer_clean() {
	! grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: .*Sanitizer' \
		"$tmp/routed.err"
}

# stop_routed: SIGTERM; checks that routed exits 0 within 10 s, removes its
# socket and leaves no sanitizer report.
stop_routed() {
	kill -TERM "$routed_pid"
	wait_routed_exit 10
	if [ -n "$routed_pid" ]; then
		not_ok "routed exits on SIGTERM"
		kill -KILL "$routed_pid"
		wait "$routed_pid"
		routed_pid=
		return
	fi
	if [ "$routed_status" -eq 0 ]; then ok "routed exits 0 on SIGTERM"; else
		echo "# exit status $routed_status"
		not_ok "routed exits 0 on SIGTERM"
	fi
	check "routed removed its socket" test ! -e "$sock"
	check "no sanitizer reports from routed" sanitizer_clean
}

# routed's resident memory in KiB.
routed_rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$routed_pid/status"
}

# poll SECONDS COMMAND...: retry COMMAND every 50 ms until it succeeds, for
# at least SECONDS of wall-clock time and at least 20 s: it waits for a
# state to be reached, and a loaded machine may take long to reach it.
poll() {
	local limit=$1
	[ "$limit" -lt 20 ] && limit=20
	local deadline=$((SECONDS + limit))
	shift
	while [ $SECONDS -lt $deadline ]; do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}
