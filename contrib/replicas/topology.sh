#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The replicas example of docs/deployment.md as network namespaces on one
# machine: a route source (BIRD) and two routed replicas, each on a link of
# its own to the source.
#
#	NAME-rr   BIRD, AS 65000            10.101.0.1/16  2001:db8:101::1/48  (link to r1)
#	                                    10.102.0.1/16  2001:db8:102::1/48  (link to r2)
#	                                    src0: 10.200.0.1/16 2001:db8:200::1/48,
#	                                    where the example's next hops live (a
#	                                    veth pair inside NAME-rr: a dummy
#	                                    interface needs a module containers
#	                                    may lack)
#	NAME-r1   ExaBGP + routed-exabgp + routed, AS 65001   10.101.0.2  2001:db8:101::2
#	NAME-r2   the same                                    10.102.0.2  2001:db8:102::2
#
# Clients run in NAME-rr, which reaches both replicas' lookup listeners
# (port 5300 on 10.101.0.2 and 10.102.0.2). Nothing outside the namespaces
# is changed: no host route, no host interface.
#
#	topology.sh up NAME      create (fails if any of them exists)
#	topology.sh down NAME    remove whatever of them exists
set -u

usage() {
	echo "usage: topology.sh up|down NAME" >&2
	exit 2
}

down() {
	local node
	for node in rr r1 r2; do
		ip netns del "$1-$node" 2>/dev/null
	done
	return 0
}

up() {
	local name=$1 node k
	for node in rr r1 r2; do
		ip netns add "$name-$node" || return 1
		ip -n "$name-$node" link set lo up || return 1
	done
	# The source's next hops: a connected network, so BIRD's static routes resolve.
	ip -n "$name-rr" link add src0 type veth peer name src1 &&
		ip -n "$name-rr" link set src1 up &&
		ip -n "$name-rr" addr add 10.200.0.1/16 dev src0 &&
		ip -n "$name-rr" addr add 2001:db8:200::1/48 dev src0 nodad &&
		ip -n "$name-rr" link set src0 up || return 1
	for k in 1 2; do
		ip link add "rr$k-$name" netns "$name-rr" type veth peer name "up-$name" \
			netns "$name-r$k" || return 1
		ip -n "$name-rr" addr add "10.10$k.0.1/16" dev "rr$k-$name" &&
			ip -n "$name-rr" addr add "2001:db8:10$k::1/48" dev "rr$k-$name" nodad &&
			ip -n "$name-rr" link set "rr$k-$name" up &&
			ip -n "$name-r$k" addr add "10.10$k.0.2/16" dev "up-$name" &&
			ip -n "$name-r$k" addr add "2001:db8:10$k::2/48" dev "up-$name" nodad &&
			ip -n "$name-r$k" link set "up-$name" up || return 1
	done
}

[ $# -eq 2 ] || usage
# Interface names are at most 15 bytes: "rr1-" + NAME.
[ ${#2} -le 11 ] || { echo "topology.sh: NAME '$2' is longer than 11 characters" >&2; exit 2; }
case $1 in
up)
	if ! up "$2"; then
		down "$2"
		echo "topology.sh: could not create the namespaces of '$2'" >&2
		exit 1
	fi
	;;
down) down "$2" ;;
*) usage ;;
esac
