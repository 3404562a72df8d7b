#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Distinct handles driven from several threads at once under
# ThreadSanitizer: the library's sources and tests/threads.c are built
# together with -fsanitize=thread (a TSan build must instrument the
# library too), then run; any TSan report fails the test.
# Usage: check-threads.sh SOURCE_DIR CC...
set -eu
source_dir=$1
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lemica-threads.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$source_dir"

"$@" -std=c11 -O1 -g -fsanitize=thread -D_POSIX_C_SOURCE=200809L -Iinclude \
    lib/*/*.c tests/threads.c -o "$tmp/threads" -lpthread -lm
TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}" "$tmp/threads"
