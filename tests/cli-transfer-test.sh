#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Tests of lemica transfer: the target given as --steps/--shift or as a
# grid, the source grid from the graph's metadata or the options, what
# the output records, the warning past the validated range, and usage
# errors. The exactness of the interpolation is tested in C
# (tests/test-transfer.c); here it is the command around it.
#
# Usage: cli-transfer-test.sh LEMICA_BINARY SOURCE_DIR

. "$(dirname "${BASH_SOURCE[0]}")/cli-common.sh"

tiny=$data/tiny.csv
six=6,5,4,3,2,1,0   # a grid for tiny's 6 steps: any strictly monotone values
three=6,4,2,0       # every other value of it: 3 steps

run 0 help transfer
stdout_starts_with "Usage: lemica transfer"
if ! grep -qF "APPROXIMATION" "$tmp/out"; then
    fail "lemica help transfer does not say it is an approximation"
fi

# A CSV has no metadata: the source grid must be given.
run 1 transfer --steps 3 --shift 1 "$tiny" "$tmp/a.graph"
stderr_has "records no time grid"
if [ -e "$tmp/a.graph" ]; then
    fail "a failed transfer wrote its output"
fi

# The same grid: the same edges, and the output records where it came from.
run 0 transfer --to-grid "$six" --from-grid "$six" "$tiny" "$tmp/same.graph"
stdout_is "$tmp/same.graph: graph of 6 steps, max skip 3, 12 edges"
stderr_is_empty
run 0 info "$tmp/same.graph"
grep -qx "  time_grid: 6,5,4,3,2,1,0" "$tmp/out" ||
    fail "the output does not record the target grid: $(cat "$tmp/out")"
grep -q "^  transfer: approximation: interpolated from a 6-step grid" "$tmp/out" ||
    fail "the output does not say it is an approximation: $(cat "$tmp/out")"

# The graph now records its grid, so the source grid can be left out.
# On every other point, a target span of 2 is a source span of 4, past
# tiny's max skip of 3: only the span-1 edges remain.
run 0 transfer --to-grid "$three" "$tmp/same.graph" "$tmp/half.graph"
stdout_is "$tmp/half.graph: graph of 3 steps, max skip 1, 2 edges"

# --steps/--shift make the shifted grid; a far target warns.
run 0 transfer --steps 4 --shift 3 --from-shift 1 "$tiny" "$tmp/far.graph"
stderr_has "outside the validated range"
run 0 transfer --steps 6 --shift 1 --from-shift 1 "$tiny" "$tmp/near.graph"
stderr_is_empty

# Bad grids and usage errors.
run 1 transfer --to-grid 6,3,4,0 --from-grid "$six" "$tiny" "$tmp/b.graph"
stderr_has "not strictly monotone"
run 1 transfer --to-grid 7,1,0 --from-grid "$six" "$tiny" "$tmp/b.graph"
stderr_has "range"
run 1 transfer --to-grid "$six" --from-grid 6,3,0 "$tiny" "$tmp/b.graph"
stderr_has "needs 7"
usage_error "the target grid is missing" \
    transfer --steps 4 "$tiny" "$tmp/b.graph"
usage_error "--to-grid needs at least 3 values" \
    transfer --to-grid 1,0 --from-grid "$six" "$tiny" "$tmp/b.graph"
usage_error "--to-grid needs comma-separated numbers, not '1,x,0'" \
    transfer --to-grid 1,x,0 --from-grid "$six" "$tiny" "$tmp/b.graph"
usage_error "--shift needs a number > 0, not '0'" \
    transfer --steps 4 --shift 0 "$tiny" "$tmp/b.graph"
usage_error "give the target as --to-grid or as --steps" \
    transfer --steps 4 --shift 3 --to-grid "$six" "$tiny" "$tmp/b.graph"
usage_error "give --from-grid or --from-shift, not both" \
    transfer --steps 4 --shift 3 --from-grid "$six" --from-shift 2 "$tiny" "$tmp/b.graph"
usage_error "OUT is missing" transfer --steps 4 --shift 3 "$tiny"
if [ -e "$tmp/b.graph" ]; then
    fail "a refused transfer wrote its output"
fi

cli_finish
