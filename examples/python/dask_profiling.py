#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Distributed LeMiCa profiling with Dask.

Profiling costs many model calls (the plan says how many), so it is split
into shards of prompts and seeds that run in parallel. Each Dask task
profiles its shard into its own Profiler and returns it serialized as a
profile file held in memory (Profiler.dumps(): per segment count, mean,
sum of squared deviations, min, max, every double written exactly); the
driver parses each one, merges it (Chan's update in the library) and
builds the graph. The merged profile equals a single-process profile:
counts, min and max exactly, mean and variance within 1e-12 relative.

Nothing here is specific to one machine: pass a scheduler address to run
the same tasks on a Dask cluster (dask-jobqueue starts one on Slurm), or
send the same function to Ray tasks, or run it in Slurm array jobs that
save their profiles (Profiler.save) for the driver to load and merge.

Run from a source tree:  LEMICA_LIBRARY=build/lib/libLeMiCa.so \\
    /usr/bin/python3 examples/python/dask_profiling.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import List, Optional, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.join(HERE, "..", "..", "python")
sys.path[:0] = [HERE, PYTHON_DIR]

import lemica  # noqa: E402
import numpy_sampling as toy  # noqa: E402


def profile_shard(seeds: Sequence[int], steps: int, max_skip: int, dim: int,
                  hidden: int, guidance: float) -> str:
    """Profile the samples ``seeds`` in this process; return the profile
    file's text."""
    model = toy.ToyDenoiser(dim, hidden, steps)
    velocity = toy.Guidance(model, guidance)
    with lemica.Plan(steps, max_skip) as plan, \
            lemica.Profiler(steps, max_skip, lemica.Metric.L1) as profiler:
        for seed in seeds:
            x0, cond, uncond = toy.make_inputs(seed, dim, hidden)
            toy.profile_sample(velocity, plan, profiler, x0, cond, uncond)
        return profiler.dumps({"seeds": ",".join(map(str, seeds))})


def profile_distributed(client, seeds: Sequence[int], num_shards: int, steps: int,
                        max_skip: int, dim: int, hidden: int,
                        guidance: float) -> lemica.Profiler:
    """Profile ``seeds`` in ``num_shards`` Dask tasks and merge the results."""
    shards = [list(seeds[k::num_shards]) for k in range(num_shards)]
    futures = [client.submit(profile_shard, shard, steps, max_skip, dim, hidden, guidance,
                             pure=False) for shard in shards if shard]
    total = lemica.Profiler(steps, max_skip, lemica.Metric.L1)
    for text in client.gather(futures):
        with lemica.Profiler.loads(text) as shard:
            total.merge(shard)
    return total


def profile_segments(seeds: Sequence[int], segments: Sequence[tuple], steps: int,
                     max_skip: int, dim: int, hidden: int, guidance: float) -> str:
    """Replay only ``segments`` (one adaptive round) on the samples
    ``seeds``; return the profile file's text."""
    model = toy.ToyDenoiser(dim, hidden, steps)
    velocity = toy.Guidance(model, guidance)
    with lemica.Plan(steps, max_skip) as plan, \
            lemica.Profiler(steps, max_skip, lemica.Metric.L1) as profiler:
        plan.select_all(False)
        for from_step, to_step in segments:
            plan.select_segment(from_step, to_step)
        for seed in seeds:
            x0, cond, uncond = toy.make_inputs(seed, dim, hidden)
            toy.profile_sample(velocity, plan, profiler, x0, cond, uncond)
        return profiler.dumps()


def profile_adaptive(client, seeds: Sequence[int], num_shards: int, steps: int,
                     max_skip: int, budgets: Sequence[int], min_batch: int, dim: int,
                     hidden: int, guidance: float):
    """Adaptive profiling: every round's batch fans out to the workers (a
    shard of the samples each), the driver merges their profiles and asks
    the loop for the next batch. Returns (adaptive plan, merged profiler)."""
    solver = lemica.Solver()
    solver.require_first_steps(2)
    adaptive = lemica.AdaptivePlan(steps, max_skip, budgets=budgets, solver=solver,
                                   min_batch=min_batch, num_samples=len(seeds))
    total = lemica.Profiler(steps, max_skip, lemica.Metric.L1)
    shards = [shard for shard in (list(seeds[k::num_shards]) for k in range(num_shards))
              if shard]
    for plan in adaptive.rounds(total):
        segments = plan.replays()
        futures = [client.submit(profile_segments, shard, segments, steps, max_skip, dim,
                                 hidden, guidance, pure=False) for shard in shards]
        for text in client.gather(futures):
            with lemica.Profiler.loads(text) as part:
                total.merge(part)
    return adaptive, total


def start_local_cluster(workers: int):
    """A LocalCluster of worker processes that can import this example."""
    from dask.distributed import Client, LocalCluster

    # Worker processes inherit the environment: LEMICA_LIBRARY, and a
    # PYTHONPATH that finds the binding and the toy model.
    paths = [HERE, os.path.abspath(PYTHON_DIR)]
    if os.environ.get("PYTHONPATH"):
        paths.append(os.environ["PYTHONPATH"])
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return cluster, Client(cluster)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scheduler", help="address of a running Dask scheduler; "
                        "default: a LocalCluster on this machine")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--max-skip", type=int, default=6)
    parser.add_argument("--budget", type=int, default=12)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--adaptive", action="store_true",
                        help="profile adaptively: fan out each round's batch")
    parser.add_argument("--min-batch", type=int, default=16)
    args = parser.parse_args(argv)

    if args.scheduler:
        from dask.distributed import Client
        cluster, client = None, Client(args.scheduler)
    else:
        cluster, client = start_local_cluster(args.workers)
    started = time.perf_counter()
    try:
        seeds = list(range(args.samples))
        if args.adaptive:
            adaptive, total = profile_adaptive(client, seeds, args.workers * 2, args.steps,
                                               args.max_skip, [args.budget], args.min_batch,
                                               args.dim, args.hidden, 4.0)
            with adaptive, total, adaptive.schedule(args.budget) as schedule:
                print(f"adaptive: {adaptive.num_rounds} rounds, {adaptive.model_calls} of "
                      f"{adaptive.full_model_calls} model calls")
                print(f"schedule (B={schedule.budget} of {args.steps}): {schedule}")
            return 0
        with profile_distributed(client, seeds, args.workers * 2, args.steps,
                                 args.max_skip, args.dim, args.hidden, 4.0) as total:
            print(f"merged profile: {total.num_measured} segments, "
                  f"{sum(total.edge_stats(*s).count for s in total.segments())} samples")
            with total.to_graph() as graph, lemica.Solver() as solver:
                solver.require_first_steps(2)
                with solver.solve(graph, args.budget) as schedule:
                    print(f"schedule (B={schedule.budget} of {args.steps}): {schedule}")
                    print(f"worst segment error {schedule.max_cost:.6f}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print(f"elapsed {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
