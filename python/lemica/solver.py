# SPDX-License-Identifier: MIT
"""The lexicographic-minimax solver and the frontier (lemica-solver.h)."""

from __future__ import annotations

import ctypes
import enum
from typing import Callable, Dict, Iterator, List, Optional, Sequence

from ._core import Handle, check, lib, new_handle, using
from ._library import COMPARE_FN
from .graph import Graph
from .schedule import Schedule

#: The largest (B + 1) * N a solve accepts (LEMICA_MAX_SOLVER_STATES).
MAX_SOLVER_STATES = 268435456
#: The same limit with a user comparator (LEMICA_MAX_USER_SOLVER_STATES).
MAX_USER_SOLVER_STATES = 16777216
#: The largest N a frontier accepts (LEMICA_MAX_FRONTIER_STEPS).
MAX_FRONTIER_STEPS = 8192

#: A user order on cost vectors: negative if ``a`` is better, 0 if equal,
#: positive if ``b`` is better. Both arrive sorted descending.
CompareFunction = Callable[[Sequence[float], Sequence[float]], int]


class Comparator(enum.IntEnum):
    """Built-in orders on cost vectors (lemica_comparator)."""

    LEXMAX = 0  #: lexicographic on descending vectors (the paper's eq. 5)
    SUM = 1  #: sum of segment errors (shortest path)
    MAX = 2  #: worst segment only (bottleneck path)
    USER = 3  #: a Python callable, see Solver.set_user_comparator


class Solver(Handle):
    """Configuration and reusable workspace for solving graphs.

    >>> with Solver() as solver:
    ...     solver.require_first_steps(2)
    ...     schedule = solver.solve(graph, budget=10)   # doctest: +SKIP
    """

    _free_name = "lemica_solver_free"
    _kind = "solver"
    __slots__ = ("_callback", "_callback_error")

    def __init__(self, comparator: Optional[Comparator] = None, max_skip: int = 0,
                 required_steps: Sequence[int] = ()) -> None:
        """Create a solver (LEXMAX, no max skip of its own, no required
        steps unless given)."""
        super().__init__(new_handle(lib().lemica_solver_new))
        # The ctypes callback object must live as long as the library may
        # call it, so the solver keeps it.
        self._callback: Optional[object] = None
        # The first exception a Python comparator raised during a solve.
        self._callback_error: List[BaseException] = []
        if comparator is not None:
            self.comparator = comparator
        if max_skip:
            self.max_skip = max_skip
        for step in required_steps:
            self.require_step(step)

    @property
    def comparator(self) -> Comparator:
        """The comparator in use; assign a built-in one to switch."""
        with self._exclusive() as address:
            return Comparator(lib().lemica_solver_comparator(address))

    @comparator.setter
    def comparator(self, value: Comparator) -> None:
        if Comparator(value) == Comparator.USER:
            raise ValueError("use set_user_comparator() for a user comparator")
        with self._exclusive() as address:
            check(lib().lemica_solver_set_comparator(address, int(value)))
            self._callback = None

    def set_user_comparator(self, compare: CompareFunction) -> None:
        """Order cost vectors with a Python callable.

        ``compare(a, b)`` gets two tuples of floats sorted descending and
        returns a negative number if ``a`` is better, 0 if equally good,
        positive if ``b`` is better. It must be deterministic and a
        monotone total preorder for the result to be optimal (see the C
        documentation). An exception inside it stops nothing in the C DP,
        so the binding records the first one, answers 0 for the remaining
        comparisons and re-raises it when the solve returns.
        """
        # The callback records errors in a box the solver shares, not in the
        # solver itself: a closure over `self` would make a reference cycle
        # and delay the solver's freeing to the cycle collector.
        box = self._callback_error

        def trampoline(a, a_length, b, b_length, _user_data):
            if box:
                return 0
            try:
                result = compare(tuple(a[:a_length]), tuple(b[:b_length]))
                if result < 0:
                    return -1
                if result > 0:
                    return 1
                if result == 0:
                    return 0
                # NaN (or anything else unordered) is no answer: taking it
                # for "equal" would give a schedule silently.
                raise ValueError(
                    f"the user comparator returned {result!r}, not a "
                    f"negative, zero or positive number")
            except BaseException as error:  # re-raised after the solve
                box.append(error)
                return 0

        callback = COMPARE_FN(trampoline)
        with self._exclusive() as address:
            check(lib().lemica_solver_set_user_comparator(address, callback, None))
            self._callback = callback

    @property
    def max_skip(self) -> int:
        """The solver's own max skip (0: none beyond the graph's K)."""
        with self._exclusive() as address:
            return lib().lemica_solver_max_skip(address)

    @max_skip.setter
    def max_skip(self, value: int) -> None:
        with self._exclusive() as address:
            check(lib().lemica_solver_set_max_skip(address, value))

    def require_step(self, step: int) -> None:
        """Every schedule must compute ``step``."""
        with self._exclusive() as address:
            check(lib().lemica_solver_require_step(address, step))

    def require_first_steps(self, count: int) -> None:
        """Require steps 0 .. count - 1 (warm-up steps)."""
        with self._exclusive() as address:
            check(lib().lemica_solver_require_first_steps(address, count))

    def clear_required_steps(self) -> None:
        """Forget every required step."""
        with self._exclusive() as address:
            lib().lemica_solver_clear_required_steps(address)

    def is_step_required(self, step: int) -> bool:
        """Whether ``step`` is required."""
        with self._exclusive() as address:
            return lib().lemica_solver_is_step_required(address, step) == 1

    def _run(self, graph: Graph, call: Callable[[int, int], int],
             target: Optional[Handle] = None) -> None:
        # The solver is held exclusively for the whole solve (its
        # workspace and the callback's error box are per solver), the graph
        # shared (distinct solvers may read one graph at once), an output
        # schedule exclusively. A Python comparator runs inside the call,
        # on this thread: what it tries on these objects that would change
        # or free them raises ReentrantUseError, which lands in the box and
        # is re-raised here.
        with using((self, True), (graph, False), (target, True)) as addresses:
            self._callback_error.clear()
            status = call(addresses[0], addresses[1])
            if self._callback_error:
                error = self._callback_error[0]
                self._callback_error.clear()
                raise error
            check(status)

    def min_budget(self, graph: Graph) -> int:
        """The smallest feasible budget on ``graph`` under the constraints."""
        budget = ctypes.c_int()
        self._run(graph, lambda solver, graph_address: lib().lemica_solver_min_budget(
            solver, graph_address, ctypes.byref(budget)))
        return budget.value

    def solve(self, graph: Graph, budget: int) -> Schedule:
        """The best schedule with exactly ``budget`` model calls."""
        out = ctypes.c_void_p()
        self._run(graph, lambda solver, graph_address: lib().lemica_solver_solve(
            solver, graph_address, budget, ctypes.byref(out)))
        return Schedule._adopt(out.value)

    def solve_into(self, graph: Graph, budget: int, schedule: Schedule) -> Schedule:
        """Solve into an existing schedule, reusing its storage; returns it."""
        self._run(graph, lambda solver, graph_address: lib().lemica_solver_solve_into(
            solver, graph_address, budget, schedule._ptr), schedule)
        return schedule

    def frontier(self, graph: Graph) -> "Frontier":
        """The best schedule of every feasible budget, in one DP pass."""
        out = ctypes.c_void_p()
        self._run(graph, lambda solver, graph_address: lib().lemica_solver_solve_frontier(
            solver, graph_address, ctypes.byref(out)))
        return Frontier._adopt(out.value)

    def solve_k_best(self, graph: Graph, budget: int, count: int) -> List[Schedule]:
        """Up to ``count`` best distinct schedules with exactly ``budget``
        calls, best first (see :mod:`lemica.kbest`)."""
        from .kbest import solve_k_best
        return solve_k_best(self, graph, budget, count)

    def solve_k_best_frontier(self, graph: Graph, count: int) -> Dict[int, List[Schedule]]:
        """Up to ``count`` best schedules of every feasible budget,
        ``{budget: [best, ...]}`` (see :mod:`lemica.kbest`)."""
        from .kbest import solve_k_best_frontier
        return solve_k_best_frontier(self, graph, count)


class Frontier(Handle):
    """The quality/compute frontier: the best schedule of every feasible
    budget, ascending by budget.

    The schedules returned are independent copies, so they stay valid after
    the frontier is closed.
    """

    _free_name = "lemica_frontier_free"
    _kind = "frontier"
    __slots__ = ()

    def __init__(self) -> None:
        raise TypeError("a Frontier comes from Solver.frontier()")

    @classmethod
    def _adopt(cls, address: int) -> "Frontier":
        frontier = cls.__new__(cls)
        Handle.__init__(frontier, address)
        return frontier

    def __len__(self) -> int:
        with self._shared() as address:
            return lib().lemica_frontier_count(address)

    def _copy_out(self, borrowed: ctypes.c_void_p) -> Schedule:
        # Only under the frontier's lock: the schedule belongs to it.
        return Schedule._adopt(new_handle(lib().lemica_schedule_copy, borrowed))

    def __getitem__(self, index: int) -> Schedule:
        """The schedule at ``index`` (ascending budget); negative indexes count
        from the end."""
        with self._shared() as address:
            count = lib().lemica_frontier_count(address)
            if index < 0:
                index += count
            borrowed = ctypes.c_void_p()
            check(lib().lemica_frontier_get(address, index if index >= 0 else count,
                                            ctypes.byref(borrowed)))
            return self._copy_out(borrowed)

    def __iter__(self) -> Iterator[Schedule]:
        for index in range(len(self)):
            yield self[index]

    def find(self, budget: int) -> Schedule:
        """The schedule with ``budget`` calls; InfeasibleError if none."""
        borrowed = ctypes.c_void_p()
        with self._shared() as address:
            check(lib().lemica_frontier_find(address, budget, ctypes.byref(borrowed)))
            return self._copy_out(borrowed)

    @property
    def budgets(self) -> List[int]:
        """The feasible budgets, ascending."""
        budgets = []
        borrowed = ctypes.c_void_p()
        with self._shared() as address:
            for index in range(lib().lemica_frontier_count(address)):
                check(lib().lemica_frontier_get(address, index, ctypes.byref(borrowed)))
                budgets.append(lib().lemica_schedule_budget(borrowed))
        return budgets
