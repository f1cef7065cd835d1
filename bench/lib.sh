# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # here, build, routes, py are for the sourcing
# script, which sets bench_name
#
# What the benchmark scripts share, sourced (not run) by each after it has
# set its own option defaults and bench_name:
#
#   bench_name=udp-bench
#   . "$(cd "$(dirname "$0")" && pwd)/lib.sh"
#   bench_parse --runs=runs --callgrind=callgrind:true -- "$@"
#   bench_need_built "--build DIR" "$routed" "$routectl"
#   bench_tmpdir
#   bench_default_routes bgp.routes "$here/bgp-routes.sh"
#
# Every script takes --build DIR (default: the current directory) and
# --routes FILE (default: the script's own table, made in its temporary
# directory); errors name the script and exit 2 for a usage error, 1 for
# a failure. Sets here (the bench directory), build, routes, py (the
# Python to run: $PYTHON, else python3), pids (the processes the script
# started: killed at exit) and, after bench_tmpdir, tmp.

here=$(cd "$(dirname "$0")" && pwd)
build=$(pwd)
routes=
py=${PYTHON:-python3}
pids=()

bench_die() {
	echo "$bench_name: $*" >&2
	exit 1
}

bench_usage_error() {
	echo "$bench_name: $*" >&2
	exit 2
}

# bench_parse SPEC... -- ARG...: the command line. A SPEC is --NAME=VAR,
# an option that takes a value into VAR, or --NAME=VAR:VALUE, a flag that
# sets VAR to VALUE. --build and --routes are every script's. With
# bench_help=FIRST,LAST set, -h and --help print those lines of the
# script's header comment; with bench_positional=ARRAY set, arguments that
# do not start with '-' are appended to ARRAY. Anything else is refused.
bench_parse() {
	# Keys are "=" and the option, so that an empty argument is a key too.
	local -A takes_value=([=--build]=build [=--routes]=routes) sets_flag=()
	local spec

	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		spec=$1
		shift
		case ${spec#*=} in
		*:*) sets_flag[=${spec%%=*}]=${spec#*=} ;;
		*) takes_value[=${spec%%=*}]=${spec#*=} ;;
		esac
	done
	[ $# -gt 0 ] && shift
	while [ $# -gt 0 ]; do
		if [ -n "${takes_value[=$1]+set}" ]; then
			[ $# -ge 2 ] || bench_usage_error "$1 needs a value"
			printf -v "${takes_value[=$1]}" %s "$2"
			shift
		elif [ -n "${sets_flag[=$1]+set}" ]; then
			printf -v "${sets_flag[=$1]%%:*}" %s "${sets_flag[=$1]#*:}"
		elif [ -n "${bench_help:-}" ] && { [ "$1" = -h ] || [ "$1" = --help ]; }; then
			sed -n "${bench_help}s/^# \{0,1\}//p" "$0"
			exit 0
		elif [ -n "${bench_positional:-}" ] && [ "${1#-}" = "$1" ]; then
			local -n positional=$bench_positional
			positional+=("$1")
		else
			bench_usage_error "unknown option $1"
		fi
		shift
	done
}

# bench_need_built HINT PROGRAM...: each program is built, else a usage
# error that names the options that point at builds (HINT).
bench_need_built() {
	local hint=$1 b

	shift
	for b in "$@"; do
		[ -x "$b" ] || bench_usage_error "$b not built ($hint)"
	done
}

# bench_cleanup: at exit, the processes in pids stopped and waited for,
# and the temporary directory removed.
bench_cleanup() {
	local p

	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${tmp:-}" ] && rm -rf "$tmp"
}

# bench_tmpdir: tmp, a fresh temporary directory, removed at exit.
bench_tmpdir() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$bench_name.XXXXXX") || exit 1
	trap bench_cleanup EXIT
}

# bench_default_routes NAME COMMAND...: without --routes, the route file is
# tmp/NAME, written by COMMAND.
bench_default_routes() {
	local name=$1

	shift
	[ -n "$routes" ] && return 0
	routes=$tmp/$name
	"$@" >"$routes" || exit 1
}

# bench_free_port [udp|tcp]: a port of 127.0.0.1 that is free now.
bench_free_port() {
	local kind=socket.SOCK_STREAM

	[ "${1:-tcp}" = udp ] && kind=socket.SOCK_DGRAM
	"$py" -c "import socket; s=socket.socket(socket.AF_INET, $kind); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}

# bench_wait_routed SOCKET TRIES [PID]: until the routed on control socket
# SOCKET answers a ping, trying TRIES times 0.1 s apart, and giving up at
# once if process PID has ended. Returns 1 if it never answered.
bench_wait_routed() {
	local socket=$1 tries=$2 pid=${3:-}

	for _ in $(seq "$tries"); do
		"$build/tools/routectl" -s "$socket" --timeout 1 ping >/dev/null 2>&1 && return 0
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && return 1
		sleep 0.1
	done
	return 1
}
