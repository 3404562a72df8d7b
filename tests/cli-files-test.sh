#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Tests of the lemica commands around files: import, info, solve on graph
# files and --save, frontier, export, merge, graph and plot. Exact output
# on the hand-solved graph tests/data/tiny.csv (see cli-test.sh for its
# optima) and on two small profiles.
#
# Usage: cli-files-test.sh LEMICA_BINARY SOURCE_DIR
# LEMICA_WRAPPER runs every lemica call under a tool (see cli-common.sh).

. "$(dirname "${BASH_SOURCE[0]}")/cli-common.sh"

tiny=$data/tiny.csv
graph=$tmp/tiny.lemica-graph
schedule=$tmp/tiny-4.lemica-schedule

# ---------------------------------------------------------------------------
# Help: every command is listed and documents itself.

run 0 --help
cp "$tmp/out" "$tmp/help"
for command in solve frontier info import export plot merge graph; do
    if ! grep -q "^  $command " "$tmp/help"; then
        fail "lemica --help does not list $command"
    fi
    for args in "help $command" "$command --help" "$command -h"; do
        run 0 $args
        stdout_starts_with "Usage: lemica $command"
        stderr_is_empty
        if ! grep -qF "Exit status" "$tmp/out"; then
            fail "lemica $args does not document the exit status"
        fi
    done
done
run 0 help export
for form in steps mask calc-list cache-dit sd-cpp json \
    "calc_list = [0, 1, 3, 5]" "steps_computation_mask=[1, 1, 0, 1, 0, 1]" \
    "--scm-mask 1,1,0,1,0,1"; do
    if ! grep -qF -- "$form" "$tmp/out"; then
        fail "lemica help export does not document '$form'"
    fi
done

# ---------------------------------------------------------------------------
# import: CSV -> graph file, exact contents.

run 0 import --set model=flux-dev --set "sampler=euler a" --set metric=mean_abs \
    "$tiny" "$graph"
stderr_is_empty
stdout_is "$graph: graph of 6 steps, max skip 3, 12 edges"
file_is "$graph" \
    "lemica-graph 1.0" \
    "num_steps 6" \
    "max_skip 3" \
    "model flux-dev" \
    "sampler euler a" \
    "metric mean_abs" \
    "tool lemica $version" \
    "edges 12" \
    "0 1 0" \
    "0 2 0.5" \
    "0 3 0.9" \
    "1 2 0" \
    "1 3 0.3" \
    "1 4 0.6" \
    "2 3 0" \
    "2 4 0.2" \
    "2 5 0.7" \
    "3 4 0" \
    "3 5 0.1" \
    "4 5 0" \
    "end"

# Re-importing a graph file keeps its metadata and order; --set replaces.
run 0 import --set model=wan --set cfg=separate "$graph" "$tmp/again.lemica-graph"
if [ "$(sed -n '4,8p' "$tmp/again.lemica-graph" | paste -sd'|')" != \
    "model wan|sampler euler a|metric mean_abs|tool lemica $version|cfg separate" ]; then
    fail "re-import: metadata not kept in order: $(sed -n '4,8p' "$tmp/again.lemica-graph")"
fi

# --max-skip 2 drops the span-3 edges (0,3), (1,4), (2,5).
run 0 import --max-skip 2 "$tiny" "$tmp/k2.lemica-graph"
stdout_is "$tmp/k2.lemica-graph: graph of 6 steps, max skip 2, 9 edges"
# The same from the graph file: its longer edges go the same way.
run 0 import --max-skip 2 "$graph" "$tmp/k2-again.lemica-graph"
stdout_is "$tmp/k2-again.lemica-graph: graph of 6 steps, max skip 2, 9 edges"
if [ "$(grep -v '^tool ' "$tmp/k2-again.lemica-graph" | grep -v '^model \|^sampler \|^metric ')" != \
    "$(grep -v '^tool ' "$tmp/k2.lemica-graph")" ]; then
    fail "import --max-skip 2 of a graph file differs from that of the CSV"
fi

usage_error "OUT is missing" import "$tiny"
usage_error "IN.csv is missing" import
usage_error "--set needs KEY=VALUE, not 'model'" import --set model "$tiny" "$tmp/x"
usage_error "--set end=1: metadata key \"end\" is reserved" \
    import --set end=1 "$tiny" "$tmp/x"
usage_error "unexpected argument 'c'" import a b c
run 1 import "$data/nan-weight.csv" "$tmp/x"
stderr_has "lemica: $data/nan-weight.csv: line 3: weight is NaN"
run 1 import "$tiny" "$tmp/missing/dir/out"
stdout_is_empty
stderr_has "lemica: $tmp/missing/dir/out: cannot create a temporary file beside it: No such file or directory"
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$tmp/read-only"
    chmod 555 "$tmp/read-only"
    run 1 import "$tiny" "$tmp/read-only/out"
    stderr_has "Permission denied"
fi

# ---------------------------------------------------------------------------
# info

run 0 info "$graph"
stderr_is_empty
stdout_is \
    "kind: graph" \
    "format: lemica-graph 1.0" \
    "num_steps: 6" \
    "max_skip: 3" \
    "edges: 12 of 12 (7 cache at least one step)" \
    "max_weight: 0.9" \
    "min_budget: 3" \
    "metadata:" \
    "  model: flux-dev" \
    "  sampler: euler a" \
    "  metric: mean_abs" \
    "  tool: lemica $version"

run 0 info "$tiny"
stdout_is \
    "kind: graph" \
    "format: csv edge list" \
    "num_steps: 6" \
    "max_skip: 3" \
    "edges: 12 of 12 (7 cache at least one step)" \
    "max_weight: 0.9" \
    "min_budget: 3"

run 0 info "$data/gap.csv"
stdout_is \
    "kind: graph" \
    "format: csv edge list" \
    "num_steps: 5" \
    "max_skip: 4" \
    "edges: 5 of 10 (1 cache at least one step)" \
    "max_weight: 0.5" \
    "min_budget: 2"

usage_error "FILE is missing" info
usage_error "unexpected argument 'b'" info a b
run 1 info "$tmp/missing"
stderr_has "lemica: $tmp/missing: No such file or directory"
printf 'lemica-profile 1.0\n' >"$tmp/profile"
run 1 info "$tmp/profile"
stderr_has "lemica: $tmp/profile: line 2: expected \"num_steps\" and a number"

# ---------------------------------------------------------------------------
# solve and frontier read graph files exactly as CSV files.

run 0 solve --budget 4 "$graph"
stdout_is \
    "steps: 0,1,3,5" \
    "mask: 1,1,0,1,0,1" \
    "budget: 4 of 6 steps" \
    "max: 0.3" \
    "sum: 0.4" \
    "costs: 0.3,0.1,0"
run 0 solve --budget 3 --json --comparator sum "$graph"
stdout_is '{"num_steps":6,"budget":3,"steps":[0,3,5],"costs":[0.9,0.1],"max":0.9,"sum":1}'
run 1 solve --budget 3 --num-steps 8 "$graph"
stderr_has "lemica: $graph: the graph has 6 steps, not the 8 of --num-steps"

# --save writes the schedule with the graph's metadata and the options.
run 0 solve --budget 4 --warmup 2 --save "$schedule" "$graph"
stdout_starts_with "steps: 0,1,3,5"
file_is "$schedule" \
    "lemica-schedule 1.0" \
    "num_steps 6" \
    "budget 4" \
    "model flux-dev" \
    "sampler euler a" \
    "metric mean_abs" \
    "tool lemica $version" \
    "comparator lexmax" \
    "warmup 2" \
    "steps 0,1,3,5" \
    "costs 0.3,0.1,0" \
    "sum 0.4" \
    "end"
run 0 solve --budget 3 --comparator max --max-skip 3 --save "$tmp/csv.lemica-schedule" "$tiny"
file_is "$tmp/csv.lemica-schedule" \
    "lemica-schedule 1.0" \
    "num_steps 6" \
    "budget 3" \
    "comparator max" \
    "solver_max_skip 3" \
    "tool lemica $version" \
    "steps 0,2,5" \
    "costs 0.7,0.5" \
    "sum 1.2" \
    "end"
usage_error "--save needs --budget: a schedule file holds one schedule" \
    solve --all --save "$tmp/x" "$graph"
run 1 solve --budget 4 --save "$tmp/missing/x" "$graph"
stderr_has "lemica: $tmp/missing/x: cannot create a temporary file beside it"
run 1 solve --budget 4 "$schedule"
stderr_has "lemica: $schedule: this is a schedule file; a graph file or a CSV edge list is needed"

run 0 frontier "$graph"
stdout_is \
    "budget  max  sum  steps" \
    "     3  0.7  1.2  0,2,5" \
    "     4  0.3  0.4  0,1,3,5" \
    "     5  0.1  0.1  0,1,2,3,5" \
    "     6  0    0    0,1,2,3,4,5"
run 0 frontier --max-skip 2 "$tiny"
stdout_is \
    "budget  max  sum  steps" \
    "     4  0.3  0.4  0,1,3,5" \
    "     5  0.1  0.1  0,1,2,3,5" \
    "     6  0    0    0,1,2,3,4,5"
run 0 frontier --json --comparator sum "$graph"
stdout_is '[{"num_steps":6,"budget":3,"steps":[0,3,5],"costs":[0.9,0.1],"max":0.9,"sum":1},{"num_steps":6,"budget":4,"steps":[0,1,3,5],"costs":[0.3,0.1,0],"max":0.3,"sum":0.4},{"num_steps":6,"budget":5,"steps":[0,1,2,3,5],"costs":[0.1,0,0,0],"max":0.1,"sum":0.1},{"num_steps":6,"budget":6,"steps":[0,1,2,3,4,5],"costs":[0,0,0,0,0],"max":0,"sum":0}]'
usage_error "unknown option '--budget'" frontier --budget 3 "$graph"
usage_error "FILE is missing" frontier
# gap.csv with steps 0 and 1 required: only the budget that computes all.
run 0 frontier --warmup 2 "$data/gap.csv"
stdout_is \
    "budget  max  sum  steps" \
    "     5  0    0    0,1,2,3,4"

# ---------------------------------------------------------------------------
# export: the forms other tools take.

run 0 export "$schedule"
stdout_is "0,1,3,5"
run 0 export --format steps "$schedule"
stdout_is "0,1,3,5"
run 0 export --format mask "$schedule"
stdout_is "1,1,0,1,0,1"
run 0 export -f calc-list "$schedule"
stdout_is "calc_list = [0, 1, 3, 5]"
run 0 export --format=cache-dit "$schedule"
stdout_is "steps_computation_mask=[1, 1, 0, 1, 0, 1]"
run 0 export --format sd-cpp --num-steps 6 "$schedule"
stdout_is "--scm-mask 1,1,0,1,0,1"
run 0 export --format json "$schedule"
stdout_is "{\"num_steps\":6,\"budget\":4,\"steps\":[0,1,3,5],\"mask\":[1,1,0,1,0,1],\"costs\":[0.3,0.1,0],\"max\":0.3,\"sum\":0.4,\"metadata\":{\"model\":\"flux-dev\",\"sampler\":\"euler a\",\"metric\":\"mean_abs\",\"tool\":\"lemica $version\",\"comparator\":\"lexmax\",\"warmup\":\"2\"}}"
printf 'lemica-schedule 1.0\nnum_steps 4\nbudget 2\nnote say "hi" \\ bye\nsteps 0,3\nend\n' >"$tmp/bare"
run 0 export --format json "$tmp/bare"
stdout_is '{"num_steps":4,"budget":2,"steps":[0,3],"mask":[1,0,0,1],"metadata":{"note":"say \"hi\" \\ bye"}}'

# A runtime with another step count refuses the schedule.
run 1 export --num-steps 5 "$schedule"
stdout_is_empty
stderr_has "lemica: $schedule: line 2: the schedule was planned for 6 steps, not 5"
usage_error "unknown format 'yaml' (expected steps, mask, calc-list, cache-dit, sd-cpp or json)" \
    export --format yaml "$schedule"
usage_error "SCHEDULE is missing" export
run 1 export "$graph"
stderr_has "lemica: $graph: line 1: this is a graph file, not a schedule file"

# ---------------------------------------------------------------------------
# Bad graph and schedule files: the message names the file and the line.

sed 's/^2 4 0.2$/2 4 nan/' "$graph" >"$tmp/nan.lemica-graph"
run 1 solve --budget 3 "$tmp/nan.lemica-graph"
stderr_has "lemica: $tmp/nan.lemica-graph: line 16: weight of edge (2, 4) is NaN"
sed 's/^lemica-graph 1.0$/lemica-graph 2.1/' "$graph" >"$tmp/v2.lemica-graph"
run 1 info "$tmp/v2.lemica-graph"
stderr_has "lemica: $tmp/v2.lemica-graph: line 1: format version 2.1 is newer than this library reads (1.x): upgrade libLeMiCa"
head -n 12 "$graph" >"$tmp/cut.lemica-graph"
run 1 frontier "$tmp/cut.lemica-graph"
stderr_has "lemica: $tmp/cut.lemica-graph: line 13: the text ends after 4 of the 12 edges announced on line 8: the file is truncated"
sed '10p' "$graph" >"$tmp/dup.lemica-graph"
run 1 plot "$tmp/dup.lemica-graph"
stderr_has "line 11: edge (0, 2) is listed twice"
sed 's/^steps 0,1,3,5$/steps 0,1,3,6/' "$schedule" >"$tmp/range.lemica-schedule"
run 1 export "$tmp/range.lemica-schedule"
stderr_has "line 10: step list: entry 3"

# ---------------------------------------------------------------------------
# merge and graph: profiles of two shards -> one profile -> a graph file.
# Shard a: (0,2) twice (0.4, 0.6), (1,4) 0.6, (2,5) 0.7; shard b: (0,2)
# 0.5, (3,5) twice (0.05, 0.15). Merged (0,2): 3 samples, mean 0.5,
# m2 0.02 (variance 0.01); (3,5): mean 0.1, m2 0.005.

cat >"$tmp/a.lemica-profile" <<'PROFILE'
lemica-profile 1.0
num_steps 6
max_skip 3
metric l1
model flux-dev
segments 3
0 2 2 0.5 0.02 0.4 0.6
1 4 1 0.6 0 0.6 0.6
2 5 1 0.7 0 0.7 0.7
end
PROFILE
cat >"$tmp/b.lemica-profile" <<'PROFILE'
lemica-profile 1.0
num_steps 6
max_skip 3
metric l1
model flux-dev
segments 2
0 2 1 0.5 0 0.5 0.5
3 5 2 0.1 0.005 0.05 0.15
end
PROFILE
profile=$tmp/merged.lemica-profile
run 0 merge -o "$profile" --set shards=2 "$tmp/a.lemica-profile" "$tmp/b.lemica-profile"
stderr_is_empty
stdout_is "$profile: profile of 6 steps, max skip 3, metric l1: 4 segments, 7 samples from 2 files"
file_is "$profile" \
    "lemica-profile 1.0" \
    "num_steps 6" \
    "max_skip 3" \
    "metric l1" \
    "model flux-dev" \
    "shards 2" \
    "tool lemica $version" \
    "segments 4" \
    "0 2 3 0.5 0.02 0.4 0.6" \
    "1 4 1 0.6 0 0.6 0.6" \
    "2 5 1 0.7 0 0.7 0.7" \
    "3 5 2 0.1 0.005 0.05 0.15" \
    "end"
run 0 info "$profile"
stdout_is \
    "kind: profile" \
    "format: lemica-profile 1.0" \
    "num_steps: 6" \
    "max_skip: 3" \
    "metric: l1" \
    "segments: 4 of 7 measured" \
    "samples: 7 (1 .. 3 per measured segment)" \
    "assumption same-start: holds" \
    "assumption nested: holds" \
    "metadata:" \
    "  model: flux-dev" \
    "  shards: 2" \
    "  tool: lemica $version"

# A profile that breaks both assumptions of adaptive profiling: a warning.
cat >"$tmp/broken.lemica-profile" <<'PROFILE'
lemica-profile 1.0
num_steps 6
max_skip 5
metric l1
segments 3
0 4 1 2 0 2 2
1 3 1 5 0 5 5
1 4 1 4 0 4 4
end
PROFILE
run 0 info "$tmp/broken.lemica-profile"
stdout_is \
    "kind: profile" \
    "format: lemica-profile 1.0" \
    "num_steps: 6" \
    "max_skip: 5" \
    "metric: l1" \
    "segments: 3 of 10 measured" \
    "samples: 3 (1 .. 1 per measured segment)" \
    "assumption same-start: 1 violations, worst (1, 4) has 1 less error than (1, 3)" \
    "assumption nested: 2 violations, worst (0, 4) has 3 less error than (1, 3)" \
    "metadata: none"
if ! grep -q "warning: the profile breaks the nested assumption on 2 segments" "$tmp/err"; then
    fail "lemica info: no warning for a broken assumption"
fi

sed 's/^metric l1$/metric mse/' "$tmp/b.lemica-profile" >"$tmp/mse.lemica-profile"
run 1 merge -o "$tmp/x" "$tmp/a.lemica-profile" "$tmp/mse.lemica-profile"
stdout_is_empty
stderr_has "lemica: $tmp/mse.lemica-profile: num_steps 6, max_skip 3, metric mse differ from $tmp/a.lemica-profile (num_steps 6, max_skip 3, metric l1): profiles of different samplers or metrics do not merge"
sed 's/^num_steps 6$/num_steps 7/' "$tmp/b.lemica-profile" >"$tmp/n7.lemica-profile"
run 1 merge -o "$tmp/x" "$tmp/a.lemica-profile" "$tmp/n7.lemica-profile"
stderr_has "num_steps 7, max_skip 3, metric l1 differ from"
if [ -e "$tmp/x" ]; then
    fail "a refused merge wrote its output"
fi
run 1 merge -o "$tmp/x" "$tmp/a.lemica-profile" "$graph"
stderr_has "lemica: $graph: line 1: this is a graph file, not a profile file"
usage_error "-o OUT is missing" merge "$tmp/a.lemica-profile"
usage_error "PROFILE is missing" merge -o "$tmp/x"

run 0 graph "$profile" "$tmp/mean.lemica-graph"
stdout_is "$tmp/mean.lemica-graph: graph of 6 steps, max skip 3, 9 edges"
file_is "$tmp/mean.lemica-graph" \
    "lemica-graph 1.0" \
    "num_steps 6" \
    "max_skip 3" \
    "model flux-dev" \
    "shards 2" \
    "tool lemica $version" \
    "metric l1" \
    "aggregate mean" \
    "edges 9" \
    "0 1 0" \
    "0 2 0.5" \
    "1 2 0" \
    "1 4 0.6" \
    "2 3 0" \
    "2 5 0.7" \
    "3 4 0" \
    "3 5 0.1" \
    "4 5 0" \
    "end"
# mean + 2 std: (0,2) 0.5 + 2 * 0.1; (3,5) 0.1 + 2 * sqrt(0.005).
run 0 graph --aggregate mean+z --z 2 "$profile" "$tmp/z.lemica-graph"
if ! grep -qx "0 2 0.7" "$tmp/z.lemica-graph" ||
    ! grep -qx "3 5 0.2414213562373095" "$tmp/z.lemica-graph" ||
    ! grep -qx "z 2" "$tmp/z.lemica-graph"; then
    fail "lemica graph --aggregate mean+z: $(cat "$tmp/z.lemica-graph")"
fi
run 0 graph --aggregate max "$profile" "$tmp/max.lemica-graph"
if ! grep -qx "0 2 0.6" "$tmp/max.lemica-graph" ||
    ! grep -qx "3 5 0.15" "$tmp/max.lemica-graph"; then
    fail "lemica graph --aggregate max: $(cat "$tmp/max.lemica-graph")"
fi
# Budget 4 on the mean graph: 0,2,3,5 {0.5, 0.1, 0} beats 0,1,4,5 {0.6}
# and 0,1,2,5 {0.7}; the other 4-step paths use unmeasured segments.
run 0 solve --budget 4 "$tmp/mean.lemica-graph"
stdout_is \
    "steps: 0,2,3,5" \
    "mask: 1,0,1,1,0,1" \
    "budget: 4 of 6 steps" \
    "max: 0.5" \
    "sum: 0.6" \
    "costs: 0.5,0.1,0"
run 1 graph --require-all "$profile" "$tmp/x"
stderr_has "lemica: $profile: "
usage_error "unknown aggregate 'median' (expected mean, max or mean+z)" \
    graph --aggregate median "$profile" "$tmp/x"
usage_error "--z needs a number >= 0, not '-1'" graph --z -1 "$profile" "$tmp/x"
usage_error "OUT is missing" graph "$profile"

# ---------------------------------------------------------------------------
# plot: an SVG with one cell per edge and one arc per cached segment.

run 0 plot "$graph"
stderr_is_empty
stdout_starts_with '<?xml version="1.0" encoding="UTF-8"?>'
if [ "$(tail -n 1 "$tmp/out")" != "</svg>" ]; then
    fail "lemica plot: the SVG does not end with </svg>"
fi
# 12 edge cells, and the middle budget (5: 0,1,2,3,5) has one arc.
if [ "$(grep -c '<title>(' "$tmp/out")" -ne 13 ]; then
    fail "lemica plot: expected 13 titled cells and arcs, found $(grep -c '<title>(' "$tmp/out")"
fi
for text in "Edge errors" "start step i" "span d = j - i" "Frontier" \
    "worst segment error (max)" "total error (sum)" "budget B (model calls)" \
    "max (left axis)" "sum (right axis)" "Schedule: 5 of 6 steps"; do
    if ! grep -qF -- "$text" "$tmp/out"; then
        fail "lemica plot: the SVG lacks '$text'"
    fi
done
run 0 plot --budget 3 -o "$tmp/plot.svg" "$tiny"
stdout_is_empty
if ! grep -qF "Schedule: 3 of 6 steps call the model (worst segment error 0.7)" "$tmp/plot.svg"; then
    fail "lemica plot --budget 3: wrong schedule drawn"
fi
run 0 plot --schedule "$schedule" -o "$tmp/plot.svg" "$graph"
if ! grep -qF "Schedule: 4 of 6 steps call the model (worst segment error 0.3)" "$tmp/plot.svg"; then
    fail "lemica plot --schedule: wrong schedule drawn"
fi
run 1 plot --budget 2 "$tiny"
stdout_is_empty
stderr_has "lemica: $tiny: budget 2 is infeasible"
run 1 plot --schedule "$schedule" --num-steps 8 "$tiny"
stderr_has "the schedule was planned for 6 steps, not 8"
usage_error "--budget and --schedule exclude each other" \
    plot --budget 3 --schedule "$schedule" "$graph"
usage_error "GRAPH is missing" plot

# ---------------------------------------------------------------------------

cli_finish
