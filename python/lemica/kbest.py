# SPDX-License-Identifier: MIT
"""The k best schedules of a budget, or of every budget (lemica-kbest.h).

:meth:`lemica.Solver.solve_k_best` and
:meth:`lemica.Solver.solve_k_best_frontier` call these functions; the
schedules come back as independent :class:`~lemica.Schedule` objects, best
first (ties by the step list read backwards, see the C documentation).
"""

from __future__ import annotations

import ctypes
from typing import Dict, List

from ._core import Handle, check, lib, new_handle
from .schedule import Schedule

#: The largest k * (B + 1) * N a k-best solve accepts
#: (LEMICA_MAX_KBEST_ENTRIES).
MAX_KBEST_ENTRIES = 16777216


def library_function(name: str):
    """The library's function ``name``, declared through
    OPTIONAL_PROTOTYPES; NotImplementedError if the loaded library is older
    than the function (0.2)."""
    function = getattr(lib(), name, None)
    if function is None:
        raise NotImplementedError(f"the loaded libLeMiCa has no {name} "
                                  "(added in 0.2)")
    return function


class _ScheduleList(Handle):
    """A ``lemica_schedule_list`` while its schedules are copied out.

    Only the function that received it sees it, but it is a handle like
    any other: freed exactly once (also when a copy fails), counted in
    :func:`lemica.live_handles`, read under its lock.
    """

    _free_name = "lemica_schedule_list_free"
    _kind = "schedule list"
    __slots__ = ()


def _copy_list(address: int) -> List[Schedule]:
    """Copy every schedule out of a C list, then free it."""
    library_function("lemica_schedule_list_free")
    count_function = library_function("lemica_schedule_list_count")
    get = library_function("lemica_schedule_list_get")
    with _ScheduleList(address) as schedule_list, schedule_list._shared() as list_address:
        schedules = []
        borrowed = ctypes.c_void_p()
        try:
            for index in range(count_function(list_address)):
                check(get(list_address, index, ctypes.byref(borrowed)))
                schedules.append(Schedule._adopt(
                    new_handle(lib().lemica_schedule_copy, borrowed)))
        except BaseException:
            for schedule in schedules:
                schedule.close()
            raise
        return schedules


def solve_k_best(solver, graph, budget: int, count: int) -> List[Schedule]:
    """Up to ``count`` best distinct schedules with exactly ``budget`` calls,
    best first, under ``solver``'s comparator and constraints."""
    function = library_function("lemica_solver_solve_k_best")
    out = ctypes.c_void_p()
    solver._run(graph, lambda solver_address, graph_address: function(
        solver_address, graph_address, budget, count, ctypes.byref(out)))
    return _copy_list(out.value)


def solve_k_best_frontier(solver, graph, count: int) -> Dict[int, List[Schedule]]:
    """Up to ``count`` best schedules of every feasible budget:
    ``{budget: [best, second, ...]}``, budgets ascending."""
    function = library_function("lemica_solver_solve_k_best_frontier")
    out = ctypes.c_void_p()
    solver._run(graph, lambda solver_address, graph_address: function(
        solver_address, graph_address, count, ctypes.byref(out)))
    result: Dict[int, List[Schedule]] = {}
    for schedule in _copy_list(out.value):
        result.setdefault(schedule.budget, []).append(schedule)
    return result
