/* SPDX-License-Identifier: MIT */
/* The schedule object: its storage, its invariants and its getters. The
 * text forms live in schedule-text.c, evaluation on a graph in
 * schedule-evaluate.c. */
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "schedule-int.h"
#include "sort-int.h"

lemica_status
lemica_schedule_alloc(lemica_schedule **out)
{
    lemica_schedule *schedule;

    *out = NULL;
    /* Zeroed: N = B = 0, no storage, no cost vector, capacities 0. */
    schedule = lemica_alloc_zeroed(1, sizeof(*schedule));
    if (!schedule)
        return lemica_fail_no_memory("a schedule");
    *out = schedule;
    return LEMICA_OK;
}

/* Grow one array to hold @needed elements of @size bytes. The old contents
 * survive (realloc), and the capacity is only raised once the block is
 * ours, so a failure leaves the array exactly as it was. */
static lemica_status
grow_array(void **array, size_t *capacity, size_t needed, size_t size,
           const char *what)
{
    void *grown;

    if (needed <= *capacity)
        return LEMICA_OK;
    grown = lemica_realloc_array(*array, needed, size);
    if (!grown)
        return lemica_fail_no_memory(what);
    *array = grown;
    *capacity = needed;
    return LEMICA_OK;
}

lemica_status
lemica_schedule_reserve(lemica_schedule *schedule, int num_steps, int budget)
{
    lemica_status status;
    void *array;

    if (!schedule)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "schedule is NULL");
    if (num_steps < 0 || budget < 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "cannot reserve %d steps and a budget of %d",
                           num_steps, budget);

    /* Each array is grown on its own: if a later one fails, the earlier
     * ones are merely larger, with the same contents, so the schedule
     * reads exactly as before. */
    array = schedule->steps;
    status = grow_array(&array, &schedule->steps_capacity, (size_t)budget,
                        sizeof(int), "schedule steps");
    schedule->steps = array;
    if (status != LEMICA_OK)
        return status;

    array = schedule->mask;
    status = grow_array(&array, &schedule->mask_capacity, (size_t)num_steps,
                        sizeof(unsigned char), "a schedule mask");
    schedule->mask = array;
    if (status != LEMICA_OK)
        return status;

    array = schedule->costs;
    status = grow_array(&array, &schedule->costs_capacity,
                        budget > 0 ? (size_t)budget - 1 : 0, sizeof(double),
                        "a schedule cost vector");
    schedule->costs = array;
    return status;
}

lemica_status
lemica_schedule_new_reserved(int num_steps, int budget, lemica_schedule **out)
{
    lemica_schedule *schedule;
    lemica_status status;

    status = lemica_schedule_alloc(&schedule);
    if (status != LEMICA_OK)
        return status;
    status = lemica_schedule_reserve(schedule, num_steps, budget);
    if (status != LEMICA_OK) {
        lemica_schedule_free(schedule);
        return status;
    }
    *out = schedule;
    return LEMICA_OK;
}

void
lemica_schedule_commit_steps(lemica_schedule *schedule, int num_steps,
                             int budget)
{
    schedule->num_steps = num_steps;
    schedule->budget = budget;
    if (num_steps > 0)
        memset(schedule->mask, 0, (size_t)num_steps);
    for (int index = 0; index < budget; index++)
        schedule->mask[schedule->steps[index]] = 1;
    /* The old cost vector belonged to other steps. */
    schedule->has_costs = 0;
    schedule->max_cost = 0.0;
    schedule->sum_cost = 0.0;
}

void
lemica_schedule_set_costs(lemica_schedule *schedule, const double *path_weights)
{
    size_t count = schedule->budget > 0 ? (size_t)schedule->budget - 1 : 0;
    double sum = 0.0;

    /* The sum is taken before sorting so that it is added in path order,
     * the order the SUM comparator accumulates it: floating-point addition
     * is not associative, and both must agree to the last bit. */
    for (size_t index = 0; index < count; index++)
        sum += path_weights[index];
    if (path_weights != schedule->costs && count > 0)
        memmove(schedule->costs, path_weights, count * sizeof(double));
    lemica_sort_descending(schedule->costs, count);
    schedule->sum_cost = sum;
    schedule->max_cost = count > 0 ? schedule->costs[0] : 0.0;
    schedule->has_costs = 1;
}

/* Entries are numbered from 0 in every message, like the steps themselves
 * (entry k of a mask is step k). */
lemica_status
lemica_schedule_check_steps(int num_steps, const int *steps, size_t count,
                            const char *what)
{
    if (!steps)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "%s: steps is NULL",
                           what);
    if (num_steps < 2 || num_steps > LEMICA_MAX_STEPS)
        return lemica_fail(num_steps < 2 ? LEMICA_ERR_INVALID_ARGUMENT
                                         : LEMICA_ERR_TOO_LARGE,
                           "%s: the number of steps must be 2 .. %d, not %d",
                           what, LEMICA_MAX_STEPS, num_steps);
    if (count < 2 || count > (size_t)num_steps)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "%s: %zu computed steps; a schedule of %d steps "
                           "computes 2 .. %d",
                           what, count, num_steps, num_steps);
    for (size_t index = 0; index < count; index++) {
        int step = steps[index];

        if (step < 0 || step >= num_steps)
            return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                               "%s: entry %zu (%d) is outside the steps "
                               "0 .. %d",
                               what, index, step, num_steps - 1);
        if (index > 0 && step <= steps[index - 1])
            return lemica_fail(LEMICA_ERR_PARSE,
                               "%s: entry %zu (%d) is not greater than the "
                               "entry before it (%d)%s",
                               what, index, step, steps[index - 1],
                               step == steps[index - 1]
                                   ? ": a step may appear only once"
                                   : ": steps must be in ascending order");
    }
    if (steps[0] != 0)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "%s: entry 0 is %d, but the first step, 0, is "
                           "always computed",
                           what, steps[0]);
    if (steps[count - 1] != num_steps - 1)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "%s: the last entry, entry %zu, is %d, but the "
                           "last step, %d, is always computed",
                           what, count - 1, steps[count - 1], num_steps - 1);
    return LEMICA_OK;
}

lemica_status
lemica_schedule_new_from_steps(int num_steps, const int *steps, size_t count,
                               lemica_schedule **out)
{
    lemica_schedule *schedule;
    lemica_status status;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    status = lemica_schedule_check_steps(num_steps, steps, count, "steps");
    if (status != LEMICA_OK)
        return status;
    status = lemica_schedule_new_reserved(num_steps, (int)count, &schedule);
    if (status != LEMICA_OK)
        return status;
    memcpy(schedule->steps, steps, count * sizeof(int));
    lemica_schedule_commit_steps(schedule, num_steps, (int)count);
    *out = schedule;
    return LEMICA_OK;
}

void
lemica_schedule_free(lemica_schedule *schedule)
{
    if (!schedule)
        return;
    lemica_dealloc(schedule->steps);
    lemica_dealloc(schedule->mask);
    lemica_dealloc(schedule->costs);
    lemica_dealloc(schedule);
}

lemica_status
lemica_schedule_copy(const lemica_schedule *schedule, lemica_schedule **out)
{
    lemica_schedule *copy;
    lemica_status status;
    size_t num_costs;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!schedule)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "schedule is NULL");
    status = lemica_schedule_new_reserved(schedule->num_steps,
                                          schedule->budget, &copy);
    if (status != LEMICA_OK)
        return status;
    num_costs = schedule->budget > 0 ? (size_t)schedule->budget - 1 : 0;
    if (schedule->budget > 0)
        memcpy(copy->steps, schedule->steps,
               (size_t)schedule->budget * sizeof(int));
    if (schedule->num_steps > 0)
        memcpy(copy->mask, schedule->mask, (size_t)schedule->num_steps);
    if (schedule->has_costs && num_costs > 0)
        memcpy(copy->costs, schedule->costs, num_costs * sizeof(double));
    copy->num_steps = schedule->num_steps;
    copy->budget = schedule->budget;
    copy->max_cost = schedule->max_cost;
    copy->sum_cost = schedule->sum_cost;
    copy->has_costs = schedule->has_costs;
    *out = copy;
    return LEMICA_OK;
}

int
lemica_schedule_num_steps(const lemica_schedule *schedule)
{
    return schedule ? schedule->num_steps : 0;
}

int
lemica_schedule_budget(const lemica_schedule *schedule)
{
    return schedule ? schedule->budget : 0;
}

/* The buffer protocol shared by lemica_schedule_steps() and
 * lemica_schedule_costs(): a NULL buffer of capacity 0 is a size query; a
 * buffer too small is left untouched; @count is set whenever the caller
 * learns the size. */
static lemica_status
check_buffer(const void *buffer, size_t capacity, size_t needed, size_t *count,
             const char *what)
{
    if (!buffer && capacity > 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "%s is NULL but its capacity is %zu", what,
                           capacity);
    if (count)
        *count = needed;
    if (!buffer)
        return LEMICA_OK;
    if (capacity < needed)
        return lemica_fail(LEMICA_ERR_BUFFER_TOO_SMALL,
                           "%s holds %zu values; %zu are needed", what,
                           capacity, needed);
    return LEMICA_OK;
}

lemica_status
lemica_schedule_steps(const lemica_schedule *schedule, int *steps,
                      size_t capacity, size_t *count)
{
    size_t budget;
    lemica_status status;

    if (!schedule)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "schedule is NULL");
    budget = (size_t)schedule->budget;
    status = check_buffer(steps, capacity, budget, count, "steps");
    if (status != LEMICA_OK || !steps)
        return status;
    if (budget > 0)
        memcpy(steps, schedule->steps, budget * sizeof(int));
    return LEMICA_OK;
}

int
lemica_schedule_should_compute(const lemica_schedule *schedule, int step)
{
    if (!schedule)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "schedule is NULL");
    if (step < 0 || step >= schedule->num_steps)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "step %d is outside a schedule of %d steps", step,
                           schedule->num_steps);
    return schedule->mask[step];
}

int
lemica_schedule_has_costs(const lemica_schedule *schedule)
{
    return schedule ? schedule->has_costs : 0;
}

static lemica_status
check_has_costs(const lemica_schedule *schedule)
{
    if (!schedule)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "schedule is NULL");
    if (!schedule->has_costs)
        return lemica_fail(LEMICA_ERR_STATE,
                           "the schedule has no cost vector: evaluate it on "
                           "a graph first");
    return LEMICA_OK;
}

lemica_status
lemica_schedule_costs(const lemica_schedule *schedule, double *costs,
                      size_t capacity, size_t *count)
{
    lemica_status status = check_has_costs(schedule);
    size_t num_costs;

    if (status != LEMICA_OK)
        return status;
    num_costs = schedule->budget > 0 ? (size_t)schedule->budget - 1 : 0;
    status = check_buffer(costs, capacity, num_costs, count, "costs");
    if (status != LEMICA_OK || !costs)
        return status;
    if (num_costs > 0)
        memcpy(costs, schedule->costs, num_costs * sizeof(double));
    return LEMICA_OK;
}

lemica_status
lemica_schedule_max_cost(const lemica_schedule *schedule, double *max_cost)
{
    lemica_status status;

    if (!max_cost)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "max_cost is NULL");
    status = check_has_costs(schedule);
    if (status != LEMICA_OK)
        return status;
    *max_cost = schedule->max_cost;
    return LEMICA_OK;
}

lemica_status
lemica_schedule_sum_cost(const lemica_schedule *schedule, double *sum_cost)
{
    lemica_status status;

    if (!sum_cost)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "sum_cost is NULL");
    status = check_has_costs(schedule);
    if (status != LEMICA_OK)
        return status;
    *sum_cost = schedule->sum_cost;
    return LEMICA_OK;
}
