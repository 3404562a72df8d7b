#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The shared library against the recorded ABI baseline (abi/*.abi, made by
# abidw from the 0.1 library): fail on any incompatible change. Added
# functions are compatible and only reported.
# Usage: check-abi.sh ABIDIFF BASELINE.abi LIBRARY.so HEADERS_DIR
set -u
abidiff=$1
baseline=$2
library=$3
headers=$4

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
