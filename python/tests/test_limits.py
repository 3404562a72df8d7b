# SPDX-License-Identifier: MIT
"""Integers past what the C parameters hold: ctypes keeps only their low
bits, so the binding saturates them into values the library refuses with
its own status, instead of silently calling it with other numbers. The
limits the binding mirrors agree with the headers."""

import unittest

import numpy

import support  # noqa: F401
import lemica
from lemica import profiler as profiler_module
from lemica import solver as solver_module
from lemica.cffi_support import load_cffi


class IntegerArgumentTest(unittest.TestCase):
    def test_sizes_past_int_are_too_large_not_wrapped(self):
        # 2**32 + 50 used to reach the library as 50.
        for num_steps in (2**32 + 50, 2**63, 2**64 + 50, 2**100,
                          numpy.int64(2**32 + 50)):
            with self.assertRaises(lemica.TooLargeError):
                lemica.Graph(num_steps, 1)
            with self.assertRaises(lemica.TooLargeError):
                lemica.Profiler(num_steps, 1)
            with self.assertRaises(lemica.TooLargeError):
                lemica.Plan(num_steps, 1)
        with self.assertRaises(lemica.InvalidArgumentError):
            lemica.Graph(-2**32 + 50, 1)

    def test_a_huge_max_skip_is_clamped_like_any_other(self):
        with lemica.Graph(50, 2**32 + 3) as graph:
            self.assertEqual(graph.max_skip, 49)

    def test_steps_past_int_are_out_of_range(self):
        with lemica.Graph(10, 3) as graph:
            # (0, 2**32 + 2) used to set edge (0, 2).
            with self.assertRaises(lemica.OutOfRangeError):
                graph.set_weight(0, 2**32 + 2, 1.0)
            with self.assertRaises(lemica.OutOfRangeError):
                graph.set_weight(-2**32, 2, 1.0)
            self.assertFalse(graph.has_edge(0, 2))

    def test_budgets_past_int_are_infeasible(self):
        with lemica.Graph(10, 9) as graph, lemica.Solver() as solver:
            for i in range(10):
                for j in range(i + 2, 10):
                    graph.set_weight(i, j, 0.01 * (j - i))
            self.assertEqual(solver.solve(graph, 5).budget, 5)
            # Budget 2**32 + 5 used to solve budget 5.
            with self.assertRaises(lemica.InfeasibleError):
                solver.solve(graph, 2**32 + 5)

    def test_indices_past_size_t_are_out_of_range(self):
        with lemica.Plan(10, 3) as plan:
            self.assertGreater(plan.num_replays, 0)
            # -2**64 used to read replay 0.
            for index in (-1, -2**64, 2**64, 2**64 + 1):
                with self.assertRaises(lemica.OutOfRangeError):
                    plan.replay(index)

    def test_flags_past_int_stay_true(self):
        with lemica.Plan(10, 3) as plan:
            plan.select_all(False)
            # 2**32 used to arrive as 0, "deselect".
            plan.select_segment(0, 2, 2**32)
            self.assertTrue(plan.is_selected(0, 2))

    def test_sample_counts_past_uint64(self):
        with lemica.Profiler(10, 4) as profiler:
            with self.assertRaises(lemica.TooLargeError):
                profiler.add_stats(0, 2, lemica.EdgeStats(2**64 + 5, 0.5, 0.0, 0.5, 0.5))
            with self.assertRaises(lemica.InvalidValueError):
                profiler.add_stats(0, 2, lemica.EdgeStats(-1, 0.5, 0.0, 0.5, 0.5))
            self.assertEqual(profiler.edge_stats(0, 2).count, 0)
            profiler.add_stats(0, 2, lemica.EdgeStats(2**64 - 1, 0.5, 0.0, 0.5, 0.5))
            self.assertEqual(profiler.edge_stats(0, 2).count, 2**64 - 1)
            with self.assertRaises(lemica.TooLargeError):
                profiler.add_error(0, 2, 0.5)

    def test_other_types_are_refused_as_before(self):
        with lemica.Graph(10, 3) as graph:
            with self.assertRaises(Exception):
                graph.set_weight(0.0, 2, 1.0)


class MirroredLimitTest(unittest.TestCase):
    def test_constants_match_the_headers(self):
        _, lib = load_cffi()
        self.assertEqual(lib.LEMICA_MAX_STEPS, lemica.MAX_STEPS)
        self.assertEqual(lib.LEMICA_MAX_EDGE_SLOTS, lemica.MAX_EDGE_SLOTS)
        self.assertEqual(lib.LEMICA_MAX_SOLVER_STATES, solver_module.MAX_SOLVER_STATES)
        self.assertEqual(lib.LEMICA_MAX_USER_SOLVER_STATES,
                         solver_module.MAX_USER_SOLVER_STATES)
        self.assertEqual(lib.LEMICA_MAX_FRONTIER_STEPS, solver_module.MAX_FRONTIER_STEPS)
        self.assertEqual(lib.LEMICA_MAX_PROFILER_SLOTS,
                         profiler_module.MAX_PROFILER_SLOTS)

    def test_frontier_limit(self):
        with lemica.Graph(solver_module.MAX_FRONTIER_STEPS + 1, 1) as graph, \
                lemica.Solver() as solver:
            with self.assertRaises(lemica.TooLargeError):
                solver.frontier(graph)

    def test_profiler_limit(self):
        with self.assertRaises(lemica.TooLargeError):
            lemica.Profiler(lemica.MAX_STEPS, profiler_module.MAX_PROFILER_SLOTS
                            // lemica.MAX_STEPS + 1)


if __name__ == "__main__":
    unittest.main()
