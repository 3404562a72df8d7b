# SPDX-License-Identifier: MIT
"""bagged_candidates: the pooled plan first, reproducible bootstrap
resamples whose statistics are those of the drawn samples, distinct
schedules a verification can pick from, and bad input refused."""

import random
import unittest

import support  # noqa: F401
import lemica
from lemica import bagging


def sample_errors(num_steps, max_skip, count, seed):
    """``count`` samples: each a dict segment -> error."""
    rng = random.Random(seed)
    return [{(i, j): rng.uniform(0.0, 1.0)
             for i in range(num_steps)
             for j in range(i + 2, min(i + max_skip, num_steps - 1) + 1)}
            for _ in range(count)]


def profiler_of(num_steps, max_skip, samples):
    """One profiler fed every error of ``samples`` directly."""
    profiler = lemica.Profiler(num_steps, max_skip)
    for errors in samples:
        for (i, j), error in errors.items():
            profiler.add_error(i, j, error)
    return profiler


def close_all(result):
    for schedules in result.values():
        for schedule in schedules:
            schedule.close()


class BaggedCandidatesTest(unittest.TestCase):
    N, K = 10, 4

    def setUp(self):
        self.before = lemica.live_handles()
        self.samples = sample_errors(self.N, self.K, 5, 7)
        self.profilers = [profiler_of(self.N, self.K, [s]) for s in self.samples]

    def tearDown(self):
        for profiler in self.profilers:
            profiler.close()
        self.assertEqual(lemica.live_handles(), self.before)

    def steps(self, result):
        return {budget: [s.steps for s in schedules] for budget, schedules in result.items()}

    def test_plan_first_and_distinct(self):
        budgets = [4, 5, 7]
        result = lemica.bagged_candidates(self.profilers, budgets, resamples=16, seed=3)
        try:
            self.assertEqual(list(result), budgets)
            with profiler_of(self.N, self.K, self.samples) as pooled, \
                    pooled.to_graph() as graph, lemica.Solver() as solver:
                for budget in budgets:
                    plan = solver.solve(graph, budget)
                    self.assertEqual(result[budget][0].steps, plan.steps)
                    plan.close()
            for budget, schedules in result.items():
                steps = [s.steps for s in schedules]
                self.assertEqual(len(set(steps)), len(steps))
                self.assertTrue(all(s.budget == budget for s in schedules))
            # The sample profilers are only read.
            self.assertEqual(self.profilers[0].edge_stats(0, 2).count, 1)
        finally:
            close_all(result)

    def test_reproducible(self):
        def run(seed):
            result = lemica.bagged_candidates(self.profilers, [4, 5], resamples=8,
                                              seed=seed)
            steps = self.steps(result)
            close_all(result)
            return steps

        first = run(0)
        self.assertEqual(run(0), first)
        self.assertTrue(any(run(seed) != first for seed in range(1, 6)))
        self.assertEqual(bagging._resample_draws(5, 3, 11), bagging._resample_draws(5, 3, 11))
        draws = bagging._resample_draws(5, 3, 11)
        self.assertEqual(len(draws), 3)
        self.assertTrue(all(len(d) == 5 and all(0 <= s < 5 for s in d) for d in draws))
        # No resamples: the plans only; one sample: nothing to resample.
        for profilers, resamples in ((self.profilers, 0), (self.profilers[:1], 32)):
            result = lemica.bagged_candidates(profilers, [5], resamples=resamples)
            self.assertEqual(len(result[5]), 1)
            close_all(result)

    def test_resample_is_the_drawn_samples(self):
        seed, resamples = 5, 6
        draws = bagging._resample_draws(len(self.profilers), resamples, seed)
        drawn = draws[2]
        self.assertNotEqual(sorted(set(drawn)), list(range(5)))  # a real resample
        with lemica.Profiler(self.N, self.K) as pooled:
            for profiler in self.profilers:
                pooled.merge(profiler)
            with bagging._resample_profiler(self.profilers, drawn, pooled, None) as merged, \
                    profiler_of(self.N, self.K, [self.samples[s] for s in drawn]) as direct:
                for i, j in direct.segments():
                    got, expected = merged.edge_stats(i, j), direct.edge_stats(i, j)
                    self.assertEqual(got.count, expected.count)
                    self.assertEqual(got.count, 5)
                    for a, b in zip(got[1:], expected[1:]):
                        self.assertAlmostEqual(a, b, places=12)
                # The resample's plans are among the candidates.
                result = lemica.bagged_candidates(self.profilers, [4, 6], resamples, seed)
                try:
                    with direct.to_graph() as graph, lemica.Solver() as solver:
                        for budget in (4, 6):
                            with solver.solve(graph, budget) as plan:
                                self.assertIn(plan.steps,
                                              [s.steps for s in result[budget]])
                finally:
                    close_all(result)

    def test_unmeasured_segment_takes_the_pool(self):
        # Only sample 0 measured (1, 4), as an adaptive loop might.
        samples = [dict(s) for s in self.samples]
        for s in samples[1:]:
            del s[1, 4]
        profilers = [profiler_of(self.N, self.K, [s]) for s in samples]
        try:
            with profiler_of(self.N, self.K, samples) as pooled:
                coverage = [bagging._measured_segments(p) for p in profilers]
                coverage.append(bagging._measured_segments(pooled))
                with bagging._resample_profiler(profilers, [1, 1, 2, 3, 4], pooled,
                                                coverage) as filled:
                    self.assertEqual(filled.edge_stats(1, 4), pooled.edge_stats(1, 4))
                    self.assertEqual(filled.edge_stats(1, 3).count, 5)
                with bagging._resample_profiler(profilers, [1, 1, 2, 3, 4], pooled,
                                                None) as bare:
                    self.assertEqual(bare.edge_stats(1, 4).count, 0)
                with bagging._resample_profiler(profilers, [0, 0, 2, 3, 4], pooled,
                                                coverage) as drawn:
                    self.assertEqual(drawn.edge_stats(1, 4).count, 2)
            for fill in (True, False):
                result = lemica.bagged_candidates(profilers, [4, 6], 8,
                                                  fill_unmeasured=fill)
                self.assertTrue(all(result.values()))
                close_all(result)
        finally:
            for profiler in profilers:
                profiler.close()

    def test_disagreeing_samples_give_candidates_to_verify(self):
        # N = 6, budget 3: 0, 2, 5 or 0, 3, 5. Samples of kind A favour the
        # first, those of kind B the second; the pool (2 A, 3 B) the second,
        # resamples with more A the first.
        def errors(kind):
            low = {(0, 2), (2, 5)} if kind == "A" else {(0, 3), (3, 5)}
            return {(i, j): (0.1 if (i, j) in low else 1.0 if (i, j) in
                             {(0, 2), (2, 5), (0, 3), (3, 5)} else 0.5)
                    for i in range(6) for j in range(i + 2, min(i + 3, 5) + 1)}

        kinds = "AABBB"
        profilers = [profiler_of(6, 3, [errors(k)]) for k in kinds]
        try:
            result = lemica.bagged_candidates(profilers, [3], resamples=16, seed=1)
            candidates = result[3]
            try:
                self.assertEqual([c.steps for c in candidates], [(0, 3, 5), (0, 2, 5)])

                # The unseen seeds favour 0, 2, 5, by a clear margin.
                def run(schedule, sample):
                    return (0.2 if 2 in schedule.steps else 0.6) + 0.01 * (sample % 3)

                verified = lemica.verify_schedules(candidates, 40, run, significance=1.0)
                self.assertEqual(verified.best.steps, (0, 2, 5))
                self.assertEqual(verified.graph_optimal.steps, (0, 3, 5))
                self.assertEqual(verified.model_calls, 40 * 3 * 2)
            finally:
                close_all(result)
        finally:
            for profiler in profilers:
                profiler.close()

    def test_bad_input(self):
        with self.assertRaises(ValueError):
            lemica.bagged_candidates([], [4])
        with self.assertRaises(ValueError):
            lemica.bagged_candidates(self.profilers, [])
        with self.assertRaises(ValueError):
            lemica.bagged_candidates(self.profilers, [4], resamples=-1)
        with self.assertRaises(TypeError):
            lemica.bagged_candidates(self.profilers, [4], resamples=2.5)
        with self.assertRaises(TypeError):
            lemica.bagged_candidates(self.profilers + ["x"], [4])
        for other in (lemica.Profiler(self.N + 1, self.K),
                      lemica.Profiler(self.N, self.K - 1),
                      lemica.Profiler(self.N, self.K, lemica.Metric.MSE)):
            with other, self.assertRaises(ValueError):
                lemica.bagged_candidates(self.profilers + [other], [4])
        # The solver's errors surface; nothing is left allocated (tearDown).
        for budget in (1, self.N + 1):
            with self.assertRaises(lemica.InfeasibleError):
                lemica.bagged_candidates(self.profilers, [4, budget])
        with lemica.Solver(max_skip=2) as solver, self.assertRaises(lemica.InfeasibleError):
            lemica.bagged_candidates(self.profilers, [6, 3], solver=solver)
        closed = lemica.Profiler(self.N, self.K)
        closed.close()
        with self.assertRaises(lemica.ClosedHandleError):
            lemica.bagged_candidates(self.profilers + [closed], [4])


if __name__ == "__main__":
    unittest.main()
