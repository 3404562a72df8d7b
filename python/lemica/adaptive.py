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
from typing import Any, Callable, Iterable, Iterator, List, NamedTuple, Optional, Union

from ._core import Handle, check, lib, new_handle, using
from ._library import optional
from .errors import ClosedHandleError, InvalidArgumentError, TooLargeError
from .plan import Plan
from .profiler import Aggregate, Profiler
from .schedule import Schedule
from .solver import Comparator, Solver

_UINT64_MAX = 2 ** 64 - 1


def _sample_count(name: str, value: Any) -> int:
    """``value`` as a uint64_t argument: ctypes would keep only its low 64
    bits (2**64 + 2 would become 2, -1 would become 2**64 - 1), so refuse
    what uint64_t cannot hold with the library's exception types."""
    count = int(value)
    if count > _UINT64_MAX:
        raise TooLargeError(-13, "LEMICA_ERR_TOO_LARGE",
                            f"{name} {count} is above 2^64 - 1")
    if count < 0:
        raise InvalidArgumentError(-1, "LEMICA_ERR_INVALID_ARGUMENT",
                                   f"{name} must be >= 0, not {count}")
    return count


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
    with profiler._shared() as address:
        check(lib().lemica_assumption_check(address, int(assumption), int(aggregate),
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
        with self._exclusive() as address:
            check(lib().lemica_adaptive_request_budget(address, budget))

    def request_all_budgets(self) -> None:
        """Request every feasible budget."""
        with self._exclusive() as address:
            check(lib().lemica_adaptive_request_all_budgets(address))

    def clear_budgets(self) -> None:
        """Forget every requested budget."""
        with self._exclusive() as address:
            lib().lemica_adaptive_clear_budgets(address)

    def is_budget_requested(self, budget: int) -> bool:
        """Whether ``budget`` is requested."""
        with self._shared() as address:
            return bool(lib().lemica_adaptive_is_budget_requested(address, budget))

    def set_comparator(self, comparator: Comparator) -> None:
        """Use a built-in comparator (LEXMAX, SUM, MAX) with the loop's own
        solver (forgets a solver given to :meth:`use_solver`)."""
        with self._exclusive() as address:
            check(lib().lemica_adaptive_set_comparator(address, int(comparator)))
            self._solver = None

    def use_solver(self, solver: Optional[Solver]) -> None:
        """Solve with a configured solver (None: the loop's own).

        The loop borrows the solver: this object keeps it alive, and
        every call that solves (:meth:`next`, :meth:`schedule`) holds it
        exclusively, so threads using it elsewhere wait for the call and
        a Python comparator's exception is re-raised here as from
        :meth:`Solver.solve`. Closing the solver while the loop still
        uses it makes those calls raise ClosedHandleError (the library
        is never handed a freed solver); its configuration should not
        change between rounds, or the schedules are not those of one
        solver on the full profile.
        """
        # Shared: the call only records the address; the solver must not
        # be closed while that is read.
        with using((self, True), (solver, False)) as (address, solver_address):
            check(lib().lemica_adaptive_use_solver(address, solver_address))
            self._solver = solver

    def set_aggregate(self, aggregate: Aggregate, z: float = 0.0) -> None:
        """How samples become a weight, as in ``Profiler.to_graph``."""
        with self._exclusive() as address:
            check(lib().lemica_adaptive_set_aggregate(address, int(aggregate), float(z)))

    @property
    def min_batch(self) -> int:
        """The smallest batch per round (while that many are unmeasured)."""
        return self._min_batch

    @min_batch.setter
    def min_batch(self, value: int) -> None:
        if value < 0:
            raise ValueError("min_batch must be >= 1")
        with self._exclusive() as address:
            check(lib().lemica_adaptive_set_min_batch(address, int(value)))
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
        count = _sample_count("num_samples", value)
        with self._exclusive() as address:
            check(lib().lemica_adaptive_set_num_samples(address, count))
            self._num_samples = count

    def _solving(self, call: Callable[[int, Optional[int]], int],
                 profiler: Optional[Profiler] = None) -> None:
        """Run ``call(adaptive, profiler)``, a call that may solve: the loop
        exclusively, the profiler shared, and a borrowed solver
        exclusively (its workspace is used), as :meth:`Solver._run` does.
        """
        while True:
            solver = self._solver
            with using((self, True), (profiler, False), (solver, True)) as addresses:
                if self._solver is not solver:
                    continue  # use_solver ran meanwhile: lock the new one
                if solver is None:
                    check(call(addresses[0], addresses[1]))
                    return
                box = solver._callback_error
                box.clear()
                status = call(addresses[0], addresses[1])
                if box:
                    error = box[0]
                    box.clear()
                    raise error
                check(status)
                return

    def _worst(self, address: int) -> Optional[Violation]:
        if not lib().lemica_adaptive_num_violations(address):
            return None
        ends = [ctypes.c_int() for _ in range(4)]
        excess = ctypes.c_double()
        check(lib().lemica_adaptive_worst_violation(
            address, *[ctypes.byref(e) for e in ends], ctypes.byref(excess)))
        return Violation((ends[0].value, ends[1].value), (ends[2].value, ends[3].value),
                         excess.value)

    def next(self, profiler: Profiler) -> Optional[Plan]:
        """The next batch as a :class:`Plan`, or None when the schedules are
        final. Warns once per new violation count.

        With a borrowed solver's Python comparator that raised, the
        exception is re-raised here and the round's plan freed; the loop
        may have counted that round, and asks again for its segments at
        the next call (they got no samples)."""
        out = ctypes.c_void_p()
        report: List[Any] = []

        def call(address: int, profiler_address: Optional[int]) -> int:
            status = lib().lemica_adaptive_next(address, profiler_address,
                                                ctypes.byref(out))
            if status >= 0:
                # Read under the same lock: another thread's round must not
                # slip in between, nor two threads warn of one count.
                violations = lib().lemica_adaptive_num_violations(address)
                if violations > self._warned:
                    self._warned = violations
                    report.extend((violations, self._worst(address)))
            return status

        try:
            self._solving(call, profiler)
        except BaseException:
            # A comparator's exception re-raised after a plan was made.
            if out.value:
                lib().lemica_plan_free(out.value)
            raise
        plan = None
        if out.value:
            plan = Plan.__new__(Plan)
            Handle.__init__(plan, out.value)
        if report:
            violations, worst = report
            warnings.warn(f"{violations} measured segments break the assumption; worst: "
                          f"{worst.outer} has {worst.excess:.3g} less error than "
                          f"{worst.inner} inside it", AssumptionWarning, stacklevel=2)
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
        with self._shared() as address:
            return bool(lib().lemica_adaptive_is_done(address))

    def schedule(self, budget: int) -> Schedule:
        """The final schedule of a requested budget."""
        out = ctypes.c_void_p()
        self._solving(lambda address, _: lib().lemica_adaptive_schedule(
            address, budget, ctypes.byref(out)))
        return Schedule._adopt(out.value)

    @property
    def num_rounds(self) -> int:
        """Rounds so far (calls of next() that returned a plan)."""
        with self._shared() as address:
            return lib().lemica_adaptive_num_rounds(address)

    @property
    def num_measured(self) -> int:
        """Segments measured at the last round."""
        with self._shared() as address:
            return lib().lemica_adaptive_num_measured(address)

    @property
    def model_calls(self) -> int:
        """Model calls the plans asked for, reference passes included."""
        with self._shared() as address:
            return lib().lemica_adaptive_model_calls(address)

    @property
    def full_model_calls(self) -> int:
        """Model calls of full profiling with the same samples."""
        with self._shared() as address:
            return lib().lemica_adaptive_full_model_calls(address)

    def set_stable_tolerance(self, tolerance: float) -> None:
        """Schedules whose total error changes by at most ``tolerance``
        (relative) between sample counts count as unchanged."""
        with self._exclusive() as address:
            check(lib().lemica_adaptive_set_stable_tolerance(address, float(tolerance)))

    @property
    def num_stable(self) -> int:
        """Consecutive sample counts that ended with the same schedules."""
        with self._shared() as address:
            return lib().lemica_adaptive_num_stable(address)

    @property
    def num_violations(self) -> int:
        """Measured segments that break the assumption."""
        with self._shared() as address:
            return lib().lemica_adaptive_num_violations(address)

    @property
    def worst_violation(self) -> Optional[Violation]:
        """The worst violation, or None."""
        with self._shared() as address:
            return self._worst(address)

    def __repr__(self) -> str:
        try:
            with self._shared() as address:
                cdll = lib()
                return (f"<lemica.AdaptivePlan rounds={cdll.lemica_adaptive_num_rounds(address)} "
                        f"done={bool(cdll.lemica_adaptive_is_done(address))} "
                        f"calls={cdll.lemica_adaptive_model_calls(address)}/"
                        f"{cdll.lemica_adaptive_full_model_calls(address)}>")
        except ClosedHandleError:
            return "<lemica.AdaptivePlan closed>"


class SampleStop(Handle):
    """The sample stopping rule (``lemica_sample_stop``): when an engine
    that adds profiling samples one count at a time may stop.

    After the loop of an :class:`AdaptivePlan` ends at each sample count,
    :meth:`update` keeps the schedules of every requested budget and
    returns True when the schedules of the last ``window`` updates agree:
    none of the older ones has a total error more than ``tolerance``
    (relative) above the newest one's, under the samples measured now.
    See lemica-adaptive.h for what it can and cannot promise.

    >>> rule = lemica.SampleStop(window=3, tolerance=0.10)     # doctest: +SKIP
    >>> for samples in range(1, 21):                            # doctest: +SKIP
    ...     adaptive.num_samples = samples
    ...     for plan in adaptive.rounds(profiler):
    ...         replay(plan)
    ...     if rule.update(adaptive, profiler):
    ...         break
    """

    _free_name = "lemica_sample_stop_free"
    _kind = "sample stop"
    __slots__ = ()

    def __init__(self, window: int = 3, tolerance: float = 0.10,
                 max_relative_se: float = 0.0, max_samples: int = 0) -> None:
        # A negative window becomes 0, which the library refuses.
        super().__init__(new_handle(optional("lemica_sample_stop_new"),
                                    max(0, int(window)), float(tolerance)))
        if max_relative_se or max_samples:
            self.set_limits(max_relative_se, max_samples)

    def set_limits(self, max_relative_se: float = 0.0, max_samples: int = 0) -> None:
        """Stop only when, besides the window's agreement, every schedule's
        summed standard errors are at most ``max_relative_se`` times its
        summed mean errors (0: no such condition), and always once the
        profiler holds ``max_samples`` samples (0: no cap). Window 3,
        tolerance 0.10, 0.30 and 5 met the 3% target on the Gaussian
        mixture in all four sets of orders of tests/bench-stopping.c."""
        count = _sample_count("max_samples", max_samples)
        with self._exclusive() as address:
            check(optional("lemica_sample_stop_set_limits")(
                address, float(max_relative_se), count))

    def update(self, adaptive: AdaptivePlan, profiler: Profiler) -> bool:
        """Record the schedules of the finished loop; True to stop adding
        samples. The profiler must have the N and K of the earlier updates
        (another is refused, the rule unchanged; :meth:`reset` starts a new
        run); with K = 1 nothing can be measured and every update is
        True."""
        stop = ctypes.c_int(0)
        with using((self, True), (adaptive, True), (profiler, False)) as (
                address, adaptive_address, profiler_address):
            check(optional("lemica_sample_stop_update")(
                address, adaptive_address, profiler_address, ctypes.byref(stop)))
        return bool(stop.value)

    @property
    def should_stop(self) -> bool:
        """What the last update said."""
        with self._shared() as address:
            return bool(optional("lemica_sample_stop_should_stop")(address))

    @property
    def excess(self) -> float:
        """How much worse, relative, the worst older schedule of the window
        was than the newest at the last update (0: none; inf: could not
        compare)."""
        with self._shared() as address:
            return float(optional("lemica_sample_stop_excess")(address))

    def reset(self) -> None:
        """Forget every update."""
        with self._exclusive() as address:
            optional("lemica_sample_stop_reset")(address)
