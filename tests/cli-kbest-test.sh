#!/bin/bash
# SPDX-License-Identifier: MIT
#
# lemica solve --k-best on the hand-solved graph tests/data/tiny.csv (see
# cli-test.sh): with budget 3 only two schedules exist, 0,2,5 (costs 0.7,
# 0.5) and 0,3,5 (0.9, 0.1). LEXMAX ranks 0,2,5 first (worst 0.7 < 0.9),
# SUM ranks 0,3,5 first (1.0 < 1.2).

source "$(dirname "$0")/cli-common.sh"
tiny=$data/tiny.csv

run 0 solve --budget 3 --k-best 5 "$tiny"
stdout_is "budget  rank  max  sum  steps" \
    "3  1  0.7  1.2  0,2,5" \
    "3  2  0.9  1  0,3,5"
stderr_is_empty

run 0 solve --budget 3 --k-best 1 --comparator sum "$tiny"
stdout_is "budget  rank  max  sum  steps" \
    "3  1  0.9  1  0,3,5"

run 0 solve --budget 3 --k-best 2 --comparator sum --json "$tiny"
stdout_is '[{"num_steps":6,"budget":3,"rank":0,"steps":[0,3,5],"costs":[0.9,0.1],"max":0.9,"sum":1},{"num_steps":6,"budget":3,"rank":1,"steps":[0,2,5],"costs":[0.7,0.5],"max":0.7,"sum":1.2}]'

# Every budget: 3 has two schedules; 6 has one (every step).
run 0 solve --all --k-best 2 "$tiny"
stdout_starts_with "budget  rank  max  sum  steps
3  1  0.7  1.2  0,2,5
3  2  0.9  1  0,3,5
4  1  "
if [ "$(grep -c '^6  ' "$tmp/out")" != 1 ]; then
    fail "solve --all --k-best 2: budget 6 should have one schedule"
fi

usage_error "--k-best needs an integer >= 1, not '0'" \
    solve --budget 3 --k-best 0 "$tiny"
usage_error "--save and --k-best exclude each other" \
    solve --budget 3 --k-best 2 --save "$tmp/x" "$tiny"
run 3 solve --budget 2 --k-best 2 "$tiny"
stdout_is_empty
stderr_has "infeasible"

cli_finish
