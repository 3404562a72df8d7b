# SPDX-License-Identifier: MIT
"""Bagged candidates: plan bootstrap resamples of the profiling samples
held and keep every budget's distinct schedules, for a verification on
unseen seeds (docs/mainpage.md, "When to stop adding profiling samples").

With few profiling samples (the sample stopping rule stops at 5 or fewer)
the plan depends on which samples were drawn. Resampling them and
planning each resample gives the schedules the plan could have been; the
better ones are usually among them, and a paired test on unseen seeds
(:func:`lemica.verify_schedules` with ``significance=1``) picks one,
keeping the plan unless another beats it.

A profiler keeps each segment's mean and variance, not its per-sample
errors, so the engine keeps one profiler per sample (prompt and seed) and
:func:`bagged_candidates` merges each as often as a resample draws it.

>>> candidates = bagged_candidates(per_sample, budgets=[10, 14])  # doctest: +SKIP
>>> result = verify_schedules(candidates[14], num_samples=40, run=run_unseen,
...                           significance=1.0)                    # doctest: +SKIP
"""

from __future__ import annotations

import operator
import random
from typing import Dict, List, Optional, Sequence, Set, Tuple

from .profiler import Aggregate, Profiler
from .schedule import Schedule
from .solver import Solver

Segment = Tuple[int, int]


def _check_profilers(sample_profilers: Sequence[Profiler]) -> List[Profiler]:
    """The profilers as a list, all of one N, K and metric."""
    profilers = list(sample_profilers)
    if not profilers:
        raise ValueError("bagged_candidates needs at least one sample profiler")
    for index, profiler in enumerate(profilers):
        if not isinstance(profiler, Profiler):
            raise TypeError(f"sample_profilers[{index}] is a {type(profiler).__name__}, "
                            "not a lemica.Profiler")
    first = profilers[0]
    shape = (first.num_steps, first.max_skip, first.metric)
    for index, profiler in enumerate(profilers[1:], 1):
        other = (profiler.num_steps, profiler.max_skip, profiler.metric)
        if other != shape:
            raise ValueError(
                f"sample_profilers[{index}] has N={other[0]}, K={other[1]}, "
                f"metric={other[2].name}; sample_profilers[0] has N={shape[0]}, "
                f"K={shape[1]}, metric={shape[2].name}")
    return profilers


def _resample_draws(num_samples: int, resamples: int, seed: int) -> List[List[int]]:
    """The sample indices each bootstrap resample draws: ``num_samples``
    draws with replacement, in draw order. None with a single sample (every
    resample would be the sample itself)."""
    if num_samples < 2:
        return []
    rng = random.Random(seed)
    return [[rng.randrange(num_samples) for _ in range(num_samples)]
            for _ in range(resamples)]


def _measured_segments(profiler: Profiler) -> Set[Segment]:
    """The segments with at least one sample."""
    return {(i, j) for i, j in profiler.segments() if profiler.edge_stats(i, j).count}


def _resample_profiler(profilers: Sequence[Profiler], draws: Sequence[int],
                       pooled: Profiler,
                       coverage: Optional[List[Set[Segment]]]) -> Profiler:
    """A new profiler holding the samples ``draws`` names (each profiler
    merged once per draw). With ``coverage`` (each sample's measured
    segments), a segment of the pool that no drawn sample measured gets the
    pool's statistics, so the resample's graph keeps the pool's edges."""
    first = profilers[0]
    resampled = Profiler(first.num_steps, first.max_skip, first.metric)
    try:
        for index in draws:
            resampled.merge(profilers[index])
        if coverage is not None:
            missing = set(coverage[-1])
            for index in set(draws):
                missing -= coverage[index]
            for i, j in sorted(missing):
                resampled.add_stats(i, j, pooled.edge_stats(i, j))
    except BaseException:
        resampled.close()
        raise
    return resampled


def bagged_candidates(sample_profilers: Sequence[Profiler], budgets: Sequence[int],
                      resamples: int = 32, seed: int = 0, solver: Optional[Solver] = None,
                      aggregate: Aggregate = Aggregate.MEAN, z: float = 0.0,
                      fill_unmeasured: bool = True) -> Dict[int, List[Schedule]]:
    """Every budget's plan, then the distinct plans of bootstrap resamples.

    ``sample_profilers`` holds one profiler per profiling sample (prompt
    and seed), all of the same N, K and metric; they are only read. The
    pool (all of them merged) is planned for each budget, then each of
    ``resamples`` bootstrap resamples: as many draws as samples, with
    replacement, from ``random.Random(seed)`` (the same seed gives the same
    result), each drawn profiler merged into the resample as often as it
    was drawn. Each resample's graph (``to_graph(aggregate, z)``) is
    planned for every budget. With a single sample there is nothing to
    resample and only the plans are returned.

    A segment that some samples measured and others did not (an adaptive
    loop's) keeps, in a resample that drew none of the samples measuring
    it, the pool's statistics (``fill_unmeasured``, as
    tests/bench-stopping-bag.c does), so every resample's graph has the
    pool's edges; with ``fill_unmeasured=False`` it is absent there, and a
    resample's budget can then become infeasible (InfeasibleError).

    ``solver`` gives the comparator and constraints (default: a new
    LEXMAX solver). A budget it cannot plan raises its error (such as
    InfeasibleError) and nothing is returned.

    Returns a dict from each budget (duplicates once, in the given order)
    to its schedules: the pool's plan first, then each schedule a resample
    chose that is not already listed, in the order first chosen. The
    schedules are new handles the caller owns. Pass one budget's list to
    :func:`lemica.verify_schedules` with ``significance=1.0`` and a
    ``run`` that samples unseen seeds (40 kept both test beds within 3%
    of the 20-sample plans with 32 resamples; docs/mainpage.md).
    """
    profilers = _check_profilers(sample_profilers)
    if isinstance(resamples, bool):
        raise TypeError("resamples must be an int")
    resamples = operator.index(resamples)
    if resamples < 0:
        raise ValueError(f"resamples is {resamples}; it cannot be negative")
    wanted: List[int] = []
    for budget in budgets:
        budget = operator.index(budget)
        if budget not in wanted:
            wanted.append(budget)
    if not wanted:
        raise ValueError("bagged_candidates needs at least one budget")

    own = solver is None
    solver = Solver() if own else solver
    result: Dict[int, List[Schedule]] = {budget: [] for budget in wanted}
    seen: Dict[int, Set[Tuple[int, ...]]] = {budget: set() for budget in wanted}

    def add(budget: int, schedule: Schedule) -> None:
        steps = schedule.steps
        if steps in seen[budget]:
            schedule.close()
        else:
            seen[budget].add(steps)
            result[budget].append(schedule)

    def plan(profiler: Profiler) -> None:
        with profiler.to_graph(aggregate, z) as graph:
            for budget in wanted:
                add(budget, solver.solve(graph, budget))

    try:
        with profilers[0].copy() as pooled:
            for profiler in profilers[1:]:
                pooled.merge(profiler)
            plan(pooled)
            draws = _resample_draws(len(profilers), resamples, seed)
            coverage: Optional[List[Set[Segment]]] = None
            if draws and fill_unmeasured:
                total = pooled.num_measured
                if any(p.num_measured != total for p in profilers):
                    # Each sample's measured segments, then the pool's last.
                    coverage = [_measured_segments(p) for p in profilers]
                    coverage.append(_measured_segments(pooled))
            for drawn in draws:
                with _resample_profiler(profilers, drawn, pooled, coverage) as resampled:
                    plan(resampled)
    except BaseException:
        for schedules in result.values():
            for schedule in schedules:
                schedule.close()
        raise
    finally:
        if own:
            solver.close()
    return result
