# SPDX-License-Identifier: MIT
"""Profiling shards in parallel with Dask distributed (a LocalCluster of
worker processes) gives the profile of a single process. Each worker sends
its profiler back as profile file text (Profiler.dumps)."""

import sys
import unittest

import support
import lemica

sys.path.insert(0, support.EXAMPLES_DIR)

STEPS, MAX_SKIP, DIM, HIDDEN, GUIDANCE = 16, 5, 32, 64, 3.0
SEEDS = list(range(6))


@unittest.skipUnless(support.HAVE_DISTRIBUTED, support.NO_DISTRIBUTED)
class DaskProfilingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import dask_profiling
        cls.example = dask_profiling
        cls.cluster, cls.client = dask_profiling.start_local_cluster(workers=2)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.cluster.close()

    def single_process_profile(self):
        toy = self.example.toy
        model = toy.ToyDenoiser(DIM, HIDDEN, STEPS)
        velocity = toy.Guidance(model, GUIDANCE)
        profiler = lemica.Profiler(STEPS, MAX_SKIP)
        with lemica.Plan(STEPS, MAX_SKIP) as plan:
            for seed in SEEDS:
                x0, cond, uncond = toy.make_inputs(seed, DIM, HIDDEN)
                toy.profile_sample(velocity, plan, profiler, x0, cond, uncond)
        return profiler

    def test_merged_profile_equals_single_process_profile(self):
        with self.example.profile_distributed(self.client, SEEDS, 3, STEPS, MAX_SKIP, DIM,
                                              HIDDEN, GUIDANCE) as merged, \
                self.single_process_profile() as single:
            self.assertEqual(merged.num_measured, single.num_measured)
            self.assertGreater(single.num_measured, 0)
            for segment in single.segments():
                a, b = single.edge_stats(*segment), merged.edge_stats(*segment)
                with self.subTest(segment=segment):
                    self.assertEqual(a.count, len(SEEDS))
                    self.assertEqual((a.count, a.min, a.max), (b.count, b.min, b.max))
                    self.assertLessEqual(abs(a.mean - b.mean), 1e-12 * a.mean)
                    self.assertLessEqual(abs(a.variance - b.variance), 1e-12 * a.variance)
            with single.to_graph() as g1, merged.to_graph() as g2, \
                    lemica.Solver() as solver:
                with solver.solve(g1, 8) as s1, solver.solve(g2, 8) as s2:
                    self.assertEqual(s1.steps, s2.steps)

    def test_workers_ran_in_other_processes(self):
        import os
        pids = self.client.run(os.getpid)
        self.assertEqual(len(pids), 2)
        self.assertNotIn(os.getpid(), pids.values())

    def test_a_profiler_itself_travels_by_pickle(self):
        def make(seed):
            import lemica as worker_lemica
            profiler = worker_lemica.Profiler(STEPS, MAX_SKIP)
            profiler.add_error(0, 2, 0.5 + seed)
            return profiler

        results = self.client.gather([self.client.submit(make, seed, pure=False)
                                      for seed in range(3)])
        with lemica.Profiler(STEPS, MAX_SKIP) as total:
            for profiler in results:
                total.merge(profiler)
                profiler.close()
            self.assertEqual(total.edge_stats(0, 2).count, 3)
            self.assertEqual(total.edge_stats(0, 2).mean, 1.5)


if __name__ == "__main__":
    unittest.main()
