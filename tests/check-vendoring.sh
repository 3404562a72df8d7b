#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The vendoring promise: lib/ and include/ build with a plain C11 compiler
# and no generated files, with the exact command the README gives, and
# the result works (examples/hello.c runs against it).
# Usage: check-vendoring.sh SOURCE_DIR CC...
set -eu
source_dir=$1
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lemica-vendor.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$source_dir"

# The command documented in README.md ("Vendoring the sources").
"$@" -std=c11 -O2 -Iinclude lib/*/*.c -shared -fPIC -o "$tmp/libLeMiCa.so" -lm
"$@" -std=c11 -O2 -Iinclude examples/hello.c -L"$tmp" -lLeMiCa -lm \
    -o "$tmp/hello"
LD_LIBRARY_PATH="$tmp" "$tmp/hello" >"$tmp/out"
grep -q '^steps: 0,2,4,7,9 ' "$tmp/out"
echo "ok: vendored build of lib/*/*.c runs examples/hello.c"
