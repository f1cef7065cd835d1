#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fetch a real-world table for routebench: the IP-to-AS ranges of the npm
# package @ip-location-db/asn (RouteViews, RIR and DB-IP data, CC BY 4.0),
# turned into a route file of 564,580 IPv4 and 167,903 IPv6 prefixes, each
# tagged with its AS number.
#
#   bench/fetch-asn-table.sh [CACHE_DIR]     (default: bench/data/asn)
#   routebench --routes CACHE_DIR/asn-routes.txt
#
# The package version and its hash are pinned, so the table never changes.
# Needs npm, node, tar and sha512sum; the tarball is kept in CACHE_DIR and
# not fetched again.
set -eu

PACKAGE=@ip-location-db/asn
VERSION=2.3.2026061719
SHA512=3e9a988bbc321325b0ba75c1b65fb2dd58b8d374af372c28b56c2f9a2602394b44d1256897f49fe3dd847be784ac4ce79866a9c44401d9201fae95ee67d6bebd
EXPECT_V4=564580
EXPECT_V6=167903

case ${1-} in
-h|--help)
	sed -n '4,14s/^# \{0,1\}//p' "$0"
	exit 0
	;;
esac

bench=$(cd "$(dirname "$0")" && pwd)
cache=${1:-$bench/data/asn}
tarball=ip-location-db-asn-$VERSION.tgz

mkdir -p "$cache"
cd "$cache"
if [ ! -f "$tarball" ]; then
	echo "fetch-asn-table: fetching $PACKAGE@$VERSION into $cache" >&2
	npm pack --silent "$PACKAGE@$VERSION" >/dev/null
fi
if ! echo "$SHA512  $tarball" | sha512sum -c --status -; then
	echo "fetch-asn-table: $cache/$tarball does not match the pinned hash" >&2
	exit 1
fi

rm -rf package
tar -xzf "$tarball" package/asn-ipv4-num.csv package/asn-ipv6-num.csv
node "$bench/asn2routes.mjs" --expect-v4 "$EXPECT_V4" --expect-v6 "$EXPECT_V6" \
	-o asn-routes.txt package/asn-ipv4-num.csv package/asn-ipv6-num.csv
rm -rf package

v4=$(grep -c -v ':' asn-routes.txt || true)
v6=$(grep -c ':' asn-routes.txt || true)
echo "fetch-asn-table: $cache/asn-routes.txt: $v4 IPv4 and $v6 IPv6 prefixes"
if [ "$v4" != "$EXPECT_V4" ] || [ "$v6" != "$EXPECT_V6" ]; then
	echo "fetch-asn-table: expected $EXPECT_V4 IPv4 and $EXPECT_V6 IPv6 prefixes" >&2
	exit 1
fi
