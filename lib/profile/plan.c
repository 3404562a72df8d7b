/* SPDX-License-Identifier: MIT */
/* The profiling plan: the selected segments, numbered by (start, end), and
 * the per-start summaries that answer index queries without a list of
 * replays. */
#include <stdint.h>
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/dag-size-int.h"
#include "../common/error-int.h"
#include "lemica/lemica-graph.h"
#include "lemica/lemica-plan.h"

/* Segment (i, j) is selected[i * max_skip + j - i - 1] != 0, the slot of
 * the same edge in a graph; span-1 slots and slots past N - 1 stay 0.
 * Per start step i: row_count[i] selected segments costing row_calls[i]
 * model calls. row_first[i] is the index of the first replay of start i
 * (a prefix sum over row_count, N + 1 entries), and group_start lists the
 * starts with replays. Selection calls keep all of them current, so
 * queries only read. */
struct lemica_plan {
    int num_steps;
    int max_skip;
    unsigned char *selected;
    size_t *row_count;
    uint64_t *row_calls;
    size_t *row_first;
    int *group_start;
    size_t num_groups;
    uint64_t model_calls;
};

static size_t
plan_slot(const lemica_plan *plan, int from, int to)
{
    return (size_t)from * (size_t)plan->max_skip + (size_t)(to - from - 1);
}

/* The last end step of a segment starting at @from. */
static int
row_end(const lemica_plan *plan, int from)
{
    int end = from + plan->max_skip;

    return end < plan->num_steps - 1 ? end : plan->num_steps - 1;
}

static void
recount_row(lemica_plan *plan, int from)
{
    size_t count = 0;
    uint64_t calls = 0;

    for (int to = from + 2; to <= row_end(plan, from); to++)
        if (plan->selected[plan_slot(plan, from, to)]) {
            count++;
            calls += (uint64_t)(plan->num_steps - to);
        }
    plan->row_count[from] = count;
    plan->row_calls[from] = calls;
}

static void
rebuild_index(lemica_plan *plan)
{
    size_t next = 0;

    plan->num_groups = 0;
    plan->model_calls = (uint64_t)plan->num_steps;
    for (int from = 0; from < plan->num_steps; from++) {
        plan->row_first[from] = next;
        next += plan->row_count[from];
        plan->model_calls += plan->row_calls[from];
        if (plan->row_count[from] > 0)
            plan->group_start[plan->num_groups++] = from;
    }
    plan->row_first[plan->num_steps] = next;
}

static void
select_row(lemica_plan *plan, int from, int selected)
{
    for (int to = from + 2; to <= row_end(plan, from); to++)
        plan->selected[plan_slot(plan, from, to)] = selected ? 1 : 0;
    recount_row(plan, from);
}

static lemica_status
check_segment(const lemica_plan *plan, int from, int to)
{
    if (!plan)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "plan is NULL");
    if (from < 0 || to >= plan->num_steps || to - from < 2 ||
        to - from > plan->max_skip)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "segment (%d, %d) is outside a plan of %d steps "
                           "with max skip %d (segments need "
                           "2 <= to - from <= max skip)",
                           from, to, plan->num_steps, plan->max_skip);
    return LEMICA_OK;
}

void
lemica_plan_free(lemica_plan *plan)
{
    if (!plan)
        return;
    lemica_dealloc(plan->selected);
    lemica_dealloc(plan->row_count);
    lemica_dealloc(plan->row_calls);
    lemica_dealloc(plan->row_first);
    lemica_dealloc(plan->group_start);
    lemica_dealloc(plan);
}

lemica_status
lemica_plan_new(int num_steps, int max_skip, lemica_plan **out)
{
    lemica_plan *plan;
    size_t n;
    lemica_status status;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    status = lemica_check_dag_size(num_steps, max_skip, "a plan", &max_skip);
    if (status != LEMICA_OK)
        return status;

    plan = lemica_alloc_zeroed(1, sizeof(*plan));
    if (!plan)
        return lemica_fail_no_memory("a plan");
    n = (size_t)num_steps;
    plan->num_steps = num_steps;
    plan->max_skip = max_skip;
    plan->selected = lemica_alloc_zeroed(n * (size_t)max_skip, 1);
    plan->row_count = lemica_alloc_array(n, sizeof(size_t));
    plan->row_calls = lemica_alloc_array(n, sizeof(uint64_t));
    plan->row_first = lemica_alloc_array(n + 1, sizeof(size_t));
    plan->group_start = lemica_alloc_array(n, sizeof(int));
    if (!plan->selected || !plan->row_count || !plan->row_calls ||
        !plan->row_first || !plan->group_start) {
        lemica_plan_free(plan);
        return lemica_fail_no_memory("a plan");
    }
    for (int from = 0; from < num_steps; from++)
        select_row(plan, from, 1);
    rebuild_index(plan);
    *out = plan;
    return LEMICA_OK;
}

int
lemica_plan_num_steps(const lemica_plan *plan)
{
    return plan ? plan->num_steps : 0;
}

int
lemica_plan_max_skip(const lemica_plan *plan)
{
    return plan ? plan->max_skip : 0;
}

lemica_status
lemica_plan_select_segment(lemica_plan *plan, int from, int to, int selected)
{
    lemica_status status = check_segment(plan, from, to);

    if (status != LEMICA_OK)
        return status;
    plan->selected[plan_slot(plan, from, to)] = selected ? 1 : 0;
    recount_row(plan, from);
    rebuild_index(plan);
    return LEMICA_OK;
}

lemica_status
lemica_plan_select_start(lemica_plan *plan, int step, int selected)
{
    if (!plan)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "plan is NULL");
    if (step < 0 || step >= plan->num_steps)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "start step %d is outside a plan of %d steps", step,
                           plan->num_steps);
    select_row(plan, step, selected);
    rebuild_index(plan);
    return LEMICA_OK;
}

lemica_status
lemica_plan_select_all(lemica_plan *plan, int selected)
{
    if (!plan)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "plan is NULL");
    for (int from = 0; from < plan->num_steps; from++)
        select_row(plan, from, selected);
    rebuild_index(plan);
    return LEMICA_OK;
}

int
lemica_plan_is_selected(const lemica_plan *plan, int from, int to)
{
    lemica_status status = check_segment(plan, from, to);

    if (status != LEMICA_OK)
        return status;
    return plan->selected[plan_slot(plan, from, to)];
}

size_t
lemica_plan_num_replays(const lemica_plan *plan)
{
    return plan ? plan->row_first[plan->num_steps] : 0;
}

/* The segment of replay @replay, which must be in range. */
static void
find_replay(const lemica_plan *plan, size_t replay, int *from, int *to)
{
    int lo = 0, hi = plan->num_steps - 1;
    size_t rank;

    /* The start i is the one with row_first[i] <= replay < row_first[i + 1]:
     * the smallest i with row_first[i + 1] > replay. */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;

        if (plan->row_first[mid + 1] > replay)
            hi = mid;
        else
            lo = mid + 1;
    }
    rank = replay - plan->row_first[lo];
    for (int end = lo + 2; end <= row_end(plan, lo); end++)
        if (plan->selected[plan_slot(plan, lo, end)] && rank-- == 0) {
            *from = lo;
            *to = end;
            return;
        }
}

static lemica_status
check_replay(const lemica_plan *plan, size_t replay)
{
    if (!plan)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "plan is NULL");
    if (replay >= lemica_plan_num_replays(plan))
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "replay %zu is outside a plan of %zu replays",
                           replay, lemica_plan_num_replays(plan));
    return LEMICA_OK;
}

lemica_status
lemica_plan_replay(const lemica_plan *plan, size_t replay, int *from, int *to)
{
    lemica_status status = check_replay(plan, replay);
    int i = 0, j = 0;

    if (status != LEMICA_OK)
        return status;
    find_replay(plan, replay, &i, &j);
    if (from)
        *from = i;
    if (to)
        *to = j;
    return LEMICA_OK;
}

int
lemica_plan_step_action(const lemica_plan *plan, size_t replay, int step)
{
    lemica_status status = check_replay(plan, replay);
    int from = 0, to = 0;

    if (status != LEMICA_OK)
        return status;
    if (step < 0 || step >= plan->num_steps)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "step %d is outside a plan of %d steps", step,
                           plan->num_steps);
    find_replay(plan, replay, &from, &to);
    if (step <= from)
        return LEMICA_STEP_FROM_REFERENCE;
    return step < to ? LEMICA_STEP_REUSE : LEMICA_STEP_COMPUTE;
}

size_t
lemica_plan_num_groups(const lemica_plan *plan)
{
    return plan ? plan->num_groups : 0;
}

lemica_status
lemica_plan_group(const lemica_plan *plan, size_t group, int *start,
                  size_t *first, size_t *count)
{
    int step;

    if (!plan)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "plan is NULL");
    if (group >= plan->num_groups)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "group %zu is outside a plan of %zu groups", group,
                           plan->num_groups);
    step = plan->group_start[group];
    if (start)
        *start = step;
    if (first)
        *first = plan->row_first[step];
    if (count)
        *count = plan->row_count[step];
    return LEMICA_OK;
}

uint64_t
lemica_plan_model_calls(const lemica_plan *plan)
{
    return plan ? plan->model_calls : 0;
}
