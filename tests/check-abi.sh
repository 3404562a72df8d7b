#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The shared library against the recorded ABI baseline (abi/*.abi, made by
# abidw from the 0.1 library): fail on any incompatible change. Added
# functions are compatible and only reported. Every symbol of the baseline
# must also still be exported under the version node it was released in
# (a 0.1 symbol moved to LEMICA_0.2 would break binaries linked against
# 0.1 although abidiff sees the same function).
# Usage: check-abi.sh ABIDIFF BASELINE.abi LIBRARY.so HEADERS_DIR
set -u
abidiff=$1
baseline=$2
library=$3
headers=$4

nm=${NM:-nm}
missing=0
exported=$("$nm" -D --defined-only "$library" | awk '{ print $NF }')
while read -r name version; do
    if ! printf '%s\n' "$exported" | grep -qxF "$name@@$version"; then
        echo "FAIL: $name is no longer exported as $name@@$version" >&2
        missing=1
    fi
done < <(sed -n "s/.*<elf-symbol name='\([^']*\)' version='\([^']*\)'.*/\1 \2/p" "$baseline")
if [ "$missing" -ne 0 ]; then
    exit 1
fi
released=$(grep -c "<elf-symbol name=" "$baseline")
echo "ok: all $released symbols of $baseline exported under their released version"

report=$("$abidiff" --headers-dir1 "$headers" --headers-dir2 "$headers" \
    "$baseline" "$library" 2>&1)
status=$?
echo "$report"
# abidiff's exit status is a bit mask: 1 error, 2 usage error, 4 the ABI
# changed, 8 the change is incompatible.
if [ $((status & 3)) -ne 0 ]; then
    echo "FAIL: abidiff could not compare (status $status)" >&2
    exit 1
fi
if [ $((status & 8)) -ne 0 ]; then
    echo "FAIL: incompatible ABI change against $baseline" >&2
    exit 1
fi
if [ $((status & 4)) -ne 0 ]; then
    echo "ok: compatible additions against $baseline"
else
    echo "ok: same ABI as $baseline"
fi
exit 0
