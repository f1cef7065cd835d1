# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the unit tests: a temporary copy of the generated
# systemd/routed.service whose ExecStart=/ExecReload= name the binaries just
# built (systemd-analyze verify checks that they exist and are executable).
# Runs from the build directory, as "make check" does.

builddir=$(pwd)
unit_generated="$builddir/systemd/routed.service"

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/routed-unit.XXXXXX") || exit 99
trap 'rm -rf "$tmpdir"' EXIT

# prepare_unit DIR: writes DIR/routed.service.
prepare_unit() {
	mkdir -p "$1" &&
		sed -e "s|^ExecStart=[^ ]*/routed |ExecStart=$builddir/daemon/routed |" \
		    -e "s|^ExecReload=[^ ]*/routectl |ExecReload=$builddir/tools/routectl |" \
		    "$unit_generated" > "$1/routed.service"
}

if ! command -v systemd-analyze > /dev/null 2>&1; then
	echo "1..0 # SKIP systemd-analyze not found"
	exit 0
fi
for f in "$unit_generated" "$builddir/daemon/routed" "$builddir/tools/routectl"; do
	if [ ! -e "$f" ]; then
		echo "Bail out! $f not built"
		exit 99
	fi
done
