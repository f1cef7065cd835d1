# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# FRR's zebra and staticd inside a network namespace, each with its own
# files under a directory (config, pid, vty sockets, zserv socket, log), so
# nothing touches the host's FRR. zebra loads dplane_fpm_nl and connects
# to the FPM server at 127.0.0.1:$FRR_FPM_PORT inside the namespace.
#
#   frr_start NS DIR [nhg|no-nhg]   start zebra + staticd, wait until vtysh answers
#   frr_vtysh NS DIR ARGS...        vtysh against them
#   frr_kill_zebra DIR              SIGKILL zebra (it may hang on SIGTERM)
#   frr_start_zebra NS DIR MODE     start zebra again
#   frr_restart NS DIR MODE [LINE...] kill both, start them again with staticd's
#                                   config made of LINEs (its routes)
#   frr_stop DIR                    stop both

FRR_DIR=${FRR_DIR:-/usr/lib/frr}
FRR_FPM_PORT=${FRR_FPM_PORT:-2620}

frr_available() {
	[ -x "$FRR_DIR/zebra" ] && [ -x "$FRR_DIR/staticd" ] && command -v vtysh >/dev/null
}

frr_vtysh() {
	local ns=$1 dir=$2
	shift 2
	ip netns exec "$ns" vtysh --vty_socket "$dir" "$@"
}

frr_start_zebra() {
	local ns=$1 dir=$2 mode=${3:-nhg}
	{
		echo "hostname zebra"
		echo "log file $dir/zebra.log"
		echo "fpm address 127.0.0.1 port $FRR_FPM_PORT"
		[ "$mode" = no-nhg ] && echo "no fpm use-next-hop-groups"
		echo "line vty"
	} >"$dir/zebra.conf"
	ip netns exec "$ns" "$FRR_DIR/zebra" -M dplane_fpm_nl -f "$dir/zebra.conf" \
		-i "$dir/zebra.pid" --vty_socket "$dir" -z "$dir/zserv.api" -u frr -g frr -P 0 \
		>>"$dir/zebra.out" 2>&1 &
	echo $! >"$dir/zebra.bgpid"
	frr_wait_vty "$ns" "$dir" zebra
}

frr_wait_vty() {
	local ns=$1 dir=$2 daemon=$3 i
	for i in $(seq 1 200); do
		if frr_vtysh "$ns" "$dir" -d "$daemon" -c 'show version' >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.05
	done
	echo "# $daemon did not answer on its vty in $dir" >&2
	return 1
}

frr_start() {
	local ns=$1 dir=$2 mode=${3:-nhg} line
	shift $(($# < 3 ? $# : 3))
	mkdir -p "$dir"
	# The daemons run as frr (root is not in the frrvty group they require).
	chmod 0777 "$dir"
	chmod a+x "$(dirname "$dir")"
	frr_start_zebra "$ns" "$dir" "$mode" || return 1
	echo "hostname staticd" >"$dir/staticd.conf"
	for line in "$@"; do echo "$line" >>"$dir/staticd.conf"; done
	ip netns exec "$ns" "$FRR_DIR/staticd" -f "$dir/staticd.conf" -i "$dir/staticd.pid" \
		--vty_socket "$dir" -z "$dir/zserv.api" -u frr -g frr -P 0 >>"$dir/staticd.out" 2>&1 &
	echo $! >"$dir/staticd.bgpid"
	frr_wait_vty "$ns" "$dir" staticd
}

frr_kill_zebra() {
	local dir=$1 pid
	pid=$(cat "$dir/zebra.bgpid" 2>/dev/null) || return 0
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$dir/zebra.bgpid"
	return 0
}

# staticd started on its own takes about 10 s to find a restarted zebra:
# both go and come back, staticd with its routes in its config file.
frr_restart() {
	local ns=$1 dir=$2 mode=$3
	shift $(($# < 3 ? $# : 3))
	frr_stop "$dir"
	frr_start "$ns" "$dir" "$mode" "$@"
}

frr_stop() {
	local dir=$1 pid
	if pid=$(cat "$dir/staticd.bgpid" 2>/dev/null); then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/staticd.bgpid"
	frr_kill_zebra "$dir"
	return 0
}
