# SPDX-License-Identifier: MIT
#
# Sourced by the tests of the lemica tool (cli-test.sh, cli-files-test.sh):
# their arguments, a temporary directory, and the run-and-check functions.
# Each script sources it relative to its own path, so it runs the same from
# meson test and by hand:
#
#     bash tests/cli-test.sh build/tools/lemica .
#
# Set LEMICA_WRAPPER to run every lemica call under a tool, for example
# LEMICA_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full
# --errors-for-leak-kinds=definite" (a memory error then shows as exit
# status 99).
#
# Defines: $lemica, $srcdir, $data (tests/data), $tmp (removed on exit),
# $version (the library version from the public header), and the counts
# that cli_finish reports.

set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 LEMICA_BINARY SOURCE_DIR" >&2
    exit 2
fi
lemica=$1
srcdir=$2
data=$srcdir/tests/data
read -r -a wrapper <<<"${LEMICA_WRAPPER:-}"

tmp=$(mktemp -d)
# u+w first: a test may leave a read-only directory behind.
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

version=$(sed -n 's/^#define LEMICA_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' \
    "$srcdir/include/lemica/lemica-version.h" | paste -sd.)

checks=0
failures=0

fail() {
    failures=$((failures + 1))
    echo "FAIL: $*" >&2
    if [ -s "$tmp/err" ]; then
        sed 's/^/    stderr: /' "$tmp/err" >&2
    fi
}

# run STATUS ARGS...: run lemica with ARGS, expect exit status STATUS; the
# output is left in $tmp/out and $tmp/err for the checks that follow.
run() {
    local expected=$1
    shift
    checks=$((checks + 1))
    last_command="lemica $*"
    "${wrapper[@]}" "$lemica" "$@" >"$tmp/out" 2>"$tmp/err"
    local status=$?
    if [ "$status" -ne "$expected" ]; then
        fail "$last_command: exit status $status, expected $expected"
    fi
}

# stdout_is LINE...: the last run printed exactly these lines.
stdout_is() {
    printf '%s\n' "$@" >"$tmp/expected"
    if ! cmp -s "$tmp/expected" "$tmp/out"; then
        fail "$last_command: unexpected output:
$(diff "$tmp/expected" "$tmp/out")"
    fi
}

# file_is FILE LINE...: FILE holds exactly these lines. Counts as a run of
# its own, since it checks what an earlier run wrote.
file_is() {
    local file=$1
    shift
    checks=$((checks + 1))
    printf '%s\n' "$@" >"$tmp/expected"
    if ! cmp -s "$tmp/expected" "$file"; then
        fail "$file: unexpected contents:
$(diff "$tmp/expected" "$file")"
    fi
}

stdout_is_empty() {
    if [ -s "$tmp/out" ]; then
        fail "$last_command: printed on stdout: $(head -c 200 "$tmp/out")"
    fi
}

stdout_starts_with() {
    if [ "$(head -c ${#1} "$tmp/out")" != "$1" ]; then
        fail "$last_command: stdout does not start with '$1'"
    fi
}

stderr_has() {
    if ! grep -qF -- "$1" "$tmp/err"; then
        fail "$last_command: stderr lacks '$1'"
    fi
}

stderr_is_empty() {
    if [ -s "$tmp/err" ]; then
        fail "$last_command: printed on stderr"
    fi
}

# usage_error MESSAGE ARGS...: a usage error: status 2, nothing on stdout,
# the message and a hint.
usage_error() {
    local message=$1
    shift
    run 2 "$@"
    stdout_is_empty
    stderr_has "lemica: $message"
    stderr_has "Try 'lemica help"
}

# The last line of a script: the counts, and the exit status.
cli_finish() {
    echo "$checks runs, $failures failures"
    [ "$failures" -eq 0 ]
}
