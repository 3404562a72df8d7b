# SPDX-License-Identifier: MIT
"""Verified plans: run a few candidate schedules on the profiling samples
and keep the one with the smallest measured error (lemica-verifier.h).

The graph's weights are the errors of one cached segment at a time; they do
not add up exactly, so the graph-optimal schedule is not always the one
with the smallest error when run whole. Running a candidate costs its
budget in model calls per sample, a small fraction of what profiling took.

>>> candidates = candidate_schedules(graph, budget=10, count=3)  # doctest: +SKIP
>>> result = verify_schedules(candidates, num_samples=4,
...                           run=lambda schedule, sample: (x0(schedule, sample),
...                                                         reference[sample]))
...                                                     # doctest: +SKIP
>>> result.best.format_steps(), result.model_calls       # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple, Union

from ._core import Handle, check, lib, new_handle, using
from .buffers import Dtype, buffer_pair
from .graph import Graph
from .kbest import library_function
from .profiler import Aggregate, Metric
from .schedule import Schedule
from .solver import Comparator, Solver

#: The most runs (candidates times samples) a verifier holds
#: (LEMICA_MAX_VERIFIER_RUNS).
MAX_VERIFIER_RUNS = 16777216


class Verifier(Handle):
    """Candidates, the error of each run on each sample, and the choice.

    Add the graph-optimal schedule first: ties go to the earlier candidate.
    A schedule already added is not added twice (its index is returned).

    One verifier may be shared by threads (one engine worker per sample,
    say): reports and additions hold it exclusively, queries share it, as
    every handle does (docs/python.md, Threads).
    """

    _free_name = "lemica_verifier_free"
    _kind = "verifier"
    __slots__ = ()

    def __init__(self, num_samples: int, metric: Metric = Metric.L1,
                 aggregate: Aggregate = Aggregate.MEAN, z: float = 0.0,
                 significance: float = 0.0) -> None:
        library_function("lemica_verifier_new")
        super().__init__(new_handle(lib().lemica_verifier_new, num_samples))
        if metric != Metric.L1:
            with self._exclusive() as address:
                check(lib().lemica_verifier_set_metric(address, int(metric)))
        if aggregate != Aggregate.MEAN:
            self.set_aggregate(aggregate, z)
        if significance:
            self.set_significance(significance)

    def set_significance(self, z: float) -> None:
        """Keep the first candidate unless another beats it by a paired
        test: mean per-sample difference + z standard errors < 0 (0: off)."""
        with self._exclusive() as address:
            check(lib().lemica_verifier_set_significance(address, float(z)))

    def error(self, candidate: int, sample: int) -> float:
        """The error reported for one run."""
        value = ctypes.c_double()
        with self._shared() as address:
            check(lib().lemica_verifier_error(address, candidate, sample,
                                              ctypes.byref(value)))
        return value.value

    def set_aggregate(self, aggregate: Aggregate, z: float = 0.0) -> None:
        """How a candidate's errors become its score: mean, max or
        mean + z * std."""
        with self._exclusive() as address:
            check(lib().lemica_verifier_set_aggregate(address, int(aggregate), float(z)))

    def add(self, schedule: Schedule) -> int:
        """Add a candidate (copied); returns its index."""
        index = ctypes.c_size_t()
        with using((self, True), (schedule, False)) as (address, schedule_address):
            check(lib().lemica_verifier_add_candidate(address, schedule_address,
                                                      ctypes.byref(index)))
        return index.value

    def __len__(self) -> int:
        with self._shared() as address:
            return lib().lemica_verifier_num_candidates(address)

    @property
    def num_samples(self) -> int:
        """The number of profiling samples."""
        with self._shared() as address:
            return lib().lemica_verifier_num_samples(address)

    def candidate(self, index: int) -> Schedule:
        """A copy of candidate ``index``."""
        borrowed = ctypes.c_void_p()
        # The copy is made under the same hold: the borrowed schedule is
        # the verifier's, valid only while nobody changes or frees it.
        with self._shared() as address:
            check(lib().lemica_verifier_candidate(address, index, ctypes.byref(borrowed)))
            return Schedule._adopt(new_handle(lib().lemica_schedule_copy, borrowed))

    def runs(self) -> Iterator[Tuple[int, int]]:
        """Every (candidate, sample) to run, grouped by sample.

        Each step holds the verifier only for its own call, so the loop
        body may report errors; adding a candidate during the iteration
        renumbers the runs and raises RuntimeError at the next step.
        """
        candidate, sample = ctypes.c_size_t(), ctypes.c_size_t()
        with self._shared() as address:
            count = lib().lemica_verifier_num_runs(address)
        for run in range(count):
            with self._shared() as address:
                if lib().lemica_verifier_num_runs(address) != count:
                    raise RuntimeError("a candidate was added while iterating runs()")
                check(lib().lemica_verifier_run(address, run, ctypes.byref(candidate),
                                                ctypes.byref(sample)))
            yield candidate.value, sample.value

    def report_error(self, candidate: int, sample: int, error: float) -> None:
        """The error of a run, computed by the engine."""
        with self._exclusive() as address:
            check(lib().lemica_verifier_report_error(address, candidate, sample,
                                                     float(error)))

    def report_buffers(self, candidate: int, sample: int, cached: Any, reference: Any,
                       dtype: Optional[Dtype] = None, allow_copy: bool = False) -> None:
        """A run's final sample against the reference's (read in place)."""
        first, second = buffer_pair(cached, reference, dtype, allow_copy)
        with self._exclusive() as address:
            check(lib().lemica_verifier_report_buffers(address, candidate, sample,
                                                       first.address, second.address,
                                                       first.count, int(first.dtype)))

    @property
    def missing(self) -> int:
        """Runs not reported yet."""
        with self._shared() as address:
            return lib().lemica_verifier_num_missing(address)

    def score(self, candidate: int) -> float:
        """A candidate's aggregated error (StateError while a run is missing)."""
        value = ctypes.c_double()
        with self._shared() as address:
            check(lib().lemica_verifier_score(address, candidate, ctypes.byref(value)))
        return value.value

    def best(self) -> int:
        """The index of the candidate with the smallest score."""
        index = ctypes.c_size_t()
        with self._shared() as address:
            check(lib().lemica_verifier_best(address, ctypes.byref(index)))
        return index.value

    @property
    def model_calls(self) -> int:
        """The model calls all runs cost: budgets summed times samples."""
        with self._shared() as address:
            return lib().lemica_verifier_model_calls(address)

    def best_of_budget(self, budget: int) -> int:
        """The index of the best candidate among those of ``budget``.

        The first of them added is the one the paired test keeps; only
        that budget's runs need to be reported.
        """
        index = ctypes.c_size_t()
        with self._shared() as address:
            check(lib().lemica_verifier_best_of_budget(address, budget,
                                                       ctypes.byref(index)))
        return index.value

    def prefix_runs(self) -> Iterator[Tuple[int, int, int]]:
        """The candidates as a trie: (candidate, start_step, calls) each.

        In this order a candidate shares the longest prefix of computed
        steps with the one before it: start it from the state the earlier
        runs reached entering ``start_step`` (and the output or residual of
        the last step computed before it); ``calls`` are its model calls
        from there on. The first starts at step 0 from the noise.
        """
        candidate, start, calls = ctypes.c_size_t(), ctypes.c_int(), ctypes.c_size_t()
        with self._shared() as address:
            count = lib().lemica_verifier_num_candidates(address)
        for position in range(count):
            with self._shared() as address:
                if lib().lemica_verifier_num_candidates(address) != count:
                    raise RuntimeError("a candidate was added while iterating prefix_runs()")
                check(lib().lemica_verifier_prefix_run(address, position,
                                                       ctypes.byref(candidate),
                                                       ctypes.byref(start),
                                                       ctypes.byref(calls)))
            yield candidate.value, start.value, calls.value

    @property
    def prefix_model_calls(self) -> int:
        """The model calls of all runs when shared prefixes run once."""
        with self._shared() as address:
            return lib().lemica_verifier_prefix_model_calls(address)


def candidate_schedules(graph: Graph, budget: int, count: int = 3,
                        comparators: Sequence[Comparator] = (Comparator.LEXMAX,
                                                             Comparator.SUM),
                        solver: Optional[Solver] = None) -> List[Schedule]:
    """The graph-optimal schedule (by the first comparator) followed by the
    ``count`` best by each comparator, duplicates removed, in that order.

    ``solver`` gives the constraints (required steps, max skip); its
    comparator is restored afterwards. A user comparator cannot be listed.
    """
    own = solver is None
    solver = Solver() if own else solver
    saved = solver.comparator
    if saved == Comparator.USER:
        raise ValueError("candidate_schedules needs a solver with a built-in comparator")
    seen = set()
    result: List[Schedule] = []
    try:
        for comparator in comparators:
            solver.comparator = comparator
            for schedule in solver.solve_k_best(graph, budget, count):
                if schedule.steps in seen:
                    schedule.close()
                    continue
                seen.add(schedule.steps)
                result.append(schedule)
    finally:
        if own:
            solver.close()
        else:
            solver.comparator = saved
    return result


@dataclass
class VerificationResult:
    """What :func:`verify_schedules` found."""

    candidates: List[Schedule]  #: as given, duplicates removed
    scores: List[float]  #: each candidate's aggregated error
    best_index: int  #: the smallest score (ties: the earlier)
    model_calls: int  #: the extra model calls the runs cost

    @property
    def best(self) -> Schedule:
        """The verified schedule."""
        return self.candidates[self.best_index]

    @property
    def graph_optimal(self) -> Schedule:
        """The first candidate (the graph-optimal one by convention)."""
        return self.candidates[0]


RunResult = Union[float, Tuple[Any, Any]]


def verify_schedules(candidates: Sequence[Schedule], num_samples: int,
                     run: Callable[[Schedule, int], RunResult],
                     metric: Metric = Metric.L1, aggregate: Aggregate = Aggregate.MEAN,
                     z: float = 0.0, significance: float = 0.0) -> VerificationResult:
    """Run every candidate on every profiling sample and pick the best.

    ``run(schedule, sample)`` samples with ``schedule`` from the noise of
    profiling sample ``sample`` (0 .. num_samples - 1) and returns either
    the error itself or the pair ``(final_sample, reference_final_sample)``
    (numpy arrays or torch tensors), whose ``metric`` the library computes.
    Put the graph-optimal schedule first (:func:`candidate_schedules` does);
    with ``significance`` > 0 another candidate must beat it by a paired
    test (see :meth:`Verifier.set_significance`).
    """
    with Verifier(num_samples, metric, aggregate, z, significance) as verifier:
        kept: List[Schedule] = []
        for schedule in candidates:
            if verifier.add(schedule) == len(kept):
                kept.append(schedule)
        for candidate, sample in verifier.runs():
            outcome = run(kept[candidate], sample)
            if isinstance(outcome, tuple):
                verifier.report_buffers(candidate, sample, outcome[0], outcome[1])
            else:
                verifier.report_error(candidate, sample, float(outcome))
        return VerificationResult(candidates=kept,
                                  scores=[verifier.score(i) for i in range(len(kept))],
                                  best_index=verifier.best(),
                                  model_calls=verifier.model_calls)
