/* SPDX-License-Identifier: MIT */
/* The cost vector a schedule has on a graph, for comparing any schedule (a
 * uniform one, one shipped as text) with the solver's. */
#include <math.h>

#include "../common/error-int.h"
#include "graph-int.h"
#include "schedule-int.h"

lemica_status
lemica_schedule_evaluate(lemica_schedule *schedule, const lemica_graph *graph)
{
    lemica_status status;

    if (!schedule)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "schedule is NULL");
    if (!graph)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "graph is NULL");
    if (schedule->num_steps != graph->num_steps)
        return lemica_fail(LEMICA_ERR_MISMATCH,
                           "the schedule is for %d steps but the graph has %d",
                           schedule->num_steps, graph->num_steps);

    /* Every segment is checked before anything is written, so a schedule
     * with a missing edge keeps the cost vector it had. */
    for (int segment = 0; segment + 1 < schedule->budget; segment++) {
        int from = schedule->steps[segment];
        int to = schedule->steps[segment + 1];

        if (to - from > graph->max_skip)
            return lemica_fail(LEMICA_ERR_NOT_FOUND,
                               "segment %d of the schedule, edge (%d, %d), "
                               "spans %d steps, more than the graph's max "
                               "skip of %d",
                               segment, from, to, to - from, graph->max_skip);
        if (isnan(lemica_graph_weight_or_nan(graph, from, to)))
            return lemica_fail(LEMICA_ERR_NOT_FOUND,
                               "segment %d of the schedule, edge (%d, %d), is "
                               "absent from the graph",
                               segment, from, to);
    }

    /* A schedule made by this library already has room for its costs; the
     * call only allocates for one that does not. */
    status = lemica_schedule_reserve(schedule, schedule->num_steps,
                                     schedule->budget);
    if (status != LEMICA_OK)
        return status;
    for (int segment = 0; segment + 1 < schedule->budget; segment++)
        schedule->costs[segment] = lemica_graph_weight_or_nan(
            graph, schedule->steps[segment], schedule->steps[segment + 1]);
    lemica_schedule_set_costs(schedule, schedule->costs);
    return LEMICA_OK;
}
