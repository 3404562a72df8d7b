# SPDX-License-Identifier: MIT
"""Adaptive profiling: replay only the segments that can change the
schedules of the requested budgets (lemica-adaptive.h).

>>> adaptive = lemica.AdaptivePlan(50, 49, budgets=[10, 20])  # doctest: +SKIP
>>> profiler = lemica.Profiler(50, 49)                        # doctest: +SKIP
>>> for plan in adaptive.rounds(profiler):                    # doctest: +SKIP
...     for i, j in plan.replays():
...         profiler.add_error(i, j, replay(i, j))
>>> adaptive.schedule(10)                                     # doctest: +SKIP

The schedules equal those of a full profile (``Profiler.to_graph`` +
``Solver.solve``) when the errors satisfy the chosen :class:`Assumption`;
the loop checks it on everything measured and warns
(:class:`AssumptionWarning`) when it does not hold.
"""

from __future__ import annotations

import ctypes
import enum
import warnings
from typing import Iterable, Iterator, NamedTuple, Optional, Union

from ._core import Handle, check, lib, new_handle
from .plan import Plan
from .profiler import Aggregate, Profiler
from .schedule import Schedule
from .solver import Comparator, Solver


class Assumption(enum.IntEnum):
    """What the loop may assume about segment errors (lemica_assumption)."""

    NONE = 0  #: nothing: bounds from each segment's own samples; always exact
    SAME_START = 1  #: w(i, j) <= w(i, j + 1)
    NESTED = 2  #: a segment has at least the error of every segment inside it


class Violation(NamedTuple):
    """The worst break of an assumption: ``outer`` should have at least the
    error of ``inner`` but has ``excess`` less."""

    outer: tuple
    inner: tuple
    excess: float


class AssumptionReport(NamedTuple):
    """How many measured segments break an assumption, and the worst case."""

    num_violations: int
    worst: Optional[Violation]


class AssumptionWarning(UserWarning):
    """The measured errors break the assumption the loop relies on: its
    schedules are valid but may differ from the full profile's."""


def check_assumption(profiler: Profiler, assumption: Assumption = Assumption.NESTED,
                     aggregate: Aggregate = Aggregate.MEAN, z: float = 0.0) -> AssumptionReport:
    """Check an assumption on every measured segment of ``profiler``."""
    count = ctypes.c_size_t()
    ends = [ctypes.c_int() for _ in range(4)]
    excess = ctypes.c_double()
    check(lib().lemica_assumption_check(profiler._ptr, int(assumption), int(aggregate),
                                        float(z), ctypes.byref(count),
                                        *[ctypes.byref(e) for e in ends],
                                        ctypes.byref(excess)))
    worst = None
    if count.value:
        worst = Violation((ends[0].value, ends[1].value), (ends[2].value, ends[3].value),
                          excess.value)
    return AssumptionReport(count.value, worst)


class AdaptivePlan(Handle):
    """The adaptive profiling loop (``lemica_adaptive``).

    Args:
        num_steps: N.
        max_skip: K (clamped to N - 1).
        assumption: what the bounds rest on (default NESTED).
        budgets: an iterable of budgets, ``"all"`` for every feasible
            budget, or None to request them later.
        comparator: the comparator of the loop's own solver.
        solver: a configured :class:`Solver` to use instead (kept alive by
            this object).
        min_batch: the smallest batch per round.
        num_samples: the samples a measured segment needs.
    """

    _free_name = "lemica_adaptive_free"
    _kind = "adaptive"
    __slots__ = ("_solver", "_warned", "_min_batch", "_num_samples")

    def __init__(self, num_steps: int, max_skip: int,
                 assumption: Assumption = Assumption.NESTED,
                 budgets: Union[None, str, Iterable[int]] = None,
                 comparator: Optional[Comparator] = None, solver: Optional[Solver] = None,
                 min_batch: int = 1, num_samples: int = 1,
                 aggregate: Aggregate = Aggregate.MEAN, z: float = 0.0) -> None:
        super().__init__(new_handle(lib().lemica_adaptive_new, num_steps, max_skip,
                                    int(assumption)))
        self._solver: Optional[Solver] = None
        self._warned = 0
        self._min_batch = 1
        self._num_samples = 1
        if budgets == "all":
            self.request_all_budgets()
        elif budgets is not None:
            for budget in budgets:
                self.request_budget(budget)
        if comparator is not None:
            self.set_comparator(comparator)
        if solver is not None:
            self.use_solver(solver)
        self.min_batch = min_batch
        self.num_samples = num_samples
        if aggregate != Aggregate.MEAN:
            self.set_aggregate(aggregate, z)

    def request_budget(self, budget: int) -> None:
        """Request the schedule of one budget."""
        check(lib().lemica_adaptive_request_budget(self._ptr, budget))

    def request_all_budgets(self) -> None:
        """Request every feasible budget."""
        check(lib().lemica_adaptive_request_all_budgets(self._ptr))

    def clear_budgets(self) -> None:
        """Forget every requested budget."""
        lib().lemica_adaptive_clear_budgets(self._ptr)

    def is_budget_requested(self, budget: int) -> bool:
        """Whether ``budget`` is requested."""
        return bool(lib().lemica_adaptive_is_budget_requested(self._ptr, budget))

    def set_comparator(self, comparator: Comparator) -> None:
        """Use a built-in comparator (LEXMAX, SUM, MAX)."""
        check(lib().lemica_adaptive_set_comparator(self._ptr, int(comparator)))
        self._solver = None

    def use_solver(self, solver: Optional[Solver]) -> None:
        """Solve with a configured solver (None: the loop's own)."""
        check(lib().lemica_adaptive_use_solver(self._ptr, solver._ptr if solver else None))
        self._solver = solver

    def set_aggregate(self, aggregate: Aggregate, z: float = 0.0) -> None:
        """How samples become a weight, as in ``Profiler.to_graph``."""
        check(lib().lemica_adaptive_set_aggregate(self._ptr, int(aggregate), float(z)))

    @property
    def min_batch(self) -> int:
        """The smallest batch per round (while that many are unmeasured)."""
        return self._min_batch

    @min_batch.setter
    def min_batch(self, value: int) -> None:
        if value < 0:
            raise ValueError("min_batch must be >= 1")
        check(lib().lemica_adaptive_set_min_batch(self._ptr, int(value)))
        self._min_batch = int(value)

    @property
    def num_samples(self) -> int:
        """The samples every measured segment needs; raising it reopens the
        loop for the new samples."""
        return self._num_samples

    @num_samples.setter
    def num_samples(self, value: int) -> None:
        if value < 0:
            raise ValueError("num_samples must be >= 1")
        check(lib().lemica_adaptive_set_num_samples(self._ptr, int(value)))
        self._num_samples = int(value)

    def next(self, profiler: Profiler) -> Optional[Plan]:
        """The next batch as a :class:`Plan`, or None when the schedules are
        final. Warns once per new violation count."""
        out = ctypes.c_void_p()
        check(lib().lemica_adaptive_next(self._ptr, profiler._ptr, ctypes.byref(out)))
        violations = self.num_violations
        if violations > self._warned:
            self._warned = violations
            worst = self.worst_violation
            warnings.warn(f"{violations} measured segments break the assumption; worst: "
                          f"{worst.outer} has {worst.excess:.3g} less error than "
                          f"{worst.inner} inside it", AssumptionWarning, stacklevel=2)
        if not out.value:
            return None
        plan = Plan.__new__(Plan)
        Handle.__init__(plan, out.value)
        return plan

    def rounds(self, profiler: Profiler) -> Iterator[Plan]:
        """Iterate the rounds: yields each batch; the caller replays it and
        adds the errors to ``profiler`` before asking for the next."""
        while True:
            plan = self.next(profiler)
            if plan is None:
                return
            with plan:
                yield plan

    @property
    def done(self) -> bool:
        """Whether the schedules are final."""
        return bool(lib().lemica_adaptive_is_done(self._ptr))

    def schedule(self, budget: int) -> Schedule:
        """The final schedule of a requested budget."""
        out = ctypes.c_void_p()
        check(lib().lemica_adaptive_schedule(self._ptr, budget, ctypes.byref(out)))
        return Schedule._adopt(out.value)

    @property
    def num_rounds(self) -> int:
        """Rounds so far (calls of next() that returned a plan)."""
        return lib().lemica_adaptive_num_rounds(self._ptr)

    @property
    def num_measured(self) -> int:
        """Segments measured at the last round."""
        return lib().lemica_adaptive_num_measured(self._ptr)

    @property
    def model_calls(self) -> int:
        """Model calls the plans asked for, reference passes included."""
        return lib().lemica_adaptive_model_calls(self._ptr)

    @property
    def full_model_calls(self) -> int:
        """Model calls of full profiling with the same samples."""
        return lib().lemica_adaptive_full_model_calls(self._ptr)

    def set_stable_tolerance(self, tolerance: float) -> None:
        """Schedules whose total error changes by at most ``tolerance``
        (relative) between sample counts count as unchanged."""
        check(lib().lemica_adaptive_set_stable_tolerance(self._ptr, float(tolerance)))

    @property
    def num_stable(self) -> int:
        """Consecutive sample counts that ended with the same schedules."""
        return lib().lemica_adaptive_num_stable(self._ptr)

    @property
    def num_violations(self) -> int:
        """Measured segments that break the assumption."""
        return lib().lemica_adaptive_num_violations(self._ptr)

    @property
    def worst_violation(self) -> Optional[Violation]:
        """The worst violation, or None."""
        if not self.num_violations:
            return None
        ends = [ctypes.c_int() for _ in range(4)]
        excess = ctypes.c_double()
        check(lib().lemica_adaptive_worst_violation(
            self._ptr, *[ctypes.byref(e) for e in ends], ctypes.byref(excess)))
        return Violation((ends[0].value, ends[1].value), (ends[2].value, ends[3].value),
                         excess.value)

    def __repr__(self) -> str:
        if self.closed:
            return "<lemica.AdaptivePlan closed>"
        return (f"<lemica.AdaptivePlan rounds={self.num_rounds} done={self.done} "
                f"calls={self.model_calls}/{self.full_model_calls}>")
