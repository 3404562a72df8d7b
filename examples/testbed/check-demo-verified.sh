#!/bin/bash
# SPDX-License-Identifier: MIT
#
# check-demo-verified.sh DEMO ARGS...: run lemica-demo with ARGS and check
# its "LeMiCa, verified" row: a table row at every budget that has a
# verified plan, with exactly B calls per held-out sample; the candidate
# runs' model calls as the sampler counted them equal to what
# lemica_verifier_prefix_model_calls() planned (the trie runs from saved
# states) and at most the calls of whole runs; the total line the sum of
# the fresh samples' references (N calls each) and the candidate runs.
# With --verify-check in ARGS, the demo's line that the trie runs matched
# whole runs bit for bit must be there.
set -u
demo=$1
shift
checked=0
for arg in "$@"; do
    [ "$arg" = "--verify-check" ] && checked=1
done
out=$("$demo" "$@") || { echo "lemica-demo failed" >&2; exit 1; }
printf '%s\n' "$out"
printf '%s\n' "$out" | awk -v checked="$checked" '
/^[0-9]+-step flow matching/ {
    steps = $1 + 0
}
/^\| [0-9]+ +\| LeMiCa, verified / {
    split($0, cell, "|")
    budget = cell[2] + 0
    rows[budget] = cell[4] + 0
}
/^LeMiCa, verified: / {
    for (i = 1; i <= NF; i++)
        if ($i == "(" || $(i + 1) == "fresh,") fresh = $i
    sub(/^\(/, "", fresh)
    fresh += 0
}
/^  B=[0-9]+ +chose / {
    chosen[substr($1, 3) + 0] = 1
    count++
}
/^Candidate runs: / {
    for (i = 1; i <= NF; i++) {
        if ($i == "counted") counted = $(i - 3)
        if ($i == "planned") planned = $(i - 1)
        if ($i == "whole.") whole = $(i - 3)
    }
    if (counted != planned) {
        printf "the sampler counted %d calls, the verifier planned %d\n",
               counted, planned
        bad = 1
    }
    if (counted + 0 > whole + 0) {
        printf "%d calls with sharing, more than %d whole\n", counted, whole
        bad = 1
    }
    runs = counted
}
/^Checked: all [0-9]+ candidates/ { matched++ }
/^Verifying all [0-9]+ budgets cost / {
    totals++
    total = -1
    for (i = 1; i <= NF; i++) {
        if ($i == "cost" && total < 0) total = $(i + 1)
        if ($i == "for" && $(i + 2) == "fresh") references = substr($(i - 1), 2)
    }
    if (total != references + runs) {
        printf "total %d, not %d references + %d runs\n", total,
               references, runs
        bad = 1
    }
    if (steps > 0 && references != fresh * steps) {
        printf "%d reference calls, not %d fresh samples x %d steps\n",
               references, fresh, steps
        bad = 1
    }
}
END {
    if (count == 0 || totals == 0) { print "no verified plan"; bad = 1 }
    if (checked && matched != totals) {
        print "--verify-check: the trie runs were not checked"
        bad = 1
    }
    for (b in chosen)
        if (!(b in rows) || rows[b] != b) {
            printf "B=%d: no table row with %d calls\n", b, b
            bad = 1
        }
    exit bad
}' || { echo "check-demo-verified: FAILED" >&2; exit 1; }
echo "check-demo-verified: ok"
