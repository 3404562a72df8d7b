# SPDX-License-Identifier: MIT
"""lemica.AdaptivePlan: the loop gives the full profile's schedules, warns
on violated assumptions, and refuses bad input."""

import random
import unittest
import warnings

import support  # noqa: F401  (sets up the import path)

import lemica


def nested_errors(num_steps, seed):
    """Errors satisfying NESTED, with few levels (many ties)."""
    rng = random.Random(seed)
    w = {}
    for span in range(2, num_steps):
        for i in range(0, num_steps - span):
            j = i + span
            base = max(w.get((i + 1, j), 0.0), w.get((i, j - 1), 0.0))
            w[(i, j)] = base + rng.randrange(3)
    return w


def run(adaptive, profiler, errors):
    for plan in adaptive.rounds(profiler):
        for i, j in plan.replays():
            profiler.add_error(i, j, errors[(i, j)])


class AdaptiveTest(unittest.TestCase):
    def test_equals_full_profile(self):
        for seed in range(40):
            n = 6 + seed % 7
            errors = nested_errors(n, seed)
            budgets = [3, n - 2] if n > 5 else [3]
            for comparator in lemica.Comparator:
                if comparator == lemica.Comparator.USER:
                    continue
                adaptive = lemica.AdaptivePlan(n, n - 1, lemica.Assumption.NESTED,
                                               budgets=budgets, comparator=comparator,
                                               min_batch=1 + seed % 4)
                profiler = lemica.Profiler(n, n - 1)
                run(adaptive, profiler, errors)
                self.assertTrue(adaptive.done)
                self.assertEqual(adaptive.num_violations, 0)
                self.assertLessEqual(adaptive.model_calls, adaptive.full_model_calls)
                full = lemica.Profiler(n, n - 1)
                for (i, j), e in errors.items():
                    full.add_error(i, j, e)
                solver = lemica.Solver(comparator)
                graph = full.to_graph(require_all=True)
                for b in budgets:
                    self.assertEqual(str(adaptive.schedule(b)), str(solver.solve(graph, b)))

    def test_all_budgets_and_counters(self):
        errors = nested_errors(10, 3)
        adaptive = lemica.AdaptivePlan(10, 9, budgets="all", min_batch=4)
        self.assertTrue(adaptive.is_budget_requested(2))
        profiler = lemica.Profiler(10, 9)
        run(adaptive, profiler, errors)
        self.assertGreater(adaptive.num_rounds, 0)
        self.assertGreater(adaptive.num_measured, 0)
        self.assertEqual(adaptive.schedule(10).budget, 10)
        self.assertEqual(adaptive.num_stable, 1)
        adaptive.set_stable_tolerance(0.02)
        with self.assertRaises(lemica.InvalidArgumentError):
            adaptive.set_stable_tolerance(-1.0)
        self.assertIn("done=True", repr(adaptive))

    def test_sample_stop(self):
        # SUM, budget 3 on N = 6: x = 2 costs first + 4, x = 3 costs 5. The
        # first sample favours x = 2, the others x = 3 by far.
        def errors(first):
            return {(i, j): (first if (i, j) == (0, 2) else float((j - i - 1) ** 2))
                    for i in range(6) for j in range(i + 2, 6)}

        samples = [errors(0.5)] + [errors(3.0)] * 3

        def run_counts(rule, counts):
            # A fresh loop fed samples 1 .. counts; the rule's answers.
            adaptive = lemica.AdaptivePlan(6, 5, lemica.Assumption.NONE, budgets=[3],
                                           comparator=lemica.Comparator.SUM)
            profiler = lemica.Profiler(6, 5)
            stops = []
            for count in range(1, counts + 1):
                adaptive.num_samples = count
                for plan in adaptive.rounds(profiler):
                    for i, j in plan.replays():
                        for s in range(profiler.edge_stats(i, j).count, count):
                            profiler.add_error(i, j, samples[s][(i, j)])
                stops.append(rule.update(adaptive, profiler))
            return adaptive, profiler, stops

        rule = lemica.SampleStop(window=3, tolerance=0.1)
        adaptive, profiler, stops = run_counts(rule, 4)
        self.assertEqual(stops, [False, False, False, True])
        self.assertTrue(rule.should_stop)
        self.assertEqual(rule.excess, 0.0)
        with self.assertRaises(lemica.StateError):
            rule.update(adaptive, profiler)
        # The same N, another K than the earlier updates: refused.
        with self.assertRaises(lemica.InvalidArgumentError):
            rule.update(adaptive, lemica.Profiler(6, 3))
        self.assertTrue(rule.should_stop)
        rule.reset()
        self.assertFalse(rule.should_stop)
        # A cap of 2 samples: the second update stops.
        capped = lemica.SampleStop(window=3, tolerance=0.0, max_samples=2)
        self.assertEqual(run_counts(capped, 2)[2], [False, True])
        with self.assertRaises(lemica.InvalidArgumentError):
            capped.set_limits(float("nan"), 0)
        with self.assertRaises(ValueError):
            capped.set_limits(0.3, -1)
        # Refused as the library refuses bad arguments, and never wrapped
        # to the low 64 bits (2**64 + 2 would have been a cap of 2), the
        # rule unchanged.
        with self.assertRaises(lemica.InvalidArgumentError):
            capped.set_limits(0.3, -1)
        with self.assertRaises(lemica.TooLargeError):
            capped.set_limits(0.0, 2 ** 64 + 2)
        with self.assertRaises(lemica.TooLargeError):
            lemica.SampleStop(window=3, tolerance=0.0, max_samples=2 ** 64 + 2)
        capped.reset()
        self.assertEqual(run_counts(capped, 2)[2], [False, True])
        # The largest cap is accepted (and not reached).
        huge = lemica.SampleStop(window=3, tolerance=0.0, max_samples=2 ** 64 - 1)
        self.assertEqual(run_counts(huge, 2)[2], [False, False])
        for window, tolerance in ((1, 0.1), (-2, 0.1), (3, float("nan")), (3, -1.0)):
            with self.assertRaises(lemica.InvalidArgumentError):
                lemica.SampleStop(window, tolerance)

    def test_violation_warns(self):
        rng = random.Random(5)
        errors = {(i, j): float(rng.randrange(5)) for i in range(12) for j in range(i + 2, 12)}
        adaptive = lemica.AdaptivePlan(12, 11, budgets=[4, 8], min_batch=30)
        profiler = lemica.Profiler(12, 11)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run(adaptive, profiler, errors)
        self.assertGreater(adaptive.num_violations, 0)
        self.assertTrue(any(issubclass(w.category, lemica.AssumptionWarning) for w in caught))
        worst = adaptive.worst_violation
        self.assertGreater(worst.excess, 0)
        report = lemica.check_assumption(profiler, lemica.Assumption.NESTED)
        self.assertGreater(report.num_violations, 0)
        self.assertEqual(lemica.check_assumption(profiler, lemica.Assumption.NONE),
                         lemica.AssumptionReport(0, None))
        self.assertEqual(adaptive.schedule(4).budget, 4)

    def test_bad_input(self):
        with self.assertRaises(lemica.InvalidArgumentError):
            lemica.AdaptivePlan(1, 1)
        adaptive = lemica.AdaptivePlan(10, 4)
        with self.assertRaises(lemica.StateError):
            adaptive.next(lemica.Profiler(10, 4))  # no budget
        with self.assertRaises(lemica.OutOfRangeError):
            adaptive.request_budget(11)
        adaptive.request_budget(5)
        with self.assertRaises(lemica.MismatchError):
            adaptive.next(lemica.Profiler(10, 5))
        with self.assertRaises(lemica.StateError):
            adaptive.schedule(5)
        with self.assertRaises(lemica.InvalidArgumentError):
            adaptive.min_batch = 0
        with self.assertRaises(ValueError):
            adaptive.num_samples = -1
        # Never wrapped to the low 64 bits (2**64 + 1 would have been 1).
        with self.assertRaises(lemica.TooLargeError):
            adaptive.num_samples = 2 ** 64 + 1
        self.assertEqual(adaptive.num_rounds, 0)
        profiler = lemica.Profiler(10, 4)
        plan = adaptive.next(profiler)
        unasked = next((i, j) for i in range(8) for j in range(i + 2, min(i + 4, 9) + 1)
                       if not plan.is_selected(i, j))
        profiler.add_error(*unasked, 1.0)
        with self.assertRaises(lemica.StateError):
            adaptive.next(profiler)
        self.assertEqual(adaptive.num_rounds, 1)


if __name__ == "__main__":
    unittest.main()
