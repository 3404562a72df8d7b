#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Tests of the lemica tool: every exit status, --help and --version, and
# the exact output of `lemica solve` on a graph solved by hand.
#
# Usage: cli-test.sh LEMICA_BINARY SOURCE_DIR
# LEMICA_WRAPPER runs every lemica call under a tool (see cli-common.sh).

. "$(dirname "${BASH_SOURCE[0]}")/cli-common.sh"

# ---------------------------------------------------------------------------
# --version, --help, help

run 0 --version
stdout_is "lemica $version"
stderr_is_empty

for args in "--help" "-h" "help"; do
    run 0 $args
    stdout_starts_with "Usage: lemica COMMAND"
    stderr_is_empty
    if ! grep -q '^  solve ' "$tmp/out"; then
        fail "lemica $args does not list the solve command"
    fi
done
for args in "help solve" "solve --help" "solve -h" "solve --budget 3 --help"; do
    run 0 $args
    stdout_starts_with "Usage: lemica solve"
    stderr_is_empty
    for option in --budget --all --comparator --max-skip --warmup \
        --num-steps --json "Exit status"; do
        if ! grep -qF -- "$option" "$tmp/out"; then
            fail "lemica $args does not document $option"
        fi
    done
done

# ---------------------------------------------------------------------------
# Usage errors: exit status 2.

run 2
stdout_is_empty
stderr_has "Usage: lemica COMMAND"
usage_error "unknown command 'frobnicate'" frobnicate
usage_error "unknown option '--frobnicate'" --frobnicate
usage_error "unknown command 'frobnicate'" help frobnicate
usage_error "help takes one command, not 2" help solve solve

tiny=$data/tiny.csv
usage_error "one of --budget B or --all is needed" solve "$tiny"
usage_error "--budget and --all exclude each other" \
    solve --budget 3 --all "$tiny"
usage_error "--budget needs a non-negative integer, not 'abc'" \
    solve --budget abc "$tiny"
usage_error "--budget needs a non-negative integer, not '-3'" \
    solve --budget -3 "$tiny"
usage_error "--budget needs a non-negative integer, not '1.5'" \
    solve --budget 1.5 "$tiny"
usage_error "option --budget needs a value, not an empty one" \
    solve --budget= "$tiny"
usage_error "--budget needs a non-negative integer, not '99999999999'" \
    solve --budget 99999999999 "$tiny"
usage_error "option --budget needs a value" solve "$tiny" --budget
usage_error "FILE is missing" solve --budget 3
usage_error "unexpected argument '$tiny' (one FILE only)" \
    solve --budget 3 "$tiny" "$tiny"
usage_error "unknown option '--bugdet'" solve --bugdet 3 "$tiny"
usage_error "unknown option '-b'" solve -b 3 "$tiny"
usage_error "unknown comparator 'minimax' (expected lexmax, sum or max)" \
    solve --budget 3 --comparator minimax "$tiny"
usage_error "--max-skip needs an integer >= 1, not '0'" \
    solve --budget 3 --max-skip 0 "$tiny"
usage_error "--warmup needs a non-negative integer, not 'x'" \
    solve --budget 3 --warmup x "$tiny"
usage_error "--num-steps needs an integer >= 2, not '1'" \
    solve --budget 3 --num-steps 1 "$tiny"
usage_error "option --json takes no value" \
    solve --budget 3 --json=yes "$tiny"

# ---------------------------------------------------------------------------
# The hand-solved graph, tests/data/tiny.csv: N = 6 steps (0..5), max skip 3
# (its longest edge), span-1 edges weigh 0, and the listed edges are
#     (0,2) 0.5   (0,3) 0.9   (1,3) 0.3   (1,4) 0.6
#     (2,4) 0.2   (2,5) 0.7   (3,5) 0.1
# Every optimum below is unique, so no tie rule is involved.
#
# Budget 2 needs the edge (0,5): absent (and longer than 3), so the minimum
# feasible budget is 1 + ceil(5/3) = 3.
#
# Budget 3 (two segments 0 -> m -> 5 with m in 2..3, spans <= 3):
#     0,2,5: {0.7, 0.5}  sum 1.2      0,3,5: {0.9, 0.1}  sum 1.0
# LEXMAX and MAX take 0,2,5 (worst segment 0.7 < 0.9); SUM takes 0,3,5.
#
# Budget 4 (three segments), every path:
#     0,1,2,5 {0.7,0,0}    0,1,3,5 {0.3,0.1,0}  0,1,4,5 {0.6,0,0}
#     0,2,3,5 {0.5,0.1,0}  0,2,4,5 {0.5,0.2,0}  0,3,4,5 {0.9,0,0}
# 0,1,3,5 is best under all three comparators (worst 0.3, sum 0.4).
#
# Budget 5 skips one of steps 1..4; skipping s costs the edge (s-1, s+1):
#     skip 1: 0.5   skip 2: 0.3   skip 3: 0.2   skip 4: 0.1
# so 0,1,2,3,5 with costs {0.1,0,0,0}.
#
# Budget 6 computes every step; its five span-1 segments weigh 0.
#
# The sums are added in path order: 0.5+0.7, 0+0.3+0.1 and 0.9+0.1 are
# exactly the doubles nearest 1.2, 0.4 and 1, so they print that way.

run 3 solve --budget 2 "$tiny"
stdout_is_empty
stderr_has "lemica: $tiny: budget 2 is infeasible: the minimum feasible budget is 3"

run 3 solve --budget 0 "$tiny"
stderr_has "the minimum feasible budget is 3"

run 3 solve --budget 7 "$tiny"
stdout_is_empty
stderr_has "lemica: $tiny: budget 7 is infeasible: the graph has only 6 steps (the minimum feasible budget is 3)"

run 0 solve --budget 3 "$tiny"
stderr_is_empty
stdout_is \
    "steps: 0,2,5" \
    "mask: 1,0,1,0,0,1" \
    "budget: 3 of 6 steps" \
    "max: 0.7" \
    "sum: 1.2" \
    "costs: 0.7,0.5"

run 0 solve --budget 4 "$tiny"
stdout_is \
    "steps: 0,1,3,5" \
    "mask: 1,1,0,1,0,1" \
    "budget: 4 of 6 steps" \
    "max: 0.3" \
    "sum: 0.4" \
    "costs: 0.3,0.1,0"

# Options after the file, and --name=value.
run 0 solve "$tiny" --budget=5
stdout_is \
    "steps: 0,1,2,3,5" \
    "mask: 1,1,1,1,0,1" \
    "budget: 5 of 6 steps" \
    "max: 0.1" \
    "sum: 0.1" \
    "costs: 0.1,0,0,0"

# "--" ends the options.
run 0 solve --budget 5 --json -- "$tiny"
stdout_is '{"num_steps":6,"budget":5,"steps":[0,1,2,3,5],"costs":[0.1,0,0,0],"max":0.1,"sum":0.1}'

run 0 solve --budget 6 "$tiny"
stdout_is \
    "steps: 0,1,2,3,4,5" \
    "mask: 1,1,1,1,1,1" \
    "budget: 6 of 6 steps" \
    "max: 0" \
    "sum: 0" \
    "costs: 0,0,0,0,0"

run 0 solve --budget 3 --json "$tiny"
stdout_is '{"num_steps":6,"budget":3,"steps":[0,2,5],"costs":[0.7,0.5],"max":0.7,"sum":1.2}'

run 0 solve --budget 4 --json "$tiny"
stdout_is '{"num_steps":6,"budget":4,"steps":[0,1,3,5],"costs":[0.3,0.1,0],"max":0.3,"sum":0.4}'

# Comparators differ at budget 3 only.
run 0 solve --budget 3 --json --comparator sum "$tiny"
stdout_is '{"num_steps":6,"budget":3,"steps":[0,3,5],"costs":[0.9,0.1],"max":0.9,"sum":1}'
run 0 solve --budget 3 --json --comparator max "$tiny"
stdout_is '{"num_steps":6,"budget":3,"steps":[0,2,5],"costs":[0.7,0.5],"max":0.7,"sum":1.2}'
run 0 solve --budget 3 --json --comparator lexmax "$tiny"
stdout_is '{"num_steps":6,"budget":3,"steps":[0,2,5],"costs":[0.7,0.5],"max":0.7,"sum":1.2}'

# Every budget: 3 .. 6.
run 0 solve --all --json "$tiny"
stdout_is '[{"num_steps":6,"budget":3,"steps":[0,2,5],"costs":[0.7,0.5],"max":0.7,"sum":1.2},{"num_steps":6,"budget":4,"steps":[0,1,3,5],"costs":[0.3,0.1,0],"max":0.3,"sum":0.4},{"num_steps":6,"budget":5,"steps":[0,1,2,3,5],"costs":[0.1,0,0,0],"max":0.1,"sum":0.1},{"num_steps":6,"budget":6,"steps":[0,1,2,3,4,5],"costs":[0,0,0,0,0],"max":0,"sum":0}]'

run 0 solve --all "$tiny"
stdout_is \
    "budget  max  sum  steps" \
    "     3  0.7  1.2  0,2,5" \
    "     4  0.3  0.4  0,1,3,5" \
    "     5  0.1  0.1  0,1,2,3,5" \
    "     6  0    0    0,1,2,3,4,5"

run 0 solve --all --comparator sum --json "$tiny"
stdout_starts_with '[{"num_steps":6,"budget":3,"steps":[0,3,5],'

# --max-skip 2 drops the span-3 edges (0,3), (1,4), (2,5): budget 3 becomes
# infeasible (minimum 1 + ceil(5/2) = 4); budget 4 keeps 0,1,3,5.
run 3 solve --budget 3 --max-skip 2 "$tiny"
stdout_is_empty
stderr_has "budget 3 is infeasible: the minimum feasible budget is 4"
run 0 solve --budget 4 --max-skip 2 --json "$tiny"
stdout_is '{"num_steps":6,"budget":4,"steps":[0,1,3,5],"costs":[0.3,0.1,0],"max":0.3,"sum":0.4}'
run 0 solve --all --max-skip 2 --json "$tiny"
stdout_starts_with '[{"num_steps":6,"budget":4,"steps":[0,1,3,5],'

# --warmup 3 requires steps 0, 1, 2: with budget 4 the only path left is
# 0,1,2,5, paying 0.7 for (2,5); budget 3 is infeasible (minimum 4).
run 0 solve --budget 4 --warmup 3 --json "$tiny"
stdout_is '{"num_steps":6,"budget":4,"steps":[0,1,2,5],"costs":[0.7,0,0],"max":0.7,"sum":0.7}'
run 3 solve --budget 3 --warmup 3 "$tiny"
stderr_has "budget 3 is infeasible: the minimum feasible budget is 4"
run 0 solve --budget 6 --warmup 6 --json "$tiny"
stdout_is '{"num_steps":6,"budget":6,"steps":[0,1,2,3,4,5],"costs":[0,0,0,0,0],"max":0,"sum":0}'
run 1 solve --budget 6 --warmup 7 "$tiny"
stdout_is_empty
stderr_has "lemica: $tiny: --warmup 7 is more than the 6 steps of the graph"

# --num-steps 8 adds steps 6 and 7, reachable by span-1 edges only, so the
# extra two calls go there and the rest is the budget-4 answer.
run 0 solve --budget 6 --num-steps 8 --json "$tiny"
stdout_is '{"num_steps":8,"budget":6,"steps":[0,1,3,5,6,7],"costs":[0.3,0.1,0,0,0],"max":0.3,"sum":0.4}'
# --num-steps 4 leaves (1,4) on line 7 outside the graph.
run 1 solve --budget 3 --num-steps 4 "$tiny"
stdout_is_empty
stderr_has "lemica: $tiny: line 7: edge (1, 4) is outside a graph of 4 steps"

# tests/data/gap.csv: N = 5, the edge (0,4) and the span-1 edges only, so
# a schedule either jumps 0 -> 4 (budget 2) or computes every step
# (budget 5). Budgets 3 and 4 are infeasible although above the minimum.
gap=$data/gap.csv
run 3 solve --budget 3 "$gap"
stdout_is_empty
stderr_has "lemica: $gap: budget 3 is infeasible: no schedule computes exactly 3 steps with these edges (the minimum feasible budget is 2)"
run 0 solve --all "$gap"
stdout_is \
    "budget  max  sum  steps" \
    "     2  0.5  0.5  0,4" \
    "     5  0    0    0,1,2,3,4"

# ---------------------------------------------------------------------------
# Bad input: exit status 1, the message names the file and the line.

run 1 solve --budget 3 "$data/negative-weight.csv"
stdout_is_empty
stderr_has "lemica: $data/negative-weight.csv: line 7: weight is negative (-0.25)"

run 1 solve --all "$data/duplicate-edge.csv"
stdout_is_empty
stderr_has "lemica: $data/duplicate-edge.csv: line 4: edge (0, 2) is listed twice, first on line 2"

run 1 solve --budget 3 --json "$data/nan-weight.csv"
stdout_is_empty
stderr_has "lemica: $data/nan-weight.csv: line 3: weight is NaN"

run 1 solve --budget 3 "$data/bad-header.csv"
stdout_is_empty
stderr_has "lemica: $data/bad-header.csv: line 1: expected the header \"i,j,weight\""

run 1 solve --budget 3 "$tmp/missing.csv"
stdout_is_empty
stderr_has "lemica: $tmp/missing.csv: No such file or directory"

run 1 solve --budget 3 "$data"
stdout_is_empty
stderr_has "lemica: $data: Is a directory"

# ---------------------------------------------------------------------------
# The shipped example: N = 50, max skip 8, so budgets start at
# 1 + ceil(49/8) = 8.

example=$srcdir/examples/graph-50.csv
run 0 solve --budget 10 "$example"
stdout_starts_with "steps: 0,"
if ! grep -q '^steps: 0,\([0-9]*,\)\{8\}49$' "$tmp/out"; then
    fail "lemica solve --budget 10 $example: not 10 steps from 0 to 49"
fi
if ! grep -q '^budget: 10 of 50 steps$' "$tmp/out"; then
    fail "lemica solve --budget 10 $example: wrong budget line"
fi
run 3 solve --budget 7 "$example"
stderr_has "budget 7 is infeasible: the minimum feasible budget is 8"
run 0 solve --all --json "$example"
stdout_starts_with '[{"num_steps":50,"budget":8,"steps":[0,'
if [ "$(grep -o '"budget":' "$tmp/out" | wc -l)" -ne 43 ]; then
    fail "lemica solve --all --json $example: not 43 budgets (8 .. 50)"
fi

# ---------------------------------------------------------------------------

cli_finish
