#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""LeMiCa end to end on a numpy sampling loop.

1. Profile: for a few prompts and seeds, run the full reference pass, then
   every replay of the profiling plan (batched by start step, as the plan's
   groups allow), and give each replay's final sample with the reference's
   to the profiler, which computes the L1 error in C on the numpy memory.
2. Plan: turn the profile into a graph and solve for the budget.
3. Verify: run the k best schedules by LEXMAX and by SUM whole on the
   profiling samples (B model calls each per sample) and keep the planned
   one unless another is better by a paired test (lemica.verify_schedules).
4. Run: sample held-out prompts and seeds with the planned and the
   verified schedule through StepCache (separate cond/uncond state under
   classifier-free guidance), and compare with the uniform schedule of the
   same budget.

The "model" is a small random two-layer network with a timestep embedding:
cheap, deterministic, and nonlinear enough that the error of skipping a
step depends on where it is skipped, which is what LeMiCa exploits.

Run from a source tree:  LEMICA_LIBRARY=build/lib/libLeMiCa.so \\
    PYTHONPATH=python /usr/bin/python3 examples/python/numpy_sampling.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import List, Tuple

import numpy as np

# Run from a source checkout without installing the package.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "python"))

import lemica  # noqa: E402


class ToyDenoiser:
    """v(x, t, c): the velocity a flow-matching sampler integrates."""

    def __init__(self, dim: int, hidden: int, num_steps: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.w_in = (rng.standard_normal((dim, hidden)) / np.sqrt(dim)).astype(np.float32)
        self.w_out = (rng.standard_normal((hidden, dim)) / np.sqrt(hidden)).astype(np.float32)
        # A timestep embedding that changes fastest early in sampling, as
        # real schedulers' noise levels do, so early skips cost more.
        phases = rng.standard_normal(hidden).astype(np.float32)
        times = np.linspace(0.0, 1.0, num_steps, dtype=np.float32) ** 0.5
        self.embedding = np.sin(3.0 * np.outer(times, np.ones(hidden, np.float32)) * 4.0
                                + phases).astype(np.float32)
        self.calls = 0

    def __call__(self, x: np.ndarray, step: int, cond: np.ndarray) -> np.ndarray:
        self.calls += x.shape[0] if x.ndim == 2 else 1
        h = np.tanh(x @ self.w_in + self.embedding[step] + cond)
        return (h @ self.w_out - 0.5 * x).astype(np.float32)


class Guidance:
    """Classifier-free guidance over the toy model.

    Called directly it makes one batched call over cond and uncond (how the
    profiling replays run); the cached run calls ``model`` once per branch
    so that each branch has its own StepCache state.
    """

    def __init__(self, model: ToyDenoiser, scale: float) -> None:
        self.model, self.scale = model, scale

    def __call__(self, x: np.ndarray, step: int, cond: np.ndarray,
                 uncond: np.ndarray) -> np.ndarray:
        both = self.model(np.concatenate([x, x]), step, np.concatenate([cond, uncond]))
        v_cond, v_uncond = both[:len(x)], both[len(x):]
        return v_uncond + self.scale * (v_cond - v_uncond)


def euler(x: np.ndarray, v: np.ndarray, num_steps: int) -> np.ndarray:
    return (x + v / num_steps).astype(np.float32)


def reference_pass(velocity, x: np.ndarray, cond, uncond, num_steps: int):
    """Full sampling; records the state entering each step and each output."""
    states, outputs = [], []
    for step in range(num_steps):
        states.append(x)
        v = velocity(x, step, cond, uncond)
        outputs.append(v)
        x = euler(x, v, num_steps)
    return x, states, outputs


def profile_sample(velocity, plan: lemica.Plan, profiler: lemica.Profiler,
                   x0: np.ndarray, cond, uncond) -> int:
    """Measure every replay of the plan for one prompt and seed.

    Returns the number of model calls spent (one call = one step of one
    sample, as the plan counts them).
    """
    num_steps = plan.num_steps
    final, states, outputs = reference_pass(velocity, x0, cond, uncond, num_steps)
    calls = num_steps
    # The whole plan in two arrays (one C call per replay, not one per
    # replay and step): segments[r] = (i, j), actions[r, t] = StepAction.
    all_segments = plan.replay_array()
    actions = plan.action_array()
    for group in plan.groups():
        replays = slice(group.first, group.first + group.count)
        segments = all_segments[replays]
        # Every replay of the group starts from the reference state after
        # step `start` (the plan's FROM_REFERENCE steps), as one batch.
        start = group.start
        x = np.repeat(states[start + 1] if start + 1 < num_steps else final,
                      group.count, axis=0)
        for step in range(start + 1, num_steps):
            compute = actions[replays, step] == lemica.StepAction.COMPUTE
            v = np.repeat(outputs[start], group.count, axis=0)
            if compute.any():
                rows = np.flatnonzero(compute)
                v[rows] = velocity(x[rows], step, np.repeat(cond, len(rows), axis=0),
                                   np.repeat(uncond, len(rows), axis=0))
                calls += len(rows)
            x = euler(x, v, num_steps)
        for row, (from_step, to_step) in enumerate(segments.tolist()):
            # x[row] and final[0] are contiguous float32 rows: the profiler
            # reads them in place.
            profiler.add_buffers(from_step, to_step, x[row], final[0])
    return calls


def cached_run(velocity: Guidance, schedule: lemica.Schedule, x: np.ndarray, cond, uncond,
               cache: lemica.StepCache) -> np.ndarray:
    """Sampling with the schedule; one StepCache branch per CFG pass."""
    num_steps = schedule.num_steps
    for step in range(num_steps):
        v_cond = cache.call(step, "cond", velocity.model, x, step, cond)
        v_uncond = cache.call(step, "uncond", velocity.model, x, step, uncond)
        x = euler(x, v_uncond + velocity.scale * (v_cond - v_uncond), num_steps)
    cache.finish()
    return x


def make_inputs(seed: int, dim: int, hidden: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1000 + seed)
    x0 = rng.standard_normal((1, dim)).astype(np.float32)
    cond = (0.8 * rng.standard_normal((1, hidden))).astype(np.float32)
    uncond = np.zeros((1, hidden), np.float32)
    return x0, cond, uncond


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--max-skip", type=int, default=8)
    parser.add_argument("--budget", type=int, default=20)
    parser.add_argument("--profile-samples", type=int, default=4)
    parser.add_argument("--eval-samples", type=int, default=8)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--guidance", type=float, default=4.0)
    parser.add_argument("--verify-k", type=int, default=3,
                        help="candidates per comparator to verify (0: none)")
    parser.add_argument("--verify-z", type=float, default=2.0,
                        help="paired-test standard errors a candidate must win by")
    args = parser.parse_args(argv)

    model = ToyDenoiser(args.dim, args.hidden, args.steps)
    velocity = Guidance(model, args.guidance)
    started = time.perf_counter()

    with lemica.Plan(args.steps, args.max_skip) as plan, \
            lemica.Profiler(args.steps, args.max_skip, lemica.Metric.L1) as profiler:
        print(f"libLeMiCa {lemica.version()} from {lemica.library_path()}")
        plan_calls = plan.model_calls
        print(f"plan: {args.steps} steps, max skip {plan.max_skip}, "
              f"{plan.num_replays} replays in {plan.num_groups} groups, "
              f"{plan.model_calls} model calls per sample")
        spent = 0
        for sample in range(args.profile_samples):
            x0, cond, uncond = make_inputs(sample, args.dim, args.hidden)
            spent += profile_sample(velocity, plan, profiler, x0, cond, uncond)
        assert spent == plan.model_calls * args.profile_samples, "plan and loop disagree"
        print(f"profiled {args.profile_samples} samples: {spent} model calls "
              f"({profiler.num_measured} segments measured)")
        graph = profiler.to_graph(lemica.Aggregate.MEAN, require_all=True)

    with graph, lemica.Solver() as solver:
        solver.require_first_steps(2)  # the usual warm-up steps
        planned = solver.solve(graph, args.budget)
        candidates = (lemica.candidate_schedules(graph, args.budget, args.verify_k,
                                                 solver=solver)
                      if args.verify_k > 0 else [])
    uniform = lemica.uniform_schedule(args.steps, args.budget)
    print(f"planned schedule (B={planned.budget}): {planned}")
    print(f"uniform schedule (B={uniform.budget}): {uniform}")

    methods = [("lemica", planned), ("uniform", uniform)]
    if candidates:
        # The engine keeps the reference passes' final samples from
        # profiling; recomputed here to keep profile_sample() simple.
        finals = [reference_pass(velocity, *make_inputs(sample, args.dim, args.hidden),
                                 args.steps)[0] for sample in range(args.profile_samples)]

        def run(schedule: lemica.Schedule, sample: int):
            x0, cond, uncond = make_inputs(sample, args.dim, args.hidden)
            cache = lemica.StepCache(schedule, branches=("cond", "uncond"))
            return cached_run(velocity, schedule, x0, cond, uncond, cache)[0], finals[sample][0]

        result = lemica.verify_schedules(candidates, args.profile_samples, run,
                                         significance=args.verify_z)
        verified = result.best.copy()
        print(f"verified schedule (B={verified.budget}): {verified} (candidate "
              f"{result.best_index + 1} of {len(result.candidates)}, "
              f"{result.model_calls} extra model calls, "
              f"{100.0 * result.model_calls / (plan_calls * args.profile_samples):.2f}% "
              f"of profiling)")
        methods.insert(1, ("verified", verified))

    errors = {name: [] for name, _ in methods}
    caches = {name: lemica.StepCache(schedule, branches=("cond", "uncond"))
              for name, schedule in methods}
    for sample in range(args.eval_samples):
        # Held-out prompts and seeds: never profiled.
        x0, cond, uncond = make_inputs(10_000 + sample, args.dim, args.hidden)
        full, _, _ = reference_pass(velocity, x0, cond, uncond, args.steps)
        for name, schedule in methods:
            cached = cached_run(velocity, schedule, x0, cond, uncond, caches[name])
            errors[name].append(lemica.metric_compute(cached, full))

    full_calls = 2 * args.steps * args.eval_samples
    for name, _ in methods:
        cache = caches[name]
        saved = cache.calls_reused
        print(f"{name:8s}: {cache.model_calls} of {full_calls} model calls "
              f"({saved} saved, {100.0 * saved / full_calls:.0f}%), mean L1 error "
              f"vs full sampling {np.mean(errors[name]):.6f} "
              f"(max {np.max(errors[name]):.6f})")
    ratio = np.mean(errors["uniform"]) / max(np.mean(errors["lemica"]), 1e-300)
    print(f"uniform / lemica error ratio: {ratio:.2f}")
    print(f"elapsed {time.perf_counter() - started:.1f} s")
    planned.close()
    uniform.close()
    return 0 if np.mean(errors["lemica"]) <= np.mean(errors["uniform"]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
