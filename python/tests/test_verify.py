# SPDX-License-Identifier: MIT
"""k best schedules (Solver.solve_k_best, solve_k_best_frontier) against
brute force, and the verification helpers (Verifier, candidate_schedules,
verify_schedules)."""

import itertools
import random
import unittest

import numpy as np

import support  # noqa: F401
import lemica


def random_graph(num_steps, max_skip, seed):
    rng = random.Random(seed)
    graph = lemica.Graph(num_steps, max_skip)
    for i in range(num_steps):
        for j in range(i + 2, min(i + max_skip, num_steps - 1) + 1):
            if rng.random() < 0.85:
                graph[i, j] = float(rng.randint(0, 4))
    return graph


def ranked_paths(graph, budget, key):
    last = graph.num_steps - 1
    paths = []
    for inner in itertools.combinations(range(1, last), budget - 2):
        steps = (0,) + inner + (last,)
        if all((a, b) in graph for a, b in zip(steps, steps[1:])):
            weights = [graph[a, b] for a, b in zip(steps, steps[1:])]
            # The comparator, then the step list read backwards.
            paths.append((key(weights), tuple(reversed(steps)), steps))
    return [steps for _, _, steps in sorted(paths)]


KEYS = {
    lemica.Comparator.LEXMAX: lambda w: sorted(w, reverse=True),
    lemica.Comparator.SUM: sum,
    lemica.Comparator.MAX: max,
}


class KBestTest(unittest.TestCase):
    def test_matches_brute_force(self):
        for seed in range(4):
            for comparator, key in KEYS.items():
                with random_graph(9, 4, seed) as graph, lemica.Solver(comparator) as solver:
                    frontier = solver.solve_k_best_frontier(graph, 6)
                    for budget in range(3, 10):
                        expected = ranked_paths(graph, budget, key)[:6]
                        if not expected:
                            with self.assertRaises(lemica.InfeasibleError):
                                solver.solve_k_best(graph, budget, 6)
                            self.assertNotIn(budget, frontier)
                            continue
                        got = [s.steps for s in solver.solve_k_best(graph, budget, 6)]
                        self.assertEqual(got, expected, (seed, comparator, budget))
                        self.assertEqual([s.steps for s in frontier[budget]], expected)

    def test_bad_input(self):
        with random_graph(9, 4, 1) as graph, lemica.Solver() as solver:
            with self.assertRaises(lemica.InvalidArgumentError):
                solver.solve_k_best(graph, 5, 0)
            with self.assertRaises(lemica.TooLargeError):
                solver.solve_k_best(graph, 5, 2**40)


class VerifyTest(unittest.TestCase):
    def test_verifier(self):
        with lemica.Verifier(2) as verifier:
            a = lemica.Schedule(6, [0, 2, 5])
            b = lemica.Schedule(6, [0, 3, 5])
            self.assertEqual(verifier.add(a), 0)
            self.assertEqual(verifier.add(b), 1)
            self.assertEqual(verifier.add(lemica.Schedule(6, [0, 2, 5])), 0)
            self.assertEqual(list(verifier.runs()), [(0, 0), (1, 0), (0, 1), (1, 1)])
            self.assertEqual(verifier.missing, 4)
            with self.assertRaises(lemica.StateError):
                verifier.best()
            verifier.report_error(0, 0, 1.0)
            verifier.report_error(0, 1, 1.0)
            verifier.report_buffers(1, 0, np.array([1.0, 2.0]), np.array([1.0, 3.0]))
            verifier.report_error(1, 1, 1.0)
            self.assertAlmostEqual(verifier.score(1), 0.75)
            self.assertEqual(verifier.best(), 1)
            self.assertEqual(verifier.model_calls, 12)
            verifier.set_aggregate(lemica.Aggregate.MAX)
            self.assertEqual(verifier.best(), 0)  # tie at 1.0: the earlier
            with self.assertRaises(lemica.InvalidValueError):
                verifier.report_error(0, 0, float("nan"))
            self.assertEqual(verifier.error(1, 0), 0.5)
            verifier.set_aggregate(lemica.Aggregate.MEAN)
            verifier.set_significance(3.0)  # 2 samples: not significant
            self.assertEqual(verifier.best(), 0)

    def test_prefix_runs_and_budgets(self):
        with lemica.Verifier(2) as verifier:
            for steps in ([0, 2, 5], [0, 1, 3, 5], [0, 3, 5], [0, 2, 4, 5]):
                verifier.add(lemica.Schedule(6, steps))
            # Prefix order 0,1,3,5 < 0,2,4,5 < 0,2,5 < 0,3,5.
            self.assertEqual(list(verifier.prefix_runs()),
                             [(1, 0, 4), (3, 1, 3), (0, 4, 1), (2, 2, 2)])
            self.assertEqual(verifier.prefix_model_calls, (4 + 3 + 1 + 2) * 2)
            self.assertEqual(verifier.model_calls, (3 + 4 + 3 + 4) * 2)
            for sample in range(2):
                verifier.report_error(0, sample, 1.0)
                verifier.report_error(2, sample, 0.5)
            self.assertEqual(verifier.best_of_budget(3), 2)
            with self.assertRaises(lemica.StateError):
                verifier.best_of_budget(4)
            # Not wrapped to the low 32 bits (2**32 + 3 is no budget 3).
            with self.assertRaises(lemica.StateError):
                verifier.best_of_budget(2 ** 32 + 3)
            with self.assertRaises(lemica.InvalidArgumentError):
                verifier.best_of_budget(1)
            with self.assertRaises(lemica.InvalidArgumentError):
                verifier.best_of_budget(-2 ** 32 + 3)
        with lemica.Verifier(1) as empty:
            self.assertEqual(list(empty.prefix_runs()), [])
            self.assertEqual(empty.prefix_model_calls, 0)

    def test_candidates_and_verification(self):
        with random_graph(12, 5, 3) as graph:
            candidates = lemica.candidate_schedules(graph, 6, count=3)
            with lemica.Solver() as solver:
                self.assertEqual(candidates[0].steps, solver.solve(graph, 6).steps)
            self.assertEqual(len({c.steps for c in candidates}), len(candidates))
            self.assertGreaterEqual(len(candidates), 3)
            # A fake engine: the error of a schedule is the step sum of its
            # steps, so the candidate computing earliest wins.
            target = min(candidates, key=lambda c: (sum(c.steps), c.steps))

            def run(schedule, sample):
                x = np.full(4, float(sum(schedule.steps)) + sample)
                return x, np.full(4, float(sample))

            result = lemica.verify_schedules(candidates, 3, run)
            self.assertEqual(result.best.steps, target.steps)
            self.assertEqual(result.graph_optimal.steps, candidates[0].steps)
            self.assertEqual(result.model_calls, 3 * 6 * len(candidates))
            self.assertEqual(len(result.scores), len(candidates))


if __name__ == "__main__":
    unittest.main()
