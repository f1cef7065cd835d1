#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Write the stored real BGP table (bench/tables/) as a route file, each
# prefix with one of 64 synthetic next hops of its family.
#
#   bench/bgp-routes.sh [OUT]      (default: standard output)
set -eu

case ${1-} in
-h|--help)
	sed -n '4,7s/^# \{0,1\}//p' "$0"
	exit 0
	;;
esac

table=$(cd "$(dirname "$0")" && pwd)/tables/bgp-full-table-2025.prefixes.gz
[ $# -gt 0 ] && exec >"$1"
gzip -dc "$table" | tr -d '\r' |
	awk 'NF { if (index($1, ":")) print $1, "via 2001:db8::" (NR % 64 + 1);
	          else print $1, "via 192.0.2." (NR % 64 + 1) }'
