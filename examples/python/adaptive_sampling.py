#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Adaptive LeMiCa profiling on the numpy sampling loop of numpy_sampling.py.

Instead of replaying every cache segment on every profiling sample, the
engine asks lemica.AdaptivePlan which segments to replay next, replays
them on its samples (from reference passes recorded once), adds the
errors to the profiler, and asks again until the schedules are final.
With --check-full it also profiles fully and checks that the schedules
are the same, and prints what full profiling would have cost.

Run from a source tree:  LEMICA_LIBRARY=build/lib/libLeMiCa.so \\
    /usr/bin/python3 examples/python/adaptive_sampling.py --check-full
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import List

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "..", "python")]

import lemica  # noqa: E402
import numpy_sampling as toy  # noqa: E402


class Sample:
    """One profiling prompt and seed with its recorded reference pass."""

    def __init__(self, velocity, seed: int, dim: int, hidden: int, steps: int) -> None:
        self.x0, self.cond, self.uncond = toy.make_inputs(seed, dim, hidden)
        self.final, self.states, self.outputs = toy.reference_pass(
            velocity, self.x0, self.cond, self.uncond, steps)


def replay_plan(velocity, plan: lemica.Plan, profiler: lemica.Profiler,
                sample: Sample) -> int:
    """Replay every segment of ``plan`` on one sample, batched by start
    step; returns the model calls spent."""
    num_steps, calls = plan.num_steps, 0
    for group in plan.groups():
        replays = range(group.first, group.first + group.count)
        start = group.start
        x = np.repeat(sample.states[start + 1], group.count, axis=0)
        for step in range(start + 1, num_steps):
            compute = np.array([plan.step_action(r, step) == lemica.StepAction.COMPUTE
                                for r in replays])
            v = np.repeat(sample.outputs[start], group.count, axis=0)
            if compute.any():
                rows = np.flatnonzero(compute)
                v[rows] = velocity(x[rows], step, np.repeat(sample.cond, len(rows), axis=0),
                                   np.repeat(sample.uncond, len(rows), axis=0))
                calls += len(rows)
            x = toy.euler(x, v, num_steps)
        for row, r in enumerate(replays):
            profiler.add_buffers(*plan.replay(r), x[row], sample.final[0])
    return calls


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--max-skip", type=int, default=49)
    parser.add_argument("--budgets", default="10,14,17,20,25")
    parser.add_argument("--profile-samples", type=int, default=2)
    parser.add_argument("--min-batch", type=int, default=16)
    parser.add_argument("--assumption", default="nested",
                        choices=[a.name.lower() for a in lemica.Assumption])
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--guidance", type=float, default=4.0)
    parser.add_argument("--check-full", action="store_true",
                        help="also profile fully and compare the schedules")
    args = parser.parse_args(argv)
    budgets = [int(b) for b in args.budgets.split(",")]

    velocity = toy.Guidance(toy.ToyDenoiser(args.dim, args.hidden, args.steps),
                            args.guidance)
    started = time.perf_counter()
    samples = [Sample(velocity, seed, args.dim, args.hidden, args.steps)
               for seed in range(args.profile_samples)]
    solver = lemica.Solver()
    solver.require_first_steps(2)  # the usual warm-up steps
    adaptive = lemica.AdaptivePlan(args.steps, args.max_skip,
                                   lemica.Assumption[args.assumption.upper()],
                                   budgets=budgets, solver=solver,
                                   min_batch=args.min_batch,
                                   num_samples=args.profile_samples)
    profiler = lemica.Profiler(args.steps, args.max_skip, lemica.Metric.L1)
    spent = args.steps * len(samples)  # the reference passes
    for plan in adaptive.rounds(profiler):
        for sample in samples:
            spent += replay_plan(velocity, plan, profiler, sample)
    assert spent == adaptive.model_calls, (spent, adaptive.model_calls)
    print(f"adaptive: {adaptive.num_rounds} rounds, {adaptive.num_measured} segments, "
          f"{adaptive.model_calls} of {adaptive.full_model_calls} model calls "
          f"({100.0 * adaptive.model_calls / adaptive.full_model_calls:.1f}% of full "
          f"profiling), {adaptive.num_violations} assumption violations")

    full = None
    if args.check_full:
        full = lemica.Profiler(args.steps, args.max_skip, lemica.Metric.L1)
        with lemica.Plan(args.steps, args.max_skip) as plan:
            for sample in samples:
                replay_plan(velocity, plan, full, sample)
        graph = full.to_graph(require_all=True)
    same = True
    for budget in budgets:
        schedule = adaptive.schedule(budget)
        line = f"B={budget:3d}: {schedule}"
        if full is not None:
            with solver.solve(graph, budget) as expected:
                equal = str(expected) == str(schedule)
                same &= equal
                line += "  (= full profile)" if equal else f"  (full profile: {expected})"
        print(line)
        schedule.close()
    if full is not None:
        print("identical to full profiling: " + ("yes" if same else "NO"))
        graph.close()
        full.close()
    print(f"elapsed {time.perf_counter() - started:.1f} s")
    profiler.close()
    adaptive.close()
    solver.close()
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
