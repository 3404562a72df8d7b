#!/bin/bash
# SPDX-License-Identifier: MIT
#
# check-demo-verified.sh DEMO ARGS...: run lemica-demo with ARGS and check
# its "LeMiCa, verified" row: a table row at every budget that has a
# verified plan, with exactly B calls per held-out sample; per budget,
# candidates x B x profiling samples model calls on the profiling samples;
# their sum in the total line, as the same share of full profiling.
set -u
demo=$1
shift
out=$("$demo" "$@") || { echo "lemica-demo failed" >&2; exit 1; }
printf '%s\n' "$out"
printf '%s\n' "$out" | awk '
/^[0-9]+-step flow matching/ {
    for (i = 1; i <= NF; i++)
        if ($i == "Profiled" && $(i + 1) == "on") samples = $(i + 2)
}
/^\| [0-9]+ +\| LeMiCa, verified / {
    split($0, cell, "|")
    budget = cell[2] + 0
    rows[budget] = cell[4] + 0
}
/^  B=[0-9]+ +chose / {
    budget = substr($1, 3) + 0
    candidates = 0
    for (i = 1; i <= NF; i++) {
        if ($i == "of" && !candidates) candidates = $(i + 1)
        if ($i == "model" && $(i + 1) == "calls,") calls = $(i - 1)
    }
    chosen[budget] = calls
    if (calls != candidates * budget * samples) {
        printf "B=%d: %d calls, expected %d candidates x %d x %d\n",
               budget, calls, candidates, budget, samples
        bad = 1
    }
    sum += calls
    count++
}
/^Verifying all [0-9]+ budgets cost / {
    totals++
    if ($6 != sum) {
        printf "total %d, the budgets sum to %d\n", $6, sum
        bad = 1
    }
    sum = 0
}
END {
    if (samples < 1) { print "no profiling sample count"; bad = 1 }
    if (count == 0 || totals == 0) { print "no verified plan"; bad = 1 }
    for (b in chosen)
        if (!(b in rows) || rows[b] != b) {
            printf "B=%d: no table row with %d calls\n", b, b
            bad = 1
        }
    exit bad
}' || { echo "check-demo-verified: FAILED" >&2; exit 1; }
echo "check-demo-verified: ok"
