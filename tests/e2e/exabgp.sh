# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# BIRD 2 speakers and ExaBGP with routed-exabgp as its API process, each in
# a network namespace of its own joined by veth links, so nothing touches
# the host's routes. Every program's files (config, control socket, pid,
# log) live under a directory the caller gives.
#
# Link K joins two namespaces: the first gets 10.20K.0.1/16 and
# 2001:db8:20K::1/48, the second 10.20K.0.2/16 and 2001:db8:20K::2/48
# (K = 1..9). A BIRD speaker on link K is AS $((65000 + K)) at .2 and
# peers with ExaBGP (AS 65000) at .1.
#
#   exabgp_available                     bird, birdc, exabgp and ip are installed
#   exa_ns_add NS                        a namespace with lo up
#   exa_link NS1 NS2 K                   a veth pair for link K
#   bird_speaker_conf K N4 N6 [NH] [FIRST4]
#                                        a BIRD config announcing N4 IPv4 /24s
#                                        (100.K0.x.0/24 ..., or 100.FIRST4.x.0/24
#                                        ...) and N6 IPv6 /48s
#                                        (2001:db8:K0xx::/48); NH (default 1)
#                                        picks the next hops, so that changing
#                                        it changes every route's next hop
#   bird_start NS DIR NAME               bird -c DIR/NAME.conf, wait until birdc answers
#   birdc_do NS DIR NAME ARGS...         birdc against it
#   bird_stop DIR NAME
#   exabgp_conf HELPER K...              an ExaBGP config peering with the
#                                        speakers of links K..., running HELPER
#                                        (a command line) as process "routed"
#   exabgp_start NS DIR                  exabgp DIR/exabgp.conf, output in DIR/exabgp.log
#   exabgp_stop DIR
#   exabgp_helper_pid DIR                the pid of the running routed-exabgp

exabgp_available() {
	command -v bird >/dev/null && command -v birdc >/dev/null && command -v exabgp >/dev/null &&
		command -v ip >/dev/null
}

exa_ns_add() {
	ip netns add "$1" && ip -n "$1" link set lo up
}

exa_link() {
	local a=$1 b=$2 k=$3
	ip link add "exa$k-$$" netns "$a" type veth peer name "exb$k-$$" netns "$b" || return 1
	ip -n "$a" addr add "10.20$k.0.1/16" dev "exa$k-$$"
	ip -n "$a" addr add "2001:db8:20$k::1/48" dev "exa$k-$$" nodad
	ip -n "$a" link set "exa$k-$$" up
	ip -n "$b" addr add "10.20$k.0.2/16" dev "exb$k-$$"
	ip -n "$b" addr add "2001:db8:20$k::2/48" dev "exb$k-$$" nodad
	ip -n "$b" link set "exb$k-$$" up
}

bird_speaker_conf() {
	local k=$1 n4=$2 n6=$3 nh=${4:-1} first4=${5:-$(($1 * 10))} i
	printf 'router id 10.20%s.0.2;\nprotocol device {}\nprotocol static {\n\tipv4;\n' "$k"
	for i in $(seq 0 $((n4 - 1))); do
		echo "	route 100.$((first4 + i / 250)).$((i % 250)).0/24 via 10.20$k.$nh.$((i % 200 + 3));"
	done
	printf '}\nprotocol static {\n\tipv6;\n'
	for i in $(seq 0 $((n6 - 1))); do
		echo "	route 2001:db8:$(printf %x $((k * 4096 + i)))::/48 via 2001:db8:20$k:$nh::$((i % 9 + 2));"
	done
	printf '}\nprotocol bgp exabgp {\n'
	printf '\tlocal 10.20%s.0.2 as %s;\n\tneighbor 10.20%s.0.1 as 65000;\n' "$k" $((65000 + k)) "$k"
	printf '\tipv4 { import none; export all; next hop keep; };\n'
	printf '\tipv6 { import none; export all; next hop keep; };\n}\n'
}

birdc_do() {
	local ns=$1 dir=$2 name=$3
	shift 3
	ip netns exec "$ns" birdc -s "$dir/$name.ctl" "$@"
}

bird_start() {
	local ns=$1 dir=$2 name=$3 i
	ip netns exec "$ns" bird -f -c "$dir/$name.conf" -s "$dir/$name.ctl" -P "$dir/$name.pid" \
		>>"$dir/$name.log" 2>&1 &
	echo $! >"$dir/$name.bgpid"
	for i in $(seq 1 400); do
		birdc_do "$ns" "$dir" "$name" show status >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "# bird $name did not answer on $dir/$name.ctl" >&2
	return 1
}

bird_stop() {
	local dir=$1 name=$2 pid i
	pid=$(cat "$dir/$name.bgpid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	for i in $(seq 1 400); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	wait "$pid" 2>/dev/null || true
	rm -f "$dir/$name.bgpid"
	return 0
}

exabgp_conf() {
	local helper=$1 k
	shift
	printf 'process routed {\n\trun %s;\n\tencoder json;\n}\n' "$helper"
	for k in "$@"; do
		printf 'neighbor 10.20%s.0.2 {\n' "$k"
		printf '\trouter-id 10.20%s.0.1;\n\tlocal-address 10.20%s.0.1;\n' "$k" "$k"
		printf '\tlocal-as 65000;\n\tpeer-as %s;\n' $((65000 + k))
		printf '\tfamily { ipv4 unicast; ipv6 unicast; }\n'
		printf '\tcapability { route-refresh; }\n'
		printf '\tapi {\n\t\tprocesses [ routed ];\n\t\tneighbor-changes;\n'
		printf '\t\treceive { parsed; update; refresh; }\n\t}\n}\n'
	done
}

exabgp_start() {
	local ns=$1 dir=$2
	env exabgp_daemon_user=root exabgp_daemon_drop=false exabgp_api_cli=false \
		exabgp_log_destination=stdout exabgp_daemon_daemonize=false \
		ip netns exec "$ns" exabgp "$dir/exabgp.conf" >>"$dir/exabgp.log" 2>&1 &
	echo $! >"$dir/exabgp.bgpid"
}

# ExaBGP stops its helper before it exits; wait for both to be gone.
exabgp_stop() {
	local dir=$1 pid i
	pid=$(cat "$dir/exabgp.bgpid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	for i in $(seq 1 400); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$dir/exabgp.bgpid"
	return 0
}

# ip netns exec execs exabgp, so the helper is a child of the recorded pid.
exabgp_helper_pid() {
	local pid
	pid=$(cat "$1/exabgp.bgpid" 2>/dev/null) || return 1
	pgrep -P "$pid" -f routed-exabgp | head -n 1
}
