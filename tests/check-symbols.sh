#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The shared library exports exactly the symbols of the linker version
# script, each in the node that lists it, all named lemica_*, and carries the
# expected soname. A function that loses LEMICA_API, a symbol the script
# names but no source defines (GNU ld accepts that silently), or an internal
# helper that leaks out all fail here.
#
# usage: check-symbols.sh SHARED_LIBRARY VERSION_SCRIPT EXPECTED_SONAME
set -euo pipefail

if [ "$#" -ne 3 ]; then
    echo "usage: $0 SHARED_LIBRARY VERSION_SCRIPT EXPECTED_SONAME" >&2
    exit 2
fi
library=$1
map=$2
expected_soname=$3
nm=${NM:-nm}
readelf=${READELF:-readelf}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The version script as "symbol node" lines. Comments are removed first;
# then every "name;" between "global:" and "local:" (or the node's closing
# brace) belongs to the node whose "NODE {" opened last.
sed -e ':a' -e '/\/\*/{' -e '/\*\//!{N;ba' -e '}' -e 's@/\*.*\*/@@' -e '}' \
    "$map" |
    awk '
        /^[[:space:]]*[A-Za-z0-9_.]+[[:space:]]*\{/ {
            node = $1; sub(/\{.*/, "", node); in_global = 0; next
        }
        /^[[:space:]]*\}/ { in_global = 0; next }
        /global:/ { in_global = 1; sub(/.*global:/, "") }
        /local:/ { in_global = 0 }
        in_global {
            n = split($0, fields, /[;[:space:]]+/)
            for (i = 1; i <= n; i++)
                if (fields[i] != "")
                    print fields[i], node
        }
    ' | sort >"$tmp/expected"

if [ ! -s "$tmp/expected" ]; then
    echo "no global symbols found in $map" >&2
    exit 1
fi
awk '{ print $2 }' "$tmp/expected" | sort -u >"$tmp/nodes"

# The exported symbols as "symbol node". nm prints "name@@NODE" for the
# default version of a symbol; the nodes themselves appear as absolute
# symbols, which are not exports.
"$nm" -D --defined-only "$library" >"$tmp/nm-output"
awk -v nodes="$tmp/nodes" '
    BEGIN { while ((getline line < nodes) > 0) is_node[line] = 1 }
    {
        name = $NF
        if ($(NF - 1) == "A" && (name in is_node)) next
        version = "(none)"
        if (match(name, /@+/)) {
            version = substr(name, RSTART + RLENGTH)
            name = substr(name, 1, RSTART - 1)
        }
        print name, version
    }
' "$tmp/nm-output" | sort >"$tmp/actual"

status=0

if ! diff -u "$tmp/expected" "$tmp/actual" >"$tmp/diff"; then
    echo "exported symbols differ from $map (- script, + library):" >&2
    grep -E '^[-+][^-+]' "$tmp/diff" >&2 || true
    status=1
fi

if grep -v '^lemica_' "$tmp/actual" >"$tmp/bad-prefix"; then
    echo "exported symbols without the lemica_ prefix:" >&2
    cat "$tmp/bad-prefix" >&2
    status=1
fi

soname=$("$readelf" -d "$library" |
    sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [ "$soname" != "$expected_soname" ]; then
    echo "SONAME is '${soname}', expected '${expected_soname}'" >&2
    status=1
fi

if [ "$status" -eq 0 ]; then
    echo "$(wc -l <"$tmp/actual") symbols match $(basename "$map");" \
        "SONAME $soname"
fi
exit "$status"
